/* zbl.h — Ziegler–Biersack–Littmark screened nuclear repulsion with the LAMMPS `pair zbl` switching, shared
 * by host/ff/zbl_cpu.c and the CUDA kernels.
 *
 *   e(r) = C Z_i Z_j / r · Σ_{k=1..4} c_k exp(−d_k r / a),   a = 0.46850 / (Z_i^0.23 + Z_j^0.23)  (Å)
 *   E(r) = e(r) + S(r) for r < r_o, 0 beyond, where
 *   S(r) = sw5                                   for r ≤ r_i
 *        = sw5 + t³ (sw3 + sw4 t),  t = r − r_i   for r_i < r < r_o
 * with the constants chosen so that E, E' and E'' vanish at the outer cutoff r_o (LAMMPS pair_zbl):
 *   A = (−3 e'(r_o) + τ e''(r_o)) / τ²,  B = (2 e'(r_o) − τ e''(r_o)) / τ³,  τ = r_o − r_i,
 *   sw3 = A/3, sw4 = B/4, sw5 = −e(r_o) + (τ/2) e'(r_o) − (τ²/12) e''(r_o), and S'(r) = t² (A + B t).
 * C = MD_QQR2E (eV Å / e²). Note that S adds the constant sw5 at every r < r_o, as LAMMPS does.
 */
#ifndef ESNAP_MATH_ZBL_H
#define ESNAP_MATH_ZBL_H

#include <math.h>

#include "../constants.h"
#include "../md_hd.h"
#include "../types.h"

/* Universal screening function (Ziegler, Biersack, Littmark 1985; LAMMPS pair_zbl_const.h) */
#define ZBL_PZBL 0.23
#define ZBL_A0 0.46850 /* Å */
#define ZBL_C1 0.02817
#define ZBL_C2 0.28022
#define ZBL_C3 0.50986
#define ZBL_C4 0.18175
#define ZBL_D1 0.20162
#define ZBL_D2 0.40290
#define ZBL_D3 0.94229
#define ZBL_D4 3.19980

/* Per element pair, precomputed on the host by zbl_pair_init. */
typedef struct zbl_pair {
  real_t zze;         /* C Z_i Z_j (eV Å) */
  real_t c[4];        /* c_k (dimensionless) */
  real_t d[4];        /* d_k / a (1/Å) */
  real_t inner, outer; /* switching region (Å) */
  real_t sw1, sw2;    /* S'(r) = t² (sw1 + sw2 t)   (eV/Å³, eV/Å⁴) */
  real_t sw3, sw4;    /* S(r) − sw5 = t³ (sw3 + sw4 t) (eV/Å³, eV/Å⁴) */
  real_t sw5;         /* constant shift (eV) */
} zbl_pair;

/* Bare ZBL e(r) and its first two derivatives (eV, eV/Å, eV/Å²). */
MD_HD void zbl_screened_coulomb(const zbl_pair *MD_RESTRICT p, real_t r, real_t *MD_RESTRICT e,
                                real_t *MD_RESTRICT de, real_t *MD_RESTRICT d2e) {
  real_t s = 0.0, sp = 0.0, spp = 0.0;
  for (int k = 0; k < 4; k++) {
    real_t x = p->c[k] * exp(-p->d[k] * r);
    s += x;
    sp -= p->d[k] * x;
    spp += p->d[k] * p->d[k] * x;
  }
  real_t rinv = 1.0 / r;
  /* e = zze s / r; e' = zze (s' − s/r)/r; e'' = zze (s'' − 2 s'/r + 2 s/r²)/r */
  *e = p->zze * s * rinv;
  *de = p->zze * (sp - s * rinv) * rinv;
  *d2e = p->zze * (spp - 2.0 * sp * rinv + 2.0 * s * rinv * rinv) * rinv;
}

/* Coefficients for nuclear charges zi, zj (e) and switching region [inner, outer] (Å), 0 < inner < outer. */
MD_HD void zbl_pair_init(zbl_pair *MD_RESTRICT p, real_t zi, real_t zj, real_t inner, real_t outer) {
  real_t ainv = (pow(zi, ZBL_PZBL) + pow(zj, ZBL_PZBL)) / ZBL_A0;
  p->zze = MD_QQR2E * zi * zj;
  p->c[0] = ZBL_C1;
  p->c[1] = ZBL_C2;
  p->c[2] = ZBL_C3;
  p->c[3] = ZBL_C4;
  p->d[0] = ZBL_D1 * ainv;
  p->d[1] = ZBL_D2 * ainv;
  p->d[2] = ZBL_D3 * ainv;
  p->d[3] = ZBL_D4 * ainv;
  p->inner = inner;
  p->outer = outer;
  real_t e, de, d2e;
  zbl_screened_coulomb(p, outer, &e, &de, &d2e);
  real_t tc = outer - inner;
  real_t A = (-3.0 * de + tc * d2e) / (tc * tc);
  real_t B = (2.0 * de - tc * d2e) / (tc * tc * tc);
  p->sw1 = A;
  p->sw2 = B;
  p->sw3 = A / 3.0;
  p->sw4 = B / 4.0;
  p->sw5 = -e + 0.5 * tc * de - tc * tc / 12.0 * d2e;
}

/* Switched pair term (src/pair.h contract): energy E(r) (eV) and fpair = −E'(r)/r (eV/Å²) for r > 0; both
 * zero for r ≥ outer. */
MD_HD void zbl_pair_eval(const zbl_pair *MD_RESTRICT p, real_t r, real_t *MD_RESTRICT energy, real_t *MD_RESTRICT fpair) {
  if (r >= p->outer) {
    *energy = 0.0;
    *fpair = 0.0;
    return;
  }
  real_t e, de, d2e;
  zbl_screened_coulomb(p, r, &e, &de, &d2e);
  e += p->sw5;
  if (r > p->inner) {
    real_t t = r - p->inner;
    e += t * t * t * (p->sw3 + p->sw4 * t);
    de += t * t * (p->sw1 + p->sw2 * t);
  }
  *energy = e;
  *fpair = -de / r;
}

#endif
