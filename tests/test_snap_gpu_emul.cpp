// CPU emulation of the SNAP CUDA kernels (kernels/snap_gpu_body.h): every kernel's per-thread body is driven by
// CPU loops over the kernel's launch grid, in the same order of launches and with the same barriers as
// kernels/snap_gpu.cu, on host arrays in the device layout (kernels/gpu_types.h), and compared with the CPU
// backend (host/snap_cpu.c): energy, forces, virial, per-atom energy and bispectrum, to 1e-12 relative, for
// one system, a two-system batch, the fast (chain) and the reference kernel paths, odd/even twojmax,
// switchflag 0, bzeroflag and rmin0. Run time: about 1.2 s in Release on one core (all cases).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "snap_gpu_body.h"
#include "test_util.h"

extern "C" {
#include "nbr_gpu_host.h"
#include "box.h"
#include "io_xyz.h"
#include "neighbor.h"
#include "snap_cpu.h"
#include "snap_io.h"
#include "system.h"
}

namespace {

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

struct Frame {
  xyz_frame f = {};
  Frame(const std::string &file, const io_elements &el) {
    REQUIRE(xyz_read_first(esnap_test::data(file).c_str(), &el, &f) == MD_OK);
  }
  ~Frame() { xyz_frame_free(&f); }
  md_system *sys() const { return f.sys; }
};

// R systems on the host in the gpu_atoms layout
struct HostAtoms {
  int nsys = 0, ntot = 0;
  std::vector<int> off, asys, type, img;
  std::vector<double> box, pos, vel, force;
  explicit HostAtoms(const std::vector<const md_system *> &sys) {
    nsys = (int)sys.size();
    off.assign(nsys + 1, 0);
    for (int s = 0; s < nsys; s++) off[s + 1] = off[s] + sys[s]->n;
    ntot = off[nsys];
    const size_t n = ntot;
    asys.resize(n);
    type.resize(n);
    img.assign(3 * n, 0);
    pos.resize(3 * n);
    vel.assign(3 * n, 0.0);
    force.assign(3 * n, 0.0);
    box.resize(18 * nsys);
    for (int s = 0; s < nsys; s++) {
      const md_system *m = sys[s];
      std::memcpy(&box[18 * s], m->box.h, 9 * sizeof(double));
      std::memcpy(&box[18 * s + 9], m->box.hinv, 9 * sizeof(double));
      for (int i = 0; i < m->n; i++) {
        const size_t g = off[s] + i;
        asys[g] = s;
        type[g] = m->type[i];
        pos[g] = m->x[i];
        pos[n + g] = m->y[i];
        pos[2 * n + g] = m->z[i];
      }
    }
  }
};

// Lists built on the CPU for each system, packed into the device layout.
struct Lists {
  std::vector<nbr_list *> nl;
  nbr_gpu_host h = {};
  Lists(const std::vector<const md_system *> &sys, double cutoff, double skin, int maxnbr = 0) {
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

struct Out {
  std::vector<double> e, vir, f, eatom, b;  // e[nsys], vir[9 nsys], f [3][ntot], eatom [ntot], b [ntot nB]
};

// The emulated device: tables from host/snap_tables.h plus the GPU extras, work arrays in the device layout.
struct Emu {
  const snap_params &p;
  snap_tables *t = nullptr;
  snap_gpu_extra x;
  snap_gpu_tab T;
  int nsm = 132;
  bool reference = false;
  const int *halt = nullptr;  // the step sequence's halt word (snap_gpu_work.halt)
  std::vector<int> cnt, pj, pimg, prev;
  std::vector<double> pr, pck, psw, pf, ufr, ufi, yr, yi, eat, vat, scr;

  explicit Emu(const snap_params &par) : p(par) {
    REQUIRE(snap_tables_create(&t, &p) == MD_OK);
    snap_gpu_build_extra(t, &x);
    std::memset(&T, 0, sizeof T);
    snap_gpu_fill_tab(&p, t, &T);
    T.idxz = t->idxz;
    T.idxb = t->idxb;
    T.cglist = t->cglist;
    T.zw = t->zw;
    T.bzero_b = t->bzero_b;
    T.betaz = t->betaz;
    T.ufw_src = t->ufw_src;
    T.uadj_src = t->uadj_src;
    T.ufw_coef = t->ufw_coef;
    T.uadj_coef = t->uadj_coef;
    T.y_off = x.y_off.data();
    T.y_jjz = x.y_jjz.data();
    T.y_order = x.y_order.data();
    T.h2f = t->h2f;
  }
  ~Emu() { snap_tables_destroy(&t); }

  // the kernels' launch sequence of snap_gpu_compute (kernels/snap_gpu.cu)
  Out run(HostAtoms &A, const nbr_gpu_host &L, bool want_b) {
    const int nt = A.ntot, mn = L.maxnbr, tj = t->twojmax;
    const size_t N = nt, P = (size_t)mn * N;
    cnt.assign(N, -7);
    pj.assign(P + 1, -7);
    pimg.assign(P + 1, -7);
    prev.assign(P + 1, -7);
    const double poison = std::nan("");
    pr.assign(3 * P + 1, poison);
    pck.assign(4 * P + 1, poison);
    psw.assign(P + 1, poison);
    pf.assign(3 * P + 1, poison);
    ufr.assign((size_t)t->idxu_max * N, poison);
    ufi.assign((size_t)t->idxu_max * N, poison);
    yr.assign((size_t)t->idxuh_max * N, poison);
    yi.assign((size_t)t->idxuh_max * N, poison);
    eat.assign(N, poison);
    vat.assign(9 * N, poison);
    scr.assign(reference ? N * snap_gpu_ref_scratch(t->idxuh_max) : 1, poison);
    Out o;
    o.e.assign(A.nsys, 0.0);
    o.vir.assign(9 * A.nsys, 0.0);
    o.eatom.assign(N, poison);
    o.b.assign(want_b ? N * t->idxb_max : 1, poison);
    std::fill(A.force.begin(), A.force.end(), 0.0);

    snap_gpu_work W;
    std::memset(&W, 0, sizeof W);
    W.ntot = nt;
    W.nsys = A.nsys;
    W.maxnbr = mn;
    W.P = P;
    W.atom_sys = A.asys.data();
    W.type = A.type.data();
    W.sys_offset = A.off.data();
    W.box = A.box.data();
    W.pos = A.pos.data();
    W.force = A.force.data();
    W.num = L.num;
    W.lj = L.j;
    W.limg = L.img;
    W.cnt = cnt.data();
    W.pj = pj.data();
    W.pimg = pimg.data();
    W.prev = prev.data();
    W.pr = pr.data();
    W.pck = pck.data();
    W.psw = psw.data();
    W.pf = pf.data();
    W.ufr = ufr.data();
    W.ufi = ufi.data();
    W.yr = yr.data();
    W.yi = yi.data();
    W.eat = eat.data();
    W.vat = vat.data();
    W.scr = scr.data();
    W.scr_ld = snap_gpu_ref_scratch(t->idxuh_max);
    W.energy = o.e.data();
    W.virial = o.vir.data();
    W.eatom = o.eatom.data();
    W.bisp = want_b ? o.b.data() : nullptr;
    W.halt = halt;
    const snap_gpu_plan pl = snap_gpu_make_plan(nt, mn, tj, t->idxuh_max, nsm);
    const int nba = (nt + SNAP_GPU_ATOM_BLOCK - 1) / SNAP_GPU_ATOM_BLOCK;
    const real_t *rpq = t->rootpq;

    for (int b = 0; b < nba; b++)  // k_pairs
      for (int tx = 0; tx < SNAP_GPU_ATOM_BLOCK; tx++) snap_kern_pairs(T, W, b * SNAP_GPU_ATOM_BLOCK + tx);
    if (mn > 0)  // k_ck: the block's pairs, 128 threads, chunks by blockIdx.y
      for (int bx = 0; bx < pl.nbx; bx++)
        for (int by = 0; by < pl.gck; by++) {
          int ints[SNAP_GPU_BLK_INTS];
          const int a0 = bx * SNAP_GPU_LANES;
          for (int tx = 0; tx < SNAP_GPU_LANES; tx++) snap_blk_count(W, a0, tx, ints);
          snap_blk_prefix(ints);
          for (int tx = 0; tx < SNAP_GPU_CK_THREADS; tx++)
            for (int p = by * SNAP_GPU_CK_THREADS + tx; p < ints[2 * SNAP_GPU_LANES];
                 p += pl.gck * SNAP_GPU_CK_THREADS) {
              int l, n;
              snap_blk_pair_of(ints, p, &l, &n);
              snap_kern_ck(T, W, a0 + l, n);
            }
        }
    if (reference) {  // k_ui_ref
      for (int b = 0; b < nba; b++)
        for (int tx = 0; tx < SNAP_GPU_ATOM_BLOCK; tx++) snap_kern_ui_ref(T, W, b * SNAP_GPU_ATOM_BLOCK + tx);
    } else {  // k_ui<TJ>: grid (nbu, nch), 128 atoms by decreasing pair count
      for (int bx = 0; bx < pl.nbu; bx++)
        for (int by = 0; by < pl.nch; by++) {
          int ints[2 * SNAP_GPU_UI_ATOMS];
          const int a0 = bx * SNAP_GPU_UI_ATOMS;
          for (int tx = 0; tx < SNAP_GPU_UI_ATOMS; tx++) snap_ui_count(W, a0, tx, ints);
          for (int tx = 0; tx < SNAP_GPU_UI_ATOMS; tx++) snap_ui_rank(tx, ints);
          std::vector<int> seen(SNAP_GPU_UI_ATOMS, 0);  // the order is a permutation
          for (int tx = 0; tx < SNAP_GPU_UI_ATOMS; tx++) seen[ints[SNAP_GPU_UI_ATOMS + tx]]++;
          REQUIRE(std::count(seen.begin(), seen.end(), 1) == SNAP_GPU_UI_ATOMS);
          for (int tx = 0; tx < SNAP_GPU_UI_ATOMS; tx++) ui(tj, T, W, rpq, a0 + ints[SNAP_GPU_UI_ATOMS + tx], by);
        }
    }
    for (int bx = 0; bx < pl.nbx; bx++)  // k_yi
      for (int by = 0; by < pl.gy; by++)
        for (int ty = 0; ty < SNAP_GPU_Y_WARPS; ty++)
          for (int tx = 0; tx < SNAP_GPU_LANES; tx++)
            snap_kern_yi(T, W, bx * SNAP_GPU_LANES + tx, by * SNAP_GPU_Y_WARPS + ty, SNAP_GPU_Y_WARPS * pl.gy);
    if (reference) {  // k_deidrj_ref
      for (int b = 0; b < nba; b++)
        for (int tx = 0; tx < SNAP_GPU_ATOM_BLOCK; tx++) snap_kern_deidrj_ref(T, W, b * SNAP_GPU_ATOM_BLOCK + tx);
    } else {  // k_deidrj<TJ>: grid (nbx, gd), block (32, nch), chunks of the block's pairs with barriers
      std::vector<double> sh(pl.d_smem / sizeof(double) + 1, poison);
      int *ints = snap_deidrj_ints(sh.data(), pl.nch);
      for (int bx = 0; bx < pl.nbx; bx++)
        for (int by = 0; by < pl.gd; by++) {
          const int a0 = bx * SNAP_GPU_LANES;
          for (int tx = 0; tx < SNAP_GPU_LANES; tx++) snap_blk_count(W, a0, tx, ints);
          snap_blk_prefix(ints);
          const int total = ints[2 * SNAP_GPU_LANES];
          for (int c = by; c * SNAP_GPU_LANES < total; c += pl.gd) {
            for (int ty = 0; ty < pl.nch; ty++)
              for (int tx = 0; tx < SNAP_GPU_LANES; tx++)
                chain(tj, W, rpq, a0, c * SNAP_GPU_LANES + tx, ty, tx, sh.data(), pl.nch);
            for (int tx = 0; tx < SNAP_GPU_LANES; tx++)
              snap_kern_deidrj_finish(T, W, a0, c * SNAP_GPU_LANES + tx, tx, pl.nch, sh.data());
          }
        }
    }
    for (int b = 0; b < nba; b++)  // k_atom
      for (int tx = 0; tx < SNAP_GPU_ATOM_BLOCK; tx++) snap_kern_atom(T, W, b * SNAP_GPU_ATOM_BLOCK + tx);
    std::vector<double> sh(pl.sys_smem / sizeof(double), poison);
    for (int s = 0; s < A.nsys; s++) {  // k_sys
      for (int tx = 0; tx < SNAP_GPU_SYS_THREADS; tx++) snap_kern_sys_part(W, s, tx, sh.data());
      for (int tx = 0; tx < SNAP_GPU_SYS_THREADS; tx++) snap_kern_sys_final(W, s, tx, sh.data());
    }
    if (want_b)  // k_bi
      for (int bx = 0; bx < pl.nbx; bx++)
        for (int by = 0; by < (t->idxb_max + SNAP_GPU_Y_WARPS - 1) / SNAP_GPU_Y_WARPS; by++)
          for (int ty = 0; ty < SNAP_GPU_Y_WARPS; ty++)
            for (int tx = 0; tx < SNAP_GPU_LANES; tx++)
              snap_kern_bi(T, W, bx * SNAP_GPU_LANES + tx, by * SNAP_GPU_Y_WARPS + ty);
    o.f = A.force;
    return o;
  }

  // template dispatch on twojmax, as the CUDA driver's switch over kernel instantiations
  static void ui(int tj, const snap_gpu_tab &T, const snap_gpu_work &W, const real_t *rpq, int i, int mb) {
    switch (tj) {
#define EMU_UI(J) \
  case J:         \
    snap_kern_ui<J>(T, W, rpq, i, mb); \
    break;
      EMU_UI(0) EMU_UI(1) EMU_UI(2) EMU_UI(3) EMU_UI(4) EMU_UI(5) EMU_UI(6) EMU_UI(7)
      EMU_UI(8) EMU_UI(9) EMU_UI(10) EMU_UI(11) EMU_UI(12) EMU_UI(13) EMU_UI(14)
#undef EMU_UI
      default: FAIL("twojmax " << tj);
    }
  }
  static void chain(int tj, const snap_gpu_work &W, const real_t *rpq, int a0, int p, int mb, int lane, real_t *sh,
                    int nch) {
    switch (tj) {
#define EMU_D(J) \
  case J:        \
    snap_kern_deidrj_chain<J>(W, rpq, a0, p, mb, lane, sh, nch); \
    break;
      EMU_D(0) EMU_D(1) EMU_D(2) EMU_D(3) EMU_D(4) EMU_D(5) EMU_D(6) EMU_D(7)
      EMU_D(8) EMU_D(9) EMU_D(10) EMU_D(11) EMU_D(12) EMU_D(13) EMU_D(14)
#undef EMU_D
      default: FAIL("twojmax " << tj);
    }
  }
};

// CPU backend on each system with the same lists
Out cpu_reference(const Model &m, const std::vector<const md_system *> &sys, const Lists &L) {
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
    REQUIRE(snap_cpu_compute(m.cpu, s, L.nl[k], f.data(), f.data() + s->n, f.data() + 2 * s->n, &e, vir, ea.data(),
                             b.data()) == MD_OK);
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

double max_abs(const std::vector<double> &v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// max |a - b| / max(|b|, floor) over entries; NaN (an unwritten output) fails
double max_rel(const std::vector<double> &a, const std::vector<double> &b, double floor) {
  REQUIRE(a.size() == b.size());
  double d = 0.0;
  for (size_t k = 0; k < a.size(); k++) {
    if (!std::isfinite(a[k])) return INFINITY;
    d = std::max(d, std::fabs(a[k] - b[k]) / std::max(std::fabs(b[k]), floor));
  }
  return d;
}

void compare(const Out &g, const Out &c, const std::string &what, double tol = 1e-12) {
  const double fs = max_abs(c.f), vs = max_abs(c.vir);
  const double de = max_rel(g.e, c.e, 1.0), df = max_rel(g.f, c.f, fs), dv = max_rel(g.vir, c.vir, vs);
  const double dea = max_rel(g.eatom, c.eatom, 1.0), db = max_rel(g.b, c.b, 1.0);
  WARN(what << ": rel dE " << de << " dF " << df << " (max |F| " << fs << ") dW " << dv << " dE_i " << dea << " dB "
            << db);
  CHECK(de < tol);
  CHECK(df < tol);
  CHECK(dv < tol);
  CHECK(dea < tol);
  CHECK(db < tol);
  CHECK(fs > 0.01);  // not vacuous
}

// Emulated kernels (fast and reference paths) against the CPU backend on the given structures, one batch.
void check_batch(const std::string &model, const std::vector<std::string> &files, double skin = 1.0) {
  Model m(model);
  std::vector<Frame *> frames;
  std::vector<const md_system *> sys;
  for (const std::string &f : files) {
    frames.push_back(new Frame(f, m.elements()));
    sys.push_back(frames.back()->sys());
  }
  Lists L(sys, snap_cpu_cutoff(m.cpu), skin);
  Out c = cpu_reference(m, sys, L);
  HostAtoms A(sys);
  Emu emu(m.p);
  std::string what = model;
  for (const std::string &f : files) what += " " + f;
  Out g = emu.run(A, L.h, true);
  compare(g, c, what + " (chains)");
  emu.reference = true;
  Out r = emu.run(A, L.h, true);
  compare(r, c, what + " (reference)");
  for (Frame *f : frames) delete f;
}

}  // namespace

TEST_CASE("SNAP GPU kernels emulated on the CPU reproduce the CPU backend on snap333_1000K", "[snap][gpuemul]") {
  check_batch("li3n", {"snap333_1000K.xyz"});
}

TEST_CASE("SNAP GPU kernels emulated on the CPU reproduce the CPU backend on a two-system batch", "[snap][gpuemul]") {
  check_batch("li3n", {"snap222_300K.xyz", "zbl222_close.xyz"});
}

TEST_CASE("SNAP GPU kernels emulated on the CPU reproduce twojmax 8 7 and 14 models", "[snap][gpuemul]") {
  check_batch("tj8", {"snap222_300K.xyz", "zbl222_close.xyz"});  // switchflag 0, bzeroflag 1, rmin0 0.3
  check_batch("tj7", {"snap222_300K.xyz"});                      // odd twojmax
  check_batch("tj14", {"snap222_300K.xyz"});                     // largest twojmax (global accumulators)
}

// The y splits of yi and deidrj depend on the device size; the results must not.
TEST_CASE("SNAP GPU kernel results do not depend on the launch splits or on batching", "[snap][gpuemul]") {
  Model m("li3n");
  Frame a("snap222_300K.xyz", m.elements()), b("zbl222_close.xyz", m.elements());
  std::vector<const md_system *> both = {a.sys(), b.sys()};
  Lists L(both, snap_cpu_cutoff(m.cpu), 1.0);
  HostAtoms A(both);
  Emu emu(m.p);
  emu.nsm = 1;
  Out g1 = emu.run(A, L.h, true);
  for (int nsm : {7, 132, 100000}) {
    emu.nsm = nsm;
    const snap_gpu_plan pl = snap_gpu_make_plan(A.ntot, L.h.maxnbr, m.p.twojmax, emu.t->idxuh_max, nsm);
    INFO("nsm " << nsm << " gy " << pl.gy << " gd " << pl.gd << " gck " << pl.gck);
    Out g = emu.run(A, L.h, true);
    CHECK(g.f == g1.f);
    CHECK(g.e == g1.e);
    CHECK(g.vir == g1.vir);
    CHECK(g.b == g1.b);
  }
  // each system alone, with a larger list capacity (other strides), equals its part of the batch bitwise
  for (int s = 0; s < 2; s++) {
    std::vector<const md_system *> one = {both[s]};
    Lists L1(one, snap_cpu_cutoff(m.cpu), 1.0, L.h.maxnbr + 5);
    HostAtoms A1(one);
    Out g = emu.run(A1, L1.h, false);
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
TEST_CASE("SNAP GPU chains equal the whole-layer U recursion and its adjoint", "[snap][gpuemul]") {
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
      for (int mb = 0; mb <= tj / 2; mb++) Emu::chain(tj, W, t->rootpq, 0, 0, mb, 0, sh.data(), nch);
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
      for (int mb = 0; mb <= tj / 2; mb++) Emu::ui(tj, T, W, t->rootpq, 0, mb);
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

TEST_CASE("Neighbour lists of several systems pack into the device layout", "[gpuemul]") {
  Model m("li3n");
  Frame a("unitcell.xyz", m.elements()), b("snap222_300K.xyz", m.elements());
  std::vector<const md_system *> both = {a.sys(), b.sys()};
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
// nothing is written (forces and energies stay zero, scratch and per-atom outputs keep their poison); with the
// halt word clear the same launch sequence computes the forces.
TEST_CASE("SNAP GPU kernels emulated on the CPU do nothing while the halt word is set", "[snap][gpuemul]") {
  Model m("li3n");
  Frame a("snap222_300K.xyz", m.elements());
  std::vector<const md_system *> sys = {a.sys()};
  Lists L(sys, snap_cpu_cutoff(m.cpu), 1.0);
  HostAtoms A(sys);
  Emu emu(m.p);
  int halt = KERN_STOP_OVERFLOW;
  emu.halt = &halt;
  for (bool ref : {false, true}) {
    INFO((ref ? "reference" : "chains") << " path");
    emu.reference = ref;
    Out g = emu.run(A, L.h, true);
    CHECK(max_abs(g.f) == 0.0);
    CHECK(max_abs(g.e) == 0.0);
    CHECK(max_abs(g.vir) == 0.0);
    CHECK(std::all_of(g.eatom.begin(), g.eatom.end(), [](double x) { return std::isnan(x); }));
    CHECK(std::all_of(g.b.begin(), g.b.end(), [](double x) { return std::isnan(x); }));
    CHECK(std::all_of(emu.cnt.begin(), emu.cnt.end(), [](int c) { return c == -7; }));
    CHECK(std::all_of(emu.pf.begin(), emu.pf.end(), [](double x) { return std::isnan(x); }));
  }
  halt = 0;
  emu.reference = false;
  Out g = emu.run(A, L.h, true);
  CHECK(max_abs(g.f) > 0.01);
  CHECK(std::isfinite(g.e[0]));
}
