/* lattice.h — ideal crystal supercells. */
#ifndef ESNAP_LATTICE_H
#define ESNAP_LATTICE_H

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

/* α-Li3N lattice constants (Å) of the reference unit cell (tests/data/unitcell.xyz, SNAP repository data.li3n). */
#define LI3N_A 3.65069
#define LI3N_C 3.888635

/* An nx × ny × nz supercell of α-Li3N (P6/mmm, 4 atoms per cell). Cell a = (a,0,0), b = (−a/2, a√3/2, 0),
 * c = (0,0,c) (Å); fractional sites Li1 (0,0,1/2), Li2 (1/3,2/3,0) and (2/3,1/3,0), N (0,0,0), in that order
 * within each unit cell (the order of unitcell.xyz and data.li3n); unit cells ordered with a fastest, then b,
 * then c (LAMMPS `replicate` order); ids 1..n. a, c <= 0 take the defaults LI3N_A, LI3N_C. Types are the
 * model's indices of Li and N (error if the model lacks either); m may be NULL (Li = 0, N = 1). */
md_status lattice_li3n(md_system **out, int nx, int ny, int nz, real_t a, real_t c, const md_model *m);

MD_EXTERN_C_END

#endif
