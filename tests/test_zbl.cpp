// ZBL with LAMMPS `pair zbl` switching: the pair function and its switching polynomial, energies of the shared
// references, forces/virial against LAMMPS, and finite differences on a compressed cell with pairs below the
// inner cutoff and inside the switching zone. Run time: well under a second.
#include <catch2/catch.hpp>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "test_util.h"

extern "C" {
#include "box.h"
#include "io_xyz.h"
#include "math/pbc.h"
#include "math/zbl.h"
#include "model.h"
#include "neighbor.h"
#include "system.h"
#include "zbl_cpu.h"
}

namespace {

// Sets the OpenMP thread count for one test and restores it afterwards.
struct ZThreads {
  int prev;
  explicit ZThreads(int n) : prev(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~ZThreads() { omp_set_num_threads(prev); }
};

const md_model &zbl_model() {
  static md_model m;
  static bool ok = false;
  if (!ok) {
    REQUIRE(model_read(&m, esnap_test::source("potentials/li3n_esnap.model").c_str()) == MD_OK);
    REQUIRE(m.has_zbl);
    ok = true;
  }
  return m;
}

struct ZFrame {
  xyz_frame f{};
  md_system *s = nullptr;
  explicit ZFrame(const std::string &path) {
    io_elements el;
    model_elements(&zbl_model(), &el);
    REQUIRE(xyz_read_first(path.c_str(), &el, &f) == MD_OK);
    s = f.sys;
    REQUIRE(model_map_system(&zbl_model(), s, path.c_str()) == MD_OK);
  }
  ~ZFrame() { xyz_frame_free(&f); }
};

struct ZResult {
  double e = 0.0;
  std::vector<double> f;
  double w[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
};

ZResult zbl_eval(const md_system *s) {
  const md_model &m = zbl_model();
  ZResult r;
  nbr_list *nl = nullptr;
  REQUIRE(nbr_create(&nl, m.zbl_outer, 0.5, 0) == MD_OK);
  REQUIRE(nbr_build(nl, s) == MD_OK);
  r.f.assign(3 * (size_t)s->n, 0.0);
  REQUIRE(zbl_cpu_compute(&m, s, nl, r.f.data(), r.f.data() + s->n, r.f.data() + 2 * s->n, &r.e, r.w) == MD_OK);
  nbr_destroy(&nl);
  return r;
}

md_system *zstrained(const md_system *s, const double eps[9]) {
  md_system *t = nullptr;
  REQUIRE(system_copy(&t, s) == MD_OK);
  box_strain(&s->box, eps, &t->box);
  for (int i = 0; i < s->n; i++) {
    double r[3] = {s->x[i], s->y[i], s->z[i]}, o[3];
    for (int c = 0; c < 3; c++) o[c] = r[c] + r[0] * eps[c] + r[1] * eps[3 + c] + r[2] * eps[6 + c];
    t->x[i] = o[0];
    t->y[i] = o[1];
    t->z[i] = o[2];
  }
  return t;
}

}  // namespace

TEST_CASE("ZBL pair function is smooth at the switching boundaries and matches its derivative", "[zbl]") {
  const double zs[3][2] = {{3, 3}, {3, 7}, {7, 7}};
  for (auto &z : zs) {
    zbl_pair p;
    zbl_pair_init(&p, z[0], z[1], 1.0, 1.5);
    // E(r) and dE/dr = −r fpair from the pair term (src/pair.h contract: fpair = −E'(r)/r)
    auto energy = [&p](double r, double *e, double *de) {
      double fpair;
      zbl_pair_eval(&p, r, e, &fpair);
      *de = -fpair * r;
    };
    double e, de;
    // E, E', E'' vanish at the outer cutoff: from inside, E ∝ δ³, E' ∝ δ², E'' ∝ δ at δ = r_o − r → 0
    double ev[2], dv[2], d2v[2];
    for (int k = 0; k < 2; k++) {
      const double delta = k == 0 ? 1e-2 : 1e-3, hh = 1e-7;
      double ep, dp, em, dm;
      energy(1.5 - delta, &ev[k], &dv[k]);
      energy(1.5 - delta + hh, &ep, &dp);
      energy(1.5 - delta - hh, &em, &dm);
      d2v[k] = (dp - dm) / (2 * hh);
    }
    CHECK(ev[0] / ev[1] == Approx(1000.0).epsilon(0.05));
    CHECK(dv[0] / dv[1] == Approx(100.0).epsilon(0.05));
    CHECK(d2v[0] / d2v[1] == Approx(10.0).epsilon(0.05));
    energy(1.5, &e, &de);
    CHECK(e == 0.0);
    CHECK(de == 0.0);
    // continuity of E and E' at the inner cutoff
    double ea, da, eb, db;
    energy(1.0 - 1e-11, &ea, &da);
    energy(1.0 + 1e-11, &eb, &db);
    CHECK(std::fabs(ea - eb) < 1e-8);
    CHECK(std::fabs(da - db) < 1e-8);
    // dE/dr against central differences everywhere inside
    for (double r = 0.3; r < 1.5; r += 0.0137) {
      double ep, em, dummy;
      energy(r, &e, &de);
      energy(r + 1e-6, &ep, &dummy);
      energy(r - 1e-6, &em, &dummy);
      CHECK(de == Approx((ep - em) / 2e-6).epsilon(1e-6).margin(1e-6));
    }
    // the bare ZBL at r < inner: e(r) + sw5 (LAMMPS shifts it by the constant sw5)
    double eb0, deb, d2b;
    zbl_screened_coulomb(&p, 0.8, &eb0, &deb, &d2b);
    energy(0.8, &e, &de);
    CHECK(e == Approx(eb0 + p.sw5).epsilon(1e-14));
    CHECK(de == Approx(deb).epsilon(1e-14));
  }
  // Li–N at 1.2 Å: e = C·21/r Σ c_k exp(−d_k r/a) + switching; check the screening length
  zbl_pair p;
  zbl_pair_init(&p, 3, 7, 1.0, 1.5);
  CHECK(p.zze == Approx(MD_QQR2E * 21.0));
  CHECK(p.d[0] * 0.46850 / (std::pow(3.0, 0.23) + std::pow(7.0, 0.23)) == Approx(0.20162));
}

TEST_CASE("ZBL energy_zbl matches the LAMMPS reference of every test structure", "[zbl]") {
  ZThreads one(1);
  for (const char *name : {"unitcell", "snap222_300K", "snap333_1000K", "zbl222_close"}) {
    ZFrame fr(esnap_test::data(std::string(name) + ".xyz"));
    ZResult r = zbl_eval(fr.s);
    double ref = std::atof(xyz_frame_get(&fr.f, "energy_zbl"));
    std::printf("  %-14s E_zbl %.12f eV, LAMMPS %.12f\n", name, r.e, ref);
    CHECK(std::fabs(r.e - ref) / fr.s->n < 1e-6);
    CHECK(std::fabs(r.e - ref) < 1e-10);
  }
}

TEST_CASE("ZBL forces and virial match LAMMPS pair zbl", "[zbl]") {
  ZThreads one(1);
  for (const char *name : {"unitcell", "snap222_300K", "snap333_1000K", "zbl222_close", "zbl_dense"}) {
    ZFrame fr(esnap_test::data(std::string("zbl_") + name + ".xyz"));
    ZResult r = zbl_eval(fr.s);
    int nc = 0;
    const double *fref = xyz_frame_prop(&fr.f, "forces", &nc);
    REQUIRE(fref != nullptr);
    REQUIRE(nc == 3);
    double wref[9];
    REQUIRE(xyz_frame_get_reals(&fr.f, "virial", wref, 9) == MD_OK);
    double df = 0.0, dw = 0.0, fmax = 0.0;
    for (int i = 0; i < fr.s->n; i++)
      for (int d = 0; d < 3; d++) {
        df = std::max(df, std::fabs(r.f[(size_t)d * fr.s->n + i] - fref[3 * i + d]));
        fmax = std::max(fmax, std::fabs(fref[3 * i + d]));
      }
    for (int k = 0; k < 9; k++) dw = std::max(dw, std::fabs(r.w[k] - wref[k]));
    double eref = std::atof(xyz_frame_get(&fr.f, "energy"));
    std::printf("  %-14s E %.10f (LAMMPS %.10f), max |F| %.2f, max |dF| %.2e eV/Å, max |dW| %.2e eV\n", name, r.e, eref, fmax,
                df, dw);
    CHECK(df < 1e-7);
    CHECK(dw < 1e-5);
    CHECK(std::fabs(r.e - eref) < 1e-9);
  }
}

TEST_CASE("ZBL forces and virial are derivatives of its energy", "[zbl]") {
  ZThreads one(1);
  // compressed, sheared, randomly displaced 2x2x2 cell: pairs below 1.0 Å and in the 1.0–1.5 Å zone
  ZFrame fr(esnap_test::data("zbl_zbl_dense.xyz"));
  md_system *s = fr.s;
  int below = 0, zone = 0;
  {
    nbr_list *nl = nullptr;
    REQUIRE(nbr_create(&nl, 1.5, 0.0, 1) == MD_OK);
    REQUIRE(nbr_build(nl, s) == MD_OK);
    for (int i = 0; i < s->n; i++)
      for (int k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
        double d[3];
        pbc_image_shift(s->box.h, nl->img[k], d);
        int j = nl->j[k];
        double dx = s->x[j] + d[0] - s->x[i], dy = s->y[j] + d[1] - s->y[i], dz = s->z[j] + d[2] - s->z[i];
        double r = std::sqrt(dx * dx + dy * dy + dz * dz);
        below += r < 1.0;
        zone += r >= 1.0 && r < 1.5;
      }
    nbr_destroy(&nl);
  }
  REQUIRE(below >= 3);
  REQUIRE(zone >= 20);
  ZResult r0 = zbl_eval(s);
  const double h = 1e-5;
  double worst_f = 0.0;
  for (int i = 0; i < s->n; i++)
    for (int d = 0; d < 3; d++) {
      double *x = d == 0 ? s->x : (d == 1 ? s->y : s->z);
      const double x0 = x[i];
      x[i] = x0 + h;
      double ep = zbl_eval(s).e;
      x[i] = x0 - h;
      double em = zbl_eval(s).e;
      x[i] = x0;
      worst_f = std::max(worst_f, std::fabs(-(ep - em) / (2 * h) - r0.f[(size_t)d * s->n + i]));
    }
  double worst_w = 0.0;
  for (int ab = 0; ab < 9; ab++) {
    double eps[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    eps[ab] = h;
    md_system *p = zstrained(s, eps);
    eps[ab] = -h;
    md_system *m = zstrained(s, eps);
    worst_w = std::max(worst_w, std::fabs(-(zbl_eval(p).e - zbl_eval(m).e) / (2 * h) - r0.w[ab]));
    system_destroy(&p);
    system_destroy(&m);
  }
  std::printf("  ZBL FD (%d pairs < 1 Å, %d in 1–1.5 Å, E %.3f eV): max |F - F_fd| %.2e eV/Å, max |W - W_fd| %.2e eV\n", below,
              zone, r0.e, worst_f, worst_w);
  CHECK(worst_f < 1e-6);
  CHECK(worst_w < 1e-6);
}

TEST_CASE("ZBL rejects an unsuitable neighbour list", "[zbl]") {
  ZFrame fr(esnap_test::data("zbl222_close.xyz"));
  const md_model &m = zbl_model();
  std::vector<double> f(3 * (size_t)fr.s->n, 0.0);
  double e, w[9] = {0};
  nbr_list *half = nullptr, *shortl = nullptr;
  REQUIRE(nbr_create(&half, 2.0, 0.0, 1) == MD_OK);
  REQUIRE(nbr_build(half, fr.s) == MD_OK);
  CHECK(zbl_cpu_compute(&m, fr.s, half, f.data(), f.data() + fr.s->n, f.data() + 2 * fr.s->n, &e, w) == MD_ERR_INTERNAL);
  REQUIRE(nbr_create(&shortl, 1.0, 0.2, 0) == MD_OK);
  REQUIRE(nbr_build(shortl, fr.s) == MD_OK);
  CHECK(zbl_cpu_compute(&m, fr.s, shortl, f.data(), f.data() + fr.s->n, f.data() + 2 * fr.s->n, &e, w) == MD_ERR_INTERNAL);
  nbr_destroy(&half);
  nbr_destroy(&shortl);
}
