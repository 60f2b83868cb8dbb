/* density.h — time-averaged number density of one species on a uniform grid over the cell, written as a
 * Gaussian cube file.
 *
 * Grid: n_k = max(1, round(|cell vector k| / spacing)) points along cell vector k; point (i0, i1, i2) sits at
 * fractional (i0/n0, i1/n1, i2/n2). Each ion adds one count to its nearest grid point (fractional rounding, with
 * wrap-around), so counts are integers and a frame adds exactly N_ion. Density at a point = counts / (frames ·
 * V_voxel), V_voxel = V / (n0 n1 n2): its sum over the grid times V_voxel is N_ion. Memory: 4 bytes per point.
 *
 * Cube file (Gaussian format, read by ASE, VESTA, OVITO): lengths in Bohr, as the format requires (1 Bohr =
 * 0.529177210903 Å), the density in ions per Bohr³, so that Σ values × voxel volume (Bohr³) = N_ion. Comment
 * lines say so. The atoms listed are those of the first frame (all species, wrapped into the cell). */
#ifndef ESNAP_DENSITY_H
#define ESNAP_DENSITY_H

#include <stdint.h>

#include "binbuf.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

#define DENSITY_MAX_POINTS 200000000L
#define DENSITY_BOHR 0.529177210903 /* Å */

typedef struct density_acc {
  int n[3];               /* grid points along a, b, c */
  int nion;
  int64_t frames;
  double volume_sum;      /* Σ V over frames (Å³) */
  uint32_t *count;        /* [n0 n1 n2], i2 fastest */
  /* atoms of the first frame, for the cube file */
  int natoms;
  int *z;                 /* [natoms] atomic numbers */
  double *pos;            /* [3 natoms] Å */
  md_box box;             /* cell of the first frame */
} density_acc;

/* Grid for cell box with the given spacing (Å, > 0); nion ions per frame. */
md_status density_acc_create(density_acc **out, const md_box *box, double spacing, int nion);
void density_acc_destroy(density_acc **a);
/* The atoms listed in the cube file (once; later calls do nothing): all atoms of a frame. */
md_status density_acc_set_atoms(density_acc *a, const md_box *box, int n, const int *type, const char (*elem)[MD_NAME_LEN],
                                const real_t *x, const real_t *y, const real_t *z);
md_status density_acc_add(density_acc *a, const md_box *box, int n, const real_t *x, const real_t *y, const real_t *z);
void density_acc_pack(const density_acc *a, binw *w);
md_status density_acc_unpack(density_acc *a, binr *r, const char *where);
md_status density_acc_merge(density_acc *dst, const density_acc *src);
/* Atomic number of an element symbol (H..Kr), 0 when unknown. */
int density_atomic_number(const char *sym);
md_status density_write_cube(const char *path, const density_acc *a, const char *species, const char *inputs);

MD_EXTERN_C_END

#endif
