/* snap_cpu.c — linear SNAP on the CPU in the adjoint (Y) formulation (see host/ff/snap_cpu.h for the contract and
 * src/math/snap.h for the maths and index conventions).
 *
 * Atoms are processed in batches of ALANES (one OpenMP work item per batch). For each atom i of a batch:
 *   1. gather the neighbours inside their pair cutoff; per neighbour n: Cayley-Klein parameters and their
 *      gradients (snap_ck_d_tan, tan in scalar code, the rest SIMD), s_n = w f_c, s_n' (snap_s_dsfac)
 *                                                                                            [atom_neighbours]
 *   2. U of every neighbour, half layout, all neighbours at once: the neighbour index is the innermost
 *      (SIMD) loop, U stored as ur[h * cap + n] (snap_u_elem, table-driven)                   [lanes_u]
 *   3. U_tot = self + sum_n s_n u_n, summed as U is made                                     [lanes_u]
 * then for the whole batch, with the atom index in SIMD lanes (arrays [h * ALANES + atom]):
 *   4. U_tot expanded to the full layout; Z; Yw (β contracted once per atom); E_i from Yw and U_tot
 *      (snap_atom_energy); B (bzero subtracted) only when the bispectrum is asked for
 * and again per atom:
 *   5. reverse pass through the U recursion, blocks of LANES neighbours at once (snap_u_elem_adj_v): G_n
 *      and dG_n/d(a, b)                                                                      [lanes_adjoint]
 *   6. dE_i/dr_n = s_n' r̂ G_n + s_n ∇G_n (snap_dedr), stored per neighbour-list entry (pair force);
 *      W_i = sum_n (r_i - r_n) ⊗ dE_i/dr_n per atom                                          [atom_forces]
 * Then, race-free and in a fixed order: F_i = sum_(entries i->n) dE_i/dr_n - sum_(entries n->i) dE_n/dr_i
 * (the incoming entries of every atom are indexed once per neighbour-list build), E and W summed over atoms
 * in atom order. Nothing depends on which thread handled which batch, so the results are bitwise identical
 * for any number of threads, and batches can be scheduled dynamically. One snap_cpu object must not be used
 * by two callers at the same time (its workspaces are shared).
 *
 * Scratch per thread (snap_ws): ALANES neighbour slots of cap lanes each (neighbour geometry, ck[4 cap],
 * dck[12 cap], U [idxuh_max cap] re/im), the adjoint layers of one atom (2 x 2 x half layer x cap), and the
 * batch arrays U_tot half/full, Z, Yw, B with ALANES interleaved atoms. */
#include "snap_cpu.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "math/pbc.h"
#include "math/snap_zy.h"
#include "snap_tables.h"

#define LANES 8  /* neighbour lanes are padded to a multiple of this (one AVX-512 register of doubles) */
#define ALANES 8 /* atoms per batch, interleaved in the Z/B/Y arrays */

/* One atom of a batch: its neighbours in lanes (cap entries per plane). */
typedef struct snap_slot {
  int nn, np;           /* neighbours inside the cutoff; lanes in use (nn rounded up to LANES) */
  int *jn;              /* neighbour atom */
  int *kn;              /* its neighbour-list entry */
  real_t *rx, *ry, *rz; /* r_n - r_i (Å) */
  real_t *rinv;         /* 1/|r_n - r_i| (1/Å) */
  real_t *ck;           /* [4 cap] Cayley-Klein parameters */
  real_t *dck;          /* [12 cap] their gradients (1/Å) */
  real_t *sw, *dsw;     /* s_n, s_n' (1/Å) */
  real_t *ur, *ui;      /* [idxuh_max cap] U of each neighbour */
} snap_slot;

/* Per-thread workspace. */
typedef struct snap_ws {
  int cap;
  void *block;
  snap_slot slot[ALANES];
  /* adjoint of one atom, lanes */
  real_t *g;           /* G_n (eV) */
  real_t *bar;         /* [4 cap] dG_n/d(ck) (eV) */
  real_t *tr, *ti;     /* [half layer cap] adjoint of layer j */
  real_t *pr, *pi;     /* [half layer cap] adjoint of layer j-1 */
  real_t *zero;        /* [cap] zeros: reads of absent terms */
  real_t *tmp;         /* [3 cap] scratch of atom_neighbours */
  /* batch arrays, ALANES atoms interleaved */
  real_t *uhr, *uhi; /* [idxuh_max ALANES] U_tot, half layout */
  real_t *ufr, *ufi; /* [idxu_max ALANES] U_tot, full layout */
  real_t *zr, *zi;   /* [idxz_max ALANES] */
  real_t *yr, *yi;   /* [idxuh_max ALANES] Yw (eV) */
  real_t *b;         /* [idxb_max ALANES] */
} snap_ws;

struct snap_cpu {
  snap_params p;
  snap_tables *t;
  real_t rcutsq[MD_MAX_ELEM * MD_MAX_ELEM]; /* (R_a + R_b)^2 rcutfac^2 (Å^2) */
  real_t rcut[MD_MAX_ELEM * MD_MAX_ELEM];   /* Å */
  real_t cutmax;
  int nws;
  snap_ws **ws;   /* [nws] per-thread workspaces, each on its own cache lines */
  /* per neighbour-list entry and per atom results, and the incoming entries of each atom */
  size_t cap_k;   /* entries allocated in pf */
  real_t *pf;     /* [3 entries] dE_i/dr_n of entry k (i -> n) at 3k .. 3k+2 (eV/Å); 0 outside the cutoff */
  int cap_n;      /* atoms allocated in vatom, eatom, in_off */
  real_t *vatom;  /* [9 n] per-atom virial (eV) */
  real_t *eat;    /* [n] per-atom energy (eV) */
  int *in_off;    /* [n+1] entries k with j[k] == i are in_k[in_off[i] .. in_off[i+1]-1], ascending */
  int *in_k;      /* [entries] */
  size_t cap_in;
  const nbr_list *in_nl; /* the list in_off/in_k were built for (pointer, build count, atoms, entries) */
  long in_builds;
  int in_n;
  size_t in_entries;
};

static size_t round64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

static void ws_free(snap_ws *w) {
  free(w->block);
  memset(w, 0, sizeof *w);
}

/* Carve `count` items of `size` bytes from *q (64-byte aligned). */
static void *take(char **q, size_t count, size_t size) {
  void *p = *q;
  *q += round64(count * size);
  return p;
}

/* (Re)allocate a workspace for `cap` neighbour lanes per atom. */
static md_status ws_alloc(snap_ws *w, const snap_tables *t, int cap) {
  ws_free(w);
  const size_t c = (size_t)cap, nuh = (size_t)t->idxuh_max;
  const int tj = t->twojmax;
  const size_t hl = (size_t)(tj / 2 + 1) * (size_t)(tj + 1);
  const size_t slot_bytes = 2 * round64(c * sizeof(int)) + round64(c * sizeof(real_t)) * (4 + 4 + 12 + 2) +
                            2 * round64(nuh * c * sizeof(real_t));
  const size_t adj_bytes = round64(c * sizeof(real_t)) * (1 + 4 + 4) + 4 * round64(hl * c * sizeof(real_t));
  const size_t batch_bytes = ALANES * sizeof(real_t) *
                             (4 * nuh + 2 * (size_t)t->idxu_max + 2 * (size_t)t->idxz_max + (size_t)t->idxb_max) +
                             64 * 16;
  const size_t bytes = round64(ALANES * slot_bytes + adj_bytes + batch_bytes);
  w->block = aligned_alloc(64, bytes);
  if (!w->block) return md_error(MD_ERR_MEMORY, "snap: out of memory for %d neighbours (twojmax %d)", cap, tj);
  memset(w->block, 0, bytes);
  w->cap = cap;
  char *q = (char *)w->block;
  const size_t R = sizeof(real_t);
  for (int a = 0; a < ALANES; a++) {
    snap_slot *sl = &w->slot[a];
    sl->jn = (int *)take(&q, c, sizeof(int));
    sl->kn = (int *)take(&q, c, sizeof(int));
    sl->rx = (real_t *)take(&q, c, R);
    sl->ry = (real_t *)take(&q, c, R);
    sl->rz = (real_t *)take(&q, c, R);
    sl->rinv = (real_t *)take(&q, c, R);
    sl->ck = (real_t *)take(&q, 4 * c, R);
    sl->dck = (real_t *)take(&q, 12 * c, R);
    sl->sw = (real_t *)take(&q, c, R);
    sl->dsw = (real_t *)take(&q, c, R);
    sl->ur = (real_t *)take(&q, nuh * c, R);
    sl->ui = (real_t *)take(&q, nuh * c, R);
  }
  w->g = (real_t *)take(&q, c, R);
  w->bar = (real_t *)take(&q, 4 * c, R);
  w->tr = (real_t *)take(&q, hl * c, R);
  w->ti = (real_t *)take(&q, hl * c, R);
  w->pr = (real_t *)take(&q, hl * c, R);
  w->pi = (real_t *)take(&q, hl * c, R);
  w->zero = (real_t *)take(&q, c, R);
  w->tmp = (real_t *)take(&q, 3 * c, R);
  w->uhr = (real_t *)take(&q, nuh * ALANES, R);
  w->uhi = (real_t *)take(&q, nuh * ALANES, R);
  w->ufr = (real_t *)take(&q, (size_t)t->idxu_max * ALANES, R);
  w->ufi = (real_t *)take(&q, (size_t)t->idxu_max * ALANES, R);
  w->zr = (real_t *)take(&q, (size_t)t->idxz_max * ALANES, R);
  w->zi = (real_t *)take(&q, (size_t)t->idxz_max * ALANES, R);
  w->yr = (real_t *)take(&q, nuh * ALANES, R);
  w->yi = (real_t *)take(&q, nuh * ALANES, R);
  w->b = (real_t *)take(&q, (size_t)t->idxb_max * ALANES, R);
  return (size_t)(q - (char *)w->block) <= bytes ? MD_OK : md_error(MD_ERR_INTERNAL, "snap: workspace overrun");
}

md_status snap_cpu_create(snap_cpu **out, const snap_params *p) {
  *out = NULL;
  snap_cpu *s = (snap_cpu *)calloc(1, sizeof *s);
  if (!s) return md_error(MD_ERR_MEMORY, "snap: out of memory");
  s->p = *p;
  md_status st = snap_tables_create(&s->t, p);
  if (st != MD_OK) {
    free(s);
    return st;
  }
  snap_cutoff_table(p, s->rcut, s->rcutsq);
  s->cutmax = snap_max_cutoff(p);
  *out = s;
  return MD_OK;
}

void snap_cpu_destroy(snap_cpu **sp) {
  if (!sp || !*sp) return;
  snap_cpu *s = *sp;
  for (int k = 0; k < s->nws; k++) {
    ws_free(s->ws[k]);
    free(s->ws[k]);
  }
  free(s->ws);
  free(s->pf);
  free(s->vatom);
  free(s->eat);
  free(s->in_off);
  free(s->in_k);
  snap_tables_destroy(&s->t);
  free(s);
  *sp = NULL;
}

real_t snap_cpu_cutoff(const snap_cpu *s) { return s->cutmax; }

int snap_cpu_nbispectrum(const snap_cpu *s) { return s->t->idxb_max; }

/* Step 1: neighbours of atom i inside their pair cutoff, Cayley-Klein parameters, switching function. Lanes up
 * to the next multiple of LANES are padded with an inert neighbour (s = s' = 0). tmp: [3 cap] scratch. */
static void atom_neighbours(const snap_cpu *s, snap_slot *sl, const md_system *sys, const nbr_list *nl, int i,
                            int cap, real_t *tmp, real_t *pf) {
  const snap_params *p = &s->p;
  const int ti = sys->type[i];
  const real_t xi = sys->x[i], yi = sys->y[i], zi = sys->z[i];
  int nn = 0;
  for (int k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
    const int j = nl->j[k];
    real_t d[3] = {0.0, 0.0, 0.0};
    if (nl->img[k] != PBC_IMG_ZERO) pbc_image_shift(sys->box.h, nl->img[k], d);
    const real_t dx = sys->x[j] + d[0] - xi, dy = sys->y[j] + d[1] - yi, dz = sys->z[j] + d[2] - zi;
    const real_t rsq = dx * dx + dy * dy + dz * dz;
    if (rsq < s->rcutsq[ti * MD_MAX_ELEM + sys->type[j]] && rsq > 1e-20) {
      sl->jn[nn] = j;
      sl->kn[nn] = k;
      sl->rx[nn] = dx;
      sl->ry[nn] = dy;
      sl->rz[nn] = dz;
      nn++;
    } else {
      pf[3 * (size_t)k] = pf[3 * (size_t)k + 1] = pf[3 * (size_t)k + 2] = 0.0;
    }
  }
  const int np = (nn + LANES - 1) / LANES * LANES;
  /* scalar part: r, tan θ0, f_c (transcendental functions) */
  real_t *MD_RESTRICT rr = tmp, *MD_RESTRICT rscale = tmp + cap, *MD_RESTRICT tan0 = tmp + 2 * cap;
  for (int n = 0; n < np; n++) {
    if (n < nn) {
      const int tj = sys->type[sl->jn[n]];
      const real_t rc = s->rcut[ti * MD_MAX_ELEM + tj];
      const real_t r = sqrt(sl->rx[n] * sl->rx[n] + sl->ry[n] * sl->ry[n] + sl->rz[n] * sl->rz[n]);
      real_t sf, dsf;
      snap_s_dsfac(r, p->rmin0, rc, p->switchflag, &sf, &dsf);
      rr[n] = r;
      rscale[n] = snap_theta0_scale(p->rfac0, p->rmin0, rc);
      tan0[n] = tan((r - p->rmin0) * rscale[n]);
      sl->sw[n] = sf * p->weight[tj];
      sl->dsw[n] = dsf * p->weight[tj];
    } else { /* inert padding: a unit vector along z, θ0 = π/4, no weight */
      sl->jn[n] = i;
      sl->kn[n] = -1;
      sl->rx[n] = sl->ry[n] = 0.0;
      sl->rz[n] = rr[n] = rscale[n] = tan0[n] = 1.0;
      sl->sw[n] = sl->dsw[n] = 0.0;
    }
  }
  /* SIMD part: Cayley-Klein parameters and their gradients */
  real_t *MD_RESTRICT ck = sl->ck, *MD_RESTRICT dck = sl->dck, *MD_RESTRICT rinv = sl->rinv;
  const real_t *MD_RESTRICT rx = sl->rx, *MD_RESTRICT ry = sl->ry, *MD_RESTRICT rz = sl->rz;
#pragma omp simd
  for (int n = 0; n < np; n++) {
    real_t c[4], dc[12];
    snap_ck_d_tan(rx[n], ry[n], rz[n], rr[n], rscale[n], tan0[n], c, dc);
    for (int q = 0; q < 4; q++) ck[q * cap + n] = c[q];
    for (int q = 0; q < 12; q++) dck[q * cap + n] = dc[q];
    rinv[n] = 1.0 / rr[n];
  }
  sl->nn = nn;
  sl->np = np;
}

/* Steps 2 and 3: U of all neighbour lanes of one atom (entries outer, lanes inner), and U_tot = sum_n s_n u_n
 * (half layout, without the self term) into uhr/uhi with stride ALANES (this atom's lane of the batch). */
static void lanes_u(const snap_tables *t, snap_slot *sl, const real_t *zero, int cap, real_t *uhr, real_t *uhi) {
  const int np = sl->np;
  const real_t *MD_RESTRICT ar = sl->ck, *MD_RESTRICT ai = sl->ck + cap;
  const real_t *MD_RESTRICT br = sl->ck + 2 * cap, *MD_RESTRICT bi = sl->ck + 3 * cap;
  const real_t *MD_RESTRICT sw = sl->sw;
  real_t s0 = 0.0;
  for (int n = 0; n < np; n++) {
    sl->ur[n] = 1.0;
    sl->ui[n] = 0.0;
    s0 += sw[n];
  }
  uhr[0] = s0;
  uhi[0] = 0.0;
  for (int h = 1; h < t->idxuh_max; h++) {
    const int o1 = t->ufw_src[2 * h], o2 = t->ufw_src[2 * h + 1];
    const real_t *c = t->ufw_coef + 6 * h;
    const real_t ca = c[0], cb = c[1], m1r = c[2], m1i = c[3], m2r = c[4], m2i = c[5];
    const real_t *MD_RESTRICT a1r = o1 >= 0 ? sl->ur + (size_t)o1 * cap : zero;
    const real_t *MD_RESTRICT a1i = o1 >= 0 ? sl->ui + (size_t)o1 * cap : zero;
    const real_t *MD_RESTRICT a2r = o2 >= 0 ? sl->ur + (size_t)o2 * cap : zero;
    const real_t *MD_RESTRICT a2i = o2 >= 0 ? sl->ui + (size_t)o2 * cap : zero;
    real_t *MD_RESTRICT outr = sl->ur + (size_t)h * cap;
    real_t *MD_RESTRICT outi = sl->ui + (size_t)h * cap;
    real_t sr = 0.0, si = 0.0;
#pragma omp simd reduction(+ : sr, si)
    for (int n = 0; n < np; n++) {
      real_t vr, vi;
      snap_u_elem(ca, cb, ar[n], ai[n], br[n], bi[n], m1r * a1r[n], m1i * a1i[n], m2r * a2r[n], m2i * a2i[n], &vr, &vi);
      outr[n] = vr;
      outi[n] = vi;
      sr += sw[n] * vr;
      si += sw[n] * vi;
    }
    uhr[(size_t)h * ALANES] = sr;
    uhi[(size_t)h * ALANES] = si;
  }
}

/* Step 4: for the whole batch (atoms in lanes): U_tot full, Z, Yw, and with want_b B (bzero subtracted, into
 * w->b). te[a] is the element of lane a. */
static void batch_zby(const snap_tables *t, snap_ws *w, const int *te, int want_b) {
  snap_u_add_self(t->twojmax, t->idxuh_block, t->wself, ALANES, w->uhr);
  snap_u_expand(t->twojmax, t->idxu_block, t->idxuh_block, ALANES, w->uhr, w->uhi, w->ufr, w->ufi);
  for (int jjz = 0; jjz < t->idxz_max; jjz++)
    snap_z_entry(t->idxz + (size_t)jjz * SNAP_IZ_NF, t->cglist, ALANES, w->ufr, w->ufi, w->zr + (size_t)jjz * ALANES,
                 w->zi + (size_t)jjz * ALANES);
  for (int k = 0; want_b && k < t->idxb_max; k++) {
    real_t *bk = w->b + (size_t)k * ALANES;
    snap_b_entry(t->idxb + (size_t)k * SNAP_IB_NF, t->idxz, t->zw, ALANES, w->zr, w->zi, w->ufr, w->ufi, bk);
    for (int a = 0; a < ALANES; a++) bk[a] -= t->bzero_b[k];
  }
  memset(w->yr, 0, sizeof(real_t) * (size_t)t->idxuh_max * ALANES);
  memset(w->yi, 0, sizeof(real_t) * (size_t)t->idxuh_max * ALANES);
  const real_t *bz[ALANES];
  for (int a = 0; a < ALANES; a++) bz[a] = t->betaz + (size_t)te[a] * t->idxz_max;
  for (int jjz = 0; jjz < t->idxz_max; jjz++) {
    const size_t h = (size_t)t->idxz[(size_t)jjz * SNAP_IZ_NF + SNAP_IZ_JJUH] * ALANES;
    const real_t *MD_RESTRICT zr = w->zr + (size_t)jjz * ALANES, *MD_RESTRICT zi = w->zi + (size_t)jjz * ALANES;
    for (int a = 0; a < ALANES; a++) {
      w->yr[h + a] += bz[a][jjz] * zr[a];
      w->yi[h + a] += bz[a][jjz] * zi[a];
    }
  }
}

/* Step 5: G and dG/d(ck) of all neighbour lanes of one atom; yr, yi: Yw of this atom, stride ALANES. Blocks of
 * LANES neighbours outer (their accumulators stay in registers), U entries inner, in the gather form of the
 * adjoint (snap_u_elem_adj_v). */
static void lanes_adjoint(const snap_tables *t, const snap_slot *sl, snap_ws *w, const real_t *yr, const real_t *yi) {
  const int cap = w->cap, tj = t->twojmax, np = sl->np;
  const int hl = (tj / 2 + 1) * (tj + 1);
  for (int n0 = 0; n0 < np; n0 += LANES) {
    real_t ar[LANES], ai[LANES], br[LANES], bi[LANES];
    real_t g[LANES], abr[LANES], abi[LANES], bbr[LANES], bbi[LANES];
    for (int l = 0; l < LANES; l++) {
      ar[l] = sl->ck[n0 + l];
      ai[l] = sl->ck[cap + n0 + l];
      br[l] = sl->ck[2 * cap + n0 + l];
      bi[l] = sl->ck[3 * cap + n0 + l];
      g[l] = abr[l] = abi[l] = bbr[l] = bbi[l] = 0.0;
    }
    real_t *tr = w->tr, *ti = w->ti, *pr = w->pr, *pi = w->pi; /* [hl * LANES] */
    {
      const int h0 = t->idxuh_block[tj];
      for (int e = 0; e < hl; e++) {
        const real_t y_r = yr[(size_t)(h0 + e) * ALANES], y_i = yi[(size_t)(h0 + e) * ALANES];
        const real_t *MD_RESTRICT ur = sl->ur + (size_t)(h0 + e) * cap + n0;
        const real_t *MD_RESTRICT ui = sl->ui + (size_t)(h0 + e) * cap + n0;
#pragma omp simd
        for (int l = 0; l < LANES; l++) {
          tr[e * LANES + l] = y_r;
          ti[e * LANES + l] = y_i;
          g[l] += y_r * ur[l] + y_i * ui[l];
        }
      }
    }
    for (int j = tj; j >= 1; j--) {
      const int h0 = t->idxuh_block[j - 1], hj = t->idxuh_block[j], nprev = ((j - 1) / 2 + 1) * j;
      for (int e = 0; e < nprev; e++) {
        const int h = h0 + e;
        const int *src = t->uadj_src + 4 * h;
        const real_t *c = t->uadj_coef + 5 * h;
        const real_t ca = c[0], cb = c[1];
        const real_t y_r = yr[(size_t)h * ALANES], y_i = yi[(size_t)h * ALANES];
        const real_t *MD_RESTRICT ur = sl->ur + (size_t)h * cap + n0;
        const real_t *MD_RESTRICT ui = sl->ui + (size_t)h * cap + n0;
        const real_t *MD_RESTRICT tar = tr + (src[0] - hj) * LANES, *MD_RESTRICT tai = ti + (src[0] - hj) * LANES;
        const real_t *MD_RESTRICT tbr = tr + (src[1] - hj) * LANES, *MD_RESTRICT tbi = ti + (src[1] - hj) * LANES;
        real_t *MD_RESTRICT outr = pr + e * LANES, *MD_RESTRICT outi = pi + e * LANES;
        if (src[2] < 0) {
#pragma omp simd
          for (int l = 0; l < LANES; l++) {
            real_t dr, di;
            g[l] += y_r * ur[l] + y_i * ui[l];
            snap_u_elem_adj_v(ca, cb, ar[l], ai[l], br[l], bi[l], ur[l], ui[l], tar[l], tai[l], tbr[l], tbi[l], &dr,
                              &di, &abr[l], &abi[l], &bbr[l], &bbi[l]);
            outr[l] = y_r + dr;
            outi[l] = y_i + di;
          }
        } else {
          const real_t cam = c[2], cbm = c[3], s = c[4];
          const real_t *MD_RESTRICT tamr = tr + (src[2] - hj) * LANES, *MD_RESTRICT tami = ti + (src[2] - hj) * LANES;
          const real_t *MD_RESTRICT tbmr = tr + (src[3] - hj) * LANES, *MD_RESTRICT tbmi = ti + (src[3] - hj) * LANES;
#pragma omp simd
          for (int l = 0; l < LANES; l++) {
            real_t dr, di, mr, mi;
            g[l] += y_r * ur[l] + y_i * ui[l];
            snap_u_elem_adj_v(ca, cb, ar[l], ai[l], br[l], bi[l], ur[l], ui[l], tar[l], tai[l], tbr[l], tbi[l], &dr,
                              &di, &abr[l], &abi[l], &bbr[l], &bbi[l]);
            snap_u_elem_adj_v(cam, cbm, ar[l], ai[l], br[l], bi[l], s * ur[l], -s * ui[l], tamr[l], tami[l], tbmr[l],
                              tbmi[l], &mr, &mi, &abr[l], &abi[l], &bbr[l], &bbi[l]);
            outr[l] = y_r + dr + s * mr;
            outi[l] = y_i + di - s * mi;
          }
        }
      }
      real_t *x;
      x = tr, tr = pr, pr = x;
      x = ti, ti = pi, pi = x;
    }
    for (int l = 0; l < LANES; l++) {
      w->g[n0 + l] = g[l];
      w->bar[n0 + l] = abr[l];
      w->bar[cap + n0 + l] = abi[l];
      w->bar[2 * cap + n0 + l] = bbr[l];
      w->bar[3 * cap + n0 + l] = bbi[l];
    }
  }
}

/* Step 6: dE_i/dr_n into the pair-force array pf (entry k at 3k), and W_i = sum_n (r_i - r_n) ⊗ dE_i/dr_n. */
static void atom_forces(const snap_slot *sl, const snap_ws *w, real_t *pf, real_t *vir) {
  const int cap = w->cap;
  for (int c = 0; c < 9; c++) vir[c] = 0.0;
  for (int n = 0; n < sl->nn; n++) {
    real_t bar[4], dck[12], dedr[3];
    for (int c = 0; c < 4; c++) bar[c] = w->bar[c * cap + n];
    for (int c = 0; c < 12; c++) dck[c] = sl->dck[c * cap + n];
    const real_t rinv = sl->rinv[n];
    snap_dedr(w->g[n], bar, dck, sl->sw[n], sl->dsw[n], sl->rx[n] * rinv, sl->ry[n] * rinv, sl->rz[n] * rinv, dedr);
    real_t *q = pf + 3 * (size_t)sl->kn[n];
    q[0] = dedr[0];
    q[1] = dedr[1];
    q[2] = dedr[2];
    const real_t r[3] = {sl->rx[n], sl->ry[n], sl->rz[n]};
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++) vir[3 * a + b] -= r[a] * dedr[b];
  }
}

/* Atoms i0 .. i0+na-1 (na <= ALANES). */
static void snap_batch(const snap_cpu *s, snap_ws *w, const md_system *sys, const nbr_list *nl, int i0, int na,
                       real_t *bispectrum) {
  const snap_tables *t = s->t;
  int te[ALANES];
  for (int a = 0; a < ALANES; a++) {
    if (a < na) {
      te[a] = sys->type[i0 + a];
      atom_neighbours(s, &w->slot[a], sys, nl, i0 + a, w->cap, w->tmp, s->pf);
      lanes_u(t, &w->slot[a], w->zero, w->cap, w->uhr + a, w->uhi + a);
    } else {
      te[a] = 0;
      for (int h = 0; h < t->idxuh_max; h++) w->uhr[(size_t)h * ALANES + a] = w->uhi[(size_t)h * ALANES + a] = 0.0;
    }
  }
  batch_zby(t, w, te, bispectrum != NULL);
  for (int a = 0; a < na; a++) {
    s->eat[i0 + a] = snap_atom_energy(t->e0[te[a]], t->idxuh_max, t->h2f, ALANES, w->yr + a, w->yi + a, w->ufr + a,
                                      w->ufi + a);
    if (bispectrum)
      for (int k = 0; k < t->idxb_max; k++)
        bispectrum[(size_t)(i0 + a) * t->idxb_max + k] = w->b[(size_t)k * ALANES + a];
  }
  for (int a = 0; a < na; a++) {
    lanes_adjoint(t, &w->slot[a], w, w->yr + a, w->yi + a);
    atom_forces(&w->slot[a], w, s->pf, s->vatom + 9 * (size_t)(i0 + a));
  }
}

/* Incoming entries of every atom (the transpose of the list), rebuilt when the list was rebuilt. */
static md_status index_incoming(snap_cpu *s, const nbr_list *nl) {
  const int n = nl->n;
  const size_t ne = nbr_entries(nl);
  if (s->in_nl == nl && s->in_builds == nl->builds && s->in_n == n && s->in_entries == ne) return MD_OK;
  if (ne > s->cap_in) {
    free(s->in_k);
    s->in_k = (int *)malloc(sizeof(int) * (ne > 0 ? ne : 1));
    s->cap_in = s->in_k ? ne : 0;
    if (!s->in_k) return md_error(MD_ERR_MEMORY, "snap: out of memory for %zu neighbour entries", ne);
  }
  int *off = s->in_off;
  memset(off, 0, sizeof(int) * ((size_t)n + 1));
  for (size_t k = 0; k < ne; k++) off[nl->j[k] + 1]++;
  for (int i = 0; i < n; i++) off[i + 1] += off[i];
  for (int i = 0; i < n; i++) {
    for (int k = nl->offset[i]; k < nl->offset[i + 1]; k++) s->in_k[off[nl->j[k]]++] = k;
  }
  for (int i = n; i > 0; i--) off[i] = off[i - 1];
  off[0] = 0;
  s->in_nl = nl;
  s->in_builds = nl->builds;
  s->in_n = n;
  s->in_entries = ne;
  return MD_OK;
}

/* Grow the per-entry and per-atom arrays and the per-thread workspaces. */
static md_status reserve(snap_cpu *s, const nbr_list *nl, int n, int nth) {
  int maxnb = 0;
  for (int i = 0; i < n; i++) {
    const int c = nl->offset[i + 1] - nl->offset[i];
    if (c > maxnb) maxnb = c;
  }
  const int cap = (maxnb + LANES - 1) / LANES * LANES + LANES;
  if (nth > s->nws) {
    snap_ws **nw = (snap_ws **)realloc(s->ws, sizeof(snap_ws *) * (size_t)nth);
    if (!nw) return md_error(MD_ERR_MEMORY, "snap: out of memory");
    s->ws = nw;
    for (; s->nws < nth; s->nws++) {
      s->ws[s->nws] = (snap_ws *)aligned_alloc(64, round64(sizeof(snap_ws)));
      if (!s->ws[s->nws]) return md_error(MD_ERR_MEMORY, "snap: out of memory");
      memset(s->ws[s->nws], 0, sizeof(snap_ws));
    }
  }
  for (int k = 0; k < nth; k++)
    if (s->ws[k]->cap < cap) MD_TRY(ws_alloc(s->ws[k], s->t, cap));
  const size_t ne = nbr_entries(nl);
  if (ne > s->cap_k || !s->pf) {
    free(s->pf);
    s->pf = (real_t *)malloc(sizeof(real_t) * 3 * (ne > 0 ? ne : 1));
    s->cap_k = s->pf ? ne : 0;
    if (!s->pf) return md_error(MD_ERR_MEMORY, "snap: out of memory for %zu neighbour entries", ne);
  }
  if (n > s->cap_n || !s->eat) {
    free(s->vatom);
    free(s->eat);
    free(s->in_off);
    s->vatom = (real_t *)malloc(sizeof(real_t) * 9 * ((size_t)n + 1));
    s->eat = (real_t *)malloc(sizeof(real_t) * ((size_t)n + 1));
    s->in_off = (int *)malloc(sizeof(int) * ((size_t)n + 1));
    s->cap_n = (s->vatom && s->eat && s->in_off) ? n : 0;
    s->in_nl = NULL;
    if (!s->cap_n && n > 0) return md_error(MD_ERR_MEMORY, "snap: out of memory for %d atoms", n);
  }
  return index_incoming(s, nl);
}

md_status snap_cpu_compute(snap_cpu *s, const md_system *sys, const nbr_list *nl, real_t *fx, real_t *fy, real_t *fz,
                           real_t *energy, real_t virial[9], real_t *eatom, real_t *bispectrum) {
  const int n = sys->n;
  if (nl->half) return md_error(MD_ERR_INTERNAL, "snap: needs a full neighbour list, got a half list");
  if (nl->n != n)
    return md_error(MD_ERR_INTERNAL, "snap: neighbour list built for %d atoms, system has %d", nl->n, n);
  if (nl->cutoff < s->cutmax * (1.0 - 1e-12))
    return md_error(MD_ERR_INTERNAL, "snap: neighbour list cutoff %g Å is below the SNAP cutoff %g Å", nl->cutoff,
                    s->cutmax);
  for (int i = 0; i < n; i++)
    if (sys->type[i] < 0 || sys->type[i] >= s->p.nelem)
      return md_error(MD_ERR_VALUE, "snap: atom %d has type %d, the SNAP model (%s) has %d elements", i + 1,
                      sys->type[i], s->p.source, s->p.nelem);
  const int nbatch = (n + ALANES - 1) / ALANES;
  int nth = omp_get_max_threads(); /* no more threads than batches of atoms */
  if (nth > nbatch) nth = nbatch > 0 ? nbatch : 1;
  MD_TRY(reserve(s, nl, n, nth));

#pragma omp parallel num_threads(nth)
  {
    snap_ws *w = s->ws[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
    for (int bt = 0; bt < nbatch; bt++) {
      const int i0 = bt * ALANES;
      snap_batch(s, w, sys, nl, i0, n - i0 < ALANES ? n - i0 : ALANES, bispectrum);
    }
    /* implicit barrier; forces: own entries minus incoming entries, in list order */
#pragma omp for schedule(static)
    for (int i = 0; i < n; i++) {
      real_t sx = 0.0, sy = 0.0, sz = 0.0;
      for (int k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
        sx += s->pf[3 * (size_t)k];
        sy += s->pf[3 * (size_t)k + 1];
        sz += s->pf[3 * (size_t)k + 2];
      }
      for (int q = s->in_off[i]; q < s->in_off[i + 1]; q++) {
        const size_t k = (size_t)s->in_k[q];
        sx -= s->pf[3 * k];
        sy -= s->pf[3 * k + 1];
        sz -= s->pf[3 * k + 2];
      }
      fx[i] += sx;
      fy[i] += sy;
      fz[i] += sz;
    }
  }
  real_t e = 0.0, w[9] = {0};
  for (int i = 0; i < n; i++) {
    e += s->eat[i];
    for (int c = 0; c < 9; c++) w[c] += s->vatom[9 * (size_t)i + c];
  }
  if (eatom) memcpy(eatom, s->eat, sizeof(real_t) * (size_t)n);
  for (int c = 0; c < 9; c++) virial[c] += w[c];
  *energy = e;
  return MD_OK;
}
