// backend_cases.h — one test body, run on every backend (the OpenMM pattern):
//   cpu       the reference (host/: host/ff force field, host/md/backend_cpu.c);
//   emulated  the CUDA kernel bodies run on the host over their launch index space (tests/backend_emul.h);
//   gpu       the CUDA backend (kernels/); SKIPPED (exit 77) without a CUDA build or device.
//
//   BACKEND_TEST_CASE("check name", "[tags]") { ... B.backend, B.tol ... }
// defines ONE body and three Catch2 test cases, "check name - cpu" [cpu], "check name - emulated" [emul] and
// "check name - gpu" [gpu] (tests/EsnapTests.cmake registers the three; `ctest -L '^gpu$'` selects the GPU
// ones). The body receives the backend and its row of the tolerance table below.
//
// The tolerance table: "vs LAMMPS" tolerances are the same on every backend (the published ones); "vs CPU"
// tolerances are 0 on the CPU (there the check is run-to-run reproducibility: a fresh evaluation gives the same
// bits), round-off on the emulated backend (the same bodies, host arithmetic, atom-order sums) and the CUDA
// backend's reduction-order and FMA round-off on the GPU. Sizes and spans where emulating the kernels on
// the host would be slow are smaller on the emulated backend, and say so here.
#ifndef ESNAP_TEST_BACKEND_CASES_H
#define ESNAP_TEST_BACKEND_CASES_H

#include <catch2/catch.hpp>

#include <string>

#include "test_util.h"

extern "C" {
#include "backend.h"
#include "forcefield.h"
#include "model.h"
}

namespace esnap_test {

enum class Backend { cpu, emulated, gpu };

struct Tolerances {
  // a force evaluation against the CPU's (host/ff/forcefield.h) on the same structure
  double e_rel;      // energies (total and each term): |dE| / |E_cpu|
  double f_abs;      // forces: max |dF| (eV/Å)
  double w_rel;      // virial: max |dW_ab| / max |W_cpu|
  // SNAP kernels against host/ff/snap_cpu.c with the same lists
  double snap_f_rel; // forces relative to max |F| (added to f_abs)
  double snap_w_rel; // virial relative to max |W|
  double snap_b_rel; // per-atom energies and bispectrum, relative
  // a batch of systems against each system alone
  double batch_e_rel, batch_f_abs;
  // MD
  double md_rel;     // thermo of a run against the CPU run of the same deck (relative, per column)
  bool restart_bits; // a continued run's thermo is byte-identical to the uninterrupted run's
  // sizes and spans
  int e2e_cell;      // MD run against the CPU run: e2e_cell^3 unit cells
  long drift_steps;  // NVE drift check (1 fs steps)
  long replica_steps;// MD replicas batched vs alone
};

struct BackendCase {
  Backend backend;
  const char *name;  // "cpu", "emulated", "gpu"
  Tolerances tol;
};

// clang-format off
//                                     e_rel   f_abs  w_rel  snap_f snap_w snap_b  batch_e batch_f md_rel restart e2e drift  rep
inline const BackendCase &backend_case(Backend b) {
  static const BackendCase cases[3] = {
      {Backend::cpu,      "cpu",      {0,      0,     0,     0,     0,     0,      0,      0,      0,     true,    5, 10000, 60}},
      {Backend::emulated, "emulated", {1e-12,  1e-10, 1e-12, 1e-12, 1e-12, 1e-12,  0,      0,      1e-9,  true,    2,   500, 10}},
      {Backend::gpu,      "gpu",      {1e-10,  1e-8,  1e-10, 0,     1e-8,  1e-10,  1e-12,  1e-11,  1e-8,  false,   5, 10000, 60}},
  };
  // emulated: a 2x2x2 cell for the run against the CPU run instead of 5x5x5, a 0.5 ps drift span instead of
  // 10 ps and 10 replica steps instead of 60, to keep the host emulation of the kernels to seconds
  return cases[(int)b];
}
// clang-format on

// Skip (exit 77) where the backend cannot run: the GPU without a CUDA build or device.
void require(Backend b);
inline void require_gpu() { require(Backend::gpu); }

// The backend's md_backend_ops (cpu: md_backend_cpu, emulated: emul::backend, gpu: md_backend_cuda).
const md_backend_ops *md_ops(Backend b);

// One force evaluation of structure s on the backend (cpu: ff_compute; emulated: emul::ff_compute; gpu:
// gpu_ff_compute), with the bispectrum when r->nbisp > 0. The model after the options, as each front applies
// them.
md_status evaluate(Backend b, const md_model &m, const ff_options &o, const md_system *s, ff_result *r);

// `esnapmd ARGS` with the run command's backend: cpu and gpu through the binary (--device cpu|gpu appended to
// run commands); emulated in a child process of the test forked here, the run loop set to the emulated
// backend (run_set_backend), output captured. Returns the exit status as run_cli does (128 + signal if killed).
int run_esnapmd(Backend b, const std::string &args, std::string *out = nullptr);

// The Li3N eSNAP model of potentials/, read once; and the same without its SNAP term (Coulomb + ZBL).
const md_model &li3n_model();
const md_model &li3n_model_no_snap();

}  // namespace esnap_test

#define ESNAP_BT_CAT2(a, b) a##b
#define ESNAP_BT_CAT(a, b) ESNAP_BT_CAT2(a, b)
#define ESNAP_BT_CASES(name, tags, fn)                                                                                   \
  static void fn(const esnap_test::BackendCase &B);                                                                      \
  TEST_CASE(name " - cpu", tags "[cpu]") { fn(esnap_test::backend_case(esnap_test::Backend::cpu)); }                     \
  TEST_CASE(name " - emulated", tags "[emul]") { fn(esnap_test::backend_case(esnap_test::Backend::emulated)); }          \
  TEST_CASE(name " - gpu", tags "[gpu]") {                                                                               \
    esnap_test::require(esnap_test::Backend::gpu);                                                                       \
    fn(esnap_test::backend_case(esnap_test::Backend::gpu));                                                              \
  }                                                                                                                      \
  static void fn(const esnap_test::BackendCase &B)
#define BACKEND_TEST_CASE(name, tags) ESNAP_BT_CASES(name, tags, ESNAP_BT_CAT(esnap_backend_body_, __LINE__))

#endif
