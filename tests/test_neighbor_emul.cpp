// CPU emulation of the device neighbour-list build (kernels/neighbor_kern.h, launched by
// kernels/neighbor_gpu.cu) against host/ff/neighbor.c: for the 4-atom cell with cutoffs beyond half the cell, a
// distorted triclinic cell with unwrapped positions and three systems back to back, both build paths (the
// graph path's counting sort + per-cell order, the host path's stable sort) give the CPU's lists entry by
// entry, in the same order; two lists from one stencil walk give the CPU's sets; wrapping equals
// system_wrap; capacity overflow is detected; the displacement check follows half the skin. Run time < 1 s.
#include <catch2/catch.hpp>

#include <random>

#include "test_emul_util.h"
#include "test_nbr_util.h"

extern "C" {
#include "box.h"
#include "math/pbc.h"
}

namespace {

md_system *distorted_222() {
  md_system *s = emul::load("snap222_300K.xyz", &emul::model());
  esnap_test::shear_and_scatter(s, 11);
  return s;
}

// Device lists of every system equal nbr_build's, entry by entry (order included).
void check_same_as_host(const std::vector<md_system *> &sys, double rc, double skin, int half, bool thrust_path) {
  emul::Layout L(sys);
  std::vector<const md_box *> boxes;
  for (auto *s : sys) boxes.push_back(&s->box);
  std::vector<emul::List> lists(1);
  lists[0].maxnbr = 2000;
  lists[0].rl2 = (rc + skin) * (rc + skin);
  lists[0].half = half;
  emul::Builder B;
  B.build(L, boxes, lists, skin, false, thrust_path);
  CHECK(B.far == 0);
  for (size_t k = 0; k < sys.size(); k++) {
    nbr_list *nl = nullptr;
    REQUIRE(nbr_create(&nl, rc, skin, half) == MD_OK);
    REQUIRE(nbr_build(nl, sys[k]) == MD_OK);
    int most = 0;
    for (int i = 0; i < sys[k]->n; i++) {
      INFO("system " << k << " atom " << i << " rc " << rc << " skin " << skin << " half " << half << " thrust " << thrust_path);
      auto want = emul::entries(nl, i, L.off[k]);
      auto got = emul::entries(lists[0], L.ntot, L.off[k] + i);
      REQUIRE(got == want);
      most = std::max(most, (int)want.size());
    }
    CHECK(B.need[0] >= most);
    nbr_destroy(&nl);
  }
}

}  // namespace

TEST_CASE("emulated device neighbour lists equal the host lists entry by entry", "[neighbor][emul]") {
  md_system *uc = emul::load("unitcell.xyz", &emul::model());
  md_system *d2 = distorted_222();
  md_system *s3 = emul::load("snap333_1000K.xyz", &emul::model());
  REQUIRE(uc->n == 4);
  for (int thrust = 0; thrust <= 1; thrust++)
    for (int half = 0; half <= 1; half++) {
      check_same_as_host({uc}, 5.6, 0.0, half, thrust);
      check_same_as_host({uc}, 5.6, 1.0, half, thrust);
      check_same_as_host({uc}, 9.0, 0.5, half, thrust);  // stencil wider than the cell: images of every atom
      check_same_as_host({d2}, 5.6, 1.0, half, thrust);
      check_same_as_host({uc, d2, s3}, 6.0, 1.0, half, thrust);  // three systems in one launch
    }
  system_destroy(&uc);
  system_destroy(&d2);
  system_destroy(&s3);
}

TEST_CASE("emulated device lists follow the host's cell-grid cap for tiny cutoffs", "[neighbor][emul]") {
  md_system *dense = emul::load("zbl_zbl_dense.xyz", &emul::model());
  nbr_geom g;
  const double rl = 0.78;
  REQUIRE(nbr_geom_for(dense->box.width, rl, dense->n, &g) == 0);
  long capped = (long)g.ncell[0] * g.ncell[1] * g.ncell[2], plain = 1;
  for (int d = 0; d < 3; d++) plain *= (long)std::floor(dense->box.width[d] / rl);
  CHECK(plain > 4L * dense->n);  // the cap applies here ...
  CHECK(capped <= 4L * dense->n);
  nbr_list *nl = nullptr;
  REQUIRE(nbr_create(&nl, 0.68, 0.1, 0) == MD_OK);
  REQUIRE(nbr_build(nl, dense) == MD_OK);
  CHECK(nbr_entries(nl) > 0);  // ... and there are pairs that close
  for (int d = 0; d < 3; d++) CHECK(nl->geom.ncell[d] == g.ncell[d]);
  nbr_destroy(&nl);
  for (int thrust = 0; thrust <= 1; thrust++)
    for (int half = 0; half <= 1; half++) check_same_as_host({dense}, 0.68, 0.1, half, thrust);
  system_destroy(&dense);
}

TEST_CASE("emulated dual list from one stencil walk holds the host pairs of each cutoff", "[neighbor][emul]") {
  md_system *s3 = emul::load("snap333_1000K.xyz", &emul::model());
  md_system *d2 = distorted_222();
  std::vector<md_system *> sys = {s3, d2};
  emul::Layout L(sys);
  std::vector<const md_box *> boxes = {&s3->box, &d2->box};
  const double skin = 1.0, rc[2] = {5.6, 8.0};
  const int half[2] = {0, 1};
  std::vector<emul::List> lists(2);
  for (int k = 0; k < 2; k++) {
    lists[k].maxnbr = 1000;
    lists[k].rl2 = (rc[k] + skin) * (rc[k] + skin);
    lists[k].half = half[k];
  }
  emul::Builder B;
  B.build(L, boxes, lists, skin, false, false);
  for (int k = 0; k < 2; k++)
    for (size_t q = 0; q < sys.size(); q++) {
      nbr_list *nl = nullptr;
      REQUIRE(nbr_create(&nl, rc[k], skin, half[k]) == MD_OK);
      REQUIRE(nbr_build(nl, sys[q]) == MD_OK);
      for (int i = 0; i < sys[q]->n; i++) {
        auto want = emul::entries(nl, i, L.off[q]);
        auto got = emul::entries(lists[k], L.ntot, L.off[q] + i);
        std::sort(want.begin(), want.end());
        std::sort(got.begin(), got.end());
        INFO("list " << k << " system " << q << " atom " << i);
        REQUIRE(got == want);
      }
      nbr_destroy(&nl);
    }
  system_destroy(&s3);
  system_destroy(&d2);
}

TEST_CASE("emulated wrap equals system_wrap and keeps every pair vector", "[neighbor][emul]") {
  md_system *d2 = distorted_222();
  md_system *w = nullptr;
  REQUIRE(system_copy(&w, d2) == MD_OK);
  system_wrap(w);
  emul::Layout L({d2});
  std::vector<const md_box *> boxes = {&d2->box};
  std::vector<emul::List> lists(1);
  lists[0].maxnbr = 500;
  lists[0].rl2 = 6.6 * 6.6;
  emul::Builder B;
  B.build(L, boxes, lists, 1.0, true, false);
  const int n = d2->n;
  for (int i = 0; i < n; i++) {
    CHECK(L.pos[i] == w->x[i]);
    CHECK(L.pos[n + i] == w->y[i]);
    CHECK(L.pos[2 * n + i] == w->z[i]);
    CHECK(L.img[i] == w->ix[i]);
    CHECK(L.img[n + i] == w->iy[i]);
    CHECK(L.img[2 * n + i] == w->iz[i]);
    CHECK(B.x0[i] == w->x[i]);
  }
  // the lists of the wrapped positions equal the host lists of the wrapped system
  nbr_list *nl = nullptr;
  REQUIRE(nbr_create(&nl, 5.6, 1.0, 0) == MD_OK);
  REQUIRE(nbr_build(nl, w) == MD_OK);
  for (int i = 0; i < n; i++) CHECK(emul::entries(lists[0], n, i) == emul::entries(nl, i, 0));
  nbr_destroy(&nl);
  system_destroy(&w);
  system_destroy(&d2);
}

TEST_CASE("emulated build reports capacity overflow with the needed count", "[neighbor][emul]") {
  md_system *s3 = emul::load("snap333_1000K.xyz", &emul::model());
  emul::Layout L({s3});
  std::vector<const md_box *> boxes = {&s3->box};
  std::vector<emul::List> big(1), small(1);
  big[0].maxnbr = 1000;
  small[0].maxnbr = 7;
  big[0].rl2 = small[0].rl2 = 6.6 * 6.6;
  emul::Builder B1, B2;
  B1.build(L, boxes, big, 1.0, false, false);
  B2.build(L, boxes, small, 1.0, false, false);
  int most = 0;
  for (int i = 0; i < L.ntot; i++) most = std::max(most, big[0].num[i]);
  CHECK(B2.need[0] == most);
  CHECK(B1.need[0] == most);
  for (int i = 0; i < L.ntot; i++) {
    CHECK(small[0].num[i] == std::min(7, big[0].num[i]));
    auto a = emul::entries(small[0], L.ntot, i), b = emul::entries(big[0], L.ntot, i);
    b.resize(a.size());
    CHECK(a == b);
  }
  system_destroy(&s3);
}

TEST_CASE("emulated displacement check and cell scan", "[neighbor][emul]") {
  md_system *s = emul::load("snap222_300K.xyz", &emul::model());
  nbr_list *nl = nullptr;
  REQUIRE(nbr_create(&nl, 5.6, 1.0, 0) == MD_OK);
  REQUIRE(nbr_build(nl, s) == MD_OK);
  emul::Layout L({s});
  std::vector<double> x0 = L.pos;
  const double lim2 = 0.25 * 1.0 * 1.0;
  auto any_moved = [&]() {
    int m = 0;
    for (int i = 0; i < L.ntot; i++) m |= nbr_moved_body(i, L.ntot, L.pos.data(), x0.data(), lim2);
    return m;
  };
  CHECK(any_moved() == 0);
  for (double dx : {0.49, 0.02}) {
    s->x[3] += dx;
    L.pos[3] += dx;
    CHECK(any_moved() == nbr_needs_rebuild(nl, s));
  }
  CHECK(any_moved() == 1);
  nbr_destroy(&nl);
  system_destroy(&s);
  // the one-block scan over more cells than threads
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> cnt(0, 9);
  for (int ncells : {1, 5, 1023, 1024, 1025, 5000, 77777}) {
    std::vector<int> count(ncells), start(ncells + 1), part(1024);
    for (auto &c : count) c = cnt(rng);
    for (int t = 0; t < 1024; t++) part[t] = nbr_scan_chunk_sum(t, 1024, ncells, count.data());
    int total = nbr_scan_partials(part.data(), 1024);
    for (int t = 0; t < 1024; t++) nbr_scan_chunk_write(t, 1024, ncells, count.data(), part[t], start.data());
    start[ncells] = total;
    int run = 0;
    for (int c = 0; c < ncells; c++) {
      REQUIRE(start[c] == run);
      run += count[c];
    }
    CHECK(start[ncells] == run);
  }
}
