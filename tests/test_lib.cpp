// libesnapmd and the Python package esnapmd:
//  - tests/python/check_calculator.py: the ASE calculator against `esnapmd eval` on every reference
//    configuration, against finite differences, batches against single evaluations, bad input (EsnapError);
//  - tests/capi/: a C program built against the INSTALLED library (cmake --install into a scratch prefix,
//    find_package(esnapmd)): energy/forces equal `esnapmd eval`, and the API's error paths;
//  - tests/python/pip_install.sh: `pip install` of the repository into a fresh virtual environment, then an
//    energy through `import esnapmd`.
#include <catch2/catch.hpp>

#include <cstdio>
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
  INFO(out);
  std::printf("%s", out.c_str());
  CHECK(rc == 0);
  CHECK(count_lines_starting(out, "ok: ") == 16);
  CHECK(out.find("ok: all checks passed") != std::string::npos);
}
