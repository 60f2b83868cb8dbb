/* neighbor_gpu.h — Verlet neighbour lists on the device for R systems in one launch (kernels/neighbor_kern.h
 * has the algorithm; it is host/ff/neighbor.c's: any triclinic cell, any cutoff, packed image shifts, the same
 * full/half rule and the same per-atom order). One builder makes up to two lists from one stencil walk over
 * one cell grid (sized for the larger range), e.g. the full short-range list (SNAP, ZBL) and the Coulomb
 * real-space list. Lists are nbr_list_gpu (gpu_types.h): padded, column-major.
 *
 * Two ways to build:
 *  - nbr_gpu_build: decided by the host (start of a run, after set_state, checkpoints, eval): cells sorted
 *    with Thrust, lists built, the capacity grown and the build repeated until every atom fits. Synchronises.
 *  - nbr_gpu_build_guarded: the launch sequence of a rebuild that runs only when the device status says so
 *    (status->rebuild, set by the displacement check — fused into the integrator's drift kernel or
 *    nbr_gpu_check): no host decision, so it can be captured in a CUDA graph. Positions are wrapped into the
 *    cell (image counts updated) before each guarded rebuild. A list that outgrows its capacity raises
 *    KERN_STOP_OVERFLOW and halts the step sequence; the host then grows (nbr_gpu_build) and resumes.
 * Rebuild criterion: some atom moved more than skin/2 since the last build (as nbr_needs_rebuild).
 *
 * C-callable; device pointers; `stream` is a cudaStream_t. Units: Å. */
#ifndef ESNAP_NEIGHBOR_GPU_H
#define ESNAP_NEIGHBOR_GPU_H

#include "gpu_kern.h"
#include "gpu_types.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

typedef struct nbr_gpu nbr_gpu;

/* nlist lists (1 or 2) with cutoffs (Å) and half flags; skin (Å); boxes[s] the cells of the a->nsys systems
 * (host copies; their face widths size the cell grid); d_status a device gpu_status the builder reads and
 * updates (rebuild flag, need, builds). maxnbr0: initial capacity per atom (<= 0: estimated from the
 * density). */
md_status nbr_gpu_create(nbr_gpu **out, const gpu_atoms *a, const md_box *const *boxes, int nlist, const real_t *cutoff,
                         const int *half, real_t skin, int maxnbr0, gpu_status *d_status);
void nbr_gpu_destroy(nbr_gpu **nb);
/* The cells changed (host copies): recompute the grid; the next build must be a nbr_gpu_build. */
md_status nbr_gpu_set_boxes(nbr_gpu *nb, const md_box *const *boxes);
/* Host-decided build (see above); wrap = 1 also wraps the positions into the cell first. */
md_status nbr_gpu_build(nbr_gpu *nb, gpu_atoms *a, int wrap, void *stream);
/* The guarded rebuild sequence (no synchronisation; capturable). */
md_status nbr_gpu_build_guarded(nbr_gpu *nb, gpu_atoms *a, void *stream);
/* Displacement check: sets status->rebuild when some atom moved more than skin/2 (capturable). */
md_status nbr_gpu_check(nbr_gpu *nb, const gpu_atoms *a, void *stream);
/* Wrap positions into the cell (image counts updated), no list build. */
md_status nbr_gpu_wrap(nbr_gpu *nb, gpu_atoms *a, void *stream);

const nbr_list_gpu *nbr_gpu_list(const nbr_gpu *nb, int which);
int nbr_gpu_nlist(const nbr_gpu *nb);
/* Positions at the last build ([3 ntot], device) and the squared rebuild threshold (skin/2)² (Å²), for a
 * displacement check fused into another kernel. */
const real_t *nbr_gpu_x0(const nbr_gpu *nb);
real_t nbr_gpu_moved_limit2(const nbr_gpu *nb);
/* Host-side build count (direct builds; the device counts guarded ones in status->builds). */
long nbr_gpu_direct_builds(const nbr_gpu *nb);
/* Ask for a guarded rebuild (sets status->rebuild on the device; capturable). */
md_status nbr_gpu_request_rebuild(nbr_gpu *nb, void *stream);
/* Copy list `which` to host arrays num[ntot], j[maxnbr ntot], img[maxnbr ntot] (column-major). Synchronises. */
md_status nbr_gpu_download(const nbr_gpu *nb, int which, int *num, int *j, int *img);
/* The device status word: read or write the whole struct (synchronous). */
md_status gpu_status_read(const gpu_status *d, gpu_status *h);
md_status gpu_status_write(gpu_status *d, const gpu_status *h);

/* Capacity after a host-decided build: need + margin, margin = need/8 + 8 by default;
 * ESNAPMD_GPU_NBR_MARGIN=k sets it to k entries (0 = exactly the need, so that the next guarded rebuild
 * with a denser neighbourhood overflows: a test of the recovery path). */

MD_EXTERN_C_END

#endif
