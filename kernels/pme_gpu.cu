// pme_gpu.cu — smooth PME reciprocal space on the device (see pme_gpu.h; bodies in pme_kern.h).
#include <cufft.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "gpu_launch.cuh"
#include "pme_kern.h"
#include "pme_tables.h"

extern "C" {
#include "pme_gpu.h"
}

#define PME_THREADS 256

struct pme_gpu {
  pme_kargs A;           // device pointers and sizes (force/pos/box pointers filled per call)
  int nb;                // systems in the batch
  int blocks_per_sys;    // kspace blocks per system mesh
  cufftHandle fwd, bwd;
  int planned;
  real_t *d_psi;
  real_t *d_partial;     // [nb blocks_per_sys 7]
  real_t *d_corr;        // [nb 7] − Σq² (self_e, self_w) per system
  unsigned long long *d_qfix;
  real_t *d_mesh, *d_cmesh;
  real_t *d_qelem;       // [nelem] charges (e)
  size_t bytes;
};

// ---- kernels ----

template <int P>
__global__ void k_pme_spread(pme_kargs A, long nthreads) {
  long t = GPU_INDEX();
  if (t < nthreads) pme_spread_body(t, &A, P);
}

__global__ void k_pme_convert(pme_kargs A, long npoints) {
  long k = GPU_INDEX();
  if (k < npoints) pme_convert_body(k, &A);
}

// block b: system b / bps, points (b % bps) PME_THREADS + t; per-block sums of E and W in thread order
__global__ void k_pme_kspace(pme_kargs A, int bps, real_t *__restrict__ partial) {
  __shared__ real_t part[7][PME_THREADS];
  if (kern_halted(A.halt)) return;  // block-uniform, before the barrier
  const int t = threadIdx.x;
  const long sb = blockIdx.x / bps, idx = (long)(blockIdx.x % bps) * PME_THREADS + t;
  real_t ev[7] = {0, 0, 0, 0, 0, 0, 0};
  if (idx < A.ncomplex) pme_kspace_body(sb * A.ncomplex + idx, &A, ev);
  for (int c = 0; c < 7; c++) part[c][t] = ev[c];
  __syncthreads();
  if (t < 7) partial[(long)blockIdx.x * 7 + t] = kern_sum_in_order(part[t], PME_THREADS);
}

template <int P>
__global__ void k_pme_gather(pme_kargs A) {
  long t = GPU_INDEX();
  if (t < A.natoms) pme_gather_body((int)t, &A, P);
}

// one instantiation per B-spline order (PME_MIN_ORDER … PME_MAX_ORDER)
#define PME_DISPATCH(ORDER, KERNEL, GRID, BLOCK, STREAM, ...)          \
  switch (ORDER) {                                                     \
    case 3: KERNEL<3><<<GRID, BLOCK, 0, STREAM>>>(__VA_ARGS__); break; \
    case 4: KERNEL<4><<<GRID, BLOCK, 0, STREAM>>>(__VA_ARGS__); break; \
    case 5: KERNEL<5><<<GRID, BLOCK, 0, STREAM>>>(__VA_ARGS__); break; \
    case 6: KERNEL<6><<<GRID, BLOCK, 0, STREAM>>>(__VA_ARGS__); break; \
    case 7: KERNEL<7><<<GRID, BLOCK, 0, STREAM>>>(__VA_ARGS__); break; \
    default: KERNEL<8><<<GRID, BLOCK, 0, STREAM>>>(__VA_ARGS__); break; \
  }

__global__ void k_pme_energy(int nb, int bps, const real_t *__restrict__ partial, const real_t *__restrict__ corr,
                             real_t *__restrict__ out, int add) {
  long idx = GPU_INDEX();
  if (idx >= (long)nb * 7) return;
  int s = (int)(idx / 7), c = (int)(idx % 7);
  real_t v = 0.0;
  for (int b = 0; b < bps; b++) v += partial[((long)s * bps + b) * 7 + c];
  v += corr[idx];
  out[idx] = add ? out[idx] + v : v;
}

// ---- host side ----

extern "C" void pme_gpu_destroy(pme_gpu **pp) {
  if (!pp || !*pp) return;
  pme_gpu *p = *pp;
  if (p->planned) {
    cufftDestroy(p->fwd);
    cufftDestroy(p->bwd);
  }
  gpu_free(&p->d_psi);
  gpu_free(&p->d_partial);
  gpu_free(&p->d_corr);
  gpu_free(&p->d_qfix);
  gpu_free(&p->d_mesh);
  gpu_free(&p->d_cmesh);
  gpu_free(&p->d_qelem);
  delete p;
  *pp = nullptr;
}

extern "C" md_status pme_gpu_create(pme_gpu **out, const gpu_atoms *a, int sys0, int nb, int first_atom, int natoms,
                                    const int grid[3], int order, real_t alpha, const md_box *const *boxes,
                                    const real_t *qelem, int nelem, const int *types_host) {
  *out = nullptr;
  MD_TRY(pme_check_params(grid, order, alpha));
  if ((long long)grid[0] * grid[1] * grid[2] * (nb > 0 ? nb : 1) > 2147483647LL)  // cufftPlanMany takes int sizes
    return md_error(MD_ERR_VALUE, "PME: mesh %d x %d x %d x %d systems is too large for one cuFFT plan", grid[0], grid[1],
                    grid[2], nb);
  pme_gpu *p = new pme_gpu();
  memset(&p->A, 0, sizeof p->A);
  p->nb = nb;
  pme_kargs &A = p->A;
  A.first_atom = first_atom;
  A.natoms = natoms;
  A.sys0 = sys0;
  A.ntot = a->ntot;
  for (int d = 0; d < 3; d++) A.K[d] = grid[d];
  A.order = order;
  A.alpha = alpha;
  A.nreal = (long)grid[0] * grid[1] * grid[2];
  A.ncomplex = (long)grid[0] * grid[1] * (grid[2] / 2 + 1);
  p->blocks_per_sys = (int)((A.ncomplex + PME_THREADS - 1) / PME_THREADS);
  // ψ shared when every cell of the batch is the same, else one per system
  int same = 1;
  for (int k = 1; k < nb; k++) same &= memcmp(boxes[k]->h, boxes[0]->h, sizeof boxes[0]->h) == 0;
  const int npsi = same ? 1 : nb;
  A.psi_stride = same ? 0 : A.ncomplex;
  std::vector<real_t> psi((size_t)npsi * A.ncomplex), corr((size_t)nb * 7);
  std::vector<real_t> self_e(npsi), self_w((size_t)npsi * 6);
  for (int k = 0; k < npsi; k++)
    if (pme_tables_compute(A.K, order, boxes[k], alpha, psi.data() + (size_t)k * A.ncomplex, &self_e[k],
                           &self_w[(size_t)k * 6]) != 0) {
      delete p;
      return md_error(MD_ERR_MEMORY, "PME: out of memory for the influence function");
    }
  // per-system Σ q² (the correction) and the largest Σ |q| (fixed-point scale)
  real_t sum_abs_max = 0.0;
  {
    std::vector<int> off(a->nsys + 1);
    if (cudaMemcpy(off.data(), a->d_sys_offset, (a->nsys + 1) * sizeof(int), cudaMemcpyDeviceToHost) != cudaSuccess) {
      cudaGetLastError();
      delete p;
      return md_error(MD_ERR_DEVICE, "CUDA: cannot read the system offsets");
    }
    for (int k = 0; k < nb; k++) {
      real_t s2 = 0.0, sa = 0.0;
      for (int i = off[sys0 + k]; i < off[sys0 + k + 1]; i++) {
        int t = types_host[i];
        real_t q = (t >= 0 && t < nelem) ? qelem[t] : 0.0;
        s2 += q * q;
        sa += fabs(q);
      }
      sum_abs_max = fmax(sum_abs_max, sa);
      const int ps = same ? 0 : k;
      pme_self_correction(s2, self_e[ps], &self_w[(size_t)ps * 6], &corr[(size_t)k * 7]);
    }
  }
  A.fix_scale = pme_fixed_scale(sum_abs_max);
  md_status st = gpu_alloc(&p->d_psi, psi.size(), "PME influence function");
  if (st == MD_OK) st = gpu_alloc(&p->d_partial, (size_t)nb * p->blocks_per_sys * 7, "PME energy partial sums");
  if (st == MD_OK) st = gpu_alloc(&p->d_corr, corr.size(), "PME corrections");
  if (st == MD_OK) st = gpu_alloc(&p->d_qfix, (size_t)nb * A.nreal, "PME fixed-point mesh");
  if (st == MD_OK) st = gpu_alloc(&p->d_mesh, (size_t)nb * A.nreal, "PME mesh");
  if (st == MD_OK) st = gpu_alloc(&p->d_cmesh, (size_t)nb * A.ncomplex * 2, "PME complex mesh");
  if (st == MD_OK) st = gpu_alloc(&p->d_qelem, (size_t)nelem, "charges");
  if (st == MD_OK && cudaMemcpy(p->d_qelem, qelem, nelem * sizeof(real_t), cudaMemcpyHostToDevice) != cudaSuccess)
    st = md_error(MD_ERR_DEVICE, "CUDA: cannot upload the charges");
  if (st == MD_OK && cudaMemcpy(p->d_psi, psi.data(), psi.size() * sizeof(real_t), cudaMemcpyHostToDevice) != cudaSuccess)
    st = md_error(MD_ERR_DEVICE, "CUDA: cannot upload the PME influence function");
  if (st == MD_OK && cudaMemcpy(p->d_corr, corr.data(), corr.size() * sizeof(real_t), cudaMemcpyHostToDevice) != cudaSuccess)
    st = md_error(MD_ERR_DEVICE, "CUDA: cannot upload the PME corrections");
  if (st == MD_OK) {
    int n[3] = {grid[0], grid[1], grid[2]};
    cufftResult r1 = cufftPlanMany(&p->fwd, 3, n, nullptr, 1, (int)A.nreal, nullptr, 1, (int)A.ncomplex, CUFFT_D2Z, nb);
    cufftResult r2 = r1 == CUFFT_SUCCESS
                         ? cufftPlanMany(&p->bwd, 3, n, nullptr, 1, (int)A.ncomplex, nullptr, 1, (int)A.nreal, CUFFT_Z2D, nb)
                         : r1;
    if (r1 == CUFFT_SUCCESS && r2 != CUFFT_SUCCESS) cufftDestroy(p->fwd);
    if (r1 != CUFFT_SUCCESS || r2 != CUFFT_SUCCESS)
      st = md_error(MD_ERR_DEVICE, "cuFFT: cannot plan a batch of %d %d x %d x %d transforms (%s)", nb, n[0], n[1], n[2],
                    esnap_cufft_name(r1 != CUFFT_SUCCESS ? r1 : r2));
    else
      p->planned = 1;
  }
  if (st != MD_OK) {
    pme_gpu_destroy(&p);
    return st;
  }
  A.psi = p->d_psi;
  A.qfix = p->d_qfix;
  A.mesh = p->d_mesh;
  A.cmesh = p->d_cmesh;
  A.qelem = p->d_qelem;
  p->bytes = (psi.size() + (size_t)nb * (A.nreal * 2 + A.ncomplex * 2)) * sizeof(real_t);
  *out = p;
  return MD_OK;
}

extern "C" md_status pme_gpu_compute(pme_gpu *p, const gpu_atoms *a, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  pme_kargs A = p->A;
  A.pos = a->d_pos;
  A.type = a->d_type;
  A.atom_sys = a->d_atom_sys;
  A.box = a->d_box;
  A.force = a->d_force;
  A.halt = a->d_halt;
  const long nr = (long)p->nb * A.nreal;
  CUDA_CHECK(cudaMemsetAsync(p->d_qfix, 0, nr * sizeof(unsigned long long), s));
  const long nsp = (long)A.natoms * A.order * A.order;
  PME_DISPATCH(A.order, k_pme_spread, gpu_blocks_for(nsp, PME_THREADS), PME_THREADS, s, A, nsp);
  GPU_CHECK_LAUNCH(s);
  k_pme_convert<<<gpu_blocks_for(nr, PME_THREADS), PME_THREADS, 0, s>>>(A, nr);
  GPU_CHECK_LAUNCH(s);
  CUFFT_CHECK(cufftSetStream(p->fwd, s));
  CUFFT_CHECK(cufftExecD2Z(p->fwd, (cufftDoubleReal *)p->d_mesh, (cufftDoubleComplex *)p->d_cmesh));
  k_pme_kspace<<<p->nb * p->blocks_per_sys, PME_THREADS, 0, s>>>(A, p->blocks_per_sys, p->d_partial);
  GPU_CHECK_LAUNCH(s);
  CUFFT_CHECK(cufftSetStream(p->bwd, s));
  CUFFT_CHECK(cufftExecZ2D(p->bwd, (cufftDoubleComplex *)p->d_cmesh, (cufftDoubleReal *)p->d_mesh));
  PME_DISPATCH(A.order, k_pme_gather, gpu_blocks_for(A.natoms, GPU_THREADS), GPU_THREADS, s, A);
  GPU_CHECK_LAUNCH(s);
  return MD_OK;
}

extern "C" md_status pme_gpu_energy(pme_gpu *p, real_t *d_out, int add, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  long n = (long)p->nb * 7;
  k_pme_energy<<<gpu_blocks_for(n, 64), 64, 0, s>>>(p->nb, p->blocks_per_sys, p->d_partial, p->d_corr, d_out, add);
  GPU_CHECK_LAUNCH(s);
  return MD_OK;
}

extern "C" size_t pme_gpu_bytes(const pme_gpu *p) { return p->bytes; }
