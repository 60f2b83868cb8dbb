/* zbl_cpu.h — ZBL screened nuclear repulsion with LAMMPS `pair zbl` switching (inner/outer cutoffs), on the
 * CPU. Pair formulas and the switching polynomial come from src/math/zbl.h (MD_HD).
 * nl is a FULL list covering zbl_outer; forces/virial ADDED, *energy SET (eV). */
#ifndef ESNAP_ZBL_CPU_H
#define ESNAP_ZBL_CPU_H

#include "status.h"
#include "types.h"
#include "neighbor.h"

MD_EXTERN_C_BEGIN

md_status zbl_cpu_compute(const md_model *m, const md_system *sys, const nbr_list *nl, real_t *fx, real_t *fy,
                          real_t *fz, real_t *energy, real_t virial[9]);
/* The same, also ADDING per-atom energies (half of every pair to each atom, eV) to eatom[n] when not NULL. */
md_status zbl_cpu_compute_atom(const md_model *m, const md_system *sys, const nbr_list *nl, real_t *fx, real_t *fy,
                               real_t *fz, real_t *energy, real_t virial[9], real_t *eatom);

MD_EXTERN_C_END

#endif
