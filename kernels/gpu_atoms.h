/* gpu_atoms.h — device copies of R systems in the gpu_types.h layout, and the device query. C-callable. */
#ifndef ESNAP_GPU_ATOMS_H
#define ESNAP_GPU_ATOMS_H

#include "gpu_types.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

/* Number of usable CUDA devices: 0 (and MD_OK) when there is no device or no driver. */
md_status gpu_device_count(int *n);
/* One line naming device 0 (name, SMs, memory), or the reason there is none. */
const char *gpu_device_name(void);

/* Allocate device arrays for nsys systems (all must have atoms) and upload types, cells, positions, image
 * counts and velocities; forces are zeroed. */
md_status gpu_atoms_create(gpu_atoms **out, md_system *const *sys, int nsys);
void gpu_atoms_destroy(gpu_atoms **a);
/* Host <-> device copies of positions + images, velocities, forces for every system (what: MD_GPU_* mask). */
enum { MD_GPU_POS = 1, MD_GPU_VEL = 2, MD_GPU_FORCE = 4, MD_GPU_BOX = 8 };
md_status gpu_atoms_upload(gpu_atoms *a, md_system *const *sys, int nsys, unsigned what);
md_status gpu_atoms_download(const gpu_atoms *a, md_system *const *sys, int nsys, unsigned what,
                             real_t *const *fx, real_t *const *fy, real_t *const *fz);
/* Zero the force array. */
md_status gpu_atoms_zero_forces(gpu_atoms *a, void *stream);

MD_EXTERN_C_END

#endif
