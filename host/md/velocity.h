/* velocity.h — initial velocities: Gaussian (or uniform) components from the project's RNG
 * (src/math/xoshiro.h), zero net momentum, scaled to exactly the requested temperature with the 3N − 3
 * degrees of freedom of LAMMPS compute temp.
 *
 * Recipe (documented so a run can be reproduced from its seed): seed the stream with md_rng_seed(seed, r)
 * (r = replica index, 0 for a single system); for atoms i = 0..n−1 in structure order draw
 * (ξx, ξy, ξz) — three standard normals (Box–Muller) for `gaussian`, three uniforms in [−½, ½) for
 * `uniform` — and set v_i = ξ / sqrt(m_i); subtract the centre-of-mass velocity Σ m v / Σ m (mom yes);
 * multiply by sqrt(T / T_current). The stream continues from there (its state goes into checkpoints). */
#ifndef ESNAP_VELOCITY_H
#define ESNAP_VELOCITY_H

#include "math/xoshiro.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

enum { VELOCITY_GAUSSIAN = 0, VELOCITY_UNIFORM = 1 };

/* mass[type] in g/mol. T = 0 gives zero velocities without touching the stream. */
md_status velocity_create(md_system *s, const real_t *mass, real_t temperature, int dist, int zero_momentum,
                          md_rng *rng);
/* Subtract the centre-of-mass velocity. */
void velocity_zero_momentum(md_system *s, const real_t *mass);
/* Temperature (K) of the current velocities, 3N − 3 degrees of freedom. */
real_t velocity_temperature(const md_system *s, const real_t *mass);
/* Net momentum (g/mol · Å/ps). */
void velocity_momentum(const md_system *s, const real_t *mass, real_t p[3]);

MD_EXTERN_C_END

#endif
