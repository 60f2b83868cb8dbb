// The whole eSNAP model (SNAP + Coulomb + ZBL through host/ff/forcefield.h) against the LAMMPS references:
// every shared configuration with converged Ewald (tolerance 1e-10 and tighter) on every backend
// (tests/backend_cases.h: the LAMMPS tolerances on each, and the backend against the CPU), PME at its default accuracy
// against converged Ewald, forces = -dE/dr by central differences and virial = -dE/dε on a randomly
// distorted 2x2x2 cell. Run time: a few seconds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "backend_cases.h"

extern "C" {
#include "box.h"
#include "forcefield.h"
#include "io_xyz.h"
#include "math/pbc.h"
#include "model.h"
#include "system.h"
}

namespace {

const md_model &model() { return esnap_test::li3n_model(); }

struct Ref {
  xyz_frame f{};
  explicit Ref(const std::string &name) {
    io_elements el;
    model_elements(&model(), &el);
    std::string p = esnap_test::data(name);
    REQUIRE(xyz_read_first(p.c_str(), &el, &f) == MD_OK);
    REQUIRE(model_map_system(&model(), f.sys, p.c_str()) == MD_OK);
  }
  ~Ref() { xyz_frame_free(&f); }
  double key(const char *k) const {
    const char *v = xyz_frame_get(&f, k);
    REQUIRE(v != nullptr);
    return std::atof(v);
  }
};

struct Eval {
  md_forcefield *ff = nullptr;
  ff_result r{};
  Eval(int method, double acc, int n, bool bisp = false) {
    ff_options o;
    ff_options_default(&o);
    o.coulomb = method;
    o.accuracy = acc;
    o.bispectrum = bisp;
    o.quiet = 1;
    REQUIRE(ff_create(&ff, &model(), &o) == MD_OK);
    REQUIRE(ff_result_alloc(&r, n, bisp ? ff_nbispectrum(ff) : 0) == MD_OK);
  }
  ~Eval() {
    ff_result_free(&r);
    ff_destroy(&ff);
  }
  void run(const md_system *s) { REQUIRE(ff_compute(ff, s, &r) == MD_OK); }
};

const char *kConfigs[] = {"unitcell.xyz", "snap222_300K.xyz", "snap333_1000K.xyz", "zbl222_close.xyz"};

}  // namespace

BACKEND_TEST_CASE("eSNAP energies forces and virial of every reference configuration match LAMMPS", "[forcefield]") {
  for (double tol : {1e-10, 1e-12}) {
    for (const char *name : kConfigs) {
      INFO(B.name << " " << name << " Ewald tolerance " << tol);
      Ref ref(name);
      md_system *s = ref.f.sys;
      Eval cpu(MD_COUL_EWALD, tol, s->n, true);
      cpu.run(s);
      ff_options o;
      ff_options_default(&o);
      o.coulomb = MD_COUL_EWALD;
      o.accuracy = tol;
      o.quiet = 1;
      ff_result r;
      REQUIRE(ff_result_alloc(&r, s->n, cpu.r.nbisp) == MD_OK);
      md_status st = esnap_test::evaluate(B.backend, model(), o, s, &r);
      INFO(md_errmsg());
      REQUIRE(st == MD_OK);
      // against LAMMPS: the same tolerances on every backend
      const double n = s->n;
      CHECK(std::fabs(r.energy - ref.key("energy")) / n < 1e-6);
      CHECK(std::fabs(r.e_snap - ref.key("energy_snap")) / n < 1e-6);
      CHECK(std::fabs(r.e_coul - ref.key("energy_coulomb")) / n < 1e-6);
      CHECK(std::fabs(r.e_zbl - ref.key("energy_zbl")) / n < 1e-6);
      int nc = 0;
      const double *F = xyz_frame_prop(&ref.f, "forces", &nc);
      REQUIRE(F != nullptr);
      REQUIRE(nc == 3);
      double fmax = 0.0, dfc = 0.0;
      for (int i = 0; i < s->n; i++) {
        fmax = std::max({fmax, std::fabs(r.fx[i] - F[3 * i]), std::fabs(r.fy[i] - F[3 * i + 1]), std::fabs(r.fz[i] - F[3 * i + 2])});
        dfc = std::max({dfc, std::fabs(r.fx[i] - cpu.r.fx[i]), std::fabs(r.fy[i] - cpu.r.fy[i]), std::fabs(r.fz[i] - cpu.r.fz[i])});
      }
      CHECK(fmax < 1e-5);
      double W[9], wmax = 0.0, dwc = 0.0;
      REQUIRE(xyz_frame_get_reals(&ref.f, "virial", W, 9) == MD_OK);
      for (int k = 0; k < 9; k++) {
        CHECK(std::fabs(r.virial[k] - W[k]) < 1e-4);
        wmax = std::max(wmax, std::fabs(cpu.r.virial[k]));
      }
      for (int k = 0; k < 9; k++) dwc = std::max(dwc, std::fabs(r.virial[k] - cpu.r.virial[k]) / wmax);
      const double *Bs = xyz_frame_prop(&ref.f, "bispectrum", &nc);
      REQUIRE(Bs != nullptr);
      REQUIRE(nc == r.nbisp);
      double brel = 0.0, bcpu = 0.0;
      for (int i = 0; i < s->n * nc; i++) {
        brel = std::max(brel, std::fabs(r.bispectrum[i] - Bs[i]) / std::max(1e-300, std::fabs(Bs[i])));
        bcpu = std::max(bcpu, std::fabs(r.bispectrum[i] - cpu.r.bispectrum[i]) / std::max(1.0, std::fabs(cpu.r.bispectrum[i])));
      }
      CHECK(brel < 1e-8);
      // against the CPU: the backend's row of the tolerance table (the CPU: the same bits again)
      const double dec = std::fabs(r.energy - cpu.r.energy) / std::fabs(cpu.r.energy);
      std::printf("%s vs LAMMPS %s (Ewald %g): |dE|/atom %.2g eV, max |dF| %.2g eV/A, max rel dB %.2g; vs cpu: |dE|/E %.2g, "
                  "max |dF| %.2g eV/A, |dW|/W %.2g, dB %.2g\n", B.name, name, tol, std::fabs(r.energy - ref.key("energy")) / n,
                  fmax, brel, dec, dfc, dwc, bcpu);
      CHECK(dec <= B.tol.e_rel);
      CHECK(dfc <= B.tol.f_abs);
      CHECK(dwc <= B.tol.w_rel);
      CHECK(bcpu <= B.tol.snap_b_rel);
      ff_result_free(&r);
    }
  }
}

TEST_CASE("eSNAP with PME at the default accuracy is within 1e-4 eV per A RMS of converged Ewald", "[forcefield]") {
  Ref ref("snap333_1000K.xyz");
  md_system *s = ref.f.sys;
  Eval ew(MD_COUL_EWALD, 1e-12, s->n);
  ew.run(s);
  Eval pm(-1, 0.0, s->n);  // the model file's method and accuracy: PME 1e-5
  REQUIRE(model().coulomb == MD_COUL_PME);
  REQUIRE(model().coulomb_accuracy == 1e-5);
  pm.run(s);
  double ss = 0.0;
  for (int i = 0; i < s->n; i++) {
    double dx = pm.r.fx[i] - ew.r.fx[i], dy = pm.r.fy[i] - ew.r.fy[i], dz = pm.r.fz[i] - ew.r.fz[i];
    ss += dx * dx + dy * dy + dz * dz;
  }
  double rms = std::sqrt(ss / (3.0 * s->n));
  CHECK(rms < 1e-4);
  CHECK(std::fabs(pm.r.energy - ew.r.energy) / s->n < 1e-5);
  // the SNAP and ZBL parts are independent of the Coulomb method
  CHECK(pm.r.e_snap == ew.r.e_snap);
  CHECK(pm.r.e_zbl == ew.r.e_zbl);
}

namespace {

// A 2x2x2 cell, sheared a few per cent, every atom displaced up to 0.15 Å; two Li placed 1.3 Å apart so
// ZBL's switching region contributes too.
md_system *distorted_222(unsigned seed) {
  Ref ref("snap222_300K.xyz");
  md_system *s = nullptr;
  REQUIRE(system_copy(&s, ref.f.sys) == MD_OK);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  double eps[9];
  for (double &e : eps) e = 0.03 * u(rng);
  md_box nb;
  box_strain(&s->box, eps, &nb);
  for (int i = 0; i < s->n; i++) {
    double fr[3], r[3];
    pbc_to_frac(s->box.hinv, s->x[i], s->y[i], s->z[i], fr);
    pbc_to_cart(nb.h, fr[0], fr[1], fr[2], r);
    s->x[i] = r[0] + 0.15 * u(rng);
    s->y[i] = r[1] + 0.15 * u(rng);
    s->z[i] = r[2] + 0.15 * u(rng);
  }
  s->box = nb;
  int a = -1, b = -1;
  for (int i = 0; i < s->n && b < 0; i++)
    if (s->type[i] == 0) (a < 0 ? a : b) = i;
  s->x[b] = s->x[a] + 1.3;
  s->y[b] = s->y[a];
  s->z[b] = s->z[a];
  return s;
}

double energy_of(const md_system *s) {
  Eval ev(MD_COUL_EWALD, 1e-12, s->n);
  ev.run(s);
  return ev.r.energy;
}

}  // namespace

TEST_CASE("eSNAP forces are minus the gradient of the energy by central differences", "[forcefield]") {
  md_system *s = distorted_222(11);
  Eval ev(MD_COUL_EWALD, 1e-12, s->n);
  ev.run(s);
  REQUIRE(ev.r.e_zbl > 0.0);  // the close pair is inside the ZBL range
  const double h = 1e-5;
  double worst = 0.0;
  for (int i = 0; i < s->n; i++) {
    double *c[3] = {&s->x[i], &s->y[i], &s->z[i]};
    const double f[3] = {ev.r.fx[i], ev.r.fy[i], ev.r.fz[i]};
    for (int d = 0; d < 3; d++) {
      double x0 = *c[d];
      *c[d] = x0 + h;
      double ep = energy_of(s);
      *c[d] = x0 - h;
      double em = energy_of(s);
      *c[d] = x0;
      worst = std::max(worst, std::fabs(-(ep - em) / (2 * h) - f[d]));
    }
  }
  INFO("max |F + dE/dr| = " << worst << " eV/A");
  CHECK(worst < 1e-6);
  system_destroy(&s);
}

TEST_CASE("eSNAP virial is minus the strain derivative of the energy", "[forcefield]") {
  md_system *s = distorted_222(12);
  Eval ev(MD_COUL_EWALD, 1e-12, s->n);
  ev.run(s);
  const double h = 1e-6;
  double worst = 0.0;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      double e[2];
      for (int sgn = 0; sgn < 2; sgn++) {
        double eps[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
        eps[3 * a + b] = sgn ? -h : h;
        md_system *t = nullptr;
        REQUIRE(system_copy(&t, s) == MD_OK);
        box_strain(&s->box, eps, &t->box);
        for (int i = 0; i < s->n; i++) {  // r' = r (I + ε)
          double r[3] = {s->x[i], s->y[i], s->z[i]};
          double *o[3] = {&t->x[i], &t->y[i], &t->z[i]};
          for (int c = 0; c < 3; c++) {
            double v = r[c];
            for (int k = 0; k < 3; k++) v += r[k] * eps[3 * k + c];
            *o[c] = v;
          }
        }
        e[sgn] = energy_of(t);
        system_destroy(&t);
      }
      double dedeps = (e[0] - e[1]) / (2 * h);
      worst = std::max(worst, std::fabs(-dedeps - ev.r.virial[3 * a + b]));
    }
  INFO("max |W + dE/deps| = " << worst << " eV");
  CHECK(worst < 1e-4);
  system_destroy(&s);
}
