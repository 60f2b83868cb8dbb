/* sites.c — site sets (α-Li3N lattice, site files) and the nearest-site search under periodic boundaries
 * (see sites.h). */
#include "sites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lattice.h"
#include "json_out.h"
#include "math/pbc.h"
#include "textfile.h"

static md_status set_alloc(site_set **out, int n) {
  *out = NULL;
  site_set *s = (site_set *)calloc(1, sizeof *s);
  if (!s) return md_error(MD_ERR_MEMORY, "out of memory");
  s->n = n;
  s->lab = (int *)calloc((size_t)(n > 0 ? n : 1), sizeof *s->lab);
  s->s = (double *)calloc((size_t)(n > 0 ? n : 1) * 3, sizeof *s->s);
  if (!s->lab || !s->s) {
    site_set_destroy(&s);
    return md_error(MD_ERR_MEMORY, "out of memory (%d sites)", n);
  }
  *out = s;
  return MD_OK;
}

void site_set_destroy(site_set **ps) {
  if (!ps || !*ps) return;
  free((*ps)->lab);
  free((*ps)->s);
  free(*ps);
  *ps = NULL;
}

static double wrap01(double v) {
  v -= floor(v);
  return v >= 1.0 ? 0.0 : v;
}

static double dot3(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

/* Repeats n1 n2 n3 with n1 n2 n3 = ncell whose unit cell is hexagonal α-Li3N-like; 0 when none fits. */
static int find_repeats(const md_box *box, int ncell, int rep[3]) {
  const double ca = LI3N_C / LI3N_A;
  double best = 0.1; /* |ln((c/a) / (c/a)_Li3N)| must be below this */
  int found = 0;
  for (int n1 = 1; n1 <= ncell; n1++) {
    if (ncell % n1) continue;
    for (int n2 = 1; n2 <= ncell / n1; n2++) {
      if ((ncell / n1) % n2) continue;
      int n3 = ncell / n1 / n2;
      const int nn[3] = {n1, n2, n3};
      double u[3][3];
      for (int k = 0; k < 3; k++)
        for (int d = 0; d < 3; d++) u[k][d] = box->h[3 * k + d] / nn[k];
      double la = sqrt(dot3(u[0], u[0])), lb = sqrt(dot3(u[1], u[1])), lc = sqrt(dot3(u[2], u[2]));
      if (fabs(la / lb - 1.0) > 0.02) continue;
      if (fabs(dot3(u[0], u[1]) / (la * lb) + 0.5) > 0.02) continue;
      if (fabs(dot3(u[0], u[2])) / (la * lc) > 0.02 || fabs(dot3(u[1], u[2])) / (lb * lc) > 0.02) continue;
      double score = fabs(log(lc / la / ca));
      if (score < best) {
        best = score;
        rep[0] = n1;
        rep[1] = n2;
        rep[2] = n3;
        found = 1;
      }
    }
  }
  return found;
}

md_status site_set_li3n(site_set **out, const md_box *box, int nion, const int *cells, const char *where) {
  *out = NULL;
  int rep[3] = {0, 0, 0};
  if (cells && cells[0] > 0 && cells[1] > 0 && cells[2] > 0) {
    for (int k = 0; k < 3; k++) rep[k] = cells[k];
    if ((long)3 * rep[0] * rep[1] * rep[2] != nion)
      return md_error(MD_ERR_VALUE, "%s: an α-Li3N %d x %d x %d cell has %ld Li sites, the structure has %d Li", where, rep[0],
                      rep[1], rep[2], 3L * rep[0] * rep[1] * rep[2], nion);
  } else if (nion <= 0 || nion % 3 != 0 || !find_repeats(box, nion / 3, rep)) {
    return md_error(MD_ERR_VALUE, "%s: the cell (%d Li) is not an n1 x n2 x n3 α-Li3N supercell (a = b, 120° between a and b, c "
                    "perpendicular, 3 Li per unit cell): give a site file", where, nion);
  }
  site_set *s = NULL;
  MD_TRY(set_alloc(&s, nion));
  s->nlabel = 2;
  snprintf(s->label[0], SITES_LABEL_LEN, "Li1");
  snprintf(s->label[1], SITES_LABEL_LEN, "Li2");
  snprintf(s->source, sizeof s->source, "α-Li3N lattice %d x %d x %d", rep[0], rep[1], rep[2]);
  static const double site[3][3] = {{0.0, 0.0, 0.5}, {1.0 / 3.0, 2.0 / 3.0, 0.0}, {2.0 / 3.0, 1.0 / 3.0, 0.0}};
  int i = 0;
  for (int kz = 0; kz < rep[2]; kz++)
    for (int ky = 0; ky < rep[1]; ky++)
      for (int kx = 0; kx < rep[0]; kx++)
        for (int b = 0; b < 3; b++) {
          s->s[3 * i] = wrap01((kx + site[b][0]) / rep[0]);
          s->s[3 * i + 1] = wrap01((ky + site[b][1]) / rep[1]);
          s->s[3 * i + 2] = wrap01((kz + site[b][2]) / rep[2]);
          s->lab[i] = b == 0 ? 0 : 1;
          s->count[s->lab[i]]++;
          i++;
        }
  *out = s;
  return MD_OK;
}

static int label_index(site_set *s, const char *name) {
  for (int l = 0; l < s->nlabel; l++)
    if (strcmp(s->label[l], name) == 0) return l;
  if (s->nlabel == SITES_MAX_LABELS) return -1;
  snprintf(s->label[s->nlabel], SITES_LABEL_LEN, "%s", name);
  return s->nlabel++;
}

static md_status read_sites(textfile *t, site_set *s, const md_box *box, int nion, double *hfile, int *have_cell) {
  md_status st = MD_OK;
  int nread = 0, last = 0;
  while (tf_next(t, &st)) {
    const char *w = t->word[0];
    last = t->line;
    if (strcmp(w, "cell") == 0) {
      if (*have_cell) return md_error(MD_ERR_PARSE, "%s:%d: a second cell line", t->path, t->line);
      if (t->nwords != 10) return md_error(MD_ERR_PARSE, "%s:%d: cell needs 9 numbers (rows a, b, c; Å)", t->path, t->line);
      for (int k = 0; k < 9; k++) MD_TRY(tf_real(t, 1 + k, "cell component", &hfile[k]));
      double scale = 0;
      for (int k = 0; k < 9; k++) scale = fmax(scale, fabs(box->h[k]));
      for (int k = 0; k < 9; k++)
        if (fabs(hfile[k] - box->h[k]) > 1e-3 + 1e-6 * scale)
          return md_error(MD_ERR_VALUE, "%s:%d: the site file's cell does not match the run's cell (component %d: %.6g vs %.6g Å)",
                          t->path, t->line, k + 1, hfile[k], box->h[k]);
      *have_cell = 1;
      continue;
    }
    int frac = strcmp(w, "frac") == 0;
    if (!frac && strcmp(w, "cart") != 0)
      return md_error(MD_ERR_PARSE, "%s:%d: unknown keyword '%s' (cell, frac, cart)", t->path, t->line, w);
    if (!*have_cell) return md_error(MD_ERR_PARSE, "%s:%d: the cell line must come before the sites", t->path, t->line);
    if (t->nwords != 5) return md_error(MD_ERR_PARSE, "%s:%d: %s LABEL x y z", t->path, t->line, w);
    if (strlen(t->word[1]) >= SITES_LABEL_LEN)
      return md_error(MD_ERR_VALUE, "%s:%d: site label '%s' longer than %d characters", t->path, t->line, t->word[1], SITES_LABEL_LEN - 1);
    if (nread >= nion)
      return md_error(MD_ERR_VALUE, "%s:%d: more sites than the %d ions of the run (the site file does not match the cell)", t->path,
                      t->line, nion);
    double v[3], f[3];
    for (int k = 0; k < 3; k++) MD_TRY(tf_real(t, 2 + k, "site coordinate", &v[k]));
    if (frac) memcpy(f, v, sizeof f);
    else pbc_to_frac(box->hinv, v[0], v[1], v[2], f);
    int l = label_index(s, t->word[1]);
    if (l < 0) return md_error(MD_ERR_VALUE, "%s:%d: more than %d site labels", t->path, t->line, SITES_MAX_LABELS);
    for (int k = 0; k < 3; k++) s->s[3 * nread + k] = wrap01(f[k]);
    s->lab[nread] = l;
    s->count[l]++;
    nread++;
  }
  MD_TRY(st);
  if (nread != nion)
    return md_error(MD_ERR_VALUE, "%s:%d: %d sites for %d ions (the site file does not match the cell)", t->path, last, nread, nion);
  return MD_OK;
}

md_status site_set_read(site_set **out, const char *path, const md_box *box, int nion) {
  *out = NULL;
  site_set *s = NULL;
  MD_TRY(set_alloc(&s, nion));
  snprintf(s->source, sizeof s->source, "%s", path);
  textfile t;
  md_status st = tf_open(&t, path);
  if (st != MD_OK) {
    site_set_destroy(&s);
    return st;
  }
  double hf[9];
  int have_cell = 0;
  st = read_sites(&t, s, box, nion, hf, &have_cell);
  tf_close(&t);
  if (st != MD_OK) {
    site_set_destroy(&s);
    return st;
  }
  *out = s;
  return MD_OK;
}

void sites_fractions(const site_set *set, const int *occ, double *vac, double *mult) {
  long nv[SITES_MAX_LABELS + 1] = {0}, nm[SITES_MAX_LABELS + 1] = {0};
  for (int k = 0; k < set->n; k++) {
    int l = set->lab[k];
    nv[l] += occ[k] == 0;
    nm[l] += occ[k] >= 2;
  }
  long tv = 0, tm = 0;
  for (int l = 0; l < set->nlabel; l++) {
    vac[l] = set->count[l] > 0 ? (double)nv[l] / set->count[l] : 0.0;
    mult[l] = set->count[l] > 0 ? (double)nm[l] / set->count[l] : 0.0;
    tv += nv[l];
    tm += nm[l];
  }
  vac[set->nlabel] = set->n > 0 ? (double)tv / set->n : 0.0;
  mult[set->nlabel] = set->n > 0 ? (double)tm / set->n : 0.0;
}

/* ---- nearest-site search ------------------------------------------------------------------------------------ */

struct site_finder {
  const site_set *set;
  int nb[3];          /* bins along each fractional axis */
  int *start;         /* [nbins + 1] first site of each bin in order[] */
  int *order;         /* [n] sites sorted by bin */
  md_box box;         /* the cell the bins were built for */
  int built;
};

md_status site_finder_create(site_finder **out, const site_set *set) {
  *out = NULL;
  site_finder *f = (site_finder *)calloc(1, sizeof *f);
  if (!f) return md_error(MD_ERR_MEMORY, "out of memory");
  f->set = set;
  f->order = (int *)malloc((size_t)(set->n > 0 ? set->n : 1) * sizeof *f->order);
  if (!f->order) {
    site_finder_destroy(&f);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  *out = f;
  return MD_OK;
}

void site_finder_destroy(site_finder **pf) {
  if (!pf || !*pf) return;
  free((*pf)->start);
  free((*pf)->order);
  free(*pf);
  *pf = NULL;
}

static int bin_of(const int nb[3], const double *s) {
  int b[3];
  for (int k = 0; k < 3; k++) {
    b[k] = (int)(s[k] * nb[k]);
    if (b[k] >= nb[k]) b[k] = nb[k] - 1;
    if (b[k] < 0) b[k] = 0;
  }
  return (b[2] * nb[1] + b[1]) * nb[0] + b[0];
}

static md_status build_bins(site_finder *f, const md_box *box) {
  int nb[3];
  for (int k = 0; k < 3; k++) {
    double w = floor(box->width[k] / SITES_BIN);
    nb[k] = w < 1 ? 1 : w > 256 ? 256 : (int)w;
  }
  size_t nbins = (size_t)nb[0] * nb[1] * nb[2];
  if (!f->built || nb[0] != f->nb[0] || nb[1] != f->nb[1] || nb[2] != f->nb[2]) {
    free(f->start);
    f->start = (int *)calloc(nbins + 1, sizeof *f->start);
    if (!f->start) return md_error(MD_ERR_MEMORY, "out of memory (site bins)");
    memcpy(f->nb, nb, sizeof nb);
    /* sites are fixed in fractional coordinates: the sort depends on nb only */
    const site_set *set = f->set;
    memset(f->start, 0, (nbins + 1) * sizeof *f->start);
    for (int i = 0; i < set->n; i++) f->start[bin_of(nb, set->s + 3 * i) + 1]++;
    for (size_t b = 0; b < nbins; b++) f->start[b + 1] += f->start[b];
    int *fill = (int *)malloc((nbins + 1) * sizeof *fill);
    if (!fill) return md_error(MD_ERR_MEMORY, "out of memory (site bins)");
    memcpy(fill, f->start, (nbins + 1) * sizeof *fill);
    for (int i = 0; i < set->n; i++) f->order[fill[bin_of(nb, set->s + 3 * i)]++] = i;
    free(fill);
  }
  f->box = *box;
  f->built = 1;
  return MD_OK;
}

static int floor_div(int a, int n) { return a >= 0 ? a / n : -((-a + n - 1) / n); }

/* Nearest site to fractional point s (in [0,1)) in cell h. */
static int nearest(const site_finder *f, const double *h, const double *s) {
  const int *nb = f->nb;
  int b0[3];
  for (int k = 0; k < 3; k++) {
    b0[k] = (int)(s[k] * nb[k]);
    if (b0[k] >= nb[k]) b0[k] = nb[k] - 1;
  }
  double binw = INFINITY;
  for (int k = 0; k < 3; k++) binw = fmin(binw, f->box.width[k] / nb[k]);
  int best = -1;
  double best2 = INFINITY;
  for (int m = 1; m <= 4096; m++) {
    for (int dz = -m; dz <= m; dz++)
      for (int dy = -m; dy <= m; dy++)
        for (int dx = -m; dx <= m; dx++) {
          const int d[3] = {dx, dy, dz};
          int b[3], img[3];
          for (int k = 0; k < 3; k++) {
            int a = b0[k] + d[k];
            img[k] = floor_div(a, nb[k]);
            b[k] = a - img[k] * nb[k];
          }
          int bin = (b[2] * nb[1] + b[1]) * nb[0] + b[0];
          for (int q = f->start[bin]; q < f->start[bin + 1]; q++) {
            int i = f->order[q];
            const double *p = f->set->s + 3 * i;
            double r[3];
            pbc_to_cart(h, p[0] + img[0] - s[0], p[1] + img[1] - s[1], p[2] + img[2] - s[2], r);
            double r2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
            if (r2 < best2 || (r2 == best2 && i < best)) {
              best2 = r2;
              best = i;
            }
          }
        }
    /* every unvisited bin is at least m bin widths away along some face normal */
    double covered = m * binw;
    if (best >= 0 && best2 <= covered * covered) break;
  }
  return best;
}

md_status site_finder_assign(site_finder *f, const md_box *box, int n, const real_t *x, const real_t *y, const real_t *z,
                             int *site, int *occ) {
  if (f->set->n == 0) return md_error(MD_ERR_VALUE, "site projection: no sites");
  if (!f->built || memcmp(f->box.h, box->h, sizeof box->h) != 0) MD_TRY(build_bins(f, box));
  memset(occ, 0, (size_t)f->set->n * sizeof *occ);
  for (int i = 0; i < n; i++) {
    double s[3];
    pbc_to_frac(box->hinv, x[i], y[i], z[i], s);
    for (int k = 0; k < 3; k++) s[k] = wrap01(s[k]);
    int k = nearest(f, box->h, s);
    site[i] = k;
    occ[k]++;
  }
  return MD_OK;
}

/* ---- accumulator and output ---------------------------------------------------------------------------------- */

md_status sites_acc_create(sites_acc **out, site_set *set) {
  *out = NULL;
  sites_acc *a = (sites_acc *)calloc(1, sizeof *a);
  if (!a) {
    site_set_destroy(&set);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  a->set = set;
  md_status st = site_finder_create(&a->finder, set);
  if (st == MD_OK) st = tseries_init(&a->ts, 2 * (set->nlabel + 1), SITES_SERIES_CAP);
  a->site = (int *)malloc((size_t)(set->n > 0 ? set->n : 1) * sizeof *a->site);
  a->occ = (int *)malloc((size_t)(set->n > 0 ? set->n : 1) * sizeof *a->occ);
  if (st == MD_OK && (!a->site || !a->occ)) st = md_error(MD_ERR_MEMORY, "out of memory");
  if (st != MD_OK) {
    sites_acc_destroy(&a);
    return st;
  }
  *out = a;
  return MD_OK;
}

void sites_acc_destroy(sites_acc **pa) {
  if (!pa || !*pa) return;
  sites_acc *a = *pa;
  site_finder_destroy(&a->finder);
  site_set_destroy(&a->set);
  tseries_free(&a->ts);
  free(a->site);
  free(a->occ);
  free(a);
  *pa = NULL;
}

md_status sites_acc_add(sites_acc *a, const md_box *box, int n, const real_t *x, const real_t *y, const real_t *z, double time) {
  if (n != a->set->n)
    return md_error(MD_ERR_VALUE, "site projection: %d ions in the frame, %d sites (%s)", n, a->set->n, a->set->source);
  MD_TRY(site_finder_assign(a->finder, box, n, x, y, z, a->site, a->occ));
  double v[2 * (SITES_MAX_LABELS + 1)];
  int nl = a->set->nlabel + 1;
  sites_fractions(a->set, a->occ, v, v + nl);
  tseries_add(&a->ts, time, v);
  return MD_OK;
}

void sites_acc_pack(const sites_acc *a, binw *w) { tseries_pack(&a->ts, w); }

md_status sites_acc_unpack(sites_acc *a, binr *r, const char *where) { return tseries_unpack(&a->ts, r, where); }

static md_status write_series(const char *path, const sites_acc *a, const char *species) {
  io_atomic f;
  MD_TRY(io_atomic_open(&f, path));
  const site_set *s = a->set;
  const tseries *ts = &a->ts;
  fprintf(f.fp, "# esnapmd %s (%s) site projection of %s onto %s: per frame, fraction of sites vacant (no ion) and "
          "multiple (>= 2 ions)\n", ESNAP_VERSION, ESNAP_COMMIT, species, s->source);
  fprintf(f.fp, "# each line: mean over %lld consecutive sample(s); time in ps, fractions dimensionless\n", (long long)ts->per);
  fprintf(f.fp, "# time_ps");
  for (int l = 0; l <= s->nlabel; l++) fprintf(f.fp, " vac_%s", l < s->nlabel ? s->label[l] : species);
  for (int l = 0; l <= s->nlabel; l++) fprintf(f.fp, " mult_%s", l < s->nlabel ? s->label[l] : species);
  fprintf(f.fp, "\n");
  for (int p = 0; p < ts->n; p++) {
    fprintf(f.fp, "%.10g", ts->t[p]);
    for (int c = 0; c < ts->ncol; c++) fprintf(f.fp, " %.10g", ts->v[(size_t)p * ts->ncol + c]);
    fprintf(f.fp, "\n");
  }
  if (ferror(f.fp)) {
    io_atomic_abort(&f);
    return md_error(MD_ERR_IO, "%s: write failed", path);
  }
  return io_atomic_commit(&f);
}

md_status sites_write(const char *dir, sites_acc *const *reps, const int *names, int nrep, const char *species,
                      const char *inputs) {
  if (nrep < 1) return md_error(MD_ERR_INTERNAL, "sites_write: no replicas");
  MD_TRY(make_dirs(dir));
  char path[MD_PATH_LEN + 64];
  for (int k = 0; k < nrep; k++) {
    if (nrep == 1) snprintf(path, sizeof path, "%s/sites.dat", dir);
    else snprintf(path, sizeof path, "%s/sites_r%d.dat", dir, names ? names[k] : k);
    MD_TRY(write_series(path, reps[k], species));
  }
  const site_set *s = reps[0]->set;
  int nl = s->nlabel + 1;
  json_writer w;
  json_init(&w);
  json_program(&w);
  json_string(&w, "analysis", "site projection (nearest crystallographic site under periodic boundaries)");
  json_string(&w, "species", species);
  json_string(&w, "sites", s->source);
  json_string(&w, "inputs", inputs ? inputs : "");
  json_int(&w, "n_replicas", nrep);
  long long frames = 0;
  for (int k = 0; k < nrep; k++) frames += reps[k]->ts.nsamples;
  json_int(&w, "n_frames", frames);
  json_string(&w, "units", "fractions of the sites of each label (dimensionless)");
  json_string(&w, "stderr_method", "block averaging (up to 32 blocks of the time series) per replica; replicas: "
              "mean of means, sqrt(sum of stderr^2)/n_replicas");
  for (int kind = 0; kind < 2; kind++) {
    json_object(&w, kind == 0 ? "vacant_fraction" : "multiple_fraction");
    for (int l = 0; l < nl; l++) {
      double m = 0, e2 = 0;
      for (int k = 0; k < nrep; k++) {
        double se = tseries_stderr(&reps[k]->ts, kind * nl + l);
        m += tseries_mean(&reps[k]->ts, kind * nl + l);
        e2 += se * se;
      }
      json_object(&w, l < s->nlabel ? s->label[l] : species);
      json_number(&w, "mean", m / nrep);
      json_number(&w, "stderr", sqrt(e2) / nrep);
      json_end_object(&w);
    }
    json_end_object(&w);
  }
  json_object(&w, "n_sites");
  for (int l = 0; l < nl; l++) json_int(&w, l < s->nlabel ? s->label[l] : species, l < s->nlabel ? s->count[l] : s->n);
  json_end_object(&w);
  snprintf(path, sizeof path, "%s/summary.json", dir);
  md_status st = json_write(&w, path);
  json_free(&w);
  return st;
}
