/* heatcap.c — the energy accumulator, its block statistics and the two Cv routes (heatcap.h). */
#include "heatcap.h"

#include <math.h>
#include <string.h>

#include "constants.h"

void hc_init(hc_acc *a) {
  memset(a, 0, sizeof *a);
  a->block_len = 1;
}

void hc_add(hc_acc *a, double e, double time) {
  if (a->n == 0) {
    a->e_ref = e;
    a->t_first = time;
  }
  a->t_last = time;
  double x = e - a->e_ref;
  a->n++;
  a->s1 += x;
  a->s2 += x * x;
  a->c1 += x;
  a->c2 += x * x;
  if (++a->cur_n < a->block_len) return;
  a->b1[a->nblocks] = a->c1;
  a->b2[a->nblocks] = a->c2;
  a->nblocks++;
  a->cur_n = 0;
  a->c1 = a->c2 = 0.0;
  if (a->nblocks < HC_MAX_BLOCKS) return;
  for (int k = 0; k < HC_MAX_BLOCKS / 2; k++) { /* merge neighbours: half as many blocks, twice as long */
    a->b1[k] = a->b1[2 * k] + a->b1[2 * k + 1];
    a->b2[k] = a->b2[2 * k] + a->b2[2 * k + 1];
  }
  a->nblocks = HC_MAX_BLOCKS / 2;
  a->block_len *= 2;
}

void hc_get(const hc_acc *a, hc_stats *s) {
  memset(s, 0, sizeof *s);
  s->n = a->n;
  s->nblocks = a->nblocks;
  s->block_len = a->block_len;
  s->t_first = a->t_first;
  s->t_last = a->t_last;
  s->mean = s->var = s->mean_err = s->var_err = NAN;
  if (a->n == 0) return;
  double n = (double)a->n, m = a->s1 / n;
  s->mean = a->e_ref + m;
  s->var = a->n > 1 ? (a->s2 - n * m * m) / (n - 1.0) : NAN;
  int nb = a->nblocks;
  if (nb < 4) return;
  double L = (double)a->block_len, T1 = 0.0, T2 = 0.0;
  for (int k = 0; k < nb; k++) {
    T1 += a->b1[k];
    T2 += a->b2[k];
  }
  /* standard error of the mean from the block means */
  double mb = T1 / (nb * L), sq = 0.0;
  for (int k = 0; k < nb; k++) sq += (a->b1[k] / L - mb) * (a->b1[k] / L - mb);
  s->mean_err = sqrt(sq / ((double)nb - 1.0) / (double)nb);
  /* delete-one-block jackknife of the variance of the full-block samples */
  double vj[HC_MAX_BLOCKS], vbar = 0.0;
  for (int k = 0; k < nb; k++) {
    double N = (nb - 1) * L, s1 = T1 - a->b1[k], s2 = T2 - a->b2[k], mk = s1 / N;
    vj[k] = (s2 - N * mk * mk) / (N - 1.0);
    vbar += vj[k] / nb;
  }
  double ss = 0.0;
  for (int k = 0; k < nb; k++) ss += (vj[k] - vbar) * (vj[k] - vbar);
  s->var_err = sqrt((double)(nb - 1) / nb * ss);
}

size_t hc_pack_size(void) { return sizeof(hc_acc); }

void hc_pack(const hc_acc *a, void *buf) { memcpy(buf, a, sizeof *a); }

md_status hc_unpack(hc_acc *a, const void *buf, size_t len) {
  if (len != sizeof *a) return md_error(MD_ERR_VALUE, "heat capacity state of %zu bytes, expected %zu", len, sizeof *a);
  memcpy(a, buf, sizeof *a);
  if (a->nblocks < 0 || a->nblocks > HC_MAX_BLOCKS || a->block_len < 1 || a->n < 0)
    return md_error(MD_ERR_VALUE, "heat capacity state is corrupt");
  return MD_OK;
}

void hc_cv_fluct(const hc_stats *s, double T, double *cv, double *cv_err) {
  double kt2 = MD_BOLTZ * T * T;
  *cv = s->var / kt2;
  *cv_err = s->var_err / kt2;
}

double hc_kb_per_atom(double cv, int natoms) { return natoms > 0 ? cv / (MD_BOLTZ * natoms) : NAN; }
double hc_j_mol_k(double cv, int natoms) { return hc_kb_per_atom(cv, natoms) * MD_RGAS; }

md_status hc_differences(const double *T, const double *E, const double *E_err, int n, double *cv, double *cv_err) {
  if (n < 3) return md_error(MD_ERR_VALUE, "%d temperature(s): too few temperatures for differences (central differences need at least 3)", n);
  for (int i = 1; i < n; i++)
    if (!(T[i] > T[i - 1])) return md_error(MD_ERR_VALUE, "temperatures must increase (%g K after %g K)", T[i], T[i - 1]);
  for (int i = 0; i < n; i++) {
    cv[i] = cv_err[i] = NAN;
    if (i == 0 || i == n - 1) continue;
    double dT = T[i + 1] - T[i - 1];
    cv[i] = (E[i + 1] - E[i - 1]) / dT;
    cv_err[i] = sqrt(E_err[i + 1] * E_err[i + 1] + E_err[i - 1] * E_err[i - 1]) / dT;
  }
  return MD_OK;
}

int hc_peak(const double *cv, int n) {
  int best = -1;
  for (int i = 0; i < n; i++)
    if (isfinite(cv[i]) && (best < 0 || cv[i] > cv[best])) best = i;
  return best;
}
