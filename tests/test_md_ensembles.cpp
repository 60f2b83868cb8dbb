// Long-run properties of the integrators with the full eSNAP model (PME 1e-5):
//  - NVE, 3×3×3 (108 atoms) from the 1000 K snapshot with its velocities, dt 1 fs, 10 ps: the drift of the
//    total energy, defined as |slope| × duration / N of a least-squares line through E_total(t) sampled every
//    10 steps, must stay below 1e-4 eV/atom; on every backend (tests/backend_cases.h; emulated: a 0.5 ps span);
//  - NVT (Nosé–Hoover chain, Tdamp 0.1 ps), 5×5×5 (500 atoms) at 600 K, 2 ps equilibration then 20 ps:
//    mean T within 2 % of 600 K, and Var(KE) within 15 % of the canonical (dof/2)(kB T)², dof = 3N − 3.
// The measured numbers are printed.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "backend_cases.h"
#include "test_md_util.h"

extern "C" {
#include "constants.h"
}

namespace {

// least-squares slope of y(x)
double slope(const std::vector<double> &x, const std::vector<double> &y) {
  double n = (double)x.size(), sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t k = 0; k < x.size(); k++) {
    sx += x[k];
    sy += y[k];
    sxx += x[k] * x[k];
    sxy += x[k] * y[k];
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

}  // namespace

BACKEND_TEST_CASE("md nve energy drift with pme", "[md][slow][cli]") {
  const long steps = B.tol.drift_steps;  // 10000 (emulated: 500)
  const std::string name = std::string("md_nve_drift_") + B.name;
  std::string d = md_test::deck(name, "structure read " + esnap_test::data("snap333_1000K.data") +
                                          "\ncoulomb pme 1e-5\ntimestep 0.001\nensemble nve\nthermo 10\n"
                                          "progress 0\nrun " + std::to_string(steps) + "\n");
  std::string out;
  REQUIRE(esnap_test::run_esnapmd(B.backend, "run " + d + " --quiet", &out) == 0);
  auto rows = md_test::table("scratch/" + name + "/out/thermo.dat");
  REQUIRE(rows.size() == (size_t)steps / 10 + 1);
  const double n = 108;
  std::vector<double> t, e;
  double tsum = 0, emax = 0;
  for (auto &r : rows) {
    t.push_back(r[1]);
    e.push_back(r[5]);
    tsum += r[2];
    emax = std::fmax(emax, std::fabs(r[5] - rows[0][5]));
  }
  double s = slope(t, e);
  double drift = std::fabs(s) * (t.back() - t.front()) / n;
  double first = 0, last = 0;
  const int w = (int)rows.size() / 10;
  for (int k = 0; k < w; k++) {
    first += e[k] / w;
    last += e[e.size() - 1 - k] / w;
  }
  std::printf("%s NVE 108 atoms, %g ps, PME 1e-5: drift (fit) %.3g eV/atom, ends of the run (means over a tenth) %.3g eV/atom, "
              "max |E - E0| %.3g eV/atom, mean T %.1f K\n",
              B.name, steps * 0.001, drift, std::fabs(last - first) / n, emax / n, tsum / rows.size());
  CHECK(drift < 1e-4);
  CHECK(emax / n < 1e-3);
}

TEST_CASE("md nvt canonical temperature and kinetic energy fluctuations", "[md][slow][cli]") {
  std::string d = md_test::deck("md_nvt_canonical", "structure li3n 5 5 5\ncoulomb pme 1e-5\ntimestep 0.001\n"
                                                        "velocity 600 seed 2718\nensemble nvt 600 0.1\nthermo 10\n"
                                                        "progress 0\nrun 22000\n");
  std::string out;
  REQUIRE(md_test::run("run " + d + " --quiet", &out) == 0);
  auto rows = md_test::table("scratch/md_nvt_canonical/out/thermo.dat");
  REQUIRE(rows.size() == 2201);
  const int natoms = 500;
  const double dof = 3.0 * natoms - 3.0, target = 600.0;
  std::vector<double> ke, temp;
  for (auto &r : rows)
    if (r[0] > 2000) {  // production: after 2 ps
      temp.push_back(r[2]);
      ke.push_back(r[4]);
    }
  REQUIRE(ke.size() == 2000);
  auto mean = [](const std::vector<double> &v, size_t a, size_t b) {
    double s = 0;
    for (size_t k = a; k < b; k++) s += v[k];
    return s / (double)(b - a);
  };
  auto var = [&](const std::vector<double> &v, size_t a, size_t b) {
    double m = mean(v, a, b), s = 0;
    for (size_t k = a; k < b; k++) s += (v[k] - m) * (v[k] - m);
    return s / (double)(b - a - 1);
  };
  double tmean = mean(temp, 0, temp.size());
  double vke = var(ke, 0, ke.size());
  double kt = MD_BOLTZ * target;
  double vcan = 0.5 * dof * kt * kt;
  // statistical error of Var(KE) from 10 blocks of 2 ps
  std::vector<double> blocks;
  for (int b = 0; b < 10; b++) blocks.push_back(var(ke, 200 * b, 200 * (b + 1)) / vcan);
  double bm = mean(blocks, 0, 10), be = std::sqrt(var(blocks, 0, 10) / 10);
  std::printf("NVT 500 atoms at 600 K, 20 ps: mean T %.2f K (%.2f %%), Var(KE) / canonical = %.3f (blocks: %.3f +- %.3f)\n",
              tmean, 100 * (tmean / target - 1), vke / vcan, bm, be);
  CHECK(std::fabs(tmean / target - 1) < 0.02);
  CHECK(std::fabs(vke / vcan - 1) < 0.15);
}
