/* snap_tables.h — index lists and coefficient tables of linear SNAP, built once per model on the host and
 * used unchanged by every backend (a CUDA backend uploads each array as it is). Conventions: src/math/snap.h.
 *
 * Layout (all flat, 0-based; sizes in brackets):
 *   idxu_block[j], idxuh_block[j]  start of layer j in the full / half U layout; idxu_max, idxuh_max entries
 *   rootpq[p * SNAP_RPQ_LD + q]    sqrt(p/q), 1 <= p, q <= twojmax
 *   cglist[idxcg_max]              Clebsch-Gordan coefficients, blocks (j1 >= j2, j) in LAMMPS order, inside a
 *                                  block entry (m1, m2) at m1 (j2+1) + m2 (VMK 8.2.1(3), as LAMMPS)
 *   idxz[idxz_max * SNAP_IZ_NF]    Z entries (fields SNAP_IZ_*), zw[idxz_max] = 2 w (B weights)
 *   idxb[idxb_max * SNAP_IB_NF]    B components in LAMMPS order (fields SNAP_IB_*)
 *   bzero_b[idxb_max]              the isolated-atom B_k (wself^3 (j+1)) when bzeroflag, else 0
 *   ufw_src[2 idxuh_max], ufw_coef[6 idxuh_max]    forward U recursion, per half entry (src/math/snap_u.h)
 *   uadj_src[4 idxuh_max], uadj_coef[5 idxuh_max]  adjoint (gather form), per half entry of layers < twojmax
 *   betaz[nelem * idxz_max]        per central element: 2 w f β_k, the weight of Z[jjz] in Yw[JJUH]
 *                                  (multiplicity f as LAMMPS compute_yi, snap.h) (eV)
 *   h2f[idxuh_max]                 full-layout index of half entry h (snap_atom_energy)
 *   e0[nelem]                      per central element β0 - sum_k β_k bzero_k (snap_energy_offset) (eV)
 * idxz_max at twojmax 6 / 8 / 14: 714 / 2221 / 24172 (LAMMPS keeps also the w = 0 entries: 779 / 2386 / 25306). */
#ifndef ESNAP_SNAP_TABLES_H
#define ESNAP_SNAP_TABLES_H

#include "math/snap.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

typedef struct snap_tables {
  int twojmax;
  int nelem;
  int idxu_max;  /* U entries, full layout */
  int idxuh_max; /* U entries, half layout */
  int idxz_max;  /* Z entries */
  int idxb_max;  /* bispectrum components B_k (ncoeff - 1) */
  int idxcg_max; /* Clebsch-Gordan coefficients */
  int idxu_block[MD_SNAP_MAX_TWOJ + 1];
  int idxuh_block[MD_SNAP_MAX_TWOJ + 1];
  real_t wself;                                  /* self weight on the U_tot diagonal (1) */
  real_t rootpq[SNAP_RPQ_LD * SNAP_RPQ_LD];
  int *idxz;
  int *idxb;
  real_t *cglist;
  real_t *zw;
  real_t *bzero_b;
  real_t *betaz;
  int *ufw_src;
  real_t *ufw_coef;
  int *uadj_src;
  real_t *uadj_coef;
  int *h2f;
  real_t e0[MD_MAX_ELEM];
} snap_tables;

/* Build the tables for a model (twojmax, bzeroflag, β of every element); fails unless the largest pair cutoff
 * exceeds rmin0. */
md_status snap_tables_create(snap_tables **out, const snap_params *p);
void snap_tables_destroy(snap_tables **t);

MD_EXTERN_C_END

#endif
