// Hardening against hostile inputs, one test per class, each with the smallest input that showed it: bounded
// Coulomb parameter searches, physical ranges of model and SNAP files, non-finite terms blamed on their file,
// the safety rules at step 0, escaped messages, and readers that do not trust a header's atom count. Every bad
// input gives one line naming FILE:LINE (runtime events: the step and the checkpoint state), a non-zero exit and
// no output file.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "test_io_util.h"

extern "C" {
#include "coulomb.h"
#include "deck.h"
#include "ewald.h"
#include "lattice.h"
#include "model.h"
#include "ranges.h"
#include "replica_io.h"
#include "status.h"
#include "system.h"
}

namespace {

using esnap_test::read_file;
using esnap_test::split_lines;
using esnap_test::write_file;

// Open file descriptors of this process.
int open_fds() {
  int n = 0;
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  while (struct dirent *e = readdir(d))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n - 1;  // the directory stream itself
}

bool path_exists(const std::string &p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

// A copy of the bundled model (model, .snapcoeff, .snapparam) in dir, `file` of it edited by `edit`; returns the
// model's path, and in *line the 1-based line `edit` reports (the index it returns + 1).
std::string model_copy(const std::string &dir, const std::string &file,
                       const std::function<int(std::vector<std::string> &)> &edit, int *line) {
  for (const char *f : {"li3n_esnap.model", "li3n_esnap.snapcoeff", "li3n_esnap.snapparam"}) {
    std::vector<std::string> l = split_lines(read_file(esnap_test::source(std::string("potentials/") + f)));
    if (file == f) *line = edit(l) + 1;
    std::string text;
    for (const auto &s : l) text += s + "\n";
    write_file(dir + "/" + f, text);
  }
  return dir + "/li3n_esnap.model";
}

// index of the first line starting with `prefix`
int find_line(const std::vector<std::string> &l, const std::string &prefix) {
  for (size_t k = 0; k < l.size(); k++)
    if (l[k].rfind(prefix, 0) == 0) return (int)k;
  FAIL("no line starting with " << prefix);
  return -1;
}

// index of the k-th coefficient line (one word, a number) of a .snapcoeff
int coeff_line(const std::vector<std::string> &l, int k) {
  int seen = 0;
  for (size_t i = 0; i < l.size(); i++) {
    const std::string &s = l[i];
    if (s.empty() || s[0] == '#' || s.find(' ') != std::string::npos) continue;
    if (seen++ == k) return (int)i;
  }
  FAIL("no coefficient " << k);
  return -1;
}

// Run esnapmd; the whole of stderr must be one line "esnapmd: ..." holding every fragment, the exit non-zero.
std::string expect_cli_error(const std::string &args, const std::string &dir, const std::vector<std::string> &fragments) {
  setenv("OMP_WAIT_POLICY", "passive", 0);
  std::string out, err;
  int rc = esnap_test::run_cli_split(args, dir, &out, &err);
  INFO("esnapmd " << args << "\nstderr: " << err);
  CHECK(rc != 0);
  CHECK(split_lines(err).size() == 1);
  CHECK(err.rfind("esnapmd: ", 0) == 0);
  for (const auto &f : fragments) CHECK(err.find(f) != std::string::npos);
  return err;
}

// Li3N unit cell as extended XYZ with velocities, the first Li's vx replaced by `vx0`.
std::string xyz_with_velocity(const std::string &vx0) {
  return "4\nLattice=\"3.65069 0 0 -1.825345 3.16159028 0 0 0 3.888635\" Properties=species:S:1:pos:R:3:velocities:R:3\n"
         "Li 0 0 1.9443175 " + vx0 + " 0 0\nLi 0 2.10772685 0 1 0 0\nLi 1.825345 1.05386343 0 0 1 0\nN 0 0 0 0 0 1\n";
}

}  // namespace

TEST_CASE("hardening Coulomb parameter searches are bounded and refuse what they cannot reach", "[hardening][coulomb]") {
  md_model m = esnap_test::load_model();
  coulomb *c = nullptr;
  // values outside the shared ranges never reach a search
  CHECK(coulomb_create(&c, MD_COUL_PME, 1e-300, 0.0, m.charge, m.nelem) == MD_ERR_VALUE);
  CHECK(coulomb_create(&c, MD_COUL_PME, 1e-4, 0.01, m.charge, m.nelem) == MD_ERR_VALUE);
  const real_t q[2] = {1e6, -3e5};
  CHECK(coulomb_create(&c, MD_COUL_PME, 1e-5, 0.0, q, 2) == MD_ERR_VALUE);
  CHECK(std::string(md_errmsg()).find("charge") != std::string::npos);
  CHECK(c == nullptr);

  md_system *s = nullptr;
  REQUIRE(lattice_li3n(&s, 2, 2, 2, 0.0, 0.0, &m) == MD_OK);
  // 1e-9 on 32 atoms: the mesh the search has always chosen (a logarithmic search with cheap estimates)
  REQUIRE(coulomb_create(&c, MD_COUL_PME, 1e-9, 0.0, m.charge, m.nelem) == MD_OK);
  REQUIRE(coulomb_setup(c, s) == MD_OK);
  coulomb_info info;
  coulomb_get_info(c, &info);
  CHECK(info.grid[0] == 160);
  CHECK(info.grid[1] == 160);
  CHECK(info.grid[2] == 189);
  coulomb_destroy(&c);
  // the tightest accuracy at the default cutoff needs a mesh beyond the bounds: refused, naming both
  REQUIRE(coulomb_create(&c, MD_COUL_PME, MD_RANGE_COUL_ACC_MIN, 0.0, m.charge, m.nelem) == MD_OK);
  md_clear_error();
  CHECK(coulomb_setup(c, s) == MD_ERR_VALUE);
  std::string msg = md_errmsg();
  INFO(msg);
  CHECK(msg.find("accuracy 1e-14") != std::string::npos);
  CHECK(msg.find("needs a mesh of") != std::string::npos);
  coulomb_destroy(&c);
  // Ewald: a reciprocal cutoff beyond the vector bounds is refused before any enumeration
  ewald_kspace *k = nullptr;
  REQUIRE(ewald_kspace_create(&k) == MD_OK);
  CHECK(ewald_kspace_setup(k, &s->box, 1.0, 1e6) == MD_ERR_VALUE);
  CHECK(std::string(md_errmsg()).find("k-vectors") != std::string::npos);
  CHECK(ewald_kspace_setup(k, &s->box, 1.0, 1e300) == MD_ERR_VALUE);
  ewald_kspace_destroy(&k);
  // the cutoff search ends for any target a double holds
  CHECK(std::isfinite(ewald_gcut_for_accuracy(1e-300, 1e3, 32, s->box.volume, 5.0)));
  system_destroy(&s);
}

TEST_CASE("hardening model and SNAP files refuse values outside their physical range", "[hardening][io]") {
  struct Case {
    const char *name, *file, *prefix, *replace, *expect;
  };
  const Case cases[] = {
      {"charge", "li3n_esnap.model", "charge", "charge    Li 1e6 N -0.717", "charge must be between"},
      {"charge_nan", "li3n_esnap.model", "charge", "charge    Li nan N -0.717", "not finite"},
      {"mass_zero", "li3n_esnap.model", "mass", "mass Li 0 N 14.0067", "mass"},
      {"mass_huge", "li3n_esnap.model", "mass", "mass Li 6.941 N 1e5", "mass must be between"},
      {"zbl_outer", "li3n_esnap.model", "zbl", "zbl 1.0 1e20 Li 3 N 7", "ZBL outer cutoff must be between"},
      {"zbl_order", "li3n_esnap.model", "zbl", "zbl 1.5 1.0 Li 3 N 7", "0 < inner < outer"},
      {"zbl_z", "li3n_esnap.model", "zbl", "zbl 1.0 1.5 Li 3 N 200", "nuclear charge Z must be between"},
      {"coul_acc", "li3n_esnap.model", "coulomb", "coulomb pme 1e-300", "Coulomb accuracy must be between"},
      {"coul_rcut", "li3n_esnap.model", "coulomb", "coulomb pme 1e-4 rcut 0.01", "real-space cutoff must be between"},
      {"rcutfac", "li3n_esnap.snapparam", "rcutfac", "rcutfac 1e308", "rcutfac must be between"},
      {"rfac0", "li3n_esnap.snapparam", "rfac0", "rfac0 1.5", "rfac0"},
      {"radius", "li3n_esnap.snapcoeff", "Li ", "Li 9e18 0.1", "pair cutoff"},
      {"rmin0", "li3n_esnap.snapparam", "rmin0", "rmin0 7.0", "rmin0"},
      {"weight_inf", "li3n_esnap.snapcoeff", "N ", "N 0.7 inf", "not finite"},
  };
  for (const Case &k : cases) {
    std::string dir = esnap_test::scratch(std::string("hardening_model_") + k.name);
    int line = 0;
    std::string model = model_copy(dir, k.file, [&](std::vector<std::string> &l) {
      int i = find_line(l, k.prefix);
      l[i] = k.replace;
      return i;
    }, &line);
    md_model m;
    md_clear_error();
    md_status st = model_read(&m, model.c_str());
    std::string msg = md_errmsg();
    // rmin0 is checked against the pair cutoffs, on the first radius line of the coefficient file
    std::string where = std::string(k.file) + ":" + std::to_string(line) + ":";
    if (std::string(k.name) == "rmin0") where = "li3n_esnap.snapcoeff:";
    INFO(k.name << ": " << msg);
    CHECK(st != MD_OK);
    CHECK(msg.find(where) != std::string::npos);
    CHECK(msg.find(k.expect) != std::string::npos);
  }
  // a non-finite coefficient
  std::string dir = esnap_test::scratch("hardening_model_coeff_nan");
  int line = 0;
  std::string model = model_copy(dir, "li3n_esnap.snapcoeff", [&](std::vector<std::string> &l) {
    int i = coeff_line(l, 5);
    l[i] = "-nan";
    return i;
  }, &line);
  md_model m;
  CHECK(model_read(&m, model.c_str()) != MD_OK);
  CHECK(std::string(md_errmsg()).find("li3n_esnap.snapcoeff:" + std::to_string(line) + ":") != std::string::npos);
}

TEST_CASE("hardening a non-finite SNAP energy blames the coefficient file", "[hardening][cli]") {
  std::string dir = esnap_test::scratch("hardening_snap_inf");
  int line = 0;
  std::string model = model_copy(dir, "li3n_esnap.snapcoeff", [&](std::vector<std::string> &l) {
    int i = coeff_line(l, 0); /* β0 of Li: its energy per Li atom */
    l[i] = "1e308";
    return i;
  }, &line);
  write_file(dir + "/cell.xyz", xyz_with_velocity("0"));
  std::string err = expect_cli_error("eval " + dir + "/cell.xyz --model " + model + " -o " + dir + "/out.xyz", dir,
                                     {"li3n_esnap.snapcoeff", "SNAP term is not finite"});
  CHECK(err.find("cell.xyz") == std::string::npos);
  CHECK(!path_exists(dir + "/out.xyz"));
  write_file(dir + "/deck.in", "structure read cell.xyz\nmodel li3n_esnap.model\nrun 5\noutput " + dir + "/out\n");
  err = expect_cli_error("run " + dir + "/deck.in --device cpu", dir, {"step 0: ", "li3n_esnap.snapcoeff", "SNAP term is not finite",
                                                          "no checkpoint written"});
  CHECK(err.find("step 0: step 0:") == std::string::npos);
  CHECK(!path_exists(dir + "/out"));
}

TEST_CASE("hardening the safety rules apply at step 0 to velocities read from a file", "[hardening][cli][safety]") {
  std::string dir = esnap_test::scratch("hardening_step0");
  // extended XYZ with velocities
  write_file(dir + "/hot.xyz", xyz_with_velocity("1e30"));
  write_file(dir + "/xyz.in", "structure read hot.xyz\nensemble nvt 300 0.1\nrun 10\noutput " + dir + "/out_xyz\n");
  expect_cli_error("run " + dir + "/xyz.in --device cpu", dir, {"step 0: temperature", "exceeds the limit", "no checkpoint written"});
  CHECK(!path_exists(dir + "/out_xyz"));
  // LAMMPS data file with a Velocities section
  write_file(dir + "/hot.data",
             "hot\n\n4 atoms\n2 atom types\n\n0 3.65069 xlo xhi\n0 3.16159028 ylo yhi\n0 3.888635 zlo zhi\n"
             "-1.825345 0 0 xy xz yz\n\nMasses\n\n1 6.941\n2 14.0067\n\nAtoms # atomic\n\n"
             "1 1 0 0 1.9443175\n2 1 0 2.10772685 0\n3 1 1.825345 1.05386343 0\n4 2 0 0 0\n\n"
             "Velocities\n\n1 1e30 0 0\n2 0 0 0\n3 0 0 0\n4 0 0 0\n");
  write_file(dir + "/data.in", "structure read hot.data\nrun 10\noutput " + dir + "/out_data\n");
  expect_cli_error("run " + dir + "/data.in --device cpu", dir, {"step 0: temperature", "exceeds the limit"});
  CHECK(!path_exists(dir + "/out_data"));
}

TEST_CASE("hardening messages escape control and non-UTF-8 bytes once", "[hardening][errors]") {
  // in one place: md_error
  md_error(MD_ERR_PARSE, "x.in:1: unknown keyword '%s'", "\x1b[2J\x07\xff\xc3\xa5\xc2\x9b");
  std::string msg = md_errmsg();
  CHECK(msg == "x.in:1: unknown keyword '\\x1B[2J\\x07\\xFF\xc3\xa5\\xC2\\x9B'");  // U+00E5 kept, U+009B (C1) escaped
  // wrapping a message (a step prefix) neither repeats the prefix nor escapes twice
  md_error(MD_ERR_PHYSICS, "step %ld: %s", 0L, md_errmsg());
  CHECK(std::string(md_errmsg()) == "step 0: " + msg);
  md_error(MD_ERR_VALUE, "a\nb\tc\r");
  CHECK(std::string(md_errmsg()) == "a\\x0Ab\\x09c\\x0D");
  // through the CLI: a deck, a structure and a model carrying a terminal escape and a bell
  std::string dir = esnap_test::scratch("hardening_escape");
  const std::string bad = "\x1b[2J\x07";
  write_file(dir + "/deck.in", "structure li3n 1 1 1\n" + bad + "keyword 1\nrun 1\noutput " + dir + "/out\n");
  std::string err = expect_cli_error("run " + dir + "/deck.in", dir, {"deck.in:2:", "\\x1B[2J\\x07keyword"});
  CHECK(err.find('\x1b') == std::string::npos);
  CHECK(err.find('\x07') == std::string::npos);
  write_file(dir + "/s.xyz", "1\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3\n" + bad + " 0 0 0\n");
  err = expect_cli_error("eval " + dir + "/s.xyz -o " + dir + "/out.xyz", dir, {"s.xyz:3:", "\\x1B[2J\\x07"});
  CHECK(err.find('\x1b') == std::string::npos);
  int line = 0;
  std::string model = model_copy(dir, "li3n_esnap.model", [&](std::vector<std::string> &l) {
    l.push_back(bad + " 1");
    return (int)l.size() - 1;
  }, &line);
  err = expect_cli_error("eval " + dir + "/s.xyz --model " + model + " -o " + dir + "/out.xyz", dir,
                         {"li3n_esnap.model:" + std::to_string(line) + ":", "\\x1B[2J\\x07"});
  CHECK(err.find('\x07') == std::string::npos);
  CHECK(!path_exists(dir + "/out"));
  CHECK(!path_exists(dir + "/out.xyz"));
}

TEST_CASE("hardening a header promising 5e7 atoms allocates only for the lines present", "[hardening][io][cli]") {
  std::string dir = esnap_test::scratch("hardening_promise");
  write_file(dir + "/big.xyz", "50000000\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3\nLi 0 0 0\nN 1 1 1\n");
  write_file(dir + "/big.data", "big\n\n50000000 atoms\n2 atom types\n\n0 5 xlo xhi\n0 5 ylo yhi\n0 5 zlo zhi\n\n"
                                "Masses\n\n1 6.941\n2 14.0067\n\nAtoms # atomic\n\n1 1 0 0 0\n2 2 1 1 1\n");
  write_file(dir + "/big.dump", "ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n50000000\nITEM: BOX BOUNDS pp pp pp\n0 5\n0 5\n"
                                "0 5\nITEM: ATOMS id type xu yu zu\n1 1 0 0 0\n2 2 1 1 1\n");
  // 5e7 atoms take > 1.5 GB; under a 1 GB address-space limit only a reader that grows with the lines gets to the
  // file's end and reports it, and its resident set stays small
  const std::string lim = "ulimit -v 1000000; ";
  struct Case {
    std::string args, expect;
  } cases[] = {
      {"eval " + dir + "/big.xyz -o " + dir + "/out.xyz", "big.xyz:4: file ends after 2 of 50000000 atom lines"},
      {"eval " + dir + "/big.data -o " + dir + "/out.xyz", "big.data:18: file ends after 2 of 50000000 lines of section Atoms"},
      {"analyze " + dir + "/big.dump --species Li --types Li,N --temperature 300 -o " + dir + "/out",
       "big.dump:11: frame of step 0 ends after 2 of 50000000 atom lines"},
  };
  for (const Case &c : cases) {
    std::string cmd = "(" + lim + std::string(ESNAP_BINARY) + " " + c.args + ") 2>&1";
    FILE *p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
    int st = pclose(p);
    INFO(c.args << "\n" << text);
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) != 0);
    CHECK(split_lines(text).size() == 1);
    CHECK(text.find(c.expect) != std::string::npos);
  }
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  CHECK(ru.ru_maxrss < 100 * 1024);  // KiB: the largest child stayed far below the 200 MB of 5e7 ids
  CHECK(!path_exists(dir + "/out"));
  CHECK(!path_exists(dir + "/out.xyz"));
}

TEST_CASE("hardening outputs opened before a failing dump are closed", "[hardening][io]") {
  // the run's outputs open in deck order (thermo, then each dump); when one fails, everything opened before it is
  // closed again: a failure at the second dump (its file name is a directory) leaves no descriptor behind
  std::string dir = esnap_test::scratch("hardening_dump_leak");
  write_file(dir + "/deck.in", "structure li3n 1 1 1\nthermo 5 file thermo.dat\ndump 5 a.xyz\ndump 5 b.xyz\nrun 10\noutput " +
                                   dir + "/out\n");
  md_deck d;
  REQUIRE(deck_read(&d, (dir + "/deck.in").c_str()) == MD_OK);
  REQUIRE(d.ndump == 2);
  md_model m = esnap_test::load_model();
  md_system *s = nullptr;
  REQUIRE(lattice_li3n(&s, 1, 1, 1, 0.0, 0.0, &m) == MD_OK);
  REQUIRE(mkdir((dir + "/out").c_str(), 0755) == 0);
  REQUIRE(mkdir((dir + "/out/b.xyz").c_str(), 0755) == 0);
  const int before = open_fds();
  REQUIRE(before > 0);
  rep_out o;
  md_clear_error();
  CHECK(rio_open(&o, &d, 0, 0, 1, s, nullptr, "# header\n", nullptr) != MD_OK);
  std::string msg = md_errmsg();
  INFO(msg);
  CHECK(msg.find("b.xyz") != std::string::npos);
  CHECK(path_exists(dir + "/out/a.xyz"));  // the first dump was opened before the second failed
  CHECK(open_fds() == before);
  // the same outputs open and close cleanly when nothing fails
  REQUIRE(rmdir((dir + "/out/b.xyz").c_str()) == 0);
  REQUIRE(rio_open(&o, &d, 0, 0, 1, s, nullptr, "# header\n", nullptr) == MD_OK);
  CHECK(open_fds() >= before + 3);
  rio_close(&o);
  CHECK(open_fds() == before);
  system_destroy(&s);
}
