/* rdf.c — radial distribution functions and coordination numbers (see rdf.h). */
#include "rdf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "constants.h"
#include "math/pbc.h"

int rdf_pair(int ntypes, int a, int b) {
  if (a > b) {
    int t = a;
    a = b;
    b = t;
  }
  return a * ntypes - a * (a - 1) / 2 + (b - a);
}

md_status rdf_acc_create(rdf_acc **out, int ntypes, const int *type, int n, int nbins, double rmax, const md_box *box) {
  *out = NULL;
  double wmin = fmin(box->width[0], fmin(box->width[1], box->width[2]));
  if (!(rmax > 0) || rmax > 0.5 * wmin * (1 + 1e-12))
    return md_error(MD_ERR_VALUE, "rdf: rmax %g Å must be in (0, %g] (half the shortest cell width)", rmax, 0.5 * wmin);
  if (nbins < 1 || nbins > RDF_MAX_BINS) return md_error(MD_ERR_VALUE, "rdf: %d bins (1..%d)", nbins, RDF_MAX_BINS);
  if (ntypes < 1 || ntypes > MD_MAX_ELEM) return md_error(MD_ERR_VALUE, "rdf: %d element types", ntypes);
  rdf_acc *a = (rdf_acc *)calloc(1, sizeof *a);
  if (!a) return md_error(MD_ERR_MEMORY, "out of memory");
  a->ntypes = ntypes;
  a->nbins = nbins;
  a->rmax = rmax;
  for (int i = 0; i < n; i++) {
    if (type[i] < 0 || type[i] >= ntypes) {
      free(a);
      return md_error(MD_ERR_VALUE, "rdf: atom %d has type %d of %d", i + 1, type[i], ntypes);
    }
    a->natoms[type[i]]++;
  }
  int np = ntypes * (ntypes + 1) / 2;
  a->count = (uint64_t *)calloc((size_t)np * nbins, sizeof *a->count);
  if (!a->count) {
    free(a);
    return md_error(MD_ERR_MEMORY, "out of memory (rdf)");
  }
  *out = a;
  return MD_OK;
}

void rdf_acc_destroy(rdf_acc **pa) {
  if (!pa || !*pa) return;
  free((*pa)->count);
  free(*pa);
  *pa = NULL;
}

md_status rdf_acc_add(rdf_acc *a, const md_box *box, const int *type, int n, const real_t *x, const real_t *y, const real_t *z) {
  double wmin = fmin(box->width[0], fmin(box->width[1], box->width[2]));
  if (a->rmax > 0.5 * wmin * (1 + 1e-12))
    return md_error(MD_ERR_VALUE, "rdf: rmax %g Å exceeds half the shortest cell width (%g Å) of this frame", a->rmax, 0.5 * wmin);
  const double r2max = a->rmax * a->rmax, scale = a->nbins / a->rmax;
  const int nt = a->ntypes;
  /* fractional coordinates in [0,1) */
  double *s = (double *)malloc((size_t)(n > 0 ? n : 1) * 3 * sizeof *s);
  if (!s) return md_error(MD_ERR_MEMORY, "out of memory");
  for (int i = 0; i < n; i++) {
    pbc_to_frac(box->hinv, x[i], y[i], z[i], s + 3 * i);
    for (int k = 0; k < 3; k++) s[3 * i + k] -= floor(s[3 * i + k]);
  }
  for (int i = 0; i < n; i++) {
    const double *si = s + 3 * i;
    for (int j = i + 1; j < n; j++) {
      const double *sj = s + 3 * j;
      double d0 = sj[0] - si[0], d1 = sj[1] - si[1], d2 = sj[2] - si[2];
      d0 -= nearbyint(d0);
      d1 -= nearbyint(d1);
      d2 -= nearbyint(d2);
      double r[3];
      pbc_to_cart(box->h, d0, d1, d2, r);
      double r2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
      if (r2 >= r2max) continue;
      int k = (int)(sqrt(r2) * scale);
      if (k >= a->nbins) continue;
      a->count[(size_t)rdf_pair(nt, type[i], type[j]) * a->nbins + k]++;
    }
  }
  free(s);
  a->frames++;
  a->inv_volume_sum += 1.0 / box->volume;
  return MD_OK;
}

void rdf_acc_pack(const rdf_acc *a, binw *w) {
  binw_i32(w, a->ntypes);
  binw_i32(w, a->nbins);
  binw_f64(w, a->rmax);
  binw_i64(w, a->frames);
  binw_f64(w, a->inv_volume_sum);
  binw_put(w, a->count, (size_t)a->ntypes * (a->ntypes + 1) / 2 * a->nbins * sizeof *a->count);
}

md_status rdf_acc_unpack(rdf_acc *a, binr *r, const char *where) {
  int nt = binr_i32(r), nb = binr_i32(r);
  double rmax = binr_f64(r);
  if (r->bad || nt != a->ntypes || nb != a->nbins || rmax != a->rmax)
    return md_error(MD_ERR_VALUE, "%s: saved rdf has %d types, %d bins, rmax %g; the run asks for %d, %d, %g", where, nt, nb, rmax,
                    a->ntypes, a->nbins, a->rmax);
  a->frames = binr_i64(r);
  a->inv_volume_sum = binr_f64(r);
  binr_get(r, a->count, (size_t)nt * (nt + 1) / 2 * nb * sizeof *a->count);
  if (r->bad) return md_error(MD_ERR_PARSE, "%s: truncated rdf state", where);
  return MD_OK;
}

md_status rdf_acc_merge(rdf_acc *dst, const rdf_acc *src) {
  if (dst->ntypes != src->ntypes || dst->nbins != src->nbins || dst->rmax != src->rmax)
    return md_error(MD_ERR_INTERNAL, "rdf: merging different histograms");
  for (int t = 0; t < dst->ntypes; t++) dst->natoms[t] = src->natoms[t]; /* the same system */
  size_t m = (size_t)dst->ntypes * (dst->ntypes + 1) / 2 * dst->nbins;
  for (size_t k = 0; k < m; k++) dst->count[k] += src->count[k];
  dst->frames += src->frames;
  dst->inv_volume_sum += src->inv_volume_sum;
  return MD_OK;
}

void rdf_values(const rdf_acc *a, int ta, int tb, int k, double *g, double *n) {
  const uint64_t *c = a->count + (size_t)rdf_pair(a->ntypes, ta, tb) * a->nbins;
  double mult = ta == tb ? 2.0 : 1.0; /* ordered pairs (i, j) of type a, b per unordered pair */
  double dr = a->rmax / a->nbins, lo = k * dr, hi = (k + 1) * dr;
  double F = (double)a->frames, Na = (double)a->natoms[ta], Nb = (double)a->natoms[tb];
  double shell = 4.0 * MD_PI / 3.0 * (hi * hi * hi - lo * lo * lo);
  *g = F > 0 && Na > 0 && Nb > 0 ? mult * (double)c[k] / (Na * Nb * a->inv_volume_sum * shell) : 0.0;
  uint64_t cum = 0;
  for (int q = 0; q <= k; q++) cum += c[q];
  *n = F > 0 && Na > 0 ? mult * (double)cum / (F * Na) : 0.0;
}

md_status rdf_write(const char *path, const rdf_acc *a, const char (*elem)[MD_NAME_LEN], const char *inputs) {
  io_atomic f;
  MD_TRY(io_atomic_open(&f, path));
  const int nt = a->ntypes;
  fprintf(f.fp, "# esnapmd %s (%s) radial distribution functions, %lld frame(s): %s\n", ESNAP_VERSION, ESNAP_COMMIT,
          (long long)a->frames, inputs ? inputs : "");
  fprintf(f.fp, "# r_A: bin centre (Å), %d bins of %g Å up to %g Å (at most half the shortest cell width: minimum image)\n",
          a->nbins, a->rmax / a->nbins, a->rmax);
  fprintf(f.fp, "# g_AB = ordered pairs (i in A, j != i in B) per bin / (frames N_A N_B <1/V> shell volume), -> 1 for an "
          "ideal gas; n_AB = mean number of B atoms within the bin's upper edge of an A atom (dimensionless)\n");
  fprintf(f.fp, "# r_A");
  for (int pass = 0; pass < 2; pass++)
    for (int p = 0; p < nt; p++)
      for (int q = p; q < nt; q++) fprintf(f.fp, " %s_%s%s", pass ? "n" : "g", elem[p], elem[q]);
  fprintf(f.fp, "\n");
  double dr = a->rmax / a->nbins;
  for (int k = 0; k < a->nbins; k++) {
    fprintf(f.fp, "%.6f", (k + 0.5) * dr);
    double g[MD_MAX_ELEM * MD_MAX_ELEM], n[MD_MAX_ELEM * MD_MAX_ELEM];
    int m = 0;
    for (int p = 0; p < nt; p++)
      for (int q = p; q < nt; q++, m++) rdf_values(a, p, q, k, &g[m], &n[m]);
    for (int j = 0; j < m; j++) fprintf(f.fp, " %.10g", g[j]);
    for (int j = 0; j < m; j++) fprintf(f.fp, " %.10g", n[j]);
    fprintf(f.fp, "\n");
  }
  if (ferror(f.fp)) {
    io_atomic_abort(&f);
    return md_error(MD_ERR_IO, "%s: write failed", path);
  }
  return io_atomic_commit(&f);
}
