// GPU force path (kernels/gpu_forces.h) against the CPU (host/forcefield.h) and the LAMMPS references.
// [gpu]: SKIPPED without a CUDA device; tests that need SNAP also skip without kernels/snap_gpu.cu.
//  - device neighbour lists (Thrust path and the guarded graph path, three systems in one launch) equal the
//    host lists entry by entry;
//  - Coulomb (PME 1e-5, Ewald 1e-10) + ZBL without SNAP on every reference configuration: GPU = CPU to
//    1e-10 relative in energies and virial, 1e-8 eV/Å in forces;
//  - the whole model on every LAMMPS reference configuration within the CPU test's tolerances;
//  - a perturbed 4000-atom cell: energy within 1e-10 relative, forces within 1e-8 eV/Å of the CPU;
//  - four systems in one launch equal each system alone.
// Run time on an H100: a few seconds (the CPU references dominate).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "test_gpu_util.h"

extern "C" {
#include "forcefield.h"
#include "io_xyz.h"
#include "lattice.h"
#include "neighbor.h"
#include "system.h"
}

namespace {

md_system *load(const char *name, const md_model &m) {
  xyz_frame f{};
  io_elements el;
  model_elements(&m, &el);
  std::string p = esnap_test::data(name);
  REQUIRE(xyz_read_first(p.c_str(), &el, &f) == MD_OK);
  REQUIRE(model_map_system(&m, f.sys, p.c_str()) == MD_OK);
  md_system *s = nullptr;
  REQUIRE(system_copy(&s, f.sys) == MD_OK);
  xyz_frame_free(&f);
  return s;
}

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

#if ESNAP_HAVE_CUDA
Cmp gpu_vs_cpu(const md_model &m, int method, double acc, const md_system *s, ff_result *gpu_out = nullptr) {
  ff_options o;
  ff_options_default(&o);
  o.coulomb = method;
  o.accuracy = acc;
  o.quiet = 1;
  md_forcefield *ff = nullptr;
  gpu_ff *gf = nullptr;
  REQUIRE(ff_create(&ff, &m, &o) == MD_OK);
  REQUIRE(gpu_ff_create(&gf, &m, &o) == MD_OK);
  ff_result rc, rg;
  REQUIRE(ff_result_alloc(&rc, s->n, 0) == MD_OK);
  REQUIRE(ff_result_alloc(&rg, s->n, 0) == MD_OK);
  REQUIRE(ff_compute(ff, s, &rc) == MD_OK);
  md_status st = gpu_ff_compute(gf, s, &rg);
  INFO(md_errmsg());
  REQUIRE(st == MD_OK);
  Cmp c;
  c.de = std::fabs(rg.energy - rc.energy) / std::fabs(rc.energy);
  double parts[3][2] = {{rg.e_snap, rc.e_snap}, {rg.e_coul, rc.e_coul}, {rg.e_zbl, rc.e_zbl}};
  for (auto &p : parts) c.de = std::max(c.de, std::fabs(p[0] - p[1]) / std::max(1e-300, std::fabs(rc.energy)));
  for (int i = 0; i < s->n; i++)
    c.df = std::max({c.df, std::fabs(rg.fx[i] - rc.fx[i]), std::fabs(rg.fy[i] - rc.fy[i]), std::fabs(rg.fz[i] - rc.fz[i])});
  double wmax = 0;
  for (int k = 0; k < 9; k++) wmax = std::max(wmax, std::fabs(rc.virial[k]));
  for (int k = 0; k < 9; k++) c.dw = std::max(c.dw, std::fabs(rg.virial[k] - rc.virial[k]) / wmax);
  if (gpu_out) {
    gpu_out->energy = rg.energy;
    std::copy(rg.fx, rg.fx + s->n, gpu_out->fx);
  }
  ff_result_free(&rc);
  ff_result_free(&rg);
  ff_destroy(&ff);
  gpu_ff_destroy(&gf);
  return c;
}
#endif

}  // namespace

TEST_CASE("gpu neighbour lists equal the host lists entry by entry", "[gpu][neighbor]") {
  gpu_test::require_gpu();
#if ESNAP_HAVE_CUDA
  // a Coulomb-only model: one full list with the real-space cutoff (6 Å + skin 1 Å, beyond half the unit cell)
  md_model m = gpu_test::model_no_snap();
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

TEST_CASE("gpu Coulomb and ZBL equal the cpu on every reference configuration", "[gpu]") {
  gpu_test::require_gpu();
#if ESNAP_HAVE_CUDA
  const md_model &m = gpu_test::model_no_snap();
  for (const char *name : {"unitcell.xyz", "snap222_300K.xyz", "snap333_1000K.xyz", "zbl222_close.xyz", "zbl_zbl_dense.xyz"})
    for (int method : {MD_COUL_PME, MD_COUL_EWALD}) {
      md_system *s = load(name, m);
      Cmp c = gpu_vs_cpu(m, method, method == MD_COUL_PME ? 1e-5 : 1e-10, s);
      std::printf("gpu vs cpu (no SNAP) %s %s: |dE|/E %.2g, max |dF| %.2g eV/A, |dW|/W %.2g\n", name,
                  method == MD_COUL_PME ? "pme" : "ewald", c.de, c.df, c.dw);
      INFO(name << " method " << method);
      CHECK(c.de < 1e-10);
      CHECK(c.df < 1e-8);
      CHECK(c.dw < 1e-10);
      system_destroy(&s);
    }
#endif
}

TEST_CASE("gpu eSNAP matches every LAMMPS reference configuration", "[gpu]") {
  gpu_test::require_gpu();
#if ESNAP_HAVE_CUDA
  const md_model &m = gpu_test::model();
  for (double tol : {1e-10, 1e-12})
    for (const char *name : {"unitcell.xyz", "snap222_300K.xyz", "snap333_1000K.xyz", "zbl222_close.xyz"}) {
      INFO(name << " Ewald tolerance " << tol);
      io_elements el;
      model_elements(&m, &el);
      xyz_frame f{};
      std::string p = esnap_test::data(name);
      REQUIRE(xyz_read_first(p.c_str(), &el, &f) == MD_OK);
      REQUIRE(model_map_system(&m, f.sys, p.c_str()) == MD_OK);
      md_system *s = f.sys;
      ff_options o;
      ff_options_default(&o);
      o.coulomb = MD_COUL_EWALD;
      o.accuracy = tol;
      o.quiet = 1;
      gpu_ff *g = nullptr;
      REQUIRE(gpu_ff_create(&g, &m, &o) == MD_OK);
      ff_result r;
      REQUIRE(ff_result_alloc(&r, s->n, gpu_ff_nbispectrum(g)) == MD_OK);
      REQUIRE(gpu_ff_compute(g, s, &r) == MD_OK);
      auto key = [&](const char *k) { return std::atof(xyz_frame_get(&f, k)); };
      const double n = s->n;
      CHECK(std::fabs(r.energy - key("energy")) / n < 1e-6);
      CHECK(std::fabs(r.e_snap - key("energy_snap")) / n < 1e-6);
      CHECK(std::fabs(r.e_coul - key("energy_coulomb")) / n < 1e-6);
      CHECK(std::fabs(r.e_zbl - key("energy_zbl")) / n < 1e-6);
      int nc = 0;
      const double *F = xyz_frame_prop(&f, "forces", &nc);
      REQUIRE(F != nullptr);
      double fmax = 0;
      for (int i = 0; i < s->n; i++)
        fmax = std::max({fmax, std::fabs(r.fx[i] - F[3 * i]), std::fabs(r.fy[i] - F[3 * i + 1]), std::fabs(r.fz[i] - F[3 * i + 2])});
      CHECK(fmax < 1e-5);
      double W[9];
      REQUIRE(xyz_frame_get_reals(&f, "virial", W, 9) == MD_OK);
      for (int k = 0; k < 9; k++) CHECK(std::fabs(r.virial[k] - W[k]) < 1e-4);
      const double *B = xyz_frame_prop(&f, "bispectrum", &nc);
      REQUIRE(B != nullptr);
      REQUIRE(nc == r.nbisp);
      double brel = 0;
      for (int i = 0; i < s->n * nc; i++) brel = std::max(brel, std::fabs(r.bispectrum[i] - B[i]) / std::max(1e-300, std::fabs(B[i])));
      CHECK(brel < 1e-8);
      std::printf("gpu vs LAMMPS %s (Ewald %g): |dE|/atom %.2g eV, max |dF| %.2g eV/A, max rel dB %.2g\n", name, tol,
                  std::fabs(r.energy - key("energy")) / n, fmax, brel);
      ff_result_free(&r);
      gpu_ff_destroy(&g);
      xyz_frame_free(&f);
    }
#endif
}

TEST_CASE("gpu equals cpu on a perturbed 4000-atom cell", "[gpu]") {
  gpu_test::require_gpu();
#if ESNAP_HAVE_CUDA
  for (int with_snap = 0; with_snap <= 1; with_snap++) {
    const md_model &m = with_snap ? gpu_test::model() : gpu_test::model_no_snap();
    md_system *s = nullptr;
    REQUIRE(lattice_li3n(&s, 10, 10, 10, 0, 0, &m) == MD_OK);
    REQUIRE(s->n == 4000);
    perturb(s, 17, 0.15);
    Cmp c = gpu_vs_cpu(m, -1, 0.0, s);  // the model's method: PME 1e-5
    std::printf("gpu vs cpu 4000 atoms (%s): |dE|/E %.2g, max |dF| %.2g eV/A, |dW|/W %.2g\n", with_snap ? "eSNAP" : "no SNAP",
                c.de, c.df, c.dw);
    CHECK(c.de < 1e-10);
    CHECK(c.df < 1e-8);
    CHECK(c.dw < 1e-10);
    system_destroy(&s);
  }
#endif
}

TEST_CASE("gpu batch of four systems equals each system alone", "[gpu]") {
  gpu_test::require_gpu();
#if ESNAP_HAVE_CUDA
  const md_model &m = gpu_test::model();
  std::vector<md_system *> sys;
  for (int r = 0; r < 4; r++) {
    sys.push_back(load("snap333_1000K.xyz", m));
    perturb(sys.back(), 100 + r, 0.1);
  }
  ff_options o;
  ff_options_default(&o);
  o.quiet = 1;
  auto evaluate = [&](std::vector<md_system *> v, std::vector<gpu_energy> &e, std::vector<std::vector<double>> &F) {
    gpu_atoms *a = nullptr;
    gpu_forces *f = nullptr;
    REQUIRE(gpu_atoms_create(&a, v.data(), (int)v.size()) == MD_OK);
    REQUIRE(gpu_forces_create(&f, &m, &o, a, v.data(), 0) == MD_OK);
    REQUIRE(gpu_forces_build(f, 0, nullptr) == MD_OK);
    REQUIRE(gpu_forces_compute(f, nullptr) == MD_OK);
    e.resize(v.size());
    REQUIRE(gpu_forces_energies(f, e.data(), nullptr) == MD_OK);
    F.assign(v.size(), std::vector<double>());
    std::vector<double *> fx, fy, fz;
    for (size_t r = 0; r < v.size(); r++) {
      F[r].resize(3 * (size_t)v[r]->n);
      fx.push_back(F[r].data());
      fy.push_back(F[r].data() + v[r]->n);
      fz.push_back(F[r].data() + 2 * v[r]->n);
    }
    REQUIRE(gpu_atoms_download(a, v.data(), (int)v.size(), MD_GPU_FORCE, fx.data(), fy.data(), fz.data()) == MD_OK);
    gpu_forces_destroy(&f);
    gpu_atoms_destroy(&a);
  };
  std::vector<gpu_energy> eb;
  std::vector<std::vector<double>> fb;
  evaluate(sys, eb, fb);
  for (int r = 0; r < 4; r++) {
    std::vector<gpu_energy> e1;
    std::vector<std::vector<double>> f1;
    evaluate({sys[r]}, e1, f1);
    double df = 0;
    for (size_t k = 0; k < f1[0].size(); k++) df = std::max(df, std::fabs(f1[0][k] - fb[r][k]));
    std::printf("gpu batch replica %d vs alone: |dE| %.2g eV, max |dF| %.2g eV/A\n", r, std::fabs(eb[r].pe - e1[0].pe), df);
    CHECK(std::fabs(eb[r].pe - e1[0].pe) <= 1e-12 * std::fabs(e1[0].pe));
    CHECK(df < 1e-11);
    for (int k = 0; k < 9; k++) CHECK(std::fabs(eb[r].virial[k] - e1[0].virial[k]) <= 1e-11 * (1 + std::fabs(e1[0].virial[k])));
    if (r > 0) CHECK(eb[r].pe != eb[0].pe);  // different systems really are different
  }
  for (auto *s : sys) system_destroy(&s);
#endif
}
