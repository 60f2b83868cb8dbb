// esnapmd sweep: a deck run at a series of temperatures (each in <output>/T<T>K with its own derived seed), then
// the Arrhenius analysis of the on-the-fly diffusion summaries (arrhenius.json). The physics of such tiny runs is
// noise (the fit window is the ballistic start, where every MSD rises): these tests check the plumbing; the fits
// themselves are tested in test_arrhenius.cpp. About 10 s on 2 cores.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "test_replica_util.h"

extern "C" {
#include "replica.h"
}

namespace {

const std::string kDeck = "structure li3n 2 2 2\nvelocity 800\nensemble nvt 800 0.05\nseed 77\nreplicas 2\nthermo 20\n"
                          "diffusion Li every 5 fit 0 0.02\ncheckpoint 20 run.chk\nprogress 0\nrun 40\n";

}  // namespace

TEST_CASE("sweep runs a temperature series and writes arrhenius.json", "[sweep][cli]") {
  std::string d = md_test::deck("sweep_three", kDeck + "sweep 700 1000 1300\n");
  std::string out;
  int rc = md_test::run("sweep " + d + " --quiet", &out);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK(out.empty());
  const std::string D = "scratch/sweep_three/out/";
  const double T[3] = {700, 1000, 1300};
  for (int i = 0; i < 3; i++) {
    std::string dir = D + "T" + std::to_string((int)T[i]) + "K/";
    INFO(dir);
    REQUIRE(esnap_test::exists(dir + "diffusion/summary.json"));
    CHECK(rep_test::json_number(dir + "diffusion/summary.json", "temperature") == T[i]);
    CHECK(rep_test::json_number(dir + "diffusion/summary.json", "n_replicas") == 2);
    // the documented seed rule: temperature i runs with ensemble seed replica_seed(S ^ salt, i)
    uint64_t S = replica_seed(77ULL ^ REPLICA_SWEEP_SALT, i);
    std::string hdr = md_test::read_file(dir + "thermo_r1.dat");
    CHECK(hdr.find("seed " + std::to_string(replica_seed(S, 1)) + " ") != std::string::npos);
    CHECK(hdr.find("temperature " + std::to_string((int)T[i]) + " K") != std::string::npos);
    auto rows = md_test::table(dir + "thermo_r0.dat");
    REQUIRE(!rows.empty());
    CHECK(rows[0][2] == Approx(T[i]).epsilon(1e-9)); // started at its temperature
  }
  const std::string A = D + "arrhenius/arrhenius.json";
  REQUIRE(esnap_test::exists(A));
  REQUIRE(esnap_test::exists(D + "arrhenius/arrhenius.txt"));
  std::string j = md_test::read_file(A);
  for (const char *key : {"\"temperatures_K\"", "\"points\"", "\"single\"", "\"D_tracer_xyz\"", "\"D_charge_xyz\"", "\"Ea_eV\"",
                          "\"prefactor_cm2_s\"", "\"conductivity_at_T\"", "\"extrapolation_T_K\"", "\"haven_ratio_xyz\""})
    CHECK(j.find(key) != std::string::npos);
  CHECK(rep_test::json_number(A, "extrapolation_T_K") == 300);
  CHECK(rep_test::json_number(A, "single.D_tracer_xyz.n_points") == 3);
  double ea = rep_test::json_number(A, "single.D_tracer_xyz.Ea_eV.value");
  CHECK(std::isfinite(ea));
  CHECK(j.find("\"two_regime\"") == std::string::npos); // 3 temperatures: one regime by default
}

TEST_CASE("sweep with --temperatures two regimes and --resume", "[sweep][cli]") {
  std::string d = md_test::deck("sweep_four", kDeck);
  std::string out;
  int rc = md_test::run("sweep " + d + " --temperatures 600,700,800,1100,1250,1400 --at 400", &out);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK(rep_test::count(out, "# sweep ") == 6);
  CHECK(out.find("plot_diffusion.py arrhenius") != std::string::npos);
  const std::string A = "scratch/sweep_four/out/arrhenius/arrhenius.json";
  REQUIRE(esnap_test::exists(A));
  std::string j = md_test::read_file(A);
  CHECK(j.find("\"two_regime\"") != std::string::npos); // 6 temperatures: break chosen by the data
  CHECK(j.find("\"break_K\"") != std::string::npos);
  CHECK(rep_test::json_number(A, "extrapolation_T_K") == 400);
  // a second call with --resume finds every temperature finished
  std::string before = md_test::read_file("scratch/sweep_four/out/T800K/thermo_r0.dat");
  rc = md_test::run("sweep " + d + " --temperatures 600,700,800,1100,1250,1400 --resume", &out);
  REQUIRE(rc == 0);
  CHECK(rep_test::count(out, "finished earlier") == 6);
  CHECK(md_test::read_file("scratch/sweep_four/out/T800K/thermo_r0.dat") == before);
}

TEST_CASE("bad sweeps are refused", "[sweep][cli]") {
  std::string out;
  std::string d1 = md_test::deck("sweep_bad1", "structure li3n 2 2 2\nvelocity 800 seed 1\nensemble nvt 800 0.1\nsweep 700 800\n"
                                               "progress 0\nrun 10\n");
  CHECK(md_test::run("sweep " + d1 + " --quiet", &out) != 0);
  CHECK(out.find("a sweep needs a `diffusion SPECIES every N` line (the Arrhenius analysis uses its summaries) or a `heatcap` line") !=
        std::string::npos);
  std::string d2 = md_test::deck("sweep_bad2", kDeck + "sweep 700 800 900 break auto\n");
  CHECK(md_test::run("sweep " + d2 + " --quiet", &out) != 0);
  CHECK(out.find("break auto needs at least 6 temperatures") != std::string::npos);
  std::string d3 = md_test::deck("sweep_bad3", kDeck);
  CHECK(md_test::run("sweep " + d3 + " --quiet", &out) != 0);
  CHECK(out.find("no temperatures") != std::string::npos);
  CHECK(md_test::run("sweep " + d3 + " --temperatures 700,x --quiet", &out) != 0);
  CHECK(out.find("not a list of positive temperatures") != std::string::npos);
  CHECK(md_test::count_lines(out) == 1);
}
