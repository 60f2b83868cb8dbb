/* pair.h — the one contract of every pair term and the glue around it, shared by the CPU loops
 * (host/ff/ewald.c real space, host/ff/zbl_cpu.c) and the kernel bodies (kernels/pair_kern.h).
 *
 * Contract. A pair leaf returns the pair energy u(r) (eV) and fpair = −u'(r)/r (eV/Å², LAMMPS's fpair):
 * src/math/ewald.h ewald_real_pair, src/math/ewald_lammps.h ewald_lammps_pair, src/math/zbl.h zbl_pair_eval.
 * With d = r_ij = r_j + img·H − r_i (pair_delta) the force on j is fpair·d and on i −fpair·d, and the pair's
 * virial is W_ab = d_a F_b(j) = fpair d_a d_b (types.h: W_ab = Σ r_a F_b).
 *
 * Accumulation: pair_accumulate, the same for every pair term on both backends. */
#ifndef ESNAP_PAIR_H
#define ESNAP_PAIR_H

#include "md_hd.h"
#include "types.h"
#include "math/pbc.h"

/* List factors of pair_accumulate. */
#define PAIR_HALF_LIST 1.0
#define PAIR_FULL_LIST 0.5

/* Pair vector d = r_j + img·H − r_i (Å) for packed image img; returns |d|² (Å²). */
MD_HD real_t pair_delta(const real_t *MD_RESTRICT h, int img, real_t xi, real_t yi, real_t zi, real_t xj, real_t yj,
                        real_t zj, real_t *MD_RESTRICT d) {
  real_t sh[3];
  pbc_image_shift(h, img, sh);
  d[0] = xj + sh[0] - xi;
  d[1] = yj + sh[1] - yi;
  d[2] = zj + sh[2] - zi;
  return d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
}

/* Add one listed pair (energy eij in eV, fpair = −u'/r in eV/Å², vector d) with list factor `factor`:
 * fi −= fpair d, *e += factor eij, w (xx yy zz xy xz yz) += factor fpair d⊗d; fj = fpair d is the force on j.
 * factor: PAIR_HALF_LIST (1) on a half list, each pair listed once, the caller adding fj to atom j;
 * PAIR_FULL_LIST (½) on a full list, each pair listed from both sides, atom j taking its force from its own
 * entry (fj unused).
 * Where the backends differ, deliberately: the CPU Coulomb loop walks a half list with per-thread force
 * buffers for the j side; the CPU ZBL loop and every kernel body walk a full list, so one thread writes only
 * its own atom, without atomics. Reduction order: the CPU sums energy and virial per thread over its atoms,
 * then over threads in thread order (pair_sum_threads); the device per atom, then over atoms. The two agree
 * to round-off, not bit for bit. */
MD_HD void pair_accumulate(real_t eij, real_t fpair, const real_t *MD_RESTRICT d, real_t factor, real_t *MD_RESTRICT fi,
                           real_t *MD_RESTRICT e, real_t *MD_RESTRICT w, real_t *MD_RESTRICT fj) {
  fj[0] = fpair * d[0];
  fj[1] = fpair * d[1];
  fj[2] = fpair * d[2];
  fi[0] -= fj[0];
  fi[1] -= fj[1];
  fi[2] -= fj[2];
  *e += factor * eij;
  const real_t s = factor * fpair;
  w[0] += s * d[0] * d[0];
  w[1] += s * d[1] * d[1];
  w[2] += s * d[2] * d[2];
  w[3] += s * d[0] * d[1];
  w[4] += s * d[0] * d[2];
  w[5] += s * d[1] * d[2];
}

/* Sum per-thread partial sums part[7 t + 0 … 6] = {energy, W xx yy zz xy xz yz} over nthr threads in thread
 * order: the energy into *e, the virial added to the full row-major 3×3 tensor. */
MD_HD void pair_sum_threads(const real_t *MD_RESTRICT part, int nthr, real_t *MD_RESTRICT e, real_t *MD_RESTRICT virial) {
  real_t es = 0.0, w[6] = {0, 0, 0, 0, 0, 0};
  for (int t = 0; t < nthr; t++) {
    es += part[7 * t];
    for (int c = 0; c < 6; c++) w[c] += part[7 * t + c + 1];
  }
  *e = es;
  virial_add6(virial, w);
}

#endif
