// backend_gpu_step.cu — the CUDA backend's step sequence, CUDA graphs, run loop, per-stage profile and the
// safety messages (host/md/integrate.h integ_stop_error on the host copy of the failing step).
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "backend_gpu_impl.cuh"

extern "C" {
#include "integrate.h"
#include "system.h"
}

#define BGPU_POLL_STEPS 200 /* steps between status reads in run_steps */

static const char *const k_stage_names[BGPU_NST] = {"begin (NHC, kick, drift)", "neighbour rebuild", "zero", "snap",
                                                     "coulomb real", "coulomb kspace", "zbl", "end (kick, NHC, checks)"};
extern "C" const char *backend_cuda_stage_name(int k) { return (k >= 0 && k < BGPU_NST) ? k_stage_names[k] : "?"; }

static md_status stage(md_backend *b, int k, cudaStream_t s) {
  nbr_gpu *nb = gpu_forces_neighbors(b->f);
  switch (k) {
    case BGPU_ST_BEGIN: return integ_gpu_begin(b->ig, b->a, nb ? nbr_gpu_x0(nb) : nullptr, s);
    case BGPU_ST_REBUILD: return nb ? nbr_gpu_build_guarded(nb, b->a, s) : MD_OK;
    case BGPU_ST_END: return integ_gpu_end(b->ig, b->a, gpu_forces_check_list(b->f), s);
    default: return gpu_forces_stage(b->f, k - BGPU_ST_ZERO + GPU_STAGE_ZERO, s);
  }
}

static md_status one_step(md_backend *b, cudaStream_t s) {
  for (int k = 0; k < BGPU_NST; k++) MD_TRY(stage(b, k, s));
  return MD_OK;
}

void bgpu_drop_graphs(md_backend *b) {
  if (b->graph_k) cudaGraphExecDestroy(b->graph_k);
  if (b->graph_1) cudaGraphExecDestroy(b->graph_1);
  b->graph_k = b->graph_1 = nullptr;
}

// list capacity or buffers changed since the capture: the graphs hold stale arguments
static int lists_changed(const md_backend *b) {
  nbr_gpu *nb = gpu_forces_neighbors(b->f);
  if (!nb) return 0;
  for (int L = 0; L < nbr_gpu_nlist(nb); L++) {
    const nbr_list_gpu *l = nbr_gpu_list(nb, L);
    if (l->maxnbr != b->list_cap_key[L] || (const void *)l->d_j != b->list_ptr_key[L]) return 1;
  }
  return 0;
}

md_status bgpu_after_build(md_backend *b) {
  if (lists_changed(b)) bgpu_drop_graphs(b);
  return MD_OK;
}

static gpu_status read_status(md_backend *b, md_status *st) {
  gpu_status hs;
  memset(&hs, 0, sizeof hs);
  *st = MD_OK;
  if (cudaMemcpyAsync(&hs, gpu_forces_status(b->f), sizeof hs, cudaMemcpyDeviceToHost, b->stream) != cudaSuccess ||
      cudaStreamSynchronize(b->stream) != cudaSuccess) {
    cudaError_t e = cudaGetLastError();
    *st = md_error(MD_ERR_DEVICE, "CUDA error in the MD step: %s", cudaGetErrorString(e));
  }
  return hs;
}

md_status bgpu_clear_status(md_backend *b) {
  md_status st;
  gpu_status hs = read_status(b, &st);
  MD_TRY(st);
  long long builds = hs.builds;
  kern_status_init(&hs);
  hs.builds = builds;
  CUDA_CHECK(cudaMemcpyAsync(gpu_forces_status(b->f), &hs, sizeof hs, cudaMemcpyHostToDevice, b->stream));
  CUDA_CHECK(cudaStreamSynchronize(b->stream));
  return MD_OK;
}

static md_status ensure_lists(md_backend *b) {
  if (!b->lists_dirty) return MD_OK;
  MD_TRY(bgpu_clear_status(b));
  MD_TRY(bgpu_build_lists(b));
  MD_TRY(bgpu_after_build(b));
  b->lists_dirty = 0;
  return MD_OK;
}

static md_status capture(md_backend *b, int nsteps, cudaGraphExec_t *out) {
  *out = nullptr;
  cudaGraph_t g = nullptr;
  CUDA_CHECK(cudaStreamBeginCapture(b->stream, cudaStreamCaptureModeThreadLocal));
  md_status st = MD_OK;
  for (int k = 0; k < nsteps && st == MD_OK; k++) st = one_step(b, b->stream);
  cudaError_t e = cudaStreamEndCapture(b->stream, &g);
  if (st == MD_OK && e != cudaSuccess)
    st = md_error(MD_ERR_DEVICE, "CUDA graph capture failed: %s", cudaGetErrorString(e));
  if (st == MD_OK) {
    e = cudaGraphInstantiate(out, g, 0);
    if (e != cudaSuccess) {
      *out = nullptr;
      st = md_error(MD_ERR_DEVICE, "CUDA graph instantiation failed: %s", cudaGetErrorString(e));
    }
  }
  if (g) cudaGraphDestroy(g);
  if (st != MD_OK) cudaGetLastError();
  return st;
}

static md_status ensure_graphs(md_backend *b) {
  if (b->graph_k && b->graph_1) return MD_OK;
  bgpu_drop_graphs(b);
  md_status st = capture(b, b->graph_steps, &b->graph_k);
  if (st == MD_OK) st = capture(b, 1, &b->graph_1);
  if (st != MD_OK) {
    bgpu_drop_graphs(b);
    b->graph_failed = 1;
    fprintf(stderr, "esnapmd: warning: %s; continuing with direct kernel launches\n", md_errmsg());
    md_clear_error();
    return MD_OK;
  }
  nbr_gpu *nb = gpu_forces_neighbors(b->f);
  for (int L = 0; nb && L < nbr_gpu_nlist(nb); L++) {
    b->list_cap_key[L] = nbr_gpu_list(nb, L)->maxnbr;
    b->list_ptr_key[L] = nbr_gpu_list(nb, L)->d_j;
  }
  return MD_OK;
}

// ---- safety messages (host/md/integrate.h, the words of every backend) ----

// Download replica r's positions, velocities and forces into its host copy (forces into f).
static md_status download(md_backend *b, int r, std::vector<real_t> &f) {
  md_system *s = b->rep[r].sys;
  const long n = s->n, off = bgpu_offset(b, r), nt = b->a->ntot;
  f.assign(3 * (size_t)n, 0.0);
  CUDA_CHECK(cudaStreamSynchronize(b->stream));
  real_t *hp[9] = {s->x, s->y, s->z, s->vx, s->vy, s->vz, f.data(), f.data() + n, f.data() + 2 * n};
  const real_t *dv[3] = {b->a->d_pos, b->a->d_vel, b->a->d_force};
  for (int q = 0; q < 9; q++)
    CUDA_CHECK(cudaMemcpy(hp[q], dv[q / 3] + (q % 3) * nt + off, n * sizeof(real_t), cudaMemcpyDeviceToHost));
  return MD_OK;
}

static md_status stop_message(md_backend *b, const gpu_status &hs) {
  const int r = (hs.sys >= 0 && hs.sys < b->nrep) ? hs.sys : 0;
  MD_TRY(integ_gpu_get_sys(b->ig, r, &b->rep[r].is));
  std::vector<real_t> f;
  MD_TRY(download(b, r, f));
  const md_system *s = b->rep[r].sys;
  const real_t *fx = f.data(), *fy = fx + s->n, *fz = fy + s->n;
  md_status st = integ_stop_error(s, fx, fy, fz, b->ip.mass, b->ip.dt, &b->opt.safety, (unsigned)hs.halt, hs.flags,
                                  hs.atom == INT_MAX ? -1 : hs.atom + 1, (long)b->rep[r].is.step, b->rep[r].is.temp);
  return integ_label_replica(&b->opt, r, st, NULL);
}

// ---- ops ----

md_status bgpu_compute_forces(md_backend *b) {
  MD_TRY(ensure_lists(b));
  MD_TRY(bgpu_clear_status(b));
  MD_TRY(gpu_forces_compute(b->f, b->stream));
  b->energy_gen++;
  md_status st;
  read_status(b, &st);
  MD_TRY(st);
  for (int r = 0; r < b->nrep; r++) {
    bgpu_rep &h = b->rep[r];
    MD_TRY(integ_gpu_get_sys(b->ig, r, &h.is));
    const gpu_energy *e = bgpu_energy_of(b, r);
    if (!e) return md_error(MD_ERR_DEVICE, "cuda backend: energies unavailable (%s)", md_errmsg());
    std::vector<real_t> f;
    MD_TRY(download(b, r, f));
    real_t temp = thermo_temperature(integ_sum_mv2(h.sys, b->ip.mass, nullptr), h.is.dof);
    unsigned which = KERN_STOP_NONFINITE | KERN_STOP_TEMP;
    const md_safety_params *p = &b->opt.safety;
    if (p->min_dist > 0.0 && p->min_dist_every > 0 && h.is.step % p->min_dist_every == 0) which |= KERN_STOP_MINDIST;
    const real_t *fx = f.data(), *fy = fx + h.sys->n, *fz = fy + h.sys->n;
    MD_TRY(integ_label_replica(&b->opt, r,
                               integ_stop_check(h.sys, fx, fy, fz, b->ip.mass, b->ip.dt, p, which, (long)h.is.step, temp),
                               NULL));
    if (!std::isfinite(e->pe))
      return integ_label_replica(&b->opt, r, integ_error_energy((long)h.is.step), NULL);
  }
  return MD_OK;
}

md_status bgpu_run_steps(md_backend *b, long n) {
  if (n <= 0) return MD_OK;
  MD_TRY(ensure_lists(b));
  MD_TRY(bgpu_clear_status(b));
  MD_TRY(integ_gpu_get_sys(b->ig, 0, &b->rep[0].is));
  const long long start = b->rep[0].is.step;
  long done = 0;
  while (done < n) {
    const long chunk = n - done < BGPU_POLL_STEPS ? n - done : BGPU_POLL_STEPS;
    if (b->graphs_wanted && !b->graph_failed) MD_TRY(ensure_graphs(b));
    if (b->graph_k && b->graph_1) {
      long k = 0;
      for (; k + b->graph_steps <= chunk; k += b->graph_steps) CUDA_CHECK(cudaGraphLaunch(b->graph_k, b->stream));
      for (; k < chunk; k++) CUDA_CHECK(cudaGraphLaunch(b->graph_1, b->stream));
    } else {
      for (long k = 0; k < chunk; k++) MD_TRY(one_step(b, b->stream));
    }
    b->energy_gen++;
    md_status st;
    gpu_status hs = read_status(b, &st);
    MD_TRY(st);
    if (!hs.halt) {
      done += chunk;
      continue;
    }
    MD_TRY(integ_gpu_get_sys(b->ig, 0, &b->rep[0].is));
    done = (long)(b->rep[0].is.step - start);
    const unsigned others = hs.flags & ~(unsigned)KERN_STOP_OVERFLOW;
    if (hs.halt == KERN_STOP_OVERFLOW && !others) {
      // the step has drifted and its guarded rebuild ran out of room: grow, rebuild, finish the step here
      b->overflows++;
      MD_TRY(bgpu_clear_status(b));
      MD_TRY(gpu_forces_build(b->f, 0, b->stream));
      MD_TRY(bgpu_after_build(b));
      for (int k = BGPU_ST_ZERO; k < BGPU_NST; k++) MD_TRY(stage(b, k, b->stream));
      hs = read_status(b, &st);
      MD_TRY(st);
      if (!hs.halt) continue;
    }
    return stop_message(b, hs);
  }
  return MD_OK;
}

extern "C" md_status backend_cuda_profile(md_backend *b, long nsteps, double ms[BGPU_NST]) {
  for (int k = 0; k < BGPU_NST; k++) ms[k] = 0.0;
  if (nsteps <= 0) return MD_OK;
  MD_TRY(ensure_lists(b));
  MD_TRY(bgpu_clear_status(b));
  for (long q = 0; q < nsteps; q++) {
    CUDA_CHECK(cudaEventRecord(b->ev[0], b->stream));
    for (int k = 0; k < BGPU_NST; k++) {
      MD_TRY(stage(b, k, b->stream));
      CUDA_CHECK(cudaEventRecord(b->ev[k + 1], b->stream));
    }
    CUDA_CHECK(cudaEventSynchronize(b->ev[BGPU_NST]));
    for (int k = 0; k < BGPU_NST; k++) {
      float t = 0.0f;
      CUDA_CHECK(cudaEventElapsedTime(&t, b->ev[k], b->ev[k + 1]));
      ms[k] += t;
    }
  }
  b->energy_gen++;
  for (int k = 0; k < BGPU_NST; k++) ms[k] /= (double)nsteps;
  md_status st;
  gpu_status hs = read_status(b, &st);
  MD_TRY(st);
  if (hs.halt == KERN_STOP_OVERFLOW && !(hs.flags & ~(unsigned)KERN_STOP_OVERFLOW)) {
    // rare: the profile's own rebuild outgrew the lists; fix them up so the run can go on
    b->overflows++;
    MD_TRY(bgpu_clear_status(b));
    MD_TRY(gpu_forces_build(b->f, 0, b->stream));
    MD_TRY(bgpu_after_build(b));
    for (int k = BGPU_ST_ZERO; k < BGPU_NST; k++) MD_TRY(stage(b, k, b->stream));
    return MD_OK;
  }
  if (hs.halt) return stop_message(b, hs);
  return MD_OK;
}
