// libesnapmd and the Python package esnapmd:
//  - tests/python/check_calculator.py: the ASE calculator against `esnapmd eval` on every reference
//    configuration, against finite differences, batches against single evaluations, bad input (EsnapError);
//  - tests/capi/: a C program built against the INSTALLED library (cmake --install into a scratch prefix,
//    find_package(esnapmd)): energy/forces equal `esnapmd eval`, and the API's error paths;
//  - tests/python/pip_install.sh: `pip install` of the repository into a fresh virtual environment, then an
//    energy through `import esnapmd`.
#include <catch2/catch.hpp>

#include <cmath>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "test_io_util.h"

namespace {

// Run a shell command; returns its exit status, output (stdout + stderr) in *out.
int sh(const std::string &cmd, std::string *out) {
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  out->clear();
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int count_lines_starting(const std::string &text, const std::string &prefix) {
  int k = 0;
  for (const auto &line : esnap_test::split_lines(text))
    if (line.compare(0, prefix.size(), prefix) == 0) k++;
  return k;
}

std::string q(const std::string &s) { return "'" + s + "'"; }

// A fresh scratch directory (tests/test_util.h scratch) as an absolute path (cmake -S/-B, venvs).
std::string abs_scratch(const std::string &name) {
  std::string dir = esnap_test::scratch(name);
  char *p = realpath(dir.c_str(), nullptr);
  if (!p) std::abort();
  std::string abs(p);
  std::free(p);
  return abs;
}

// A checking script's output: exit status 0, `nok` lines "ok: ...", the last of them `last`.
void check_script(int rc, const std::string &out, int nok, const std::string &last) {
  INFO(out);
  std::printf("%s", out.c_str());
  CHECK(rc == 0);
  CHECK(count_lines_starting(out, "ok: ") == nok);
  CHECK(out.find("ok: " + last) != std::string::npos);
}

}  // namespace

TEST_CASE("python calculator equals eval finite differences and batches", "[lib][python]") {
  std::string out;
  if (sh(esnap_test::python() + " -c 'import ase, numpy'", &out) != 0)
    esnap_test::skip_missing("Python modules ase and numpy (tools/setup.sh installs them): " + out);
  std::string dir = esnap_test::scratch("python_calculator");
  std::string cmd = "ESNAPMD_LIBRARY=" + q(ESNAP_LIBRARY) + " PYTHONPATH=" + q(esnap_test::source("python")) + " " +
                    esnap_test::python() + " " + q(esnap_test::source("tests/python/check_calculator.py")) + " " +
                    q(ESNAP_BINARY) + " " + q(ESNAP_TEST_DATA) + " " + q(dir);
  int rc = sh(cmd, &out);
  check_script(rc, out, 17, "all checks passed");
}

TEST_CASE("C API program against the installed library", "[lib][capi]") {
  const std::string abs = abs_scratch("capi");
  const std::string prefix = abs + "/prefix", build = abs + "/build", cm = q(ESNAP_CMAKE);
  std::string out;
  int rc = sh(cm + " --install " + q(ESNAP_BUILD_DIR) + " --prefix " + q(prefix), &out);
  INFO(out);
  REQUIRE(rc == 0);
  for (const char *f : {"/include/esnapmd.h", "/lib/cmake/esnapmd/esnapmdConfig.cmake",
                        "/lib/cmake/esnapmd/esnapmdConfigVersion.cmake", "/share/esnapmd/potentials/li3n_esnap.model"})
    CHECK(esnap_test::exists(prefix + f));
  rc = sh(cm + " -S " + q(esnap_test::source("tests/capi")) + " -B " + q(build) + " -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=" +
              q(prefix) + " && " + cm + " --build " + q(build),
          &out);
  INFO(out);
  REQUIRE(rc == 0);
  // the program links the installed library, not the build tree's
  rc = sh("ldd " + q(build + "/capi_test") + " | grep libesnapmd", &out);
  INFO(out);
  CHECK(out.find(prefix) != std::string::npos);
  for (const char *ref : {"snap222_300K", "zbl222_close"}) {
    std::string refout = abs + "/" + ref + "_eval.xyz";
    rc = esnap_test::run_cli("eval " + q(esnap_test::data(std::string(ref) + ".xyz")) + " -o " + q(refout) +
                                 " --energies --coulomb ewald --accuracy 1e-10 --device cpu",
                             &out);
    INFO(out);
    REQUIRE(rc == 0);
    rc = sh(q(build + "/capi_test") + " " + q(refout) + " " + q(abs), &out);
    check_script(rc, out, 28, "all C API checks passed");
  }
}

TEST_CASE("pip install of the repository in a fresh venv", "[lib][python][pip]") {
  const std::string abs = abs_scratch("pip_install");
  const std::string venv = abs + "/venv", py = q(venv + "/bin/python");
  std::string out;
  if (sh(esnap_test::python() + " -m venv " + q(venv), &out) != 0)
    esnap_test::skip_missing("python -m venv (python3-venv, tools/setup.sh installs it): " + out);
  // the package index (scikit-build-core, numpy, ase; pip's cache serves what tools/setup.sh fetched)
  if (sh(py + " -m pip download -q --disable-pip-version-check --no-deps -d " + q(abs + "/probe") + " 'scikit-build-core>=0.8'", &out) != 0)
    esnap_test::skip_missing("pip cannot reach a package index for the build dependency scikit-build-core: " + out);
  // CUDA off (pyproject.toml); only the library target is built
  int rc = sh("CMAKE_BUILD_PARALLEL_LEVEL=2 " + py + " -m pip install -q --disable-pip-version-check " +
                  q(ESNAP_SOURCE_DIR),
              &out);
  INFO(out);
  REQUIRE(rc == 0);
  // outside the source tree, with no hint where the library is: it must come from the installed package
  std::string code =
      "import os, esnapmd; from ase.io import read; "
      "assert os.path.dirname(esnapmd.library_path()) == os.path.dirname(esnapmd.__file__), esnapmd.library_path(); "
      "a = read('" + esnap_test::data("unitcell.xyz") + "'); a.calc = esnapmd.ESNAP(coulomb='ewald', accuracy=1e-10); "
      "print('energy %.15f' % a.get_potential_energy()); print(esnapmd.version())";
  rc = sh("cd " + q(abs) + " && env -u ESNAPMD_LIBRARY -u PYTHONPATH -u ESNAPMD_MODEL " + py + " -c \"" + code + "\"", &out);
  INFO(out);
  std::printf("%s", out.c_str());
  REQUIRE(rc == 0);
  double e = 0;
  REQUIRE(std::sscanf(out.c_str() + out.find("energy "), "energy %lf", &e) == 1);
  std::string ref;
  REQUIRE(esnap_test::run_cli("eval " + q(esnap_test::data("unitcell.xyz")) + " --coulomb ewald --accuracy 1e-10 --device cpu", &ref) == 0);
  // the table row: frame atoms E_total ...
  double e_eval = 0;
  for (const auto &line : esnap_test::split_lines(ref))
    if (line.size() > 2 && line[0] != '#') std::sscanf(line.c_str(), "%*d %*d %lf", &e_eval);
  INFO(ref);
  CHECK(std::fabs(e - e_eval) <= 1e-9 * std::fabs(e_eval));
}
