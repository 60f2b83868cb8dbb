/* replica_io.h — the per-replica outputs of a run (thermo file, trajectories) and the checkpoint of a replica
 * ensemble spread over MPI ranks (app/run.c's helpers).
 *
 * Outputs: every replica has its own thermo file and dump files, named by replica_file_name (host/md/replica.h),
 * opened, written and fsync'ed by the rank that owns the replica (an output directory on a shared file system
 * for runs over several nodes, as LAMMPS partitions). The checkpoint is ONE file: each rank serialises its
 * replicas, output lengths and analysis blobs, rank 0 gathers and writes them (host/io/checkpoint.h). */
#ifndef ESNAP_REPLICA_IO_H
#define ESNAP_REPLICA_IO_H

#include <stdio.h>

#include "backend.h"
#include "status.h"
#include "checkpoint.h"
#include "deck.h"
#include "dump.h"
#include "thermo.h"

MD_EXTERN_C_BEGIN

typedef struct rep_out {
  thermo_out thermo;
  char thermo_key[MD_PATH_LEN];            /* checkpoint name: "thermo <file as named>" */
  int ndump;                               /* writers open */
  dump_writer dump[DECK_MAX_DUMPS];
  char dump_key[DECK_MAX_DUMPS][MD_PATH_LEN]; /* checkpoint names: the dump file as named */
} rep_out;

/* Open replica g's outputs (ensemble: names with the replica index; R replicas in the ensemble). ck: the
 * checkpoint a restart continues from (files truncated to its lengths and appended), or NULL. header: lines
 * for a fresh thermo file; screen: where thermo lines are echoed (or NULL). */
md_status rio_open(rep_out *o, const md_deck *d, int ensemble, int g, int R, const md_system *s, const md_checkpoint *ck,
                   const char *header, FILE *screen);
/* fsync the outputs and record their lengths in ck (ckpt_add_file). */
md_status rio_sync(rep_out *o, md_checkpoint *ck);
void rio_close(rep_out *o);

/* Check that checkpoint ck (read from path) belongs to deck d's system s, settings and replica set: a run of
 * nrun replicas with ensemble indices gidx[], seeds seed[] and temperatures temp[] (ensemble: the deck has a
 * replicas line of R replicas). */
md_status rio_check_checkpoint(const md_deck *d, const md_system *s, int ensemble, int R, int nrun, const int *gidx,
                               const unsigned long long *seed, const real_t *temp, const md_checkpoint *ck, const char *path);

/* Collective: write the checkpoint `path` from every rank's part. part: this rank's replicas, files, blobs;
 * head: run settings and the replica set (rank 0: rep_seed/rep_temp of all nrep_total replicas). Failure
 * leaves the previous checkpoint in place and is the same on every rank. */
md_status rio_checkpoint_write(const char *path, const md_checkpoint *head, int nrep_total, const md_checkpoint *part);

MD_EXTERN_C_END

#endif
