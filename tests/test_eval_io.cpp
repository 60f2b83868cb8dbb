// `esnapmd eval` input/output paths (independent of the force values): one output frame per input frame
// with the input's cell, positions and extra keys; the keys and columns of the reference layout; a LAMMPS
// data input; the stdout table; atomic output when a later frame is bad.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <cstring>

#include "test_io_util.h"

extern "C" {
#include "io_xyz.h"
#include "system.h"
}

using esnap_test::data;
using esnap_test::read_file;
using esnap_test::split_lines;
using esnap_test::write_file;

// All frames of an xyz file (any elements).
static std::vector<xyz_frame> read_frames(const std::string &path) {
  std::vector<xyz_frame> out;
  xyz_reader *r = nullptr;
  if (xyz_open(&r, path.c_str(), nullptr) != MD_OK) throw std::runtime_error(md_errmsg());
  for (;;) {
    xyz_frame f = {};
    int eof = 0;
    if (xyz_read_frame(r, &f, &eof) != MD_OK) throw std::runtime_error(md_errmsg());
    if (eof) break;
    out.push_back(f);
  }
  xyz_close(&r);
  return out;
}

static void free_frames(std::vector<xyz_frame> &v) {
  for (auto &f : v) xyz_frame_free(&f);
  v.clear();
}

TEST_CASE("eval writes one frame per input frame", "[cli][eval]") {
  std::string dir = esnap_test::scratch("eval_frames");
  // three frames of different sizes, one with an extra key to carry over
  auto a = split_lines(read_file(data("unitcell.xyz")));
  auto b = split_lines(read_file(data("snap222_300K.xyz")));
  a[1] += " config_type=\"perfect cell\"";
  std::string text;
  for (const auto &l : a) text += l + "\n";
  for (const auto &l : b) text += l + "\n";
  for (const auto &l : a) text += l + "\n";
  write_file(dir + "/in.xyz", text);
  std::string out;
  int rc = esnap_test::run_cli("eval " + dir + "/in.xyz -o " + dir + "/out.xyz --bispectrum", &out);
  INFO(out);
  REQUIRE(rc == 0);
  auto in = read_frames(dir + "/in.xyz"), res = read_frames(dir + "/out.xyz");
  REQUIRE(res.size() == 3);
  for (size_t k = 0; k < 3; k++) {
    const md_system *s = in[k].sys, *t = res[k].sys;
    REQUIRE(t->n == s->n);
    for (int j = 0; j < 9; j++) CHECK(t->box.h[j] == s->box.h[j]);
    int bad = 0;
    for (int i = 0; i < s->n; i++)
      bad += t->x[i] != s->x[i] || t->y[i] != s->y[i] || t->z[i] != s->z[i] ||
             std::strcmp(t->elem[t->type[i]], s->elem[s->type[i]]) != 0;
    CHECK(bad == 0);
    real_t v[9];
    for (const char *key : {"energy", "energy_snap", "energy_coulomb", "energy_zbl"}) CHECK(xyz_frame_get_reals(&res[k], key, v, 1) == MD_OK);
    CHECK(xyz_frame_get_reals(&res[k], "virial", v, 9) == MD_OK);
    CHECK(xyz_frame_get_reals(&res[k], "stress", v, 9) == MD_OK);
    int nc = 0;
    CHECK(xyz_frame_prop(&res[k], "forces", &nc) != nullptr);
    CHECK(nc == 3);
    CHECK(xyz_frame_prop(&res[k], "bispectrum", &nc) != nullptr);
    CHECK(nc == 30);
  }
  REQUIRE(xyz_frame_get(&res[0], "config_type") != nullptr);
  CHECK(std::string(xyz_frame_get(&res[0], "config_type")) == "perfect cell");
  CHECK(xyz_frame_get(&res[1], "config_type") == nullptr);
  free_frames(in);
  free_frames(res);
  CHECK(out.find("3 frames") != std::string::npos);
}

TEST_CASE("eval reads LAMMPS data and prints a table", "[cli][eval]") {
  std::string dir = esnap_test::scratch("eval_data");
  std::string out, err;
  int rc = esnap_test::run_cli_split("eval " + data("snap333_1000K.data") + " -o " + dir + "/out.xyz", dir, &out, &err);
  INFO(out << err);
  REQUIRE(rc == 0);
  CHECK(err.empty());
  auto res = read_frames(dir + "/out.xyz");
  REQUIRE(res.size() == 1);
  REQUIRE(res[0].sys->n == 108);
  CHECK(res[0].sys->x[0] == 10.808269393390278);  // file order, origin 0
  CHECK(res[0].sys->x[4] == 5.488462222892716);   // atom id 37
  free_frames(res);
  // without -o: a header naming units, then one row per frame
  rc = esnap_test::run_cli_split("eval " + data("snap222_300K.xyz"), dir, &out, &err);
  REQUIRE(rc == 0);
  auto lines = split_lines(out);
  int rows = 0, unit_lines = 0;
  for (const auto &l : lines) {
    if (l.rfind("#", 0) != 0) rows++;
    if (l.find("units") != std::string::npos && l.find("eV") != std::string::npos && l.find("bar") != std::string::npos) unit_lines++;
  }
  CHECK(rows == 1);
  CHECK(unit_lines == 1);
  rc = esnap_test::run_cli_split("eval --help", dir, &out, &err);
  CHECK(rc == 0);
  CHECK(out.find("usage: esnapmd eval") != std::string::npos);
}

TEST_CASE("eval output is atomic when a later frame is bad", "[cli][eval]") {
  std::string dir = esnap_test::scratch("eval_atomic");
  std::string good = read_file(data("unitcell.xyz"));
  auto lines = split_lines(good);
  lines[5] = "O" + lines[5].substr(1);  // third frame: unknown element on its line 6 (file line 18)
  std::string bad;
  for (const auto &l : lines) bad += l + "\n";
  write_file(dir + "/in.xyz", good + good + bad);
  write_file(dir + "/out.xyz", "old\n");
  std::string out, err;
  int rc = esnap_test::run_cli_split("eval " + dir + "/in.xyz -o " + dir + "/out.xyz", dir, &out, &err);
  INFO(err);
  CHECK(rc == 1);
  CHECK(err.find("in.xyz:18: unknown element 'O'") != std::string::npos);
  CHECK(read_file(dir + "/out.xyz") == "old\n");
  int n = 0;
  DIR *d = opendir(dir.c_str());
  while (struct dirent *e = readdir(d))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  CHECK(n == 3);  // in.xyz, out.xyz, stderr.txt: no temporary left
}

TEST_CASE("eval --batch writes what evaluating each frame alone writes byte for byte", "[cli][eval][batch]") {
  // --batch N: N frames as the replicas of one backend (the library's batch path); on the CPU the same bits as
  // each frame evaluated alone, whatever the batch size; frames of different sizes and cells, an extra key carried
  std::string dir = esnap_test::scratch("eval_batch");
  std::string text, alone;
  const char *names[] = {"unitcell", "snap222_300K", "snap333_1000K", "zbl222_close", "unitcell"};
  for (int k = 0; k < 5; k++) {
    auto l = split_lines(read_file(data(std::string(names[k]) + ".xyz")));
    if (k == 4) l[1] += " config_type=\"last frame\"";
    std::string frame;
    for (const auto &s : l) frame += s + "\n";
    text += frame;
    write_file(dir + "/one.xyz", frame);
    std::string out;
    int rc = esnap_test::run_cli("eval " + dir + "/one.xyz -o " + dir + "/one_out.xyz --device cpu", &out);
    INFO(out);
    REQUIRE(rc == 0);
    alone += read_file(dir + "/one_out.xyz");
  }
  write_file(dir + "/in.xyz", text);
  for (int n : {1, 2, 5, 64}) {
    std::string out, table;
    int rc = esnap_test::run_cli("eval " + dir + "/in.xyz -o " + dir + "/batch.xyz --device cpu --batch " + std::to_string(n), &out);
    INFO("--batch " << n << ": " << out);
    REQUIRE(rc == 0);
    CHECK(read_file(dir + "/batch.xyz") == alone);
    CHECK(out.find("5 frames of") != std::string::npos);
    CHECK(out.find("first batch (up to " + std::to_string(n) + " frames)") != std::string::npos);
    // the table: one row per frame, in order
    rc = esnap_test::run_cli("eval " + dir + "/in.xyz --device cpu --batch " + std::to_string(n), &table);
    REQUIRE(rc == 0);
    int rows = 0;
    for (const auto &l : split_lines(table))
      if (!l.empty() && l[0] != '#') CHECK(std::stoi(l) == rows++);
    CHECK(rows == 5);
  }
  // refused: per-atom outputs (not in a batch), a batch size out of range; nothing written
  std::string out, err;
  for (const char *bad : {"--batch 2 --energies", "--batch 2 --bispectrum", "--batch 0", "--batch 100001", "--batch x"}) {
    int rc = esnap_test::run_cli_split("eval " + dir + "/in.xyz -o " + dir + "/bad.xyz " + bad, dir, &out, &err);
    INFO(bad << ": " << err);
    CHECK(rc != 0);
    CHECK(err.find("--batch") != std::string::npos);
    CHECK(split_lines(err).size() == 1);
    CHECK(!esnap_test::exists(dir + "/bad.xyz"));
  }
}
