// Force evaluations on every backend (tests/backend_cases.h: cpu, emulated, gpu), one body each:
//  - Coulomb (PME 1e-5, Ewald 1e-10) + ZBL without SNAP on every reference configuration: the backend equals
//    the CPU (energies and virial 1e-10 relative on the GPU, 1e-12 emulated; forces 1e-8 / 1e-10 eV/Å);
//  - a perturbed 4000-atom Li3N cell, with and without SNAP: the same tolerances;
//  - four systems in one batch (one backend, four replicas) equal each system alone (GPU 1e-12 relative
//    energy, 1e-11 eV/Å forces; bit for bit on the CPU and emulated);
//  - the library's batch (lib/evaluator.h evaluator_compute_batch: five structures of 4, 32 and 108 atoms and
//    two cells of the same size as the replicas of one backend) equals each structure evaluated alone on the
//    CPU (bit for bit on the CPU; the "vs CPU" tolerances elsewhere).
// On the CPU "equals the CPU" is run-to-run reproducibility (a fresh evaluation, the same bits).
// Also, GPU only: device neighbour lists (Thrust path and the guarded graph path, three systems in one launch)
// equal the host lists entry by entry (the emulated build: tests/test_neighbor_emul.cpp).
// The LAMMPS reference configurations on every backend: tests/test_forcefield.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "backend_cases.h"
#include "test_emul_util.h"

extern "C" {
#include "box.h"
#include "evaluator.h"
#include "forcefield.h"
#include "integrate.h"
#include "io_xyz.h"
#include "lattice.h"
#include "neighbor.h"
#include "system.h"
#if ESNAP_HAVE_CUDA
#include "gpu_atoms.h"
#include "gpu_forces.h"
#endif
}

namespace {

md_system *load(const char *name, const md_model &m) { return emul::load(name, &m); }

void perturb(md_system *s, unsigned seed, double amp) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-amp, amp);
  for (int i = 0; i < s->n; i++) {
    s->x[i] += u(rng);
    s->y[i] += u(rng);
    s->z[i] += u(rng);
  }
}

struct Cmp {
  double de = 0, df = 0, dw = 0;  // relative energy, absolute force (eV/Å), relative virial
};

// A result rg against the reference rc of the same structure.
Cmp compare(const ff_result &rg, const ff_result &rc) {
  Cmp c;
  c.de = std::fabs(rg.energy - rc.energy) / std::fabs(rc.energy);
  double parts[3][2] = {{rg.e_snap, rc.e_snap}, {rg.e_coul, rc.e_coul}, {rg.e_zbl, rc.e_zbl}};
  for (auto &p : parts) c.de = std::max(c.de, std::fabs(p[0] - p[1]) / std::max(1e-300, std::fabs(rc.energy)));
  for (int i = 0; i < rc.n; i++)
    c.df = std::max({c.df, std::fabs(rg.fx[i] - rc.fx[i]), std::fabs(rg.fy[i] - rc.fy[i]), std::fabs(rg.fz[i] - rc.fz[i])});
  double wmax = 0;
  for (int k = 0; k < 9; k++) wmax = std::max(wmax, std::fabs(rc.virial[k]));
  for (int k = 0; k < 9; k++) c.dw = std::max(c.dw, std::fabs(rg.virial[k] - rc.virial[k]) / wmax);
  return c;
}

// The backend against the CPU on structure s (method -1: the model's).
Cmp vs_cpu(esnap_test::Backend be, const md_model &m, int method, double acc, const md_system *s) {
  ff_options o;
  ff_options_default(&o);
  o.coulomb = method;
  o.accuracy = acc;
  o.quiet = 1;
  ff_result rc, rg;
  REQUIRE(ff_result_alloc(&rc, s->n, 0) == MD_OK);
  REQUIRE(ff_result_alloc(&rg, s->n, 0) == MD_OK);
  REQUIRE(esnap_test::evaluate(esnap_test::Backend::cpu, m, o, s, &rc) == MD_OK);
  md_status st = esnap_test::evaluate(be, m, o, s, &rg);
  INFO(md_errmsg());
  REQUIRE(st == MD_OK);
  Cmp c = compare(rg, rc);
  ff_result_free(&rc);
  ff_result_free(&rg);
  return c;
}

void check(const Cmp &c, const esnap_test::Tolerances &t) {
  CHECK(c.de <= t.e_rel);
  CHECK(c.df <= t.f_abs);
  CHECK(c.dw <= t.w_rel);
}

// Forces, energies and virials of `sys` as replicas of one backend (compute_forces).
void batch_forces(esnap_test::Backend be, const md_model &m, const std::vector<md_system *> &sys, std::vector<md_replica> &reps) {
  md_backend_options o{};
  o.integ.ensemble = MD_ENS_NVE;
  o.integ.dt = 0.001;
  o.coulomb = -1;
  o.skin = 1.0;
  o.quiet = 1;
  reps.assign(sys.size(), md_replica{});
  for (size_t r = 0; r < sys.size(); r++) REQUIRE(replica_alloc(&reps[r], sys[r]) == MD_OK);
  const md_backend_ops *ops = esnap_test::md_ops(be);
  md_backend *b = nullptr;
  md_status st = ops->create(&b, &m, &o, reps.data(), (int)reps.size());
  INFO(md_errmsg());
  REQUIRE(st == MD_OK);
  for (size_t r = 0; r < reps.size(); r++) REQUIRE(ops->set_state(b, (int)r, &reps[r], MD_STATE_ALL) == MD_OK);
  REQUIRE(ops->compute_forces(b) == MD_OK);
  for (size_t r = 0; r < reps.size(); r++) REQUIRE(ops->get_state(b, (int)r, &reps[r], MD_STATE_ALL) == MD_OK);
  ops->destroy(&b);
}

}  // namespace

TEST_CASE("gpu neighbour lists equal the host lists entry by entry", "[gpu][neighbor]") {
  esnap_test::require_gpu();
#if ESNAP_HAVE_CUDA
  // a Coulomb-only model: one full list with the real-space cutoff (6 Å + skin 1 Å, beyond half the unit cell)
  md_model m = esnap_test::li3n_model_no_snap();
  m.has_zbl = 0;
  std::vector<md_system *> sys = {load("unitcell.xyz", m), load("snap222_300K.xyz", m), load("snap333_1000K.xyz", m)};
  perturb(sys[1], 5, 2.0);  // some atoms outside the cell: unwrapped positions
  gpu_atoms *a = nullptr;
  gpu_forces *f = nullptr;
  ff_options o;
  ff_options_default(&o);
  o.quiet = 1;
  REQUIRE(gpu_atoms_create(&a, sys.data(), 3) == MD_OK);
  REQUIRE(gpu_forces_create(&f, &m, &o, a, sys.data(), 0) == MD_OK);
  nbr_gpu *nb = gpu_forces_neighbors(f);
  REQUIRE(nbr_gpu_nlist(nb) == 1);
  const double rc = nbr_gpu_list(nb, 0)->cutoff;
  for (int path = 0; path < 2; path++) {
    if (path == 0) {
      REQUIRE(gpu_forces_build(f, 0, nullptr) == MD_OK);  // Thrust path, positions as given
    } else {
      REQUIRE(nbr_gpu_request_rebuild(nb, nullptr) == MD_OK);  // guarded path: wraps, counting sort
      REQUIRE(nbr_gpu_build_guarded(nb, a, nullptr) == MD_OK);
      gpu_status hs;
      REQUIRE(gpu_status_read(gpu_forces_status(f), &hs) == MD_OK);
      CHECK(hs.halt == 0);
      CHECK(hs.rebuild == 0);
      for (auto *s : sys) system_wrap(s);
    }
    const nbr_list_gpu *l = nbr_gpu_list(nb, 0);
    const int nt = a->ntot;
    std::vector<int> num(nt), j((size_t)l->maxnbr * nt), img((size_t)l->maxnbr * nt);
    REQUIRE(nbr_gpu_download(nb, 0, num.data(), j.data(), img.data()) == MD_OK);
    int off = 0;
    for (auto *s : sys) {
      nbr_list *hl = nullptr;
      REQUIRE(nbr_create(&hl, rc, 1.0, 0) == MD_OK);
      REQUIRE(nbr_build(hl, s) == MD_OK);
      for (int i = 0; i < s->n; i++) {
        INFO("path " << path << " atom " << off + i);
        REQUIRE(num[off + i] == hl->offset[i + 1] - hl->offset[i]);
        for (int k = 0; k < num[off + i]; k++) {
          REQUIRE(j[(size_t)k * nt + off + i] == hl->j[hl->offset[i] + k] + off);
          REQUIRE(img[(size_t)k * nt + off + i] == hl->img[hl->offset[i] + k]);
        }
      }
      nbr_destroy(&hl);
      off += s->n;
    }
  }
  gpu_forces_destroy(&f);
  gpu_atoms_destroy(&a);
  for (auto *s : sys) system_destroy(&s);
#endif
}

BACKEND_TEST_CASE("Coulomb and ZBL without SNAP equal the cpu on every reference configuration", "[coulomb][zbl]") {
  const md_model &m = esnap_test::li3n_model_no_snap();
  for (const char *name : {"unitcell.xyz", "snap222_300K.xyz", "snap333_1000K.xyz", "zbl222_close.xyz", "zbl_zbl_dense.xyz"})
    for (int method : {MD_COUL_PME, MD_COUL_EWALD}) {
      md_system *s = load(name, m);
      Cmp c = vs_cpu(B.backend, m, method, method == MD_COUL_PME ? 1e-5 : 1e-10, s);
      std::printf("%s vs cpu (no SNAP) %s %s: |dE|/E %.2g, max |dF| %.2g eV/A, |dW|/W %.2g\n", B.name, name,
                  method == MD_COUL_PME ? "pme" : "ewald", c.de, c.df, c.dw);
      INFO(name << " method " << method);
      check(c, B.tol);
      system_destroy(&s);
    }
}

BACKEND_TEST_CASE("whole model equals the cpu on a perturbed 4000-atom cell", "[forcefield]") {
  const int nc = 10;  // 4000 atoms
  for (int with_snap = 0; with_snap <= 1; with_snap++) {
    const md_model &m = with_snap ? esnap_test::li3n_model() : esnap_test::li3n_model_no_snap();
    md_system *s = nullptr;
    REQUIRE(lattice_li3n(&s, nc, nc, nc, 0, 0, &m) == MD_OK);
    REQUIRE(s->n == 4 * nc * nc * nc);
    perturb(s, 17, 0.15);
    Cmp c = vs_cpu(B.backend, m, -1, 0.0, s);  // the model's method: PME 1e-5
    std::printf("%s vs cpu %d atoms (%s): |dE|/E %.2g, max |dF| %.2g eV/A, |dW|/W %.2g\n", B.name, s->n,
                with_snap ? "eSNAP" : "no SNAP", c.de, c.df, c.dw);
    check(c, B.tol);
    system_destroy(&s);
  }
}

BACKEND_TEST_CASE("library batch of mixed sizes and cells in one backend call equals each structure alone", "[lib][batch]") {
  // lib/evaluator.h evaluator_compute_batch (esnap_evaluate_batch without per-atom energies): the structures as
  // the replicas of one backend, against evaluator_compute of each on the CPU with a fresh force field
  const md_model &m = esnap_test::li3n_model();
  std::vector<md_system *> sys = {load("snap222_300K.xyz", m), load("unitcell.xyz", m), load("snap333_1000K.xyz", m),
                                  load("snap222_300K.xyz", m), load("zbl222_close.xyz", m)};
  perturb(sys[3], 7, 0.05);
  for (int k = 0; k < 9; k++) sys[3]->box.h[k] *= 1.03;  // another cell: another PME mesh in the same batch
  REQUIRE(box_update(&sys[3]->box, "strained") == MD_OK);
  for (int i = 0; i < sys[3]->n; i++) {
    sys[3]->x[i] *= 1.03;
    sys[3]->y[i] *= 1.03;
    sys[3]->z[i] *= 1.03;
  }
  evaluator_options o;
  evaluator_options_default(&o);
  o.device = "cpu";
  o.fresh = 1;
  md_evaluator *ref = nullptr, *ev = nullptr;
  REQUIRE(evaluator_create(&ref, &m, &o) == MD_OK);
  o.device = B.backend == esnap_test::Backend::gpu ? "gpu" : "cpu";
  o.backend = esnap_test::md_ops(B.backend);
  md_status st = evaluator_create(&ev, &m, &o);
  INFO(md_errmsg());
  REQUIRE(st == MD_OK);
  std::vector<ff_result> batch(sys.size()), one(sys.size());
  for (size_t k = 0; k < sys.size(); k++) {
    REQUIRE(ff_result_alloc(&batch[k], sys[k]->n, 0) == MD_OK);
    REQUIRE(ff_result_alloc(&one[k], sys[k]->n, 0) == MD_OK);
    REQUIRE(evaluator_compute(ref, sys[k], &one[k], "reference") == MD_OK);
  }
  st = evaluator_compute_batch(ev, sys.data(), (int)sys.size(), batch.data(), "structure", 0);
  INFO(md_errmsg());
  REQUIRE(st == MD_OK);
  for (size_t k = 0; k < sys.size(); k++) {
    Cmp c = compare(batch[k], one[k]);
    std::printf("%s library batch structure %zu (%d atoms) vs alone on the cpu: |dE|/E %.2g, max |dF| %.2g eV/A, "
                "|dW|/W %.2g\n", B.name, k, sys[k]->n, c.de, c.df, c.dw);
    INFO("structure " << k);
    check(c, B.tol);
    if (k > 0) CHECK(batch[k].energy != batch[k - 1].energy);
    ff_result_free(&batch[k]);
    ff_result_free(&one[k]);
  }
  evaluator_destroy(&ev);
  evaluator_destroy(&ref);
  for (auto *s : sys) system_destroy(&s);
}

BACKEND_TEST_CASE("batch of four systems equals each system alone", "[forcefield]") {
  const md_model &m = esnap_test::li3n_model();
  std::vector<md_system *> sys;
  for (int r = 0; r < 4; r++) {
    sys.push_back(load("snap333_1000K.xyz", m));
    perturb(sys.back(), 100 + r, 0.1);
  }
  std::vector<md_replica> batch;
  batch_forces(B.backend, m, sys, batch);
  for (int r = 0; r < 4; r++) {
    std::vector<md_replica> one;
    batch_forces(B.backend, m, {sys[r]}, one);
    const md_replica &a = batch[r], &b = one[0];
    double df = 0;
    for (int i = 0; i < sys[r]->n; i++)
      df = std::max({df, std::fabs(a.fx[i] - b.fx[i]), std::fabs(a.fy[i] - b.fy[i]), std::fabs(a.fz[i] - b.fz[i])});
    std::printf("%s batch replica %d vs alone: |dE| %.2g eV, max |dF| %.2g eV/A\n", B.name, r, std::fabs(a.pe - b.pe), df);
    CHECK(std::fabs(a.pe - b.pe) <= B.tol.batch_e_rel * std::fabs(b.pe));
    CHECK(df <= B.tol.batch_f_abs);
    for (int k = 0; k < 9; k++) CHECK(std::fabs(a.virial[k] - b.virial[k]) <= B.tol.batch_f_abs * (1 + std::fabs(b.virial[k])));
    if (r > 0) CHECK(a.pe != batch[0].pe);  // different systems really are different
    replica_free(&one[0]);
  }
  for (auto &x : batch) replica_free(&x);
  for (auto *s : sys) system_destroy(&s);
}
