/* md_hd.h — the ONE place that defines MD_HD.
 *
 * Leaf formulas (SNAP, Ewald/PME, ZBL, thermostat, PBC) are written once as MD_HD inline functions and
 * called from both the CPU backend (C11) and the CUDA kernels (C++/nvcc). Under nvcc MD_HD expands to
 * __host__ __device__ inline; in C it is static inline.
 */
#ifndef ESNAP_MD_HD_H
#define ESNAP_MD_HD_H

#if defined(__CUDACC__)
#define MD_HD __host__ __device__ static inline
#define MD_RESTRICT __restrict__
#elif defined(__cplusplus)
#define MD_HD static inline
#define MD_RESTRICT __restrict__
#else
#define MD_HD static inline
#define MD_RESTRICT restrict
#endif

#ifdef __cplusplus
#define MD_EXTERN_C_BEGIN extern "C" {
#define MD_EXTERN_C_END }
#else
#define MD_EXTERN_C_BEGIN
#define MD_EXTERN_C_END
#endif

#endif
