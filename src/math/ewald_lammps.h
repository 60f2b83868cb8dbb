/* ewald_lammps.h — LAMMPS's own way of evaluating the Ewald sum (pair_style coul/long + kspace_style ewald),
 * reproduced to round-off so that esnapmd can be compared with LAMMPS runs line by line (`coulomb ewald ACC
 * rcut R lammps`, host/ff/coulomb.h). Shared by the CPU code (host/ff/ewald.c, host/ff/coul_table.c) and CUDA kernels.
 *
 * What LAMMPS does differently from an exact Ewald sum:
 *  1. Real space. coul/long does not evaluate erfc(g r) exactly. For r² above the table's inner edge it
 *     interpolates linearly in r² in a bitmapped table of 2^N entries (pair_modify table N, default 12): the
 *     index is taken from the bits of r² rounded to FLOAT (low exponent bits + leading mantissa bits), the
 *     interpolation fraction from that float r², too; the table is built once (host/ff/coul_table.c). For r² at or
 *     below the inner edge (pair_modify tabinner, default √2 Å), and everywhere with `table 0`, it uses the
 *     Abramowitz & Stegun 7.1.26 rational approximation of erfc (absolute error ≤ 1.5e-7) with a truncated
 *     2/√π (1.12837917). Both errors (~1e-7 relative on the pair energy) add up to ~1.4e-7 eV/atom for Li3N.
 *  2. The splitting parameter. g_ewald comes from the accuracy and the real-space cutoff alone
 *     (ewald_lammps_gewald), and the k-vectors from a per-direction estimate (ewald_lammps_rms) widened for
 *     triclinic cells (host/ff/coulomb.c) — not from a split of the error budget as esnapmd's own rule does.
 *
 * Units: r² in Å², energies eV, g_ewald 1/Å, charges e; C = MD_QQR2E (eV Å / e²).
 */
#ifndef ESNAP_MATH_EWALD_LAMMPS_H
#define ESNAP_MATH_EWALD_LAMMPS_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../constants.h"
#include "../md_hd.h"
#include "../types.h"

/* LAMMPS's constants for the polynomial erfc (KSPACE/ewald_const.h), kept with their LAMMPS digits. */
#define EWL_F 1.12837917     /* 2/√π truncated to 9 digits (polynomial branch only) */
#define EWL_P 0.3275911
#define EWL_A1 0.254829592
#define EWL_A2 (-0.284496736)
#define EWL_A3 1.421413741
#define EWL_A4 (-1.453152027)
#define EWL_A5 1.061405429
#define EWL_ISPI4 1.12837916709551257389 /* 2/√π in full (LAMMPS MY_ISPI4: the tables use it) */

/* Entries per table row: r² at the lower edge, 1/(r²_next − r²), force f, Δf, energy e, Δe. f and e are
 * per unit q_i q_j: f = C/r (erfc + 2/√π g r exp(−g²r²)) (eV Å / e², times q_i q_j / r² gives eV/Å²), e = C erfc/r. */
#define EWL_ROW 6

/* A read-only view of a LAMMPS Coulomb table (host/ff/coul_table.h builds it). tab == NULL: no table (LAMMPS
 * `pair_modify table 0`): every pair uses the polynomial. */
typedef struct ewald_lammps_table {
  const real_t *tab;  /* [ntable * EWL_ROW] */
  int32_t mask;       /* LAMMPS ncoulmask: bits of the float r² that form the index (before the shift) */
  int shift;          /* LAMMPS ncoulshiftbits */
  real_t inner2;      /* Å²: pairs with r² <= inner2 use the polynomial (LAMMPS tabinnersq after init_tables) */
} ewald_lammps_table;

/* The bits of a float, as LAMMPS's union_int_float_t reads them. */
MD_HD int32_t ewald_lammps_float_bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_int(f);
#else
  int32_t i;
  memcpy(&i, &f, sizeof i);
  return i;
#endif
}

MD_HD float ewald_lammps_bits_float(int32_t i) {
#if defined(__CUDA_ARCH__)
  return __int_as_float(i);
#else
  float f;
  memcpy(&f, &i, sizeof f);
  return f;
#endif
}

/* Abramowitz & Stegun 7.1.26 as LAMMPS writes it: erfc(x) ≈ t (A1 + t (A2 + t (A3 + t (A4 + t A5)))) e^{−x²},
 * t = 1/(1 + P x); expm2 = exp(−x²) is passed in (it is shared with the force term). */
MD_HD real_t ewald_lammps_erfc_poly(real_t grij, real_t expm2) {
  const real_t t = 1.0 / (1.0 + EWL_P * grij);
  return t * (EWL_A1 + t * (EWL_A2 + t * (EWL_A3 + t * (EWL_A4 + t * EWL_A5)))) * expm2;
}

/* One real-space pair as LAMMPS coul/long evaluates it (scale 1, no special bonds). qi, qj in e, rsq = r² (Å²)
 * below the cutoff. Sets *e = pair energy (eV) and *fpair = −u'(r)/r (eV/Å²), the pair contract of src/pair.h
 * (LAMMPS: f_i += (x_i − x_j) fpair). Operation order follows LAMMPS so that results
 * agree to the last bit where the compilers allow. */
MD_HD void ewald_lammps_pair(const ewald_lammps_table *MD_RESTRICT t, real_t g_ewald, real_t qi, real_t qj, real_t rsq,
                             real_t *MD_RESTRICT e, real_t *MD_RESTRICT fpair) {
  const real_t r2inv = 1.0 / rsq;
  if (!t->tab || rsq <= t->inner2) {
    const real_t r = sqrt(rsq);
    const real_t grij = g_ewald * r;
    const real_t expm2 = exp(-grij * grij);
    const real_t erfc_ = ewald_lammps_erfc_poly(grij, expm2);
    const real_t prefactor = MD_QQR2E * qi * qj / r;
    *fpair = prefactor * (erfc_ + EWL_F * grij * expm2) * r2inv;
    *e = prefactor * erfc_;
    return;
  }
  const float rsq_f = (float)rsq; /* round to nearest, as LAMMPS's rsq_lookup.f = rsq */
  const int k = (int)((ewald_lammps_float_bits(rsq_f) & t->mask) >> t->shift);
  const real_t *row = t->tab + (size_t)k * EWL_ROW;
  const real_t fraction = ((real_t)rsq_f - row[0]) * row[1];
  const real_t qiqj = qi * qj;
  *fpair = qiqj * (row[2] + fraction * row[3]) * r2inv;
  *e = qiqj * (row[4] + fraction * row[5]);
}

/* LAMMPS ewald.cpp's splitting parameter from the absolute accuracy acc (eV/Å; LAMMPS: relative accuracy ×
 * 14.399645), q2 = C Σ q² (eV Å), natoms, the real-space cutoff (Å) and the orthogonal box lengths xprd, yprd,
 * zprd (Å; LAMMPS's restricted triclinic lx, ly, lz). */
MD_HD real_t ewald_lammps_gewald(real_t acc, real_t q2, double natoms, real_t cutoff, real_t xprd, real_t yprd,
                                 real_t zprd) {
  real_t g = acc * sqrt(natoms * cutoff * xprd * yprd * zprd) / (2.0 * q2);
  if (g >= 1.0) return (1.35 - 0.15 * log(acc)) / cutoff;
  return sqrt(-log(g)) / cutoff;
}

/* LAMMPS Ewald::rms: RMS k-space force error (eV/Å) with km vectors along a direction of length prd (Å). */
MD_HD real_t ewald_lammps_rms(int km, real_t prd, double natoms, real_t q2, real_t g_ewald) {
  if (natoms == 0) natoms = 1;
  return 2.0 * q2 * g_ewald / prd * sqrt(1.0 / (MD_PI * km * natoms)) *
         exp(-MD_PI * MD_PI * km * km / (g_ewald * g_ewald * prd * prd));
}

#endif
