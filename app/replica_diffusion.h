/* replica_diffusion.h — on-the-fly diffusion of one species in an MD run (deck `diffusion SPECIES every N ...`):
 * one diffusion tracker (host/analysis/diffusion.h: order-n tracer and charge MSD, xy / z / xyz) per replica, fed with
 * the unwrapped positions every N steps (step 0 of a fresh run included; with `equilibrate E`, steps E + kN: the
 * time origin is the end of the equilibration), its state saved in the checkpoint
 * (one blob per replica, "diffusion#K"), so a continued run resumes it bit for bit.
 *
 * Results (at every checkpoint and at the end of the run, written atomically by rank 0): the directory of the
 * `diffusion` line (default <output>/diffusion) receives summary.json (D*, Dσ, H_R, σ for xy, z, xyz with
 * bootstrap-over-replicas uncertainties, temperature, n_replicas, fit_window_ps, ...), msd_pooled.dat and
 * msd_replica_K.dat — exactly what `esnapmd analyze` writes for the trajectories of the same replicas (the
 * same tracker, estimator and writers; given positions written with `precision full` and the same volume and
 * temperature, the same numbers bit for bit). With MPI the packed trackers are gathered to rank 0 (the
 * bootstrap needs each replica's curve).
 * Replicas with their own temperatures (`replicas R temperatures T1 ...`) are analysed per temperature, in
 * DIR/T<T>K/ (replicas in ensemble order; "inputs" in summary.json names them).
 * Temperature in the summary: the `temperature` option, else the nvt target, else the mean kinetic temperature
 * of the replicas over the samples. Volume: the cell's (constant in NVT/NVE). */
#ifndef ESNAP_REPLICA_DIFFUSION_H
#define ESNAP_REPLICA_DIFFUSION_H

#include "status.h"
#include "types.h"
#include "deck.h"
#include "run.h"

MD_EXTERN_C_BEGIN

typedef struct rdiff rdiff;

/* For the run of deck d: nall replicas in the run with ensemble indices all[0..nall-1] (every one, or the one
 * of `only K`), of which this rank holds all[first .. first+nloc-1]; sys is the system (types, cell), mass[type]
 * g/mol. dir: the output directory; quiet: no table on stdout at the end (rank 0 prints it otherwise). */
md_status rdiff_create(rdiff **out, const md_deck *d, const md_system *sys, const real_t *mass, const int *all, int nall,
                       int first, int nloc, const char *dir, int quiet);
void rdiff_destroy(rdiff **r);
/* The analysis hook (name "diffusion", per-replica save/load, collective report). */
void rdiff_hook(rdiff *r, md_analysis_hook *h);
/* Frames fed to local replica 0 (diagnostics). */
long rdiff_frames(const rdiff *r);

MD_EXTERN_C_END

#endif
