// Heat capacity (host/analysis/heatcap.h, deck `heatcap`, esnapmd heatcap): block statistics of synthetic series,
// a known Cv peak given back as Ts, too few temperatures refused, and near-harmonic eSNAP Li3N at 20-50 K giving
// Cv = (3N-3) k_B by the difference and the fluctuation routes, on the fly and post hoc alike (about 25 s).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "test_replica_util.h"

extern "C" {
#include "constants.h"
#include "heatcap.h"
#include "heatcap_io.h"
}

namespace {

// A thermo file as app/run.c writes it, with etotal = e[k] at time k*dt.
void write_thermo(const std::string &path, double T, int natoms, const std::vector<double> &e, double dt) {
  std::string s = "# esnapmd test thermo output\n# deck x.in; " + std::to_string(natoms) + " atoms (Li 24, N 8); cell a (1 0 0)\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "# model m; ensemble nvt T %g K, Tdamp 0.1 ps, chain 3, tloop 1 (LAMMPS fix nvt); timestep 0.001 ps\n", T);
  s += buf;
  s += "#       step      time_ps         temp_K              pe_eV            ke_eV          etotal_eV       econserve_eV      press_bar\n";
  for (size_t k = 0; k < e.size(); k++) {
    std::snprintf(buf, sizeof buf, "%12zu %12.6f %14.6f %18.9f %16.9f %18.9f %18.9f %14.4f\n", k, k * dt, T, e[k] - 1.0, 1.0, e[k],
                  e[k], 0.0);
    s += buf;
  }
  md_test::write_file(path, s);
}

}  // namespace

TEST_CASE("heat capacity accumulator: block statistics of a synthetic series", "[heatcap]") {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> g(0.0, 1.0);
  const double mu = -2000.0, sd = 0.3;
  for (long n : {3L, 63L, 64L, 1000L, 100000L}) {
    INFO(n);
    hc_acc a;
    hc_init(&a);
    std::vector<double> x;
    for (long k = 0; k < n; k++) {
      x.push_back(mu + sd * g(rng));
      hc_add(&a, x.back(), 0.01 * k);
    }
    double m = 0, v = 0;
    for (double y : x) m += y / n;
    for (double y : x) v += (y - m) * (y - m) / (n - 1);
    hc_stats s;
    hc_get(&a, &s);
    CHECK(s.n == n);
    CHECK(s.mean == Approx(m).epsilon(1e-13));
    CHECK(s.var == Approx(v).epsilon(1e-9));
    CHECK(s.t_last == Approx(0.01 * (n - 1)));
    CHECK(s.nblocks <= HC_MAX_BLOCKS);
    if (n >= 64) {
      CHECK(s.nblocks >= HC_MAX_BLOCKS / 2);
      // independent samples: the block errors are the textbook ones (to the noise of 32-64 blocks)
      CHECK(s.mean_err == Approx(sd / std::sqrt((double)n)).epsilon(0.35));
      CHECK(s.var_err == Approx(sd * sd * std::sqrt(2.0 / n)).epsilon(0.4));
      CHECK(std::fabs(s.mean - mu) < 4 * s.mean_err);
    } else if (n < 4) {
      CHECK(std::isnan(s.mean_err));
    }
    // the checkpoint blob restores the same state
    std::vector<unsigned char> buf(hc_pack_size());
    hc_pack(&a, buf.data());
    hc_acc b;
    REQUIRE(hc_unpack(&b, buf.data(), buf.size()) == MD_OK);
    hc_stats t;
    hc_get(&b, &t);
    CHECK(t.mean == s.mean);
    CHECK(t.var == s.var);
    CHECK(hc_unpack(&b, buf.data(), buf.size() - 1) != MD_OK);
  }
}

TEST_CASE("heat capacity: a synthetic energy series with a known peak gives back that peak", "[heatcap][cli]") {
  // E(T) = 3 N k_B T + A tanh((T - 625)/w): dE/dT peaks at 625 K; the sampled energies scatter around E(T) with
  // the variance k_B T^2 Cv of a canonical system with the same Cv(T)
  const int N = 32;
  const double A = 0.5, w = 60.0, Tp = 625.0;
  auto E = [&](double T) { return -130.0 + 3 * N * MD_BOLTZ * T + A * std::tanh((T - Tp) / w); };
  auto C = [&](double T) { double c = 1 / std::cosh((T - Tp) / w); return 3 * N * MD_BOLTZ + A / w * c * c; };
  std::vector<double> T;
  for (double t = 225; t <= 925; t += 50) T.push_back(t);
  // library: central differences of the exact energies
  std::vector<double> e, ee(T.size(), 1e-4), cv(T.size()), cve(T.size());
  for (double t : T) e.push_back(E(t));
  REQUIRE(hc_differences(T.data(), e.data(), ee.data(), (int)T.size(), cv.data(), cve.data()) == MD_OK);
  CHECK(std::isnan(cv.front()));
  CHECK(std::isnan(cv.back()));
  int pk = hc_peak(cv.data(), (int)T.size());
  REQUIRE(pk >= 0);
  CHECK(T[pk] == Tp);
  CHECK(cve[pk] == Approx(std::sqrt(2.0) * 1e-4 / 100.0));
  // the command on thermo files, with an equilibration span to skip (energies far off the mean)
  const std::string D = esnap_test::scratch("heatcap_peak");
  std::mt19937_64 rng(11);
  std::normal_distribution<double> g(0.0, 1.0);
  std::string args = "heatcap";
  for (double t : T) {
    std::vector<double> s;
    for (int k = 0; k < 100; k++) s.push_back(E(t) + 5.0);  // 0.1 ps of equilibration, to be skipped
    double sd = std::sqrt(MD_BOLTZ * t * t * C(t));
    for (int k = 0; k < 20000; k++) s.push_back(E(t) + sd * g(rng));
    std::string p = D + "/T" + std::to_string((int)t) + ".dat";
    write_thermo(p, t, N, s, 0.001);
    args += " " + p;
  }
  std::string out;
  int rc = md_test::run(args + " --skip 0.1 -o " + D + "/cv", &out);
  INFO(out);
  REQUIRE(rc == 0);
  const std::string J = D + "/cv/cv.json";
  CHECK(rep_test::json_number(J, "Ts.value_K") == Tp);
  CHECK(rep_test::json_number(J, "Ts.low_K") == Tp - 50);
  CHECK(rep_test::json_number(J, "Ts.high_K") == Tp + 50);
  // the fluctuation route follows the same Cv(T) at every temperature, within its stated error
  CHECK(rep_test::json_number(J, "points.8.temperature_K") == Tp);
  double exact = (E(675) - E(575)) / 100 / (N * MD_BOLTZ);
  double cd = rep_test::json_number(J, "points.8.Cv_diff_kB_per_atom.value");
  double cde = rep_test::json_number(J, "points.8.Cv_diff_kB_per_atom.stderr");
  CHECK(cde < 0.02 * exact);
  CHECK(std::fabs(cd - exact) < 4 * cde);
  hc_point p;
  REQUIRE(hc_read_point((D + "/cv/heatcap_T625K.json").c_str(), &p) == MD_OK);
  CHECK(p.skip_ps == 0.1);
  CHECK(p.n == 20000);
  CHECK(p.E == Approx(E(625)).epsilon(1e-5));
  CHECK(std::fabs(p.cv - C(625)) < 4 * p.cv_err);
  CHECK(p.cv_err < 0.1 * p.cv);
  CHECK(esnap_test::exists(D + "/cv/cv.dat"));
}

TEST_CASE("heat capacity: too few temperatures for differences is refused before anything is written", "[heatcap][cli]") {
  std::string d = md_test::deck("heatcap_two", "structure li3n 2 2 2\nvelocity 30 seed 1\nensemble nvt 30 0.05\nheatcap\n"
                                               "progress 0\nrun 10\nsweep 20 30\n");
  std::string out;
  CHECK(md_test::run("sweep " + d + " --quiet", &out) != 0);
  CHECK(out == "esnapmd: " + d + ":7: heatcap over 2 temperature(s): too few temperatures for differences (central "
                                   "differences need at least 3)\n");
  CHECK(!esnap_test::exists("scratch/heatcap_two/out"));
  // the command: two temperatures
  const std::string D = "scratch/heatcap_two/";
  write_thermo(D + "a.dat", 20, 32, {1, 2, 3, 4}, 0.001);
  write_thermo(D + "b.dat", 30, 32, {1, 2, 3, 4}, 0.001);
  CHECK(md_test::run("heatcap " + D + "a.dat " + D + "b.dat -o " + D + "cv", &out) != 0);
  CHECK(out.find("too few temperatures for differences") != std::string::npos);
  CHECK(md_test::count_lines(out) == 1);
  CHECK(!esnap_test::exists(D + "cv"));
  // a bad row names file:line
  md_test::write_file(D + "c.dat", md_test::read_file(D + "a.dat") + "12 x\n");
  CHECK(md_test::run("heatcap " + D + "c.dat -o " + D + "cv", &out) != 0);
  CHECK(out == "esnapmd: " + D + "c.dat:9: not a thermo row (step time temp pe ke etotal ...)\n");
  CHECK(!esnap_test::exists(D + "cv"));
}

TEST_CASE("heat capacity of near-harmonic Li3N is 3 k_B per atom by both routes on the fly and post hoc", "[heatcap][cli]") {
  // 32 atoms at 20, 35 and 50 K: a classical harmonic solid with zero net momentum has Cv = (3N-3) k_B
  const std::string D = "scratch/heatcap_li3n/out/";
  std::string d = md_test::deck("heatcap_li3n", "structure li3n 2 2 2\nvelocity 30 seed 5\nensemble nvt 30 0.05\ntimestep 0.002\n"
                                                "thermo 5\nequilibrate 200\nheatcap\nprogress 0\nrun 2200\nsweep 20 35 50\n");
  std::string out;
  int rc = md_test::run("sweep " + d + " --quiet", &out);
  INFO(out);
  REQUIRE(rc == 0);
  const double expect = 3.0 * 31 / 32;
  const std::string J = D + "heatcap/cv.json";
  double cv = rep_test::json_number(J, "points.1.Cv_diff_kB_per_atom.value");
  double err = rep_test::json_number(J, "points.1.Cv_diff_kB_per_atom.stderr");
  INFO("difference route " << cv << " +- " << err);
  CHECK(err < 0.1 * expect);
  CHECK(std::fabs(cv - expect) < 3 * err);
  CHECK(rep_test::json_number(J, "points.1.Cv_diff_J_mol_K.value") == Approx(cv * MD_RGAS));
  double wsum = 0, w = 0;
  for (int i = 0; i < 3; i++) {
    std::string k = "points." + std::to_string(i) + ".Cv_fluct_kB_per_atom.";
    double f = rep_test::json_number(J, k + "value"), fe = rep_test::json_number(J, k + "stderr");
    INFO("fluctuation route at point " << i << ": " << f << " +- " << fe);
    CHECK(fe < 0.3 * expect);
    CHECK(std::fabs(f - expect) < 3 * fe);
    wsum += f / (fe * fe);
    w += 1 / (fe * fe);
  }
  INFO("fluctuation route, weighted mean " << wsum / w << " +- " << 1 / std::sqrt(w));
  CHECK(std::fabs(wsum / w - expect) < 3 / std::sqrt(w));
  // equilibration: 200 steps of 2 fs skipped; 2000 steps / 5 + 1 samples
  CHECK(rep_test::json_number(D + "T35K/heatcap.json", "skipped_ps") == Approx(0.4));
  CHECK(rep_test::json_number(D + "T35K/heatcap.json", "n_samples") == 401);
  CHECK(rep_test::json_number(D + "T35K/heatcap.json", "span_ps.0") == Approx(0.4));
  // post hoc from the thermo files with --skip = the equilibration span: the same numbers (thermo rounding 1e-9 eV)
  REQUIRE(md_test::run("heatcap " + D + "T20K " + D + "T35K " + D + "T50K --skip 0.4 -o " + D + "post", &out) == 0);
  for (const char *t : {"20", "35", "50"}) {
    hc_point a, b;
    REQUIRE(hc_read_point((D + "T" + t + "K/heatcap.json").c_str(), &a) == MD_OK);
    REQUIRE(hc_read_point((D + "post/heatcap_T" + t + "K.json").c_str(), &b) == MD_OK);
    CHECK(a.n == b.n);
    CHECK(a.T == b.T);
    CHECK(a.E == Approx(b.E).epsilon(1e-10));
    CHECK(a.E_err == Approx(b.E_err).epsilon(1e-5));
    CHECK(a.var == Approx(b.var).epsilon(1e-5));
    CHECK(a.cv == Approx(b.cv).epsilon(1e-5));
  }
  CHECK(rep_test::json_number(D + "post/cv.json", "points.1.Cv_diff_kB_per_atom.value") == Approx(cv).epsilon(1e-6));
}
