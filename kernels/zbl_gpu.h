/* zbl_gpu.h — ZBL screened nuclear repulsion with LAMMPS `pair zbl` switching on the device, for R systems
 * over a FULL neighbour list (one thread per atom, kernels/pair_kern.h: zbl_body; formulas src/math/zbl.h,
 * as host/ff/zbl_cpu.c). Forces ADDED to a->d_force; per-atom energies and virials ADDED to the accumulators
 * of pair_kern.h (PAIR_E_ZBL, PAIR_W…). Units: eV, Å. */
#ifndef ESNAP_ZBL_GPU_H
#define ESNAP_ZBL_GPU_H

#include "gpu_types.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

typedef struct zbl_gpu zbl_gpu;

/* Pair tables from the model's nuclear charges and switching region (m->has_zbl must be set). */
md_status zbl_gpu_create(zbl_gpu **out, const md_model *m);
void zbl_gpu_destroy(zbl_gpu **z);
/* Outer cutoff (Å). */
real_t zbl_gpu_cutoff(const zbl_gpu *z);
/* nl: full list with range >= the outer cutoff. Capturable. */
md_status zbl_gpu_compute(zbl_gpu *z, const gpu_atoms *a, const nbr_list_gpu *nl, real_t *d_acc, void *stream);

MD_EXTERN_C_END

#endif
