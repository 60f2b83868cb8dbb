/* cuda_check.h — every CUDA / cuFFT call goes through a CHECK macro that turns a failure into an md_status
 * whose message names the source file and line. ESNAP_CUDA_SYNC_CHECK=1 (debug builds, compute-sanitizer
 * runs) also synchronises after each kernel launch so an asynchronous fault is reported at its launch. */
#ifndef ESNAP_CUDA_CHECK_H
#define ESNAP_CUDA_CHECK_H

#include <cuda_runtime.h>
#include <cufft.h>

#include "status.h"

#ifndef ESNAP_CUDA_SYNC_CHECK
#ifdef NDEBUG
#define ESNAP_CUDA_SYNC_CHECK 0
#else
#define ESNAP_CUDA_SYNC_CHECK 1
#endif
#endif

static inline const char *esnap_cufft_name(cufftResult r) {
  switch (r) {
    case CUFFT_SUCCESS: return "CUFFT_SUCCESS";
    case CUFFT_INVALID_PLAN: return "CUFFT_INVALID_PLAN";
    case CUFFT_ALLOC_FAILED: return "CUFFT_ALLOC_FAILED";
    case CUFFT_INVALID_VALUE: return "CUFFT_INVALID_VALUE";
    case CUFFT_INTERNAL_ERROR: return "CUFFT_INTERNAL_ERROR";
    case CUFFT_EXEC_FAILED: return "CUFFT_EXEC_FAILED";
    case CUFFT_SETUP_FAILED: return "CUFFT_SETUP_FAILED";
    case CUFFT_INVALID_SIZE: return "CUFFT_INVALID_SIZE";
    default: return "cuFFT error";
  }
}

/* Return an md_status from the enclosing function on a CUDA error. */
#define CUDA_CHECK(call)                                                                                  \
  do {                                                                                                    \
    cudaError_t esnap_e_ = (call);                                                                        \
    if (esnap_e_ != cudaSuccess)                                                                          \
      return md_error(MD_ERR_DEVICE, "CUDA error at %s:%d: %s (%s)", __FILE__, __LINE__,                 \
                      cudaGetErrorString(esnap_e_), #call);                                               \
  } while (0)

#define CUFFT_CHECK(call)                                                                                 \
  do {                                                                                                    \
    cufftResult esnap_r_ = (call);                                                                        \
    if (esnap_r_ != CUFFT_SUCCESS)                                                                        \
      return md_error(MD_ERR_DEVICE, "cuFFT error at %s:%d: %s (%s)", __FILE__, __LINE__,                \
                      esnap_cufft_name(esnap_r_), #call);                                                 \
  } while (0)

/* After a kernel launch: the launch error always, and with ESNAP_CUDA_SYNC_CHECK the execution error. */
#define CUDA_CHECK_LAUNCH()                                                                               \
  do {                                                                                                    \
    CUDA_CHECK(cudaGetLastError());                                                                       \
    if (ESNAP_CUDA_SYNC_CHECK) CUDA_CHECK(cudaDeviceSynchronize());                                       \
  } while (0)

#endif
