/* pme_gpu.h — smooth PME reciprocal space on the device with cuFFT (D2Z / Z2D), batched over the systems of
 * a batch (consecutive systems with the same mesh and order: one cufftPlanMany transform for all of them).
 * Per-thread bodies: kernels/pme_kern.h; the influence function ψ and the mean mesh self-energy correction
 * are computed on the host exactly as host/ff/pme_cpu.c does (src/math/pme.h), once per cell, and uploaded.
 * Mesh, order and α come from the CPU's parameter choice (host/ff/coulomb.c), so GPU and CPU PME agree to
 * round-off. The real-space term, self and background energies are not here (kernels/coulomb_gpu.h).
 *
 * Energies: pme_gpu_compute leaves per-block partial sums; pme_gpu_energy adds them up per system (in a fixed
 * order: the same bits every run) when the energy is wanted. Units: eV, eV/Å, Å. */
#ifndef ESNAP_PME_GPU_H
#define ESNAP_PME_GPU_H

#include "gpu_types.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

typedef struct pme_gpu pme_gpu;

/* Systems sys0 … sys0+nb−1 of `a` (atoms first_atom … first_atom+natoms−1), mesh grid[3], B-spline order,
 * α (1/Å), boxes[k] the host cell of system sys0+k, charges per element. */
md_status pme_gpu_create(pme_gpu **out, const gpu_atoms *a, int sys0, int nb, int first_atom, int natoms,
                         const int grid[3], int order, real_t alpha, const md_box *const *boxes, const real_t *qelem,
                         int nelem, const int *types_host);
void pme_gpu_destroy(pme_gpu **p);
/* Reciprocal-space forces ADDED to a->d_force (capturable: no synchronisation). */
md_status pme_gpu_compute(pme_gpu *p, const gpu_atoms *a, void *stream);
/* Energy and virial of the last compute, per system of the batch, into d_out[k * 7 + c] (device; c = 0: E,
 * 1 … 6: W xx yy zz xy xz yz, eV), mean mesh self energy removed as on the CPU; add = 1 adds to d_out. */
md_status pme_gpu_energy(pme_gpu *p, real_t *d_out, int add, void *stream);
/* Device memory held (bytes), for the benchmark report. */
size_t pme_gpu_bytes(const pme_gpu *p);

MD_EXTERN_C_END

#endif
