// test_util.h — helpers shared by the tests: data paths, reference frames, skipping.
#ifndef ESNAP_TEST_UTIL_H
#define ESNAP_TEST_UTIL_H

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" {
#include "status.h"
#include "types.h"
}

namespace esnap_test {

inline std::string data(const std::string &name) { return std::string(ESNAP_TEST_DATA) + "/" + name; }
inline std::string source(const std::string &name) { return std::string(ESNAP_SOURCE_DIR) + "/" + name; }
inline std::string shared(const std::string &name) { return std::string(ESNAP_SHARED_DIR) + "/" + name; }
inline bool exists(const std::string &p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

// Exit code 77 = "skipped" for ctest (SKIP_RETURN_CODE, see tests/EsnapTests.cmake). For what a machine may
// lack by design: a GPU, a CUDA build, NCCL.
[[noreturn]] inline void skip(const char *why) {
  std::fprintf(stdout, "SKIP: %s\n", why);
  std::fflush(stdout);
  std::exit(77);
}

inline bool in_ci() {
  const char *ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

// A dependency the project installs (tools/setup.sh: Python modules, MPI, ../shared data) is missing: a skip on a
// developer's machine, a failure under CI=true, where a skipped test would be a test that never ran.
[[noreturn]] inline void skip_missing(const std::string &why) {
  if (in_ci()) {
    std::fprintf(stdout, "FAIL (CI=true, a required dependency is missing): %s\n", why.c_str());
    std::fflush(stdout);
    std::exit(1);
  }
  skip(why.c_str());
}

// The Python interpreter for tools/*.py (CMake's ESNAP_PYTHON: the .venv of tools/setup.sh, else python3), quoted.
inline std::string python() { return std::string("'") + ESNAP_PYTHON + "'"; }

// A scratch directory under the build tree, unique per test name.
inline std::string scratch(const std::string &name) {
  std::string d = std::string("scratch/") + name;
  std::string cmd = "rm -rf '" + d + "' && mkdir -p '" + d + "'";
  if (std::system(cmd.c_str()) != 0) std::abort();
  return d;
}

// Run a shell command; returns the exit status; stdout and stderr captured in `out` when given.
inline int run_shell(const std::string &command, std::string *out = nullptr) {
  std::string cmd = command + " 2>&1";
  FILE *p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  std::string text;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int st = pclose(p);
  if (out) *out = text;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// Run the esnapmd binary with arguments; returns the exit status; output captured in `out` when given.
inline int run_cli(const std::string &args, std::string *out = nullptr) {
  return run_shell(std::string(ESNAP_BINARY) + " " + args, out);
}

}  // namespace esnap_test

#endif
