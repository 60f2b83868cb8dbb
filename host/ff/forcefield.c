#include "forcefield.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "coulomb.h"
#include "model.h"
#include "neighbor.h"
#include "snap_cpu.h"
#include "zbl_cpu.h"

struct md_forcefield {
  md_model model;
  ff_options opt;
  snap_cpu *snap;
  coulomb *coul;
  nbr_list *nl_short; /* full list: SNAP pair cutoffs and ZBL */
  nbr_list *nl_coul;  /* half list: Coulomb real space */
  md_box box;         /* cell of the last evaluation */
  int have_box;
  int force_rebuild;  /* ff_invalidate_neighbors: rebuild both lists at the next evaluation */
  char desc[512];
};

void ff_options_default(ff_options *o) {
  memset(o, 0, sizeof *o);
  o->coulomb = -1;
  o->accuracy = 0.0;
  o->rcut = 0.0;
  o->skin = 1.0;
}

void ff_options_from_backend(ff_options *o, const md_backend_options *b) {
  ff_options_default(o);
  o->coulomb = b->coulomb;
  o->accuracy = b->coulomb_accuracy;
  o->rcut = b->coulomb_rcut;
  o->coulomb_lammps = b->coulomb_lammps;
  o->skin = b->skin;
  o->quiet = 1;
}

md_status ff_result_alloc(ff_result *r, int n, int nbisp) {
  memset(r, 0, sizeof *r);
  size_t m = (size_t)(n > 0 ? n : 1);
  r->n = n;
  r->fx = (real_t *)calloc(3 * m, sizeof(real_t));
  if (!r->fx) return md_error(MD_ERR_MEMORY, "out of memory (forces for %d atoms)", n);
  r->fy = r->fx + m;
  r->fz = r->fx + 2 * m;
  if (nbisp > 0) {
    r->bispectrum = (real_t *)calloc(m * (size_t)nbisp, sizeof(real_t));
    if (!r->bispectrum) {
      ff_result_free(r);
      return md_error(MD_ERR_MEMORY, "out of memory (bispectrum for %d atoms)", n);
    }
    r->nbisp = nbisp;
  }
  return MD_OK;
}

void ff_result_free(ff_result *r) {
  free(r->fx);
  free(r->bispectrum);
  memset(r, 0, sizeof *r);
}

md_status ff_create(md_forcefield **out, const md_model *m, const ff_options *o) {
  *out = NULL;
  md_forcefield *ff = (md_forcefield *)calloc(1, sizeof *ff);
  if (!ff) return md_error(MD_ERR_MEMORY, "out of memory (force field)");
  ff->model = *m;
  if (o) ff->opt = *o;
  else ff_options_default(&ff->opt);
  if (!(ff->opt.skin >= 0.0)) ff->opt.skin = 1.0;
  md_model *mm = &ff->model;
  /* Coulomb method and accuracy: options override the model file */
  if (ff->opt.coulomb >= 0 && ff->opt.coulomb != mm->coulomb) {
    int charged = 0;
    for (int e = 0; e < mm->nelem; e++) charged |= (mm->charge[e] != 0.0);
    if (ff->opt.coulomb != MD_COUL_NONE && !charged) {
      md_status st = md_error(MD_ERR_VALUE, "%s: the model has no charges, so no Coulomb method applies", mm->path);
      free(ff);
      return st;
    }
    mm->coulomb = ff->opt.coulomb;
    mm->coulomb_accuracy = (mm->coulomb == MD_COUL_EWALD) ? 1e-10 : 1e-5;
  }
  if (ff->opt.accuracy > 0.0) mm->coulomb_accuracy = ff->opt.accuracy;
  if (ff->opt.rcut > 0.0) mm->coulomb_rcut = ff->opt.rcut;
  if (ff->opt.coulomb >= 0 || ff->opt.coulomb_lammps.on) mm->coulomb_lammps = ff->opt.coulomb_lammps;

  md_status st = MD_OK;
  real_t rshort = 0.0;
  if (mm->has_snap) {
    st = snap_cpu_create(&ff->snap, &mm->snap);
    if (st == MD_OK) rshort = snap_cpu_cutoff(ff->snap);
  }
  if (st == MD_OK && mm->has_zbl && mm->zbl_outer > rshort) rshort = mm->zbl_outer;
  if (st == MD_OK && rshort > 0.0) st = nbr_create(&ff->nl_short, rshort, ff->opt.skin, 0);
  if (st == MD_OK && mm->coulomb != MD_COUL_NONE)
    st = coulomb_create(&ff->coul, mm->coulomb, mm->coulomb_accuracy, mm->coulomb_rcut, mm->charge, mm->nelem);
  if (st == MD_OK && ff->coul && mm->coulomb_lammps.on) st = coulomb_set_lammps(ff->coul, &mm->coulomb_lammps);
  if (st != MD_OK) {
    ff_destroy(&ff);
    return st;
  }
  *out = ff;
  return MD_OK;
}

void ff_destroy(md_forcefield **pff) {
  if (!pff || !*pff) return;
  md_forcefield *ff = *pff;
  snap_cpu_destroy(&ff->snap);
  coulomb_destroy(&ff->coul);
  nbr_destroy(&ff->nl_short);
  nbr_destroy(&ff->nl_coul);
  free(ff);
  *pff = NULL;
}

/* New cell (or first call): Coulomb parameters and the Coulomb list's cutoff may change. */
static md_status setup_cell(md_forcefield *ff, const md_system *sys) {
  if (ff->have_box && memcmp(ff->box.h, sys->box.h, sizeof sys->box.h) == 0) return MD_OK;
  if (ff->coul) {
    MD_TRY(coulomb_setup(ff->coul, sys));
    real_t rc = coulomb_cutoff(ff->coul);
    if (!ff->nl_coul || ff->nl_coul->cutoff != rc) {
      nbr_destroy(&ff->nl_coul);
      MD_TRY(nbr_create(&ff->nl_coul, rc, ff->opt.skin, 1));
    }
    coulomb_info ci;
    coulomb_get_info(ff->coul, &ci);
    char lmp[96] = "";
    if (ci.lammps.on)
      snprintf(lmp, sizeof lmp, ", as LAMMPS coul/long: table %d, tabinner %.6g A, tabsqrt %s", ci.lammps.table_bits,
               ci.lammps.tabinner, ci.lammps.tabsqrt_float ? "float" : "double");
    if (ci.method == MD_COUL_PME)
      snprintf(ff->desc, sizeof ff->desc,
               "coulomb pme: accuracy %g, alpha %.6g 1/A, rcut %.4g A, grid %dx%dx%d, order %d, est. force error %.3g eV/A",
               ci.accuracy, ci.alpha, ci.rcut, ci.grid[0], ci.grid[1], ci.grid[2], ci.order,
               ci.est_error_real + ci.est_error_kspace);
    else
      snprintf(ff->desc, sizeof ff->desc,
               "coulomb ewald: accuracy %g, alpha %.6g 1/A, rcut %.4g A, kmax %d %d %d, est. force error %.3g eV/A%s",
               ci.accuracy, ci.alpha, ci.rcut, ci.kmax[0], ci.kmax[1], ci.kmax[2], ci.est_error_real + ci.est_error_kspace,
               lmp);
  } else {
    snprintf(ff->desc, sizeof ff->desc, "coulomb none");
  }
  ff->box = sys->box;
  ff->have_box = 1;
  return MD_OK;
}

md_status ff_compute(md_forcefield *ff, const md_system *sys, ff_result *r) {
  if (r->n != sys->n) return md_error(MD_ERR_INTERNAL, "force result sized for %d atoms, system has %d", r->n, sys->n);
  for (int i = 0; i < sys->n; i++)
    if (sys->type[i] < 0 || sys->type[i] >= ff->model.nelem)
      return md_error(MD_ERR_INTERNAL, "atom %d has type %d outside the model's %d elements", sys->id[i], sys->type[i],
                      ff->model.nelem);
  MD_TRY(setup_cell(ff, sys));
  const int force = ff->force_rebuild;
  if (ff->nl_short && (force || nbr_needs_rebuild(ff->nl_short, sys))) MD_TRY(nbr_build(ff->nl_short, sys));
  if (ff->nl_coul && (force || nbr_needs_rebuild(ff->nl_coul, sys))) MD_TRY(nbr_build(ff->nl_coul, sys));
  ff->force_rebuild = 0;

  size_t n = (size_t)sys->n;
  memset(r->fx, 0, n * sizeof(real_t));
  memset(r->fy, 0, n * sizeof(real_t));
  memset(r->fz, 0, n * sizeof(real_t));
  memset(r->virial, 0, sizeof r->virial);
  r->e_snap = r->e_coul = r->e_zbl = 0.0;
  if (ff->snap) {
    real_t *b = (r->nbisp > 0) ? r->bispectrum : NULL;
    if (b && r->nbisp != snap_cpu_nbispectrum(ff->snap))
      return md_error(MD_ERR_INTERNAL, "bispectrum buffer has %d components, SNAP has %d", r->nbisp,
                      snap_cpu_nbispectrum(ff->snap));
    MD_TRY(snap_cpu_compute(ff->snap, sys, ff->nl_short, r->fx, r->fy, r->fz, &r->e_snap, r->virial, r->eatom, b));
  }
  if (r->eatom && !ff->snap) memset(r->eatom, 0, n * sizeof(real_t)); /* SNAP sets them, the others add */
  if (ff->coul)
    MD_TRY(coulomb_compute_atom(ff->coul, sys, ff->nl_coul, r->fx, r->fy, r->fz, &r->e_coul, r->virial, r->eatom));
  if (ff->model.has_zbl)
    MD_TRY(zbl_cpu_compute_atom(&ff->model, sys, ff->nl_short, r->fx, r->fy, r->fz, &r->e_zbl, r->virial, r->eatom));
  r->energy = r->e_snap + r->e_coul + r->e_zbl;
  return MD_OK;
}

const char *ff_describe(const md_forcefield *ff) { return ff->desc; }

void ff_invalidate_neighbors(md_forcefield *ff) { ff->force_rebuild = 1; }

long ff_neighbor_builds(const md_forcefield *ff) {
  return (ff->nl_short ? ff->nl_short->builds : 0) + (ff->nl_coul ? ff->nl_coul->builds : 0);
}

int ff_nbispectrum(const md_forcefield *ff) { return ff->snap ? snap_cpu_nbispectrum(ff->snap) : 0; }
