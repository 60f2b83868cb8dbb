/* snap.h — linear SNAP (Thompson et al., J. Comput. Phys. 285, 316 (2015); eSNAP paper eq. 3-7): the index
 * conventions every SNAP backend shares. The leaf formulas (all MD_HD) are in the files listed at the end.
 *
 * Angular momenta and projections (as LAMMPS ML-SNAP, sna.cpp)
 *   j  = 2J          0 <= j <= twojmax; J is the (half-)integer angular momentum
 *   ma = J + m       0 <= ma <= j
 *   mb = J + m'      0 <= mb <= j
 *   A triple (j1, j2, j) couples when |j1 - j2| <= j <= j1 + j2 and j1 + j2 + j is even.
 *
 * Wigner U-functions, u_j(ma, mb), complex, real and imaginary parts in separate arrays:
 *   full layout  idxu:  entry (j, ma, mb) at idxu_block[j]  + mb (j+1) + ma, idxu_block[j]  = sum_{j'<j} (j'+1)^2
 *   half layout  idxuh: rows 0 <= mb <= floor(j/2) only,
 *                        entry (j, ma, mb) at idxuh_block[j] + mb (j+1) + ma,
 *                        idxuh_block[j] = sum_{j'<j} (j'+1)(floor(j'/2)+1)
 *   The other rows follow from the inversion symmetry (VMK 4.4(2))
 *        u_j(j-ma, j-mb) = (-1)^(ma-mb) conj(u_j(ma, mb)).
 *   Per-neighbour U, the adjoint Y and its weights live in the half layout; U_tot (the neighbour density of
 *   one atom, with the self term wself = 1 on the diagonal) is expanded to the full layout for Z.
 *
 * Half-plane weights w(j, ma, mb): 1 for rows 2 mb < j; for j even, on the middle row mb = j/2: 1 for ma < mb,
 *   1/2 for ma = mb, 0 for ma > mb. A real sum over the whole (j+1)x(j+1) layer of Re(conj(X) U) for X, U with
 *   the inversion symmetry equals 2 sum_half w Re(conj(X) U).
 *
 * Z list (idxz): Z_{j1 j2 j}(ma, mb) = sum CG CG u_j1 u_j2 (eq. 5 of Thompson 2015, no complex conjugation),
 *   one entry per j1 >= j2, j = |j1-j2| .. min(twojmax, j1+j2) step 2, then mb (0 .. floor(j/2)), then ma,
 *   restricted to entries with w(j, ma, mb) > 0 (LAMMPS also computes the w = 0 ones; nothing uses them).
 *   Each entry is SNAP_IZ_NF ints (fields SNAP_IZ_*, below).
 * B list (idxb): LAMMPS order, j1 = 0..twojmax, j2 = 0..j1, j = j1-j2 .. min(twojmax, j1+j2) step 2, j >= j1.
 *   B_{j1 j2 j} = 2 sum_(ma,mb) w Re(conj(U_tot,j(ma,mb)) Z_{j1 j2 j}(ma,mb)), minus bzero_j = wself^3 (j+1)
 *   when bzeroflag. Each entry is SNAP_IB_NF ints (fields SNAP_IB_*).
 * Y (adjoint, β contracted once per atom), half layout, weights folded in:
 *   Yw(j, ma, mb) = sum over Z entries that land on (j, ma, mb) of betaz * Z, betaz = 2 w f β_k where k is the
 *   B component the triple belongs to and f the LAMMPS multiplicity (3, 2 or 1, times (j1+1)/(j+1) when
 *   the entry stands for a B with j < j1). Then E_i = β0 + sum_k β_k B_k, and for neighbour n with
 *   density weight s_n(r) = w_elem f_c(r):   dE_i/dr_n = s_n'(r) r̂ G_n + s_n ∇G_n,
 *   G_n = sum_half Re(conj(Yw) u_n(a, b)), where ∇G_n is taken through the Cayley-Klein parameters (a, b)
 *   by reverse-mode (adjoint) differentiation of the U recursion (snap_u.h) — no dU/dr or dB/dr is stored.
 *   This is LAMMPS's compute_duidrj + compute_deidrj (dE_i/dr_n = 2 sum_half w Re(conj(Y) d(s_n u_n)/dr_n))
 *   evaluated in reverse mode: one pass through the recursion per neighbour instead of three.
 *
 * Interleaved lanes: functions that take `nl` work on nl atoms at once, entry h of atom l at [h * nl + l]
 * (the CPU backend runs 8 atoms in SIMD lanes; nl = 1 is one atom).
 *
 * Files (each includes what it needs; snap_zy.h pulls in all): snap_switch.h (cutoff function), snap_ck.h
 * (Cayley-Klein parameters), snap_u.h (U recursion and its adjoint), snap_zy.h (Z, B, Y contractions, per-pair
 * force driver). Tables: host/ff/snap_tables.h.
 */
#ifndef ESNAP_MATH_SNAP_H
#define ESNAP_MATH_SNAP_H

#include "../md_hd.h"
#include "../types.h"

/* Pair cutoff of a central atom of element a and a neighbour of element b: rcutfac (R_a + R_b) (Å). */
MD_HD real_t snap_pair_cutoff(const snap_params *MD_RESTRICT p, int a, int b) {
  return (p->radius[a] + p->radius[b]) * p->rcutfac;
}

/* The largest pair cutoff of the model (Å). */
MD_HD real_t snap_max_cutoff(const snap_params *MD_RESTRICT p) {
  real_t rc = 0.0;
  for (int a = 0; a < p->nelem; a++)
    for (int b = 0; b < p->nelem; b++)
      if (snap_pair_cutoff(p, a, b) > rc) rc = snap_pair_cutoff(p, a, b);
  return rc;
}

/* Pair cutoffs rc[a MD_MAX_ELEM + b] (Å) and their squares rcsq (Å²), zero for elements the model lacks. */
MD_HD void snap_cutoff_table(const snap_params *MD_RESTRICT p, real_t *MD_RESTRICT rc, real_t *MD_RESTRICT rcsq) {
  for (int k = 0; k < MD_MAX_ELEM * MD_MAX_ELEM; k++) rc[k] = rcsq[k] = 0.0;
  for (int a = 0; a < p->nelem; a++)
    for (int b = 0; b < p->nelem; b++) {
      const real_t r = snap_pair_cutoff(p, a, b);
      rc[a * MD_MAX_ELEM + b] = r;
      rcsq[a * MD_MAX_ELEM + b] = r * r;
    }
}

/* rootpq[p * SNAP_RPQ_LD + q] = sqrt(p / q), 1 <= p, q <= twojmax (row and column 0 unused) */
#define SNAP_RPQ_LD (MD_SNAP_MAX_TWOJ + 1)
/* largest half layer: (floor(twojmax/2) + 1) (twojmax + 1) entries */
#define SNAP_MAX_HALF_LAYER ((MD_SNAP_MAX_TWOJ / 2 + 1) * (MD_SNAP_MAX_TWOJ + 1))

/* Fields of one Z entry (idxz[jjz * SNAP_IZ_NF + field]):
 *   Z = sum_{ib < NB} cg[ICGB + ib j2] sum_{ia < NA} cg[ICGA + ia j2] u[JJU1 + ib (j1+1) + ia] u[JJU2 - ib (j2+1) - ia]
 * with u = U_tot in the full layout and cg the Clebsch-Gordan list (absolute offsets). JJU is the (j, ma, mb)
 * entry of the full layout the Z entry belongs to, JJUH the same entry in the half layout. */
enum {
  SNAP_IZ_J1 = 0,
  SNAP_IZ_J2,
  SNAP_IZ_J,
  SNAP_IZ_NA,
  SNAP_IZ_NB,
  SNAP_IZ_JJU1,
  SNAP_IZ_JJU2,
  SNAP_IZ_ICGA,
  SNAP_IZ_ICGB,
  SNAP_IZ_JJU,
  SNAP_IZ_JJUH,
  SNAP_IZ_NF
};

/* Fields of one B entry (idxb[jjb * SNAP_IB_NF + field]): the triple, and its Z entries JJZ .. JJZ + NZ - 1. */
enum { SNAP_IB_J1 = 0, SNAP_IB_J2, SNAP_IB_J, SNAP_IB_JJZ, SNAP_IB_NZ, SNAP_IB_NF };

#endif
