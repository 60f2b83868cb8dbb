#include "snap_tables.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/snap_u.h"
#include "math/snap_zy.h"

#define JD (MD_SNAP_MAX_TWOJ + 1)

static int imax(int a, int b) { return a > b ? a : b; }
static int imin(int a, int b) { return a < b ? a : b; }

/* n! for n <= 3 * MD_SNAP_MAX_TWOJ / 2 + 1 = 22: exact in double (n!/2^k < 2^53) */
static double fact(int n) {
  double f = 1.0;
  for (int k = 2; k <= n; k++) f *= k;
  return f;
}

/* Clebsch-Gordan <j1/2 m1', j2/2 m2' | j/2 m'> with m1' = (2 m1 - j1)/2 etc., VMK 8.2.1(3), in the
 * normalisation LAMMPS uses (the sqrt(j+1) factor included). */
static double clebsch_gordan(int j1, int j2, int j, int m1, int m2) {
  const int aa2 = 2 * m1 - j1, bb2 = 2 * m2 - j2;
  const int m = (aa2 + bb2 + j) / 2;
  if (m < 0 || m > j) return 0.0;
  double sum = 0.0;
  const int zmin = imax(0, imax(-(j - j2 + aa2) / 2, -(j - j1 - bb2) / 2));
  const int zmax = imin((j1 + j2 - j) / 2, imin((j1 - aa2) / 2, (j2 + bb2) / 2));
  for (int z = zmin; z <= zmax; z++) {
    const double sgn = (z % 2) ? -1.0 : 1.0;
    sum += sgn / (fact(z) * fact((j1 + j2 - j) / 2 - z) * fact((j1 - aa2) / 2 - z) * fact((j2 + bb2) / 2 - z) *
                  fact((j - j2 + aa2) / 2 + z) * fact((j - j1 - bb2) / 2 + z));
  }
  const int cc2 = 2 * m - j;
  const double delta =
      sqrt(fact((j1 + j2 - j) / 2) * fact((j1 - j2 + j) / 2) * fact((-j1 + j2 + j) / 2) / fact((j1 + j2 + j) / 2 + 1));
  const double norm = sqrt(fact((j1 + aa2) / 2) * fact((j1 - aa2) / 2) * fact((j2 + bb2) / 2) * fact((j2 - bb2) / 2) *
                           fact((j + cc2) / 2) * fact((j - cc2) / 2) * (j + 1));
  return sum * delta * norm;
}

/* 2 w(j, ma, mb) for the half plane (snap.h); 0 for entries nothing needs */
static double half_weight2(int j, int ma, int mb) {
  if (2 * mb < j) return 2.0;
  if (ma < mb) return 2.0;
  if (ma == mb) return 1.0;
  return 0.0;
}

md_status snap_tables_create(snap_tables **out, const snap_params *p) {
  *out = NULL;
  const int tj = p->twojmax;
  if (tj < 0 || tj > MD_SNAP_MAX_TWOJ)
    return md_error(MD_ERR_UNSUPPORTED, "%s: twojmax %d is outside 0..%d", p->source, tj, MD_SNAP_MAX_TWOJ);
  if (p->nelem < 1 || p->nelem > MD_MAX_ELEM) return md_error(MD_ERR_VALUE, "%s: %d elements", p->source, p->nelem);
  if (!(snap_max_cutoff(p) > p->rmin0))
    return md_error(MD_ERR_VALUE, "%s: pair cutoffs must exceed rmin0 %g", p->source, p->rmin0);
  snap_tables *t = (snap_tables *)calloc(1, sizeof *t);
  if (!t) return md_error(MD_ERR_MEMORY, "snap tables: out of memory");
  t->twojmax = tj;
  t->nelem = p->nelem;
  t->wself = 1.0;

  int cg_block[JD][JD][JD], b_block[JD][JD][JD], z_block[JD][JD][JD];
  int ncg = 0, nu = 0, nuh = 0, nb = 0, nz = 0;
  for (int j = 0; j <= tj; j++) {
    t->idxu_block[j] = nu;
    t->idxuh_block[j] = nuh;
    nu += (j + 1) * (j + 1);
    nuh += (j + 1) * (j / 2 + 1);
  }
  t->idxu_max = nu;
  t->idxuh_max = nuh;
  for (int j1 = 0; j1 <= tj; j1++)
    for (int j2 = 0; j2 <= j1; j2++)
      for (int j = j1 - j2; j <= imin(tj, j1 + j2); j += 2) {
        cg_block[j1][j2][j] = ncg;
        ncg += (j1 + 1) * (j2 + 1);
        z_block[j1][j2][j] = nz;
        for (int mb = 0; 2 * mb <= j; mb++)
          for (int ma = 0; ma <= j; ma++)
            if (half_weight2(j, ma, mb) > 0) nz++;
        if (j >= j1) b_block[j1][j2][j] = nb++;
      }
  t->idxcg_max = ncg;
  t->idxz_max = nz;
  t->idxb_max = nb;
  if (p->ncoeff != nb + 1) {
    free(t);
    return md_error(MD_ERR_VALUE, "%s: %d coefficients per element, twojmax %d needs %d", p->source, p->ncoeff, tj,
                    nb + 1);
  }

  t->idxz = (int *)malloc(sizeof(int) * (size_t)nz * SNAP_IZ_NF);
  t->idxb = (int *)malloc(sizeof(int) * (size_t)nb * SNAP_IB_NF);
  t->cglist = (real_t *)malloc(sizeof(real_t) * (size_t)ncg);
  t->zw = (real_t *)malloc(sizeof(real_t) * (size_t)nz);
  t->bzero_b = (real_t *)calloc((size_t)nb, sizeof(real_t));
  t->betaz = (real_t *)calloc((size_t)nz * (size_t)p->nelem, sizeof(real_t));
  t->ufw_src = (int *)malloc(sizeof(int) * 2 * (size_t)nuh);
  t->ufw_coef = (real_t *)calloc(6 * (size_t)nuh, sizeof(real_t));
  t->uadj_src = (int *)malloc(sizeof(int) * 4 * (size_t)nuh);
  t->uadj_coef = (real_t *)calloc(5 * (size_t)nuh, sizeof(real_t));
  t->h2f = (int *)malloc(sizeof(int) * (size_t)nuh);
  if (!t->idxz || !t->idxb || !t->cglist || !t->zw || !t->bzero_b || !t->betaz || !t->ufw_src || !t->ufw_coef ||
      !t->uadj_src || !t->uadj_coef || !t->h2f) {
    snap_tables_destroy(&t);
    return md_error(MD_ERR_MEMORY, "snap tables: out of memory (twojmax %d)", tj);
  }

  for (int p1 = 0; p1 < SNAP_RPQ_LD; p1++)
    for (int q = 0; q < SNAP_RPQ_LD; q++) t->rootpq[p1 * SNAP_RPQ_LD + q] = (p1 > 0 && q > 0) ? sqrt((double)p1 / q) : 0.0;

  /* recursion tables: forward from snap_u_source, adjoint by inverting it */
  for (int k = 0; k < 2 * nuh; k++) t->ufw_src[k] = -1;
  for (int k = 0; k < 4 * nuh; k++) t->uadj_src[k] = -1;
  for (int j = 1; j <= tj; j++)
    for (int mb = 0; 2 * mb <= j; mb++)
      for (int ma = 0; ma <= j; ma++) {
        const int h = t->idxuh_block[j] + mb * (j + 1) + ma;
        const snap_usrc u = snap_u_source(t->rootpq, j, ma, mb);
        const int src[2] = {u.o1 >= 0 ? t->idxuh_block[j - 1] + u.o1 : -1, u.o2 >= 0 ? t->idxuh_block[j - 1] + u.o2 : -1};
        const real_t coef[6] = {u.ca, u.cb, u.m1r, u.m1i, u.m2r, u.m2i};
        t->ufw_src[2 * h] = src[0];
        t->ufw_src[2 * h + 1] = src[1];
        memcpy(t->ufw_coef + 6 * h, coef, sizeof coef);
        for (int term = 0; term < 2; term++) {
          if (src[term] < 0) continue;
          const int mirror = coef[2 + 2 * term] != coef[3 + 2 * term]; /* (s, -s) */
          int *slot = t->uadj_src + 4 * src[term] + 2 * mirror + term;
          if (*slot >= 0) {
            snap_tables_destroy(&t);
            return md_error(MD_ERR_INTERNAL, "snap tables: U entry %d is read twice by the same term", src[term]);
          }
          *slot = h;
          t->uadj_coef[5 * src[term] + 2 * mirror + term] = coef[term];
          if (mirror) {
            real_t *sg = t->uadj_coef + 5 * src[term] + 4;
            if (*sg != 0 && *sg != coef[2 + 2 * term]) {
              snap_tables_destroy(&t);
              return md_error(MD_ERR_INTERNAL, "snap tables: inconsistent mirror sign for U entry %d", src[term]);
            }
            *sg = coef[2 + 2 * term];
          }
        }
      }
  for (int h = 0; h < t->idxuh_block[tj]; h++)
    if (t->uadj_src[4 * h] < 0 || t->uadj_src[4 * h + 1] < 0 || (t->uadj_src[4 * h + 2] < 0) != (t->uadj_src[4 * h + 3] < 0)) {
      snap_tables_destroy(&t);
      return md_error(MD_ERR_INTERNAL, "snap tables: incomplete adjoint sources for U entry %d", h);
    }

  for (int j1 = 0; j1 <= tj; j1++)
    for (int j2 = 0; j2 <= j1; j2++)
      for (int j = j1 - j2; j <= imin(tj, j1 + j2); j += 2) {
        int k = cg_block[j1][j2][j];
        for (int m1 = 0; m1 <= j1; m1++)
          for (int m2 = 0; m2 <= j2; m2++) t->cglist[k++] = clebsch_gordan(j1, j2, j, m1, m2);
      }

  /* Z entries and their Y weights */
  int jjz = 0;
  for (int j1 = 0; j1 <= tj; j1++)
    for (int j2 = 0; j2 <= j1; j2++)
      for (int j = j1 - j2; j <= imin(tj, j1 + j2); j += 2) {
        /* the B component this triple stands for, and its multiplicity (LAMMPS compute_yi) */
        int kb;
        double f;
        if (j >= j1) {
          kb = b_block[j1][j2][j];
          f = (j1 == j) ? ((j2 == j) ? 3.0 : 2.0) : 1.0;
        } else if (j >= j2) {
          kb = b_block[j][j2][j1];
          f = (j2 == j) ? 2.0 : 1.0;
        } else {
          kb = b_block[j2][j][j1];
          f = 1.0;
        }
        if (j1 > j) f *= (j1 + 1) / (j + 1.0);
        for (int mb = 0; 2 * mb <= j; mb++)
          for (int ma = 0; ma <= j; ma++) {
            const double w2 = half_weight2(j, ma, mb);
            if (w2 == 0) continue;
            int *iz = t->idxz + (size_t)jjz * SNAP_IZ_NF;
            const int ma1min = imax(0, (2 * ma - j - j2 + j1) / 2);
            const int ma2max = (2 * ma - j - (2 * ma1min - j1) + j2) / 2;
            const int na = imin(j1, (2 * ma - j + j2 + j1) / 2) - ma1min + 1;
            const int mb1min = imax(0, (2 * mb - j - j2 + j1) / 2);
            const int mb2max = (2 * mb - j - (2 * mb1min - j1) + j2) / 2;
            const int nbb = imin(j1, (2 * mb - j + j2 + j1) / 2) - mb1min + 1;
            iz[SNAP_IZ_J1] = j1;
            iz[SNAP_IZ_J2] = j2;
            iz[SNAP_IZ_J] = j;
            iz[SNAP_IZ_NA] = na;
            iz[SNAP_IZ_NB] = nbb;
            iz[SNAP_IZ_JJU1] = t->idxu_block[j1] + (j1 + 1) * mb1min + ma1min;
            iz[SNAP_IZ_JJU2] = t->idxu_block[j2] + (j2 + 1) * mb2max + ma2max;
            iz[SNAP_IZ_ICGA] = cg_block[j1][j2][j] + ma1min * (j2 + 1) + ma2max;
            iz[SNAP_IZ_ICGB] = cg_block[j1][j2][j] + mb1min * (j2 + 1) + mb2max;
            iz[SNAP_IZ_JJU] = t->idxu_block[j] + (j + 1) * mb + ma;
            iz[SNAP_IZ_JJUH] = t->idxuh_block[j] + (j + 1) * mb + ma;
            t->zw[jjz] = w2;
            for (int e = 0; e < p->nelem; e++)
              t->betaz[(size_t)e * nz + jjz] = w2 * f * p->beta[e * p->ncoeff + 1 + kb];
            jjz++;
          }
      }

  for (int j1 = 0; j1 <= tj; j1++)
    for (int j2 = 0; j2 <= j1; j2++)
      for (int j = j1 - j2; j <= imin(tj, j1 + j2); j += 2) {
        if (j < j1) continue;
        const int kb = b_block[j1][j2][j];
        int *ib = t->idxb + (size_t)kb * SNAP_IB_NF;
        ib[SNAP_IB_J1] = j1;
        ib[SNAP_IB_J2] = j2;
        ib[SNAP_IB_J] = j;
        ib[SNAP_IB_JJZ] = z_block[j1][j2][j];
        ib[SNAP_IB_NZ] = (j % 2 == 0) ? (j / 2) * (j + 1) + j / 2 + 1 : ((j + 1) / 2) * (j + 1);
        if (p->bzeroflag) t->bzero_b[kb] = t->wself * t->wself * t->wself * (j + 1);
      }
  for (int e = 0; e < p->nelem; e++) t->e0[e] = snap_energy_offset(p->beta + (size_t)e * p->ncoeff, t->bzero_b, nb);
  for (int j = 0; j <= tj; j++)
    for (int mb = 0; 2 * mb <= j; mb++)
      for (int ma = 0; ma <= j; ma++) t->h2f[t->idxuh_block[j] + mb * (j + 1) + ma] = t->idxu_block[j] + mb * (j + 1) + ma;
  *out = t;
  return MD_OK;
}

void snap_tables_destroy(snap_tables **tp) {
  if (!tp || !*tp) return;
  snap_tables *t = *tp;
  free(t->idxz);
  free(t->idxb);
  free(t->cglist);
  free(t->zw);
  free(t->bzero_b);
  free(t->betaz);
  free(t->ufw_src);
  free(t->ufw_coef);
  free(t->uadj_src);
  free(t->uadj_coef);
  free(t->h2f);
  free(t);
  *tp = NULL;
}
