// Estimates on synthetic trajectories with known answers: Gaussian random walks in 1, 2 and 3 dimensions
// (D recovered within 3 standard errors; the bootstrap stderr is calibrated), a common walk of all ions
// (Dσ = N D*, H_R = 1/N), the Nernst–Einstein conversion, and the single-replica time-segment fallback.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

extern "C" {
#include "constants.h"
#include "diffusion.h"
#include "json_out.h"
}

namespace {

const double kDt = 0.1;  // ps between frames

// One replica of n independent walkers (Å, ps): per frame, each active component gets N(0, 2 D dt), D in Å²/ps.
// dims: 1 = z only, 2 = x and y, 3 = all. common = every ion makes the same step.
diffusion_tracker *walk(int n, int nf, double D, int dims, bool common, unsigned seed, int block,
                        int64_t segment_frames = 0) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> N(0.0, std::sqrt(2 * D * kDt));
  diff_options o;
  diff_options_default(&o);
  o.block = block;
  o.segment_frames = segment_frames;
  std::vector<int> idx(n);
  for (int i = 0; i < n; i++) idx[i] = i;
  diffusion_tracker *t = nullptr;
  REQUIRE(diffusion_tracker_create_sel(&t, n, idx.data(), n, kDt, &o) == MD_OK);
  std::vector<double> x(n), y(n), z(n);
  for (int i = 0; i < n; i++) x[i] = y[i] = z[i] = 0.37 * i;
  bool ax = dims >= 2, az = dims != 2;
  for (int f = 0; f < nf; f++) {
    if (f > 0) {
      double c[3] = {N(g), N(g), N(g)};
      for (int i = 0; i < n; i++) {
        double s[3] = {common ? c[0] : N(g), common ? c[1] : N(g), common ? c[2] : N(g)};
        if (ax) {
          x[i] += s[0];
          y[i] += s[1];
        }
        if (az) z[i] += s[2];
      }
    }
    REQUIRE(diffusion_tracker_add_frame(t, x.data(), y.data(), z.data(), 100.0 + f * kDt) == MD_OK);
  }
  return t;
}

struct Set {
  std::vector<diffusion_tracker *> r;
  ~Set() {
    for (auto *t : r) diffusion_tracker_destroy(&t);
  }
};

diff_results estimate(Set &s, double t0, double t1, int nboot = 400) {
  diff_report_options o;
  diff_report_options_default(&o);
  o.temperature = 1000;
  o.volume = 5000;
  o.fit_t0 = t0;
  o.fit_t1 = t1;
  o.nboot = nboot;
  diff_results r;
  REQUIRE(diffusion_estimate(s.r.data(), (int)s.r.size(), &o, &r) == MD_OK);
  return r;
}

}  // namespace

TEST_CASE("random walks in 1 2 and 3 dimensions recover D within 3 standard errors", "[diffusion]") {
  const double D = 0.1;  // Å²/ps = 1e-5 cm²/s
  for (int dims = 1; dims <= 3; dims++) {
    Set s;
    for (int k = 0; k < 8; k++) s.r.push_back(walk(64, 400, D, dims, false, 1000u * dims + k, 32));
    diff_results r = estimate(s, 2.0, 20.0);
    REQUIRE(r.n_pseudo == 8);
    REQUIRE(r.nboot_ok == 400);
    // expected per component: xyz, xy, z
    double want[3] = {dims == 3 ? D : dims == 2 ? D * 2 / 3 : D / 3, dims >= 2 ? D : 0.0, dims != 2 ? D : 0.0};
    for (int q = 0; q < 3; q++) {
      double w = want[q] * 1e-4;
      INFO("dims " << dims << " component " << q);
      if (w == 0) {
        REQUIRE(r.d_tracer[q].value == 0.0);
        continue;
      }
      REQUIRE(r.d_tracer[q].err > 0);
      REQUIRE(std::fabs(r.d_tracer[q].value - w) < 3 * r.d_tracer[q].err);
      REQUIRE(r.d_tracer[q].err < 0.1 * w);  // 64 ions x 8 replicas: a few per cent
      // independent walkers: the charge diffusivity has the same mean (but is far noisier)
      REQUIRE(std::fabs(r.d_charge[q].value - w) < 3 * r.d_charge[q].err);
      REQUIRE(std::fabs(r.haven[q].value - 1.0) < 3 * r.haven[q].err);
    }
  }
}

TEST_CASE("bootstrap stderr is calibrated over seeds", "[diffusion]") {
  // z = (D_est - D)/stderr over 24 independent data sets: mean z² ≈ 1 (≈ R/(R-1) for the plain bootstrap)
  const double D = 0.1;
  double z2 = 0;
  int m = 24;
  for (int seed = 0; seed < m; seed++) {
    Set s;
    for (int k = 0; k < 10; k++) s.r.push_back(walk(16, 200, D, 3, false, 77777u + 100u * seed + k, 16));
    diff_results r = estimate(s, 1.0, 10.0, 200);
    double z = (r.d_tracer[DIFF_XYZ].value - D * 1e-4) / r.d_tracer[DIFF_XYZ].err;
    z2 += z * z;
  }
  z2 /= m;
  WARN("mean z^2 over " << m << " seeds = " << z2);
  REQUIRE(z2 > 0.4);
  REQUIRE(z2 < 2.5);
}

TEST_CASE("all ions on one common walk give D_sigma = N D_tracer and H_R = 1/N", "[diffusion]") {
  const int n = 40;
  Set s;
  for (int k = 0; k < 3; k++) s.r.push_back(walk(n, 300, 0.05, 3, true, 55u + k, 64));
  diff_results r = estimate(s, 1.0, 15.0, 100);
  for (int q = 0; q < 3; q++) {
    REQUIRE(std::fabs(r.d_charge[q].value / (n * r.d_tracer[q].value) - 1.0) < 1e-12);
    REQUIRE(std::fabs(r.haven[q].value * n - 1.0) < 1e-12);
    // every resample has the same ratio, so its spread is round-off
    REQUIRE(r.haven[q].err < 1e-12);
  }
}

TEST_CASE("Nernst-Einstein conductivity in mS per cm", "[diffusion]") {
  // 375 Li in 5610.32 Å³ at 1200 K with D = 3.82e-5 cm²/s: ρ = 0.110992 mol/cm³ → 3956 mS/cm
  double s = diffusion_conductivity(3.82e-5, 375, 5610.32085365, 1200.0);
  double rho = 375 / (6.02214076e23 * 5610.32085365e-24);
  double want = rho * 96485.33212 * 96485.33212 * 3.82e-5 / (8.314462618 * 1200.0) * 1e3;
  REQUIRE(std::fabs(s / want - 1) < 1e-14);
  REQUIRE(std::fabs(s - 3956.0) < 1.0);
  REQUIRE(std::isnan(diffusion_conductivity(1e-5, 10, 0.0, 300)));
}

TEST_CASE("single replica uses independent time segments and says so", "[diffusion]") {
  Set s;
  s.r.push_back(walk(100, 1001, 0.1, 3, false, 4242u, 64, 250));  // 100 ps, four 25-ps segments
  diff_results r = estimate(s, 2.0, 20.0, 300);
  REQUIRE(r.n_pseudo == 4);
  REQUIRE(std::string(r.method).find("4 time segments") != std::string::npos);
  REQUIRE(r.d_tracer[DIFF_XYZ].err > 0);
  REQUIRE(std::fabs(r.d_tracer[DIFF_XYZ].value - 1e-5) < 4 * r.d_tracer[DIFF_XYZ].err);
  // a fit window longer than the segments: the random-walk model instead
  diff_results r2 = estimate(s, 2.0, 40.0, 50);
  REQUIRE(r2.n_pseudo == 0);
  REQUIRE(std::string(r2.method).find("random-walk model") != std::string::npos);
  REQUIRE(r2.d_tracer[DIFF_XYZ].err > 0);
  // summary.json has the required keys
  std::string dir = esnap_test::scratch("single_replica_summary");
  r2.d_charge[DIFF_Z].err = NAN;  // unknown errors are written as null and read back as NaN
  REQUIRE(diffusion_write_summary((dir + "/summary.json").c_str(), &r2, "test") == MD_OK);
  char *text = nullptr;
  REQUIRE(read_text_file((dir + "/summary.json").c_str(), &text, nullptr) == MD_OK);
  const char *keys[] = {"D_tracer_xyz", "D_tracer_xy", "D_tracer_z", "D_charge_xyz", "D_charge_xy", "D_charge_z",
                        "haven_ratio_xyz", "haven_ratio_xy", "haven_ratio_z", "conductivity_xyz", "conductivity_xy",
                        "conductivity_z"};
  for (const char *k : keys) {
    double v = 0, e = 0;
    INFO(k);
    REQUIRE(json_get_number(text, (std::string(k) + ".value").c_str(), &v) == 1);
    REQUIRE(json_get_number(text, (std::string(k) + ".stderr").c_str(), &e) == 1);
    REQUIRE(std::isfinite(v));
    REQUIRE(std::isnan(e) == (std::string(k) == "D_charge_z"));
  }
  double T = 0, nrep = 0;
  REQUIRE(json_get_number(text, "temperature", &T) == 1);
  REQUIRE(json_get_number(text, "n_replicas", &nrep) == 1);
  REQUIRE(T == 1000);
  REQUIRE(nrep == 1);
  free(text);
}

TEST_CASE("single replica random-walk model stderr is calibrated over seeds", "[diffusion]") {
  const double D = 0.1;
  double z2t = 0, z2c = 0;
  int m = 24;
  for (int seed = 0; seed < m; seed++) {
    Set s;
    s.r.push_back(walk(32, 300, D, 3, false, 9000u + seed, 32));
    diff_results r = estimate(s, 2.0, 15.0, 100);
    REQUIRE(r.n_pseudo == 0);
    double zt = (r.d_tracer[DIFF_XYZ].value - D * 1e-4) / r.d_tracer[DIFF_XYZ].err;
    double zc = (r.d_charge[DIFF_XYZ].value - D * 1e-4) / r.d_charge[DIFF_XYZ].err;
    z2t += zt * zt / m;
    z2c += zc * zc / m;
  }
  WARN("random-walk model: mean z^2 tracer " << z2t << ", charge " << z2c << " over " << m << " seeds");
  REQUIRE(z2t > 0.4);
  REQUIRE(z2t < 2.5);
  REQUIRE(z2c > 0.3);
  REQUIRE(z2c < 3.0);
}
