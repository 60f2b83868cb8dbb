// Interrupt = no interruption: a replica run with on-the-fly diffusion and dumps, stopped by SIGTERM and by SIGINT
// at random steps (ESNAPMD_DEBUG_SIGNAL_AT_STEP: the process raises the signal on itself as that step completes,
// wherever it falls between scheduled checkpoints) and continued with --restart until it finishes, leaves every
// output file (thermo, dumps, diffusion results, final checkpoint) byte-identical to an uninterrupted run's; the
// interrupted run exits non-zero naming the checkpoint it wrote. Writing a checkpoint (scheduled or not) does not
// change the trajectory. CPU backend; the steps are drawn from a seed printed with the result
// (ESNAP_TEST_SEED=S repeats a draw). About 10 s on 2 cores.
#include <catch2/catch.hpp>

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "test_replica_util.h"

extern "C" {
#include "checkpoint.h"
}

namespace {

const std::string kBody = "structure li3n 2 2 2\nvelocity 900\nensemble nvt 900 0.05\nreplicas 3 seed 29\nthermo 10\n"
                          "dump 20 li.xyz species Li\ndump 30 all.dump velocities yes\n"
                          "diffusion Li every 5 fit 0.02 0.1\ncheckpoint 40 run.chk\nprogress 0\nrun 160\n";

// Every regular file under dir, relative to it, sorted.
std::vector<std::string> files_under(const std::string &dir) {
  std::vector<std::string> out;
  FILE *p = popen(("cd '" + dir + "' && find . -type f | sort").c_str(), "r");
  if (!p) return out;
  char line[4096];
  while (std::fgets(line, sizeof line, p)) {
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    out.push_back(s);
  }
  pclose(p);
  return out;
}

// The same set of files, each byte-identical.
void same_outputs(const std::string &a, const std::string &b) {
  std::vector<std::string> fa = files_under(a), fb = files_under(b);
  CHECK(fa == fb);
  CHECK(fa.size() >= 15);  // 3 x (thermo, two dumps, msd) + summary, pooled msd, checkpoint
  for (const std::string &f : fa) {
    INFO("file " << f);
    std::string ta = md_test::read_file(a + "/" + f), tb = md_test::read_file(b + "/" + f);
    CHECK(!ta.empty());
    CHECK(ta.size() == tb.size());
    CHECK(ta == tb);
  }
}

unsigned test_seed() {
  const char *e = std::getenv("ESNAP_TEST_SEED");
  if (e && *e) return (unsigned)std::strtoul(e, nullptr, 10);
  std::random_device rd;
  return rd();
}

}  // namespace

TEST_CASE("SIGTERM and SIGINT at random steps then --restart give byte-identical outputs", "[restart][signal][onthefly][cli]") {
  std::string full = md_test::deck("sig_full", kBody);
  std::string out;
  REQUIRE(md_test::run("run " + full + " --quiet", &out) == 0);
  const unsigned seed = test_seed();
  std::printf("signal steps drawn with ESNAP_TEST_SEED=%u\n", seed);
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 3; trial++) {
    // two interruptions at increasing random steps (1..159), SIGTERM then SIGINT or the reverse
    std::uniform_int_distribution<long> first(1, 150);
    long k1 = first(rng);
    std::uniform_int_distribution<long> second(k1 + 1, 159);
    long k2 = second(rng);
    const int sigs[2] = {trial % 2 ? SIGINT : SIGTERM, trial % 2 ? SIGTERM : SIGINT};
    const long at[2] = {k1, k2};
    INFO("seed " << seed << ", trial " << trial << ": signal " << sigs[0] << " at step " << k1 << ", signal " << sigs[1]
                 << " at step " << k2);
    const std::string name = "sig_part" + std::to_string(trial);
    std::string part = md_test::deck(name, kBody);
    const std::string chk = "scratch/" + name + "/out/run.chk";
    for (int k = 0; k < 2; k++) {
      const std::string env = std::to_string(at[k]) + " " + std::to_string(sigs[k]);
      const std::string args = "run " + part + " --quiet" + (k ? " --restart " + chk : std::string());
      int rc = rep_test::run_env("ESNAPMD_DEBUG_SIGNAL_AT_STEP", env.c_str(), args, &out);
      INFO(out);
      CHECK(rc != 0);
      CHECK(rc < 128);  // an exit with a message, not a death by the signal
      CHECK(out.find("interrupted by signal " + std::to_string(sigs[k]) + " at step " + std::to_string(at[k]) +
                     "; checkpoint written: continue with --restart " + chk) != std::string::npos);
      CHECK(rep_test::count(out, "\n") == 1);  // one line
      md_checkpoint c;
      REQUIRE(ckpt_read(chk.c_str(), &c) == MD_OK);
      CHECK(c.rep[0].sys->step == at[k]);
      CHECK(c.nrep == 3);
      ckpt_free(&c);
    }
    REQUIRE(md_test::run("run " + part + " --quiet --restart " + chk, &out) == 0);
    same_outputs("scratch/sig_full/out", "scratch/" + name + "/out");
  }
  // a signal as the last step completes: the run just finishes
  std::string last = md_test::deck("sig_last", kBody);
  REQUIRE(rep_test::run_env("ESNAPMD_DEBUG_SIGNAL_AT_STEP", "160 15", "run " + last + " --quiet", &out) == 0);
  same_outputs("scratch/sig_full/out", "scratch/sig_last/out");
}

TEST_CASE("checkpoints do not change the trajectory", "[restart][signal][cli]") {
  // the same run with no checkpoint, one every step and one every 7 steps: the same thermo and dump bytes (full
  // precision), and the same final checkpoint
  const std::string base = "structure li3n 2 2 2\nvelocity 1500 seed 5\nensemble nvt 1500 0.05\nthermo 5\n"
                           "dump 10 all.dump velocities yes precision full\nprogress 0\nrun 150\n";
  std::string out;
  const char *every[3] = {"", "checkpoint 1 run.chk\n", "checkpoint 7 run.chk\n"};
  for (int k = 0; k < 3; k++)
    REQUIRE(md_test::run("run " + md_test::deck("ckpt_traj" + std::to_string(k), base + every[k]) + " --quiet", &out) == 0);
  for (const char *f : {"thermo.dat", "all.dump"})
    for (int k = 1; k < 3; k++) {
      INFO(f << ", checkpoint variant " << k);
      std::string a = md_test::read_file(std::string("scratch/ckpt_traj0/out/") + f);
      CHECK(!a.empty());
      CHECK(a == md_test::read_file("scratch/ckpt_traj" + std::to_string(k) + "/out/" + f));
    }
  std::string c1 = md_test::read_file("scratch/ckpt_traj1/out/run.chk");
  CHECK(!c1.empty());
  CHECK(c1 == md_test::read_file("scratch/ckpt_traj2/out/run.chk"));
}
