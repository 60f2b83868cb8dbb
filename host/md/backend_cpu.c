/* backend_cpu.c — the CPU reference backend (src/backend.h): the whole MD step on the host, with the eSNAP
 * force field of host/ff/forcefield.h and the integrator loops of host/md/integrate.h. One force-field object per
 * replica. Deterministic: the same input and thread count give the same bits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "backend.h"
#include "math/nhc.h"
#include "math/pbc.h"
#include "forcefield.h"
#include "integrate.h"
#include "neighbor.h"
#include "system.h"

typedef struct cpu_rep {
  md_replica st;       /* the state (positions, velocities, forces, thermostat, clock) */
  md_forcefield *ff;
  ff_result res;
  nbr_list *close;     /* closest-pair check */
  nhc_params np;
  real_t dof;
  real_t t_fixed;      /* K: this replica's constant NVT target (rep_temperature), 0: the integrator's ramp */
} cpu_rep;

struct md_backend {
  md_model model;
  md_backend_options opt;
  ff_options ffo;
  int nrep;
  cpu_rep *rep;
  real_t mass[MD_MAX_ELEM];  /* g/mol */
  real_t dtfm[MD_MAX_ELEM];  /* dtf / mass */
};

static void cpu_destroy(md_backend **pb) {
  if (!pb || !*pb) return;
  md_backend *b = *pb;
  for (int r = 0; r < b->nrep; r++) {
    cpu_rep *c = &b->rep[r];
    replica_free(&c->st);
    ff_destroy(&c->ff);
    ff_result_free(&c->res);
    nbr_destroy(&c->close);
  }
  free(b->rep);
  free(b);
  *pb = NULL;
}

static md_status cpu_create(md_backend **out, const md_model *model, const md_backend_options *opt, const md_replica *reps,
                            int nrep) {
  *out = NULL;
  if (nrep < 1) return md_error(MD_ERR_INTERNAL, "cpu backend: %d replicas", nrep);
  md_backend *b = (md_backend *)calloc(1, sizeof *b);
  if (!b) return md_error(MD_ERR_MEMORY, "out of memory (backend)");
  b->model = *model;
  b->opt = *opt;
  ff_options_from_backend(&b->ffo, opt);
  integ_masses(model, opt->integ.dt, b->mass, b->dtfm);
  b->rep = (cpu_rep *)calloc((size_t)nrep, sizeof(cpu_rep));
  if (!b->rep) {
    free(b);
    return md_error(MD_ERR_MEMORY, "out of memory (backend)");
  }
  b->nrep = nrep;
  md_status st = MD_OK;
  for (int r = 0; r < nrep && st == MD_OK; r++) {
    cpu_rep *c = &b->rep[r];
    const md_system *s = reps[r].sys;
    st = replica_alloc(&c->st, s);
    if (st == MD_OK) st = ff_create(&c->ff, model, &b->ffo);
    if (st == MD_OK) st = ff_result_alloc(&c->res, s->n, 0);
    if (st == MD_OK && opt->safety.min_dist > 0.0) st = nbr_create(&c->close, opt->safety.min_dist, 0.0, 1);
    c->dof = thermo_dof(s->n);
    integ_nhc_params(&opt->integ, s->n, &c->np);
    c->t_fixed = opt->rep_temperature ? opt->rep_temperature[r] : 0.0;
  }
  b->opt.rep_temperature = NULL; /* copied into the replicas */
  if (st != MD_OK) {
    cpu_destroy(&b);
    return st;
  }
  *out = b;
  return MD_OK;
}

/* The lists live in the force field: NBR restores them at the saved reference, POS alone makes them stale. */
static md_status cpu_set_state(md_backend *b, int r, const md_replica *src, unsigned what) {
  if (r < 0 || r >= b->nrep) return md_error(MD_ERR_INTERNAL, "cpu backend: no replica %d", r);
  cpu_rep *c = &b->rep[r];
  MD_TRY(replica_copy(&c->st, src, what & ~(unsigned)MD_STATE_NBR));
  if ((what & MD_STATE_NBR) && src->nbr_valid && src->nbr_x0) return ff_restore_neighbors(c->ff, c->st.sys, src->nbr_x0);
  if (what & (MD_STATE_POS | MD_STATE_NBR)) ff_invalidate_neighbors(c->ff);
  return MD_OK;
}

static md_status cpu_get_state(md_backend *b, int r, md_replica *dst, unsigned what) {
  if (r < 0 || r >= b->nrep) return md_error(MD_ERR_INTERNAL, "cpu backend: no replica %d", r);
  const cpu_rep *c = &b->rep[r];
  MD_TRY(replica_copy(dst, &c->st, what & ~(unsigned)MD_STATE_NBR));
  if (what & MD_STATE_NBR) dst->nbr_valid = dst->nbr_x0 && ff_neighbor_reference(c->ff, c->st.sys, dst->nbr_x0);
  return MD_OK;
}


/* Evaluate forces; failures are prefixed with the step. */
static md_status forces(cpu_rep *c) {
  md_system *s = c->st.sys;
  md_status st = ff_compute(c->ff, s, &c->res);
  if (st != MD_OK) return md_error(st == MD_ERR_VALUE ? MD_ERR_PHYSICS : st, "step %ld: %s", s->step, md_errmsg());
  replica_forces_result(&c->st, &c->res, 1);
  return MD_OK;
}

/* Safety checks after a step (or at the start): non-finite numbers, temperature, closest pair. */
static md_status check(md_backend *b, cpu_rep *c, real_t temp, int ihot) {
  const md_system *s = c->st.sys;
  const md_safety_params *p = &b->opt.safety;
  int bad = integ_first_nonfinite(s, c->st.fx, c->st.fy, c->st.fz);
  if (bad >= 0 || !isfinite(c->st.pe)) return integ_error_nonfinite(s, s->step, bad < 0 ? 0 : bad);
  if (p->t_max > 0.0 && temp > p->t_max) return integ_error_hot(s, s->step, temp, p->t_max, ihot);
  if (c->close && p->min_dist_every > 0 && s->step % p->min_dist_every == 0) {
    md_status st = nbr_build(c->close, s);
    if (st != MD_OK) return md_error(MD_ERR_PHYSICS, "step %ld: %s", s->step, md_errmsg());
    if (nbr_entries(c->close) > 0) {
      real_t best;
      int bi, bj;
      nbr_min_distance(c->close, s, &best, &bi, &bj);
      if (best < p->min_dist) return integ_error_close(s, s->step, bi, bj, best, p->min_dist);
    }
  }
  return MD_OK;
}

static md_status initial_forces(md_backend *b, cpu_rep *c) {
  MD_TRY(forces(c));
  int ihot;
  real_t t = thermo_temperature(integ_sum_mv2(c->st.sys, b->mass, &ihot), c->dof);
  return check(b, c, t, ihot);
}

/* One velocity-Verlet step in LAMMPS order (fix nve / fix nvt). */
static md_status step_once(md_backend *b, cpu_rep *c) {
  const md_integrator_params *ip = &b->opt.integ;
  md_system *s = c->st.sys;
  const int nvt = ip->ensemble == MD_ENS_NVT;
  long step = s->step + 1;
  /* initial_integrate */
  if (nvt) {
    real_t target = c->t_fixed > 0.0 ? c->t_fixed
                                     : nhc_target_temperature(ip->t_start, ip->t_stop, step, ip->ramp_begin, ip->ramp_end);
    nhc_set_target(&c->st.nhc, &c->np, target);
    integ_scale(s, nhc_half_step(&c->st.nhc, &c->np));
  }
  integ_kick(s, c->st.fx, c->st.fy, c->st.fz, b->dtfm);
  int imax;
  real_t d2 = integ_drift(s, ip->dt, &imax);
  s->step = step;
  s->time = c->st.time0 + (real_t)(step - c->st.step0) * ip->dt;
  const real_t lim = b->opt.safety.max_disp;
  if (lim > 0.0 && !(d2 <= lim * lim) && imax >= 0) return integ_error_moved(s, step, imax, sqrt(d2), lim);
  /* forces; the atoms are wrapped into the cell when the lists are rebuilt (image counts keep the unwrapped
   * positions), so positions stay within the cell over any run */
  if (ff_neighbors_due(c->ff, s)) system_wrap(s);
  MD_TRY(forces(c));
  /* final_integrate */
  integ_kick(s, c->st.fx, c->st.fy, c->st.fz, b->dtfm);
  int ihot;
  real_t t = thermo_temperature(integ_sum_mv2(s, b->mass, &ihot), c->dof);
  if (nvt) {
    c->st.nhc.t_current = t;
    real_t f = nhc_half_step(&c->st.nhc, &c->np);
    integ_scale(s, f);
    t *= f * f;
  }
  return check(b, c, t, ihot);
}

/* Not inlined: the serial and the OpenMP replica loops below must run the very same machine code (inlined
 * twice, the compiler may contract a*b+c into FMAs differently and the replicas would differ in the last bit). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static md_status advance(md_backend *b, cpu_rep *c, long n) {
  if (n < 0) return initial_forces(b, c);
  for (long k = 0; k < n; k++) MD_TRY(step_once(b, c));
  return MD_OK;
}

/* n steps of every replica (n < 0: the initial forces). One thread per replica when asked: each replica's force
 * field then runs on one thread (its nested regions get one thread), so its bits do not depend on how many
 * replicas share the process. A failing replica stops; the others finish; the lowest failing one is reported. */
static md_status for_each_replica(md_backend *b, long n) {
  if (!b->opt.one_thread_per_replica) {
    for (int r = 0; r < b->nrep; r++) {
      md_status st = advance(b, &b->rep[r], n);
      if (st != MD_OK) return integ_label_replica(&b->opt, r, st, NULL);
    }
    return MD_OK;
  }
  md_status *sts = (md_status *)calloc((size_t)b->nrep, sizeof *sts);
  char(*msgs)[1024] = (char(*)[1024])calloc((size_t)b->nrep, 1024);
  if (!sts || !msgs) {
    free(sts);
    free(msgs);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  int nthr = 1;
#ifdef _OPENMP
  nthr = omp_get_max_threads();
#endif
  if (nthr > b->nrep) nthr = b->nrep;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthr)
  for (int r = 0; r < b->nrep; r++) {
#ifdef _OPENMP
    omp_set_num_threads(1); /* this task's nested regions: one thread */
#endif
    sts[r] = advance(b, &b->rep[r], n);
    if (sts[r] != MD_OK) snprintf(msgs[r], 1024, "%s", md_errmsg());
  }
  md_status st = MD_OK;
  for (int r = 0; r < b->nrep && st == MD_OK; r++)
    if (sts[r] != MD_OK) st = integ_label_replica(&b->opt, r, sts[r], msgs[r]);
  free(sts);
  free(msgs);
  return st;
}

static md_status cpu_compute_forces(md_backend *b) { return for_each_replica(b, -1); }

static md_status cpu_run_steps(md_backend *b, long n) { return n > 0 ? for_each_replica(b, n) : MD_OK; }

static md_status cpu_reduce_thermo(md_backend *b, int r, md_thermo *o) {
  if (r < 0 || r >= b->nrep) return md_error(MD_ERR_INTERNAL, "cpu backend: no replica %d", r);
  const cpu_rep *c = &b->rep[r];
  const md_system *s = c->st.sys;
  md_thermo_assemble(o, s->step, s->time, s->n, c->dof, integ_sum_mv2(s, b->mass, NULL), c->st.pe, c->st.pe_snap,
                     c->st.pe_coul, c->st.pe_zbl, c->st.virial, s->box.volume,
                     b->opt.integ.ensemble == MD_ENS_NVT ? &c->st.nhc : NULL);
  return MD_OK;
}

static const char *cpu_describe(const md_backend *b) { return b->rep[0].ff ? ff_describe(b->rep[0].ff) : ""; }

static const md_backend_ops cpu_ops = {"cpu",         cpu_create,        cpu_destroy,    cpu_set_state, cpu_get_state,
                                       cpu_compute_forces, cpu_run_steps, cpu_reduce_thermo, cpu_describe};

const md_backend_ops *md_backend_cpu(void) { return &cpu_ops; }
