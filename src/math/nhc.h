/* nhc.h — integrator leaf math shared by the CPU backend and the CUDA kernels: the velocity-Verlet
 * kick and drift, the Nosé–Hoover chain of LAMMPS `fix nvt` (Martyna–Tuckerman–Klein chain, MTK 2006
 * update order, as in LAMMPS src/fix_nh.cpp), and the thermo formulas of LAMMPS `compute temp` and
 * `compute pressure`.
 *
 * One MD step (LAMMPS order; NVE leaves out the NHC lines):
 *   initial_integrate:  T_target(step); factor = nhc_half_step(T_current); v *= factor;
 *                       v += dtf/m · F (dtf = ½ dt ftm2v); x += dt · v
 *   forces F(x)
 *   final_integrate:    v += dtf/m · F; T_current = T(v); factor = nhc_half_step(T_current); v *= factor
 * The chain variables are updated on the host or by one device thread; only the velocity scaling and the
 * kinetic-energy reduction are loops over atoms.
 *
 * Units: T in K, energies in eV, time in ps, eta dimensionless, eta_dot in 1/ps, eta_mass Q in eV·ps².
 */
#ifndef ESNAP_MATH_NHC_H
#define ESNAP_MATH_NHC_H

#include <math.h>

#include "../constants.h"
#include "../md_hd.h"
#include "../types.h"

MD_EXTERN_C_BEGIN

#define NHC_MAX_CHAIN 16

/* Parameters of a Nosé–Hoover chain (LAMMPS fix nvt: temp Tstart Tstop Tdamp tchain M tloop L drag D). */
typedef struct nhc_params {
  int nchain;     /* thermostats in the chain, M (LAMMPS default 3) */
  int tloop;      /* sub-cycles per half step (LAMMPS default 1) */
  real_t t_freq;  /* 1 / Tdamp (1/ps) */
  real_t drag;    /* LAMMPS drag factor (default 0) */
  real_t dof;     /* degrees of freedom of the thermostatted temperature (3N − 3) */
  real_t dt;      /* time step (ps) */
} nhc_params;

/* The chain's state: everything needed to continue bit for bit (goes into checkpoints). */
typedef struct nhc_state {
  int nchain;                          /* M */
  int pad_;
  real_t eta[NHC_MAX_CHAIN];           /* thermostat positions (dimensionless) */
  real_t eta_dot[NHC_MAX_CHAIN + 1];   /* thermostat velocities (1/ps); eta_dot[M] = 0 always */
  real_t eta_dotdot[NHC_MAX_CHAIN];    /* thermostat forces / Q (1/ps²) */
  real_t eta_mass[NHC_MAX_CHAIN];      /* Q_k (eV ps²), reset from T_target on every half step as LAMMPS does */
  real_t t_current;                    /* the chain's view of the current temperature (K): set from the
                                          velocities before the final half step, scaled by factor² inside
                                          each half step and carried into the next initial half step, as in
                                          LAMMPS */
  real_t t_target;                     /* current target temperature (K) */
  real_t ke_target;                    /* dof · kB · T_target (eV); LAMMPS's ke_target (twice a kinetic energy) */
} nhc_state;

/* ---- velocity Verlet ---- */

/* dtf = ½ dt ftm2v: with dtfm = dtf / m, a half kick is v += dtfm · F ((Å/ps) per (eV/Å)) */
MD_HD real_t vv_dtf(real_t dt) { return 0.5 * dt * MD_FTM2V; }

MD_HD void vv_kick(real_t dtfm, real_t fx, real_t fy, real_t fz, real_t *MD_RESTRICT vx, real_t *MD_RESTRICT vy,
                   real_t *MD_RESTRICT vz) {
  *vx += dtfm * fx;
  *vy += dtfm * fy;
  *vz += dtfm * fz;
}

MD_HD void vv_drift(real_t dt, real_t vx, real_t vy, real_t vz, real_t *MD_RESTRICT x, real_t *MD_RESTRICT y,
                    real_t *MD_RESTRICT z) {
  *x += dt * vx;
  *y += dt * vy;
  *z += dt * vz;
}

/* ---- thermo formulas (LAMMPS compute temp, compute pressure) ---- */

/* Degrees of freedom of compute temp for n atoms in 3D: 3n − 3 (centre-of-mass motion removed). */
MD_HD real_t thermo_dof(int n) { return n > 1 ? 3.0 * n - 3.0 : 0.0; }

/* Temperature (K) from Σ m v² ((g/mol)(Å/ps)²). */
MD_HD real_t thermo_temperature(real_t sum_mv2, real_t dof) {
  return dof > 0.0 ? sum_mv2 * (MD_MVV2E / (dof * MD_BOLTZ)) : 0.0;
}

/* Kinetic energy (eV) as LAMMPS thermo `ke`: ½ dof kB T. */
MD_HD real_t thermo_kinetic_energy(real_t temperature, real_t dof) { return 0.5 * dof * MD_BOLTZ * temperature; }

/* Pressure (bar): (dof kB T + W_xx + W_yy + W_zz) / (3 V) · nktv2p, W the virial (eV), V in Å³. */
MD_HD real_t thermo_pressure(real_t dof, real_t temperature, const real_t *virial, real_t volume) {
  return (dof * MD_BOLTZ * temperature + virial[0] + virial[4] + virial[8]) / 3.0 / volume * MD_NKTV2P;
}

/* ---- Nosé–Hoover chain ---- */

/* Linear ramp of the target temperature between step `begin` (t_start) and `end` (t_stop), as LAMMPS's
 * compute_temp_target with delta = (step − begin) / (end − begin). */
MD_HD real_t nhc_target_temperature(real_t t_start, real_t t_stop, long step, long begin, long end) {
  real_t delta = (end > begin) ? (real_t)(step - begin) / (real_t)(end - begin) : 0.0;
  return t_start + delta * (t_stop - t_start);
}

MD_HD void nhc_set_target(nhc_state *s, const nhc_params *p, real_t t_target) {
  s->t_target = t_target;
  s->ke_target = p->dof * MD_BOLTZ * t_target;
}

MD_HD void nhc_update_masses(nhc_state *s, const nhc_params *p) {
  real_t w2 = p->t_freq * p->t_freq;
  s->eta_mass[0] = p->dof * MD_BOLTZ * s->t_target / w2;
  for (int k = 1; k < s->nchain; k++) s->eta_mass[k] = MD_BOLTZ * s->t_target / w2;
}

/* Start a chain at rest (LAMMPS FixNH constructor + setup): eta = eta_dot = 0, masses from T_target,
 * eta_dotdot[k ≥ 1] = (Q_{k−1} eta_dot_{k−1}² − kB T) / Q_k; t_current = the temperature of the initial
 * velocities. */
MD_HD void nhc_init(nhc_state *s, const nhc_params *p, real_t t_target, real_t t_current) {
  int m = p->nchain < 1 ? 1 : (p->nchain > NHC_MAX_CHAIN ? NHC_MAX_CHAIN : p->nchain);
  s->nchain = m;
  s->pad_ = 0;
  for (int k = 0; k < NHC_MAX_CHAIN; k++) {
    s->eta[k] = 0.0;
    s->eta_dot[k] = 0.0;
    s->eta_dotdot[k] = 0.0;
    s->eta_mass[k] = 0.0;
  }
  s->eta_dot[NHC_MAX_CHAIN] = 0.0;
  s->t_current = t_current;
  nhc_set_target(s, p, t_target);
  nhc_update_masses(s, p);
  for (int k = 1; k < m; k++)
    s->eta_dotdot[k] = (s->eta_mass[k - 1] * s->eta_dot[k - 1] * s->eta_dot[k - 1] - MD_BOLTZ * s->t_target) / s->eta_mass[k];
}

/* Half-step update of the chain (LAMMPS FixNH::nhc_temp_integrate) from s->t_current; returns the factor by
 * which the caller scales every velocity, and leaves s->t_current = t_current · factor². With tloop > 1 the
 * factors of the sub-cycles are multiplied (LAMMPS scales the velocities once per sub-cycle). */
MD_HD real_t nhc_half_step(nhc_state *s, const nhc_params *p) {
  const int m = s->nchain;
  const real_t dthalf = 0.5 * p->dt, dt4 = 0.25 * p->dt, dt8 = 0.125 * p->dt;
  const int nc = p->tloop < 1 ? 1 : p->tloop;
  const real_t ncfac = 1.0 / nc;
  const real_t tdrag = 1.0 - p->dt * p->t_freq * p->drag / nc;
  const real_t kt = MD_BOLTZ * s->t_target;
  real_t t_current = s->t_current;
  real_t kecurrent = p->dof * MD_BOLTZ * t_current;
  real_t total = 1.0;

  nhc_update_masses(s, p);
  s->eta_dot[m] = 0.0;
  s->eta_dotdot[0] = (s->eta_mass[0] > 0.0) ? (kecurrent - s->ke_target) / s->eta_mass[0] : 0.0;

  for (int loop = 0; loop < nc; loop++) {
    real_t expfac;
    for (int k = m - 1; k > 0; k--) {
      expfac = exp(-ncfac * dt8 * s->eta_dot[k + 1]);
      s->eta_dot[k] *= expfac;
      s->eta_dot[k] += s->eta_dotdot[k] * ncfac * dt4;
      s->eta_dot[k] *= tdrag;
      s->eta_dot[k] *= expfac;
    }
    expfac = exp(-ncfac * dt8 * s->eta_dot[1]);
    s->eta_dot[0] *= expfac;
    s->eta_dot[0] += s->eta_dotdot[0] * ncfac * dt4;
    s->eta_dot[0] *= tdrag;
    s->eta_dot[0] *= expfac;

    real_t factor = exp(-ncfac * dthalf * s->eta_dot[0]);
    total *= factor;
    t_current *= factor * factor;
    kecurrent = p->dof * MD_BOLTZ * t_current;
    s->eta_dotdot[0] = (s->eta_mass[0] > 0.0) ? (kecurrent - s->ke_target) / s->eta_mass[0] : 0.0;

    for (int k = 0; k < m; k++) s->eta[k] += ncfac * dthalf * s->eta_dot[k];

    s->eta_dot[0] *= expfac;
    s->eta_dot[0] += s->eta_dotdot[0] * ncfac * dt4;
    s->eta_dot[0] *= expfac;

    for (int k = 1; k < m; k++) {
      expfac = exp(-ncfac * dt8 * s->eta_dot[k + 1]);
      s->eta_dot[k] *= expfac;
      s->eta_dotdot[k] = (s->eta_mass[k - 1] * s->eta_dot[k - 1] * s->eta_dot[k - 1] - kt) / s->eta_mass[k];
      s->eta_dot[k] += s->eta_dotdot[k] * ncfac * dt4;
      s->eta_dot[k] *= expfac;
    }
  }
  s->t_current = t_current;
  return total;
}

/* Energy of the chain (eV), LAMMPS FixNH::compute_scalar for a thermostat only:
 * dof kB T eta_0 + ½ Q_0 eta_dot_0² + Σ_{k≥1} (kB T eta_k + ½ Q_k eta_dot_k²).
 * The conserved quantity of NVT is E_total + this (LAMMPS thermo `econserve`). */
MD_HD real_t nhc_energy(const nhc_state *s) {
  real_t kt = MD_BOLTZ * s->t_target;
  real_t e = s->ke_target * s->eta[0] + 0.5 * s->eta_mass[0] * s->eta_dot[0] * s->eta_dot[0];
  for (int k = 1; k < s->nchain; k++) e += kt * s->eta[k] + 0.5 * s->eta_mass[k] * s->eta_dot[k] * s->eta_dot[k];
  return e;
}

MD_EXTERN_C_END

#endif
