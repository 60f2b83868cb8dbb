#include "neighbor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/pbc.h"

md_status nbr_create(nbr_list **out, real_t cutoff, real_t skin, int half) {
  *out = NULL;
  if (!(cutoff > 0.0) || !(skin >= 0.0))
    return md_error(MD_ERR_VALUE, "neighbour list: cutoff %g and skin %g must be positive", cutoff, skin);
  nbr_list *nl = (nbr_list *)calloc(1, sizeof *nl);
  if (!nl) return md_error(MD_ERR_MEMORY, "out of memory (neighbour list)");
  nl->cutoff = cutoff;
  nl->skin = skin;
  nl->half = half;
  nl->n = -1;
  *out = nl;
  return MD_OK;
}

void nbr_destroy(nbr_list **p) {
  if (!p || !*p) return;
  nbr_list *nl = *p;
  free(nl->offset);
  free(nl->j);
  free(nl->img);
  free(nl->x0);
  free(nl->cell_head);
  free(nl->cell_next);
  free(nl->atom_cell);
  free(nl->counts);
  free(nl->frac);
  free(nl->own);
  free(nl);
  *p = NULL;
}

static md_status grow_atoms(nbr_list *nl, int n) {
  if (n <= nl->natom_cap && nl->offset) return MD_OK;
  int m = n > 0 ? n : 1;
  free(nl->offset);
  free(nl->x0);
  free(nl->cell_next);
  free(nl->atom_cell);
  free(nl->counts);
  free(nl->frac);
  free(nl->own);
  nl->offset = (int *)malloc((size_t)(m + 1) * sizeof(int));
  nl->x0 = (real_t *)malloc(3 * (size_t)m * sizeof(real_t));
  nl->cell_next = (int *)malloc((size_t)m * sizeof(int));
  nl->atom_cell = (int *)malloc((size_t)m * sizeof(int));
  nl->counts = (int *)malloc((size_t)m * sizeof(int));
  nl->frac = (real_t *)malloc(3 * (size_t)m * sizeof(real_t));
  nl->own = (int *)malloc(3 * (size_t)m * sizeof(int));
  nl->natom_cap = m;
  if (!nl->offset || !nl->x0 || !nl->cell_next || !nl->atom_cell || !nl->counts || !nl->frac || !nl->own) {
    nl->natom_cap = 0;
    return md_error(MD_ERR_MEMORY, "out of memory (neighbour list, %d atoms)", n);
  }
  return MD_OK;
}

/* Visit the neighbours of atom i; mode 0 counts, mode 1 writes from `pos`. Returns the count. */
static int visit_atom(const nbr_list *nl, const md_box *box, int i, int m[3], real_t rl2, int write, int pos) {
  const int *nc = nl->ncell;
  const real_t *fr = nl->frac;
  const real_t *h = box->h;
  int ci = nl->atom_cell[i];
  int c0 = ci / (nc[1] * nc[2]), c1 = (ci / nc[2]) % nc[1], c2 = ci % nc[2];
  real_t si0 = fr[3 * i], si1 = fr[3 * i + 1], si2 = fr[3 * i + 2];
  int count = 0;
  for (int da = -m[0]; da <= m[0]; da++) {
    int ta = c0 + da;
    int na = (ta >= 0) ? ta / nc[0] : -((-ta + nc[0] - 1) / nc[0]);
    ta -= na * nc[0];
    for (int db = -m[1]; db <= m[1]; db++) {
      int tb = c1 + db;
      int nb = (tb >= 0) ? tb / nc[1] : -((-tb + nc[1] - 1) / nc[1]);
      tb -= nb * nc[1];
      for (int dc = -m[2]; dc <= m[2]; dc++) {
        int tc = c2 + dc;
        int ncc = (tc >= 0) ? tc / nc[2] : -((-tc + nc[2] - 1) / nc[2]);
        tc -= ncc * nc[2];
        int cell = (ta * nc[1] + tb) * nc[2] + tc;
        for (int j = nl->cell_head[cell]; j >= 0; j = nl->cell_next[j]) {
          if (j == i && na == 0 && nb == 0 && ncc == 0) continue;
          real_t d0 = fr[3 * j] + na - si0, d1 = fr[3 * j + 1] + nb - si1, d2 = fr[3 * j + 2] + ncc - si2;
          real_t dx = d0 * h[0] + d1 * h[3] + d2 * h[6];
          real_t dy = d0 * h[1] + d1 * h[4] + d2 * h[7];
          real_t dz = d0 * h[2] + d1 * h[5] + d2 * h[8];
          if (dx * dx + dy * dy + dz * dz >= rl2) continue;
          /* shift relative to the unwrapped input positions */
          int sa = na - nl->own[3 * j] + nl->own[3 * i];
          int sb = nb - nl->own[3 * j + 1] + nl->own[3 * i + 1];
          int sc = ncc - nl->own[3 * j + 2] + nl->own[3 * i + 2];
          if (nl->half) {
            if (j < i) continue;
            if (j == i && pbc_pack_image(na, nb, ncc) < PBC_IMG_ZERO) continue;
          }
          if (write) {
            nl->j[pos + count] = j;
            nl->img[pos + count] = pbc_pack_image(sa, sb, sc);
          }
          count++;
        }
      }
    }
  }
  return count;
}

md_status nbr_build(nbr_list *nl, const md_system *s) {
  int n = s->n;
  const md_box *box = &s->box;
  MD_TRY(grow_atoms(nl, n));
  real_t rl = nl->cutoff + nl->skin;
  int m[3];
  long total_cells = 1;
  for (int d = 0; d < 3; d++) {
    int c = (int)floor(box->width[d] / rl);
    if (c < 1) c = 1;
    if (c > 1024) c = 1024;
    nl->ncell[d] = c;
  }
  /* a tiny cutoff must not make a huge, mostly empty grid: at most ~4 cells per atom */
  long limit = 4L * (n > 16 ? n : 16);
  while ((long)nl->ncell[0] * nl->ncell[1] * nl->ncell[2] > limit) {
    int d = 0;
    if (nl->ncell[1] > nl->ncell[d]) d = 1;
    if (nl->ncell[2] > nl->ncell[d]) d = 2;
    nl->ncell[d] = (nl->ncell[d] + 1) / 2;
  }
  for (int d = 0; d < 3; d++) {
    real_t cw = box->width[d] / nl->ncell[d];
    m[d] = (int)ceil(rl / cw);
    total_cells *= nl->ncell[d];
    if (m[d] > 400)
      return md_error(MD_ERR_VALUE, "neighbour list: cutoff %g Å is too large for a cell %g Å wide", rl, box->width[d]);
  }
  if (total_cells > nl->ncell_cap) {
    free(nl->cell_head);
    nl->cell_head = (int *)malloc((size_t)total_cells * sizeof(int));
    if (!nl->cell_head) return md_error(MD_ERR_MEMORY, "out of memory (cell list)");
    nl->ncell_cap = (int)total_cells;
  }
  for (long c = 0; c < total_cells; c++) nl->cell_head[c] = -1;
  for (int i = 0; i < n; i++) {
    real_t f[3];
    pbc_to_frac(box->hinv, s->x[i], s->y[i], s->z[i], f);
    if (!isfinite(f[0]) || !isfinite(f[1]) || !isfinite(f[2]))
      return md_error(MD_ERR_VALUE, "neighbour list: atom %d has a non-finite position", s->id ? s->id[i] : i + 1);
    int cidx[3];
    for (int d = 0; d < 3; d++) {
      real_t fl = floor(f[d]);
      if (fabs(fl) > 500.0)
        return md_error(MD_ERR_VALUE, "neighbour list: atom %d is %g cells away from the box (lost atom)",
                        s->id ? s->id[i] : i + 1, fl);
      real_t w = f[d] - fl;
      if (w >= 1.0) { w -= 1.0; fl += 1.0; }
      nl->own[3 * i + d] = (int)fl;
      nl->frac[3 * i + d] = w;
      int c = (int)(w * nl->ncell[d]);
      if (c >= nl->ncell[d]) c = nl->ncell[d] - 1;
      if (c < 0) c = 0;
      cidx[d] = c;
    }
    int cell = (cidx[0] * nl->ncell[1] + cidx[1]) * nl->ncell[2] + cidx[2];
    nl->atom_cell[i] = cell;
  }
  /* insert in reverse so each cell's chain is in increasing atom order (deterministic lists) */
  for (int i = n - 1; i >= 0; i--) {
    nl->cell_next[i] = nl->cell_head[nl->atom_cell[i]];
    nl->cell_head[nl->atom_cell[i]] = i;
  }
  real_t rl2 = rl * rl;
#pragma omp parallel for schedule(static)
  for (int i = 0; i < n; i++) nl->counts[i] = visit_atom(nl, box, i, m, rl2, 0, 0);
  nl->offset[0] = 0;
  for (int i = 0; i < n; i++) nl->offset[i + 1] = nl->offset[i] + nl->counts[i];
  size_t need = (size_t)nl->offset[n];
  if (need > nl->cap || !nl->j) {
    size_t cap = need + need / 8 + 16;
    free(nl->j);
    free(nl->img);
    nl->j = (int *)malloc(cap * sizeof(int));
    nl->img = (int *)malloc(cap * sizeof(int));
    if (!nl->j || !nl->img) {
      nl->cap = 0;
      return md_error(MD_ERR_MEMORY, "out of memory (neighbour list, %zu pairs)", need);
    }
    nl->cap = cap;
  }
#pragma omp parallel for schedule(static)
  for (int i = 0; i < n; i++) visit_atom(nl, box, i, m, rl2, 1, nl->offset[i]);
  for (int i = 0; i < n; i++) {
    nl->x0[i] = s->x[i];
    nl->x0[n + i] = s->y[i];
    nl->x0[2 * n + i] = s->z[i];
  }
  nl->box0 = *box;
  nl->n = n;
  nl->builds++;
  return MD_OK;
}

int nbr_needs_rebuild(const nbr_list *nl, const md_system *s) {
  if (nl->n != s->n || nl->builds == 0) return 1;
  if (memcmp(nl->box0.h, s->box.h, sizeof s->box.h) != 0) return 1;
  real_t lim = 0.25 * nl->skin * nl->skin;
  int n = s->n;
  int need = 0;
  for (int i = 0; i < n && !need; i++) {
    real_t dx = s->x[i] - nl->x0[i], dy = s->y[i] - nl->x0[n + i], dz = s->z[i] - nl->x0[2 * n + i];
    if (dx * dx + dy * dy + dz * dz > lim) need = 1;
  }
  return need;
}
