/* arrhenius.h — Arrhenius fits of diffusivities: ln D = ln D0 − Ea/(k_B T), weighted least squares in 1/T with
 * weights 1/σ², σ = stderr(D)/D (the D uncertainties propagated to ln D); errors of Ea, D0 and of
 * extrapolations come from the fit covariance (not rescaled by χ²; χ²/dof is reported). When some point has
 * no finite positive stderr the fit is unweighted and its covariance is scaled by the residual variance.
 *
 * Two regimes (normal / superionic, as in the superionic-transition analysis of Li3N): points with T ≤ T_b
 * form the low-temperature ("normal") fit and points with T ≥ T_b the high-temperature ("superionic") fit
 * (a point exactly at T_b belongs to both). With no T_b given, the break is chosen from the data: every
 * midpoint between consecutive temperatures leaving at least min_points on each side is tried and the one
 * with the smallest total χ² (sum of both regimes) wins. */
#ifndef ESNAP_ARRHENIUS_H
#define ESNAP_ARRHENIUS_H

#include "status.h"

MD_EXTERN_C_BEGIN

typedef struct arr_fit {
  int n;                    /* points used */
  double tmin, tmax;        /* K */
  double slope, intercept;  /* ln D = intercept + slope / T  (slope in K) */
  double var_slope, var_intercept, cov; /* covariance of (slope, intercept) */
  double ea, ea_err;        /* eV */
  double d0, d0_err;        /* prefactor, units of D */
  double chi2;              /* weighted (or, unweighted, residual sum of squares of ln D) */
  int dof;
  int weighted;
} arr_fit;

/* Fit n points (T K, D > 0, err = stderr of D). Needs n ≥ 2 distinct temperatures and D > 0. */
md_status arrhenius_fit(const double *T, const double *D, const double *err, int n, arr_fit *f);
/* D at temperature T from a fit; *ln_err = standard error of ln D there (may be NULL). */
double arrhenius_eval(const arr_fit *f, double T, double *ln_err);
/* Two-regime fit; tbreak > 0 is used as given, otherwise chosen (see above) and returned in *tb_out. */
md_status arrhenius_two_regime(const double *T, const double *D, const double *err, int n, double tbreak,
                               int min_points, arr_fit *low, arr_fit *high, double *tb_out, int *ncandidates);
/* Temperature (K) where two fitted lines cross, NaN if parallel. */
double arrhenius_crossing(const arr_fit *a, const arr_fit *b);

MD_EXTERN_C_END

#endif
