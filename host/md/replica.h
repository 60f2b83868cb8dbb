/* replica.h — replica ensembles: R independent copies of one system advanced together (deck `replicas`), their
 * seeds, their output file names and how they are spread over MPI ranks.
 *
 * Seeds (the documented rule, so any replica can be re-run alone):
 *   replica k of an ensemble with seed S draws its velocities (and any other random numbers) from the project
 *   RNG seeded with md_rng_seed(replica_seed(S, k), 0), exactly as a plain run with `seed replica_seed(S, k)`;
 *   replica_seed(S, k) is output k (k = 0, 1, ...) of the SplitMix64 generator started at S:
 *       z = S + (k + 1)·0x9E3779B97F4A7C15 (mod 2^64);  z = (z ^ z>>30)·0xBF58476D1CE4E5B9;
 *       z = (z ^ z>>27)·0x94D049BB133111EB;  seed = z ^ z>>31   (0 is replaced by 1)
 *   (md_splitmix64_at(S, k), src/math/xoshiro.h, the splitmix64 that also seeds the RNG).
 *   `esnapmd run` prints every replica's seed in its header, and `replicas R seed S only K` runs replica K alone.
 *   Temperature i (0-based, in the order given) of a sweep (`esnapmd sweep`) runs with the ensemble seed
 *   replica_seed(S ^ REPLICA_SWEEP_SALT, i).
 *
 * File names: a name containing {replica} gets the replica index there; otherwise, in a deck with a `replicas`
 * line, "_rK" goes before the extension (thermo.dat → thermo_r3.dat, li.xyz → li_r3.xyz). K is zero-padded to
 * the width of R − 1 (R = 100: r00 .. r99), so shell globs list replicas in order.
 *
 * MPI ranks (mpirun -np P): contiguous blocks, rank p holding replicas [first, first + count) with the first
 * R mod P ranks holding one more. P > R is an error. */
#ifndef ESNAP_REPLICA_H
#define ESNAP_REPLICA_H

#include <stddef.h>
#include <stdint.h>

#include "md_hd.h"

MD_EXTERN_C_BEGIN

#define REPLICA_SWEEP_SALT 0x5357454550000000ULL /* "SWEEP" */

/* Seed of replica k of an ensemble with seed S (see above). */
uint64_t replica_seed(uint64_t S, long k);

/* Output file name of replica k of R: {replica} substituted, else (suffix != 0) "_rK" before the extension,
 * else the name unchanged. Returns 0, or -1 when out (size n) is too small. */
int replica_file_name(const char *name, int k, int R, int suffix, char *out, size_t n);

/* Block of replicas owned by `rank` of `nranks`. */
void replica_block(int R, int nranks, int rank, int *first, int *count);

MD_EXTERN_C_END

#endif
