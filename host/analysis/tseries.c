/* tseries.c — fixed-memory time series with exact means and block standard errors (see tseries.h). */
#include "tseries.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

md_status tseries_init(tseries *s, int ncol, int cap) {
  memset(s, 0, sizeof *s);
  if (ncol < 1 || ncol > TSERIES_MAX_COLS || cap < 8)
    return md_error(MD_ERR_INTERNAL, "tseries: %d columns (1..%d), %d points (>= 8)", ncol, TSERIES_MAX_COLS, cap);
  s->ncol = ncol;
  s->cap = cap & ~1;
  s->per = 1;
  s->t = (double *)calloc((size_t)s->cap, sizeof *s->t);
  s->v = (double *)calloc((size_t)s->cap * (size_t)ncol, sizeof *s->v);
  if (!s->t || !s->v) {
    tseries_free(s);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  return MD_OK;
}

void tseries_free(tseries *s) {
  free(s->t);
  free(s->v);
  s->t = s->v = NULL;
}

void tseries_add(tseries *s, double time, const double *vals) {
  s->topen += time;
  for (int c = 0; c < s->ncol; c++) {
    s->vopen[c] += vals[c];
    s->sum[c] += vals[c];
  }
  s->nsamples++;
  if (++s->nopen < s->per) return;
  if (s->n == s->cap) { /* merge neighbouring pairs: half the points, twice the samples each */
    for (int p = 0; p < s->cap / 2; p++) {
      s->t[p] = 0.5 * (s->t[2 * p] + s->t[2 * p + 1]);
      for (int c = 0; c < s->ncol; c++)
        s->v[(size_t)p * s->ncol + c] = 0.5 * (s->v[(size_t)2 * p * s->ncol + c] + s->v[(size_t)(2 * p + 1) * s->ncol + c]);
    }
    s->n = s->cap / 2;
    /* the open point (per samples) becomes the first half of a point of 2·per samples */
    s->per *= 2;
    return;
  }
  double inv = 1.0 / (double)s->per;
  s->t[s->n] = s->topen * inv;
  for (int c = 0; c < s->ncol; c++) s->v[(size_t)s->n * s->ncol + c] = s->vopen[c] * inv;
  s->n++;
  s->nopen = 0;
  s->topen = 0;
  memset(s->vopen, 0, sizeof s->vopen);
}

double tseries_mean(const tseries *s, int col) { return s->nsamples > 0 ? s->sum[col] / (double)s->nsamples : NAN; }

double tseries_stderr(const tseries *s, int col) {
  if (s->n < 4) return NAN;
  int nb = s->n < 32 ? s->n : 32, pp = s->n / nb;
  double m = 0, m2 = 0;
  for (int b = 0; b < nb; b++) {
    double a = 0;
    for (int p = b * pp; p < (b + 1) * pp; p++) a += s->v[(size_t)p * s->ncol + col];
    a /= pp;
    m += a;
    m2 += a * a;
  }
  m /= nb;
  double var = (m2 / nb - m * m) * nb / (nb - 1.0);
  return sqrt(var > 0 ? var / nb : 0.0);
}

void tseries_pack(const tseries *s, binw *w) {
  binw_i32(w, s->ncol);
  binw_i32(w, s->cap);
  binw_i32(w, s->n);
  binw_i64(w, s->per);
  binw_i64(w, s->nopen);
  binw_i64(w, s->nsamples);
  binw_f64(w, s->topen);
  for (int c = 0; c < s->ncol; c++) {
    binw_f64(w, s->vopen[c]);
    binw_f64(w, s->sum[c]);
  }
  binw_put(w, s->t, (size_t)s->n * sizeof *s->t);
  binw_put(w, s->v, (size_t)s->n * s->ncol * sizeof *s->v);
}

md_status tseries_unpack(tseries *s, binr *r, const char *where) {
  int ncol = binr_i32(r), cap = binr_i32(r), n = binr_i32(r);
  if (r->bad || ncol != s->ncol || cap != s->cap || n < 0 || n > cap)
    return md_error(MD_ERR_PARSE, "%s: saved time series of %d columns and %d points does not fit (%d, %d)", where, ncol, cap,
                    s->ncol, s->cap);
  s->n = n;
  s->per = binr_i64(r);
  s->nopen = binr_i64(r);
  s->nsamples = binr_i64(r);
  s->topen = binr_f64(r);
  for (int c = 0; c < s->ncol; c++) {
    s->vopen[c] = binr_f64(r);
    s->sum[c] = binr_f64(r);
  }
  binr_get(r, s->t, (size_t)n * sizeof *s->t);
  binr_get(r, s->v, (size_t)n * s->ncol * sizeof *s->v);
  if (r->bad || s->per < 1) return md_error(MD_ERR_PARSE, "%s: truncated time series", where);
  return MD_OK;
}
