#include "neighbor.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/pbc.h"
#include "pair.h"

md_status nbr_create(nbr_list **out, real_t cutoff, real_t skin, int half) {
  *out = NULL;
  if (!(cutoff > 0.0) || !(skin >= 0.0) || !isfinite(cutoff + skin))
    return md_error(MD_ERR_VALUE, "neighbour list: cutoff %g and skin %g must be positive and finite", cutoff, skin);
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

md_status nbr_geom_check(const md_box *box, real_t rl, int n, nbr_geom *g) {
  const real_t *w = box->width;
  switch (nbr_geom_for(w, rl, n, g)) {
    case NBR_GEOM_OK:
      return MD_OK;
    case NBR_GEOM_BAD_RANGE:
      return md_error(MD_ERR_VALUE, "neighbour list: cutoff + skin %g Å is not a finite positive length", rl);
    case NBR_GEOM_BAD_CELL:
      return md_error(MD_ERR_VALUE, "neighbour list: the cell is degenerate (face widths %g, %g, %g Å)", w[0], w[1], w[2]);
    default:
      return md_error(MD_ERR_VALUE,
                      "neighbour list: cutoff + skin %g Å is too large for a cell %g Å wide (the stencil would span "
                      "more than %d cells along a direction or %d in all); use a larger or less skewed cell or a shorter cutoff",
                      rl, fmin(w[0], fmin(w[1], w[2])), NBR_MAX_STENCIL, NBR_MAX_STENCIL_CELLS);
  }
}

/* Visit the neighbours of atom i (stencil walk and pair tests: src/nbr_cells.h); write = 0 counts, write = 1
 * also stores from `pos`. Returns the count. */
static int visit_atom(const nbr_list *nl, const md_box *box, int i, real_t rl2, int write, int pos) {
  const real_t *fr = nl->frac;
  const int *own = nl->own;
  const real_t *wi = fr + 3 * i;
  nbr_stencil st;
  nbr_stencil_begin(&st, &nl->geom, wi, 1);
  int count = 0, cell;
  while (nbr_stencil_next(&st, &cell)) {
    for (int j = nl->cell_head[cell]; j >= 0; j = nl->cell_next[j]) {
      if (nbr_is_self(i, j, st.img)) continue;
      if (nbr_pair_r2(box->h, wi, fr + 3 * j, 1, st.img) >= rl2) continue;
      if (nl->half && nbr_half_skips(i, j, st.img)) continue;
      if (write) {
        nl->j[pos + count] = j;
        nl->img[pos + count] = nbr_entry_image(st.img, own + 3 * i, own + 3 * j, 1);
      }
      count++;
    }
  }
  return count;
}

/* Build for positions x, y, z ([n] each) in the cell of s (ids for messages from s). */
static md_status build_at(nbr_list *nl, const md_system *s, const real_t *x, const real_t *y, const real_t *z) {
  int n = s->n;
  const md_box *box = &s->box;
  MD_TRY(grow_atoms(nl, n));
  real_t rl = nl->cutoff + nl->skin;
  MD_TRY(nbr_geom_check(box, rl, n, &nl->geom));
  const nbr_geom *g = &nl->geom;
  const long total_cells = (long)g->ncell[0] * g->ncell[1] * g->ncell[2];
  if (total_cells > nl->ncell_cap) {
    free(nl->cell_head);
    nl->cell_head = (int *)malloc((size_t)total_cells * sizeof(int));
    if (!nl->cell_head) {
      nl->ncell_cap = 0;
      return md_error(MD_ERR_MEMORY, "out of memory (cell list)");
    }
    nl->ncell_cap = (int)total_cells;
  }
  for (long c = 0; c < total_cells; c++) nl->cell_head[c] = -1;
  for (int i = 0; i < n; i++) {
    real_t f[3];
    pbc_to_frac(box->hinv, x[i], y[i], z[i], f);
    unsigned bad = nbr_cell_assign(g, f, nl->frac + 3 * i, 1, nl->own + 3 * i, 1, &nl->atom_cell[i]);
    if (bad & NBR_ASSIGN_NONFINITE)
      return md_error(MD_ERR_VALUE, "neighbour list: atom %d has a non-finite position", s->id ? s->id[i] : i + 1);
    if (bad) {
      real_t far = 0.0;
      for (int d = 0; d < 3; d++)
        if (fabs(floor(f[d])) > fabs(far)) far = floor(f[d]);
      return md_error(MD_ERR_VALUE, "neighbour list: atom %d is %g cells away from the box (lost atom)",
                      s->id ? s->id[i] : i + 1, far);
    }
  }
  /* insert in reverse so each cell's chain is in increasing atom order (deterministic lists) */
  for (int i = n - 1; i >= 0; i--) {
    nl->cell_next[i] = nl->cell_head[nl->atom_cell[i]];
    nl->cell_head[nl->atom_cell[i]] = i;
  }
  real_t rl2 = rl * rl;
#pragma omp parallel for schedule(static)
  for (int i = 0; i < n; i++) nl->counts[i] = visit_atom(nl, box, i, rl2, 0, 0);
  long long total = 0;
  nl->offset[0] = 0;
  for (int i = 0; i < n; i++) {
    total += nl->counts[i];
    if (total > INT_MAX)
      return md_error(MD_ERR_VALUE, "neighbour list: more than %d pairs within %g Å; use a shorter cutoff", INT_MAX, rl);
    nl->offset[i + 1] = (int)total;
  }
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
  for (int i = 0; i < n; i++) visit_atom(nl, box, i, rl2, 1, nl->offset[i]);
  for (int i = 0; i < n; i++) {
    nl->x0[i] = x[i];
    nl->x0[n + i] = y[i];
    nl->x0[2 * n + i] = z[i];
  }
  nl->box0 = *box;
  nl->n = n;
  nl->builds++;
  return MD_OK;
}

md_status nbr_build(nbr_list *nl, const md_system *s) { return build_at(nl, s, s->x, s->y, s->z); }

md_status nbr_build_at(nbr_list *nl, const md_system *s, const real_t *x0) {
  const size_t n = (size_t)(s->n > 0 ? s->n : 0);
  return build_at(nl, s, x0, x0 + n, x0 + 2 * n);
}

int nbr_needs_rebuild(const nbr_list *nl, const md_system *s) {
  if (nl->n != s->n || nl->builds == 0) return 1;
  if (memcmp(nl->box0.h, s->box.h, sizeof s->box.h) != 0) return 1;
  const real_t lim2 = nbr_moved_limit2(nl->skin);
  const int n = s->n;
  const real_t *x0 = nl->x0, *y0 = x0 + n, *z0 = y0 + n;
  int need = 0;
  for (int i = 0; i < n && !need; i++) need = nbr_moved(s->x[i], s->y[i], s->z[i], x0[i], y0[i], z0[i], lim2);
  return need;
}

void nbr_min_distance(const nbr_list *nl, const md_system *s, real_t *dmin, int *ia, int *ib) {
  real_t best = INFINITY;
  *ia = *ib = -1;
  for (int i = 0; i < nl->n; i++)
    for (int k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
      const int j = nl->j[k];
      real_t d[3];
      const real_t r2 = pair_delta(s->box.h, nl->img[k], s->x[i], s->y[i], s->z[i], s->x[j], s->y[j], s->z[j], d);
      if (r2 < best) {
        best = r2;
        *ia = i;
        *ib = j;
      }
    }
  *dmin = sqrt(best);
}
