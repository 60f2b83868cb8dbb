/* snap_zy.h — Clebsch-Gordan contractions of SNAP (eSNAP paper eq. 5-7; LAMMPS sna.cpp compute_zi,
 * compute_bi, compute_yi, compute_deidrj) in the conventions of snap.h, and the per-pair force driver.
 * Arrays of per-atom quantities may hold nl atoms interleaved (entry h of atom l at [h * nl + l]) so that a
 * CPU loop runs over atoms in SIMD lanes; nl = 1 is one atom.
 *   Z_{j1 j2 j}(ma, mb) = sum CG(j1 j2 j) CG(j1 j2 j) u_j1 u_j2           (snap_z_entry, snap_z_entry_ls)
 *   B_{j1 j2 j}         = 2 sum_half w Re(conj(u_j) Z_{j1 j2 j})          (snap_b_entry/snap_b_term, before bzero)
 *   Yw(j, ma, mb)      += betaz[jjz] Z[jjz]                               (done by the caller's loop)
 *   sum_k β_k B_k       = (1/3) sum_half Re(conj(Yw) U_tot)                (snap_energy_from_y, Euler)
 *   E_i                 = e0 + (1/3) sum_half Re(conj(Yw) U_tot)           (snap_atom_energy, every backend)
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

/* One Z entry from U_tot (full layout) for nl lanes (atoms) with stride ld: U entry h of lane l at
 * u[h * ld + l], result z[l]. The CPU backend interleaves nl = ld atoms; a GPU thread handles one atom of an
 * [entry][atom] array (nl = 1, ld = atoms). iz points at the entry's SNAP_IZ_NF fields. */
MD_HD void snap_z_entry_ls(const int *MD_RESTRICT iz, const real_t *MD_RESTRICT cg, int nl, size_t ld,
                           const real_t *MD_RESTRICT ur, const real_t *MD_RESTRICT ui, real_t *MD_RESTRICT zr,
                           real_t *MD_RESTRICT zi) {
  const int j1 = iz[SNAP_IZ_J1], j2 = iz[SNAP_IZ_J2];
  const int na = iz[SNAP_IZ_NA], nb = iz[SNAP_IZ_NB];
  const real_t *cga = cg + iz[SNAP_IZ_ICGA];
  const real_t *cgb = cg + iz[SNAP_IZ_ICGB];
  for (int l = 0; l < nl; l++) zr[l] = zi[l] = 0.0;
  for (int ib = 0; ib < nb; ib++) {
    const int jju1 = iz[SNAP_IZ_JJU1] + ib * (j1 + 1), jju2 = iz[SNAP_IZ_JJU2] - ib * (j2 + 1);
    for (int ia = 0; ia < na; ia++) {
      const real_t c = cgb[ib * j2] * cga[ia * j2];
      const real_t *xr = ur + (size_t)(jju1 + ia) * ld, *xi = ui + (size_t)(jju1 + ia) * ld;
      const real_t *yr = ur + (size_t)(jju2 - ia) * ld, *yi = ui + (size_t)(jju2 - ia) * ld;
      for (int l = 0; l < nl; l++) {
        zr[l] += c * (xr[l] * yr[l] - xi[l] * yi[l]);
        zi[l] += c * (xr[l] * yi[l] + xi[l] * yr[l]);
      }
    }
  }
}

/* One Z entry for nl interleaved lanes (stride nl); nl = 1 for one atom. */
MD_HD void snap_z_entry(const int *MD_RESTRICT iz, const real_t *MD_RESTRICT cg, int nl, const real_t *MD_RESTRICT ur,
                        const real_t *MD_RESTRICT ui, real_t *MD_RESTRICT zr, real_t *MD_RESTRICT zi) {
  snap_z_entry_ls(iz, cg, nl, (size_t)nl, ur, ui, zr, zi);
}

/* One term of a bispectrum component: w Re(conj(u) z), w = 2 w(j, ma, mb) (zw). */
MD_HD real_t snap_b_term(real_t w, real_t ur, real_t ui, real_t zr, real_t zi) { return w * (ur * zr + ui * zi); }

/* One bispectrum component (before the bzero shift) from Z (z[jjz * nl + l]) and U_tot (full layout,
 * u[h * nl + l]) for nl lanes, result b[l]; ib points at the entry's SNAP_IB_NF fields, zw[jjz] = 2 w. */
MD_HD void snap_b_entry(const int *MD_RESTRICT ib, const int *MD_RESTRICT idxz, const real_t *MD_RESTRICT zw, int nl,
                        const real_t *MD_RESTRICT zr, const real_t *MD_RESTRICT zi, const real_t *MD_RESTRICT ur,
                        const real_t *MD_RESTRICT ui, real_t *MD_RESTRICT b) {
  const int jjz0 = ib[SNAP_IB_JJZ], nz = ib[SNAP_IB_NZ];
  for (int l = 0; l < nl; l++) b[l] = 0.0;
  for (int k = jjz0; k < jjz0 + nz; k++) {
    const int jju = idxz[k * SNAP_IZ_NF + SNAP_IZ_JJU];
    const real_t w = zw[k];
    for (int l = 0; l < nl; l++)
      b[l] += snap_b_term(w, ur[(size_t)jju * nl + l], ui[(size_t)jju * nl + l], zr[(size_t)k * nl + l],
                          zi[(size_t)k * nl + l]);
  }
}

/* The cubic part of E_i from the adjoint, without B: E_i = β0 + sum_k β_k (B_k - bzero_k) is β0 - sum_k β_k bzero_k
 * plus a homogeneous cubic form of U_tot whose gradient is Yw (dE_i = sum_half Re(conj(Yw) dU_tot) for any
 * U_tot with the inversion symmetry, scaling included), so by Euler's theorem
 *   sum_k β_k B_k(before bzero) = (1/3) sum_half Re(conj(Yw) U_tot).
 * Yw (half layout) at y[h * ld], U_tot (full layout) at u[h2f[h] * ld], h2f[h] = the full index of half entry h.
 * Returns eV. */
MD_HD real_t snap_energy_from_y(int nh, const int *MD_RESTRICT h2f, size_t ld, const real_t *MD_RESTRICT yr,
                                const real_t *MD_RESTRICT yi, const real_t *MD_RESTRICT ur,
                                const real_t *MD_RESTRICT ui) {
  real_t s = 0.0;
  for (int h = 0; h < nh; h++) {
    const size_t f = (size_t)h2f[h] * ld;
    s += yr[(size_t)h * ld] * ur[f] + yi[(size_t)h * ld] * ui[f];
  }
  return s / 3.0;
}

/* The constant part of E_i for an element with coefficients beta (β0, β_1 … β_nb): e0 = β0 - sum_k β_k bzero_k
 * (eV). */
MD_HD real_t snap_energy_offset(const real_t *MD_RESTRICT beta, const real_t *MD_RESTRICT bzero_b, int nb) {
  real_t e0 = beta[0];
  for (int k = 0; k < nb; k++) e0 -= beta[1 + k] * bzero_b[k];
  return e0;
}

/* E_i of one atom, the form every backend uses: E_i = e0 + (1/3) sum_half Re(conj(Yw) U_tot) (snap_energy_from_y,
 * snap_energy_offset), equal to LAMMPS's β0 + sum_k β_k (B_k - bzero_k) to round-off. It needs only Yw, which the
 * forces need anyway, so B is computed only when the bispectrum is asked for. */
MD_HD real_t snap_atom_energy(real_t e0, int nh, const int *MD_RESTRICT h2f, size_t ld, const real_t *MD_RESTRICT yr,
                              const real_t *MD_RESTRICT yi, const real_t *MD_RESTRICT ur, const real_t *MD_RESTRICT ui) {
  return e0 + snap_energy_from_y(nh, h2f, ld, yr, yi, ur, ui);
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
MD_HD void snap_deidrj_pair(int twojmax, const int *MD_RESTRICT idxuh_block, const int *MD_RESTRICT uadj_src,
                            const real_t *MD_RESTRICT uadj_coef, real_t x, real_t y, real_t z, real_t rcut, real_t rfac0, real_t rmin0, int switchflag,
                            real_t wj, const real_t *MD_RESTRICT ur, const real_t *MD_RESTRICT ui,
                            const real_t *MD_RESTRICT yr, const real_t *MD_RESTRICT yi, real_t *MD_RESTRICT scratch,
                            real_t *MD_RESTRICT dedr) {
  real_t ck[4], dck[12], bar[4], g, s, ds;
  snap_ck_d(x, y, z, rcut, rfac0, rmin0, ck, dck);
  const real_t r = sqrt(x * x + y * y + z * z);
  snap_s_dsfac(r, rmin0, rcut, switchflag, &s, &ds);
  snap_u_adjoint_pair(twojmax, idxuh_block, uadj_src, uadj_coef, ck, ur, ui, yr, yi, scratch, &g, bar);
  snap_dedr(g, bar, dck, wj * s, wj * ds, x / r, y / r, z / r, dedr);
}

#endif
