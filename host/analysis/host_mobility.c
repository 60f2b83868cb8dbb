/* host_mobility.c — host sublattice MSD and Lindemann ratio (host_mobility.h). */
#include "host_mobility.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"
#include "math/pbc.h"
#include "system.h"

struct host_tracker {
  int n;
  char species[MD_NAME_LEN];
  long frames;
  double t0, t_last;
  md_box box;                   /* the first frame's cell */
  long stride;                  /* frames between stored MSD points */
  int npts;
  double pt_t[HOST_MSD_POINTS], pt_msd[HOST_MSD_POINTS];
  double *x0;                   /* [3n] origin */
  double *s1, *s2;              /* [3n] Σ (r − r0), Σ (r − r0)² */
  double *buf;                  /* [3n] scratch for add_system */
};

md_status host_tracker_create(host_tracker **out, int n, const char *species) {
  *out = NULL;
  if (n < 2) return md_error(MD_ERR_VALUE, "host mobility: %d %s ion(s): need at least 2", n, species);
  host_tracker *t = (host_tracker *)calloc(1, sizeof *t);
  if (t) t->x0 = (double *)calloc((size_t)n * 12, sizeof(double));
  if (!t || !t->x0) {
    free(t);
    return md_error(MD_ERR_MEMORY, "out of memory (host mobility, %d ions)", n);
  }
  t->n = n;
  snprintf(t->species, sizeof t->species, "%s", species);
  t->s1 = t->x0 + 3 * (size_t)n;
  t->s2 = t->x0 + 6 * (size_t)n;
  t->buf = t->x0 + 9 * (size_t)n;
  t->stride = 1;
  *out = t;
  return MD_OK;
}

void host_tracker_destroy(host_tracker **t) {
  if (!t || !*t) return;
  free((*t)->x0);
  free(*t);
  *t = NULL;
}

/* mean over ions of the distance to the nearest other ion (minimum image) */
static double nearest_distance(const double *x, const double *y, const double *z, int n, const md_box *b) {
  double sum = 0.0;
  for (int i = 0; i < n; i++) {
    double best = INFINITY;
    for (int j = 0; j < n; j++) {
      if (j == i) continue;
      real_t s[3];
      pbc_to_frac(b->hinv, x[j] - x[i], y[j] - y[i], z[j] - z[i], s);
      for (int k = 0; k < 3; k++) s[k] -= floor(s[k] + 0.5);
      real_t r[3];
      pbc_to_cart(b->h, s[0], s[1], s[2], r);
      double d = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
      if (d < best) best = d;
    }
    sum += best;
  }
  return sum / n;
}

md_status host_tracker_add(host_tracker *t, const double *x, const double *y, const double *z, double time, const md_box *box) {
  const int n = t->n;
  if (t->frames == 0) {
    for (int i = 0; i < n; i++) {
      t->x0[3 * i] = x[i];
      t->x0[3 * i + 1] = y[i];
      t->x0[3 * i + 2] = z[i];
    }
    t->t0 = time;
    t->box = *box;
  }
  double msd = 0.0;
  for (int i = 0; i < n; i++) {
    const double r[3] = {x[i], y[i], z[i]};
    for (int c = 0; c < 3; c++) {
      double u = r[c] - t->x0[3 * i + c];
      t->s1[3 * i + c] += u;
      t->s2[3 * i + c] += u * u;
      msd += u * u;
    }
  }
  msd /= n;
  if (t->frames % t->stride == 0) {
    if (t->npts == HOST_MSD_POINTS) { /* keep every other point, store half as often */
      for (int k = 0; k < HOST_MSD_POINTS / 2; k++) {
        t->pt_t[k] = t->pt_t[2 * k];
        t->pt_msd[k] = t->pt_msd[2 * k];
      }
      t->npts = HOST_MSD_POINTS / 2;
      t->stride *= 2;
    }
    if (t->frames % t->stride == 0) {
      t->pt_t[t->npts] = time;
      t->pt_msd[t->npts] = msd;
      t->npts++;
    }
  }
  t->frames++;
  t->t_last = time;
  return MD_OK;
}

md_status host_tracker_add_system(host_tracker *t, const md_system *s, int type) {
  double *x = t->buf, *y = x + t->n, *z = y + t->n;
  int k = 0;
  for (int i = 0; i < s->n; i++) {
    if (s->type[i] != type) continue;
    if (k == t->n) return md_error(MD_ERR_VALUE, "host mobility: more %s atoms than the %d tracked", t->species, t->n);
    real_t r[3];
    system_unwrapped(s, i, r);
    x[k] = r[0];
    y[k] = r[1];
    z[k] = r[2];
    k++;
  }
  if (k != t->n) return md_error(MD_ERR_VALUE, "host mobility: %d %s atoms, %d tracked", k, t->species, t->n);
  return host_tracker_add(t, x, y, z, s->time, &s->box);
}

static void classify(host_result *r) {
  r->plateau_ratio = r->msd_half > 0 ? r->msd_end / r->msd_half : NAN;
  double lim = HOST_MSD_FRAC * r->d_nn;
  r->melted = r->lindemann > HOST_LINDEMANN_MAX || r->msd_end > lim * lim;
}

void host_tracker_result(host_tracker *t, host_result *r) {
  memset(r, 0, sizeof *r);
  snprintf(r->species, sizeof r->species, "%s", t->species);
  r->n_ions = t->n;
  r->frames = t->frames;
  r->span = t->t_last - t->t0;
  r->msd_end = r->msd_half = r->lindemann = NAN;
  if (t->frames < 2) return;
  r->msd_end = t->pt_msd[t->npts - 1];
  /* the stored point nearest to half the span */
  double half = t->t0 + 0.5 * r->span, best = INFINITY;
  for (int k = 0; k < t->npts; k++)
    if (fabs(t->pt_t[k] - half) < best) {
      best = fabs(t->pt_t[k] - half);
      r->msd_half = t->pt_msd[k];
    }
  double u2 = 0.0, F = (double)t->frames;
  double *mx = t->buf, *my = mx + t->n, *mz = my + t->n; /* time-averaged positions */
  for (int i = 0; i < t->n; i++) {
    for (int c = 0; c < 3; c++) {
      double m = t->s1[3 * i + c] / F;
      u2 += t->s2[3 * i + c] / F - m * m;
    }
    mx[i] = t->x0[3 * i] + t->s1[3 * i] / F;
    my[i] = t->x0[3 * i + 1] + t->s1[3 * i + 1] / F;
    mz[i] = t->x0[3 * i + 2] + t->s1[3 * i + 2] / F;
  }
  r->d_nn = nearest_distance(mx, my, mz, t->n, &t->box);
  r->lindemann = sqrt(fmax(u2 / t->n, 0.0)) / r->d_nn;
  classify(r);
}

void host_result_pool(const host_result *r, int n, host_result *out) {
  *out = r[0];
  if (n <= 1) return;
  out->msd_end = out->msd_half = out->lindemann = 0.0;
  int melted = 0;
  for (int k = 0; k < n; k++) {
    out->msd_end += r[k].msd_end / n;
    out->msd_half += r[k].msd_half / n;
    out->lindemann += r[k].lindemann / n;
    melted |= r[k].melted;
  }
  classify(out);
  out->melted |= melted;
}

/* blob: header (magic, n, frames, stride, npts, first and last time, spare) + points + 9n doubles + the cell */
#define HOST_HDR 8
size_t host_tracker_packed_size(const host_tracker *t) {
  return (HOST_HDR + 2 * HOST_MSD_POINTS + 9 * (size_t)t->n) * 8 + sizeof(md_box);
}

md_status host_tracker_pack(const host_tracker *t, void *buf, size_t len) {
  if (len != host_tracker_packed_size(t)) return md_error(MD_ERR_INTERNAL, "host mobility: pack buffer of %zu bytes", len);
  double *p = (double *)buf;
  p[0] = 0x484f5354; /* "HOST" */
  p[1] = t->n;
  p[2] = (double)t->frames;
  p[3] = (double)t->stride;
  p[4] = t->npts;
  p[5] = t->t0;
  p[6] = t->t_last;
  p[7] = 0.0;
  memcpy(p + HOST_HDR, t->pt_t, sizeof t->pt_t);
  memcpy(p + HOST_HDR + HOST_MSD_POINTS, t->pt_msd, sizeof t->pt_msd);
  memcpy(p + HOST_HDR + 2 * HOST_MSD_POINTS, t->x0, 9 * (size_t)t->n * sizeof(double));
  memcpy(p + HOST_HDR + 2 * HOST_MSD_POINTS + 9 * (size_t)t->n, &t->box, sizeof t->box);
  return MD_OK;
}

md_status host_tracker_unpack(host_tracker *t, const void *buf, size_t len) {
  const double *p = (const double *)buf;
  if (len != host_tracker_packed_size(t) || p[0] != 0x484f5354 || p[1] != t->n || !(p[4] >= 0 && p[4] <= HOST_MSD_POINTS) ||
      !(p[3] >= 1))
    return md_error(MD_ERR_VALUE, "host mobility state (%zu bytes) does not belong to %d %s ions", len, t->n, t->species);
  t->frames = (long)p[2];
  t->stride = (long)p[3];
  t->npts = (int)p[4];
  t->t0 = p[5];
  t->t_last = p[6];
  memcpy(t->pt_t, p + HOST_HDR, sizeof t->pt_t);
  memcpy(t->pt_msd, p + HOST_HDR + HOST_MSD_POINTS, sizeof t->pt_msd);
  memcpy(t->x0, p + HOST_HDR + 2 * HOST_MSD_POINTS, 9 * (size_t)t->n * sizeof(double));
  memcpy(&t->box, p + HOST_HDR + 2 * HOST_MSD_POINTS + 9 * (size_t)t->n, sizeof t->box);
  return MD_OK;
}

static void members(json_writer *w, const host_result *r) {
  json_number(w, "msd_end_A2", r->msd_end);
  json_number(w, "msd_half_A2", r->msd_half);
  json_number(w, "plateau_ratio", r->plateau_ratio);
  json_number(w, "lindemann", r->lindemann);
  json_bool(w, "melted", r->melted);
}

md_status host_write_json(const char *path, const host_result *reps, int n) {
  host_result p;
  host_result_pool(reps, n, &p);
  json_writer w;
  json_init(&w);
  json_program(&w);
  json_string(&w, "units", "MSD A^2 (mean over ions, from the first frame), d_nn A, span ps; Lindemann dimensionless");
  char crit[256];
  snprintf(crit, sizeof crit, "melted (or amorphised) when Lindemann sqrt(<|u|^2>)/d_nn > %g or MSD(end) > (%g d_nn)^2; "
           "crystal otherwise", HOST_LINDEMANN_MAX, HOST_MSD_FRAC);
  json_string(&w, "criterion", crit);
  json_string(&w, "species", p.species);
  json_int(&w, "n_ions", p.n_ions);
  json_int(&w, "n_replicas", n);
  json_int(&w, "frames", p.frames);
  json_number(&w, "span_ps", p.span);
  json_number(&w, "d_nn_A", p.d_nn);
  members(&w, &p);
  json_array(&w, "replicas");
  for (int k = 0; k < n; k++) {
    json_object(&w, NULL);
    members(&w, &reps[k]);
    json_end_object(&w);
  }
  json_end_array(&w);
  md_status st = json_write(&w, path);
  json_free(&w);
  return st;
}

void host_result_line(const host_result *r, char *buf, size_t n) {
  snprintf(buf, n, "host %s: MSD %.3g A^2 after %.4g ps (x%.2f since half the span), Lindemann %.3f (d_nn %.3f A): %s", r->species,
           r->msd_end, r->span, r->plateau_ratio, r->lindemann, r->d_nn,
           r->melted ? "MELTED or amorphised (Lindemann > 0.15 or host ions off their sites)" : "crystal");
}
