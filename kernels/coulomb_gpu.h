/* coulomb_gpu.h — point-charge electrostatics of R systems on the device: the real-space erfc term over a
 * FULL neighbour list (kernels/pair_kern.h), the reciprocal space by smooth PME (kernels/pme_gpu.h, cuFFT) or
 * the classic Ewald sum (kernels/ewald_kern.h), and the self and background energies, exactly as
 * host/ff/coulomb.c composes them.
 *
 * Parameters (α, real-space cutoff, PME mesh and order, Ewald k-space cutoff) are chosen on the host by the
 * CPU code itself — one host/ff/coulomb.h object per system, coulomb_setup on that system — so the GPU and the
 * CPU evaluate the same sum and agree to round-off (~1e-12 relative).
 *
 * Per-atom real-space energies and virials are ADDED to the per-atom accumulators of pair_kern.h
 * (PAIR_E_COUL, PAIR_W…); the rest is available per system through coul_gpu_energy. Units: eV, Å, e. */
#ifndef ESNAP_COULOMB_GPU_H
#define ESNAP_COULOMB_GPU_H

#include "gpu_types.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

typedef struct coul_gpu coul_gpu;

/* method MD_COUL_EWALD or MD_COUL_PME, accuracy (LAMMPS kspace meaning), rcut (Å, <= 0: chosen), charges per
 * element; sys[s] the host copies of the a->nsys systems (types and cells). */
md_status coul_gpu_create(coul_gpu **out, int method, real_t accuracy, real_t rcut, const real_t *q_elem, int nelem,
                          const gpu_atoms *a, md_system *const *sys);
void coul_gpu_destroy(coul_gpu **c);
/* Largest real-space cutoff over the systems (Å): the Coulomb neighbour list must reach it (+ skin). */
real_t coul_gpu_cutoff(const coul_gpu *c);
/* One line: method, α, rcut, mesh/order or kmax, estimated errors (system 0). */
const char *coul_gpu_describe(const coul_gpu *c);
/* Forces ADDED to a->d_force; real-space energies/virials ADDED to d_acc ([PAIR_NACC ntot], pair_kern.h);
 * nl: full list, range >= coul_gpu_cutoff. Capturable (no synchronisation). */
md_status coul_gpu_compute(coul_gpu *c, const gpu_atoms *a, const nbr_list_gpu *nl, real_t *d_acc, void *stream);
/* The two halves of coul_gpu_compute (for per-stage timings): real space, reciprocal space. */
md_status coul_gpu_compute_real(coul_gpu *c, const gpu_atoms *a, const nbr_list_gpu *nl, real_t *d_acc, void *stream);
md_status coul_gpu_compute_kspace(coul_gpu *c, const gpu_atoms *a, void *stream);
/* Reciprocal + self + background energy and virial of the last compute per system: d_out[s * 7 + c]
 * (c = 0: E, 1 … 6: W xx yy zz xy xz yz; eV), SET. */
md_status coul_gpu_energy(coul_gpu *c, real_t *d_out, void *stream);
/* MD_COUL_EWALD or MD_COUL_PME. */
int coul_gpu_method(const coul_gpu *c);

MD_EXTERN_C_END

#endif
