// SNAP kernels on every backend (tests/backend_cases.h) against the CPU backend (host/ff/snap_cpu.h, itself checked
// against LAMMPS in test_snap.cpp) with the same lists: every reference configuration for every test model and
// a two-system batch, both kernel paths (chains and reference); a 4,000-atom perturbed cell; a 4-replica batch
// against four single runs. Tolerances: the backend's row of the table (GPU: energy 1e-10 relative, forces
// 1e-8 eV/Å, virial 1e-8 relative, bispectrum and per-atom energy 1e-10 relative; emulated: 1e-12 relative;
// CPU: the same bits again). GPU only: run-to-run and CUDA-graph reproducibility, input checks.
// Run time on an H100: a few seconds.
//
// Also a benchmark that is not a ctest test (tools/gpu_check.sh runs it):
//   build/esnap_tests "[gpubench]"     SNAP kernel time per atom-step at 500, 4000, 32000, 256000 atoms, per stage
// (ESNAP_GPU_BENCH_MAXATOMS=N skips larger sizes).
#include <catch2/catch.hpp>

#include <cstdlib>

#include "test_snap_util.h"

#if ESNAP_HAVE_CUDA
#include <cuda_runtime.h>
extern "C" {
#include "gpu_atoms.h"
#include "snap_gpu.h"
}
#endif

namespace {

using namespace snap_test;

#if ESNAP_HAVE_CUDA

#define CU(call) REQUIRE((call) == cudaSuccess)

// Device copies of R systems, their (CPU-built) lists, output buffers, and one snap_gpu.
struct Gpu {
  gpu_atoms *a = nullptr;
  nbr_list_gpu nl = {};
  snap_gpu *s = nullptr;
  real_t *d_e = nullptr, *d_vir = nullptr, *d_eatom = nullptr, *d_b = nullptr;
  std::vector<md_system *> sys;
  int nb = 0;
  Gpu(const Model &m, const std::vector<md_system *> &systems, const Lists &L) : sys(systems) {
    REQUIRE(gpu_atoms_create(&a, sys.data(), (int)sys.size()) == MD_OK);
    REQUIRE(nbr_gpu_host_upload(&L.h, &nl) == MD_OK);
    REQUIRE(snap_gpu_create(&s, &m.p, 0, 0) == MD_OK);
    nb = snap_gpu_nbispectrum(s);
    CU(cudaMalloc(&d_e, sys.size() * sizeof(real_t)));
    CU(cudaMalloc(&d_vir, 9 * sys.size() * sizeof(real_t)));
    CU(cudaMalloc(&d_eatom, (size_t)a->ntot * sizeof(real_t)));
    CU(cudaMalloc(&d_b, (size_t)a->ntot * nb * sizeof(real_t)));
  }
  ~Gpu() {
    cudaFree(d_e);
    cudaFree(d_vir);
    cudaFree(d_eatom);
    cudaFree(d_b);
    snap_gpu_destroy(&s);
    nbr_gpu_host_free_device(&nl);
    gpu_atoms_destroy(&a);
  }
  void zero(cudaStream_t st) {
    CU(cudaMemsetAsync(d_e, 0, sys.size() * sizeof(real_t), st));
    CU(cudaMemsetAsync(d_vir, 0, 9 * sys.size() * sizeof(real_t), st));
    REQUIRE(gpu_atoms_zero_forces(a, st) == MD_OK);
  }
  // outputs poisoned (NaN bytes) first, so that an unwritten output fails
  Out run(bool with_b = true, cudaStream_t st = 0) {
    CU(cudaMemset(d_eatom, 0xff, (size_t)a->ntot * sizeof(real_t)));
    CU(cudaMemset(d_b, 0xff, (size_t)a->ntot * nb * sizeof(real_t)));
    zero(st);
    REQUIRE(snap_gpu_compute(s, a, &nl, d_e, d_vir, d_eatom, with_b ? d_b : nullptr, st) == MD_OK);
    CU(cudaStreamSynchronize(st));
    return fetch(with_b);
  }
  Out fetch(bool with_b) {
    Out o;
    const size_t n = a->ntot;
    o.e.resize(sys.size());
    o.vir.resize(9 * sys.size());
    o.eatom.resize(n);
    o.b.resize(with_b ? n * nb : 0);
    o.f.resize(3 * n);
    CU(cudaMemcpy(o.e.data(), d_e, o.e.size() * sizeof(real_t), cudaMemcpyDeviceToHost));
    CU(cudaMemcpy(o.vir.data(), d_vir, o.vir.size() * sizeof(real_t), cudaMemcpyDeviceToHost));
    CU(cudaMemcpy(o.eatom.data(), d_eatom, n * sizeof(real_t), cudaMemcpyDeviceToHost));
    if (with_b) CU(cudaMemcpy(o.b.data(), d_b, o.b.size() * sizeof(real_t), cudaMemcpyDeviceToHost));
    CU(cudaMemcpy(o.f.data(), a->d_force, 3 * n * sizeof(real_t), cudaMemcpyDeviceToHost));
    return o;
  }
};

#endif

// The SNAP outputs of the backend over the lists L (chains or reference path).
Out run_snap(esnap_test::Backend be, const Model &m, const std::vector<md_system *> &sys, const Lists &L, bool reference,
             bool want_b = true) {
  if (be == esnap_test::Backend::cpu) {
    Out o = cpu_run(m, sys, L);
    if (!want_b) o.b.clear();
    return o;
  }
  if (be == esnap_test::Backend::emulated) return emul_run(m, sys, L, reference, want_b);
#if ESNAP_HAVE_CUDA
  Gpu g(m, sys, L);
  REQUIRE(snap_gpu_cutoff(g.s) == snap_cpu_cutoff(m.cpu));
  REQUIRE(g.nb == snap_cpu_nbispectrum(m.cpu));
  if (reference) snap_gpu_set_reference(g.s, 1);
  return g.run(want_b);
#else
  esnap_test::skip("built without CUDA");
#endif
}

// Both kernel paths on the structures (one batch) against the CPU.
void check_batch(const esnap_test::BackendCase &B, const std::string &model, const std::vector<std::string> &files) {
  Model m(model);
  std::vector<Frame *> frames;
  std::vector<md_system *> sys;
  std::string what = std::string(B.name) + " " + model;
  for (const std::string &f : files) {
    frames.push_back(new Frame(f, m.elements()));
    sys.push_back(frames.back()->sys());
    what += " " + f;
  }
  Lists L(sys, snap_cpu_cutoff(m.cpu), 1.0);
  Out c = cpu_run(m, sys, L);
  compare(run_snap(B.backend, m, sys, L, false), c, what + " (chains)", B.tol);
  compare(run_snap(B.backend, m, sys, L, true), c, what + " (reference)", B.tol);
  for (Frame *f : frames) delete f;
}

}  // namespace

BACKEND_TEST_CASE("SNAP kernels match the CPU backend on every reference configuration and model", "[snap]") {
  for (const char *st : {"unitcell.xyz", "snap222_300K.xyz", "snap333_1000K.xyz", "zbl222_close.xyz"}) {
    check_batch(B, "li3n", {st});
    check_batch(B, "tj8", {st});  // switchflag 0, bzeroflag 1, rmin0 0.3
  }
  for (const char *st : {"unitcell.xyz", "snap222_300K.xyz"}) {
    check_batch(B, "tj7", {st});   // odd twojmax
    check_batch(B, "tj14", {st});  // largest twojmax (global accumulators)
  }
  check_batch(B, "li3n", {"snap222_300K.xyz", "zbl222_close.xyz"});  // two systems in one launch
}

BACKEND_TEST_CASE("SNAP kernels match the CPU backend on a 4000-atom perturbed Li3N cell", "[snap]") {
  Model m("li3n");
  md_system *s = supercell(m.elements(), 10, 10, 10, 0.1, 17);
  REQUIRE(s->n == 4000);
  std::vector<md_system *> sys = {s};
  Lists L(sys, snap_cpu_cutoff(m.cpu), 1.0);
  Out c = cpu_run(m, sys, L);
  compare(run_snap(B.backend, m, sys, L, false), c, std::string(B.name) + " li3n 10x10x10 (chains)", B.tol);
  compare(run_snap(B.backend, m, sys, L, true, false), Out{c.e, c.vir, c.f, c.eatom, {}},
          std::string(B.name) + " li3n 10x10x10 (reference)", B.tol);
  system_destroy(&s);
}

// Every atom's work depends only on its own system, and the per-system sums run over the system's atoms in a
// fixed order, so a system gives bitwise the same results alone or in a batch.
BACKEND_TEST_CASE("SNAP batch of four replicas equals four single runs", "[snap]") {
  Model m("li3n");
  std::vector<md_system *> sys;
  for (unsigned k = 0; k < 4; k++) sys.push_back(supercell(m.elements(), 3 + (k & 1), 3, 3, 0.05 + 0.03 * k, 100 + k));
  Lists L(sys, snap_cpu_cutoff(m.cpu), 1.0);
  Out b = run_snap(B.backend, m, sys, L, false);
  compare(b, cpu_run(m, sys, L), std::string(B.name) + " li3n batch of 4", B.tol);
  const int nb = snap_cpu_nbispectrum(m.cpu);
  int off = 0, nt = 0;
  for (md_system *s : sys) nt += s->n;
  for (int k = 0; k < 4; k++) {
    std::vector<md_system *> one = {sys[k]};
    Lists L1(one, snap_cpu_cutoff(m.cpu), 1.0);
    Out r = run_snap(B.backend, m, one, L1, false);
    const int n = sys[k]->n;
    double df = 0.0, db = 0.0;
    for (int c = 0; c < 3; c++)
      for (int i = 0; i < n; i++) df = std::max(df, std::fabs(r.f[(size_t)c * n + i] - b.f[(size_t)c * nt + off + i]));
    for (size_t q = 0; q < r.b.size(); q++) db = std::max(db, std::fabs(r.b[q] - b.b[(size_t)off * nb + q]));
    INFO("replica " << k << ": |dE| " << std::fabs(r.e[0] - b.e[k]) << " max |dF| " << df << " max |dB| " << db);
    CHECK(r.e[0] == b.e[k]);
    for (int c = 0; c < 9; c++) CHECK(r.vir[c] == b.vir[9 * k + c]);
    CHECK(df == 0.0);
    CHECK(db == 0.0);
    off += n;
  }
  for (md_system *s : sys) system_destroy(&s);
}

TEST_CASE("GPU SNAP is reproducible between calls and inside a CUDA graph", "[gpu][snap]") {
  esnap_test::require_gpu();
#if ESNAP_HAVE_CUDA
  Model m("li3n");
  Frame fa("snap333_1000K.xyz", m.elements()), fb("zbl222_close.xyz", m.elements());
  std::vector<md_system *> sys = {fa.sys(), fb.sys()};
  Lists L(sys, snap_cpu_cutoff(m.cpu), 1.0);
  Gpu g(m, sys, L);
  Out r1 = g.run(), r2 = g.run();
  CHECK(r1.f == r2.f);
  CHECK(r1.e == r2.e);
  CHECK(r1.vir == r2.vir);
  CHECK(r1.eatom == r2.eatom);
  CHECK(r1.b == r2.b);

  // capture zeroing + SNAP into a graph, replay twice
  cudaStream_t st;
  CU(cudaStreamCreate(&st));
  REQUIRE(snap_gpu_reserve(g.s, g.a->ntot, g.nl.maxnbr) == MD_OK);
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  CU(cudaStreamBeginCapture(st, cudaStreamCaptureModeGlobal));
  g.zero(st);
  const md_status cs = snap_gpu_compute(g.s, g.a, &g.nl, g.d_e, g.d_vir, g.d_eatom, g.d_b, st);
  CU(cudaStreamEndCapture(st, &graph));
  REQUIRE(cs == MD_OK);
  CU(cudaGraphInstantiate(&exec, graph, 0));
  for (int rep = 0; rep < 2; rep++) {
    CU(cudaGraphLaunch(exec, st));
    CU(cudaStreamSynchronize(st));
    Out rg = g.fetch(true);
    CHECK(rg.f == r1.f);
    CHECK(rg.e == r1.e);
    CHECK(rg.vir == r1.vir);
    CHECK(rg.b == r1.b);
  }
  CU(cudaGraphExecDestroy(exec));
  CU(cudaGraphDestroy(graph));

  // a call that would have to grow the scratch while capturing fails cleanly
  snap_gpu *fresh = nullptr;
  REQUIRE(snap_gpu_create(&fresh, &m.p, 0, 0) == MD_OK);
  CU(cudaStreamBeginCapture(st, cudaStreamCaptureModeGlobal));
  const md_status bad = snap_gpu_compute(fresh, g.a, &g.nl, g.d_e, g.d_vir, nullptr, nullptr, st);
  cudaGraph_t empty = nullptr;
  cudaStreamEndCapture(st, &empty);
  if (empty) cudaGraphDestroy(empty);
  cudaGetLastError();
  CHECK(bad == MD_ERR_DEVICE);
  CHECK(std::string(md_errmsg()).find("snap_gpu_reserve") != std::string::npos);
  snap_gpu_destroy(&fresh);
  CHECK(fresh == nullptr);
  CU(cudaStreamDestroy(st));
#endif
}

TEST_CASE("GPU SNAP rejects unusable neighbour lists", "[gpu][snap]") {
  esnap_test::require_gpu();
#if ESNAP_HAVE_CUDA
  Model m("li3n");
  Frame fr("snap222_300K.xyz", m.elements());
  std::vector<md_system *> sys = {fr.sys()};
  Lists L(sys, snap_cpu_cutoff(m.cpu), 0.5);
  Gpu g(m, sys, L);
  nbr_list_gpu bad = g.nl;
  bad.half = 1;
  CHECK(snap_gpu_compute(g.s, g.a, &bad, g.d_e, g.d_vir, nullptr, nullptr, nullptr) != MD_OK);
  CHECK(std::string(md_errmsg()).find("full") != std::string::npos);
  bad = g.nl;
  bad.cutoff = 4.0;
  CHECK(snap_gpu_compute(g.s, g.a, &bad, g.d_e, g.d_vir, nullptr, nullptr, nullptr) != MD_OK);
  CHECK(std::string(md_errmsg()).find("cutoff") != std::string::npos);
  bad = g.nl;
  bad.ntot = g.a->ntot + 1;
  CHECK(snap_gpu_compute(g.s, g.a, &bad, g.d_e, g.d_vir, nullptr, nullptr, nullptr) != MD_OK);
  CHECK(snap_gpu_compute(g.s, g.a, &g.nl, nullptr, g.d_vir, nullptr, nullptr, nullptr) != MD_OK);
  // still usable afterwards
  Out c = cpu_run(m, sys, L);
  compare(g.run(), c, "after rejected calls", esnap_test::backend_case(esnap_test::Backend::gpu).tol);
#endif
}

// Benchmark (not a ctest test: the macro hides it from tests/EsnapTests.cmake, which registers lines that
// start with TEST_CASE). Prints SNAP time per atom-step by size and stage.
#define ESNAP_BENCH_CASE TEST_CASE
ESNAP_BENCH_CASE("GPU SNAP kernel benchmark", "[.gpubench]") {
  esnap_test::require_gpu();
#if ESNAP_HAVE_CUDA
  Model m("li3n");
  long maxatoms = 256000;
  if (const char *e = std::getenv("ESNAP_GPU_BENCH_MAXATOMS")) maxatoms = std::atol(e);
  std::printf("SNAP GPU benchmark: %s, model twojmax %d, list cutoff %.3f + skin 1.0 A\n", gpu_device_name(),
              m.p.twojmax, snap_cpu_cutoff(m.cpu));
  std::printf("%8s %6s %6s %10s %10s %12s %12s |", "atoms", "nbr", "pairs", "ms/step", "graph ms", "ns/atom-step",
              "atom-steps/s");
  for (int k = 0; k < SNAP_GPU_NSTAGES; k++) std::printf(" %9s", snap_gpu_stage_name(k));
  std::printf("  (ms)\n");
  for (int nc : {5, 10, 20, 40}) {
    const long natoms = 4L * nc * nc * nc;
    if (natoms > maxatoms) break;
    md_system *s = supercell(m.elements(), nc, nc, nc, 0.1, 7);
    std::vector<md_system *> sys = {s};
    Lists L(sys, snap_cpu_cutoff(m.cpu), 1.0);
    Gpu g(m, sys, L);
    REQUIRE(snap_gpu_reserve(g.s, g.a->ntot, g.nl.maxnbr) == MD_OK);
    cudaStream_t st;
    CU(cudaStreamCreate(&st));
    for (int w = 0; w < 3; w++) {
      g.zero(st);
      REQUIRE(snap_gpu_compute(g.s, g.a, &g.nl, g.d_e, g.d_vir, nullptr, nullptr, st) == MD_OK);
    }
    CU(cudaStreamSynchronize(st));
    // pairs inside the cutoff (from a CPU count of the list)
    long pairs = 0;
    for (int i = 0; i < s->n; i++)
      for (int k = L.nl[0]->offset[i]; k < L.nl[0]->offset[i + 1]; k++) {
        const int j = L.nl[0]->j[k];
        double d[3];
        pbc_image_shift(s->box.h, L.nl[0]->img[k], d);
        const double dx = s->x[j] + d[0] - s->x[i], dy = s->y[j] + d[1] - s->y[i], dz = s->z[j] + d[2] - s->z[i];
        const double rc = (m.p.radius[s->type[i]] + m.p.radius[s->type[j]]) * m.p.rcutfac;
        pairs += dx * dx + dy * dy + dz * dz < rc * rc;
      }
    const int reps = natoms >= 100000 ? 10 : 50;
    cudaEvent_t e0, e1;
    CU(cudaEventCreate(&e0));
    CU(cudaEventCreate(&e1));
    CU(cudaEventRecord(e0, st));
    for (int r = 0; r < reps; r++)
      REQUIRE(snap_gpu_compute(g.s, g.a, &g.nl, g.d_e, g.d_vir, nullptr, nullptr, st) == MD_OK);
    CU(cudaEventRecord(e1, st));
    CU(cudaEventSynchronize(e1));
    float ms = 0.0f;
    CU(cudaEventElapsedTime(&ms, e0, e1));
    const double per = ms / reps;
    // the same call captured in a graph (launch overheads removed)
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    CU(cudaStreamBeginCapture(st, cudaStreamCaptureModeGlobal));
    REQUIRE(snap_gpu_compute(g.s, g.a, &g.nl, g.d_e, g.d_vir, nullptr, nullptr, st) == MD_OK);
    CU(cudaStreamEndCapture(st, &graph));
    CU(cudaGraphInstantiate(&exec, graph, 0));
    CU(cudaGraphLaunch(exec, st));
    CU(cudaEventRecord(e0, st));
    for (int r = 0; r < reps; r++) CU(cudaGraphLaunch(exec, st));
    CU(cudaEventRecord(e1, st));
    CU(cudaEventSynchronize(e1));
    float gms = 0.0f;
    CU(cudaEventElapsedTime(&gms, e0, e1));
    // stages (events between stages; median-free mean of reps)
    REQUIRE(snap_gpu_set_timing(g.s, 1) == MD_OK);
    double stage[SNAP_GPU_NSTAGES] = {0}, t[SNAP_GPU_NSTAGES];
    for (int r = 0; r < reps; r++) {
      REQUIRE(snap_gpu_compute(g.s, g.a, &g.nl, g.d_e, g.d_vir, nullptr, nullptr, st) == MD_OK);
      REQUIRE(snap_gpu_stage_ms(g.s, t) == MD_OK);
      for (int k = 0; k < SNAP_GPU_NSTAGES; k++) stage[k] += t[k] / reps;
    }
    REQUIRE(snap_gpu_set_timing(g.s, 0) == MD_OK);
    const double gper = gms / reps;
    std::printf("%8ld %6d %6.1f %10.4f %10.4f %12.2f %12.4g |", natoms, g.nl.maxnbr, (double)pairs / natoms, per, gper,
                1e6 * gper / natoms, natoms / (gper * 1e-3));
    for (int k = 0; k < SNAP_GPU_NSTAGES; k++) std::printf(" %9.4f", stage[k]);
    std::printf("\n");
    std::fflush(stdout);
    CU(cudaGraphExecDestroy(exec));
    CU(cudaGraphDestroy(graph));
    CU(cudaEventDestroy(e0));
    CU(cudaEventDestroy(e1));
    CU(cudaStreamDestroy(st));
    system_destroy(&s);
  }
#endif
}
