/* pme_tables.h — host-side tables of the PME and Ewald sums from the leaf formulas of src/math/pme.h and
 * src/math/ewald.h: the PME influence function and mesh self-energy offset (one implementation: the CPU backend,
 * host/ff/pme_cpu.c, and the device PME, kernels/pme_gpu.cu, both call pme_tables_compute), the PME parameter
 * check, and the Ewald vector list (host/ff/ewald.c and the device Ewald sum, kernels/coulomb_gpu.cu). Plain host
 * functions (C and C++), computed once per cell; also used by the emulation tests. */
#ifndef ESNAP_PME_TABLES_H
#define ESNAP_PME_TABLES_H

#include <math.h>
#include <stdlib.h>

#include "math/ewald.h"
#include "math/pme.h"
#include "status.h"
#include "types.h"

/* The PME parameters both backends accept: B-spline order PME_MIN_ORDER … PME_MAX_ORDER, order … 4096 mesh points
 * per direction, α > 0. */
static inline md_status pme_check_params(const int grid[3], int order, real_t alpha) {
  if (order < PME_MIN_ORDER || order > PME_MAX_ORDER)
    return md_error(MD_ERR_VALUE, "PME: B-spline order %d outside %d … %d", order, PME_MIN_ORDER, PME_MAX_ORDER);
  for (int d = 0; d < 3; d++)
    if (grid[d] < order || grid[d] > 4096)
      return md_error(MD_ERR_VALUE, "PME: mesh %d x %d x %d must have at least `order` (%d) and at most 4096 points per direction",
                      grid[0], grid[1], grid[2], order);
  if (!(alpha > 0)) return md_error(MD_ERR_VALUE, "PME: invalid α %g", alpha);
  return MD_OK;
}

/* Influence function ψ over the K0 × K1 × (K2/2+1) half mesh (ψ(0) = 0) and the mean mesh self energy per
 * unit charge² in excess of the exact one, with its virial (xx yy zz xy xz yz): pme_cpu_compute subtracts
 * Σq² · (self_e, self_w). Returns 0, or −1 when out of memory. */
static inline int pme_tables_compute(const int K[3], int order, const md_box *box, real_t alpha, real_t *psi, real_t *self_e,
                                     real_t self_w[6]) {
  const int K0 = K[0], K1 = K[1], K2 = K[2], K2c = K2 / 2 + 1;
  real_t *bm = (real_t *)malloc(2 * (size_t)(K0 + K1 + K2) * sizeof(real_t));
  real_t *part = (real_t *)malloc((size_t)K0 * 7 * sizeof(real_t));
  if (!bm || !part) {
    free(bm);
    free(part);
    return -1;
  }
  real_t *b0 = bm, *b1 = b0 + K0, *b2 = b1 + K1, *ap = bm + K0 + K1 + K2;
  pme_bspline_moduli(K0, order, b0);
  pme_bspline_moduli(K1, order, b1);
  pme_bspline_moduli(K2, order, b2);
  for (int k = 0; k < K0; k++) ap[k] = pme_alias_power(k, K0, order, b0[k]);
  for (int k = 0; k < K1; k++) ap[K0 + k] = pme_alias_power(k, K1, order, b1[k]);
  for (int k = 0; k < K2; k++) ap[K0 + K1 + k] = pme_alias_power(k, K2, order, b2[k]);
  const real_t *hi = box->hinv;
  const real_t vol = box->volume;
  /* per-k0 partial sums added in k0 order afterwards: the same result on any number of threads */
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((long)K0 * K1 * K2c > 16384)
#endif
  for (int k0 = 0; k0 < K0; k0++) {
    int m0 = pme_signed_index(k0, K0);
    real_t acc[7] = {0, 0, 0, 0, 0, 0, 0};
    for (int k1 = 0; k1 < K1; k1++) {
      int m1 = pme_signed_index(k1, K1);
      for (int k2 = 0; k2 < K2c; k2++) {
        int m2i = pme_signed_index(k2, K2);
        size_t idx = ((size_t)k0 * K1 + k1) * K2c + k2;
        if (m0 == 0 && m1 == 0 && m2i == 0) {
          psi[idx] = 0.0;
          continue;
        }
        real_t m[3];
        ewald_recip_vector(hi, m0, m1, m2i, m);
        real_t msq = m[0] * m[0] + m[1] * m[1] + m[2] * m[2];
        psi[idx] = pme_influence(msq, alpha, vol, b0[k0] * b1[k1] * b2[k2]);
        /* self-energy offset of this vector: w(m) (Π_d Σ_n β_n² − 1), for m and its mirror */
        real_t em = pme_half_mult(k2, K2) * ewald_kspace_weight(msq, alpha, vol) *
                    (ap[k0] * ap[K0 + k1] * ap[K0 + K1 + k2] - 1.0);
        acc[0] += em;
        ewald_kspace_virial(em, m, alpha, acc + 1);
      }
    }
    for (int a = 0; a < 7; a++) part[(size_t)k0 * 7 + a] = acc[a];
  }
  *self_e = 0.0;
  for (int a = 0; a < 6; a++) self_w[a] = 0.0;
  for (int k0 = 0; k0 < K0; k0++) {
    *self_e += part[(size_t)k0 * 7];
    for (int a = 0; a < 6; a++) self_w[a] += part[(size_t)k0 * 7 + 1 + a];
  }
  free(bm);
  free(part);
  return 0;
}

/* Is n = (n0, n1, n2) in LAMMPS's k-vector set with caps kcap? Vectors along an axis run to the largest cap kmx
 * (orthogonal cells: every axis; triclinic cells: only (0, 0, n2)); the others need |n_d| ≤ kcap[d]. */
static inline int ewald_vector_allowed(int n0, int n1, int n2, const int *kcap, int kmx, int triclinic) {
  const int z0 = n0 == 0, z1 = n1 == 0, z2 = n2 == 0;
  if (z0 && z1) return abs(n2) <= kmx;
  if (!triclinic && ((z0 && z2) || (z1 && z2))) return abs(n0) + abs(n1) <= kmx;
  return abs(n0) <= kcap[0] && abs(n1) <= kcap[1] && abs(n2) <= kcap[2];
}

/* Bounds of the Ewald vector set: kmax[d] = kcap[d], or with kcap == NULL floor(gcut |a_d|) (n_d = m · a_d, so
 * |n_d| ≤ G |a_d|); bound[d] the loop bound of n_d (kmax[d]; the largest cap with kcap). Returns the largest
 * kmax[d]. */
static inline int ewald_vectors_bounds(const md_box *box, real_t gcut, const int *kcap, int kmax[3], int bound[3]) {
  const real_t *h = box->h;
  int kmx = 0;
  for (int d = 0; d < 3; d++) {
    real_t len = sqrt(h[3 * d] * h[3 * d] + h[3 * d + 1] * h[3 * d + 1] + h[3 * d + 2] * h[3 * d + 2]);
    kmax[d] = kcap ? kcap[d] : (int)floor(gcut * len);
    if (kmax[d] > kmx) kmx = kmax[d];
  }
  for (int d = 0; d < 3; d++) bound[d] = kcap ? kmx : kmax[d];
  return kmx;
}

/* The Ewald vectors 0 < |m| ≤ gcut of the half space, n0 ≥ 0, then n1, then n2 (the order of every backend's sum),
 * all of them (kcap == NULL) or those of LAMMPS's set with caps kcap (ewald_vector_allowed). Pass n = NULL to
 * count; else fill n[3k + d] (integers), m[3k + d] (Cartesian, 1/Å) and w[k] (ewald_kspace_weight), and, where
 * gstart is not NULL, gstart[g] = the first vector of group g (vectors sharing (n0, n1) are contiguous). *ngroup
 * (if not NULL) gets the number of groups. Returns the number of vectors. */
static inline long ewald_vectors_enumerate(const md_box *box, real_t alpha, real_t gcut, const int *kcap, int triclinic,
                                           int *n, real_t *m, real_t *w, int *gstart, int *ngroup) {
  int kmax[3], bd[3];
  const int kmx = ewald_vectors_bounds(box, gcut, kcap, kmax, bd);
  const real_t g2 = gcut * gcut;
  long nk = 0;
  int ng = 0;
  for (int n0 = 0; n0 <= bd[0]; n0++)
    for (int n1 = (n0 == 0 ? 0 : -bd[1]); n1 <= bd[1]; n1++) {
      int first = 1;
      for (int n2 = (n0 == 0 && n1 == 0 ? 1 : -bd[2]); n2 <= bd[2]; n2++) {
        if (kcap && !ewald_vector_allowed(n0, n1, n2, kcap, kmx, triclinic)) continue;
        real_t mc[3];
        ewald_recip_vector(box->hinv, n0, n1, n2, mc);
        real_t m2 = mc[0] * mc[0] + mc[1] * mc[1] + mc[2] * mc[2];
        if (m2 > g2) continue;
        if (n) {
          if (first && gstart) gstart[ng] = (int)nk;
          n[3 * nk] = n0;
          n[3 * nk + 1] = n1;
          n[3 * nk + 2] = n2;
          for (int c = 0; c < 3; c++) m[3 * nk + c] = mc[c];
          w[nk] = ewald_kspace_weight(m2, alpha, box->volume);
        }
        if (first) ng++;
        first = 0;
        nk++;
      }
    }
  if (ngroup) *ngroup = ng;
  return nk;
}

/* All Ewald vectors 0 < |m| ≤ gcut (ewald_vectors_enumerate without caps or groups). */
static inline long ewald_vectors_list(const md_box *box, real_t alpha, real_t gcut, int *n, real_t *m, real_t *w) {
  return ewald_vectors_enumerate(box, alpha, gcut, NULL, 0, n, m, w, NULL, NULL);
}

#endif
