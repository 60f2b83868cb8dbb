/* ewald.h — pieces of the Ewald sum used by host/ff/coulomb.c: the real-space erfc term over a half neighbour
 * list (shared by Ewald and PME) and the classic reciprocal-space sum over all |m| ≤ G (the reference
 * method). Leaf formulas: src/math/ewald.h. Forces and virial are ADDED; energies are returned.
 * q[i] is the charge of atom i (e). Threads: OpenMP, deterministic for a given thread count. */
#ifndef ESNAP_EWALD_H
#define ESNAP_EWALD_H

#include "math/ewald_lammps.h"
#include "status.h"
#include "types.h"
#include "neighbor.h"

MD_EXTERN_C_BEGIN

/* Real-space term C Σ q_i q_j erfc(α r)/r over the pairs of a half list closer than rc (Å). */
typedef struct ewald_real ewald_real;
md_status ewald_real_create(ewald_real **out);
void ewald_real_destroy(ewald_real **p);
/* With a table view (src/math/ewald_lammps.h; NULL = exact erfc, the default), pairs are evaluated as LAMMPS
 * coul/long does (table above its inner edge, polynomial erfc below); alpha is then LAMMPS's g_ewald. The view is
 * copied; the rows it points to must outlive the calls to ewald_real_compute. */
void ewald_real_set_lammps(ewald_real *w, const ewald_lammps_table *table);
md_status ewald_real_compute(ewald_real *w, const md_system *sys, const nbr_list *nl_half, const real_t *q,
                             real_t alpha, real_t rc, real_t *fx, real_t *fy, real_t *fz, real_t *energy,
                             real_t virial[9]);
/* The same, also ADDING per-atom energies (half of every pair to each atom, eV) to eatom[n] when not NULL. */
md_status ewald_real_compute_atom(ewald_real *w, const md_system *sys, const nbr_list *nl_half, const real_t *q,
                                  real_t alpha, real_t rc, real_t *fx, real_t *fy, real_t *fz, real_t *energy,
                                  real_t virial[9], real_t *eatom);

/* Reciprocal-space Ewald sum over the reciprocal vectors 0 < |m| ≤ gcut (1/Å, no 2π). */
typedef struct ewald_kspace ewald_kspace;
md_status ewald_kspace_create(ewald_kspace **out);
void ewald_kspace_destroy(ewald_kspace **p);
/* Build the vector list for the cell, α (1/Å) and gcut (1/Å). */
md_status ewald_kspace_setup(ewald_kspace *k, const md_box *box, real_t alpha, real_t gcut);
/* Number of vectors in the half space (each stands for ±m); per-direction maxima into kmax[3]. */
/* LAMMPS's k-vector set (kspace_style ewald; host/ff/coulomb.c): the vectors above restricted to |n_d| ≤ kcap[d] for
 * the integer components n (m = Σ n_d a*_d), except that vectors along an axis run to max(kcap) — every axis for
 * an orthogonal cell (LAMMPS Ewald::coeffs), only (0, 0, n2) for a triclinic one (Ewald::coeffs_triclinic). */
md_status ewald_kspace_setup_capped(ewald_kspace *k, const md_box *box, real_t alpha, real_t gcut, const int kcap[3],
                                    int triclinic);
int ewald_kspace_count(const ewald_kspace *k, int kmax[3]);
md_status ewald_kspace_compute(ewald_kspace *k, const md_system *sys, const real_t *q, real_t *fx, real_t *fy,
                               real_t *fz, real_t *energy, real_t virial[9]);
/* The same, also ADDING per-atom energies to eatom[n] when not NULL: atom i's share of 2 w |S(m)|² is
 * 2 w q_i Re[exp(2πi m·r_i) S(m)*] (they sum to the energy). */
md_status ewald_kspace_compute_atom(ewald_kspace *k, const md_system *sys, const real_t *q, real_t *fx, real_t *fy,
                                    real_t *fz, real_t *energy, real_t virial[9], real_t *eatom);

/* Smallest G (1/Å) whose reciprocal-space estimate (ewald_rms_kspace) is ≤ acc (eV/Å). */
real_t ewald_gcut_for_accuracy(real_t acc, real_t q2, int n, real_t volume, real_t alpha);

MD_EXTERN_C_END

#endif
