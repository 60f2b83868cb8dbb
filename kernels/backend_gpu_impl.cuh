// backend_gpu_impl.cuh — the CUDA backend's state, shared by backend_gpu.cu (ops, state, thermo) and
// backend_gpu_step.cu (step sequence, graphs, run loop, safety messages). CUDA-only.
#ifndef ESNAP_BACKEND_GPU_IMPL_CUH
#define ESNAP_BACKEND_GPU_IMPL_CUH

#include <cuda_runtime.h>

#include <vector>

#include "gpu_launch.cuh"

extern "C" {
#include "backend_gpu.h"
#include "forcefield.h"
#include "gpu_forces.h"
#include "integrate_gpu.h"
}

struct bgpu_rep {
  md_system *sys;       // host copy: shape, ids, types, cell (positions only as scratch for messages)
  integ_sys is;         // host copy of the device integrator state
  long step0;           // time = time0 + (step − step0) dt
  real_t time0;
  md_rng rng;
  gpu_energy e_host;    // energies given with set_state(FORCE)
  long e_host_gen;      // valid while energy_gen equals this
  gpu_energy e_dev;     // last energies read from the device
  std::vector<real_t> x0; // neighbour-list reference given with set_state(NBR), [3 n] x, y, z blocks
  int x0_valid = 0;
};

struct md_backend {
  md_model model;
  md_backend_options opt;
  ff_options ffo;
  integ_params ip;
  int nrep;
  std::vector<bgpu_rep> rep;
  gpu_atoms *a = nullptr;
  gpu_forces *f = nullptr;
  integ_gpu *ig = nullptr;
  cudaStream_t stream = nullptr;
  real_t *d_mv2 = nullptr;           // [nrep]
  int lists_dirty = 1;               // a host-decided build is due before the next evaluation
  long energy_gen = 1;               // bumped by every evaluation and every move from the host
  long energy_cache_gen = 0;
  // graphs
  int graphs_wanted = 1, graph_failed = 0, graph_steps = 10;
  cudaGraphExec_t graph_k = nullptr;  // graph_steps steps
  cudaGraphExec_t graph_1 = nullptr;  // one step
  int list_cap_key[2] = {0, 0};       // capacities the graphs were captured with
  const void *list_ptr_key[2] = {nullptr, nullptr};
  cudaEvent_t ev[2 * BGPU_NST] = {};
  long overflows = 0;                 // guarded rebuilds recovered on the host
  char desc[1024];
};

long bgpu_offset(const md_backend *b, int r);
md_status bgpu_make_forces(md_backend *b);
md_status bgpu_energies(md_backend *b);
const gpu_energy *bgpu_energy_of(md_backend *b, int r);
void bgpu_drop_graphs(md_backend *b);
md_status bgpu_clear_status(md_backend *b);
md_status bgpu_after_build(md_backend *b);
md_status bgpu_build_lists(md_backend *b);
md_status bgpu_compute_forces(md_backend *b);
md_status bgpu_run_steps(md_backend *b, long n);

#endif
