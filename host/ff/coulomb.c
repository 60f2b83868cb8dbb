/* coulomb.c — the electrostatics front (host/ff/coulomb.h): parameter choice from the accuracy, then real space
 * (host/ff/ewald.c) + reciprocal space (Ewald: host/ff/ewald.c, PME: host/ff/pme_cpu.c) + self + background.
 *
 * The accuracy knob: acc = accuracy × 14.399645 eV/Å (the force between two unit charges 1 Å apart, LAMMPS's
 * "relative" kspace accuracy) is the target for the TOTAL estimated RMS force error, real space and reciprocal
 * space together: est_real ≤ 0.15 acc and est_kspace ≤ sqrt(1 − 0.15²) acc, so sqrt(est_real² + est_kspace²) ≤
 * acc. (LAMMPS gives each part the whole acc, so its total can reach √2 acc.) The small real-space share keeps
 * the systematic energy error of the real-space truncation small. Estimates (q2 = C Σ q², N atoms, volume V):
 *  - real space (Kolafa & Perram, as LAMMPS): 2 q2 exp(−α² rc²) / sqrt(N rc V);
 *  - Ewald reciprocal space (all |m| ≤ G, m without 2π): 2 q2 α exp(−π² G²/α²) / sqrt(π N G V);
 *  - PME reciprocal space: the SPME error functional for the actual mesh, order, α and cell (pme_cpu.h).
 * All are expectation values for randomly placed charges; for Li3N configurations the measured RMS error is
 * 0.4–0.95 of the total estimate (tests/test_coulomb.cpp); for random charges it is 1.0 ± 0.1.
 *
 * Parameter rules:
 *  - rc: the user's, else Ewald: the rc in [5, 14] Å minimising a cost model of real + reciprocal work; PME:
 *    COUL_PME_RC_DEFAULT. Fixed after the first coulomb_setup (neighbour lists are built with it).
 *  - α: LAMMPS's rule applied to the real-space share, est_real(α) = 0.15 acc.
 *  - Ewald: G the smallest cutoff with est_kspace ≤ 0.989 acc (LAMMPS's per-direction rule, for any cell).
 *  - PME: B-spline order 5 unless set; the coarsest mesh K_d = fft_size(width_d / h) (factors 2, 3, 5, 7)
 *    with est_kspace ≤ 0.989 acc, by bisection on the spacing h.
 *
 * When only the cell changes (NPT), α and rc stay; Ewald re-derives G and the vector list; PME keeps its mesh
 * (as LAMMPS does) unless a face width moved by more than 5 % since the mesh was chosen, and recomputes the
 * influence function. A change in the number of atoms or the charges re-chooses α and the reciprocal part.
 *
 * LAMMPS mode (coulomb_set_lammps): LAMMPS's rules instead, in lammps_setup below. */
#include "coulomb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "constants.h"
#include "math/ewald.h"
#include "math/ewald_lammps.h"
#include "math/pme.h"
#include "coul_table.h"
#include "ewald.h"
#include "pme_cpu.h"

#define COUL_PME_RC_DEFAULT 6.0   /* Å: fastest of 5 … 9 Å at 1e-5 for 500 and 4000 Li3N atoms, 1 and 2 threads */
#define COUL_PME_ORDER_DEFAULT 5
#define COUL_REGRID_WIDTH 0.05    /* relative change of a face width that re-chooses the PME mesh */
#define COUL_REAL_SHARE 0.15      /* real-space estimate target = 0.15 acc; reciprocal sqrt(1 − 0.15²) acc */

struct coulomb {
  int method;
  real_t accuracy;        /* relative */
  real_t rcut_user;       /* Å, 0 = choose */
  int nelem;
  real_t q_elem[MD_MAX_ELEM];
  int order;
  /* chosen */
  int chosen;             /* α and reciprocal parameters valid for n and the charge sums below */
  int have_rc;
  real_t rcut, alpha;
  int n;
  real_t sum_q, sum_q2, sum_q4;
  md_box box;             /* cell the reciprocal part is set up for */
  real_t width_grid[3];   /* face widths when the PME mesh was chosen */
  int grid[3], grid_order;
  real_t gcut;
  real_t est_real, est_k;
  real_t *q;              /* [n] per-atom charges */
  int qcap;
  ewald_real *real;
  ewald_kspace *ks;
  pme_cpu *pme;
  md_coulomb_lammps lammps; /* LAMMPS mode */
  coul_table *table;        /* its real-space table, built for table_alpha and table_rc */
  real_t table_alpha, table_rc;
};

md_status coulomb_create(coulomb **out, int method, real_t accuracy, real_t rcut, const real_t *q_elem, int nelem) {
  *out = NULL;
  if (method != MD_COUL_NONE && method != MD_COUL_EWALD && method != MD_COUL_PME)
    return md_error(MD_ERR_VALUE, "coulomb: unknown method %d", method);
  if (method != MD_COUL_NONE && !(accuracy > 0.0 && accuracy < 1.0))
    return md_error(MD_ERR_VALUE, "coulomb: accuracy %g must be in (0, 1) (relative to the 14.4 eV/Å two-unit-charge force)", accuracy);
  if (!isfinite(rcut)) return md_error(MD_ERR_VALUE, "coulomb: real-space cutoff %g is not finite", rcut);
  if (nelem < 1 || nelem > MD_MAX_ELEM) return md_error(MD_ERR_VALUE, "coulomb: %d elements (1 … %d allowed)", nelem, MD_MAX_ELEM);
  for (int e = 0; e < nelem; e++)
    if (!isfinite(q_elem[e])) return md_error(MD_ERR_VALUE, "coulomb: charge of element %d is not finite", e);
  coulomb *c = calloc(1, sizeof *c);
  if (!c) return md_error(MD_ERR_MEMORY, "coulomb_create: out of memory");
  c->method = method;
  c->accuracy = accuracy;
  c->rcut_user = rcut > 0.0 ? rcut : 0.0;
  c->nelem = nelem;
  memcpy(c->q_elem, q_elem, (size_t)nelem * sizeof *q_elem);
  c->order = COUL_PME_ORDER_DEFAULT;
  md_status st = ewald_real_create(&c->real);
  if (st == MD_OK && method == MD_COUL_EWALD) st = ewald_kspace_create(&c->ks);
  if (st == MD_OK && method == MD_COUL_PME) st = pme_cpu_create(&c->pme);
  if (st != MD_OK) {
    coulomb_destroy(&c);
    return st;
  }
  *out = c;
  return MD_OK;
}

void coulomb_destroy(coulomb **pc) {
  if (!pc || !*pc) return;
  coulomb *c = *pc;
  ewald_real_destroy(&c->real);
  ewald_kspace_destroy(&c->ks);
  pme_cpu_destroy(&c->pme);
  coul_table_destroy(&c->table);
  free(c->q);
  free(c);
  *pc = NULL;
}

md_status coulomb_set_order(coulomb *c, int order) {
  if (order < PME_MIN_ORDER || order > PME_MAX_ORDER)
    return md_error(MD_ERR_VALUE, "coulomb: PME order %d outside %d … %d", order, PME_MIN_ORDER, PME_MAX_ORDER);
  if (order != c->order) {
    c->order = order;
    c->chosen = 0;
  }
  return MD_OK;
}

md_status coulomb_set_lammps(coulomb *c, const md_coulomb_lammps *l) {
  if (!l || !l->on) {
    if (c->lammps.on) { /* back to esnapmd's own rules: choose α again */
      c->chosen = 0;
      c->alpha = 0.0;
    }
    memset(&c->lammps, 0, sizeof c->lammps);
    ewald_real_set_lammps(c->real, NULL);
    coul_table_destroy(&c->table);
    return MD_OK;
  }
  if (c->method != MD_COUL_EWALD)
    return md_error(MD_ERR_UNSUPPORTED, "coulomb lammps: only Ewald follows LAMMPS exactly (LAMMPS pppm is another mesh method); use 'coulomb ewald ACCURACY rcut R lammps'");
  if (!(c->rcut_user > 0))
    return md_error(MD_ERR_VALUE, "coulomb lammps: give the real-space cutoff of LAMMPS's pair coul/long ('rcut R')");
  if (l->table_bits < 0 || l->table_bits > COUL_TABLE_MAX_BITS)
    return md_error(MD_ERR_VALUE, "coulomb lammps: table %d: bits must be 0 … %d", l->table_bits, COUL_TABLE_MAX_BITS);
  if (!(l->tabinner > 0) || !isfinite(l->tabinner))
    return md_error(MD_ERR_VALUE, "coulomb lammps: tabinner %g must be a positive length (A)", l->tabinner);
  if (memcmp(&c->lammps, l, sizeof *l) != 0) {
    c->lammps = *l;
    c->chosen = 0;
    c->alpha = 0.0;
    coul_table_destroy(&c->table);
  }
  return MD_OK;
}

/* The cell as LAMMPS holds it (restricted triclinic): lengths lx, ly, lz and tilts xy, xz, yz (Å). */
static int lammps_box(const md_box *b, real_t prd[3], real_t tilt[3]) {
  const real_t *h = b->h;
  if (h[1] == 0.0 && h[2] == 0.0 && h[5] == 0.0 && h[0] > 0 && h[4] > 0 && h[8] > 0) {
    prd[0] = h[0], prd[1] = h[4], prd[2] = h[8];
    tilt[0] = h[3], tilt[1] = h[6], tilt[2] = h[7];
  } else { /* a rotated cell: LAMMPS's lengths and tilts of the same lattice */
    const real_t *a = h, *bb = h + 3, *cc = h + 6;
    real_t lx = sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    real_t xy = (a[0] * bb[0] + a[1] * bb[1] + a[2] * bb[2]) / lx;
    real_t ly = sqrt(bb[0] * bb[0] + bb[1] * bb[1] + bb[2] * bb[2] - xy * xy);
    real_t xz = (a[0] * cc[0] + a[1] * cc[1] + a[2] * cc[2]) / lx;
    real_t yz = ((bb[0] * cc[0] + bb[1] * cc[1] + bb[2] * cc[2]) - xy * xz) / ly;
    prd[0] = lx, prd[1] = ly, prd[2] = b->volume / (lx * ly);
    tilt[0] = xy, tilt[1] = xz, tilt[2] = yz;
  }
  return tilt[0] != 0.0 || tilt[1] != 0.0 || tilt[2] != 0.0;
}

#define COUL_LAMMPS_KMAX 4096 /* k-vectors per direction: beyond this the accuracy is unreachable in practice */

/* LAMMPS mode: g_ewald (when rechoose), the table, and the k-vectors (LAMMPS Ewald::init and Ewald::setup). */
static md_status lammps_setup(coulomb *c, const md_box *b, int rechoose) {
  const real_t acc = c->accuracy * MD_QQR2E, q2 = MD_QQR2E * c->sum_q2;
  const double natoms = (double)c->n;
  real_t prd[3], tilt[3];
  const int triclinic = lammps_box(b, prd, tilt);
  c->rcut = c->rcut_user;
  c->have_rc = 1;
  if (rechoose) c->alpha = ewald_lammps_gewald(acc, q2, natoms, c->rcut, prd[0], prd[1], prd[2]);
  if (!c->table || c->table_alpha != c->alpha || c->table_rc != c->rcut) {
    coul_table_destroy(&c->table);
    MD_TRY(coul_table_create(&c->table, c->lammps.table_bits, c->lammps.tabinner, c->rcut, c->alpha, c->lammps.tabsqrt_float));
    c->table_alpha = c->alpha;
    c->table_rc = c->rcut;
    ewald_lammps_table view;
    coul_table_view(c->table, &view);
    ewald_real_set_lammps(c->real, &view);
  }
  /* per direction: the fewest vectors whose RMS estimate meets the whole accuracy */
  int korig[3], cap[3];
  real_t gsqmx = 0.0, lpr2 = 0.0;
  for (int d = 0; d < 3; d++) {
    int k = 1;
    real_t err = ewald_lammps_rms(k, prd[d], natoms, q2, c->alpha);
    while (err > acc) {
      if (++k > COUL_LAMMPS_KMAX)
        return md_error(MD_ERR_VALUE, "coulomb lammps: accuracy %g needs more than %d k-vectors along a cell direction", c->accuracy,
                        COUL_LAMMPS_KMAX);
      err = ewald_lammps_rms(k, prd[d], natoms, q2, c->alpha);
    }
    korig[d] = cap[d] = k;
    lpr2 += err * err;
    const real_t unitk = 2.0 * MD_PI / prd[d];
    const real_t g = unitk * unitk * k * k;
    if (g > gsqmx) gsqmx = g;
  }
  if (triclinic) { /* the caps widened by the tilts (LAMMPS lamda2xT with |tilt|) */
    real_t t[3] = {korig[0] / prd[0], korig[1] / prd[1], korig[2] / prd[2]}, v[3];
    v[0] = prd[0] * t[0];
    v[1] = fabs(tilt[0]) * t[0] + prd[1] * t[1];
    v[2] = fabs(tilt[1]) * t[0] + fabs(tilt[2]) * t[1] + prd[2] * t[2];
    for (int d = 0; d < 3; d++) cap[d] = (int)v[d] < 1 ? 1 : (int)v[d];
  }
  gsqmx *= 1.00001;
  c->gcut = sqrt(gsqmx) / (2.0 * MD_PI);
  c->est_real = 2.0 * q2 / sqrt(natoms * c->rcut * prd[0] * prd[1] * prd[2]) * exp(-c->alpha * c->alpha * c->rcut * c->rcut);
  c->est_k = sqrt(lpr2) / sqrt(3.0);
  md_status st = ewald_kspace_setup_capped(c->ks, b, c->alpha, c->gcut, cap, triclinic);
  c->chosen = (st == MD_OK);
  return st;
}

/* Ewald with rc = 0: minimise N [c_r (2π/3) ρ rc³ + c_k (2π/3) G³ V] (pairs of the half list and vectors of
 * the half space, each times N), with c_r/c_k ≈ 6 (erfc + exp per pair against a few multiply-adds per atom
 * and vector, measured on x86-64). */
static real_t ewald_choose_rc(real_t acc_r, real_t acc_k, real_t q2, int n, real_t volume) {
  const real_t c_real = 6.0, c_k = 1.0, rho = n / volume;
  real_t best = 8.0, best_cost = HUGE_VAL;
  for (real_t rc = 5.0; rc <= 14.0 + 1e-9; rc += 0.25) {
    real_t alpha = ewald_alpha_for_accuracy(acc_r, q2, n, rc, volume);
    real_t g = ewald_gcut_for_accuracy(acc_k, q2, n, volume, alpha);
    real_t cost = c_real * rho * rc * rc * rc + c_k * g * g * g * volume;
    if (cost < best_cost) {
      best_cost = cost;
      best = rc;
    }
  }
  return best;
}

static void pme_grid_for_spacing(const md_box *b, real_t h, int order, int K[3]) {
  for (int d = 0; d < 3; d++) {
    real_t k = ceil(b->width[d] / h - 1e-9);
    if (k > 4096) k = 4096;
    K[d] = pme_fft_size(k < order ? order : (int)k);
  }
}

/* Coarsest mesh (uniform spacing h, FFT-friendly sizes) whose estimate is ≤ acc. */
static md_status pme_choose_grid(coulomb *c, const md_box *b, real_t acc) {
  int K[3], Klo[3], Khi[3];
  real_t wmax = fmax(b->width[0], fmax(b->width[1], b->width[2]));
  real_t h_hi = wmax / c->order, h_lo = h_hi, e = 0.0, e_lo = 0.0;
  pme_grid_for_spacing(b, h_lo, c->order, Klo);
  e_lo = pme_error_estimate(b, Klo, c->order, c->alpha, c->sum_q2, c->sum_q4, c->n);
  if (e_lo > acc) {
    /* halve until the estimate is met */
    for (;;) {
      h_hi = h_lo;
      h_lo *= 0.5;
      pme_grid_for_spacing(b, h_lo, c->order, Klo);
      if (Klo[0] >= 4096 || Klo[1] >= 4096 || Klo[2] >= 4096)
        return md_error(MD_ERR_VALUE, "PME: accuracy %g needs a mesh beyond 4096 points per direction; use Ewald or a larger rcut",
                        c->accuracy);
      e_lo = pme_error_estimate(b, Klo, c->order, c->alpha, c->sum_q2, c->sum_q4, c->n);
      if (e_lo <= acc) break;
    }
    pme_grid_for_spacing(b, h_hi, c->order, Khi);
    while (h_hi > 1.02 * h_lo) { /* FFT sizes are ~5 % apart: stop at 2 % */
      real_t h = sqrt(h_lo * h_hi);
      pme_grid_for_spacing(b, h, c->order, K);
      if (memcmp(K, Klo, sizeof K) == 0) {
        h_lo = h;
        continue;
      }
      if (memcmp(K, Khi, sizeof K) == 0) {
        h_hi = h;
        continue;
      }
      e = pme_error_estimate(b, K, c->order, c->alpha, c->sum_q2, c->sum_q4, c->n);
      if (e <= acc) {
        h_lo = h;
        memcpy(Klo, K, sizeof K);
        e_lo = e;
      } else {
        h_hi = h;
        memcpy(Khi, K, sizeof K);
      }
    }
  }
  memcpy(c->grid, Klo, sizeof Klo);
  c->grid_order = c->order;
  c->est_k = e_lo;
  for (int d = 0; d < 3; d++) c->width_grid[d] = b->width[d];
  return MD_OK;
}

md_status coulomb_setup(coulomb *c, const md_system *sys) {
  if (c->method == MD_COUL_NONE) return MD_OK;
  const int n = sys->n;
  if (n > c->qcap) {
    real_t *q = realloc(c->q, (size_t)n * sizeof *q);
    if (!q) return md_error(MD_ERR_MEMORY, "coulomb: out of memory (%d atoms)", n);
    c->q = q;
    c->qcap = n;
  }
  real_t s1 = 0.0, s2 = 0.0, s4 = 0.0;
  for (int i = 0; i < n; i++) {
    int t = sys->type[i];
    if (t < 0 || t >= c->nelem)
      return md_error(MD_ERR_VALUE, "coulomb: atom %d has type %d but charges are given for %d elements", i + 1, t, c->nelem);
    real_t qi = c->q_elem[t];
    c->q[i] = qi;
    s1 += qi;
    s2 += qi * qi;
    s4 += qi * qi * qi * qi;
  }
  int same_charges = c->chosen && n == c->n && s1 == c->sum_q && s2 == c->sum_q2 && s4 == c->sum_q4;
  int same_cell = memcmp(c->box.h, sys->box.h, sizeof c->box.h) == 0;
  if (same_charges && same_cell) return MD_OK;
  const md_box *b = &sys->box;
  if (!(b->volume > 0)) return md_error(MD_ERR_VALUE, "coulomb: the cell has no volume (call box_update)");
  c->n = n;
  c->sum_q = s1;
  c->sum_q2 = s2;
  c->sum_q4 = s4;
  c->box = *b;
  if (s2 == 0.0 || n == 0) { /* nothing to do: compute returns zero */
    c->chosen = 1;
    if (!c->have_rc) c->rcut = c->rcut_user > 0 ? c->rcut_user : (c->method == MD_COUL_PME ? COUL_PME_RC_DEFAULT : 8.0);
    c->have_rc = 1;
    c->alpha = 0.0;
    return MD_OK;
  }
  const real_t acc = c->accuracy * MD_QQR2E; /* eV/Å: target of the total estimate */
  const real_t acc_r = COUL_REAL_SHARE * acc, acc_k = sqrt(1.0 - COUL_REAL_SHARE * COUL_REAL_SHARE) * acc;
  const real_t q2 = MD_QQR2E * s2;
  int rechoose = !same_charges || c->alpha == 0.0;
  if (c->lammps.on) return lammps_setup(c, b, rechoose);
  if (rechoose) {
    if (!c->have_rc) {
      if (c->rcut_user > 0) c->rcut = c->rcut_user;
      else if (c->method == MD_COUL_PME) c->rcut = COUL_PME_RC_DEFAULT;
      else c->rcut = ewald_choose_rc(acc_r, acc_k, q2, n, b->volume);
      c->have_rc = 1;
    }
    c->alpha = ewald_alpha_for_accuracy(acc_r, q2, n, c->rcut, b->volume);
  }
  c->est_real = ewald_rms_real(q2, n, c->rcut, b->volume, c->alpha);
  if (c->method == MD_COUL_EWALD) {
    c->gcut = ewald_gcut_for_accuracy(acc_k, q2, n, b->volume, c->alpha);
    c->est_k = ewald_rms_kspace(q2, n, c->gcut, b->volume, c->alpha);
    md_status st = ewald_kspace_setup(c->ks, b, c->alpha, c->gcut);
    c->chosen = (st == MD_OK);
    return st;
  }
  int regrid = rechoose || c->grid_order != c->order;
  for (int d = 0; d < 3; d++)
    if (fabs(b->width[d] - c->width_grid[d]) > COUL_REGRID_WIDTH * c->width_grid[d]) regrid = 1;
  if (regrid) {
    md_status st = pme_choose_grid(c, b, acc_k);
    if (st != MD_OK) {
      c->chosen = 0;
      return st;
    }
  }
  md_status st = pme_cpu_setup(c->pme, c->grid, c->order, b, c->alpha);
  c->chosen = (st == MD_OK);
  return st;
}

real_t coulomb_cutoff(const coulomb *c) {
  if (c->method == MD_COUL_NONE) return 0.0;
  if (c->have_rc) return c->rcut;
  if (c->rcut_user > 0) return c->rcut_user;
  return c->method == MD_COUL_PME ? COUL_PME_RC_DEFAULT : 0.0; /* Ewald: known after coulomb_setup */
}

void coulomb_get_info(const coulomb *c, coulomb_info *info) {
  memset(info, 0, sizeof *info);
  info->method = c->method;
  info->accuracy = c->accuracy;
  info->alpha = c->alpha;
  info->rcut = coulomb_cutoff(c);
  if (c->method == MD_COUL_EWALD && c->ks) {
    ewald_kspace_count(c->ks, info->kmax);
    info->gcut = c->gcut;
  }
  if (c->method == MD_COUL_PME) {
    for (int d = 0; d < 3; d++) info->grid[d] = c->grid[d];
    info->order = c->grid_order ? c->grid_order : c->order;
  }
  info->est_error_real = c->est_real;
  info->est_error_kspace = c->est_k;
  info->lammps = c->lammps;
}

md_status coulomb_compute(coulomb *c, const md_system *sys, const nbr_list *nl_half, real_t *fx, real_t *fy,
                          real_t *fz, real_t *energy, real_t virial[9]) {
  return coulomb_compute_atom(c, sys, nl_half, fx, fy, fz, energy, virial, NULL);
}

md_status coulomb_compute_atom(coulomb *c, const md_system *sys, const nbr_list *nl_half, real_t *fx, real_t *fy,
                               real_t *fz, real_t *energy, real_t virial[9], real_t *eatom) {
  *energy = 0.0;
  if (c->method == MD_COUL_NONE) return MD_OK;
  if (!c->chosen || sys->n != c->n || memcmp(c->box.h, sys->box.h, sizeof c->box.h) != 0)
    return md_error(MD_ERR_INTERNAL, "coulomb_compute: call coulomb_setup after the cell or the atoms change");
  if (c->sum_q2 == 0.0 || sys->n == 0) return MD_OK;
  real_t er = 0.0, ek = 0.0;
  MD_TRY(ewald_real_compute_atom(c->real, sys, nl_half, c->q, c->alpha, c->rcut, fx, fy, fz, &er, virial, eatom));
  if (c->method == MD_COUL_EWALD) MD_TRY(ewald_kspace_compute_atom(c->ks, sys, c->q, fx, fy, fz, &ek, virial, eatom));
  else MD_TRY(pme_cpu_compute_atom(c->pme, sys, c->q, fx, fy, fz, &ek, virial, eatom));
  real_t eself = ewald_self_energy(c->alpha, c->sum_q2);
  real_t ebg = ewald_background_energy(c->alpha, c->sum_q, sys->box.volume);
  if (eatom)
    for (int i = 0; i < sys->n; i++)
      eatom[i] += ewald_self_energy(c->alpha, c->q[i] * c->q[i]) + (c->sum_q != 0.0 ? ebg * c->q[i] / c->sum_q : 0.0);
  virial[0] += ebg;
  virial[4] += ebg;
  virial[8] += ebg;
  *energy = er + ek + eself + ebg;
  return MD_OK;
}
