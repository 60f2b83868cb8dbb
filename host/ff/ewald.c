/* ewald.c — real-space erfc term (half list, OpenMP with per-thread force buffers) and the classic
 * reciprocal-space Ewald sum (the converged reference). Formulas: src/math/ewald.h; with a LAMMPS table set
 * (ewald_real_set_lammps) the real-space pairs come from src/math/ewald_lammps.h instead; pair glue
 * src/pair.h. */
#include "ewald.h"

#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "math/ewald.h"
#include "math/ewald_lammps.h"
#include "math/pbc.h"
#include "pair.h"
#include "pme_tables.h"

#define EW_MAX_THREADS 256
#define EW_SERIAL_WORK 4096 /* below this many pairs (or atoms × k-vectors / 16) one thread is faster */

static int ew_threads(void) {
  int t = omp_get_max_threads();
  return t > EW_MAX_THREADS ? EW_MAX_THREADS : (t < 1 ? 1 : t);
}


/* ------------------------------------------------------------------------------------------------------ */
/* real space */

struct ewald_real {
  real_t *buf; /* [nthr][3 n] per-thread forces on the j side of the half list ([nthr][4 n] with per-atom
                  energies: the fourth block) */
  size_t cap;
  int lammps;                /* pairs as LAMMPS coul/long evaluates them, through `table` */
  ewald_lammps_table table;  /* view (the caller owns the rows) */
};

md_status ewald_real_create(ewald_real **out) {
  *out = calloc(1, sizeof **out);
  return *out ? MD_OK : md_error(MD_ERR_MEMORY, "ewald_real_create: out of memory");
}

void ewald_real_destroy(ewald_real **p) {
  if (!p || !*p) return;
  free((*p)->buf);
  free(*p);
  *p = NULL;
}

void ewald_real_set_lammps(ewald_real *w, const ewald_lammps_table *table) {
  w->lammps = table != NULL;
  if (table) w->table = *table;
}

md_status ewald_real_compute(ewald_real *w, const md_system *sys, const nbr_list *nl, const real_t *q, real_t alpha,
                             real_t rc, real_t *fx, real_t *fy, real_t *fz, real_t *energy, real_t virial[9]) {
  return ewald_real_compute_atom(w, sys, nl, q, alpha, rc, fx, fy, fz, energy, virial, NULL);
}

md_status ewald_real_compute_atom(ewald_real *w, const md_system *sys, const nbr_list *nl, const real_t *q, real_t alpha,
                                  real_t rc, real_t *fx, real_t *fy, real_t *fz, real_t *energy, real_t virial[9],
                                  real_t *eatom) {
  *energy = 0.0;
  const int n = sys->n;
  if (!nl->half) return md_error(MD_ERR_INTERNAL, "Coulomb real space needs a half neighbour list");
  if (nl->n != n) return md_error(MD_ERR_INTERNAL, "Coulomb: neighbour list built for %d atoms, system has %d", nl->n, n);
  if (nl->cutoff + nl->skin < rc * (1.0 - 1e-12))
    return md_error(MD_ERR_INTERNAL, "Coulomb: neighbour list range %g Å is below the real-space cutoff %g Å",
                    nl->cutoff + nl->skin, rc);
  if (n == 0) return MD_OK;
  const int nthr = nbr_entries(nl) < EW_SERIAL_WORK ? 1 : ew_threads();
  const size_t stride = (eatom ? 4 : 3) * (size_t)n; /* per-thread block: fx fy fz [e] */
  size_t need = (size_t)nthr * stride;
  if (need > w->cap) {
    real_t *b = realloc(w->buf, need * sizeof *b);
    if (!b) return md_error(MD_ERR_MEMORY, "Coulomb real space: out of memory (%d atoms)", n);
    w->buf = b;
    w->cap = need;
  }
  const real_t rc2 = rc * rc;
  const real_t *h = sys->box.h;
  const int lammps = w->lammps;
  const ewald_lammps_table *tab = &w->table;
  real_t part[EW_MAX_THREADS * 7];
  memset(part, 0, sizeof part);
#pragma omp parallel num_threads(nthr)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    real_t *bx = w->buf + (size_t)t * stride, *by = bx + n, *bz = by + n, *be = eatom ? bz + n : NULL;
    memset(bx, 0, stride * sizeof *bx);
    real_t e = 0.0, vw[6] = {0, 0, 0, 0, 0, 0};
#pragma omp for schedule(static, 16)
    for (int i = 0; i < n; i++) {
      const real_t qi = MD_QQR2E * q[i];
      if (qi == 0.0) continue;
      const real_t qi_raw = q[i];
      real_t fi[3] = {0.0, 0.0, 0.0};
      for (int k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
        const int j = nl->j[k];
        if (q[j] == 0.0) continue;
        real_t d[3], fj[3];
        const real_t r2 = pair_delta(h, nl->img[k], sys->x[i], sys->y[i], sys->z[i], sys->x[j], sys->y[j], sys->z[j], d);
        if (r2 >= rc2) continue;
        real_t eij, fpair;
        if (lammps) ewald_lammps_pair(tab, alpha, qi_raw, q[j], r2, &eij, &fpair);
        else ewald_real_pair(qi * q[j], alpha, sqrt(r2), &eij, &fpair);
        pair_accumulate(eij, fpair, d, PAIR_HALF_LIST, fi, &e, vw, fj);
        if (be) {
          be[i] += 0.5 * eij;
          be[j] += 0.5 * eij;
        }
        bx[j] += fj[0];
        by[j] += fj[1];
        bz[j] += fj[2];
      }
      bx[i] += fi[0];
      by[i] += fi[1];
      bz[i] += fi[2];
    }
    part[7 * t] = e;
    for (int c = 0; c < 6; c++) part[7 * t + c + 1] = vw[c];
    /* implicit barrier of the omp for above; reduce the buffers in thread order */
#pragma omp for schedule(static)
    for (int i = 0; i < n; i++) {
      real_t sx = 0.0, sy = 0.0, sz = 0.0, se = 0.0;
      for (int u = 0; u < nt; u++) {
        const real_t *b = w->buf + (size_t)u * stride;
        sx += b[i];
        sy += b[n + i];
        sz += b[2 * n + i];
        if (eatom) se += b[3 * n + i];
      }
      fx[i] += sx;
      fy[i] += sy;
      fz[i] += sz;
      if (eatom) eatom[i] += se;
    }
  }
  pair_sum_threads(part, nthr, energy, virial);
  return MD_OK;
}

/* ------------------------------------------------------------------------------------------------------ */
/* reciprocal space */

struct ewald_kspace {
  real_t alpha, gcut, volume;
  int kmax[3], kmx;   /* per direction, and their maximum */
  int ktab[3];        /* loop bounds and cos/sin table extent per direction (kmax; kmx for LAMMPS's set) */
  int nk, nkcap;      /* vectors in the half space */
  int *mi;            /* [3 nk] integer components */
  real_t *mc;         /* [3 nk] Cartesian m (1/Å) */
  real_t *wt;         /* [nk] Gaussian weight w(m) */
  real_t *sre, *sim;  /* [nk] structure factor */
  int ngroup, gcap;
  int *gstart;        /* [ngroup + 1]: vectors sharing (n0, n1) are contiguous */
  real_t *tc, *ts;    /* [3][kmx + 1][n] cos, sin of 2π n s_d */
  size_t tabcap;
  real_t *scratch;    /* [nthr][2 n] q exp(2πi (n0 s0 + n1 s1)) per atom */
  size_t scap;
};

md_status ewald_kspace_create(ewald_kspace **out) {
  *out = calloc(1, sizeof **out);
  return *out ? MD_OK : md_error(MD_ERR_MEMORY, "ewald_kspace_create: out of memory");
}

void ewald_kspace_destroy(ewald_kspace **p) {
  if (!p || !*p) return;
  ewald_kspace *k = *p;
  free(k->mi);
  free(k->mc);
  free(k->wt);
  free(k->sre);
  free(k->sim);
  free(k->gstart);
  free(k->tc);
  free(k->ts);
  free(k->scratch);
  free(k);
  *p = NULL;
}

static md_status ks_reserve(ewald_kspace *k, int nk) {
  if (nk <= k->nkcap) return MD_OK;
  int cap = nk + nk / 4 + 16;
  int *mi = realloc(k->mi, 3 * (size_t)cap * sizeof *mi);
  if (mi) k->mi = mi;
  real_t *mc = realloc(k->mc, 3 * (size_t)cap * sizeof *mc);
  if (mc) k->mc = mc;
  real_t *wt = realloc(k->wt, (size_t)cap * sizeof *wt);
  if (wt) k->wt = wt;
  real_t *sre = realloc(k->sre, (size_t)cap * sizeof *sre);
  if (sre) k->sre = sre;
  real_t *sim = realloc(k->sim, (size_t)cap * sizeof *sim);
  if (sim) k->sim = sim;
  int *gs = realloc(k->gstart, ((size_t)cap + 1) * sizeof *gs);
  if (gs) k->gstart = gs;
  if (!mi || !mc || !wt || !sre || !sim || !gs) return md_error(MD_ERR_MEMORY, "Ewald: out of memory (%d k-vectors)", nk);
  k->nkcap = cap;
  return MD_OK;
}

/* kcap == NULL: every vector with |m| ≤ gcut. Else LAMMPS's set (ewald_vector_allowed) inside that sphere. */
static md_status ks_setup(ewald_kspace *k, const md_box *box, real_t alpha, real_t gcut, const int *kcap, int triclinic) {
  if (!(alpha > 0) || !(gcut > 0)) return md_error(MD_ERR_VALUE, "Ewald: invalid α %g or reciprocal cutoff %g", alpha, gcut);
  k->alpha = alpha;
  k->gcut = gcut;
  k->volume = box->volume;
  k->kmx = ewald_vectors_bounds(box, gcut, kcap, k->kmax, k->ktab);
  for (int d = 0; d < 3; d++)
    if (k->kmax[d] < 0) return md_error(MD_ERR_VALUE, "Ewald: negative k-vector bound %d", k->kmax[d]);
  k->nk = 0;
  k->ngroup = 0;
  const long nk = ewald_vectors_enumerate(box, alpha, gcut, kcap, triclinic, NULL, NULL, NULL, NULL, NULL);
  if (nk > INT_MAX / 2) return md_error(MD_ERR_VALUE, "Ewald: %ld k-vectors are too many", nk);
  MD_TRY(ks_reserve(k, nk > 0 ? (int)nk : 1)); /* gstart[0] even for an empty set */
  int ng = 0;
  ewald_vectors_enumerate(box, alpha, gcut, kcap, triclinic, k->mi, k->mc, k->wt, k->gstart, &ng);
  k->nk = (int)nk;
  k->ngroup = ng;
  k->gstart[ng] = (int)nk;
  return MD_OK;
}

md_status ewald_kspace_setup(ewald_kspace *k, const md_box *box, real_t alpha, real_t gcut) {
  return ks_setup(k, box, alpha, gcut, NULL, 0);
}

md_status ewald_kspace_setup_capped(ewald_kspace *k, const md_box *box, real_t alpha, real_t gcut, const int kcap[3],
                                    int triclinic) {
  return ks_setup(k, box, alpha, gcut, kcap, triclinic);
}

int ewald_kspace_count(const ewald_kspace *k, int kmax[3]) {
  if (kmax)
    for (int d = 0; d < 3; d++) kmax[d] = k->kmax[d];
  return k->nk;
}

md_status ewald_kspace_compute(ewald_kspace *k, const md_system *sys, const real_t *q, real_t *fx, real_t *fy,
                               real_t *fz, real_t *energy, real_t virial[9]) {
  return ewald_kspace_compute_atom(k, sys, q, fx, fy, fz, energy, virial, NULL);
}

md_status ewald_kspace_compute_atom(ewald_kspace *k, const md_system *sys, const real_t *q, real_t *fx, real_t *fy,
                                    real_t *fz, real_t *energy, real_t virial[9], real_t *eatom) {
  *energy = 0.0;
  const int n = sys->n;
  if (n == 0 || k->nk == 0) return MD_OK;
  if (fabs(sys->box.volume - k->volume) > 1e-12 * k->volume)
    return md_error(MD_ERR_INTERNAL, "Ewald: the cell changed since ewald_kspace_setup");
  const int K1 = k->kmx + 1, nthr = (size_t)n * k->nk < 16 * EW_SERIAL_WORK ? 1 : ew_threads();
  size_t need = 3 * (size_t)K1 * (size_t)n;
  if (need > k->tabcap) {
    real_t *a = realloc(k->tc, need * sizeof *a);
    if (a) k->tc = a;
    real_t *b = realloc(k->ts, need * sizeof *b);
    if (b) k->ts = b;
    if (!a || !b) return md_error(MD_ERR_MEMORY, "Ewald: out of memory (%d atoms, kmax %d)", n, k->kmx);
    k->tabcap = need;
  }
  need = (size_t)nthr * 2 * (size_t)n;
  if (need > k->scap) {
    real_t *a = realloc(k->scratch, need * sizeof *a);
    if (!a) return md_error(MD_ERR_MEMORY, "Ewald: out of memory (%d atoms)", n);
    k->scratch = a;
    k->scap = need;
  }
  real_t *tc = k->tc, *ts = k->ts;
  const real_t *hinv = sys->box.hinv;
#define TAB(d, m, i) ((((size_t)(d) * K1 + (m)) * n) + (i))
#pragma omp parallel for schedule(static) num_threads(nthr)
  for (int i = 0; i < n; i++) {
    real_t s[3];
    ewald_frac_wrapped(hinv, sys->x[i], sys->y[i], sys->z[i], s);
    for (int d = 0; d < 3; d++) {
      for (int m = 0; m <= k->ktab[d]; m++) {
        real_t arg = 2.0 * MD_PI * m * s[d];
        tc[TAB(d, m, i)] = cos(arg);
        ts[TAB(d, m, i)] = sin(arg);
      }
    }
  }
  /* structure factors S(m) = Σ_j q_j exp(2πi m·r_j), one (n0, n1) group at a time */
#pragma omp parallel num_threads(nthr)
  {
    real_t *pr = k->scratch + (size_t)omp_get_thread_num() * 2 * n, *pi = pr + n;
#pragma omp for schedule(dynamic, 1)
    for (int g = 0; g < k->ngroup; g++) {
      int k0 = k->gstart[g];
      int n0 = k->mi[3 * k0], n1 = k->mi[3 * k0 + 1], a1 = abs(n1);
      real_t sg = n1 < 0 ? -1.0 : 1.0;
      for (int j = 0; j < n; j++) {
        real_t c0 = tc[TAB(0, n0, j)], s0 = ts[TAB(0, n0, j)];
        real_t c1 = tc[TAB(1, a1, j)], s1 = sg * ts[TAB(1, a1, j)];
        pr[j] = q[j] * (c0 * c1 - s0 * s1);
        pi[j] = q[j] * (s0 * c1 + c0 * s1);
      }
      for (int kk = k0; kk < k->gstart[g + 1]; kk++) {
        int n2 = k->mi[3 * kk + 2], a2 = abs(n2);
        real_t sg2 = n2 < 0 ? -1.0 : 1.0, sr = 0.0, si = 0.0;
        const real_t *c2 = tc + TAB(2, a2, 0), *s2 = ts + TAB(2, a2, 0);
        for (int j = 0; j < n; j++) {
          sr += pr[j] * c2[j] - pi[j] * sg2 * s2[j];
          si += pi[j] * c2[j] + pr[j] * sg2 * s2[j];
        }
        k->sre[kk] = sr;
        k->sim[kk] = si;
      }
    }
  }
  /* energy and virial: each half-space vector stands for ±m */
  real_t e = 0.0, vw[6] = {0, 0, 0, 0, 0, 0};
  for (int kk = 0; kk < k->nk; kk++) {
    real_t em = ewald_kspace_pair_energy(k->wt[kk], k->sre[kk], k->sim[kk]);
    e += em;
    ewald_kspace_virial(em, k->mc + 3 * kk, k->alpha, vw);
  }
  *energy = e;
  virial_add6(virial, vw);
  /* forces, atom by atom */
#pragma omp parallel for schedule(static) num_threads(nthr)
  for (int i = 0; i < n; i++) {
    if (q[i] == 0.0) continue;
    real_t f[3] = {0, 0, 0}, ei = 0.0;
    for (int g = 0; g < k->ngroup; g++) {
      int k0 = k->gstart[g];
      int n0 = k->mi[3 * k0], n1 = k->mi[3 * k0 + 1], a1 = abs(n1);
      real_t sg = n1 < 0 ? -1.0 : 1.0;
      real_t c0 = tc[TAB(0, n0, i)], s0 = ts[TAB(0, n0, i)];
      real_t c1 = tc[TAB(1, a1, i)], s1 = sg * ts[TAB(1, a1, i)];
      real_t c01 = c0 * c1 - s0 * s1, s01 = s0 * c1 + c0 * s1;
      for (int kk = k0; kk < k->gstart[g + 1]; kk++) {
        int n2 = k->mi[3 * kk + 2], a2 = abs(n2);
        real_t c2 = tc[TAB(2, a2, i)], s2 = (n2 < 0 ? -1.0 : 1.0) * ts[TAB(2, a2, i)];
        real_t c = c01 * c2 - s01 * s2, s = s01 * c2 + c01 * s2;
        real_t fac = ewald_kspace_force_factor(k->wt[kk], q[i], k->sre[kk], k->sim[kk], c, s);
        f[0] += fac * k->mc[3 * kk];
        f[1] += fac * k->mc[3 * kk + 1];
        f[2] += fac * k->mc[3 * kk + 2];
        if (eatom) ei += 2.0 * k->wt[kk] * q[i] * (c * k->sre[kk] + s * k->sim[kk]);
      }
    }
    if (eatom) eatom[i] += ei;
    fx[i] += f[0];
    fy[i] += f[1];
    fz[i] += f[2];
  }
#undef TAB
  return MD_OK;
}

real_t ewald_gcut_for_accuracy(real_t acc, real_t q2, int n, real_t volume, real_t alpha) {
  if (n < 1) n = 1;
  real_t lo = 0.0, hi = alpha / MD_PI;
  while (ewald_rms_kspace(q2, n, hi, volume, alpha) > acc) {
    lo = hi;
    hi *= 2.0;
  }
  for (int it = 0; it < 100 && hi - lo > 1e-12 * hi; it++) {
    real_t mid = 0.5 * (lo + hi);
    if (ewald_rms_kspace(q2, n, mid, volume, alpha) > acc) lo = mid;
    else hi = mid;
  }
  return hi;
}
