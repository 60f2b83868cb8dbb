/* snap_zy.h — Clebsch-Gordan contractions of SNAP (eSNAP paper eq. 5-7; LAMMPS sna.cpp compute_zi,
 * compute_bi, compute_yi, compute_deidrj) in the conventions of snap.h, and the per-pair force driver.
 *   Z_{j1 j2 j}(ma, mb) = sum CG(j1 j2 j) CG(j1 j2 j) u_j1 u_j2           (snap_z_entry)
 *   B_{j1 j2 j}         = 2 sum_half w Re(conj(u_j) Z_{j1 j2 j})          (snap_b_entry, before bzero)
 *   Yw(j, ma, mb)      += betaz[jjz] Z[jjz]                               (done by the caller's loop)
 *   dE_i/dr_n           = s_n' r̂ G_n + s_n (Σ_c bar_c ∇ck_c)              (snap_dedr)
 * Units: U, Z, B, Y are dimensionless (Y and betaz carry the β unit, eV); dE/dr in eV/Å. */
#ifndef ESNAP_MATH_SNAP_ZY_H
#define ESNAP_MATH_SNAP_ZY_H

#include <math.h>

#include "../md_hd.h"
#include "../types.h"
#include "snap.h"
#include "snap_ck.h"
#include "snap_switch.h"
#include "snap_u.h"

/* One Z entry from U_tot (full layout); iz points at the entry's SNAP_IZ_NF fields. */
MD_HD void snap_z_entry(const int *MD_RESTRICT iz, const real_t *MD_RESTRICT cg, const real_t *MD_RESTRICT ur,
                        const real_t *MD_RESTRICT ui, real_t *MD_RESTRICT zr, real_t *MD_RESTRICT zi) {
  const int j1 = iz[SNAP_IZ_J1], j2 = iz[SNAP_IZ_J2];
  const int na = iz[SNAP_IZ_NA], nb = iz[SNAP_IZ_NB];
  int jju1 = iz[SNAP_IZ_JJU1], jju2 = iz[SNAP_IZ_JJU2];
  const real_t *cga = cg + iz[SNAP_IZ_ICGA];
  const real_t *cgb = cg + iz[SNAP_IZ_ICGB];
  real_t sr = 0.0, si = 0.0;
  for (int ib = 0; ib < nb; ib++) {
    real_t ar = 0.0, ai = 0.0;
    for (int ia = 0; ia < na; ia++) {
      const real_t c = cga[ia * j2];
      const real_t xr = ur[jju1 + ia], xi = ui[jju1 + ia];
      const real_t yr = ur[jju2 - ia], yi = ui[jju2 - ia];
      ar += c * (xr * yr - xi * yi);
      ai += c * (xr * yi + xi * yr);
    }
    sr += cgb[ib * j2] * ar;
    si += cgb[ib * j2] * ai;
    jju1 += j1 + 1;
    jju2 -= j2 + 1;
  }
  *zr = sr;
  *zi = si;
}

/* One bispectrum component (before the bzero shift) from Z and U_tot (full layout); ib points at the entry's
 * SNAP_IB_NF fields, zw[jjz] = 2 w of the Z entry. */
MD_HD real_t snap_b_entry(const int *MD_RESTRICT ib, const int *MD_RESTRICT idxz, const real_t *MD_RESTRICT zw,
                          const real_t *MD_RESTRICT zr, const real_t *MD_RESTRICT zi, const real_t *MD_RESTRICT ur,
                          const real_t *MD_RESTRICT ui) {
  const int jjz0 = ib[SNAP_IB_JJZ], nz = ib[SNAP_IB_NZ];
  real_t s = 0.0;
  for (int k = jjz0; k < jjz0 + nz; k++) {
    const int jju = idxz[k * SNAP_IZ_NF + SNAP_IZ_JJU];
    s += zw[k] * (ur[jju] * zr[k] + ui[jju] * zi[k]);
  }
  return s;
}

/* dE_i/dr_n (eV/Å) from the adjoint results of one neighbour: g = G_n, bar = dG/d(ck), dck = d ck/d r
 * (snap_ck_d), sw = w_elem f_c(r), dsw = w_elem f_c'(r), (ux, uy, uz) = r̂. */
MD_HD void snap_dedr(real_t g, const real_t *MD_RESTRICT bar, const real_t *MD_RESTRICT dck, real_t sw, real_t dsw,
                     real_t ux, real_t uy, real_t uz, real_t *MD_RESTRICT dedr) {
  const real_t gs = dsw * g;
  const real_t u[3] = {ux, uy, uz};
  for (int k = 0; k < 3; k++)
    dedr[k] = gs * u[k] + sw * (bar[0] * dck[k] + bar[1] * dck[3 + k] + bar[2] * dck[6 + k] + bar[3] * dck[9 + k]);
}

/* The whole force term of one pair, for backends that go pair by pair: (x, y, z) = r_n - r_i (Å), U of the
 * pair from snap_u_pair, Yw of atom i. scratch: 4 * SNAP_MAX_HALF_LAYER reals. */
MD_HD void snap_deidrj_pair(int twojmax, const int *MD_RESTRICT idxuh_block, const real_t *MD_RESTRICT rootpq,
                            real_t x, real_t y, real_t z, real_t rcut, real_t rfac0, real_t rmin0, int switchflag,
                            real_t wj, const real_t *MD_RESTRICT ur, const real_t *MD_RESTRICT ui,
                            const real_t *MD_RESTRICT yr, const real_t *MD_RESTRICT yi, real_t *MD_RESTRICT scratch,
                            real_t *MD_RESTRICT dedr) {
  real_t ck[4], dck[12], bar[4], g, s, ds;
  snap_ck_d(x, y, z, rcut, rfac0, rmin0, ck, dck);
  const real_t r = sqrt(x * x + y * y + z * z);
  snap_s_dsfac(r, rmin0, rcut, switchflag, &s, &ds);
  snap_u_adjoint_pair(twojmax, idxuh_block, rootpq, ck, ur, ui, yr, yi, scratch, &g, bar);
  snap_dedr(g, bar, dck, wj * s, wj * ds, x / r, y / r, z / r, dedr);
}

#endif
