// Linear SNAP on the CPU (host/ff/snap_cpu.h): per-atom bispectrum, energy, forces and virial against LAMMPS
// (shared references and tests/data/snap_ref_*.txt made by tests/data/snap_make_refs.py), against finite
// differences of the energy (positions and cell strain), thread-count independence, the per-pair MD_HD
// drivers of src/math/snap_zy.h, and the API contract. Run time: about 3 s in Release on 2 cores (all cases).
#include <catch2/catch.hpp>

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "test_snap_util.h"

extern "C" {
#include "box.h"
#include "io_xyz.h"
#include "math/pbc.h"
#include "math/snap_zy.h"
#include "neighbor.h"
#include "snap_cpu.h"
#include "snap_io.h"
#include "snap_tables.h"
#include "system.h"
}

namespace {

using snap_test::Frame;
using snap_test::Model;

struct Result {
  double e = 0.0;
  double vir[9] = {0};
  std::vector<double> f, eatom, b;  // f: x block, y block, z block
};

Result compute(const Model &m, const md_system *sys, double skin = 0.7, bool want_b = true) {
  nbr_list *nl = nullptr;
  REQUIRE(nbr_create(&nl, snap_cpu_cutoff(m.cpu), skin, 0) == MD_OK);
  REQUIRE(nbr_build(nl, sys) == MD_OK);
  Result r;
  r.f.assign(3 * sys->n, 0.0);
  r.eatom.assign(sys->n, 0.0);
  r.b.assign((size_t)sys->n * snap_cpu_nbispectrum(m.cpu), 0.0);
  REQUIRE(snap_cpu_compute(m.cpu, sys, nl, r.f.data(), r.f.data() + sys->n, r.f.data() + 2 * sys->n, &r.e, r.vir,
                           r.eatom.data(), want_b ? r.b.data() : nullptr) == MD_OK);
  nbr_destroy(&nl);
  return r;
}

struct Ref {
  int n = 0, nb = 0;
  double e = 0.0, vir6[6] = {0};
  std::vector<double> f, b;  // f[3 i + k], b[nb i + k]
};

Ref read_ref(const std::string &file) {
  std::ifstream in(esnap_test::data(file));
  REQUIRE(in.good());
  Ref r;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string key;
    ss >> key;
    if (key == "natoms") {
      ss >> r.n;
    } else if (key == "nbispectrum") {
      ss >> r.nb;
    } else if (key == "energy") {
      ss >> r.e;
    } else if (key == "virial") {
      for (double &v : r.vir6) ss >> v;
    } else {
      int id = std::stoi(key);
      REQUIRE(id == (int)r.f.size() / 3 + 1);
      for (int k = 0; k < 3 + r.nb; k++) {
        double v;
        ss >> v;
        (k < 3 ? r.f : r.b).push_back(v);
      }
    }
  }
  REQUIRE((int)r.f.size() == 3 * r.n);
  return r;
}

// (LAMMPS 6-vector xx yy zz xy xz yz) -> row-major index
const int kVoigt[6] = {0, 4, 8, 1, 2, 5};

// compares a model on one structure with its LAMMPS reference; returns max errors for reporting
void check_against_lammps(const Model &m, const std::string &model, const std::string &structure) {
  Frame fr(structure + ".xyz", m.elements());
  Ref ref = read_ref("snap_ref_" + model + "_" + structure + ".txt");
  const md_system *s = fr.sys();
  REQUIRE(s->n == ref.n);
  REQUIRE(snap_cpu_nbispectrum(m.cpu) == ref.nb);
  Result r = compute(m, s);
  double df = 0.0, db = 0.0, dv = 0.0, fsum[3] = {0, 0, 0};
  for (int i = 0; i < s->n; i++)
    for (int k = 0; k < 3; k++) {
      df = std::max(df, std::fabs(r.f[k * s->n + i] - ref.f[3 * i + k]));
      fsum[k] += r.f[k * s->n + i];
    }
  for (size_t k = 0; k < ref.b.size(); k++)
    db = std::max(db, std::fabs(r.b[k] - ref.b[k]) / std::max(1e-3, std::fabs(ref.b[k])));
  for (int c = 0; c < 6; c++) dv = std::max(dv, std::fabs(r.vir[kVoigt[c]] - ref.vir6[c]));
  const double de = std::fabs(r.e - ref.e) / s->n;
  INFO(model << " on " << structure << ": max |dF| " << df << " eV/A, max rel dB " << db << ", |dW| " << dv
             << " eV, |dE|/atom " << de << " eV");
  WARN(model << " " << structure << ": |dF| " << df << " |dB|rel " << db << " |dW| " << dv << " |dE|/N " << de);
  CHECK(df < 1e-8);
  CHECK(db < 1e-8);
  CHECK(dv < 1e-6);
  CHECK(de < 1e-6);
  // the virial is symmetric and the forces sum to zero (momentum conservation)
  CHECK(std::fabs(r.vir[1] - r.vir[3]) < 1e-9);
  CHECK(std::fabs(r.vir[2] - r.vir[6]) < 1e-9);
  CHECK(std::fabs(r.vir[5] - r.vir[7]) < 1e-9);
  for (double v : fsum) CHECK(std::fabs(v) < 1e-9);
  double esum = 0.0;
  for (double v : r.eatom) esum += v;
  CHECK(std::fabs(esum - r.e) < 1e-9 * std::max(1.0, std::fabs(r.e)));
}

// 2x2x2 Li3N with positions displaced (~0.1 Å) and the cell sheared (a few %), deterministic
md_system *distorted_cell(const io_elements &el, unsigned seed) {
  Frame uc("unitcell.xyz", el);
  const md_system *u = uc.sys();
  md_system *s = nullptr;
  REQUIRE(system_create(&s, 8 * u->n) == MD_OK);
  s->nelem = u->nelem;
  std::memcpy(s->elem, u->elem, sizeof s->elem);
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  double eps[9];
  for (double &e : eps) e = 0.03 * g(rng);
  md_box big = u->box;
  for (int k = 0; k < 9; k++) big.h[k] = 2.0 * u->box.h[k];
  REQUIRE(box_update(&big, "2x2x2") == MD_OK);
  box_strain(&big, eps, &s->box);
  int n = 0;
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++)
      for (int c = 0; c < 2; c++)
        for (int i = 0; i < u->n; i++, n++) {
          double fr[3], r[3];
          pbc_to_frac(u->box.hinv, u->x[i], u->y[i], u->z[i], fr);
          pbc_to_cart(s->box.h, (fr[0] + a) / 2, (fr[1] + b) / 2, (fr[2] + c) / 2, r);
          s->x[n] = r[0] + 0.1 * g(rng);
          s->y[n] = r[1] + 0.1 * g(rng);
          s->z[n] = r[2] + 0.1 * g(rng);
          s->type[n] = u->type[i];
        }
  return s;
}

// Finite-difference tests make hundreds of small calls; one thread keeps them fast when CI runs tests in parallel
// (the thread-count test covers threading).
struct OneThread {
  int saved = omp_get_max_threads();
  OneThread() { omp_set_num_threads(1); }
  ~OneThread() { omp_set_num_threads(saved); }
};

double energy_only(const Model &m, const md_system *s, const nbr_list *nl) {
  std::vector<double> f(3 * s->n, 0.0);
  double e, vir[9] = {0};
  REQUIRE(snap_cpu_compute(m.cpu, s, nl, f.data(), f.data() + s->n, f.data() + 2 * s->n, &e, vir, nullptr, nullptr) ==
          MD_OK);
  return e;
}

// forces = -dE/dr (central differences, h = 1e-5 Å) for atoms [0, natoms)
void check_fd_forces(const std::string &model, int natoms) {
  OneThread one;
  Model m(model);
  md_system *s = distorted_cell(m.elements(), 11);
  Result r = compute(m, s);
  nbr_list *nl = nullptr;
  REQUIRE(nbr_create(&nl, snap_cpu_cutoff(m.cpu), 1.0, 0) == MD_OK);
  REQUIRE(nbr_build(nl, s) == MD_OK);
  const double h = 1e-5;
  double maxd = 0.0, maxf = 0.0;
  for (int i = 0; i < std::min(natoms, s->n); i++)
    for (int k = 0; k < 3; k++) {
      double *x = k == 0 ? s->x : k == 1 ? s->y : s->z;
      const double x0 = x[i];
      x[i] = x0 + h;
      const double ep = energy_only(m, s, nl);
      x[i] = x0 - h;
      const double em = energy_only(m, s, nl);
      x[i] = x0;
      const double fd = -(ep - em) / (2 * h);
      maxd = std::max(maxd, std::fabs(fd - r.f[k * s->n + i]));
      maxf = std::max(maxf, std::fabs(fd));
    }
  WARN(model << ": max |F + dE/dr| " << maxd << " eV/A (max |F| " << maxf << ")");
  CHECK(maxd < 1e-6);
  CHECK(maxf > 0.1);  // the test is not vacuous
  nbr_destroy(&nl);
  system_destroy(&s);
}

// virial = -dE/dε (cell and positions strained together), all 9 components
void check_fd_virial(const std::string &model) {
  OneThread one;
  Model m(model);
  md_system *s = distorted_cell(m.elements(), 12);
  Result r = compute(m, s);
  md_system *t = nullptr;
  REQUIRE(system_copy(&t, s) == MD_OK);
  const double h = 1e-6;
  double maxd = 0.0;
  for (int c = 0; c < 9; c++) {
    double ed[2];
    for (int sgn = 0; sgn < 2; sgn++) {
      double eps[9] = {0};
      eps[c] = sgn == 0 ? h : -h;
      box_strain(&s->box, eps, &t->box);
      for (int i = 0; i < s->n; i++) {
        const double p[3] = {s->x[i], s->y[i], s->z[i]};
        t->x[i] = p[0] + p[0] * eps[0] + p[1] * eps[3] + p[2] * eps[6];
        t->y[i] = p[1] + p[0] * eps[1] + p[1] * eps[4] + p[2] * eps[7];
        t->z[i] = p[2] + p[0] * eps[2] + p[1] * eps[5] + p[2] * eps[8];
      }
      ed[sgn] = compute(m, t, 0.5, false).e;
    }
    const double w = -(ed[0] - ed[1]) / (2 * h);
    maxd = std::max(maxd, std::fabs(w - r.vir[c]));
  }
  WARN(model << ": max |W + dE/deps| " << maxd << " eV (W_xx " << r.vir[0] << ")");
  CHECK(maxd < 1e-5);
  system_destroy(&t);
  system_destroy(&s);
}

}  // namespace

TEST_CASE("SNAP bispectrum and energy of the shared reference configurations match LAMMPS", "[snap]") {
  Model m("li3n");
  REQUIRE(snap_cpu_nbispectrum(m.cpu) == 30);
  for (const char *file : {"unitcell.xyz", "snap222_300K.xyz", "snap333_1000K.xyz", "zbl222_close.xyz"}) {
    Frame fr(file, m.elements());
    Result r = compute(m, fr.sys());
    int nc = 0;
    const real_t *bref = xyz_frame_prop(&fr.f, "bispectrum", &nc);
    REQUIRE(bref != nullptr);
    REQUIRE(nc == 30);
    double db = 0.0;
    for (size_t k = 0; k < r.b.size(); k++) db = std::max(db, std::fabs(r.b[k] - bref[k]) / std::fabs(bref[k]));
    double eref = 0.0;
    REQUIRE(xyz_frame_get_reals(&fr.f, "energy_snap", &eref, 1) == MD_OK);
    const double de = std::fabs(r.e - eref) / fr.sys()->n;
    WARN(file << ": max relative dB " << db << ", |dE|/atom " << de << " eV");
    CHECK(db < 1e-8);
    CHECK(de < 1e-6);
  }
}

TEST_CASE("SNAP-only forces and virial of the Li3N model match LAMMPS", "[snap]") {
  Model m("li3n");
  for (const char *s : {"unitcell", "snap222_300K", "snap333_1000K", "zbl222_close"}) check_against_lammps(m, "li3n", s);
}

TEST_CASE("SNAP twojmax 8 with switchflag 0 bzeroflag 1 and rmin0 matches LAMMPS", "[snap]") {
  Model m("tj8");
  for (const char *s : {"unitcell", "snap222_300K", "snap333_1000K", "zbl222_close"}) check_against_lammps(m, "tj8", s);
}

TEST_CASE("SNAP odd twojmax 7 with bzeroflag 1 matches LAMMPS", "[snap]") {
  Model m("tj7");
  for (const char *s : {"unitcell", "snap222_300K"}) check_against_lammps(m, "tj7", s);
}

TEST_CASE("SNAP twojmax 14 with rmin0 matches LAMMPS", "[snap]") {
  Model m("tj14");
  for (const char *s : {"unitcell", "snap222_300K"}) check_against_lammps(m, "tj14", s);
}

TEST_CASE("SNAP forces are minus the energy gradient by finite differences", "[snap]") {
  check_fd_forces("li3n", 1000);
  check_fd_forces("tj7", 1000);
  check_fd_forces("tj8", 1000);
  check_fd_forces("tj14", 2);
}

TEST_CASE("SNAP virial is minus the strain derivative of the energy", "[snap]") {
  check_fd_virial("li3n");
  check_fd_virial("tj7");
  check_fd_virial("tj8");
}

// Pair forces are gathered per atom in a fixed order and sums run over atoms, so the results are bitwise
// identical whatever the thread count and the (dynamic) schedule.
TEST_CASE("SNAP results do not depend on the number of OpenMP threads", "[snap]") {
  Model m("li3n");
  Frame fr("snap333_1000K.xyz", m.elements());
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  Result r1 = compute(m, fr.sys());
  for (int nt : {2, 3, 5}) {
    omp_set_num_threads(nt);
    for (int rep = 0; rep < 2; rep++) {
      Result rn = compute(m, fr.sys());
      CHECK(rn.f == r1.f);
      CHECK(rn.e == r1.e);
      for (int c = 0; c < 9; c++) CHECK(rn.vir[c] == r1.vir[c]);
      CHECK(rn.b == r1.b);
      CHECK(rn.eatom == r1.eatom);
    }
  }
  omp_set_num_threads(saved);
}

// The per-pair MD_HD drivers (snap_u_pair, snap_z_entry, snap_b_entry, snap_deidrj_pair), written as a GPU
// kernel would use them, one pair at a time, give the CPU backend's energy and forces.
TEST_CASE("SNAP per-pair leaf functions reproduce the CPU backend", "[snap]") {
  for (const char *model : {"li3n", "tj7"}) {
    Model m(model);
    Frame fr("snap222_300K.xyz", m.elements());
    const md_system *s = fr.sys();
    Result r = compute(m, s);
    snap_tables *t = nullptr;
    REQUIRE(snap_tables_create(&t, &m.p) == MD_OK);
    nbr_list *nl = nullptr;
    REQUIRE(nbr_create(&nl, snap_cpu_cutoff(m.cpu), 0.3, 0) == MD_OK);
    REQUIRE(nbr_build(nl, s) == MD_OK);
    const int tj = t->twojmax;
    std::vector<double> f(3 * s->n, 0.0), hr(t->idxuh_max), hi(t->idxuh_max), fr_(t->idxu_max), fi(t->idxu_max);
    std::vector<double> zr(t->idxz_max), zi(t->idxz_max), yr(t->idxuh_max), yi(t->idxuh_max), ur, ui;
    std::vector<double> scratch(4 * SNAP_MAX_HALF_LAYER);
    double etot = 0.0;
    for (int i = 0; i < s->n; i++) {
      const int ti = s->type[i];
      std::vector<double> rij;
      std::vector<int> jn;
      for (int k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
        double d[3];
        pbc_image_shift(s->box.h, nl->img[k], d);
        const int j = nl->j[k];
        const double dx = s->x[j] + d[0] - s->x[i], dy = s->y[j] + d[1] - s->y[i], dz = s->z[j] + d[2] - s->z[i];
        const double rc = snap_pair_cutoff(&m.p, ti, s->type[j]);
        if (dx * dx + dy * dy + dz * dz < rc * rc) {
          rij.insert(rij.end(), {dx, dy, dz, rc});
          jn.push_back(j);
        }
      }
      const int nn = (int)jn.size();
      ur.assign((size_t)nn * t->idxuh_max, 0.0);
      ui.assign((size_t)nn * t->idxuh_max, 0.0);
      std::fill(hr.begin(), hr.end(), 0.0);
      std::fill(hi.begin(), hi.end(), 0.0);
      for (int n = 0; n < nn; n++) {
        double ck[4];
        const double *q = &rij[4 * n];
        snap_ck(q[0], q[1], q[2], q[3], m.p.rfac0, m.p.rmin0, ck);
        double *u_r = &ur[(size_t)n * t->idxuh_max], *u_i = &ui[(size_t)n * t->idxuh_max];
        snap_u_pair(t->idxuh_max, t->ufw_src, t->ufw_coef, ck, u_r, u_i);
        const double sw = m.p.weight[s->type[jn[n]]] *
                          snap_sfac(std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]), m.p.rmin0, q[3], m.p.switchflag);
        for (int h = 0; h < t->idxuh_max; h++) {
          hr[h] += sw * u_r[h];
          hi[h] += sw * u_i[h];
        }
      }
      snap_u_add_self(tj, t->idxuh_block, t->wself, 1, hr.data());
      snap_u_expand(tj, t->idxu_block, t->idxuh_block, 1, hr.data(), hi.data(), fr_.data(), fi.data());
      for (int z = 0; z < t->idxz_max; z++)
        snap_z_entry(t->idxz + z * SNAP_IZ_NF, t->cglist, 1, fr_.data(), fi.data(), &zr[z], &zi[z]);
      double e = m.p.beta[ti * m.p.ncoeff];
      for (int k = 0; k < t->idxb_max; k++) {
        double bk;
        snap_b_entry(t->idxb + k * SNAP_IB_NF, t->idxz, t->zw, 1, zr.data(), zi.data(), fr_.data(), fi.data(), &bk);
        e += m.p.beta[ti * m.p.ncoeff + 1 + k] * (bk - t->bzero_b[k]);
      }
      etot += e;
      std::fill(yr.begin(), yr.end(), 0.0);
      std::fill(yi.begin(), yi.end(), 0.0);
      for (int z = 0; z < t->idxz_max; z++) {
        const int h = t->idxz[z * SNAP_IZ_NF + SNAP_IZ_JJUH];
        yr[h] += t->betaz[ti * t->idxz_max + z] * zr[z];
        yi[h] += t->betaz[ti * t->idxz_max + z] * zi[z];
      }
      for (int n = 0; n < nn; n++) {
        const double *q = &rij[4 * n];
        double dedr[3];
        snap_deidrj_pair(tj, t->idxuh_block, t->uadj_src, t->uadj_coef, q[0], q[1], q[2], q[3], m.p.rfac0, m.p.rmin0, m.p.switchflag,
                         m.p.weight[s->type[jn[n]]], &ur[(size_t)n * t->idxuh_max], &ui[(size_t)n * t->idxuh_max],
                         yr.data(), yi.data(), scratch.data(), dedr);
        for (int k = 0; k < 3; k++) {
          f[k * s->n + i] += dedr[k];
          f[k * s->n + jn[n]] -= dedr[k];
        }
      }
    }
    double df = 0.0;
    for (size_t k = 0; k < f.size(); k++) df = std::max(df, std::fabs(f[k] - r.f[k]));
    CHECK(df < 1e-11);
    CHECK(std::fabs(etot - r.e) < 1e-10);
    nbr_destroy(&nl);
    snap_tables_destroy(&t);
    CHECK(t == nullptr);
  }
}

TEST_CASE("SNAP adds forces and virial sets the energy and rejects unusable neighbour lists", "[snap]") {
  Model m("li3n");
  Frame fr("snap222_300K.xyz", m.elements());
  const md_system *s = fr.sys();
  Result r = compute(m, s);
  nbr_list *nl = nullptr;
  REQUIRE(nbr_create(&nl, snap_cpu_cutoff(m.cpu), 0.0, 0) == MD_OK);
  REQUIRE(nbr_build(nl, s) == MD_OK);
  std::vector<double> f(3 * s->n, 1.0);
  double e = 123.0, vir[9];
  for (double &v : vir) v = 2.0;
  REQUIRE(snap_cpu_compute(m.cpu, s, nl, f.data(), f.data() + s->n, f.data() + 2 * s->n, &e, vir, nullptr, nullptr) ==
          MD_OK);
  CHECK(e == Approx(r.e).epsilon(1e-13));
  for (size_t k = 0; k < f.size(); k++) CHECK(f[k] - 1.0 == Approx(r.f[k]).margin(1e-12));
  for (int c = 0; c < 9; c++) CHECK(vir[c] - 2.0 == Approx(r.vir[c]).margin(1e-10));
  nbr_destroy(&nl);

  // half list, too short a cutoff, wrong atom count: errors, no crash
  REQUIRE(nbr_create(&nl, snap_cpu_cutoff(m.cpu), 0.0, 1) == MD_OK);
  REQUIRE(nbr_build(nl, s) == MD_OK);
  CHECK(snap_cpu_compute(m.cpu, s, nl, f.data(), f.data() + s->n, f.data() + 2 * s->n, &e, vir, nullptr, nullptr) !=
        MD_OK);
  CHECK(std::string(md_errmsg()).find("full") != std::string::npos);
  nbr_destroy(&nl);
  REQUIRE(nbr_create(&nl, 4.0, 0.5, 0) == MD_OK);
  REQUIRE(nbr_build(nl, s) == MD_OK);
  CHECK(snap_cpu_compute(m.cpu, s, nl, f.data(), f.data() + s->n, f.data() + 2 * s->n, &e, vir, nullptr, nullptr) !=
        MD_OK);
  CHECK(std::string(md_errmsg()).find("cutoff") != std::string::npos);
  nbr_destroy(&nl);
  CHECK(snap_cpu_cutoff(m.cpu) == Approx(5.6).epsilon(1e-14));

  // an atom type the model does not have
  md_system *bad = nullptr;
  REQUIRE(system_copy(&bad, s) == MD_OK);
  bad->type[5] = 2;
  REQUIRE(nbr_create(&nl, snap_cpu_cutoff(m.cpu), 0.0, 0) == MD_OK);
  REQUIRE(nbr_build(nl, bad) == MD_OK);
  CHECK(snap_cpu_compute(m.cpu, bad, nl, f.data(), f.data() + s->n, f.data() + 2 * s->n, &e, vir, nullptr, nullptr) ==
        MD_ERR_VALUE);
  CHECK(std::string(md_errmsg()).find("atom 6") != std::string::npos);
  nbr_destroy(&nl);
  system_destroy(&bad);
}

// Isolated atoms (no neighbour inside the cutoff): B is the self term alone, so with bzeroflag B = 0 and E = β0,
// without it B_k = bzero_k = (j+1); no force.
TEST_CASE("SNAP isolated atoms have the bzero bispectrum and energy beta0", "[snap]") {
  for (const char *model : {"tj7", "li3n"}) {
    Model m(model);
    md_system *s = nullptr;
    REQUIRE(system_create(&s, 2) == MD_OK);
    REQUIRE(box_set_lammps(&s->box, 20.0, 21.0, 22.0, 0.0, 0.0, 0.0, "box") == MD_OK);
    s->type[1] = 1;
    s->x[1] = s->y[1] = s->z[1] = 10.0;
    Result r = compute(m, s);
    snap_tables *t = nullptr;
    REQUIRE(snap_tables_create(&t, &m.p) == MD_OK);
    const int nb = snap_cpu_nbispectrum(m.cpu);
    for (int i = 0; i < 2; i++) {
      const double *beta = m.p.beta + s->type[i] * m.p.ncoeff;
      double e = beta[0];
      for (int k = 0; k < nb; k++) {
        const double b = m.p.bzeroflag ? 0.0 : t->idxb[k * SNAP_IB_NF + SNAP_IB_J] + 1.0;
        CHECK(r.b[i * nb + k] == Approx(b).margin(1e-13));
        e += beta[1 + k] * b;
      }
      CHECK(r.eatom[i] == Approx(e).epsilon(1e-13));
    }
    for (double v : r.f) CHECK(v == 0.0);
    snap_tables_destroy(&t);
    system_destroy(&s);
  }
}
