/* nbr_cells.h — the cell rules of the Verlet neighbour build, one definition for host/ff/neighbor.c (CPU) and
 * kernels/neighbor_kern.h (CUDA): the cell grid for a cell and a list range, the fractional -> cell
 * assignment, the stencil walk (which cells an atom visits, with which image shifts, in which order) and the
 * tests on a candidate pair (distance, self, half-list rule, packed image).
 *
 * Grid. Fractional coordinates s = r·H⁻¹ are wrapped into w ∈ [0, 1) with integer floors `own`. Along
 * direction d (cell vector a, b, c) the grid has ncell[d] = floor(width_d / rl) cells, clamped to
 * 1 … NBR_MAX_CELLS_DIM, width_d the perpendicular width of the cell (md_box.width), rl = cutoff + skin;
 * while the grid holds more than 4·max(n, 16) cells (a tiny cutoff) the direction with the most cells is
 * halved. An atom visits the cells within ±m[d] = ceil(rl / (width_d / ncell[d])) ≤ NBR_MAX_STENCIL; m[d]
 * may exceed ncell[d] (a range longer than the cell), so one cell is visited with several image shifts.
 *
 * Order. The stencil runs da (outer), db, dc (inner) from −m to +m; within a cell atoms come in increasing
 * index. Both backends list each atom's neighbours in this order, so their lists agree entry by entry.
 *
 * Where the backends differ (layouts only): the CPU chains each cell's atoms in a linked list and writes one
 * CSR list (count pass, then write pass; host/ff/neighbor.c); the device sorts atoms by cell key and writes
 * up to two padded column-major lists from one walk (kernels/neighbor_kern.h). Per-atom arrays are passed
 * here with a stride: 1 for the CPU's interleaved [3 n] arrays, ntot for the device's component-major ones.
 */
#ifndef ESNAP_NBR_CELLS_H
#define ESNAP_NBR_CELLS_H

#include <math.h>

#include "md_hd.h"
#include "types.h"
#include "math/pbc.h"

#define NBR_MAX_CELLS_DIM 1024 /* cells along one direction */
#define NBR_MAX_STENCIL 64     /* stencil half-width in cells (a cutoff more than 64 cells long is rejected) */
#define NBR_MAX_STENCIL_CELLS (1 << 18) /* cells one atom visits, Π(2 m[d] + 1): bounds the work per atom */
#define NBR_MAX_IMAGE 200      /* |floor(s)| beyond this: a lost atom; list images are differences of two such
                                  images plus a stencil shift: 2·200 + NBR_MAX_STENCIL < 511, the packed range (pbc.h) */

/* Cell grid of one system. */
typedef struct nbr_geom {
  int ncell[3];  /* cells along a, b, c (1 … NBR_MAX_CELLS_DIM) */
  int m[3];      /* stencil half-width in cells (0 … NBR_MAX_STENCIL) */
  int cellbase;  /* first global cell of the system (device lists of several systems; 0 on the CPU) */
  int pad_;
} nbr_geom;

/* nbr_geom_for results */
enum { NBR_GEOM_OK = 0, NBR_GEOM_BAD_RANGE = 1, NBR_GEOM_BAD_CELL = 2, NBR_GEOM_STENCIL = 3 };

/* The grid for face widths width[3] (Å), range rl = cutoff + skin (Å) and n atoms. Returns NBR_GEOM_OK;
 * NBR_GEOM_BAD_RANGE when rl is not a finite positive length, NBR_GEOM_BAD_CELL when a width is not, or
 * NBR_GEOM_STENCIL when the stencil would exceed NBR_MAX_STENCIL cells along a direction or NBR_MAX_STENCIL_CELLS in all
 * (the cutoff is far too large for the cell, e.g. a nearly flat cell). Every count is clamped as a double before it becomes an int, so no input converts inf, NaN or an
 * out-of-range value. On failure *g is still a valid 1-cell grid. */
MD_HD int nbr_geom_for(const real_t *MD_RESTRICT width, real_t rl, int n, nbr_geom *MD_RESTRICT g) {
  for (int d = 0; d < 3; d++) {
    g->ncell[d] = 1;
    g->m[d] = 0;
  }
  g->cellbase = 0;
  g->pad_ = 0;
  if (!(rl > 0.0) || !isfinite(rl)) return NBR_GEOM_BAD_RANGE;
  for (int d = 0; d < 3; d++)
    if (!(width[d] > 0.0) || !isfinite(width[d])) return NBR_GEOM_BAD_CELL;
  for (int d = 0; d < 3; d++) {
    real_t c = floor(width[d] / rl); /* 0 … +inf */
    if (!(c >= 1.0)) c = 1.0;
    if (c > (real_t)NBR_MAX_CELLS_DIM) c = (real_t)NBR_MAX_CELLS_DIM;
    g->ncell[d] = (int)c;
  }
  const long long limit = 4LL * (n > 16 ? n : 16);
  while ((long long)g->ncell[0] * g->ncell[1] * g->ncell[2] > limit) {
    int d = 0;
    if (g->ncell[1] > g->ncell[d]) d = 1;
    if (g->ncell[2] > g->ncell[d]) d = 2;
    g->ncell[d] = (g->ncell[d] + 1) / 2;
  }
  for (int d = 0; d < 3; d++) {
    const real_t cw = width[d] / g->ncell[d];
    const real_t m = ceil(rl / cw); /* 1 … +inf */
    if (!(m <= (real_t)NBR_MAX_STENCIL)) return NBR_GEOM_STENCIL;
    g->m[d] = (int)m;
  }
  if ((long long)(2 * g->m[0] + 1) * (2 * g->m[1] + 1) * (2 * g->m[2] + 1) > (long long)NBR_MAX_STENCIL_CELLS) {
    for (int d = 0; d < 3; d++) g->m[d] = 0;
    return NBR_GEOM_STENCIL;
  }
  return NBR_GEOM_OK;
}

/* Cell index along one direction of a wrapped fractional coordinate w ∈ [0, 1) on nc cells. */
MD_HD int nbr_cell_coord(real_t w, int nc) {
  int c = (int)(w * nc);
  if (c >= nc) c = nc - 1;
  if (c < 0) c = 0;
  return c;
}

/* nbr_cell_assign flags */
enum { NBR_ASSIGN_NONFINITE = 1u, NBR_ASSIGN_FAR = 2u };

/* Wrap fractional coordinates s[3] into w ∈ [0, 1) (stride ws) with floors own (stride os) and the local cell
 * index *cell = (ca ncell[1] + cb) ncell[2] + cc. Returns 0, or NBR_ASSIGN_NONFINITE / NBR_ASSIGN_FAR flags for
 * a non-finite coordinate or one more than NBR_MAX_IMAGE cells away; that component is then taken as 0, so
 * *cell is still a valid cell, but the atom must not be trusted. */
MD_HD unsigned nbr_cell_assign(const nbr_geom *MD_RESTRICT g, const real_t *MD_RESTRICT s, real_t *MD_RESTRICT w,
                               int ws, int *MD_RESTRICT own, int os, int *MD_RESTRICT cell) {
  unsigned bad = 0;
  int c[3];
  for (int d = 0; d < 3; d++) {
    real_t sd = s[d], fl = floor(sd);
    if (!isfinite(sd)) {
      bad |= NBR_ASSIGN_NONFINITE;
      sd = fl = 0.0;
    } else if (fabs(fl) > (real_t)NBR_MAX_IMAGE) {
      bad |= NBR_ASSIGN_FAR;
      sd = fl = 0.0;
    }
    real_t wd = sd - fl;
    if (wd >= 1.0) {
      wd -= 1.0;
      fl += 1.0;
    }
    own[d * os] = (int)fl;
    w[d * ws] = wd;
    c[d] = nbr_cell_coord(wd, g->ncell[d]);
  }
  *cell = (c[0] * g->ncell[1] + c[1]) * g->ncell[2] + c[2];
  return bad;
}

/* Wrap one atom into the cell: subtract floor(s)·H from its position (x, y, z) and add floor(s) to its image
 * counts (ix, iy, iz). Positions that are not finite or more than 1e6 cells away are left alone (the
 * assignment reports them). Used by system_wrap (CPU) and the device wrap before a rebuild. */
MD_HD void nbr_wrap_atom(const real_t *MD_RESTRICT h, const real_t *MD_RESTRICT hinv, real_t *MD_RESTRICT x,
                         real_t *MD_RESTRICT y, real_t *MD_RESTRICT z, int *MD_RESTRICT ix, int *MD_RESTRICT iy,
                         int *MD_RESTRICT iz) {
  real_t f[3], d[3];
  pbc_to_frac(hinv, *x, *y, *z, f);
  if (!isfinite(f[0]) || !isfinite(f[1]) || !isfinite(f[2])) return;
  if (fabs(f[0]) > 1e6 || fabs(f[1]) > 1e6 || fabs(f[2]) > 1e6) return;
  const int na = (int)floor(f[0]), nb = (int)floor(f[1]), nc = (int)floor(f[2]);
  if (na == 0 && nb == 0 && nc == 0) return;
  pbc_to_cart(h, (real_t)na, (real_t)nb, (real_t)nc, d);
  *x -= d[0];
  *y -= d[1];
  *z -= d[2];
  *ix += na;
  *iy += nb;
  *iz += nc;
}

/* The rebuild criterion: squared displacement limit (skin/2)² (Å²) ... */
MD_HD real_t nbr_moved_limit2(real_t skin) { return 0.25 * skin * skin; }
/* ... and whether an atom at (x, y, z) moved beyond it from (x0, y0, z0) since the last build. */
MD_HD int nbr_moved(real_t x, real_t y, real_t z, real_t x0, real_t y0, real_t z0, real_t lim2) {
  const real_t dx = x - x0, dy = y - y0, dz = z - z0;
  return dx * dx + dy * dy + dz * dz > lim2;
}

/* ---- the stencil walk ---- */

/* State of one atom's walk over the cells within ±m of its own cell. */
typedef struct nbr_stencil {
  int c[3];    /* the atom's cell */
  int off[3];  /* current offset (da, db, dc) */
  int t[3];    /* current cell, wrapped into the grid */
  int img[3];  /* image shift of the current cell: c + off = t + img · ncell */
  int n[3], m[3];
} nbr_stencil;

/* Wrap direction k of the current offset. */
MD_HD void nbr_stencil_wrap(nbr_stencil *MD_RESTRICT st, int k) {
  const int t = st->c[k] + st->off[k], nc = st->n[k];
  const int im = (t >= 0) ? t / nc : -((-t + nc - 1) / nc); /* floor(t / nc); |t| ≤ NBR_MAX_CELLS_DIM + NBR_MAX_STENCIL */
  st->img[k] = im;
  st->t[k] = t - im * nc;
}

/* Start the walk of an atom at wrapped fractional coordinates w (stride ws). */
MD_HD void nbr_stencil_begin(nbr_stencil *MD_RESTRICT st, const nbr_geom *MD_RESTRICT g, const real_t *MD_RESTRICT w,
                             int ws) {
  for (int k = 0; k < 3; k++) {
    st->n[k] = g->ncell[k];
    st->m[k] = g->m[k];
    st->c[k] = nbr_cell_coord(w[k * ws], g->ncell[k]);
    st->off[k] = -g->m[k];
  }
  st->off[2] -= 1; /* nbr_stencil_next advances before it reports */
  nbr_stencil_wrap(st, 0);
  nbr_stencil_wrap(st, 1);
}

/* Advance to the next cell of the walk: 1 with *cell (local index) and st->img set, 0 when done. */
MD_HD int nbr_stencil_next(nbr_stencil *MD_RESTRICT st, int *MD_RESTRICT cell) {
  if (++st->off[2] > st->m[2]) {
    st->off[2] = -st->m[2];
    if (++st->off[1] > st->m[1]) {
      st->off[1] = -st->m[1];
      if (++st->off[0] > st->m[0]) return 0;
      nbr_stencil_wrap(st, 0);
    }
    nbr_stencil_wrap(st, 1);
  }
  nbr_stencil_wrap(st, 2);
  *cell = (st->t[0] * st->n[1] + st->t[1]) * st->n[2] + st->t[2];
  return 1;
}

/* ---- a candidate pair (i, j) seen through image img of j's cell ---- */

/* 1 for atom i itself in its own image (never listed). */
MD_HD int nbr_is_self(int i, int j, const int *MD_RESTRICT img) {
  return j == i && img[0] == 0 && img[1] == 0 && img[2] == 0;
}

/* Squared length (Å²) of d = (w_j + img − w_i)·H; wi[3] contiguous, wj with stride ws. */
MD_HD real_t nbr_pair_r2(const real_t *MD_RESTRICT h, const real_t *MD_RESTRICT wi, const real_t *MD_RESTRICT wj,
                         int ws, const int *MD_RESTRICT img) {
  const real_t d0 = wj[0] + img[0] - wi[0], d1 = wj[ws] + img[1] - wi[1], d2 = wj[2 * ws] + img[2] - wi[2];
  const real_t dx = d0 * h[0] + d1 * h[3] + d2 * h[6];
  const real_t dy = d0 * h[1] + d1 * h[4] + d2 * h[7];
  const real_t dz = d0 * h[2] + d1 * h[5] + d2 * h[8];
  return dx * dx + dy * dy + dz * dz;
}

/* The half-list rule: a half list keeps (i, j, img) only when j > i, or j == i with a lexicographically
 * positive image; returns 1 when the pair is left to the other side. */
MD_HD int nbr_half_skips(int i, int j, const int *MD_RESTRICT img) {
  return j < i || (j == i && pbc_pack_image(img[0], img[1], img[2]) < PBC_IMG_ZERO);
}

/* The packed image of the entry relative to the unwrapped input positions: img − own_j + own_i; oi[3]
 * contiguous, oj with stride os. */
MD_HD int nbr_entry_image(const int *MD_RESTRICT img, const int *MD_RESTRICT oi, const int *MD_RESTRICT oj, int os) {
  return pbc_pack_image(img[0] - oj[0] + oi[0], img[1] - oj[os] + oi[1], img[2] - oj[2 * os] + oi[2]);
}

#endif
