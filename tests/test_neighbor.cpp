// Neighbour lists against brute force over periodic images, for small triclinic cells where the cutoff
// exceeds half the cell (many images of each atom, and of the atom itself).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>
#include <vector>

#include "test_nbr_util.h"
#include "test_util.h"

extern "C" {
#include "box.h"
#include "io_xyz.h"
#include "math/pbc.h"
#include "neighbor.h"
#include "system.h"
}

using Pair = std::tuple<int, int, int, int, int>;  // i, j, na, nb, nc

static std::vector<Pair> brute(const md_system *s, double rc, bool half) {
  std::vector<Pair> out;
  int M = 12;
  for (int i = 0; i < s->n; i++)
    for (int j = 0; j < s->n; j++)
      for (int a = -M; a <= M; a++)
        for (int b = -M; b <= M; b++)
          for (int c = -M; c <= M; c++) {
            if (i == j && a == 0 && b == 0 && c == 0) continue;
            double d[3];
            pbc_to_cart(s->box.h, a, b, c, d);
            double dx = s->x[j] + d[0] - s->x[i], dy = s->y[j] + d[1] - s->y[i], dz = s->z[j] + d[2] - s->z[i];
            if (dx * dx + dy * dy + dz * dz >= rc * rc) continue;
            if (half && (j < i || (j == i && pbc_pack_image(a, b, c) < PBC_IMG_ZERO))) continue;
            out.emplace_back(i, j, a, b, c);
          }
  std::sort(out.begin(), out.end());
  return out;
}

static std::vector<Pair> listed(const nbr_list *nl) {
  std::vector<Pair> out;
  for (int i = 0; i < nl->n; i++)
    for (int k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
      int a, b, c;
      pbc_unpack_image(nl->img[k], &a, &b, &c);
      out.emplace_back(i, nl->j[k], a, b, c);
    }
  std::sort(out.begin(), out.end());
  return out;
}

static void check_lists(md_system *s, double rc, double skin) {
  for (int half = 0; half <= 1; half++) {
    nbr_list *nl = nullptr;
    REQUIRE(nbr_create(&nl, rc, skin, half) == MD_OK);
    REQUIRE(nbr_build(nl, s) == MD_OK);
    auto want = brute(s, rc + skin, half);
    auto got = listed(nl);
    CHECK(got.size() == want.size());
    CHECK(got == want);
    nbr_destroy(&nl);
    CHECK(nl == nullptr);
  }
}

TEST_CASE("neighbour list of the 4-atom cell with cutoffs beyond half the cell", "[neighbor]") {
  xyz_frame f = {};
  REQUIRE(xyz_read_first(esnap_test::data("unitcell.xyz").c_str(), nullptr, &f) == MD_OK);
  REQUIRE(f.sys->n == 4);
  check_lists(f.sys, 5.6, 0.0);
  check_lists(f.sys, 5.6, 1.0);
  check_lists(f.sys, 9.0, 0.5);
  xyz_frame_free(&f);
}

TEST_CASE("neighbour list of a distorted triclinic cell with unwrapped positions", "[neighbor]") {
  xyz_frame f = {};
  REQUIRE(xyz_read_first(esnap_test::data("snap222_300K.xyz").c_str(), nullptr, &f) == MD_OK);
  md_system *s = f.sys;
  // general orientation: shear the cell and move atoms far outside it (lists must not care)
  esnap_test::shear_and_scatter(s, 7);
  check_lists(s, 5.6, 1.0);
  check_lists(s, 3.0, 0.0);
  xyz_frame_free(&f);
}

TEST_CASE("neighbour list rebuild criterion follows half the skin", "[neighbor]") {
  xyz_frame f = {};
  REQUIRE(xyz_read_first(esnap_test::data("snap222_300K.xyz").c_str(), nullptr, &f) == MD_OK);
  nbr_list *nl = nullptr;
  REQUIRE(nbr_create(&nl, 5.6, 1.0, 0) == MD_OK);
  CHECK(nbr_needs_rebuild(nl, f.sys) == 1);
  REQUIRE(nbr_build(nl, f.sys) == MD_OK);
  CHECK(nbr_needs_rebuild(nl, f.sys) == 0);
  f.sys->x[3] += 0.49;
  CHECK(nbr_needs_rebuild(nl, f.sys) == 0);
  f.sys->x[3] += 0.02;
  CHECK(nbr_needs_rebuild(nl, f.sys) == 1);
  nbr_destroy(&nl);
  xyz_frame_free(&f);
}

TEST_CASE("neighbour list with a tiny cutoff keeps the cell grid small and stays exact", "[neighbor]") {
  xyz_frame f = {};
  REQUIRE(xyz_read_first(esnap_test::data("snap333_1000K.xyz").c_str(), nullptr, &f) == MD_OK);
  nbr_list *nl = nullptr;
  REQUIRE(nbr_create(&nl, 0.05, 0.0, 0) == MD_OK);
  REQUIRE(nbr_build(nl, f.sys) == MD_OK);
  CHECK((long)nl->geom.ncell[0] * nl->geom.ncell[1] * nl->geom.ncell[2] <= 4L * f.sys->n);
  CHECK(nbr_entries(nl) == 0);
  nbr_destroy(&nl);
  check_lists(f.sys, 1.9, 0.0);  // the shortest Li-N bonds only
  xyz_frame_free(&f);
}

TEST_CASE("neighbour cell grid stays bounded for extreme cutoffs and cells", "[neighbor]") {
  const double w[3] = {10.0, 12.0, 14.0};
  nbr_geom g;
  // a huge or non-finite range: no int conversion of inf or NaN, a clear refusal
  CHECK(nbr_geom_for(w, 1e308, 100, &g) == NBR_GEOM_STENCIL);
  CHECK(nbr_geom_for(w, INFINITY, 100, &g) == NBR_GEOM_BAD_RANGE);
  CHECK(nbr_geom_for(w, NAN, 100, &g) == NBR_GEOM_BAD_RANGE);
  CHECK(nbr_geom_for(w, -1.0, 100, &g) == NBR_GEOM_BAD_RANGE);
  CHECK((g.ncell[0] == 1 && g.ncell[1] == 1 && g.ncell[2] == 1));
  const double tiny[3] = {1e-300, 12.0, 14.0}, bad[3] = {NAN, 12.0, 14.0};
  CHECK(nbr_geom_for(tiny, 5.0, 100, &g) == NBR_GEOM_STENCIL);
  CHECK(nbr_geom_for(bad, 5.0, 100, &g) == NBR_GEOM_BAD_CELL);
  // a tiny range: at most NBR_MAX_CELLS_DIM per direction before the per-atom cap, stencil of one cell
  CHECK(nbr_geom_for(w, 1e-300, 1 << 30, &g) == NBR_GEOM_OK);
  for (int d = 0; d < 3; d++) {
    CHECK(g.ncell[d] == NBR_MAX_CELLS_DIM);
    CHECK(g.m[d] == 1);
  }
  const double slab[3] = {10.0, 1000.0, 1000.0};
  CHECK(nbr_geom_for(slab, NBR_MAX_STENCIL * 10.0 / 1.0001, 1, &g) == NBR_GEOM_OK);
  CHECK(g.m[0] == NBR_MAX_STENCIL);
  CHECK(nbr_geom_for(slab, NBR_MAX_STENCIL * 10.0 * 1.0001, 1, &g) == NBR_GEOM_STENCIL);
  // a nearly flat cell whose stencil would visit billions of cells per atom (a fuzzed extended XYZ): refused
  const double flat[3] = {0.2, 0.2, 0.2};
  CHECK(nbr_geom_for(flat, 10.0, 3, &g) == NBR_GEOM_STENCIL);
  // the builders refuse with a message
  xyz_frame f = {};
  REQUIRE(xyz_read_first(esnap_test::data("snap222_300K.xyz").c_str(), nullptr, &f) == MD_OK);
  nbr_list *nl = nullptr;
  REQUIRE(nbr_create(&nl, 1e308, 1.0, 0) == MD_OK);
  CHECK(nbr_build(nl, f.sys) == MD_ERR_VALUE);
  CHECK(std::string(md_errmsg()).find("too large for a cell") != std::string::npos);
  nbr_destroy(&nl);
  CHECK(nbr_create(&nl, 1e308, 1e308, 0) == MD_ERR_VALUE);
  CHECK(nbr_create(&nl, INFINITY, 1.0, 1) == MD_ERR_VALUE);
  xyz_frame_free(&f);
}
