// Frame analyses (app/frame_analyses.h): site projection, density cube, RDF, power spectra; on the fly = post hoc;
// bad input. Small systems; about 10 s on 2 cores.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "test_md_util.h"
#include "test_replica_util.h"
#include "test_util.h"

extern "C" {
#include "box.h"
#include "constants.h"
#include "density.h"
#include "lattice.h"
#include "rdf.h"
#include "sites.h"
#include "system.h"
#include "vacf.h"
}

namespace {

struct SysPtr {
  md_system *s = nullptr;
  ~SysPtr() { system_destroy(&s); }
};

// Li positions (x, y, z) of a system, in order.
void li_positions(const md_system *s, std::vector<double> &x, std::vector<double> &y, std::vector<double> &z) {
  x.clear();
  y.clear();
  z.clear();
  for (int i = 0; i < s->n; i++)
    if (std::string(s->elem[s->type[i]]) == "Li") {
      x.push_back(s->x[i]);
      y.push_back(s->y[i]);
      z.push_back(s->z[i]);
    }
}

// Random displacement of length below rmax in a random direction.
void displace(std::mt19937_64 &g, double rmax, double *x, double *y, double *z) {
  std::normal_distribution<double> n(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  double d[3] = {n(g), n(g), n(g)}, l = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]), r = rmax * u(g);
  *x += r * d[0] / l;
  *y += r * d[1] / l;
  *z += r * d[2] / l;
}

struct Counts {
  std::vector<double> vac, mult;
};

Counts project(const site_set *set, const md_box *box, const std::vector<double> &x, const std::vector<double> &y,
               const std::vector<double> &z) {
  site_finder *f = nullptr;
  REQUIRE(site_finder_create(&f, set) == MD_OK);
  std::vector<int> site(x.size()), occ(set->n);
  REQUIRE(site_finder_assign(f, box, (int)x.size(), x.data(), y.data(), z.data(), site.data(), occ.data()) == MD_OK);
  site_finder_destroy(&f);
  Counts c;
  c.vac.resize(set->nlabel + 1);
  c.mult.resize(set->nlabel + 1);
  sites_fractions(set, occ.data(), c.vac.data(), c.mult.data());
  return c;
}

// A site file with cell `box` for the sites of `set` (fractional in cell `own`), in Cartesian coordinates.
void write_site_file(const std::string &path, const site_set *set, const md_box *own, const md_box *box) {
  std::ofstream f(path);
  f.precision(17);
  f << "# sites\ncell";
  for (int k = 0; k < 9; k++) f << " " << box->h[k];
  f << "\n";
  for (int k = 0; k < set->n; k++) {
    const double *s = set->s + 3 * k;
    double r[3];
    for (int d = 0; d < 3; d++) r[d] = s[0] * own->h[d] + s[1] * own->h[3 + d] + s[2] * own->h[6 + d];
    f << "cart " << set->label[set->lab[k]] << " " << r[0] << " " << r[1] << " " << r[2] << "\n";
  }
}

// Planted defects in the Li3N cell `s` with sites `set`: vacancies, doubly occupied Li1 and Li2, a Frenkel pair,
// all counted exactly. Ions are moved by whole lattice vectors too, so every image must be found.
void check_planted(const site_set *set, const md_box *box, std::vector<double> x, std::vector<double> y, std::vector<double> z) {
  const int n1 = set->count[0], n2 = set->count[1], n = set->n;
  // indices of a few Li1 and Li2 ions (ions sit on their sites, in site order)
  std::vector<int> li1, li2;
  for (int k = 0; k < n; k++) (set->lab[k] == 0 ? li1 : li2).push_back(k);
  // 1. two vacancies on Li2, one on Li1
  {
    std::vector<double> a, b, c;
    for (int k = 0; k < n; k++)
      if (k != li2[0] && k != li2[3] && k != li1[1]) {
        a.push_back(x[k] + 2 * box->h[0] - box->h[6]);
        b.push_back(y[k] + 2 * box->h[1] - box->h[7]);
        c.push_back(z[k] + 2 * box->h[2] - box->h[8]);
      }
    Counts r = project(set, box, a, b, c);
    CHECK(r.vac[0] == Approx(1.0 / n1).epsilon(1e-15));
    CHECK(r.vac[1] == Approx(2.0 / n2).epsilon(1e-15));
    CHECK(r.vac[2] == Approx(3.0 / n).epsilon(1e-15));
    CHECK(r.mult[2] == 0.0);
  }
  // 2. Frenkel pairs: a Li2 ion moved next to another Li2 site, a Li1 ion next to another Li1 site (0.3 Å off)
  {
    std::vector<double> a = x, b = y, c = z;
    a[li2[0]] = x[li2[5]] + 0.3 - box->h[3];
    b[li2[0]] = y[li2[5]] - box->h[4];
    c[li2[0]] = z[li2[5]] + 0.1 - box->h[5];
    a[li1[0]] = x[li1[2]] - 0.2 + box->h[6];
    b[li1[0]] = y[li1[2]] + 0.2 + box->h[7];
    c[li1[0]] = z[li1[2]] + box->h[8];
    Counts r = project(set, box, a, b, c);
    CHECK(r.vac[0] == Approx(1.0 / n1).epsilon(1e-15));
    CHECK(r.mult[0] == Approx(1.0 / n1).epsilon(1e-15));
    CHECK(r.vac[1] == Approx(1.0 / n2).epsilon(1e-15));
    CHECK(r.mult[1] == Approx(1.0 / n2).epsilon(1e-15));
    CHECK(r.vac[2] == Approx(2.0 / n).epsilon(1e-15));
    CHECK(r.mult[2] == Approx(2.0 / n).epsilon(1e-15));
  }
  // 3. extra ions (split interstitials): two on one Li2 site (three ions there), one on a Li1 site
  {
    std::vector<double> a = x, b = y, c = z;
    for (int j = 0; j < 2; j++) {
      a.push_back(x[li2[1]] + 0.25 * (j ? 1 : -1));
      b.push_back(y[li2[1]]);
      c.push_back(z[li2[1]]);
    }
    a.push_back(x[li1[1]]);
    b.push_back(y[li1[1]] + 0.3);
    c.push_back(z[li1[1]] - 0.2);
    Counts r = project(set, box, a, b, c);
    CHECK(r.vac[2] == 0.0);
    CHECK(r.mult[0] == Approx(1.0 / n1).epsilon(1e-15));
    CHECK(r.mult[1] == Approx(1.0 / n2).epsilon(1e-15));
  }
}

}  // namespace

TEST_CASE("site projection: displaced lattice has no defects and planted defects are counted exactly", "[frames][sites]") {
  SysPtr s;
  REQUIRE(lattice_li3n(&s.s, 3, 3, 2, 0, 0, nullptr) == MD_OK);
  std::vector<double> x, y, z;
  li_positions(s.s, x, y, z);
  site_set *set = nullptr;
  REQUIRE(site_set_li3n(&set, &s.s->box, (int)x.size(), nullptr, "test") == MD_OK); // 3 x 3 x 2 found from the cell
  CHECK(std::string(set->source) == "α-Li3N lattice 3 x 3 x 2");
  CHECK(set->count[0] == 18);
  CHECK(set->count[1] == 36);
  // nearest distance between Li sites: Li2-Li2 = a/sqrt(3)
  const double dmin = LI3N_A / std::sqrt(3.0);
  std::mt19937_64 g(5);
  for (int trial = 0; trial < 20; trial++) {
    std::vector<double> a = x, b = y, c = z;
    for (size_t i = 0; i < a.size(); i++) displace(g, 0.4999 * dmin, &a[i], &b[i], &c[i]);
    Counts r = project(set, &s.s->box, a, b, c);
    for (double v : r.vac) CHECK(v == 0.0);
    for (double v : r.mult) CHECK(v == 0.0);
  }
  SECTION("hexagonal cell, built-in sites") { check_planted(set, &s.s->box, x, y, z); }
  SECTION("skewed triclinic cell (c' = c + 2a - b), sites from a file") {
    md_box box = s.s->box;
    for (int d = 0; d < 3; d++) box.h[6 + d] += 2 * s.s->box.h[d] - s.s->box.h[3 + d];
    REQUIRE(box_update(&box, "skewed") == MD_OK);
    std::string dir = esnap_test::scratch("sites_skewed");
    write_site_file(dir + "/sites.txt", set, &s.s->box, &box);
    site_set *fs = nullptr;
    REQUIRE(site_set_read(&fs, (dir + "/sites.txt").c_str(), &box, (int)x.size()) == MD_OK);
    CHECK(fs->nlabel == 2);
    for (int trial = 0; trial < 5; trial++) {
      std::vector<double> a = x, b = y, c = z;
      for (size_t i = 0; i < a.size(); i++) displace(g, 0.4999 * dmin, &a[i], &b[i], &c[i]);
      Counts r = project(fs, &box, a, b, c);
      CHECK(r.vac[2] == 0.0);
      CHECK(r.mult[2] == 0.0);
    }
    check_planted(fs, &box, x, y, z);
    site_set_destroy(&fs);
  }
  SECTION("orthogonal cell (orthohexagonal a, a + 2b, c), sites from a file") {
    // the lattice in the orthogonal cell a, a + 2b (length a sqrt 3), c: twice the unit cells of a 3 x 3 x 2 cut
    SysPtr o;
    REQUIRE(lattice_li3n(&o.s, 3, 6, 2, 0, 0, nullptr) == MD_OK);
    md_box box;
    std::memset(&box, 0, sizeof box);
    const double A = LI3N_A, C = LI3N_C;
    double h[9] = {3 * A, 0, 0, 0, 3 * A * std::sqrt(3.0), 0, 0, 0, 2 * C};
    std::memcpy(box.h, h, sizeof h);
    REQUIRE(box_update(&box, "ortho") == MD_OK);
    // keep the Li of the 3 x 6 x 2 hexagonal cell that fall inside the orthogonal cell, each once
    std::vector<double> ox, oy, oz;
    std::vector<std::string> lab;
    for (int i = 0; i < o.s->n; i++) {
      if (std::string(o.s->elem[o.s->type[i]]) != "Li") continue;
      double sf[3];
      for (int k = 0; k < 3; k++) sf[k] = o.s->x[i] * box.hinv[k] + o.s->y[i] * box.hinv[3 + k] + o.s->z[i] * box.hinv[6 + k];
      for (int k = 0; k < 3; k++) sf[k] -= std::floor(sf[k] + 1e-9);
      double r[3];
      for (int d = 0; d < 3; d++) r[d] = sf[0] * box.h[d] + sf[1] * box.h[3 + d] + sf[2] * box.h[6 + d];
      bool dup = false;
      for (size_t j = 0; j < ox.size() && !dup; j++)
        dup = std::fabs(ox[j] - r[0]) < 1e-6 && std::fabs(oy[j] - r[1]) < 1e-6 && std::fabs(oz[j] - r[2]) < 1e-6;
      if (dup) continue;
      ox.push_back(r[0]);
      oy.push_back(r[1]);
      oz.push_back(r[2]);
      lab.push_back(std::fabs(std::fmod(o.s->z[i] / C, 1.0) - 0.5) < 1e-6 ? "Li1" : "Li2");
    }
    REQUIRE(ox.size() == 3u * 2 * 3 * 3 * 2 / 1); // 108 Li: 36 unit cells
    std::string dir = esnap_test::scratch("sites_ortho");
    {
      std::ofstream f(dir + "/sites.txt");
      f.precision(17);
      f << "cell";
      for (double v : h) f << " " << v;
      f << "\n";
      for (size_t j = 0; j < ox.size(); j++) f << "cart " << lab[j] << " " << ox[j] << " " << oy[j] << " " << oz[j] << "\n";
    }
    site_set *fs = nullptr;
    REQUIRE(site_set_read(&fs, (dir + "/sites.txt").c_str(), &box, (int)ox.size()) == MD_OK);
    REQUIRE(fs->count[0] == 36);
    for (int trial = 0; trial < 5; trial++) {
      std::vector<double> a = ox, b = oy, c = oz;
      for (size_t i = 0; i < a.size(); i++) displace(g, 0.4999 * dmin, &a[i], &b[i], &c[i]);
      Counts r = project(fs, &box, a, b, c);
      CHECK(r.vac[2] == 0.0);
      CHECK(r.mult[2] == 0.0);
    }
    check_planted(fs, &box, ox, oy, oz);
    site_set_destroy(&fs);
  }
  site_set_destroy(&set);
}

TEST_CASE("site file that does not match the cell is refused naming file and line", "[frames][sites][errors]") {
  SysPtr s;
  REQUIRE(lattice_li3n(&s.s, 2, 2, 2, 0, 0, nullptr) == MD_OK);
  std::string dir = esnap_test::scratch("sites_badfile");
  {
    std::ofstream f(dir + "/bad_cell.txt");
    f << "# sites\ncell 7.4 0 0 -3.65 6.32 0 0 0 7.78\nfrac Li1 0 0 0.25\n";
  }
  site_set *fs = nullptr;
  CHECK(site_set_read(&fs, (dir + "/bad_cell.txt").c_str(), &s.s->box, 24) == MD_ERR_VALUE);
  CHECK(std::string(md_errmsg()).find("bad_cell.txt:2: the site file's cell does not match the run's cell") != std::string::npos);
  {
    std::ofstream f(dir + "/few.txt");
    f.precision(17);
    f << "cell";
    for (double v : s.s->box.h) f << " " << v;
    f << "\nfrac Li1 0 0 0.25\nfrac Li2 0.5 0.5 0\n";
  }
  CHECK(site_set_read(&fs, (dir + "/few.txt").c_str(), &s.s->box, 24) == MD_ERR_VALUE);
  CHECK(std::string(md_errmsg()).find("few.txt:3: 2 sites for 24 ions") != std::string::npos);
  // a cell that is no Li3N supercell without a site file
  md_box box = s.s->box;
  box.h[3] = 0.0;
  REQUIRE(box_update(&box, "ortho") == MD_OK);
  CHECK(site_set_li3n(&fs, &box, 24, nullptr, "deck.in:7") == MD_ERR_VALUE);
  CHECK(std::string(md_errmsg()).find("deck.in:7: the cell (24 Li) is not an n1 x n2 x n3 α-Li3N supercell") != std::string::npos);
  // the same through the CLI: one line, non-zero exit, nothing written
  std::string d = md_test::deck("sites_badfile_run", "structure li3n 2 2 2\nsites every 5 file " +
                                                         std::string("../sites_badfile/bad_cell.txt") + "\nrun 10\n");
  std::string out;
  CHECK(md_test::run("run " + d + " --quiet", &out) != 0);
  CHECK(out.find("bad_cell.txt:2: the site file's cell does not match") != std::string::npos);
  CHECK(md_test::count_lines(out) == 1);
  CHECK(!esnap_test::exists("scratch/sites_badfile_run/out/thermo.dat"));
  CHECK(!esnap_test::exists("scratch/sites_badfile_run/out/sites"));
}

TEST_CASE("RDF of an ideal lattice: shells at the exact distances with their coordination numbers", "[frames][rdf]") {
  SysPtr s;
  REQUIRE(lattice_li3n(&s.s, 3, 3, 3, 0, 0, nullptr) == MD_OK);
  const md_system *p = s.s;
  const int nb = 1000;
  rdf_acc *a = nullptr;
  double wmin = std::fmin(p->box.width[0], std::fmin(p->box.width[1], p->box.width[2]));
  REQUIRE(rdf_acc_create(&a, 2, p->type, p->n, nb, 0.5 * wmin, &p->box) == MD_OK);
  CHECK(rdf_acc_create(&a, 2, p->type, p->n, nb, 0.51 * wmin, &p->box) == MD_ERR_VALUE); // beyond half the width
  REQUIRE(rdf_acc_create(&a, 2, p->type, p->n, nb, 0.5 * wmin, &p->box) == MD_OK);
  for (int f = 0; f < 3; f++) REQUIRE(rdf_acc_add(a, &p->box, p->type, p->n, p->x, p->y, p->z) == MD_OK);
  // reference: every pair and image by brute force
  const double dr = a->rmax / nb;
  std::vector<double> ref[3];
  for (auto &v : ref) v.assign(nb, 0.0);
  int nat[2] = {0, 0};
  for (int i = 0; i < p->n; i++) nat[p->type[i]]++;
  for (int i = 0; i < p->n; i++)
    for (int j = 0; j < p->n; j++)
      for (int u = -2; u <= 2; u++)
        for (int v = -2; v <= 2; v++)
          for (int w = -2; w <= 2; w++) {
            if (i == j && !u && !v && !w) continue;
            double d[3];
            for (int k = 0; k < 3; k++)
              d[k] = (k == 0 ? p->x[j] - p->x[i] : k == 1 ? p->y[j] - p->y[i] : p->z[j] - p->z[i]) + u * p->box.h[k] +
                     v * p->box.h[3 + k] + w * p->box.h[6 + k];
            double r = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            if (r >= a->rmax) continue;
            int pair = rdf_pair(2, p->type[i], p->type[j]);
            if (p->type[i] <= p->type[j]) ref[pair][(int)(r / dr)] += 1.0 / nat[p->type[i]];
          }
  for (int pr = 0; pr < 3; pr++) {
    int ta = pr == 2 ? 1 : 0, tb = pr == 0 ? 0 : 1;
    double cum = 0;
    for (int k = 0; k < nb; k++) {
      double g, n;
      rdf_values(a, ta, tb, k, &g, &n);
      cum += ref[pr][k];
      INFO("pair " << pr << " bin " << k);
      REQUIRE(n == Approx(cum).margin(1e-9));
      CHECK((g > 0) == (ref[pr][k] > 0));
    }
  }
  // the first shells by hand: Li-N at c/2 (Li1: 2 N) and a/sqrt3 (Li2: 3 N); N-N at a (6) and c (2)
  auto n_at = [&](int ta, int tb, double r) {
    double g, n;
    rdf_values(a, ta, tb, (int)(r / dr), &g, &n);
    return n;
  };
  CHECK(n_at(0, 1, 0.5 * LI3N_C - 0.01) == 0.0);
  CHECK(n_at(0, 1, 0.5 * LI3N_C + 0.01) == Approx(2.0 / 3.0));
  CHECK(n_at(0, 1, LI3N_A / std::sqrt(3.0) + 0.01) == Approx(8.0 / 3.0));
  CHECK(n_at(1, 1, LI3N_A - 0.01) == 0.0);
  CHECK(n_at(1, 1, LI3N_A + 0.01) == Approx(6.0));
  CHECK(n_at(1, 1, LI3N_C + 0.01) == Approx(8.0));
  CHECK(n_at(1, 0, 0.5 * LI3N_C + 0.01) == Approx(2.0)); // N: 2 Li1 along c
  rdf_acc_destroy(&a);
}

TEST_CASE("density cube read back by ASE integrates to the ion count with maxima on the Li sites", "[frames][density][python]") {
  SysPtr s;
  REQUIRE(lattice_li3n(&s.s, 2, 2, 2, 0, 0, nullptr) == MD_OK);
  const md_system *p = s.s;
  density_acc *a = nullptr;
  std::vector<double> x, y, z;
  li_positions(p, x, y, z);
  CHECK(density_acc_create(&a, &p->box, 0.0, (int)x.size()) == MD_ERR_VALUE);
  CHECK(density_acc_create(&a, &p->box, -0.1, (int)x.size()) == MD_ERR_VALUE);
  REQUIRE(density_acc_create(&a, &p->box, 0.15, (int)x.size()) == MD_OK);
  char elem[2][MD_NAME_LEN] = {"Li", "N"};
  REQUIRE(density_acc_set_atoms(a, &p->box, p->n, p->type, elem, p->x, p->y, p->z) == MD_OK);
  // a low-temperature crystal: Gaussian displacements of 0.08 Å about the sites
  std::mt19937_64 g(11);
  std::normal_distribution<double> nd(0, 0.08);
  for (int f = 0; f < 400; f++) {
    std::vector<double> a1 = x, b1 = y, c1 = z;
    for (size_t i = 0; i < a1.size(); i++) {
      a1[i] += nd(g);
      b1[i] += nd(g);
      c1[i] += nd(g);
    }
    REQUIRE(density_acc_add(a, &p->box, (int)a1.size(), a1.data(), b1.data(), c1.data()) == MD_OK);
  }
  // the largest counts sit at the grid points nearest the sites
  const int *n = a->n;
  std::vector<size_t> idx(a->count ? (size_t)n[0] * n[1] * n[2] : 0);
  for (size_t q = 0; q < idx.size(); q++) idx[q] = q;
  std::partial_sort(idx.begin(), idx.begin() + (long)x.size(), idx.end(),
                    [&](size_t u, size_t v) { return a->count[u] > a->count[v]; });
  for (size_t m = 0; m < x.size(); m++) {
    size_t q = idx[m];
    int i2 = (int)(q % n[2]), i1 = (int)(q / n[2] % n[1]), i0 = (int)(q / n[2] / n[1]);
    double sf[3] = {(double)i0 / n[0], (double)i1 / n[1], (double)i2 / n[2]}, best = 1e9;
    for (size_t i = 0; i < x.size(); i++) {
      double t[3];
      for (int k = 0; k < 3; k++) t[k] = x[i] * p->box.hinv[k] + y[i] * p->box.hinv[3 + k] + z[i] * p->box.hinv[6 + k] - sf[k];
      for (double &v : t) v -= std::nearbyint(v);
      double r[3];
      for (int d = 0; d < 3; d++) r[d] = t[0] * p->box.h[d] + t[1] * p->box.h[3 + d] + t[2] * p->box.h[6 + d];
      best = std::fmin(best, std::sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]));
    }
    CHECK(best < 0.2);
  }
  std::string dir = esnap_test::scratch("density_ase");
  REQUIRE(density_write_cube((dir + "/density_Li.cube").c_str(), a, "Li", "test") == MD_OK);
  density_acc_destroy(&a);
  std::string script = dir + "/check.py";
  {
    std::ofstream f(script);
    f << "import sys\n"
         "try:\n    import numpy as np\n    from ase.io.cube import read_cube_data\n"
         "except ImportError as e:\n    print('MISSING', e); sys.exit(3)\n"
         "data, atoms = read_cube_data(sys.argv[1])\n"
         "vol = atoms.get_volume()  # A^3; ASE converts the cell from Bohr\n"
         "bohr = 0.529177210903\n"
         "vvox = vol / data.size / bohr**3\n"
         "total = data.sum() * vvox\n"
         "print('total', repr(total), 'atoms', len(atoms), 'shape', data.shape)\n"
         "sys.exit(0 if abs(total - 24) <= 1e-6 * 24 and len(atoms) == 32 else 1)\n";
  }
  std::string out;
  FILE *pp = popen((esnap_test::python() + " " + script + " " + dir + "/density_Li.cube 2>&1").c_str(), "r");
  REQUIRE(pp);
  char buf[4096];
  size_t k;
  while ((k = fread(buf, 1, sizeof buf, pp)) > 0) out.append(buf, k);
  int st = pclose(pp);
  INFO(out);
  if (WEXITSTATUS(st) == 3) esnap_test::skip_missing("numpy/ase not importable by " + esnap_test::python());
  CHECK(WEXITSTATUS(st) == 0);
  // the PNG slices of tools/plot_density.py
  std::string plot = esnap_test::python() + " " + esnap_test::source("tools/plot_density.py") + " " + dir + "/density_Li.cube 2>&1";
  pp = popen(plot.c_str(), "r");
  REQUIRE(pp);
  out.clear();
  while ((k = fread(buf, 1, sizeof buf, pp)) > 0) out.append(buf, k);
  st = pclose(pp);
  INFO(out);
  CHECK(WEXITSTATUS(st) == 0);
  for (const char *f : {"_z0.png", "_li1.png", "_channel.png"}) CHECK(esnap_test::exists(dir + "/density_Li" + f));
}

TEST_CASE("power spectrum: peaks at the oscillator frequencies and integral = sum m <v^2>", "[frames][spectra]") {
  // 3 atoms of 2 types, each a sum of two cosines of known frequencies sampled every 0.005 ps
  const int n = 3, W = 400;
  const double dt = 0.005, mass[2] = {6.94, 14.007};
  const int type[n] = {0, 0, 1};
  const double f1 = 5.0, f2 = 12.5; // THz, on the frequency grid q/(2 W dt) = q * 0.25 THz
  vacf_acc *a = nullptr;
  REQUIRE(vacf_acc_create(&a, n, type, 2, mass, W, dt) == MD_OK);
  std::vector<double> vx(n), vy(n), vz(n);
  double sum_mv2 = 0;
  const int nsamp = 4 * W + 17; // 4 complete segments, 17 samples left open
  for (int t = 0; t < nsamp; t++) {
    double tt = t * dt;
    for (int i = 0; i < n; i++) {
      vx[i] = 3.0 * std::cos(2 * M_PI * f1 * tt + i);
      vy[i] = (i == 2 ? 4.0 : 1.0) * std::cos(2 * M_PI * f2 * tt + 0.3 * i);
      vz[i] = 0.5 * std::sin(2 * M_PI * f1 * tt);
      if (t < 4 * W) sum_mv2 += mass[type[i]] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
    }
    REQUIRE(vacf_acc_add(a, vx.data(), vy.data(), vz.data()) == MD_OK);
  }
  CHECK(vacf_acc_segments(a) == 4);
  const double df = 1.0 / (2 * W * dt);
  std::vector<double> S(3 * (W + 1));
  REQUIRE(vacf_spectra(a, S.data()) == MD_OK);
  auto tot = [&](int q) { return S[2 * (W + 1) + q]; };
  double integral = 0;
  for (int q = 0; q <= W; q++) integral += tot(q) * df;
  CHECK(integral == Approx(MD_MVV2E * sum_mv2 / (4 * W)).epsilon(1e-12));
  // the two largest local maxima of the total spectrum are at f1 and f2
  std::vector<std::pair<double, double>> peaks;
  for (int q = 1; q < W; q++)
    if (tot(q) > tot(q - 1) && tot(q) >= tot(q + 1)) peaks.push_back({tot(q), q * df});
  std::sort(peaks.rbegin(), peaks.rend());
  REQUIRE(peaks.size() >= 2);
  double p1 = std::fmin(peaks[0].second, peaks[1].second), p2 = std::fmax(peaks[0].second, peaks[1].second);
  CHECK(std::fabs(p1 - f1) <= 1.0 / (W * dt));
  CHECK(std::fabs(p2 - f2) <= 1.0 / (W * dt));
  // VACF at lag 0 = <|v|^2> per atom of each type; the N atom's y motion dominates at f2
  std::vector<double> c(W);
  REQUIRE(vacf_correlation(a, 1, c.data()) == MD_OK);
  double v2 = 0;
  for (int t = 0; t < 4 * W; t++) {
    double tt = t * dt;
    v2 += std::pow(3.0 * std::cos(2 * M_PI * f1 * tt + 2), 2) + std::pow(4.0 * std::cos(2 * M_PI * f2 * tt + 0.6), 2) +
          std::pow(0.5 * std::sin(2 * M_PI * f1 * tt), 2);
  }
  CHECK(c[0] == Approx(v2 / (4 * W)).epsilon(1e-10));
  // pack / unpack round trip (the open segment included)
  binw w = {};
  vacf_acc_pack(a, &w);
  vacf_acc *b = nullptr;
  REQUIRE(vacf_acc_create(&b, n, type, 2, mass, W, dt) == MD_OK);
  binr r;
  binr_init(&r, w.p, w.len);
  REQUIRE(vacf_acc_unpack(b, &r, "test") == MD_OK);
  std::vector<double> S2(3 * (W + 1));
  REQUIRE(vacf_spectra(b, S2.data()) == MD_OK);
  CHECK(S2 == S);
  binw_free(&w);
  vacf_acc_destroy(&a);
  vacf_acc_destroy(&b);
}

TEST_CASE("frame analyses on the fly equal analyze of the run's full-precision dump", "[frames][onthefly][cli]") {
  std::string d = md_test::deck("frames_otf", "structure li3n 2 2 2\nvelocity 900 seed 3\nensemble nvt 900 0.05\nthermo 50\n"
                                              "dump 4 traj.xyz velocities yes precision full\n"
                                              "sites every 4\ndensity Li every 4 spacing 0.25\nrdf every 4 bins 100\n"
                                              "spectra every 4 window 16\ncheckpoint 40 run.chk\nprogress 0\nrun 120\n");
  std::string out;
  REQUIRE(md_test::run("run " + d + " --quiet", &out) == 0);
  const std::string D = "scratch/frames_otf/out/";
  REQUIRE(md_test::run("analyze " + D + "traj.xyz --sites --density Li --spacing 0.25 --rdf --bins 100 --spectra --window 16 -o " + D +
                           "post --quiet",
                       &out) == 0);
  for (const char *f : {"sites/sites.dat", "rdf/rdf.dat", "spectra/spectrum.dat", "spectra/vacf.dat"}) {
    INFO(f);
    auto a = rep_test::data_lines(D + f), b = rep_test::data_lines(D + "post/" + f);
    CHECK(!a.empty());
    CHECK(a == b);
  }
  // the cube: everything after the two comment lines
  std::string ca = md_test::read_file(D + "density/density_Li.cube"), cb = md_test::read_file(D + "post/density/density_Li.cube");
  auto body = [](const std::string &s) {
    size_t p = s.find('\n');
    return s.substr(s.find('\n', p + 1));
  };
  CHECK(!ca.empty());
  CHECK(body(ca) == body(cb));
  for (const char *k : {"vacant_fraction.Li.mean", "vacant_fraction.Li2.stderr", "multiple_fraction.Li1.mean", "n_frames"})
    CHECK(rep_test::json_number(D + "sites/summary.json", k) == rep_test::json_number(D + "post/sites/summary.json", k));
  CHECK(rep_test::json_number(D + "sites/summary.json", "n_frames") == 31);
}

TEST_CASE("frame analyses: bad input gives one line naming the input and writes nothing", "[frames][errors][cli]") {
  std::string out;
  // a trajectory without velocities asked for spectra
  std::string d = md_test::deck("frames_bad", "structure li3n 1 1 1\nvelocity 300 seed 1\nensemble nve\ndump 2 traj.xyz\n"
                                              "progress 0\nrun 10\n");
  REQUIRE(md_test::run("run " + d + " --quiet", &out) == 0);
  const std::string D = "scratch/frames_bad/out/";
  CHECK(md_test::run("analyze " + D + "traj.xyz --spectra --window 2 -o " + D + "post", &out) != 0);
  INFO(out);
  CHECK(out.find(D + "traj.xyz:1: frame has no velocities") != std::string::npos);
  CHECK(md_test::count_lines(out) == 1);
  CHECK(!esnap_test::exists(D + "post"));
  // grid spacing <= 0: analyze option and deck keyword
  CHECK(md_test::run("analyze " + D + "traj.xyz --density Li --spacing 0 -o " + D + "post", &out) != 0);
  CHECK(out.find("--spacing must be > 0") != std::string::npos);
  CHECK(!esnap_test::exists(D + "post"));
  std::string d2 = md_test::deck("frames_bad2", "structure li3n 2 2 2\ndensity Li every 5 spacing 0\nrun 10\n");
  CHECK(md_test::run("run " + d2 + " --quiet", &out) != 0);
  CHECK(out.find("deck.in:2: density grid spacing must be > 0") != std::string::npos);
  CHECK(md_test::count_lines(out) == 1);
  CHECK(!esnap_test::exists("scratch/frames_bad2/out/thermo.dat"));
  // rdf rmax beyond half the shortest width, and a site-projection species the structure lacks
  std::string d3 = md_test::deck("frames_bad3", "structure li3n 2 2 2\nrdf every 5 rmax 5\nrun 10\n");
  CHECK(md_test::run("run " + d3 + " --quiet", &out) != 0);
  CHECK(out.find("deck.in:2: rdf: rmax 5 Å exceeds half the shortest cell width") != std::string::npos);
  std::string d4 = md_test::deck("frames_bad4", "structure li3n 2 2 2\nsites every 5 species Na\nrun 10\n");
  CHECK(md_test::run("run " + d4 + " --quiet", &out) != 0);
  CHECK(out.find("deck.in:2: sites: species 'Na' is not an element of the structure") != std::string::npos);
  CHECK(!esnap_test::exists("scratch/frames_bad4/out/thermo.dat"));
}

TEST_CASE("frame analyses continued from a checkpoint equal an uninterrupted run", "[frames][restart][cli]") {
  const std::string body = "structure li3n 2 2 2\nvelocity 900 seed 3\nensemble nvt 900 0.05\nreplicas 2 seed 9\nthermo 50\n"
                           "sites every 4\ndensity N every 4 spacing 0.3\nrdf every 4 bins 50\nspectra every 2 window 16\n"
                           "checkpoint 40 run.chk\nprogress 0\n";
  std::string out;
  std::string a = md_test::deck("frames_restart_a", body + "run 120\n");
  REQUIRE(md_test::run("run " + a + " --quiet", &out) == 0);
  std::string b = md_test::deck("frames_restart_b", body + "run 60\n");
  REQUIRE(md_test::run("run " + b + " --quiet", &out) == 0);
  md_test::write_file(b, body + "run 120\noutput scratch/frames_restart_b/out\n");
  REQUIRE(md_test::run("run " + b + " --quiet --restart scratch/frames_restart_b/out/run.chk", &out) == 0);
  // the spectra's open segment (60 = 1 segment of 16 samples + 15) and every accumulator resume exactly
  for (const char *f : {"sites/sites.dat", "sites/sites_r0.dat", "sites/sites_r1.dat", "sites/summary.json", "rdf/rdf.dat",
                        "density/density_N.cube", "spectra/spectrum.dat", "spectra/vacf.dat"}) {
    std::string fa = md_test::read_file("scratch/frames_restart_a/out/" + std::string(f));
    std::string fb = md_test::read_file("scratch/frames_restart_b/out/" + std::string(f));
    INFO(f);
    if (std::string(f) == "sites/sites.dat") { // two replicas: per-replica series only
      CHECK(fa.empty());
      continue;
    }
    CHECK(!fa.empty());
    CHECK(fa.substr(fa.find('\n')) == fb.substr(fb.find('\n'))); // the first line names the deck's directory
  }
}

TEST_CASE("frame analyses under mpirun with 2 ranks equal one process", "[frames][mpi][cli]") {
  if (rep_test::mpiexec().empty()) esnap_test::skip_missing("no MPI build or no mpirun (FindMPI's MPIEXEC_EXECUTABLE; run tools/setup.sh)");
  const std::string body = "structure li3n 2 2 2\nvelocity 900 seed 3\nensemble nvt 900 0.05\nreplicas 3 seed 9 temperatures 600 "
                           "600 900\nthermo 50\nsites every 4\ndensity Li every 4 spacing 0.3\nrdf every 4 bins 50\n"
                           "spectra every 2 window 16\nprogress 0\nrun 60\n";
  std::string one = md_test::deck("frames_mpi_one", body), two = md_test::deck("frames_mpi_two", body), out;
  REQUIRE(md_test::run("run " + one + " --quiet", &out) == 0);
  int rc = rep_test::mpirun(2, "run " + two + " --quiet", &out);
  INFO(out);
  REQUIRE(rc == 0);
  for (const char *f : {"T600K/sites/sites_r0.dat", "T600K/sites/sites_r1.dat", "T900K/sites/sites.dat", "T600K/sites/summary.json",
                        "T600K/rdf/rdf.dat", "T900K/density/density_Li.cube", "T600K/spectra/spectrum.dat", "T900K/spectra/vacf.dat"}) {
    std::string a = md_test::read_file("scratch/frames_mpi_one/out/" + std::string(f));
    std::string b = md_test::read_file("scratch/frames_mpi_two/out/" + std::string(f));
    INFO(f);
    CHECK(!a.empty());
    CHECK(a == b);
  }
}

TEST_CASE("density of a low-temperature eSNAP run has its maxima on the Li sites", "[frames][density][python][cli]") {
  // 2x2x2 alpha-Li3N at 50 K: the Li density's highest grid points (one per Li ion) are each within 0.2 A of a Li
  // site of the ideal lattice, read back through ASE
  std::string d = md_test::deck("density_lowT", "structure li3n 2 2 2\nvelocity 50 seed 5\nensemble nvt 50 0.05\nthermo 50\n"
                                                "density Li every 5 spacing 0.15\nprogress 0\nrun 300\n");
  std::string out;
  REQUIRE(md_test::run("run " + d + " --quiet --device cpu", &out) == 0);
  const std::string D = "scratch/density_lowT/";
  {
    std::ofstream f(D + "check.py");
    f << "import sys\n"
         "try:\n    import numpy as np\n    from ase.io.cube import read_cube_data\n"
         "except ImportError as e:\n    print('MISSING', e); sys.exit(3)\n"
         "data, atoms = read_cube_data(sys.argv[1])\n"
         "cell = atoms.get_cell()[:]\n"
         "# Li sites of the 2x2x2 alpha-Li3N cell (fractional, unit cell): Li(1) (0,0,1/2), Li(2) (1/3,2/3,0), (2/3,1/3,0)\n"
         "unit = [(0, 0, 0.5), (1/3, 2/3, 0), (2/3, 1/3, 0)]\n"
         "sites = np.array([[(u[0] + i) / 2, (u[1] + j) / 2, (u[2] + k) / 2] for u in unit for i in range(2) for j in range(2) for k in range(2)])\n"
         "n = np.array(data.shape)\n"
         "top = np.argsort(data.ravel())[::-1][:len(sites)]\n"
         "worst = 0.0\n"
         "for q in top:\n"
         "    f = np.array(np.unravel_index(q, data.shape)) / n\n"
         "    t = sites - f\n"
         "    t -= np.rint(t)\n"
         "    worst = max(worst, np.min(np.linalg.norm(t @ cell, axis=1)))\n"
         "print('largest distance of a maximum from a Li site', worst, 'A; grid', data.shape)\n"
         "sys.exit(0 if worst < 0.2 else 1)\n";
  }
  std::string cmd = esnap_test::python() + " " + D + "check.py " + D + "out/density/density_Li.cube";
  int st = esnap_test::run_shell(cmd, &out);
  INFO(out);
  if (st == 3) esnap_test::skip_missing("numpy/ase not importable by " + esnap_test::python());
  CHECK(st == 0);
}
