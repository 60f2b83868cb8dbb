/* msd.h — on-the-fly mean square displacement with bounded memory: order-n blocking (Frenkel & Smit;
 * Dubbeldam et al., Mol. Sim. 35, 1084 (2009)) on positions, for the tracer and the charge (collective) MSD.
 *
 * Lag grid and origins (the exact definition the tests check):
 *  - Frames are fed one at a time, equally spaced in time (frame f = 0, 1, 2, ... of the current trajectory).
 *  - Level k (k = 0 .. max_levels-1) samples frames f ≡ 0 (mod B^k), i.e. the trajectory subsampled with
 *    stride B^k, and keeps its last B samples in a ring buffer.
 *  - At level k the lags are j·B^k frames, j = 1 .. B-1. Lags of different levels never coincide, so the grid
 *    is 1..B-1 frames, then B, 2B, .. (B-1)B, then B², 2B², ..., and so on.
 *  - The MSD at lag j·B^k is averaged over ALL origins of the level-k subsampled trajectory: every sampled
 *    frame m·B^k with (m+j)·B^k ≤ last frame. Level 0 is therefore the ordinary all-origins MSD for lags up
 *    to B-1 frames; a direct all-origins computation on the trajectory subsampled at stride B^k gives the
 *    same numbers to round-off at every lag of level k.
 *  - Memory: B·3·n doubles per level that has been reached (allocated when a level gets its second sample),
 *    plus 7·B·max_levels sums/counts. With B = 256, 375 ions and a 1-ns run sampled every 0.1 ps (10⁴
 *    frames, two levels) that is 4.6 MB; the cost per frame is (B-1)·n per active level.
 *
 * What is accumulated, per lag, summed over origins: tracer Σ_i Δx_i², Σ_i Δy_i², Σ_i Δz_i² (Å²) and charge
 * (Σ_i Δx_i)², (Σ_i Δy_i)², (Σ_i Δz_i)² (Å²), and the number of origins (int64). The mean tracer MSD per
 * component is sum/(count·n); the charge MSD |Σ_i Δr_i|²/n (Deng et al. 2019, eq. 14) is sum/(count·n).
 * All state is plain double / int64 arrays: pack/unpack round-trips it exactly, and merging two
 * accumulators (replicas, MPI ranks) adds the sums and counts elementwise.
 */
#ifndef ESNAP_MSD_H
#define ESNAP_MSD_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

#define MSD_PACK_VERSION 1
#define MSD_NSUM 6 /* tracer x y z, charge x y z */

typedef struct msd_accum msd_accum;

/* n ions, block length B ≥ 2 (lags per level + 1), max_levels ≥ 1 (0 = enough for 10⁹ frames). */
md_status msd_create(msd_accum **out, int n, int block, int max_levels);
void msd_destroy(msd_accum **a);

/* Feed the next frame: unwrapped positions (Å) of the n ions, in the same order every frame. */
md_status msd_add_frame(msd_accum *a, const real_t *x, const real_t *y, const real_t *z);
/* Start a new, independent trajectory (another replica): keeps the sums, forgets the ring buffers, so no
 * displacement crosses the seam. Afterwards the accumulator equals msd_merge of the two trajectories'. */
void msd_new_trajectory(msd_accum *a);
/* Free the ring buffers of a finished accumulator (sums and counts stay; adding frames is then an error
 * until msd_new_trajectory). */
void msd_compact(msd_accum *a);

/* dst += src (sums and counts). Both must have the same n, block and max_levels. dst's own trajectory state
 * is unchanged. */
md_status msd_merge(msd_accum *dst, const msd_accum *src);

/* Exact checkpointing: size in bytes, pack into buf (size ≥ msd_packed_size), unpack into a new accumulator
 * (version and size checked; `where` names the source for messages). */
size_t msd_packed_size(const msd_accum *a);
md_status msd_pack(const msd_accum *a, void *buf, size_t size);
md_status msd_unpack(msd_accum **out, const void *buf, size_t size, const char *where);

/* Accessors. */
int msd_n(const msd_accum *a);
int msd_block(const msd_accum *a);
int msd_max_levels(const msd_accum *a);
int64_t msd_frames(const msd_accum *a);       /* frames of the current trajectory */
int64_t msd_frames_total(const msd_accum *a); /* frames over all trajectories (merged ones included) */
int64_t msd_trajectories(const msd_accum *a); /* trajectories contributing to the sums */

/* Raw per-lag state, lag index L = level·B + j (j = 1..B-1; j = 0 unused): lag = j·B^level frames.
 * Number of lag slots = max_levels·B. sums[L·MSD_NSUM + c], counts[L]. */
int msd_nslots(const msd_accum *a);
int64_t msd_slot_lag(const msd_accum *a, int slot); /* lag in frames, 0 for unused slots */
const double *msd_sums(const msd_accum *a);
const int64_t *msd_counts(const msd_accum *a);

MD_EXTERN_C_END

#endif
