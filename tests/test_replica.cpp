// Replica ensembles (deck `replicas`): replica k of a batched CPU run follows bit for bit the trajectory of a run
// of that replica alone (`only K`, and a plain deck with the derived seed on one thread); seeds, names and rank
// blocks follow the documented rules; per-replica temperatures; bad decks are refused with one clear line.
// About 10 s on 2 cores.
#include <catch2/catch.hpp>

#include <cstring>
#include <set>
#include <string>

#include "test_replica_util.h"

extern "C" {
#include "checkpoint.h"
#include "replica.h"
}

namespace {

const std::string kBody =
    "structure li3n 2 2 2\n"
    "velocity 900\n"
    "ensemble nvt 900 0.05\n"
    "thermo 10\n"
    "dump 10 all.dump format lammps velocities yes precision full\n"
    "checkpoint 50 run.chk\n"
    "progress 0\n"
    "run 100\n";

// The documented rule, written out independently of host/md/replica.c.
uint64_t doc_seed(uint64_t S, long k) {
  uint64_t z = S + (uint64_t)(k + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return z;
}

}  // namespace

TEST_CASE("replica seeds names and rank blocks follow the documented rules", "[replica]") {
  std::set<uint64_t> seen;
  for (long k = 0; k < 1000; k++) {
    CHECK(replica_seed(42, k) == doc_seed(42, k));
    seen.insert(replica_seed(42, k));
  }
  CHECK(seen.size() == 1000);
  CHECK(replica_seed(42, 0) != replica_seed(43, 0));
  char out[256];
  REQUIRE(replica_file_name("thermo.dat", 3, 4, 1, out, sizeof out) == 0);
  CHECK(std::string(out) == "thermo_r3.dat");
  REQUIRE(replica_file_name("out/dir.x/li.xyz", 7, 100, 1, out, sizeof out) == 0);
  CHECK(std::string(out) == "out/dir.x/li_r07.xyz");
  REQUIRE(replica_file_name("traj_{replica}/li.dump", 12, 100, 1, out, sizeof out) == 0);
  CHECK(std::string(out) == "traj_12/li.dump");
  REQUIRE(replica_file_name("noext", 0, 1, 1, out, sizeof out) == 0);
  CHECK(std::string(out) == "noext_r0");
  REQUIRE(replica_file_name("thermo.dat", 3, 4, 0, out, sizeof out) == 0);
  CHECK(std::string(out) == "thermo.dat");
  CHECK(replica_file_name("thermo.dat", 3, 4, 1, out, 8) == -1);
  // contiguous blocks covering every replica once, sizes differing by at most one
  for (int R : {1, 4, 7, 100})
    for (int P = 1; P <= R && P <= 9; P++) {
      int next = 0;
      for (int p = 0; p < P; p++) {
        int first, count;
        replica_block(R, P, p, &first, &count);
        CHECK(first == next);
        CHECK(count >= R / P);
        CHECK(count <= R / P + 1);
        next += count;
      }
      CHECK(next == R);
    }
}

TEST_CASE("replica k of a batched run equals the replica run alone", "[replica][cli]") {
  std::string batch = md_test::deck("rep_batch", "replicas 4 seed 42\n" + kBody);
  std::string only = md_test::deck("rep_only", "replicas 4 seed 42 only 2\n" + kBody);
  std::string out;
  REQUIRE(md_test::run("run " + batch + " --quiet", &out) == 0);
  INFO(out);
  REQUIRE(md_test::run("run " + only + " --quiet", &out) == 0);
  const std::string B = "scratch/rep_batch/out/", O = "scratch/rep_only/out/";
  for (int k = 0; k < 4; k++) {
    REQUIRE(esnap_test::exists(B + "thermo_r" + std::to_string(k) + ".dat"));
    REQUIRE(esnap_test::exists(B + "all_r" + std::to_string(k) + ".dump"));
  }
  // the replicas are different trajectories
  CHECK(md_test::read_file(B + "all_r0.dump") != md_test::read_file(B + "all_r1.dump"));
  // `only 2` writes replica 2's files (and run_r2.chk): identical
  CHECK(md_test::read_file(O + "all_r2.dump") == md_test::read_file(B + "all_r2.dump"));
  CHECK(rep_test::data_lines(O + "thermo_r2.dat") == rep_test::data_lines(B + "thermo_r2.dat"));
  CHECK(rep_test::data_lines(B + "thermo_r2.dat").size() == 11);
  CHECK(esnap_test::exists(O + "run_r2.chk"));
  CHECK(!esnap_test::exists(O + "all_r0.dump"));
  // a plain deck with the derived seed, on one thread (the batched run gives each replica one thread)
  std::string plain = md_test::deck("rep_plain", "seed " + std::to_string(replica_seed(42, 2)) + "\n" + kBody);
  REQUIRE(rep_test::run_env("OMP_NUM_THREADS", "1", "run " + plain + " --quiet", &out) == 0);
  const std::string P = "scratch/rep_plain/out/";
  CHECK(md_test::read_file(P + "all.dump") == md_test::read_file(B + "all_r2.dump"));
  CHECK(rep_test::data_lines(P + "thermo.dat") == rep_test::data_lines(B + "thermo_r2.dat"));
  // final state: positions, velocities, thermostat of replica 2 in the ensemble's checkpoint
  md_checkpoint cb, cp;
  REQUIRE(ckpt_read((B + "run.chk").c_str(), &cb) == MD_OK);
  REQUIRE(ckpt_read((P + "run.chk").c_str(), &cp) == MD_OK);
  REQUIRE(cb.nrep == 4);
  CHECK(cb.rset_total == 4);
  CHECK(cb.rset_seed == 42);
  CHECK(cb.rep_seed[2] == replica_seed(42, 2));
  const md_system *a = cb.rep[2].sys, *b = cp.rep[0].sys;
  CHECK(a->step == 100);
  CHECK(std::memcmp(a->x, b->x, 3 * a->n * sizeof(double)) == 0);
  CHECK(std::memcmp(a->vx, b->vx, 3 * a->n * sizeof(double)) == 0);
  CHECK(std::memcmp(&cb.rep[2].nhc, &cp.rep[0].nhc, sizeof(nhc_state)) == 0);
  ckpt_free(&cb);
  ckpt_free(&cp);
}

TEST_CASE("replicas with their own temperatures", "[replica][cli]") {
  std::string d = md_test::deck("rep_temps", "structure li3n 2 2 2\nvelocity 900 seed 5\nensemble nvt 900 0.05\n"
                                             "replicas 4 seed 9 temperatures 600 1200\nthermo 10\n"
                                             "diffusion Li every 5 fit 0 0.02\ncheckpoint 30 run.chk\nprogress 0\nrun 30\n");
  std::string out;
  REQUIRE(md_test::run("run " + d + " --quiet", &out) == 0);
  INFO(out);
  const std::string D = "scratch/rep_temps/out/";
  md_checkpoint c;
  REQUIRE(ckpt_read((D + "run.chk").c_str(), &c) == MD_OK);
  REQUIRE(c.nrep == 4);
  const double want[4] = {600, 600, 1200, 1200};
  for (int k = 0; k < 4; k++) {
    CHECK(c.rep_temp[k] == want[k]);
    CHECK(c.rep[k].nhc.t_target == want[k]);
    // step 0 of every replica starts exactly at its temperature
    auto rows = md_test::table(D + "thermo_r" + std::to_string(k) + ".dat");
    REQUIRE(!rows.empty());
    CHECK(rows[0][2] == Approx(want[k]).epsilon(1e-9));
  }
  ckpt_free(&c);
  CHECK(md_test::read_file(D + "thermo_r3.dat").find("temperature 1200 K") != std::string::npos);
  // the diffusion analysis is per temperature
  for (const char *t : {"600", "1200"}) {
    std::string s = D + "diffusion/T" + t + "K/summary.json";
    REQUIRE(esnap_test::exists(s));
    CHECK(rep_test::json_number(s, "temperature") == std::atof(t));
    CHECK(rep_test::json_number(s, "n_replicas") == 2);
  }
  CHECK(!esnap_test::exists(D + "diffusion/summary.json"));
}

TEST_CASE("bad replica and diffusion decks are refused", "[replica][cli]") {
  const std::string base = "structure li3n 2 2 2\nvelocity 600 seed 1\nensemble nvt 600 0.1\nprogress 0\nrun 10\n";
  struct bad {
    std::string lines, message;
  };
  const bad cases[] = {
      {"replicas 0\n", "deck.in:1: replicas must be between 1 and 1000000 (got 0)"},
      {"replicas 4 only 4\n", "deck.in:1: only 4: replicas are numbered 0..3"},
      {"replicas 4 temperatures 600 700 800\n", "deck.in:1: 3 temperatures for 4 replicas"},
      {"replicas 4 seed 0\n", "deck.in:1: seed '0' is not a positive integer"},
      {"replicas 2 tempratures 600\n", "deck.in:1: replicas: unexpected 'tempratures'"},
      {"diffusion Xx every 10\n", "deck.in:1: diffusion: species 'Xx' is not an element of the structure (it has: Li N)"},
      {"diffusion Li\n", "deck.in:1: diffusion needs 'every N'"},
      {"diffusion Li every 10 fit 2 1\n", "deck.in:1: diffusion fit window needs 0 <= T0 < T1"},
      {"diffusion Li every 10 block 1\n", "deck.in:1: diffusion block must be 2..65536"},
      {"sweep 600 700\n", "deck.in:1: this deck describes a temperature series: run it with esnapmd sweep"},
      {"replicas 2 temperatures 600 700\nensemble nvt 600 0.1 tstop 700\n", "cannot follow an nvt ramp"},
  };
  int k = 0;
  for (const bad &b : cases) {
    std::string body = b.lines + base;
    if (b.lines.find("ensemble") != std::string::npos) body = b.lines + "structure li3n 2 2 2\nvelocity 600 seed 1\nrun 10\n";
    std::string d = md_test::deck("rep_bad_" + std::to_string(k++), body);
    std::string out;
    INFO(b.lines);
    CHECK(md_test::run("run " + d + " --quiet", &out) != 0);
    INFO(out);
    CHECK(out.find(b.message) != std::string::npos);
    CHECK(md_test::count_lines(out) == 1);
  }
  // checkpoints of another replica set
  std::string d4 = md_test::deck("rep_bad_ck4", "replicas 4 seed 3\ncheckpoint 10 run.chk\n" + base);
  std::string out;
  REQUIRE(md_test::run("run " + d4 + " --quiet", &out) == 0);
  const std::string chk = "scratch/rep_bad_ck4/out/run.chk";
  std::string d2 = md_test::deck("rep_bad_ck2", "replicas 2 seed 3\ncheckpoint 10 run.chk\n" + base);
  CHECK(md_test::run("run " + d2 + " --quiet --restart " + chk, &out) != 0);
  CHECK(out.find("written by a run of 4 replicas, the deck has 2") != std::string::npos);
  std::string d5 = md_test::deck("rep_bad_ck5", "replicas 4 seed 8\ncheckpoint 10 run.chk\n" + base);
  CHECK(md_test::run("run " + d5 + " --quiet --restart " + chk, &out) != 0);
  CHECK(out.find("written with ensemble seed 3, the deck's is 8") != std::string::npos);
  std::string d1 = md_test::deck("rep_bad_ck1", "checkpoint 10 run.chk\n" + base);
  CHECK(md_test::run("run " + d1 + " --quiet --restart " + chk, &out) != 0);
  CHECK(out.find("holds 4 replica(s) of a replica set") != std::string::npos);
  CHECK(md_test::count_lines(out) == 1);
}
