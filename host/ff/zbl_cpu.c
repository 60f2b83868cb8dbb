/* zbl_cpu.c — ZBL repulsion with LAMMPS `pair zbl` switching over a full neighbour list (CPU, OpenMP).
 * Pair formula src/math/zbl.h, pair glue src/pair.h (full list: each atom accumulates only its own force,
 * energy and virial take half of every listed pair). */
#include "zbl_cpu.h"

#include <math.h>
#include <omp.h>
#include <string.h>

#include "math/zbl.h"
#include "pair.h"

md_status zbl_cpu_compute(const md_model *m, const md_system *sys, const nbr_list *nl, real_t *fx, real_t *fy,
                          real_t *fz, real_t *energy, real_t virial[9]) {
  return zbl_cpu_compute_atom(m, sys, nl, fx, fy, fz, energy, virial, NULL);
}

md_status zbl_cpu_compute_atom(const md_model *m, const md_system *sys, const nbr_list *nl, real_t *fx, real_t *fy,
                               real_t *fz, real_t *energy, real_t virial[9], real_t *eatom) {
  *energy = 0.0;
  if (!m->has_zbl) return MD_OK;
  if (nl->half) return md_error(MD_ERR_INTERNAL, "zbl_cpu_compute: needs a full neighbour list");
  if (nl->n != sys->n) return md_error(MD_ERR_INTERNAL, "zbl_cpu_compute: neighbour list built for %d atoms, system has %d", nl->n, sys->n);
  if (nl->cutoff + nl->skin < m->zbl_outer)
    return md_error(MD_ERR_INTERNAL, "zbl_cpu_compute: neighbour list range %g Å is below the ZBL outer cutoff %g Å",
                    nl->cutoff + nl->skin, m->zbl_outer);
  const int ne = m->nelem;
  zbl_pair pairs[MD_MAX_ELEM * MD_MAX_ELEM];
  for (int a = 0; a < ne; a++)
    for (int b = 0; b < ne; b++) zbl_pair_init(&pairs[a * ne + b], m->zbl_z[a], m->zbl_z[b], m->zbl_inner, m->zbl_outer);
  for (int i = 0; i < sys->n; i++)
    if (sys->type[i] < 0 || sys->type[i] >= ne)
      return md_error(MD_ERR_VALUE, "zbl_cpu_compute: atom %d has type %d outside the model's %d elements", i + 1, sys->type[i], ne);

  const real_t rc2 = m->zbl_outer * m->zbl_outer;
  const real_t *h = sys->box.h;
  int nthr = omp_get_max_threads();
  if (nthr > 64) nthr = 64;
  if (nbr_entries(nl) < 4096) nthr = 1; /* tiny systems: threads cost more than they save */
  real_t part[64 * 7];
  memset(part, 0, sizeof part);
#pragma omp parallel num_threads(nthr)
  {
    int t = omp_get_thread_num();
    real_t e = 0.0, w[6] = {0, 0, 0, 0, 0, 0};
#pragma omp for schedule(static)
    for (int i = 0; i < sys->n; i++) {
      const int ti = sys->type[i];
      real_t fi[3] = {0.0, 0.0, 0.0}, ei = 0.0;
      for (int k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
        const int j = nl->j[k];
        real_t d[3], fj[3];
        const real_t r2 = pair_delta(h, nl->img[k], sys->x[i], sys->y[i], sys->z[i], sys->x[j], sys->y[j], sys->z[j], d);
        if (r2 >= rc2) continue;
        real_t eij, fpair;
        zbl_pair_eval(&pairs[ti * ne + sys->type[j]], sqrt(r2), &eij, &fpair);
        pair_accumulate(eij, fpair, d, PAIR_FULL_LIST, fi, &e, w, fj);
        ei += PAIR_FULL_LIST * eij;
      }
      if (eatom) eatom[i] += ei;
      fx[i] += fi[0];
      fy[i] += fi[1];
      fz[i] += fi[2];
    }
    part[7 * t] = e;
    for (int c = 0; c < 6; c++) part[7 * t + c + 1] = w[c];
  }
  pair_sum_threads(part, nthr, energy, virial);
  return MD_OK;
}
