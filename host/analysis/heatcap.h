/* heatcap.h — heat capacity at constant volume from the total energy of an MD run.
 *
 * Per temperature (one run): the energy samples E_k (eV) after the equilibration span feed a fixed-memory
 * accumulator: sums of E − E_ref and (E − E_ref)² (E_ref = the first sample, so that the variance of a large
 * negative energy keeps its digits) over all samples, and the same sums over equal blocks: at most HC_MAX_BLOCKS
 * full blocks; when they are all full, neighbouring blocks are merged in pairs and the block length doubles
 * (Flyvbjerg–Petersen blocking with the number of blocks held between HC_MAX_BLOCKS/2 and HC_MAX_BLOCKS). The
 * mean and the variance use every sample; their standard errors come from the full blocks (standard error of
 * the block means; delete-one-block jackknife for the variance), valid when a block — 1/64 to 1/32 of the span
 * — is longer than the correlation time of E.
 *
 *   fluctuation route   Cv = Var(E) / (k_B T²)             (canonical ensemble, T = thermostat target)
 *   difference route    Cv(T_i) = (⟨E⟩_{i+1} − ⟨E⟩_{i−1}) / (T_{i+1} − T_{i−1})   (central differences between
 *                       neighbouring temperatures; interior points only), σ = √(σ²_{i+1} + σ²_{i−1}) / ΔT
 * The transition temperature Ts is the temperature of the largest difference-route Cv; it is bounded by the
 * neighbouring temperatures used in that difference.
 *
 * Which energy: E = KE + PE of the physical system (thermo column etotal), not econserve. Under the Nosé–Hoover
 * chain the extended energy (E plus the chain's kinetic and potential terms) is conserved and the chain
 * variables decouple from the particles in the invariant distribution, whose marginal over the particles is
 * canonical at the target temperature: E is canonically distributed and Var(E) = k_B T² Cv.
 *
 * Units: Cv in eV/K for the whole system; reported per atom in k_B (Cv / (N k_B)) and per mole of atoms in
 * J mol⁻¹ K⁻¹ (k_B per atom × R). A classical harmonic solid with zero net momentum has Cv = (3N − 3) k_B. */
#ifndef ESNAP_HEATCAP_H
#define ESNAP_HEATCAP_H

#include <stddef.h>

#include "status.h"

MD_EXTERN_C_BEGIN

#define HC_MAX_BLOCKS 64

typedef struct hc_acc {
  long n;                           /* samples */
  double e_ref;                     /* eV, first sample */
  double s1, s2;                    /* Σ (E − e_ref), Σ (E − e_ref)² over every sample */
  long block_len;                   /* samples per full block */
  int nblocks;                      /* full blocks */
  double b1[HC_MAX_BLOCKS], b2[HC_MAX_BLOCKS]; /* the same sums per full block */
  long cur_n;                       /* samples in the block being filled */
  double c1, c2;
  double t_first, t_last;           /* ps, times of the first and last sample */
} hc_acc;

typedef struct hc_stats {
  long n;
  int nblocks;
  long block_len;
  double t_first, t_last;           /* ps */
  double mean, mean_err;            /* eV */
  double var, var_err;              /* eV² */
} hc_stats;

void hc_init(hc_acc *a);
void hc_add(hc_acc *a, double e, double time);
/* Mean and variance with their errors (NaN errors with fewer than 4 full blocks). */
void hc_get(const hc_acc *a, hc_stats *s);
/* The accumulator's bytes for a checkpoint, and back (MD_ERR_VALUE on a blob of another size). */
size_t hc_pack_size(void);
void hc_pack(const hc_acc *a, void *buf);
md_status hc_unpack(hc_acc *a, const void *buf, size_t len);

/* Fluctuation-route Cv (eV/K) and its error from Var(E) at temperature T (K). */
void hc_cv_fluct(const hc_stats *s, double T, double *cv, double *cv_err);
/* eV/K of a system of natoms → k_B per atom and J mol⁻¹ K⁻¹ (per mole of atoms). */
double hc_kb_per_atom(double cv, int natoms);
double hc_j_mol_k(double cv, int natoms);

/* Difference route over n temperatures in increasing order (n ≥ 3, distinct): cv[i], cv_err[i] (eV/K) for
 * 0 < i < n−1, NaN at both ends. */
md_status hc_differences(const double *T, const double *E, const double *E_err, int n, double *cv, double *cv_err);
/* Index of the largest finite cv (−1 when none). */
int hc_peak(const double *cv, int n);

MD_EXTERN_C_END

#endif
