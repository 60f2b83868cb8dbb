/* snap_cpu.h — linear SNAP on the CPU (reference backend): energy, forces and virial in the adjoint (Y)
 * formulation, and per-atom bispectrum on request. Leaf formulas come from src/math/snap_*.h (MD_HD).
 * Contract (the forcefield and the tests rely on it):
 *  - nl is a FULL neighbour list whose cutoff (+ skin) covers the largest SNAP pair cutoff; each pair's own
 *    cutoff rcutfac (R_i + R_j) is applied inside.
 *  - forces and virial are ADDED to fx/fy/fz and virial[9]; *energy is SET (eV, including β0 per atom).
 *  - bispectrum, when not NULL, receives [n * nB] values B_k of each atom in LAMMPS order (compute sna/atom),
 *    with the isolated-atom value subtracted when bzeroflag is set; eatom, when not NULL, per-atom energies.
 *  - Uses OpenMP threads; results do not depend on the thread count beyond round-off of the sums. */
#ifndef ESNAP_SNAP_CPU_H
#define ESNAP_SNAP_CPU_H

#include "status.h"
#include "types.h"
#include "neighbor.h"

MD_EXTERN_C_BEGIN

typedef struct snap_cpu snap_cpu;

md_status snap_cpu_create(snap_cpu **out, const snap_params *p);
void snap_cpu_destroy(snap_cpu **s);
/* Largest pair cutoff (Å). */
real_t snap_cpu_cutoff(const snap_cpu *s);
/* Number of bispectrum components per atom (30 for twojmax 6). */
int snap_cpu_nbispectrum(const snap_cpu *s);
md_status snap_cpu_compute(snap_cpu *s, const md_system *sys, const nbr_list *nl, real_t *fx, real_t *fy, real_t *fz,
                           real_t *energy, real_t virial[9], real_t *eatom, real_t *bispectrum);

MD_EXTERN_C_END

#endif
