// CPU emulation of the device integrator (kernels/integrate_kern.h bodies in the launch order of
// kernels/integrate_gpu.cu, Σ m v² by the chunked reduction of gpu_kern.h; tests/backend_emul.cpp) with forces from the CPU force
// field, against the CPU backend (host/md/backend_cpu.c): 20 steps of NVE, NVT (fix nvt, chain 3) and NVT with a
// ramped target, tloop 2 and drag, and a replica's own fixed target give the same positions and velocities to the last bit here (108 atoms: the
// chunked kinetic-energy sum adds in atom order) and the chain state to 1e-12. Also the per-system sums for several systems and > 2048
// atoms, and the safety bodies (lost atom, non-finite, temperature). Run time ~5 s.
#include <catch2/catch.hpp>

#include "backend_emul.h"

extern "C" {
#include "forcefield.h"
#include "integrate.h"
#include "system.h"
#include "velocity.h"
#include "backend.h"
}
#include "integrate_kern.h"

namespace {

md_backend_options options(int ensemble, double t0, double t1, int tloop, double drag) {
  md_backend_options o{};
  o.integ.ensemble = ensemble;
  o.integ.dt = 0.001;
  o.integ.t_start = t0;
  o.integ.t_stop = t1;
  o.integ.ramp_begin = 0;
  o.integ.ramp_end = 20;
  o.integ.t_damp = 0.1;
  o.integ.chain = 3;
  o.integ.tloop = tloop;
  o.integ.drag = drag;
  o.safety.t_max = 20000;
  o.safety.min_dist = 0.5;
  o.safety.min_dist_every = 10;
  o.safety.max_disp = 1.0;
  o.coulomb = -1;
  o.skin = 1.0;
  return o;
}

integ_params device_params(const md_backend_options &o, const md_model &m) {
  integ_params p;
  integ_params_from_options(&p, &o, &m);
  return p;
}
// t_fixed > 0: the replica's own constant NVT target (backend option rep_temperature), which replaces the ramp.
void compare_with_cpu(int ensemble, double t0, double t1, int tloop, double drag, double t_fixed = 0.0) {
  const md_model &m = emul::model();
  md_system *s = emul::load("snap333_1000K.xyz", &m);
  md_rng rng;
  md_rng_seed(&rng, 4928, 0);
  REQUIRE(velocity_create(s, m.mass, 1000.0, VELOCITY_GAUSSIAN, 1, &rng) == MD_OK);
  system_wrap(s);
  md_backend_options o = options(ensemble, t0, t1, tloop, drag);
  const real_t tfix[1] = {t_fixed};
  if (t_fixed > 0.0) o.rep_temperature = tfix;
  // the CPU backend
  md_replica rep;
  REQUIRE(replica_alloc(&rep, s) == MD_OK);
  nhc_params np;
  integ_nhc_params(&o.integ, s->n, &np);
  const double tcur = velocity_temperature(s, m.mass);
  nhc_init(&rep.nhc, &np, t_fixed > 0.0 ? t_fixed : t0, tcur);
  const md_backend_ops *ops = md_backend_cpu();
  md_backend *b = nullptr;
  REQUIRE(ops->create(&b, &m, &o, &rep, 1) == MD_OK);
  REQUIRE(ops->set_state(b, 0, &rep, MD_STATE_ALL) == MD_OK);
  REQUIRE(ops->compute_forces(b) == MD_OK);
  REQUIRE(ops->get_state(b, 0, &rep, MD_STATE_FORCE) == MD_OK);
  // the emulated device step, forces from the CPU force field
  emul::Layout L({s});
  const int n = L.ntot;
  for (int i = 0; i < n; i++) {
    L.force[i] = rep.fx[i];
    L.force[n + i] = rep.fy[i];
    L.force[2 * n + i] = rep.fz[i];
  }
  integ_params p = device_params(o, m);
  std::vector<integ_sys> is(1);
  integ_sys &sys = is[0];
  sys.nhc = rep.nhc;
  sys.np = np;
  sys.dof = thermo_dof(n);
  sys.scale = 1.0;
  sys.step = 0;
  sys.t_fixed = t_fixed;
  gpu_status hs;
  kern_status_init(&hs);
  ff_options fo;
  ff_options_default(&fo);
  fo.skin = 1.0;
  fo.quiet = 1;
  md_forcefield *ff = nullptr;
  REQUIRE(ff_create(&ff, &m, &fo) == MD_OK);
  ff_result res;
  REQUIRE(ff_result_alloc(&res, n, 0) == MD_OK);
  md_system *work = nullptr;
  REQUIRE(system_copy(&work, s) == MD_OK);
  REQUIRE(ff_compute(ff, work, &res) == MD_OK);  // the same list history as the backend's force field
  const int nsteps = 20;
  for (int step = 0; step < nsteps; step++) {
    emul::integrate_begin(p, is, L, nullptr, hs);
    REQUIRE(hs.flags == 0);
    for (int i = 0; i < n; i++) {  // forces (CPU)
      work->x[i] = L.pos[i];
      work->y[i] = L.pos[n + i];
      work->z[i] = L.pos[2 * n + i];
    }
    if (ff_neighbors_due(ff, work)) {  // wrapped at a list rebuild, as both backends do
      system_wrap(work);
      for (int i = 0; i < n; i++) {
        L.pos[i] = work->x[i];
        L.pos[n + i] = work->y[i];
        L.pos[2 * n + i] = work->z[i];
      }
    }
    REQUIRE(ff_compute(ff, work, &res) == MD_OK);
    for (int i = 0; i < n; i++) {
      L.force[i] = res.fx[i];
      L.force[n + i] = res.fy[i];
      L.force[2 * n + i] = res.fz[i];
    }
    emul::integrate_end(p, is, L, hs);
    REQUIRE(hs.flags == 0);
  }
  REQUIRE(ops->run_steps(b, nsteps) == MD_OK);
  REQUIRE(ops->get_state(b, 0, &rep, MD_STATE_ALL) == MD_OK);
  md_thermo th;
  REQUIRE(ops->reduce_thermo(b, 0, &th) == MD_OK);
  CHECK(sys.step == nsteps);
  CHECK(rep.sys->step == nsteps);
  double dx = 0, dv = 0;
  for (int i = 0; i < n; i++) {
    dx = std::max({dx, std::fabs(L.pos[i] - rep.sys->x[i]), std::fabs(L.pos[n + i] - rep.sys->y[i]),
                   std::fabs(L.pos[2 * n + i] - rep.sys->z[i])});
    dv = std::max({dv, std::fabs(L.vel[i] - rep.sys->vx[i]), std::fabs(L.vel[n + i] - rep.sys->vy[i]),
                   std::fabs(L.vel[2 * n + i] - rep.sys->vz[i])});
  }
  INFO("ensemble " << ensemble << " tloop " << tloop << " drag " << drag << ": max |dx| " << dx << " max |dv| " << dv);
  std::printf("integrator emul vs CPU backend (ensemble %d, tloop %d, drag %g): %d steps, max |dx| %.2g A, max |dv| %.2g A/ps\n",
              ensemble, tloop, drag, nsteps, dx, dv);
  // the same operations in the same order: equal to the last bit here, up to FMA contraction choices of
  // the compilers in general
  CHECK(dx < 1e-12);
  CHECK(dv < 1e-10);
  if (ensemble == MD_ENS_NVT) {
    for (int k = 0; k < 3; k++) {
      CHECK(sys.nhc.eta[k] == Approx(rep.nhc.eta[k]).epsilon(1e-12));
      CHECK(sys.nhc.eta_dot[k] == Approx(rep.nhc.eta_dot[k]).epsilon(1e-12));
    }
    CHECK(sys.nhc.t_target == Approx(rep.nhc.t_target).epsilon(1e-15));
    if (t_fixed > 0.0) CHECK(sys.nhc.t_target == t_fixed);
    CHECK(sys.nhc.t_current == Approx(rep.nhc.t_current).epsilon(1e-13));
    CHECK(nhc_energy(&sys.nhc) == Approx(nhc_energy(&rep.nhc)).epsilon(1e-12));
  }
  CHECK(sys.temp == Approx(th.temp).epsilon(1e-14));
  system_destroy(&work);
  ff_result_free(&res);
  ff_destroy(&ff);
  ops->destroy(&b);
  replica_free(&rep);
  system_destroy(&s);
}

}  // namespace

TEST_CASE("emulated device integrator equals the CPU backend step by step", "[md][emul]") {
  compare_with_cpu(MD_ENS_NVE, 0, 0, 1, 0.0);
  compare_with_cpu(MD_ENS_NVT, 1000, 1000, 1, 0.0);
  compare_with_cpu(MD_ENS_NVT, 1000, 1300, 2, 0.2);
  compare_with_cpu(MD_ENS_NVT, 1000, 1300, 1, 0.0, 800.0);  // a replica's own temperature replaces the ramp
}

TEST_CASE("emulated per-system kinetic sums over several systems and chunks", "[md][emul]") {
  const md_model &m = emul::model();
  md_system *a = emul::load("snap333_1000K.xyz", &m), *u = emul::load("unitcell.xyz", &m);
  md_system *big = nullptr;  // 3 x 108 x 8 atoms: several chunks
  REQUIRE(system_create(&big, 5000) == MD_OK);
  big->box = a->box;
  md_rng rng;
  md_rng_seed(&rng, 7, 0);
  for (md_system *s : {a, u, big}) REQUIRE(velocity_create(s, m.mass, 700.0, VELOCITY_GAUSSIAN, 1, &rng) == MD_OK);
  emul::Layout L({a, u, big});
  integ_params p{};
  for (int e = 0; e < m.nelem; e++) p.mass[e] = m.mass[e];
  std::vector<double> mv2(L.ntot);
  for (int i = 0; i < L.ntot; i++) mv2[i] = integ_mv2_body(i, L.ntot, &p, L.type.data(), L.vel.data());
  auto sums = emul::chunk_sums(L, mv2);
  int k = 0;
  for (md_system *s : {a, u, big}) {
    double ref = integ_sum_mv2(s, m.mass, nullptr);
    INFO("system " << k);
    CHECK(sums[k] == Approx(ref).epsilon(1e-14));
    if (s->n <= KERN_RED_THREADS) CHECK(sums[k] == ref);  // one atom per thread: atom order exactly
    k++;
  }
  system_destroy(&a);
  system_destroy(&u);
  system_destroy(&big);
}

TEST_CASE("emulated integrator safety bodies", "[md][emul]") {
  const md_model &m = emul::model();
  md_system *s = emul::load("unitcell.xyz", &m);
  emul::Layout L({s});
  md_backend_options o = options(MD_ENS_NVE, 0, 0, 1, 0.0);
  integ_params p = device_params(o, m);
  integ_sys sys{};
  sys.dof = thermo_dof(4);
  sys.scale = 1.0;
  std::vector<double> x0 = L.pos;
  p.moved2 = 0.25;
  int moved = 0;
  // a slow atom: nothing; a fast one (1.2 Å in 1 fs): lost; NaN velocity: lost
  L.vel[0] = 100.0;
  CHECK(integ_kick_drift_body(0, 4, &p, &sys, L.atom_sys.data(), L.type.data(), L.pos.data(), L.vel.data(), L.force.data(),
                              x0.data(), &moved) == 0);
  CHECK(moved == 0);
  L.vel[1] = 1200.0;
  CHECK(integ_kick_drift_body(1, 4, &p, &sys, L.atom_sys.data(), L.type.data(), L.pos.data(), L.vel.data(), L.force.data(),
                              x0.data(), &moved) == KERN_STOP_LOST);
  CHECK(moved == 1);  // 1.2 Å > skin/2 = 0.5 Å
  L.vel[2] = NAN;
  CHECK(integ_kick_drift_body(2, 4, &p, &sys, L.atom_sys.data(), L.type.data(), L.pos.data(), L.vel.data(), L.force.data(),
                              x0.data(), &moved) == KERN_STOP_LOST);
  CHECK(integ_scale_check_body(2, 4, &p, &sys, L.atom_sys.data(), L.pos.data(), L.vel.data(), L.force.data()) ==
        KERN_STOP_NONFINITE);
  CHECK(integ_scale_check_body(3, 4, &p, &sys, L.atom_sys.data(), L.pos.data(), L.vel.data(), L.force.data()) == 0);
  // temperature limit
  p.t_max = 3000.0;
  double mv2_hot = 4000.0 * sys.dof * MD_BOLTZ / MD_MVV2E, mv2_cold = 2000.0 * sys.dof * MD_BOLTZ / MD_MVV2E;
  CHECK(integ_finish_body(0, &p, &sys, mv2_hot) == KERN_STOP_TEMP);
  CHECK(sys.temp == Approx(4000.0));
  CHECK(integ_finish_body(0, &p, &sys, mv2_cold) == 0);
  // the status word records the first reason, its step, system and smallest atom
  gpu_status st;
  kern_status_init(&st);
  kern_status_raise(&st, KERN_STOP_TEMP, 1, 17, -1, 0);
  kern_status_raise(&st, KERN_STOP_NONFINITE, 0, 18, 5, 0);
  kern_status_raise(&st, KERN_STOP_NONFINITE, 0, 18, 3, 1);
  CHECK(st.flags == (unsigned)(KERN_STOP_TEMP | KERN_STOP_NONFINITE));
  CHECK(st.step == 17);
  CHECK(st.sys == 1);
  CHECK(st.atom == 3);
  CHECK(st.halt == KERN_STOP_NONFINITE);
  // the min-distance check is due every N steps
  sys.step = 20;
  CHECK(integ_min_dist_due(&p, &sys) == 1);
  sys.step = 21;
  CHECK(integ_min_dist_due(&p, &sys) == 0);
  system_destroy(&s);
}
