// integrate_gpu.cu — the integrator kernels (see integrate_gpu.h; bodies in integrate_kern.h).
#include <vector>

#include "gpu_launch.cuh"
#include "pair_kern.h"

extern "C" {
#include "integrate_gpu.h"
}

struct integ_gpu {
  int nsys, ntot;
  integ_params p;
  integ_sys *d_sys;        // [nsys]
  real_t *d_mv2;           // [ntot] per-atom m v²
  gpu_chunks chunks;       // per-system sums
  gpu_status *d_status;
};

__global__ void k_integ_begin(int nsys, integ_params p, integ_sys *sys, const gpu_status *st) {
  long s = GPU_INDEX();
  if (s >= nsys || st->halt) return;
  integ_begin_body((int)s, &p, sys);
}

__global__ void k_integ_kick_drift(int ntot, integ_params p, const integ_sys *__restrict__ sys, const int *__restrict__ atom_sys,
                                   const int *__restrict__ type, real_t *pos, real_t *vel, const real_t *__restrict__ force,
                                   const real_t *__restrict__ x0, gpu_status *st) {
  long i = GPU_INDEX();
  if (i >= ntot || st->halt) return;
  int moved = 0;
  unsigned why = integ_kick_drift_body((int)i, ntot, &p, sys, atom_sys, type, pos, vel, force, x0, &moved);
  if (moved) st->rebuild = 1;
  if (why) {
    const int s = atom_sys[i];
    kern_status_raise(st, why, s, sys[s].step, (int)i, 1);  // the CPU stops here, before the forces
  }
}

__global__ void k_integ_kick_mv2(int ntot, integ_params p, const int *__restrict__ type, real_t *vel,
                                 const real_t *__restrict__ force, real_t *__restrict__ mv2, const gpu_status *st) {
  long i = GPU_INDEX();
  if (i >= ntot || st->halt) return;
  mv2[i] = integ_kick_mv2_body((int)i, ntot, &p, type, vel, force);
}

__global__ void k_integ_mv2(int ntot, integ_params p, const int *__restrict__ type, const real_t *__restrict__ vel,
                            real_t *__restrict__ mv2) {
  long i = GPU_INDEX();
  if (i < ntot) mv2[i] = integ_mv2_body((int)i, ntot, &p, type, vel);
}

// thread per system: its chunk sums in order, then the chain
__global__ void k_integ_finish(int nsys, integ_params p, integ_sys *sys, const int *__restrict__ sys_first,
                               const real_t *__restrict__ partial, gpu_status *st) {
  long s = GPU_INDEX();
  if (s >= nsys || st->halt) return;
  real_t mv2 = 0.0;
  for (int k = sys_first[s]; k < sys_first[s + 1]; k++) mv2 += partial[k];
  unsigned why = integ_finish_body((int)s, &p, sys, mv2);
  if (why) kern_status_raise(st, why, (int)s, sys[s].step, -1, 0);
}

__global__ void k_integ_scale_check(int ntot, integ_params p, const integ_sys *__restrict__ sys, const int *__restrict__ atom_sys,
                                    const real_t *__restrict__ pos, real_t *vel, const real_t *__restrict__ force,
                                    gpu_status *st) {
  long i = GPU_INDEX();
  if (i >= ntot || st->halt) return;
  unsigned why = integ_scale_check_body((int)i, ntot, &p, sys, atom_sys, pos, vel, force);
  if (why) {
    const int s = atom_sys[i];
    kern_status_raise(st, why, s, sys[s].step, (int)i, 0);
  }
}

__global__ void k_integ_min_dist(pair_args A, integ_params p, const integ_sys *__restrict__ sys, gpu_status *st) {
  long i = GPU_INDEX();
  if (i >= A.ntot || st->halt) return;
  const int s = A.atom_sys[i];
  if (!integ_min_dist_due(&p, &sys[s])) return;
  int j;
  if (pair_min_distance(&A, (int)i, &j) < p.min_dist) kern_status_raise(st, KERN_STOP_MINDIST, s, sys[s].step, (int)i, 0);
}

__global__ void k_integ_end(gpu_status *st) {
  if (threadIdx.x == 0 && blockIdx.x == 0 && !st->halt) {
    const unsigned end_reasons = KERN_STOP_NONFINITE | KERN_STOP_TEMP | KERN_STOP_MINDIST;
    unsigned f = st->flags & end_reasons;
    if (f) st->halt = (int)(f & (0u - f));  // lowest bit: non-finite before temperature before distance
  }
}

extern "C" md_status integ_gpu_create(integ_gpu **out, const gpu_atoms *a, const integ_params *p, gpu_status *d_status) {
  *out = nullptr;
  integ_gpu *g = new integ_gpu();
  g->nsys = a->nsys;
  g->ntot = a->ntot;
  g->p = *p;
  g->d_status = d_status;
  g->chunks = gpu_chunks{};
  std::vector<int> off(a->nsys + 1);
  md_status st = MD_OK;
  if (cudaMemcpy(off.data(), a->d_sys_offset, (a->nsys + 1) * sizeof(int), cudaMemcpyDeviceToHost) != cudaSuccess)
    st = md_error(MD_ERR_DEVICE, "CUDA: cannot read the system offsets");
  if (st == MD_OK) st = gpu_alloc(&g->d_sys, (size_t)a->nsys, "integrator state");
  if (st == MD_OK) st = gpu_alloc(&g->d_mv2, (size_t)a->ntot, "kinetic energy scratch");
  if (st == MD_OK) st = gpu_chunks_create(&g->chunks, off.data(), a->nsys, 1);
  if (st == MD_OK && cudaMemset(g->d_sys, 0, a->nsys * sizeof(integ_sys)) != cudaSuccess)
    st = md_error(MD_ERR_DEVICE, "CUDA: cannot clear the integrator state");
  if (st != MD_OK) {
    integ_gpu_destroy(&g);
    return st;
  }
  *out = g;
  return MD_OK;
}

extern "C" void integ_gpu_destroy(integ_gpu **pg) {
  if (!pg || !*pg) return;
  integ_gpu *g = *pg;
  gpu_free(&g->d_sys);
  gpu_free(&g->d_mv2);
  gpu_chunks_destroy(&g->chunks);
  delete g;
  *pg = nullptr;
}

extern "C" md_status integ_gpu_set_sys(integ_gpu *g, int s, const integ_sys *src) {
  CUDA_CHECK(cudaMemcpy(g->d_sys + s, src, sizeof *src, cudaMemcpyHostToDevice));
  return MD_OK;
}

extern "C" md_status integ_gpu_get_sys(integ_gpu *g, int s, integ_sys *dst) {
  CUDA_CHECK(cudaMemcpy(dst, g->d_sys + s, sizeof *dst, cudaMemcpyDeviceToHost));
  return MD_OK;
}

extern "C" const integ_params *integ_gpu_params(const integ_gpu *g) { return &g->p; }

extern "C" md_status integ_gpu_begin(integ_gpu *g, gpu_atoms *a, const real_t *x0, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  k_integ_begin<<<gpu_blocks_for(g->nsys, 32), 32, 0, s>>>(g->nsys, g->p, g->d_sys, g->d_status);
  GPU_CHECK_LAUNCH(s);
  k_integ_kick_drift<<<gpu_blocks_for(g->ntot, GPU_THREADS), GPU_THREADS, 0, s>>>(
      g->ntot, g->p, g->d_sys, a->d_atom_sys, a->d_type, a->d_pos, a->d_vel, a->d_force, x0, g->d_status);
  GPU_CHECK_LAUNCH(s);
  return MD_OK;
}

extern "C" md_status integ_gpu_end(integ_gpu *g, gpu_atoms *a, const nbr_list_gpu *short_list, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  const unsigned blocks = gpu_blocks_for(g->ntot, GPU_THREADS);
  k_integ_kick_mv2<<<blocks, GPU_THREADS, 0, s>>>(g->ntot, g->p, a->d_type, a->d_vel, a->d_force, g->d_mv2, g->d_status);
  GPU_CHECK_LAUNCH(s);
  MD_TRY(gpu_reduce_chunks(&g->chunks, g->d_mv2, g->ntot, 1, s));
  k_integ_finish<<<gpu_blocks_for(g->nsys, 32), 32, 0, s>>>(g->nsys, g->p, g->d_sys, g->chunks.d_sys_first,
                                                            g->chunks.d_partial, g->d_status);
  GPU_CHECK_LAUNCH(s);
  k_integ_scale_check<<<blocks, GPU_THREADS, 0, s>>>(g->ntot, g->p, g->d_sys, a->d_atom_sys, a->d_pos, a->d_vel, a->d_force,
                                                     g->d_status);
  GPU_CHECK_LAUNCH(s);
  if (short_list && g->p.min_dist > 0.0 && g->p.min_dist_every > 0) {
    pair_args A;
    A.ntot = g->ntot;
    A.pos = a->d_pos;
    A.type = a->d_type;
    A.atom_sys = a->d_atom_sys;
    A.box = a->d_box;
    A.num = short_list->d_num;
    A.nbr = short_list->d_j;
    A.img = short_list->d_img;
    A.force = nullptr;
    A.acc = nullptr;
    k_integ_min_dist<<<blocks, GPU_THREADS, 0, s>>>(A, g->p, g->d_sys, g->d_status);
    GPU_CHECK_LAUNCH(s);
  }
  k_integ_end<<<1, 1, 0, s>>>(g->d_status);
  GPU_CHECK_LAUNCH(s);
  return MD_OK;
}

extern "C" md_status integ_gpu_sum_mv2(integ_gpu *g, const gpu_atoms *a, real_t *d_out, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  k_integ_mv2<<<gpu_blocks_for(g->ntot, GPU_THREADS), GPU_THREADS, 0, s>>>(g->ntot, g->p, a->d_type, a->d_vel, g->d_mv2);
  GPU_CHECK_LAUNCH(s);
  return gpu_reduce_atoms(&g->chunks, g->d_mv2, g->ntot, 1, d_out, 0, s);
}
