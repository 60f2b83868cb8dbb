// LAMMPS data reader: the reference snapshot (triclinic, charges, image flags, velocities, ids not sorted)
// against the same structure in extended XYZ; atom styles, tilts and origins, skipped sections, the type →
// element rules, and the general-triclinic header.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "test_io_util.h"

extern "C" {
#include "io_lammps_data.h"
#include "io_xyz.h"
#include "system.h"
}

using esnap_test::data;
using esnap_test::write_file;

TEST_CASE("lammps data snap333 matches its xyz", "[io]") {
  md_model m = esnap_test::load_model();
  md_system *s = nullptr;
  lmp_data_info info;
  REQUIRE(lammps_data_read(&s, data("snap333_1000K.data").c_str(), &m, nullptr, &info) == MD_OK);
  REQUIRE(s->n == 108);
  CHECK(info.atom_style == 1);
  CHECK(info.ntypes == 2);
  CHECK(info.type_source[0] == LMP_MAP_MASS);
  CHECK(info.type_elem[0] == 0);
  CHECK(info.type_elem[1] == 1);
  CHECK(info.max_charge_diff < 1e-12);
  // file order is kept with its ids: line 5 of Atoms is atom 37
  CHECK(s->id[0] == 1);
  CHECK(s->id[4] == 37);
  CHECK(s->ix[0] == -1);
  CHECK(s->iz[1] == -1);
  REQUIRE(s->has_velocities);
  CHECK(s->vx[0] == Approx(2.196012898986147).epsilon(1e-15));
  CHECK(s->vz[4] == Approx(0.2510750604087245).epsilon(1e-15));
  CHECK(s->box.h[3] == Approx(-5.4760349999999995));
  CHECK(s->box.h[4] == Approx(9.48477));
  CHECK(s->box.h[8] == Approx(11.665904999999999));
  // the xyz reference lists the same atoms sorted by id
  io_elements el;
  model_elements(&m, &el);
  xyz_frame f = {};
  REQUIRE(xyz_read_first(data("snap333_1000K.xyz").c_str(), &el, &f) == MD_OK);
  double worst = 0;
  for (int i = 0; i < s->n; i++) {
    int k = s->id[i] - 1;
    REQUIRE(k >= 0);
    REQUIRE(k < f.sys->n);
    CHECK(s->type[i] == f.sys->type[k]);
    worst = std::fmax(worst, std::fabs(s->x[i] - f.sys->x[k]));
    worst = std::fmax(worst, std::fabs(s->y[i] - f.sys->y[k]));
    worst = std::fmax(worst, std::fabs(s->z[i] - f.sys->z[k]));
  }
  CHECK(worst < 1e-12);
  for (int k = 0; k < 9; k++) CHECK(std::fabs(s->box.h[k] - f.sys->box.h[k]) < 1e-9);
  xyz_frame_free(&f);
  system_destroy(&s);
}

TEST_CASE("lammps data atomic style with origin and tilt", "[io]") {
  md_model m = esnap_test::load_model();
  std::string dir = esnap_test::scratch("lmp_atomic");
  // no style comment: 5 columns = atomic; origin (1,2,3); tilts in all three; comments and blank lines;
  // Pair Coeffs skipped; masses named by comments in the opposite order of the model (type 1 = N)
  write_file(dir + "/a.data",
             "title line: 3 atoms in a tilted box\n\n"
             "3 atoms   # count\n2 atom types\n\n"
             "1.0 6.0 xlo xhi\n2.0 7.5 ylo yhi\n3.0 9.0 zlo zhi\n0.5 -0.25 0.75 xy xz yz\n\n"
             "Masses\n\n1 14.0067 # N\n2 6.941 # Li\n\n"
             "Pair Coeffs # lj/cut\n\n1 0.1 1.0\n2 0.2 2.0\n\n"
             "Atoms\n\n"
             "10 2 1.5 2.5 3.5\n"
             "3 1 4.0 4.0 4.0   # a comment\n"
             "7 2 2.0 3.0 4.0 1 -2 3\n");
  md_system *s = nullptr;
  lmp_data_info info;
  REQUIRE(lammps_data_read(&s, (dir + "/a.data").c_str(), &m, nullptr, &info) == MD_OK);
  REQUIRE(s->n == 3);
  CHECK(info.atom_style == 0);
  CHECK(info.type_source[0] == LMP_MAP_COMMENT);
  CHECK(s->type[0] == 0);  // type 2 = Li = model element 0
  CHECK(s->type[1] == 1);  // type 1 = N
  CHECK(s->id[0] == 10);
  CHECK(s->id[2] == 7);
  CHECK(s->x[0] == Approx(0.5));
  CHECK(s->y[0] == Approx(0.5));
  CHECK(s->z[0] == Approx(0.5));
  CHECK(s->ix[2] == 1);
  CHECK(s->iy[2] == -2);
  CHECK(s->iz[2] == 3);
  CHECK(!s->has_velocities);
  const double want[9] = {5.0, 0, 0, 0.5, 5.5, 0, -0.25, 0.75, 6.0};
  for (int k = 0; k < 9; k++) CHECK(s->box.h[k] == Approx(want[k]).margin(1e-15));
  system_destroy(&s);

  // an explicit type list wins over the comments
  lmp_read_options o;
  lmp_read_options_default(&o);
  REQUIRE(lmp_parse_type_list(&o, "Li,N") == MD_OK);
  REQUIRE(lammps_data_read(&s, (dir + "/a.data").c_str(), &m, &o, &info) == MD_OK);
  CHECK(info.type_source[0] == LMP_MAP_OPTION);
  CHECK(s->type[0] == 1);
  CHECK(s->type[1] == 0);
  system_destroy(&s);
  REQUIRE(lmp_parse_type_list(&o, "Li,O") == MD_OK);
  CHECK(lammps_data_read(&s, (dir + "/a.data").c_str(), &m, &o, &info) == MD_ERR_VALUE);
  CHECK(std::string(md_errmsg()).find("'O'") != std::string::npos);
}

TEST_CASE("lammps data type rules labels and order", "[io]") {
  md_model m = esnap_test::load_model();
  std::string dir = esnap_test::scratch("lmp_types");
  const std::string box = "0 5 xlo xhi\n0 5 ylo yhi\n0 5 zlo zhi\n\n";
  // Atom Type Labels name the elements
  write_file(dir + "/labels.data", "t\n\n2 atoms\n2 atom types\n" + box +
                                       "Atom Type Labels\n\n1 N\n2 Li\n\nAtoms # charge\n\n1 1 -0.717 0 0 0\n2 2 0.239 1 1 1\n");
  md_system *s = nullptr;
  lmp_data_info info;
  REQUIRE(lammps_data_read(&s, (dir + "/labels.data").c_str(), &m, nullptr, &info) == MD_OK);
  CHECK(info.type_source[0] == LMP_MAP_LABEL);
  CHECK(s->type[0] == 1);
  CHECK(s->type[1] == 0);
  system_destroy(&s);
  // no Masses: types follow the model order; velocities in any order
  write_file(dir + "/order.data", "t\n\n2 atoms\n2 atom types\n" + box +
                                      "Atoms # atomic\n\n5 1 0 0 0\n9 2 1 1 1\n\nVelocities\n\n9 1 2 3\n5 -1 -2 -3\n");
  REQUIRE(lammps_data_read(&s, (dir + "/order.data").c_str(), &m, nullptr, &info) == MD_OK);
  CHECK(info.type_source[0] == LMP_MAP_ORDER);
  CHECK(s->type[0] == 0);
  CHECK(s->type[1] == 1);
  CHECK(s->vx[0] == -1.0);
  CHECK(s->vz[1] == 3.0);
  system_destroy(&s);
  // a mass that matches no model element is an error with a hint, naming the Masses line
  write_file(dir + "/mass.data", "t\n\n1 atoms\n1 atom types\n" + box + "Masses\n\n1 15.999\n\nAtoms\n\n1 1 0 0 0\n");
  CHECK(lammps_data_read(&s, (dir + "/mass.data").c_str(), &m, nullptr, &info) == MD_ERR_VALUE);
  CHECK(std::string(md_errmsg()).find("mass.data:11:") != std::string::npos);
  // a comment naming an element the model lacks
  write_file(dir + "/elem.data", "t\n\n1 atoms\n1 atom types\n" + box + "Masses\n\n1 15.999 # O\n\nAtoms\n\n1 1 0 0 0\n");
  CHECK(lammps_data_read(&s, (dir + "/elem.data").c_str(), &m, nullptr, &info) == MD_ERR_VALUE);
  CHECK(std::string(md_errmsg()).find("'O'") != std::string::npos);
  // unused extra types need no element
  write_file(dir + "/extra.data", "t\n\n1 atoms\n5 atom types\n" + box + "Atoms\n\n1 2 0 0 0\n");
  REQUIRE(lammps_data_read(&s, (dir + "/extra.data").c_str(), &m, nullptr, &info) == MD_OK);
  CHECK(s->type[0] == 1);
  CHECK(info.type_elem[4] == -1);
  system_destroy(&s);
}

TEST_CASE("lammps data general triclinic and charges warning", "[io]") {
  md_model m = esnap_test::load_model();
  std::string dir = esnap_test::scratch("lmp_general");
  write_file(dir + "/g.data", "general triclinic\n\n2 atoms\n2 atom types\n"
                              "3 0 0 avec\n1 3 0 bvec\n0 1 3 cvec\n-1 -1 -1 abc origin\n\n"
                              "Masses\n\n1 6.941\n2 14.0067\n\n"
                              "Atoms # charge\n\n1 1 0.5 0 0 0\n2 2 -0.717 1 1 1\n");
  md_system *s = nullptr;
  lmp_data_info info;
  REQUIRE(lammps_data_read(&s, (dir + "/g.data").c_str(), &m, nullptr, &info) == MD_OK);
  CHECK(s->box.h[3] == 1.0);
  CHECK(s->box.h[7] == 1.0);
  CHECK(s->x[0] == 1.0);
  CHECK(s->z[1] == 2.0);
  CHECK(info.max_charge_diff == Approx(0.5 - 0.239));
  system_destroy(&s);
}

TEST_CASE("lammps data rejects what it cannot represent", "[io]") {
  md_model m = esnap_test::load_model();
  std::string dir = esnap_test::scratch("lmp_reject");
  const std::string head = "t\n\n2 atoms\n2 atom types\n0 5 xlo xhi\n0 5 ylo yhi\n0 5 zlo zhi\n\n";
  struct Case {
    const char *name, *text, *expect;
  } cases[] = {
      {"bonds", "t\n\n2 atoms\n1 bonds\n2 atom types\n", "bonds.data:4:"},
      {"style", "Atoms # full\n\n1 1 1 0 0 0 0\n2 1 2 0 1 1 1\n", "style.data:9:"},
      {"dup", "Atoms\n\n4 1 0 0 0\n4 2 1 1 1\n", "dup.data:12:"},
      {"vel_id", "Atoms\n\n1 1 0 0 0\n2 2 1 1 1\n\nVelocities\n\n1 0 0 0\n3 0 0 0\n", "vel_id.data:17:"},
      {"vel_first", "Velocities\n\n1 0 0 0\n2 0 0 0\n", "vel_first.data:9:"},
      {"section", "Atoms\n\n1 1 0 0 0\n2 2 1 1 1\n\nFoo Bar\n\n", "section.data:14:"},
      {"more_atoms", "Atoms\n\n1 1 0 0 0\n2 2 1 1 1\n3 2 2 2 2\n", "more_atoms.data:13:"},
      {"columns", "Atoms\n\n1 1 0 0 0 0 0\n2 2 1 1 1\n", "columns.data:11:"},
      {"typerange", "Atoms\n\n1 3 0 0 0\n2 2 1 1 1\n", "typerange.data:11:"},
      {"badnum", "Atoms\n\n1 1 0 0 0\n2 2 1 1x 1\n", "badnum.data:12: y coordinate '1x' is not a number"},
      {"inf", "Atoms\n\n1 1 0 0 0\n2 2 1 1 -inf\n", "inf.data:12: z coordinate '-inf' is not finite"},
      {"badid", "Atoms\n\n0 1 0 0 0\n2 2 1 1 1\n", "badid.data:11: atom id 0 is out of range"},
      {"image", "Atoms\n\n1 1 0 0 0 0 0 0.5\n2 2 1 1 1\n", "image.data:11: image flag iz '0.5' is not an integer"},
      {"vel_dup", "Atoms\n\n1 1 0 0 0\n2 2 1 1 1\n\nVelocities\n\n1 0 0 0\n1 0 0 0\n", "vel_dup.data:17: velocity of atom id 1 given twice"},
      {"vel_few", "Atoms\n\n1 1 0 0 0\n2 2 1 1 1\n\nVelocities\n\n1 0 0 0\n", "vel_few.data:16: file ends after 1 of 2 lines of section Velocities"},
      {"noatoms", "Masses\n\n1 6.941\n2 14.0067\n", "noatoms.data: no Atoms section"},
      {"header", "t\n\n2 atoms\n2 atom types\n0 5 xlo xhi\n7 foo bar\n", "header.data:6:"},
      {"nobox", "t\n\n2 atoms\n2 atom types\n\nAtoms\n\n1 1 0 0 0\n2 2 1 1 1\n", "no 'xlo xhi'"},
  };
  for (const Case &c : cases) {
    std::string path = dir + "/" + c.name + ".data";
    std::string text = c.text;
    if (text.rfind("t\n", 0) != 0) text = head + text;
    write_file(path, text);
    md_system *s = nullptr;
    md_clear_error();
    md_status st = lammps_data_read(&s, path.c_str(), &m, nullptr, nullptr);
    INFO(c.name << ": " << md_errmsg());
    CHECK(st != MD_OK);
    CHECK(s == nullptr);
    CHECK(std::string(md_errmsg()).find(c.expect) != std::string::npos);
    CHECK(std::strchr(md_errmsg(), '\n') == nullptr);
  }
}
