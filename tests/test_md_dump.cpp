// Trajectories: extended XYZ frames read back by the project's extxyz reader (Li only, time/step keys,
// Lattice, velocities), LAMMPS dump custom frames (sorted ids, triclinic bounds, same unwrapped positions),
// positions unwrapped across the cell wraps done at checkpoint steps, and the LAMMPS cell of a rotated cell.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_md_util.h"

extern "C" {
#include "box.h"
#include "checkpoint.h"
#include "dump.h"
#include "io_xyz.h"
}

namespace {

struct lmp_frame {
  long step = -1;
  int natoms = 0;
  std::string bounds_item;
  double bounds[3][3] = {{0}};
  std::string atoms_item;
  std::vector<std::vector<double>> rows;
};

std::vector<lmp_frame> read_lammps(const std::string &path) {
  std::vector<lmp_frame> out;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (line == "ITEM: TIMESTEP") {
      out.emplace_back();
      std::getline(f, line);
      out.back().step = std::atol(line.c_str());
    } else if (line == "ITEM: NUMBER OF ATOMS") {
      std::getline(f, line);
      out.back().natoms = std::atoi(line.c_str());
    } else if (line.rfind("ITEM: BOX BOUNDS", 0) == 0) {
      out.back().bounds_item = line;
      for (int k = 0; k < 3; k++) {
        std::getline(f, line);
        std::istringstream ls(line);
        ls >> out.back().bounds[k][0] >> out.back().bounds[k][1] >> out.back().bounds[k][2];
      }
    } else if (line.rfind("ITEM: ATOMS", 0) == 0) {
      out.back().atoms_item = line;
      for (int i = 0; i < out.back().natoms; i++) {
        std::getline(f, line);
        std::istringstream ls(line);
        std::vector<double> r;
        double v;
        while (ls >> v) r.push_back(v);
        out.back().rows.push_back(r);
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("dump extxyz and lammps frames", "[md][dump][cli]") {
  std::string d = md_test::deck("dump_frames", "structure li3n 2 2 2\nvelocity 1000 seed 9\nthermo 10\n"
                                               "dump 10 li.xyz species Li velocities yes\n"
                                               "dump 10 all.dump format lammps velocities yes\n"
                                               "dump 5 n.lammpstrj species N\n"
                                               "checkpoint 5 run.chk\nprogress 0\nrun 40\n");
  std::string out;
  REQUIRE(md_test::run("run " + d + " --quiet", &out) == 0);
  const std::string dir = "scratch/dump_frames/out/";
  md_checkpoint ck;
  REQUIRE(ckpt_read((dir + "run.chk").c_str(), &ck) == MD_OK);
  const md_system *fin = ck.rep[0].sys;
  int wrapped = 0;
  for (int i = 0; i < fin->n; i++) wrapped += fin->ix[i] != 0 || fin->iy[i] != 0 || fin->iz[i] != 0;
  CHECK(wrapped > 0);  // atoms crossed the cell boundary and were wrapped at a neighbour-list rebuild

  // extxyz, read back
  io_elements el;
  el.n = 2;
  std::strcpy(el.name[0], "Li");
  std::strcpy(el.name[1], "N");
  xyz_reader *r = nullptr;
  REQUIRE(xyz_open(&r, (dir + "li.xyz").c_str(), &el) == MD_OK);
  std::vector<std::vector<double>> xyz_pos;
  xyz_frame f;
  std::memset(&f, 0, sizeof f);
  int frames = 0, eof = 0;
  while (xyz_read_frame(r, &f, &eof) == MD_OK && !eof) {
    INFO("frame " << frames);
    REQUIRE(f.sys->n == 24);
    for (int i = 0; i < 24; i++) CHECK(f.sys->type[i] == 0);
    CHECK(f.sys->has_velocities);
    CHECK(std::string(xyz_frame_get(&f, "step")) == std::to_string(10 * frames));
    CHECK(std::strtod(xyz_frame_get(&f, "time"), nullptr) == Approx(0.01 * frames));
    CHECK(std::string(xyz_frame_get(&f, "time")).find('.') != std::string::npos);
    for (int k = 0; k < 9; k++) CHECK(f.sys->box.h[k] == Approx(fin->box.h[k]).margin(1e-9));
    std::vector<double> p;
    for (int i = 0; i < 24; i++) {
      p.push_back(f.sys->x[i]);
      p.push_back(f.sys->y[i]);
      p.push_back(f.sys->z[i]);
    }
    xyz_pos.push_back(p);
    frames++;
  }
  xyz_frame_free(&f);
  xyz_close(&r);
  CHECK(frames == 5);
  // unwrapped: no frame-to-frame jump by a cell vector
  for (size_t k = 1; k < xyz_pos.size(); k++)
    for (size_t j = 0; j < xyz_pos[k].size(); j++) CHECK(std::fabs(xyz_pos[k][j] - xyz_pos[k - 1][j]) < 1.0);

  // LAMMPS dump: all atoms, ids sorted, bounds of the triclinic cell, same Li positions as the extxyz
  auto lf = read_lammps(dir + "all.dump");
  REQUIRE(lf.size() == 5);
  for (size_t k = 0; k < lf.size(); k++) {
    const lmp_frame &fr = lf[k];
    CHECK(fr.step == (long)(10 * k));
    CHECK(fr.natoms == 32);
    CHECK(fr.bounds_item == "ITEM: BOX BOUNDS xy xz yz pp pp pp");
    CHECK(fr.atoms_item == "ITEM: ATOMS id type xu yu zu vx vy vz");
    CHECK(fr.bounds[0][0] == Approx(fin->box.h[3]));         // xlo_bound = xy < 0
    CHECK(fr.bounds[0][1] == Approx(fin->box.h[0]));         // xhi_bound = lx
    CHECK(fr.bounds[0][2] == Approx(fin->box.h[3]));         // xy
    CHECK(fr.bounds[1][1] == Approx(fin->box.h[4]));         // ly
    CHECK(fr.bounds[2][1] == Approx(fin->box.h[8]));         // lz
    int li = 0;
    for (int i = 0; i < 32; i++) {
      REQUIRE(fr.rows[i].size() == 8);
      CHECK(fr.rows[i][0] == i + 1);
      if (fr.rows[i][1] != 1) continue;
      for (int c = 0; c < 3; c++) CHECK(fr.rows[i][2 + c] == Approx(xyz_pos[k][3 * li + c]).margin(2e-8));
      li++;
    }
    CHECK(li == 24);
  }
  auto nf = read_lammps(dir + "n.lammpstrj");
  CHECK(nf.size() == 9);
  CHECK(nf.back().natoms == 8);
  CHECK(nf.back().atoms_item == "ITEM: ATOMS id type xu yu zu");
  ckpt_free(&ck);
}

TEST_CASE("dump lammps cell of a rotated cell", "[md][dump]") {
  // a triclinic cell rotated away from LAMMPS's frame (a not along x)
  md_box b;
  std::memset(&b, 0, sizeof b);
  double a[3] = {3.0, 2.0, 1.0}, bb[3] = {-1.0, 4.0, 0.5}, c[3] = {0.3, -0.2, 5.0};
  for (int k = 0; k < 3; k++) {
    b.h[k] = a[k];
    b.h[3 + k] = bb[k];
    b.h[6 + k] = c[k];
  }
  REQUIRE(box_update(&b, "test") == MD_OK);
  double lx, ly, lz, xy, xz, yz, m[9];
  int rot;
  REQUIRE(dump_lammps_cell(&b, &lx, &ly, &lz, &xy, &xz, &yz, m, &rot) == MD_OK);
  CHECK(rot == 1);
  auto dot = [](const double *u, const double *v) { return u[0] * v[0] + u[1] * v[1] + u[2] * v[2]; };
  CHECK(lx == Approx(std::sqrt(dot(a, a))));
  CHECK(xy * xy + ly * ly == Approx(dot(bb, bb)));
  CHECK(xz * xz + yz * yz + lz * lz == Approx(dot(c, c)));
  CHECK(lx * xz == Approx(dot(a, c)));
  CHECK(xy * xz + ly * yz == Approx(dot(bb, c)));
  CHECK(lx * ly * lz == Approx(b.volume));
  // M is a rotation: it maps a onto (lx, 0, 0) and keeps lengths
  double ra[3];
  for (int k = 0; k < 3; k++) ra[k] = a[0] * m[k] + a[1] * m[3 + k] + a[2] * m[6 + k];
  CHECK(ra[0] == Approx(lx));
  CHECK(ra[1] == Approx(0.0).margin(1e-12));
  CHECK(ra[2] == Approx(0.0).margin(1e-12));
  for (int r = 0; r < 3; r++)
    for (int q = 0; q < 3; q++) {
      double s = 0;
      for (int k = 0; k < 3; k++) s += m[3 * r + k] * m[3 * q + k];
      CHECK(s == Approx(r == q ? 1.0 : 0.0).margin(1e-12));
    }
  // a left-handed cell cannot be written
  std::swap(b.h[0], b.h[3]);
  std::swap(b.h[1], b.h[4]);
  std::swap(b.h[2], b.h[5]);
  REQUIRE(box_update(&b, "test") == MD_OK);
  CHECK(dump_lammps_cell(&b, &lx, &ly, &lz, &xy, &xz, &yz, m, &rot) != MD_OK);
}

// Issue 3, "Thermo": the screen and the thermo file name their columns and units; progress lines report % done,
// ns/day, atom-steps/s and the ETA. `progress 1e-9` prints one at every check (every thermo interval here).
TEST_CASE("thermo header names columns and units and progress lines report rate and ETA", "[md][cli]") {
  std::string d = md_test::deck("thermo_progress", "structure li3n 2 2 2\nvelocity 800 seed 5\nensemble nvt 800 0.1\n"
                                                   "thermo 10\nprogress 1e-9\nrun 40\n");
  std::string out;
  REQUIRE(md_test::run("run " + d, &out) == 0);
  INFO(out);
  const std::string file = md_test::read_file("scratch/thermo_progress/out/thermo.dat");
  for (const std::string *text : std::vector<const std::string *>{&out, &file}) {
    CHECK(text->find("# units: time ps, temp K") != std::string::npos);
    CHECK(text->find("energies eV, press bar") != std::string::npos);
    for (const char *col : {"step", "time", "temp", "pe", "ke", "etotal", "econserve", "press"})
      CHECK(text->find(col) != std::string::npos);
  }
  CHECK(md_test::table("scratch/thermo_progress/out/thermo.dat").size() == 5);  // steps 0, 10, ..., 40
  // progress lines: "# progress: step S/N (P%), R ns/day, A atom-steps/s, elapsed E, ETA T"
  std::istringstream ls(out);
  std::string line;
  int nprog = 0;
  while (std::getline(ls, line)) {
    if (line.rfind("# progress: step ", 0) != 0) continue;
    nprog++;
    long s = 0, n = 0;
    double pct = -1, nsday = -1, rate = -1;
    REQUIRE(std::sscanf(line.c_str(), "# progress: step %ld/%ld (%lf%%), %lf ns/day, %lf atom-steps/s", &s, &n, &pct, &nsday, &rate) == 5);
    CHECK(n == 40);
    CHECK(pct == Approx(100.0 * s / 40.0).margin(0.05));
    CHECK(nsday > 0.0);
    CHECK(rate > 0.0);
    CHECK(rate == Approx(nsday * 1000.0 / 86400.0 / 0.001 * 32).epsilon(0.01));  // atom-steps/s = steps/s x 32 atoms
    CHECK(line.find(", ETA ") != std::string::npos);
  }
  CHECK(nprog >= 1);
  CHECK(out.find("# done: 40 steps") != std::string::npos);
}
