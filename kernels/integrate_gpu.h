/* integrate_gpu.h — the integrator of the MD step on the device (kernels/integrate_kern.h says what each
 * kernel does): velocity Verlet, the LAMMPS fix-nvt Nosé–Hoover chain updated by one device thread per
 * system, per-system kinetic-energy sums in a fixed order, and the safety checks, which raise reasons in the
 * device status word (gpu_kern.h) instead of returning to the host. Every function only launches kernels
 * (capturable in a CUDA graph); every kernel returns at once once the status is halted. */
#ifndef ESNAP_INTEGRATE_GPU_H
#define ESNAP_INTEGRATE_GPU_H

#include "gpu_kern.h"
#include "gpu_types.h"
#include "integrate_kern.h"
#include "status.h"

MD_EXTERN_C_BEGIN

typedef struct integ_gpu integ_gpu;

/* nsys systems of `a`; p: run-wide parameters; d_status: the device status word. */
md_status integ_gpu_create(integ_gpu **out, const gpu_atoms *a, const integ_params *p, gpu_status *d_status);
void integ_gpu_destroy(integ_gpu **g);
/* Per-system state (host copies in/out; synchronous). */
md_status integ_gpu_set_sys(integ_gpu *g, int s, const integ_sys *src);
md_status integ_gpu_get_sys(integ_gpu *g, int s, integ_sys *dst);
const integ_params *integ_gpu_params(const integ_gpu *g);

/* First half of the step: begin + kick_drift (x0: positions of the last list build or NULL). */
md_status integ_gpu_begin(integ_gpu *g, gpu_atoms *a, const real_t *x0, void *stream);
/* Second half: kick_mv2, Σ m v², finish, scale_check, min_dist (short: a full list covering min_dist, or
 * NULL), end. */
md_status integ_gpu_end(integ_gpu *g, gpu_atoms *a, const nbr_list_gpu *short_list, void *stream);
/* Σ m v² of each system's current velocities into d_out[nsys] ((g/mol)(Å/ps)², device). */
md_status integ_gpu_sum_mv2(integ_gpu *g, const gpu_atoms *a, real_t *d_out, void *stream);

MD_EXTERN_C_END

#endif
