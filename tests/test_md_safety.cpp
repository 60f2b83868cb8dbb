// Safety stops: overlapping atoms, a temperature above the limit, an atom moving too far in one step, a
// non-finite velocity, and a run that explodes: each stops with one line naming the step and the atoms, a
// non-zero exit, and the last good checkpoint left intact and loadable. Every check on every backend
// (tests/backend_cases.h): the messages are the same words on each.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <sstream>
#include <string>

#include "backend_cases.h"
#include "test_md_util.h"

extern "C" {
#include "backend.h"
#include "box.h"
#include "checkpoint.h"
#include "integrate.h"
#include "model.h"
#include "system.h"
}

namespace {

// α-Li3N supercell (types 0 = Li, 1 = N), LAMMPS-style cell.
md_system *li3n(int nx, int ny, int nz) {
  const double a = 3.65069, c = 3.888635, r3 = std::sqrt(3.0);
  md_system *s = nullptr;
  REQUIRE(system_create(&s, 4 * nx * ny * nz) == MD_OK);
  s->nelem = 2;
  std::strcpy(s->elem[0], "Li");
  std::strcpy(s->elem[1], "N");
  REQUIRE(box_set_lammps(&s->box, nx * a, ny * a * r3 / 2, nz * c, -0.5 * a * ny, 0, 0, "test") == MD_OK);
  const double fr[4][3] = {{0, 0, 0.5}, {1.0 / 3, 2.0 / 3, 0}, {2.0 / 3, 1.0 / 3, 0}, {0, 0, 0}};
  int k = 0;
  for (int iz = 0; iz < nz; iz++)
    for (int iy = 0; iy < ny; iy++)
      for (int ix = 0; ix < nx; ix++)
        for (int b = 0; b < 4; b++, k++) {
          double f0 = ix + fr[b][0], f1 = iy + fr[b][1], f2 = iz + fr[b][2];
          s->x[k] = f0 * a - 0.5 * a * f1;
          s->y[k] = f1 * a * r3 / 2;
          s->z[k] = f2 * c;
          s->type[k] = b == 3;
        }
  return s;
}

std::string extxyz(const md_system *s) {
  std::ostringstream o;
  o.precision(12);
  o << s->n << "\nLattice=\"";
  for (int k = 0; k < 9; k++) o << (k ? " " : "") << s->box.h[k];
  o << "\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n";
  for (int i = 0; i < s->n; i++) o << s->elem[s->type[i]] << " " << s->x[i] << " " << s->y[i] << " " << s->z[i] << "\n";
  return o.str();
}

void expect_stop(const std::string &out, const std::vector<std::string> &fragments) {
  INFO("output: " << out);
  CHECK(md_test::count_lines(out) == 1);
  for (const auto &f : fragments) CHECK(out.find(f) != std::string::npos);
}

}  // namespace

BACKEND_TEST_CASE("safety overlapping atoms", "[md][safety][cli]") {
  md_system *s = li3n(2, 2, 2);
  s->x[1] = s->x[0] + 0.3; /* atom 2 (Li) 0.3 Å from atom 1 (Li) */
  s->y[1] = s->y[0];
  s->z[1] = s->z[0];
  std::string dir = esnap_test::scratch(std::string("safety_overlap_") + B.name);
  md_test::write_file(dir + "/close.xyz", extxyz(s));
  system_destroy(&s);
  md_test::write_file(dir + "/deck.in", "structure read close.xyz\nrun 10\noutput " + dir + "/out\n");
  std::string out;
  CHECK(esnap_test::run_esnapmd(B.backend, "run " + dir + "/deck.in --quiet", &out) != 0);
  expect_stop(out, {"step 0: atoms 1 (Li) and 2 (Li) are 0.3000 Å apart (limit 0.5 Å)", "no checkpoint written"});
}

BACKEND_TEST_CASE("safety temperature limit", "[md][safety][cli]") {
  std::string d = md_test::deck(std::string("safety_tmax_") + B.name, "structure li3n 2 2 2\nvelocity 4000 seed 3\nsafety tmax 3000\nrun 10\n");
  std::string out;
  CHECK(esnap_test::run_esnapmd(B.backend, "run " + d + " --quiet", &out) != 0);
  expect_stop(out, {"step 0: temperature 4000 K exceeds the limit 3000 K (hottest atom"});
}

BACKEND_TEST_CASE("safety lost atom", "[md][safety][cli]") {
  std::string d = md_test::deck(std::string("safety_maxdisp_") + B.name, "structure li3n 2 2 2\nvelocity 1000 seed 3\n"
                                                  "checkpoint 1 run.chk\nsafety maxdisp 0.02\nrun 100\n");
  std::string out;
  CHECK(esnap_test::run_esnapmd(B.backend, "run " + d + " --quiet", &out) != 0);
  expect_stop(out, {"step 1: atom ", "moved", "in one step (limit 0.02 Å): lost atom", "no checkpoint written"});
}

BACKEND_TEST_CASE("safety stop keeps the last good checkpoint", "[md][safety][cli]") {
  // a thermostat ramp to 100000 K heats the crystal until it passes the 3000 K limit, hundreds of steps in
  std::string d = md_test::deck(std::string("safety_explode_") + B.name, "structure li3n 2 2 2\nvelocity 300 seed 5\n"
                                                  "ensemble nvt 300 0.05 tstop 100000\nsafety tmax 3000\n"
                                                  "thermo 1\ncheckpoint 5 run.chk\nrun 2000\n");
  std::string out;
  int rc = esnap_test::run_esnapmd(B.backend, "run " + d + " --quiet", &out);
  INFO("output: " << out);
  REQUIRE(rc != 0);
  CHECK(md_test::count_lines(out) == 1);
  long step = -1;
  size_t at = out.find("step ");
  REQUIRE(at != std::string::npos);
  step = std::atol(out.c_str() + at + 5);
  CHECK(out.find("exceeds the limit 3000 K (hottest atom") != std::string::npos);
  CHECK(step > 20);
  const std::string dir = std::string("scratch/safety_explode_") + B.name + "/out/";
  CHECK(out.find("last good checkpoint: " + dir + "run.chk (step ") != std::string::npos);
  md_checkpoint c;
  REQUIRE(ckpt_read((dir + "run.chk").c_str(), &c) == MD_OK);
  long good = c.rep[0].sys->step;
  CHECK(good < step);
  CHECK(good >= step - 5);
  for (int i = 0; i < c.rep[0].sys->n; i++) CHECK(std::isfinite(c.rep[0].sys->x[i] + c.rep[0].sys->vx[i] + c.rep[0].fx[i]));
  ckpt_free(&c);
  // the thermo file holds complete lines only
  std::string th = md_test::read_file(dir + "thermo.dat");
  CHECK(th.back() == '\n');
}

BACKEND_TEST_CASE("backend api and non-finite velocity", "[md][safety]") {
  md_model m;
  REQUIRE(model_read(&m, model_default_path()) == MD_OK);
  md_system *s = li3n(2, 2, 2);
  md_replica rep;
  REQUIRE(replica_alloc(&rep, s) == MD_OK);
  system_destroy(&s);
  md_rng_seed(&rep.rng, 1, 0);
  for (int i = 0; i < rep.sys->n; i++) rep.sys->vx[i] = (i % 2 ? 1.0 : -1.0);
  md_backend_options o;
  std::memset(&o, 0, sizeof o);
  o.integ.ensemble = MD_ENS_NVE;
  o.integ.dt = 0.001;
  o.safety.t_max = 1e5;
  o.safety.min_dist = 0.5;
  o.safety.min_dist_every = 1;
  o.safety.max_disp = 1.0;
  o.coulomb = -1;
  o.skin = 1.0;
  const md_backend_ops *ops = esnap_test::md_ops(B.backend);
  md_backend *b = nullptr;
  REQUIRE(ops->create(&b, &m, &o, &rep, 1) == MD_OK);
  REQUIRE(ops->set_state(b, 0, &rep, MD_STATE_ALL) == MD_OK);
  REQUIRE(ops->compute_forces(b) == MD_OK);
  md_thermo t0, t1;
  REQUIRE(ops->reduce_thermo(b, 0, &t0) == MD_OK);
  REQUIRE(ops->run_steps(b, 20) == MD_OK);
  REQUIRE(ops->reduce_thermo(b, 0, &t1) == MD_OK);
  CHECK(t1.step == 20);
  CHECK(t1.time == Approx(0.02));
  CHECK(t1.econserve == Approx(t0.econserve).margin(1e-3));
  REQUIRE(ops->get_state(b, 0, &rep, MD_STATE_ALL) == MD_OK);
  CHECK(rep.sys->step == 20);
  CHECK(rep.pe == Approx(t1.pe));
  // poison one velocity: the next step stops naming that atom
  rep.sys->vy[5] = NAN;
  REQUIRE(ops->set_state(b, 0, &rep, MD_STATE_VEL) == MD_OK);
  md_clear_error();
  CHECK(ops->run_steps(b, 3) == MD_ERR_PHYSICS);
  std::string msg = md_errmsg();
  INFO(msg);
  CHECK(msg.find("step 21: atom 6 (Li) has a non-finite") != std::string::npos);
  ops->destroy(&b);
  CHECK(b == nullptr);
  replica_free(&rep);
}
