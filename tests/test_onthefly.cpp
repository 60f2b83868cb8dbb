// On-the-fly diffusion (deck `diffusion`): the same numbers as `esnapmd analyze` of the same run's trajectories;
// a replica run with on-the-fly diffusion killed with SIGKILL and continued gives byte-identical outputs; LAMMPS
// dumps with ITEM: UNITS / ITEM: TIME before ITEM: TIMESTEP are read. About 10 s on 2 cores.
#include <catch2/catch.hpp>

#include <signal.h>

#include <cmath>
#include <string>

#include "test_replica_util.h"

extern "C" {
#include "checkpoint.h"
}

namespace {

const char *kD[] = {"D_tracer_xyz", "D_tracer_xy", "D_tracer_z", "D_charge_xyz", "D_charge_xy", "D_charge_z",
                    "haven_ratio_xyz", "haven_ratio_xy", "haven_ratio_z"};
const char *kSigma[] = {"conductivity_xyz", "conductivity_xy", "conductivity_z", "conductivity_from_tracer_xyz",
                        "conductivity_from_tracer_xy", "conductivity_from_tracer_z"};

// The line of summary.json holding "key": its value and stderr as written (12 significant digits).
std::string json_line(const std::string &text, const std::string &key) {
  size_t at = text.find("\"" + key + "\"");
  if (at == std::string::npos) return "";
  return text.substr(at, text.find('\n', at) - at);
}

}  // namespace

TEST_CASE("on-the-fly diffusion equals analyze of the same trajectories", "[onthefly][diffusion][cli]") {
  std::string d = md_test::deck("otf_vs_analyze", "structure li3n 2 2 2\nvelocity 1000\nensemble nvt 1000 0.1\n"
                                                  "replicas 3 seed 17\nthermo 50\n"
                                                  "dump 5 li.dump species Li precision full\n"
                                                  "diffusion Li every 5 fit 0.01 0.06\ncheckpoint 50 run.chk\n"
                                                  "progress 0\nrun 150\n");
  std::string out;
  REQUIRE(md_test::run("run " + d + " --quiet", &out) == 0);
  const std::string D = "scratch/otf_vs_analyze/out/";
  // our LAMMPS dumps carry ITEM: TIME (ps): no --timestep needed
  REQUIRE(md_test::run("analyze " + D + "li_r0.dump " + D + "li_r1.dump " + D + "li_r2.dump --temperature 1000 " +
                           "--fit-window 0.01 0.06 -o " + D + "analyze --quiet",
                       &out) == 0);
  std::string a = md_test::read_file(D + "diffusion/summary.json"), b = md_test::read_file(D + "analyze/summary.json");
  INFO(a);
  INFO(b);
  // the same tracker fed the same doubles: D*, Dσ, H_R and their bootstrap errors agree bit for bit
  for (const char *k : kD) {
    CHECK(json_line(a, k) == json_line(b, k));
    for (const char *f : {".value", ".stderr"}) {
      double va = rep_test::json_number(D + "diffusion/summary.json", std::string(k) + f);
      double vb = rep_test::json_number(D + "analyze/summary.json", std::string(k) + f);
      CHECK(va == vb);
    }
  }
  // σ uses the cell volume: exact on the fly, from the dump's box bounds (10 decimals) in analyze
  for (const char *k : kSigma) {
    double va = rep_test::json_number(D + "diffusion/summary.json", std::string(k) + ".value");
    double vb = rep_test::json_number(D + "analyze/summary.json", std::string(k) + ".value");
    CHECK(std::fabs(va - vb) <= 1e-9 * std::fabs(vb));
  }
  for (const char *k : {"temperature", "n_replicas", "n_fit_points", "frame_interval_ps", "run_length_ps", "n_ions"})
    CHECK(rep_test::json_number(D + "diffusion/summary.json", k) == rep_test::json_number(D + "analyze/summary.json", k));
  CHECK(rep_test::json_number(D + "diffusion/summary.json", "n_replicas") == 3);
  CHECK(a.find("\"fit_window_ps\": [") != std::string::npos);
  CHECK(a.find("bootstrap over 3 replicas") != std::string::npos);
  // the MSD curves, byte for byte (self-describing headers included)
  for (const char *f : {"msd_pooled.dat", "msd_replica_0.dat", "msd_replica_1.dat", "msd_replica_2.dat"}) {
    INFO(f);
    std::string ma = md_test::read_file(D + "diffusion/" + f);
    CHECK(!ma.empty());
    CHECK(ma == md_test::read_file(D + "analyze/" + f));
  }
  CHECK(md_test::read_file(D + "diffusion/msd_pooled.dat").find("# columns: lag_ps count tracer_xy") != std::string::npos);
}

TEST_CASE("replica run with on-the-fly diffusion restarts bit for bit after SIGKILL", "[onthefly][restart][cli]") {
  const std::string body = "structure li3n 2 2 2\nvelocity 900\nensemble nvt 900 0.05\nreplicas 3 seed 23\nthermo 10\n"
                           "dump 20 li.xyz species Li\ndump 50 all.dump velocities yes\n"
                           "diffusion Li every 5 fit 0.02 0.1\ncheckpoint 40 run.chk\nprogress 0\nrun 200\n";
  std::string full = md_test::deck("otf_restart_full", body);
  std::string part = md_test::deck("otf_restart_part", body);
  std::string out;
  REQUIRE(md_test::run("run " + full + " --quiet", &out) == 0);
  // killed after step 130: checkpoints at 40, 80 and 120; outputs (and diffusion results of step 120) beyond
  REQUIRE(rep_test::run_env("ESNAPMD_DEBUG_KILL_AT_STEP", "130", "run " + part + " --quiet", &out) == 128 + SIGKILL);
  md_checkpoint c;
  REQUIRE(ckpt_read("scratch/otf_restart_part/out/run.chk", &c) == MD_OK);
  CHECK(c.rep[0].sys->step == 120);
  CHECK(c.nrep == 3);
  for (int k = 0; k < 3; k++) CHECK(ckpt_get_blob(&c, ("diffusion#" + std::to_string(k)).c_str()) != nullptr);
  ckpt_free(&c);
  REQUIRE(md_test::run("run " + part + " --quiet --restart scratch/otf_restart_part/out/run.chk", &out) == 0);
  std::vector<std::string> files = {"run.chk", "diffusion/summary.json", "diffusion/msd_pooled.dat"};
  for (int k = 0; k < 3; k++) {
    std::string r = std::to_string(k);
    for (const char *f : {"thermo_r", "li_r", "all_r"}) {
      std::string ext = std::string(f) == "thermo_r" ? ".dat" : std::string(f) == "li_r" ? ".xyz" : ".dump";
      files.push_back(f + r + ext);
    }
    files.push_back("diffusion/msd_replica_" + r + ".dat");
  }
  for (const std::string &f : files) {
    INFO(f);
    std::string a = md_test::read_file("scratch/otf_restart_full/out/" + f), b = md_test::read_file("scratch/otf_restart_part/out/" + f);
    CHECK(!a.empty());
    CHECK(a.size() == b.size());
    CHECK(a == b);
  }
}

TEST_CASE("LAMMPS dumps with UNITS and TIME before TIMESTEP are read", "[onthefly][dump][cli]") {
  // the layout of LAMMPS `dump custom` with `dump_modify units yes time yes`: UNITS in the first frame only
  std::string dir = esnap_test::scratch("otf_lammps_time");
  std::string text;
  for (int f = 0; f < 12; f++) {
    if (f == 0) text += "ITEM: UNITS\nmetal\n";
    char t[64];
    std::snprintf(t, sizeof t, "%.16g", 0.02 * f);
    text += "ITEM: TIME\n" + std::string(t) + "\nITEM: TIMESTEP\n" + std::to_string(20 * f) + "\nITEM: NUMBER OF ATOMS\n4\n";
    text += "ITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\nITEM: ATOMS id type xu yu zu\n";
    for (int i = 0; i < 4; i++) {
      char row[128];
      double s = 0.1 * f * (i + 1);
      std::snprintf(row, sizeof row, "%d 1 %.6f %.6f %.6f\n", i + 1, 1.0 + s, 2.0 + 0.5 * s * (i % 2), 3.0 - 0.3 * s);
      text += row;
    }
  }
  md_test::write_file(dir + "/lmp.dump", text);
  std::string out;
  REQUIRE(md_test::run("analyze " + dir + "/lmp.dump --temperature 500 --fit-window 0.02 0.1 -o " + dir + "/a --quiet", &out) == 0);
  INFO(out);
  CHECK(rep_test::json_number(dir + "/a/summary.json", "frame_interval_ps") == Approx(0.02).epsilon(1e-12));
  CHECK(rep_test::json_number(dir + "/a/summary.json", "run_length_ps") == Approx(0.22).epsilon(1e-12));
  // and our own LAMMPS dump writes the same layout
  std::string d = md_test::deck("otf_own_dump", "structure li3n 1 1 1\nvelocity 300 seed 2\ndump 5 x.dump\nthermo 5\nprogress 0\nrun 10\n");
  REQUIRE(md_test::run("run " + d + " --quiet", &out) == 0);
  std::string own = md_test::read_file("scratch/otf_own_dump/out/x.dump");
  CHECK(own.rfind("ITEM: UNITS\nmetal\nITEM: TIME\n0\nITEM: TIMESTEP\n0\n", 0) == 0);
  CHECK(rep_test::count(own, "ITEM: UNITS") == 1);
  CHECK(rep_test::count(own, "ITEM: TIME\n") == 3);
  CHECK(own.find("ITEM: TIME\n0.005\nITEM: TIMESTEP\n5\n") != std::string::npos);
}
