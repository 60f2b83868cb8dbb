// Arrhenius fits: exact recovery of Ea and D0, error propagation against the closed form for two points, the
// automatic two-regime break, and `esnapmd arrhenius` on synthetic summaries.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "test_util.h"

extern "C" {
#include "constants.h"
#include "arrhenius.h"
#include "diffusion.h"
#include "json_out.h"
}

namespace {
double arr(double d0, double ea, double T) { return d0 * std::exp(-ea / (MD_BOLTZ * T)); }
// normal regime below 625 K (0.41 eV), superionic above (0.26 eV), continuous at 625 K
double two(double T) {
  const double Ts = 625;
  return T <= Ts ? arr(1e-5, 0.41, T) / arr(1e-5, 0.41, Ts) * 1e-6 : arr(1e-5, 0.26, T) / arr(1e-5, 0.26, Ts) * 1e-6;
}
}  // namespace

TEST_CASE("arrhenius fit recovers Ea and D0 and propagates errors", "[arrhenius]") {
  std::vector<double> T = {600, 700, 800, 900, 1000, 1100, 1200}, D, E;
  for (double t : T) {
    D.push_back(arr(3e-3, 0.27, t));
    E.push_back(0.05 * D.back());
  }
  arr_fit f;
  REQUIRE(arrhenius_fit(T.data(), D.data(), E.data(), (int)T.size(), &f) == MD_OK);
  REQUIRE(std::fabs(f.ea - 0.27) < 1e-12);
  REQUIRE(std::fabs(f.d0 / 3e-3 - 1) < 1e-10);
  REQUIRE(f.chi2 < 1e-20);
  REQUIRE(f.weighted == 1);
  double le;
  REQUIRE(std::fabs(arrhenius_eval(&f, 300, &le) / arr(3e-3, 0.27, 300) - 1) < 1e-10);
  REQUIRE(le > 0);
  // two points: σ(slope) = sqrt(r1² + r2²)/|1/T1 - 1/T2| with r = relative errors
  double t2[2] = {800, 1000}, d2[2] = {arr(1e-3, 0.3, 800), arr(1e-3, 0.3, 1000)}, e2[2] = {0.1 * d2[0], 0.2 * d2[1]};
  REQUIRE(arrhenius_fit(t2, d2, e2, 2, &f) == MD_OK);
  double want = MD_BOLTZ * std::sqrt(0.01 + 0.04) / (1.0 / 800 - 1.0 / 1000);
  REQUIRE(std::fabs(f.ea_err / want - 1) < 1e-12);
  // bad input
  double dneg[2] = {1e-5, -1e-5};
  REQUIRE(arrhenius_fit(t2, dneg, e2, 2, &f) == MD_ERR_VALUE);
}

TEST_CASE("arrhenius automatic break finds the regime change", "[arrhenius]") {
  std::vector<double> T, D, E;
  for (double t = 400; t <= 900; t += 50) {
    T.push_back(t);
    D.push_back(two(t) * (1 + 0.01 * std::sin(t)));  // small scatter
    E.push_back(0.02 * two(t));
  }
  arr_fit lo, hi;
  double tb;
  int nc;
  REQUIRE(arrhenius_two_regime(T.data(), D.data(), E.data(), (int)T.size(), 0, 3, &lo, &hi, &tb, &nc) == MD_OK);
  REQUIRE(nc == 6);  // midpoints leaving >= 3 points per side among 11 temperatures
  // the break falls between 600 and 650 K (the data change slope at 625 K)
  REQUIRE(tb == Approx(625.0));
  REQUIRE(std::fabs(lo.ea - 0.41) < 0.02);
  REQUIRE(std::fabs(hi.ea - 0.26) < 0.02);
  REQUIRE(std::fabs(arrhenius_crossing(&lo, &hi) - 625) < 40);
  // a given break puts a point exactly at it into both regimes
  REQUIRE(arrhenius_two_regime(T.data(), D.data(), E.data(), (int)T.size(), 650, 3, &lo, &hi, &tb, &nc) == MD_OK);
  REQUIRE(lo.n + hi.n == (int)T.size() + 1);
  // a given break leaving fewer than 3 temperatures on a side names no regime
  REQUIRE(arrhenius_two_regime(T.data(), D.data(), E.data(), (int)T.size(), 450, 3, &lo, &hi, &tb, &nc) == MD_ERR_VALUE);
  REQUIRE(std::string(md_errmsg()).find("each regime needs 3") != std::string::npos);
  REQUIRE(arrhenius_two_regime(T.data(), D.data(), E.data(), (int)T.size(), 500, 3, &lo, &hi, &tb, &nc) == MD_OK);
}

TEST_CASE("esnapmd arrhenius on summaries at several temperatures", "[arrhenius][cli]") {
  std::string dir = esnap_test::scratch("arrhenius_cli");
  std::string args = "arrhenius";
  const double n = 375, vol = 5610.32;
  for (double t = 400; t <= 900; t += 50) {
    diff_results r;
    std::memset(&r, 0, sizeof r);
    std::snprintf(r.species, sizeof r.species, "Li");
    r.n_ions = (int)n;
    r.n_replicas = 10;
    r.temperature = t;
    r.volume = vol;
    r.molar_density = n / (MD_AVOGADRO * vol * 1e-24);
    for (int q = 0; q < 3; q++) {
      r.d_tracer[q] = {two(t) * (q == 2 ? 0.6 : 1.0), 0.02 * two(t)};
      r.d_charge[q] = {2.0 * r.d_tracer[q].value, 0.1 * r.d_tracer[q].value};
      r.haven[q] = {0.5, 0.03};
      r.sigma[q] = {diffusion_conductivity(r.d_charge[q].value, (int)n, vol, t), 0};
    }
    if (t == 400) r.d_charge[2].value = -1e-9;  // a noisy charge diffusivity at low T: left out of its fits
    std::string d = dir + "/T" + std::to_string((int)t);
    REQUIRE(make_dirs(d.c_str()) == MD_OK);
    REQUIRE(diffusion_write_summary((d + "/summary.json").c_str(), &r, "synthetic") == MD_OK);
    args += " " + d;
  }
  std::string out;
  int rc = esnap_test::run_cli(args + " --break auto -o " + dir + "/arr", &out);
  INFO(out);
  REQUIRE(rc == 0);
  REQUIRE(out.find("break 625 K") != std::string::npos);
  REQUIRE(out.find("D_charge_z = -1e-09 at 400 K") != std::string::npos);
  char *text = nullptr;
  REQUIRE(read_text_file((dir + "/arr/arrhenius.json").c_str(), &text, nullptr) == MD_OK);
  double v, tb, s300, sn;
  REQUIRE(json_get_number(text, "two_regime.break_K", &tb) == 1);
  REQUIRE(tb == Approx(625));
  REQUIRE(json_get_number(text, "two_regime.normal.D_tracer_xyz.Ea_eV.value", &v) == 1);
  REQUIRE(std::fabs(v - 0.41) < 1e-9);
  REQUIRE(json_get_number(text, "two_regime.superionic.D_charge_z.Ea_eV.value", &v) == 1);
  REQUIRE(std::fabs(v - 0.26) < 1e-9);
  REQUIRE(json_get_number(text, "two_regime.normal.D_charge_z.n_points", &v) == 1);
  REQUIRE(v == 4);
  REQUIRE(json_get_number(text, "two_regime.normal.D_charge_xyz.Ea_eV.stderr", &v) == 1);
  REQUIRE(v > 0);
  // σ(300 K) from the normal-regime charge fit = Nernst–Einstein of the extrapolated D
  REQUIRE(json_get_number(text, "two_regime.conductivity_at_T_normal_regime.from_charge_xyz.value", &sn) == 1);
  REQUIRE(std::fabs(sn / diffusion_conductivity(2 * two(300), (int)n, vol, 300) - 1) < 1e-9);
  REQUIRE(json_get_number(text, "conductivity_at_T.from_charge_xyz.value", &s300) == 1);
  REQUIRE(s300 > sn);  // one straight line through both regimes overestimates σ(300 K)
  free(text);
  // errors: one summary only, a missing file
  REQUIRE(esnap_test::run_cli("arrhenius " + dir + "/T400 -o " + dir + "/x", &out) != 0);
  REQUIRE(esnap_test::run_cli("arrhenius " + dir + "/T400 " + dir + "/nope -o " + dir + "/x", &out) != 0);
  REQUIRE(out.find(dir + "/nope: cannot open") != std::string::npos);
}
