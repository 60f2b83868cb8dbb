// The CUDA MD backend (kernels/backend_gpu.h) and `esnapmd run/eval --device gpu`. [gpu]: SKIPPED without a
// CUDA device; tests that need SNAP also skip without kernels/snap_gpu.cu.
//  - 100 steps of NVE and NVT from snap333_1000K.data match the LAMMPS references (nve100/nvt100) with the
//    tolerances of tests/test_md_reference.cpp;
//  - 10 ps NVE of a 3x3x3 cell with PME: conserved-energy drift below 1e-4 eV/atom ([slow]);
//  - four replicas in one backend equal four single-replica runs; CUDA graphs equal direct launches; a run
//    whose lists overflow (no capacity margin, small skin, hot) recovers and matches one that does not;
//  - `esnapmd run --device gpu` end to end (thermo, dumps, checkpoint, restart after SIGKILL), agreeing with
//    the CPU run; a safety stop names the step and atom as on the CPU; `esnapmd eval --device gpu` = CPU.
// Run time on an H100: ~20 s ([slow] drift test included).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "test_gpu_util.h"
#include "test_md_util.h"

extern "C" {
#include "box.h"
#include "integrate.h"
#include "io_xyz.h"
#include "lattice.h"
#include "system.h"
#include "velocity.h"
}

namespace {

// Compare the thermo of a run with a LAMMPS reference (columns Step Temp PotEng KinEng TotEng [Econserve] Press)
// and the final dump, as tests/test_md_reference.cpp does.
void compare_lammps(const std::string &dir, const std::string &ref_thermo, const std::string &ref_dump, double tol_pe) {
  auto mine = md_test::table(dir + "thermo.dat");
  auto ref = md_test::table(esnap_test::data(ref_thermo));
  REQUIRE(ref.size() == 11);
  REQUIRE(mine.size() == ref.size());
  const bool has_econs = ref[0].size() == 7;
  double dt = 0, dpe = 0, dke = 0, dec = 0, dp = 0;
  for (size_t k = 0; k < ref.size(); k++) {
    REQUIRE(mine[k][0] == ref[k][0]);
    dt = std::fmax(dt, std::fabs(mine[k][2] - ref[k][1]));
    dpe = std::fmax(dpe, std::fabs(mine[k][3] - ref[k][2]));
    dke = std::fmax(dke, std::fabs(mine[k][4] - ref[k][3]));
    if (has_econs) dec = std::fmax(dec, std::fabs(mine[k][6] - ref[k][5]));
    dp = std::fmax(dp, std::fabs(mine[k][7] - ref[k].back()));
  }
  std::printf("gpu vs LAMMPS %s: max |dT| %.2g K, |dPE| %.2g eV, |dKE| %.2g eV, |dEcons| %.2g eV, |dP| %.2g bar\n",
              ref_thermo.c_str(), dt, dpe, dke, dec, dp);
  CHECK(dt < 1e-4);
  CHECK(dpe < tol_pe);
  CHECK(dke < 1e-6);
  if (has_econs) CHECK(dec < tol_pe);
  CHECK(dp < (tol_pe < 1e-5 ? 0.01 : 0.05));
  auto a = md_test::lammps_dump_last(dir + "final.dump");
  auto b = md_test::lammps_dump_last(esnap_test::data(ref_dump));
  REQUIRE(a.size() == 108);
  REQUIRE(b.size() == 108);
  std::map<int, std::vector<double>> byid;
  for (auto &r : b) byid[(int)r[0]] = r;
  double dx = 0;
  for (auto &r : a) {
    auto &q = byid.at((int)r[0]);
    for (int k = 2; k < 5; k++) dx = std::fmax(dx, std::fabs(r[k] - q[k]));
  }
  std::printf("gpu vs LAMMPS %s: step 100 max |dx| (unwrapped) %.2g A\n", ref_dump.c_str(), dx);
  CHECK(dx < 1e-5);
}

std::string run_deck(const std::string &name, const std::string &body, const std::string &device, int expect_rc = 0) {
  std::string d = md_test::deck(name, body);
  std::string out;
  int rc = md_test::run("run " + d + " --quiet --device " + device, &out);
  INFO(out);
  REQUIRE(rc == expect_rc);
  return expect_rc == 0 ? "scratch/" + name + "/out/" : out;
}

#if ESNAP_HAVE_CUDA
md_backend_options nvt_options(double skin, bool with_snap) {
  md_backend_options o{};
  o.integ.ensemble = MD_ENS_NVT;
  o.integ.dt = 0.001;
  o.integ.t_start = o.integ.t_stop = 1500;
  o.integ.ramp_end = 1000;
  o.integ.t_damp = 0.1;
  o.integ.chain = 3;
  o.integ.tloop = 1;
  o.safety.t_max = 1e5;
  o.safety.min_dist = with_snap ? 0.5 : 0.0;  // without SNAP nothing but ZBL keeps Li and N apart
  o.safety.min_dist_every = 10;
  o.safety.max_disp = 1.0;
  o.coulomb = -1;
  o.skin = skin;
  return o;
}

// Replicas of a 3x3x3 cell at 1500 K with different seeds; runs `steps` on the CUDA backend with nrep
// replicas in one backend; returns the final replicas.
std::vector<md_replica> run_backend(const md_model &m, int nrep, int first_seed, long steps, double skin) {
  std::vector<md_replica> reps(nrep);
  md_backend_options o = nvt_options(skin, m.has_snap != 0);
  for (int r = 0; r < nrep; r++) {
    md_system *s = nullptr;
    REQUIRE(lattice_li3n(&s, 3, 3, 3, 0, 0, &m) == MD_OK);
    REQUIRE(replica_alloc(&reps[r], s) == MD_OK);
    system_destroy(&s);
    md_rng_seed(&reps[r].rng, first_seed + r, 0);
    REQUIRE(velocity_create(reps[r].sys, m.mass, 1500, VELOCITY_GAUSSIAN, 1, &reps[r].rng) == MD_OK);
    nhc_params np;
    integ_nhc_params(&o.integ, reps[r].sys->n, &np);
    nhc_init(&reps[r].nhc, &np, 1500, velocity_temperature(reps[r].sys, m.mass));
  }
  const md_backend_ops *ops = md_backend_cuda();
  md_backend *b = nullptr;
  md_status st = ops->create(&b, &m, &o, reps.data(), nrep);
  INFO(md_errmsg());
  REQUIRE(st == MD_OK);
  for (int r = 0; r < nrep; r++) REQUIRE(ops->set_state(b, r, &reps[r], MD_STATE_ALL) == MD_OK);
  REQUIRE(ops->compute_forces(b) == MD_OK);
  st = ops->run_steps(b, steps);
  INFO(md_errmsg());
  REQUIRE(st == MD_OK);
  for (int r = 0; r < nrep; r++) REQUIRE(ops->get_state(b, r, &reps[r], MD_STATE_ALL) == MD_OK);
  std::printf("gpu backend %d replica(s), %ld steps: %ld list builds, %ld overflow recoveries, graphs %s\n", nrep, steps,
              backend_cuda_builds(b), backend_cuda_overflows(b), backend_cuda_uses_graphs(b) ? "on" : "off");
  ops->destroy(&b);
  return reps;
}

double max_unwrapped_diff(const md_replica &a, const md_replica &b) {
  double d = 0;
  for (int i = 0; i < a.sys->n; i++) {
    double ra[3], rb[3];
    system_unwrapped(a.sys, i, ra);
    system_unwrapped(b.sys, i, rb);
    for (int k = 0; k < 3; k++) d = std::fmax(d, std::fabs(ra[k] - rb[k]));
  }
  return d;
}

const md_model &md_model_for_gpu() { return gpu_test::model(); }
#endif

const std::string kRefDeck = "structure read " + esnap_test::data("snap333_1000K.data") +
                             "\ncoulomb ewald 1e-12 rcut 8\nneighbor 1.0\ntimestep 0.001\nthermo 10\n"
                             "dump 100 final.dump format lammps velocities yes\nprogress 0\nrun 100\n";

}  // namespace

TEST_CASE("gpu md nve and nvt match lammps", "[gpu][md][reference][cli]") {
  gpu_test::require_gpu();
  std::string dir = run_deck("gpu_ref_nve", kRefDeck + "ensemble nve\n", "gpu");
  compare_lammps(dir, "nve100_t16_thermo.txt", "nve100_t16.dump", 1e-6);
  compare_lammps(dir, "nve100_thermo.txt", "nve100.dump", 3e-5);
  dir = run_deck("gpu_ref_nvt", kRefDeck + "ensemble nvt 1000 0.1\n", "gpu");
  compare_lammps(dir, "nvt100_t16_thermo.txt", "nvt100_t16.dump", 1e-6);
  compare_lammps(dir, "nvt100_thermo.txt", "nvt100.dump", 3e-5);
}

TEST_CASE("gpu nve energy drift over 10 ps with pme", "[gpu][md][slow][cli]") {
  gpu_test::require_gpu();
  std::string dir = run_deck("gpu_drift", "structure li3n 3 3 3\ncoulomb pme 1e-5\nvelocity 1000 seed 9\nensemble nve\n"
                                          "thermo 500\nprogress 0\nrun 10000\n",
                             "gpu");
  auto t = md_test::table(dir + "thermo.dat");
  REQUIRE(t.size() == 21);
  double e0 = t[0][6], worst = 0;
  for (auto &r : t) worst = std::fmax(worst, std::fabs(r[6] - e0));
  double drift = std::fabs(t.back()[6] - e0) / 108.0;
  std::printf("gpu NVE 10 ps (108 atoms, PME 1e-5): conserved energy drift %.3g eV/atom, largest excursion %.3g eV/atom\n",
              drift, worst / 108.0);
  CHECK(drift < 1e-4);
  CHECK(worst / 108.0 < 2e-4);
}

TEST_CASE("gpu replicas in one launch equal single-replica runs", "[gpu][md]") {
  gpu_test::require_gpu();
#if ESNAP_HAVE_CUDA
  const md_model &m = md_model_for_gpu();
  auto batch = run_backend(m, 4, 21, 60, 1.0);
  for (int r = 0; r < 4; r++) {
    auto one = run_backend(m, 1, 21 + r, 60, 1.0);
    double d = max_unwrapped_diff(batch[r], one[0]);
    std::printf("gpu replica %d of 4 vs alone after 60 steps: max |dx| %.2g A\n", r, d);
    CHECK(d < 1e-10);
    CHECK(batch[r].nhc.eta[0] == Approx(one[0].nhc.eta[0]).epsilon(1e-10));
    if (r > 0) CHECK(max_unwrapped_diff(batch[r], batch[0]) > 1e-3);
    for (auto &x : one) replica_free(&x);
  }
  for (auto &x : batch) replica_free(&x);
#endif
}

TEST_CASE("gpu graphs equal direct launches and list overflow is recovered", "[gpu][md]") {
  gpu_test::require_gpu();
#if ESNAP_HAVE_CUDA
  const md_model &m = md_model_for_gpu();
  setenv("ESNAPMD_GPU_GRAPH", "0", 1);
  auto direct = run_backend(m, 1, 5, 300, 0.3);
  unsetenv("ESNAPMD_GPU_GRAPH");
  auto graph = run_backend(m, 1, 5, 300, 0.3);
  setenv("ESNAPMD_GPU_NBR_MARGIN", "0", 1);  // capacity = need at every host build: guarded rebuilds overflow
  auto tight = run_backend(m, 1, 5, 300, 0.3);
  unsetenv("ESNAPMD_GPU_NBR_MARGIN");
  double dg = max_unwrapped_diff(direct[0], graph[0]), dt = max_unwrapped_diff(direct[0], tight[0]);
  std::printf("gpu 300 steps: graphs vs direct max |dx| %.2g A; overflowing lists vs direct %.2g A\n", dg, dt);
  CHECK(dg < 1e-12);
  CHECK(dt < 1e-9);
  for (auto *v : {&direct, &graph, &tight})
    for (auto &x : *v) replica_free(&x);
#endif
}

TEST_CASE("gpu run end to end agrees with the cpu and restarts", "[gpu][md][cli]") {
  gpu_test::require_gpu();
  const std::string body = "structure li3n 5 5 5\nvelocity 1000 seed 42\nensemble nvt 1000 0.1\nthermo 10\n"
                           "dump 50 li.xyz species Li\ncheckpoint 50 run.chk\nprogress 0\nrun 100\n";
  std::string g = run_deck("gpu_e2e_gpu", body, "gpu");
  std::string c = run_deck("gpu_e2e_cpu", body, "cpu");
  auto tg = md_test::table(g + "thermo.dat"), tc = md_test::table(c + "thermo.dat");
  REQUIRE(tg.size() == 11);
  REQUIRE(tc.size() == tg.size());
  double d = 0;
  for (size_t k = 0; k < tg.size(); k++)
    for (size_t col = 2; col < 7; col++) d = std::fmax(d, std::fabs(tg[k][col] - tc[k][col]) / (1 + std::fabs(tc[k][col])));
  std::printf("gpu vs cpu 500 atoms 100 steps NVT: largest relative thermo difference %.2g\n", d);
  CHECK(d < 1e-8);
  CHECK(esnap_test::exists(g + "li.xyz"));
  CHECK(esnap_test::exists(g + "run.chk"));
  // killed after step 70 and continued from the step-50 checkpoint: the same thermo (bits, when the SNAP
  // kernels are deterministic; else to 1e-10)
  std::string dk = md_test::deck("gpu_e2e_restart", body);
  setenv("ESNAPMD_DEBUG_KILL_AT_STEP", "70", 1);
  std::string out;
  int rc = md_test::run("run " + dk + " --quiet --device gpu", &out);
  unsetenv("ESNAPMD_DEBUG_KILL_AT_STEP");
  CHECK(rc != 0);
  REQUIRE(md_test::run("run " + dk + " --quiet --device gpu --restart scratch/gpu_e2e_restart/out/run.chk", &out) == 0);
  auto tr = md_test::table("scratch/gpu_e2e_restart/out/thermo.dat");
  REQUIRE(tr.size() == tg.size());
  double dr = 0;
  for (size_t k = 0; k < tg.size(); k++)
    for (size_t col = 2; col < 8; col++) dr = std::fmax(dr, std::fabs(tr[k][col] - tg[k][col]) / (1 + std::fabs(tg[k][col])));
  bool same = md_test::read_file(g + "thermo.dat") == md_test::read_file("scratch/gpu_e2e_restart/out/thermo.dat");
  std::printf("gpu restart after SIGKILL: thermo %s (largest relative difference %.2g)\n", same ? "byte-identical" : "differs",
              dr);
  CHECK(dr < 1e-10);
}

TEST_CASE("gpu safety stop names the step and the atom", "[gpu][md][safety][cli]") {
  gpu_test::require_gpu();
  std::string out = run_deck("gpu_safety_maxdisp", "structure li3n 2 2 2\nvelocity 1000 seed 3\nsafety maxdisp 0.02\nrun 100\n",
                             "gpu", 1);
  CHECK(out.find("step 1: atom ") != std::string::npos);
  CHECK(out.find("in one step (limit 0.02 Å): lost atom") != std::string::npos);
  out = run_deck("gpu_safety_tmax", "structure li3n 2 2 2\nvelocity 300 seed 5\nensemble nvt 300 0.05 tstop 100000\n"
                                    "safety tmax 3000\nthermo 1\nrun 2000\n",
                 "gpu", 1);
  CHECK(out.find("exceeds the limit 3000 K (hottest atom") != std::string::npos);
}

TEST_CASE("gpu eval equals cpu eval", "[gpu][cli]") {
  gpu_test::require_gpu();
  std::string dir = esnap_test::scratch("gpu_eval");
  std::string out;
  for (const char *dev : {"gpu", "cpu"}) {
    int rc = md_test::run(std::string("eval ") + esnap_test::data("snap333_1000K.xyz") + " --device " + dev + " -o " + dir +
                              "/" + dev + ".xyz",
                          &out);
    INFO(out);
    REQUIRE(rc == 0);
    if (std::string(dev) == "gpu") CHECK(out.find("on gpu") != std::string::npos);
  }
  xyz_frame a{}, b{};
  REQUIRE(xyz_read_first((dir + "/gpu.xyz").c_str(), nullptr, &a) == MD_OK);
  REQUIRE(xyz_read_first((dir + "/cpu.xyz").c_str(), nullptr, &b) == MD_OK);
  double ea = std::atof(xyz_frame_get(&a, "energy")), eb = std::atof(xyz_frame_get(&b, "energy"));
  CHECK(std::fabs(ea - eb) < 1e-10 * std::fabs(eb));
  int nc = 0;
  const double *fa = xyz_frame_prop(&a, "forces", &nc), *fb = xyz_frame_prop(&b, "forces", &nc);
  REQUIRE(fa != nullptr);
  REQUIRE(fb != nullptr);
  double df = 0;
  for (int k = 0; k < 3 * a.sys->n; k++) df = std::fmax(df, std::fabs(fa[k] - fb[k]));
  CHECK(df < 1e-8);
  xyz_frame_free(&a);
  xyz_frame_free(&b);
}
