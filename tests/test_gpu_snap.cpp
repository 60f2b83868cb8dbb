// SNAP on the GPU (kernels/snap_gpu.h) against the CPU backend (host/snap_cpu.h, itself checked against LAMMPS
// in test_snap.cpp): every reference configuration for every test model, a 4,000-atom cell, a 4-replica batch
// against four single runs, run-to-run and CUDA-graph reproducibility, input checks. Both kernel paths (chains
// and reference). Tolerances: energy 1e-10 relative, forces 1e-8 eV/Å, virial 1e-8 relative, bispectrum and
// per-atom energy 1e-10 relative. SKIPPED without a CUDA device. Run time on an H100: a few seconds.
//
// Also a benchmark that is not a ctest test (tools/gpu_check.sh runs it):
//   build/esnap_tests "[gpubench]"     SNAP kernel time per atom-step at 500, 4000, 32000, 256000 atoms, per stage
// (ESNAP_GPU_BENCH_MAXATOMS=N skips larger sizes).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

extern "C" {
#include "box.h"
#include "io_xyz.h"
#include "math/pbc.h"
#include "math/snap.h"
#include "neighbor.h"
#include "snap_cpu.h"
#include "snap_io.h"
#include "system.h"
}

#if ESNAP_HAVE_CUDA
#include <cuda_runtime.h>
extern "C" {
#include "gpu_atoms.h"
#include "nbr_gpu_host.h"
#include "snap_gpu.h"
}
#endif

namespace {

void need_gpu() {
#if ESNAP_HAVE_CUDA
  int n = 0;
  REQUIRE(gpu_device_count(&n) == MD_OK);
  if (n == 0) esnap_test::skip("no CUDA device");
#else
  esnap_test::skip("built without CUDA");
#endif
}

struct Model {
  snap_params p;
  snap_cpu *cpu = nullptr;
  explicit Model(const std::string &name) {
    std::string dir = name == "li3n" ? esnap_test::source("potentials/li3n_esnap") : esnap_test::data("snap_" + name);
    REQUIRE(snap_read(&p, (dir + ".snapcoeff").c_str(), (dir + ".snapparam").c_str()) == MD_OK);
    REQUIRE(snap_cpu_create(&cpu, &p) == MD_OK);
  }
  ~Model() { snap_cpu_destroy(&cpu); }
  io_elements elements() const {
    io_elements e;
    e.n = p.nelem;
    for (int k = 0; k < p.nelem; k++) std::snprintf(e.name[k], MD_NAME_LEN, "%s", p.elem[k]);
    return e;
  }
};

struct Frame {
  xyz_frame f = {};
  Frame(const std::string &file, const io_elements &el) {
    REQUIRE(xyz_read_first(esnap_test::data(file).c_str(), &el, &f) == MD_OK);
  }
  ~Frame() { xyz_frame_free(&f); }
  md_system *sys() const { return f.sys; }
};

// nx x ny x nz copies of the Li3N unit cell, every position displaced by a Gaussian of sigma (Å)
md_system *supercell(const io_elements &el, int nx, int ny, int nz, double sigma, unsigned seed) {
  Frame uc("unitcell.xyz", el);
  const md_system *u = uc.sys();
  md_system *s = nullptr;
  REQUIRE(system_create(&s, nx * ny * nz * u->n) == MD_OK);
  s->nelem = u->nelem;
  std::memcpy(s->elem, u->elem, sizeof s->elem);
  for (int k = 0; k < 3; k++) {
    s->box.h[k] = nx * u->box.h[k];
    s->box.h[3 + k] = ny * u->box.h[3 + k];
    s->box.h[6 + k] = nz * u->box.h[6 + k];
  }
  REQUIRE(box_update(&s->box, "supercell") == MD_OK);
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, sigma);
  int n = 0;
  for (int a = 0; a < nx; a++)
    for (int b = 0; b < ny; b++)
      for (int c = 0; c < nz; c++)
        for (int i = 0; i < u->n; i++, n++) {
          double fr[3], r[3];
          pbc_to_frac(u->box.hinv, u->x[i], u->y[i], u->z[i], fr);
          pbc_to_cart(s->box.h, (fr[0] + a) / nx, (fr[1] + b) / ny, (fr[2] + c) / nz, r);
          s->x[n] = r[0] + g(rng);
          s->y[n] = r[1] + g(rng);
          s->z[n] = r[2] + g(rng);
          s->type[n] = u->type[i];
        }
  return s;
}

struct Result {
  std::vector<double> e, vir, f, eatom, b;  // e[nsys], vir[9 nsys], f [3][ntot], eatom[ntot], b[ntot nB]
};

struct CpuLists {
  std::vector<nbr_list *> nl;
  CpuLists(const std::vector<md_system *> &sys, double cutoff, double skin) {
    for (md_system *s : sys) {
      nbr_list *l = nullptr;
      REQUIRE(nbr_create(&l, cutoff, skin, 0) == MD_OK);
      REQUIRE(nbr_build(l, s) == MD_OK);
      nl.push_back(l);
    }
  }
  ~CpuLists() {
    for (nbr_list *l : nl) nbr_destroy(&l);
  }
};

Result cpu_run(const Model &m, const std::vector<md_system *> &sys, const CpuLists &L) {
  Result o;
  const int nb = snap_cpu_nbispectrum(m.cpu);
  int ntot = 0;
  for (md_system *s : sys) ntot += s->n;
  o.f.assign(3 * (size_t)ntot, 0.0);
  o.eatom.assign(ntot, 0.0);
  o.b.assign((size_t)ntot * nb, 0.0);
  int off = 0;
  for (size_t k = 0; k < sys.size(); k++) {
    const md_system *s = sys[k];
    std::vector<double> f(3 * s->n, 0.0), ea(s->n), b((size_t)s->n * nb);
    double e = 0.0, vir[9] = {0};
    REQUIRE(snap_cpu_compute(m.cpu, s, L.nl[k], f.data(), f.data() + s->n, f.data() + 2 * s->n, &e, vir, ea.data(),
                             b.data()) == MD_OK);
    o.e.push_back(e);
    o.vir.insert(o.vir.end(), vir, vir + 9);
    for (int i = 0; i < s->n; i++) {
      for (int c = 0; c < 3; c++) o.f[(size_t)c * ntot + off + i] = f[(size_t)c * s->n + i];
      o.eatom[off + i] = ea[i];
      for (int q = 0; q < nb; q++) o.b[(size_t)(off + i) * nb + q] = b[(size_t)i * nb + q];
    }
    off += s->n;
  }
  return o;
}

double max_abs(const std::vector<double> &v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

double max_rel(const std::vector<double> &a, const std::vector<double> &b, double floor) {
  REQUIRE(a.size() == b.size());
  double d = 0.0;
  for (size_t k = 0; k < a.size(); k++) {
    if (!std::isfinite(a[k])) return INFINITY;
    d = std::max(d, std::fabs(a[k] - b[k]) / std::max(std::fabs(b[k]), floor));
  }
  return d;
}

double max_diff(const std::vector<double> &a, const std::vector<double> &b) {
  REQUIRE(a.size() == b.size());
  double d = 0.0;
  for (size_t k = 0; k < a.size(); k++) {
    if (!std::isfinite(a[k])) return INFINITY;
    d = std::max(d, std::fabs(a[k] - b[k]));
  }
  return d;
}

void compare(const Result &g, const Result &c, const std::string &what) {
  const double de = max_rel(g.e, c.e, 1e-30), df = max_diff(g.f, c.f);  // forces: absolute (eV/Å)
  const double dv = max_rel(g.vir, c.vir, std::max(1e-30, max_abs(c.vir)));
  const double dea = max_rel(g.eatom, c.eatom, 1e-30), db = max_rel(g.b, c.b, 1.0);
  WARN(what << ": rel dE " << de << ", |dF| " << df << " eV/A, rel dW " << dv << ", rel dE_i " << dea << ", rel dB "
            << db);
  CHECK(de < 1e-10);
  CHECK(df < 1e-8);
  CHECK(dv < 1e-8);
  CHECK(dea < 1e-10);
  CHECK(db < 1e-10);
}

#if ESNAP_HAVE_CUDA

#define CU(call) REQUIRE((call) == cudaSuccess)

// Device copies of R systems, their (CPU-built) lists, output buffers, and one snap_gpu.
struct Gpu {
  gpu_atoms *a = nullptr;
  nbr_gpu_host h = {};
  nbr_list_gpu nl = {};
  snap_gpu *s = nullptr;
  real_t *d_e = nullptr, *d_vir = nullptr, *d_eatom = nullptr, *d_b = nullptr;
  std::vector<md_system *> sys;
  int nb = 0;
  Gpu(const Model &m, const std::vector<md_system *> &systems, const CpuLists &L, int maxnbr = 0) : sys(systems) {
    REQUIRE(gpu_atoms_create(&a, sys.data(), (int)sys.size()) == MD_OK);
    std::vector<int> na;
    for (md_system *x : sys) na.push_back(x->n);
    REQUIRE(nbr_gpu_host_pack(&h, L.nl.data(), na.data(), (int)sys.size(), maxnbr) == MD_OK);
    REQUIRE(nbr_gpu_host_upload(&h, &nl) == MD_OK);
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
    nbr_gpu_host_free(&h);
    gpu_atoms_destroy(&a);
  }
  void zero(cudaStream_t st) {
    CU(cudaMemsetAsync(d_e, 0, sys.size() * sizeof(real_t), st));
    CU(cudaMemsetAsync(d_vir, 0, 9 * sys.size() * sizeof(real_t), st));
    REQUIRE(gpu_atoms_zero_forces(a, st) == MD_OK);
  }
  // outputs poisoned (NaN bytes) first, so that an unwritten output fails
  Result run(bool with_b = true, cudaStream_t st = 0) {
    CU(cudaMemset(d_eatom, 0xff, (size_t)a->ntot * sizeof(real_t)));
    CU(cudaMemset(d_b, 0xff, (size_t)a->ntot * nb * sizeof(real_t)));
    zero(st);
    REQUIRE(snap_gpu_compute(s, a, &nl, d_e, d_vir, d_eatom, with_b ? d_b : nullptr, st) == MD_OK);
    CU(cudaStreamSynchronize(st));
    return fetch(with_b);
  }
  Result fetch(bool with_b) {
    Result o;
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

void check_model(const std::string &model, const std::vector<std::string> &structures) {
  Model m(model);
  for (const std::string &st : structures) {
    Frame fr(st + ".xyz", m.elements());
    std::vector<md_system *> sys = {fr.sys()};
    CpuLists L(sys, snap_cpu_cutoff(m.cpu), 1.0);
    Result c = cpu_run(m, sys, L);
    Gpu g(m, sys, L);
    REQUIRE(snap_gpu_cutoff(g.s) == snap_cpu_cutoff(m.cpu));
    REQUIRE(g.nb == snap_cpu_nbispectrum(m.cpu));
    compare(g.run(), c, model + " " + st + " (chains)");
    snap_gpu_set_reference(g.s, 1);
    compare(g.run(), c, model + " " + st + " (reference)");
  }
}

#endif

}  // namespace

TEST_CASE("GPU SNAP matches the CPU backend on every reference configuration", "[gpu][snap]") {
  need_gpu();
#if ESNAP_HAVE_CUDA
  check_model("li3n", {"unitcell", "snap222_300K", "snap333_1000K", "zbl222_close"});
  check_model("tj8", {"unitcell", "snap222_300K", "snap333_1000K", "zbl222_close"});
  check_model("tj7", {"unitcell", "snap222_300K"});
  check_model("tj14", {"unitcell", "snap222_300K"});
#endif
}

TEST_CASE("GPU SNAP matches the CPU backend on a 4000-atom perturbed Li3N cell", "[gpu][snap]") {
  need_gpu();
#if ESNAP_HAVE_CUDA
  Model m("li3n");
  md_system *s = supercell(m.elements(), 10, 10, 10, 0.1, 17);
  REQUIRE(s->n == 4000);
  std::vector<md_system *> sys = {s};
  CpuLists L(sys, snap_cpu_cutoff(m.cpu), 1.0);
  Result c = cpu_run(m, sys, L);
  {
    Gpu g(m, sys, L);
    compare(g.run(), c, "li3n 10x10x10 (chains)");
    snap_gpu_set_reference(g.s, 1);
    compare(g.run(false), Result{c.e, c.vir, c.f, c.eatom, {}}, "li3n 10x10x10 (reference)");
  }
  system_destroy(&s);
#endif
}

// Every atom's work depends only on its own system, and the per-system sums run over the system's atoms in a
// fixed order, so a system gives bitwise the same results alone or in a batch.
TEST_CASE("GPU SNAP batch of four replicas equals four single runs", "[gpu][snap]") {
  need_gpu();
#if ESNAP_HAVE_CUDA
  Model m("li3n");
  std::vector<md_system *> sys;
  for (unsigned k = 0; k < 4; k++) sys.push_back(supercell(m.elements(), 3 + (k & 1), 3, 3, 0.05 + 0.03 * k, 100 + k));
  CpuLists L(sys, snap_cpu_cutoff(m.cpu), 1.0);
  Gpu batch(m, sys, L);
  Result b = batch.run();
  compare(b, cpu_run(m, sys, L), "li3n batch of 4");
  int off = 0;
  for (int k = 0; k < 4; k++) {
    std::vector<md_system *> one = {sys[k]};
    CpuLists L1(one, snap_cpu_cutoff(m.cpu), 1.0);
    Gpu g(m, one, L1);
    Result r = g.run();
    const int n = sys[k]->n, nt = batch.a->ntot;
    double df = 0.0, db = 0.0;
    for (int c = 0; c < 3; c++)
      for (int i = 0; i < n; i++) df = std::max(df, std::fabs(r.f[(size_t)c * n + i] - b.f[(size_t)c * nt + off + i]));
    for (size_t q = 0; q < r.b.size(); q++) db = std::max(db, std::fabs(r.b[q] - b.b[(size_t)off * g.nb + q]));
    INFO("replica " << k << ": |dE| " << std::fabs(r.e[0] - b.e[k]) << " max |dF| " << df << " max |dB| " << db);
    CHECK(r.e[0] == b.e[k]);
    for (int c = 0; c < 9; c++) CHECK(r.vir[c] == b.vir[9 * k + c]);
    CHECK(df == 0.0);
    CHECK(db == 0.0);
    off += n;
  }
  for (md_system *s : sys) system_destroy(&s);
#endif
}

TEST_CASE("GPU SNAP is reproducible between calls and inside a CUDA graph", "[gpu][snap]") {
  need_gpu();
#if ESNAP_HAVE_CUDA
  Model m("li3n");
  Frame fa("snap333_1000K.xyz", m.elements()), fb("zbl222_close.xyz", m.elements());
  std::vector<md_system *> sys = {fa.sys(), fb.sys()};
  CpuLists L(sys, snap_cpu_cutoff(m.cpu), 1.0);
  Gpu g(m, sys, L);
  Result r1 = g.run(), r2 = g.run();
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
    Result rg = g.fetch(true);
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
  need_gpu();
#if ESNAP_HAVE_CUDA
  Model m("li3n");
  Frame fr("snap222_300K.xyz", m.elements());
  std::vector<md_system *> sys = {fr.sys()};
  CpuLists L(sys, snap_cpu_cutoff(m.cpu), 0.5);
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
  Result c = cpu_run(m, sys, L);
  compare(g.run(), c, "after rejected calls");
#endif
}

// Benchmark (not a ctest test: the macro hides it from tests/EsnapTests.cmake, which registers lines that
// start with TEST_CASE). Prints SNAP time per atom-step by size and stage.
#define ESNAP_BENCH_CASE TEST_CASE
ESNAP_BENCH_CASE("GPU SNAP kernel benchmark", "[.gpubench]") {
  need_gpu();
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
    CpuLists L(sys, snap_cpu_cutoff(m.cpu), 1.0);
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
        const double rc = snap_pair_cutoff(&m.p, s->type[i], s->type[j]);
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
