// tools/plot_diffusion.py and tools/kinisi_compare.py as tests.
//
// tools/plot_diffusion.py: MSD curves, an Arrhenius plot with both regimes and the Haven ratio
// against T, drawn from real `esnapmd analyze` / `esnapmd arrhenius` outputs. The inputs: LAMMPS's own 1200 K
// trajectory (tests/data/lammps_li_1200K.dump.gz) analysed with frame intervals 0.1, 0.05, 0.025, 0.0125 ps
// and temperatures 600 ... 1200 K, so D changes by 2x per temperature and the fits are well defined.
// Each PNG must exist, start with the PNG signature and be a real figure (> 10 kB). Python is the interpreter of
// tools/setup.sh (ESNAP_PYTHON); without matplotlib/numpy the test skips, and fails under CI=true. Run time ~10 s.

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "test_util.h"

namespace {

std::string sh(const std::string &cmd, int *rc) {
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  std::string text;
  if (!p) {
    *rc = -1;
    return text;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int st = pclose(p);
  *rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return text;
}

void check_png(const std::string &path) {
  INFO(path);
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  std::string head(8, '\0');
  f.read(&head[0], 8);
  CHECK(head == std::string("\x89PNG\r\n\x1a\n", 8));
  f.seekg(0, std::ios::end);
  CHECK(f.tellg() > 10000);
}

}  // namespace

TEST_CASE("plot_diffusion draws msd arrhenius and haven figures", "[analysis][plots][cli]") {
  int rc = 0;
  std::string probe = sh(esnap_test::python() + " -c 'import matplotlib, numpy'", &rc);
  if (rc != 0) esnap_test::skip_missing("Python (" ESNAP_PYTHON ") with matplotlib and numpy is not available (run tools/setup.sh): " + probe);
  const std::string d = esnap_test::scratch("plots");
  const std::string dump = esnap_test::data("lammps_li_1200K.dump.gz");
  const double dt[4] = {0.1, 0.05, 0.025, 0.0125};
  const int temp[4] = {600, 800, 1000, 1200};
  std::string dirs;
  for (int k = 0; k < 4; k++) {
    const std::string out = d + "/T" + std::to_string(temp[k]);
    char args[512];
    std::snprintf(args, sizeof args, "analyze '%s' --frame-interval %g --temperature %d --fit-window %g %g -o '%s' --quiet",
                  dump.c_str(), dt[k], temp[k], 20 * dt[k], 250 * dt[k], out.c_str());
    std::string text;
    INFO(args);
    REQUIRE(esnap_test::run_cli(args, &text) == 0);
    dirs += " '" + out + "'";
  }
  // the dump has no type column: its atoms are all Li, none is taken for a host sublattice
  CHECK(!esnap_test::exists(d + "/T600/host.json"));
  std::string text;
  REQUIRE(esnap_test::run_cli("arrhenius" + dirs + " -o '" + d + "/arr' --break 900 --min-points 2", &text) == 0);
  const std::string py = esnap_test::python() + " '" + esnap_test::source("tools/plot_diffusion.py") + "' ";
  text = sh(py + "msd '" + d + "/T1200' -o '" + d + "/msd.png'", &rc);
  INFO(text);
  REQUIRE(rc == 0);
  check_png(d + "/msd.png");
  text = sh(py + "arrhenius '" + d + "/arr' -o '" + d + "/arr.png'", &rc);
  INFO(text);
  REQUIRE(rc == 0);
  check_png(d + "/arr.png");
  text = sh(py + "haven" + dirs + " -o '" + d + "/haven.png'", &rc);
  INFO(text);
  REQUIRE(rc == 0);
  check_png(d + "/haven.png");
  // a missing input is an error with a message, not a traceback
  text = sh(py + "msd '" + d + "/nothing' -o '" + d + "/x.png'", &rc);
  CHECK(rc != 0);
  CHECK(text.find("Traceback") == std::string::npos);
}

// `esnapmd analyze` on a LAMMPS dump of unwrapped coordinates agrees with kinisi on D* within the
// stated uncertainties (tools/kinisi_compare.py exits 1 beyond 2 combined standard errors in any of xyz, xy, z).
// kinisi is in tools/requirements.txt (tools/setup.sh installs it): without it the test skips, and fails under CI=true.
// Run time ~10 s.
TEST_CASE("analyze agrees with kinisi on a lammps dump", "[analysis][kinisi][cli]") {
  int rc = 0;
  std::string probe = sh(esnap_test::python() + " -c 'import kinisi, numpy'", &rc);
  if (rc != 0) esnap_test::skip_missing("Python (" ESNAP_PYTHON ") without kinisi (tools/setup.sh installs it): " + probe);
  std::string text = sh(esnap_test::python() + " '" + esnap_test::source("tools/kinisi_compare.py") + "' '" +
                            esnap_test::data("lammps_li_1200K.dump.gz") +
                            "' --timestep 0.001 --fit-window 2 25 --temperature 1200 --esnapmd '" + ESNAP_BINARY + "'",
                        &rc);
  INFO(text);
  std::printf("%s", text.c_str());
  CHECK(rc == 0);
  CHECK(text.find("agree within 2 combined standard errors") != std::string::npos);
}
