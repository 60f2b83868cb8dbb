/* snap_gpu_layout.h — what every SNAP kernel body shares (kernels/snap_gpu_body.h, kernels/snap_gpu_chain.h):
 * the unrolling rule, the launch shapes, compile-time index helpers of the U layers, and the two argument
 * structs (tables snap_gpu_tab, per-launch work snap_gpu_work). */
#ifndef ESNAP_SNAP_GPU_LAYOUT_H
#define ESNAP_SNAP_GPU_LAYOUT_H

#include <stddef.h>

#include "snap_tables.h"
#include "math/snap_zy.h"
#include "gpu_kern.h"
#include "gpu_types.h"

/* Chain loops are unrolled completely up to twojmax snap_gpu_unroll_max (registers, compile-time indices);
 * above it they stay rolled (local-memory arrays; those models spill registers anyway, and unrolling them
 * costs minutes of compile time). SNAP_UNROLL is used only where a template parameter TJ is in scope. */
static constexpr int snap_gpu_unroll_max = 10;
#if defined(__CUDA_ARCH__) /* device compilation pass only (the host compiler does not know the pragma) */
#define SNAP_UNROLL _Pragma("unroll (TJ <= snap_gpu_unroll_max ? 64 : 1)")
#define SNAP_UNROLL4 _Pragma("unroll 4") /* independent iterations with dependent loads: keep 4 in flight */
#else
#define SNAP_UNROLL
#define SNAP_UNROLL4
#endif

/* Launch shapes (threads per block) */
enum {
  SNAP_GPU_LANES = 32,         /* atoms per warp in every (atom, ...) kernel */
  SNAP_GPU_ATOM_BLOCK = 128,   /* pairs, atom */
  SNAP_GPU_CK_THREADS = 128,   /* ck: pairs of 32 atoms, 128 at a time */
  SNAP_GPU_Y_WARPS = 8,        /* yi, bi: 32 atoms x 8 entries */
  SNAP_GPU_SYS_THREADS = 256,  /* sys */
  SNAP_GPU_NRED = 10           /* values per atom reduced per system: E, W (9) */
};

/* ---------------------------------------------------------------------------------------------------------
 * Compile-time index helpers (valid for any j >= 0) */
MD_HD constexpr int snap_c_ublock(int j) { return j <= 0 ? 0 : snap_c_ublock(j - 1) + j * j; }
MD_HD constexpr int snap_c_uhblock(int j) { return j <= 0 ? 0 : snap_c_uhblock(j - 1) + j * ((j - 1) / 2 + 1); }
/* first owned entry of layer j >= 2 mb in chain mb's list, and the length of that list */
MD_HD constexpr int snap_c_owned(int mb, int j) { return j * (j + 1) / 2 - mb * (2 * mb + 1); }
MD_HD constexpr int snap_c_nowned(int tj, int mb) { return snap_c_owned(mb, tj + 1); }
/* rows of layers 0 .. tj-1 kept for the reverse pass */
MD_HD constexpr int snap_c_nstore(int tj) { return tj * (tj + 1) / 2; }
/* ui keeps chain 0's accumulators in registers up to twojmax 8 (45 complex numbers; measured with
 * -Xptxas -v: 168 registers at twojmax 6, no spills), above that it accumulates in the output array */
MD_HD constexpr bool snap_c_ui_reg(int tj) { return tj <= 8; }

/* ---------------------------------------------------------------------------------------------------------
 * Tables (device pointers on the GPU, host pointers in the emulation) and work arrays. Both are passed to the
 * kernels by value (const __grid_constant__). */
typedef struct snap_gpu_tab {
  int twojmax, nelem, idxu_max, idxuh_max, idxz_max, idxb_max;
  int switchflag;
  real_t rfac0, rmin0, wself;
  int idxu_block[MD_SNAP_MAX_TWOJ + 1], idxuh_block[MD_SNAP_MAX_TWOJ + 1];
  real_t rcut[MD_MAX_ELEM * MD_MAX_ELEM];   /* pair cutoff rcutfac (R_a + R_b) (Å) */
  real_t rcutsq[MD_MAX_ELEM * MD_MAX_ELEM]; /* Å² */
  real_t weight[MD_MAX_ELEM];               /* neighbour weight w_elem */
  real_t e0[MD_MAX_ELEM];                   /* β0 - sum_k β_k bzero_k per central element (eV) */
  /* host/ff/snap_tables.h, as built */
  const int *idxz, *idxb;
  const real_t *cglist, *zw, *bzero_b, *betaz;
  const int *ufw_src, *uadj_src;             /* reference path */
  const real_t *ufw_coef, *uadj_coef;        /* reference path */
  /* GPU extras (snap_gpu_build_extra) */
  const int *y_off;   /* [idxuh_max + 1]: Z entries of half entry h are y_jjz[y_off[h] .. y_off[h+1]-1] */
  const int *y_jjz;   /* [idxz_max] ascending in each h */
  const int *y_order; /* [idxuh_max] half entries by decreasing Z work (load balance of yi) */
  const int *h2f;     /* [idxuh_max] full-layout index of half entry h (host/ff/snap_tables.h) */
} snap_gpu_tab;

typedef struct snap_gpu_work {
  int ntot, nsys, maxnbr;
  size_t P; /* maxnbr * ntot: stride of one component of the per-pair arrays */
  /* atoms and neighbour list (kernels/gpu_types.h) */
  const int *atom_sys, *type, *sys_offset;
  const real_t *box, *pos;
  real_t *force;
  const int *num, *lj, *limg;
  /* per pair slot */
  int *cnt;        /* [ntot] pairs inside the cutoff */
  int *pj, *pimg;  /* neighbour and packed image */
  int *prev;       /* slot of the reverse pair (j -> i, -img) in j's compact list, -1 if j has none */
  real_t *pr;      /* [3P] r_n - r_i (Å) */
  real_t *pck;     /* [4P] Re a, Im a, Re b, Im b */
  real_t *psw;     /* [P] s_n = w_elem f_c(r) */
  real_t *pf;      /* [3P] dE_i/dr_n (eV/Å) */
  /* per atom */
  real_t *ufr, *ufi; /* [idxu_max ntot] U_tot, full layout */
  real_t *yr, *yi;   /* [idxuh_max ntot] Yw, half layout (eV) */
  real_t *eat;       /* [ntot] E_i (eV) */
  real_t *vat;       /* [9 ntot] W_i (eV) */
  real_t *scr;       /* reference path: [ntot * scr_ld] per-atom scratch */
  size_t scr_ld;
  /* outputs */
  real_t *energy, *virial, *eatom, *bisp;
  const int *halt; /* halt word (kern_halted; NULL: none): every snap_kern_* body returns at once while it is set */
} snap_gpu_work;

/* Atomic add on the device, plain add in the emulation. Only orphan pairs use it (see snap_pair_force). */
MD_HD void snap_atomic_add(real_t *p, real_t v) {
#if defined(__CUDA_ARCH__)
  atomicAdd(p, v);
#else
  *p += v;
#endif
}

#endif
