// coulomb_gpu.cu — real space, Ewald reciprocal space, self/background constants and the PME batches
// (see coulomb_gpu.h; bodies in pair_kern.h and ewald_kern.h).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "ewald_kern.h"
#include "gpu_launch.cuh"
#include "pair_kern.h"
#include "pme_tables.h"

extern "C" {
#include "coulomb.h"
#include "coulomb_gpu.h"
#include "pme_gpu.h"
}

#define EW_THREADS 128

struct coul_gpu {
  int method, nsys, nelem;
  real_t rc_max;
  std::vector<coulomb *> host;   // one CPU parameter object per system
  real_t *d_qelem;               // [nelem]
  real_t *d_alpha;               // [nsys]
  real_t *d_rc2;                 // [nsys]
  real_t *d_const;               // [nsys 7] self + background energy and virial
  // PME: batches of consecutive systems with the same mesh, order and α
  std::vector<pme_gpu *> pme;
  std::vector<int> pme_sys0;     // first system of each batch
  // Ewald
  ewald_kargs ek;                // device arrays (pos/box/force filled per call)
  long nk;
  int *d_kbase, *d_ksys, *d_n;
  real_t *d_m, *d_w, *d_sre, *d_sim, *d_ek;
  gpu_chunks kchunks;            // per-system sums over vectors
  char desc[512];
};

__global__ void k_coul_real(pair_args A, const real_t *__restrict__ qelem, const real_t *__restrict__ alpha,
                            const real_t *__restrict__ rc2) {
  long i = GPU_INDEX();
  if (i >= A.ntot) return;
  const int s = A.atom_sys[i];
  coul_real_body((int)i, &A, qelem, alpha[s], rc2[s]);
}

__global__ void k_ewald_sf(ewald_kargs A) {
  __shared__ real_t pr[EW_THREADS], pi[EW_THREADS];
  const long k = blockIdx.x;
  const int t = threadIdx.x;
  if (kern_halted(A.halt)) return;  // block-uniform, before the barrier
  ewald_sf_partial(&A, k, t, EW_THREADS, &pr[t], &pi[t]);
  __syncthreads();
  if (t == 0) ewald_sf_finish(&A, k, kern_sum_in_order(pr, EW_THREADS), kern_sum_in_order(pi, EW_THREADS));
}

__global__ void k_ewald_force(ewald_kargs A) {
  long i = GPU_INDEX();
  if (i < A.ntot) ewald_force_body((int)i, &A);
}

__global__ void k_coul_add_const(int n, const real_t *__restrict__ c, real_t *__restrict__ out) {
  long k = GPU_INDEX();
  if (k < n) out[k] += c[k];
}

extern "C" void coul_gpu_destroy(coul_gpu **pc) {
  if (!pc || !*pc) return;
  coul_gpu *c = *pc;
  for (coulomb *h : c->host) coulomb_destroy(&h);
  for (pme_gpu *p : c->pme) pme_gpu_destroy(&p);
  gpu_free(&c->d_qelem);
  gpu_free(&c->d_alpha);
  gpu_free(&c->d_rc2);
  gpu_free(&c->d_const);
  gpu_free(&c->d_kbase);
  gpu_free(&c->d_ksys);
  gpu_free(&c->d_n);
  gpu_free(&c->d_m);
  gpu_free(&c->d_w);
  gpu_free(&c->d_sre);
  gpu_free(&c->d_sim);
  gpu_free(&c->d_ek);
  gpu_chunks_destroy(&c->kchunks);
  delete c;
  *pc = nullptr;
}

template <typename T>
static md_status upload(T **d, const std::vector<T> &h, const char *what) {
  MD_TRY(gpu_alloc(d, h.size(), what));
  if (!h.empty()) CUDA_CHECK(cudaMemcpy(*d, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice));
  return MD_OK;
}

static md_status setup_ewald(coul_gpu *c, const gpu_atoms *a, md_system *const *sys, const std::vector<coulomb_info> &info) {
  std::vector<int> n, kbase(c->nsys + 1), ksys;
  std::vector<real_t> m, w;
  for (int s = 0; s < c->nsys; s++) {
    kbase[s] = (int)w.size();
    if (info[s].alpha > 0.0) {
      long cnt = ewald_vectors_list(&sys[s]->box, info[s].alpha, info[s].gcut, nullptr, nullptr, nullptr);
      size_t k0 = w.size();
      n.resize(3 * (k0 + cnt));
      m.resize(3 * (k0 + cnt));
      w.resize(k0 + cnt);
      ewald_vectors_list(&sys[s]->box, info[s].alpha, info[s].gcut, n.data() + 3 * k0, m.data() + 3 * k0, w.data() + k0);
    }
    ksys.resize(w.size(), s);
  }
  kbase[c->nsys] = (int)w.size();
  const long nk = (long)w.size();
  c->nk = nk;
  // component-major copies
  std::vector<int> nc(3 * nk);
  std::vector<real_t> mc(3 * nk);
  for (long k = 0; k < nk; k++)
    for (int d = 0; d < 3; d++) {
      nc[d * nk + k] = n[3 * k + d];
      mc[d * nk + k] = m[3 * k + d];
    }
  MD_TRY(upload(&c->d_kbase, kbase, "Ewald vector offsets"));
  MD_TRY(upload(&c->d_ksys, ksys, "Ewald vector systems"));
  MD_TRY(upload(&c->d_n, nc, "Ewald vectors"));
  MD_TRY(upload(&c->d_m, mc, "Ewald vectors"));
  MD_TRY(upload(&c->d_w, w, "Ewald weights"));
  MD_TRY(gpu_alloc(&c->d_sre, (size_t)nk, "Ewald structure factors"));
  MD_TRY(gpu_alloc(&c->d_sim, (size_t)nk, "Ewald structure factors"));
  MD_TRY(gpu_alloc(&c->d_ek, 7 * (size_t)nk, "Ewald energies"));
  MD_TRY(gpu_chunks_create(&c->kchunks, kbase.data(), c->nsys, 7));
  ewald_kargs &A = c->ek;
  memset(&A, 0, sizeof A);
  A.ntot = a->ntot;
  A.sys_offset = a->d_sys_offset;
  A.atom_sys = a->d_atom_sys;
  A.type = a->d_type;
  A.qelem = c->d_qelem;
  A.kbase = c->d_kbase;
  A.ksys = c->d_ksys;
  A.n = c->d_n;
  A.m = c->d_m;
  A.w = c->d_w;
  A.nk = nk;
  A.sre = c->d_sre;
  A.sim = c->d_sim;
  A.ek = c->d_ek;
  A.alpha = c->d_alpha;
  return MD_OK;
}

static md_status setup_pme(coul_gpu *c, const gpu_atoms *a, md_system *const *sys, const std::vector<coulomb_info> &info,
                           const real_t *q_elem) {
  std::vector<int> off(c->nsys + 1);
  off[0] = 0;
  for (int s = 0; s < c->nsys; s++) off[s + 1] = off[s] + sys[s]->n;
  std::vector<int> types(off[c->nsys]);
  for (int s = 0; s < c->nsys; s++) memcpy(&types[off[s]], sys[s]->type, sys[s]->n * sizeof(int));
  int s = 0;
  while (s < c->nsys) {
    int e = s + 1;
    while (e < c->nsys && memcmp(info[e].grid, info[s].grid, sizeof info[s].grid) == 0 && info[e].order == info[s].order &&
           info[e].alpha == info[s].alpha)
      e++;
    if (info[s].alpha > 0.0) {  // systems with charges
      std::vector<const md_box *> boxes;
      for (int k = s; k < e; k++) boxes.push_back(&sys[k]->box);
      pme_gpu *p = nullptr;
      MD_TRY(pme_gpu_create(&p, a, s, e - s, off[s], off[e] - off[s], info[s].grid, info[s].order, info[s].alpha,
                            boxes.data(), q_elem, c->nelem, types.data()));
      c->pme.push_back(p);
      c->pme_sys0.push_back(s);
    }
    s = e;
  }
  return MD_OK;
}

extern "C" md_status coul_gpu_create(coul_gpu **out, int method, real_t accuracy, real_t rcut, const real_t *q_elem,
                                     int nelem, const gpu_atoms *a, md_system *const *sys) {
  *out = nullptr;
  if (method != MD_COUL_EWALD && method != MD_COUL_PME)
    return md_error(MD_ERR_INTERNAL, "coul_gpu_create: method %d", method);
  coul_gpu *c = new coul_gpu();
  c->method = method;
  c->nsys = a->nsys;
  c->nelem = nelem;
  c->rc_max = 0.0;
  c->nk = 0;
  memset(&c->ek, 0, sizeof c->ek);
  c->kchunks = gpu_chunks{};
  std::vector<coulomb_info> info(c->nsys);
  std::vector<real_t> alpha(c->nsys), rc2(c->nsys), cst(7 * (size_t)c->nsys, 0.0);
  md_status st = MD_OK;
  for (int s = 0; s < c->nsys && st == MD_OK; s++) {
    coulomb *h = nullptr;
    st = coulomb_create(&h, method, accuracy, rcut, q_elem, nelem);
    if (st != MD_OK) break;
    c->host.push_back(h);
    st = coulomb_setup(h, sys[s]);
    if (st != MD_OK) break;
    coulomb_get_info(h, &info[s]);
    alpha[s] = info[s].alpha;
    real_t rc = coulomb_cutoff(h);
    rc2[s] = rc * rc;
    c->rc_max = fmax(c->rc_max, rc);
    real_t q1 = 0.0, q2 = 0.0;
    for (int i = 0; i < sys[s]->n; i++) {
      real_t q = q_elem[sys[s]->type[i]];
      q1 += q;
      q2 += q * q;
    }
    if (alpha[s] > 0.0 && q2 > 0.0) {
      real_t ebg = ewald_background_energy(alpha[s], q1, sys[s]->box.volume);
      cst[7 * s] = ewald_self_energy(alpha[s], q2) + ebg;
      cst[7 * s + 1] = cst[7 * s + 2] = cst[7 * s + 3] = ebg;
    }
  }
  std::vector<real_t> qv(q_elem, q_elem + nelem);
  if (st == MD_OK) st = upload(&c->d_qelem, qv, "charges");
  if (st == MD_OK) st = upload(&c->d_alpha, alpha, "Ewald alpha");
  if (st == MD_OK) st = upload(&c->d_rc2, rc2, "Coulomb cutoffs");
  if (st == MD_OK) st = upload(&c->d_const, cst, "Coulomb constants");
  if (st == MD_OK) st = method == MD_COUL_EWALD ? setup_ewald(c, a, sys, info) : setup_pme(c, a, sys, info, q_elem);
  if (st != MD_OK) {
    coul_gpu_destroy(&c);
    return st;
  }
  const coulomb_info &ci = info[0];
  if (method == MD_COUL_PME)
    snprintf(c->desc, sizeof c->desc,
             "coulomb pme (gpu): accuracy %g, alpha %.6g 1/A, rcut %.4g A, grid %dx%dx%d, order %d, est. force error %.3g eV/A",
             ci.accuracy, ci.alpha, ci.rcut, ci.grid[0], ci.grid[1], ci.grid[2], ci.order, ci.est_error_real + ci.est_error_kspace);
  else
    snprintf(c->desc, sizeof c->desc,
             "coulomb ewald (gpu): accuracy %g, alpha %.6g 1/A, rcut %.4g A, kmax %d %d %d, est. force error %.3g eV/A",
             ci.accuracy, ci.alpha, ci.rcut, ci.kmax[0], ci.kmax[1], ci.kmax[2], ci.est_error_real + ci.est_error_kspace);
  *out = c;
  return MD_OK;
}

extern "C" real_t coul_gpu_cutoff(const coul_gpu *c) { return c->rc_max; }
extern "C" const char *coul_gpu_describe(const coul_gpu *c) { return c->desc; }
extern "C" int coul_gpu_method(const coul_gpu *c) { return c->method; }

extern "C" md_status coul_gpu_compute_real(coul_gpu *c, const gpu_atoms *a, const nbr_list_gpu *nl, real_t *d_acc,
                                           void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  if (nl->half) return md_error(MD_ERR_INTERNAL, "coul_gpu: the real-space kernel needs a full list");
  if (nl->cutoff + nl->skin < c->rc_max * (1.0 - 1e-12))
    return md_error(MD_ERR_INTERNAL, "coul_gpu: list range %g Å below the real-space cutoff %g Å", nl->cutoff + nl->skin, c->rc_max);
  const pair_args A = pair_args_of(a, nl, d_acc);
  k_coul_real<<<gpu_blocks_for(a->ntot, GPU_THREADS), GPU_THREADS, 0, s>>>(A, c->d_qelem, c->d_alpha, c->d_rc2);
  GPU_CHECK_LAUNCH(s);
  return MD_OK;
}

extern "C" md_status coul_gpu_compute_kspace(coul_gpu *c, const gpu_atoms *a, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  if (c->method == MD_COUL_PME) {
    for (pme_gpu *p : c->pme) MD_TRY(pme_gpu_compute(p, a, stream));
    return MD_OK;
  }
  if (c->nk == 0) return MD_OK;
  ewald_kargs A = c->ek;
  A.pos = a->d_pos;
  A.box = a->d_box;
  A.force = a->d_force;
  A.halt = a->d_halt;
  k_ewald_sf<<<(unsigned)c->nk, EW_THREADS, 0, s>>>(A);
  GPU_CHECK_LAUNCH(s);
  k_ewald_force<<<gpu_blocks_for(a->ntot, GPU_THREADS), GPU_THREADS, 0, s>>>(A);
  GPU_CHECK_LAUNCH(s);
  return MD_OK;
}

extern "C" md_status coul_gpu_compute(coul_gpu *c, const gpu_atoms *a, const nbr_list_gpu *nl, real_t *d_acc, void *stream) {
  MD_TRY(coul_gpu_compute_real(c, a, nl, d_acc, stream));
  return coul_gpu_compute_kspace(c, a, stream);
}

extern "C" md_status coul_gpu_energy(coul_gpu *c, real_t *d_out, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  const int n7 = 7 * c->nsys;
  CUDA_CHECK(cudaMemsetAsync(d_out, 0, n7 * sizeof(real_t), s));
  if (c->method == MD_COUL_PME) {
    for (size_t b = 0; b < c->pme.size(); b++) MD_TRY(pme_gpu_energy(c->pme[b], d_out + 7 * c->pme_sys0[b], 0, stream));
  } else if (c->nk > 0) {
    MD_TRY(gpu_reduce_atoms(&c->kchunks, c->d_ek, c->nk, 7, d_out, 0, s));
  }
  k_coul_add_const<<<gpu_blocks_for(n7, 64), 64, 0, s>>>(n7, c->d_const, d_out);
  GPU_CHECK_LAUNCH(s);
  return MD_OK;
}
