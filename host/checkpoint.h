/* checkpoint.h — versioned binary checkpoints holding everything a run needs to continue bit for bit.
 *
 * File layout (native byte order, checked on reading):
 *   header (40 bytes): magic "ESNAPCKP", u32 format version, u32 byte-order mark 0x01020304,
 *                      u32 sizeof(real_t), u32 header size, u64 payload length, u32 CRC-32 of the payload,
 *                      u32 CRC-32 of the header's first 36 bytes
 *   payload: sections, each u32 tag + u64 length + contents; readers skip tags they do not know:
 *     "RUN " run settings the continuation must share (replicas, ensemble, time step, chain length),
 *            program version and commit
 *     "REP " one per replica: atoms (ids, types, element names), cell, positions, image counts, velocities,
 *            forces, energies and virial, Nosé–Hoover chain state, RNG state, step, time and time origin
 *     "FILE" byte length of every output file at this step (thermo, dumps), so a restart truncates and
 *            appends and the outputs come out identical to an uninterrupted run's
 *     "BLOB" named opaque byte strings: the slot for analysis state (e.g. on-the-fly MSD accumulators); the
 *            run loop stores what each registered analysis hook saves and hands it back on restart
 *     "END " end marker
 * Writing is atomic: FILE.tmp is written, fsync'ed and renamed over FILE (then the directory is fsync'ed);
 * when anything fails the previous checkpoint stays untouched. */
#ifndef ESNAP_CHECKPOINT_H
#define ESNAP_CHECKPOINT_H

#include <stddef.h>

#include "../src/backend.h"
#include "../src/status.h"
#include "../src/types.h"

MD_EXTERN_C_BEGIN

#define CKPT_VERSION 1
#define CKPT_MAX_FILES 16
#define CKPT_MAX_BLOBS 16
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
  ckpt_file_len file[CKPT_MAX_FILES];
  int nblob;
  ckpt_blob blob[CKPT_MAX_BLOBS];
} md_checkpoint;

/* Write atomically. */
md_status ckpt_write(const char *path, const md_checkpoint *c);
/* Read and verify (magic, version, byte order, sizes, checksums); allocates the replicas and blobs. */
md_status ckpt_read(const char *path, md_checkpoint *c);
/* Free what ckpt_read / ckpt_set_blob allocated. */
void ckpt_free(md_checkpoint *c);
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
