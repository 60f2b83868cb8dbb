// backend_emul.h — the "emulated" backend of the tests: the CUDA backend's kernel bodies (kernels/*_kern.h,
// kernels/snap_gpu_body.h) run on the host over their launch index space, in the launch order of the .cu
// drivers, on host arrays in the device layout (tests/test_emul_util.h). This is the ONE place of the tests that
// calls kernel bodies for whole force evaluations and MD steps (tests/backend_emul.cpp):
//  - Snap: the SNAP kernel chain (fast chain path and reference path) over a device list;
//  - pme / ewald_kspace: the reciprocal-space kernels (FFTW r2c/c2r stand in for cuFFT D2Z/Z2D);
//  - ForceField: the composed eSNAP force field of kernels/gpu_forces.cu (device neighbour build, SNAP,
//    Coulomb real space, PME or Ewald, ZBL, per-system energies and virials);
//  - ff_compute: the eval front (kernels/gpu_forces.cu gpu_ff_compute) on one system;
//  - backend(): an md_backend_ops (src/backend.h) whose run_steps is the CUDA backend's step sequence
//    (kernels/backend_gpu_step.cu: integrator begin, guarded rebuild, force stages, integrator end, safety).
// The CUDA backend's reductions (chunked sums, atomics) run here in atom order; results equal the CPU to
// round-off (1e-12 relative in energies), and bit for bit where the device is deterministic (batch = alone).
#ifndef ESNAP_TEST_BACKEND_EMUL_H
#define ESNAP_TEST_BACKEND_EMUL_H

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "test_emul_util.h"
#include "ewald_kern.h"
#include "integrate_kern.h"
#include "pme_kern.h"

extern "C" {
#include "backend.h"
#include "forcefield.h"
#include "snap_io.h"
}

struct snap_gpu_tab;   // kernels/snap_gpu_body.h
struct snap_gpu_work;

namespace emul {

// Outputs of the SNAP kernels for R systems: e[nsys], vir[9 nsys], f[3][ntot] (component-major), eatom[ntot],
// b[ntot nB] (empty without the bispectrum).
struct SnapOut {
  std::vector<double> e, vir, f, eatom, b;
};

// The SNAP kernels of kernels/snap_gpu.cu. run() ADDS forces into L.force, like the device.
class Snap {
 public:
  explicit Snap(const snap_params &p);
  ~Snap();
  bool reference = false;  // the reference kernel path (snap_gpu_set_reference)
  int nsm = 132;           // streaming multiprocessors the launch splits are planned for
  const int *halt = nullptr;  // the step sequence's halt word (snap_gpu_work.halt; kern_halted)
  int nbispectrum() const;
  double cutoff() const;
  int idxuh_max() const;
  SnapOut run(Layout &L, int maxnbr, const int *num, const int *j, const int *img, bool want_b);

 private:
  struct Impl;
  std::unique_ptr<Impl> d_;
};

// The twojmax dispatch of the templated kernels snap_kern_ui<J> and snap_kern_deidrj_chain<J>, as the CUDA
// driver's switch over instantiations.
void snap_ui(int twojmax, const snap_gpu_tab &T, const snap_gpu_work &W, const double *rootpq, int i, int mb);
void snap_chain(int twojmax, const snap_gpu_work &W, const double *rootpq, int a0, int p, int mb, int lane, double *sh,
                int nch);

// PME of systems sys0 .. sys0+nb-1 with one mesh: forces added to L.force, ev[7 k + c] energy and virial
// (xx yy zz xy xz yz) of each, self-energy correction included (kernels/pme_gpu.cu).
void pme(Layout &L, int sys0, int nb, const int K[3], int order, double alpha, const md_box *box, const double *qelem,
         std::vector<double> &ev);

// The PME kernels' arguments for systems sys0 .. sys0+nb-1 of L, as kernels/pme_gpu.cu fills them (fixed-point
// scale from the batch's charges); qfix, mesh, cmesh, psi, psi_stride, force and halt are the caller's.
pme_kargs pme_args(const Layout &L, int sys0, int nb, const int K[3], int order, double alpha, const double *qelem);

// Coulomb real space (k_coul_real) over a full device list, alpha and rc2 per system; ZBL (k_zbl, the pair
// table as kernels/zbl_gpu.cu builds it) over the short list. Forces ADDED to L.force, per-atom energies and
// virials ADDED to acc [PAIR_NACC ntot] (kernels/pair_kern.h; resized to that when smaller).
void coul_real(Layout &L, const List &l, const double *qelem, const double *alpha, const double *rc2, std::vector<double> &acc);
void zbl(Layout &L, const List &l, const md_model &m, std::vector<double> &acc);
// The closest listed neighbour of atom i (the closest-pair safety check, pair_min_distance).
double min_distance(Layout &L, const List &l, int i);
// Per-system sums, in atom order, of ncomp per-atom components (component-major over ntot): [nsys ncomp].
std::vector<double> sum_atoms(const Layout &L, const std::vector<double> &acc, int ncomp);

// Ewald reciprocal space of every system (kernels/coulomb_gpu.cu): the vectors of each system back to back.
struct Ewald {
  Ewald(const std::vector<const md_box *> &boxes, const std::vector<double> &alpha, const std::vector<double> &gcut);
  // k_ewald_sf and k_ewald_force: forces ADDED to L.force; e7[7 s + c]: energy and virial of system s
  void compute(Layout &L, const double *qelem, std::vector<double> &e7);
  long nk = 0;
  std::vector<int> kbase, ksys, kn;
  std::vector<double> km, w, alpha;
};
// The Ewald kernels' arguments over L with the vectors of V, as kernels/coulomb_gpu.cu fills them: structure
// factor sre, sim [nk], per-vector energy and virial ek [7 nk], forces ADDED to force; halt is the caller's.
ewald_kargs ewald_args(const Layout &L, const Ewald &V, const double *qelem, double *sre, double *sim, double *ek,
                       double *force);

// The integrator kernels of kernels/integrate_gpu.cu over every system of L (is[s]: system s's state).
//  integrate_begin: k_integ_begin, k_integ_kick_drift (x0: positions at the last list build, or nullptr);
//                   returns true when an atom moved beyond p.moved2 (a rebuild is due);
//  integrate_end:   k_integ_kick_mv2, the chunked per-system sums, k_integ_finish, k_integ_scale_check.
// Stop reasons are raised in st (kern_status_raise) as the kernels do; nothing runs once st.halt is set.
bool integrate_begin(const integ_params &p, std::vector<integ_sys> &is, Layout &L, const double *x0, gpu_status &st);
void integrate_end(const integ_params &p, std::vector<integ_sys> &is, Layout &L, gpu_status &st);
// Per-system sums of per-atom values by the device's two passes (chunks of KERN_CHUNK atoms, KERN_RED_THREADS
// threads each, in order).
std::vector<double> chunk_sums(const Layout &L, const std::vector<double> &v);

// Per-system energies of one evaluation, as kernels/gpu_forces.cu gpu_forces_energies composes them.
struct Energy {
  double pe = 0, e_snap = 0, e_coul = 0, e_zbl = 0, virial[9] = {0};
};

// The device force field over R systems (kernels/gpu_forces.cu).
class ForceField {
 public:
  // The model after the options (ff_options as for gpu_forces_create); an error (MD_ERR_UNSUPPORTED for
  // `coulomb ... lammps`) is returned by status().
  ForceField(const md_model &m, const ff_options &o, const std::vector<md_system *> &sys, bool bispectrum);
  ~ForceField();
  md_status status() const;
  // Device neighbour lists (guarded counting-sort path; wrap the positions first when asked), grown as needed.
  void build(Layout &L, bool wrap);
  // Zero the forces, then SNAP, Coulomb real space, k space, ZBL.
  void compute(Layout &L);
  std::vector<Energy> energies() const;
  const std::vector<double> &bispectrum() const;  // [ntot nB] of the last compute (bispectrum asked)
  int nbispectrum() const;
  const List *short_list() const;  // SNAP/ZBL list (nullptr: none)
  const List *check_list() const;  // short list, else the Coulomb list (closest-pair checks)
  const std::vector<double> &x0() const;  // positions at the last build (displacement check)
  double skin() const;
  long builds() const;
  const char *describe() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> d_;
};

// The eval front on one system (gpu_ff_compute): energies, forces, virial and, when r->nbisp > 0, the
// bispectrum.
md_status ff_compute(const md_model &m, const ff_options &o, const md_system *s, ff_result *r);

// The emulated MD backend (name "emulated").
const md_backend_ops *backend();

}  // namespace emul

#endif
