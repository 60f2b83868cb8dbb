/* ewald_kern.h — per-thread bodies of the classic reciprocal-space Ewald sum on the device
 * (kernels/coulomb_gpu.cu), the reference method of host/ff/ewald.c with src/math/ewald.h:
 *   structure factor  block per (vector k): S(m) = Σ_j q_j exp(2πi m·r_j) over the atoms of k's system, each
 *                     thread a strided partial sum, then the partials added in thread order (deterministic);
 *                     then the vector's energy 2 w |S|² (it stands for ±m) and virial
 *   force             thread per atom: F_i = Σ_k 8π w q_i (Re S sin − Im S cos) m
 * Vectors of all systems are concatenated (system s owns kbase[s] … kbase[s+1]−1), each with integer
 * components n (m = Σ_d n_d a*_d), Cartesian m (1/Å) and weight w(m). */
#ifndef ESNAP_EWALD_KERN_H
#define ESNAP_EWALD_KERN_H

#include <math.h>

#include "constants.h"
#include "gpu_kern.h"
#include "math/ewald.h"
#include "math/pbc.h"

typedef struct ewald_kargs {
  int ntot;
  const int *sys_offset;   /* [nsys + 1] */
  const int *atom_sys;     /* [ntot] */
  const int *type;
  const real_t *qelem;     /* [nelem] e */
  const real_t *pos;       /* [3 ntot] */
  const real_t *box;       /* [18 nsys] */
  const int *kbase;        /* [nsys + 1] */
  const int *ksys;         /* [nk] system of each vector */
  const int *n;            /* [3 nk] integer components, component-major */
  const real_t *m;         /* [3 nk] Cartesian (1/Å) */
  const real_t *w;         /* [nk] Gaussian weight (ewald_kspace_weight) */
  long nk;
  real_t *sre, *sim;       /* [nk] structure factor */
  real_t *ek;              /* [7 nk] per-vector E, W xx yy zz xy xz yz (component-major) */
  const real_t *alpha;     /* [nsys] α (1/Å) */
  real_t *force;           /* [3 ntot] ADDED */
  const int *halt;         /* halt word (kern_halted; NULL: none): the bodies return at once while it is set */
} ewald_kargs;

/* exp(2πi x) = c + i s, accurate for any |x| (sincospi reduces exactly on the device). */
MD_HD void kern_sincos_2pi(real_t x, real_t *MD_RESTRICT s, real_t *MD_RESTRICT c) {
#if defined(__CUDA_ARCH__)
  sincospi(2.0 * x, s, c);
#else
  real_t f = x - floor(x); /* exact: reduce to [0, 1) first */
  *s = sin(2.0 * MD_PI * f);
  *c = cos(2.0 * MD_PI * f);
#endif
}

/* Fractional coordinates of atom i wrapped into [0, 1). */
MD_HD void ewald_frac(const ewald_kargs *MD_RESTRICT A, int i, real_t *MD_RESTRICT s) {
  ewald_frac_wrapped(A->box + 18 * A->atom_sys[i] + 9, A->pos[i], A->pos[A->ntot + i], A->pos[2 * A->ntot + i], s);
}

/* Phase m·r = Σ_d n_d s_d of vector k at fractional coordinates s. */
MD_HD real_t ewald_phase(const ewald_kargs *MD_RESTRICT A, long k, const real_t *MD_RESTRICT s) {
  return (real_t)A->n[k] * s[0] + (real_t)A->n[A->nk + k] * s[1] + (real_t)A->n[2 * A->nk + k] * s[2];
}

/* Partial structure factor of vector k from thread t of nthr. */
MD_HD void ewald_sf_partial(const ewald_kargs *MD_RESTRICT A, long k, int t, int nthr, real_t *MD_RESTRICT re,
                            real_t *MD_RESTRICT im) {
  *re = *im = 0.0;
  if (kern_halted(A->halt)) return;
  const int s = A->ksys[k];
  real_t sr = 0.0, si = 0.0;
  for (int i = A->sys_offset[s] + t; i < A->sys_offset[s + 1]; i += nthr) {
    const real_t q = A->qelem[A->type[i]];
    if (q == 0.0) continue;
    real_t c, sn, fr[3];
    ewald_frac(A, i, fr);
    kern_sincos_2pi(ewald_phase(A, k, fr), &sn, &c);
    sr += q * c;
    si += q * sn;
  }
  *re = sr;
  *im = si;
}

/* Vector k's totals: store S and the energy/virial of the ±m pair. */
MD_HD void ewald_sf_finish(const ewald_kargs *MD_RESTRICT A, long k, real_t re, real_t im) {
  if (kern_halted(A->halt)) return;
  A->sre[k] = re;
  A->sim[k] = im;
  const real_t em = ewald_kspace_pair_energy(A->w[k], re, im);
  real_t m[3] = {A->m[k], A->m[A->nk + k], A->m[2 * A->nk + k]};
  real_t w6[6] = {0, 0, 0, 0, 0, 0};
  ewald_kspace_virial(em, m, A->alpha[A->ksys[k]], w6);
  A->ek[k] = em;
  for (int c = 0; c < 6; c++) A->ek[(c + 1) * A->nk + k] = w6[c];
}

/* Reciprocal-space force on atom i. */
MD_HD void ewald_force_body(int i, const ewald_kargs *MD_RESTRICT A) {
  if (kern_halted(A->halt)) return;
  const real_t q = A->qelem[A->type[i]];
  if (q == 0.0) return;
  const int s = A->atom_sys[i];
  real_t f[3] = {0, 0, 0}, fr[3];
  ewald_frac(A, i, fr);
  for (long k = A->kbase[s]; k < A->kbase[s + 1]; k++) {
    real_t c, sn;
    kern_sincos_2pi(ewald_phase(A, k, fr), &sn, &c);
    real_t fac = ewald_kspace_force_factor(A->w[k], q, A->sre[k], A->sim[k], c, sn);
    f[0] += fac * A->m[k];
    f[1] += fac * A->m[A->nk + k];
    f[2] += fac * A->m[2 * A->nk + k];
  }
  A->force[i] += f[0];
  A->force[A->ntot + i] += f[1];
  A->force[2 * A->ntot + i] += f[2];
}

#endif
