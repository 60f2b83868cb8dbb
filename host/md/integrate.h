/* integrate.h — per-replica MD state on the host (md_replica, src/backend.h) and the CPU loops of the
 * integrator: half kick, drift, velocity scaling, kinetic-energy sum. The formulas are the MD_HD functions of
 * src/math/nhc.h; these loops are what the CPU backend runs and what a CUDA kernel replaces. Also the
 * safety-stop messages of every backend (the CUDA and emulated backends redo the failing check on the host).
 *
 * Every loop is element-wise (OpenMP, static schedule) or a serial sum in atom order, so results do not
 * depend on the number of threads. */
#ifndef ESNAP_INTEGRATE_H
#define ESNAP_INTEGRATE_H

#include "backend.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

/* Allocate a replica holding a deep copy of sys (forces zero, thermostat and RNG zeroed). */
md_status replica_alloc(md_replica *r, const md_system *sys);
void replica_free(md_replica *r);
/* Copy the parts in `what` (MD_STATE_* mask) between replicas of the same size. */
md_status replica_copy(md_replica *dst, const md_replica *src, unsigned what);
/* Copy MD_STATE_FORCE's parts (forces, energy and its parts, virial) between a replica and a force-field result
 * (host/ff/forcefield.h) of the same size: into the replica when to_replica, else into the result. */
struct ff_result;
void replica_forces_result(md_replica *r, struct ff_result *res, int to_replica);

/* Chain parameters of an NVT run of n atoms (dof 3n − 3). */
void integ_nhc_params(const md_integrator_params *ip, int n, nhc_params *np);

/* mass[e] and dtfm[e] = dtf / mass[e] (dtf = vv_dtf(dt)) of every element of model m. */
void integ_masses(const md_model *m, real_t dt, real_t *mass, real_t *dtfm);
/* v += dtf/m_type · F for every atom; dtfm[type] = dtf / mass[type]. */
void integ_kick(md_system *s, const real_t *fx, const real_t *fy, const real_t *fz, const real_t *dtfm);
/* x += dt · v for every atom; returns the largest squared displacement (Å²) and its atom in *imax. */
real_t integ_drift(md_system *s, real_t dt, int *imax);
/* v *= factor */
void integ_scale(md_system *s, real_t factor);
/* Σ m v² ((g/mol)(Å/ps)²), summed in atom order; *imax receives the atom with the largest m v². */
real_t integ_sum_mv2(const md_system *s, const real_t *mass, int *imax);
/* First atom with a non-finite position, velocity or force, or -1. */
int integ_first_nonfinite(const md_system *s, const real_t *fx, const real_t *fy, const real_t *fz);

/* ---- safety stops: one message per check (md_error, MD_ERR_PHYSICS), the same words in every backend ---- */

/* Atom i moved d Å in one step, further than lim (d NaN: its velocity is not finite). */
md_status integ_error_moved(const md_system *s, long step, int i, real_t d, real_t lim);
/* Atom i has a non-finite position, else velocity, else force. */
md_status integ_error_nonfinite(const md_system *s, long step, int i);
/* The temperature temp (K) is above t_max; ihot: the atom with the largest m v². */
md_status integ_error_hot(const md_system *s, long step, real_t temp, real_t t_max, int ihot);
/* Atoms ia and ib are d Å apart, closer than lim. */
md_status integ_error_close(const md_system *s, long step, int ia, int ib, real_t d, real_t lim);
/* The potential energy is not finite. */
md_status integ_error_energy(long step);
/* The first failing check among `which` (KERN_STOP_* bits, src/backend.h) of a system that a device step
 * sequence stopped at `step`, redone on the host from its positions and velocities (s), forces, temperature
 * temp (K), masses mass[type], time step dt (ps) and limits p; MD_OK when none fails. */
md_status integ_stop_check(const md_system *s, const real_t *fx, const real_t *fy, const real_t *fz, const real_t *mass,
                           real_t dt, const md_safety_params *p, unsigned which, long step, real_t temp);
/* The error of a device stop: the checks of the halting reason `halt` first, then those of every reason seen in
 * the same step (`flags`); when none fails, an error saying the host could not confirm the stop (atom: the
 * device's 1-based atom, -1 for none). */
md_status integ_stop_error(const md_system *s, const real_t *fx, const real_t *fy, const real_t *fz, const real_t *mass,
                           real_t dt, const md_safety_params *p, unsigned halt, unsigned flags, int atom, long step,
                           real_t temp);
/* Replica r's failure st with message msg (NULL: the current md_errmsg()), prefixed by "replica K: " (K =
 * opt->rep_offset + r; opt->rep_noun in place of "replica" when set) when opt->rep_label is set; MD_OK passes
 * through. */
md_status integ_label_replica(const md_backend_options *opt, int r, md_status st, const char *msg);

MD_EXTERN_C_END

#endif
