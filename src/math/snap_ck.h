/* snap_ck.h — Cayley-Klein parameters of a neighbour (eSNAP paper eq. 4; Thompson 2015 eq. 2-3).
 * The neighbour at r = (x, y, z) (Å, relative to the central atom, |r| = r) is mapped onto the 3-sphere:
 *   θ0 = rfac0 π (r - rmin0)/(rcut - rmin0),  z0 = r / tan θ0,  r0 = sqrt(r² + z0²),
 *   a = (z0 - i z)/r0,  b = (y - i x)/r0        (|a|² + |b|² = 1).
 * ck[4] = (Re a, Im a, Re b, Im b); dck[3 c + k] = d ck[c] / d r_k (1/Å), k = x, y, z. */
#ifndef ESNAP_MATH_SNAP_CK_H
#define ESNAP_MATH_SNAP_CK_H

#include <math.h>

#include "../constants.h"
#include "../md_hd.h"
#include "../types.h"

/* Scale of the θ0 map, θ0 = (r - rmin0) rscale0: rscale0 = rfac0 π/(rcut - rmin0) (1/Å). */
MD_HD real_t snap_theta0_scale(real_t rfac0, real_t rmin0, real_t rcut) { return rfac0 * MD_PI / (rcut - rmin0); }

MD_HD void snap_ck(real_t x, real_t y, real_t z, real_t rcut, real_t rfac0, real_t rmin0,
                   real_t *MD_RESTRICT ck) {
  const real_t r = sqrt(x * x + y * y + z * z);
  const real_t theta0 = (r - rmin0) * snap_theta0_scale(rfac0, rmin0, rcut);
  const real_t z0 = r / tan(theta0);
  const real_t r0inv = 1.0 / sqrt(r * r + z0 * z0);
  ck[0] = r0inv * z0;
  ck[1] = -r0inv * z;
  ck[2] = r0inv * y;
  ck[3] = -r0inv * x;
}

/* Parameters and their gradients with respect to the neighbour's position, given r = |(x, y, z)|,
 * rscale0 = snap_theta0_scale(rfac0, rmin0, rcut) and tan0 = tan θ0 = tan((r - rmin0) rscale0) (the
 * transcendental part is separate so that a SIMD loop can call tan in scalar code first). */
MD_HD void snap_ck_d_tan(real_t x, real_t y, real_t z, real_t r, real_t rscale0, real_t tan0, real_t *MD_RESTRICT ck,
                         real_t *MD_RESTRICT dck) {
  const real_t rsq = r * r;
  const real_t z0 = r / tan0;
  const real_t dz0dr = z0 / r - (r * rscale0) * (rsq + z0 * z0) / rsq;
  const real_t r0inv = 1.0 / sqrt(rsq + z0 * z0);
  const real_t dr0invdr = -r0inv * r0inv * r0inv * (r + z0 * dz0dr);
  const real_t rinv = 1.0 / r;
  const real_t ux = x * rinv, uy = y * rinv, uz = z * rinv;
  ck[0] = r0inv * z0;
  ck[1] = -r0inv * z;
  ck[2] = r0inv * y;
  ck[3] = -r0inv * x;
  const real_t dar = dz0dr * r0inv + z0 * dr0invdr;
  dck[0] = dar * ux;
  dck[1] = dar * uy;
  dck[2] = dar * uz;
  dck[3] = -z * dr0invdr * ux;
  dck[4] = -z * dr0invdr * uy;
  dck[5] = -z * dr0invdr * uz - r0inv;
  dck[6] = y * dr0invdr * ux;
  dck[7] = y * dr0invdr * uy + r0inv;
  dck[8] = y * dr0invdr * uz;
  dck[9] = -x * dr0invdr * ux - r0inv;
  dck[10] = -x * dr0invdr * uy;
  dck[11] = -x * dr0invdr * uz;
}

/* Parameters and their gradients with respect to the neighbour's position. */
MD_HD void snap_ck_d(real_t x, real_t y, real_t z, real_t rcut, real_t rfac0, real_t rmin0,
                     real_t *MD_RESTRICT ck, real_t *MD_RESTRICT dck) {
  const real_t r = sqrt(x * x + y * y + z * z);
  const real_t rscale0 = snap_theta0_scale(rfac0, rmin0, rcut);
  snap_ck_d_tan(x, y, z, r, rscale0, tan((r - rmin0) * rscale0), ck, dck);
}

#endif
