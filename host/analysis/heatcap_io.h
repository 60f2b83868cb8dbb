/* heatcap_io.h — heat-capacity results on disk: the energies of a thermo file (host/io/thermo.h), one
 * temperature's heatcap.json (written by the on-the-fly analysis of a run and by `esnapmd heatcap` from the
 * thermo files of the same run: the same numbers, up to the 1e-9 eV rounding of the thermo file), and the
 * series over temperatures, cv.json and cv.dat (difference and fluctuation routes, Ts).
 *
 * heatcap.json: temperature_K, n_atoms, n_replicas, energy ("etotal = KE + PE", see heatcap.h), skipped_ps (the
 * discarded initial span), span_ps [first, last sample time], n_samples, n_blocks, block_samples (per replica),
 * E_mean_eV {value, stderr}, E_var_eV2 {value, stderr}, Cv_fluct_kB_per_atom, Cv_fluct_J_mol_K, Cv_fluct_eV_K
 * {value, stderr}, replicas [{E_mean_eV, E_var_eV2, ...}]. Replicas pool as independent runs: mean of the means
 * and of the variances, errors √(Σσ²)/R. */
#ifndef ESNAP_HEATCAP_IO_H
#define ESNAP_HEATCAP_IO_H

#include "heatcap.h"
#include "status.h"

MD_EXTERN_C_BEGIN

/* One temperature, pooled over its replicas. */
typedef struct hc_point {
  double T;                   /* K */
  int natoms, nrep;
  double skip_ps;             /* ps discarded before the first sample */
  double t_first, t_last;     /* ps */
  long n;                     /* samples per replica (replica 0) */
  int nblocks;
  long block_len;
  double E, E_err;            /* eV */
  double var, var_err;        /* eV² */
  double cv, cv_err;          /* fluctuation route, eV/K */
} hc_point;

/* Pool nrep replicas' statistics at temperature T (K) into *p. */
void hc_pool(const hc_stats *s, int nrep, double T, int natoms, double skip_ps, hc_point *p);

/* Feed the etotal column of a thermo file to *a, leaving out rows with time < first time + skip_ps
 * (analysis_skip.h). *T (K) = the nvt target in its header (0 when NVE or ramped), *natoms from its header. */
md_status hc_read_thermo(const char *path, double skip_ps, hc_acc *a, double *T, int *natoms);

/* heatcap.json of one temperature (reps: the nrep replicas' own statistics). */
md_status hc_write_point(const char *path, const hc_point *p, const hc_stats *reps, int nrep);
/* Read a heatcap.json back. */
md_status hc_read_point(const char *path, hc_point *p);

/* The series (points in any order; sorted by T here): dir/cv.json and dir/cv.dat. Fewer than 3 temperatures is
 * an error naming `what` (the deck line or the inputs), before anything is written. */
md_status hc_write_series(const char *dir, hc_point *p, int n, const char *what);

MD_EXTERN_C_END

#endif
