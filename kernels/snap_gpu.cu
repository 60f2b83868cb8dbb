// snap_gpu.cu — linear SNAP on the GPU (API: kernels/snap_gpu.h). The __global__ wrappers below only turn
// blockIdx/threadIdx into indices and call the per-thread bodies of kernels/snap_gpu_body.h, which the CPU
// emulation tests run too. Stages, launch shapes and the reasoning behind them: kernels/NOTES.md ("SNAP").
//
//   stage   kernel        grid                              block          per thread
//   pairs   k_pairs       ceil(ntot/128)                    128            atom: compact the list
//           k_ck          (ceil(ntot/32), gck)              128            pair: a, b, s_n, reverse slot
//   ui      k_ui<TJ>      (ceil(ntot/128), TJ/2+1)          128            (atom, chain): U_tot, full layout
//   yi      k_yi          (ceil(ntot/32), gy)               (32, 8)        (atom, Y entries): Yw
//   deidrj  k_deidrj<TJ>  (ceil(ntot/32), gd)               (32, TJ/2+1)   (pair, chain): pair force
//   finish  k_atom        ceil(ntot/128)                    128            atom: F, W_i, E_i
//           k_sys         nsys                              256            system: E, W sums
//   bi      k_bi          (ceil(ntot/32), ceil(nB/8))       (32, 8)        (atom, k): B_k (on request)
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cuda_check.h"
#include "snap_gpu_body.h"

extern "C" {
#include "snap_gpu.h"
}

// sqrt(p/q) for the chain recursions: the same values as snap_tables.rootpq for every model (p, q <= 14), so one
// constant table serves all instances; compile-time indices turn each read into a constant-bank operand.
__constant__ real_t c_snap_rpq[SNAP_RPQ_LD * SNAP_RPQ_LD];

#define GC const __grid_constant__

__global__ void __launch_bounds__(SNAP_GPU_ATOM_BLOCK) k_pairs(GC snap_gpu_tab T, GC snap_gpu_work W) {
  snap_kern_pairs(T, W, blockIdx.x * SNAP_GPU_ATOM_BLOCK + threadIdx.x);
}

__global__ void __launch_bounds__(SNAP_GPU_CK_THREADS) k_ck(GC snap_gpu_tab T, GC snap_gpu_work W) {
  if (kern_halted(W.halt)) return;  // block-uniform, before the barriers
  __shared__ int ints[SNAP_GPU_BLK_INTS];
  const int a0 = blockIdx.x * SNAP_GPU_LANES;
  if (threadIdx.x < SNAP_GPU_LANES) snap_blk_count(W, a0, threadIdx.x, ints);
  __syncthreads();
  if (threadIdx.x == 0) snap_blk_prefix(ints);
  __syncthreads();
  const int total = ints[2 * SNAP_GPU_LANES];
  for (int p = blockIdx.y * SNAP_GPU_CK_THREADS + threadIdx.x; p < total; p += gridDim.y * SNAP_GPU_CK_THREADS) {
    int l, n;
    snap_blk_pair_of(ints, p, &l, &n);
    snap_kern_ck(T, W, a0 + l, n);
  }
}

template <int TJ>
__global__ void __launch_bounds__(SNAP_GPU_UI_ATOMS) k_ui(GC snap_gpu_tab T, GC snap_gpu_work W) {
  if (kern_halted(W.halt)) return;  // block-uniform, before the barriers
  __shared__ int ints[2 * SNAP_GPU_UI_ATOMS];
  const int a0 = blockIdx.x * SNAP_GPU_UI_ATOMS;
  snap_ui_count(W, a0, threadIdx.x, ints);
  __syncthreads();
  snap_ui_rank(threadIdx.x, ints);
  __syncthreads();
  snap_kern_ui<TJ>(T, W, c_snap_rpq, a0 + ints[SNAP_GPU_UI_ATOMS + threadIdx.x], blockIdx.y);
}

__global__ void __launch_bounds__(SNAP_GPU_LANES *SNAP_GPU_Y_WARPS) k_yi(GC snap_gpu_tab T, GC snap_gpu_work W) {
  snap_kern_yi(T, W, blockIdx.x * SNAP_GPU_LANES + threadIdx.x, blockIdx.y * SNAP_GPU_Y_WARPS + threadIdx.y,
               SNAP_GPU_Y_WARPS * gridDim.y);
}

template <int TJ>
__global__ void __launch_bounds__(SNAP_GPU_LANES *(TJ / 2 + 1)) k_deidrj(GC snap_gpu_tab T, GC snap_gpu_work W) {
  if (kern_halted(W.halt)) return;  // block-uniform, before the barriers
  extern __shared__ real_t sh[];
  const int a0 = blockIdx.x * SNAP_GPU_LANES, nch = blockDim.y;
  int *ints = snap_deidrj_ints(sh, nch);
  if (threadIdx.y == 0) snap_blk_count(W, a0, threadIdx.x, ints);
  __syncthreads();
  if (threadIdx.y == 0 && threadIdx.x == 0) snap_blk_prefix(ints);
  __syncthreads();
  const int total = ints[2 * SNAP_GPU_LANES];  // block-uniform
  for (int c = blockIdx.y; c * SNAP_GPU_LANES < total; c += gridDim.y) {
    const int p = c * SNAP_GPU_LANES + threadIdx.x;
    snap_kern_deidrj_chain<TJ>(W, c_snap_rpq, a0, p, threadIdx.y, threadIdx.x, sh, nch);
    __syncthreads();
    if (threadIdx.y == 0) snap_kern_deidrj_finish(T, W, a0, p, threadIdx.x, nch, sh);
    __syncthreads();
  }
}

__global__ void __launch_bounds__(SNAP_GPU_ATOM_BLOCK) k_ui_ref(GC snap_gpu_tab T, GC snap_gpu_work W) {
  snap_kern_ui_ref(T, W, blockIdx.x * SNAP_GPU_ATOM_BLOCK + threadIdx.x);
}

__global__ void __launch_bounds__(SNAP_GPU_ATOM_BLOCK) k_deidrj_ref(GC snap_gpu_tab T, GC snap_gpu_work W) {
  snap_kern_deidrj_ref(T, W, blockIdx.x * SNAP_GPU_ATOM_BLOCK + threadIdx.x);
}

__global__ void __launch_bounds__(SNAP_GPU_ATOM_BLOCK) k_atom(GC snap_gpu_tab T, GC snap_gpu_work W) {
  snap_kern_atom(T, W, blockIdx.x * SNAP_GPU_ATOM_BLOCK + threadIdx.x);
}

__global__ void __launch_bounds__(SNAP_GPU_SYS_THREADS) k_sys(GC snap_gpu_work W) {
  if (kern_halted(W.halt)) return;  // block-uniform, before the barriers
  extern __shared__ real_t sh[];
  snap_kern_sys_part(W, blockIdx.x, threadIdx.x, sh);
  __syncthreads();
  snap_kern_sys_final(W, blockIdx.x, threadIdx.x, sh);
}

__global__ void __launch_bounds__(SNAP_GPU_LANES *SNAP_GPU_Y_WARPS) k_bi(GC snap_gpu_tab T, GC snap_gpu_work W) {
  snap_kern_bi(T, W, blockIdx.x * SNAP_GPU_LANES + threadIdx.x, blockIdx.y * SNAP_GPU_Y_WARPS + threadIdx.y);
}

// ---------------------------------------------------------------------------------------------------------
// Host side

namespace {

const char *const kStageName[SNAP_GPU_NSTAGES] = {"pairs", "ui", "yi", "deidrj", "finish", "bi"};

struct Tables {  // device copies of host/ff/snap_tables.h and the GPU extras
  int *idxz = nullptr, *idxb = nullptr, *ufw_src = nullptr, *uadj_src = nullptr;
  int *y_off = nullptr, *y_jjz = nullptr, *y_order = nullptr, *h2f = nullptr;
  real_t *cglist = nullptr, *zw = nullptr, *bzero_b = nullptr, *betaz = nullptr, *ufw_coef = nullptr,
         *uadj_coef = nullptr;
};

}  // namespace

struct snap_gpu {
  snap_params p;
  snap_tables *t = nullptr;
  Tables d;
  snap_gpu_tab T;
  real_t cutmax = 0.0;
  int nsm = 132;
  int reference = 0;
  // scratch, sized for cap_ntot atoms with cap_maxnbr list entries
  int cap_ntot = 0, cap_maxnbr = 0;
  size_t cap_scr = 0;  // atoms of reference scratch
  int *cnt = nullptr, *pj = nullptr, *pimg = nullptr, *prev = nullptr;
  real_t *pr = nullptr, *pck = nullptr, *psw = nullptr, *pf = nullptr;
  real_t *ufr = nullptr, *ufi = nullptr, *yr = nullptr, *yi = nullptr, *eat = nullptr, *vat = nullptr;
  real_t *scr = nullptr;
  // timing
  int timing = 0;
  cudaEvent_t ev[SNAP_GPU_NSTAGES + 1] = {};
};

template <class X>
static md_status upload(X **dst, const X *src, size_t n) {
  const size_t bytes = (n > 0 ? n : 1) * sizeof(X);
  CUDA_CHECK(cudaMalloc((void **)dst, bytes));
  if (n > 0) CUDA_CHECK(cudaMemcpy(*dst, src, n * sizeof(X), cudaMemcpyHostToDevice));
  return MD_OK;
}

static void free_scratch(snap_gpu *s) {
  void *ptrs[] = {s->cnt, s->pj, s->pimg, s->prev, s->pr, s->pck, s->psw, s->pf,
                  s->ufr, s->ufi, s->yr, s->yi, s->eat, s->vat};
  for (void *p : ptrs) cudaFree(p);
  s->cnt = s->pj = s->pimg = s->prev = nullptr;
  s->pr = s->pck = s->psw = s->pf = s->ufr = s->ufi = s->yr = s->yi = s->eat = s->vat = nullptr;
  s->cap_ntot = s->cap_maxnbr = 0;
}

extern "C" void snap_gpu_destroy(snap_gpu **sp) {
  if (!sp || !*sp) return;
  snap_gpu *s = *sp;
  free_scratch(s);
  cudaFree(s->scr);
  void *tabs[] = {s->d.idxz, s->d.idxb, s->d.ufw_src, s->d.uadj_src, s->d.y_off, s->d.y_jjz, s->d.y_order,
                  s->d.h2f, s->d.cglist, s->d.zw, s->d.bzero_b, s->d.betaz, s->d.ufw_coef, s->d.uadj_coef};
  for (void *p : tabs) cudaFree(p);
  for (cudaEvent_t &e : s->ev)
    if (e) cudaEventDestroy(e);
  snap_tables_destroy(&s->t);
  delete s;
  *sp = nullptr;
}

static md_status upload_tables(snap_gpu *s) {
  const snap_tables *t = s->t;
  snap_gpu_extra x;
  snap_gpu_build_extra(t, &x);
  const size_t nz = (size_t)t->idxz_max, nh = (size_t)t->idxuh_max;
  MD_TRY(upload(&s->d.idxz, t->idxz, nz * SNAP_IZ_NF));
  MD_TRY(upload(&s->d.idxb, t->idxb, (size_t)t->idxb_max * SNAP_IB_NF));
  MD_TRY(upload(&s->d.cglist, t->cglist, (size_t)t->idxcg_max));
  MD_TRY(upload(&s->d.zw, t->zw, nz));
  MD_TRY(upload(&s->d.bzero_b, t->bzero_b, (size_t)t->idxb_max));
  MD_TRY(upload(&s->d.betaz, t->betaz, nz * (size_t)t->nelem));
  MD_TRY(upload(&s->d.ufw_src, t->ufw_src, 2 * nh));
  MD_TRY(upload(&s->d.ufw_coef, t->ufw_coef, 6 * nh));
  MD_TRY(upload(&s->d.uadj_src, t->uadj_src, 4 * nh));
  MD_TRY(upload(&s->d.uadj_coef, t->uadj_coef, 5 * nh));
  MD_TRY(upload(&s->d.y_off, x.y_off.data(), x.y_off.size()));
  MD_TRY(upload(&s->d.y_jjz, x.y_jjz.data(), x.y_jjz.size()));
  MD_TRY(upload(&s->d.y_order, x.y_order.data(), x.y_order.size()));
  MD_TRY(upload(&s->d.h2f, t->h2f, (size_t)t->idxuh_max));
  CUDA_CHECK(cudaMemcpyToSymbol(c_snap_rpq, t->rootpq, sizeof(real_t) * SNAP_RPQ_LD * SNAP_RPQ_LD));
  snap_gpu_tab &T = s->T;
  snap_gpu_fill_tab(&s->p, t, &T);
  T.idxz = s->d.idxz;
  T.idxb = s->d.idxb;
  T.cglist = s->d.cglist;
  T.zw = s->d.zw;
  T.bzero_b = s->d.bzero_b;
  T.betaz = s->d.betaz;
  T.ufw_src = s->d.ufw_src;
  T.uadj_src = s->d.uadj_src;
  T.ufw_coef = s->d.ufw_coef;
  T.uadj_coef = s->d.uadj_coef;
  T.y_off = s->d.y_off;
  T.y_jjz = s->d.y_jjz;
  T.y_order = s->d.y_order;
  T.h2f = s->d.h2f;
  return MD_OK;
}

extern "C" md_status snap_gpu_create(snap_gpu **out, const snap_params *p, int ntot_capacity, int maxnbr_capacity) {
  *out = nullptr;
  snap_gpu *s = new (std::nothrow) snap_gpu;
  if (!s) return md_error(MD_ERR_MEMORY, "snap_gpu: out of memory");
  s->p = *p;
  md_status st = snap_tables_create(&s->t, p);
  if (st != MD_OK) {
    delete s;
    return st;
  }
  s->cutmax = snap_max_cutoff(p);
  int dev = 0;
  cudaDeviceProp prop;
  if (cudaGetDevice(&dev) == cudaSuccess && cudaGetDeviceProperties(&prop, dev) == cudaSuccess)
    s->nsm = prop.multiProcessorCount;
  else
    cudaGetLastError();
  // k_yi and k_bi reread their block's U_tot (32 atoms x idxu_max entries, 72 kB at twojmax 6) from L1: prefer
  // L1 over shared memory for them (a hint; failure is harmless)
  if (cudaFuncSetAttribute(k_yi, cudaFuncAttributePreferredSharedMemoryCarveout, 0) != cudaSuccess ||
      cudaFuncSetAttribute(k_bi, cudaFuncAttributePreferredSharedMemoryCarveout, 0) != cudaSuccess)
    cudaGetLastError();
  st = upload_tables(s);
  if (st == MD_OK && (ntot_capacity > 0 || maxnbr_capacity > 0))
    st = snap_gpu_reserve(s, ntot_capacity > 0 ? ntot_capacity : 1, maxnbr_capacity > 0 ? maxnbr_capacity : 1);
  if (st != MD_OK) {
    snap_gpu_destroy(&s);
    return st;
  }
  *out = s;
  return MD_OK;
}

extern "C" real_t snap_gpu_cutoff(const snap_gpu *s) { return s->cutmax; }
extern "C" int snap_gpu_nbispectrum(const snap_gpu *s) { return s->t->idxb_max; }
extern "C" void snap_gpu_set_reference(snap_gpu *s, int on) { s->reference = on != 0; }

template <class X>
static md_status alloc(X **p, size_t n) {
  CUDA_CHECK(cudaMalloc((void **)p, (n > 0 ? n : 1) * sizeof(X)));
  return MD_OK;
}

extern "C" md_status snap_gpu_reserve(snap_gpu *s, int ntot, int maxnbr) {
  if (ntot < 0 || maxnbr < 0) return md_error(MD_ERR_VALUE, "snap_gpu_reserve: negative size");
  if (ntot > s->cap_ntot || maxnbr > s->cap_maxnbr) {
    const int nt = ntot > s->cap_ntot ? ntot : s->cap_ntot, mn = maxnbr > s->cap_maxnbr ? maxnbr : s->cap_maxnbr;
    free_scratch(s);
    const size_t N = (size_t)nt, P = (size_t)mn * N;
    const size_t nu = (size_t)s->t->idxu_max, nh = (size_t)s->t->idxuh_max;
    md_status st = MD_OK;
    if (st == MD_OK) st = alloc(&s->cnt, N);
    if (st == MD_OK) st = alloc(&s->pj, P);
    if (st == MD_OK) st = alloc(&s->pimg, P);
    if (st == MD_OK) st = alloc(&s->prev, P);
    if (st == MD_OK) st = alloc(&s->pr, 3 * P);
    if (st == MD_OK) st = alloc(&s->pck, 4 * P);
    if (st == MD_OK) st = alloc(&s->psw, P);
    if (st == MD_OK) st = alloc(&s->pf, 3 * P);
    if (st == MD_OK) st = alloc(&s->ufr, nu * N);
    if (st == MD_OK) st = alloc(&s->ufi, nu * N);
    if (st == MD_OK) st = alloc(&s->yr, nh * N);
    if (st == MD_OK) st = alloc(&s->yi, nh * N);
    if (st == MD_OK) st = alloc(&s->eat, N);
    if (st == MD_OK) st = alloc(&s->vat, 9 * N);
    if (st != MD_OK) {
      char why[256];
      snprintf(why, sizeof why, "%s", md_errmsg());  // md_error must not format its own buffer
      free_scratch(s);
      return md_error(MD_ERR_MEMORY, "snap_gpu: cannot allocate scratch for %d atoms x %d neighbours (%s)", nt, mn,
                      why);
    }
    s->cap_ntot = nt;
    s->cap_maxnbr = mn;
  }
  return MD_OK;
}

static md_status reserve_reference(snap_gpu *s, int ntot) {
  if ((size_t)ntot <= s->cap_scr) return MD_OK;
  cudaFree(s->scr);
  s->scr = nullptr;
  s->cap_scr = 0;
  MD_TRY(alloc(&s->scr, (size_t)ntot * snap_gpu_ref_scratch(s->t->idxuh_max)));
  s->cap_scr = (size_t)ntot;
  return MD_OK;
}

extern "C" const char *snap_gpu_stage_name(int k) { return k >= 0 && k < SNAP_GPU_NSTAGES ? kStageName[k] : "?"; }

extern "C" md_status snap_gpu_set_timing(snap_gpu *s, int on) {
  if (on)
    for (cudaEvent_t &e : s->ev)
      if (!e) CUDA_CHECK(cudaEventCreate(&e));
  s->timing = on != 0;
  return MD_OK;
}

extern "C" md_status snap_gpu_stage_ms(snap_gpu *s, double *ms) {
  if (!s->ev[0]) return md_error(MD_ERR_INTERNAL, "snap_gpu_stage_ms: timing was never enabled");
  CUDA_CHECK(cudaEventSynchronize(s->ev[SNAP_GPU_NSTAGES]));
  for (int k = 0; k < SNAP_GPU_NSTAGES; k++) {
    float t = 0.0f;
    CUDA_CHECK(cudaEventElapsedTime(&t, s->ev[k], s->ev[k + 1]));
    ms[k] = t;
  }
  return MD_OK;
}

// Launch check that never synchronises while the stream is being captured into a graph.
#define SNAP_LAUNCHED()                                                                                   \
  do {                                                                                                    \
    CUDA_CHECK(cudaGetLastError());                                                                       \
    if (ESNAP_CUDA_SYNC_CHECK && !capturing) CUDA_CHECK(cudaStreamSynchronize(st));                       \
  } while (0)
#define SNAP_MARK(k)                                                                                      \
  do {                                                                                                    \
    if (s->timing) CUDA_CHECK(cudaEventRecord(s->ev[k], st));                                             \
  } while (0)

#define SNAP_TJ_CASES(X) \
  X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14)

static md_status launch_ui(int tj, dim3 grid, cudaStream_t st, const snap_gpu_tab &T,
                           const snap_gpu_work &W) {
  switch (tj) {
#define SNAP_UI_CASE(J)                                                                   \
  case J:                                                                                 \
    k_ui<J><<<grid, SNAP_GPU_UI_ATOMS, 0, st>>>(T, W);                                    \
    break;
    SNAP_TJ_CASES(SNAP_UI_CASE)
#undef SNAP_UI_CASE
    default:
      return md_error(MD_ERR_UNSUPPORTED, "snap_gpu: twojmax %d", tj);
  }
  return MD_OK;
}

static md_status launch_deidrj(int tj, const snap_gpu_plan &pl, dim3 grid, cudaStream_t st, const snap_gpu_tab &T,
                               const snap_gpu_work &W) {
  const dim3 block(SNAP_GPU_LANES, pl.nch);
  switch (tj) {
#define SNAP_D_CASE(J)                                           \
  case J:                                                        \
    k_deidrj<J><<<grid, block, pl.d_smem, st>>>(T, W);           \
    break;
    SNAP_TJ_CASES(SNAP_D_CASE)
#undef SNAP_D_CASE
    default:
      return md_error(MD_ERR_UNSUPPORTED, "snap_gpu: twojmax %d", tj);
  }
  return MD_OK;
}

extern "C" md_status snap_gpu_compute(snap_gpu *s, const gpu_atoms *a, const nbr_list_gpu *nl, real_t *d_energy,
                                      real_t *d_virial, real_t *d_eatom, real_t *d_bisp, void *stream) {
  if (nl->half) return md_error(MD_ERR_INTERNAL, "snap_gpu: needs a full neighbour list, got a half list");
  if (nl->ntot != a->ntot)
    return md_error(MD_ERR_INTERNAL, "snap_gpu: neighbour list built for %d atoms, the systems have %d", nl->ntot,
                    a->ntot);
  if (nl->cutoff < s->cutmax * (1.0 - 1e-12))
    return md_error(MD_ERR_INTERNAL, "snap_gpu: neighbour list cutoff %g Å is below the SNAP cutoff %g Å", nl->cutoff,
                    s->cutmax);
  if (!d_energy || !d_virial) return md_error(MD_ERR_INTERNAL, "snap_gpu: energy and virial outputs are required");
  if (a->ntot <= 0) return MD_OK;
  cudaStream_t st = (cudaStream_t)stream;
  cudaStreamCaptureStatus cs = cudaStreamCaptureStatusNone;
  CUDA_CHECK(cudaStreamIsCapturing(st, &cs));
  const bool capturing = cs != cudaStreamCaptureStatusNone;
  const bool grow = a->ntot > s->cap_ntot || nl->maxnbr > s->cap_maxnbr ||
                    (s->reference && (size_t)a->ntot > s->cap_scr);
  if (grow && capturing)
    return md_error(MD_ERR_DEVICE,
                    "snap_gpu: scratch for %d atoms x %d neighbours must be reserved (snap_gpu_reserve) before "
                    "capturing a graph",
                    a->ntot, nl->maxnbr);
  MD_TRY(snap_gpu_reserve(s, a->ntot, nl->maxnbr));
  if (s->reference) MD_TRY(reserve_reference(s, a->ntot));
  if (s->timing && capturing) return md_error(MD_ERR_DEVICE, "snap_gpu: stage timing is not allowed while capturing");

  const snap_gpu_tab &T = s->T;
  const int nt = a->ntot, mn = nl->maxnbr;
  snap_gpu_work W;
  memset(&W, 0, sizeof W);
  W.ntot = nt;
  W.nsys = a->nsys;
  W.maxnbr = mn;
  W.P = (size_t)mn * (size_t)nt;
  W.atom_sys = a->d_atom_sys;
  W.type = a->d_type;
  W.sys_offset = a->d_sys_offset;
  W.box = a->d_box;
  W.pos = a->d_pos;
  W.force = a->d_force;
  W.num = nl->d_num;
  W.lj = nl->d_j;
  W.limg = nl->d_img;
  W.cnt = s->cnt;
  W.pj = s->pj;
  W.pimg = s->pimg;
  W.prev = s->prev;
  W.pr = s->pr;
  W.pck = s->pck;
  W.psw = s->psw;
  W.pf = s->pf;
  W.ufr = s->ufr;
  W.ufi = s->ufi;
  W.yr = s->yr;
  W.yi = s->yi;
  W.eat = s->eat;
  W.vat = s->vat;
  W.scr = s->scr;
  W.scr_ld = snap_gpu_ref_scratch(T.idxuh_max);
  W.energy = d_energy;
  W.virial = d_virial;
  W.eatom = d_eatom;
  W.bisp = d_bisp;
  W.halt = a->d_halt;
  const snap_gpu_plan pl = snap_gpu_make_plan(nt, mn, T.twojmax, T.idxuh_max, s->nsm);
  const int nba = (nt + SNAP_GPU_ATOM_BLOCK - 1) / SNAP_GPU_ATOM_BLOCK;

  SNAP_MARK(0);
  k_pairs<<<nba, SNAP_GPU_ATOM_BLOCK, 0, st>>>(T, W);
  SNAP_LAUNCHED();
  if (mn > 0) {
    k_ck<<<dim3(pl.nbx, pl.gck), SNAP_GPU_CK_THREADS, 0, st>>>(T, W);
    SNAP_LAUNCHED();
  }
  SNAP_MARK(1);
  if (s->reference)
    k_ui_ref<<<nba, SNAP_GPU_ATOM_BLOCK, 0, st>>>(T, W);
  else
    MD_TRY(launch_ui(T.twojmax, dim3(pl.nbu, pl.nch), st, T, W));
  SNAP_LAUNCHED();
  SNAP_MARK(2);
  k_yi<<<dim3(pl.nbx, pl.gy), dim3(SNAP_GPU_LANES, SNAP_GPU_Y_WARPS), 0, st>>>(T, W);
  SNAP_LAUNCHED();
  SNAP_MARK(3);
  if (s->reference)
    k_deidrj_ref<<<nba, SNAP_GPU_ATOM_BLOCK, 0, st>>>(T, W);
  else
    MD_TRY(launch_deidrj(T.twojmax, pl, dim3(pl.nbx, pl.gd), st, T, W));
  SNAP_LAUNCHED();
  SNAP_MARK(4);
  k_atom<<<nba, SNAP_GPU_ATOM_BLOCK, 0, st>>>(T, W);
  SNAP_LAUNCHED();
  k_sys<<<a->nsys, SNAP_GPU_SYS_THREADS, pl.sys_smem, st>>>(W);
  SNAP_LAUNCHED();
  SNAP_MARK(5);
  if (d_bisp) {
    k_bi<<<dim3(pl.nbx, (T.idxb_max + SNAP_GPU_Y_WARPS - 1) / SNAP_GPU_Y_WARPS), dim3(SNAP_GPU_LANES, SNAP_GPU_Y_WARPS),
           0, st>>>(T, W);
    SNAP_LAUNCHED();
  }
  SNAP_MARK(6);
  return MD_OK;
}
