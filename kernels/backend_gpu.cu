// backend_gpu.cu — the CUDA MD backend: state, set/get, thermo (see backend_gpu.h). The step sequence,
// graphs, the run loop and the safety messages are in backend_gpu_step.cu.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "backend_gpu_impl.cuh"

extern "C" {
#include "gpu_atoms.h"
#include "integrate.h"
#include "system.h"
}

static void gpu_destroy(md_backend **pb) {
  if (!pb || !*pb) return;
  md_backend *b = *pb;
  bgpu_drop_graphs(b);
  gpu_forces_destroy(&b->f);
  integ_gpu_destroy(&b->ig);
  gpu_atoms_destroy(&b->a);
  for (auto &h : b->rep) system_destroy(&h.sys);
  gpu_free(&b->d_mv2);
  if (b->stream) cudaStreamDestroy(b->stream);
  for (int k = 0; k < 2 * BGPU_NST; k++)
    if (b->ev[k]) cudaEventDestroy(b->ev[k]);
  delete b;
  *pb = nullptr;
}

// (Re)create the force field for the host copies' cells and types; lists must be built afterwards.
md_status bgpu_make_forces(md_backend *b) {
  if (b->ig) /* keep the integrator state (step, chain) of a running backend */
    for (int r = 0; r < b->nrep; r++) MD_TRY(integ_gpu_get_sys(b->ig, r, &b->rep[r].is));
  bgpu_drop_graphs(b);
  gpu_forces_destroy(&b->f);
  integ_gpu_destroy(&b->ig);
  std::vector<md_system *> sys;
  for (auto &h : b->rep) sys.push_back(h.sys);
  MD_TRY(gpu_atoms_upload(b->a, sys.data(), b->nrep, MD_GPU_BOX));
  MD_TRY(gpu_forces_create(&b->f, &b->model, &b->ffo, b->a, sys.data(), 0));
  const nbr_gpu *nb = gpu_forces_neighbors(b->f);
  b->ip.moved2 = nb ? nbr_gpu_moved_limit2(nb) : -1.0;
  MD_TRY(integ_gpu_create(&b->ig, b->a, &b->ip, gpu_forces_status(b->f)));
  for (int r = 0; r < b->nrep; r++) MD_TRY(integ_gpu_set_sys(b->ig, r, &b->rep[r].is));
  b->lists_dirty = 1;
  b->energy_gen++;
  return MD_OK;
}

static md_status gpu_create(md_backend **out, const md_model *model, const md_backend_options *opt, const md_replica *reps,
                            int nrep) {
  *out = nullptr;
  if (nrep < 1) return md_error(MD_ERR_INTERNAL, "cuda backend: %d replicas", nrep);
  int ndev = 0;
  MD_TRY(gpu_device_count(&ndev));
  if (ndev < 1) return md_error(MD_ERR_DEVICE, "cuda backend: no CUDA device found (no driver or no GPU)");
  md_backend *b = new md_backend();
  b->model = *model;
  b->opt = *opt;
  b->opt.rep_temperature = nullptr;  // copied into the replicas' integrator state
  ff_options_from_backend(&b->ffo, opt);
  b->nrep = nrep;
  b->rep.resize(nrep);
  integ_params_from_options(&b->ip, opt, model);
  const char *ge = getenv("ESNAPMD_GPU_GRAPH");
  b->graphs_wanted = !(ge && strcmp(ge, "0") == 0);
  const char *gk = getenv("ESNAPMD_GPU_GRAPH_STEPS");
  b->graph_steps = gk && atoi(gk) > 0 ? atoi(gk) : 10;
  md_status st = MD_OK;
  std::vector<md_system *> sys;
  for (int r = 0; r < nrep && st == MD_OK; r++) {
    bgpu_rep &h = b->rep[r];
    st = system_copy(&h.sys, reps[r].sys);
    if (st != MD_OK) break;
    sys.push_back(h.sys);
    h.step0 = reps[r].step0;
    h.time0 = reps[r].time0;
    h.rng = reps[r].rng;
    integ_sys_from_replica(&h.is, opt, &reps[r], r);
  }
  // a BLOCKING stream on purpose: the set/get/create paths use synchronous cudaMemcpy/cudaMemset on the legacy
  // default stream (a pageable H2D cudaMemcpy may return before its DMA lands, and cudaMemset is asynchronous);
  // a blocking stream is ordered after that legacy-stream work, a cudaStreamNonBlocking one is not
  if (st == MD_OK && cudaStreamCreate(&b->stream) != cudaSuccess)
    st = md_error(MD_ERR_DEVICE, "CUDA: cannot create a stream");
  for (int k = 0; k < 2 * BGPU_NST && st == MD_OK; k++)
    if (cudaEventCreate(&b->ev[k]) != cudaSuccess) st = md_error(MD_ERR_DEVICE, "CUDA: cannot create events");
  if (st == MD_OK) st = gpu_atoms_create(&b->a, sys.data(), nrep);
  if (st == MD_OK) st = gpu_alloc(&b->d_mv2, (size_t)nrep, "kinetic energy sums");
  if (st == MD_OK) st = bgpu_make_forces(b);
  if (st != MD_OK) {
    gpu_destroy(&b);
    return st;
  }
  *out = b;
  return MD_OK;
}

// Copy system r's slice of a device SoA array (3 components) to/from host arrays.
template <typename T>
static md_status copy3(T *dev, long ntot, long off, long n, T *hx, T *hy, T *hz, bool up) {
  T *h[3] = {hx, hy, hz};
  for (int d = 0; d < 3; d++) {
    T *dp = dev + d * ntot + off;
    if (up) CUDA_CHECK(cudaMemcpy(dp, h[d], n * sizeof(T), cudaMemcpyHostToDevice));
    else CUDA_CHECK(cudaMemcpy(h[d], dp, n * sizeof(T), cudaMemcpyDeviceToHost));
  }
  return MD_OK;
}

long bgpu_offset(const md_backend *b, int r) {
  long off = 0;
  for (int k = 0; k < r; k++) off += b->rep[k].sys->n;
  return off;
}

static md_status gpu_set_state(md_backend *b, int r, const md_replica *src, unsigned what) {
  if (r < 0 || r >= b->nrep) return md_error(MD_ERR_INTERNAL, "cuda backend: no replica %d", r);
  bgpu_rep &h = b->rep[r];
  md_system *s = src->sys;
  if (s->n != h.sys->n) return md_error(MD_ERR_INTERNAL, "cuda backend: replica %d has %d atoms, not %d", r, s->n, h.sys->n);
  const long n = s->n, off = bgpu_offset(b, r), nt = b->a->ntot;
  CUDA_CHECK(cudaStreamSynchronize(b->stream));
  if (what & MD_STATE_POS) {
    MD_TRY(copy3(b->a->d_pos, nt, off, n, s->x, s->y, s->z, true));
    MD_TRY(copy3(b->a->d_img, nt, off, n, s->ix, s->iy, s->iz, true));
    if (memcmp(s->box.h, h.sys->box.h, sizeof s->box.h) != 0) {
      h.sys->box = s->box;
      MD_TRY(bgpu_make_forces(b));  // new cell: Coulomb parameters, PME tables and cell grid again
    }
    b->lists_dirty = 1;
    b->energy_gen++;
    h.x0_valid = 0;
  }
  if (what & MD_STATE_NBR) {
    h.x0_valid = src->nbr_valid && src->nbr_x0;
    if (h.x0_valid) h.x0.assign(src->nbr_x0, src->nbr_x0 + 3 * n);
    b->lists_dirty = 1;
  }
  if (what & MD_STATE_VEL) MD_TRY(copy3(b->a->d_vel, nt, off, n, s->vx, s->vy, s->vz, true));
  if (what & MD_STATE_FORCE) {
    MD_TRY(copy3(b->a->d_force, nt, off, n, src->fx, src->fy, src->fz, true));
    h.e_host.pe = src->pe;
    h.e_host.e_snap = src->pe_snap;
    h.e_host.e_coul = src->pe_coul;
    h.e_host.e_zbl = src->pe_zbl;
    memcpy(h.e_host.virial, src->virial, sizeof src->virial);
    h.e_host_gen = b->energy_gen;  // valid until the next evaluation or move
  }
  if (what & (MD_STATE_THERMOSTAT | MD_STATE_CLOCK)) {
    MD_TRY(integ_gpu_get_sys(b->ig, r, &h.is));
    if (what & MD_STATE_THERMOSTAT) h.is.nhc = src->nhc;
    if (what & MD_STATE_CLOCK) {
      h.is.step = s->step;
      h.step0 = src->step0;
      h.time0 = src->time0;
      h.rng = src->rng;
    }
    MD_TRY(integ_gpu_set_sys(b->ig, r, &h.is));
  }
  return MD_OK;
}

md_status bgpu_energies(md_backend *b) {
  if (b->energy_cache_gen == b->energy_gen) return MD_OK;
  std::vector<gpu_energy> e(b->nrep);
  MD_TRY(gpu_forces_energies(b->f, e.data(), b->stream));
  for (int r = 0; r < b->nrep; r++) b->rep[r].e_dev = e[r];
  b->energy_cache_gen = b->energy_gen;
  return MD_OK;
}

const gpu_energy *bgpu_energy_of(md_backend *b, int r) {
  bgpu_rep &h = b->rep[r];
  if (h.e_host_gen == b->energy_gen) return &h.e_host;
  if (bgpu_energies(b) != MD_OK) return nullptr;
  return &h.e_dev;
}

static md_status gpu_get_state(md_backend *b, int r, md_replica *dst, unsigned what) {
  if (r < 0 || r >= b->nrep) return md_error(MD_ERR_INTERNAL, "cuda backend: no replica %d", r);
  bgpu_rep &h = b->rep[r];
  md_system *s = dst->sys;
  if (s->n != h.sys->n) return md_error(MD_ERR_INTERNAL, "cuda backend: replica %d has %d atoms, not %d", r, h.sys->n, s->n);
  const long n = s->n, off = bgpu_offset(b, r), nt = b->a->ntot;
  CUDA_CHECK(cudaStreamSynchronize(b->stream));
  if (what & MD_STATE_POS) {
    MD_TRY(copy3(b->a->d_pos, nt, off, n, s->x, s->y, s->z, false));
    MD_TRY(copy3(b->a->d_img, nt, off, n, s->ix, s->iy, s->iz, false));
    s->box = h.sys->box;
  }
  if (what & MD_STATE_VEL) MD_TRY(copy3(b->a->d_vel, nt, off, n, s->vx, s->vy, s->vz, false));
  if (what & MD_STATE_NBR) {
    const nbr_gpu *nb = gpu_forces_neighbors(b->f);
    dst->nbr_valid = dst->nbr_x0 && nb && !b->lists_dirty;
    if (dst->nbr_valid) {
      real_t *x0 = const_cast<real_t *>(nbr_gpu_x0(nb));
      MD_TRY(copy3(x0, nt, off, n, dst->nbr_x0, dst->nbr_x0 + n, dst->nbr_x0 + 2 * n, false));
    }
  }
  if (what & MD_STATE_FORCE) {
    MD_TRY(copy3(b->a->d_force, nt, off, n, dst->fx, dst->fy, dst->fz, false));
    const gpu_energy *e = bgpu_energy_of(b, r);
    if (!e) return md_error(MD_ERR_DEVICE, "cuda backend: energies unavailable (%s)", md_errmsg());
    dst->pe = e->pe;
    dst->pe_snap = e->e_snap;
    dst->pe_coul = e->e_coul;
    dst->pe_zbl = e->e_zbl;
    memcpy(dst->virial, e->virial, sizeof dst->virial);
  }
  if (what & (MD_STATE_THERMOSTAT | MD_STATE_CLOCK)) {
    MD_TRY(integ_gpu_get_sys(b->ig, r, &h.is));
    if (what & MD_STATE_THERMOSTAT) dst->nhc = h.is.nhc;
    if (what & MD_STATE_CLOCK) {
      s->step = (long)h.is.step;
      s->time = h.time0 + (real_t)(s->step - h.step0) * b->ip.dt;
      dst->step0 = h.step0;
      dst->time0 = h.time0;
      dst->rng = h.rng;
    }
  }
  return MD_OK;
}

static md_status gpu_reduce_thermo(md_backend *b, int r, md_thermo *o) {
  if (r < 0 || r >= b->nrep) return md_error(MD_ERR_INTERNAL, "cuda backend: no replica %d", r);
  bgpu_rep &h = b->rep[r];
  MD_TRY(integ_gpu_sum_mv2(b->ig, b->a, b->d_mv2, b->stream));
  std::vector<real_t> mv2(b->nrep);
  CUDA_CHECK(cudaMemcpyAsync(mv2.data(), b->d_mv2, b->nrep * sizeof(real_t), cudaMemcpyDeviceToHost, b->stream));
  CUDA_CHECK(cudaStreamSynchronize(b->stream));
  MD_TRY(integ_gpu_get_sys(b->ig, r, &h.is));
  const gpu_energy *e = bgpu_energy_of(b, r);
  if (!e) return md_error(MD_ERR_DEVICE, "cuda backend: energies unavailable (%s)", md_errmsg());
  long step = (long)h.is.step;
  md_thermo_assemble(o, step, h.time0 + (real_t)(step - h.step0) * b->ip.dt, h.sys->n, h.is.dof, mv2[r], e->pe,
                     e->e_snap, e->e_coul, e->e_zbl, e->virial, h.sys->box.volume, b->ip.nvt ? &h.is.nhc : NULL);
  return MD_OK;
}

// The host-decided build of dirty lists: at the references given with set_state(NBR) when every replica has one
// (the lists of the run that saved them: positions = references, built without wrapping, positions put back),
// else at the current positions.
md_status bgpu_build_lists(md_backend *b) {
  int at_x0 = 1;
  for (const auto &h : b->rep) at_x0 = at_x0 && h.x0_valid;
  for (auto &h : b->rep) h.x0_valid = 0;
  if (!at_x0) return gpu_forces_build(b->f, 0, b->stream);
  const long nt = b->a->ntot;
  real_t *d_keep = nullptr;
  MD_TRY(gpu_alloc(&d_keep, 3 * (size_t)nt, "positions kept during the neighbour-list restore"));
  md_status st = MD_OK;
  if (cudaMemcpy(d_keep, b->a->d_pos, 3 * nt * sizeof(real_t), cudaMemcpyDeviceToDevice) != cudaSuccess)
    st = md_error(MD_ERR_DEVICE, "CUDA: cannot copy positions (%s)", cudaGetErrorString(cudaGetLastError()));
  for (int r = 0; r < b->nrep && st == MD_OK; r++) {
    const long n = b->rep[r].sys->n;
    real_t *x0 = b->rep[r].x0.data();
    st = copy3(b->a->d_pos, nt, bgpu_offset(b, r), n, x0, x0 + n, x0 + 2 * n, true);
  }
  if (st == MD_OK) st = gpu_forces_build(b->f, 0, b->stream);
  if (st == MD_OK && cudaStreamSynchronize(b->stream) != cudaSuccess)
    st = md_error(MD_ERR_DEVICE, "CUDA: neighbour-list restore failed (%s)", cudaGetErrorString(cudaGetLastError()));
  if (cudaMemcpy(b->a->d_pos, d_keep, 3 * nt * sizeof(real_t), cudaMemcpyDeviceToDevice) != cudaSuccess && st == MD_OK)
    st = md_error(MD_ERR_DEVICE, "CUDA: cannot copy positions (%s)", cudaGetErrorString(cudaGetLastError()));
  gpu_free(&d_keep);
  return st;
}

static const char *gpu_describe(const md_backend *b) {
  md_backend *m = const_cast<md_backend *>(b);
  snprintf(m->desc, sizeof m->desc, "%s; %s; CUDA graphs %s; device %s", gpu_forces_describe(b->f),
           b->nrep > 1 ? "replicas batched in one launch" : "one system",
           b->graphs_wanted ? (b->graph_failed ? "failed to capture (direct launches)" : "on") : "off", gpu_device_name());
  return m->desc;
}

static const md_backend_ops cuda_ops = {"cuda",           gpu_create,        gpu_destroy,        gpu_set_state,
                                        gpu_get_state,    bgpu_compute_forces, bgpu_run_steps, gpu_reduce_thermo,
                                        gpu_describe};

extern "C" const md_backend_ops *md_backend_cuda(void) { return &cuda_ops; }
extern "C" int backend_cuda_uses_graphs(const md_backend *b) { return b->graphs_wanted && !b->graph_failed; }
extern "C" void *backend_cuda_stream(const md_backend *b) { return (void *)b->stream; }
extern "C" long backend_cuda_builds(md_backend *b) { return gpu_forces_builds(b->f); }
extern "C" long backend_cuda_overflows(const md_backend *b) { return b->overflows; }
