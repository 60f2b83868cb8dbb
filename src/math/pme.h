/* pme.h — leaf formulas of smooth particle-mesh Ewald (Essmann et al., J. Chem. Phys. 103, 8577 (1995)),
 * shared by host/ff/pme_cpu.c and the CUDA kernels.
 *
 * Conventions. Along cell vector d the mesh has K_d points; an atom with fractional coordinate s_d has the
 * scaled coordinate u_d = K_d s_d (wrapped into [0, K_d)). Its charge is spread with the cardinal B-spline
 * M_p of order p (support [0, p)) onto the p mesh points
 *     g_j = floor(u) − p + 1 + j  (mod K),  j = 0 … p−1,  weight θ_j = M_p(u − g_j) = M_p(w + p − 1 − j),
 * with w = u − floor(u). The mesh charge Q(k) = Σ_i q_i Π_d θ_d(k_d) approximates the charge density, and
 *     E_recip ≈ Σ_{m ≠ 0} w(m) B(m) |Q̂(m)|²,  Q̂(m) = Σ_k Q(k) exp(−2πi Σ_d m_d k_d / K_d),
 * with w(m) the Ewald Gaussian weight (ewald.h) and B(m) = Π_d |b_d(m_d)|² the Euler-spline moduli
 *     |b(m)|² = 1 / |Σ_{k=0}^{p−2} M_p(k+1) exp(2πi m k / K)|².
 * For odd p and even K the denominator vanishes at m = K/2; there |b|² is replaced by the mean of its two
 * neighbours (as GROMACS does). The force is the exact gradient of this energy (analytical differentiation
 * of the B-splines), so forces and virial are consistent with the energy to round-off.
 *
 * The steps around the leaves are shared too: host/ff/pme_cpu.c and kernels/pme_kern.h both call
 * pme_atom_splines (set-up), pme_kspace_point (per-mode energy, virial and ψ Q̂), pme_gather_force (gather) and
 * pme_self_correction. The backends differ deliberately in the spreading only: the CPU adds doubles into
 * per-thread meshes summed in thread order, the device adds 64-bit fixed-point integers atomically (exact and
 * order-independent, kernels/pme_kern.h).
 */
#ifndef ESNAP_MATH_PME_H
#define ESNAP_MATH_PME_H

#include <math.h>

#include "../constants.h"
#include "../md_hd.h"
#include "../types.h"
#include "ewald.h"
#include "pbc.h"

#define PME_MIN_ORDER 3
#define PME_MAX_ORDER 8

/* B-spline weights of order p (PME_MIN_ORDER … PME_MAX_ORDER) for the scaled coordinate u (any real):
 * *base = floor(u) − p + 1 (first mesh point, NOT wrapped), theta[j] = M_p(u − base − j) and
 * dtheta[j] = dM_p/du (u − base − j), j = 0 … p−1. Σ_j theta[j] = 1, Σ_j dtheta[j] = 0. */
MD_HD void pme_bspline(real_t u, int p, int *MD_RESTRICT base, real_t *MD_RESTRICT theta, real_t *MD_RESTRICT dtheta) {
  real_t fl = floor(u);
  real_t w = u - fl;
  /* a[j] = M_n(w + j), j = 0 … n−1, built up from n = 2: M_2(w) = w, M_2(w + 1) = 1 − w, and
   * M_{n+1}(x) = [x M_n(x) + (n + 1 − x) M_n(x − 1)] / n. */
  real_t a[PME_MAX_ORDER];
  a[0] = w;
  a[1] = 1.0 - w;
  for (int n = 2; n < p - 1; n++) {
    real_t div = 1.0 / n;
    a[n] = 0.0;
    for (int j = n; j >= 1; j--) a[j] = ((w + j) * a[j] + (n + 1 - w - j) * a[j - 1]) * div;
    a[0] = w * a[0] * div;
  }
  /* a holds M_{p−1}(w + j), j = 0 … p−2: derivative dM_p(x)/dx = M_{p−1}(x) − M_{p−1}(x − 1) */
  real_t d[PME_MAX_ORDER];
  d[0] = a[0];
  for (int j = 1; j < p - 1; j++) d[j] = a[j] - a[j - 1];
  d[p - 1] = -a[p - 2];
  /* last step to order p */
  {
    int n = p - 1;
    real_t div = 1.0 / n;
    a[n] = 0.0;
    for (int j = n; j >= 1; j--) a[j] = ((w + j) * a[j] + (n + 1 - w - j) * a[j - 1]) * div;
    a[0] = w * a[0] * div;
  }
  /* mesh point base + j sits at distance u − base − j = w + p − 1 − j */
  for (int j = 0; j < p; j++) {
    theta[j] = a[p - 1 - j];
    dtheta[j] = d[p - 1 - j];
  }
  *base = (int)fl - p + 1;
}

/* Values of M_p at the integers 1 … p−1: out[k] = M_p(k + 1), k = 0 … p−2. */
MD_HD void pme_bspline_integers(int p, real_t *MD_RESTRICT out) {
  real_t a[PME_MAX_ORDER];
  /* a[j] = M_n(j): M_2(0) = 0, M_2(1) = 1 */
  a[0] = 0.0;
  a[1] = 1.0;
  for (int n = 2; n < p; n++) {
    real_t div = 1.0 / n;
    a[n] = 0.0;
    for (int j = n; j >= 1; j--) a[j] = (j * a[j] + (n + 1 - j) * a[j - 1]) * div;
    a[0] = 0.0;
  }
  for (int k = 0; k < p - 1; k++) out[k] = a[k + 1];
}

/* |Σ_{k=0}^{p−2} M_p(k+1) exp(2πi m k / K)|², the denominator of |b(m)|², given mk = M_p(k+1) from
 * pme_bspline_integers. */
MD_HD real_t pme_bspline_denominator(int m, int K, int p, const real_t *MD_RESTRICT mk) {
  real_t re = 0.0, im = 0.0;
  for (int k = 0; k < p - 1; k++) {
    real_t arg = 2.0 * MD_PI * (real_t)((long)m * k % K) / K;
    re += mk[k] * cos(arg);
    im += mk[k] * sin(arg);
  }
  return re * re + im * im;
}

/* Euler-spline moduli |b(m)|², m = 0 … K−1, for mesh size K and order p, into bmod[K]. Zeros of the
 * denominator (odd p, m = K/2) get the mean of the neighbouring moduli. */
MD_HD void pme_bspline_moduli(int K, int p, real_t *MD_RESTRICT bmod) {
  real_t mk[PME_MAX_ORDER];
  pme_bspline_integers(p, mk);
  for (int m = 0; m < K; m++) {
    real_t den = pme_bspline_denominator(m, K, p, mk);
    bmod[m] = den > 1e-10 ? 1.0 / den : 0.0;
  }
  for (int m = 0; m < K; m++)
    if (bmod[m] == 0.0) bmod[m] = 0.5 * (bmod[(m + K - 1) % K] + bmod[(m + 1) % K]);
}

/* Influence function of SPME at mesh vector m (Cartesian, 1/Å, |m|² = m2 > 0) with moduli product
 * bprod = Π_d |b_d|²: ψ(m) = 2 w(m) B(m) (eV Å / e²…). Then E = ½ Σ_m ψ |Q̂|² and the mesh potential
 * φ = IFFT⁺(ψ Q̂) (unnormalised backward transform) gives ∂E/∂Q(k) = φ(k). */
MD_HD real_t pme_influence(real_t m2, real_t alpha, real_t volume, real_t bprod) {
  return 2.0 * ewald_kspace_weight(m2, alpha, volume) * bprod;
}

/* Signed frequency of mesh index k (0 … K−1): k for k ≤ K/2, else k − K. */
MD_HD int pme_signed_index(int k, int K) { return (2 * k <= K) ? k : k - K; }

/* Multiplicity of index k2 of the R2C half mesh (last dimension K2/2 + 1 points): 1 where the point is its own
 * mirror (k2 = 0, and k2 = K2/2 for even K2), else 2 (the point stands for m and −m). */
MD_HD int pme_half_mult(int k2, int K2) { return (k2 == 0 || 2 * k2 == K2) ? 1 : 2; }

/* Cartesian mesh vector m (1/Å) of mesh point (k0, k1, k2) of a K[0] × K[1] × K[2] mesh. */
MD_HD void pme_mesh_vector(const real_t *MD_RESTRICT hinv, const int *MD_RESTRICT K, int k0, int k1, int k2,
                           real_t *MD_RESTRICT m) {
  ewald_recip_vector(hinv, pme_signed_index(k0, K[0]), pme_signed_index(k1, K[1]), pme_signed_index(k2, K[2]), m);
}

/* Mesh start indices and B-spline weights of one atom at Cartesian (x, y, z): base[d] (wrapped into [0, K_d)),
 * th[d·P + j] = θ_d,j and dth[d·P + j] = dθ_d,j/du_d (pme_bspline), d = 0, 1, 2. A non-finite position (a run
 * about to stop on it) is put at u = 0 so that no index leaves the mesh. */
MD_HD void pme_atom_splines(const real_t *MD_RESTRICT hinv, real_t x, real_t y, real_t z, const int *MD_RESTRICT K,
                            int P, int *MD_RESTRICT base, real_t *MD_RESTRICT th, real_t *MD_RESTRICT dth) {
  real_t s[3];
  ewald_frac_wrapped(hinv, x, y, z, s);
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
  for (int d = 0; d < 3; d++) {
    real_t u = s[d] * K[d];
    if (u >= K[d]) u -= K[d];
    if (!(u >= 0.0 && u < K[d])) u = 0.0;
    int b;
    pme_bspline(u, P, &b, th + d * P, dth + d * P);
    if (b < 0) b += K[d];
    base[d] = b;
  }
}

/* One point (k0, k1, k2) of the complex half mesh after the forward transform, z = Q̂ (re, im): returns its
 * energy E_m = ½ mult ψ |Q̂|² (0 where ψ = 0, m = 0 included), adds its virial E_m (δ − 2(π²/α² + 1/m²) m m) to
 * w6 (xx yy zz xy xz yz), and replaces z by ψ Q̂, the input of the backward transform. */
MD_HD real_t pme_kspace_point(const real_t *MD_RESTRICT hinv, const int *MD_RESTRICT K, int k0, int k1, int k2,
                              real_t ps, real_t alpha, real_t *MD_RESTRICT z, real_t *MD_RESTRICT w6) {
  const real_t re = z[0], im = z[1];
  z[0] = ps * re;
  z[1] = ps * im;
  if (ps == 0.0) return 0.0;
  const real_t em = 0.5 * pme_half_mult(k2, K[2]) * ps * (re * re + im * im);
  real_t m[3];
  pme_mesh_vector(hinv, K, k0, k1, k2, m);
  ewald_kspace_virial(em, m, alpha, w6);
  return em;
}

/* Alias power of one direction: Σ_n β_n(m)², where along a mesh direction SPME replaces exp(2πi m u/K) by
 * Σ_n β_n exp(2πi (m − nK) u/K) with β_n = b(m) |sin(π m/K)|^p / (π (m − nK)/K)^p (sign of (m − nK)^p kept),
 * bmod = |b(m)|². A unit charge's mesh self energy, averaged over its position, is Σ_m w(m) Π_d Σ_n β_n²,
 * against Σ_m w(m) for the exact sum (|n| ≤ 8 here: the rest is below 1e-16 of the sum for p ≥ 3). */
MD_HD real_t pme_alias_power(int k, int K, int p, real_t bmod) {
  int ms = pme_signed_index(k, K);
  if (ms == 0) return 1.0;
  real_t sn = fabs(sin(MD_PI * ms / K)), s = 0.0;
  for (int n = -8; n <= 8; n++) {
    real_t x = MD_PI * (ms - (real_t)n * K) / K;
    real_t v = pow(sn / fabs(x), p);
    s += v * v;
  }
  return bmod * s;
}

/* Gradient of the mesh energy with respect to one atom's scaled coordinates, per unit charge:
 * g_d = ∂E/∂u_d / q (d = 0, 1, 2), from the potential φ on the K0 × K1 × K2 mesh (row-major, the real array of
 * the C2R transform), the atom's base indices and its B-spline weights th[d·P + j] and derivatives dth[d·P + j].
 * The force is F_c = −q Σ_d g_d ∂u_d/∂r_c with ∂u_d/∂r_c = hinv[3c + d] (g already carries the factor K_d). */
MD_HD void pme_gather_grad(const real_t *MD_RESTRICT phi, int K0, int K1, int K2, int P, const int base[3],
                           const real_t *MD_RESTRICT th, const real_t *MD_RESTRICT dth, real_t g[3]) {
  const real_t *t0 = th, *t1 = th + P, *t2 = th + 2 * P, *d0 = dth, *d1 = dth + P, *d2 = dth + 2 * P;
  int i2[PME_MAX_ORDER];
  for (int c = 0; c < P; c++) i2[c] = (base[2] + c) % K2;
  real_t g0 = 0.0, g1 = 0.0, g2 = 0.0;
  for (int a = 0; a < P; a++) {
    const int i0 = (base[0] + a) % K0;
    for (int b = 0; b < P; b++) {
      const real_t *row = phi + ((long)i0 * K1 + (base[1] + b) % K1) * K2;
      real_t s = 0.0, sd = 0.0;
      for (int c = 0; c < P; c++) {
        real_t v = row[i2[c]];
        s += t2[c] * v;
        sd += d2[c] * v;
      }
      g0 += d0[a] * t1[b] * s;
      g1 += t0[a] * d1[b] * s;
      g2 += t0[a] * t1[b] * sd;
    }
  }
  g[0] = g0 * K0;
  g[1] = g1 * K1;
  g[2] = g2 * K2;
}

/* Mesh force on one atom of charge q: F_c = −q Σ_d g_d ∂u_d/∂r_c, g from pme_gather_grad, ∂u_d/∂r_c =
 * hinv[3c + d] (the factor K_d is in g). The caller adds f to the atom's force. */
MD_HD void pme_gather_force(const real_t *MD_RESTRICT phi, const int *MD_RESTRICT K, int P, const int base[3],
                            const real_t *MD_RESTRICT th, const real_t *MD_RESTRICT dth, real_t q,
                            const real_t *MD_RESTRICT hinv, real_t f[3]) {
  real_t g[3];
  pme_gather_grad(phi, K[0], K[1], K[2], P, base, th, dth, g);
  const real_t g0 = g[0], g1 = g[1], g2 = g[2];
  f[0] = q * (g0 * hinv[0] + g1 * hinv[1] + g2 * hinv[2]);
  f[1] = q * (g0 * hinv[3] + g1 * hinv[4] + g2 * hinv[5]);
  f[2] = q * (g0 * hinv[6] + g1 * hinv[7] + g2 * hinv[8]);
}

/* Removal of the mean mesh self energy in excess of the exact reciprocal self term, a constant for a given cell
 * and charges (forces unchanged; Ballenegger, Cerdà & Holm, Comput. Phys. Commun. 182, 1919 (2011)): the
 * correction to E and W (xx yy zz xy xz yz) is −Σq² (self_e, self_w) from pme_tables_compute, into corr[7]. */
MD_HD void pme_self_correction(real_t sum_q2, real_t self_e, const real_t *MD_RESTRICT self_w,
                               real_t *MD_RESTRICT corr) {
  corr[0] = -sum_q2 * self_e;
  for (int c = 0; c < 6; c++) corr[1 + c] = -sum_q2 * self_w[c];
}

#endif
