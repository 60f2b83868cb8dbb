/* snap_gpu_body.h — the per-thread work of every SNAP CUDA kernel (kernels/snap_gpu.cu), written as MD_HD
 * functions of the thread's indices so that the same code runs on the GPU and, driven by CPU loops over the
 * launch grid, in the CPU emulation tests (tests/test_snap_gpu_emul.cpp). C++ only (templates); no CUDA types.
 * Maths and index conventions: src/math/snap.h; leaf formulas: src/math/snap_*.h; design: kernels/NOTES.md.
 *
 * Layout (all arrays [component][entry][atom], atom fastest, so that a warp of 32 consecutive atoms reads
 * coalesced): ntot atoms of all systems, compact pair slots n < cnt[i] <= maxnbr of atom i at q = n ntot + i,
 * P = maxnbr ntot slots per component.
 *
 * Stages (kernel — thread index space):
 *   pairs   — atom:                 neighbours inside their pair cutoff, compacted in list order
 *   ck      — pair:                 Cayley-Klein a, b and s_n = w f_c; the slot of the reverse pair in j's list
 *   ui      — (atom, chain):        U_tot (self term included), full layout, by chains (below); atoms ordered by
 *                                   pair count inside a block of 128
 *   yi      — (atom, Y entry):      Yw = sum betaz Z, Z computed on the fly and never stored
 *   deidrj  — (pair, chain):        G and dG/d(a, b) per pair (adjoint of the chain), then per pair
 *                                   dE_i/dr_n = s' r̂ G + s ∇G (block combine over the chains)
 *   atom    — atom:                 F_i = sum_n dE_i/dr_n - sum_n dE_n/dr_i (gather, no atomics), W_i, E_i
 *   sys     — (system, thread):     E and W per system, fixed-order sums
 *   bi      — (atom, k):            B_k on request (Z recomputed)
 *
 * Chains. In the recursion u_j(ma, mb) = sqrt((j-ma)/(j-mb)) conj(a) u_{j-1}(ma, mb)
 *                                       - sqrt(ma/(j-mb)) conj(b) u_{j-1}(ma-1, mb)
 * row mb of layer j needs only row mb of layer j-1 (mb < j). Chain mb (0 <= mb <= twojmax/2) therefore runs
 * row 0 from u_0 = 1 up to layer mb, turns it into row mb of layer mb by the inversion symmetry
 * (u_mb(c, mb) = (-1)^(c+mb) conj(u_mb(mb-c, 0))), and continues row mb up to layer twojmax; it owns the
 * half-layout entries of row mb in layers j >= 2 mb. A thread's state is one row (<= twojmax+1 complex
 * numbers) in registers; every loop is unrolled at compile time (template <TJ, MB>, up to twojmax
 * snap_gpu_unroll_max) so that no array is indexed at run time. The forces use the reverse (adjoint) pass through the same chain with the rows of
 * layers < TJ kept (registers for small TJ). Chains of all pairs cost (TJ/2+1) sum_{j=1}^{TJ} (j+1) entries
 * instead of the idxuh_max - 1 of a whole-layer recursion (108 vs 77 at twojmax 6). */
#ifndef ESNAP_SNAP_GPU_BODY_H
#define ESNAP_SNAP_GPU_BODY_H

#include <stddef.h>

#include <algorithm>
#include <vector>

#include "math/pbc.h"
#include "snap_gpu_chain.h"
#include "snap_gpu_layout.h"

/* ---------------------------------------------------------------------------------------------------------
 * pairs: thread per atom i. Same test and the same arithmetic as the CPU backend (host/ff/snap_cpu.c). */
MD_HD void snap_kern_pairs(const snap_gpu_tab &T, const snap_gpu_work &W, int i) {
  if (kern_halted(W.halt)) return;
  if (i >= W.ntot) return;
  const size_t n = (size_t)W.ntot, P = W.P;
  const int ti = W.type[i];
  const real_t *h = W.box + 18 * (size_t)W.atom_sys[i];
  const real_t xi = W.pos[i], yi = W.pos[n + i], zi = W.pos[2 * n + i];
  const int num = W.num[i];
  int c = 0;
  SNAP_UNROLL4 for (int k = 0; k < num; k++) {
    const size_t e = (size_t)k * n + i;
    const int j = W.lj[e], img = W.limg[e];
    real_t d[3] = {0.0, 0.0, 0.0};
    if (img != PBC_IMG_ZERO) pbc_image_shift(h, img, d);
    const real_t dx = W.pos[j] + d[0] - xi, dy = W.pos[n + j] + d[1] - yi, dz = W.pos[2 * n + j] + d[2] - zi;
    const real_t rsq = dx * dx + dy * dy + dz * dz;
    if (rsq < T.rcutsq[ti * MD_MAX_ELEM + W.type[j]] && rsq > 1e-20) {
      const size_t q = (size_t)c * n + i;
      W.pj[q] = j;
      W.pimg[q] = img;
      W.pr[q] = dx;
      W.pr[P + q] = dy;
      W.pr[2 * P + q] = dz;
      c++;
    }
  }
  W.cnt[i] = c;
}

/* Geometry of slot q of atom i: r, the pair cutoff, rscale0 and tan θ0 as the CPU backend computes them. */
MD_HD void snap_pair_geom(const snap_gpu_tab &T, const snap_gpu_work &W, int i, size_t q, real_t *r, real_t *rc,
                          real_t *rscale0, real_t *tan0, int *tj) {
  const real_t dx = W.pr[q], dy = W.pr[W.P + q], dz = W.pr[2 * W.P + q];
  *tj = W.type[W.pj[q]];
  *rc = T.rcut[W.type[i] * MD_MAX_ELEM + *tj];
  *r = sqrt(dx * dx + dy * dy + dz * dz);
  *rscale0 = snap_theta0_scale(T.rfac0, T.rmin0, *rc);
  *tan0 = tan((*r - T.rmin0) * *rscale0);
}

/* ---------------------------------------------------------------------------------------------------------
 * Pairs of a block of 32 atoms a0 .. a0+31, numbered p = 0 .. total-1 atom by atom, so that per-pair kernels
 * give every lane a pair (Li has ~29 pairs, N ~54 in Li3N: lanes = atoms would idle a third of the time).
 * ints: cnt[32], then off[33] (off[l] = pairs of atoms a0 .. a0+l-1, off[32] = total), in shared memory. */
enum { SNAP_GPU_BLK_INTS = 3 * SNAP_GPU_LANES + 1 };

MD_HD void snap_blk_count(const snap_gpu_work &W, int a0, int lane, int *ints) {
  const int i = a0 + lane;
  ints[lane] = i < W.ntot ? W.cnt[i] : 0;
}

MD_HD void snap_blk_prefix(int *ints) {
  int *off = ints + SNAP_GPU_LANES;
  off[0] = 0;
  for (int l = 0; l < SNAP_GPU_LANES; l++) off[l + 1] = off[l] + ints[l];
}

/* atom (a0 + *l) and slot *n of the block's pair p < off[32] */
MD_HD void snap_blk_pair_of(const int *ints, int p, int *l, int *n) {
  const int *off = ints + SNAP_GPU_LANES;
  int lo = 0, hi = SNAP_GPU_LANES - 1; /* largest l with off[l] <= p */
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (off[mid] <= p)
      lo = mid;
    else
      hi = mid - 1;
  }
  *l = lo;
  *n = p - off[lo];
}

/* ck: one pair (atom i, slot n); the kernel gives each of a block's 128 threads a pair of its 32 atoms
 * (snap_blk_*), chunks of 128 pairs c = blockIdx.y, + gridDim.y, ... */
MD_HD void snap_kern_ck(const snap_gpu_tab &T, const snap_gpu_work &W, int i, int n) {
  if (kern_halted(W.halt)) return;
  if (i >= W.ntot || n >= W.cnt[i]) return;
  const size_t nt = (size_t)W.ntot, P = W.P, q = (size_t)n * nt + i;
  real_t r, rc, rscale0, tan0, s, ds, ck[4], dck[12];
  int tj;
  snap_pair_geom(T, W, i, q, &r, &rc, &rscale0, &tan0, &tj);
  snap_ck_d_tan(W.pr[q], W.pr[P + q], W.pr[2 * P + q], r, rscale0, tan0, ck, dck);
  snap_s_dsfac(r, T.rmin0, rc, T.switchflag, &s, &ds);
  for (int c = 0; c < 4; c++) W.pck[c * P + q] = ck[c];
  W.psw[q] = s * T.weight[tj];
  /* the reverse pair (j -> i, -img) in j's compact list */
  const int j = W.pj[q];
  int na, nb, nc;
  pbc_unpack_image(W.pimg[q], &na, &nb, &nc);
  const int back = pbc_pack_image(-na, -nb, -nc), cj = W.cnt[j];
  int rev = -1;
  SNAP_UNROLL4 for (int m = 0; m < cj; m++) {
    const size_t q2 = (size_t)m * nt + j;
    if (W.pj[q2] == i && W.pimg[q2] == back) {
      rev = m;
      break;
    }
  }
  W.prev[q] = rev;
}

/* ui: thread (atom i, chain mb); block = 128 atoms a0 .. a0+127 of one chain, grid (atoms/128, TJ/2+1). A
 * thread's time is its atom's pair count (Li ~29, N ~54 in Li3N), so the block hands its atoms to threads by
 * decreasing count (ties by index): each warp then gets atoms of similar counts. Every atom's sums are the
 * same whichever thread does them. ints (shared): counts [128] (-1 past the end), then the order [128].
 *   phase 0 (every thread)  snap_ui_count     phase 1 (every thread)  snap_ui_rank
 *   phase 2                 snap_kern_ui(atom a0 + ints[128 + t]) */
enum { SNAP_GPU_UI_ATOMS = 128 };

MD_HD void snap_ui_count(const snap_gpu_work &W, int a0, int t, int *ints) {
  const int i = a0 + t;
  ints[t] = i < W.ntot ? W.cnt[i] : -1;
}

MD_HD void snap_ui_rank(int t, int *ints) {
  const int c = ints[t];
  int r = 0;
  for (int u = 0; u < SNAP_GPU_UI_ATOMS; u++) r += ints[u] > c || (ints[u] == c && u < t);
  ints[SNAP_GPU_UI_ATOMS + r] = t;
}

template <int TJ>
MD_HD void snap_kern_ui(const snap_gpu_tab &T, const snap_gpu_work &W, const real_t *rpq, int i, int mb) {
  if (kern_halted(W.halt)) return;
  if (i >= W.ntot) return;
  snap_chain_dispatch<TJ, TJ / 2>::ui(mb, T, W, rpq, i);
}

/* ---------------------------------------------------------------------------------------------------------
 * yi: thread (atom i, entries e0, e0 + estride, ... of y_order). Z is computed on the fly, in the CPU's jjz
 * order for each half entry. */
MD_HD void snap_kern_yi(const snap_gpu_tab &T, const snap_gpu_work &W, int i, int e0, int estride) {
  if (kern_halted(W.halt)) return;
  if (i >= W.ntot) return;
  const size_t nt = (size_t)W.ntot;
  const real_t *MD_RESTRICT bz = T.betaz + (size_t)W.type[i] * T.idxz_max;
  for (int e = e0; e < T.idxuh_max; e += estride) {
    const int h = T.y_order[e];
    real_t yr = 0.0, yi = 0.0;
    for (int k = T.y_off[h]; k < T.y_off[h + 1]; k++) {
      const int jjz = T.y_jjz[k];
      real_t zr, zi;
      snap_z_entry_ls(T.idxz + (size_t)jjz * SNAP_IZ_NF, T.cglist, 1, nt, W.ufr + i, W.ufi + i, &zr, &zi);
      yr += bz[jjz] * zr;
      yi += bz[jjz] * zi;
    }
    W.yr[(size_t)h * nt + i] = yr;
    W.yi[(size_t)h * nt + i] = yi;
  }
}

/* ---------------------------------------------------------------------------------------------------------
 * deidrj: block (32 atoms a0 .. a0+31, TJ/2+1 chains), the block's pairs in chunks of 32 (snap_blk_*), chunk
 * c = blockIdx.y, + gridDim.y, ...: lane k of every chain works on pair 32 c + k. Shared memory:
 * sh[(mb 5 + c) 32 + lane] partials (reals), then the block's pair counts and offsets (snap_deidrj_ints).
 *   phase 0 (threads of chain 0)  snap_blk_count
 *   phase 1 (thread 0)            snap_blk_prefix
 *   per chunk: chains             snap_kern_deidrj_chain, then chain 0: snap_kern_deidrj_finish */
MD_HD int *snap_deidrj_ints(real_t *sh, int nch) { return (int *)(sh + (size_t)nch * 5 * SNAP_GPU_LANES); }

/* chain mb of the block's pair p (inactive when p >= total: zeros) */
template <int TJ>
MD_HD void snap_kern_deidrj_chain(const snap_gpu_work &W, const real_t *rpq, int a0, int p, int mb, int lane,
                                  real_t *sh, int nch) {
  if (kern_halted(W.halt)) return;
  const int *ints = snap_deidrj_ints(sh, nch);
  real_t out[5] = {0.0, 0.0, 0.0, 0.0, 0.0};
  if (p < ints[2 * SNAP_GPU_LANES]) {
    int l, n;
    snap_blk_pair_of(ints, p, &l, &n);
    const size_t nt = (size_t)W.ntot, P = W.P, i = (size_t)(a0 + l), q = (size_t)n * nt + i;
    snap_chain_dispatch<TJ, TJ / 2>::adj(mb, rpq, W.pck[q], W.pck[P + q], W.pck[2 * P + q], W.pck[3 * P + q],
                                         W.yr + i, W.yi + i, nt, out);
  }
  for (int c = 0; c < 5; c++) sh[(mb * 5 + c) * SNAP_GPU_LANES + lane] = out[c];
}

/* dE_i/dr_n of slot q from G and dG/d(ck) (the CPU's atom_forces step), into pf; a pair without a reverse
 * pair in j's list (possible only when rounding puts |r| exactly at the cutoff on one side) is an orphan: its
 * force on j is added here atomically, since j's gather will not see it. */
MD_HD void snap_pair_force(const snap_gpu_tab &T, const snap_gpu_work &W, int i, size_t q, real_t g, const real_t *bar) {
  real_t r, rc, rscale0, tan0, s, ds, ck[4], dck[12], dedr[3];
  int tj;
  const real_t dx = W.pr[q], dy = W.pr[W.P + q], dz = W.pr[2 * W.P + q];
  snap_pair_geom(T, W, i, q, &r, &rc, &rscale0, &tan0, &tj);
  snap_ck_d_tan(dx, dy, dz, r, rscale0, tan0, ck, dck);
  snap_s_dsfac(r, T.rmin0, rc, T.switchflag, &s, &ds);
  const real_t rinv = 1.0 / r;
  snap_dedr(g, bar, dck, s * T.weight[tj], ds * T.weight[tj], dx * rinv, dy * rinv, dz * rinv, dedr);
  for (int c = 0; c < 3; c++) W.pf[c * W.P + q] = dedr[c];
  if (W.prev[q] < 0) {
    const size_t j = (size_t)W.pj[q];
    for (int c = 0; c < 3; c++) snap_atomic_add(&W.force[c * (size_t)W.ntot + j], -dedr[c]);
  }
}

MD_HD void snap_kern_deidrj_finish(const snap_gpu_tab &T, const snap_gpu_work &W, int a0, int p, int lane,
                                   int nch, const real_t *sh) {
  if (kern_halted(W.halt)) return;
  const int *ints = snap_deidrj_ints((real_t *)sh, nch);
  if (p >= ints[2 * SNAP_GPU_LANES]) return;
  int l, n;
  snap_blk_pair_of(ints, p, &l, &n);
  real_t s[5];
  for (int c = 0; c < 5; c++) {
    s[c] = 0.0;
    for (int mb = 0; mb < nch; mb++) s[c] += sh[(mb * 5 + c) * SNAP_GPU_LANES + lane];
  }
  snap_pair_force(T, W, a0 + l, (size_t)n * W.ntot + a0 + l, s[0], s + 1);
}

/* ---------------------------------------------------------------------------------------------------------
 * Reference path (thread per atom, the CPU's per-pair leaf drivers; slow, obviously correct). Scratch per
 * atom (scr + i scr_ld): U_tot half [2 nh], U of one pair [2 nh], Yw [2 nh], adjoint layers
 * [4 SNAP_MAX_HALF_LAYER]. */
inline size_t snap_gpu_ref_scratch(int idxuh_max) { return 6 * (size_t)idxuh_max + 4 * SNAP_MAX_HALF_LAYER; }

MD_HD void snap_kern_ui_ref(const snap_gpu_tab &T, const snap_gpu_work &W, int i) {
  if (kern_halted(W.halt)) return;
  if (i >= W.ntot) return;
  const int nh = T.idxuh_max, tj = T.twojmax;
  const size_t nt = (size_t)W.ntot, P = W.P;
  real_t *uhr = W.scr + (size_t)i * W.scr_ld, *uhi = uhr + nh, *upr = uhi + nh, *upi = upr + nh;
  for (int h = 0; h < nh; h++) uhr[h] = uhi[h] = 0.0;
  for (int n = 0; n < W.cnt[i]; n++) {
    const size_t q = (size_t)n * nt + i;
    const real_t ck[4] = {W.pck[q], W.pck[P + q], W.pck[2 * P + q], W.pck[3 * P + q]}, sw = W.psw[q];
    snap_u_pair(nh, T.ufw_src, T.ufw_coef, ck, upr, upi);
    for (int h = 0; h < nh; h++) {
      uhr[h] += sw * upr[h];
      uhi[h] += sw * upi[h];
    }
  }
  snap_u_add_self(tj, T.idxuh_block, T.wself, 1, uhr);
  for (int j = 0; j <= tj; j++)
    for (int mb = 0; mb <= j; mb++)
      for (int ma = 0; ma <= j; ma++) {
        real_t mr, mi;
        const int src = T.idxuh_block[j] + snap_u_full_source(j, ma, mb, &mr, &mi);
        const size_t hf = (size_t)(T.idxu_block[j] + mb * (j + 1) + ma) * nt + i;
        W.ufr[hf] = mr * uhr[src];
        W.ufi[hf] = mi * uhi[src];
      }
}

MD_HD void snap_kern_deidrj_ref(const snap_gpu_tab &T, const snap_gpu_work &W, int i) {
  if (kern_halted(W.halt)) return;
  if (i >= W.ntot) return;
  const int nh = T.idxuh_max;
  const size_t nt = (size_t)W.ntot, P = W.P;
  real_t *upr = W.scr + (size_t)i * W.scr_ld + 2 * nh, *upi = upr + nh, *ycr = upi + nh, *yci = ycr + nh;
  real_t *adj = yci + nh;
  for (int h = 0; h < nh; h++) {
    ycr[h] = W.yr[(size_t)h * nt + i];
    yci[h] = W.yi[(size_t)h * nt + i];
  }
  const int ti = W.type[i];
  for (int n = 0; n < W.cnt[i]; n++) {
    const size_t q = (size_t)n * nt + i;
    const real_t ck[4] = {W.pck[q], W.pck[P + q], W.pck[2 * P + q], W.pck[3 * P + q]};
    snap_u_pair(nh, T.ufw_src, T.ufw_coef, ck, upr, upi);
    const int tj = W.type[W.pj[q]];
    real_t dedr[3];
    snap_deidrj_pair(T.twojmax, T.idxuh_block, T.uadj_src, T.uadj_coef, W.pr[q], W.pr[P + q], W.pr[2 * P + q],
                     T.rcut[ti * MD_MAX_ELEM + tj], T.rfac0, T.rmin0, T.switchflag, T.weight[tj], upr, upi, ycr, yci,
                     adj, dedr);
    for (int c = 0; c < 3; c++) W.pf[c * P + q] = dedr[c];
    if (W.prev[q] < 0)
      for (int c = 0; c < 3; c++) snap_atomic_add(&W.force[c * nt + W.pj[q]], -dedr[c]);
  }
}

/* ---------------------------------------------------------------------------------------------------------
 * atom: thread per atom. F_i = sum_n dE_i/dr_n - sum_n dE_n/dr_i (reverse slots; orphans were added by
 * deidrj), W_i = -sum_n r_n (x) dE_i/dr_n, E_i = e0 + (1/3) sum_half Re(conj(Yw) U_tot). */
MD_HD void snap_kern_atom(const snap_gpu_tab &T, const snap_gpu_work &W, int i) {
  if (kern_halted(W.halt)) return;
  if (i >= W.ntot) return;
  const size_t nt = (size_t)W.ntot, P = W.P;
  const int cnt = W.cnt[i];
  real_t f[3] = {0.0, 0.0, 0.0}, vir[9] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  for (int n = 0; n < cnt; n++) {
    const size_t q = (size_t)n * nt + i;
    const real_t d[3] = {W.pf[q], W.pf[P + q], W.pf[2 * P + q]};
    const real_t r[3] = {W.pr[q], W.pr[P + q], W.pr[2 * P + q]};
    for (int a = 0; a < 3; a++) {
      f[a] += d[a];
      for (int b = 0; b < 3; b++) vir[3 * a + b] -= r[a] * d[b];
    }
  }
  for (int n = 0; n < cnt; n++) {
    const size_t q = (size_t)n * nt + i;
    const int rv = W.prev[q];
    if (rv < 0) continue;
    const size_t q2 = (size_t)rv * nt + W.pj[q];
    for (int a = 0; a < 3; a++) f[a] -= W.pf[a * P + q2];
  }
  for (int a = 0; a < 3; a++) W.force[a * nt + i] += f[a];
  for (int c = 0; c < 9; c++) W.vat[c * nt + i] = vir[c];
  const real_t e = snap_atom_energy(T.e0[W.type[i]], T.idxuh_max, T.h2f, nt, W.yr + i, W.yi + i, W.ufr + i, W.ufi + i);
  W.eat[i] = e;
  if (W.eatom) W.eatom[i] = e;
}

/* sys: block per system s, SNAP_GPU_SYS_THREADS threads; part: thread t sums atoms t, t + 256, ... of the
 * system into sh[c 256 + t]; after a barrier, final: thread c < 10 sums sh[c 256 + 0 .. 255] in order and adds
 * it to E_s (c = 0) or W_s (c - 1). */
MD_HD void snap_kern_sys_part(const snap_gpu_work &W, int s, int t, real_t *sh) {
  if (kern_halted(W.halt)) return;
  const int i0 = W.sys_offset[s], i1 = W.sys_offset[s + 1];
  const size_t nt = (size_t)W.ntot;
  for (int c = 0; c < SNAP_GPU_NRED; c++) {
    const real_t *v = c == 0 ? W.eat : W.vat + (size_t)(c - 1) * nt;
    real_t acc = 0.0;
    for (int i = i0 + t; i < i1; i += SNAP_GPU_SYS_THREADS) acc += v[i];
    sh[c * SNAP_GPU_SYS_THREADS + t] = acc;
  }
}

MD_HD void snap_kern_sys_final(const snap_gpu_work &W, int s, int t, const real_t *sh) {
  if (kern_halted(W.halt)) return;
  if (t >= SNAP_GPU_NRED) return;
  real_t acc = 0.0;
  for (int k = 0; k < SNAP_GPU_SYS_THREADS; k++) acc += sh[t * SNAP_GPU_SYS_THREADS + k];
  if (t == 0)
    W.energy[s] += acc;
  else
    W.virial[9 * (size_t)s + t - 1] += acc;
}

/* bi: thread (atom i, component k): B_k - bzero_k into bisp[i nB + k] (atom-major, LAMMPS order). */
MD_HD void snap_kern_bi(const snap_gpu_tab &T, const snap_gpu_work &W, int i, int k) {
  if (kern_halted(W.halt)) return;
  if (i >= W.ntot || k >= T.idxb_max) return;
  const size_t nt = (size_t)W.ntot;
  const int *ib = T.idxb + (size_t)k * SNAP_IB_NF;
  real_t b = 0.0;
  for (int jjz = ib[SNAP_IB_JJZ]; jjz < ib[SNAP_IB_JJZ] + ib[SNAP_IB_NZ]; jjz++) {
    const int *iz = T.idxz + (size_t)jjz * SNAP_IZ_NF;
    real_t zr, zi;
    snap_z_entry_ls(iz, T.cglist, 1, nt, W.ufr + i, W.ufi + i, &zr, &zi);
    const size_t u = (size_t)iz[SNAP_IZ_JJU] * nt + i;
    b += snap_b_term(T.zw[jjz], W.ufr[u], W.ufi[u], zr, zi);
  }
  W.bisp[(size_t)i * T.idxb_max + k] = b - T.bzero_b[k];
}

/* ---------------------------------------------------------------------------------------------------------
 * Host side, shared by the CUDA driver and the emulation. */

/* Grid of one call: blocks of 32 atoms along x; y splits (entries of yi, slots of deidrj) so that small
 * systems still give every multiprocessor work. The results do not depend on the splits. */
typedef struct snap_gpu_plan {
  int nbx;        /* ceil(ntot / 32) */
  int nbu;        /* ui: ceil(ntot / 128) */
  int nch;        /* chains: TJ/2 + 1 */
  int gy;         /* yi: grid y */
  int gd;         /* deidrj: grid y (chunks of 32 pairs) */
  int gck;        /* ck: grid y (chunks of 128 pairs) */
  size_t d_smem;   /* bytes of dynamic shared memory of deidrj and sys */
  size_t sys_smem;
} snap_gpu_plan;

inline snap_gpu_plan snap_gpu_make_plan(int ntot, int maxnbr, int twojmax, int idxuh_max, int nsm) {
  snap_gpu_plan p;
  p.nbx = (ntot + SNAP_GPU_LANES - 1) / SNAP_GPU_LANES;
  p.nbu = (ntot + SNAP_GPU_UI_ATOMS - 1) / SNAP_GPU_UI_ATOMS;
  p.nch = twojmax / 2 + 1;
  const int target = 4 * (nsm > 0 ? nsm : 1), nbx = p.nbx > 0 ? p.nbx : 1;
  const int want = (target + nbx - 1) / nbx;
  p.gy = std::max(1, std::min(want, (idxuh_max + SNAP_GPU_Y_WARPS - 1) / SNAP_GPU_Y_WARPS));
  p.gd = std::max(1, std::min(want, maxnbr)); /* a block has at most 32 maxnbr pairs: maxnbr chunks */
  p.d_smem = (size_t)p.nch * 5 * SNAP_GPU_LANES * sizeof(real_t) + SNAP_GPU_BLK_INTS * sizeof(int);
  p.gck = std::max(1, std::min(want, (SNAP_GPU_LANES * std::max(maxnbr, 1) + SNAP_GPU_CK_THREADS - 1) /
                                         SNAP_GPU_CK_THREADS));
  p.sys_smem = (size_t)SNAP_GPU_NRED * SNAP_GPU_SYS_THREADS * sizeof(real_t);
  return p;
}

/* Tables the GPU adds to host/ff/snap_tables.h. */
typedef struct snap_gpu_extra {
  std::vector<int> y_off, y_jjz, y_order;
} snap_gpu_extra;

inline void snap_gpu_build_extra(const snap_tables *t, snap_gpu_extra *x) {
  const int nh = t->idxuh_max, nz = t->idxz_max;
  std::vector<int> cost(nh, 0), count(nh + 1, 0);
  for (int z = 0; z < nz; z++) {
    const int *iz = t->idxz + (size_t)z * SNAP_IZ_NF;
    count[iz[SNAP_IZ_JJUH] + 1]++;
    cost[iz[SNAP_IZ_JJUH]] += iz[SNAP_IZ_NA] * iz[SNAP_IZ_NB];
  }
  x->y_off.assign(nh + 1, 0);
  for (int h = 0; h < nh; h++) x->y_off[h + 1] = x->y_off[h] + count[h + 1];
  x->y_jjz.assign(nz > 0 ? nz : 1, 0);
  std::vector<int> fill(x->y_off.begin(), x->y_off.end() - 1);
  for (int z = 0; z < nz; z++) x->y_jjz[fill[t->idxz[(size_t)z * SNAP_IZ_NF + SNAP_IZ_JJUH]]++] = z;
  x->y_order.resize(nh);
  for (int h = 0; h < nh; h++) x->y_order[h] = h;
  std::stable_sort(x->y_order.begin(), x->y_order.end(), [&](int a, int b) { return cost[a] > cost[b]; });
}

/* Scalars of the tables struct (pointers are filled by the caller: device copies or host arrays). */
inline void snap_gpu_fill_tab(const snap_params *p, const snap_tables *t, snap_gpu_tab *T) {
  T->twojmax = t->twojmax;
  T->nelem = p->nelem;
  T->idxu_max = t->idxu_max;
  T->idxuh_max = t->idxuh_max;
  T->idxz_max = t->idxz_max;
  T->idxb_max = t->idxb_max;
  T->switchflag = p->switchflag;
  T->rfac0 = p->rfac0;
  T->rmin0 = p->rmin0;
  T->wself = t->wself;
  for (int j = 0; j <= MD_SNAP_MAX_TWOJ; j++) {
    T->idxu_block[j] = t->idxu_block[j];
    T->idxuh_block[j] = t->idxuh_block[j];
  }
  snap_cutoff_table(p, T->rcut, T->rcutsq);
  for (int a = 0; a < MD_MAX_ELEM; a++) T->weight[a] = T->e0[a] = 0.0;
  for (int a = 0; a < p->nelem; a++) {
    T->weight[a] = p->weight[a];
    T->e0[a] = t->e0[a];
  }
}

#endif
