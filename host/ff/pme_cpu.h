/* pme_cpu.h — smooth particle-mesh Ewald reciprocal space on the CPU with FFTW (real-to-complex), OpenMP
 * spreading (per-thread meshes, reduced in thread order) and gather. Leaf formulas: src/math/pme.h.
 * The real-space term and the self energy are not included (host/ff/ewald.h, src/math/ewald.h).
 *
 * Also the error estimate used to choose the mesh: the RMS force error of SPME (analytical differentiation,
 * Essmann influence function) for N randomly placed charges, from the Fourier-space error functional of
 * Deserno & Holm (J. Chem. Phys. 109, 7678 (1998)) evaluated for the actual mesh, order, α and cell:
 *   ΔF² = [ (Σ q²)² Q_pair + Σ q⁴ Q_self ] / N
 * Q_pair: mean square over two unit charges' positions of (SPME pair force − exact reciprocal force), with
 *   every alias of every mesh vector, |alias| ≤ 2 per direction;
 * Q_self: mean square of the position-dependent SPME self force of a unit charge. */
#ifndef ESNAP_PME_CPU_H
#define ESNAP_PME_CPU_H

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

typedef struct pme_cpu pme_cpu;

md_status pme_cpu_create(pme_cpu **out);
void pme_cpu_destroy(pme_cpu **p);
/* Set mesh size (K along a, b, c; each ≥ order) and B-spline order (PME_MIN_ORDER … PME_MAX_ORDER), the cell
 * and α (1/Å). FFTW plans are made (FFTW_ESTIMATE: deterministic) only when the mesh changes; the
 * influence function is recomputed when anything changed. */
md_status pme_cpu_setup(pme_cpu *p, const int grid[3], int order, const md_box *box, real_t alpha);
/* Reciprocal-space energy (eV, SET), forces (eV/Å, ADDED) and virial (eV, ADDED). The energy (and virial) has
 * the mean mesh self energy in excess of the exact reciprocal self term removed, Σ q² Σ_m w(m)(Π_d Σ_n β_n² − 1)
 * (a constant for given cell and charges; forces unchanged): this removes the systematic SPME energy offset,
 * e.g. 8e-6 → 1e-7 eV/atom for Li3N at accuracy 1e-5. */
md_status pme_cpu_compute(pme_cpu *p, const md_system *sys, const real_t *q, real_t *fx, real_t *fy, real_t *fz,
                          real_t *energy, real_t virial[9]);
/* The same, also ADDING per-atom energies to eatom[n] when not NULL: ½ q_i φ(r_i), the mesh potential φ
 * (= ∂E/∂Q) interpolated with the atom's B-spline weights, minus q_i² times the self-energy excess above
 * (they sum to the energy, E being quadratic in the mesh charges). */
md_status pme_cpu_compute_atom(pme_cpu *p, const md_system *sys, const real_t *q, real_t *fx, real_t *fy, real_t *fz,
                               real_t *energy, real_t virial[9], real_t *eatom);

/* Estimated RMS force error (eV/Å) of the SPME reciprocal sum, see above; sum_q2 = Σ q², sum_q4 = Σ q⁴ (e², e⁴). */
real_t pme_error_estimate(const md_box *box, const int grid[3], int order, real_t alpha, real_t sum_q2,
                          real_t sum_q4, int n);

/* Smallest integer ≥ k whose prime factors are all 2, 3, 5 or 7 (fast FFTW sizes). */
int pme_fft_size(int k);

MD_EXTERN_C_END

#endif
