/* run.h — the MD run loop behind `esnapmd run`: set up from a deck (or continue from a checkpoint), advance
 * the systems through a backend (src/backend.h) between output events, write thermo, trajectories and
 * checkpoints, stop safely.
 *
 * Events happen at fixed step numbers, so a continued run repeats an uninterrupted one exactly:
 *   thermo      steps that are multiples of N, and the last step
 *   dump        multiples of its N (step 0 included)
 *   checkpoint  multiples of N and the last step, and the step at which SIGTERM or SIGINT stops the run; a
 *               checkpoint only reads the state (positions as they are, the neighbour-list reference), so
 *               writing one, at any step, does not change the trajectory
 *   analysis    multiples of each hook's `every` (step 0 included in a fresh run)
 * With `equilibrate E` in the deck, dumps and analysis samples fall at steps E + k·every instead (k ≥ 0): the
 * first E steps only equilibrate (thermo and checkpoints as usual); a hook's thermo callback gets the thermo
 * steps from step E on.
 * A continued run (restart) reads the checkpoint, checks it belongs to the deck's system, truncates every
 * output file to the length recorded at that step and appends; on the CPU its thermo, trajectories, analysis
 * results and final checkpoint are byte-identical to those of an uninterrupted run (same binary and thread
 * count), whether the checkpoint was a scheduled one or the one written on SIGTERM/SIGINT.
 *
 * Replica ensembles (deck `replicas`, host/md/replica.h): the run advances R systems through one backend (CPU: one
 * OpenMP thread per replica, so replica k is bit for bit the run of that replica alone); each replica has its
 * own thermo and dump files; the checkpoint holds them all. Under mpirun the replicas are split into contiguous
 * blocks over the ranks (app/mpi_ens.h): each rank advances and writes its replicas, rank 0 writes the
 * checkpoint (gathered), the screen and the analysis results; errors and signals are agreed on by all ranks at
 * every chunk of steps, so all stop together with one message. The end of a run prints the aggregate
 * throughput (R × N atom-steps/s) and the share of the run spent in on-the-fly analysis.
 */
#ifndef ESNAP_RUN_H
#define ESNAP_RUN_H

#include <stddef.h>

#include "backend.h"
#include "status.h"
#include "types.h"
#include "deck.h"

MD_EXTERN_C_BEGIN

/* An on-the-fly analysis riding along with the run (e.g. the diffusion of app/replica_diffusion.h). Its state
 * lives in the checkpoint's BLOB section, so a continued run resumes it exactly: under `name` (save/load), or,
 * when save_rep/load_rep are given, one blob per replica under "name#K" (K = ensemble index), which is what
 * lets an ensemble spread over MPI ranks be checkpointed into one file and continued with any rank count.
 * Hooks without save_rep cannot be used with more than one MPI rank. */
typedef struct md_analysis_hook {
  const char *name;      /* checkpoint blob key (unique, < 48 characters) */
  void *ctx;
  long every;            /* call sample() at steps that are multiples of this, step 0 of a fresh run
                            included (0: never) */
  /* called at sampling steps with the host state of this rank's replicas, in ensemble order: positions and
   * image counts (unwrapped positions), velocities, step and time of that step (forces, energies and
   * thermostat are those of the last checkpoint) */
  md_status (*sample)(void *ctx, const md_replica *reps, int nrep);
  /* serialise the accumulated state: *data malloc'ed by the hook, freed by the run loop */
  md_status (*save)(void *ctx, void **data, size_t *len);
  /* restore the state saved at the checkpoint a run continues from */
  md_status (*load)(void *ctx, const void *data, size_t len);
  /* optional: the same per replica (r = index among this rank's replicas) */
  md_status (*save_rep)(void *ctx, int r, void **data, size_t *len);
  md_status (*load_rep)(void *ctx, int r, const void *data, size_t len);
  /* optional, collective over MPI ranks: write results; called after every checkpoint (final = 0) and at the
   * end of the run (final = 1) */
  md_status (*report)(void *ctx, int final);
  /* optional: called at thermo steps from the end of the equilibration on, for local replica r, with its
   * thermo values (energies of that step) */
  md_status (*thermo)(void *ctx, int r, const md_thermo *th);
} md_analysis_hook;

enum run_device { RUN_DEVICE_AUTO = 0, RUN_DEVICE_CPU = 1, RUN_DEVICE_GPU = 2 };
/* --device VALUE of command `cmd` (auto, cpu, gpu) into *out (enum run_device); a one-line error otherwise. */
md_status run_device_parse(const char *cmd, const char *value, int *out);

typedef struct run_options {
  const char *restart;        /* checkpoint to continue from, or NULL */
  int allow_changes;          /* continue even when the deck or model changes the checkpoint's physics
                               * (app/run_physics.h): a warning instead of an error */
  int device;                 /* enum run_device */
  int quiet;                  /* nothing on stdout */
  int nhooks;
  md_analysis_hook *hooks;
} run_options;

/* Run every later run of this process on `ops` instead of the --device choice (NULL: the --device choice again).
 * For the tests, which run decks on a backend of their own (tests/backend_emul.cpp). */
void run_set_backend(const md_backend_ops *ops);

/* Run a parsed deck. On a safety stop the message names the step, the atoms and the last good checkpoint. */
md_status run_deck(const md_deck *d, const run_options *o);

/* The arguments every deck command (run, sweep) shares, at argv[*k]: --device VALUE, --quiet / -q, the deck
 * path; anything else starting with '-' is an error, as is a second deck. *k is advanced past a value. */
md_status run_parse_arg(const char *cmd, int argc, char **argv, int *k, run_options *o, const char **deck_path);
/* Read the deck (on every MPI rank) and hand it to fn, between ens_init and ens_finalize. */
md_status run_with_deck(const char *deck_path, md_status (*fn)(md_deck *d, void *ctx), void *ctx);

/* Build the deck's structure (Li3N lattice or a structure file), types in the model's element order. */
md_status run_load_structure(const md_deck *d, const md_model *m, md_system **out);

MD_EXTERN_C_END

#endif
