/* zbl_cpu.c — ZBL repulsion with LAMMPS `pair zbl` switching over a full neighbour list (CPU, OpenMP).
 * Pair formulas: src/math/zbl.h. Each atom accumulates only its own force (full list: no write conflicts);
 * energy and virial take half of every listed pair. */
#include "zbl_cpu.h"

#include <math.h>
#include <omp.h>
#include <string.h>

#include "math/pbc.h"
#include "math/zbl.h"

md_status zbl_cpu_compute(const md_model *m, const md_system *sys, const nbr_list *nl, real_t *fx, real_t *fy,
                          real_t *fz, real_t *energy, real_t virial[9]) {
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
  real_t part[64][7];
  memset(part, 0, sizeof part);
#pragma omp parallel num_threads(nthr)
  {
    int t = omp_get_thread_num();
    real_t e = 0.0, w[6] = {0, 0, 0, 0, 0, 0};
#pragma omp for schedule(static)
    for (int i = 0; i < sys->n; i++) {
      const int ti = sys->type[i];
      real_t fix = 0.0, fiy = 0.0, fiz = 0.0;
      for (int k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
        int j = nl->j[k];
        real_t d[3];
        pbc_image_shift(h, nl->img[k], d);
        real_t dx = sys->x[j] + d[0] - sys->x[i];
        real_t dy = sys->y[j] + d[1] - sys->y[i];
        real_t dz = sys->z[j] + d[2] - sys->z[i];
        real_t r2 = dx * dx + dy * dy + dz * dz;
        if (r2 >= rc2) continue;
        real_t r = sqrt(r2), eij, dedr;
        zbl_pair_energy(&pairs[ti * ne + sys->type[j]], r, &eij, &dedr);
        real_t s = dedr / r; /* force on i = s r_ij; on j = −s r_ij */
        fix += s * dx;
        fiy += s * dy;
        fiz += s * dz;
        e += 0.5 * eij;
        /* W_ab = Σ_pairs r_a F_b(j) = −s r_a r_b, half per listed direction */
        w[0] -= 0.5 * s * dx * dx;
        w[1] -= 0.5 * s * dy * dy;
        w[2] -= 0.5 * s * dz * dz;
        w[3] -= 0.5 * s * dx * dy;
        w[4] -= 0.5 * s * dx * dz;
        w[5] -= 0.5 * s * dy * dz;
      }
      fx[i] += fix;
      fy[i] += fiy;
      fz[i] += fiz;
    }
    part[t][0] = e;
    for (int c = 0; c < 6; c++) part[t][c + 1] = w[c];
  }
  real_t e = 0.0, w[6] = {0, 0, 0, 0, 0, 0};
  for (int t = 0; t < nthr; t++) {
    e += part[t][0];
    for (int c = 0; c < 6; c++) w[c] += part[t][c + 1];
  }
  *energy = e;
  virial_add6(virial, w);
  return MD_OK;
}
