/* pme_cpu.c — smooth PME reciprocal space (Essmann et al. 1995) with FFTW on the CPU; see pme_cpu.h.
 *
 * Steps of pme_cpu_compute:
 *  1. B-spline weights θ_d, dθ_d/du of every atom (src/math/pme.h), kept for the gather;
 *  2. spreading Q(k) = Σ_i q_i θ_0 θ_1 θ_2 — each thread into its own mesh, summed in thread order;
 *  3. Q̂ = FFT(Q) (r2c); energy ½ Σ ψ |Q̂|² and virial with the (δ − 2(π²/α² + 1/m²) m m) form;
 *  4. φ = IFFT(ψ Q̂) (c2r, unnormalised), the derivative of the energy with respect to Q;
 *  5. gather F_i = −q_i Σ_k φ(k) ∇_i(θ_0 θ_1 θ_2) with ∂u_d/∂r = K_d a*_d. */
#include "pme_cpu.h"

#include <fftw3.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "math/ewald.h"
#include "math/pbc.h"
#include "math/pme.h"
#include "pme_tables.h"

#define PME_MAX_THREADS 256

struct pme_cpu {
  int K[3], order;
  md_box box;
  real_t alpha;
  int ready;                 /* influence function valid for K, order, box, alpha */
  int planned;
  fftw_plan fwd, bwd;
  double *mesh;              /* [K0 K1 K2] charge, then potential φ */
  fftw_complex *cmesh;       /* [K0 K1 (K2/2+1)] */
  real_t *psi;               /* [K0 K1 (K2/2+1)] influence function ψ(m) */
  real_t self_e;             /* mean mesh self energy minus the exact one, per unit charge² (eV) */
  real_t self_w[6];          /* its virial (eV), xx yy zz xy xz yz */
  real_t *tmesh;             /* [(nthr−1) K0 K1 K2] per-thread spreading meshes */
  size_t tcap;
  int *base;                 /* [3 n] first mesh point per direction (wrapped) */
  real_t *th, *dth;          /* [3 p n] weights and derivatives, layout [(i*3 + d)*p + j] */
  int ncap;
};

int pme_fft_size(int k) {
  if (k < 1) k = 1;
  for (;; k++) {
    int r = k;
    const int f[4] = {2, 3, 5, 7};
    for (int a = 0; a < 4; a++)
      while (r % f[a] == 0) r /= f[a];
    if (r == 1) return k;
  }
}

md_status pme_cpu_create(pme_cpu **out) {
  *out = calloc(1, sizeof **out);
  return *out ? MD_OK : md_error(MD_ERR_MEMORY, "pme_cpu_create: out of memory");
}

static void pme_free_mesh(pme_cpu *p) {
  if (p->planned) {
#pragma omp critical(esnap_fftw_planner)
    {
      fftw_destroy_plan(p->fwd);
      fftw_destroy_plan(p->bwd);
    }
    p->planned = 0;
  }
  fftw_free(p->mesh);
  fftw_free(p->cmesh);
  free(p->psi);
  free(p->tmesh);
  p->mesh = NULL;
  p->cmesh = NULL;
  p->psi = NULL;
  p->tmesh = NULL;
  p->tcap = 0;
}

void pme_cpu_destroy(pme_cpu **pp) {
  if (!pp || !*pp) return;
  pme_cpu *p = *pp;
  pme_free_mesh(p);
  free(p->base);
  free(p->th);
  free(p->dth);
  free(p);
  *pp = NULL;
}

md_status pme_cpu_setup(pme_cpu *p, const int grid[3], int order, const md_box *box, real_t alpha) {
  MD_TRY(pme_check_params(grid, order, alpha));
  int same_mesh = p->planned && p->K[0] == grid[0] && p->K[1] == grid[1] && p->K[2] == grid[2];
  if (p->ready && same_mesh && p->order == order && p->alpha == alpha && memcmp(p->box.h, box->h, sizeof box->h) == 0)
    return MD_OK;
  p->ready = 0;
  const int K0 = grid[0], K1 = grid[1], K2 = grid[2], K2c = K2 / 2 + 1;
  const size_t nr = (size_t)K0 * K1 * K2, nc = (size_t)K0 * K1 * K2c;
  if (!same_mesh) {
    pme_free_mesh(p);
    p->mesh = fftw_malloc(nr * sizeof(double));
    p->cmesh = fftw_malloc(nc * sizeof(fftw_complex));
    p->psi = malloc(nc * sizeof(real_t));
    if (!p->mesh || !p->cmesh || !p->psi) {
      pme_free_mesh(p);
      return md_error(MD_ERR_MEMORY, "PME: out of memory for a %d x %d x %d mesh", K0, K1, K2);
    }
    int ok = 1;
#pragma omp critical(esnap_fftw_planner)
    {
      p->fwd = fftw_plan_dft_r2c_3d(K0, K1, K2, p->mesh, p->cmesh, FFTW_ESTIMATE);
      p->bwd = fftw_plan_dft_c2r_3d(K0, K1, K2, p->cmesh, p->mesh, FFTW_ESTIMATE);
      if (!p->fwd || !p->bwd) ok = 0;
    }
    if (!ok) {
      pme_free_mesh(p);
      return md_error(MD_ERR_INTERNAL, "PME: FFTW could not plan a %d x %d x %d transform", K0, K1, K2);
    }
    p->planned = 1;
    for (int d = 0; d < 3; d++) p->K[d] = grid[d];
  }
  p->order = order;
  p->alpha = alpha;
  p->box = *box;
  /* influence function and mesh self-energy offset (src/pme_tables.h, shared with the device PME) */
  if (pme_tables_compute(p->K, order, box, alpha, p->psi, &p->self_e, p->self_w) != 0)
    return md_error(MD_ERR_MEMORY, "PME: out of memory");
  p->ready = 1;
  return MD_OK;
}

static md_status pme_reserve_atoms(pme_cpu *p, int n) {
  if (n <= p->ncap) return MD_OK;
  int cap = n + n / 8 + 16;
  int *b = realloc(p->base, 3 * (size_t)cap * sizeof *b);
  if (b) p->base = b;
  real_t *t = realloc(p->th, 3 * (size_t)PME_MAX_ORDER * cap * sizeof *t);
  if (t) p->th = t;
  real_t *dt = realloc(p->dth, 3 * (size_t)PME_MAX_ORDER * cap * sizeof *dt);
  if (dt) p->dth = dt;
  if (!b || !t || !dt) return md_error(MD_ERR_MEMORY, "PME: out of memory (%d atoms)", n);
  p->ncap = cap;
  return MD_OK;
}

/* Σ_abc θ_0[a] θ_1[b] θ_2[c] φ(base + (a, b, c)): the mesh potential at an atom (per-atom energies). */
static real_t gather_potential(const real_t *phi, const int *K, int P, const int base[3], const real_t *th) {
  const real_t *t0 = th, *t1 = th + P, *t2 = th + 2 * P;
  real_t v = 0.0;
  for (int a = 0; a < P; a++) {
    const int i0 = (base[0] + a) % K[0];
    for (int b = 0; b < P; b++) {
      const real_t *row = phi + ((size_t)i0 * K[1] + (base[1] + b) % K[1]) * K[2];
      real_t s = 0.0;
      for (int c = 0; c < P; c++) s += t2[c] * row[(base[2] + c) % K[2]];
      v += t0[a] * t1[b] * s;
    }
  }
  return v;
}

md_status pme_cpu_compute(pme_cpu *p, const md_system *sys, const real_t *q, real_t *fx, real_t *fy, real_t *fz,
                          real_t *energy, real_t virial[9]) {
  return pme_cpu_compute_atom(p, sys, q, fx, fy, fz, energy, virial, NULL);
}

md_status pme_cpu_compute_atom(pme_cpu *p, const md_system *sys, const real_t *q, real_t *fx, real_t *fy, real_t *fz,
                               real_t *energy, real_t virial[9], real_t *eatom) {
  *energy = 0.0;
  if (!p->ready) return md_error(MD_ERR_INTERNAL, "PME: pme_cpu_compute before pme_cpu_setup");
  if (memcmp(p->box.h, sys->box.h, sizeof p->box.h) != 0)
    return md_error(MD_ERR_INTERNAL, "PME: the cell changed since pme_cpu_setup");
  const int n = sys->n, P = p->order;
  const int K0 = p->K[0], K1 = p->K[1], K2 = p->K[2], K2c = K2 / 2 + 1;
  const size_t nr = (size_t)K0 * K1 * K2;
  if (n == 0) return MD_OK;
  MD_TRY(pme_reserve_atoms(p, n));
  int nthr = omp_get_max_threads();
  if (nthr > PME_MAX_THREADS) nthr = PME_MAX_THREADS;
  if ((size_t)n * P * P * P < 16384 && nr < 16384) nthr = 1; /* tiny systems: threads cost more than they save */
  if (nthr > 1 && (size_t)(nthr - 1) * nr > p->tcap) {
    real_t *t = realloc(p->tmesh, (size_t)(nthr - 1) * nr * sizeof *t);
    if (!t) return md_error(MD_ERR_MEMORY, "PME: out of memory for %d per-thread meshes", nthr - 1);
    p->tmesh = t;
    p->tcap = (size_t)(nthr - 1) * nr;
  }
  const real_t *hinv = sys->box.hinv;
  const real_t alpha = p->alpha;
  real_t part[PME_MAX_THREADS][7];
  memset(part, 0, sizeof part);

#pragma omp parallel num_threads(nthr)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    /* 1. spline weights */
#pragma omp for schedule(static)
    for (int i = 0; i < n; i++)
      pme_atom_splines(hinv, sys->x[i], sys->y[i], sys->z[i], p->K, P, p->base + 3 * i, p->th + (size_t)i * 3 * P,
                       p->dth + (size_t)i * 3 * P);
    /* 2. spreading: thread t into its own mesh (thread 0 into p->mesh) */
    double *my = t == 0 ? p->mesh : p->tmesh + (size_t)(t - 1) * nr;
    memset(my, 0, nr * sizeof *my);
#pragma omp for schedule(static)
    for (int i = 0; i < n; i++) {
      if (q[i] == 0.0) continue;
      const real_t *t0 = p->th + (size_t)i * 3 * P, *t1 = t0 + P, *t2 = t1 + P;
      int i0[PME_MAX_ORDER], i1[PME_MAX_ORDER], i2[PME_MAX_ORDER];
      for (int j = 0; j < P; j++) {
        i0[j] = (p->base[3 * i] + j) % K0;
        i1[j] = (p->base[3 * i + 1] + j) % K1;
        i2[j] = (p->base[3 * i + 2] + j) % K2;
      }
      for (int a = 0; a < P; a++) {
        real_t qa = q[i] * t0[a];
        for (int b = 0; b < P; b++) {
          real_t qab = qa * t1[b];
          double *row = my + ((size_t)i0[a] * K1 + i1[b]) * K2;
          for (int c = 0; c < P; c++) row[i2[c]] += qab * t2[c];
        }
      }
    }
    /* sum the per-thread meshes into p->mesh, in thread order */
    if (nt > 1) {
#pragma omp for schedule(static)
      for (size_t k = 0; k < nr; k++) {
        double v = p->mesh[k];
        for (int u = 0; u < nt - 1; u++) v += p->tmesh[(size_t)u * nr + k];
        p->mesh[k] = v;
      }
    }
    /* 3. forward FFT (one thread; FFTW plans are serial) */
#pragma omp single
    fftw_execute(p->fwd);
    /* energy, virial, ψ Q̂ */
    real_t e = 0.0, w6[6] = {0, 0, 0, 0, 0, 0};
#pragma omp for schedule(static)
    for (int k0 = 0; k0 < K0; k0++)
      for (int k1 = 0; k1 < K1; k1++)
        for (int k2 = 0; k2 < K2c; k2++) {
          size_t idx = ((size_t)k0 * K1 + k1) * K2c + k2;
          e += pme_kspace_point(hinv, p->K, k0, k1, k2, p->psi[idx], alpha, p->cmesh[idx], w6);
        }
    part[t][0] = e;
    for (int c = 0; c < 6; c++) part[t][c + 1] = w6[c];
    /* 4. potential φ on the mesh */
#pragma omp barrier
#pragma omp single
    fftw_execute(p->bwd);
    /* 5. gather */
#pragma omp for schedule(static)
    for (int i = 0; i < n; i++) {
      if (q[i] == 0.0) continue;
      real_t f[3];
      pme_gather_force(p->mesh, p->K, P, p->base + 3 * i, p->th + (size_t)i * 3 * P, p->dth + (size_t)i * 3 * P, q[i],
                       hinv, f);
      fx[i] -= f[0];
      fy[i] -= f[1];
      fz[i] -= f[2];
      if (eatom)
        eatom[i] += 0.5 * q[i] * gather_potential(p->mesh, p->K, P, p->base + 3 * i, p->th + (size_t)i * 3 * P) -
                    q[i] * q[i] * p->self_e;
    }
  }
  real_t e = 0.0, w6[6] = {0, 0, 0, 0, 0, 0}, s2 = 0.0, corr[7];
  for (int t = 0; t < nthr; t++) {
    e += part[t][0];
    for (int c = 0; c < 6; c++) w6[c] += part[t][c + 1];
  }
  for (int i = 0; i < n; i++) s2 += q[i] * q[i];
  pme_self_correction(s2, p->self_e, p->self_w, corr);
  e += corr[0];
  for (int c = 0; c < 6; c++) w6[c] += corr[1 + c];
  *energy = e;
  virial_add6(virial, w6);
  return MD_OK;
}

/* ------------------------------------------------------------------------------------------------------ */
/* Error estimate (see pme_cpu.h).
 *
 * Along one direction the SPME interpolation of exp(2πi m u/K) by b(m) Σ_k M_p(u − k) exp(2πi m k/K) is,
 * by Poisson summation, Σ_n β_n(m) exp(2πi (m − nK) u/K) with real alias amplitudes
 *     β_n(m) = |b(m)| |sin(π m/K)|^p / (π (m − nK)/K)^p        (β_0(0) = 1, β_n(0) = 0 otherwise),
 * the sign of (m − nK)^p included. The SPME pair force between unit charges at r_i, r_j then has Fourier
 * components (2C/V) k_l g(m) β_l β_l' at the wavevector pair (k_l, k_l'), k_l = Σ_d (m_d − l_d K_d) a*_d,
 * g(m) = exp(−π² m²/α²)/m², β_l = Π_d β_{l_d}; the exact reciprocal force has (2C/V) k g(k) at (k, k).
 * Parseval over both positions:
 *     Q_pair = (2C/V)² Σ_m Σ_l |k_l|² [ (g(m) β_l² − g(k_l))² + g(m)² β_l² (Σ_l' β_l'² − β_l²) ].
 * The self term of |Q̂|² gives a unit charge the force (iC/V) Σ_D Δ_D c_D exp(−2πi Δ_D·r),
 * Δ_D = Σ_d D_d K_d a*_d, c_D = Σ_m g(m) Π_d Σ_n β_{n+D_d} β_n, so Q_self = (C/V)² Σ_{D≠0} |Δ_D|² c_D². */
#define PME_EST_MAXALIAS 2 /* aliases |l_d| ≤ 2 for order ≤ 4, ≤ 1 above (the next ones change Q by < 0.1 %) */
#define PME_EST_ND 26        /* self-force harmonics D ∈ {−1, 0, 1}³ \ {0} */

static real_t est_g(real_t k2, real_t alpha) {
  real_t arg = MD_PI * MD_PI * k2 / (alpha * alpha);
  return arg > 80.0 ? 0.0 : exp(-arg) / k2;
}

real_t pme_error_estimate(const md_box *box, const int grid[3], int order, real_t alpha, real_t sum_q2,
                          real_t sum_q4, int n) {
  const int p = order, L = p <= 4 ? 2 : 1, NL = 2 * L + 1, NP = 1 + PME_EST_ND;
  const int K0 = grid[0], K1 = grid[1], K2 = grid[2];
  const int Kt = K0 + K1 + K2;
  real_t *bmod = malloc((size_t)Kt * sizeof *bmod);
  real_t *beta = malloc((size_t)Kt * NL * sizeof *beta);
  real_t *ssum = malloc((size_t)Kt * sizeof *ssum);
  real_t *tsum = malloc((size_t)Kt * 3 * sizeof *tsum);
  real_t *part = malloc((size_t)K0 * NP * sizeof *part); /* per-k0 partial sums: deterministic for any thread count */
  if (!bmod || !beta || !ssum || !tsum || !part) {
    free(bmod);
    free(beta);
    free(ssum);
    free(tsum);
    free(part);
    return HUGE_VAL;
  }
  const real_t *hi = box->hinv;
  const real_t C = MD_QQR2E, V = box->volume;
  const int off[3] = {0, K0, K0 + K1};
  for (int d = 0; d < 3; d++) {
    const int K = grid[d];
    pme_bspline_moduli(K, p, bmod + off[d]);
    for (int k = 0; k < K; k++) {
      int ms = pme_signed_index(k, K);
      real_t *bt = beta + (size_t)(off[d] + k) * NL;
      real_t sb = sqrt(bmod[off[d] + k]), sn = fabs(sin(MD_PI * ms / K));
      for (int l = -L; l <= L; l++) {
        if (ms == 0) {
          bt[l + L] = l == 0 ? 1.0 : 0.0;
          continue;
        }
        real_t x = MD_PI * (ms - (real_t)l * K) / K;
        real_t v = sb * pow(sn / fabs(x), p);
        bt[l + L] = (x < 0 && (p & 1)) ? -v : v;
      }
      real_t s = 0.0;
      for (int l = 0; l < NL; l++) s += bt[l] * bt[l];
      ssum[off[d] + k] = s;
      for (int D = -1; D <= 1; D++) {
        real_t t = 0.0;
        for (int l = 0; l < NL; l++)
          if (l + D >= 0 && l + D < NL) t += bt[l + D] * bt[l];
        tsum[(size_t)(off[d] + k) * 3 + D + 1] = t;
      }
    }
  }
  /* one pass over the mesh: the pair functional and the 26 self-force harmonics c_D */
#pragma omp parallel for schedule(static) if (K0 * K1 * K2 > 32768)
  for (int k0 = 0; k0 < K0; k0++) {
    real_t acc[1 + PME_EST_ND];
    for (int a = 0; a < NP; a++) acc[a] = 0.0;
    int m0 = pme_signed_index(k0, K0);
    const real_t *b0 = beta + (size_t)(off[0] + k0) * NL, *t0 = tsum + (size_t)(off[0] + k0) * 3;
    for (int k1 = 0; k1 < K1; k1++) {
      int m1 = pme_signed_index(k1, K1);
      const real_t *b1 = beta + (size_t)(off[1] + k1) * NL, *t1 = tsum + (size_t)(off[1] + k1) * 3;
      for (int k2 = 0; k2 < K2; k2++) {
        int m2 = pme_signed_index(k2, K2);
        const real_t *b2 = beta + (size_t)(off[2] + k2) * NL, *t2 = tsum + (size_t)(off[2] + k2) * 3;
        int zero = (m0 == 0 && m1 == 0 && m2 == 0);
        real_t mc[3];
        ewald_recip_vector(hi, m0, m1, m2, mc);
        real_t gm = zero ? 0.0 : est_g(mc[0] * mc[0] + mc[1] * mc[1] + mc[2] * mc[2], alpha);
        real_t stot = ssum[off[0] + k0] * ssum[off[1] + k1] * ssum[off[2] + k2];
        real_t q = 0.0;
        for (int l0 = -L; l0 <= L; l0++)
          for (int l1 = -L; l1 <= L; l1++)
            for (int l2 = -L; l2 <= L; l2++) {
              if (zero && l0 == 0 && l1 == 0 && l2 == 0) continue;
              real_t b = b0[l0 + L] * b1[l1 + L] * b2[l2 + L];
              real_t a0 = -(real_t)l0 * K0, a1 = -(real_t)l1 * K1, a2 = -(real_t)l2 * K2;
              real_t kl[3];
              for (int c = 0; c < 3; c++) kl[c] = mc[c] + a0 * hi[3 * c] + a1 * hi[3 * c + 1] + a2 * hi[3 * c + 2];
              real_t kl2 = kl[0] * kl[0] + kl[1] * kl[1] + kl[2] * kl[2];
              real_t dlt = gm * b * b - est_g(kl2, alpha);
              q += kl2 * (dlt * dlt + gm * gm * b * b * (stot - b * b));
            }
        acc[0] += q;
        if (gm == 0.0) continue;
        int a = 1;
        for (int D0 = 0; D0 < 3; D0++)
          for (int D1 = 0; D1 < 3; D1++)
            for (int D2 = 0; D2 < 3; D2++) {
              if (D0 == 1 && D1 == 1 && D2 == 1) continue;
              acc[a++] += gm * t0[D0] * t1[D1] * t2[D2];
            }
      }
    }
    for (int a = 0; a < NP; a++) part[(size_t)k0 * NP + a] = acc[a];
  }
  real_t sum[1 + PME_EST_ND];
  for (int a = 0; a < NP; a++) {
    sum[a] = 0.0;
    for (int k0 = 0; k0 < K0; k0++) sum[a] += part[(size_t)k0 * NP + a];
  }
  real_t qpair = sum[0] * (2.0 * C / V) * (2.0 * C / V);
  real_t qself = 0.0;
  int a = 1;
  for (int D0 = -1; D0 <= 1; D0++)
    for (int D1 = -1; D1 <= 1; D1++)
      for (int D2 = -1; D2 <= 1; D2++) {
        if (D0 == 0 && D1 == 0 && D2 == 0) continue;
        real_t dl[3];
        for (int c = 0; c < 3; c++)
          dl[c] = (real_t)D0 * K0 * hi[3 * c] + (real_t)D1 * K1 * hi[3 * c + 1] + (real_t)D2 * K2 * hi[3 * c + 2];
        qself += (dl[0] * dl[0] + dl[1] * dl[1] + dl[2] * dl[2]) * sum[a] * sum[a];
        a++;
      }
  qself *= (C / V) * (C / V);
  free(part);
  free(bmod);
  free(beta);
  free(ssum);
  free(tsum);
  if (n < 1) n = 1;
  real_t pairs = sum_q2 * sum_q2 - sum_q4;
  if (pairs < 0) pairs = 0;
  return sqrt((pairs * qpair + sum_q4 * qself) / n);
}
