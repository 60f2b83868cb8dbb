// test_emul_util.h — CPU emulation of the device kernels (kernels/*_kern.h bodies run over their launch's
// index space, one index at a time): the gpu_types.h layout built from host systems, and the device
// neighbour-list build (counting-sort path and Thrust path). Used by tests/test_*_emul.cpp.
#ifndef ESNAP_TEST_EMUL_UTIL_H
#define ESNAP_TEST_EMUL_UTIL_H

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "backend_cases.h"

extern "C" {
#include "io_xyz.h"
#include "model.h"
#include "neighbor.h"
#include "system.h"
}
#include "gpu_kern.h"
#include "neighbor_kern.h"

namespace emul {

// R systems back to back in the device layout (gpu_types.h).
struct Layout {
  int nsys = 0, ntot = 0;
  std::vector<int> off, atom_sys, type, img;
  std::vector<double> box, pos, vel, force;
  explicit Layout(const std::vector<md_system *> &sys) {
    nsys = (int)sys.size();
    off.push_back(0);
    for (auto *s : sys) off.push_back(off.back() + s->n);
    ntot = off.back();
    atom_sys.resize(ntot);
    type.resize(ntot);
    pos.resize(3 * (size_t)ntot);
    vel.resize(3 * (size_t)ntot);
    force.assign(3 * (size_t)ntot, 0.0);
    img.resize(3 * (size_t)ntot);
    for (int k = 0; k < nsys; k++) {
      const md_system *s = sys[k];
      for (int d = 0; d < 9; d++) box.push_back(s->box.h[d]);
      for (int d = 0; d < 9; d++) box.push_back(s->box.hinv[d]);
      for (int i = 0; i < s->n; i++) {
        int g = off[k] + i;
        atom_sys[g] = k;
        type[g] = s->type[i];
        pos[g] = s->x[i];
        pos[ntot + g] = s->y[i];
        pos[2 * ntot + g] = s->z[i];
        vel[g] = s->vx[i];
        vel[ntot + g] = s->vy[i];
        vel[2 * ntot + g] = s->vz[i];
        img[g] = s->ix[i];
        img[ntot + g] = s->iy[i];
        img[2 * ntot + g] = s->iz[i];
      }
    }
  }
};

// One device list in host memory (column-major, as nbr_list_gpu).
struct List {
  int maxnbr = 0;
  double rl2 = 0;
  int half = 0;
  std::vector<int> num, j, img;
};

// The device neighbour build, emulated: cell geometry per system, assign (optional wrap), cells by counting
// sort + per-cell order (the graph path) or by a stable sort (the Thrust path), then the list bodies.
struct Builder {
  std::vector<nbr_geom> geom;
  int ncells = 0;
  std::vector<double> frac, x0;
  std::vector<int> own, key, sorted, start, count, fill;
  int need[2] = {0, 0};
  unsigned far = 0;

  void build(Layout &L, const std::vector<const md_box *> &boxes, std::vector<List> &lists, double skin, bool wrap,
             bool thrust_path) {
    double rl = 0;
    for (auto &l : lists) rl = std::max(rl, std::sqrt(l.rl2));
    geom.resize(L.nsys);
    ncells = 0;
    for (int s = 0; s < L.nsys; s++) {
      REQUIRE(nbr_geom_for(boxes[s]->width, rl, L.off[s + 1] - L.off[s], &geom[s]) == 0);
      geom[s].cellbase = ncells;
      ncells += geom[s].ncell[0] * geom[s].ncell[1] * geom[s].ncell[2];
    }
    (void)skin;
    const int n = L.ntot;
    frac.assign(3 * (size_t)n, 0);
    own.assign(3 * (size_t)n, 0);
    key.assign(n, 0);
    x0.assign(3 * (size_t)n, 0);
    count.assign(ncells, 0);
    fill.assign(ncells, 0);
    start.assign(ncells + 1, 0);
    sorted.assign(n, 0);
    far = 0;
    for (int i = 0; i < n; i++) {  // k_nbr_wrap_assign
      const double *b = &L.box[18 * L.atom_sys[i]];
      if (wrap) nbr_wrap_body(i, n, L.pos.data(), L.img.data(), b, b + 9);
      for (int d = 0; d < 3; d++) x0[d * n + i] = L.pos[d * n + i];
      far |= nbr_assign_body(i, n, L.pos.data(), b + 9, &geom[L.atom_sys[i]], frac.data(), own.data(), key.data());
      count[key[i]]++;
    }
    if (thrust_path) {  // stable sort by key, then the first index of every cell (lower_bound)
      std::vector<int> idx(n);
      for (int i = 0; i < n; i++) idx[i] = i;
      std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return key[a] < key[b]; });
      sorted = idx;
      std::vector<int> ks(n);
      for (int k = 0; k < n; k++) ks[k] = key[sorted[k]];
      for (int c = 0; c <= ncells; c++) start[c] = (int)(std::lower_bound(ks.begin(), ks.end(), c) - ks.begin());
    } else {
      const int T = 1024;  // k_nbr_scan: one block of 1024 threads
      std::vector<int> part(T);
      for (int t = 0; t < T; t++) part[t] = nbr_scan_chunk_sum(t, T, ncells, count.data());
      int total = nbr_scan_partials(part.data(), T);
      for (int t = 0; t < T; t++) nbr_scan_chunk_write(t, T, ncells, count.data(), part[t], start.data());
      start[ncells] = total;
      // fill in a scrambled order (device atomics give any order), then order each cell
      for (int q = n - 1; q >= 0; q--) nbr_fill_body(q, key.data(), start.data(), fill.data(), sorted.data());
      for (int c = 0; c < ncells; c++) nbr_order_body(c, start.data(), sorted.data());
    }
    nbr_build_args A{};
    A.ntot = n;
    A.nlist = (int)lists.size();
    for (size_t k = 0; k < lists.size(); k++) {
      List &l = lists[k];
      l.num.assign(n, -1);
      l.j.assign((size_t)l.maxnbr * n, -1);
      l.img.assign((size_t)l.maxnbr * n, -1);
      A.out[k].rl2 = l.rl2;
      A.out[k].half = l.half;
      A.out[k].maxnbr = l.maxnbr;
      A.out[k].num = l.num.data();
      A.out[k].j = l.j.data();
      A.out[k].img = l.img.data();
    }
    A.atom_sys = L.atom_sys.data();
    A.box = L.box.data();
    A.geom = geom.data();
    A.frac = frac.data();
    A.own = own.data();
    A.cell_start = start.data();
    A.sorted = sorted.data();
    need[0] = need[1] = 0;
    A.need = need;
    for (int i = 0; i < n; i++) nbr_build_body(i, &A);
  }
};

// Entries (j, packed image) of atom i in a device list, in list order.
inline std::vector<std::pair<int, int>> entries(const List &l, int ntot, int i) {
  std::vector<std::pair<int, int>> e;
  for (int k = 0; k < l.num[i]; k++) e.emplace_back(l.j[(size_t)k * ntot + i], l.img[(size_t)k * ntot + i]);
  return e;
}
inline std::vector<std::pair<int, int>> entries(const nbr_list *nl, int i, int shift) {
  std::vector<std::pair<int, int>> e;
  for (int k = nl->offset[i]; k < nl->offset[i + 1]; k++) e.emplace_back(nl->j[k] + shift, nl->img[k]);
  return e;
}

// A reference structure from tests/data, types mapped to the model's elements.
inline md_system *load(const std::string &name, const md_model *m) {
  xyz_frame f{};
  io_elements el;
  model_elements(m, &el);
  std::string p = esnap_test::data(name);
  REQUIRE(xyz_read_first(p.c_str(), &el, &f) == MD_OK);
  REQUIRE(model_map_system(m, f.sys, p.c_str()) == MD_OK);
  md_system *s = nullptr;
  REQUIRE(system_copy(&s, f.sys) == MD_OK);
  xyz_frame_free(&f);
  return s;
}

inline const md_model &model() { return esnap_test::li3n_model(); }

inline double max_abs_diff(const double *a, const double *b, size_t n) {
  double d = 0;
  for (size_t k = 0; k < n; k++) d = std::max(d, std::fabs(a[k] - b[k]));
  return d;
}

}  // namespace emul

#endif
