/* pbc.h — periodic-cell leaf math shared by the CPU backend and the CUDA kernels.
 * Row-vector convention: r = s · H, s = r · H⁻¹, rows of H are the cell vectors (see types.h). */
#ifndef ESNAP_MATH_PBC_H
#define ESNAP_MATH_PBC_H

#include "../md_hd.h"
#include "../types.h"

/* fractional coordinates of (x, y, z) */
MD_HD void pbc_to_frac(const real_t *MD_RESTRICT hinv, real_t x, real_t y, real_t z, real_t *MD_RESTRICT s) {
  s[0] = x * hinv[0] + y * hinv[3] + z * hinv[6];
  s[1] = x * hinv[1] + y * hinv[4] + z * hinv[7];
  s[2] = x * hinv[2] + y * hinv[5] + z * hinv[8];
}

/* Cartesian vector of fractional (s0, s1, s2) */
MD_HD void pbc_to_cart(const real_t *MD_RESTRICT h, real_t s0, real_t s1, real_t s2, real_t *MD_RESTRICT r) {
  r[0] = s0 * h[0] + s1 * h[3] + s2 * h[6];
  r[1] = s0 * h[1] + s1 * h[4] + s2 * h[7];
  r[2] = s0 * h[2] + s1 * h[5] + s2 * h[8];
}

/* An image shift n = (na, nb, nc), |n_k| < 512, packed into one int for neighbour lists. */
#define PBC_IMG_OFFSET 512
MD_HD int pbc_pack_image(int na, int nb, int nc) {
  return ((na + PBC_IMG_OFFSET) << 20) | ((nb + PBC_IMG_OFFSET) << 10) | (nc + PBC_IMG_OFFSET);
}
MD_HD void pbc_unpack_image(int p, int *MD_RESTRICT na, int *MD_RESTRICT nb, int *MD_RESTRICT nc) {
  *na = ((p >> 20) & 1023) - PBC_IMG_OFFSET;
  *nb = ((p >> 10) & 1023) - PBC_IMG_OFFSET;
  *nc = (p & 1023) - PBC_IMG_OFFSET;
}
#define PBC_IMG_ZERO ((PBC_IMG_OFFSET << 20) | (PBC_IMG_OFFSET << 10) | PBC_IMG_OFFSET)

/* Cartesian shift (Å) of a packed image: na a + nb b + nc c */
MD_HD void pbc_image_shift(const real_t *MD_RESTRICT h, int packed, real_t *MD_RESTRICT d) {
  int na, nb, nc;
  pbc_unpack_image(packed, &na, &nb, &nc);
  pbc_to_cart(h, (real_t)na, (real_t)nb, (real_t)nc, d);
}

/* Add a symmetric tensor given as 6 components (xx yy zz xy xz yz, the order of the per-atom and k-space
 * virials) to a full row-major 3×3 tensor. */
MD_HD void virial_add6(real_t v[9], const real_t w[6]) {
  v[0] += w[0];
  v[4] += w[1];
  v[8] += w[2];
  v[1] += w[3];
  v[3] += w[3];
  v[2] += w[4];
  v[6] += w[4];
  v[5] += w[5];
  v[7] += w[5];
}

#endif
