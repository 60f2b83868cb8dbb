// gpu_launch.cuh — small CUDA-only helpers for the .cu drivers (not for C callers): launch shapes, typed
// allocation that reports sizes, and the system-aligned chunk map used by the deterministic reductions.
#ifndef ESNAP_GPU_LAUNCH_CUH
#define ESNAP_GPU_LAUNCH_CUH

#include <cuda_runtime.h>

#include "cuda_check.h"
#include "gpu_kern.h"

#define GPU_THREADS 128 /* per-atom kernels */

static inline unsigned gpu_blocks_for(long n, int threads) {
  long b = (n + threads - 1) / threads;
  return (unsigned)(b > 0 ? b : 1);
}

// After a launch on `stream`: the launch error always; with ESNAP_CUDA_SYNC_CHECK (debug builds) also the
// execution error, unless the stream is being captured into a graph (no synchronisation allowed then).
#define GPU_CHECK_LAUNCH(stream)                                                                          \
  do {                                                                                                    \
    CUDA_CHECK(cudaGetLastError());                                                                       \
    if (ESNAP_CUDA_SYNC_CHECK) {                                                                          \
      cudaStreamCaptureStatus cap_ = cudaStreamCaptureStatusNone;                                         \
      CUDA_CHECK(cudaStreamIsCapturing((stream), &cap_));                                                 \
      if (cap_ == cudaStreamCaptureStatusNone) CUDA_CHECK(cudaStreamSynchronize(stream));                 \
    }                                                                                                     \
  } while (0)

// Grid-stride-free index of a 1-D launch.
#define GPU_INDEX() ((long)blockIdx.x * blockDim.x + threadIdx.x)

// cudaMalloc of n elements of T (n may be 0: one element is allocated so the pointer is valid).
template <typename T>
static md_status gpu_alloc(T **p, size_t n, const char *what) {
  *p = nullptr;
  cudaError_t e = cudaMalloc((void **)p, (n > 0 ? n : 1) * sizeof(T));
  if (e != cudaSuccess) {
    cudaGetLastError();
    *p = nullptr;
    return md_error(MD_ERR_DEVICE, "CUDA: cannot allocate %zu bytes for %s (%s)", (n > 0 ? n : 1) * sizeof(T), what,
                    cudaGetErrorString(e));
  }
  return MD_OK;
}

template <typename T>
static void gpu_free(T **p) {
  if (*p) cudaFree(*p);
  *p = nullptr;
}

// Deterministic per-system reduction of per-atom values (gpu_kern.h): chunk map + the two kernels.
typedef struct gpu_chunks {
  int nchunk;          // chunks over all systems
  int nsys;
  int *d_first;        // [nchunk] first atom
  int *d_end;          // [nchunk] one past the last atom
  int *d_sys_first;    // [nsys + 1] first chunk of each system
  real_t *d_partial;   // [nchunk * maxcomp]
  int maxcomp;
} gpu_chunks;

md_status gpu_chunks_create(gpu_chunks *c, const int *sys_offset_host, int nsys, int maxcomp);
void gpu_chunks_destroy(gpu_chunks *c);
// out[s * ncomp + c] (+)= Σ_{atoms i of s} vals[c * stride + i]; add = 1 adds to out.
// Pass 1 only: c->d_partial[k * ncomp + comp] = sum of chunk k (system s owns chunks d_sys_first[s] …).
md_status gpu_reduce_chunks(const gpu_chunks *c, const real_t *vals, long stride, int ncomp, cudaStream_t stream);
md_status gpu_reduce_atoms(const gpu_chunks *c, const real_t *vals, long stride, int ncomp, real_t *out, int add,
                           cudaStream_t stream);

#endif
