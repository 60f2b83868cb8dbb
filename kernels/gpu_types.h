/* gpu_types.h — the device-side data layout shared by every CUDA driver (valid C and C++; no CUDA types).
 *
 * Many replicas: R independent systems are stored back to back ("ntot" atoms in all); every per-atom array is
 * indexed by the global atom index, atoms of system s are [sys_offset[s], sys_offset[s+1]), and atom_sys[i]
 * names the system of atom i. Kernels therefore run ONE launch for all replicas.
 *
 * Vectors are structures of arrays, component-major over all atoms: x = d_pos[i], y = d_pos[ntot + i],
 * z = d_pos[2 ntot + i] (same for velocities and forces). Per-system cells: d_box[s * 18 + k], k < 9 is H
 * (rows = cell vectors, as md_box.h), 9 <= k < 18 is H⁻¹ (md_box.hinv). Per-system scalars (energies) are
 * [nsys] arrays; per-system virials [9 * nsys] (row-major per system).
 *
 * Neighbour lists (nbr_list_gpu): padded, column-major for coalescing — entry k of atom i is at
 * [k * ntot + i], k < d_num[i] <= maxnbr; d_img holds the packed image shift of src/math/pbc.h, so the pair
 * vector is r_j + img·H_s − r_i with H_s the cell of i's system. Full lists hold both directions; half lists
 * hold each pair once with the CPU's rule (j > i, or j == i with a positive image).
 *
 * Units: Å, eV, ps, e (LAMMPS metal), as everywhere.
 */
#ifndef ESNAP_GPU_TYPES_H
#define ESNAP_GPU_TYPES_H

#include "md_hd.h"
#include "types.h"

MD_EXTERN_C_BEGIN

typedef struct gpu_atoms {
  int nsys;            /* systems (replicas) */
  int ntot;            /* atoms over all systems */
  int *d_sys_offset;   /* [nsys + 1] first atom of each system */
  int *d_atom_sys;     /* [ntot] system of each atom */
  int *d_type;         /* [ntot] element index (model order) */
  real_t *d_box;       /* [18 * nsys] H and H⁻¹ of each system (Å, 1/Å) */
  real_t *d_pos;       /* [3 * ntot] positions (Å) */
  int *d_img;          /* [3 * ntot] image counts (unwrapped = pos + img·H) */
  real_t *d_vel;       /* [3 * ntot] velocities (Å/ps) */
  real_t *d_force;     /* [3 * ntot] forces (eV/Å) */
  const int *d_halt;   /* the step sequence's halt word (gpu_kern.h: gpu_status.halt; set by gpu_forces_create),
                          NULL: none. Every force kernel returns at once while it is nonzero. */
} gpu_atoms;

typedef struct nbr_list_gpu {
  int ntot;            /* atoms the list was built for */
  int maxnbr;          /* capacity per atom (column stride is ntot) */
  int half;            /* 1: half list */
  real_t cutoff;       /* interaction cutoff (Å) */
  real_t skin;         /* Verlet skin (Å) */
  int *d_num;          /* [ntot] entries per atom */
  int *d_j;            /* [maxnbr * ntot] neighbour (global atom index) */
  int *d_img;          /* [maxnbr * ntot] packed image shift */
} nbr_list_gpu;

MD_EXTERN_C_END

#endif
