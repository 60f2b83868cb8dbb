/* snap_gpu_chain.h — the U recursion of SNAP by chains, forward (U_tot) and reverse (G, dG/d(a, b)), for the
 * GPU kernels (kernels/snap_gpu_body.h explains the decomposition).
 *
 * Chain MB of one pair runs row 0 from u_0 = 1 to layer MB, bends it into row MB of layer MB by the inversion
 * symmetry, and continues row MB up to layer TJ; it owns the half-layout entries of row MB in layers
 * j >= 2 MB. Every step is snap_u_elem (forward) or snap_u_elem_adj_v (reverse), the leaves of the CPU's
 * whole-layer recursion (src/math/snap_u.h); only the order differs. */
#ifndef ESNAP_SNAP_GPU_CHAIN_H
#define ESNAP_SNAP_GPU_CHAIN_H

#include "math/snap_u.h"
#include "snap_gpu_layout.h"

/* ---------------------------------------------------------------------------------------------------------
 * Chains (see the file comment). rpq = rootpq (sqrt(p/q) at p * SNAP_RPQ_LD + q); on the GPU it is a
 * __constant__ table and every index below is a compile-time constant after unrolling. */

/* Row mb of layer mb from row 0 of layer mb, in place: new[c] = (-1)^(c+mb) conj(old[mb-c]). */
template <int TJ, int MB>
MD_HD void snap_chain_bend(real_t *MD_RESTRICT cr, real_t *MD_RESTRICT ci) {
  real_t tr[MB + 1], ti[MB + 1];
  SNAP_UNROLL for (int c = 0; c <= MB; c++) {
    tr[c] = cr[c];
    ti[c] = ci[c];
  }
  SNAP_UNROLL for (int c = 0; c <= MB; c++) {
    const real_t s = snap_u_mirror_sign(c, MB);
    cr[c] = s * tr[MB - c];
    ci[c] = -s * ti[MB - c];
  }
}

/* One layer j >= 1 of chain MB, in place (row j-1 in, row j out): row 0 coefficients while j <= MB. */
template <int TJ, int MB>
MD_HD void snap_chain_layer(const real_t *MD_RESTRICT rpq, int j, real_t ar, real_t ai, real_t br, real_t bi,
                            real_t *MD_RESTRICT cr, real_t *MD_RESTRICT ci) {
  const int q0 = j <= MB ? j : j - MB; /* j - mb of the row computed at this layer */
  SNAP_UNROLL for (int ma = TJ; ma >= 0; ma--) {
    if (ma > j) continue;
    const real_t ca = ma < j ? rpq[(j - ma) * SNAP_RPQ_LD + q0] : 0.0;
    const real_t cb = ma > 0 ? rpq[ma * SNAP_RPQ_LD + q0] : 0.0;
    const int m1 = ma < j ? ma : 0, m2 = ma > 0 ? ma - 1 : 0;
    const real_t u1r = ma < j ? cr[m1] : 0.0, u1i = ma < j ? ci[m1] : 0.0;
    const real_t u2r = ma > 0 ? cr[m2] : 0.0, u2i = ma > 0 ? ci[m2] : 0.0;
    snap_u_elem(ca, cb, ar, ai, br, bi, u1r, u1i, u2r, u2i, &cr[ma], &ci[ma]);
  }
}

/* Accumulator index of owned entry (j, ma) of chain MB: the chain's own list (registers) or the full layout
 * (global memory). */
template <int MB, bool REG>
MD_HD int snap_chain_acc_index(int j, int ma) {
  return REG ? snap_c_owned(MB, j) + ma : snap_c_ublock(j) + MB * (j + 1) + ma;
}

/* ui, chain MB of atom i: U_tot entries of row MB (layers j >= 2 MB) = self + sum_n s_n u_n, written to the
 * full layout (and their mirrored entries). The accumulators are owned by this thread: registers (REG) or the
 * entries of the output array. */
template <int TJ, int MB, bool REG>
MD_HD void snap_chain_ui(const snap_gpu_tab &T, const snap_gpu_work &W, const real_t *MD_RESTRICT rpq, int i) {
  const size_t nt = (size_t)W.ntot, P = W.P;
  constexpr int NO = REG ? snap_c_nowned(TJ, MB) : 1;
  real_t lr[NO], li[NO];
  real_t *MD_RESTRICT accr = REG ? lr : W.ufr + i;
  real_t *MD_RESTRICT acci = REG ? li : W.ufi + i;
  const size_t ld = REG ? 1 : nt;
  SNAP_UNROLL for (int j = 2 * MB; j <= TJ; j++) SNAP_UNROLL for (int ma = 0; ma <= TJ; ma++) {
      if (ma > j) continue;
      const size_t o = (size_t)snap_chain_acc_index<MB, REG>(j, ma) * ld;
      accr[o] = 0.0;
      acci[o] = 0.0;
    }
  const int cnt = W.cnt[i];
  for (int n = 0; n < cnt; n++) {
    const size_t q = (size_t)n * nt + i;
    const real_t ar = W.pck[q], ai = W.pck[P + q], br = W.pck[2 * P + q], bi = W.pck[3 * P + q], sw = W.psw[q];
    real_t cr[TJ + 1], ci[TJ + 1];
    cr[0] = 1.0;
    ci[0] = 0.0;
    if (MB == 0) accr[(size_t)snap_chain_acc_index<MB, REG>(0, 0) * ld] += sw; /* u_0 = 1 */
    SNAP_UNROLL for (int j = 1; j <= TJ; j++) {
      snap_chain_layer<TJ, MB>(rpq, j, ar, ai, br, bi, cr, ci);
      if (j == MB) snap_chain_bend<TJ, MB>(cr, ci);
      if (j >= 2 * MB) {
        SNAP_UNROLL for (int ma = 0; ma <= TJ; ma++) {
          if (ma > j) continue;
          const size_t o = (size_t)snap_chain_acc_index<MB, REG>(j, ma) * ld;
          accr[o] += sw * cr[ma];
          acci[o] += sw * ci[ma];
        }
      }
    }
  }
  /* self term on the diagonal, full layout: the entry and, for rows 2 mb < j, its mirror */
  real_t *MD_RESTRICT ufr = W.ufr + i, *MD_RESTRICT ufi = W.ufi + i;
  SNAP_UNROLL for (int j = 2 * MB; j <= TJ; j++) SNAP_UNROLL for (int ma = 0; ma <= TJ; ma++) {
      if (ma > j) continue;
      const size_t o = (size_t)snap_chain_acc_index<MB, REG>(j, ma) * ld;
      const real_t vr = accr[o] + (ma == MB ? T.wself : 0.0), vi = acci[o];
      const size_t hf = (size_t)(snap_c_ublock(j) + MB * (j + 1) + ma) * nt;
      ufr[hf] = vr;
      ufi[hf] = vi;
      if (2 * MB < j) {
        real_t mr, mi;
        snap_u_full_source(j, j - ma, j - MB, &mr, &mi); /* = (s, -s); its source is (ma, MB) */
        const size_t hm = (size_t)(snap_c_ublock(j) + (j - MB) * (j + 1) + (j - ma)) * nt;
        ufr[hm] = mr * vr;
        ufi[hm] = mi * vi;
      }
    }
}

/* deidrj, chain MB of one pair: out = (G, dG/dRe a, dG/dIm a, dG/dRe b, dG/dIm b) of
 * G = sum over the chain's owned entries of Re(conj(Yw) u), by the forward chain (rows of layers < TJ kept)
 * and its adjoint (snap_u_elem_adj_v, the leaf of the CPU's reverse pass). Yw of the atom at yr[h * ld]. */
template <int TJ, int MB>
MD_HD void snap_chain_adj(const real_t *MD_RESTRICT rpq, real_t ar, real_t ai, real_t br, real_t bi,
                          const real_t *MD_RESTRICT yr, const real_t *MD_RESTRICT yi, size_t ld,
                          real_t *MD_RESTRICT out) {
  constexpr int NS = snap_c_nstore(TJ) + 1;
  real_t sr[NS], si[NS];      /* row of layer j (before the bend) at j (j+1)/2 + c, j < TJ */
  real_t cr[TJ + 1], ci[TJ + 1];
  real_t g = 0.0, abr = 0.0, abi = 0.0, bbr = 0.0, bbi = 0.0;
  cr[0] = 1.0;
  ci[0] = 0.0;
  sr[0] = 1.0;
  si[0] = 0.0;
  SNAP_UNROLL for (int j = 1; j <= TJ; j++) {
    snap_chain_layer<TJ, MB>(rpq, j, ar, ai, br, bi, cr, ci);
    if (j < TJ) {
      SNAP_UNROLL for (int c = 0; c <= TJ; c++) {
        if (c > j) continue;
        sr[j * (j + 1) / 2 + c] = cr[c];
        si[j * (j + 1) / 2 + c] = ci[c];
      }
    }
    if (j == MB) snap_chain_bend<TJ, MB>(cr, ci);
  }
  /* seed: layer TJ (owned: TJ >= 2 MB); t = adjoint of the current row, in place */
  real_t tr[TJ + 1], ti[TJ + 1];
  SNAP_UNROLL for (int c = 0; c <= TJ; c++) {
    const size_t h = (size_t)(snap_c_uhblock(TJ) + MB * (TJ + 1) + c) * ld;
    tr[c] = yr[h];
    ti[c] = yi[h];
    g += yr[h] * cr[c] + yi[h] * ci[c];
  }
  SNAP_UNROLL for (int j = TJ; j >= 1; j--) {
    if (j == MB) { /* adjoint of the bend: row0bar[MB-c] = s_c conj(rowbar[c]) */
      real_t xr[TJ + 1], xi[TJ + 1];
      SNAP_UNROLL for (int c = 0; c <= TJ; c++) {
        xr[c] = tr[c];
        xi[c] = ti[c];
      }
      SNAP_UNROLL for (int c = 0; c <= MB; c++) {
        const real_t s = snap_u_mirror_sign(c, MB);
        tr[MB - c] = s * xr[c];
        ti[MB - c] = -s * xi[c];
      }
    }
    const int q0 = j <= MB ? j : j - MB;
    const bool bent = MB > 0 && j - 1 == MB; /* the input row of layer j is the bent row MB of layer MB */
    const bool owned = j - 1 >= 2 * MB;
    SNAP_UNROLL for (int c = 0; c <= TJ; c++) {
      if (c >= j) continue;
      /* v = row of layer j-1 as read by layer j */
      real_t vr, vi;
      if (bent) {
        const real_t s = snap_u_mirror_sign(c, MB);
        const int o = (j - 1) * j / 2 + (MB - (c <= MB ? c : 0));
        vr = s * sr[o];
        vi = -s * si[o];
      } else {
        vr = sr[(j - 1) * j / 2 + c];
        vi = si[(j - 1) * j / 2 + c];
      }
      real_t dr, di;
      snap_u_elem_adj_v(rpq[(j - c) * SNAP_RPQ_LD + q0], rpq[(c + 1) * SNAP_RPQ_LD + q0], ar, ai, br, bi, vr, vi,
                        tr[c], ti[c], tr[c + 1], ti[c + 1], &dr, &di, &abr, &abi, &bbr, &bbi);
      if (owned) {
        const size_t h = (size_t)(snap_c_uhblock(j - 1) + MB * j + c) * ld;
        g += yr[h] * vr + yi[h] * vi;
        dr += yr[h];
        di += yi[h];
      }
      tr[c] = dr;
      ti[c] = di;
    }
  }
  out[0] = g;
  out[1] = abr;
  out[2] = abi;
  out[3] = bbr;
  out[4] = bbi;
}

/* Run chain mb (0 <= mb <= TJ/2) of a template over MB, chosen at run time (warp-uniform on the GPU). */
template <int TJ, int MB>
struct snap_chain_dispatch {
  MD_HD void ui(int mb, const snap_gpu_tab &T, const snap_gpu_work &W, const real_t *rpq, int i) {
    if (mb == MB)
      snap_chain_ui<TJ, MB, snap_c_ui_reg(TJ)>(T, W, rpq, i);
    else
      snap_chain_dispatch<TJ, MB - 1>::ui(mb, T, W, rpq, i);
  }
  MD_HD void adj(int mb, const real_t *rpq, real_t ar, real_t ai, real_t br, real_t bi, const real_t *yr,
                 const real_t *yi, size_t ld, real_t *out) {
    if (mb == MB)
      snap_chain_adj<TJ, MB>(rpq, ar, ai, br, bi, yr, yi, ld, out);
    else
      snap_chain_dispatch<TJ, MB - 1>::adj(mb, rpq, ar, ai, br, bi, yr, yi, ld, out);
  }
};
template <int TJ>
struct snap_chain_dispatch<TJ, -1> {
  MD_HD void ui(int, const snap_gpu_tab &, const snap_gpu_work &, const real_t *, int) {}
  MD_HD void adj(int, const real_t *, real_t, real_t, real_t, real_t, const real_t *, const real_t *, size_t,
                 real_t *) {}
};

#endif
