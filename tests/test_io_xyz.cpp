// Extended XYZ: multi-frame reading with Properties (unknown columns skipped, extra numeric columns kept),
// comment-line syntax (quotes, escapes, spaces around '='), lossless write → read, atomic whole-file output,
// and interoperability with ASE both ways (ase.io.read of our files; our reader on ase.io.write output).
#include <catch2/catch.hpp>

#include <dirent.h>

#include <cmath>
#include <cstring>
#include <random>

#include "test_io_util.h"

extern "C" {
#include "io_xyz.h"
#include "lattice.h"
#include "system.h"
}

using esnap_test::read_file;
using esnap_test::write_file;

static std::string num(double v) {
  char b[40];
  io_format_real(b, sizeof b, v);
  return b;
}

TEST_CASE("xyz multi-frame with Properties and unknown columns", "[io]") {
  std::string dir = esnap_test::scratch("xyz_multi");
  std::string path = dir + "/m.xyz";
  write_file(path,
             "2\n"
             "Lattice=\"4 0 0 0 4 0 0 0 4\" Properties=species:S:1:pos:R:3:tags:I:1:name:S:1:vel:R:3:flag:L:1:extra:R:2 "
             "energy = -1.5 comment=\"a \\\"quoted\\\" word\" flagkey step=12 pbc=\"T T T\"\n"
             "li 0.1 0.2 0.3 7 first 1 2 3 T 0.5 0.25\n"
             "N  1.0 2.0 3.0 8 second -1 -2 -3 F 1.5 1.25\n"
             "\n"
             "3\n"
             "Lattice=\"5 0 0 1 5 0 0 0 6\"\n"
             "N 0 0 0\n"
             "Li 1 1 1\n"
             "Li 2 2 2\n");
  md_model m = esnap_test::load_model();
  io_elements el;
  model_elements(&m, &el);
  xyz_reader *r = nullptr;
  REQUIRE(xyz_open(&r, path.c_str(), &el) == MD_OK);
  xyz_frame f = {};
  int eof = 0;
  REQUIRE(xyz_read_frame(r, &f, &eof) == MD_OK);
  REQUIRE(!eof);
  REQUIRE(f.sys->n == 2);
  CHECK(f.line == 1);
  CHECK(f.sys->type[0] == 0);  // "li" matches Li ignoring case
  CHECK(f.sys->type[1] == 1);
  CHECK(f.sys->x[1] == 1.0);
  CHECK(f.sys->has_velocities);
  CHECK(f.sys->vy[1] == -2.0);
  CHECK(f.sys->step == 12);
  REQUIRE(xyz_frame_get(&f, "energy") != nullptr);
  CHECK(std::string(xyz_frame_get(&f, "energy")) == "-1.5");
  CHECK(std::string(xyz_frame_get(&f, "comment")) == "a \"quoted\" word");
  CHECK(std::string(xyz_frame_get(&f, "flagkey")) == "");
  int nc = 0;
  const real_t *extra = xyz_frame_prop(&f, "extra", &nc);
  REQUIRE(extra != nullptr);
  CHECK(nc == 2);
  CHECK(extra[3] == 1.25);
  const real_t *tags = xyz_frame_prop(&f, "tags", &nc);
  REQUIRE(tags != nullptr);
  CHECK(tags[1] == 8.0);
  CHECK(xyz_frame_prop(&f, "name", &nc) == nullptr);  // string column skipped
  CHECK(xyz_frame_prop(&f, "flag", &nc) == nullptr);  // logical column skipped
  real_t e = 0;
  CHECK(xyz_frame_get_reals(&f, "energy", &e, 1) == MD_OK);
  CHECK(e == -1.5);
  CHECK(xyz_frame_get_reals(&f, "virial", &e, 1) == MD_ERR_PARSE);
  CHECK(std::string(md_errmsg()).find("m.xyz:2:") != std::string::npos);

  REQUIRE(xyz_read_frame(r, &f, &eof) == MD_OK);
  REQUIRE(!eof);
  CHECK(f.line == 6);
  REQUIRE(f.sys->n == 3);
  CHECK(f.sys->box.h[3] == 1.0);
  CHECK(f.sys->type[0] == 1);
  CHECK(!f.sys->has_velocities);
  REQUIRE(xyz_read_frame(r, &f, &eof) == MD_OK);
  CHECK(eof);
  xyz_frame_free(&f);
  xyz_close(&r);
}

TEST_CASE("xyz malformed frames name file and line", "[io]") {
  std::string dir = esnap_test::scratch("xyz_bad");
  md_model m = esnap_test::load_model();
  io_elements el;
  model_elements(&m, &el);
  const std::string lat = "Lattice=\"4 0 0 0 4 0 0 0 4\"";
  struct Case {
    const char *name;
    std::string text;
    const char *expect;
  } cases[] = {
      {"short_lattice", "1\nLattice=\"4 0 0 0 4 0 0 0\"\nLi 0 0 0\n", "short_lattice.xyz:2:"},
      {"long_lattice", "1\nLattice=\"4 0 0 0 4 0 0 0 4 1\"\nLi 0 0 0\n", "long_lattice.xyz:2:"},
      {"nan_lattice", "1\nLattice=\"nan 0 0 0 4 0 0 0 4\"\nLi 0 0 0\n", "nan_lattice.xyz:2:"},
      {"no_lattice", "1\nenergy=1\nLi 0 0 0\n", "no_lattice.xyz:2:"},
      {"pbc", "1\n" + lat + " pbc=\"T T F\"\nLi 0 0 0\n", "pbc.xyz:2:"},
      {"props", "1\n" + lat + " Properties=species:S:1:pos:R\nLi 0 0 0\n", "props.xyz:2:"},
      {"props_type", "1\n" + lat + " Properties=species:S:1:pos:X:3\nLi 0 0 0\n", "props_type.xyz:2:"},
      {"props_dup", "1\n" + lat + " Properties=species:S:1:pos:R:3:pos:R:3\nLi 0 0 0 0 0 0\n", "props_dup.xyz:2:"},
      {"no_pos", "1\n" + lat + " Properties=species:S:1:x:R:3\nLi 0 0 0\n", "no_pos.xyz:2:"},
      {"few_cols", "1\n" + lat + "\nLi 0 0\n", "few_cols.xyz:3:"},
      {"many_cols", "1\n" + lat + "\nLi 0 0 0 1\n", "many_cols.xyz:3:"},
      {"not_number", "1\n" + lat + "\nLi 0 zero 0\n", "not_number.xyz:3:"},
      {"inf", "1\n" + lat + "\nLi 0 inf 0\n", "inf.xyz:3:"},
      {"count", "x1\n" + lat + "\nLi 0 0 0\n", "count.xyz:1:"},
      {"quote", "1\n" + lat + " name=\"open\nLi 0 0 0\n", "quote.xyz:2:"},
      {"no_comment", "1\n", "no_comment.xyz:1:"},
      {"empty", "", "empty.xyz: file is empty"},
  };
  for (const Case &c : cases) {
    std::string path = dir + "/" + c.name + ".xyz";
    write_file(path, c.text);
    xyz_frame f = {};
    md_clear_error();
    md_status st = xyz_read_first(path.c_str(), &el, &f);
    INFO(c.name << ": " << md_errmsg());
    CHECK(st != MD_OK);
    CHECK(std::string(md_errmsg()).find(c.expect) != std::string::npos);
    CHECK(std::strchr(md_errmsg(), '\n') == nullptr);
    xyz_frame_free(&f);
  }
}

TEST_CASE("xyz write then read is lossless", "[io]") {
  std::string dir = esnap_test::scratch("xyz_roundtrip");
  md_system *s = nullptr;
  REQUIRE(lattice_li3n(&s, 2, 2, 1, 0.0, 0.0, nullptr) == MD_OK);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-0.3, 0.3);
  s->box.h[6] = 0.37;  // tilt c as well
  s->box.h[7] = -0.21;
  for (int i = 0; i < s->n; i++) {
    s->x[i] += u(rng) / 3.0;
    s->y[i] += u(rng) * 1e-7;
    s->z[i] += u(rng) * 1e5;
    s->vx[i] = u(rng);
    s->vy[i] = u(rng);
    s->vz[i] = -0.0;
  }
  std::vector<double> col(2 * s->n);
  for (auto &v : col) v = u(rng) * 1e-300;
  xyz_col cols[1] = {{"stuff", 2, col.data()}};
  xyz_info info[1] = {{"energy", "-3.25"}};
  io_atomic a;
  std::string path = dir + "/rt.xyz";
  REQUIRE(io_atomic_open(&a, path.c_str()) == MD_OK);
  REQUIRE(xyz_write_frame(a.fp, path.c_str(), s, 0, 1, info, 1, cols, 1, nullptr) == MD_OK);
  REQUIRE(xyz_write_frame(a.fp, path.c_str(), s, 0, 0, nullptr, 0, nullptr, 0, nullptr) == MD_OK);
  REQUIRE(io_atomic_commit(&a) == MD_OK);
  xyz_reader *r = nullptr;
  REQUIRE(xyz_open(&r, path.c_str(), nullptr) == MD_OK);
  xyz_frame f = {};
  int eof = 0;
  for (int frame = 0; frame < 2; frame++) {
    REQUIRE(xyz_read_frame(r, &f, &eof) == MD_OK);
    REQUIRE(!eof);
    REQUIRE(f.sys->n == s->n);
    for (int k = 0; k < 9; k++) CHECK(f.sys->box.h[k] == s->box.h[k]);
    int bad = 0;
    for (int i = 0; i < s->n; i++) {
      bad += f.sys->x[i] != s->x[i] || f.sys->y[i] != s->y[i] || f.sys->z[i] != s->z[i];
      bad += std::string(f.sys->elem[f.sys->type[i]]) != s->elem[s->type[i]];
      if (frame == 0) bad += f.sys->vx[i] != s->vx[i] || f.sys->vy[i] != s->vy[i];
    }
    CHECK(bad == 0);
    if (frame == 0) {
      int nc = 0;
      const real_t *c = xyz_frame_prop(&f, "stuff", &nc);
      REQUIRE(c != nullptr);
      CHECK(std::memcmp(c, col.data(), col.size() * sizeof(double)) == 0);
      CHECK(std::string(xyz_frame_get(&f, "energy")) == "-3.25");
    }
  }
  REQUIRE(xyz_read_frame(r, &f, &eof) == MD_OK);
  CHECK(eof);
  xyz_frame_free(&f);
  xyz_close(&r);
  system_destroy(&s);
  CHECK(num(0.1) == "0.1");
  CHECK(num(-0.0) == "0");
  CHECK(std::strtod(num(1.0 / 3.0).c_str(), nullptr) == 1.0 / 3.0);
}

static int count_entries(const std::string &dir) {
  int n = 0;
  DIR *d = opendir(dir.c_str());
  if (!d) return -1;
  while (struct dirent *e = readdir(d))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

TEST_CASE("io atomic output replaces whole files", "[io]") {
  std::string dir = esnap_test::scratch("io_atomic");
  std::string path = dir + "/out.txt";
  io_atomic a;
  REQUIRE(io_atomic_open(&a, path.c_str()) == MD_OK);
  std::fputs("partial", a.fp);
  io_atomic_abort(&a);
  CHECK(count_entries(dir) == 0);  // nothing left behind
  write_file(path, "old\n");
  REQUIRE(io_atomic_open(&a, path.c_str()) == MD_OK);
  std::fputs("new\n", a.fp);
  CHECK(read_file(path) == "old\n");  // the old file stays until commit
  REQUIRE(io_atomic_commit(&a) == MD_OK);
  CHECK(read_file(path) == "new\n");
  CHECK(count_entries(dir) == 1);
  CHECK(io_atomic_open(&a, (dir + "/no/such/dir/x").c_str()) == MD_ERR_IO);
}

// The checker run by python3: our file read by ASE must give the expected numbers; then ASE writes a file for
// our reader.
static const char *k_ase_script = R"PY(
import sys
try:
    import numpy as np
    import ase.io
except ImportError as e:
    print("SKIP: python3 has no ase/numpy:", e)
    sys.exit(77)
path, expect_path, ase_out = sys.argv[1], sys.argv[2], sys.argv[3]
frames = ase.io.read(path, index=":")
exp = [l.split() for l in open(expect_path)]
nf = int(exp[0][0])
assert len(frames) == nf, f"ASE read {len(frames)} frames, expected {nf}"
row = 1
worst = 0.0
def close(a, b, what, tol=0.0):
    global worst
    a = np.asarray(a, float); b = np.asarray(b, float)
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs {b.shape}"
    d = float(np.max(np.abs(a - b))) if a.size else 0.0
    worst = max(worst, d)
    assert d <= tol, f"{what}: max difference {d}"
for k, at in enumerate(frames):
    n = int(exp[row][0]); row += 1
    cell = np.array(exp[row], float).reshape(3, 3); row += 1
    energy = float(exp[row][0]); row += 1
    virial = np.array(exp[row], float).reshape(3, 3); row += 1
    species = exp[row]; row += 1
    pos = np.array([exp[row + i] for i in range(n)], float); row += n
    frc = np.array([exp[row + i] for i in range(n)], float); row += n
    bis = np.array([exp[row + i] for i in range(n)], float); row += n
    assert len(at) == n, f"frame {k}: {len(at)} atoms, expected {n}"
    assert list(at.get_chemical_symbols()) == species, f"frame {k}: species differ"
    close(at.cell[:], cell, f"frame {k} cell")
    close(at.positions, pos, f"frame {k} positions")
    close(at.get_potential_energy(), energy, f"frame {k} energy")
    close(at.get_forces(), frc, f"frame {k} forces")
    close(at.info["virial"], virial, f"frame {k} virial")
    vol = abs(np.linalg.det(cell))
    s = -virial / vol
    close(at.get_stress(), [s[0,0], s[1,1], s[2,2], s[1,2], s[0,2], s[0,1]], f"frame {k} stress", 1e-15)
    close(at.arrays["bispectrum"], bis, f"frame {k} bispectrum")
    assert all(at.pbc), "pbc"
# the other direction: ASE writes, esnapmd reads (checked by the C++ side)
frames[0].write(ase_out, format="extxyz")
print(f"ASE {ase.__version__}: {len(frames)} frames read back exactly (max difference {worst})")
)PY";

TEST_CASE("xyz output is read by ASE", "[io][python]") {
  std::string dir = esnap_test::scratch("xyz_ase");
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(-1, 1);
  std::string path = dir + "/eval_like.xyz", expect = dir + "/expect.txt", ase_out = dir + "/from_ase.xyz";
  FILE *fp = std::fopen(path.c_str(), "w");
  REQUIRE(fp);
  std::string exp = "3\n";
  std::vector<md_system *> keep;
  for (int frame = 0; frame < 3; frame++) {
    md_system *s = nullptr;
    REQUIRE(lattice_li3n(&s, 1 + frame, 1, 2, 3.6 + 0.05 * frame, 0.0, nullptr) == MD_OK);
    s->box.h[6] = 0.1 * frame;  // monoclinic-ish tilt of c
    for (int i = 0; i < s->n; i++) s->x[i] += 0.05 * u(rng);
    int n = s->n, nb = 4;
    std::vector<double> f(3 * n), b(nb * n);
    for (auto &v : f) v = u(rng);
    for (auto &v : b) v = 10 * u(rng);
    double w[9];
    for (int a = 0; a < 3; a++)
      for (int c = a; c < 3; c++) w[3 * a + c] = w[3 * c + a] = 5 * u(rng);  // a symmetric virial
    double energy = -3.7 * n + u(rng);
    std::string vir = "\"", str = "\"";
    for (int k = 0; k < 9; k++) {
      vir += (k ? " " : "") + num(w[k]);
      str += (k ? " " : "") + num(-w[k] / s->box.volume);
    }
    vir += "\"";
    str += "\"";
    std::string e = num(energy);
    xyz_info info[] = {{"energy", e.c_str()}, {"energy_snap", "1"}, {"virial", vir.c_str()}, {"stress", str.c_str()},
                       {"units", "metal"}};
    xyz_col cols[] = {{"forces", 3, f.data()}, {"bispectrum", nb, b.data()}};
    REQUIRE(xyz_write_frame(fp, path.c_str(), s, 0, 0, info, 5, cols, 2, nullptr) == MD_OK);
    exp += std::to_string(n) + "\n";
    for (int k = 0; k < 9; k++) exp += num(s->box.h[k]) + " ";
    exp += "\n" + e + "\n";
    for (int k = 0; k < 9; k++) exp += num(w[k]) + " ";
    exp += "\n";
    for (int i = 0; i < n; i++) exp += std::string(s->elem[s->type[i]]) + " ";
    exp += "\n";
    for (int i = 0; i < n; i++) exp += num(s->x[i]) + " " + num(s->y[i]) + " " + num(s->z[i]) + "\n";
    for (int i = 0; i < n; i++) exp += num(f[3 * i]) + " " + num(f[3 * i + 1]) + " " + num(f[3 * i + 2]) + "\n";
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < nb; k++) exp += num(b[nb * i + k]) + " ";
      exp += "\n";
    }
    keep.push_back(s);
  }
  std::fclose(fp);
  write_file(expect, exp);
  write_file(dir + "/check.py", k_ase_script);
  std::string out;
  FILE *p = popen((esnap_test::python() + " " + dir + "/check.py " + path + " " + expect + " " + ase_out + " 2>&1").c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  size_t nread;
  while ((nread = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, nread);
  int st = pclose(p);
  int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
  if (rc == 77 || rc == 127) esnap_test::skip_missing("Python (" ESNAP_PYTHON ") with ase is not available (run tools/setup.sh): " + out);
  INFO(out);
  REQUIRE(rc == 0);
  std::printf("%s", out.c_str());
  // ASE's own extxyz writer → our reader
  xyz_frame f = {};
  REQUIRE(xyz_read_first(ase_out.c_str(), nullptr, &f) == MD_OK);
  REQUIRE(f.sys->n == keep[0]->n);
  double worst = 0;
  for (int i = 0; i < f.sys->n; i++) {
    worst = std::fmax(worst, std::fabs(f.sys->x[i] - keep[0]->x[i]));
    worst = std::fmax(worst, std::fabs(f.sys->z[i] - keep[0]->z[i]));
  }
  CHECK(worst < 1e-7);  // ASE writes 8 decimals
  int nc = 0;
  CHECK(xyz_frame_prop(&f, "forces", &nc) != nullptr);
  CHECK(nc == 3);
  xyz_frame_free(&f);
  for (auto *s : keep) system_destroy(&s);
}
