// A continuation that would change the physics is refused (app/run_physics.h): a PME checkpoint continued with a
// deck that says `coulomb none`, `coulomb ewald`, another accuracy or rcut, another neighbour skin or thermostat
// damping, or with a model whose charges, ZBL or SNAP coefficients or parameters changed, stops with one line naming
// what changed (checkpoint value and new value), exit non-zero, outputs untouched; `--allow-changes` continues with a
// warning; a checkpoint without the record (earlier versions) is refused unless --allow-changes. Under a second.
#include <catch2/catch.hpp>

#include <string>

#include "test_replica_util.h"

extern "C" {
#include "checkpoint.h"
}

namespace {

const std::string kDir = "scratch/restart_phys";

// The model files in directory dir, the first `from` in `file` (one of the three, or none) replaced by `to`.
void write_model(const std::string &dir, const std::string &file, const std::string &from, const std::string &to) {
  for (const char *f : {"li3n_esnap.model", "li3n_esnap.snapcoeff", "li3n_esnap.snapparam"}) {
    std::string text = md_test::read_file(esnap_test::source(std::string("potentials/") + f));
    REQUIRE(!text.empty());
    if (file == f) {
      size_t at = text.find(from);
      REQUIRE(at != std::string::npos);
      text.replace(at, from.size(), to);
    }
    md_test::write_file(dir + "/" + f, text);
  }
}

std::string deck_text(const std::string &model_dir, const std::string &extra, long nsteps) {
  // decks in kDir: input paths relative to it
  return "structure li3n 2 2 2\nmodel " + model_dir.substr(kDir.size() + 1) + "/li3n_esnap.model\nvelocity 900 seed 3\n" +
         (extra.find("ensemble ") == std::string::npos ? "ensemble nvt 900 0.05\n" : "") +
         "thermo 5\ncheckpoint 10 run.chk\nprogress 0\noutput " + kDir + "/out\n" + extra + "run " + std::to_string(nsteps) + "\n";
}

// Continue the checkpoint with the model in model_dir and the deck lines `extra`: the exit status and output.
int continue_with(const std::string &model_dir, const std::string &extra, std::string *out, const std::string &flags = "") {
  md_test::write_file(kDir + "/cont.in", deck_text(model_dir, extra, 20));
  return md_test::run("run " + kDir + "/cont.in --quiet --restart " + kDir + "/out/run.chk" + flags, out);
}

}  // namespace

TEST_CASE("restart refuses a change of physics unless --allow-changes", "[restart][physics][cli]") {
  esnap_test::scratch("restart_phys");
  const std::string base = kDir + "/base", changed = kDir + "/changed";
  REQUIRE(system(("mkdir -p " + base + " " + changed).c_str()) == 0);
  write_model(base, "", "", "");
  md_test::write_file(kDir + "/first.in", deck_text(base, "", 10));
  std::string out;
  REQUIRE(md_test::run("run " + kDir + "/first.in --quiet", &out) == 0);
  const std::string thermo = md_test::read_file(kDir + "/out/thermo.dat"), chk = md_test::read_file(kDir + "/out/run.chk");
  REQUIRE(!chk.empty());

  struct change {
    const char *what;
    const char *file;          // model file edited ("" none)
    const char *from, *to;     // its edit
    const char *deck;          // deck lines added
    const char *expect;        // in the message
  };
  const change cases[] = {
      {"coulomb none", "", "", "", "coulomb none\n", "coulomb: checkpoint pme, now none"},
      {"coulomb ewald", "", "", "", "coulomb ewald 1e-5\n", "coulomb: checkpoint pme, now ewald"},
      {"accuracy", "", "", "", "coulomb pme 1e-6\n", "coulomb accuracy: checkpoint 1e-05, now 1e-06"},
      {"rcut", "", "", "", "coulomb pme 1e-5 rcut 7\n", "coulomb rcut: checkpoint chosen, now 7"},
      {"skin", "", "", "", "neighbor 1.5\n", "neighbour skin: checkpoint 1, now 1.5"},
      {"thermostat", "", "", "", "ensemble nvt 900 0.1\n", "Tdamp 0.05 ps, tloop 1, drag 0, now nvt 900 K, Tdamp 0.1 ps"},
      {"charges", "li3n_esnap.model", "charge    Li 0.239", "charge    Li 0.240", "",
       "charges: checkpoint Li 0.239 N -0.717, now Li 0.24 N -0.717"},
      {"ZBL", "li3n_esnap.model", "zbl       1.0 1.5", "zbl       1.0 1.6", "", "ZBL: checkpoint inner 1 outer 1.5, now inner 1 outer 1.6"},
      {"SNAP coefficients", "", "", "", "", "SNAP coefficients: checkpoint "},
      {"SNAP cutoff", "li3n_esnap.snapparam", "rcutfac 4.0", "rcutfac 4.1", "", "SNAP: checkpoint rcutfac 4 rfac0"},
  };
  for (const change &c : cases) {
    INFO("change: " << c.what);
    write_model(changed, c.file, c.from, c.to);
    std::string deck_extra = c.deck;
    if (std::string(c.what) == "SNAP coefficients") {
      // one coefficient of the file, changed in its last digit
      std::string text = md_test::read_file(changed + "/li3n_esnap.snapcoeff");
      size_t at = text.rfind('\n', text.size() - 2);
      REQUIRE(at != std::string::npos);
      std::string last = text.substr(at + 1);
      size_t dig = last.find_last_of("0123456789");
      REQUIRE(dig != std::string::npos);
      last[dig] = last[dig] == '1' ? '2' : '1';
      md_test::write_file(changed + "/li3n_esnap.snapcoeff", text.substr(0, at + 1) + last);
    }
    int rc = continue_with(changed, deck_extra, &out);
    INFO(out);
    CHECK(rc != 0);
    CHECK(rep_test::count(out, "\n") == 1);
    CHECK(out.find("--allow-changes") != std::string::npos);
    CHECK(out.find(kDir + "/out/run.chk: the deck or model changes the physics") != std::string::npos);
    CHECK(out.find(c.expect) != std::string::npos);
    // refused before anything ran: the outputs and the checkpoint are those of the first run
    CHECK(md_test::read_file(kDir + "/out/thermo.dat") == thermo);
    CHECK(md_test::read_file(kDir + "/out/run.chk") == chk);
  }

  // the unchanged model in another directory is no change
  write_model(changed, "", "", "");
  md_test::write_file(kDir + "/out/keep.chk", chk);
  REQUIRE(continue_with(changed, "", &out) == 0);
  md_test::write_file(kDir + "/out/run.chk", chk);

  // --allow-changes: a one-line warning naming the change, and the run continues
  REQUIRE(continue_with(changed, "coulomb ewald 1e-5\n", &out, " --allow-changes") == 0);
  CHECK(out.find("warning: --allow-changes: " + kDir + "/out/run.chk: continuing with changed physics (coulomb: checkpoint pme, "
                 "now ewald") != std::string::npos);
  CHECK(rep_test::count(out, "\n") == 1);
  CHECK(md_test::run("run " + kDir + "/first.in --quiet --allow-changes", &out) != 0);  // only with --restart
  CHECK(out.find("--allow-changes goes with --restart") != std::string::npos);

  // a checkpoint without the record (as earlier versions wrote): refused, or continued with --allow-changes
  md_checkpoint c;
  REQUIRE(ckpt_read((kDir + "/out/keep.chk").c_str(), &c) == MD_OK);
  c.phys.n = 0;
  REQUIRE(ckpt_write((kDir + "/out/run.chk").c_str(), &c) == MD_OK);
  ckpt_free(&c);
  CHECK(continue_with(base, "", &out) != 0);
  CHECK(out.find("did not record the model, Coulomb, neighbour and thermostat settings") != std::string::npos);
  CHECK(rep_test::count(out, "\n") == 1);
  CHECK(continue_with(base, "", &out, " --allow-changes") == 0);
}
