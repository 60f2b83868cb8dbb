// backend_emul.cpp — the emulated backend of the tests (see backend_emul.h): the CUDA kernel bodies driven by
// host loops over their launch grids, in the launch order of kernels/*.cu.
#include "backend_emul.h"

#include <fftw3.h>

#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "snap_gpu_body.h"

extern "C" {
#include "coulomb.h"
#include "ewald.h"
#include "integrate.h"
#include "snap_cpu.h"
#include "system.h"
}
#include "ewald_kern.h"
#include "integrate_kern.h"
#include "pair_kern.h"
#include "pme_kern.h"
#include "pme_tables.h"

namespace emul {

// ---------------------------------------------------------------------------------------------------------
// SNAP: tables from host/ff/snap_tables.h plus the GPU extras, work arrays in the device layout.

void snap_ui(int tj, const snap_gpu_tab &T, const snap_gpu_work &W, const real_t *rpq, int i, int mb) {
  switch (tj) {
#define EMU_UI(J)                      \
  case J:                              \
    snap_kern_ui<J>(T, W, rpq, i, mb); \
    break;
    EMU_UI(0) EMU_UI(1) EMU_UI(2) EMU_UI(3) EMU_UI(4) EMU_UI(5) EMU_UI(6) EMU_UI(7)
    EMU_UI(8) EMU_UI(9) EMU_UI(10) EMU_UI(11) EMU_UI(12) EMU_UI(13) EMU_UI(14)
#undef EMU_UI
    default: FAIL("twojmax " << tj);
  }
}

void snap_chain(int tj, const snap_gpu_work &W, const real_t *rpq, int a0, int p, int mb, int lane, real_t *sh, int nch) {
  switch (tj) {
#define EMU_D(J)                                                 \
  case J:                                                        \
    snap_kern_deidrj_chain<J>(W, rpq, a0, p, mb, lane, sh, nch); \
    break;
    EMU_D(0) EMU_D(1) EMU_D(2) EMU_D(3) EMU_D(4) EMU_D(5) EMU_D(6) EMU_D(7)
    EMU_D(8) EMU_D(9) EMU_D(10) EMU_D(11) EMU_D(12) EMU_D(13) EMU_D(14)
#undef EMU_D
    default: FAIL("twojmax " << tj);
  }
}

struct Snap::Impl {
  const snap_params p;
  snap_tables *t = nullptr;
  snap_cpu *cpu = nullptr;  // answers the bispectrum width and the cutoff, as kernels/gpu_forces.cu asks it
  snap_gpu_extra x;
  snap_gpu_tab T;
  const int *halt = nullptr;
  std::vector<int> cnt, pj, pimg, prev;
  std::vector<double> pr, pck, psw, pf, ufr, ufi, yr, yi, eat, vat, scr;

  explicit Impl(const snap_params &par) : p(par) {
    REQUIRE(snap_tables_create(&t, &p) == MD_OK);
    REQUIRE(snap_cpu_create(&cpu, &p) == MD_OK);
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
  ~Impl() {
    snap_tables_destroy(&t);
    snap_cpu_destroy(&cpu);
  }

  // the kernels' launch sequence of snap_gpu_compute (kernels/snap_gpu.cu)
  SnapOut run(Layout &A, int mn, const int *num, const int *lj, const int *limg, bool want_b, bool reference, int nsm) {
    const int nt = A.ntot, tj = t->twojmax;
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
    SnapOut o;
    o.e.assign(A.nsys, 0.0);
    o.vir.assign(9 * A.nsys, 0.0);
    o.eatom.assign(N, poison);
    o.b.assign(want_b ? N * t->idxb_max : 0, poison);

    snap_gpu_work W;
    std::memset(&W, 0, sizeof W);
    W.ntot = nt;
    W.nsys = A.nsys;
    W.maxnbr = mn;
    W.P = P;
    W.atom_sys = A.atom_sys.data();
    W.type = A.type.data();
    W.sys_offset = A.off.data();
    W.box = A.box.data();
    W.pos = A.pos.data();
    W.force = A.force.data();
    W.num = num;
    W.lj = lj;
    W.limg = limg;
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
            for (int q = by * SNAP_GPU_CK_THREADS + tx; q < ints[2 * SNAP_GPU_LANES]; q += pl.gck * SNAP_GPU_CK_THREADS) {
              int l, n;
              snap_blk_pair_of(ints, q, &l, &n);
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
          for (int tx = 0; tx < SNAP_GPU_UI_ATOMS; tx++) snap_ui(tj, T, W, rpq, a0 + ints[SNAP_GPU_UI_ATOMS + tx], by);
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
              for (int tx = 0; tx < SNAP_GPU_LANES; tx++) snap_chain(tj, W, rpq, a0, c * SNAP_GPU_LANES + tx, ty, tx, sh.data(), pl.nch);
            for (int tx = 0; tx < SNAP_GPU_LANES; tx++) snap_kern_deidrj_finish(T, W, a0, c * SNAP_GPU_LANES + tx, tx, pl.nch, sh.data());
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
            for (int tx = 0; tx < SNAP_GPU_LANES; tx++) snap_kern_bi(T, W, bx * SNAP_GPU_LANES + tx, by * SNAP_GPU_Y_WARPS + ty);
    o.f = A.force;
    return o;
  }
};

Snap::Snap(const snap_params &p) : d_(new Impl(p)) {}
Snap::~Snap() = default;
int Snap::nbispectrum() const { return snap_cpu_nbispectrum(d_->cpu); }
double Snap::cutoff() const { return snap_cpu_cutoff(d_->cpu); }
int Snap::idxuh_max() const { return d_->t->idxuh_max; }
SnapOut Snap::run(Layout &L, int maxnbr, const int *num, const int *j, const int *img, bool want_b) {
  d_->halt = halt;
  return d_->run(L, maxnbr, num, j, img, want_b, reference, nsm);
}

// ---------------------------------------------------------------------------------------------------------
// PME (kernels/pme_gpu.cu): fixed-point spread, FFT, influence/energy/virial, gather, correction.

pme_kargs pme_args(const Layout &L, int sys0, int nb, const int K[3], int order, double alpha, const double *qelem) {
  pme_kargs A{};
  A.ntot = L.ntot;
  A.first_atom = L.off[sys0];
  A.natoms = L.off[sys0 + nb] - L.off[sys0];
  A.sys0 = sys0;
  for (int d = 0; d < 3; d++) A.K[d] = K[d];
  A.order = order;
  A.nreal = (long)K[0] * K[1] * K[2];
  A.ncomplex = (long)K[0] * K[1] * (K[2] / 2 + 1);
  A.pos = L.pos.data();
  A.type = L.type.data();
  A.atom_sys = L.atom_sys.data();
  A.box = L.box.data();
  A.qelem = qelem;
  double sa = 0.0;
  for (int i = A.first_atom; i < A.first_atom + A.natoms; i++) sa += std::fabs(qelem[L.type[i]]);
  A.fix_scale = pme_fixed_scale(sa);
  A.alpha = alpha;
  return A;
}

void pme(Layout &L, int sys0, int nb, const int K[3], int order, double alpha, const md_box *box, const double *qelem,
         std::vector<double> &ev) {
  pme_kargs A = pme_args(L, sys0, nb, K, order, alpha, qelem);
  std::vector<unsigned long long> qfix(nb * A.nreal, 0ull);
  std::vector<double> mesh(nb * A.nreal), cm(2 * nb * A.ncomplex), psi(A.ncomplex);
  double self_e, self_w[6];
  REQUIRE(pme_tables_compute(K, order, box, alpha, psi.data(), &self_e, self_w) == 0);
  A.qfix = qfix.data();
  A.mesh = mesh.data();
  A.cmesh = cm.data();
  A.psi = psi.data();
  A.psi_stride = 0;
  A.force = L.force.data();
  for (long t = 0; t < (long)A.natoms * order * order; t++) pme_spread_body(t, &A, order);  // k_pme_spread
  for (long k = 0; k < nb * A.nreal; k++) pme_convert_body(k, &A);                          // k_pme_convert
  for (int b = 0; b < nb; b++) {                                                             // cufftExecD2Z
    fftw_plan p = fftw_plan_dft_r2c_3d(K[0], K[1], K[2], mesh.data() + b * A.nreal,
                                       (fftw_complex *)(cm.data() + 2 * b * A.ncomplex), FFTW_ESTIMATE);
    fftw_execute(p);
    fftw_destroy_plan(p);
  }
  ev.assign(7 * (size_t)nb, 0.0);
  for (long k = 0; k < nb * A.ncomplex; k++) {  // k_pme_kspace (sums per system)
    double e7[7];
    pme_kspace_body(k, &A, e7);
    for (int c = 0; c < 7; c++) ev[7 * (k / A.ncomplex) + c] += e7[c];
  }
  for (int b = 0; b < nb; b++) {  // cufftExecZ2D
    fftw_plan p = fftw_plan_dft_c2r_3d(K[0], K[1], K[2], (fftw_complex *)(cm.data() + 2 * b * A.ncomplex),
                                       mesh.data() + b * A.nreal, FFTW_ESTIMATE);
    fftw_execute(p);
    fftw_destroy_plan(p);
  }
  for (int t = 0; t < A.natoms; t++) pme_gather_body(t, &A, order);  // k_pme_gather
  for (int b = 0; b < nb; b++) {                                      // correction, as k_pme_energy
    double s2 = 0.0;
    for (int i = L.off[sys0 + b]; i < L.off[sys0 + b + 1]; i++) s2 += qelem[L.type[i]] * qelem[L.type[i]];
    ev[7 * b] -= s2 * self_e;
    for (int c = 0; c < 6; c++) ev[7 * b + 1 + c] -= s2 * self_w[c];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Pair kernels (kernels/pair_kern.h) and Ewald reciprocal space (kernels/ewald_kern.h, kernels/coulomb_gpu.cu).

static pair_args pair_args_of(Layout &L, const List &l, double *acc) {
  return pair_args{L.ntot, L.pos.data(), L.type.data(), L.atom_sys.data(), L.box.data(), l.num.data(), l.j.data(),
                   l.img.data(), L.force.data(), acc};
}

void coul_real(Layout &L, const List &l, const double *qelem, const double *alpha, const double *rc2, std::vector<double> &acc) {
  acc.resize((size_t)PAIR_NACC * L.ntot, 0.0);
  pair_args A = pair_args_of(L, l, acc.data());
  for (int i = 0; i < L.ntot; i++) {  // k_coul_real
    const int s = L.atom_sys[i];
    coul_real_body(i, &A, qelem, alpha[s], rc2[s]);
  }
}

void zbl(Layout &L, const List &l, const md_model &m, std::vector<double> &acc) {
  zbl_pair pairs[MD_MAX_ELEM * MD_MAX_ELEM];  // as kernels/zbl_gpu.cu builds the table
  for (int a = 0; a < m.nelem; a++)
    for (int b = 0; b < m.nelem; b++) zbl_pair_init(&pairs[a * m.nelem + b], m.zbl_z[a], m.zbl_z[b], m.zbl_inner, m.zbl_outer);
  acc.resize((size_t)PAIR_NACC * L.ntot, 0.0);
  pair_args A = pair_args_of(L, l, acc.data());
  for (int i = 0; i < L.ntot; i++) zbl_body(i, &A, pairs, m.nelem, m.zbl_outer * m.zbl_outer);  // k_zbl
}

double min_distance(Layout &L, const List &l, int i) {
  pair_args A = pair_args_of(L, l, nullptr);
  A.force = nullptr;
  int j;
  return pair_min_distance(&A, i, &j);
}

std::vector<double> sum_atoms(const Layout &L, const std::vector<double> &acc, int ncomp) {
  std::vector<double> out((size_t)ncomp * L.nsys, 0.0);
  for (int s = 0; s < L.nsys; s++)
    for (int c = 0; c < ncomp; c++)
      for (int i = L.off[s]; i < L.off[s + 1]; i++) out[(size_t)s * ncomp + c] += acc[(size_t)c * L.ntot + i];
  return out;
}

Ewald::Ewald(const std::vector<const md_box *> &boxes, const std::vector<double> &alpha_, const std::vector<double> &gcut) {
  const int nsys = (int)boxes.size();
  alpha = alpha_;
  kbase.assign(nsys + 1, 0);
  std::vector<int> n;
  std::vector<double> m;
  for (int s = 0; s < nsys; s++) {  // every system's vectors back to back, as setup_ewald
    kbase[s] = (int)w.size();
    if (alpha[s] > 0.0) {
      long cnt = ewald_vectors_list(boxes[s], alpha[s], gcut[s], nullptr, nullptr, nullptr);
      size_t k0 = w.size();
      n.resize(3 * (k0 + cnt));
      m.resize(3 * (k0 + cnt));
      w.resize(k0 + cnt);
      ewald_vectors_list(boxes[s], alpha[s], gcut[s], n.data() + 3 * k0, m.data() + 3 * k0, w.data() + k0);
    }
    ksys.resize(w.size(), s);
  }
  kbase[nsys] = (int)w.size();
  nk = (long)w.size();
  kn.resize(3 * nk);  // component-major
  km.resize(3 * nk);
  for (long k = 0; k < nk; k++)
    for (int d = 0; d < 3; d++) {
      kn[d * nk + k] = n[3 * k + d];
      km[d * nk + k] = m[3 * k + d];
    }
}

ewald_kargs ewald_args(const Layout &L, const Ewald &V, const double *qelem, double *sre, double *sim, double *ek,
                       double *force) {
  ewald_kargs E{};
  E.ntot = L.ntot;
  E.sys_offset = L.off.data();
  E.atom_sys = L.atom_sys.data();
  E.type = L.type.data();
  E.qelem = qelem;
  E.pos = L.pos.data();
  E.box = L.box.data();
  E.kbase = V.kbase.data();
  E.ksys = V.ksys.data();
  E.n = V.kn.data();
  E.m = V.km.data();
  E.w = V.w.data();
  E.nk = V.nk;
  E.sre = sre;
  E.sim = sim;
  E.ek = ek;
  E.alpha = V.alpha.data();
  E.force = force;
  return E;
}

void Ewald::compute(Layout &L, const double *qelem, std::vector<double> &e7) {
  e7.assign(7 * (size_t)L.nsys, 0.0);
  if (nk == 0) return;
  std::vector<double> sre(nk), sim(nk), ek(7 * nk);
  ewald_kargs E = ewald_args(L, *this, qelem, sre.data(), sim.data(), ek.data(), L.force.data());
  const int T = 128;  // k_ewald_sf: one block of 128 per vector
  std::vector<double> pr(T), pi(T);
  for (long k = 0; k < nk; k++) {
    for (int t = 0; t < T; t++) ewald_sf_partial(&E, k, t, T, &pr[t], &pi[t]);
    ewald_sf_finish(&E, k, kern_sum_in_order(pr.data(), T), kern_sum_in_order(pi.data(), T));
  }
  for (int i = 0; i < L.ntot; i++) ewald_force_body(i, &E);  // k_ewald_force
  for (long k = 0; k < nk; k++)
    for (int c = 0; c < 7; c++) e7[7 * ksys[k] + c] += ek[c * nk + k];
}

// ---------------------------------------------------------------------------------------------------------
// The composed force field (kernels/gpu_forces.cu, kernels/coulomb_gpu.cu, kernels/zbl_gpu.cu).

struct ForceField::Impl {
  md_model mm;
  ff_options opt;
  md_status st = MD_OK;
  int nsys = 0, ntot = 0;
  bool want_b = false;
  std::vector<const md_box *> boxes;
  // lists
  std::vector<List> lists;
  int l_short = -1, l_coul = -1;
  Builder B;
  long builds = 0;
  // SNAP
  std::unique_ptr<Snap> snap;
  int nbisp = 0;
  std::vector<double> esnap, wsnap, bisp;
  // ZBL
  bool zbl = false;
  // Coulomb
  int method = MD_COUL_NONE;
  std::vector<coulomb *> host;
  std::vector<coulomb_info> info;
  std::vector<double> alpha, rc2, cst, ecoul;
  double rc_max = 0;
  std::unique_ptr<Ewald> ewald;
  std::vector<double> acc;
  std::vector<int> offsets;  // first atom of each system, ntot last
  char desc[640] = "";

  ~Impl() {
    for (coulomb *h : host) coulomb_destroy(&h);
  }

  // the model after the options, as kernels/gpu_forces.cu apply_options
  md_status apply_options() {
    const md_model in = mm;
    MD_TRY(ff_model_in_effect(&in, &opt, &mm));
    if (mm.coulomb_lammps.on)
      return md_error(MD_ERR_UNSUPPORTED, "%s: the LAMMPS-compatible Ewald ('lammps': coul/long tables) runs on the CPU only",
                      mm.path);
    return MD_OK;
  }

  md_status setup_coulomb(const std::vector<md_system *> &sys) {
    method = mm.coulomb;
    info.resize(nsys);
    alpha.assign(nsys, 0.0);
    rc2.assign(nsys, 0.0);
    cst.assign(7 * (size_t)nsys, 0.0);
    for (int s = 0; s < nsys; s++) {
      coulomb *h = nullptr;
      MD_TRY(coulomb_create(&h, method, mm.coulomb_accuracy, mm.coulomb_rcut, mm.charge, mm.nelem));
      host.push_back(h);
      MD_TRY(coulomb_setup(h, sys[s]));
      coulomb_get_info(h, &info[s]);
      alpha[s] = info[s].alpha;
      const double rc = coulomb_cutoff(h);
      rc2[s] = rc * rc;
      rc_max = std::fmax(rc_max, rc);
      double q1 = 0.0, q2 = 0.0;
      for (int i = 0; i < sys[s]->n; i++) {
        const double q = mm.charge[sys[s]->type[i]];
        q1 += q;
        q2 += q * q;
      }
      if (alpha[s] > 0.0 && q2 > 0.0) {
        const double ebg = ewald_background_energy(alpha[s], q1, sys[s]->box.volume);
        cst[7 * s] = ewald_self_energy(alpha[s], q2) + ebg;
        cst[7 * s + 1] = cst[7 * s + 2] = cst[7 * s + 3] = ebg;
      }
    }
    if (method == MD_COUL_EWALD) {
      std::vector<double> gcut(nsys);
      for (int k = 0; k < nsys; k++) gcut[k] = info[k].gcut;
      ewald.reset(new Ewald(boxes, alpha, gcut));
    }
    const coulomb_info &ci = info[0];
    const char *name = method == MD_COUL_PME ? "pme" : "ewald";
    snprintf(desc, sizeof desc, "coulomb %s (emulated): accuracy %g, alpha %.6g 1/A, rcut %.4g A; neighbour skin %g A", name,
             ci.accuracy, ci.alpha, ci.rcut, opt.skin);
    return MD_OK;
  }

  md_status create(const std::vector<md_system *> &sys) {
    MD_TRY(apply_options());
    nsys = (int)sys.size();
    for (md_system *s : sys) {
      ntot += s->n;
      boxes.push_back(&s->box);
    }
    double rshort = 0.0;
    if (mm.has_snap) {
      snap.reset(new Snap(mm.snap));
      nbisp = snap->nbispectrum();
      rshort = snap->cutoff();
    }
    if (mm.has_zbl) {
      zbl = true;
      rshort = std::fmax(rshort, mm.zbl_outer);
    }
    if (mm.coulomb != MD_COUL_NONE) MD_TRY(setup_coulomb(sys));
    else snprintf(desc, sizeof desc, "coulomb none (emulated); neighbour skin %g A", opt.skin);
    const double skin = opt.skin;
    if (rshort > 0.0) {
      l_short = (int)lists.size();
      lists.emplace_back();
      lists.back().rl2 = (rshort + skin) * (rshort + skin);
    }
    if (method != MD_COUL_NONE) {
      l_coul = (int)lists.size();
      lists.emplace_back();
      lists.back().rl2 = (rc_max + skin) * (rc_max + skin);
    }
    for (List &l : lists) l.maxnbr = 64;
    acc.assign((size_t)PAIR_NACC * ntot, 0.0);
    return MD_OK;
  }

  void build(Layout &L, bool wrap) {
    if (lists.empty()) return;
    for (;;) {  // grow as kernels/neighbor_gpu.cu: the count needed plus a margin, and build again
      B.build(L, boxes, lists, opt.skin, wrap, false);
      bool grown = false;
      for (size_t k = 0; k < lists.size(); k++)
        if (B.need[k] > lists[k].maxnbr) {
          lists[k].maxnbr = B.need[k] + B.need[k] / 8 + 8;
          grown = true;
        }
      builds++;
      if (!grown) return;
    }
  }

  void compute(Layout &L) {
    std::fill(L.force.begin(), L.force.end(), 0.0);  // GPU_STAGE_ZERO
    std::fill(acc.begin(), acc.end(), 0.0);
    esnap.assign(nsys, 0.0);
    wsnap.assign(9 * (size_t)nsys, 0.0);
    ecoul.assign(7 * (size_t)nsys, 0.0);
    if (snap) {  // GPU_STAGE_SNAP
      const List &l = lists[l_short];
      SnapOut o = snap->run(L, l.maxnbr, l.num.data(), l.j.data(), l.img.data(), want_b);
      esnap = o.e;
      wsnap = o.vir;
      if (want_b) bisp = o.b;
    }
    if (method != MD_COUL_NONE) {
      coul_real(L, lists[l_coul], mm.charge, alpha.data(), rc2.data(), acc);  // GPU_STAGE_COUL_REAL
      if (method == MD_COUL_PME) {  // GPU_STAGE_COUL_KSPACE: one mesh per system
        for (int s = 0; s < nsys; s++) {
          if (!(info[s].alpha > 0.0)) continue;
          std::vector<double> ev;
          pme(L, s, 1, info[s].grid, info[s].order, info[s].alpha, boxes[s], mm.charge, ev);
          for (int c = 0; c < 7; c++) ecoul[7 * s + c] = ev[c];
        }
      } else if (ewald) {
        ewald->compute(L, mm.charge, ecoul);
      }
      for (size_t k = 0; k < cst.size(); k++) ecoul[k] += cst[k];  // k_coul_add_const
    }
    if (zbl) emul::zbl(L, lists[l_short], mm, acc);  // GPU_STAGE_ZBL
  }

  std::vector<Energy> energies() const {
    std::vector<Energy> out(nsys);
    const std::vector<int> &off = offsets;
    for (int k = 0; k < nsys; k++) {
      double ea[PAIR_NACC] = {0};
      for (int c = 0; c < PAIR_NACC; c++)
        for (int i = off[k]; i < off[k + 1]; i++) ea[c] += acc[(size_t)c * ntot + i];
      const double *ec = &ecoul[(size_t)7 * k];
      Energy &e = out[k];
      e.e_snap = esnap[k];
      e.e_coul = ea[PAIR_E_COUL] + ec[0];
      e.e_zbl = ea[PAIR_E_ZBL];
      e.pe = e.e_snap + e.e_coul + e.e_zbl;
      double w6[6];
      for (int c = 0; c < 6; c++) w6[c] = ea[PAIR_W + c] + ec[1 + c];
      const int map[9] = {0, 3, 4, 3, 1, 5, 4, 5, 2};
      for (int c = 0; c < 9; c++) e.virial[c] = wsnap[(size_t)k * 9 + c] + w6[map[c]];
    }
    return out;
  }
};

ForceField::ForceField(const md_model &m, const ff_options &o, const std::vector<md_system *> &sys, bool bispectrum)
    : d_(new Impl()) {
  d_->mm = m;
  d_->opt = o;
  if (!(d_->opt.skin >= 0.0)) d_->opt.skin = 1.0;
  d_->want_b = bispectrum;
  d_->offsets.push_back(0);
  for (md_system *s : sys) d_->offsets.push_back(d_->offsets.back() + s->n);
  d_->st = d_->create(sys);
}
ForceField::~ForceField() = default;
md_status ForceField::status() const { return d_->st; }
void ForceField::build(Layout &L, bool wrap) { d_->build(L, wrap); }
void ForceField::compute(Layout &L) { d_->compute(L); }
std::vector<Energy> ForceField::energies() const { return d_->energies(); }
const std::vector<double> &ForceField::bispectrum() const { return d_->bisp; }
int ForceField::nbispectrum() const { return d_->nbisp; }
const List *ForceField::short_list() const { return d_->l_short >= 0 ? &d_->lists[d_->l_short] : nullptr; }
const List *ForceField::check_list() const {
  if (d_->l_short >= 0) return &d_->lists[d_->l_short];
  return d_->l_coul >= 0 ? &d_->lists[d_->l_coul] : nullptr;
}
const std::vector<double> &ForceField::x0() const { return d_->B.x0; }
double ForceField::skin() const { return d_->opt.skin; }
long ForceField::builds() const { return d_->builds; }
const char *ForceField::describe() const { return d_->desc; }

}  // namespace emul

namespace emul {

md_status ff_compute(const md_model &m, const ff_options &o, const md_system *s, ff_result *r) {
  md_system *one = const_cast<md_system *>(s);
  ForceField F(m, o, {one}, r->nbisp > 0);
  MD_TRY(F.status());
  if (r->nbisp > 0 && r->nbisp != F.nbispectrum())
    return md_error(MD_ERR_INTERNAL, "bispectrum buffer has %d components, SNAP has %d", r->nbisp, F.nbispectrum());
  Layout L({one});
  F.build(L, false);
  F.compute(L);
  const Energy e = F.energies()[0];
  const int n = s->n;
  for (int i = 0; i < n; i++) {
    r->fx[i] = L.force[i];
    r->fy[i] = L.force[n + i];
    r->fz[i] = L.force[2 * n + i];
  }
  if (r->nbisp > 0) std::copy(F.bispectrum().begin(), F.bispectrum().end(), r->bispectrum);
  r->energy = e.pe;
  r->e_snap = e.e_snap;
  r->e_coul = e.e_coul;
  r->e_zbl = e.e_zbl;
  std::memcpy(r->virial, e.virial, sizeof r->virial);
  return MD_OK;
}

// ---------------------------------------------------------------------------------------------------------
// The MD backend: the step sequence of kernels/backend_gpu_step.cu on the emulated kernels.

std::vector<double> chunk_sums(const Layout &L, const std::vector<double> &v) {
  std::vector<double> out(L.nsys);
  for (int s = 0; s < L.nsys; s++) {
    double tot = 0.0;
    for (int first = L.off[s];; first += KERN_CHUNK) {
      const int end = std::min(first + KERN_CHUNK, L.off[s + 1]);
      std::vector<double> part(KERN_RED_THREADS);
      for (int t = 0; t < KERN_RED_THREADS; t++) part[t] = kern_chunk_partial(v.data(), L.ntot, 0, first, end, t, KERN_RED_THREADS);
      tot += kern_sum_in_order(part.data(), KERN_RED_THREADS);
      if (first + KERN_CHUNK >= L.off[s + 1]) break;
    }
    out[s] = tot;
  }
  return out;
}

bool integrate_begin(const integ_params &p, std::vector<integ_sys> &is, Layout &L, const double *x0, gpu_status &st) {
  const int nt = L.ntot;
  for (int s = 0; s < L.nsys && !st.halt; s++) integ_begin_body(s, &p, is.data());  // k_integ_begin
  bool moved_any = false;
  for (int i = 0; i < nt && !st.halt; i++) {  // k_integ_kick_drift (every thread sees the halt of earlier ones)
    int moved = 0;
    unsigned why = integ_kick_drift_body(i, nt, &p, is.data(), L.atom_sys.data(), L.type.data(), L.pos.data(), L.vel.data(),
                                         L.force.data(), x0, &moved);
    if (moved) moved_any = true;
    if (why) {
      const int s = L.atom_sys[i];
      kern_status_raise(&st, why, s, is[s].step, i, 1);  // the CPU stops here, before the forces
    }
  }
  return moved_any;
}

void integrate_end(const integ_params &p, std::vector<integ_sys> &is, Layout &L, gpu_status &st) {
  if (st.halt) return;
  const int nt = L.ntot;
  std::vector<double> mv2(nt);
  for (int i = 0; i < nt; i++) mv2[i] = integ_kick_mv2_body(i, nt, &p, L.type.data(), L.vel.data(), L.force.data());
  const std::vector<double> sums = chunk_sums(L, mv2);
  for (int s = 0; s < L.nsys; s++) {  // k_integ_finish
    unsigned why = integ_finish_body(s, &p, is.data(), sums[s]);
    if (why) kern_status_raise(&st, why, s, is[s].step, -1, 0);
  }
  for (int i = 0; i < nt; i++) {  // k_integ_scale_check
    unsigned why = integ_scale_check_body(i, nt, &p, is.data(), L.atom_sys.data(), L.pos.data(), L.vel.data(), L.force.data());
    if (why) {
      const int s = L.atom_sys[i];
      kern_status_raise(&st, why, s, is[s].step, i, 0);
    }
  }
}

namespace {

struct Rep {
  md_system *sys = nullptr;  // host copy: cell, types, ids (positions only at messages)
  long step0 = 0;
  double time0 = 0;
  md_rng rng{};
  Energy e_host;
  bool e_host_valid = false;
  std::vector<double> x0;    // neighbour-list reference given with set_state(NBR), [3 n] x, y, z blocks
  bool x0_valid = false;
};

struct EmuBackend {
  md_model model;
  md_backend_options opt;
  ff_options ffo;
  integ_params ip;
  int nrep = 0;
  std::vector<Rep> rep;
  std::vector<integ_sys> is;
  std::unique_ptr<Layout> L;
  std::unique_ptr<ForceField> F;
  std::vector<Energy> e;
  gpu_status hs;
  bool lists_dirty = true;
  char desc[800] = "";

  ~EmuBackend() {
    for (Rep &r : rep) system_destroy(&r.sys);
  }
  std::vector<md_system *> systems() {
    std::vector<md_system *> s;
    for (Rep &r : rep) s.push_back(r.sys);
    return s;
  }
  md_status make_forces() {
    F.reset(new ForceField(model, ffo, systems(), false));
    MD_TRY(F->status());
    ip.moved2 = F->check_list() ? 0.25 * F->skin() * F->skin() : -1.0;
    lists_dirty = true;
    return MD_OK;
  }
  std::vector<double> temperatures() const {
    std::vector<double> mv2(L->ntot);
    for (int i = 0; i < L->ntot; i++) mv2[i] = integ_mv2_body(i, L->ntot, &ip, L->type.data(), L->vel.data());
    std::vector<double> t = chunk_sums(*L, mv2);
    for (int s = 0; s < L->nsys; s++) t[s] = thermo_temperature(t[s], is[s].dof);
    return t;
  }
  // host copy of replica r's positions and velocities (for messages); forces into f
  void download(int r, std::vector<double> &f) {
    md_system *s = rep[r].sys;
    const int n = s->n, off = L->off[r], nt = L->ntot;
    f.assign(3 * (size_t)n, 0.0);
    for (int i = 0; i < n; i++) {
      s->x[i] = L->pos[off + i];
      s->y[i] = L->pos[nt + off + i];
      s->z[i] = L->pos[2 * nt + off + i];
      s->vx[i] = L->vel[off + i];
      s->vy[i] = L->vel[nt + off + i];
      s->vz[i] = L->vel[2 * nt + off + i];
      for (int d = 0; d < 3; d++) f[(size_t)d * n + i] = L->force[(size_t)d * nt + off + i];
    }
  }
  // The checks `which` (KERN_STOP_* bits) of replica r at `step` (integ_stop_check), labelled by replica.
  md_status check(int r, unsigned which, long step, double temp) {
    std::vector<double> f;
    download(r, f);
    const md_system *s = rep[r].sys;
    const double *fx = f.data(), *fy = fx + s->n, *fz = fy + s->n;
    return integ_label_replica(&opt, r, integ_stop_check(s, fx, fy, fz, ip.mass, ip.dt, &opt.safety, which, step, temp),
                               nullptr);
  }
  // The error of the halted step sequence (kernels/backend_gpu_step.cu stop_message).
  md_status stop_message() {
    const int r = (hs.sys >= 0 && hs.sys < nrep) ? hs.sys : 0;
    std::vector<double> f;
    download(r, f);
    const md_system *s = rep[r].sys;
    const double *fx = f.data(), *fy = fx + s->n, *fz = fy + s->n;
    md_status st = integ_stop_error(s, fx, fy, fz, ip.mass, ip.dt, &opt.safety, (unsigned)hs.halt, hs.flags,
                                    hs.atom == INT_MAX ? -1 : hs.atom + 1, (long)is[r].step, is[r].temp);
    return integ_label_replica(&opt, r, st, nullptr);
  }
  void clear_status() { kern_status_init(&hs); }
  // kernels/backend_gpu_step.cu ensure_lists: at the saved references when every replica has one
  void ensure_lists() {
    if (!lists_dirty) return;
    bool at_x0 = true;
    for (const Rep &r : rep) at_x0 = at_x0 && r.x0_valid;
    if (at_x0) {
      const std::vector<double> pos = L->pos;
      for (int r = 0; r < nrep; r++)
        for (int d = 0; d < 3; d++)
          for (int i = 0; i < rep[r].sys->n; i++) L->pos[(size_t)d * L->ntot + L->off[r] + i] = rep[r].x0[(size_t)d * rep[r].sys->n + i];
      F->build(*L, false);
      L->pos = pos;
    } else {
      F->build(*L, false);
    }
    for (Rep &r : rep) r.x0_valid = false;
    lists_dirty = false;
  }
  void forces() {
    F->compute(*L);
    e = F->energies();
    for (Rep &r : rep) r.e_host_valid = false;
  }

  // One step: kernels/backend_gpu_step.cu one_step (begin, guarded rebuild, force stages, end).
  void one_step() {
    const int nt = L->ntot;
    const std::vector<double> x0 = F->x0();
    const bool rebuild = integrate_begin(ip, is, *L, x0.empty() ? nullptr : x0.data(), hs);
    if (hs.halt) return;
    if (rebuild) F->build(*L, true);  // nbr_gpu_build_guarded: wrap, cells, lists
    forces();
    integrate_end(ip, is, *L, hs);
    const List *cl = F->check_list();
    if (cl && ip.min_dist > 0.0 && ip.min_dist_every > 0) {  // k_integ_min_dist
      for (int i = 0; i < nt; i++) {
        const int s = L->atom_sys[i];
        if (!integ_min_dist_due(&ip, &is[s])) continue;
        if (min_distance(*L, *cl, i) < ip.min_dist) kern_status_raise(&hs, KERN_STOP_MINDIST, s, is[s].step, i, 0);
      }
    }
    const unsigned end_reasons = KERN_STOP_NONFINITE | KERN_STOP_TEMP | KERN_STOP_MINDIST;  // k_integ_end
    unsigned f = hs.flags & end_reasons;
    if (f && !hs.halt) hs.halt = (int)(f & (0u - f));
  }
};

EmuBackend *of(md_backend *b) { return reinterpret_cast<EmuBackend *>(b); }

md_status e_create(md_backend **out, const md_model *model, const md_backend_options *opt, const md_replica *reps, int nrep) {
  *out = nullptr;
  if (nrep < 1) return md_error(MD_ERR_INTERNAL, "emulated backend: %d replicas", nrep);
  std::unique_ptr<EmuBackend> b(new EmuBackend());
  b->model = *model;
  b->opt = *opt;
  b->opt.rep_temperature = nullptr;
  ff_options_from_backend(&b->ffo, opt);
  b->nrep = nrep;
  b->rep.resize(nrep);
  b->is.assign(nrep, integ_sys{});
  integ_params_from_options(&b->ip, opt, model);
  for (int r = 0; r < nrep; r++) {
    Rep &h = b->rep[r];
    MD_TRY(system_copy(&h.sys, reps[r].sys));
    h.step0 = reps[r].step0;
    h.time0 = reps[r].time0;
    h.rng = reps[r].rng;
    integ_sys_from_replica(&b->is[r], opt, &reps[r], r);
  }
  b->L.reset(new Layout(b->systems()));
  MD_TRY(b->make_forces());
  b->clear_status();
  *out = reinterpret_cast<md_backend *>(b.release());
  return MD_OK;
}

void e_destroy(md_backend **pb) {
  if (!pb || !*pb) return;
  delete of(*pb);
  *pb = nullptr;
}

md_status e_set_state(md_backend *mb, int r, const md_replica *src, unsigned what) {
  EmuBackend *b = of(mb);
  if (r < 0 || r >= b->nrep) return md_error(MD_ERR_INTERNAL, "emulated backend: no replica %d", r);
  Rep &h = b->rep[r];
  const md_system *s = src->sys;
  if (s->n != h.sys->n) return md_error(MD_ERR_INTERNAL, "emulated backend: replica %d has %d atoms, not %d", r, s->n, h.sys->n);
  Layout &L = *b->L;
  const int n = s->n, off = L.off[r], nt = L.ntot;
  if (what & MD_STATE_POS) {
    for (int i = 0; i < n; i++) {
      L.pos[off + i] = s->x[i];
      L.pos[nt + off + i] = s->y[i];
      L.pos[2 * nt + off + i] = s->z[i];
      L.img[off + i] = s->ix[i];
      L.img[nt + off + i] = s->iy[i];
      L.img[2 * nt + off + i] = s->iz[i];
    }
    if (std::memcmp(s->box.h, h.sys->box.h, sizeof s->box.h) != 0) {
      h.sys->box = s->box;
      for (int d = 0; d < 9; d++) {
        L.box[18 * r + d] = s->box.h[d];
        L.box[18 * r + 9 + d] = s->box.hinv[d];
      }
      MD_TRY(b->make_forces());
    }
    b->lists_dirty = true;
    h.e_host_valid = false;
    h.x0_valid = false;
  }
  if (what & MD_STATE_NBR) {
    h.x0_valid = src->nbr_valid && src->nbr_x0;
    if (h.x0_valid) h.x0.assign(src->nbr_x0, src->nbr_x0 + 3 * (size_t)n);
    b->lists_dirty = true;
  }
  if (what & MD_STATE_VEL)
    for (int i = 0; i < n; i++) {
      L.vel[off + i] = s->vx[i];
      L.vel[nt + off + i] = s->vy[i];
      L.vel[2 * nt + off + i] = s->vz[i];
    }
  if (what & MD_STATE_FORCE) {
    for (int i = 0; i < n; i++) {
      L.force[off + i] = src->fx[i];
      L.force[nt + off + i] = src->fy[i];
      L.force[2 * nt + off + i] = src->fz[i];
    }
    h.e_host.pe = src->pe;
    h.e_host.e_snap = src->pe_snap;
    h.e_host.e_coul = src->pe_coul;
    h.e_host.e_zbl = src->pe_zbl;
    std::memcpy(h.e_host.virial, src->virial, sizeof src->virial);
    h.e_host_valid = true;
  }
  if (what & MD_STATE_THERMOSTAT) b->is[r].nhc = src->nhc;
  if (what & MD_STATE_CLOCK) {
    b->is[r].step = s->step;
    h.step0 = src->step0;
    h.time0 = src->time0;
    h.rng = src->rng;
  }
  return MD_OK;
}

const Energy &energy_of(EmuBackend *b, int r) {
  static const Energy none;
  if (b->rep[r].e_host_valid) return b->rep[r].e_host;
  return r < (int)b->e.size() ? b->e[r] : none;
}

md_status e_get_state(md_backend *mb, int r, md_replica *dst, unsigned what) {
  EmuBackend *b = of(mb);
  if (r < 0 || r >= b->nrep) return md_error(MD_ERR_INTERNAL, "emulated backend: no replica %d", r);
  Rep &h = b->rep[r];
  md_system *s = dst->sys;
  if (s->n != h.sys->n) return md_error(MD_ERR_INTERNAL, "emulated backend: replica %d has %d atoms, not %d", r, h.sys->n, s->n);
  const Layout &L = *b->L;
  const int n = s->n, off = L.off[r], nt = L.ntot;
  if (what & MD_STATE_POS) {
    for (int i = 0; i < n; i++) {
      s->x[i] = L.pos[off + i];
      s->y[i] = L.pos[nt + off + i];
      s->z[i] = L.pos[2 * nt + off + i];
      s->ix[i] = L.img[off + i];
      s->iy[i] = L.img[nt + off + i];
      s->iz[i] = L.img[2 * nt + off + i];
    }
    s->box = h.sys->box;
  }
  if (what & MD_STATE_VEL)
    for (int i = 0; i < n; i++) {
      s->vx[i] = L.vel[off + i];
      s->vy[i] = L.vel[nt + off + i];
      s->vz[i] = L.vel[2 * nt + off + i];
    }
  if (what & MD_STATE_FORCE) {
    for (int i = 0; i < n; i++) {
      dst->fx[i] = L.force[off + i];
      dst->fy[i] = L.force[nt + off + i];
      dst->fz[i] = L.force[2 * nt + off + i];
    }
    const Energy &e = energy_of(b, r);
    dst->pe = e.pe;
    dst->pe_snap = e.e_snap;
    dst->pe_coul = e.e_coul;
    dst->pe_zbl = e.e_zbl;
    std::memcpy(dst->virial, e.virial, sizeof dst->virial);
  }
  if (what & MD_STATE_NBR) {
    const std::vector<double> &x0 = b->F->x0();
    dst->nbr_valid = dst->nbr_x0 && !b->lists_dirty && !x0.empty();
    for (int d = 0; dst->nbr_valid && d < 3; d++)
      for (int i = 0; i < n; i++) dst->nbr_x0[(size_t)d * n + i] = x0[(size_t)d * nt + off + i];
  }
  if (what & MD_STATE_THERMOSTAT) dst->nhc = b->is[r].nhc;
  if (what & MD_STATE_CLOCK) {
    s->step = (long)b->is[r].step;
    s->time = h.time0 + (double)(s->step - h.step0) * b->ip.dt;
    dst->step0 = h.step0;
    dst->time0 = h.time0;
    dst->rng = h.rng;
  }
  return MD_OK;
}

md_status e_compute_forces(md_backend *mb) {
  EmuBackend *b = of(mb);
  b->ensure_lists();
  b->clear_status();
  b->forces();
  const std::vector<double> temp = b->temperatures();
  for (int r = 0; r < b->nrep; r++) {
    unsigned which = KERN_STOP_NONFINITE | KERN_STOP_TEMP;
    const md_safety_params *p = &b->opt.safety;
    if (p->min_dist > 0.0 && p->min_dist_every > 0 && b->is[r].step % p->min_dist_every == 0) which |= KERN_STOP_MINDIST;
    MD_TRY(b->check(r, which, (long)b->is[r].step, temp[r]));
    if (!std::isfinite(b->e[r].pe))
      return integ_label_replica(&b->opt, r, integ_error_energy((long)b->is[r].step), nullptr);
  }
  return MD_OK;
}

md_status e_run_steps(md_backend *mb, long n) {
  EmuBackend *b = of(mb);
  if (n <= 0) return MD_OK;
  b->ensure_lists();
  b->clear_status();
  for (long k = 0; k < n; k++) {
    b->one_step();
    if (b->hs.halt) return b->stop_message();
  }
  return MD_OK;
}

md_status e_reduce_thermo(md_backend *mb, int r, md_thermo *o) {
  EmuBackend *b = of(mb);
  if (r < 0 || r >= b->nrep) return md_error(MD_ERR_INTERNAL, "emulated backend: no replica %d", r);
  const Rep &h = b->rep[r];
  const integ_sys &s = b->is[r];
  const Energy &e = energy_of(b, r);
  std::memset(o, 0, sizeof *o);
  o->step = (long)s.step;
  o->time = h.time0 + (double)(o->step - h.step0) * b->ip.dt;
  o->natoms = h.sys->n;
  o->dof = s.dof;
  o->temp = b->temperatures()[r];
  o->ke = thermo_kinetic_energy(o->temp, s.dof);
  o->pe = e.pe;
  o->pe_snap = e.e_snap;
  o->pe_coul = e.e_coul;
  o->pe_zbl = e.e_zbl;
  o->etotal = o->pe + o->ke;
  if (b->ip.nvt) {
    o->e_thermostat = nhc_energy(&s.nhc);
    o->t_target = s.nhc.t_target;
  }
  o->econserve = o->etotal + o->e_thermostat;
  o->volume = h.sys->box.volume;
  o->press = thermo_pressure(s.dof, o->temp, e.virial, h.sys->box.volume);
  return MD_OK;
}

const char *e_describe(const md_backend *mb) {
  EmuBackend *b = of(const_cast<md_backend *>(mb));
  snprintf(b->desc, sizeof b->desc, "%s; %s; CUDA kernel bodies emulated on the host", b->F->describe(),
           b->nrep > 1 ? "replicas batched in one launch" : "one system");
  return b->desc;
}

const md_backend_ops emul_ops = {"emulated",      e_create,         e_destroy,       e_set_state,  e_get_state,
                                 e_compute_forces, e_run_steps,     e_reduce_thermo, e_describe};

}  // namespace

const md_backend_ops *backend() { return &emul_ops; }

}  // namespace emul
