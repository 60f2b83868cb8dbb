/* rdf.h — radial distribution functions g_ab(r) and coordination numbers n_ab(r) of every pair of element types,
 * accumulated over frames in fixed memory.
 *
 * Distances are minimum-image distances, and rmax is at most half the shortest perpendicular width of the cell:
 * then every pair closer than rmax is counted once, through its one image within rmax, in any triclinic cell
 * (a vector shorter than w_min/2 has every fractional component below 1/2, so it is the wrapped difference).
 * Bins: B equal bins on [0, rmax). Counts are integers (exact, independent of summation order).
 * Normalisation (F frames, N_a atoms of type a, <1/V> the mean inverse volume):
 *   g_ab(r) = c_ab(bin) / (F · N_a · N_b · <1/V> · 4π/3 (r_hi³ − r_lo³)),  c_ab counting ordered pairs
 *             (i of type a, j ≠ i of type b), so g → 1 for an ideal gas of N_b atoms (N_b, not N_b − 1);
 *   n_ab(r) = Σ_{bins up to r_hi} c_ab / (F · N_a): mean number of b atoms within r_hi of an a atom. */
#ifndef ESNAP_RDF_H
#define ESNAP_RDF_H

#include <stdint.h>

#include "binbuf.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

#define RDF_MAX_BINS 100000

typedef struct rdf_acc {
  int ntypes;                 /* element types */
  int nbins;
  double rmax;                /* Å */
  int64_t natoms[MD_MAX_ELEM];/* atoms of each type */
  int64_t frames;
  double inv_volume_sum;      /* Σ 1/V over frames (Å⁻³) */
  uint64_t *count;            /* [npairs * nbins] unordered pairs (a ≤ b) per bin */
} rdf_acc;

/* Pair index of types a ≤ b. */
int rdf_pair(int ntypes, int a, int b);
/* n atoms with types type[i] < ntypes; rmax (Å) ≤ half the shortest width of box (else MD_ERR_VALUE). */
md_status rdf_acc_create(rdf_acc **out, int ntypes, const int *type, int n, int nbins, double rmax, const md_box *box);
void rdf_acc_destroy(rdf_acc **a);
/* One frame (positions Å, any images). */
md_status rdf_acc_add(rdf_acc *a, const md_box *box, const int *type, int n, const real_t *x, const real_t *y, const real_t *z);
void rdf_acc_pack(const rdf_acc *a, binw *w);
md_status rdf_acc_unpack(rdf_acc *a, binr *r, const char *where);
/* dst += src (pooled replicas of the same system). */
md_status rdf_acc_merge(rdf_acc *dst, const rdf_acc *src);
/* g_ab and n_ab (ordered types a, b) at bin k. */
void rdf_values(const rdf_acc *a, int ta, int tb, int k, double *g, double *n);
/* DIR/rdf.dat: r_A (bin centre), g_ab for pairs a ≤ b, then n_ab, named with elem[]; inputs for the header. */
md_status rdf_write(const char *path, const rdf_acc *a, const char (*elem)[MD_NAME_LEN], const char *inputs);

MD_EXTERN_C_END

#endif
