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

/* The model as a force field with options o evaluates it: o's Coulomb method, accuracy, cutoff and LAMMPS mode
 * replacing the model file's (an error when o asks for Coulomb and the model has no charges). */
md_status ff_model_in_effect(const md_model *m, const ff_options *o, md_model *out);
md_status ff_create(md_forcefield **out, const md_model *m, const ff_options *o);
void ff_destroy(md_forcefield **ff);
/* Evaluate for the system's current positions and cell (the cell may change between calls). */
md_status ff_compute(md_forcefield *ff, const md_system *sys, ff_result *r);
/* One line describing the Coulomb parameters chosen for the last system (method, α, cutoff, grid). */
const char *ff_describe(const md_forcefield *ff);
/* Bispectrum components per atom of the model's SNAP (0 without SNAP), for ff_result_alloc. */
int ff_nbispectrum(const md_forcefield *ff);
/* 1 when the next ff_compute for sys rebuilds the neighbour lists (an atom moved more than skin/2 since the last
 * build, a new cell, none built yet, or ff_invalidate_neighbors); the MD step wraps the atoms into the cell
 * then, as the CUDA backend does at each rebuild. */
int ff_neighbors_due(const md_forcefield *ff, const md_system *sys);
/* Make the next ff_compute rebuild both neighbour lists from scratch (the positions were replaced). */
void ff_invalidate_neighbors(md_forcefield *ff);
/* The positions ([3n], x, y, z blocks) the lists in use were built at, into x0: 1, or 0 when no list is in use
 * for this system (none built yet, or a rebuild is due). */
int ff_neighbor_reference(const md_forcefield *ff, const md_system *sys, real_t *x0);
/* Build the lists in the system's cell at positions x0 (an ff_neighbor_reference of a saved state): the next
 * ff_compute then uses exactly the lists, and rebuilds exactly when, the run that saved the state did. */
md_status ff_restore_neighbors(md_forcefield *ff, const md_system *sys, const real_t *x0);
/* Neighbour-list builds so far (for diagnostics). */
long ff_neighbor_builds(const md_forcefield *ff);

MD_EXTERN_C_END

#endif
