/* snap_switch.h — the SNAP radial cutoff function f_c (eSNAP paper eq. 4; LAMMPS sna.cpp compute_sfac/dsfac).
 *   switchflag 1: f_c(r) = (cos(π (r - rmin0)/(rcut - rmin0)) + 1)/2 for rmin0 < r <= rcut, 1 below rmin0,
 *                 0 beyond rcut;
 *   switchflag 0: f_c = 1 (the neighbour list's hard cutoff is the only cutoff).
 * r, rmin0, rcut in Å; ds in 1/Å. */
#ifndef ESNAP_MATH_SNAP_SWITCH_H
#define ESNAP_MATH_SNAP_SWITCH_H

#include <math.h>

#include "../constants.h"
#include "../md_hd.h"
#include "../types.h"

MD_HD real_t snap_sfac(real_t r, real_t rmin0, real_t rcut, int switchflag) {
  if (switchflag == 0 || r <= rmin0) return 1.0;
  if (r > rcut) return 0.0;
  return 0.5 * (cos((r - rmin0) * (MD_PI / (rcut - rmin0))) + 1.0);
}

/* f_c and its derivative d f_c / dr */
MD_HD void snap_s_dsfac(real_t r, real_t rmin0, real_t rcut, int switchflag, real_t *MD_RESTRICT s,
                        real_t *MD_RESTRICT ds) {
  if (switchflag == 0 || r <= rmin0) {
    *s = 1.0;
    *ds = 0.0;
    return;
  }
  if (r > rcut) {
    *s = 0.0;
    *ds = 0.0;
    return;
  }
  const real_t k = MD_PI / (rcut - rmin0);
  const real_t t = (r - rmin0) * k;
  *s = 0.5 * (cos(t) + 1.0);
  *ds = -0.5 * sin(t) * k;
}

#endif
