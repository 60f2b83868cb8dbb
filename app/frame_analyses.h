/* frame_analyses.h — the per-frame analyses of a run or a trajectory: site projection (host/analysis/sites.h),
 * time-averaged density (density.h), RDFs (rdf.h), VACF and power spectra (vacf.h). One code path: a bundle of
 * accumulators per replica (fan_rep), fed frame by frame with all atoms' unwrapped positions and velocities,
 * by the on-the-fly hook of `esnapmd run` (deck keywords `sites`, `density`, `rdf`, `spectra`; each at its own
 * `every`, step 0 of a fresh run included; state saved per replica in the checkpoint, blob "frames#K") and by
 * `esnapmd analyze --sites/--density/--rdf/--spectra` (every frame of the files, one file per replica). Given a
 * dump written with `precision full` (and `velocities yes` for spectra) at the analyses' interval, both give the
 * same numbers bit for bit.
 *
 * Outputs (rank 0, atomically, at every checkpoint and at the end of a run), under the output directory:
 *   sites/summary.json, sites/sites.dat (sites_rK.dat per replica)   vacant / multiple fractions per site label
 *   density/density_E.cube                                          Gaussian cube (Bohr; ions per Bohr³)
 *   rdf/rdf.dat                                                     g_AB(r), n_AB(r)
 *   spectra/spectrum.dat, spectra/vacf.dat                          power spectra (eV/THz), VACF
 * Replicas at one temperature are pooled (histograms, grids and spectra summed; site fractions averaged);
 * replicas with their own temperatures (`replicas R temperatures ...`) are written per temperature in
 * <analysis>/T<T>K/. */
#ifndef ESNAP_FRAME_ANALYSES_H
#define ESNAP_FRAME_ANALYSES_H

#include "density.h"
#include "rdf.h"
#include "run.h"
#include "sites.h"
#include "status.h"
#include "textfile.h"
#include "types.h"
#include "vacf.h"

MD_EXTERN_C_BEGIN

/* What to compute (a deck's keywords or analyze's options). */
typedef struct fan_options {
  int sites;
  char sites_species[MD_NAME_LEN];
  char sites_file[MD_PATH_LEN];     /* "" = the α-Li3N lattice */
  int cells[3];                     /* α-Li3N repeats when known (deck `structure li3n`), else 0 */
  int density;
  char density_species[MD_NAME_LEN];
  double density_spacing;           /* Å */
  int rdf;
  int rdf_bins;
  double rdf_rmax;                  /* Å; 0 = half the shortest width */
  int spectra;
  int spectra_window;               /* samples per segment */
  double spectra_dt;                /* ps between samples */
  double skip_ps;                   /* analyze: frames of each file's first skip_ps ps left out (analysis_skip) */
  char where[MD_PATH_LEN + 32];     /* input named in messages ("deck:line" or the trajectory) */
} fan_options;

enum { FAN_SITES = 1, FAN_DENSITY = 2, FAN_RDF = 4, FAN_SPECTRA = 8 };

/* One replica's accumulators. */
typedef struct fan_rep {
  sites_acc *sites;
  int sites_type;
  density_acc *density;
  int density_type;
  rdf_acc *rdf;
  vacf_acc *vacf;
  int n;                  /* atoms */
  int *type;              /* [n] */
  real_t *bx, *by, *bz;   /* [n] scratch: the selected species */
} fan_rep;

/* Accumulators for a system of n atoms (types, element names, masses g/mol) in cell box. */
md_status fan_rep_create(fan_rep **out, const fan_options *o, const md_box *box, int n, const int *type, int nelem,
                         const char (*elem)[MD_NAME_LEN], const real_t *mass);
void fan_rep_destroy(fan_rep **r);
/* One frame for the analyses in `which` (FAN_* mask): unwrapped positions, velocities (NULL: none; an error when
 * spectra are asked for), time (ps). elem: names of the types (density cube atoms). */
md_status fan_rep_add(fan_rep *r, int which, const md_box *box, const char (*elem)[MD_NAME_LEN], const real_t *x, const real_t *y,
                      const real_t *z, const real_t *vx, const real_t *vy, const real_t *vz, double time);
md_status fan_rep_pack(const fan_rep *r, void **data, size_t *len);
md_status fan_rep_unpack(fan_rep *r, const void *data, size_t len, const char *where);
/* Write the results of nrep replicas (names[k]: their indices, for per-replica files) into the analysis
 * directories under dir; inputs: what was analysed. */
md_status fan_write(const char *dir, fan_rep *const *reps, const int *names, int nrep, const fan_options *o, const md_box *box,
                    const char (*elem)[MD_NAME_LEN], int nelem, const real_t *mass, const char *inputs);

/* ---- post hoc (esnapmd analyze) ------------------------------------------------------------------------------ */

struct traj_options;
/* Every frame of each file (one file per replica; traj_options selects the reader; all atoms are read) into
 * the analyses of o; spectra: o->spectra_dt, else the interval of the first two frames (12 significant digits);
 * masses from the model file (NULL: the bundled model). Results under outdir as the run writes them. */
md_status analyze_frames(const char *const *files, int nfiles, const struct traj_options *to, const fan_options *o, const char *model,
                         const char *outdir, int quiet);

/* ---- the run's hook --------------------------------------------------------------------------------------- */

/* Parse the deck keywords sites / density / rdf / spectra (deck.c). */
md_status deck_parse_frame_analysis(const textfile *t, md_deck *d);
/* 1 when the deck asks for any of them. */
int fan_deck_wants(const md_deck *d);

typedef struct fan_run fan_run;
/* For a run of deck d (see rdiff_create for nall, all, first, nloc): sys = the system, mass[type] g/mol; dir: the
 * output directory of this run (per-replica suffix of `only K` included). */
md_status fan_run_create(fan_run **out, const md_deck *d, const md_system *sys, const real_t *mass, const int *all, int nall,
                         int first, int nloc, const char *dir);
void fan_run_destroy(fan_run **f);
void fan_run_hook(fan_run *f, md_analysis_hook *h);

MD_EXTERN_C_END

#endif
