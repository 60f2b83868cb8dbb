/* snap_u.h — Wigner U-functions of one neighbour by the recursion of VMK 4.8.2 (LAMMPS sna.cpp
 * compute_uarray), stored in the half layout (snap.h), and the reverse-mode (adjoint) pass through the same
 * recursion that yields dG/d(a, b) for G = sum_half Re(conj(Yw) u(a, b)).
 *
 *   u_0(0, 0) = 1
 *   u_j(ma, mb) = sqrt((j-ma)/(j-mb)) conj(a) u_{j-1}(ma, mb) - sqrt(ma/(j-mb)) conj(b) u_{j-1}(ma-1, mb)
 *
 * for rows 0 <= mb <= floor(j/2), all 0 <= ma <= j (a term is absent when its u_{j-1} index is out of range).
 * For j even, row mb = j/2 of layer j-1 is not stored; it is the mirror of row j/2 - 1:
 *   u_{j-1}(c, mb) = (-1)^(c+mb) conj(u_{j-1}(j-1-c, j-1-mb)).
 *
 * Recursion tables (host/ff/snap_tables.c builds them from snap_u_source(); h = absolute half-layout index):
 *   forward, entry h of layer j >= 1:
 *     ufw_src[2h + 0/1]  half index of the stored entry read as u1 / u2, -1 when the term is absent
 *     ufw_coef[6h + 0..5] = ca, cb, m1r, m1i, m2r, m2i: u = ca conj(a) u1 - cb conj(b) u2 with
 *                          u1 = (m1r Re, m1i Im) of the stored entry ((1, 1) direct, (s, -s) through the mirror)
 *   adjoint ("gather" form), entry h of layer j-1 < twojmax: the layer-j entries that read it,
 *     uadj_src[4h + 0/1]  the entry reading it as u1 (A) and as u2 (B) directly (half indices),
 *     uadj_src[4h + 2/3]  the same through the mirror row, -1 when none (only row j/2 - 1 for j even),
 *     uadj_coef[5h + 0..4] = ca(A), cb(B), ca(A mirror), cb(B mirror), s (mirror sign)
 * snap_u_elem() is the recursion step and snap_u_elem_adj_v() the adjoint of the two terms that read one
 * stored value. The per-pair drivers at the end show the loops; the CPU backend runs the same steps over
 * blocks of neighbours in SIMD lanes, a CUDA backend in its own order.
 *
 * Complex adjoint convention: for a real function G of a complex z, zbar = dG/dRe z + i dG/dIm z.
 * For z = w u: ubar += conj(w) zbar and wbar += conj(u) zbar. */
#ifndef ESNAP_MATH_SNAP_U_H
#define ESNAP_MATH_SNAP_U_H

#include <stddef.h>

#include "../md_hd.h"
#include "../types.h"
#include "snap.h"

/* Inputs of entry (ma, mb) of layer j (j >= 1, mb <= j/2), as offsets into the stored half of layer j-1
 * (row length j). o1 feeds u_{j-1}(ma, mb), o2 feeds u_{j-1}(ma-1, mb); -1 when the term is absent (then the
 * coefficient is 0). The value read at o is (m_r Re, m_i Im): (1, 1) for a stored row, (s, -s) for the
 * mirrored row. Used to build the recursion tables. */
typedef struct snap_usrc {
  int o1, o2;
  real_t m1r, m1i, m2r, m2i;
  real_t ca, cb; /* u_j(ma,mb) = ca conj(a) u1 - cb conj(b) u2 */
} snap_usrc;

/* Sign of the inversion symmetry: u_j(j-ma, j-mb) = snap_u_mirror_sign(ma, mb) conj(u_j(ma, mb)). */
MD_HD real_t snap_u_mirror_sign(int ma, int mb) { return ((ma + mb) & 1) ? -1.0 : 1.0; }

/* Entry (ma, mb) of layer j in the full layout from the half layout: returns the offset of its source inside
 * the half layer (row * (j+1) + column) and the factors applied to (Re, Im) of the source: (1, 1) for a stored
 * row (2 mb <= j), (s, -s) for a mirrored row, s = snap_u_mirror_sign(ma, mb). */
MD_HD int snap_u_full_source(int j, int ma, int mb, real_t *MD_RESTRICT mr, real_t *MD_RESTRICT mi) {
  if (2 * mb <= j) {
    *mr = *mi = 1.0;
    return mb * (j + 1) + ma;
  }
  const real_t s = snap_u_mirror_sign(ma, mb);
  *mr = s;
  *mi = -s;
  return (j - mb) * (j + 1) + (j - ma);
}

MD_HD snap_usrc snap_u_source(const real_t *MD_RESTRICT rootpq, int j, int ma, int mb) {
  snap_usrc s;
  const int jp = j - 1;
  s.ca = ma < j ? rootpq[(j - ma) * SNAP_RPQ_LD + (j - mb)] : 0.0;
  s.cb = ma > 0 ? rootpq[ma * SNAP_RPQ_LD + (j - mb)] : 0.0;
  if (2 * mb <= jp) {
    s.o1 = ma < j ? mb * j + ma : -1;
    s.o2 = ma > 0 ? mb * j + ma - 1 : -1;
    s.m1r = s.m1i = s.m2r = s.m2i = 1.0;
  } else {
    const int row = jp - mb;
    const real_t s1 = snap_u_mirror_sign(ma, mb); /* sign of the mirror for column ma; -s1 for ma-1 */
    s.o1 = ma < j ? row * j + (jp - ma) : -1;
    s.o2 = ma > 0 ? row * j + (jp - ma + 1) : -1;
    s.m1r = s1;
    s.m1i = -s1;
    s.m2r = -s1;
    s.m2i = s1;
  }
  return s;
}

/* One recursion step: u = ca conj(a) u1 - cb conj(b) u2. */
MD_HD void snap_u_elem(real_t ca, real_t cb, real_t ar, real_t ai, real_t br, real_t bi, real_t u1r, real_t u1i,
                       real_t u2r, real_t u2i, real_t *MD_RESTRICT ur, real_t *MD_RESTRICT ui) {
  *ur = ca * (ar * u1r + ai * u1i) - cb * (br * u2r + bi * u2i);
  *ui = ca * (ar * u1i - ai * u1r) - cb * (br * u2i - bi * u2r);
}

/* Adjoint of the two recursion terms that read the value v (as u1 of entry A with coefficient ca, as u2 of
 * entry B with coefficient cb): given tA, tB, the adjoints of entries A and B, returns vbar (d) and
 * accumulates abar, bbar. For z = ca conj(a) v: vbar += ca a zbar, abar += ca v conj(zbar). */
MD_HD void snap_u_elem_adj_v(real_t ca, real_t cb, real_t ar, real_t ai, real_t br, real_t bi, real_t vr, real_t vi,
                             real_t tar, real_t tai, real_t tbr, real_t tbi, real_t *MD_RESTRICT dr,
                             real_t *MD_RESTRICT di, real_t *MD_RESTRICT abr, real_t *MD_RESTRICT abi,
                             real_t *MD_RESTRICT bbr, real_t *MD_RESTRICT bbi) {
  const real_t c1r = ca * tar, c1i = ca * tai;
  const real_t c2r = -cb * tbr, c2i = -cb * tbi;
  *dr = ar * c1r - ai * c1i + br * c2r - bi * c2i;
  *di = ar * c1i + ai * c1r + br * c2i + bi * c2r;
  *abr += vr * c1r + vi * c1i;
  *abi += vi * c1r - vr * c1i;
  *bbr += vr * c2r + vi * c2i;
  *bbi += vi * c2r - vr * c2i;
}

/* Add the self term w (wself) to the diagonal of a half-layout U_tot. Arrays with nl interleaved lanes
 * (atoms): entry h of lane l at [h * nl + l]; nl = 1 for one atom. */
MD_HD void snap_u_add_self(int twojmax, const int *MD_RESTRICT idxuh_block, real_t w, int nl, real_t *MD_RESTRICT ur) {
  for (int j = 0; j <= twojmax; j++)
    for (int mb = 0; 2 * mb <= j; mb++) {
      real_t *x = ur + (size_t)(idxuh_block[j] + mb * (j + 1) + mb) * nl;
      for (int l = 0; l < nl; l++) x[l] += w;
    }
}

/* Expand a half-layout U_tot into the full layout by the inversion symmetry (nl interleaved lanes). */
MD_HD void snap_u_expand(int twojmax, const int *MD_RESTRICT idxu_block, const int *MD_RESTRICT idxuh_block, int nl,
                         const real_t *MD_RESTRICT hr, const real_t *MD_RESTRICT hi, real_t *MD_RESTRICT fr,
                         real_t *MD_RESTRICT fi) {
  for (int j = 0; j <= twojmax; j++) {
    const real_t *lr = hr + (size_t)idxuh_block[j] * nl, *li = hi + (size_t)idxuh_block[j] * nl;
    real_t *outr = fr + (size_t)idxu_block[j] * nl, *outi = fi + (size_t)idxu_block[j] * nl;
    for (int mb = 0; mb <= j; mb++)
      for (int ma = 0; ma <= j; ma++) {
        const int o = mb * (j + 1) + ma;
        real_t mr, mi;
        const int src = snap_u_full_source(j, ma, mb, &mr, &mi);
        for (int l = 0; l < nl; l++) {
          outr[o * nl + l] = mr * lr[src * nl + l];
          outi[o * nl + l] = mi * li[src * nl + l];
        }
      }
  }
}

/* All nh = idxuh_max entries of U for one neighbour with Cayley-Klein parameters ck (snap_ck.h), half layout. */
MD_HD void snap_u_pair(int nh, const int *MD_RESTRICT ufw_src, const real_t *MD_RESTRICT ufw_coef,
                       const real_t *MD_RESTRICT ck, real_t *MD_RESTRICT ur, real_t *MD_RESTRICT ui) {
  ur[0] = 1.0;
  ui[0] = 0.0;
  for (int h = 1; h < nh; h++) {
    const int o1 = ufw_src[2 * h], o2 = ufw_src[2 * h + 1];
    const real_t *c = ufw_coef + 6 * h;
    const real_t u1r = o1 >= 0 ? c[2] * ur[o1] : 0.0, u1i = o1 >= 0 ? c[3] * ui[o1] : 0.0;
    const real_t u2r = o2 >= 0 ? c[4] * ur[o2] : 0.0, u2i = o2 >= 0 ? c[5] * ui[o2] : 0.0;
    snap_u_elem(c[0], c[1], ck[0], ck[1], ck[2], ck[3], u1r, u1i, u2r, u2i, &ur[h], &ui[h]);
  }
}

/* Reverse pass for one neighbour: G = sum_half Re(conj(Yw) u) and bar = dG/d(Re a, Im a, Re b, Im b), given
 * the neighbour's U (half layout, from snap_u_pair) and Yw (half layout, weights folded in).
 * scratch: 4 * SNAP_MAX_HALF_LAYER reals. */
MD_HD void snap_u_adjoint_pair(int twojmax, const int *MD_RESTRICT idxuh_block, const int *MD_RESTRICT uadj_src,
                               const real_t *MD_RESTRICT uadj_coef, const real_t *MD_RESTRICT ck,
                               const real_t *MD_RESTRICT ur, const real_t *MD_RESTRICT ui,
                               const real_t *MD_RESTRICT yr, const real_t *MD_RESTRICT yi,
                               real_t *MD_RESTRICT scratch, real_t *MD_RESTRICT g, real_t *MD_RESTRICT bar) {
  real_t gs = 0.0, abr = 0.0, abi = 0.0, bbr = 0.0, bbi = 0.0;
  real_t *tr = scratch, *ti = scratch + SNAP_MAX_HALF_LAYER;                            /* adjoint of layer j */
  real_t *pr = scratch + 2 * SNAP_MAX_HALF_LAYER, *pi = scratch + 3 * SNAP_MAX_HALF_LAYER; /* layer j-1 */
  {
    const int h0 = idxuh_block[twojmax], nj = (twojmax / 2 + 1) * (twojmax + 1);
    for (int e = 0; e < nj; e++) {
      tr[e] = yr[h0 + e];
      ti[e] = yi[h0 + e];
      gs += yr[h0 + e] * ur[h0 + e] + yi[h0 + e] * ui[h0 + e];
    }
  }
  for (int j = twojmax; j >= 1; j--) {
    const int h0 = idxuh_block[j - 1], hj = idxuh_block[j], nprev = ((j - 1) / 2 + 1) * j;
    for (int e = 0; e < nprev; e++) {
      const int h = h0 + e;
      const int *src = uadj_src + 4 * h;
      const real_t *c = uadj_coef + 5 * h;
      const real_t vr = ur[h], vi = ui[h];
      gs += yr[h] * vr + yi[h] * vi;
      real_t dr, di;
      snap_u_elem_adj_v(c[0], c[1], ck[0], ck[1], ck[2], ck[3], vr, vi, tr[src[0] - hj], ti[src[0] - hj],
                        tr[src[1] - hj], ti[src[1] - hj], &dr, &di, &abr, &abi, &bbr, &bbi);
      if (src[2] >= 0) { /* also read through the mirror row as (s Re, -s Im) */
        const real_t s = c[4];
        real_t mr, mi;
        snap_u_elem_adj_v(c[2], c[3], ck[0], ck[1], ck[2], ck[3], s * vr, -s * vi, tr[src[2] - hj], ti[src[2] - hj],
                          tr[src[3] - hj], ti[src[3] - hj], &mr, &mi, &abr, &abi, &bbr, &bbi);
        dr += s * mr;
        di -= s * mi;
      }
      pr[e] = yr[h] + dr;
      pi[e] = yi[h] + di;
    }
    real_t *t;
    t = tr, tr = pr, pr = t;
    t = ti, ti = pi, pi = t;
  }
  *g = gs;
  bar[0] = abr;
  bar[1] = abi;
  bar[2] = bbr;
  bar[3] = bbi;
}

#endif
