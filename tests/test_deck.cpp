// Run decks: every bad deck gives a one-line error naming deck:line, and a non-zero exit, through the CLI.
// A good deck (the README's main job) parses with the documented defaults and path rules.
#include <catch2/catch.hpp>

#include <string>

#include "test_md_util.h"

extern "C" {
#include "deck.h"
}

namespace {

// Run a bad deck; the single output line must contain every fragment.
void expect_error(const std::string &name, const std::string &text, const std::vector<std::string> &fragments,
                  const std::string &extra_args = "") {
  std::string path = md_test::deck(name, text, false);
  std::string out;
  int rc = md_test::run("run " + path + " " + extra_args, &out);
  INFO("output: " << out);
  CHECK(rc != 0);
  CHECK(md_test::count_lines(out) == 1);
  CHECK(out.rfind("esnapmd: ", 0) == 0);
  for (const auto &f : fragments) CHECK(out.find(f) != std::string::npos);
}

const std::string good_head = "structure li3n 2 2 2\n";

}  // namespace

TEST_CASE("deck unknown keyword", "[deck][cli]") {
  expect_error("deck_unknown", good_head + "timestep 0.001\ntempreature 1000\nrun 10\n",
               {"deck.in:3:", "unknown keyword 'tempreature'"});
  expect_error("deck_unknown_hint", good_head + "timestpe 0.001\nrun 10\n",
               {"deck.in:2:", "unknown keyword 'timestpe'", "did you mean 'timestep'"});
}

TEST_CASE("deck missing value", "[deck][cli]") {
  expect_error("deck_missing", good_head + "timestep\nrun 10\n", {"deck.in:2:", "timestep", "missing value"});
  expect_error("deck_missing_dump", good_head + "dump 10\nrun 10\n", {"deck.in:2:", "dump", "missing value"});
  expect_error("deck_missing_run", good_head + "run\n", {"deck.in:2:", "run", "missing value"});
}

TEST_CASE("deck negative timestep", "[deck][cli]") {
  expect_error("deck_negdt", good_head + "timestep -0.001\nrun 10\n", {"deck.in:2:", "timestep must be positive"});
  expect_error("deck_zerodt", good_head + "timestep 0\nrun 10\n", {"deck.in:2:", "timestep must be positive"});
  expect_error("deck_hugedt", good_head + "timestep 1\nrun 10\n", {"deck.in:2:", "far too large"});
}

TEST_CASE("deck file not found", "[deck][cli]") {
  expect_error("deck_nofile", "structure read no_such_file.data\nrun 10\n",
               {"deck.in:1:", "structure file 'no_such_file.data' not found", "relative to the deck"});
  expect_error("deck_nomodel", good_head + "model no_such.model\nrun 10\n", {"deck.in:2:", "model file 'no_such.model' not found"});
  std::string out;
  CHECK(md_test::run("run no_such_deck.in", &out) != 0);
  CHECK(out.find("no_such_deck.in: cannot open") != std::string::npos);
}

TEST_CASE("deck velocity without seed", "[deck][cli]") {
  expect_error("deck_noseed", good_head + "velocity 1000\nrun 10\n", {"deck.in:2:", "needs a random seed"});
  expect_error("deck_badseed", good_head + "velocity 1000 seed -4\nrun 10\n", {"deck.in:2:", "not a positive integer"});
  expect_error("deck_negvel", good_head + "velocity -10 seed 1\nrun 10\n", {"deck.in:2:", "must not be negative"});
}

TEST_CASE("deck nvt without temperature", "[deck][cli]") {
  expect_error("deck_nvt_noT", good_head + "ensemble nvt\nrun 10\n", {"deck.in:2:", "needs a temperature and a damping time"});
  expect_error("deck_nvt_nodamp", good_head + "ensemble nvt 1000\nrun 10\n", {"deck.in:2:", "damping time"});
  expect_error("deck_nvt_negT", good_head + "ensemble nvt -5 0.1\nrun 10\n", {"deck.in:2:", "temperature must be positive"});
  expect_error("deck_npt", good_head + "ensemble npt 1000 0.1\nrun 10\n", {"deck.in:2:", "unknown 'npt'"});
  expect_error("deck_chain", good_head + "ensemble nvt 1000 0.1 chain 0\nrun 10\n", {"deck.in:2:", "positive integer"});
}

TEST_CASE("deck bad number", "[deck][cli]") {
  expect_error("deck_badnum", good_head + "timestep 0.0o1\nrun 10\n", {"deck.in:2:", "'0.0o1' is not a number"});
  expect_error("deck_badint", good_head + "run 1e3x\n", {"deck.in:2:", "is not an integer"});
  expect_error("deck_badcells", "structure li3n 2 two 2\nrun 10\n", {"deck.in:1:", "'two' is not an integer"});
  expect_error("deck_extra", good_head + "timestep 0.001 fs\nrun 10\n", {"deck.in:2:", "unexpected 'fs'"});
}

TEST_CASE("deck run without structure", "[deck][cli]") {
  expect_error("deck_nostruct", "timestep 0.001\n\n# comment\nrun 10\n", {"deck.in:4:", "run without a structure"});
  expect_error("deck_norun", good_head + "timestep 0.001\n", {"deck.in:", "no 'run N' line"});
}

TEST_CASE("deck duplicate and conflicting lines", "[deck][cli]") {
  expect_error("deck_dup", good_head + "timestep 0.001\ntimestep 0.002\nrun 10\n", {"deck.in:3:", "given twice", "line 2"});
  expect_error("deck_dupdump", good_head + "dump 10 a.xyz\ndump 20 a.xyz\nrun 10\n", {"deck.in:3:", "already used"});
  expect_error("deck_zerodump", good_head + "dump 0 a.xyz\nrun 10\n", {"deck.in:2:", "positive integer"});
  expect_error("deck_badformat", good_head + "dump 10 a.xyz format pdb\nrun 10\n", {"deck.in:2:", "unknown format 'pdb'"});
  expect_error("deck_badcoul", good_head + "coulomb pppm 1e-5\nrun 10\n", {"deck.in:2:", "unknown method 'pppm'"});
}

TEST_CASE("deck unknown dump species", "[deck][cli]") {
  expect_error("deck_species", good_head + "dump 10 a.xyz species Xe\nrun 10\n", {"deck.in:2:", "dump species 'Xe'"});
  // a bad second dump line: no output file (thermo, first dump, checkpoint) is created, none is left behind
  const std::string dir = "scratch/deck_species2";
  expect_error("deck_species2",
               good_head + "output " + dir + "/out\nthermo 5\ncheckpoint 5 run.chk\ndump 5 li.xyz species Li\n"
                           "dump 5 x.xyz species Xe\nrun 10\n",
               {"deck.in:6:", "dump species 'Xe'"});
  for (const char *f : {"thermo.dat", "li.xyz", "x.xyz", "run.chk"}) {
    INFO(f);
    CHECK(!esnap_test::exists(dir + "/out/" + f));
  }
}

TEST_CASE("run command line errors", "[deck][cli]") {
  std::string path = md_test::deck("cli_errors", good_head + "run 10\n");
  std::string out;
  CHECK(md_test::run("run " + path + " --frobnicate", &out) != 0);
  CHECK(out.find("unknown option '--frobnicate'") != std::string::npos);
  CHECK(md_test::run("run " + path + " --device tpu", &out) != 0);
  CHECK(out.find("unknown device 'tpu'") != std::string::npos);
  CHECK(md_test::run("run " + path + " --restart", &out) != 0);
  CHECK(out.find("--restart needs a checkpoint file") != std::string::npos);
  CHECK(md_test::run("run " + path + " --restart scratch/cli_errors/none.chk", &out) != 0);
  CHECK(out.find("none.chk: cannot open checkpoint") != std::string::npos);
  CHECK(md_test::run("run", &out) != 0);
  CHECK(md_test::run("run --help", &out) == 0);
  CHECK(out.find("--restart FILE") != std::string::npos);
}

TEST_CASE("deck main job parses", "[deck]") {
  md_deck d;
  std::string path = esnap_test::source("inputs/li3n_nvt_1000K.in");
  REQUIRE(deck_read(&d, path.c_str()) == MD_OK);
  CHECK(d.structure == DECK_STRUCT_LI3N);
  CHECK(d.cells[0] == 5);
  CHECK(d.cells[1] == 5);
  CHECK(d.cells[2] == 5);
  CHECK(d.ensemble == MD_ENS_NVT);
  CHECK(d.t_start == 1000.0);
  CHECK(d.t_damp == 0.1);
  CHECK(d.chain == 3);
  CHECK(d.dt == 0.001);
  CHECK(d.coulomb == MD_COUL_PME);
  CHECK(d.coulomb_accuracy == 1e-5);
  REQUIRE(d.ndump == 1);
  CHECK(d.dump[0].format == DECK_FMT_EXTXYZ);
  CHECK(d.dump[0].nspecies == 1);
  CHECK(std::string(d.dump[0].species[0]) == "Li");
  CHECK(d.checkpoint_every > 0);
  CHECK(d.nsteps >= 5000);
  // outputs inside the output directory (relative to the working directory)
  CHECK(std::string(d.dump[0].path).rfind(std::string(d.output_dir) + "/", 0) == 0);
  CHECK(std::string(d.thermo_path) == std::string(d.output_dir) + "/thermo.dat");
}

TEST_CASE("deck defaults and options", "[deck]") {
  std::string path = md_test::deck("deck_defaults",
                                   "# all defaults\nstructure li3n 2 3 4 a 3.7\nrun 0\n", false);
  md_deck d;
  REQUIRE(deck_read(&d, path.c_str()) == MD_OK);
  CHECK(d.dt == 0.001);
  CHECK(d.ensemble == MD_ENS_NVE);
  CHECK(d.lattice_a == 3.7);
  CHECK(d.lattice_c == 3.888635);
  CHECK(d.thermo_every == 100);
  CHECK(std::string(d.thermo_path) == "./thermo.dat");
  CHECK(d.skin == 1.0);
  CHECK(d.coulomb == -1);
  CHECK(d.checkpoint_every == 0);
  CHECK(d.has_velocity == 0);
  CHECK(std::string(d.model).find("li3n_esnap.model") != std::string::npos);

  path = md_test::deck("deck_options",
                       "structure li3n 2 2 2\nseed 99\nvelocity 300 dist uniform mom no\n"
                       "ensemble nvt 300 0.2 tstop 600 chain 5 tloop 2 drag 0.1\n"
                       "thermo 5 file none\ndump 7 t.dump species N Li velocities yes\n"
                       "checkpoint 50 c.chk\nneighbor 2.0 bin\ncoulomb ewald 1e-8 rcut 9\n"
                       "safety tmax 5000 mindist 0.3 maxdisp 2 every 3\nprogress 0\nrun 100\n");
  REQUIRE(deck_read(&d, path.c_str()) == MD_OK);
  CHECK(d.has_seed == 1);
  CHECK(d.seed == 99);
  CHECK(d.velocity_dist == DECK_DIST_UNIFORM);
  CHECK(d.velocity_mom == 0);
  CHECK(d.t_stop == 600.0);
  CHECK(d.chain == 5);
  CHECK(d.tloop == 2);
  CHECK(d.drag == 0.1);
  CHECK(d.thermo_file[0] == '\0');
  CHECK(d.dump[0].format == DECK_FMT_LAMMPS);
  CHECK(d.dump[0].velocities == 1);
  CHECK(d.dump[0].nspecies == 2);
  CHECK(d.skin == 2.0);
  CHECK(d.coulomb == MD_COUL_EWALD);
  CHECK(d.coulomb_rcut == 9.0);
  CHECK(d.safety_every == 3);
  md_backend_options o;
  deck_backend_options(&d, 300.0, &o);
  CHECK(o.safety.t_max == 5000.0);
  CHECK(o.integ.ramp_end == 100);
  // default temperature limit: 10 x the largest target, at least 3000 K
  d.safety_tmax = -1;
  deck_backend_options(&d, 300.0, &o);
  CHECK(o.safety.t_max == 6000.0);
}

// Every deck shipped in inputs/ parses (the replica, Haven, sweep and benchmark decks included), so a keyword change
// cannot silently break one that no other test runs.
TEST_CASE("every bundled deck parses", "[deck]") {
  const char *decks[] = {"li3n_nvt_1000K.in", "li3n_haven_1000K.in", "li3n_haven_small.in", "li3n_sweep_small.in",
                         "li3n_replica_bench.in", "li3n_superionic.in", "li3n_superionic_small.in"};
  for (const char *name : decks) {
    INFO(name);
    md_deck *d = new md_deck;
    std::string path = esnap_test::source(std::string("inputs/") + name);
    md_status st = deck_read(d, path.c_str());
    INFO(md_errmsg());
    CHECK(st == MD_OK);
    CHECK(d->nsteps > 0);
    delete d;
  }
  md_deck *d = new md_deck;
  REQUIRE(deck_read(d, esnap_test::source("inputs/li3n_replica_bench.in").c_str()) == MD_OK);
  CHECK(d->nrep == 100);
  CHECK(d->has_diffusion);
  CHECK(d->cells[0] == 5);
  delete d;
  // the superionic study: the paper's 19 temperatures, 8x8x8, heat capacity after 20 ps of equilibration; the demo
  // sweep brackets Ts (about 625 K) and stays below the melting of the eSNAP cell (1200-1400 K), 3 points per regime
  d = new md_deck;
  REQUIRE(deck_read(d, esnap_test::source("inputs/li3n_superionic.in").c_str()) == MD_OK);
  CHECK(d->nsweep == 19);
  CHECK(d->cells[0] == 8);
  CHECK(d->has_heatcap);
  CHECK(d->equil_steps == 20000);
  CHECK(d->nsteps == 1020000);
  delete d;
  d = new md_deck;
  REQUIRE(deck_read(d, esnap_test::source("inputs/li3n_sweep_small.in").c_str()) == MD_OK);
  CHECK(d->nsweep >= 6);
  CHECK(d->sweep_t[0] < 625);
  CHECK(d->sweep_t[d->nsweep - 1] > 625);
  CHECK(d->sweep_t[d->nsweep - 1] < 1087);
  delete d;
}

TEST_CASE("deck values outside their physical range are refused", "[deck][cli]") {
  expect_error("deck_range_dt", good_head + "timestep 1e-300\nrun 10\n", {"deck.in:2:", "timestep", "far too small"});
  expect_error("deck_range_run", good_head + "run 9223372036854775807\n", {"deck.in:2:", "run length", "beyond"});
  expect_error("deck_range_vel", good_head + "velocity 1e30 seed 1\nensemble nvt 300 0.1\nrun 10\n",
               {"deck.in:2:", "velocity temperature must be between"});
  expect_error("deck_range_nvt", good_head + "ensemble nvt 1e9 0.1\nrun 10\n", {"deck.in:2:", "nvt temperature must be between"});
  expect_error("deck_range_acc", good_head + "coulomb pme 1e-300\nrun 10\n", {"deck.in:2:", "coulomb accuracy must be between"});
  expect_error("deck_range_rcut", good_head + "coulomb pme 1e-4 rcut 0.01\nrun 10\n", {"deck.in:2:", "coulomb rcut must be between"});
  expect_error("deck_range_skin", good_head + "neighbor 1e308\nrun 10\n", {"deck.in:2:", "neighbor skin must be between"});
  expect_error("deck_range_lat", "structure li3n 2 2 2 a 1e20\nrun 10\n", {"deck.in:1:", "lattice constant must be between"});
  expect_error("deck_range_tmax", good_head + "safety tmax 1e300\nrun 10\n", {"deck.in:2:", "tmax must be between"});
  expect_error("deck_range_rep", good_head + "replicas 2 temperatures 300 1e7\nrun 10\n", {"deck.in:2:", "temperature '1e7'"});
}

TEST_CASE("structure with an atom far outside the cell names the file", "[deck][cli]") {
  std::string deck = md_test::deck("deck_far_atom", "structure read far.xyz\nrun 10\n", false);
  md_test::write_file("scratch/deck_far_atom/far.xyz",
                      "2\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3\nLi 0 0 0\nN 1e12 1 1\n");
  std::string out;
  int rc = md_test::run("run " + deck, &out);
  INFO(out);
  CHECK(rc != 0);
  CHECK(md_test::count_lines(out) == 1);
  CHECK(out.find("far.xyz:1: atom 2 is 2e+11 cells away from the box") != std::string::npos);
}
