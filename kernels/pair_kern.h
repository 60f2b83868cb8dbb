/* pair_kern.h — per-thread bodies of the pair kernels over a FULL device neighbour list (one thread per
 * atom i; each thread writes only atom i's force, energy and virial, so there are no write conflicts and the
 * sums are deterministic): the Coulomb real-space erfc term (kernels/coulomb_gpu.cu) and ZBL
 * (kernels/zbl_gpu.cu). Pair leaves (src/math/ewald.h ewald_real_pair, src/math/zbl.h zbl_pair_eval) and the
 * pair glue (src/pair.h pair_delta, pair_accumulate with the full-list factor ½) are the ones host/ff/ewald.c
 * and host/ff/zbl_cpu.c call.
 *
 * Per-atom accumulators (component-major over ntot atoms, ADDED): acc[PAIR_E_COUL], acc[PAIR_E_ZBL] energies
 * (eV), acc[PAIR_W + 0..5] virial W_xx, W_yy, W_zz, W_xy, W_xz, W_yz (eV), W_ab = Σ r_a F_b. */
#ifndef ESNAP_PAIR_KERN_H
#define ESNAP_PAIR_KERN_H

#include <math.h>

#include "constants.h"
#include "gpu_kern.h"
#include "gpu_types.h"
#include "math/ewald.h"
#include "math/pbc.h"
#include "math/zbl.h"
#include "pair.h"

enum { PAIR_E_COUL = 0, PAIR_E_ZBL = 1, PAIR_W = 2, PAIR_NACC = 8 };

typedef struct pair_args {
  int ntot;
  const real_t *pos;     /* [3 ntot] Å */
  const int *type;       /* [ntot] */
  const int *atom_sys;   /* [ntot] */
  const real_t *box;     /* [18 nsys] */
  const int *num;        /* full list: [ntot] */
  const int *nbr;        /* [maxnbr ntot] */
  const int *img;        /* [maxnbr ntot] */
  real_t *force;         /* [3 ntot] eV/Å, ADDED */
  real_t *acc;           /* [PAIR_NACC ntot] per-atom energies and virial, ADDED */
  const int *halt;       /* halt word (kern_halted; NULL: none): the bodies return at once while it is set */
} pair_args;

/* The pair-kernel arguments for atoms `a` (device arrays) over the full list `nl`, accumulating into d_acc. */
static inline pair_args pair_args_of(const gpu_atoms *a, const nbr_list_gpu *nl, real_t *d_acc) {
  pair_args A;
  A.ntot = a->ntot;
  A.pos = a->d_pos;
  A.type = a->d_type;
  A.atom_sys = a->d_atom_sys;
  A.box = a->d_box;
  A.num = nl->d_num;
  A.nbr = nl->d_j;
  A.img = nl->d_img;
  A.force = a->d_force;
  A.acc = d_acc;
  A.halt = a->d_halt;
  return A;
}

/* Pair vector d = r_j + img·H − r_i of list entry k of atom i (pair_delta); returns |d|². */
MD_HD real_t pair_vector(const pair_args *MD_RESTRICT A, int i, int k, const real_t *MD_RESTRICT h, real_t *MD_RESTRICT d,
                         int *MD_RESTRICT jout) {
  const int ntot = A->ntot;
  const int j = A->nbr[(long)k * ntot + i];
  *jout = j;
  return pair_delta(h, A->img[(long)k * ntot + i], A->pos[i], A->pos[ntot + i], A->pos[2 * ntot + i], A->pos[j],
                    A->pos[ntot + j], A->pos[2 * ntot + j], d);
}

MD_HD void pair_store(const pair_args *MD_RESTRICT A, int i, int ecomp, real_t e, const real_t *MD_RESTRICT f,
                      const real_t *MD_RESTRICT w) {
  const long n = A->ntot;
  A->force[i] += f[0];
  A->force[n + i] += f[1];
  A->force[2 * n + i] += f[2];
  A->acc[ecomp * n + i] += e;
  for (int c = 0; c < 6; c++) A->acc[(PAIR_W + c) * n + i] += w[c];
}

/* Coulomb real space, atom i: C q_i q_j erfc(α r)/r for listed pairs with r < rc; qelem[type] in e. */
MD_HD void coul_real_body(int i, const pair_args *MD_RESTRICT A, const real_t *MD_RESTRICT qelem, real_t alpha, real_t rc2) {
  if (kern_halted(A->halt)) return;
  const real_t qi = MD_QQR2E * qelem[A->type[i]];
  if (qi == 0.0) return;
  const real_t *h = A->box + 18 * A->atom_sys[i];
  const int nn = A->num[i];
  real_t f[3] = {0, 0, 0}, w[6] = {0, 0, 0, 0, 0, 0}, e = 0.0;
  for (int k = 0; k < nn; k++) {
    real_t d[3], fj[3];
    int j;
    const real_t r2 = pair_vector(A, i, k, h, d, &j);
    const real_t qj = qelem[A->type[j]];
    if (qj == 0.0 || r2 >= rc2) continue;
    real_t eij, fpair;
    ewald_real_pair(qi * qj, alpha, sqrt(r2), &eij, &fpair);
    pair_accumulate(eij, fpair, d, PAIR_FULL_LIST, f, &e, w, fj);
  }
  pair_store(A, i, PAIR_E_COUL, e, f, w);
}

/* ZBL, atom i: pairs[ti * ne + tj] from zbl_pair_init; rc2 = outer². */
MD_HD void zbl_body(int i, const pair_args *MD_RESTRICT A, const zbl_pair *MD_RESTRICT pairs, int ne, real_t rc2) {
  if (kern_halted(A->halt)) return;
  const real_t *h = A->box + 18 * A->atom_sys[i];
  const int ti = A->type[i], nn = A->num[i];
  real_t f[3] = {0, 0, 0}, w[6] = {0, 0, 0, 0, 0, 0}, e = 0.0;
  for (int k = 0; k < nn; k++) {
    real_t d[3], fj[3];
    int j;
    const real_t r2 = pair_vector(A, i, k, h, d, &j);
    if (r2 >= rc2) continue;
    real_t eij, fpair;
    zbl_pair_eval(&pairs[ti * ne + A->type[j]], sqrt(r2), &eij, &fpair);
    pair_accumulate(eij, fpair, d, PAIR_FULL_LIST, f, &e, w, fj);
  }
  pair_store(A, i, PAIR_E_ZBL, e, f, w);
}

/* Closest listed neighbour of atom i within the first `num` entries (Å; +inf when none): the safety check. */
MD_HD real_t pair_min_distance(const pair_args *MD_RESTRICT A, int i, int *MD_RESTRICT jmin) {
  const real_t *h = A->box + 18 * A->atom_sys[i];
  real_t best = INFINITY;
  *jmin = -1;
  for (int k = 0; k < A->num[i]; k++) {
    real_t d[3];
    int j;
    const real_t r2 = pair_vector(A, i, k, h, d, &j);
    if (r2 < best) {
      best = r2;
      *jmin = j;
    }
  }
  return sqrt(best);
}

#endif
