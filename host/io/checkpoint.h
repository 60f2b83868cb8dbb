/* checkpoint.h — versioned binary checkpoints holding everything a run needs to continue bit for bit.
 *
 * File layout (native byte order, checked on reading; values, strings and sections as in binbuf.h):
 *   header (40 bytes): magic "ESNAPCKP", u32 format version, u32 byte-order mark 0x01020304,
 *                      u32 sizeof(real_t), u32 header size, u64 payload length, u32 CRC-32 of the payload,
 *                      u32 CRC-32 of the header's first 36 bytes
 *   payload: sections, each u32 tag + u64 length + contents; readers skip tags they do not know:
 *     "RUN " run settings the continuation must share (replicas, ensemble, time step, chain length),
 *            program version and commit
 *     "REP " one per replica: atoms (ids, types, element names), cell, positions, image counts, velocities,
 *            forces, energies and virial, Nosé–Hoover chain state, RNG state, step, time and time origin,
 *            then the neighbour-list reference (i32 flag, and with flag 1 the positions of the last build, 3n
 *            reals), so the continuation uses the same lists (a section without it: lists built afresh)
 *     "PHYS" the physics the continuation must share: named items (Coulomb method, accuracy, cutoff, neighbour
 *            skin, masses, charges, SNAP and ZBL parameters, ...) as exact text, compared item by item on
 *            restart (app/run_physics.h); absent from checkpoints of earlier versions
 *     "RSET" replica set (runs with a `replicas` line only): ensemble size R, index of the first replica held,
 *            ensemble seed, and each held replica's seed and temperature (host/md/replica.h)
 *     "FILE" byte length of every output file at this step (thermo, dumps), so a restart truncates and
 *            appends and the outputs come out identical to an uninterrupted run's; there may be several FILE
 *            sections (one per MPI rank): their lists are concatenated
 *     "BLOB" named opaque byte strings: the slot for analysis state (e.g. on-the-fly MSD accumulators); the
 *            run loop stores what each registered analysis hook saves and hands it back on restart
 *     "END " end marker
 * Replica ensembles over MPI ranks: each rank serialises its replicas, file lengths and blobs (ckpt_body), rank
 * 0 gathers the bodies and writes one file (ckpt_write_assembled), so the checkpoint does not depend on the
 * number of ranks and a restart may use another -np. The RSET section and repeated FILE sections are
 * additions that readers of the first version skip (they would see only one rank's file list, and refuse
 * the replica count anyway): the format version stays 1.
 * Writing is atomic (atomic_file.h): FILE.tmp is written, fsync'ed and renamed over FILE (then the directory
 * is fsync'ed); when anything fails the previous checkpoint stays untouched. */
#ifndef ESNAP_CHECKPOINT_H
#define ESNAP_CHECKPOINT_H

#include <stddef.h>

#include "backend.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

#define CKPT_VERSION 1
#define CKPT_NAME_LEN 64

typedef struct ckpt_file_len {
  char name[MD_PATH_LEN];   /* "thermo" or the dump file name as written in the deck */
  long long bytes;
} ckpt_file_len;

typedef struct ckpt_blob {
  char name[CKPT_NAME_LEN];
  unsigned char *data;      /* owned */
  size_t len;
} ckpt_blob;

#define CKPT_PHYS_MAX 32        /* items of a physics record */
#define CKPT_PHYS_KEY 48
#define CKPT_PHYS_VALUE 400

/* The physics record (PHYS section): item k is key[k] = value[k], values written exactly (round-trip digits). */
typedef struct ckpt_physics {
  int n;                              /* items; 0: none recorded */
  char key[CKPT_PHYS_MAX][CKPT_PHYS_KEY];
  char value[CKPT_PHYS_MAX][CKPT_PHYS_VALUE];
} ckpt_physics;

typedef struct md_checkpoint {
  int nrep;
  md_replica *rep;          /* [nrep]; borrowed when writing, owned after ckpt_read */
  int owns_rep;
  int ensemble;             /* MD_ENS_* */
  real_t dt;                /* ps */
  int chain;                /* NHC chain length (0 for NVE) */
  int tloop;
  long nsteps;              /* the run length of the deck that wrote it (informational) */
  char version[64];         /* program version and commit that wrote it */
  int nfiles;
  ckpt_file_len *file;      /* [nfiles], owned (ckpt_add_file) */
  int nblob;
  ckpt_blob *blob;          /* [nblob], owned (ckpt_set_blob) */
  /* replica set (RSET section), for runs with a `replicas` line; rset_total = 0 otherwise */
  int rset_total;           /* R of the whole ensemble */
  int rset_first;           /* ensemble index of rep[0] (replicas are held in order) */
  unsigned long long rset_seed; /* ensemble seed S */
  unsigned long long *rep_seed; /* [nrep] seed of each held replica; borrowed when writing, owned after ckpt_read */
  real_t *rep_temp;         /* [nrep] its temperature (K) */
  ckpt_physics phys;        /* PHYS section (phys.n = 0: none) */
} md_checkpoint;

/* Write atomically. */
md_status ckpt_write(const char *path, const md_checkpoint *c);
/* Read and verify (magic, version, byte order, sizes, checksums); allocates the replicas and blobs. */
md_status ckpt_read(const char *path, md_checkpoint *c);
/* Free what ckpt_read / ckpt_set_blob / ckpt_add_file allocated. */
void ckpt_free(md_checkpoint *c);
/* Append an output file length. */
md_status ckpt_add_file(md_checkpoint *c, const char *name, long long bytes);
/* The per-rank part of a checkpoint: REP sections of c->rep[0..nrep-1], one FILE section, the BLOB sections
 * (*buf malloc'ed). */
md_status ckpt_body(const md_checkpoint *c, unsigned char **buf, size_t *len);
/* Write atomically: the RUN, PHYS and RSET sections of `head` for nrep_total replicas (head->rep_seed/rep_temp hold
 * nrep_total entries when head->rset_total > 0), the concatenated bodies, the end marker. */
md_status ckpt_write_assembled(const char *path, const md_checkpoint *head, int nrep_total, const unsigned char *body,
                               size_t body_len);
/* Store a copy of data under name (replacing a blob of the same name). */
md_status ckpt_set_blob(md_checkpoint *c, const char *name, const void *data, size_t len);
/* The blob of that name, or NULL. */
const ckpt_blob *ckpt_get_blob(const md_checkpoint *c, const char *name);
/* Recorded length of output `name`, or -1 when the checkpoint has none. */
long long ckpt_file_bytes(const md_checkpoint *c, const char *name);
/* CRC-32 (IEEE 802.3, as zlib) of a buffer. */
unsigned int ckpt_crc32(const void *data, size_t len);

MD_EXTERN_C_END

#endif
