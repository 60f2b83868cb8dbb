/* neighbor.h — Verlet neighbour lists from cell lists, for any triclinic cell and any cutoff (a cutoff
 * larger than half the cell sees several images of the same atom, and of the atom itself).
 *
 * An entry (i, j, img) means the pair vector r_ij = r_j + img·H − r_i, where img = (na, nb, nc) is a packed
 * image shift (src/math/pbc.h) valid for the positions given to nbr_build: positions need not be wrapped.
 * Keep the cell fixed between builds; rebuild when nbr_needs_rebuild says so.
 *
 * A full list holds every pair in both directions (i's neighbours are all j within cutoff + skin); a half
 * list holds each pair once (j > i, or j == i with a lexicographically positive image).
 */
#ifndef ESNAP_NEIGHBOR_H
#define ESNAP_NEIGHBOR_H

#include <stddef.h>

#include "nbr_cells.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

typedef struct nbr_list {
  real_t cutoff;   /* interaction cutoff (Å) */
  real_t skin;     /* Verlet skin (Å); the list holds pairs within cutoff + skin */
  int half;        /* 1: half list, 0: full list */
  int n;           /* atoms at the last build */
  int *offset;     /* [n+1]: neighbours of i are entries offset[i] .. offset[i+1]-1 */
  int *j;          /* [entries] neighbour atom index */
  int *img;        /* [entries] packed image shift */
  size_t cap;      /* allocated entries */
  real_t *x0;      /* [3n] positions at the last build (x0, y0, z0 blocks) */
  md_box box0;     /* cell at the last build */
  long builds;     /* number of builds so far */
  nbr_geom geom;   /* cell grid at the last build (src/nbr_cells.h) */
  /* scratch */
  int *cell_head, *cell_next, *atom_cell, *counts;
  real_t *frac;    /* [3n] wrapped fractional coordinates */
  int *own;        /* [3n] floor of the fractional coordinates */
  int ncell_cap, natom_cap;
} nbr_list;

md_status nbr_create(nbr_list **out, real_t cutoff, real_t skin, int half);
void nbr_destroy(nbr_list **nl);
/* Build the list for the system's current positions and cell. */
md_status nbr_build(nbr_list *nl, const md_system *s);
/* Build the list in the system's cell for the positions x0 ([3n], x, y, z blocks) instead of its current ones:
 * the list a build at those positions gave, with x0 as the reference of nbr_needs_rebuild (restarts). */
md_status nbr_build_at(nbr_list *nl, const md_system *s, const real_t *x0);
/* 1 when some atom moved more than skin/2 since the last build, the cell or atom count changed, or the list
 * was never built; 0 otherwise. */
int nbr_needs_rebuild(const nbr_list *nl, const md_system *s);
/* The cell grid (src/nbr_cells.h nbr_geom_for) for a cell, range rl = cutoff + skin (Å) and n atoms, or an
 * MD_ERR_VALUE status that says why it cannot be built (shared by the CPU and device list builders). */
md_status nbr_geom_check(const md_box *box, real_t rl, int n, nbr_geom *g);
/* The closest listed pair (Å; +inf and ia = ib = −1 when the list is empty) of the positions in s, the list
 * built for them; the CPU's safety check (the device's is pair_min_distance in kernels/pair_kern.h). */
void nbr_min_distance(const nbr_list *nl, const md_system *s, real_t *dmin, int *ia, int *ib);
/* Total entries. */
static inline size_t nbr_entries(const nbr_list *nl) { return nl->n > 0 ? (size_t)nl->offset[nl->n] : 0; }

MD_EXTERN_C_END

#endif
