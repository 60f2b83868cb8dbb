/* snap_io.h — read LAMMPS SNAP potential files (.snapparam + .snapcoeff) into snap_params (types.h).
 *
 * Accepted: any number of elements (≤ MD_MAX_ELEM), twojmax ≤ MD_SNAP_MAX_TWOJ, keywords rcutfac, twojmax,
 * rfac0, rmin0, switchflag, bzeroflag, wselfallflag (defaults as LAMMPS: rfac0 0.99363, rmin0 0,
 * switchflag 1, bzeroflag 1); quadraticflag/chemflag/bnormflag/switchinnerflag 0 are accepted and 1 is
 * reported as not supported yet; chunksize and parallelthresh (LAMMPS KOKKOS tuning) and the obsolete
 * diagonalstyle are ignored. Any other keyword is an error naming file and line.
 */
#ifndef ESNAP_SNAP_IO_H
#define ESNAP_SNAP_IO_H

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

/* Number of bispectrum components B_k (linear SNAP, LAMMPS's j >= j1 selection) for a given 2J_max. */
int snap_nbispectrum(int twojmax);

/* Read both files. */
md_status snap_read(snap_params *p, const char *coeff_path, const char *param_path);

MD_EXTERN_C_END

#endif
