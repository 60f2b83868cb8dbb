/* evaluator.c — see evaluator.h. */
#include "evaluator.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "box.h"
#include "integrate.h"
#include "io_lammps_data.h"
#include "model.h"
#include "structure.h"
#include "system.h"
#if ESNAP_HAVE_CUDA
#include "backend_gpu.h"
#include "gpu_atoms.h"
#include "gpu_forces.h"
#endif

struct md_evaluator {
  md_model model;
  evaluator_options opt;
  int use_gpu;
  md_forcefield *ff;
#if ESNAP_HAVE_CUDA
  gpu_ff *gff;
#endif
  int nbisp;
  char device[300];
  char desc[512];
};

void evaluator_options_default(evaluator_options *o) {
  memset(o, 0, sizeof *o);
  ff_options_default(&o->ff);
  o->ff.quiet = 1;
  o->device = "auto";
  o->who = "device";
}

/* cpu; gpu (an error without a CUDA build or device); auto = the GPU when built with CUDA and a device is
 * present, else the CPU. */
static md_status choose_device(const evaluator_options *o, int *use_gpu) {
  *use_gpu = 0;
  const char *device = o->device ? o->device : "auto";
  if (strcmp(device, "auto") && strcmp(device, "cpu") && strcmp(device, "gpu"))
    return md_error(MD_ERR_VALUE, "%s '%s': expected auto, cpu or gpu", o->who, device);
  if (strcmp(device, "cpu") == 0) return MD_OK;
#if !ESNAP_HAVE_CUDA
  if (strcmp(device, "gpu") == 0)
    return md_error(MD_ERR_DEVICE, "%s gpu: esnapmd was not built with CUDA (nvcc not found at configure time); use cpu",
                    o->who);
  return MD_OK;
#else
  int count = 0;
  gpu_device_count(&count);
  if (count < 1 && strcmp(device, "gpu") == 0)
    return md_error(MD_ERR_DEVICE, "%s gpu: no CUDA device found (no driver or no GPU); use cpu", o->who);
  *use_gpu = count > 0;
  return MD_OK;
#endif
}

/* The force field of the chosen device (a GPU that cannot run the model under "auto": the CPU). */
static md_status make_forcefield(md_evaluator *e) {
#if ESNAP_HAVE_CUDA
  if (e->use_gpu) {
    md_status st = gpu_ff_create(&e->gff, &e->model, &e->opt.ff);
    if (st == MD_ERR_UNSUPPORTED && strcmp(e->opt.device ? e->opt.device : "auto", "auto") == 0) {
      if (e->opt.ff.quiet < 2) fprintf(stderr, "esnapmd: note: %s; evaluating on the CPU\n", md_errmsg());
      md_clear_error();
      e->use_gpu = 0;
    } else {
      if (st == MD_OK) snprintf(e->device, sizeof e->device, "gpu: %s", gpu_device_name());
      return st;
    }
  }
#endif
  snprintf(e->device, sizeof e->device, "cpu");
  return ff_create(&e->ff, &e->model, &e->opt.ff);
}

static void drop_forcefield(md_evaluator *e) {
  ff_destroy(&e->ff);
#if ESNAP_HAVE_CUDA
  gpu_ff_destroy(&e->gff);
#endif
}

md_status evaluator_create(md_evaluator **out, const md_model *m, const evaluator_options *o) {
  *out = NULL;
  md_evaluator *e = (md_evaluator *)calloc(1, sizeof *e);
  if (!e) return md_error(MD_ERR_MEMORY, "out of memory (evaluator)");
  e->model = *m;
  if (o) e->opt = *o;
  else evaluator_options_default(&e->opt);
  if (!e->opt.who) e->opt.who = "device";
  md_status st = choose_device(&e->opt, &e->use_gpu);
  if (st == MD_OK && e->opt.ff.bispectrum && !m->has_snap)
    st = md_error(MD_ERR_VALUE, "bispectrum: the model %s has no SNAP term", m->path);
  if (st == MD_OK) st = make_forcefield(e);
  if (st == MD_OK && e->opt.ff.bispectrum) {
    e->nbisp = e->ff ? ff_nbispectrum(e->ff) : 0;
#if ESNAP_HAVE_CUDA
    if (e->gff) e->nbisp = gpu_ff_nbispectrum(e->gff);
#endif
  }
  if (st != MD_OK) {
    evaluator_destroy(&e);
    return st;
  }
  *out = e;
  return MD_OK;
}

void evaluator_destroy(md_evaluator **pe) {
  if (!pe || !*pe) return;
  drop_forcefield(*pe);
  free(*pe);
  *pe = NULL;
}

md_status evaluator_compute(md_evaluator *e, const md_system *s, ff_result *r, const char *where) {
  if (e->opt.fresh && (e->ff
#if ESNAP_HAVE_CUDA
                       || e->gff
#endif
                       )) {
    /* a new force field for this structure; the device stays the one chosen at creation */
    drop_forcefield(e);
    MD_TRY(make_forcefield(e));
  }
  md_status st;
#if ESNAP_HAVE_CUDA
  if (e->gff) {
    if (r->eatom)
      return md_error(MD_ERR_UNSUPPORTED, "%s: per-atom energies are computed on the CPU only (use device cpu)", where);
    st = gpu_ff_compute(e->gff, s, r);
    if (st == MD_OK) snprintf(e->desc, sizeof e->desc, "%s", gpu_ff_describe(e->gff));
  } else
#endif
  {
    st = ff_compute(e->ff, s, r);
    if (st == MD_OK) snprintf(e->desc, sizeof e->desc, "%s", ff_describe(e->ff));
  }
  if (st != MD_OK) return st;
  if (!isfinite(r->energy)) return md_error(MD_ERR_PHYSICS, "%s: the energy is not finite", where);
  return MD_OK;
}

/* The backend options of a force evaluation: the evaluator's Coulomb and neighbour settings, no dynamics (the
 * time step only sizes the unused kicks), no safety checks beyond the finite-number check, messages labelled
 * "NOUN K" with K counted from `first`. */
static void batch_backend_options(const md_evaluator *e, md_backend_options *bo, const char *noun, int first) {
  memset(bo, 0, sizeof *bo);
  bo->integ.ensemble = MD_ENS_NVE;
  bo->integ.dt = 0.001;
  bo->coulomb = e->opt.ff.coulomb;
  bo->coulomb_accuracy = e->opt.ff.accuracy;
  bo->coulomb_rcut = e->opt.ff.rcut;
  bo->coulomb_lammps = e->opt.ff.coulomb_lammps;
  bo->skin = e->opt.ff.skin;
  bo->quiet = 1;
  bo->rep_label = 1;
  bo->rep_noun = noun;
  bo->rep_offset = first;
}

md_status evaluator_compute_batch(md_evaluator *e, md_system *const *sys, int nsys, ff_result *res, const char *noun,
                                  int first) {
  if (nsys < 1) return MD_OK;
  if (e->opt.ff.bispectrum) return md_error(MD_ERR_INTERNAL, "evaluator_compute_batch: no bispectrum in batches");
  for (int k = 0; k < nsys; k++)
    if (res[k].eatom || res[k].n != sys[k]->n)
      return md_error(MD_ERR_INTERNAL, "evaluator_compute_batch: result %d is not a plain result for %d atoms", k, sys[k]->n);
  const md_backend_ops *ops = e->opt.backend;
  if (!ops) {
    ops = md_backend_cpu();
#if ESNAP_HAVE_CUDA
    if (e->use_gpu) ops = md_backend_cuda();
#endif
  }
  md_backend_options bo;
  batch_backend_options(e, &bo, noun ? noun : "structure", first);
  md_replica *reps = (md_replica *)calloc((size_t)nsys, sizeof *reps);
  if (!reps) return md_error(MD_ERR_MEMORY, "out of memory (a batch of %d structures)", nsys);
  md_status st = MD_OK;
  for (int k = 0; k < nsys && st == MD_OK; k++) st = replica_alloc(&reps[k], sys[k]);
  md_backend *b = NULL;
  if (st == MD_OK) st = ops->create(&b, &e->model, &bo, reps, nsys);
  for (int k = 0; k < nsys && st == MD_OK; k++) st = ops->set_state(b, k, &reps[k], MD_STATE_ALL);
  if (st == MD_OK) st = ops->compute_forces(b);
  for (int k = 0; k < nsys && st == MD_OK; k++) {
    st = ops->get_state(b, k, &reps[k], MD_STATE_FORCE);
    if (st != MD_OK) break;
    replica_forces_result(&reps[k], &res[k], 0);
    if (!isfinite(res[k].energy)) st = md_error(MD_ERR_PHYSICS, "%s %d: the energy is not finite", bo.rep_noun, first + k);
  }
  if (st == MD_OK) snprintf(e->desc, sizeof e->desc, "%s", ops->describe(b));
  if (b) ops->destroy(&b);
  for (int k = 0; k < nsys; k++) replica_free(&reps[k]);
  free(reps);
  return st;
}

const char *evaluator_device(const md_evaluator *e) { return e->device; }

const char *evaluator_describe(const md_evaluator *e) { return e->desc; }

int evaluator_nbispectrum(const md_evaluator *e) { return e->nbisp; }

void evaluator_stress(const md_system *s, const ff_result *r, real_t stress[9]) {
  for (int k = 0; k < 9; k++) stress[k] = -r->virial[k] / s->box.volume;
}

md_status evaluator_system_from_arrays(md_system **out, const md_model *m, int n, const real_t *pos, const real_t *cell,
                                       const int *pbc, const int *numbers, const char *const *symbols, const char *where) {
  *out = NULL;
  if (n < 1) return md_error(MD_ERR_VALUE, "%s: the structure has no atoms (n = %d)", where, n);
  if (!pos || !cell) return md_error(MD_ERR_VALUE, "%s: %s is NULL", where, !pos ? "positions" : "cell");
  if ((numbers == NULL) == (symbols == NULL))
    return md_error(MD_ERR_VALUE, "%s: give the species either as atomic numbers or as element symbols (exactly one)", where);
  if (pbc)
    for (int d = 0; d < 3; d++)
      if (!pbc[d])
        return md_error(MD_ERR_UNSUPPORTED,
                        "%s: the cell is not periodic along %c; only fully periodic cells are supported (the Coulomb "
                        "sums are periodic): put the structure in a periodic box with vacuum around it",
                        where, "abc"[d]);
  md_system *s = NULL;
  MD_TRY(system_create(&s, n));
  md_status st = MD_OK;
  s->nelem = m->nelem;
  for (int k = 0; k < m->nelem; k++) strcpy(s->elem[k], m->elem[k]);
  for (int k = 0; k < 9; k++) s->box.h[k] = cell[k];
  st = box_update(&s->box, where);
  for (int i = 0; i < n && st == MD_OK; i++) {
    const char *sym = NULL;
    if (numbers) {
      sym = io_element_symbol(numbers[i]);
      if (!sym) st = md_error(MD_ERR_VALUE, "%s: atom %d has atomic number %d, not an element", where, i + 1, numbers[i]);
    } else {
      sym = symbols[i];
      if (!sym) st = md_error(MD_ERR_VALUE, "%s: atom %d has no element symbol (NULL)", where, i + 1);
    }
    if (st != MD_OK) break;
    int t = -1;
    for (int k = 0; k < m->nelem; k++)
      if (strcmp(m->elem[k], sym) == 0) t = k;
    if (t < 0) {
      char list[MD_MAX_ELEM * (MD_NAME_LEN + 1) + 1] = "";
      for (int k = 0; k < m->nelem; k++) {
        strcat(list, k ? " " : "");
        strcat(list, m->elem[k]);
      }
      st = md_error(MD_ERR_VALUE, "%s: atom %d: element '%.16s' is not in the model %s (elements %s)", where, i + 1, sym,
                    m->path, list);
      break;
    }
    s->type[i] = t;
    s->x[i] = pos[3 * i];
    s->y[i] = pos[3 * i + 1];
    s->z[i] = pos[3 * i + 2];
  }
  if (st == MD_OK) {
    structure_options so;
    structure_options_default(&so);
    st = structure_check(s, m, where, so.min_distance);
  }
  if (st != MD_OK) {
    system_destroy(&s);
    return st;
  }
  *out = s;
  return MD_OK;
}
