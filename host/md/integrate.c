#include "integrate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forcefield.h"
#include "math/nhc.h"
#include "system.h"

/* Below this many atoms the O(N) integrator loops run on one thread: a parallel region costs more than the
 * loop, and with more threads than cores (several runs on one machine) it costs far more. */
#define INTEG_OMP_MIN 32768

md_status replica_alloc(md_replica *r, const md_system *sys) {
  memset(r, 0, sizeof *r);
  MD_TRY(system_copy(&r->sys, sys));
  size_t m = (size_t)(sys->n > 0 ? sys->n : 1);
  r->fx = (real_t *)calloc(3 * m, sizeof(real_t));
  r->nbr_x0 = (real_t *)calloc(3 * m, sizeof(real_t));
  if (!r->fx || !r->nbr_x0) {
    system_destroy(&r->sys);
    free(r->fx);
    free(r->nbr_x0);
    r->fx = r->nbr_x0 = NULL;
    return md_error(MD_ERR_MEMORY, "out of memory (forces of %d atoms)", sys->n);
  }
  r->fy = r->fx + m;
  r->fz = r->fx + 2 * m;
  r->step0 = sys->step;
  r->time0 = sys->time;
  return MD_OK;
}

void replica_free(md_replica *r) {
  if (!r) return;
  system_destroy(&r->sys);
  free(r->fx);
  free(r->nbr_x0);
  memset(r, 0, sizeof *r);
}

void replica_forces_result(md_replica *r, ff_result *res, int to_replica) {
  size_t n = (size_t)r->sys->n;
  real_t *rf[3] = {r->fx, r->fy, r->fz}, *ff[3] = {res->fx, res->fy, res->fz};
  real_t *re[4] = {&r->pe, &r->pe_snap, &r->pe_coul, &r->pe_zbl};
  real_t *fe[4] = {&res->energy, &res->e_snap, &res->e_coul, &res->e_zbl};
  for (int d = 0; d < 3; d++) memcpy(to_replica ? rf[d] : ff[d], to_replica ? ff[d] : rf[d], n * sizeof(real_t));
  for (int k = 0; k < 4; k++) *(to_replica ? re[k] : fe[k]) = *(to_replica ? fe[k] : re[k]);
  memcpy(to_replica ? r->virial : res->virial, to_replica ? res->virial : r->virial, sizeof r->virial);
}

md_status replica_copy(md_replica *dst, const md_replica *src, unsigned what) {
  if (dst == src) return MD_OK;
  const md_system *a = src->sys;
  md_system *b = dst->sys;
  if (a->n != b->n) return md_error(MD_ERR_INTERNAL, "replica copy between %d and %d atoms", a->n, b->n);
  size_t n = (size_t)a->n;
  if (what & MD_STATE_POS) {
    memcpy(b->x, a->x, n * sizeof(real_t));
    memcpy(b->y, a->y, n * sizeof(real_t));
    memcpy(b->z, a->z, n * sizeof(real_t));
    memcpy(b->ix, a->ix, n * sizeof(int));
    memcpy(b->iy, a->iy, n * sizeof(int));
    memcpy(b->iz, a->iz, n * sizeof(int));
    b->box = a->box;
  }
  if (what & MD_STATE_VEL) {
    memcpy(b->vx, a->vx, n * sizeof(real_t));
    memcpy(b->vy, a->vy, n * sizeof(real_t));
    memcpy(b->vz, a->vz, n * sizeof(real_t));
    b->has_velocities = a->has_velocities;
  }
  if (what & MD_STATE_FORCE) {
    memcpy(dst->fx, src->fx, n * sizeof(real_t));
    memcpy(dst->fy, src->fy, n * sizeof(real_t));
    memcpy(dst->fz, src->fz, n * sizeof(real_t));
    dst->pe = src->pe;
    dst->pe_snap = src->pe_snap;
    dst->pe_coul = src->pe_coul;
    dst->pe_zbl = src->pe_zbl;
    memcpy(dst->virial, src->virial, sizeof dst->virial);
  }
  if (what & MD_STATE_THERMOSTAT) dst->nhc = src->nhc;
  if (what & MD_STATE_CLOCK) {
    b->step = a->step;
    b->time = a->time;
    dst->step0 = src->step0;
    dst->time0 = src->time0;
    dst->rng = src->rng;
  }
  if (what & MD_STATE_NBR) {
    dst->nbr_valid = src->nbr_valid && src->nbr_x0 && dst->nbr_x0;
    if (dst->nbr_valid) memcpy(dst->nbr_x0, src->nbr_x0, 3 * n * sizeof(real_t));
  }
  return MD_OK;
}

void integ_nhc_params(const md_integrator_params *ip, int n, nhc_params *np) {
  memset(np, 0, sizeof *np);
  np->nchain = ip->chain;
  np->tloop = ip->tloop;
  np->t_freq = ip->t_damp > 0.0 ? 1.0 / ip->t_damp : 0.0;
  np->drag = ip->drag;
  np->dof = thermo_dof(n);
  np->dt = ip->dt;
}

void integ_kick(md_system *s, const real_t *fx, const real_t *fy, const real_t *fz, const real_t *dtfm) {
  const int n = s->n;
  const int *type = s->type;
  real_t *vx = s->vx, *vy = s->vy, *vz = s->vz;
#pragma omp parallel for schedule(static) if (n >= INTEG_OMP_MIN)
  for (int i = 0; i < n; i++) vv_kick(dtfm[type[i]], fx[i], fy[i], fz[i], &vx[i], &vy[i], &vz[i]);
}

real_t integ_drift(md_system *s, real_t dt, int *imax) {
  const int n = s->n;
  real_t *x = s->x, *y = s->y, *z = s->z;
  const real_t *vx = s->vx, *vy = s->vy, *vz = s->vz;
#pragma omp parallel for schedule(static) if (n >= INTEG_OMP_MIN)
  for (int i = 0; i < n; i++) vv_drift(dt, vx[i], vy[i], vz[i], &x[i], &y[i], &z[i]);
  /* largest step length (the displacement of this drift is dt·v) */
  real_t best = 0.0;
  int ib = -1;
  for (int i = 0; i < n; i++) {
    real_t v2 = vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i];
    if (!(v2 <= best)) { /* also catches NaN */
      best = v2;
      ib = i;
      if (isnan(v2)) break;
    }
  }
  if (imax) *imax = ib;
  return best * dt * dt;
}

void integ_scale(md_system *s, real_t factor) {
  const int n = s->n;
  real_t *vx = s->vx, *vy = s->vy, *vz = s->vz;
#pragma omp parallel for schedule(static) if (n >= INTEG_OMP_MIN)
  for (int i = 0; i < n; i++) {
    vx[i] *= factor;
    vy[i] *= factor;
    vz[i] *= factor;
  }
}

real_t integ_sum_mv2(const md_system *s, const real_t *mass, int *imax) {
  real_t sum = 0.0, best = -1.0;
  int ib = -1;
  for (int i = 0; i < s->n; i++) {
    real_t m = mass[s->type[i]];
    real_t e = (s->vx[i] * s->vx[i] + s->vy[i] * s->vy[i] + s->vz[i] * s->vz[i]) * m;
    sum += e;
    if (e > best) {
      best = e;
      ib = i;
    }
  }
  if (imax) *imax = ib;
  return sum;
}

int integ_first_nonfinite(const md_system *s, const real_t *fx, const real_t *fy, const real_t *fz) {
  for (int i = 0; i < s->n; i++) {
    real_t sum = s->x[i] + s->y[i] + s->z[i] + s->vx[i] + s->vy[i] + s->vz[i];
    if (fx) sum += fx[i] + fy[i] + fz[i];
    if (!isfinite(sum)) return i;
  }
  return -1;
}

void integ_masses(const md_model *m, real_t dt, real_t *mass, real_t *dtfm) {
  const real_t dtf = vv_dtf(dt);
  for (int e = 0; e < m->nelem; e++) {
    mass[e] = m->mass[e];
    dtfm[e] = dtf / m->mass[e];
  }
}

/* ---- safety stops ---- */

static const char *elem_of(const md_system *s, int i) { return s->elem[s->type[i]]; }

md_status integ_error_moved(const md_system *s, long step, int i, real_t d, real_t lim) {
  if (isnan(d))
    return md_error(MD_ERR_PHYSICS, "step %ld: atom %d (%s) has a non-finite velocity: the run is unstable", step, s->id[i],
                    elem_of(s, i));
  return md_error(MD_ERR_PHYSICS, "step %ld: atom %d (%s) moved %.3g Å in one step (limit %g Å): lost atom, the run is "
                  "unstable", step, s->id[i], elem_of(s, i), d, lim);
}

md_status integ_error_nonfinite(const md_system *s, long step, int i) {
  const char *what = !isfinite(s->x[i] + s->y[i] + s->z[i])     ? "position"
                     : !isfinite(s->vx[i] + s->vy[i] + s->vz[i]) ? "velocity"
                                                                 : "force";
  return md_error(MD_ERR_PHYSICS, "step %ld: atom %d (%s) has a non-finite %s: the run is unstable (time step too large, "
                  "or overlapping atoms?)", step, s->id[i], elem_of(s, i), what);
}

md_status integ_error_hot(const md_system *s, long step, real_t temp, real_t t_max, int ihot) {
  real_t v = sqrt(s->vx[ihot] * s->vx[ihot] + s->vy[ihot] * s->vy[ihot] + s->vz[ihot] * s->vz[ihot]);
  return md_error(MD_ERR_PHYSICS, "step %ld: temperature %.6g K exceeds the limit %.6g K (hottest atom %d (%s), %.4g Å/ps): "
                  "the run is exploding", step, temp, t_max, s->id[ihot], elem_of(s, ihot), v);
}

md_status integ_error_close(const md_system *s, long step, int ia, int ib, real_t d, real_t lim) {
  return md_error(MD_ERR_PHYSICS, "step %ld: atoms %d (%s) and %d (%s) are %.4f Å apart (limit %g Å)", step, s->id[ia],
                  elem_of(s, ia), s->id[ib], elem_of(s, ib), d, lim);
}

md_status integ_error_energy(long step) {
  return md_error(MD_ERR_PHYSICS, "step %ld: the potential energy is not finite: the run is unstable (overlapping atoms?)",
                  step);
}

md_status integ_stop_check(const md_system *s, const real_t *fx, const real_t *fy, const real_t *fz, const real_t *mass,
                           real_t dt, const md_safety_params *p, unsigned which, long step, real_t temp) {
  if (which & KERN_STOP_LOST) {
    real_t best = 0.0;
    int ib = -1;
    for (int i = 0; i < s->n; i++) {
      real_t v2 = s->vx[i] * s->vx[i] + s->vy[i] * s->vy[i] + s->vz[i] * s->vz[i];
      if (!(v2 <= best)) {
        best = v2;
        ib = i;
        if (isnan(v2)) break;
      }
    }
    if (ib >= 0) return integ_error_moved(s, step, ib, sqrt(best) * dt, p->max_disp);
  }
  if (which & KERN_STOP_NONFINITE) {
    int bad = integ_first_nonfinite(s, fx, fy, fz);
    if (bad >= 0) return integ_error_nonfinite(s, step, bad);
  }
  if ((which & KERN_STOP_TEMP) && p->t_max > 0.0 && temp > p->t_max) {
    int ihot = 0;
    integ_sum_mv2(s, mass, &ihot);
    return integ_error_hot(s, step, temp, p->t_max, ihot);
  }
  if ((which & KERN_STOP_MINDIST) && p->min_dist > 0.0) {
    real_t d;
    int ia, ib;
    md_status st = system_min_distance(s, p->min_dist, &d, &ia, &ib);
    if (st != MD_OK) return md_error(MD_ERR_PHYSICS, "step %ld: %s", step, md_errmsg());
    if (ia >= 0 && d < p->min_dist) return integ_error_close(s, step, ia, ib, d, p->min_dist);
  }
  if (which & KERN_STOP_FAR)
    return md_error(MD_ERR_PHYSICS, "step %ld: an atom has a non-finite position or is hundreds of cells away from the box "
                    "(lost atom): the run is unstable", step);
  return MD_OK;
}

md_status integ_stop_error(const md_system *s, const real_t *fx, const real_t *fy, const real_t *fz, const real_t *mass,
                           real_t dt, const md_safety_params *p, unsigned halt, unsigned flags, int atom, long step,
                           real_t temp) {
  md_status st = integ_stop_check(s, fx, fy, fz, mass, dt, p, halt, step, temp);
  if (st == MD_OK) st = integ_stop_check(s, fx, fy, fz, mass, dt, p, flags, step, temp);
  if (st == MD_OK)
    st = md_error(MD_ERR_PHYSICS, "step %ld: the device stopped the run (reason %#x, atom %d) but the host could not confirm "
                  "it", step, halt, atom);
  return st;
}

md_status integ_label_replica(const md_backend_options *opt, int r, md_status st, const char *msg) {
  if (st == MD_OK) return st;
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", msg ? msg : md_errmsg());
  if (!opt->rep_label) return md_error(st, "%s", buf);
  return md_error(st, "%s %d: %s", opt->rep_noun ? opt->rep_noun : "replica", opt->rep_offset + r, buf);
}
