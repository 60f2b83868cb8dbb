/* neighbor_kern.h — per-thread bodies of the device neighbour-list build (kernels/neighbor_gpu.cu). The cell
 * grid, the fractional -> cell assignment, the stencil walk and the pair tests are src/nbr_cells.h, the same
 * functions host/ff/neighbor.c calls, so every atom's neighbours come in the CPU's order (stencil order, then
 * atom index) with the CPU's image shifts and full/half rule. What is the device's own: the cells are
 * ranges of an array sorted by cell key (atoms within a cell in increasing index), and one walk writes up to
 * two padded column-major lists.
 *
 * Layout (gpu_types.h): R systems back to back; SoA component-major arrays over ntot atoms; cells of system
 * s are global cells geom[s].cellbase + local, local = (ca ncell[1] + cb) ncell[2] + cc.
 *
 * Build sequence (each a launch; *_guarded kernels return at once unless status->rebuild is set, so the
 * sequence can sit inside a captured CUDA graph and run only when the displacement check asked for it):
 *   1 wrap_assign (per atom)  wrap into the cell (image counts updated), x0 = position, fractional
 *                             coordinates, own image, cell key; count atoms per cell
 *   2 scan (one block)        cell_start = exclusive prefix sum of the counts
 *   3 fill (per atom)         atom into its cell's slot (atomic slot: arbitrary order)
 *   4 order (per cell)        insertion-sort each cell's atoms by index (the order becomes deterministic)
 *   5 build (per atom)        up to two lists from one stencil walk (e.g. short full list and Coulomb list)
 * The host-decided path sorts with Thrust instead of 1-count/2/3/4 and uses the same build body.
 */
#ifndef ESNAP_NEIGHBOR_KERN_H
#define ESNAP_NEIGHBOR_KERN_H

#include <math.h>

#include "gpu_kern.h"
#include "math/pbc.h"
#include "nbr_cells.h"

#define NBR_MAX_LISTS 2

/* Wrap atom i into its cell (nbr_wrap_atom, as system_wrap). */
MD_HD void nbr_wrap_body(int i, int ntot, real_t *MD_RESTRICT pos, int *MD_RESTRICT img, const real_t *MD_RESTRICT h,
                         const real_t *MD_RESTRICT hinv) {
  nbr_wrap_atom(h, hinv, pos + i, pos + ntot + i, pos + 2 * ntot + i, img + i, img + ntot + i, img + 2 * ntot + i);
}

/* Fractional coordinates wrapped into [0, 1) (frac), their floors (own) and the global cell key of atom i
 * (nbr_cell_assign, as nbr_build). Returns 0, or KERN_STOP_FAR for a non-finite position or one more than
 * NBR_MAX_IMAGE cells away (key is then a valid cell of the system and the atom must not be trusted). */
MD_HD unsigned nbr_assign_body(int i, int ntot, const real_t *MD_RESTRICT pos, const real_t *MD_RESTRICT hinv,
                               const nbr_geom *MD_RESTRICT g, real_t *MD_RESTRICT frac, int *MD_RESTRICT own,
                               int *MD_RESTRICT key) {
  real_t f[3];
  int cell;
  pbc_to_frac(hinv, pos[i], pos[ntot + i], pos[2 * ntot + i], f);
  const unsigned bad = nbr_cell_assign(g, f, frac + i, ntot, own + i, ntot, &cell);
  key[i] = g->cellbase + cell;
  return bad ? KERN_STOP_FAR : 0u;
}

/* 1 when atom i moved more than half the skin since the last build (squared limit lim2 = skin²/4). */
MD_HD int nbr_moved_body(int i, int ntot, const real_t *MD_RESTRICT pos, const real_t *MD_RESTRICT x0, real_t lim2) {
  return nbr_moved(pos[i], pos[ntot + i], pos[2 * ntot + i], x0[i], x0[ntot + i], x0[2 * ntot + i], lim2);
}

/* ---- cell start by one block: exclusive prefix sum of count[0 … n) into start[0 … n] ---- */

/* Chunk [*lo, *hi) of thread t of nthr. */
MD_HD void nbr_scan_range(int t, int nthr, int n, int *lo, int *hi) {
  int len = (n + nthr - 1) / nthr;
  *lo = t * len < n ? t * len : n;
  *hi = (t + 1) * len < n ? (t + 1) * len : n;
}

MD_HD int nbr_scan_chunk_sum(int t, int nthr, int n, const int *MD_RESTRICT count) {
  int lo, hi, s = 0;
  nbr_scan_range(t, nthr, n, &lo, &hi);
  for (int c = lo; c < hi; c++) s += count[c];
  return s;
}

/* Thread 0: exclusive scan of the nthr chunk sums in place; returns the total. */
MD_HD int nbr_scan_partials(int *MD_RESTRICT part, int nthr) {
  int run = 0;
  for (int t = 0; t < nthr; t++) {
    int v = part[t];
    part[t] = run;
    run += v;
  }
  return run;
}

MD_HD void nbr_scan_chunk_write(int t, int nthr, int n, const int *MD_RESTRICT count, int base, int *MD_RESTRICT start) {
  int lo, hi;
  nbr_scan_range(t, nthr, n, &lo, &hi);
  for (int c = lo; c < hi; c++) {
    start[c] = base;
    base += count[c];
  }
}

/* Atom i into the next free slot of its cell (fill[] zeroed before). */
MD_HD void nbr_fill_body(int i, const int *MD_RESTRICT key, const int *MD_RESTRICT start, int *MD_RESTRICT fill,
                         int *MD_RESTRICT sorted) {
  int c = key[i];
  int slot = kern_atomic_add_int(&fill[c], 1);
  sorted[start[c] + slot] = i;
}

/* Insertion sort of cell c's atoms by index. */
MD_HD void nbr_order_body(int c, const int *MD_RESTRICT start, int *MD_RESTRICT sorted) {
  int lo = start[c], hi = start[c + 1];
  for (int k = lo + 1; k < hi; k++) {
    int v = sorted[k], q = k - 1;
    while (q >= lo && sorted[q] > v) {
      sorted[q + 1] = sorted[q];
      q--;
    }
    sorted[q + 1] = v;
  }
}

/* ---- the list build ---- */

typedef struct nbr_list_out {
  real_t rl2;     /* (cutoff + skin)² (Å²) */
  int half;       /* half-list rule */
  int maxnbr;     /* capacity per atom */
  int *num;       /* [ntot] */
  int *j;         /* [maxnbr ntot] column-major */
  int *img;       /* [maxnbr ntot] */
} nbr_list_out;

typedef struct nbr_build_args {
  int ntot;
  int nlist;                      /* 1 or 2 */
  nbr_list_out out[NBR_MAX_LISTS];
  const int *atom_sys;            /* [ntot] */
  const real_t *box;              /* [18 nsys] H, H⁻¹ */
  const nbr_geom *geom;           /* [nsys] */
  const real_t *frac;             /* [3 ntot] wrapped fractional coordinates */
  const int *own;                 /* [3 ntot] their floors */
  const int *cell_start;          /* [ncells + 1] */
  const int *sorted;              /* [ntot] atoms by cell, increasing index within a cell */
  int *need;                      /* [nlist] largest count seen (atomic max) */
} nbr_build_args;

/* Build the lists of atom i; returns 1 when a list needed more than its capacity (it is then truncated, the
 * largest count is in need[], and the caller must grow the capacity and build again), else 0. */
MD_HD int nbr_build_body(int i, const nbr_build_args *MD_RESTRICT A) {
  const int ntot = A->ntot;
  const int s = A->atom_sys[i];
  const nbr_geom g = A->geom[s];
  const real_t *h = A->box + 18 * s;
  const real_t wi[3] = {A->frac[i], A->frac[ntot + i], A->frac[2 * ntot + i]};
  const int oi[3] = {A->own[i], A->own[ntot + i], A->own[2 * ntot + i]};
  int count[NBR_MAX_LISTS] = {0, 0};
  real_t rmax2 = A->out[0].rl2;
  if (A->nlist > 1 && A->out[1].rl2 > rmax2) rmax2 = A->out[1].rl2;
  nbr_stencil st;
  nbr_stencil_begin(&st, &g, wi, 1);
  int cell;
  while (nbr_stencil_next(&st, &cell)) {
    const int c = g.cellbase + cell, k1 = A->cell_start[c + 1];
    for (int k = A->cell_start[c]; k < k1; k++) {
      const int j = A->sorted[k];
      if (nbr_is_self(i, j, st.img)) continue;
      const real_t r2 = nbr_pair_r2(h, wi, A->frac + j, ntot, st.img);
      if (r2 >= rmax2) continue;
      const int packed = nbr_entry_image(st.img, oi, A->own + j, ntot);
      for (int L = 0; L < A->nlist; L++) {
        const nbr_list_out *o = &A->out[L];
        if (r2 >= o->rl2) continue;
        if (o->half && nbr_half_skips(i, j, st.img)) continue;
        if (count[L] < o->maxnbr) {
          o->j[(long)count[L] * ntot + i] = j;
          o->img[(long)count[L] * ntot + i] = packed;
        }
        count[L]++;
      }
    }
  }
  int over = 0;
  for (int L = 0; L < A->nlist; L++) {
    const nbr_list_out *o = &A->out[L];
    o->num[i] = count[L] < o->maxnbr ? count[L] : o->maxnbr;
    kern_atomic_max_int(&A->need[L], count[L]);
    if (count[L] > o->maxnbr) over = 1;
  }
  return over;
}

#endif
