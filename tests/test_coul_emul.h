// test_coul_emul.h — the Coulomb kernels' argument structs (kernels/pme_kern.h, kernels/ewald_kern.h) over an
// emulated layout (test_emul_util.h), filled as kernels/pme_gpu.cu and kernels/coulomb_gpu.cu fill them; the
// output buffers are the caller's. Used by tests/test_pme_emul.cpp and tests/test_halt_emul.cpp.
#ifndef ESNAP_TEST_COUL_EMUL_H
#define ESNAP_TEST_COUL_EMUL_H

#include <cmath>
#include <vector>

#include "test_emul_util.h"

#include "ewald_kern.h"
#include "pme_kern.h"
#include "pme_tables.h"

namespace emul {

// PME of systems sys0 … sys0+nb−1 of L (one mesh K, B-spline order, α); fixed-point scale from the batch's
// charges; qfix, mesh, cmesh, psi, force left for the caller.
inline pme_kargs pme_args(const Layout &L, int sys0, int nb, const int K[3], int order, double alpha) {
  const md_model &m = model();
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
  A.qelem = m.charge;
  double sa = 0.0;
  for (int i = A.first_atom; i < A.first_atom + A.natoms; i++) sa += std::fabs(m.charge[L.type[i]]);
  A.fix_scale = pme_fixed_scale(sa);
  A.alpha = alpha;
  return A;
}

// The Ewald vectors of one system (|m| <= gcut), component-major as the device holds them.
struct EwaldVectors {
  long nk = 0;
  std::vector<int> n, kbase, ksys;
  std::vector<double> m, w, alpha;
  EwaldVectors(const md_box *box, double a, double gcut) {
    nk = ewald_vectors_list(box, a, gcut, nullptr, nullptr, nullptr);
    std::vector<int> nv(3 * nk);
    std::vector<double> mv(3 * nk);
    w.resize(nk);
    ewald_vectors_list(box, a, gcut, nv.data(), mv.data(), w.data());
    n.resize(3 * nk);
    m.resize(3 * nk);
    for (long k = 0; k < nk; k++)
      for (int d = 0; d < 3; d++) {
        n[d * nk + k] = nv[3 * k + d];
        m[d * nk + k] = mv[3 * k + d];
      }
    kbase = {0, (int)nk};
    ksys.assign(nk, 0);
    alpha = {a};
  }
};

// Ewald over the one system of L with vectors V; outputs S (sre, sim), per-vector E/W (ek) and forces (ADDED).
inline ewald_kargs ewald_args(const Layout &L, const EwaldVectors &V, double *sre, double *sim, double *ek, double *force) {
  ewald_kargs A{};
  A.ntot = L.ntot;
  A.sys_offset = L.off.data();
  A.atom_sys = L.atom_sys.data();
  A.type = L.type.data();
  A.qelem = model().charge;
  A.pos = L.pos.data();
  A.box = L.box.data();
  A.kbase = V.kbase.data();
  A.ksys = V.ksys.data();
  A.n = V.n.data();
  A.m = V.m.data();
  A.w = V.w.data();
  A.nk = V.nk;
  A.sre = sre;
  A.sim = sim;
  A.ek = ek;
  A.alpha = V.alpha.data();
  A.force = force;
  return A;
}

}  // namespace emul

#endif
