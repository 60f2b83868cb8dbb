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
 * snap_u_source() says where the inputs of one entry are stored and how to read them; snap_u_elem() is the
 * recursion step and snap_u_elem_adj() its adjoint. The per-pair drivers at the end show the loops; the CPU
 * backend runs the same steps with the neighbour index innermost (SIMD), the CUDA backend in its own order.
 *
 * Complex adjoint convention: for a real function G of a complex z, zbar = dG/dRe z + i dG/dIm z.
 * For z = w u: ubar += conj(w) zbar and wbar += conj(u) zbar. */
#ifndef ESNAP_MATH_SNAP_U_H
#define ESNAP_MATH_SNAP_U_H

#include "../md_hd.h"
#include "../types.h"
#include "snap.h"

/* Inputs of entry (ma, mb) of layer j (j >= 1, mb <= j/2), as offsets into the stored half of layer j-1
 * (row length j). o1 feeds u_{j-1}(ma, mb), o2 feeds u_{j-1}(ma-1, mb); -1 when the term is absent (then the
 * coefficient is 0). The value read at o is (m_r Re, m_i Im): (1, 1) for a stored row, (s, -s) for the
 * mirrored row. */
typedef struct snap_usrc {
  int o1, o2;
  real_t m1r, m1i, m2r, m2i;
  real_t ca, cb; /* u_j(ma,mb) = ca conj(a) u1 - cb conj(b) u2 */
} snap_usrc;

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
    const real_t s1 = ((ma + mb) & 1) ? -1.0 : 1.0; /* sign of the mirror for column ma; -s1 for ma-1 */
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

/* Adjoint of snap_u_elem: given tbar (adjoint of u), returns the adjoint increments d1, d2 of u1, u2 and
 * accumulates the adjoints of a and b (abar, bbar). */
MD_HD void snap_u_elem_adj(real_t ca, real_t cb, real_t ar, real_t ai, real_t br, real_t bi, real_t u1r, real_t u1i,
                           real_t u2r, real_t u2i, real_t tr, real_t ti, real_t *MD_RESTRICT d1r,
                           real_t *MD_RESTRICT d1i, real_t *MD_RESTRICT d2r, real_t *MD_RESTRICT d2i,
                           real_t *MD_RESTRICT abr, real_t *MD_RESTRICT abi, real_t *MD_RESTRICT bbr,
                           real_t *MD_RESTRICT bbi) {
  /* u = ca conj(a) u1:  u1bar += ca a tbar,  abar += ca u1 conj(tbar) */
  const real_t c1r = ca * tr, c1i = ca * ti;
  *d1r = ar * c1r - ai * c1i;
  *d1i = ar * c1i + ai * c1r;
  *abr += u1r * c1r + u1i * c1i;
  *abi += u1i * c1r - u1r * c1i;
  /* u = -cb conj(b) u2 */
  const real_t c2r = -cb * tr, c2i = -cb * ti;
  *d2r = br * c2r - bi * c2i;
  *d2i = br * c2i + bi * c2r;
  *bbr += u2r * c2r + u2i * c2i;
  *bbi += u2i * c2r - u2r * c2i;
}

/* Add the self term w (wself) to the diagonal of a half-layout U. */
MD_HD void snap_u_add_self(int twojmax, const int *MD_RESTRICT idxuh_block, real_t w, real_t *MD_RESTRICT ur) {
  for (int j = 0; j <= twojmax; j++)
    for (int mb = 0; 2 * mb <= j; mb++) ur[idxuh_block[j] + mb * (j + 1) + mb] += w;
}

/* Expand a half-layout U into the full layout by the inversion symmetry. */
MD_HD void snap_u_expand(int twojmax, const int *MD_RESTRICT idxu_block, const int *MD_RESTRICT idxuh_block,
                         const real_t *MD_RESTRICT hr, const real_t *MD_RESTRICT hi, real_t *MD_RESTRICT fr,
                         real_t *MD_RESTRICT fi) {
  for (int j = 0; j <= twojmax; j++) {
    const real_t *lr = hr + idxuh_block[j], *li = hi + idxuh_block[j];
    real_t *outr = fr + idxu_block[j], *outi = fi + idxu_block[j];
    for (int mb = 0; mb <= j; mb++)
      for (int ma = 0; ma <= j; ma++) {
        const int o = mb * (j + 1) + ma;
        if (2 * mb <= j) {
          outr[o] = lr[o];
          outi[o] = li[o];
        } else {
          const int src = (j - mb) * (j + 1) + (j - ma);
          const real_t s = ((ma + mb) & 1) ? -1.0 : 1.0;
          outr[o] = s * lr[src];
          outi[o] = -s * li[src];
        }
      }
  }
}

/* All layers of U for one neighbour with Cayley-Klein parameters ck (snap_ck.h), half layout. */
MD_HD void snap_u_pair(int twojmax, const int *MD_RESTRICT idxuh_block, const real_t *MD_RESTRICT rootpq,
                       const real_t *MD_RESTRICT ck, real_t *MD_RESTRICT ur, real_t *MD_RESTRICT ui) {
  ur[0] = 1.0;
  ui[0] = 0.0;
  for (int j = 1; j <= twojmax; j++) {
    const real_t *pr = ur + idxuh_block[j - 1], *pi = ui + idxuh_block[j - 1];
    real_t *cr = ur + idxuh_block[j], *ci = ui + idxuh_block[j];
    for (int mb = 0; 2 * mb <= j; mb++)
      for (int ma = 0; ma <= j; ma++) {
        const snap_usrc s = snap_u_source(rootpq, j, ma, mb);
        const real_t u1r = s.o1 >= 0 ? s.m1r * pr[s.o1] : 0.0, u1i = s.o1 >= 0 ? s.m1i * pi[s.o1] : 0.0;
        const real_t u2r = s.o2 >= 0 ? s.m2r * pr[s.o2] : 0.0, u2i = s.o2 >= 0 ? s.m2i * pi[s.o2] : 0.0;
        snap_u_elem(s.ca, s.cb, ck[0], ck[1], ck[2], ck[3], u1r, u1i, u2r, u2i, &cr[mb * (j + 1) + ma],
                    &ci[mb * (j + 1) + ma]);
      }
  }
}

/* Reverse pass for one neighbour: G = sum_half Re(conj(Yw) u) and bar = dG/d(Re a, Im a, Re b, Im b), given
 * the neighbour's U (half layout, from snap_u_pair) and Yw (half layout, weights folded in).
 * scratch: 4 * SNAP_MAX_HALF_LAYER reals. */
MD_HD void snap_u_adjoint_pair(int twojmax, const int *MD_RESTRICT idxuh_block, const real_t *MD_RESTRICT rootpq,
                               const real_t *MD_RESTRICT ck, const real_t *MD_RESTRICT ur,
                               const real_t *MD_RESTRICT ui, const real_t *MD_RESTRICT yr,
                               const real_t *MD_RESTRICT yi, real_t *MD_RESTRICT scratch, real_t *MD_RESTRICT g,
                               real_t *MD_RESTRICT bar) {
  real_t gsum = 0.0;
  for (int h = 0; h < idxuh_block[twojmax] + (twojmax / 2 + 1) * (twojmax + 1); h++) gsum += yr[h] * ur[h] + yi[h] * ui[h];
  *g = gsum;
  bar[0] = bar[1] = bar[2] = bar[3] = 0.0;
  real_t *tr = scratch, *ti = scratch + SNAP_MAX_HALF_LAYER;                            /* adjoint of layer j */
  real_t *pr = scratch + 2 * SNAP_MAX_HALF_LAYER, *pi = scratch + 3 * SNAP_MAX_HALF_LAYER; /* layer j-1 */
  {
    const int nj = (twojmax / 2 + 1) * (twojmax + 1);
    for (int e = 0; e < nj; e++) {
      tr[e] = yr[idxuh_block[twojmax] + e];
      ti[e] = yi[idxuh_block[twojmax] + e];
    }
  }
  for (int j = twojmax; j >= 1; j--) {
    const int np = ((j - 1) / 2 + 1) * j;
    const real_t *u1r = ur + idxuh_block[j - 1], *u1i = ui + idxuh_block[j - 1];
    for (int e = 0; e < np; e++) {
      pr[e] = yr[idxuh_block[j - 1] + e];
      pi[e] = yi[idxuh_block[j - 1] + e];
    }
    for (int mb = 0; 2 * mb <= j; mb++)
      for (int ma = 0; ma <= j; ma++) {
        const snap_usrc s = snap_u_source(rootpq, j, ma, mb);
        const real_t v1r = s.o1 >= 0 ? s.m1r * u1r[s.o1] : 0.0, v1i = s.o1 >= 0 ? s.m1i * u1i[s.o1] : 0.0;
        const real_t v2r = s.o2 >= 0 ? s.m2r * u1r[s.o2] : 0.0, v2i = s.o2 >= 0 ? s.m2i * u1i[s.o2] : 0.0;
        real_t d1r, d1i, d2r, d2i;
        snap_u_elem_adj(s.ca, s.cb, ck[0], ck[1], ck[2], ck[3], v1r, v1i, v2r, v2i, tr[mb * (j + 1) + ma],
                        ti[mb * (j + 1) + ma], &d1r, &d1i, &d2r, &d2i, &bar[0], &bar[1], &bar[2], &bar[3]);
        /* the value read was (m_r Re, m_i Im) of the stored entry: its adjoint is (m_r d_r, m_i d_i) */
        if (s.o1 >= 0) {
          pr[s.o1] += s.m1r * d1r;
          pi[s.o1] += s.m1i * d1i;
        }
        if (s.o2 >= 0) {
          pr[s.o2] += s.m2r * d2r;
          pi[s.o2] += s.m2i * d2i;
        }
      }
    real_t *t;
    t = tr, tr = pr, pr = t;
    t = ti, ti = pi, pi = t;
  }
}

#endif
