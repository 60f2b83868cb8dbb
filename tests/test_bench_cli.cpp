// `esnapmd bench` writes its report piece by piece: each row reaches --out (flushed) before stdout shows it, so a
// bench stopped part of the way (tools/gpu_check.sh's time limit) keeps every row measured so far. Two tiny CPU
// sizes, a fraction of a second each: this checks the output, not the speed.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "test_md_util.h"

TEST_CASE("bench prints and flushes each row to stdout and --out as it is measured", "[cli][bench]") {
  const std::string dir = esnap_test::scratch("bench_stream");
  const std::string out = dir + "/bench.md";
  const std::string cmd = std::string(ESNAP_BINARY) + " bench --sizes 2,3 --device cpu --threads 1 --seconds 0.05 "
                          "--lammps no --out " + out + " 2>/dev/null";
  FILE *p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  char line[4096];
  std::string text;
  int rows = 0;
  while (std::fgets(line, sizeof line, p)) {
    text += line;
    const std::string l(line);
    if (l.rfind("| 2x2x2 |", 0) == 0 || l.rfind("| 3x3x3 |", 0) == 0) {
      rows++;
      // the row is in the file already, while the bench is still running (the second size not yet printed)
      const std::string file = md_test::read_file(out);
      CHECK(file.find(l) != std::string::npos);
      if (rows == 1) CHECK(file.find("| 3x3x3 |") == std::string::npos);
    }
  }
  const int st = pclose(p);
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
  CHECK(rows == 2);
  CHECK(md_test::read_file(out) == text);
  CHECK(text.find("| cell | atoms | code | steps | ms/step | atom-steps/s | T end (K) | notes |") != std::string::npos);
  CHECK(text.find("| 2x2x2 | 32 | esnapmd cpu, 1 thread |") != std::string::npos);
  CHECK(text.find("| 3x3x3 | 108 | esnapmd cpu, 1 thread |") != std::string::npos);
}
