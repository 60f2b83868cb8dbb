/* integrate.h — per-replica MD state on the host (md_replica, src/backend.h) and the CPU loops of the
 * integrator: half kick, drift, velocity scaling, kinetic-energy sum. The formulas are the MD_HD functions of
 * src/math/nhc.h; these loops are what the CPU backend runs and what a CUDA kernel replaces.
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

/* Chain parameters of an NVT run of n atoms (dof 3n − 3). */
void integ_nhc_params(const md_integrator_params *ip, int n, nhc_params *np);

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

MD_EXTERN_C_END

#endif
