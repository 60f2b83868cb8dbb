/* arrhenius.c — weighted Arrhenius fits, one or two regimes (see arrhenius.h). */
#include "arrhenius.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constants.h"

md_status arrhenius_fit(const double *T, const double *D, const double *err, int n, arr_fit *f) {
  memset(f, 0, sizeof *f);
  if (n < 2) return md_error(MD_ERR_VALUE, "arrhenius: a fit needs at least 2 temperatures (got %d)", n);
  int weighted = 1;
  f->tmin = T[0];
  f->tmax = T[0];
  for (int i = 0; i < n; i++) {
    if (!(T[i] > 0) || !(D[i] > 0) || !isfinite(D[i]))
      return md_error(MD_ERR_VALUE, "arrhenius: point T = %g K has D = %g: need T > 0 and D > 0", T[i], D[i]);
    if (!(err[i] > 0) || !isfinite(err[i])) weighted = 0;
    f->tmin = fmin(f->tmin, T[i]);
    f->tmax = fmax(f->tmax, T[i]);
  }
  if (!(f->tmax > f->tmin)) return md_error(MD_ERR_VALUE, "arrhenius: all points at the same temperature %g K", T[0]);
  /* centred weighted least squares in x = 1/T, y = ln D */
  double S = 0, xb = 0, yb = 0;
  for (int i = 0; i < n; i++) {
    double w = weighted ? (D[i] * D[i]) / (err[i] * err[i]) : 1.0;
    S += w;
    xb += w / T[i];
    yb += w * log(D[i]);
  }
  xb /= S;
  yb /= S;
  double sxx = 0, sxy = 0;
  for (int i = 0; i < n; i++) {
    double w = weighted ? (D[i] * D[i]) / (err[i] * err[i]) : 1.0;
    double dx = 1.0 / T[i] - xb;
    sxx += w * dx * dx;
    sxy += w * dx * (log(D[i]) - yb);
  }
  f->n = n;
  f->weighted = weighted;
  f->slope = sxy / sxx;
  f->intercept = yb - f->slope * xb;
  double chi2 = 0;
  for (int i = 0; i < n; i++) {
    double w = weighted ? (D[i] * D[i]) / (err[i] * err[i]) : 1.0;
    double r = log(D[i]) - f->intercept - f->slope / T[i];
    chi2 += w * r * r;
  }
  f->chi2 = chi2;
  f->dof = n - 2;
  double scale = 1.0;
  if (!weighted) scale = f->dof > 0 ? chi2 / f->dof : NAN; /* residual variance of ln D */
  f->var_slope = scale / sxx;
  f->var_intercept = scale * (1.0 / S + xb * xb / sxx);
  f->cov = -scale * xb / sxx;
  f->ea = -f->slope * MD_BOLTZ;
  f->ea_err = sqrt(f->var_slope) * MD_BOLTZ;
  f->d0 = exp(f->intercept);
  f->d0_err = f->d0 * sqrt(f->var_intercept);
  return MD_OK;
}

double arrhenius_eval(const arr_fit *f, double T, double *ln_err) {
  double v = f->var_intercept + f->var_slope / (T * T) + 2.0 * f->cov / T;
  if (ln_err) *ln_err = sqrt(fmax(v, 0.0));
  return exp(f->intercept + f->slope / T);
}

double arrhenius_crossing(const arr_fit *a, const arr_fit *b) {
  double ds = a->slope - b->slope;
  if (fabs(ds) < 1e-300) return NAN;
  return ds / (b->intercept - a->intercept);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* fit the points with lo ≤ T ≤ hi */
static md_status fit_range(const double *T, const double *D, const double *err, int n, double lo, double hi, arr_fit *f,
                           double *buf) {
  int m = 0;
  double *t = buf, *d = buf + n, *e = buf + 2 * n;
  for (int i = 0; i < n; i++)
    if (T[i] >= lo && T[i] <= hi) {
      t[m] = T[i];
      d[m] = D[i];
      e[m] = err[i];
      m++;
    }
  return arrhenius_fit(t, d, e, m, f);
}

md_status arrhenius_two_regime(const double *T, const double *D, const double *err, int n, double tbreak,
                               int min_points, arr_fit *low, arr_fit *high, double *tb_out, int *ncandidates) {
  if (min_points < 2) min_points = 2;
  double *buf = (double *)malloc((size_t)(4 * n + 1) * sizeof(double));
  if (!buf) return md_error(MD_ERR_MEMORY, "out of memory");
  double *ts = buf + 3 * n;
  memcpy(ts, T, (size_t)n * sizeof(double));
  qsort(ts, (size_t)n, sizeof(double), cmp_double);
  double eps = 1e-9 * ts[n - 1];
  md_status st = MD_OK;
  int ncand = 0;
  if (tbreak > 0) {
    int nl = 0, nh = 0;
    for (int i = 0; i < n; i++) {
      nl += T[i] <= tbreak + eps;
      nh += T[i] >= tbreak - eps;
    }
    if (nl < min_points || nh < min_points)
      st = md_error(MD_ERR_VALUE, "arrhenius: break at %g K: %d temperature(s) below and %d above, each regime needs %d",
                    tbreak, nl, nh, min_points);
    if (st == MD_OK) st = fit_range(T, D, err, n, 0, tbreak + eps, low, buf);
    if (st == MD_OK) st = fit_range(T, D, err, n, tbreak - eps, INFINITY, high, buf);
    if (st != MD_OK && nl >= min_points && nh >= min_points) {
      char why[512];
      snprintf(why, sizeof why, "%s", md_errmsg());
      st = md_error(st, "arrhenius: break at %g K: %s", tbreak, why);
    }
  } else {
    double best = INFINITY;
    for (int k = 0; k + 1 < n; k++) {
      if (ts[k + 1] - ts[k] <= eps) continue;
      double tb = 0.5 * (ts[k] + ts[k + 1]);
      int nl = 0, nh = 0;
      for (int i = 0; i < n; i++) {
        if (T[i] <= tb) nl++;
        else nh++;
      }
      if (nl < min_points || nh < min_points) continue;
      arr_fit a, b;
      if (fit_range(T, D, err, n, 0, tb, &a, buf) != MD_OK || fit_range(T, D, err, n, tb, INFINITY, &b, buf) != MD_OK) continue;
      ncand++;
      if (a.chi2 + b.chi2 < best) {
        best = a.chi2 + b.chi2;
        *low = a;
        *high = b;
        tbreak = tb;
      }
    }
    md_clear_error();
    if (ncand == 0)
      st = md_error(MD_ERR_VALUE, "arrhenius: an automatic two-regime break needs at least %d temperatures (%d per regime), got %d",
                    2 * min_points, min_points, n);
  }
  if (tb_out) *tb_out = tbreak;
  if (ncandidates) *ncandidates = ncand;
  free(buf);
  return st;
}
