/* gpu_kern.h — helpers shared by the per-thread kernel bodies (kernels/<name>_kern.h).
 *
 * Every CUDA kernel of the MD step is written as a __global__ wrapper that computes its indices from
 * blockIdx/threadIdx and calls an MD_HD "body" function of those indices. The bodies live in <name>_kern.h
 * headers that include no CUDA header, so the Catch2 tests (tests/test_<name>_emul.cpp) call the very same
 * functions on the CPU by looping over the launch's index space (a CPU emulation of the grid) and compare
 * with the CPU backend. The atomics below are real atomics on the device and plain read-modify-writes on the
 * host, where the emulation runs one index at a time.
 *
 * Valid C and C++; no CUDA types.
 */
#ifndef ESNAP_GPU_KERN_H
#define ESNAP_GPU_KERN_H

#include "backend.h"
#include "md_hd.h"
#include "types.h"

/* ---- atomics: device atomics, host plain operations (sequential emulation) ---- */

MD_HD int kern_atomic_add_int(int *p, int v) {
#if defined(__CUDA_ARCH__)
  return atomicAdd(p, v);
#else
  int old = *p;
  *p = old + v;
  return old;
#endif
}

MD_HD void kern_atomic_min_int(int *p, int v) {
#if defined(__CUDA_ARCH__)
  atomicMin(p, v);
#else
  if (v < *p) *p = v;
#endif
}

MD_HD void kern_atomic_max_int(int *p, int v) {
#if defined(__CUDA_ARCH__)
  atomicMax(p, v);
#else
  if (v > *p) *p = v;
#endif
}

MD_HD void kern_atomic_or(unsigned *p, unsigned v) {
#if defined(__CUDA_ARCH__)
  atomicOr(p, v);
#else
  *p |= v;
#endif
}

/* 64-bit integer add (two's complement wrap-around: exact and order-independent) */
MD_HD void kern_atomic_add_u64(unsigned long long *p, unsigned long long v) {
#if defined(__CUDA_ARCH__)
  atomicAdd(p, v);
#else
  *p += v;
#endif
}

/* ---- the device status word: safety checks and capacity overflows ---- */

/* Reasons a step sequence stops (bits of gpu_status.flags): KERN_STOP_* of src/backend.h. */

/* One small struct in device memory, read back at output events (and after every chunk of steps). Once
 * `halt` is set every later kernel of the step sequence returns at once, so the state stays that of the
 * step that failed. */
typedef struct gpu_status {
  int halt;          /* nonzero: stop (the first KERN_STOP_* reason that halted) */
  unsigned flags;    /* every reason seen (bits) */
  long long step;    /* step at which the first reason was seen (-1: none) */
  int atom;          /* smallest global atom index involved (lost, non-finite, far), INT_MAX if none */
  int sys;           /* system of the halting reason (-1: none) */
  int rebuild;       /* 1: the neighbour lists must be rebuilt before the next force evaluation */
  int need[2];       /* largest neighbour count seen per list at the last build (capacity check) */
  long long builds;  /* neighbour-list builds so far */
} gpu_status;

/* 1 when the step sequence is halted (halt: gpu_atoms.d_halt; NULL never halts). Every force kernel body
 * (SNAP, Coulomb real space, Ewald, PME, ZBL, the force zeroing) returns at once then, so the steps left in a
 * captured multi-step graph after a halt cost their launches only and the forces stay those of the failing
 * step (the host reads them for its message). Only the integrator and neighbour-build kernels write the halt
 * word, never a force kernel, so the test is uniform over a force launch: kernels with barriers may return
 * before them. cuFFT's transforms and plain memsets read no halt word; on a halted step they run on stale
 * meshes whose results no kernel uses. */
MD_HD int kern_halted(const int *halt) { return halt != 0 && *halt != 0; }

/* The zero stage of a force evaluation, thread k: element k of each range p[r][0 .. len[r]) set to 0 unless
 * halted (one kernel rather than memsets, so that a halted step keeps the forces of the failing step). */
#define KERN_ZERO_MAX 4
typedef struct kern_zero_args {
  real_t *p[KERN_ZERO_MAX];
  long len[KERN_ZERO_MAX];
  int n;
  const int *halt;
} kern_zero_args;

MD_HD void kern_zero_body(long k, const kern_zero_args *MD_RESTRICT A) {
  if (kern_halted(A->halt)) return;
  for (int r = 0; r < A->n; r++)
    if (k < A->len[r]) A->p[r][k] = 0.0;
}

/* Record reason `why` for system s at `step` and atom `atom` (< 0: none); halt now when `halt_now`. */
MD_HD void kern_status_raise(gpu_status *st, unsigned why, int sys, long long step, int atom, int halt_now) {
  kern_atomic_or(&st->flags, why);
  if (atom >= 0) kern_atomic_min_int(&st->atom, atom);
#if defined(__CUDA_ARCH__)
  if (atomicCAS((unsigned long long *)&st->step, (unsigned long long)-1LL, (unsigned long long)step) ==
      (unsigned long long)-1LL)
    st->sys = sys;
  if (halt_now) atomicCAS(&st->halt, 0, (int)why);
#else
  if (st->step < 0) {
    st->step = step;
    st->sys = sys;
  }
  if (halt_now && st->halt == 0) st->halt = (int)why;
#endif
}

MD_HD void kern_status_init(gpu_status *st) {
  st->halt = 0;
  st->flags = 0;
  st->step = -1;
  st->atom = 0x7fffffff;
  st->sys = -1;
  st->rebuild = 0;
  st->need[0] = st->need[1] = 0;
  st->builds = 0;
}

/* ---- deterministic per-system sums ----
 * A per-atom quantity (ncomp components, component c of atom i at vals[c * stride + i]) is summed per system
 * in a fixed order: chunk k of KERN_CHUNK consecutive atoms of one system is summed by one block (thread t
 * takes atoms t, t + B, ... of the chunk; then thread 0 adds the B partial sums in thread order), and a
 * second pass adds each system's chunk sums in chunk order. The result is the same bits for every launch. */
#define KERN_CHUNK 2048
#define KERN_RED_THREADS 256

/* Chunks of each system: chunk_first[s] .. chunk_first[s+1]−1; chunk k covers atoms
 * [sys_offset[s] + (k − chunk_first[s]) KERN_CHUNK, min(sys_offset[s+1], ... + KERN_CHUNK)). Host helper. */
MD_HD int kern_chunks_of(int natoms) { return natoms > 0 ? (natoms + KERN_CHUNK - 1) / KERN_CHUNK : 1; }

/* Partial sum of thread t (of nthr) over atoms [first, end) of one chunk, component c. */
MD_HD real_t kern_chunk_partial(const real_t *MD_RESTRICT vals, long stride, int c, int first, int end, int t, int nthr) {
  real_t s = 0.0;
  for (int i = first + t; i < end; i += nthr) s += vals[(long)c * stride + i];
  return s;
}

/* Sum of nthr thread partials in thread order (the block's second phase). */
MD_HD real_t kern_sum_in_order(const real_t *MD_RESTRICT part, int n) {
  real_t s = 0.0;
  for (int t = 0; t < n; t++) s += part[t];
  return s;
}

#endif
