// test_io_util.h — small helpers for the I/O, eval and error tests: write/read files, run the CLI with stdout
// and stderr captured separately, load the bundled model.
#ifndef ESNAP_TEST_IO_UTIL_H
#define ESNAP_TEST_IO_UTIL_H

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

extern "C" {
#include "model.h"
}

namespace esnap_test {

inline void write_file(const std::string &path, const std::string &text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

inline std::string read_file(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::vector<std::string> split_lines(const std::string &text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == '\n') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// Run esnapmd with stdout and stderr captured separately (stderr through a file in `dir`). The environment
// variable ESNAP_TEST_WRAPPER, when set, prefixes the command (e.g. "valgrind -q --error-exitcode=99").
inline int run_cli_split(const std::string &args, const std::string &dir, std::string *out, std::string *err) {
  std::string errfile = dir + "/stderr.txt";
  const char *wrap = std::getenv("ESNAP_TEST_WRAPPER");
  std::string cmd = std::string(wrap ? wrap : "") + " " + ESNAP_BINARY + " " + args + " 2>'" + errfile + "'";
  FILE *p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  std::string text;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int st = pclose(p);
  if (out) *out = text;
  if (err) *err = read_file(errfile);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// The bundled Li3N eSNAP model (potentials/li3n_esnap.model).
inline md_model load_model() {
  md_model m;
  std::string path = source("potentials/li3n_esnap.model");
  if (model_read(&m, path.c_str()) != MD_OK) throw std::runtime_error(std::string("model: ") + md_errmsg());
  return m;
}

}  // namespace esnap_test

#endif
