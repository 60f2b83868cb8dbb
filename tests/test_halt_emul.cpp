// The halt word of the device step sequence (kernels/gpu_kern.h kern_halted), emulated on the CPU: while it
// is set every force kernel body outside SNAP — the zero stage, Coulomb real space, ZBL, the Ewald structure
// factor and force, the PME spread, convert, k-space and gather — returns at once and writes nothing, so the
// steps left in a captured multi-step graph after a halt do no force work and the forces stay those of the
// failing step. With the word clear the same bodies write. (SNAP: tests/test_snap_gpu_emul.cpp.) Run time < 1 s.
#include <catch2/catch.hpp>

extern "C" {
#include "coulomb.h"
}
#include "pair_kern.h"
#include "backend_emul.h"
#include "pme_tables.h"

namespace {

// Every output a force body writes, filled with a recognisable value.
struct Outputs {
  std::vector<double> force, acc, mesh, cmesh, sre, sim, ek, ev;
  std::vector<unsigned long long> qfix;
  void fill(size_t n3, size_t nacc, size_t nreal, size_t ncomplex, size_t nk) {
    force.assign(n3, 0.25);
    acc.assign(nacc, 0.5);
    mesh.assign(nreal, 0.75);
    cmesh.assign(2 * ncomplex, 1.25);
    qfix.assign(nreal, 7ull);
    sre.assign(nk, 1.5);
    sim.assign(nk, 1.75);
    ek.assign(7 * nk, 2.25);
    ev.assign(7, 3.5);
  }
  bool operator==(const Outputs &o) const {
    return force == o.force && acc == o.acc && mesh == o.mesh && cmesh == o.cmesh && qfix == o.qfix && sre == o.sre &&
           sim == o.sim && ek == o.ek;
  }
};

}  // namespace

TEST_CASE("emulated force kernels write nothing while the halt word is set", "[coulomb][zbl][emul]") {
  const md_model &m = emul::model();
  md_system *s = emul::load("snap333_1000K.xyz", &m);
  const int n = s->n;
  const double skin = 1.0, rc = 6.0;
  emul::Layout L({s});
  std::vector<emul::List> lists(1);
  lists[0].maxnbr = 1000;
  lists[0].rl2 = (rc + skin) * (rc + skin);
  emul::Builder B;
  B.build(L, {&s->box}, lists, skin, false, false);
  zbl_pair pairs[MD_MAX_ELEM * MD_MAX_ELEM];
  for (int a = 0; a < m.nelem; a++)
    for (int b = 0; b < m.nelem; b++) zbl_pair_init(&pairs[a * m.nelem + b], m.zbl_z[a], m.zbl_z[b], m.zbl_inner, m.zbl_outer);
  // Ewald vectors and PME mesh as the CPU code chooses them
  coulomb *ce = nullptr, *cp = nullptr;
  REQUIRE(coulomb_create(&ce, MD_COUL_EWALD, 1e-5, rc, m.charge, m.nelem) == MD_OK);
  REQUIRE(coulomb_setup(ce, s) == MD_OK);
  REQUIRE(coulomb_create(&cp, MD_COUL_PME, 1e-5, rc, m.charge, m.nelem) == MD_OK);
  REQUIRE(coulomb_setup(cp, s) == MD_OK);
  coulomb_info ie, ip;
  coulomb_get_info(ce, &ie);
  coulomb_get_info(cp, &ip);
  const emul::Ewald V({&s->box}, {ie.alpha}, {ie.gcut});
  const long nk = V.nk;
  REQUIRE(nk > 0);
  const int P = ip.order;
  const long nreal = (long)ip.grid[0] * ip.grid[1] * ip.grid[2], ncomplex = (long)ip.grid[0] * ip.grid[1] * (ip.grid[2] / 2 + 1);
  std::vector<double> psi(ncomplex);
  double self_e, self_w[6];
  REQUIRE(pme_tables_compute(ip.grid, P, &s->box, ip.alpha, psi.data(), &self_e, self_w) == 0);

  // every force body over its launch's index space, in the order of one force evaluation
  auto evaluate = [&](const int *halt, Outputs &o) {
    kern_zero_args Z{};
    Z.p[0] = o.force.data();
    Z.len[0] = 3L * n;
    Z.p[1] = o.acc.data();
    Z.len[1] = (long)PAIR_NACC * n;
    Z.n = 2;
    Z.halt = halt;
    for (long k = 0; k < (long)PAIR_NACC * n; k++) kern_zero_body(k, &Z);
    pair_args A{n, L.pos.data(), L.type.data(), L.atom_sys.data(), L.box.data(), lists[0].num.data(), lists[0].j.data(),
                lists[0].img.data(), o.force.data(), o.acc.data(), halt};
    for (int i = 0; i < n; i++) coul_real_body(i, &A, m.charge, ip.alpha, rc * rc);
    for (int i = 0; i < n; i++) zbl_body(i, &A, pairs, m.nelem, m.zbl_outer * m.zbl_outer);
    ewald_kargs E = emul::ewald_args(L, V, m.charge, o.sre.data(), o.sim.data(), o.ek.data(), o.force.data());
    E.halt = halt;
    const int T = 128;
    for (long k = 0; k < nk; k++) {
      std::vector<double> pr(T), pi(T);
      for (int t = 0; t < T; t++) ewald_sf_partial(&E, k, t, T, &pr[t], &pi[t]);
      ewald_sf_finish(&E, k, kern_sum_in_order(pr.data(), T), kern_sum_in_order(pi.data(), T));
    }
    for (int i = 0; i < n; i++) ewald_force_body(i, &E);
    pme_kargs M = emul::pme_args(L, 0, 1, ip.grid, P, ip.alpha, m.charge);
    M.qfix = o.qfix.data();
    M.mesh = o.mesh.data();
    M.cmesh = o.cmesh.data();
    M.psi = psi.data();
    M.psi_stride = 0;
    M.force = o.force.data();
    M.halt = halt;
    for (long t = 0; t < (long)n * P * P; t++) pme_spread_body(t, &M, P);
    for (long k = 0; k < nreal; k++) pme_convert_body(k, &M);
    for (long k = 0; k < ncomplex; k++) {
      double e7[7];
      pme_kspace_body(k, &M, e7);
      for (int c = 0; c < 7; c++) o.ev[c] += e7[c];
    }
    for (int t = 0; t < n; t++) pme_gather_body(t, &M, P);
  };

  const int clear = 0;
  Outputs before;
  before.fill(3 * (size_t)n, PAIR_NACC * (size_t)n, nreal, ncomplex, nk);
  for (int reason : {(int)KERN_STOP_OVERFLOW, (int)KERN_STOP_NONFINITE, (int)KERN_STOP_LOST}) {
    INFO("halt " << reason);
    Outputs o = before;
    evaluate(&reason, o);
    CHECK(o == before);
    CHECK(o.ev == before.ev);
  }
  for (const int *halt : {(const int *)nullptr, &clear}) {  // no halt word; a clear one
    Outputs o = before;
    evaluate(halt, o);
    CHECK(o.force != before.force);
    CHECK(o.acc != before.acc);
    CHECK(o.qfix != before.qfix);
    CHECK(o.mesh != before.mesh);
    CHECK(o.cmesh != before.cmesh);
    CHECK(o.sre != before.sre);
    CHECK(o.ek != before.ek);
  }
  coulomb_destroy(&ce);
  coulomb_destroy(&cp);
  system_destroy(&s);
}
