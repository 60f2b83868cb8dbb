/* neighbor_kern.h — per-thread bodies of the device neighbour-list build (kernels/neighbor_gpu.cu), the same
 * algorithm as host/neighbor.c: cell lists over fractional coordinates, a stencil of ±m cells along each
 * cell vector (m > ncell when the cutoff exceeds the cell, so one cell is visited with several image shifts),
 * neighbours within cutoff + skin, packed image shifts relative to the positions given, and the CPU's
 * full/half rule. Within each cell atoms are kept in increasing index order, so every atom's neighbours come
 * in the CPU's order (stencil order, then atom index): the lists are deterministic.
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

#define NBR_MAX_LISTS 2
#define NBR_MAX_STENCIL 400 /* as host/neighbor.c */

/* Cell geometry of one system (host-computed from its cell and cutoff + skin, as nbr_build does). */
typedef struct nbr_geom {
  int ncell[3];  /* cells along a, b, c (1 … 1024) */
  int m[3];      /* stencil half-width in cells: ceil(rl / cell width) */
  int cellbase;  /* first global cell of the system */
  int pad_;
} nbr_geom;

/* Cells along each direction and stencil for face widths w (Å), range rl (Å) and n atoms; returns 0, or −1
 * when the stencil would exceed NBR_MAX_STENCIL (cutoff far too large for the cell). Same rule as
 * host/neighbor.c, including its cap of ~4 cells per atom (halving the longest direction) for tiny cutoffs. */
MD_HD int nbr_geom_for(const real_t *MD_RESTRICT width, real_t rl, int n, nbr_geom *g) {
  for (int d = 0; d < 3; d++) {
    int c = (int)floor(width[d] / rl);
    if (c < 1) c = 1;
    if (c > 1024) c = 1024;
    g->ncell[d] = c;
  }
  const long limit = 4L * (n > 16 ? n : 16);
  while ((long)g->ncell[0] * g->ncell[1] * g->ncell[2] > limit) {
    int d = 0;
    if (g->ncell[1] > g->ncell[d]) d = 1;
    if (g->ncell[2] > g->ncell[d]) d = 2;
    g->ncell[d] = (g->ncell[d] + 1) / 2;
  }
  for (int d = 0; d < 3; d++) {
    real_t cw = width[d] / g->ncell[d];
    g->m[d] = (int)ceil(rl / cw);
    if (g->m[d] > NBR_MAX_STENCIL) return -1;
  }
  g->cellbase = 0;
  g->pad_ = 0;
  return 0;
}

/* Wrap atom i into its cell (as system_wrap: subtract floor(s)·H, add floor(s) to the image counts). */
MD_HD void nbr_wrap_body(int i, int ntot, real_t *MD_RESTRICT pos, int *MD_RESTRICT img, const real_t *MD_RESTRICT h,
                         const real_t *MD_RESTRICT hinv) {
  real_t f[3], d[3];
  pbc_to_frac(hinv, pos[i], pos[ntot + i], pos[2 * ntot + i], f);
  if (!isfinite(f[0]) || !isfinite(f[1]) || !isfinite(f[2])) return;
  if (fabs(f[0]) > 1e6 || fabs(f[1]) > 1e6 || fabs(f[2]) > 1e6) return; /* reported by the assign step */
  int na = (int)floor(f[0]), nb = (int)floor(f[1]), nc = (int)floor(f[2]);
  if (na == 0 && nb == 0 && nc == 0) return;
  pbc_to_cart(h, (real_t)na, (real_t)nb, (real_t)nc, d);
  pos[i] -= d[0];
  pos[ntot + i] -= d[1];
  pos[2 * ntot + i] -= d[2];
  img[i] += na;
  img[ntot + i] += nb;
  img[2 * ntot + i] += nc;
}

/* Fractional coordinates wrapped into [0, 1) (frac), their floors (own) and the global cell key of atom i,
 * exactly as nbr_build. Returns 0, or KERN_STOP_FAR for a non-finite position or one more than 500 cells away
 * (key is then a valid cell of the system and the atom must not be trusted). */
MD_HD unsigned nbr_assign_body(int i, int ntot, const real_t *MD_RESTRICT pos, const real_t *MD_RESTRICT hinv,
                               const nbr_geom *MD_RESTRICT g, real_t *MD_RESTRICT frac, int *MD_RESTRICT own,
                               int *MD_RESTRICT key) {
  real_t f[3];
  pbc_to_frac(hinv, pos[i], pos[ntot + i], pos[2 * ntot + i], f);
  unsigned bad = 0;
  int cidx[3];
  for (int d = 0; d < 3; d++) {
    real_t fl = floor(f[d]);
    if (!isfinite(f[d]) || fabs(fl) > 500.0) {
      bad = KERN_STOP_FAR;
      f[d] = 0.0;
      fl = 0.0;
    }
    real_t w = f[d] - fl;
    if (w >= 1.0) {
      w -= 1.0;
      fl += 1.0;
    }
    own[d * ntot + i] = (int)fl;
    frac[d * ntot + i] = w;
    int c = (int)(w * g->ncell[d]);
    if (c >= g->ncell[d]) c = g->ncell[d] - 1;
    if (c < 0) c = 0;
    cidx[d] = c;
  }
  key[i] = g->cellbase + (cidx[0] * g->ncell[1] + cidx[1]) * g->ncell[2] + cidx[2];
  return bad;
}

/* 1 when atom i moved more than half the skin since the last build (squared limit lim2 = skin²/4). */
MD_HD int nbr_moved_body(int i, int ntot, const real_t *MD_RESTRICT pos, const real_t *MD_RESTRICT x0, real_t lim2) {
  real_t dx = pos[i] - x0[i], dy = pos[ntot + i] - x0[ntot + i], dz = pos[2 * ntot + i] - x0[2 * ntot + i];
  return dx * dx + dy * dy + dz * dz > lim2;
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
  const int *nc = g.ncell;
  real_t si0 = A->frac[i], si1 = A->frac[ntot + i], si2 = A->frac[2 * ntot + i];
  int oi0 = A->own[i], oi1 = A->own[ntot + i], oi2 = A->own[2 * ntot + i];
  real_t fi[3] = {si0 * nc[0], si1 * nc[1], si2 * nc[2]};
  int c0 = (int)fi[0], c1 = (int)fi[1], c2 = (int)fi[2];
  if (c0 >= nc[0]) c0 = nc[0] - 1;
  if (c1 >= nc[1]) c1 = nc[1] - 1;
  if (c2 >= nc[2]) c2 = nc[2] - 1;
  if (c0 < 0) c0 = 0;
  if (c1 < 0) c1 = 0;
  if (c2 < 0) c2 = 0;
  int count[NBR_MAX_LISTS] = {0, 0};
  real_t rmax2 = A->out[0].rl2;
  if (A->nlist > 1 && A->out[1].rl2 > rmax2) rmax2 = A->out[1].rl2;
  for (int da = -g.m[0]; da <= g.m[0]; da++) {
    int ta = c0 + da;
    int na = (ta >= 0) ? ta / nc[0] : -((-ta + nc[0] - 1) / nc[0]);
    ta -= na * nc[0];
    for (int db = -g.m[1]; db <= g.m[1]; db++) {
      int tb = c1 + db;
      int nb = (tb >= 0) ? tb / nc[1] : -((-tb + nc[1] - 1) / nc[1]);
      tb -= nb * nc[1];
      for (int dc = -g.m[2]; dc <= g.m[2]; dc++) {
        int tc = c2 + dc;
        int ncc = (tc >= 0) ? tc / nc[2] : -((-tc + nc[2] - 1) / nc[2]);
        tc -= ncc * nc[2];
        int cell = g.cellbase + (ta * nc[1] + tb) * nc[2] + tc;
        const int k1 = A->cell_start[cell + 1];
        for (int k = A->cell_start[cell]; k < k1; k++) {
          const int j = A->sorted[k];
          if (j == i && na == 0 && nb == 0 && ncc == 0) continue;
          real_t d0 = A->frac[j] + na - si0, d1 = A->frac[ntot + j] + nb - si1, d2 = A->frac[2 * ntot + j] + ncc - si2;
          real_t dx = d0 * h[0] + d1 * h[3] + d2 * h[6];
          real_t dy = d0 * h[1] + d1 * h[4] + d2 * h[7];
          real_t dz = d0 * h[2] + d1 * h[5] + d2 * h[8];
          real_t r2 = dx * dx + dy * dy + dz * dz;
          if (r2 >= rmax2) continue;
          int sa = na - A->own[j] + oi0;
          int sb = nb - A->own[ntot + j] + oi1;
          int sc = ncc - A->own[2 * ntot + j] + oi2;
          int packed = pbc_pack_image(sa, sb, sc);
          int selfneg = (j == i && pbc_pack_image(na, nb, ncc) < PBC_IMG_ZERO);
          for (int L = 0; L < A->nlist; L++) {
            const nbr_list_out *o = &A->out[L];
            if (r2 >= o->rl2) continue;
            if (o->half && (j < i || selfneg)) continue;
            if (count[L] < o->maxnbr) {
              o->j[(long)count[L] * ntot + i] = j;
              o->img[(long)count[L] * ntot + i] = packed;
            }
            count[L]++;
          }
        }
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
