// Integrators against LAMMPS (tests/data, produced by tests/data/lammps-inputs/in.traj): 100 steps of NVE and
// of NVT (fix nvt temp 1000 1000 0.1, chain 3, tloop 1) from snap333_1000K.data with its velocities, dt 1 fs,
// converged Ewald, neighbour skin 1 Å. Every thermo line (every 10 steps) must match within 1e-6 eV
// (energies) and 1e-4 K, the unwrapped positions at step 100 within 1e-5 Å. The measured deviations are
// printed (run the test binary with the test name to see them).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "test_md_util.h"

extern "C" {
#include "box.h"
}

namespace {

void compare_with_lammps(const std::string &name, const std::string &ensemble, const std::string &ref_thermo,
                         const std::string &ref_dump) {
  std::string d = md_test::deck(name, "structure read " + esnap_test::data("snap333_1000K.data") +
                                          "\ncoulomb ewald 1e-12\nneighbor 1.0\ntimestep 0.001\nensemble " + ensemble +
                                          "\nthermo 10\ndump 100 final.dump format lammps velocities yes\n"
                                          "progress 0\nrun 100\n");
  std::string out;
  REQUIRE(md_test::run("run " + d + " --quiet", &out) == 0);
  const std::string dir = "scratch/" + name + "/out/";

  // thermo: ours = step time temp pe ke etotal econserve press; LAMMPS = Step Temp PotEng KinEng TotEng Press
  auto mine = md_test::table(dir + "thermo.dat");
  auto ref = md_test::table(esnap_test::data(ref_thermo));
  REQUIRE(ref.size() == 11);
  REQUIRE(mine.size() == ref.size());
  double dt_max = 0, de_max = 0, dp_max = 0, dp_rel = 0;
  for (size_t k = 0; k < ref.size(); k++) {
    INFO("step " << ref[k][0]);
    REQUIRE(mine[k][0] == ref[k][0]);
    dt_max = std::fmax(dt_max, std::fabs(mine[k][2] - ref[k][1]));
    for (int c = 0; c < 3; c++) de_max = std::fmax(de_max, std::fabs(mine[k][3 + c] - ref[k][2 + c]));
    dp_max = std::fmax(dp_max, std::fabs(mine[k][7] - ref[k][5]));
    dp_rel = std::fmax(dp_rel, std::fabs(mine[k][7] - ref[k][5]) / std::fabs(ref[k][5]));
    CHECK(std::fabs(mine[k][2] - ref[k][1]) < 1e-4);
    CHECK(std::fabs(mine[k][3] - ref[k][2]) < 1e-6);
    CHECK(std::fabs(mine[k][4] - ref[k][3]) < 1e-6);
    CHECK(std::fabs(mine[k][5] - ref[k][4]) < 1e-6);
    CHECK(std::fabs(mine[k][7] - ref[k][5]) < 0.05);  // bar, of ~2e4: the Ewald virial at 1e-12
  }

  // positions (unwrapped, compared modulo cell vectors) and velocities at step 100, by atom id
  auto a = md_test::lammps_dump_last(dir + "final.dump");
  auto b = md_test::lammps_dump_last(esnap_test::data(ref_dump));
  REQUIRE(a.size() == 108);
  REQUIRE(b.size() == 108);
  std::map<int, std::vector<double>> byid;
  for (auto &r : b) byid[(int)r[0]] = r;
  md_box box;
  REQUIRE(box_set_lammps(&box, 10.952069999999999, 9.48477, 11.665904999999999, -5.4760349999999995, 0, 0, "ref") == MD_OK);
  double dx_max = 0, dv_max = 0, dunwrapped = 0;
  for (auto &r : a) {
    auto &q = byid.at((int)r[0]);
    REQUIRE(r[1] == q[1]);
    double d[3] = {r[2] - q[2], r[3] - q[3], r[4] - q[4]}, s[3];
    dunwrapped = std::fmax(dunwrapped, std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]));
    for (int k = 0; k < 3; k++) s[k] = d[0] * box.hinv[k] + d[1] * box.hinv[3 + k] + d[2] * box.hinv[6 + k];
    for (int k = 0; k < 3; k++) s[k] -= std::round(s[k]);
    for (int k = 0; k < 3; k++) d[k] = s[0] * box.h[k] + s[1] * box.h[3 + k] + s[2] * box.h[6 + k];
    double dx = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    dx_max = std::fmax(dx_max, dx);
    for (int k = 0; k < 3; k++) dv_max = std::fmax(dv_max, std::fabs(r[5 + k] - q[5 + k]));
  }
  std::printf("%s vs LAMMPS: max |dT| %.3g K, max |dE| %.3g eV, max |dP| %.3g bar (%.2g relative), max |dx| %.3g A "
              "(unwrapped %.3g A), max |dv| %.3g A/ps\n",
              ensemble.c_str(), dt_max, de_max, dp_max, dp_rel, dx_max, dunwrapped, dv_max);
  CHECK(dx_max < 1e-5);
  CHECK(dunwrapped < 1e-5);  // image counts of the data file carried through: same unwrapped coordinates
  CHECK(dv_max < 1e-3);
}

}  // namespace

TEST_CASE("md nve matches lammps", "[md][reference][cli]") {
  compare_with_lammps("md_ref_nve", "nve", "nve100_thermo.txt", "nve100.dump");
}

TEST_CASE("md nvt matches lammps", "[md][reference][cli]") {
  compare_with_lammps("md_ref_nvt", "nvt 1000 0.1", "nvt100_thermo.txt", "nvt100.dump");
}
