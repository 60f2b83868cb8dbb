// CPU emulation of the SNAP CUDA kernels (kernels/snap_gpu_body.h, driven by tests/backend_emul.cpp in the launch
// order of kernels/snap_gpu.cu): results independent of the launch splits and of batching (bitwise), the chain
// decomposition against the CPU's whole-layer recursion, and the packing of CPU lists into the device layout.
// The emulated kernels against the CPU backend on every configuration and model: tests/test_snap_backends.cpp
// (the "- emulated" cases). Run time: about 1 s in Release on one core.
#include <catch2/catch.hpp>

#include "snap_gpu_body.h"
#include "test_snap_util.h"

using namespace snap_test;

// The y splits of yi and deidrj depend on the device size; the results must not.
TEST_CASE("SNAP GPU kernel results do not depend on the launch splits or on batching", "[snap][emul]") {
  Model m("li3n");
  Frame a("snap222_300K.xyz", m.elements()), b("zbl222_close.xyz", m.elements());
  std::vector<md_system *> both = {a.sys(), b.sys()};
  Lists L(both, snap_cpu_cutoff(m.cpu), 1.0);
  emul::Layout A(both);
  emul::Snap emu(m.p);
  emu.nsm = 1;
  auto run = [&](emul::Layout &X, const Lists &Y, bool want_b) {
    std::fill(X.force.begin(), X.force.end(), 0.0);
    return emu.run(X, Y.h.maxnbr, Y.h.num, Y.h.j, Y.h.img, want_b);
  };
  Out g1 = run(A, L, true);
  for (int nsm : {7, 132, 100000}) {
    emu.nsm = nsm;
    const snap_gpu_plan pl = snap_gpu_make_plan(A.ntot, L.h.maxnbr, m.p.twojmax, emu.idxuh_max(), nsm);
    INFO("nsm " << nsm << " gy " << pl.gy << " gd " << pl.gd << " gck " << pl.gck);
    Out g = run(A, L, true);
    CHECK(g.f == g1.f);
    CHECK(g.e == g1.e);
    CHECK(g.vir == g1.vir);
    CHECK(g.b == g1.b);
  }
  // each system alone, with a larger list capacity (other strides), equals its part of the batch bitwise
  for (int s = 0; s < 2; s++) {
    std::vector<md_system *> one = {both[s]};
    Lists L1(one, snap_cpu_cutoff(m.cpu), 1.0, L.h.maxnbr + 5);
    emul::Layout A1(one);
    Out g = run(A1, L1, false);
    const int off = A.off[s], n = A1.ntot;
    CHECK(g.e[0] == g1.e[s]);
    for (int c = 0; c < 9; c++) CHECK(g.vir[c] == g1.vir[9 * s + c]);
    int same = 1;
    for (int c = 0; c < 3; c++)
      for (int i = 0; i < n; i++) same &= g.f[(size_t)c * n + i] == g1.f[(size_t)c * A.ntot + off + i];
    CHECK(same == 1);
  }
}

// The chain decomposition against the CPU's whole-layer recursion and reverse pass, for random Cayley-Klein
// parameters and random Y, every twojmax.
TEST_CASE("SNAP GPU chains equal the whole-layer U recursion and its adjoint", "[snap][emul]") {
  std::mt19937 rng(5);
  std::normal_distribution<double> g(0.0, 1.0);
  for (int tj = 0; tj <= MD_SNAP_MAX_TWOJ; tj++) {
    snap_params p;
    std::memset(&p, 0, sizeof p);
    p.nelem = 1;
    p.twojmax = tj;
    p.rcutfac = 1.0;
    p.rfac0 = 0.99;
    p.radius[0] = 2.0;
    p.weight[0] = 1.0;
    int nb = 0;
    for (int j1 = 0; j1 <= tj; j1++)
      for (int j2 = 0; j2 <= j1; j2++)
        for (int j = j1 - j2; j <= std::min(tj, j1 + j2); j += 2) nb += j >= j1;
    p.ncoeff = nb + 1;
    snap_tables *t = nullptr;
    REQUIRE(snap_tables_create(&t, &p) == MD_OK);
    const int nh = t->idxuh_max;
    for (int trial = 0; trial < 3; trial++) {
      double ck[4];
      for (double &v : ck) v = g(rng);
      const double nrm = std::sqrt(ck[0] * ck[0] + ck[1] * ck[1] + ck[2] * ck[2] + ck[3] * ck[3]);
      for (double &v : ck) v /= nrm;
      std::vector<double> ur(nh), ui(nh), yr(nh), yi(nh), scratch(4 * SNAP_MAX_HALF_LAYER);
      for (int h = 0; h < nh; h++) {
        yr[h] = g(rng);
        yi[h] = g(rng);
      }
      snap_u_pair(nh, t->ufw_src, t->ufw_coef, ck, ur.data(), ui.data());
      double gref, bar[4];
      snap_u_adjoint_pair(tj, t->idxuh_block, t->uadj_src, t->uadj_coef, ck, ur.data(), ui.data(), yr.data(), yi.data(),
                          scratch.data(), &gref, bar);
      // reverse pass of every chain, summed
      double sum[5] = {0, 0, 0, 0, 0};
      const int nch = tj / 2 + 1;
      std::vector<double> sh(5 * nch * SNAP_GPU_LANES + 3 * SNAP_GPU_LANES, 0.0);
      snap_gpu_work W;
      std::memset(&W, 0, sizeof W);
      W.ntot = 1;
      W.P = 1;
      int cnt = 1;
      double pck[4] = {ck[0], ck[1], ck[2], ck[3]}, psw = 1.0;
      W.cnt = &cnt;
      W.pck = pck;
      W.psw = &psw;
      W.yr = yr.data();
      W.yi = yi.data();
      int *ints = snap_deidrj_ints(sh.data(), nch);
      snap_blk_count(W, 0, 0, ints);  // atom 0 has the one pair; lanes 1.. are beyond ntot
      for (int l = 1; l < SNAP_GPU_LANES; l++) ints[l] = 0;
      snap_blk_prefix(ints);
      for (int mb = 0; mb <= tj / 2; mb++) emul::snap_chain(tj, W, t->rootpq, 0, 0, mb, 0, sh.data(), nch);
      for (int mb = 0; mb <= tj / 2; mb++)
        for (int c = 0; c < 5; c++) sum[c] += sh[(mb * 5 + c) * SNAP_GPU_LANES];
      const double scale = std::fabs(gref) + std::fabs(bar[0]) + std::fabs(bar[1]) + std::fabs(bar[2]) + std::fabs(bar[3]);
      INFO("twojmax " << tj);
      CHECK(std::fabs(sum[0] - gref) < 1e-13 * scale);
      for (int c = 0; c < 4; c++) CHECK(std::fabs(sum[1 + c] - bar[c]) < 1e-13 * scale);
      // forward chains: U_tot of one neighbour (s = 1) plus the self term, full layout
      std::vector<double> fr(t->idxu_max, NAN), fi(t->idxu_max, NAN);
      W.ufr = fr.data();
      W.ufi = fi.data();
      snap_gpu_tab T;
      std::memset(&T, 0, sizeof T);
      T.wself = t->wself;
      for (int mb = 0; mb <= tj / 2; mb++) emul::snap_ui(tj, T, W, t->rootpq, 0, mb);
      std::vector<double> hr(ur), hi(ui), er(t->idxu_max), ei(t->idxu_max);
      snap_u_add_self(tj, t->idxuh_block, t->wself, 1, hr.data());
      snap_u_expand(tj, t->idxu_block, t->idxuh_block, 1, hr.data(), hi.data(), er.data(), ei.data());
      double du = 0.0;
      for (int h = 0; h < t->idxu_max; h++) du = std::max(du, std::fabs(fr[h] - er[h]) + std::fabs(fi[h] - ei[h]));
      CHECK(du < 1e-13);
    }
    snap_tables_destroy(&t);
  }
}

TEST_CASE("Neighbour lists of several systems pack into the device layout", "[emul]") {
  Model m("li3n");
  Frame a("unitcell.xyz", m.elements()), b("snap222_300K.xyz", m.elements());
  std::vector<md_system *> both = {a.sys(), b.sys()};
  Lists L(both, 5.6, 0.5);
  const nbr_gpu_host &h = L.h;
  CHECK(h.ntot == a.sys()->n + b.sys()->n);
  CHECK(h.half == 0);
  CHECK(h.cutoff == 5.6);
  int mx = 0, off = 0;
  for (size_t s = 0; s < 2; s++) {
    const nbr_list *l = L.nl[s];
    for (int i = 0; i < l->n; i++) {
      const int g = off + i, c = l->offset[i + 1] - l->offset[i];
      mx = std::max(mx, c);
      REQUIRE(h.num[g] == c);
      for (int k = 0; k < c; k++) {
        CHECK(h.j[(size_t)k * h.ntot + g] == off + l->j[l->offset[i] + k]);
        CHECK(h.img[(size_t)k * h.ntot + g] == l->img[l->offset[i] + k]);
      }
    }
    off += l->n;
  }
  CHECK(h.maxnbr == mx);
  // a capacity below the largest count is an error
  nbr_gpu_host bad;
  std::vector<int> na = {a.sys()->n, b.sys()->n};
  CHECK(nbr_gpu_host_pack(&bad, L.nl.data(), na.data(), 2, mx - 1) != MD_OK);
}

// A halted step sequence (gpu_kern.h kern_halted): every SNAP kernel body returns at once, on both paths, so
// nothing is written (forces, energies, per-atom energies and bispectrum stay as they were); with the
// halt word clear the same launch sequence computes the forces.
TEST_CASE("SNAP GPU kernels emulated on the CPU do nothing while the halt word is set", "[snap][emul]") {
  Model m("li3n");
  Frame a("snap222_300K.xyz", m.elements());
  std::vector<md_system *> sys = {a.sys()};
  Lists L(sys, snap_cpu_cutoff(m.cpu), 1.0);
  emul::Layout A(sys);
  emul::Snap emu(m.p);
  int halt = KERN_STOP_OVERFLOW;
  emu.halt = &halt;
  auto max_abs = [](const std::vector<double> &v) {
    double r = 0.0;
    for (double x : v) r = std::max(r, std::fabs(x));
    return r;
  };
  for (bool ref : {false, true}) {
    INFO((ref ? "reference" : "chains") << " path");
    emu.reference = ref;
    std::fill(A.force.begin(), A.force.end(), 0.0);
    Out g = emu.run(A, L.h.maxnbr, L.h.num, L.h.j, L.h.img, true);
    CHECK(max_abs(A.force) == 0.0);
    CHECK(max_abs(g.e) == 0.0);
    CHECK(max_abs(g.vir) == 0.0);
    CHECK(std::all_of(g.eatom.begin(), g.eatom.end(), [](double x) { return std::isnan(x); }));
    CHECK(std::all_of(g.b.begin(), g.b.end(), [](double x) { return std::isnan(x); }));
  }
  halt = 0;
  emu.reference = false;
  std::fill(A.force.begin(), A.force.end(), 0.0);
  Out g = emu.run(A, L.h.maxnbr, L.h.num, L.h.j, L.h.img, true);
  CHECK(max_abs(A.force) > 0.01);
  CHECK(std::isfinite(g.e[0]));
}
