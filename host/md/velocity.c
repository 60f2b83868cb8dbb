#include "velocity.h"

#include <math.h>
#include <stddef.h>

#include "math/nhc.h"
#include "integrate.h"

void velocity_momentum(const md_system *s, const real_t *mass, real_t p[3]) {
  p[0] = p[1] = p[2] = 0.0;
  for (int i = 0; i < s->n; i++) {
    real_t m = mass[s->type[i]];
    p[0] += m * s->vx[i];
    p[1] += m * s->vy[i];
    p[2] += m * s->vz[i];
  }
}

void velocity_zero_momentum(md_system *s, const real_t *mass) {
  real_t p[3], mtot = 0.0;
  velocity_momentum(s, mass, p);
  for (int i = 0; i < s->n; i++) mtot += mass[s->type[i]];
  if (!(mtot > 0.0)) return;
  real_t c[3] = {p[0] / mtot, p[1] / mtot, p[2] / mtot};
  for (int i = 0; i < s->n; i++) {
    s->vx[i] -= c[0];
    s->vy[i] -= c[1];
    s->vz[i] -= c[2];
  }
}

real_t velocity_temperature(const md_system *s, const real_t *mass) {
  return thermo_temperature(integ_sum_mv2(s, mass, NULL), thermo_dof(s->n));
}

md_status velocity_create(md_system *s, const real_t *mass, real_t temperature, int dist, int zero_momentum,
                          md_rng *rng) {
  if (!(temperature >= 0.0) || !isfinite(temperature))
    return md_error(MD_ERR_VALUE, "velocity: temperature %g K must be a non-negative number", temperature);
  for (int i = 0; i < s->n; i++) s->vx[i] = s->vy[i] = s->vz[i] = 0.0;
  s->has_velocities = 1;
  if (temperature == 0.0) return MD_OK;
  if (s->n < 2) return md_error(MD_ERR_VALUE, "velocity: a temperature needs at least 2 atoms (3N − 3 degrees of freedom)");
  for (int i = 0; i < s->n; i++) {
    real_t m = mass[s->type[i]];
    if (!(m > 0.0)) return md_error(MD_ERR_VALUE, "velocity: atom %d has no positive mass", s->id[i]);
    real_t inv = 1.0 / sqrt(m), a, b, c;
    if (dist == VELOCITY_UNIFORM) {
      a = md_rng_uniform(rng) - 0.5;
      b = md_rng_uniform(rng) - 0.5;
      c = md_rng_uniform(rng) - 0.5;
    } else {
      a = md_rng_normal(rng);
      b = md_rng_normal(rng);
      c = md_rng_normal(rng);
    }
    s->vx[i] = a * inv;
    s->vy[i] = b * inv;
    s->vz[i] = c * inv;
  }
  if (zero_momentum) velocity_zero_momentum(s, mass);
  real_t t = velocity_temperature(s, mass);
  if (!(t > 0.0)) return md_error(MD_ERR_INTERNAL, "velocity: random velocities have zero temperature");
  integ_scale(s, sqrt(temperature / t));
  return MD_OK;
}
