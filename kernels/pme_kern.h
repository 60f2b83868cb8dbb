/* pme_kern.h — per-thread bodies of smooth PME on the device (kernels/pme_gpu.cu), the steps of
 * host/ff/pme_cpu.c through the same functions of src/math/pme.h (spline set-up pme_atom_splines, per-mode term
 * pme_kspace_point, gather pme_gather_force):
 *   spread   thread (atom i, a, b): q_i θ0[a] θ1[b] θ2[c] for c = 0 … p−1 onto the system's mesh, as 64-bit
 *            fixed-point integers (scale 2^k): integer atomics are exact and order-independent, so the mesh —
 *            and everything after it — is the same bits on every run
 *   convert  mesh point: fixed point → double (the real input of the R2C transform)
 *   kspace   complex mesh point: pme_kspace_point (energy, virial, Q̂ *= ψ)
 *   gather   thread per atom: pme_gather_force
 * Meshes of the nb systems of a batch are back to back: real mesh s at s·K0K1K2, complex at s·K0K1(K2/2+1);
 * ψ per system (psi_stride = K0K1(K2/2+1)) or shared (psi_stride = 0). */
#ifndef ESNAP_PME_KERN_H
#define ESNAP_PME_KERN_H

#include <math.h>

#include "gpu_kern.h"
#include "math/ewald.h"
#include "math/pbc.h"
#include "math/pme.h"

typedef struct pme_kargs {
  int ntot;
  int first_atom;          /* atoms [first_atom, first_atom + natoms) are this batch's (systems back to back) */
  int natoms;
  int sys0;                /* first system of the batch (global index) */
  int K[3], order;
  long nreal, ncomplex;    /* points per system mesh: K0 K1 K2 and K0 K1 (K2/2+1) */
  const real_t *pos;       /* [3 ntot] */
  const int *type;
  const int *atom_sys;
  const real_t *box;       /* [18 nsys] (global system index) */
  const real_t *qelem;     /* [nelem] charges (e) */
  real_t fix_scale;        /* fixed-point scale 2^k */
  unsigned long long *qfix;/* [nb nreal] fixed-point charge mesh */
  real_t *mesh;            /* [nb nreal] charge mesh, then potential φ (the C2R output) */
  real_t *cmesh;           /* [nb ncomplex] interleaved re, im */
  const real_t *psi;       /* influence function */
  long psi_stride;         /* 0 (shared) or ncomplex */
  real_t alpha;
  real_t *force;           /* [3 ntot] ADDED */
  const int *halt;         /* halt word (kern_halted; NULL: none): the bodies return at once while it is set */
} pme_kargs;

/* The bodies take the order P as an argument equal to A->order: the kernels pass it as a compile-time
 * constant (one instantiation per order), so the spline arrays stay in registers. */

/* B-spline weights of atom i along the three directions (base wrapped into [0, K)). */
MD_HD void pme_kern_splines(const pme_kargs *MD_RESTRICT A, int i, int P, int *MD_RESTRICT base, real_t *MD_RESTRICT th,
                            real_t *MD_RESTRICT dth) {
  pme_atom_splines(A->box + 18 * A->atom_sys[i] + 9, A->pos[i], A->pos[A->ntot + i], A->pos[2 * A->ntot + i], A->K, P,
                   base, th, dth);
}

/* Spread thread t of natoms·p² (atom first_atom + t / p², a = (t / p) % p, b = t % p). */
MD_HD void pme_spread_body(long t, const pme_kargs *MD_RESTRICT A, int P) {
  if (kern_halted(A->halt)) return;
  const int PP = P * P;
  const int i = A->first_atom + (int)(t / PP);
  const int a = (int)((t / P) % P), b = (int)(t % P);
  const real_t q = A->qelem[A->type[i]];
  if (q == 0.0) return;
  int base[3];
  real_t th[3 * PME_MAX_ORDER], dth[3 * PME_MAX_ORDER];
  pme_kern_splines(A, i, P, base, th, dth);
  const int K0 = A->K[0], K1 = A->K[1], K2 = A->K[2];
  const int i0 = (base[0] + a) % K0, i1 = (base[1] + b) % K1;
  /* th[a], th[P + b] picked by an unrolled loop (a run-time index would put th in local memory) */
  real_t ta = 0.0, tb = 0.0;
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
  for (int j = 0; j < PME_MAX_ORDER; j++) {
    if (j >= P) break;
    if (j == a) ta = th[j];
    if (j == b) tb = th[P + j];
  }
  const real_t qab = q * ta * tb;
  unsigned long long *row = A->qfix + (long)(A->atom_sys[i] - A->sys0) * A->nreal + ((long)i0 * K1 + i1) * K2;
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
  for (int c = 0; c < PME_MAX_ORDER; c++) {
    if (c >= P) break;
    real_t v = qab * th[2 * P + c] * A->fix_scale;
    long long iv = llrint(v);
    kern_atomic_add_u64(&row[(base[2] + c) % K2], (unsigned long long)iv);
  }
}

/* Mesh point k of the batch: fixed point → double. */
MD_HD void pme_convert_body(long k, const pme_kargs *MD_RESTRICT A) {
  if (kern_halted(A->halt)) return;
  A->mesh[k] = (real_t)(long long)A->qfix[k] * (1.0 / A->fix_scale);
}

/* Complex point k of the batch (system k / ncomplex): energy and virial of the term into ev[7] (E, W xx yy zz
 * xy xz yz; all zero at m = 0), then Q̂ *= ψ. hinv of the point's system. */
MD_HD void pme_kspace_body(long k, const pme_kargs *MD_RESTRICT A, real_t *MD_RESTRICT ev) {
  for (int c = 0; c < 7; c++) ev[c] = 0.0;
  if (kern_halted(A->halt)) return;
  const int K1 = A->K[1], K2c = A->K[2] / 2 + 1;
  const long sb = k / A->ncomplex, idx = k % A->ncomplex;
  const int k2 = (int)(idx % K2c), k1 = (int)((idx / K2c) % K1), k0 = (int)(idx / ((long)K2c * K1));
  ev[0] = pme_kspace_point(A->box + 18 * (A->sys0 + sb) + 9, A->K, k0, k1, k2, A->psi[sb * A->psi_stride + idx],
                           A->alpha, A->cmesh + 2 * k, ev + 1);
}

/* Gather for atom t of the batch (global first_atom + t). */
MD_HD void pme_gather_body(int t, const pme_kargs *MD_RESTRICT A, int P) {
  if (kern_halted(A->halt)) return;
  const int i = A->first_atom + t;
  const real_t q = A->qelem[A->type[i]];
  if (q == 0.0) return;
  int base[3];
  real_t th[3 * PME_MAX_ORDER], dth[3 * PME_MAX_ORDER], f[3];
  pme_kern_splines(A, i, P, base, th, dth);
  const real_t *phi = A->mesh + (long)(A->atom_sys[i] - A->sys0) * A->nreal;
  pme_gather_force(phi, A->K, P, base, th, dth, q, A->box + 18 * A->atom_sys[i] + 9, f);
  const long n = A->ntot;
  A->force[i] -= f[0];
  A->force[n + i] -= f[1];
  A->force[2 * n + i] -= f[2];
}

/* Fixed-point scale: the largest power of two with Σ|q| · scale < 2^62, so no mesh value (|Q(k)| ≤ Σ|q|,
 * the B-spline weights being in [0, 1] and summing to 1) can overflow a 64-bit integer. */
MD_HD real_t pme_fixed_scale(real_t sum_abs_q) {
  if (!(sum_abs_q > 0.0)) return 1.0;
  int e = (int)floor(62.0 - log2(sum_abs_q)) - 1;
  if (e > 60) e = 60;
  return ldexp(1.0, e);
}

#endif
