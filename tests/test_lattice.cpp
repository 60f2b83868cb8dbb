// α-Li3N supercell builder: the 1×1×1 cell equals the reference unit cell (tests/data/unitcell.xyz), and a
// 3×3×3 supercell has the same atoms as LAMMPS `replicate 3 3 3` of the SNAP repository's data.li3n
// (tests/data/li3n_333_replicate.data, deck tests/data/lammps-inputs/in.replicate): same cell, same
// element-resolved sorted interatomic-distance spectrum, and every atom on a LAMMPS atom of its element.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>

#include "test_io_util.h"

extern "C" {
#include "io_lammps_data.h"
#include "io_xyz.h"
#include "lattice.h"
#include "math/pbc.h"
#include "system.h"
}

using esnap_test::data;

// (type_i, type_j, distance) for every pair i <= j (all periodic images) closer than rc, sorted.
static std::vector<std::tuple<int, int, double>> spectrum(const md_system *s, double rc) {
  std::vector<std::tuple<int, int, double>> out;
  for (int i = 0; i < s->n; i++)
    for (int j = i; j < s->n; j++)
      for (int a = -2; a <= 2; a++)
        for (int b = -2; b <= 2; b++)
          for (int c = -2; c <= 2; c++) {
            if (i == j && a == 0 && b == 0 && c == 0) continue;
            double d[3];
            pbc_to_cart(s->box.h, a, b, c, d);
            double dx = s->x[j] + d[0] - s->x[i], dy = s->y[j] + d[1] - s->y[i], dz = s->z[j] + d[2] - s->z[i];
            double r = std::sqrt(dx * dx + dy * dy + dz * dz);
            if (r < rc) out.emplace_back(std::min(s->type[i], s->type[j]), std::max(s->type[i], s->type[j]), r);
          }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("lattice Li3N unit cell equals unitcell.xyz", "[lattice]") {
  md_model m = esnap_test::load_model();
  md_system *s = nullptr;
  REQUIRE(lattice_li3n(&s, 1, 1, 1, 0.0, 0.0, &m) == MD_OK);
  io_elements el;
  model_elements(&m, &el);
  xyz_frame f = {};
  REQUIRE(xyz_read_first(data("unitcell.xyz").c_str(), &el, &f) == MD_OK);
  REQUIRE(s->n == f.sys->n);
  // the file's cell has b_y = 3.16159 (6 decimals) for a√3/2 = 3.1615901...
  for (int k = 0; k < 9; k++) CHECK(std::fabs(s->box.h[k] - f.sys->box.h[k]) < 2e-6);
  for (int i = 0; i < s->n; i++) {
    CHECK(s->type[i] == f.sys->type[i]);
    CHECK(std::fabs(s->x[i] - f.sys->x[i]) < 2e-6);
    CHECK(std::fabs(s->y[i] - f.sys->y[i]) < 2e-6);
    CHECK(std::fabs(s->z[i] - f.sys->z[i]) < 2e-6);
  }
  CHECK(std::string(s->elem[s->type[0]]) == "Li");
  CHECK(std::string(s->elem[s->type[3]]) == "N");
  xyz_frame_free(&f);
  system_destroy(&s);
  // bad repeats are an error, not a crash
  CHECK(lattice_li3n(&s, 0, 1, 1, 0.0, 0.0, &m) == MD_ERR_VALUE);
  CHECK(s == nullptr);
}

TEST_CASE("lattice Li3N 3x3x3 matches LAMMPS replicate", "[lattice]") {
  md_model m = esnap_test::load_model();
  md_system *mine = nullptr, *ref = nullptr;
  REQUIRE(lattice_li3n(&mine, 3, 3, 3, LI3N_A, LI3N_C, &m) == MD_OK);
  REQUIRE(lammps_data_read(&ref, data("li3n_333_replicate.data").c_str(), &m, nullptr, nullptr) == MD_OK);
  REQUIRE(mine->n == 108);
  REQUIRE(ref->n == 108);
  for (int k = 0; k < 9; k++) CHECK(std::fabs(mine->box.h[k] - ref->box.h[k]) < 5e-6);
  auto a = spectrum(mine, 6.0), b = spectrum(ref, 6.0);
  REQUIRE(a.size() == b.size());
  double worst = 0;
  size_t mismatched_types = 0;
  for (size_t k = 0; k < a.size(); k++) {
    if (std::get<0>(a[k]) != std::get<0>(b[k]) || std::get<1>(a[k]) != std::get<1>(b[k])) mismatched_types++;
    worst = std::max(worst, std::fabs(std::get<2>(a[k]) - std::get<2>(b[k])));
  }
  INFO("pairs within 6 A: " << a.size() << ", max distance difference " << worst);
  CHECK(mismatched_types == 0);
  CHECK(worst < 1e-5);
  // every atom of mine sits on an atom of the same element in the LAMMPS cell (modulo lattice vectors)
  int unmatched = 0;
  for (int i = 0; i < mine->n; i++) {
    bool found = false;
    for (int j = 0; j < ref->n && !found; j++) {
      if (ref->type[j] != mine->type[i]) continue;
      double d[3] = {ref->x[j] - mine->x[i], ref->y[j] - mine->y[i], ref->z[j] - mine->z[i]}, s[3];
      pbc_to_frac(mine->box.hinv, d[0], d[1], d[2], s);
      for (double &v : s) v -= std::round(v);
      double r[3];
      pbc_to_cart(mine->box.h, s[0], s[1], s[2], r);
      found = std::sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]) < 1e-5;
    }
    if (!found) unmatched++;
  }
  CHECK(unmatched == 0);
  system_destroy(&mine);
  system_destroy(&ref);
}
