// CPU emulation of the device Coulomb kernels (kernels/pair_kern.h coul_real_body, kernels/pme_kern.h,
// kernels/ewald_kern.h, tables of src/pme_tables.h; driven by tests/backend_emul.cpp) against the CPU code with the SAME parameters (one
// host/ff/coulomb.h object chooses α, cutoff, mesh, order and k-space cutoff, as kernels/coulomb_gpu.cu does):
//  - real space over the full device list vs ewald_real_compute over the host half list;
//  - PME: fixed-point spreading, FFT (FFTW r2c/c2r stand in for cuFFT D2Z/Z2D: the same unnormalised
//    transforms), influence/energy/virial body, gather — vs pme_cpu_compute, for one system and for a batch
//    of two systems in one launch;
//  - Ewald structure factors and forces vs ewald_kspace_compute;
//  - the composed Coulomb energy (real + reciprocal + self + background) vs coulomb_compute.
// Energies within 1e-12 relative, forces within 1e-10 eV/Å. Run time ~1 s.
#include <catch2/catch.hpp>

#include "backend_emul.h"

extern "C" {
#include "coulomb.h"
#include "ewald.h"
#include "pme_cpu.h"
}
#include "pair_kern.h"
#include "pme_kern.h"

namespace {

struct Setup {
  coulomb *c = nullptr;
  coulomb_info info{};
  std::vector<double> q;
  Setup(int method, double acc, double rc, md_system *s) {
    const md_model &m = emul::model();
    REQUIRE(coulomb_create(&c, method, acc, rc, m.charge, m.nelem) == MD_OK);
    REQUIRE(coulomb_setup(c, s) == MD_OK);
    coulomb_get_info(c, &info);
    for (int i = 0; i < s->n; i++) q.push_back(m.charge[s->type[i]]);
  }
  ~Setup() { coulomb_destroy(&c); }
};

double rel(double a, double b) { return std::fabs(a - b) / std::max(1e-300, std::fabs(b)); }

// 6-vector (xx yy zz xy xz yz) of a row-major virial
void w6_of(const double *W, double *w) {
  w[0] = W[0];
  w[1] = W[4];
  w[2] = W[8];
  w[3] = W[1];
  w[4] = W[2];
  w[5] = W[5];
}

}  // namespace

TEST_CASE("emulated PME kernels equal pme_cpu_compute", "[coulomb][pme][emul]") {
  for (const char *name : {"snap333_1000K.xyz", "zbl222_close.xyz", "unitcell.xyz"}) {
    INFO(name);
    md_system *s = emul::load(name, &emul::model());
    Setup S(MD_COUL_PME, 1e-5, 0.0, s);
    const int n = s->n;
    pme_cpu *cpu = nullptr;
    REQUIRE(pme_cpu_create(&cpu) == MD_OK);
    REQUIRE(pme_cpu_setup(cpu, S.info.grid, S.info.order, &s->box, S.info.alpha) == MD_OK);
    std::vector<double> f(3 * n, 0.0);
    double e = 0, W[9] = {0};
    REQUIRE(pme_cpu_compute(cpu, s, S.q.data(), f.data(), f.data() + n, f.data() + 2 * n, &e, W) == MD_OK);
    pme_cpu_destroy(&cpu);
    // one system, and a batch of two copies in one launch
    md_system *s2 = nullptr;
    REQUIRE(system_copy(&s2, s) == MD_OK);
    for (int nb : {1, 2}) {
      std::vector<md_system *> sys = {s};
      if (nb == 2) sys.push_back(s2);
      emul::Layout L(sys);
      std::vector<double> ev;
      emul::pme(L, 0, nb, S.info.grid, S.info.order, S.info.alpha, &s->box, emul::model().charge, ev);
      double w6[6];
      w6_of(W, w6);
      for (int b = 0; b < nb; b++) {
        CHECK(rel(ev[7 * b], e) < 1e-12);
        for (int c = 0; c < 6; c++) CHECK(std::fabs(ev[7 * b + 1 + c] - w6[c]) < 1e-12 * std::fabs(e));
        double df = 0;
        for (int d = 0; d < 3; d++)
          for (int i = 0; i < n; i++) df = std::max(df, std::fabs(L.force[d * L.ntot + L.off[b] + i] - f[d * n + i]));
        INFO("system " << b << " of " << nb);
        std::printf("PME emul %s batch %d system %d: |dE|/E %.2g, max |dF| %.2g eV/A\n", name, nb, b, rel(ev[7 * b], e), df);
        CHECK(df < 1e-10);
      }
    }
    system_destroy(&s2);
    system_destroy(&s);
  }
}

TEST_CASE("emulated fixed-point PME mesh matches the double-precision spread", "[coulomb][pme][emul]") {
  CHECK(pme_fixed_scale(1.0) == std::ldexp(1.0, 60));
  CHECK(pme_fixed_scale(1e5) * 1e5 < std::ldexp(1.0, 62));
  CHECK(pme_fixed_scale(1e5) * 1e5 > std::ldexp(1.0, 60));
  md_system *s = emul::load("snap333_1000K.xyz", &emul::model());
  Setup S(MD_COUL_PME, 1e-5, 0.0, s);
  emul::Layout L({s});
  pme_kargs A = emul::pme_args(L, 0, 1, S.info.grid, S.info.order, S.info.alpha, emul::model().charge);
  A.fix_scale = pme_fixed_scale(50.0);
  std::vector<unsigned long long> qfix(A.nreal, 0ull);
  std::vector<double> mesh(A.nreal);
  A.qfix = qfix.data();
  A.mesh = mesh.data();
  const int P = A.order;
  for (long t = 0; t < (long)A.natoms * P * P; t++) pme_spread_body(t, &A, P);
  for (long k = 0; k < A.nreal; k++) pme_convert_body(k, &A);
  // direct double spread, as pme_cpu.c
  std::vector<double> ref(A.nreal, 0.0);
  for (int i = 0; i < L.ntot; i++) {
    int base[3];
    double th[3 * PME_MAX_ORDER], dth[3 * PME_MAX_ORDER];
    pme_kern_splines(&A, i, P, base, th, dth);
    double q = A.qelem[L.type[i]];
    for (int a = 0; a < P; a++)
      for (int b = 0; b < P; b++)
        for (int c = 0; c < P; c++)
          ref[((long)((base[0] + a) % A.K[0]) * A.K[1] + (base[1] + b) % A.K[1]) * A.K[2] + (base[2] + c) % A.K[2]] +=
              q * th[a] * th[P + b] * th[2 * P + c];
  }
  double tot = 0.0;
  for (long k = 0; k < A.nreal; k++) {
    CHECK(std::fabs(mesh[k] - ref[k]) <= 64.0 / A.fix_scale + 1e-15 * std::fabs(ref[k]));
    tot += mesh[k];
  }
  CHECK(std::fabs(tot) < 1e-9);  // neutral cell: the mesh charge sums to zero
  system_destroy(&s);
}

TEST_CASE("emulated Coulomb real space over the full device list equals the host half-list sum", "[coulomb][emul]") {
  for (double rc : {6.0, 8.0}) {
    md_system *s = emul::load("snap333_1000K.xyz", &emul::model());
    Setup S(MD_COUL_PME, 1e-5, rc, s);
    const int n = s->n;
    nbr_list *half = nullptr;
    REQUIRE(nbr_create(&half, rc, 1.0, 1) == MD_OK);
    REQUIRE(nbr_build(half, s) == MD_OK);
    ewald_real *er = nullptr;
    REQUIRE(ewald_real_create(&er) == MD_OK);
    std::vector<double> f(3 * n, 0.0);
    double e = 0, W[9] = {0};
    REQUIRE(ewald_real_compute(er, s, half, S.q.data(), S.info.alpha, rc, f.data(), f.data() + n, f.data() + 2 * n, &e, W) == MD_OK);
    ewald_real_destroy(&er);
    nbr_destroy(&half);
    emul::Layout L({s});
    std::vector<emul::List> lists(1);
    lists[0].maxnbr = 1000;
    lists[0].rl2 = (rc + 1.0) * (rc + 1.0);
    emul::Builder B;
    B.build(L, {&s->box}, lists, 1.0, false, false);
    std::vector<double> acc, alpha = {S.info.alpha}, rc2 = {rc * rc};
    emul::coul_real(L, lists[0], emul::model().charge, alpha.data(), rc2.data(), acc);
    const std::vector<double> sums = emul::sum_atoms(L, acc, PAIR_NACC);
    const double eg = sums[PAIR_E_COUL], *w = &sums[PAIR_W];
    INFO("rc " << rc);
    std::printf("real space emul rc %g: |dE|/E %.2g, max |dF| %.2g eV/A\n", rc, rel(eg, e),
                emul::max_abs_diff(L.force.data(), f.data(), 3 * (size_t)n));
    CHECK(rel(eg, e) < 1e-12);
    double w6[6];
    w6_of(W, w6);
    for (int c = 0; c < 6; c++) CHECK(std::fabs(w[c] - w6[c]) < 1e-12 * std::fabs(e));
    CHECK(emul::max_abs_diff(L.force.data(), f.data(), 3 * (size_t)n) < 1e-11);
    system_destroy(&s);
  }
}

TEST_CASE("emulated Ewald kernels and the composed Coulomb energy equal the CPU", "[coulomb][emul]") {
  md_system *s = emul::load("snap333_1000K.xyz", &emul::model());
  Setup S(MD_COUL_EWALD, 1e-10, 0.0, s);
  const int n = s->n;
  REQUIRE(S.info.gcut > 0.0);
  // the CPU: the whole Coulomb sum, and its reciprocal part alone
  nbr_list *half = nullptr;
  const double rc = coulomb_cutoff(S.c);
  REQUIRE(nbr_create(&half, rc, 1.0, 1) == MD_OK);
  REQUIRE(nbr_build(half, s) == MD_OK);
  std::vector<double> ftot(3 * n, 0.0);
  double etot = 0, Wtot[9] = {0};
  REQUIRE(coulomb_compute(S.c, s, half, ftot.data(), ftot.data() + n, ftot.data() + 2 * n, &etot, Wtot) == MD_OK);
  nbr_destroy(&half);
  ewald_kspace *ks = nullptr;
  REQUIRE(ewald_kspace_create(&ks) == MD_OK);
  REQUIRE(ewald_kspace_setup(ks, &s->box, S.info.alpha, S.info.gcut) == MD_OK);
  std::vector<double> fk(3 * n, 0.0);
  double ek = 0, Wk[9] = {0};
  REQUIRE(ewald_kspace_compute(ks, s, S.q.data(), fk.data(), fk.data() + n, fk.data() + 2 * n, &ek, Wk) == MD_OK);
  const long nk_cpu = ewald_kspace_count(ks, nullptr);
  ewald_kspace_destroy(&ks);
  // the device's vector list and bodies
  emul::Layout L({s});
  emul::Ewald ew({&s->box}, {S.info.alpha}, {S.info.gcut});
  const long nk = ew.nk;
  CHECK(nk == nk_cpu);
  std::vector<double> e7;
  ew.compute(L, emul::model().charge, e7);
  const double eg = e7[0], *w = &e7[1];
  std::printf("Ewald emul: %ld vectors, |dE|/E %.2g, max |dF| %.2g eV/A\n", nk, rel(eg, ek),
              emul::max_abs_diff(L.force.data(), fk.data(), 3 * (size_t)n));
  CHECK(rel(eg, ek) < 1e-12);
  double w6[6];
  w6_of(Wk, w6);
  for (int c = 0; c < 6; c++) CHECK(std::fabs(w[c] - w6[c]) < 1e-12 * std::fabs(ek));
  CHECK(emul::max_abs_diff(L.force.data(), fk.data(), 3 * (size_t)n) < 1e-10);
  // + real space over the device list + self + background = coulomb_compute
  std::vector<emul::List> lists(1);
  lists[0].maxnbr = 1000;
  lists[0].rl2 = (rc + 1.0) * (rc + 1.0);
  emul::Builder B;
  B.build(L, {&s->box}, lists, 1.0, false, false);
  std::vector<double> acc, alpha = {S.info.alpha}, rc2 = {rc * rc};
  emul::coul_real(L, lists[0], emul::model().charge, alpha.data(), rc2.data(), acc);
  double q1 = 0, q2 = 0;
  for (double q : S.q) {
    q1 += q;
    q2 += q * q;
  }
  double e_all = eg + ewald_self_energy(S.info.alpha, q2) + ewald_background_energy(S.info.alpha, q1, s->box.volume);
  for (int i = 0; i < n; i++) e_all += acc[PAIR_E_COUL * n + i];
  std::printf("Coulomb (Ewald) emul total: |dE|/E %.2g, max |dF| %.2g eV/A\n", rel(e_all, etot),
              emul::max_abs_diff(L.force.data(), ftot.data(), 3 * (size_t)n));
  CHECK(rel(e_all, etot) < 1e-12);
  CHECK(emul::max_abs_diff(L.force.data(), ftot.data(), 3 * (size_t)n) < 1e-10);
  system_destroy(&s);
}
