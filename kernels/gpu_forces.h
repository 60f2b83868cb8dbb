/* gpu_forces.h — the whole eSNAP force field of R systems on the device: SNAP (kernels/snap_gpu.h, when
 * built), Coulomb (kernels/coulomb_gpu.h: real space + PME or Ewald, parameters chosen by the CPU code) and
 * ZBL (kernels/zbl_gpu.h), over device neighbour lists (kernels/neighbor_gpu.h): one builder makes the full
 * short-range list (SNAP pair cutoffs, ZBL) and the full Coulomb list from one stencil walk.
 *
 * Energies are not summed every step: per-atom and per-block parts stay on the device until
 * gpu_forces_energies asks for them (thermo, eval), and are then added up in a fixed order.
 *
 * Model options (Coulomb method, accuracy, cutoff, skin) override the model file exactly as ff_create does
 * (host/ff/forcefield.c). Units: eV, Å. */
#ifndef ESNAP_GPU_FORCES_H
#define ESNAP_GPU_FORCES_H

#include "forcefield.h"
#include "gpu_kern.h"
#include "gpu_types.h"
#include "neighbor_gpu.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

typedef struct gpu_forces gpu_forces;

/* Per-system energies and virial (host copy). */
typedef struct gpu_energy {
  real_t pe, e_snap, e_coul, e_zbl; /* eV */
  real_t virial[9];                 /* W_ab = Σ r_a F_b (eV), row-major */
} gpu_energy;

/* Stages of one force evaluation, for per-kernel timings. */
enum { GPU_STAGE_ZERO = 0, GPU_STAGE_SNAP, GPU_STAGE_COUL_REAL, GPU_STAGE_COUL_KSPACE, GPU_STAGE_ZBL, GPU_NSTAGE };

/* sys[s]: host copies of the a->nsys systems (types, cells). bispectrum: keep per-atom B (eval). Points
 * a->d_halt at the status word's halt (every force kernel on `a` honours it); gpu_forces_destroy clears it, so
 * destroy the forces before the atoms. */
md_status gpu_forces_create(gpu_forces **out, const md_model *m, const ff_options *o, gpu_atoms *a, md_system *const *sys,
                            int bispectrum);
void gpu_forces_destroy(gpu_forces **g);
/* The device status word (gpu_kern.h) shared with the integrator. */
gpu_status *gpu_forces_status(gpu_forces *g);
nbr_gpu *gpu_forces_neighbors(gpu_forces *g);
/* The full short-range list (SNAP, ZBL), or NULL when the model has neither. */
const nbr_list_gpu *gpu_forces_short_list(const gpu_forces *g);
/* A full list for the closest-pair safety check: the short list, else the Coulomb list (NULL: none). */
const nbr_list_gpu *gpu_forces_check_list(const gpu_forces *g);
/* Host-decided neighbour build (wrap: also wrap positions first); afterwards SNAP scratch is sized for the
 * lists. Synchronises. */
md_status gpu_forces_build(gpu_forces *g, int wrap, void *stream);
/* Grow SNAP scratch for the current list capacity (after a guarded build changed nothing, call is cheap). */
md_status gpu_forces_reserve(gpu_forces *g);
/* One force evaluation at the current positions with the current lists (capturable). */
md_status gpu_forces_compute(gpu_forces *g, void *stream);
md_status gpu_forces_stage(gpu_forces *g, int stage, void *stream);
/* Energies and virials of the last evaluation, all systems: out[nsys]. Synchronises. */
md_status gpu_forces_energies(gpu_forces *g, gpu_energy *out, void *stream);
/* Bispectrum of the last evaluation ([ntot nbisp], row-major per atom) into host memory. */
md_status gpu_forces_bispectrum(gpu_forces *g, real_t *out);
int gpu_forces_nbispectrum(const gpu_forces *g);
const char *gpu_forces_describe(const gpu_forces *g);
/* Neighbour-list builds so far (direct + guarded). Synchronises. */
long gpu_forces_builds(gpu_forces *g);

/* ---- eval: one system at a time, with host/ff/forcefield.h's result struct ---- */
typedef struct gpu_ff gpu_ff;
md_status gpu_ff_create(gpu_ff **out, const md_model *m, const ff_options *o);
void gpu_ff_destroy(gpu_ff **g);
/* Forces, energies, virial (and bispectrum when r->nbisp > 0) of one system, as ff_compute. */
md_status gpu_ff_compute(gpu_ff *g, const md_system *sys, ff_result *r);
const char *gpu_ff_describe(const gpu_ff *g);
/* Bispectrum components per atom (0 without SNAP). */
int gpu_ff_nbispectrum(const gpu_ff *g);

MD_EXTERN_C_END

#endif
