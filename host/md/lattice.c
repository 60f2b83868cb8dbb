/* lattice.c — ideal crystal supercells (see lattice.h). */
#include "lattice.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "box.h"
#include "system.h"

static int find_elem(const md_model *m, const char *name) {
  for (int e = 0; e < m->nelem; e++)
    if (strcmp(m->elem[e], name) == 0) return e;
  return -1;
}

md_status lattice_li3n(md_system **out, int nx, int ny, int nz, real_t a, real_t c, const md_model *m) {
  *out = NULL;
  if (nx < 1 || ny < 1 || nz < 1 || (long)nx * ny * nz > 25000000L)
    return md_error(MD_ERR_VALUE, "Li3N supercell %d x %d x %d: each repeat must be >= 1 (and at most 1e8 atoms)", nx, ny, nz);
  if (a <= 0) a = LI3N_A;
  if (c <= 0) c = LI3N_C;
  if (!isfinite(a) || !isfinite(c)) return md_error(MD_ERR_VALUE, "Li3N lattice constants must be finite");
  int li = 0, n = 1;
  char elem[2][MD_NAME_LEN] = {"Li", "N"};
  int nelem = 2;
  if (m) {
    li = find_elem(m, "Li");
    n = find_elem(m, "N");
    if (li < 0 || n < 0) return md_error(MD_ERR_VALUE, "%s: an Li3N lattice needs elements Li and N in the model", m->path);
  }
  /* fractional sites and their element */
  static const real_t site[4][3] = {{0.0, 0.0, 0.5}, {1.0 / 3.0, 2.0 / 3.0, 0.0}, {2.0 / 3.0, 1.0 / 3.0, 0.0}, {0.0, 0.0, 0.0}};
  const int kind[4] = {li, li, li, n};
  md_system *s = NULL;
  MD_TRY(system_create(&s, 4 * nx * ny * nz));
  if (m) {
    s->nelem = m->nelem;
    for (int e = 0; e < m->nelem; e++) snprintf(s->elem[e], MD_NAME_LEN, "%s", m->elem[e]);
  } else {
    s->nelem = nelem;
    memcpy(s->elem, elem, sizeof elem);
  }
  real_t cell[9] = {a, 0, 0, -0.5 * a, 0.5 * sqrt(3.0) * a, 0, 0, 0, c};
  memset(&s->box, 0, sizeof s->box);
  for (int k = 0; k < 3; k++) {
    s->box.h[k] = nx * cell[k];
    s->box.h[3 + k] = ny * cell[3 + k];
    s->box.h[6 + k] = nz * cell[6 + k];
  }
  md_status st = box_update(&s->box, "Li3N lattice");
  if (st != MD_OK) {
    system_destroy(&s);
    return st;
  }
  int i = 0;
  for (int kz = 0; kz < nz; kz++)
    for (int ky = 0; ky < ny; ky++)
      for (int kx = 0; kx < nx; kx++)
        for (int b = 0; b < 4; b++) {
          real_t f0 = kx + site[b][0], f1 = ky + site[b][1], f2 = kz + site[b][2];
          s->x[i] = f0 * cell[0] + f1 * cell[3] + f2 * cell[6];
          s->y[i] = f0 * cell[1] + f1 * cell[4] + f2 * cell[7];
          s->z[i] = f0 * cell[2] + f1 * cell[5] + f2 * cell[8];
          s->type[i] = kind[b];
          s->id[i] = i + 1;
          i++;
        }
  *out = s;
  return MD_OK;
}
