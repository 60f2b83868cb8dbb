// test_replica_util.h — helpers for the replica, on-the-fly diffusion, MPI and sweep tests: file comparison,
// JSON numbers, mpirun.
#ifndef ESNAP_TEST_REPLICA_UTIL_H
#define ESNAP_TEST_REPLICA_UTIL_H

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "test_md_util.h"

extern "C" {
#include "json_out.h"
}

namespace rep_test {

// The rows of a thermo file (comments dropped), as text: bitwise comparisons of thermo lines.
inline std::vector<std::string> data_lines(const std::string &path) {
  std::vector<std::string> out;
  std::string text = md_test::read_file(path), line;
  for (char ch : text) {
    if (ch != '\n') {
      line += ch;
      continue;
    }
    if (!line.empty() && line[0] != '#') out.push_back(line);
    line.clear();
  }
  return out;
}

inline double json_number(const std::string &path, const std::string &key) {
  std::string text = md_test::read_file(path);
  double v = 0.0;
  if (json_get_number(text.c_str(), key.c_str(), &v) != 1) return -1e300;
  return v;
}

// Run a command with the environment variable set for it (restored afterwards).
inline int run_env(const char *var, const char *value, const std::string &args, std::string *out = nullptr) {
  const char *old = std::getenv(var);
  std::string saved = old ? old : "";
  setenv(var, value, 1);
  int rc = md_test::run(args, out);
  if (old) setenv(var, saved.c_str(), 1);
  else unsetenv(var);
  return rc;
}

// The mpirun CMake found (FindMPI's MPIEXEC_EXECUTABLE), or "" when this build has no MPI or no launcher.
inline std::string mpiexec() {
#if ESNAP_HAVE_MPI
  std::string m = ESNAP_MPIEXEC;
  if (!m.empty() && access(m.c_str(), X_OK) == 0) return m;
#endif
  return "";
}

// "mpirun -n P [--oversubscribe] esnapmd ARGS" with one OpenMP thread per rank; stdout+stderr in out.
inline int mpirun(int np, const std::string &args, std::string *out = nullptr) {
  std::string m = mpiexec();
  std::string ver;
  FILE *p = popen((m + " --version 2>&1").c_str(), "r");
  if (p) {
    char buf[512];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) ver.append(buf, n);
    pclose(p);
  }
  bool open_mpi = ver.find("Open MPI") != std::string::npos || ver.find("OpenRTE") != std::string::npos;
  // Open MPI in containers: no single-copy (CMA) shared-memory transfers (ptrace is usually not permitted); run as
  // root, Open MPI's mpirun refuses to start unless both OMPI_ALLOW_RUN_AS_ROOT variables are set
  std::string env = "OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive OMPI_MCA_btl_vader_single_copy_mechanism=none "
                    "OMPI_MCA_btl_sm_single_copy_mechanism=none ";
  if (geteuid() == 0) env += "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ";
  std::string cmd = env + m + " -n " + std::to_string(np) +
                    (open_mpi ? " --oversubscribe" : "") + " " + ESNAP_BINARY + " " + args + " 2>&1";
  p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int st = pclose(p);
  if (out) *out = text;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

inline int count(const std::string &text, const std::string &what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) n++;
  return n;
}

}  // namespace rep_test

#endif
