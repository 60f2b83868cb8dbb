/* coulomb.h — point-charge electrostatics for periodic cells: Ewald summation with a tolerance (the reference
 * method) and smooth particle-mesh Ewald (FFTW) — energy, forces and virial, both with the real-space erfc
 * term over a half neighbour list. Leaf formulas live in src/math/ewald.h and src/math/pme.h (MD_HD).
 *
 * accuracy has LAMMPS's kspace meaning: the target RMS force error relative to the force between two unit
 * charges 1 Å apart (14.4 eV/Å); parameters (splitting α, real-space cutoff when rcut = 0, k-space cutoff or
 * PME grid and order) are chosen from it, the cell and the charges. Contract:
 *  - coulomb_setup must be called again when the cell changes (cheap when it did not);
 *  - nl is a HALF list with cutoff (+ skin) >= coulomb_cutoff(c);
 *  - forces and virial are ADDED, *energy is SET (eV). */
#ifndef ESNAP_COULOMB_H
#define ESNAP_COULOMB_H

#include "status.h"
#include "types.h"
#include "neighbor.h"

MD_EXTERN_C_BEGIN

typedef struct coulomb coulomb;

typedef struct coulomb_info {
  int method;           /* MD_COUL_EWALD or MD_COUL_PME */
  real_t accuracy;      /* requested relative accuracy */
  real_t alpha;         /* Ewald splitting parameter (1/Å) */
  real_t rcut;          /* real-space cutoff (Å) */
  int kmax[3];          /* Ewald: k-vectors per direction */
  int grid[3];          /* PME: mesh points along a, b, c */
  int order;            /* PME: B-spline order */
  real_t est_error_real;   /* estimated RMS force error, real space (eV/Å) */
  real_t est_error_kspace; /* estimated RMS force error, k-space (eV/Å) */
  real_t gcut;          /* Ewald: reciprocal-space cutoff |m| <= gcut (1/Å, no 2π) */
  md_coulomb_lammps lammps;/* LAMMPS-compatible evaluation (on = 0: esnapmd's own) */
} coulomb_info;

/* q_elem[type]: charge per element (e). rcut <= 0 chooses the real-space cutoff. */
md_status coulomb_create(coulomb **out, int method, real_t accuracy, real_t rcut, const real_t *q_elem, int nelem);
void coulomb_destroy(coulomb **c);
/* PME B-spline order (3 … 8, default 5); takes effect at the next coulomb_setup. */
md_status coulomb_set_order(coulomb *c, int order);
/* LAMMPS-compatible evaluation (md_coulomb_lammps, types.h), for comparisons with LAMMPS runs that use
 * `pair_style coul/long RC` + `kspace_style ewald ACC` (+ `pair_modify table N tabinner R`). Ewald only, and the
 * real-space cutoff must be given (it is coul/long's). Takes effect at the next coulomb_setup. What changes:
 *  - α = LAMMPS's g_ewald: from the accuracy, the cutoff, N, Σq² and the box lengths (LAMMPS ewald.cpp, with
 *    the whole accuracy given to real space), chosen at the first setup and kept while the atoms and charges
 *    stay (LAMMPS keeps it for a run);
 *  - k-vectors: LAMMPS's kxmax, kymax, kzmax (per-direction RMS estimate against the whole accuracy), widened
 *    for a triclinic cell as LAMMPS does, inside LAMMPS's sphere; re-chosen when the cell changes. A cell with
 *    zero tilts is treated as LAMMPS treats an orthogonal box;
 *  - real space: LAMMPS's bitmapped table above the inner edge, its polynomial erfc below (coul_table.h).
 * The result differs from the converged sum by LAMMPS's table error (~1e-7 eV/atom for Li3N at 12 bits). */
md_status coulomb_set_lammps(coulomb *c, const md_coulomb_lammps *l);
/* (Re)choose parameters for the system's cell and charges. */
md_status coulomb_setup(coulomb *c, const md_system *sys);
/* Real-space cutoff (Å). With rcut <= 0: PME uses a fixed default (6 Å); Ewald chooses it from the first
 * system at the first coulomb_setup (0 before). Never changes after the first coulomb_setup. */
real_t coulomb_cutoff(const coulomb *c);
void coulomb_get_info(const coulomb *c, coulomb_info *info);
md_status coulomb_compute(coulomb *c, const md_system *sys, const nbr_list *nl_half, real_t *fx, real_t *fy,
                          real_t *fz, real_t *energy, real_t virial[9]);
/* The same, also ADDING per-atom energies to eatom[n] when not NULL: half of each real-space pair, the atom's
 * share of the reciprocal sum (ewald.h, pme_cpu.h), its self energy and the share q_i/Σq of the background
 * term (as LAMMPS's per-atom Ewald energies); they sum to the energy. */
md_status coulomb_compute_atom(coulomb *c, const md_system *sys, const nbr_list *nl_half, real_t *fx, real_t *fy,
                               real_t *fz, real_t *energy, real_t virial[9], real_t *eatom);

MD_EXTERN_C_END

#endif
