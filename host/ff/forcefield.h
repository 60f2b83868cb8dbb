/* forcefield.h — the whole eSNAP model on the CPU: SNAP + Coulomb (Ewald or PME) + ZBL, with the neighbour
 * lists they need (rebuilt when atoms moved more than half the skin). One object per system. */
#ifndef ESNAP_FORCEFIELD_H
#define ESNAP_FORCEFIELD_H

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

typedef struct ff_options {
  int coulomb;        /* -1: the model's method; else MD_COUL_NONE / MD_COUL_EWALD / MD_COUL_PME */
  real_t accuracy;    /* Coulomb relative accuracy; <= 0: the model's (Ewald default 1e-10 when overridden) */
  real_t rcut;        /* Coulomb real-space cutoff (Å); <= 0: the model's, else chosen */
  md_coulomb_lammps coulomb_lammps; /* LAMMPS-compatible Ewald; replaces the model's when on or when coulomb >= 0 */
  real_t skin;        /* Verlet skin (Å), default 1.0 */
  int bispectrum;     /* also compute per-atom bispectrum */
  int quiet;          /* do not print the parameter summary */
} ff_options;

void ff_options_default(ff_options *o);
/* The force-field options of an MD backend (src/backend.h): Coulomb method, accuracy, cutoff, LAMMPS mode and
 * skin from `b`, the rest default, quiet. Shared by the CPU and CUDA backends. */
struct md_backend_options;
void ff_options_from_backend(ff_options *o, const struct md_backend_options *b);

typedef struct ff_result {
  int n;                      /* atoms */
  real_t *fx, *fy, *fz;       /* [n] total forces (eV/Å) */
  real_t energy;              /* total potential energy (eV) */
  real_t e_snap, e_coul, e_zbl; /* components (eV); e_coul = real + reciprocal + self */
  real_t virial[9];           /* W_ab = Σ r_a F_b (eV), row-major; P·V without the kinetic part */
  int nbisp;                  /* bispectrum components per atom (0 unless requested) */
  real_t *bispectrum;         /* [n * nbisp] */
  real_t *eatom;              /* [n] per-atom energies (eV), summing to energy: set by the caller to an array of
                                 its own to have them (not allocated or freed here); NULL = not wanted */
} ff_result;

md_status ff_result_alloc(ff_result *r, int n, int nbisp);
void ff_result_free(ff_result *r);

typedef struct md_forcefield md_forcefield;

md_status ff_create(md_forcefield **out, const md_model *m, const ff_options *o);
void ff_destroy(md_forcefield **ff);
/* Evaluate for the system's current positions and cell (the cell may change between calls). */
md_status ff_compute(md_forcefield *ff, const md_system *sys, ff_result *r);
/* One line describing the Coulomb parameters chosen for the last system (method, α, cutoff, grid). */
const char *ff_describe(const md_forcefield *ff);
/* Bispectrum components per atom of the model's SNAP (0 without SNAP), for ff_result_alloc. */
int ff_nbispectrum(const md_forcefield *ff);
/* Make the next ff_compute rebuild both neighbour lists from scratch (checkpoint sync points: a run continued
 * from a checkpoint starts with fresh lists, so an uninterrupted run rebuilds there too). */
void ff_invalidate_neighbors(md_forcefield *ff);
/* Neighbour-list builds so far (for diagnostics). */
long ff_neighbor_builds(const md_forcefield *ff);

MD_EXTERN_C_END

#endif
