/* snap_cpu.c — linear SNAP on the CPU in the adjoint (Y) formulation (see host/snap_cpu.h for the contract and
 * src/math/snap.h for the maths and index conventions).
 *
 * Per atom i (one OpenMP thread):
 *   1. gather the neighbours inside their pair cutoff; per neighbour n: Cayley-Klein parameters and their
 *      gradients (snap_ck_d), s_n = w f_c, s_n' (snap_s_dsfac)
 *   2. U of every neighbour, half layout, all neighbours at once: the neighbour index is the innermost
 *      (SIMD) loop, U stored as ur[h * cap + n] (snap_u_source / snap_u_elem)
 *   3. U_tot = self + sum_n s_n u_n (half), expanded to the full layout; Z; B and E_i; Yw (β contracted once)
 *   4. reverse pass through the U recursion for all neighbours at once (snap_u_elem_adj): G_n and
 *      dG_n/d(a, b); dE_i/dr_n = s_n' r̂ G_n + s_n ∇G_n (snap_dedr); F_i += dE_i/dr_n, F_n -= dE_i/dr_n,
 *      W += (r_i - r_n) ⊗ dE_i/dr_n.
 * Forces on neighbours go to per-thread arrays summed in thread order at the end; energy and virial are
 * per-thread partial sums, also summed in thread order; atoms are dealt to threads in fixed chunks, so a run
 * is reproducible for a given thread count and differs between thread counts only by round-off. */
#include "snap_cpu.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/math/pbc.h"
#include "../src/math/snap_zy.h"
#include "snap_tables.h"

#define LANES 8      /* neighbour lanes are padded to a multiple of this (one AVX-512 register of doubles) */
#define CHUNK 4      /* atoms per OpenMP work item */

/* Per-thread workspace. Lane arrays hold cap entries per plane. */
typedef struct snap_ws {
  int cap;
  void *block;
  /* lanes */
  int *jn;                /* neighbour atom */
  real_t *rx, *ry, *rz;   /* r_n - r_i (Å) */
  real_t *rinv;           /* 1/|r_n - r_i| (1/Å) */
  real_t *ck;             /* [4 cap] Cayley-Klein parameters */
  real_t *dck;            /* [12 cap] their gradients (1/Å) */
  real_t *sw, *dsw;       /* s_n, s_n' (1/Å) */
  real_t *g;              /* G_n (eV) */
  real_t *bar;            /* [4 cap] dG_n/d(ck) (eV) */
  real_t *ur, *ui;        /* [idxuh_max cap] U of each neighbour */
  real_t *tr, *ti;        /* [half layer cap] adjoint of layer j */
  real_t *pr, *pi;        /* [half layer cap] adjoint of layer j-1 */
  real_t *zero, *sink;    /* [cap] reads of absent terms / writes of absent terms */
  /* per atom */
  real_t *uhr, *uhi;      /* [idxuh_max] U_tot, half layout */
  real_t *ufr, *ufi;      /* [idxu_max] U_tot, full layout */
  real_t *zr, *zi;        /* [idxz_max] */
  real_t *yr, *yi;        /* [idxuh_max] Yw (eV) */
  real_t *b;              /* [idxb_max] */
  /* partial sums of this thread */
  real_t energy;
  real_t virial[9];
} snap_ws;

struct snap_cpu {
  snap_params p;
  snap_tables *t;
  real_t rcutsq[MD_MAX_ELEM * MD_MAX_ELEM]; /* (R_a + R_b)^2 rcutfac^2 (Å^2) */
  real_t rcut[MD_MAX_ELEM * MD_MAX_ELEM];   /* Å */
  real_t cutmax;
  int nws;
  snap_ws *ws;
  real_t *fbuf;     /* [fbuf_threads * 3 * fbuf_n] per-thread forces */
  size_t fbuf_n;
  int fbuf_threads;
};

static size_t round64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

static void ws_free(snap_ws *w) {
  free(w->block);
  memset(w, 0, sizeof *w);
}

/* (Re)allocate a workspace for `cap` neighbour lanes. */
static md_status ws_alloc(snap_ws *w, const snap_tables *t, int cap) {
  ws_free(w);
  const size_t c = (size_t)cap;
  const int tj = t->twojmax;
  const size_t hl = (size_t)(tj / 2 + 1) * (size_t)(tj + 1);
  const size_t nreal_lanes = c * (3 + 1 + 4 + 12 + 3 + 4 + 2 * (size_t)t->idxuh_max + 4 * hl + 2);
  const size_t nreal_atom = 4 * (size_t)t->idxuh_max + 2 * (size_t)t->idxu_max + 2 * (size_t)t->idxz_max +
                            (size_t)t->idxb_max;
  const size_t bytes = round64(c * sizeof(int)) + round64(nreal_lanes * sizeof(real_t)) +
                       round64(nreal_atom * sizeof(real_t)) + 64 * 64;
  w->block = aligned_alloc(64, round64(bytes));
  if (!w->block) return md_error(MD_ERR_MEMORY, "snap: out of memory for %d neighbours (twojmax %d)", cap, tj);
  memset(w->block, 0, round64(bytes));
  w->cap = cap;
  char *q = (char *)w->block;
#define TAKE(ptr, type, count)            \
  do {                                    \
    ptr = (type *)q;                      \
    q += round64((count) * sizeof(type)); \
  } while (0)
  TAKE(w->jn, int, c);
  TAKE(w->rx, real_t, c);
  TAKE(w->ry, real_t, c);
  TAKE(w->rz, real_t, c);
  TAKE(w->rinv, real_t, c);
  TAKE(w->ck, real_t, 4 * c);
  TAKE(w->dck, real_t, 12 * c);
  TAKE(w->sw, real_t, c);
  TAKE(w->dsw, real_t, c);
  TAKE(w->g, real_t, c);
  TAKE(w->bar, real_t, 4 * c);
  TAKE(w->ur, real_t, (size_t)t->idxuh_max * c);
  TAKE(w->ui, real_t, (size_t)t->idxuh_max * c);
  TAKE(w->tr, real_t, hl * c);
  TAKE(w->ti, real_t, hl * c);
  TAKE(w->pr, real_t, hl * c);
  TAKE(w->pi, real_t, hl * c);
  TAKE(w->zero, real_t, c);
  TAKE(w->sink, real_t, c);
  TAKE(w->uhr, real_t, (size_t)t->idxuh_max);
  TAKE(w->uhi, real_t, (size_t)t->idxuh_max);
  TAKE(w->ufr, real_t, (size_t)t->idxu_max);
  TAKE(w->ufi, real_t, (size_t)t->idxu_max);
  TAKE(w->zr, real_t, (size_t)t->idxz_max);
  TAKE(w->zi, real_t, (size_t)t->idxz_max);
  TAKE(w->yr, real_t, (size_t)t->idxuh_max);
  TAKE(w->yi, real_t, (size_t)t->idxuh_max);
  TAKE(w->b, real_t, (size_t)t->idxb_max);
#undef TAKE
  return MD_OK;
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
  for (int a = 0; a < p->nelem; a++)
    for (int b = 0; b < p->nelem; b++) {
      const real_t rc = (p->radius[a] + p->radius[b]) * p->rcutfac;
      s->rcut[a * MD_MAX_ELEM + b] = rc;
      s->rcutsq[a * MD_MAX_ELEM + b] = rc * rc;
      if (rc > s->cutmax) s->cutmax = rc;
    }
  if (!(s->cutmax > p->rmin0)) {
    snap_cpu_destroy(&s);
    return md_error(MD_ERR_VALUE, "%s: pair cutoffs must exceed rmin0 %g", p->source, p->rmin0);
  }
  *out = s;
  return MD_OK;
}

void snap_cpu_destroy(snap_cpu **sp) {
  if (!sp || !*sp) return;
  snap_cpu *s = *sp;
  for (int k = 0; k < s->nws; k++) ws_free(&s->ws[k]);
  free(s->ws);
  free(s->fbuf);
  snap_tables_destroy(&s->t);
  free(s);
  *sp = NULL;
}

real_t snap_cpu_cutoff(const snap_cpu *s) { return s->cutmax; }

int snap_cpu_nbispectrum(const snap_cpu *s) { return s->t->idxb_max; }

/* Step 2: U of all lanes. */
static void lanes_u(const snap_tables *t, snap_ws *w, int np) {
  const int cap = w->cap, tj = t->twojmax;
  const real_t *MD_RESTRICT ar = w->ck, *MD_RESTRICT ai = w->ck + cap;
  const real_t *MD_RESTRICT br = w->ck + 2 * cap, *MD_RESTRICT bi = w->ck + 3 * cap;
  for (int n = 0; n < np; n++) {
    w->ur[n] = 1.0;
    w->ui[n] = 0.0;
  }
  for (int j = 1; j <= tj; j++) {
    const real_t *prev_r = w->ur + (size_t)t->idxuh_block[j - 1] * cap;
    const real_t *prev_i = w->ui + (size_t)t->idxuh_block[j - 1] * cap;
    real_t *cur_r = w->ur + (size_t)t->idxuh_block[j] * cap;
    real_t *cur_i = w->ui + (size_t)t->idxuh_block[j] * cap;
    for (int mb = 0; 2 * mb <= j; mb++)
      for (int ma = 0; ma <= j; ma++) {
        const snap_usrc s = snap_u_source(t->rootpq, j, ma, mb);
        const real_t *MD_RESTRICT a1r = s.o1 >= 0 ? prev_r + (size_t)s.o1 * cap : w->zero;
        const real_t *MD_RESTRICT a1i = s.o1 >= 0 ? prev_i + (size_t)s.o1 * cap : w->zero;
        const real_t *MD_RESTRICT a2r = s.o2 >= 0 ? prev_r + (size_t)s.o2 * cap : w->zero;
        const real_t *MD_RESTRICT a2i = s.o2 >= 0 ? prev_i + (size_t)s.o2 * cap : w->zero;
        real_t *MD_RESTRICT outr = cur_r + (size_t)(mb * (j + 1) + ma) * cap;
        real_t *MD_RESTRICT outi = cur_i + (size_t)(mb * (j + 1) + ma) * cap;
#pragma omp simd
        for (int n = 0; n < np; n++)
          snap_u_elem(s.ca, s.cb, ar[n], ai[n], br[n], bi[n], s.m1r * a1r[n], s.m1i * a1i[n], s.m2r * a2r[n],
                      s.m2i * a2i[n], &outr[n], &outi[n]);
      }
  }
}

/* Step 4: G and dG/d(ck) of all lanes. */
static void lanes_adjoint(const snap_tables *t, snap_ws *w, int np) {
  const int cap = w->cap, tj = t->twojmax, nh = t->idxuh_max;
  const real_t *MD_RESTRICT ar = w->ck, *MD_RESTRICT ai = w->ck + cap;
  const real_t *MD_RESTRICT br = w->ck + 2 * cap, *MD_RESTRICT bi = w->ck + 3 * cap;
  real_t *MD_RESTRICT g = w->g;
  real_t *MD_RESTRICT abr = w->bar, *MD_RESTRICT abi = w->bar + cap;
  real_t *MD_RESTRICT bbr = w->bar + 2 * cap, *MD_RESTRICT bbi = w->bar + 3 * cap;
  for (int n = 0; n < np; n++) g[n] = abr[n] = abi[n] = bbr[n] = bbi[n] = 0.0;
  for (int h = 0; h < nh; h++) {
    const real_t yr = w->yr[h], yi = w->yi[h];
    if (yr == 0.0 && yi == 0.0) continue;
    const real_t *MD_RESTRICT ur = w->ur + (size_t)h * cap, *MD_RESTRICT ui = w->ui + (size_t)h * cap;
#pragma omp simd
    for (int n = 0; n < np; n++) g[n] += yr * ur[n] + yi * ui[n];
  }
  real_t *tr = w->tr, *ti = w->ti, *pr = w->pr, *pi = w->pi;
  {
    const int nj = (tj / 2 + 1) * (tj + 1);
    for (int e = 0; e < nj; e++) {
      const real_t yr = w->yr[t->idxuh_block[tj] + e], yi = w->yi[t->idxuh_block[tj] + e];
      real_t *MD_RESTRICT xr = tr + (size_t)e * cap, *MD_RESTRICT xi = ti + (size_t)e * cap;
      for (int n = 0; n < np; n++) {
        xr[n] = yr;
        xi[n] = yi;
      }
    }
  }
  for (int j = tj; j >= 1; j--) {
    const int nprev = ((j - 1) / 2 + 1) * j;
    for (int e = 0; e < nprev; e++) {
      const real_t yr = w->yr[t->idxuh_block[j - 1] + e], yi = w->yi[t->idxuh_block[j - 1] + e];
      real_t *MD_RESTRICT xr = pr + (size_t)e * cap, *MD_RESTRICT xi = pi + (size_t)e * cap;
      for (int n = 0; n < np; n++) {
        xr[n] = yr;
        xi[n] = yi;
      }
    }
    const real_t *uprev_r = w->ur + (size_t)t->idxuh_block[j - 1] * cap;
    const real_t *uprev_i = w->ui + (size_t)t->idxuh_block[j - 1] * cap;
    for (int mb = 0; 2 * mb <= j; mb++)
      for (int ma = 0; ma <= j; ma++) {
        const snap_usrc s = snap_u_source(t->rootpq, j, ma, mb);
        const real_t *MD_RESTRICT v1r = s.o1 >= 0 ? uprev_r + (size_t)s.o1 * cap : w->zero;
        const real_t *MD_RESTRICT v1i = s.o1 >= 0 ? uprev_i + (size_t)s.o1 * cap : w->zero;
        const real_t *MD_RESTRICT v2r = s.o2 >= 0 ? uprev_r + (size_t)s.o2 * cap : w->zero;
        const real_t *MD_RESTRICT v2i = s.o2 >= 0 ? uprev_i + (size_t)s.o2 * cap : w->zero;
        real_t *MD_RESTRICT o1r = s.o1 >= 0 ? pr + (size_t)s.o1 * cap : w->sink;
        real_t *MD_RESTRICT o1i = s.o1 >= 0 ? pi + (size_t)s.o1 * cap : w->sink;
        real_t *MD_RESTRICT o2r = s.o2 >= 0 ? pr + (size_t)s.o2 * cap : w->sink;
        real_t *MD_RESTRICT o2i = s.o2 >= 0 ? pi + (size_t)s.o2 * cap : w->sink;
        const real_t *MD_RESTRICT xr = tr + (size_t)(mb * (j + 1) + ma) * cap;
        const real_t *MD_RESTRICT xi = ti + (size_t)(mb * (j + 1) + ma) * cap;
#pragma omp simd
        for (int n = 0; n < np; n++) {
          real_t d1r, d1i, d2r, d2i;
          snap_u_elem_adj(s.ca, s.cb, ar[n], ai[n], br[n], bi[n], s.m1r * v1r[n], s.m1i * v1i[n], s.m2r * v2r[n],
                          s.m2i * v2i[n], xr[n], xi[n], &d1r, &d1i, &d2r, &d2i, &abr[n], &abi[n], &bbr[n], &bbi[n]);
          o1r[n] += s.m1r * d1r;
          o1i[n] += s.m1i * d1i;
          o2r[n] += s.m2r * d2r;
          o2i[n] += s.m2i * d2i;
        }
      }
    real_t *x;
    x = tr, tr = pr, pr = x;
    x = ti, ti = pi, pi = x;
  }
}

/* One atom: returns E_i; forces into f (this thread's [3n] array, x y z blocks), virial into w->virial. */
static real_t snap_atom(const snap_cpu *s, snap_ws *w, const md_system *sys, const nbr_list *nl, int i, real_t *f,
                        real_t *bispectrum) {
  const snap_tables *t = s->t;
  const snap_params *p = &s->p;
  const int n_at = sys->n, cap = w->cap;
  const int ti = sys->type[i];
  const real_t xi = sys->x[i], yi = sys->y[i], zi = sys->z[i];

  /* 1. neighbours inside their pair cutoff */
  int nn = 0;
  for (int k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
    const int j = nl->j[k];
    real_t d[3] = {0.0, 0.0, 0.0};
    if (nl->img[k] != PBC_IMG_ZERO) pbc_image_shift(sys->box.h, nl->img[k], d);
    const real_t dx = sys->x[j] + d[0] - xi, dy = sys->y[j] + d[1] - yi, dz = sys->z[j] + d[2] - zi;
    const real_t rsq = dx * dx + dy * dy + dz * dz;
    const int tj = sys->type[j];
    if (rsq < s->rcutsq[ti * MD_MAX_ELEM + tj] && rsq > 1e-20) {
      w->jn[nn] = j;
      w->rx[nn] = dx;
      w->ry[nn] = dy;
      w->rz[nn] = dz;
      nn++;
    }
  }
  const int np = (nn + LANES - 1) / LANES * LANES;
  for (int n = 0; n < np; n++) {
    real_t ck[4] = {1.0, 0.0, 0.0, 0.0}, dck[12] = {0}, sf = 0.0, dsf = 0.0, rinv = 0.0;
    if (n < nn) {
      const int tj = sys->type[w->jn[n]];
      const real_t rc = s->rcut[ti * MD_MAX_ELEM + tj];
      const real_t r = sqrt(w->rx[n] * w->rx[n] + w->ry[n] * w->ry[n] + w->rz[n] * w->rz[n]);
      snap_ck_d(w->rx[n], w->ry[n], w->rz[n], rc, p->rfac0, p->rmin0, ck, dck);
      snap_s_dsfac(r, p->rmin0, rc, p->switchflag, &sf, &dsf);
      sf *= p->weight[tj];
      dsf *= p->weight[tj];
      rinv = 1.0 / r;
    }
    for (int c = 0; c < 4; c++) w->ck[c * cap + n] = ck[c];
    for (int c = 0; c < 12; c++) w->dck[c * cap + n] = dck[c];
    w->sw[n] = sf;
    w->dsw[n] = dsf;
    w->rinv[n] = rinv;
  }

  /* 2. U of every neighbour */
  lanes_u(t, w, np);

  /* 3. U_tot, Z, B, E_i, Yw */
  const int nh = t->idxuh_max;
  for (int h = 0; h < nh; h++) {
    const real_t *MD_RESTRICT ur = w->ur + (size_t)h * cap, *MD_RESTRICT ui = w->ui + (size_t)h * cap;
    const real_t *MD_RESTRICT sw = w->sw;
    real_t sr = 0.0, si = 0.0;
#pragma omp simd reduction(+ : sr, si)
    for (int n = 0; n < np; n++) {
      sr += sw[n] * ur[n];
      si += sw[n] * ui[n];
    }
    w->uhr[h] = sr;
    w->uhi[h] = si;
  }
  snap_u_add_self(t->twojmax, t->idxuh_block, t->wself, w->uhr);
  snap_u_expand(t->twojmax, t->idxu_block, t->idxuh_block, w->uhr, w->uhi, w->ufr, w->ufi);
  for (int jjz = 0; jjz < t->idxz_max; jjz++)
    snap_z_entry(t->idxz + (size_t)jjz * SNAP_IZ_NF, t->cglist, w->ufr, w->ufi, &w->zr[jjz], &w->zi[jjz]);
  const real_t *beta = p->beta + (size_t)ti * p->ncoeff;
  real_t e = beta[0];
  for (int k = 0; k < t->idxb_max; k++) {
    const real_t bk = snap_b_entry(t->idxb + (size_t)k * SNAP_IB_NF, t->idxz, t->zw, w->zr, w->zi, w->ufr, w->ufi) -
                      t->bzero_b[k];
    w->b[k] = bk;
    e += beta[1 + k] * bk;
  }
  if (bispectrum) memcpy(bispectrum + (size_t)i * t->idxb_max, w->b, sizeof(real_t) * (size_t)t->idxb_max);
  memset(w->yr, 0, sizeof(real_t) * (size_t)nh);
  memset(w->yi, 0, sizeof(real_t) * (size_t)nh);
  {
    const real_t *MD_RESTRICT bz = t->betaz + (size_t)ti * t->idxz_max;
    for (int jjz = 0; jjz < t->idxz_max; jjz++) {
      const int h = t->idxz[(size_t)jjz * SNAP_IZ_NF + SNAP_IZ_JJUH];
      w->yr[h] += bz[jjz] * w->zr[jjz];
      w->yi[h] += bz[jjz] * w->zi[jjz];
    }
  }

  /* 4. forces */
  lanes_adjoint(t, w, np);
  real_t *fx = f, *fy = f + n_at, *fz = f + 2 * (size_t)n_at;
  real_t fix = 0.0, fiy = 0.0, fiz = 0.0;
  for (int n = 0; n < nn; n++) {
    real_t bar[4], dck[12], dedr[3];
    for (int c = 0; c < 4; c++) bar[c] = w->bar[c * cap + n];
    for (int c = 0; c < 12; c++) dck[c] = w->dck[c * cap + n];
    const real_t rinv = w->rinv[n];
    snap_dedr(w->g[n], bar, dck, w->sw[n], w->dsw[n], w->rx[n] * rinv, w->ry[n] * rinv, w->rz[n] * rinv, dedr);
    const int j = w->jn[n];
    fix += dedr[0];
    fiy += dedr[1];
    fiz += dedr[2];
    fx[j] -= dedr[0];
    fy[j] -= dedr[1];
    fz[j] -= dedr[2];
    const real_t r[3] = {w->rx[n], w->ry[n], w->rz[n]};
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++) w->virial[3 * a + b] -= r[a] * dedr[b];
  }
  fx[i] += fix;
  fy[i] += fiy;
  fz[i] += fiz;
  return e;
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

  /* workspaces: one per thread, sized for the largest neighbour count */
  int maxnb = 0;
  for (int i = 0; i < n; i++) {
    const int c = nl->offset[i + 1] - nl->offset[i];
    if (c > maxnb) maxnb = c;
  }
  const int cap = (maxnb + LANES - 1) / LANES * LANES + LANES;
  const int nth = omp_get_max_threads();
  if (nth > s->nws) {
    snap_ws *nw = (snap_ws *)realloc(s->ws, sizeof(snap_ws) * (size_t)nth);
    if (!nw) return md_error(MD_ERR_MEMORY, "snap: out of memory");
    memset(nw + s->nws, 0, sizeof(snap_ws) * (size_t)(nth - s->nws));
    s->ws = nw;
    s->nws = nth;
  }
  for (int k = 0; k < nth; k++)
    if (s->ws[k].cap < cap) MD_TRY(ws_alloc(&s->ws[k], s->t, cap));
  if ((size_t)n > s->fbuf_n || nth > s->fbuf_threads || !s->fbuf) {
    free(s->fbuf);
    s->fbuf = (real_t *)malloc(sizeof(real_t) * 3 * ((size_t)n + 1) * (size_t)nth);
    if (!s->fbuf) {
      s->fbuf_n = 0;
      s->fbuf_threads = 0;
      return md_error(MD_ERR_MEMORY, "snap: out of memory for %d atoms", n);
    }
    s->fbuf_n = (size_t)n;
    s->fbuf_threads = nth;
  }

  int used = 1;
#pragma omp parallel num_threads(nth)
  {
    const int tid = omp_get_thread_num();
#pragma omp single
    used = omp_get_num_threads();
    snap_ws *w = &s->ws[tid];
    real_t *f = s->fbuf + (size_t)tid * 3 * (size_t)n;
    memset(f, 0, sizeof(real_t) * 3 * (size_t)n);
    w->energy = 0.0;
    memset(w->virial, 0, sizeof w->virial);
#pragma omp for schedule(static, CHUNK)
    for (int i = 0; i < n; i++) {
      const real_t e = snap_atom(s, w, sys, nl, i, f, bispectrum);
      w->energy += e;
      if (eatom) eatom[i] = e;
    }
    /* implicit barrier: reduce the per-thread forces in thread order */
#pragma omp for schedule(static)
    for (int i = 0; i < n; i++) {
      real_t sx = 0.0, sy = 0.0, sz = 0.0;
      for (int k = 0; k < used; k++) {
        const real_t *fk = s->fbuf + (size_t)k * 3 * (size_t)n;
        sx += fk[i];
        sy += fk[n + i];
        sz += fk[2 * (size_t)n + i];
      }
      fx[i] += sx;
      fy[i] += sy;
      fz[i] += sz;
    }
  }
  real_t e = 0.0;
  for (int k = 0; k < used; k++) {
    e += s->ws[k].energy;
    for (int c = 0; c < 9; c++) virial[c] += s->ws[k].virial[c];
  }
  *energy = e;
  return MD_OK;
}
