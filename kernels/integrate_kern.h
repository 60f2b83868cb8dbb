/* integrate_kern.h — per-thread bodies of the device integrator (kernels/integrate_gpu.cu): velocity Verlet
 * in LAMMPS order with the fix-nvt Nosé–Hoover chain, exactly the sequence of host/md/backend_cpu.c step_once,
 * with the leaf math of src/math/nhc.h:
 *
 *   begin       (thread per system)  step += 1; NVT: T_target(step), factor = nhc_half_step
 *   kick_drift  (thread per atom)    NVT: v *= factor; v += dtf/m F; x += dt v; lost-atom check (|v| dt over
 *                                    the limit, or NaN: halt at once, as the CPU stops before the forces);
 *                                    moved more than skin/2 since the last list build → status.rebuild
 *   … neighbour rebuild (guarded), forces …
 *   kick_mv2    (thread per atom)    v += dtf/m F; m v² of the atom (scratch)
 *   finish      (thread per system)  Σ m v² (deterministic chunk sums), T; NVT: t_current = T,
 *                                    factor = nhc_half_step, T *= factor²; temperature check
 *   scale_check (thread per atom)    NVT: v *= factor; non-finite x, v or F
 *   min_dist    (thread per atom)    every N steps: closest listed pair below the limit
 *   end         (one thread)         halt when a check of this step failed
 * The chain variables are per system and tiny, so one device thread updates each: no host round trip.
 */
#ifndef ESNAP_INTEGRATE_KERN_H
#define ESNAP_INTEGRATE_KERN_H

#include <math.h>
#include <string.h>

#include "gpu_kern.h"
#include "integrate.h"
#include "math/nhc.h"
#include "nbr_cells.h"

/* Per-system integrator state on the device. */
typedef struct integ_sys {
  nhc_state nhc;        /* chain (NVT) */
  nhc_params np;        /* its parameters (dof = 3n − 3 of this system) */
  long long step;       /* current step */
  real_t scale;         /* velocity factor of the last NHC half step (1 for NVE) */
  real_t temp;          /* temperature at the end of the last step (K) */
  real_t dof;           /* 3n − 3 */
  real_t t_fixed;       /* K: this replica's constant NVT target (backend rep_temperature); 0: the run's ramp */
} integ_sys;

/* Run-wide parameters (kernel arguments by value). */
typedef struct integ_params {
  int ensemble;             /* MD_ENS_NVE / MD_ENS_NVT (backend.h) */
  int nvt;                  /* ensemble == NVT */
  real_t dt;                /* ps */
  real_t t_start, t_stop;   /* K */
  long long ramp_begin, ramp_end;
  real_t dtfm[MD_MAX_ELEM]; /* dtf / mass per element */
  real_t mass[MD_MAX_ELEM]; /* g/mol */
  real_t t_max;             /* K, <= 0: off */
  real_t max_disp2;         /* Å², <= 0: off */
  real_t min_dist;          /* Å, <= 0: off */
  int min_dist_every;       /* steps */
  real_t moved2;            /* (skin/2)² (Å²); < 0: no neighbour lists */
} integ_params;

/* Host side: the run-wide parameters from the backend options and the model (no neighbour lists: moved2 = -1). */
static inline void integ_params_from_options(integ_params *p, const md_backend_options *opt, const md_model *m) {
  memset(p, 0, sizeof *p);
  p->ensemble = opt->integ.ensemble;
  p->nvt = opt->integ.ensemble == MD_ENS_NVT;
  p->dt = opt->integ.dt;
  p->t_start = opt->integ.t_start;
  p->t_stop = opt->integ.t_stop;
  p->ramp_begin = opt->integ.ramp_begin;
  p->ramp_end = opt->integ.ramp_end;
  integ_masses(m, opt->integ.dt, p->mass, p->dtfm);
  p->t_max = opt->safety.t_max;
  p->max_disp2 = opt->safety.max_disp > 0.0 ? opt->safety.max_disp * opt->safety.max_disp : 0.0;
  p->min_dist = opt->safety.min_dist;
  p->min_dist_every = opt->safety.min_dist_every;
  p->moved2 = -1.0;
}

/* Host side: replica r's state at the start of a run from its host copy rep (step, chain state) and the options
 * (chain parameters, rep_temperature). */
static inline void integ_sys_from_replica(integ_sys *q, const md_backend_options *opt, const md_replica *rep, int r) {
  memset(q, 0, sizeof *q);
  integ_nhc_params(&opt->integ, rep->sys->n, &q->np);
  q->dof = thermo_dof(rep->sys->n);
  q->scale = 1.0;
  q->step = rep->sys->step;
  q->nhc = rep->nhc;
  q->t_fixed = opt->rep_temperature ? opt->rep_temperature[r] : 0.0;
}

MD_HD void integ_begin_body(int s, const integ_params *MD_RESTRICT p, integ_sys *MD_RESTRICT sys) {
  integ_sys *q = &sys[s];
  q->step += 1;
  if (p->nvt) {
    nhc_set_target(&q->nhc, &q->np,
                   q->t_fixed > 0.0 ? q->t_fixed
                                    : nhc_target_temperature(p->t_start, p->t_stop, (long)q->step, (long)p->ramp_begin, (long)p->ramp_end));
    q->scale = nhc_half_step(&q->nhc, &q->np);
  } else {
    q->scale = 1.0;
  }
}

/* Returns KERN_STOP_LOST when the atom's step length exceeds the limit (or its velocity is NaN); sets
 * *moved when it moved more than skin/2 since x0 (x0 may be NULL). */
MD_HD unsigned integ_kick_drift_body(int i, int ntot, const integ_params *MD_RESTRICT p, const integ_sys *MD_RESTRICT sys,
                                     const int *MD_RESTRICT atom_sys, const int *MD_RESTRICT type, real_t *MD_RESTRICT pos,
                                     real_t *MD_RESTRICT vel, const real_t *MD_RESTRICT force, const real_t *MD_RESTRICT x0,
                                     int *MD_RESTRICT moved) {
  const int s = atom_sys[i];
  real_t vx = vel[i], vy = vel[ntot + i], vz = vel[2 * ntot + i];
  if (p->nvt) {
    const real_t f = sys[s].scale;
    vx *= f;
    vy *= f;
    vz *= f;
  }
  vv_kick(p->dtfm[type[i]], force[i], force[ntot + i], force[2 * ntot + i], &vx, &vy, &vz);
  real_t x = pos[i], y = pos[ntot + i], z = pos[2 * ntot + i];
  vv_drift(p->dt, vx, vy, vz, &x, &y, &z);
  vel[i] = vx;
  vel[ntot + i] = vy;
  vel[2 * ntot + i] = vz;
  pos[i] = x;
  pos[ntot + i] = y;
  pos[2 * ntot + i] = z;
  *moved = 0;
  if (x0 && p->moved2 >= 0.0) *moved = nbr_moved(x, y, z, x0[i], x0[ntot + i], x0[2 * ntot + i], p->moved2);
  if (p->max_disp2 > 0.0) {
    real_t v2 = vx * vx + vy * vy + vz * vz;
    if (!(v2 * p->dt * p->dt <= p->max_disp2)) return KERN_STOP_LOST;
  }
  return 0;
}

/* Second half kick; returns m v² of the atom ((g/mol)(Å/ps)²). */
MD_HD real_t integ_kick_mv2_body(int i, int ntot, const integ_params *MD_RESTRICT p, const int *MD_RESTRICT type,
                                 real_t *MD_RESTRICT vel, const real_t *MD_RESTRICT force) {
  real_t vx = vel[i], vy = vel[ntot + i], vz = vel[2 * ntot + i];
  vv_kick(p->dtfm[type[i]], force[i], force[ntot + i], force[2 * ntot + i], &vx, &vy, &vz);
  vel[i] = vx;
  vel[ntot + i] = vy;
  vel[2 * ntot + i] = vz;
  return (vx * vx + vy * vy + vz * vz) * p->mass[type[i]];
}

MD_HD real_t integ_mv2_body(int i, int ntot, const integ_params *MD_RESTRICT p, const int *MD_RESTRICT type,
                            const real_t *MD_RESTRICT vel) {
  real_t vx = vel[i], vy = vel[ntot + i], vz = vel[2 * ntot + i];
  return (vx * vx + vy * vy + vz * vz) * p->mass[type[i]];
}

/* System s after the second kick, given its Σ m v²; returns KERN_STOP_TEMP when over the limit. */
MD_HD unsigned integ_finish_body(int s, const integ_params *MD_RESTRICT p, integ_sys *MD_RESTRICT sys, real_t mv2) {
  integ_sys *q = &sys[s];
  real_t t = thermo_temperature(mv2, q->dof);
  if (p->nvt) {
    q->nhc.t_current = t;
    real_t f = nhc_half_step(&q->nhc, &q->np);
    q->scale = f;
    t *= f * f;
  } else {
    q->scale = 1.0;
  }
  q->temp = t;
  return (p->t_max > 0.0 && t > p->t_max) ? KERN_STOP_TEMP : 0;
}

/* NVT velocity scaling and the finiteness check of atom i; returns KERN_STOP_NONFINITE or 0. */
MD_HD unsigned integ_scale_check_body(int i, int ntot, const integ_params *MD_RESTRICT p, const integ_sys *MD_RESTRICT sys,
                                      const int *MD_RESTRICT atom_sys, const real_t *MD_RESTRICT pos, real_t *MD_RESTRICT vel,
                                      const real_t *MD_RESTRICT force) {
  if (p->nvt) {
    const real_t f = sys[atom_sys[i]].scale;
    vel[i] *= f;
    vel[ntot + i] *= f;
    vel[2 * ntot + i] *= f;
  }
  real_t sum = pos[i] + pos[ntot + i] + pos[2 * ntot + i] + vel[i] + vel[ntot + i] + vel[2 * ntot + i] + force[i] +
               force[ntot + i] + force[2 * ntot + i];
  return isfinite(sum) ? 0 : KERN_STOP_NONFINITE;
}

/* 1 when the closest-pair check is due at this system's step. */
MD_HD int integ_min_dist_due(const integ_params *MD_RESTRICT p, const integ_sys *MD_RESTRICT q) {
  return p->min_dist > 0.0 && p->min_dist_every > 0 && q->step % p->min_dist_every == 0;
}

#endif
