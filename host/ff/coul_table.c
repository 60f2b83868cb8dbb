/* coul_table.c — LAMMPS's bitmapped Coulomb table (host/ff/coul_table.h). Written from the description of LAMMPS's
 * Pair::init_bitmap and Pair::init_tables (src/pair.cpp); every rounding step that decides a value is kept:
 * r² edges are floats, r at an edge is the float or double square root of the float r² (by LAMMPS version),
 * erfc is the C library's, the force term uses the full 2/√π, and the row below the table's lowest edge is
 * closed at rc² (rounded to float). */
#include "coul_table.h"

#include <math.h>
#include <stdlib.h>

#include "constants.h"

#define FLT_MANT 24 /* FLT_MANT_DIG: mantissa bits of a float, the hidden bit included */
#define FLT_BITS 32

struct coul_table {
  int bits;
  int ntable;
  int32_t mask;
  int shift;
  real_t inner2; /* Å²: LAMMPS's tabinnersq after the table is built (its lowest edge) */
  real_t *tab;   /* [ntable * EWL_ROW] */
};

/* LAMMPS init_bitmap: how many float bits index the table for the r² range inner² … outer². */
static md_status bitmap_layout(real_t inner, real_t outer, int bits, int32_t *masklo, int32_t *maskhi, int32_t *mask,
                               int *shift) {
  const real_t in2 = inner * inner, out2 = outer * outer;
  /* n with 2^n <= inner² < 2^(n+1) */
  int e2;
  frexp(in2, &e2);
  const int nlow = e2 - 1;
  /* exponent bits: the smallest k with 2^(2^k) (k >= 1; 2 for k = 0) >= outer² / 2^n */
  const real_t need = out2 / ldexp(1.0, nlow);
  int nexp = 0;
  real_t have = 2.0;
  while (have < need && nexp <= FLT_BITS) { /* past FLT_BITS the check below refuses */
    nexp++;
    have = pow(2.0, pow(2.0, (real_t)nexp));
  }
  const int nmant = bits - nexp;
  if (nexp > FLT_BITS - FLT_MANT)
    return md_error(MD_ERR_VALUE, "coulomb lammps: the table range %g … %g A needs %d exponent bits (LAMMPS: too many exponent bits for lookup table)",
                    inner, outer, nexp);
  if (nmant + 1 > FLT_MANT)
    return md_error(MD_ERR_VALUE, "coulomb lammps: table %d leaves %d mantissa bits (LAMMPS: too many mantissa bits for lookup table; use fewer bits)",
                    bits, nmant);
  if (nmant < 3)
    return md_error(MD_ERR_VALUE, "coulomb lammps: table %d leaves %d mantissa bits for the range %g … %g A (LAMMPS: too few bits for lookup table)",
                    bits, nmant, inner, outer);
  *shift = FLT_MANT - (nmant + 1);
  *mask = (int32_t)((((int64_t)1) << (bits + *shift)) - 1);
  *maskhi = ewald_lammps_float_bits((float)out2) & ~*mask;
  *masklo = ewald_lammps_float_bits((float)in2) & ~*mask;
  return MD_OK;
}

/* Force and energy per unit q_i q_j at the float edge rsq (Å²). */
static void edge_values(float rsq, real_t g, int sqrt_float, real_t *f, real_t *e) {
  const real_t r = sqrt_float ? (real_t)sqrtf(rsq) : sqrt((real_t)rsq);
  const real_t grij = g * r;
  const real_t expm2 = exp(-grij * grij);
  const real_t derfc = erfc(grij);
  *f = MD_QQR2E / r * (derfc + EWL_ISPI4 * grij * expm2);
  *e = MD_QQR2E / r * derfc;
}

md_status coul_table_create(coul_table **out, int bits, real_t tabinner, real_t rc, real_t g_ewald, int sqrt_float) {
  *out = NULL;
  if (bits < 0 || bits > COUL_TABLE_MAX_BITS)
    return md_error(MD_ERR_VALUE, "coulomb lammps: table %d: the number of bits must be 0 … %d (LAMMPS pair_modify table)", bits,
                    COUL_TABLE_MAX_BITS);
  if (!(tabinner > 0.0) || !isfinite(tabinner))
    return md_error(MD_ERR_VALUE, "coulomb lammps: tabinner %g must be a positive length (A)", tabinner);
  if (!(rc > 0.0) || !isfinite(rc)) return md_error(MD_ERR_VALUE, "coulomb lammps: cutoff %g must be positive (A)", rc);
  if (!(g_ewald > 0.0) || !isfinite(g_ewald)) return md_error(MD_ERR_VALUE, "coulomb lammps: g_ewald %g must be positive", g_ewald);
  coul_table *t = (coul_table *)calloc(1, sizeof *t);
  if (!t) return md_error(MD_ERR_MEMORY, "coulomb lammps: out of memory (table)");
  t->bits = bits;
  if (bits == 0) { /* no table: the polynomial for every pair */
    t->inner2 = HUGE_VAL;
    *out = t;
    return MD_OK;
  }
  int32_t masklo = 0, maskhi = 0;
  md_status st = bitmap_layout(tabinner, rc, bits, &masklo, &maskhi, &t->mask, &t->shift);
  const int n = 1 << bits;
  if (st == MD_OK) {
    t->tab = (real_t *)malloc((size_t)n * EWL_ROW * sizeof(real_t));
    if (!t->tab) st = md_error(MD_ERR_MEMORY, "coulomb lammps: out of memory (table of %d rows)", n);
  }
  if (st != MD_OK) {
    coul_table_destroy(&t);
    return st;
  }
  t->ntable = n;
  const real_t inner2 = tabinner * tabinner, rc2 = rc * rc;
  real_t *T = t->tab;
  /* rows: the edge r² is the float with the row's index bits over the high bits of tabinner²; edges that
   * would fall below tabinner² take the high bits of rc² instead (one binary order further up) */
  float minrsq = ewald_lammps_bits_float(maskhi);
  for (int i = 0; i < n; i++) {
    float rsq = ewald_lammps_bits_float((int32_t)(i << t->shift) | masklo);
    if ((real_t)rsq < inner2) rsq = ewald_lammps_bits_float((int32_t)(i << t->shift) | maskhi);
    real_t *row = T + (size_t)i * EWL_ROW;
    row[0] = rsq;
    edge_values(rsq, g_ewald, sqrt_float, &row[2], &row[4]);
    if (rsq < minrsq) minrsq = rsq;
  }
  t->inner2 = minrsq;
  /* differences to the next row; the last row wraps around to the first */
  for (int i = 0; i < n; i++) {
    real_t *row = T + (size_t)i * EWL_ROW;
    const real_t *nxt = T + (size_t)((i + 1) % n) * EWL_ROW;
    row[1] = 1.0 / (nxt[0] - row[0]);
    row[3] = nxt[2] - row[2];
    row[5] = nxt[4] - row[4];
  }
  /* the row just below the lowest edge holds the largest r²; when it starts inside the cutoff, close it at
   * rc² (as a float) so that interpolation up to the cutoff stays within one row */
  const int imin = (int)((ewald_lammps_float_bits(minrsq) & t->mask) >> t->shift);
  const int imax = imin == 0 ? n - 1 : imin - 1;
  if ((real_t)ewald_lammps_bits_float((int32_t)(imax << t->shift) | maskhi) < rc2) {
    const float top = (float)rc2;
    real_t f, e;
    edge_values(top, g_ewald, sqrt_float, &f, &e);
    real_t *row = T + (size_t)imax * EWL_ROW;
    row[1] = 1.0 / ((real_t)top - row[0]);
    row[3] = f - row[2];
    row[5] = e - row[4];
  }
  *out = t;
  return MD_OK;
}

void coul_table_destroy(coul_table **p) {
  if (!p || !*p) return;
  free((*p)->tab);
  free(*p);
  *p = NULL;
}

void coul_table_view(const coul_table *t, ewald_lammps_table *view) {
  view->tab = t->tab;
  view->mask = t->mask;
  view->shift = t->shift;
  view->inner2 = t->inner2;
}

int coul_table_rows(const coul_table *t) { return t->ntable; }
