// `esnapmd eval` against the LAMMPS reference frames (tests/data/*.xyz, converged Ewald): one multi-frame
// input made of all four references gives four output frames, each matching its reference — energy and
// components within 1e-6 eV/atom, forces 1e-5 eV/Å, virial 1e-4 eV, bispectrum 1e-8 relative — and the
// LAMMPS data file of the 3×3×3 snapshot gives the same energy and forces as its XYZ.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "test_io_util.h"

extern "C" {
#include "io_lammps_data.h"
#include "io_xyz.h"
#include "system.h"
}

using esnap_test::data;
using esnap_test::read_file;

static std::vector<xyz_frame> frames_of(const std::string &path) {
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

static double get1(const xyz_frame &f, const char *key) {
  real_t v = NAN;
  if (xyz_frame_get_reals(&f, key, &v, 1) != MD_OK) throw std::runtime_error(md_errmsg());
  return v;
}

TEST_CASE("eval matches the LAMMPS reference frames", "[cli][eval]") {
  std::string dir = esnap_test::scratch("eval_values");
  const char *refs[] = {"unitcell.xyz", "snap222_300K.xyz", "snap333_1000K.xyz", "zbl222_close.xyz"};
  std::string text;
  for (const char *r : refs) text += read_file(data(r));
  esnap_test::write_file(dir + "/all.xyz", text);
  std::string out;
  int rc = esnap_test::run_cli("eval " + dir + "/all.xyz -o " + dir + "/out.xyz --coulomb ewald --accuracy 1e-10 --bispectrum", &out);
  INFO(out);
  REQUIRE(rc == 0);
  auto ref = frames_of(dir + "/all.xyz"), got = frames_of(dir + "/out.xyz");
  REQUIRE(got.size() == 4);
  for (size_t k = 0; k < 4; k++) {
    const xyz_frame &a = got[k], &b = ref[k];
    int n = b.sys->n;
    REQUIRE(a.sys->n == n);
    double de = 0, df = 0, dv = 0, db = 0;
    for (const char *key : {"energy", "energy_snap", "energy_coulomb", "energy_zbl"})
      de = std::max(de, std::fabs(get1(a, key) - get1(b, key)) / n);
    real_t va[9], vb[9];
    REQUIRE(xyz_frame_get_reals(&a, "virial", va, 9) == MD_OK);
    REQUIRE(xyz_frame_get_reals(&b, "virial", vb, 9) == MD_OK);
    for (int j = 0; j < 9; j++) dv = std::max(dv, std::fabs(va[j] - vb[j]));
    int nca = 0, ncb = 0;
    const real_t *fa = xyz_frame_prop(&a, "forces", &nca), *fb = xyz_frame_prop(&b, "forces", &ncb);
    REQUIRE(fa);
    REQUIRE(fb);
    for (int j = 0; j < 3 * n; j++) df = std::max(df, std::fabs(fa[j] - fb[j]));
    const real_t *ba = xyz_frame_prop(&a, "bispectrum", &nca), *bb = xyz_frame_prop(&b, "bispectrum", &ncb);
    REQUIRE(ba);
    REQUIRE(bb);
    REQUIRE(nca == ncb);
    for (int j = 0; j < nca * n; j++) db = std::max(db, std::fabs(ba[j] - bb[j]) / std::max(1.0, std::fabs(bb[j])));
    INFO(refs[k] << ": energy " << de << " eV/atom, forces " << df << " eV/A, virial " << dv << " eV, bispectrum " << db);
    std::printf("%-18s max |dE| %.2e eV/atom  |dF| %.2e eV/A  |dW| %.2e eV  |dB|/B %.2e\n", refs[k], de, df, dv, db);
    CHECK(de <= 1e-6);
    CHECK(df <= 1e-5);
    CHECK(dv <= 1e-4);
    CHECK(db <= 1e-8);
  }
  for (auto &f : ref) xyz_frame_free(&f);
  for (auto &f : got) xyz_frame_free(&f);
}

TEST_CASE("eval of a LAMMPS data file equals its xyz", "[cli][eval]") {
  std::string dir = esnap_test::scratch("eval_data_values");
  std::string out;
  const std::string opts = " --coulomb ewald --accuracy 1e-10";
  REQUIRE(esnap_test::run_cli("eval " + data("snap333_1000K.data") + " -o " + dir + "/d.xyz" + opts, &out) == 0);
  REQUIRE(esnap_test::run_cli("eval " + data("snap333_1000K.xyz") + " -o " + dir + "/x.xyz" + opts, &out) == 0);
  auto d = frames_of(dir + "/d.xyz"), x = frames_of(dir + "/x.xyz");
  REQUIRE(d.size() == 1);
  REQUIRE(x.size() == 1);
  // the data file lists atoms in its own order with ids; the xyz is sorted by id
  md_model m = esnap_test::load_model();
  md_system *s = nullptr;
  REQUIRE(lammps_data_read(&s, data("snap333_1000K.data").c_str(), &m, nullptr, nullptr) == MD_OK);
  REQUIRE(d[0].sys->n == 108);
  REQUIRE(x[0].sys->n == 108);
  double de = std::fabs(get1(d[0], "energy") - get1(x[0], "energy")) / 108, df = 0;
  int nc = 0;
  const real_t *fd = xyz_frame_prop(&d[0], "forces", &nc), *fx = xyz_frame_prop(&x[0], "forces", &nc);
  REQUIRE(fd);
  REQUIRE(fx);
  for (int i = 0; i < 108; i++)
    for (int c = 0; c < 3; c++) df = std::max(df, std::fabs(fd[3 * i + c] - fx[3 * (s->id[i] - 1) + c]));
  INFO("energy difference " << de << " eV/atom, forces " << df << " eV/A");
  std::printf("data vs xyz: |dE| %.2e eV/atom, |dF| %.2e eV/A\n", de, df);
  CHECK(de <= 1e-9);
  CHECK(df <= 1e-8);
  system_destroy(&s);
  for (auto &f : d) xyz_frame_free(&f);
  for (auto &f : x) xyz_frame_free(&f);
}
