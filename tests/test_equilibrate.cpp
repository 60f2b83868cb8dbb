// Deck `equilibrate STEPS`: dumps and on-the-fly analyses begin at step STEPS (samples at STEPS + k·every), the
// on-the-fly diffusion equals `esnapmd analyze --skip` of the whole trajectory, and a run killed during the
// equilibration continues to byte-identical outputs. About 5 s on 2 cores.
#include <catch2/catch.hpp>

#include <signal.h>

#include <string>

#include "test_replica_util.h"

extern "C" {
#include "analysis_skip.h"
#include "checkpoint.h"
}

namespace {

const std::string kBody = "structure li3n 2 2 2\nvelocity 900 seed 3\nensemble nvt 900 0.05\nthermo 10\nequilibrate 70\n"
                          "dump 10 all.dump precision full\ndump 10 li.dump species Li precision full\n"
                          "diffusion Li every 5 fit 0.01 0.05\nheatcap\ncheckpoint 40 run.chk\nprogress 0\nrun 170\n";

}  // namespace

TEST_CASE("analysis_skip leaves out the first span of a series", "[equilibrate]") {
  CHECK(analysis_skip(0.0, 0.0, 0.0) == 0);
  CHECK(analysis_skip(0.05, 0.0, 0.1) == 1);
  CHECK(analysis_skip(0.1, 0.0, 0.1) == 0);
  CHECK(analysis_skip(0.1 - 1e-12, 0.0, 0.1) == 0); // written times carry rounding
  CHECK(analysis_skip(1.2, 1.0, 0.3) == 1);
  CHECK(analysis_skip(1.3, 1.0, 0.3) == 0);
}

TEST_CASE("equilibrate delays dumps and analyses and equals analyze --skip", "[equilibrate][onthefly][cli]") {
  std::string d = md_test::deck("equil_run", kBody);
  std::string out;
  REQUIRE(md_test::run("run " + d + " --quiet", &out) == 0);
  const std::string D = "scratch/equil_run/out/";
  // thermo from step 0; dumps at 70, 80, ..., 170
  auto th = md_test::table(D + "thermo.dat");
  REQUIRE(!th.empty());
  CHECK(th.front()[0] == 0);
  std::string dump = md_test::read_file(D + "all.dump");
  CHECK(dump.find("ITEM: TIMESTEP\n") == dump.find("ITEM: TIMESTEP\n70\n"));
  CHECK(dump.find("ITEM: TIMESTEP\n0\n") == std::string::npos);
  CHECK(rep_test::count(dump, "ITEM: TIMESTEP") == 11);
  // the on-the-fly diffusion began at step 70: analyze of a trajectory from step 0 with --skip 0.07 ps gives it
  std::string dump0 = md_test::deck("equil_dump0", "structure li3n 2 2 2\nvelocity 900 seed 3\nensemble nvt 900 0.05\nthermo 10\n"
                                                   "dump 5 li.dump species Li precision full\nprogress 0\nrun 170\n");
  REQUIRE(md_test::run("run " + dump0 + " --quiet", &out) == 0);
  REQUIRE(md_test::run("analyze scratch/equil_dump0/out/li.dump --skip 0.07 --temperature 900 --fit-window 0.01 0.05 -o " + D +
                           "analyze --quiet",
                       &out) == 0);
  for (const char *k : {"D_tracer_xyz.value", "D_tracer_xy.value", "D_charge_xyz.value", "run_length_ps", "frame_interval_ps"})
    CHECK(rep_test::json_number(D + "diffusion/summary.json", k) == rep_test::json_number(D + "analyze/summary.json", k));
  CHECK(md_test::read_file(D + "diffusion/msd_pooled.dat") == md_test::read_file(D + "analyze/msd_pooled.dat"));
  CHECK(rep_test::json_number(D + "diffusion/summary.json", "run_length_ps") == Approx(0.1));
  // heatcap: the thermo steps from 70 on
  CHECK(rep_test::json_number(D + "heatcap.json", "skipped_ps") == Approx(0.07));
  CHECK(rep_test::json_number(D + "heatcap.json", "n_samples") == 11);
  // equilibrate longer than the run: refused at the deck line
  std::string bad = md_test::deck("equil_bad", "structure li3n 2 2 2\nequilibrate 200\nrun 100\n");
  CHECK(md_test::run("run " + bad + " --quiet", &out) != 0);
  CHECK(out == "esnapmd: " + bad + ":2: equilibration of 200 steps is longer than the run (100 steps)\n");
  std::string neg = md_test::deck("equil_neg", "structure li3n 2 2 2\nequilibrate -5\nrun 100\n");
  CHECK(md_test::run("run " + neg + " --quiet", &out) != 0);
  CHECK(out.find(neg + ":2: ") != std::string::npos);
}

TEST_CASE("a run killed during the equilibration continues to byte-identical outputs", "[equilibrate][restart][cli]") {
  std::string full = md_test::deck("equil_full", kBody), part = md_test::deck("equil_part", kBody);
  std::string out;
  REQUIRE(md_test::run("run " + full + " --quiet", &out) == 0);
  // killed at step 50: the checkpoint of step 40 lies inside the equilibration
  REQUIRE(rep_test::run_env("ESNAPMD_DEBUG_KILL_AT_STEP", "50", "run " + part + " --quiet", &out) == 128 + SIGKILL);
  md_checkpoint c;
  REQUIRE(ckpt_read("scratch/equil_part/out/run.chk", &c) == MD_OK);
  CHECK(c.rep[0].sys->step == 40);
  CHECK(ckpt_get_blob(&c, "heatcap#0") != nullptr);
  CHECK(ckpt_get_blob(&c, "diffusion#0") != nullptr);
  ckpt_free(&c);
  REQUIRE(md_test::run("run " + part + " --quiet --restart scratch/equil_part/out/run.chk", &out) == 0);
  for (const char *f : {"thermo.dat", "all.dump", "li.dump", "run.chk", "diffusion/summary.json", "diffusion/msd_pooled.dat",
                        "heatcap.json"}) {
    INFO(f);
    std::string a = md_test::read_file(std::string("scratch/equil_full/out/") + f);
    CHECK(!a.empty());
    CHECK(a == md_test::read_file(std::string("scratch/equil_part/out/") + f));
  }
}
