/* esnapmd_api.c — the C API of libesnapmd (include/esnapmd.h) over the evaluator (lib/evaluator.h), which
 * `esnapmd eval` uses too: this file only converts between the API's arrays and md_system / ff_result and
 * keeps each handle's message. */
#include "esnapmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluator.h"
#include "forcefield.h"
#include "model.h"
#include "status.h"
#include "system.h"

struct esnap_model {
  md_model model;
  esnap_options opt;
  char device_opt[8];
  md_evaluator *ev;
  char err[1024];
};

/* The status codes are the program's (src/status.h), value for value. */
typedef char esnap_status_codes_match[(ESNAP_ERR_VALUE == (int)MD_ERR_VALUE && ESNAP_ERR_INTERNAL == (int)MD_ERR_INTERNAL &&
                                       ESNAP_COULOMB_PME == (int)MD_COUL_PME && ESNAP_COULOMB_EWALD == (int)MD_COUL_EWALD)
                                          ? 1
                                          : -1];

/* Record the outcome of a call on m: the thread's message on failure, "" on success. */
static esnap_status finish(esnap_model *m, md_status st) {
  if (m) {
    if (st == MD_OK) m->err[0] = '\0';
    else snprintf(m->err, sizeof m->err, "%s", md_errmsg()[0] ? md_errmsg() : md_status_name(st));
  }
  return (esnap_status)st;
}

void esnap_options_default(esnap_options *o) {
  if (!o) return;
  memset(o, 0, sizeof *o);
  o->coulomb = ESNAP_COULOMB_MODEL;
  o->device = "auto";
}

esnap_status esnap_model_load(const char *path, const esnap_options *options, esnap_model **out) {
  md_clear_error();
  if (!out) return (esnap_status)md_error(MD_ERR_VALUE, "esnap_model_load: the output handle pointer is NULL");
  *out = NULL;
  esnap_model *m = (esnap_model *)calloc(1, sizeof *m);
  if (!m) return (esnap_status)md_error(MD_ERR_MEMORY, "esnap_model_load: out of memory");
  *out = m;
  esnap_options_default(&m->opt);
  if (options) m->opt = *options;
  const char *dev = m->opt.device ? m->opt.device : "auto";
  if (strcmp(dev, "auto") && strcmp(dev, "cpu") && strcmp(dev, "gpu"))
    return finish(m, md_error(MD_ERR_VALUE, "esnap_model_load: device '%.32s': expected auto, cpu or gpu", dev));
  snprintf(m->device_opt, sizeof m->device_opt, "%s", dev);
  m->opt.device = m->device_opt;
  if (m->opt.coulomb < ESNAP_COULOMB_MODEL || m->opt.coulomb > ESNAP_COULOMB_PME)
    return finish(m, md_error(MD_ERR_VALUE, "esnap_model_load: coulomb method %d: expected -1 (the model's), 0 (none), 1 "
                                            "(ewald) or 2 (pme)", m->opt.coulomb));
  if (!(m->opt.accuracy <= 0 || m->opt.accuracy < 1))
    return finish(m, md_error(MD_ERR_VALUE, "esnap_model_load: accuracy %g: expected a number in (0, 1), e.g. 1e-10, or 0 "
                                            "for the model's", m->opt.accuracy));
  if (!(m->opt.rcut <= 0 || m->opt.rcut < 1e6))
    return finish(m, md_error(MD_ERR_VALUE, "esnap_model_load: rcut %g: expected a length in Å, e.g. 8, or 0 for the model's",
                              m->opt.rcut));
  md_status st = model_read(&m->model, path ? path : model_default_path());
  if (st == MD_OK) {
    evaluator_options eo;
    evaluator_options_default(&eo);
    eo.device = m->device_opt;
    eo.who = "esnap_model_load: device";
    eo.fresh = 1;
    eo.ff.coulomb = m->opt.coulomb;
    eo.ff.accuracy = m->opt.accuracy > 0 ? m->opt.accuracy : 0.0;
    eo.ff.rcut = m->opt.rcut > 0 ? m->opt.rcut : 0.0;
    st = evaluator_create(&m->ev, &m->model, &eo);
  }
  return finish(m, st);
}

void esnap_model_free(esnap_model **pm) {
  if (!pm || !*pm) return;
  evaluator_destroy(&(*pm)->ev);
  free(*pm);
  *pm = NULL;
}

int esnap_model_nelements(const esnap_model *m) { return m ? m->model.nelem : 0; }

const char *esnap_model_element(const esnap_model *m, int k) {
  return (m && k >= 0 && k < m->model.nelem) ? m->model.elem[k] : NULL;
}

const char *esnap_model_device(const esnap_model *m) { return (m && m->ev) ? evaluator_device(m->ev) : ""; }

/* The API's result arrays from an evaluation of sys. */
static void fill_result(const md_system *sys, const ff_result *res, esnap_result *r) {
  if (r->energy) *r->energy = res->energy;
  if (r->forces)
    for (int i = 0; i < sys->n; i++) {
      r->forces[3 * i] = res->fx[i];
      r->forces[3 * i + 1] = res->fy[i];
      r->forces[3 * i + 2] = res->fz[i];
    }
  if (r->virial) memcpy(r->virial, res->virial, sizeof res->virial);
  if (r->stress) {
    real_t st9[9];
    evaluator_stress(sys, res, st9);
    const int voigt[6] = {0, 4, 8, 5, 2, 1}; /* xx yy zz yz xz xy */
    for (int k = 0; k < 6; k++) r->stress[k] = st9[voigt[k]];
  }
}

/* Structure k of a batch (k < 0: the structure of esnap_evaluate) as an md_system; `where` receives its name
 * for messages. */
static md_status convert(esnap_model *m, const esnap_structure *s, const esnap_result *r, int k, md_system **sys,
                         char *where, size_t nwhere) {
  if (k < 0) snprintf(where, nwhere, "structure");
  else snprintf(where, nwhere, "structure %d", k);
  if (!s) return md_error(MD_ERR_VALUE, "%s: the structure pointer is NULL", where);
  if (!r) return md_error(MD_ERR_VALUE, "%s: the result pointer is NULL", where);
  return evaluator_system_from_arrays(sys, &m->model, s->n, s->positions, s->cell, s->pbc, s->numbers, s->symbols, where);
}

/* Structures one after another, each through evaluator_compute (the path that has per-atom energies); single:
 * the one structure of esnap_evaluate. */
static md_status evaluate_each(esnap_model *m, int nstruct, const esnap_structure *structures, esnap_result *results,
                               int single) {
  md_status st = MD_OK;
  for (int k = 0; k < nstruct && st == MD_OK; k++) {
    char where[48];
    md_system *sys = NULL;
    MD_TRY(convert(m, &structures[k], &results[k], single ? -1 : k, &sys, where, sizeof where));
    ff_result res;
    st = ff_result_alloc(&res, sys->n, 0);
    if (st == MD_OK) {
      res.eatom = results[k].energies;
      st = evaluator_compute(m->ev, sys, &res, where);
      res.eatom = NULL;
    }
    if (st == MD_OK) fill_result(sys, &res, &results[k]);
    ff_result_free(&res);
    system_destroy(&sys);
  }
  return st;
}

/* All structures as the replicas of one MD backend (evaluator_compute_batch): one set of kernel launches on
 * the GPU. Every structure is converted and checked before anything is evaluated. */
static md_status evaluate_together(esnap_model *m, int nstruct, const esnap_structure *structures, esnap_result *results) {
  md_system **sys = (md_system **)calloc((size_t)nstruct, sizeof *sys);
  ff_result *res = (ff_result *)calloc((size_t)nstruct, sizeof *res);
  md_status st = (sys && res) ? MD_OK : md_error(MD_ERR_MEMORY, "esnap_evaluate_batch: out of memory (%d structures)", nstruct);
  for (int k = 0; k < nstruct && st == MD_OK; k++) {
    char where[48];
    st = convert(m, &structures[k], &results[k], k, &sys[k], where, sizeof where);
    if (st == MD_OK) st = ff_result_alloc(&res[k], sys[k]->n, 0);
  }
  if (st == MD_OK) st = evaluator_compute_batch(m->ev, sys, nstruct, res, "structure", 0);
  for (int k = 0; k < nstruct && st == MD_OK; k++) fill_result(sys[k], &res[k], &results[k]);
  for (int k = 0; k < nstruct && sys && res; k++) {
    ff_result_free(&res[k]);
    system_destroy(&sys[k]);
  }
  free(sys);
  free(res);
  return st;
}

esnap_status esnap_evaluate(esnap_model *m, const esnap_structure *s, esnap_result *r) {
  md_clear_error();
  if (!m) return (esnap_status)md_error(MD_ERR_VALUE, "esnap_evaluate: the model handle is NULL");
  if (!m->ev) return finish(m, md_error(MD_ERR_VALUE, "esnap_evaluate: the model was not loaded (esnap_model_load failed)"));
  return finish(m, evaluate_each(m, 1, s, r, 1));
}

esnap_status esnap_evaluate_batch(esnap_model *m, int nstruct, const esnap_structure *structures, esnap_result *results) {
  md_clear_error();
  if (!m) return (esnap_status)md_error(MD_ERR_VALUE, "esnap_evaluate_batch: the model handle is NULL");
  if (!m->ev)
    return finish(m, md_error(MD_ERR_VALUE, "esnap_evaluate_batch: the model was not loaded (esnap_model_load failed)"));
  if (nstruct < 0) return finish(m, md_error(MD_ERR_VALUE, "esnap_evaluate_batch: %d structures", nstruct));
  if (nstruct == 0) return finish(m, MD_OK);
  if (!structures || !results)
    return finish(m, md_error(MD_ERR_VALUE, "esnap_evaluate_batch: the %s array is NULL", !structures ? "structures" : "results"));
  int per_atom = 0;
  for (int k = 0; k < nstruct; k++) per_atom |= results[k].energies != NULL;
  return finish(m, per_atom ? evaluate_each(m, nstruct, structures, results, 0)
                            : evaluate_together(m, nstruct, structures, results));
}

const char *esnap_last_error(const esnap_model *m) { return m ? m->err : md_errmsg(); }

const char *esnap_status_name(esnap_status s) { return md_status_name((md_status)s); }

const char *esnap_version(void) { return "esnapmd " ESNAP_VERSION " (" ESNAP_COMMIT ")"; }
