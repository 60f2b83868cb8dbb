/* density.c — time-averaged density on a grid and its cube file (see density.h). */
#include "density.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "math/pbc.h"

md_status density_acc_create(density_acc **out, const md_box *box, double spacing, int nion) {
  *out = NULL;
  if (!(spacing > 0) || !isfinite(spacing)) return md_error(MD_ERR_VALUE, "density: grid spacing %g Å must be > 0", spacing);
  int n[3];
  double pts = 1;
  for (int k = 0; k < 3; k++) {
    const double *v = box->h + 3 * k;
    double m = floor(sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) / spacing + 0.5);
    if (m < 1) m = 1;
    if (m > DENSITY_MAX_POINTS) m = DENSITY_MAX_POINTS;
    n[k] = (int)m;
    pts *= m;
  }
  if (pts > DENSITY_MAX_POINTS)
    return md_error(MD_ERR_VALUE, "density: spacing %g Å gives %d x %d x %d = %.3g grid points (at most %.3g; 4 bytes each): use a "
                    "coarser spacing", spacing, n[0], n[1], n[2], pts, (double)DENSITY_MAX_POINTS);
  density_acc *a = (density_acc *)calloc(1, sizeof *a);
  if (!a) return md_error(MD_ERR_MEMORY, "out of memory");
  memcpy(a->n, n, sizeof n);
  a->nion = nion;
  a->box = *box;
  a->count = (uint32_t *)calloc((size_t)pts, sizeof *a->count);
  if (!a->count) {
    free(a);
    return md_error(MD_ERR_MEMORY, "out of memory (density grid of %.3g points)", pts);
  }
  *out = a;
  return MD_OK;
}

void density_acc_destroy(density_acc **pa) {
  if (!pa || !*pa) return;
  free((*pa)->count);
  free((*pa)->z);
  free((*pa)->pos);
  free(*pa);
  *pa = NULL;
}

int density_atomic_number(const char *sym) {
  static const char *const el[] = {"H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si",
                                   "P",  "S",  "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni",
                                   "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr"};
  for (int k = 0; k < (int)(sizeof el / sizeof el[0]); k++)
    if (strcmp(el[k], sym) == 0) return k + 1;
  return 0;
}

md_status density_acc_set_atoms(density_acc *a, const md_box *box, int n, const int *type, const char (*elem)[MD_NAME_LEN],
                                const real_t *x, const real_t *y, const real_t *z) {
  if (a->z) return MD_OK;
  a->z = (int *)malloc((size_t)(n > 0 ? n : 1) * sizeof *a->z);
  a->pos = (double *)malloc((size_t)(n > 0 ? n : 1) * 3 * sizeof *a->pos);
  if (!a->z || !a->pos) return md_error(MD_ERR_MEMORY, "out of memory");
  a->natoms = n;
  a->box = *box;
  for (int i = 0; i < n; i++) {
    double s[3];
    pbc_to_frac(box->hinv, x[i], y[i], z[i], s);
    for (int k = 0; k < 3; k++) s[k] -= floor(s[k]);
    pbc_to_cart(box->h, s[0], s[1], s[2], a->pos + 3 * i);
    a->z[i] = density_atomic_number(elem[type[i]]);
  }
  return MD_OK;
}

md_status density_acc_add(density_acc *a, const md_box *box, int n, const real_t *x, const real_t *y, const real_t *z) {
  if (n != a->nion) return md_error(MD_ERR_VALUE, "density: %d ions in the frame, %d expected", n, a->nion);
  const int *g = a->n;
  for (int i = 0; i < n; i++) {
    double s[3];
    pbc_to_frac(box->hinv, x[i], y[i], z[i], s);
    int idx[3];
    for (int k = 0; k < 3; k++) {
      double t = s[k] - floor(s[k]);
      int m = (int)floor(t * g[k] + 0.5);
      idx[k] = m >= g[k] ? m - g[k] : m < 0 ? 0 : m;
    }
    a->count[((size_t)idx[0] * g[1] + idx[1]) * g[2] + idx[2]]++;
  }
  a->frames++;
  a->volume_sum += box->volume;
  return MD_OK;
}

static size_t npoints(const density_acc *a) { return (size_t)a->n[0] * a->n[1] * a->n[2]; }

void density_acc_pack(const density_acc *a, binw *w) {
  for (int k = 0; k < 3; k++) binw_i32(w, a->n[k]);
  binw_i64(w, a->frames);
  binw_f64(w, a->volume_sum);
  binw_i32(w, a->z ? a->natoms : -1);
  if (a->z) {
    binw_put(w, a->z, (size_t)a->natoms * sizeof *a->z);
    binw_put(w, a->pos, (size_t)a->natoms * 3 * sizeof *a->pos);
    binw_put(w, a->box.h, sizeof a->box.h);
  }
  binw_put(w, a->count, npoints(a) * sizeof *a->count);
}

md_status density_acc_unpack(density_acc *a, binr *r, const char *where) {
  int n[3];
  for (int k = 0; k < 3; k++) n[k] = binr_i32(r);
  if (r->bad || n[0] != a->n[0] || n[1] != a->n[1] || n[2] != a->n[2])
    return md_error(MD_ERR_VALUE, "%s: saved density grid %d x %d x %d, the run asks for %d x %d x %d", where, n[0], n[1], n[2], a->n[0],
                    a->n[1], a->n[2]);
  a->frames = binr_i64(r);
  a->volume_sum = binr_f64(r);
  int na = binr_i32(r);
  if (na >= 0 && !r->bad) {
    free(a->z);
    free(a->pos);
    a->natoms = na;
    a->z = (int *)malloc((size_t)(na > 0 ? na : 1) * sizeof *a->z);
    a->pos = (double *)malloc((size_t)(na > 0 ? na : 1) * 3 * sizeof *a->pos);
    if (!a->z || !a->pos) return md_error(MD_ERR_MEMORY, "out of memory");
    binr_get(r, a->z, (size_t)na * sizeof *a->z);
    binr_get(r, a->pos, (size_t)na * 3 * sizeof *a->pos);
    binr_get(r, a->box.h, sizeof a->box.h);
  }
  binr_get(r, a->count, npoints(a) * sizeof *a->count);
  if (r->bad) return md_error(MD_ERR_PARSE, "%s: truncated density state", where);
  return MD_OK;
}

md_status density_acc_merge(density_acc *dst, const density_acc *src) {
  if (memcmp(dst->n, src->n, sizeof dst->n) != 0 || dst->nion != src->nion)
    return md_error(MD_ERR_INTERNAL, "density: merging different grids");
  size_t m = npoints(dst);
  for (size_t k = 0; k < m; k++) dst->count[k] += src->count[k];
  dst->frames += src->frames;
  dst->volume_sum += src->volume_sum;
  if (!dst->z && src->z) { /* the cube's atoms: the first replica's first frame */
    dst->z = (int *)malloc((size_t)(src->natoms > 0 ? src->natoms : 1) * sizeof *dst->z);
    dst->pos = (double *)malloc((size_t)(src->natoms > 0 ? src->natoms : 1) * 3 * sizeof *dst->pos);
    if (!dst->z || !dst->pos) return md_error(MD_ERR_MEMORY, "out of memory");
    dst->natoms = src->natoms;
    memcpy(dst->z, src->z, (size_t)src->natoms * sizeof *dst->z);
    memcpy(dst->pos, src->pos, (size_t)src->natoms * 3 * sizeof *dst->pos);
    dst->box = src->box;
  }
  return MD_OK;
}

md_status density_write_cube(const char *path, const density_acc *a, const char *species, const char *inputs) {
  if (a->frames < 1) return md_error(MD_ERR_VALUE, "density: no frames for %s", path);
  io_atomic f;
  MD_TRY(io_atomic_open(&f, path));
  const double B = DENSITY_BOHR;
  const double vol = a->volume_sum / (double)a->frames; /* Å³ */
  const double vvox_bohr = vol / (double)npoints(a) / (B * B * B);
  fprintf(f.fp, "esnapmd %s (%s): time-averaged %s number density, %lld frames, %d ions; %.200s\n", ESNAP_VERSION, ESNAP_COMMIT,
          species, (long long)a->frames, a->nion, inputs ? inputs : "");
  fprintf(f.fp, "units: Bohr (1 Bohr = %.12g A), density in ions/Bohr^3; sum of values x voxel volume = number of ions\n", B);
  fprintf(f.fp, "%5d %16.10f %16.10f %16.10f\n", a->natoms, 0.0, 0.0, 0.0);
  for (int k = 0; k < 3; k++)
    fprintf(f.fp, "%5d %16.10f %16.10f %16.10f\n", a->n[k], a->box.h[3 * k] / a->n[k] / B, a->box.h[3 * k + 1] / a->n[k] / B,
            a->box.h[3 * k + 2] / a->n[k] / B);
  for (int i = 0; i < a->natoms; i++)
    fprintf(f.fp, "%5d %16.10f %16.10f %16.10f %16.10f\n", a->z[i], (double)a->z[i], a->pos[3 * i] / B, a->pos[3 * i + 1] / B,
            a->pos[3 * i + 2] / B);
  const double scale = 1.0 / ((double)a->frames * vvox_bohr);
  /* values are integer counts times one scale: the text of small counts is formatted once (most points hold few) */
  enum { NCACHE = 4096 };
  char(*cache)[24] = (char(*)[24])calloc(NCACHE, 24);
  if (!cache) {
    io_atomic_abort(&f);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  char tmp[32];
  size_t q = 0;
  for (int i0 = 0; i0 < a->n[0]; i0++)
    for (int i1 = 0; i1 < a->n[1]; i1++) {
      for (int i2 = 0; i2 < a->n[2]; i2++, q++) {
        uint32_t c = a->count[q];
        const char *txt = tmp;
        if (c < NCACHE) {
          if (!cache[c][0]) snprintf(cache[c], 24, "%.10e", (double)c * scale);
          txt = cache[c];
        } else {
          snprintf(tmp, sizeof tmp, "%.10e", (double)c * scale);
        }
        if (i2 % 6) fputc(' ', f.fp);
        fputs(txt, f.fp);
        if (i2 % 6 == 5 || i2 == a->n[2] - 1) fputc('\n', f.fp);
      }
    }
  free(cache);
  if (ferror(f.fp)) {
    io_atomic_abort(&f);
    return md_error(MD_ERR_IO, "%s: write failed", path);
  }
  return io_atomic_commit(&f);
}
