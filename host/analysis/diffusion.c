/* diffusion.c — the diffusion tracker (MSD accumulators fed frame by frame, with optional time segments) and
 * the estimator (least-squares slopes, bootstrap uncertainties). Writers are in diffusion_io.c. */
#include "diffusion.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "binbuf.h"
#include "constants.h"
#include "math/xoshiro.h"
#include "system.h"

#define DIFF_MAGIC 0x4b43415254464944ULL /* "DIFTRACK" */

struct diffusion_tracker {
  int n_atoms;          /* atoms per frame */
  int nsel;             /* tracked ions */
  int *idx;             /* [nsel] their indices */
  double interval;      /* ps between frames */
  double t0;            /* time of frame 0 (ps) */
  int64_t frames;       /* frames fed */
  diff_options opt;
  msd_accum *main;      /* the whole run */
  msd_accum *seg;       /* current time segment (segment_frames > 0) */
  msd_accum **done;     /* completed segments, compacted */
  int ndone, capdone;
  double *bx, *by, *bz; /* [nsel] gathered positions */
};

void diff_options_default(diff_options *o) {
  memset(o, 0, sizeof *o);
  o->block = DIFF_DEFAULT_BLOCK;
  snprintf(o->species, sizeof o->species, "%s", "Li");
}

void diff_report_options_default(diff_report_options *o) {
  memset(o, 0, sizeof *o);
  o->nboot = DIFF_DEFAULT_NBOOT;
  o->seed = DIFF_DEFAULT_SEED;
}

static md_status tracker_alloc(diffusion_tracker **out, int n_atoms, int nsel, double interval, const diff_options *opt,
                               int with_accums) {
  *out = NULL;
  diff_options def;
  if (!opt) {
    diff_options_default(&def);
    opt = &def;
  }
  if (nsel < 1) return md_error(MD_ERR_VALUE, "diffusion: no atoms of species %s to track", opt->species);
  if (!(interval > 0) || !isfinite(interval))
    return md_error(MD_ERR_VALUE, "diffusion: frame interval must be > 0 ps (got %g)", interval);
  if (opt->segment_frames < 0) return md_error(MD_ERR_VALUE, "diffusion: negative segment length");
  diffusion_tracker *t = (diffusion_tracker *)calloc(1, sizeof *t);
  if (!t) return md_error(MD_ERR_MEMORY, "diffusion: out of memory");
  t->n_atoms = n_atoms;
  t->nsel = nsel;
  t->interval = interval;
  t->opt = *opt;
  if (t->opt.block == 0) t->opt.block = DIFF_DEFAULT_BLOCK;
  t->idx = (int *)calloc((size_t)nsel, sizeof(int));
  t->bx = (double *)calloc((size_t)nsel, sizeof(double));
  t->by = (double *)calloc((size_t)nsel, sizeof(double));
  t->bz = (double *)calloc((size_t)nsel, sizeof(double));
  if (!t->idx || !t->bx || !t->by || !t->bz) {
    diffusion_tracker_destroy(&t);
    return md_error(MD_ERR_MEMORY, "diffusion: out of memory");
  }
  if (with_accums) {
    md_status st = msd_create(&t->main, nsel, t->opt.block, t->opt.max_levels);
    if (st == MD_OK && t->opt.segment_frames > 0) st = msd_create(&t->seg, nsel, t->opt.block, t->opt.max_levels);
    if (st != MD_OK) {
      diffusion_tracker_destroy(&t);
      return st;
    }
    t->opt.max_levels = msd_max_levels(t->main);
  }
  *out = t;
  return MD_OK;
}

md_status diffusion_tracker_create_sel(diffusion_tracker **out, int n_atoms, const int *idx, int nsel,
                                       double interval_ps, const diff_options *opt) {
  for (int k = 0; k < nsel; k++)
    if (idx[k] < 0 || idx[k] >= n_atoms)
      return md_error(MD_ERR_VALUE, "diffusion: selected atom %d outside 0..%d", idx[k], n_atoms - 1);
  MD_TRY(tracker_alloc(out, n_atoms, nsel, interval_ps, opt, 1));
  memcpy((*out)->idx, idx, (size_t)nsel * sizeof(int));
  return MD_OK;
}

md_status diffusion_tracker_create(diffusion_tracker **out, int n_atoms, const int *type, const int *type_mask,
                                   int ntypes, double interval_ps, const diff_options *opt) {
  *out = NULL;
  int *idx = (int *)malloc((size_t)(n_atoms > 0 ? n_atoms : 1) * sizeof(int));
  if (!idx) return md_error(MD_ERR_MEMORY, "diffusion: out of memory");
  int nsel = 0;
  for (int i = 0; i < n_atoms; i++)
    if (type[i] >= 0 && type[i] < ntypes && type_mask[type[i]]) idx[nsel++] = i;
  md_status st = diffusion_tracker_create_sel(out, n_atoms, idx, nsel, interval_ps, opt);
  free(idx);
  return st;
}

void diffusion_tracker_destroy(diffusion_tracker **pt) {
  if (!pt || !*pt) return;
  diffusion_tracker *t = *pt;
  msd_destroy(&t->main);
  msd_destroy(&t->seg);
  for (int k = 0; k < t->ndone; k++) msd_destroy(&t->done[k]);
  free(t->done);
  free(t->idx);
  free(t->bx);
  free(t->by);
  free(t->bz);
  free(t);
  *pt = NULL;
}

static md_status finish_segment(diffusion_tracker *t) {
  if (t->ndone == t->capdone) {
    int cap = t->capdone ? 2 * t->capdone : 8;
    msd_accum **d = (msd_accum **)realloc(t->done, (size_t)cap * sizeof *d);
    if (!d) return md_error(MD_ERR_MEMORY, "diffusion: out of memory");
    t->done = d;
    t->capdone = cap;
  }
  msd_compact(t->seg);
  t->done[t->ndone++] = t->seg;
  t->seg = NULL;
  return msd_create(&t->seg, t->nsel, t->opt.block, t->opt.max_levels);
}

/* Time check, then feed t->bx/by/bz (already gathered) to the accumulators. */
static md_status feed_gathered(diffusion_tracker *t, double time_ps) {
  if (!isfinite(time_ps)) return md_error(MD_ERR_VALUE, "diffusion: frame time is not finite");
  if (t->frames == 0) {
    t->t0 = time_ps;
  } else {
    double expect = t->t0 + (double)t->frames * t->interval;
    if (fabs(time_ps - expect) > 1e-6 * t->interval)
      return md_error(MD_ERR_VALUE,
                      "diffusion: frame %lld at t = %.10g ps, expected %.10g ps (frames must be every %g ps, none missing)",
                      (long long)t->frames, time_ps, expect, t->interval);
  }
  for (int k = 0; k < t->nsel; k++)
    if (!isfinite(t->bx[k]) || !isfinite(t->by[k]) || !isfinite(t->bz[k]))
      return md_error(MD_ERR_VALUE, "diffusion: atom %d has a non-finite position at t = %g ps", t->idx[k] + 1, time_ps);
  MD_TRY(msd_add_frame(t->main, t->bx, t->by, t->bz));
  if (t->seg) {
    int64_t S = t->opt.segment_frames;
    MD_TRY(msd_add_frame(t->seg, t->bx, t->by, t->bz));
    if (t->frames > 0 && t->frames % S == 0) { /* last frame of one segment = first of the next */
      MD_TRY(finish_segment(t));
      MD_TRY(msd_add_frame(t->seg, t->bx, t->by, t->bz));
    }
  }
  t->frames++;
  return MD_OK;
}

md_status diffusion_tracker_add_frame(diffusion_tracker *t, const real_t *x, const real_t *y, const real_t *z,
                                      double time_ps) {
  for (int k = 0; k < t->nsel; k++) {
    int i = t->idx[k];
    t->bx[k] = x[i];
    t->by[k] = y[i];
    t->bz[k] = z[i];
  }
  return feed_gathered(t, time_ps);
}

md_status diffusion_tracker_add_system(diffusion_tracker *t, const md_system *s) {
  if (s->n != t->n_atoms)
    return md_error(MD_ERR_VALUE, "diffusion: system has %d atoms, the tracker was made for %d", s->n, t->n_atoms);
  for (int k = 0; k < t->nsel; k++) {
    real_t r[3];
    system_unwrapped(s, t->idx[k], r);
    t->bx[k] = r[0];
    t->by[k] = r[1];
    t->bz[k] = r[2];
  }
  return feed_gathered(t, s->time);
}

/* ---- checkpoint ------------------------------------------------------------------------------------------ */

#define DIFF_HEADER_WORDS 14

size_t diffusion_tracker_packed_size(const diffusion_tracker *t) {
  size_t s = DIFF_HEADER_WORDS * 8 + (size_t)t->nsel * 8 + 8 + msd_packed_size(t->main);
  if (t->seg) s += 8 + msd_packed_size(t->seg);
  for (int k = 0; k < t->ndone; k++) s += 8 + msd_packed_size(t->done[k]);
  return s;
}

static md_status put_accum(binw *w, const msd_accum *a) {
  uint64_t sz = msd_packed_size(a);
  binw_u64(w, sz);
  unsigned char *at = binw_reserve(w, (size_t)sz);
  return at ? msd_pack(a, at, (size_t)sz) : MD_OK; /* an overflow is reported by the caller */
}

md_status diffusion_tracker_pack(const diffusion_tracker *t, void *buf, size_t size) {
  binw w;
  binw_fixed(&w, buf, size);
  uint64_t h[DIFF_HEADER_WORDS] = {DIFF_MAGIC, DIFF_PACK_VERSION, (uint64_t)t->n_atoms, (uint64_t)t->nsel, 0, 0,
                                   (uint64_t)t->frames, (uint64_t)t->opt.segment_frames, (uint64_t)t->opt.block,
                                   (uint64_t)t->opt.max_levels, 0, (uint64_t)t->ndone, (uint64_t)(t->seg != NULL), 0};
  memcpy(&h[4], &t->interval, 8);
  memcpy(&h[5], &t->t0, 8);
  memcpy(&h[10], t->opt.species, 8);
  binw_put(&w, h, sizeof h);
  for (int k = 0; k < t->nsel; k++) binw_i64(&w, t->idx[k]);
  MD_TRY(put_accum(&w, t->main));
  if (t->seg) MD_TRY(put_accum(&w, t->seg));
  for (int k = 0; k < t->ndone; k++) MD_TRY(put_accum(&w, t->done[k]));
  if (w.failed) return md_error(MD_ERR_INTERNAL, "diffusion_tracker_pack: buffer too small (%zu bytes)", size);
  return MD_OK;
}

static md_status get_accum(binr *r, msd_accum **a, const char *where) {
  uint64_t sz = binr_u64(r);
  const unsigned char *at = (r->bad || sz > binr_left(r)) ? NULL : binr_take(r, (size_t)sz);
  if (!at) return md_error(MD_ERR_PARSE, "%s: diffusion state truncated", where);
  return msd_unpack(a, at, (size_t)sz, where);
}

md_status diffusion_tracker_unpack(diffusion_tracker **out, const void *buf, size_t size, const char *where) {
  *out = NULL;
  binr r;
  binr_init(&r, buf, size);
  uint64_t h[DIFF_HEADER_WORDS];
  binr_get(&r, h, sizeof h);
  if (r.bad) return md_error(MD_ERR_PARSE, "%s: diffusion state truncated", where);
  if (h[0] != DIFF_MAGIC) return md_error(MD_ERR_PARSE, "%s: not a diffusion tracker state", where);
  if (h[1] != DIFF_PACK_VERSION)
    return md_error(MD_ERR_UNSUPPORTED, "%s: diffusion state version %llu, this program reads version %d", where,
                    (unsigned long long)h[1], DIFF_PACK_VERSION);
  if (h[3] < 1 || h[3] > h[2] || h[2] > (1u << 30) || binr_left(&r) < h[3] * 8 || h[11] > (1u << 24) ||
      h[11] > binr_left(&r) / 8 /* each finished segment has an 8-byte length at least */)
    return md_error(MD_ERR_PARSE, "%s: diffusion state has an invalid header", where);
  diff_options opt;
  diff_options_default(&opt);
  opt.segment_frames = (int64_t)h[7];
  opt.block = (int)h[8];
  opt.max_levels = (int)h[9];
  memcpy(opt.species, &h[10], 8);
  opt.species[MD_NAME_LEN - 1] = '\0';
  double interval, t0;
  memcpy(&interval, &h[4], 8);
  memcpy(&t0, &h[5], 8);
  diffusion_tracker *t = NULL;
  MD_TRY(tracker_alloc(&t, (int)h[2], (int)h[3], interval, &opt, 0));
  t->t0 = t0;
  t->frames = (int64_t)h[6];
  md_status st = MD_OK;
  for (int k = 0; k < t->nsel; k++) {
    int64_t v = binr_i64(&r);
    if (v < 0 || v >= t->n_atoms) {
      st = md_error(MD_ERR_PARSE, "%s: diffusion state has an invalid atom index", where);
      goto fail;
    }
    t->idx[k] = (int)v;
  }
  if ((st = get_accum(&r, &t->main, where)) != MD_OK) goto fail;
  if (h[12] && (st = get_accum(&r, &t->seg, where)) != MD_OK) goto fail;
  t->capdone = t->ndone = (int)h[11];
  if (t->ndone) {
    t->done = (msd_accum **)calloc((size_t)t->ndone, sizeof *t->done);
    if (!t->done) {
      st = md_error(MD_ERR_MEMORY, "diffusion: out of memory");
      goto fail;
    }
    for (int k = 0; k < t->ndone; k++)
      if ((st = get_accum(&r, &t->done[k], where)) != MD_OK) goto fail;
  }
  if (binr_left(&r) != 0 || msd_n(t->main) != t->nsel) {
    st = md_error(MD_ERR_PARSE, "%s: diffusion state is inconsistent", where);
    goto fail;
  }
  *out = t;
  return MD_OK;
fail:
  diffusion_tracker_destroy(&t);
  return st;
}

md_status diffusion_tracker_merge(diffusion_tracker *dst, const diffusion_tracker *src) {
  if (dst->nsel != src->nsel || fabs(dst->interval - src->interval) > 1e-9 * dst->interval)
    return md_error(MD_ERR_VALUE, "diffusion: cannot merge trackers with %d ions every %g ps and %d ions every %g ps",
                    dst->nsel, dst->interval, src->nsel, src->interval);
  return msd_merge(dst->main, src->main);
}

int diffusion_tracker_nions(const diffusion_tracker *t) { return t->nsel; }
double diffusion_tracker_interval(const diffusion_tracker *t) { return t->interval; }
int64_t diffusion_tracker_frames(const diffusion_tracker *t) { return t->frames; }
int diffusion_tracker_segments(const diffusion_tracker *t) { return t->ndone; }
const msd_accum *diffusion_tracker_msd(const diffusion_tracker *t) { return t->main; }
const char *diffusion_tracker_species(const diffusion_tracker *t) { return t->opt.species; }

/* ---- estimator ----------------------------------------------------------------------------------------- */

double diffusion_conductivity(double d_cm2s, int n, double volume_A3, double temperature) {
  if (!(volume_A3 > 0) || !(temperature > 0)) return NAN;
  double rho = (double)n / (MD_AVOGADRO * volume_A3 * 1e-24);                    /* mol/cm³ */
  return rho * MD_FARADAY * MD_FARADAY * d_cm2s / (MD_RGAS * temperature) * 1e3; /* S/cm → mS/cm */
}

static const int dims[3] = {3, 2, 1}; /* DIFF_XYZ, DIFF_XY, DIFF_Z */

typedef struct pool_ctx {
  const msd_accum *const *unit; /* accumulators that can be pooled */
  int nunit;
  int n;                        /* ions */
  int nwin;                     /* lag slots in the fit window */
  int *slot;                    /* [nwin] */
  double *lag;                  /* [nwin] ps */
  double *tt, *yy;              /* [nwin], [6][nwin] scratch */
} pool_ctx;

/* Pool the units with multiplicities mult (NULL = each once) and fit straight lines to the tracer and charge
 * MSD (xyz, xy, z) over the window. D[0..2] tracer, D[3..5] charge (cm²/s). Returns the number of points. */
static int pool_fit(pool_ctx *c, const int *mult, double D[6]) {
  int m = 0;
  for (int w = 0; w < c->nwin; w++) {
    int s = c->slot[w];
    double S[MSD_NSUM] = {0, 0, 0, 0, 0, 0}, C = 0;
    for (int u = 0; u < c->nunit; u++) {
      int k = mult ? mult[u] : 1;
      if (!k) continue;
      const double *su = msd_sums(c->unit[u]) + (size_t)s * MSD_NSUM;
      C += (double)k * (double)msd_counts(c->unit[u])[s];
      for (int q = 0; q < MSD_NSUM; q++) S[q] += k * su[q];
    }
    if (C <= 0) continue;
    double norm = 1.0 / (C * c->n), v[MSD_NSUM];
    for (int q = 0; q < MSD_NSUM; q++) v[q] = S[q] * norm;
    c->tt[m] = c->lag[w];
    for (int h = 0; h < 2; h++) {
      const double *p = v + 3 * h;
      c->yy[(3 * h + DIFF_XYZ) * c->nwin + m] = p[0] + p[1] + p[2];
      c->yy[(3 * h + DIFF_XY) * c->nwin + m] = p[0] + p[1];
      c->yy[(3 * h + DIFF_Z) * c->nwin + m] = p[2];
    }
    m++;
  }
  if (m < 2) return m;
  double tbar = 0;
  for (int i = 0; i < m; i++) tbar += c->tt[i];
  tbar /= m;
  double stt = 0;
  for (int i = 0; i < m; i++) stt += (c->tt[i] - tbar) * (c->tt[i] - tbar);
  for (int q = 0; q < 6; q++) {
    const double *y = c->yy + (size_t)q * c->nwin;
    double ybar = 0, sty = 0;
    for (int i = 0; i < m; i++) ybar += y[i];
    ybar /= m;
    for (int i = 0; i < m; i++) sty += (c->tt[i] - tbar) * (y[i] - ybar);
    double slope = sty / stt;                      /* Å²/ps */
    D[q] = slope / (2.0 * dims[q % 3]) * 1e-4;     /* cm²/s */
  }
  return m;
}

static double gauss(uint64_t *rng) { /* Box–Muller */
  double u1 = md_u64_to_unit(md_splitmix64(rng)) + 0x1.0p-54; /* (0, 1): log is finite */
  double u2 = md_u64_to_unit(md_splitmix64(rng));
  return sqrt(-2.0 * log(u1)) * cos(2.0 * MD_PI * u2);
}

/* Single-replica uncertainty (parametric bootstrap): nsim synthetic Gaussian random walks with the fitted
 * diffusivities (D_x = D_y = D_xy, D_z), the same number of frames, interval, lag grid and fit window, fitted
 * exactly like the data. The spread of one walker's fitted D, divided by √N, is the tracer stderr (N independent
 * ions); undivided, with the charge diffusivities, it is the charge stderr (one collective walker, eq. 14).
 * err[0..5] = D stderr (cm²/s), err[6..8] = H_R stderr by propagation. */
static md_status model_errors(const pool_ctx *c0, const diffusion_tracker *r0, const double D[6], int nsim, uint64_t seed,
                              double err[9]) {
  pool_ctx c = *c0;
  c.n = 1;
  c.nunit = 1;
  uint64_t rng = seed;
  for (int set = 0; set < 2; set++) {
    double sxy = sqrt(2.0 * fabs(D[3 * set + DIFF_XY]) * 1e4 * r0->interval); /* Å per frame per component */
    double sz = sqrt(2.0 * fabs(D[3 * set + DIFF_Z]) * 1e4 * r0->interval);
    double mean[3] = {0, 0, 0}, m2[3] = {0, 0, 0};
    int ok = 0;
    for (int m = 0; m < nsim; m++) {
      msd_accum *a = NULL;
      MD_TRY(msd_create(&a, 1, r0->opt.block, r0->opt.max_levels));
      double x = 0, y = 0, z = 0;
      md_status st = MD_OK;
      for (int64_t f = 0; f < r0->frames && st == MD_OK; f++) {
        if (f > 0) {
          x += sxy * gauss(&rng);
          y += sxy * gauss(&rng);
          z += sz * gauss(&rng);
        }
        st = msd_add_frame(a, &x, &y, &z);
      }
      const msd_accum *u = a;
      c.unit = &u;
      double Dm[6];
      int np = st == MD_OK ? pool_fit(&c, NULL, Dm) : 0;
      msd_destroy(&a);
      MD_TRY(st);
      if (np < 2) continue;
      ok++;
      for (int q = 0; q < 3; q++) {
        double d = Dm[q] - mean[q];
        mean[q] += d / ok;
        m2[q] += d * (Dm[q] - mean[q]);
      }
    }
    for (int q = 0; q < 3; q++) {
      double sd = ok >= 2 ? sqrt(m2[q] / (ok - 1)) : NAN;
      err[3 * set + q] = set == 0 ? sd / sqrt((double)r0->nsel) : sd;
    }
  }
  for (int q = 0; q < 3; q++) {
    double h = D[q] / D[3 + q];
    err[6 + q] = fabs(h) * sqrt(pow(err[q] / D[q], 2) + pow(err[3 + q] / D[3 + q], 2));
  }
  return MD_OK;
}

md_status diffusion_estimate(diffusion_tracker *const *reps, int nrep, const diff_report_options *o,
                             diff_results *res) {
  memset(res, 0, sizeof *res);
  if (nrep < 1) return md_error(MD_ERR_VALUE, "diffusion: no replicas to analyse");
  if (!(o->temperature > 0)) return md_error(MD_ERR_VALUE, "diffusion: temperature must be > 0 K (got %g)", o->temperature);
  const diffusion_tracker *r0 = reps[0];
  double run = 1e300;
  for (int r = 0; r < nrep; r++) {
    const diffusion_tracker *t = reps[r];
    if (t->nsel != r0->nsel || fabs(t->interval - r0->interval) > 1e-9 * r0->interval || t->opt.block != r0->opt.block ||
        t->opt.max_levels != r0->opt.max_levels)
      return md_error(MD_ERR_VALUE,
                      "diffusion: replica %d has %d ions every %g ps (block %d), replica 0 has %d every %g ps (block %d)",
                      r, t->nsel, t->interval, t->opt.block, r0->nsel, r0->interval, r0->opt.block);
    if (t->frames < 2) return md_error(MD_ERR_VALUE, "diffusion: replica %d has %lld frame(s); need at least 2", r, (long long)t->frames);
    double len = (double)(t->frames - 1) * t->interval;
    if (len < run) run = len;
  }
  snprintf(res->species, sizeof res->species, "%s", r0->opt.species);
  res->n_ions = r0->nsel;
  res->n_replicas = nrep;
  res->temperature = o->temperature;
  res->volume = o->volume;
  res->molar_density = o->volume > 0 ? r0->nsel / (MD_AVOGADRO * o->volume * 1e-24) : NAN;
  res->interval = r0->interval;
  res->run_length = run;
  res->fit_t0 = o->fit_t1 > 0 ? o->fit_t0 : DIFF_DEFAULT_FIT_START * run;
  res->fit_t1 = o->fit_t1 > 0 ? o->fit_t1 : DIFF_DEFAULT_FIT_END * run;
  res->nboot = o->nboot > 0 ? o->nboot : DIFF_DEFAULT_NBOOT;
  res->seed = o->seed;
  if (!(res->fit_t1 > res->fit_t0) || res->fit_t0 < 0)
    return md_error(MD_ERR_VALUE, "diffusion: fit window %g..%g ps is empty", res->fit_t0, res->fit_t1);

  /* central estimate: all replicas pooled */
  int nslots = msd_nslots(r0->main);
  pool_ctx c;
  memset(&c, 0, sizeof c);
  c.n = r0->nsel;
  c.slot = (int *)malloc((size_t)nslots * sizeof(int));
  c.lag = (double *)malloc((size_t)nslots * sizeof(double));
  c.tt = (double *)malloc((size_t)nslots * sizeof(double));
  c.yy = (double *)malloc((size_t)nslots * 6 * sizeof(double));
  const msd_accum **units = (const msd_accum **)malloc((size_t)(nrep > r0->ndone ? nrep : r0->ndone + 1) * sizeof *units);
  int *mult = (int *)malloc((size_t)(nrep > r0->ndone ? nrep : r0->ndone + 1) * sizeof(int));
  md_status st = MD_OK;
  if (!c.slot || !c.lag || !c.tt || !c.yy || !units || !mult) {
    st = md_error(MD_ERR_MEMORY, "diffusion: out of memory");
    goto done;
  }
  double eps = 1e-9 * r0->interval;
  for (int s = 0; s < nslots; s++) {
    int64_t lag = msd_slot_lag(r0->main, s);
    double t = (double)lag * r0->interval;
    if (lag <= 0 || t < res->fit_t0 - eps || t > res->fit_t1 + eps) continue;
    int64_t cnt = 0;
    for (int r = 0; r < nrep; r++) cnt += msd_counts(reps[r]->main)[s];
    if (cnt == 0) continue;
    c.slot[c.nwin] = s;
    c.lag[c.nwin] = t;
    c.nwin++;
  }
  for (int r = 0; r < nrep; r++) units[r] = reps[r]->main;
  c.unit = units;
  c.nunit = nrep;
  double D[6];
  res->n_fit_points = pool_fit(&c, NULL, D);
  if (res->n_fit_points < 2) {
    st = md_error(MD_ERR_VALUE, "diffusion: fit window %g..%g ps holds %d lag point(s) (the MSD covers lags up to %g ps)",
                  res->fit_t0, res->fit_t1, res->n_fit_points, run);
    goto done;
  }

  /* resampling units */
  if (nrep >= 2) {
    res->n_pseudo = nrep;
    snprintf(res->method, sizeof res->method, "bootstrap over %d replicas", nrep);
  } else if (r0->ndone >= 2 && (double)r0->opt.segment_frames * r0->interval >= res->fit_t1 - r0->interval * (1 + 1e-9)) {
    c.unit = (const msd_accum *const *)r0->done;
    c.nunit = r0->ndone;
    res->n_pseudo = r0->ndone;
    snprintf(res->method, sizeof res->method, "single replica: bootstrap over %d time segments of %g ps", r0->ndone,
             (double)r0->opt.segment_frames * r0->interval);
  } else {
    res->n_pseudo = 0;
    snprintf(res->method, sizeof res->method,
             "single replica: random-walk model, %d synthetic walks (tracer: N independent ions; charge: one walker)",
             DIFF_MODEL_WALKS);
  }

  /* bootstrap: mean and sum of squares of D[6] and H_R[3] */
  /* bootstrap: running mean and sum of squares (Welford) of D[6] and H_R[3], each over its finite values */
  double acc[9] = {0}, acc2[9] = {0};
  int64_t nq[9] = {0};
  int nok = 0;
  if (res->n_pseudo >= 2) {
    uint64_t rng = o->seed;
    for (int b = 0; b < res->nboot; b++) {
      memset(mult, 0, (size_t)c.nunit * sizeof(int));
      for (int k = 0; k < c.nunit; k++) {
        double u = md_u64_to_unit(md_splitmix64(&rng));
        int pick = (int)(u * c.nunit);
        mult[pick < c.nunit ? pick : c.nunit - 1]++;
      }
      double Db[6];
      if (pool_fit(&c, mult, Db) < 2) continue;
      nok++;
      double v[9];
      for (int q = 0; q < 6; q++) v[q] = Db[q];
      for (int q = 0; q < 3; q++) v[6 + q] = Db[q] / Db[3 + q];
      for (int q = 0; q < 9; q++) {
        if (!isfinite(v[q])) continue;
        nq[q]++;
        double d = v[q] - acc[q];
        acc[q] += d / (double)nq[q];
        acc2[q] += d * (v[q] - acc[q]);
      }
    }
  }
  res->nboot_ok = nok;
  double err[9];
  for (int q = 0; q < 9; q++) err[q] = nq[q] >= 2 ? sqrt(acc2[q] / (double)(nq[q] - 1)) : NAN;
  if (res->n_pseudo < 2 && (st = model_errors(&c, r0, D, DIFF_MODEL_WALKS, o->seed, err)) != MD_OK) goto done;
  for (int q = 0; q < 3; q++) {
    res->d_tracer[q].value = D[q];
    res->d_tracer[q].err = err[q];
    res->d_charge[q].value = D[3 + q];
    res->d_charge[q].err = err[3 + q];
    res->haven[q].value = D[q] / D[3 + q];
    res->haven[q].err = err[6 + q];
    double f = diffusion_conductivity(1.0, res->n_ions, o->volume, o->temperature); /* mS/cm per cm²/s */
    res->sigma[q].value = f * D[3 + q];
    res->sigma[q].err = f * err[3 + q];
    res->sigma_tracer[q].value = f * D[q];
    res->sigma_tracer[q].err = f * err[q];
  }
done:
  free(c.slot);
  free(c.lag);
  free(c.tt);
  free(c.yy);
  free(units);
  free(mult);
  return st;
}
