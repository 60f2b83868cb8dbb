// test_snap_util.h — fixtures of the SNAP tests (tests/test_snap*.cpp): SNAP models of potentials/ and
// tests/data, reference frames, perturbed supercells, CPU lists packed in the device layout, the CPU backend's
// results over several systems, and the comparison of a backend's SNAP outputs with the CPU's.
#ifndef ESNAP_TEST_SNAP_UTIL_H
#define ESNAP_TEST_SNAP_UTIL_H

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "backend_cases.h"
#include "backend_emul.h"

extern "C" {
#include "box.h"
#include "io_xyz.h"
#include "math/pbc.h"
#include "nbr_gpu_host.h"
#include "neighbor.h"
#include "snap_cpu.h"
#include "snap_io.h"
#include "system.h"
}

namespace snap_test {

// A SNAP model: "li3n" (potentials/li3n_esnap) or tests/data/snap_NAME, with its CPU backend.
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

// The first frame of a tests/data structure file.
struct Frame {
  xyz_frame f = {};
  Frame(const std::string &file, const io_elements &el) {
    REQUIRE(xyz_read_first(esnap_test::data(file).c_str(), &el, &f) == MD_OK);
  }
  ~Frame() { xyz_frame_free(&f); }
  md_system *sys() const { return f.sys; }
};

// nx x ny x nz copies of the Li3N unit cell, every position displaced by a Gaussian of sigma (Å)
inline md_system *supercell(const io_elements &el, int nx, int ny, int nz, double sigma, unsigned seed) {
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

// Lists built on the CPU for each system, and packed into the device layout (capacity maxnbr, 0: the largest).
struct Lists {
  std::vector<nbr_list *> nl;
  nbr_gpu_host h = {};
  Lists(const std::vector<md_system *> &sys, double cutoff, double skin, int maxnbr = 0) {
    std::vector<int> na;
    for (const md_system *s : sys) {
      nbr_list *l = nullptr;
      REQUIRE(nbr_create(&l, cutoff, skin, 0) == MD_OK);
      REQUIRE(nbr_build(l, s) == MD_OK);
      nl.push_back(l);
      na.push_back(s->n);
    }
    REQUIRE(nbr_gpu_host_pack(&h, nl.data(), na.data(), (int)nl.size(), maxnbr) == MD_OK);
  }
  ~Lists() {
    for (nbr_list *l : nl) nbr_destroy(&l);
    nbr_gpu_host_free(&h);
  }
};

using Out = emul::SnapOut;  // e[nsys], vir[9 nsys], f [3][ntot], eatom [ntot], b [ntot nB]

// The CPU backend on each system with the same lists, in the device layout.
inline Out cpu_run(const Model &m, const std::vector<md_system *> &sys, const Lists &L) {
  Out o;
  const int nb = snap_cpu_nbispectrum(m.cpu);
  int ntot = 0;
  for (const md_system *s : sys) ntot += s->n;
  o.f.assign(3 * (size_t)ntot, 0.0);
  o.eatom.assign(ntot, 0.0);
  o.b.assign((size_t)ntot * nb, 0.0);
  int off = 0;
  for (size_t k = 0; k < sys.size(); k++) {
    const md_system *s = sys[k];
    std::vector<double> f(3 * s->n, 0.0), ea(s->n), b((size_t)s->n * nb);
    double e = 0.0, vir[9] = {0};
    REQUIRE(snap_cpu_compute(m.cpu, s, L.nl[k], f.data(), f.data() + s->n, f.data() + 2 * s->n, &e, vir, ea.data(), b.data()) ==
            MD_OK);
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

// The emulated SNAP kernels over the same lists (the fast chain path, or the reference path).
inline Out emul_run(const Model &m, const std::vector<md_system *> &sys, const Lists &L, bool reference, bool want_b = true) {
  emul::Snap k(m.p);
  k.reference = reference;
  emul::Layout A(sys);
  return k.run(A, L.h.maxnbr, L.h.num, L.h.j, L.h.img, want_b);
}

inline double max_abs(const std::vector<double> &v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// max |a - b| / max(|b|, floor) over entries; NaN (an unwritten output) fails
inline double max_rel(const std::vector<double> &a, const std::vector<double> &b, double floor) {
  REQUIRE(a.size() == b.size());
  double d = 0.0;
  for (size_t k = 0; k < a.size(); k++) {
    if (!std::isfinite(a[k])) return INFINITY;
    d = std::max(d, std::fabs(a[k] - b[k]) / std::max(std::fabs(b[k]), floor));
  }
  return d;
}

// max |a - b|; NaN fails
inline double max_diff(const std::vector<double> &a, const std::vector<double> &b) {
  REQUIRE(a.size() == b.size());
  double d = 0.0;
  for (size_t k = 0; k < a.size(); k++) {
    if (!std::isfinite(a[k])) return INFINITY;
    d = std::max(d, std::fabs(a[k] - b[k]));
  }
  return d;
}

// A backend's SNAP outputs g against the CPU's c with the backend's tolerances: energies (e_rel), forces
// (snap_f_rel of max(max |F|, 1 eV/Å) where set, else f_abs eV/Å), virial (snap_w_rel of max |W|), per-atom
// energies and bispectrum (snap_b_rel).
inline void compare(const Out &g, const Out &c, const std::string &what, const esnap_test::Tolerances &t) {
  const double fs = max_abs(c.f), vs = std::max(1e-30, max_abs(c.vir));
  const double de = max_rel(g.e, c.e, 1.0), df = max_diff(g.f, c.f), dv = max_rel(g.vir, c.vir, vs);
  const double dea = max_rel(g.eatom, c.eatom, 1.0), db = g.b.empty() ? 0.0 : max_rel(g.b, c.b, 1.0);
  WARN(what << ": rel dE " << de << ", |dF| " << df << " eV/A (max |F| " << fs << "), rel dW " << dv << ", rel dE_i " << dea
            << ", rel dB " << db);
  CHECK(de <= t.e_rel);
  CHECK(df <= (t.snap_f_rel > 0 ? t.snap_f_rel * std::max(fs, 1.0) : t.f_abs));
  CHECK(dv <= t.snap_w_rel);
  CHECK(dea <= t.snap_b_rel);
  CHECK(db <= t.snap_b_rel);
  CHECK(max_abs(c.e) > 0.1);  // not vacuous
}

}  // namespace snap_test

#endif
