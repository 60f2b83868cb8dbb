// Restart: a run killed with SIGKILL after a checkpoint, at a step that is not a checkpoint step, and continued
// with --restart, must give byte-identical thermo and trajectory files and the same final checkpoint as an
// uninterrupted run (CPU, same binary and thread count). Two variants: the kill requested at an exact step
// (ESNAPMD_DEBUG_KILL_AT_STEP, the process raises SIGKILL on itself right after that step's outputs) and a
// kill sent from outside at an arbitrary moment after the first checkpoint appeared. The first on every backend
// (tests/backend_cases.h): byte-identical on the CPU and emulated; on the GPU bit-identical where its kernels are
// deterministic, and within 1e-10 relative (thermo) and 1e-10 Å (final positions) in any case.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <omp.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "backend_cases.h"
#include "test_md_util.h"

extern "C" {
#include "checkpoint.h"
#include "deck.h"
#include "run.h"
#include "system.h"
}

namespace {

const char *kOutputs[] = {"thermo.dat", "li.xyz", "all.dump", "run.chk"};

// The same deck in two directories; outputs go to <dir>/out (relative to the build directory).
std::string make_deck(const std::string &name, const std::string &body) {
  return md_test::deck(name, body);
}

// Outputs of runs a and b: byte-identical (bits), or thermo within 1e-10 relative and the final state within
// 1e-10 (not bits: a backend whose reductions are not deterministic).
void compare_outputs(const std::string &a, const std::string &b, bool bits = true) {
  if (!bits) {
    auto ta = md_test::table("scratch/" + a + "/out/thermo.dat"), tb = md_test::table("scratch/" + b + "/out/thermo.dat");
    REQUIRE(ta.size() == tb.size());
    double d = 0;
    for (size_t k = 0; k < ta.size(); k++)
      for (size_t c = 0; c < ta[k].size(); c++) d = std::fmax(d, std::fabs(ta[k][c] - tb[k][c]) / (1 + std::fabs(tb[k][c])));
    std::printf("continued vs uninterrupted run: thermo %s (largest relative difference %.2g)\n",
                md_test::read_file("scratch/" + a + "/out/thermo.dat") == md_test::read_file("scratch/" + b + "/out/thermo.dat")
                    ? "byte-identical" : "differs", d);
    CHECK(d < 1e-10);
    md_checkpoint ca, cb;
    REQUIRE(ckpt_read(("scratch/" + a + "/out/run.chk").c_str(), &ca) == MD_OK);
    REQUIRE(ckpt_read(("scratch/" + b + "/out/run.chk").c_str(), &cb) == MD_OK);
    CHECK(ca.rep[0].sys->step == cb.rep[0].sys->step);
    double dx = 0;
    for (int i = 0; i < 3 * ca.rep[0].sys->n; i++) dx = std::fmax(dx, std::fabs(ca.rep[0].sys->x[i] - cb.rep[0].sys->x[i]));
    CHECK(dx < 1e-10);
    ckpt_free(&ca);
    ckpt_free(&cb);
    return;
  }
  for (const char *f : kOutputs) {
    std::string pa = "scratch/" + a + "/out/" + f, pb = "scratch/" + b + "/out/" + f;
    INFO("file " << f);
    REQUIRE(esnap_test::exists(pa));
    REQUIRE(esnap_test::exists(pb));
    std::string ta = md_test::read_file(pa), tb = md_test::read_file(pb);
    CHECK(ta.size() == tb.size());
    CHECK(ta == tb);
  }
  // the final state, field by field (the checkpoint files are already byte-compared)
  md_checkpoint ca, cb;
  REQUIRE(ckpt_read(("scratch/" + a + "/out/run.chk").c_str(), &ca) == MD_OK);
  REQUIRE(ckpt_read(("scratch/" + b + "/out/run.chk").c_str(), &cb) == MD_OK);
  const md_system *sa = ca.rep[0].sys, *sb = cb.rep[0].sys;
  CHECK(sa->step == sb->step);
  CHECK(std::memcmp(sa->x, sb->x, 3 * sa->n * sizeof(double)) == 0);
  CHECK(std::memcmp(sa->vx, sb->vx, 3 * sa->n * sizeof(double)) == 0);
  CHECK(std::memcmp(&ca.rep[0].nhc, &cb.rep[0].nhc, sizeof(nhc_state)) == 0);
  ckpt_free(&ca);
  ckpt_free(&cb);
}

const std::string body =
    "structure li3n 2 2 2\n"
    "velocity 900 seed 11\n"
    "ensemble nvt 900 0.05\n"
    "thermo 10\n"
    "dump 20 li.xyz species Li\n"
    "dump 50 all.dump format lammps velocities yes\n"
    "progress 0\n";

}  // namespace

BACKEND_TEST_CASE("restart after SIGKILL at a given step", "[restart][cli]") {
  const std::string fn = std::string("restart_full_") + B.name, pn = std::string("restart_part_") + B.name;
  std::string full = make_deck(fn, body + "checkpoint 100 run.chk\nrun 300\n");
  std::string part = make_deck(pn, body + "checkpoint 100 run.chk\nrun 300\n");
  std::string out;
  REQUIRE(esnap_test::run_esnapmd(B.backend, "run " + full + " --quiet", &out) == 0);
  // killed at step 250: checkpoints at 100 and 200 exist, outputs run to step 250
  setenv("ESNAPMD_DEBUG_KILL_AT_STEP", "250", 1);
  int rc = esnap_test::run_esnapmd(B.backend, "run " + part + " --quiet", &out);
  unsetenv("ESNAPMD_DEBUG_KILL_AT_STEP");
  REQUIRE(rc == 128 + SIGKILL);
  const std::string dir = "scratch/" + pn + "/out/";
  md_checkpoint c;
  REQUIRE(ckpt_read((dir + "run.chk").c_str(), &c) == MD_OK);
  CHECK(c.rep[0].sys->step == 200);
  long long keep = ckpt_file_bytes(&c, "thermo thermo.dat");
  CHECK(keep > 0);
  ckpt_free(&c);
  std::string thermo = md_test::read_file(dir + "thermo.dat");
  CHECK((long long)thermo.size() > keep);            // lines of steps 210..250 past the checkpoint
  CHECK(thermo.find("\n         250 ") != std::string::npos);
  REQUIRE(esnap_test::run_esnapmd(B.backend, "run " + part + " --quiet --restart " + dir + "run.chk", &out) == 0);
  compare_outputs(fn, pn, B.tol.restart_bits);
}

TEST_CASE("restart after an external SIGKILL", "[restart][cli]") {
  const std::string b = body + "checkpoint 300 run.chk\nrun 3000\n";
  std::string full = make_deck("restart_ext_full", b);
  std::string part = make_deck("restart_ext_part", b);
  std::string out;
  REQUIRE(md_test::run("run " + full + " --quiet", &out) == 0);
  const std::string chk = "scratch/restart_ext_part/out/run.chk";
  md_test::passive_openmp();
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execl(ESNAP_BINARY, "esnapmd", "run", part.c_str(), "--quiet", (char *)nullptr);
    _exit(127);
  }
  // wait for the first checkpoint, then kill at whatever step the run has reached
  struct stat st;
  auto t0 = std::chrono::steady_clock::now();
  bool seen = false;
  int status = 0;
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(300)) {
    if (stat(chk.c_str(), &st) == 0) {
      seen = true;
      break;
    }
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  REQUIRE(seen);
  REQUIRE(WIFSIGNALED(status));
  md_checkpoint c;
  REQUIRE(ckpt_read(chk.c_str(), &c) == MD_OK);
  long at = c.rep[0].sys->step;
  ckpt_free(&c);
  INFO("killed after the checkpoint of step " << at);
  CHECK(at < 3000);
  REQUIRE(md_test::run("run " + part + " --quiet --restart " + chk, &out) == 0);
  compare_outputs("restart_ext_full", "restart_ext_part");
}

TEST_CASE("run stopped by SIGTERM writes a checkpoint and continues", "[restart][cli]") {
  std::string d = make_deck("restart_sigterm", body + "checkpoint 1000 run.chk\nrun 200000\n");
  const std::string chk = "scratch/restart_sigterm/out/run.chk";
  const std::string thermo = "scratch/restart_sigterm/out/thermo.dat";
  md_test::passive_openmp();
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 2);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execl(ESNAP_BINARY, "esnapmd", "run", d.c_str(), (char *)nullptr);
    _exit(127);
  }
  close(fds[1]);
  // wait until the run has made progress (a few thermo lines), then ask it to stop
  auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(120) && md_test::read_file(thermo).size() < 2000)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  std::string err;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) err.append(buf, (size_t)n);
  close(fds[0]);
  INFO("stderr: " << err);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) != 0);
  CHECK(err.find("interrupted by signal 15 at step ") != std::string::npos);
  CHECK(err.find("checkpoint written: continue with --restart " + chk) != std::string::npos);
  md_checkpoint c;
  REQUIRE(ckpt_read(chk.c_str(), &c) == MD_OK);
  long at = c.rep[0].sys->step;
  ckpt_free(&c);
  CHECK(at > 0);
  CHECK(at < 200000);
  // the thermo file ends exactly at the checkpoint: the continuation appends from there
  auto rows = md_test::table(thermo);
  REQUIRE(!rows.empty());
  CHECK((long)rows.back()[0] <= at);
  // continue for a few more steps (a shorter deck with the same system and settings)
  std::string d2 = "scratch/restart_sigterm/deck2.in";
  md_test::write_file(d2, body + "checkpoint 1000 run.chk\nrun " + std::to_string(at + 30) + "\noutput scratch/restart_sigterm/out\n");
  std::string out;
  CHECK(md_test::run("run " + d2 + " --quiet --restart " + chk, &out) == 0);
  rows = md_test::table(thermo);
  CHECK((long)rows.back()[0] == at + 30);
}

// An analysis hook (the slot for on-the-fly MSD accumulators): its state goes into the checkpoint's BLOB
// section and comes back on restart, so a continued run ends with the same accumulated state.
namespace {

struct sum_hook {
  long samples = 0;
  double sum = 0.0;  // Σ over samples and atoms of the unwrapped x (Å)
};

md_status hook_sample(void *ctx, const md_replica *reps, int nrep) {
  auto *h = static_cast<sum_hook *>(ctx);
  for (int r = 0; r < nrep; r++)
    for (int i = 0; i < reps[r].sys->n; i++) {
      double u[3];
      system_unwrapped(reps[r].sys, i, u);
      h->sum += u[0];
    }
  h->samples++;
  return MD_OK;
}

md_status hook_save(void *ctx, void **data, size_t *len) {
  *data = std::malloc(sizeof(sum_hook));
  std::memcpy(*data, ctx, sizeof(sum_hook));
  *len = sizeof(sum_hook);
  return MD_OK;
}

md_status hook_load(void *ctx, const void *data, size_t len) {
  if (len != sizeof(sum_hook)) return md_error(MD_ERR_PARSE, "sum hook: %zu bytes", len);
  std::memcpy(ctx, data, len);
  return MD_OK;
}

void run_with_hook(const std::string &deck_path, const char *restart, sum_hook *h) {
  md_deck d;
  REQUIRE(deck_read(&d, deck_path.c_str()) == MD_OK);
  md_analysis_hook hook = {"sum", h, 5, hook_sample, hook_save, hook_load};
  run_options o;
  std::memset(&o, 0, sizeof o);
  o.quiet = 1;
  o.restart = restart;
  o.nhooks = 1;
  o.hooks = &hook;
  md_status st = run_deck(&d, &o);
  INFO(md_errmsg());
  REQUIRE(st == MD_OK);
}

}  // namespace

TEST_CASE("analysis hook state survives a restart", "[restart]") {
  // in-process runs: one thread (ctest -j2 runs another test beside this one)
  struct one_thread {
    int saved = omp_get_max_threads();
    one_thread() { omp_set_num_threads(1); }
    ~one_thread() { omp_set_num_threads(saved); }
  } guard;
  const std::string b = "structure li3n 2 2 2\nvelocity 700 seed 3\nensemble nvt 700 0.1\nthermo 10\n"
                        "checkpoint 50 run.chk\nprogress 0\n";
  std::string full = md_test::deck("hook_full", b + "run 150\n");
  std::string first = md_test::deck("hook_part", b + "run 100\n");
  sum_hook a, c;
  run_with_hook(full, nullptr, &a);
  run_with_hook(first, nullptr, &c);
  CHECK(c.samples == 21);  // steps 0, 5, 10, ..., 100
  md_checkpoint ck;
  REQUIRE(ckpt_read("scratch/hook_part/out/run.chk", &ck) == MD_OK);
  const ckpt_blob *bl = ckpt_get_blob(&ck, "sum");
  REQUIRE(bl != nullptr);
  CHECK(bl->len == sizeof(sum_hook));
  ckpt_free(&ck);
  // continue to 150 steps with a fresh hook object: the saved state is loaded into it
  std::string cont = "scratch/hook_part/deck150.in";
  md_test::write_file(cont, b + "run 150\noutput scratch/hook_part/out\n");
  sum_hook e;
  run_with_hook(cont, "scratch/hook_part/out/run.chk", &e);
  CHECK(e.samples == a.samples);
  CHECK(e.sum == a.sum);  // bit for bit
}
