/* tseries.h — a time series of a few observables kept in fixed memory, with exact means and block-averaged
 * standard errors (for the per-frame defect fractions of host/analysis/sites.h).
 *
 * Samples are grouped into points of `per` consecutive samples (per = 1 at first); a point stores the mean time
 * and the mean of each column over its samples. When `cap` points are full, neighbouring pairs are merged and
 * per doubles, so the series always spans the whole run at the finest resolution that fits. The open (partial)
 * point is kept aside. Means over all samples are exact running sums (not affected by merging).
 * Standard error of a column's mean: the completed points are cut into nb = min(32, points) equal blocks (the
 * first nb·floor(points/nb) points), stderr = sd(block means)/√nb; NaN with fewer than 4 points.
 * All state is doubles and int64: pack/unpack round-trips it exactly. */
#ifndef ESNAP_TSERIES_H
#define ESNAP_TSERIES_H

#include <stdint.h>

#include "binbuf.h"
#include "status.h"

MD_EXTERN_C_BEGIN

#define TSERIES_MAX_COLS 32

typedef struct tseries {
  int ncol;
  int cap;          /* points kept (even) */
  int n;            /* completed points */
  int64_t per;      /* samples per completed point */
  int64_t nopen;    /* samples in the open point */
  int64_t nsamples; /* all samples */
  double *t;        /* [cap] mean time of each point (ps) */
  double *v;        /* [cap * ncol] point means, point-major */
  double topen, vopen[TSERIES_MAX_COLS];   /* sums of the open point */
  double sum[TSERIES_MAX_COLS];            /* sums over all samples */
} tseries;

md_status tseries_init(tseries *s, int ncol, int cap);
void tseries_free(tseries *s);
void tseries_add(tseries *s, double time, const double *vals);
double tseries_mean(const tseries *s, int col);
double tseries_stderr(const tseries *s, int col);
void tseries_pack(const tseries *s, binw *w);
/* Into an initialised series of the same ncol and cap (else bad). */
md_status tseries_unpack(tseries *s, binr *r, const char *where);
MD_EXTERN_C_END

#endif
