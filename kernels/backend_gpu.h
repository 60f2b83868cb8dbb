/* backend_gpu.h — the CUDA MD backend (src/backend.h): the whole step of R replicas resident on the device.
 *
 * One step (LAMMPS order, host/md/backend_cpu.c step_once): NHC half step (one thread per system) → velocity
 * scaling, half kick, drift and the displacement check (one kernel) → guarded neighbour rebuild (runs only
 * when an atom moved more than skin/2; positions wrapped first) → forces (SNAP, Coulomb real space + PME or
 * Ewald, ZBL) → half kick and per-system Σ m v² → NHC half step → velocity scaling and checks. No host
 * traffic inside run_steps: safety checks raise reasons in a device status word that is read back once per
 * chunk of steps; the first failing step halts every later kernel, so the state stays that of the failing
 * step. Data goes back to the host only for thermo, dumps and checkpoints (get_state, reduce_thermo).
 *
 * CUDA graphs: the step sequence (K steps) is captured once the list capacity is settled and replayed, so
 * launch latency does not dominate small systems. A list that outgrows its capacity halts the sequence; the
 * host grows it, rebuilds, finishes that step directly and re-captures. ESNAPMD_GPU_GRAPH=0 disables graphs.
 *
 * As on the CPU, positions are wrapped into the cell at every neighbour rebuild (image counts keep the unwrapped
 * positions). Difference from the CPU backend: sums run in a different (but fixed) order, so trajectories agree
 * with the CPU's to round-off growth, and a run repeats itself bit for bit given the same SNAP kernels. */
#ifndef ESNAP_BACKEND_GPU_H
#define ESNAP_BACKEND_GPU_H

#include "backend.h"
#include "status.h"

MD_EXTERN_C_BEGIN

/* The CUDA backend's operations. create fails with MD_ERR_DEVICE when there is no device. */
const md_backend_ops *md_backend_cuda(void);

/* Stages of one step, for per-kernel timings (esnapmd bench). */
enum {
  BGPU_ST_BEGIN = 0,     /* NHC half step, kick, drift, displacement check */
  BGPU_ST_REBUILD,       /* guarded neighbour rebuild */
  BGPU_ST_ZERO,          /* clear forces and accumulators */
  BGPU_ST_SNAP,
  BGPU_ST_COUL_REAL,
  BGPU_ST_COUL_KSPACE,   /* PME (spread, FFTs, influence, gather) or Ewald */
  BGPU_ST_ZBL,
  BGPU_ST_END,           /* kick, Σ m v², NHC, scaling, checks */
  BGPU_NST
};
const char *backend_cuda_stage_name(int stage);
/* Advance every replica by nsteps steps launched one by one with CUDA events between the stages; ms[k]
 * receives the mean time per step of stage k (ms). A real part of the run (the state advances). */
md_status backend_cuda_profile(md_backend *b, long nsteps, double ms[BGPU_NST]);
/* 1 when run_steps replays CUDA graphs. */
int backend_cuda_uses_graphs(const md_backend *b);
/* The stream every kernel of the backend runs on (a cudaStream_t): device collectives on the backend's
 * buffers order themselves after it (replica_nccl_order_after). */
void *backend_cuda_stream(const md_backend *b);
/* Neighbour-list builds so far. */
long backend_cuda_builds(md_backend *b);
/* Guarded rebuilds that outgrew the list capacity and were recovered on the host (grow, rebuild, finish). */
long backend_cuda_overflows(const md_backend *b);

MD_EXTERN_C_END

#endif
