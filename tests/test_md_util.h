// test_md_util.h — helpers for the MD run tests: decks in scratch directories, thermo and dump parsing.
#ifndef ESNAP_TEST_MD_UTIL_H
#define ESNAP_TEST_MD_UTIL_H

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace md_test {

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

// Numeric rows of a whitespace-separated table, '#' lines skipped.
inline std::vector<std::vector<double>> table(const std::string &path) {
  std::vector<std::vector<double>> rows;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::vector<double> r;
    std::string w;
    bool ok = true;
    while (ls >> w) {
      char *end;
      double v = std::strtod(w.c_str(), &end);
      if (*end) {
        ok = false;
        break;
      }
      r.push_back(v);
    }
    if (ok && !r.empty()) rows.push_back(r);
  }
  return rows;
}

// Rows of the thermo section of a LAMMPS log (after the "Step" header until "Loop").
inline std::vector<std::vector<double>> lammps_thermo(const std::string &path) {
  std::vector<std::vector<double>> rows;
  std::ifstream f(path);
  std::string line;
  bool on = false;
  while (std::getline(f, line)) {
    std::istringstream ls(line);
    std::string first;
    ls >> first;
    if (first == "Step") {
      on = true;
      continue;
    }
    if (!on) continue;
    if (first == "Loop" || first.empty()) break;
    std::vector<double> r{std::strtod(first.c_str(), nullptr)};
    double v;
    while (ls >> v) r.push_back(v);
    rows.push_back(r);
  }
  return rows;
}

// The last frame of a LAMMPS dump: rows of the ATOMS section (id type x y z ...).
inline std::vector<std::vector<double>> lammps_dump_last(const std::string &path) {
  std::vector<std::vector<double>> rows;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("ITEM: ATOMS", 0) == 0) {
      rows.clear();
      continue;
    }
    if (line.rfind("ITEM:", 0) == 0) {
      rows.clear();
      continue;
    }
    std::istringstream ls(line);
    std::vector<double> r;
    double v;
    while (ls >> v) r.push_back(v);
    if (r.size() >= 5) rows.push_back(r);
  }
  return rows;
}

// A fresh scratch directory with a deck; returns the deck path (relative to the build directory, where
// ctest runs the tests). Outputs go to DIR/out unless the deck says otherwise.
inline std::string deck(const std::string &name, const std::string &text, bool add_output = true) {
  std::string dir = esnap_test::scratch(name);
  std::string path = dir + "/deck.in";
  write_file(path, add_output ? text + "output " + dir + "/out\n" : text);
  return path;
}

// Child runs wait passively at OpenMP barriers: ctest -j2 runs two tests at once on two cores, and spinning
// threads of one run then steal the cores the other run's threads wait for (10-50x slower runs).
inline void passive_openmp() { setenv("OMP_WAIT_POLICY", "passive", 0); }

inline int run(const std::string &args, std::string *out = nullptr) {
  passive_openmp();
  return esnap_test::run_cli(args, out);
}

inline int count_lines(const std::string &s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace md_test

#endif
