/* snap_gpu.h — linear SNAP on a CUDA GPU for all R systems of a gpu_atoms (kernels/gpu_types.h) in one set of
 * launches: energy, forces and virial per system, per-atom energy and bispectrum on request. Same maths and
 * the same results (to round-off) as host/ff/snap_cpu.h; kernels and their design: kernels/snap_gpu.cu,
 * kernels/snap_gpu_body.h, kernels/NOTES.md (section SNAP). C-callable; no CUDA types (a stream is passed
 * as void *, a cudaStream_t).
 *
 * Contract of snap_gpu_compute:
 *  - nl is a FULL neighbour list (nbr_list_gpu, global atom indices) whose cutoff covers snap_gpu_cutoff();
 *    every pair's own cutoff rcutfac (R_i + R_j) is applied inside. Atom types must be < the model's number
 *    of elements (the caller validates them on the host, as the CPU backend does).
 *  - forces are ADDED to a->d_force (eV/Å); d_energy[nsys] (eV) and d_virial[9 nsys] (eV, row-major
 *    W_ab = sum r_a F_b per system) are ADDED to; d_eatom[ntot] (eV) and d_bisp[ntot nB] (atom-major, LAMMPS
 *    order, bzero subtracted when bzeroflag) are written when not NULL.
 *  - Everything is queued on `stream`; nothing synchronises with the host, nothing is allocated once the
 *    capacity suffices, so the call can be captured in a CUDA graph after snap_gpu_reserve() (a call that
 *    would have to grow the scratch while the stream is capturing fails with MD_ERR_DEVICE instead).
 *  - Deterministic: pair forces are stored per pair and gathered per atom, sums run in a fixed order, so two
 *    calls on the same input give bitwise identical results, and a system gives the same results alone or in
 *    a batch. (The one exception: a pair whose two directions fall on different sides of the cutoff by
 *    rounding — |r| equal to the cutoff to the last bit — is added with an atomic; its order is irrelevant
 *    unless two such pairs meet at one atom in one step.)
 *  - One snap_gpu must not be used by two streams at once (its scratch is shared). */
#ifndef ESNAP_SNAP_GPU_H
#define ESNAP_SNAP_GPU_H

#include "status.h"
#include "types.h"
#include "gpu_types.h"

MD_EXTERN_C_BEGIN

typedef struct snap_gpu snap_gpu;

/* Build the tables on the host (host/ff/snap_tables.h) and upload them; allocate scratch for ntot_capacity atoms
 * with maxnbr_capacity list entries each (0: allocate on first use). */
md_status snap_gpu_create(snap_gpu **out, const snap_params *p, int ntot_capacity, int maxnbr_capacity);
void snap_gpu_destroy(snap_gpu **s);
/* Largest pair cutoff (Å). */
real_t snap_gpu_cutoff(const snap_gpu *s);
/* Bispectrum components per atom (30 at twojmax 6). */
int snap_gpu_nbispectrum(const snap_gpu *s);
/* Grow the scratch (never shrinks) for ntot atoms and lists of maxnbr entries per atom; call before capturing
 * a graph. */
md_status snap_gpu_reserve(snap_gpu *s, int ntot, int maxnbr);
md_status snap_gpu_compute(snap_gpu *s, const gpu_atoms *a, const nbr_list_gpu *nl, real_t *d_energy,
                           real_t *d_virial, real_t *d_eatom, real_t *d_bisp, void *stream);

/* Kernel path: 0 = fast (chains, default), 1 = reference (one thread per atom with the CPU's per-pair leaf
 * drivers; slow, for validation). */
void snap_gpu_set_reference(snap_gpu *s, int on);

/* Per-stage timing for benchmarks (cudaEvents recorded between the stages; do not use while capturing).
 * snap_gpu_stage_ms synchronises and returns the times of the last call in ms, SNAP_GPU_NSTAGES values. */
enum { SNAP_GPU_NSTAGES = 6 };
const char *snap_gpu_stage_name(int k);
md_status snap_gpu_set_timing(snap_gpu *s, int on);
md_status snap_gpu_stage_ms(snap_gpu *s, double *ms);

MD_EXTERN_C_END

#endif
