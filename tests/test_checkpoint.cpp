// Checkpoints: a bitwise round trip of every field (replica state, thermostat, RNG, output lengths, analysis
// blobs); truncated, corrupted, foreign or future-version files rejected with a clear message; a failed write
// leaves the previous checkpoint untouched; through the CLI, a checkpoint of another system is refused.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstring>
#include <string>

#include "test_md_util.h"

extern "C" {
#include "checkpoint.h"
#include "integrate.h"
#include "system.h"
}

namespace {

void fill_replica(md_replica *r, int n, unsigned seed) {
  md_system *s = nullptr;
  REQUIRE(system_create(&s, n) == MD_OK);
  s->nelem = 2;
  std::strcpy(s->elem[0], "Li");
  std::strcpy(s->elem[1], "N");
  s->box.h[0] = 10.1;
  s->box.h[3] = -5.05;
  s->box.h[4] = 8.7;
  s->box.h[8] = 11.3;
  s->step = 1234;
  s->time = 1.234;
  md_rng g;
  md_rng_seed(&g, seed, 0);
  for (int i = 0; i < n; i++) {
    s->id[i] = n - i;
    s->type[i] = i % 2;
    s->x[i] = md_rng_normal(&g);
    s->y[i] = md_rng_normal(&g);
    s->z[i] = md_rng_normal(&g);
    s->ix[i] = (int)(md_rng_next(&g) % 7) - 3;
    s->iy[i] = -s->ix[i];
    s->iz[i] = 2;
    s->vx[i] = md_rng_normal(&g);
    s->vy[i] = md_rng_normal(&g);
    s->vz[i] = md_rng_normal(&g);
  }
  s->has_velocities = 1;
  REQUIRE(replica_alloc(r, s) == MD_OK);
  system_destroy(&s);
  for (int i = 0; i < n; i++) {
    r->fx[i] = md_rng_normal(&g);
    r->fy[i] = md_rng_normal(&g);
    r->fz[i] = md_rng_normal(&g);
  }
  r->pe = -405.9;
  r->pe_snap = -400.0;
  r->pe_coul = -5.9;
  r->pe_zbl = 0.001;
  for (int k = 0; k < 9; k++) r->virial[k] = k * 0.1;
  nhc_params p = {3, 1, 10.0, 0.0, 3.0 * n - 3, 0.001};
  nhc_init(&r->nhc, &p, 1000.0, 990.0);
  nhc_half_step(&r->nhc, &p);
  md_rng_seed(&r->rng, 77, 0);
  md_rng_normal(&r->rng); /* leaves a spare normal in the state */
  r->step0 = 1000;
  r->time0 = 1.0;
}

void check_same(const md_replica *a, const md_replica *b) {
  const md_system *s = a->sys, *t = b->sys;
  REQUIRE(s->n == t->n);
  size_t n = (size_t)s->n;
  CHECK(s->nelem == t->nelem);
  CHECK(std::strcmp(s->elem[1], t->elem[1]) == 0);
  CHECK(std::memcmp(s->box.h, t->box.h, sizeof s->box.h) == 0);
  CHECK(t->box.volume > 0.0);
  CHECK(s->step == t->step);
  CHECK(s->time == t->time);
  CHECK(std::memcmp(s->id, t->id, n * sizeof(int)) == 0);
  CHECK(std::memcmp(s->type, t->type, n * sizeof(int)) == 0);
  CHECK(std::memcmp(s->x, t->x, 3 * n * sizeof(double)) == 0);
  CHECK(std::memcmp(s->ix, t->ix, 3 * n * sizeof(int)) == 0);
  CHECK(std::memcmp(s->vx, t->vx, 3 * n * sizeof(double)) == 0);
  CHECK(std::memcmp(a->fx, b->fx, 3 * n * sizeof(double)) == 0);
  CHECK(a->pe == b->pe);
  CHECK(a->pe_zbl == b->pe_zbl);
  CHECK(std::memcmp(a->virial, b->virial, sizeof a->virial) == 0);
  CHECK(std::memcmp(&a->nhc, &b->nhc, sizeof a->nhc) == 0);
  CHECK(std::memcmp(&a->rng, &b->rng, sizeof a->rng) == 0);
  CHECK(a->step0 == b->step0);
  CHECK(a->time0 == b->time0);
}

std::string write_sample(const std::string &dir, md_replica *rep) {
  fill_replica(rep, 37, 5);
  md_checkpoint c;
  std::memset(&c, 0, sizeof c);
  c.nrep = 1;
  c.rep = rep;
  c.ensemble = MD_ENS_NVT;
  c.dt = 0.001;
  c.chain = 3;
  c.tloop = 1;
  c.nsteps = 5000;
  REQUIRE(ckpt_add_file(&c, "thermo", 12345) == MD_OK);
  REQUIRE(ckpt_add_file(&c, "li_traj.xyz", 9876543210LL) == MD_OK);
  unsigned char blob[300];
  for (int k = 0; k < 300; k++) blob[k] = (unsigned char)(k * 7);
  REQUIRE(ckpt_set_blob(&c, "msd", blob, sizeof blob) == MD_OK);
  REQUIRE(ckpt_set_blob(&c, "empty", blob, 0) == MD_OK);
  std::string path = dir + "/a.chk";
  REQUIRE(ckpt_write(path.c_str(), &c) == MD_OK);
  c.rep = nullptr;
  ckpt_free(&c);
  return path;
}

std::string read_error(const std::string &path) {
  md_checkpoint c;
  md_clear_error();
  md_status st = ckpt_read(path.c_str(), &c);
  CHECK(st != MD_OK);
  CHECK(c.rep == nullptr);
  return md_errmsg();
}

}  // namespace

TEST_CASE("checkpoint round trip", "[checkpoint]") {
  std::string dir = esnap_test::scratch("ckpt_roundtrip");
  md_replica rep;
  std::string path = write_sample(dir, &rep);
  CHECK(!esnap_test::exists(path + ".tmp"));
  md_checkpoint c;
  REQUIRE(ckpt_read(path.c_str(), &c) == MD_OK);
  REQUIRE(c.nrep == 1);
  check_same(&rep, &c.rep[0]);
  CHECK(c.ensemble == MD_ENS_NVT);
  CHECK(c.dt == 0.001);
  CHECK(c.chain == 3);
  CHECK(c.nsteps == 5000);
  CHECK(ckpt_file_bytes(&c, "thermo") == 12345);
  CHECK(ckpt_file_bytes(&c, "li_traj.xyz") == 9876543210LL);
  CHECK(ckpt_file_bytes(&c, "other") == -1);
  const ckpt_blob *b = ckpt_get_blob(&c, "msd");
  REQUIRE(b != nullptr);
  REQUIRE(b->len == 300);
  CHECK(b->data[299] == (unsigned char)(299 * 7));
  REQUIRE(ckpt_get_blob(&c, "empty") != nullptr);
  CHECK(ckpt_get_blob(&c, "empty")->len == 0);
  CHECK(ckpt_get_blob(&c, "nothing") == nullptr);
  CHECK(std::string(c.version).find("esnapmd") == 0);
  // writing what was read gives the same bytes
  std::string again = dir + "/b.chk";
  REQUIRE(ckpt_write(again.c_str(), &c) == MD_OK);
  CHECK(md_test::read_file(path) == md_test::read_file(again));
  ckpt_free(&c);
  replica_free(&rep);
}

TEST_CASE("checkpoint truncated or corrupted", "[checkpoint]") {
  std::string dir = esnap_test::scratch("ckpt_corrupt");
  md_replica rep;
  std::string path = write_sample(dir, &rep);
  replica_free(&rep);
  std::string good = md_test::read_file(path);
  std::string bad = dir + "/bad.chk";
  // truncated anywhere
  for (size_t len : {size_t(0), size_t(7), size_t(39), size_t(40), size_t(41), good.size() / 2, good.size() - 1}) {
    md_test::write_file(bad, good.substr(0, len));
    std::string msg = read_error(bad);
    INFO("length " << len << ": " << msg);
    CHECK(msg.find("bad.chk") != std::string::npos);
    CHECK(msg.find("truncated") != std::string::npos);
  }
  // a flipped byte in the payload, in the header, in the magic
  std::string c1 = good;
  c1[good.size() / 2] ^= 0x10;
  md_test::write_file(bad, c1);
  CHECK(read_error(bad).find("payload checksum mismatch") != std::string::npos);
  std::string c2 = good;
  c2[26] ^= 0x01; /* payload length field */
  md_test::write_file(bad, c2);
  CHECK(read_error(bad).find("header checksum mismatch") != std::string::npos);
  std::string c3 = good;
  c3[0] = 'X';
  md_test::write_file(bad, c3);
  CHECK(read_error(bad).find("not an esnapmd checkpoint") != std::string::npos);
  // a newer format version (header checksum made consistent)
  std::string c4 = good;
  uint32_t v = 99;
  std::memcpy(&c4[8], &v, 4);
  uint32_t crc = ckpt_crc32(c4.data(), 36);
  std::memcpy(&c4[36], &crc, 4);
  md_test::write_file(bad, c4);
  CHECK(read_error(bad).find("format version 99") != std::string::npos);
  // appended garbage
  md_test::write_file(bad, good + "xyz");
  CHECK(read_error(bad).find("truncated or padded") != std::string::npos);
  // not a file at all
  CHECK(read_error(dir + "/missing.chk").find("cannot open checkpoint") != std::string::npos);
}

TEST_CASE("checkpoint failed write keeps the previous one", "[checkpoint]") {
  std::string dir = esnap_test::scratch("ckpt_atomic");
  md_replica rep;
  std::string path = write_sample(dir, &rep);
  std::string before = md_test::read_file(path);
  // make the temporary file impossible to create: a directory of that name
  REQUIRE(mkdir((path + ".tmp").c_str(), 0755) == 0);
  rep.sys->step = 2000;
  md_checkpoint c;
  std::memset(&c, 0, sizeof c);
  c.nrep = 1;
  c.rep = &rep;
  md_clear_error();
  CHECK(ckpt_write(path.c_str(), &c) != MD_OK);
  CHECK(std::string(md_errmsg()).find("a.chk.tmp") != std::string::npos);
  CHECK(md_test::read_file(path) == before);
  md_checkpoint back;
  REQUIRE(ckpt_read(path.c_str(), &back) == MD_OK);
  CHECK(back.rep[0].sys->step == 1234);
  ckpt_free(&back);
  // a missing directory
  CHECK(ckpt_write((dir + "/no/such/dir/x.chk").c_str(), &c) != MD_OK);
  c.rep = nullptr;
  ckpt_free(&c);
  replica_free(&rep);
}

TEST_CASE("checkpoint of another system is refused", "[checkpoint][cli]") {
  std::string d1 = md_test::deck("ckpt_sys_a", "structure li3n 2 2 2\nvelocity 300 seed 1\nthermo 5\n"
                                               "checkpoint 10 run.chk\nprogress 0\nrun 10\n");
  std::string out;
  REQUIRE(md_test::run("run " + d1 + " --quiet", &out) == 0);
  std::string chk = "scratch/ckpt_sys_a/out/run.chk";
  REQUIRE(esnap_test::exists(chk));
  // atom count mismatch
  std::string d2 = md_test::deck("ckpt_sys_b", "structure li3n 2 2 3\nvelocity 300 seed 1\nthermo 5\n"
                                               "checkpoint 10 run.chk\nprogress 0\nrun 20\n");
  CHECK(md_test::run("run " + d2 + " --quiet --restart " + chk, &out) != 0);
  CHECK(out.find("checkpoint has 32 atoms but the deck's structure has 48") != std::string::npos);
  CHECK(md_test::count_lines(out) == 1);
  // same atoms, other settings
  std::string d3 = md_test::deck("ckpt_sys_c", "structure li3n 2 2 2\ntimestep 0.002\ncheckpoint 10 run.chk\nrun 20\n");
  CHECK(md_test::run("run " + d3 + " --quiet --restart " + chk, &out) != 0);
  CHECK(out.find("timestep") != std::string::npos);
  std::string d4 = md_test::deck("ckpt_sys_d", "structure li3n 2 2 2 a 3.7\ncheckpoint 10 run.chk\nrun 20\n");
  CHECK(md_test::run("run " + d4 + " --quiet --restart " + chk, &out) != 0);
  CHECK(out.find("cell differs") != std::string::npos);
  std::string d5 = md_test::deck("ckpt_sys_e", "structure li3n 2 2 2\nensemble nvt 300 0.1\ncheckpoint 10 run.chk\nrun 20\n");
  CHECK(md_test::run("run " + d5 + " --quiet --restart " + chk, &out) != 0);
  CHECK(out.find("written by an nve run") != std::string::npos);
  // a truncated checkpoint through the CLI
  std::string t = "scratch/ckpt_sys_a/truncated.chk";
  md_test::write_file(t, md_test::read_file(chk).substr(0, 100));
  CHECK(md_test::run("run " + d1 + " --quiet --restart " + t, &out) != 0);
  CHECK(out.find("truncated.chk: truncated") != std::string::npos);
  CHECK(md_test::count_lines(out) == 1);
  // a complete run continued from its final checkpoint has nothing left to do
  CHECK(md_test::run("run " + d1 + " --restart " + chk, &out) == 0);
  CHECK(out.find("complete") != std::string::npos);
}

// A run whose checkpoints cannot be written (the checkpoint path is a directory) warns at every attempt, says
// that there is no earlier checkpoint rather than claiming one is kept, and ends with an error that names none.
TEST_CASE("run whose checkpoints all fail says there is none to restart from", "[checkpoint][cli]") {
  std::string dir = esnap_test::scratch("ckpt_none");
  REQUIRE(std::system(("mkdir -p " + dir + "/out/run.chk").c_str()) == 0);
  std::string deck = md_test::deck("ckpt_none_deck",
                                   "structure li3n 2 2 2\nvelocity 300 seed 1\noutput " + dir + "/out\nthermo 5\n"
                                   "checkpoint 5 run.chk\nrun 10\n",
                                   false);
  std::string out;
  int rc = md_test::run("run " + deck + " --quiet", &out);
  INFO(out);
  CHECK(rc != 0);
  CHECK(out.find("step 5: checkpoint not written") != std::string::npos);
  CHECK(out.find("there is no earlier checkpoint") != std::string::npos);
  CHECK(out.find("is kept") == std::string::npos);
  CHECK(out.find("there is none to restart from") != std::string::npos);
  CHECK(out.find("step -1") == std::string::npos);
}
