// CPU emulation of the device ZBL kernel (kernels/pair_kern.h zbl_body over the full device list, pair
// table from zbl_pair_init as kernels/zbl_gpu.cu builds it; driven by tests/backend_emul.cpp) against host/ff/zbl_cpu.c on the dense cell (6 pairs
// below 1 Å, 71 in the switching zone) and the 2x2x2 cell with two Li 1.2 Å apart; and the closest-pair
// safety body against system_min_distance. Energies within 1e-13 relative, forces 1e-12 eV/Å. Run time < 1 s.
#include <catch2/catch.hpp>

#include "backend_emul.h"

extern "C" {
#include "zbl_cpu.h"
}
#include "pair_kern.h"

TEST_CASE("emulated ZBL kernel equals zbl_cpu_compute", "[zbl][emul]") {
  const md_model &m = emul::model();
  for (const char *name : {"zbl_zbl_dense.xyz", "zbl222_close.xyz", "snap333_1000K.xyz"}) {
    INFO(name);
    md_system *s = emul::load(name, &m);
    const int n = s->n;
    const double skin = 1.0;
    nbr_list *nl = nullptr;
    REQUIRE(nbr_create(&nl, m.zbl_outer, skin, 0) == MD_OK);
    REQUIRE(nbr_build(nl, s) == MD_OK);
    std::vector<double> f(3 * n, 0.0);
    double e = 0, W[9] = {0};
    REQUIRE(zbl_cpu_compute(&m, s, nl, f.data(), f.data() + n, f.data() + 2 * n, &e, W) == MD_OK);
    nbr_destroy(&nl);
    emul::Layout L({s});
    std::vector<emul::List> lists(1);
    lists[0].maxnbr = 400;
    lists[0].rl2 = (m.zbl_outer + skin) * (m.zbl_outer + skin);
    emul::Builder B;
    B.build(L, {&s->box}, lists, skin, false, false);
    std::vector<double> acc;
    emul::zbl(L, lists[0], m, acc);
    const std::vector<double> sums = emul::sum_atoms(L, acc, PAIR_NACC);
    const double eg = sums[PAIR_E_ZBL], *w = &sums[PAIR_W];
    const double w6[6] = {W[0], W[4], W[8], W[1], W[2], W[5]};
    double df = emul::max_abs_diff(L.force.data(), f.data(), 3 * (size_t)n);
    std::printf("ZBL emul %s: E %.10g eV, |dE| %.2g eV, max |dF| %.2g eV/A\n", name, e, std::fabs(eg - e), df);
    CHECK(std::fabs(eg - e) <= 1e-13 * std::max(1.0, std::fabs(e)));
    for (int c = 0; c < 6; c++) CHECK(std::fabs(w[c] - w6[c]) <= 1e-12 * std::max(1.0, std::fabs(W[0])));
    CHECK(df < 1e-12 * std::max(1.0, std::fabs(e)));
    if (std::string(name) == "snap333_1000K.xyz") CHECK(e == 0.0);  // no pair inside 1.5 Å
    // the closest listed pair (safety check body) equals the brute-force closest pair
    double best = INFINITY, dmin;
    int ia, ib;
    for (int i = 0; i < n; i++) best = std::min(best, emul::min_distance(L, lists[0], i));
    REQUIRE(system_min_distance(s, m.zbl_outer + skin, &dmin, &ia, &ib) == MD_OK);
    CHECK(best == dmin);
    system_destroy(&s);
  }
}
