/* diffusion.h — tracer and charge diffusion of one species, on the fly (the MD engine feeds frames) and post
 * hoc (`esnapmd analyze` feeds frames read from trajectories): the SAME tracker, estimator and writers.
 *
 * Definitions (Deng et al., npj Comput. Mater. 5, 75 (2019), eq. 13-15, as written), for N ions of the species:
 *   tracer MSD  <|Δr_i(t)|²>   (mean over ions and time origins)            D*  = slope / (2d)
 *   charge MSD  <|Σ_i Δr_i(t)|²> / N  (mean over time origins)               Dσ  = slope / (2d)
 * per component: xy (⊥c, Δx²+Δy², d = 2), z (∥c, Δz², d = 1), xyz (d = 3). Å²/ps × 1e-4 = cm²/s.
 *   H_R = D* / Dσ;   σ = ρ z² F² Dσ / (R T), ρ = N/(N_A V) (mol/cm³), z = +1  → mS/cm (also from D*).
 * The slope is an ordinary least-squares straight line through the pooled MSD at every lag point of the
 * fit window [t0, t1] (ps); default window [0.1, 0.5] × run length (skips the ballistic/caged start).
 *
 * Uncertainties: with R ≥ 2 replicas, bootstrap over replicas (nboot resamples of R replicas with
 * replacement; each resample pools the MSD sums of its replicas and is fitted like the real data;
 * stderr = standard deviation of the resampled estimates; H_R and σ are resampled as ratios/products).
 * With one replica and time segments requested (diff_options.segment_frames): bootstrap over the K ≥ 2
 * independent time segments (pseudo-replicas; each segment is analysed as its own run, origins and
 * displacements inside it, so a segment must be at least t1 long; with K < 5 that stderr is itself very
 * uncertain). With one replica and no segments (the default): a random-walk model, i.e. a parametric
 * bootstrap: DIFF_MODEL_WALKS synthetic Gaussian walks with the fitted D per component (D_x = D_y = D_xy),
 * the same frames, lag grid and fit window, fitted like the data; tracer stderr = spread / √N (independent
 * ions, as kinisi assumes), charge stderr = spread of one collective walker; H_R by propagation. It ignores
 * ion–ion correlations and non-diffusive motion, so replicas are the better estimate.
 * The output says which was used. The deterministic generator is splitmix64 (md_splitmix64, src/math/xoshiro.h) seeded with `seed`.
 *
 * On the fly (the MD engine), one tracker per replica:
 *     diff_options o; diff_options_default(&o);            // block 256, species "Li"
 *     int mask[MD_MAX_ELEM] = {0}; mask[li_type] = 1;
 *     diffusion_tracker_create(&t, sys->n, sys->type, mask, sys->nelem, every * dt_ps, &o);
 *     every `every` steps:  diffusion_tracker_add_system(t, sys);   // unwrapped from images, sys->time
 *     checkpoint:           n = diffusion_tracker_packed_size(t); diffusion_tracker_pack(t, buf, n);
 *     restart:              diffusion_tracker_unpack(&t, buf, n, "run.ckpt");  then keep adding frames
 *     end (rank 0 after gathering every replica's packed buffer and unpacking it):
 *         diff_report_options r; diff_report_options_default(&r); r.temperature = T; r.volume = mean_V;
 *         diffusion_write("out/diffusion", trackers, nrep, &r, NULL);
 * `esnapmd analyze` runs exactly this with frames read from files, so both paths give the same numbers.
 */
#ifndef ESNAP_DIFFUSION_H
#define ESNAP_DIFFUSION_H

#include <stdint.h>
#include <stdio.h>

#include "status.h"
#include "types.h"
#include "msd.h"

MD_EXTERN_C_BEGIN

#define DIFF_PACK_VERSION 1
#define DIFF_DEFAULT_BLOCK 256
#define DIFF_DEFAULT_FIT_START 0.1 /* fraction of the run length */
#define DIFF_DEFAULT_FIT_END 0.5
#define DIFF_DEFAULT_NBOOT 1000
#define DIFF_DEFAULT_SEED 20190725u
#define DIFF_MODEL_WALKS 200 /* synthetic walks for the single-replica uncertainty */

enum { DIFF_XYZ = 0, DIFF_XY = 1, DIFF_Z = 2 }; /* component index */

typedef struct diff_options {
  int block;              /* B, lags per level + 1 (default DIFF_DEFAULT_BLOCK) */
  int max_levels;         /* 0 = enough for 10⁹ frames */
  int64_t segment_frames; /* > 0: also keep independent time segments of this many frame intervals (single-
                           * replica uncertainty); segment s spans frames s·S .. (s+1)·S; 0 = none */
  char species[MD_NAME_LEN]; /* name for output headers ("Li") */
} diff_options;
void diff_options_default(diff_options *o);

typedef struct diffusion_tracker diffusion_tracker;

/* Track atoms i of the n_atoms with type_mask[type[i]] != 0 (type_mask has ntypes entries). Frames come
 * every interval_ps (ps). */
md_status diffusion_tracker_create(diffusion_tracker **out, int n_atoms, const int *type, const int *type_mask,
                                   int ntypes, double interval_ps, const diff_options *opt);
/* Track the atoms listed in idx[0..nsel-1] (indices into the per-frame arrays). */
md_status diffusion_tracker_create_sel(diffusion_tracker **out, int n_atoms, const int *idx, int nsel,
                                       double interval_ps, const diff_options *opt);
void diffusion_tracker_destroy(diffusion_tracker **t);

/* Feed one frame: UNWRAPPED positions (Å) of all n_atoms (the tracker picks its atoms) at time_ps (ps).
 * Frames must be equally spaced by interval_ps (checked to 1e-6 of the interval). */
md_status diffusion_tracker_add_frame(diffusion_tracker *t, const real_t *x, const real_t *y, const real_t *z,
                                      double time_ps);
/* Same from a system: unwrapped positions from x + image counts, time = s->time. */
md_status diffusion_tracker_add_system(diffusion_tracker *t, const md_system *s);

/* Checkpoint: exact byte image of the whole state (accumulators, segments, time bookkeeping). */
size_t diffusion_tracker_packed_size(const diffusion_tracker *t);
md_status diffusion_tracker_pack(const diffusion_tracker *t, void *buf, size_t size);
md_status diffusion_tracker_unpack(diffusion_tracker **out, const void *buf, size_t size, const char *where);
/* dst += src: pooled sums (e.g. restarts or ranks combined into one curve). Segments are not merged. */
md_status diffusion_tracker_merge(diffusion_tracker *dst, const diffusion_tracker *src);

int diffusion_tracker_nions(const diffusion_tracker *t);
double diffusion_tracker_interval(const diffusion_tracker *t);     /* ps */
int64_t diffusion_tracker_frames(const diffusion_tracker *t);      /* frames fed */
int diffusion_tracker_segments(const diffusion_tracker *t);        /* completed segments */
const msd_accum *diffusion_tracker_msd(const diffusion_tracker *t);
const char *diffusion_tracker_species(const diffusion_tracker *t);

/* ---- estimates --------------------------------------------------------------------------------------- */

typedef struct diff_value {
  double value, err; /* err: standard error (NaN when unknown) */
} diff_value;

typedef struct diff_report_options {
  double temperature; /* K (required) */
  double volume;      /* Å³ cell volume (mean over the run); ≤ 0: conductivities are NaN */
  double fit_t0, fit_t1; /* ps; fit_t1 ≤ 0 → default fractions of the shortest replica's run */
  int nboot;          /* bootstrap resamples (default DIFF_DEFAULT_NBOOT) */
  uint64_t seed;
  const char *inputs; /* one line describing the inputs, for headers (may be NULL) */
  int quiet;          /* diffusion_write: do not print the table */
} diff_report_options;
void diff_report_options_default(diff_report_options *o);

typedef struct diff_results {
  char species[MD_NAME_LEN];
  int n_ions, n_replicas;
  int n_pseudo;               /* resampled units: replicas, or time segments with one replica; 0 = none */
  char method[192];            /* "bootstrap over 8 replicas" / "bootstrap over 2 time segments of 25 ps" / ... */
  double temperature, volume, molar_density; /* K, Å³, mol/cm³ */
  double interval;            /* ps between frames */
  double run_length;          /* ps, shortest replica */
  double fit_t0, fit_t1;      /* ps */
  int n_fit_points;
  int nboot, nboot_ok;
  uint64_t seed;
  diff_value d_tracer[3], d_charge[3];   /* cm²/s, index DIFF_XYZ / DIFF_XY / DIFF_Z */
  diff_value haven[3];
  diff_value sigma[3], sigma_tracer[3];  /* mS/cm, from Dσ and from D* */
} diff_results;

/* Fit and bootstrap. reps[0..nrep-1] are independent replicas (same species, ion count, interval, block). */
md_status diffusion_estimate(diffusion_tracker *const *reps, int nrep, const diff_report_options *o,
                             diff_results *res);
/* diffusion_estimate, then write dir/summary.json, dir/msd_pooled.dat and dir/msd_replica_K.dat (K = 0..
 * nrep-1) atomically, creating dir, and print the table to stdout unless o->quiet. res may be NULL. */
md_status diffusion_write(const char *dir, diffusion_tracker *const *reps, int nrep, const diff_report_options *o,
                          diff_results *res);
/* The human summary table. */
void diffusion_print_table(FILE *fp, const diff_results *r);
/* Write one MSD file (pooled over accs[0..nacc-1]). */
md_status diffusion_write_msd(const char *path, const msd_accum *const *accs, int nacc, double interval,
                              const char *species, const char *what);
/* Write summary.json for r. */
md_status diffusion_write_summary(const char *path, const diff_results *r, const char *inputs);

/* Nernst–Einstein: σ (mS/cm) of n ions in volume_A3 (Å³) at T (K) with diffusivity D (cm²/s), z = 1. */
double diffusion_conductivity(double d_cm2s, int n, double volume_A3, double temperature);

MD_EXTERN_C_END

#endif
