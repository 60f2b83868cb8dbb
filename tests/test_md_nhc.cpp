// Nosé–Hoover chain leaf math (src/math/nhc.h): initial state as LAMMPS FixNH::setup, the extended energy
// (kinetic + chain, LAMMPS econserve) conserved by the chain's own dynamics, a ramped target, and the thermo
// formulas (temperature, kinetic energy, pressure) against hand-computed values.
#include <catch2/catch.hpp>

#include <cmath>

extern "C" {
#include "math/nhc.h"
}

TEST_CASE("nhc initial state", "[md][nhc]") {
  nhc_params p = {3, 1, 1.0 / 0.1, 0.0, 3.0 * 500 - 3.0, 0.001};
  nhc_state s;
  nhc_init(&s, &p, 1000.0, 900.0);
  double kt = MD_BOLTZ * 1000.0;
  CHECK(s.nchain == 3);
  CHECK(s.eta_mass[0] == Approx(p.dof * kt * 0.01).epsilon(1e-14));
  CHECK(s.eta_mass[1] == Approx(kt * 0.01).epsilon(1e-14));
  CHECK(s.eta_dotdot[1] == Approx(-kt / s.eta_mass[1]).epsilon(1e-14));
  CHECK(s.eta_dotdot[2] == Approx(-kt / s.eta_mass[2]).epsilon(1e-14));
  CHECK(s.ke_target == Approx(p.dof * kt).epsilon(1e-14));
  CHECK(s.t_current == 900.0);
  CHECK(nhc_energy(&s) == 0.0);
}

// Velocities feel only the chain (no forces): K(t) scaled by factor² each half step. The extended energy
// K + E_chain is a constant of that motion; the splitting keeps it with a bounded O(dt²) error: halving the
// time step divides the largest deviation by about 4, and the error does not grow with time.
static double nhc_energy_error(int chain, int tloop, double dt, double *tmean) {
  const double dof = 297.0, total = 20.0; /* ps */
  nhc_params p = {chain, tloop, 1.0 / 0.1, 0.0, dof, dt};
  nhc_state s;
  double t = 400.0;
  nhc_init(&s, &p, 1000.0, t);
  double e0 = thermo_kinetic_energy(t, dof) + nhc_energy(&s), emax = 0.0, tsum = 0.0;
  const long nsteps = (long)(total / dt + 0.5);
  for (long k = 0; k < nsteps; k++) {
    double f = nhc_half_step(&s, &p); /* initial half step uses the carried t_current */
    t *= f * f;
    s.t_current = t; /* final half step: "recomputed" temperature */
    f = nhc_half_step(&s, &p);
    t *= f * f;
    emax = std::fmax(emax, std::fabs(thermo_kinetic_energy(t, dof) + nhc_energy(&s) - e0));
    tsum += t;
  }
  *tmean = tsum / nsteps;
  return emax;
}

TEST_CASE("nhc extended energy conservation", "[md][nhc]") {
  const double ke = thermo_kinetic_energy(1000.0, 297.0);
  for (int tloop = 1; tloop <= 2; tloop++)
    for (int chain = 1; chain <= 5; chain += 2) {
      double tm1, tm2;
      double e1 = nhc_energy_error(chain, tloop, 0.001, &tm1);
      double e2 = nhc_energy_error(chain, tloop, 0.0005, &tm2);
      INFO("chain " << chain << " tloop " << tloop << ": max |dE| " << e1 << " eV (dt 1 fs), " << e2 << " eV (0.5 fs)");
      CHECK(e1 < 2e-5 * ke);
      CHECK(e2 / e1 == Approx(0.25).margin(0.06));
      CHECK(tm1 == Approx(1000.0).epsilon(0.05));
    }
}

TEST_CASE("nhc target ramp and thermo formulas", "[md][nhc]") {
  CHECK(nhc_target_temperature(300.0, 600.0, 0, 0, 100) == 300.0);
  CHECK(nhc_target_temperature(300.0, 600.0, 50, 0, 100) == 450.0);
  CHECK(nhc_target_temperature(300.0, 600.0, 100, 0, 100) == 600.0);
  CHECK(nhc_target_temperature(300.0, 300.0, 7, 0, 0) == 300.0);
  CHECK(thermo_dof(108) == 321.0);
  CHECK(thermo_dof(1) == 0.0);
  // T = Σ m v² mvv2e / (dof kB)
  CHECK(thermo_temperature(2.0, 3.0) == Approx(2.0 * MD_MVV2E / (3.0 * MD_BOLTZ)).epsilon(1e-15));
  CHECK(thermo_temperature(2.0, 0.0) == 0.0);
  CHECK(thermo_kinetic_energy(1000.0, 321.0) == Approx(0.5 * 321.0 * MD_BOLTZ * 1000.0).epsilon(1e-15));
  // P = (dof kB T + tr W) / 3V · nktv2p
  double w[9] = {1.0, 0, 0, 0, 2.0, 0, 0, 0, 3.0};
  double p = thermo_pressure(321.0, 1000.0, w, 1200.0);
  CHECK(p == Approx((321.0 * MD_BOLTZ * 1000.0 + 6.0) / 3600.0 * MD_NKTV2P).epsilon(1e-14));
  // velocity Verlet pieces
  CHECK(vv_dtf(0.001) == Approx(0.5 * 0.001 / 1.0364269e-4).epsilon(1e-15));
  double vx = 1, vy = 2, vz = 3, x = 0, y = 0, z = 0;
  vv_kick(0.5, 2.0, 4.0, 6.0, &vx, &vy, &vz);
  CHECK(vx == 2.0);
  CHECK(vz == 6.0);
  vv_drift(0.1, vx, vy, vz, &x, &y, &z);
  CHECK(x == Approx(0.2));
  CHECK(y == Approx(0.4));
}
