// `esnapmd analyze` end to end: the LAMMPS 1200 K trajectory against LAMMPS-side all-origins numbers, the same
// trajectory as extended XYZ, wrapped / image-flag / shuffled / type-column dumps, and bad inputs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <numeric>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "test_util.h"

extern "C" {
#include "diffusion.h"
#include "io_dump.h"
#include "io_xyz.h"
#include "json_out.h"
#include "system.h"
}

using esnap_test::data;
using esnap_test::run_cli;
using esnap_test::scratch;

namespace {

struct Frame {
  long long step;
  md_box box;
  double origin[3];
  std::vector<long long> id;
  std::vector<double> x, y, z;
};

std::vector<Frame> read_dump(const std::string &path) {
  dump_reader *r = nullptr;
  REQUIRE(dump_open(&r, path.c_str()) == MD_OK);
  dump_frame f;
  memset(&f, 0, sizeof f);
  std::vector<Frame> out;
  for (;;) {
    int eof = 0;
    REQUIRE(dump_read_frame(r, &f, &eof) == MD_OK);
    if (eof) break;
    Frame fr;
    fr.step = f.step;
    fr.box = f.box;
    for (int d = 0; d < 3; d++) fr.origin[d] = f.origin[d];
    for (int i = 0; i < f.n; i++) {
      fr.id.push_back(f.id[i]);
      fr.x.push_back(f.x[i]);
      fr.y.push_back(f.y[i]);
      fr.z.push_back(f.z[i]);
    }
    out.push_back(fr);
  }
  dump_frame_free(&f);
  dump_close(&r);
  return out;
}

std::map<std::string, double> summary(const std::string &dir) {
  char *text = nullptr;
  REQUIRE(read_text_file((dir + "/summary.json").c_str(), &text, nullptr) == MD_OK);
  std::map<std::string, double> m;
  for (const char *q : {"D_tracer", "D_charge", "haven_ratio", "conductivity"})
    for (const char *c : {"xyz", "xy", "z"})
      for (const char *w : {"value", "stderr"}) {
        std::string k = std::string(q) + "_" + c + "." + w;
        double v;
        REQUIRE(json_get_number(text, k.c_str(), &v) == 1);
        m[k] = v;
      }
  for (const char *k : {"temperature", "n_replicas", "n_ions", "volume"}) {
    double v;
    REQUIRE(json_get_number(text, k, &v) == 1);
    m[k] = v;
  }
  free(text);
  return m;
}

void same(const std::map<std::string, double> &a, const std::map<std::string, double> &b, double rel) {
  for (auto &kv : a) {
    INFO(kv.first);
    double y = b.at(kv.first);
    REQUIRE(std::fabs(kv.second - y) <= rel * std::fabs(y));
  }
}

const char *kOpts = " --species Li --temperature 1200 --timestep 0.001 --fit-window 2 25 --quiet";

// LAMMPS triclinic header from a box and origin
void write_header(FILE *fp, const Frame &f, int n, const char *cols) {
  const double *h = f.box.h;
  double xy = h[3], xz = h[6], yz = h[7], lx = h[0], ly = h[4], lz = h[8];
  double xlo = f.origin[0], ylo = f.origin[1], zlo = f.origin[2];
  double xmin = std::min({0.0, xy, xz, xy + xz}), xmax = std::max({0.0, xy, xz, xy + xz});
  fprintf(fp, "ITEM: TIMESTEP\n%lld\nITEM: NUMBER OF ATOMS\n%d\nITEM: BOX BOUNDS xy xz yz pp pp pp\n", f.step, n);
  fprintf(fp, "%.17g %.17g %.17g\n%.17g %.17g %.17g\n%.17g %.17g %.17g\n", xlo + xmin, xlo + lx + xmax, xy,
          ylo + std::min(0.0, yz), ylo + ly + std::max(0.0, yz), xz, zlo, zlo + lz, yz);
  fprintf(fp, "ITEM: ATOMS %s\n", cols);
}

}  // namespace

TEST_CASE("analyze LAMMPS 1200 K dump matches LAMMPS all-origins D", "[analyze][cli]") {
  std::string dir = scratch("analyze_lammps_1200K"), out;
  int rc = run_cli("analyze " + data("lammps_li_1200K.dump.gz") + kOpts + " -o " + dir, &out);
  INFO(out);
  REQUIRE(rc == 0);
  auto s = summary(dir);
  // LAMMPS-side all-origins straight-line fit over 2-25 ps (shared/reference/README.md)
  REQUIRE(std::fabs(s["D_tracer_xyz.value"] / 3.82e-5 - 1) < 0.02);
  REQUIRE(std::fabs(s["D_tracer_xy.value"] / 4.36e-5 - 1) < 0.02);
  REQUIRE(std::fabs(s["D_tracer_z.value"] / 2.75e-5 - 1) < 0.02);
  WARN("D* xyz/xy/z = " << s["D_tracer_xyz.value"] << " " << s["D_tracer_xy.value"] << " " << s["D_tracer_z.value"]);
  REQUIRE(s["n_ions"] == 375);
  REQUIRE(s["n_replicas"] == 1);
  REQUIRE(std::fabs(s["volume"] - 18.25345 * 15.80795 * 19.443175) < 1e-6);
  // one replica: uncertainty from the random-walk model (kinisi gives 1.2e-6 on the same data)
  REQUIRE(s["D_tracer_xyz.stderr"] > 0.5e-6);
  REQUIRE(s["D_tracer_xyz.stderr"] < 3e-6);
  // the MSD files exist and say their units and columns
  for (const char *f : {"/msd_pooled.dat", "/msd_replica_0.dat"}) {
    FILE *fp = fopen((dir + f).c_str(), "r");
    REQUIRE(fp);
    char line[512];
    std::string head;
    while (fgets(line, sizeof line, fp) && line[0] == '#') head += line;
    fclose(fp);
    REQUIRE(head.find("lag_ps count tracer_xy tracer_z tracer_xyz charge_xy charge_z charge_xyz") != std::string::npos);
    REQUIRE(head.find("Å^2") != std::string::npos);
  }
}

TEST_CASE("analyze extended XYZ gives the same summary as the dump", "[analyze][cli]") {
  std::string dir = scratch("analyze_xyz");
  auto frames = read_dump(data("lammps_li_1200K.dump.gz"));
  REQUIRE(frames.size() == 501);
  std::string xyz = dir + "/li_1200K.xyz";
  FILE *fp = fopen(xyz.c_str(), "w");
  REQUIRE(fp);
  md_system *s = nullptr;
  int n = (int)frames[0].id.size();
  REQUIRE(system_create(&s, n) == MD_OK);
  s->nelem = 1;
  snprintf(s->elem[0], MD_NAME_LEN, "Li");
  for (auto &f : frames) {
    // sort by id as the analysis does, then write (type 0 = Li, image counts 0: positions are unwrapped)
    std::vector<int> p(n);
    std::iota(p.begin(), p.end(), 0);
    std::sort(p.begin(), p.end(), [&](int a, int b) { return f.id[a] < f.id[b]; });
    s->box = f.box;
    for (int i = 0; i < n; i++) {
      s->x[i] = f.x[p[i]];
      s->y[i] = f.y[p[i]];
      s->z[i] = f.z[p[i]];
    }
    char t[64], st[64];
    snprintf(t, sizeof t, "%.10g", f.step * 0.001);
    snprintf(st, sizeof st, "%lld", f.step);
    xyz_info info[2] = {{"time", t}, {"step", st}};
    REQUIRE(xyz_write_frame(fp, xyz.c_str(), s, 1, 0, info, 2, nullptr, 0, nullptr) == MD_OK);
  }
  fclose(fp);
  system_destroy(&s);
  std::string out;
  REQUIRE(run_cli("analyze " + data("lammps_li_1200K.dump.gz") + kOpts + " -o " + dir + "/a", &out) == 0);
  std::string opts = " --species Li --temperature 1200 --fit-window 2 25 --quiet";
  REQUIRE(run_cli("analyze " + xyz + opts + " -o " + dir + "/b", &out) == 0);
  INFO(out);
  same(summary(dir + "/b"), summary(dir + "/a"), 1e-12);
}

TEST_CASE("analyze wrapped image-flag and shuffled dumps give the same numbers", "[analyze][cli]") {
  std::string dir = scratch("analyze_wrapped");
  auto frames = read_dump(data("lammps_li_1200K.dump.gz"));
  std::mt19937 g(5);
  std::string wrapped = dir + "/wrapped.dump", images = dir + "/images.dump";
  FILE *fw = fopen(wrapped.c_str(), "w"), *fi = fopen(images.c_str(), "w");
  REQUIRE(fw);
  REQUIRE(fi);
  for (auto &f : frames) {
    int n = (int)f.id.size();
    std::vector<int> p(n);
    std::iota(p.begin(), p.end(), 0);
    std::shuffle(p.begin(), p.end(), g);  // atoms in a different order every frame
    write_header(fw, f, n, "id type x y z");
    write_header(fi, f, n, "id type x y z ix iy iz");
    const double *h = f.box.h, *hi = f.box.hinv;
    for (int k = 0; k < n; k++) {
      int i = p[k];
      double r[3] = {f.x[i] - f.origin[0], f.y[i] - f.origin[1], f.z[i] - f.origin[2]}, s[3], w[3];
      long im[3];
      for (int c = 0; c < 3; c++) s[c] = r[0] * hi[c] + r[1] * hi[3 + c] + r[2] * hi[6 + c];
      for (int c = 0; c < 3; c++) {
        im[c] = (long)std::floor(s[c]);
        s[c] -= im[c];
      }
      for (int c = 0; c < 3; c++) w[c] = f.origin[c] + s[0] * h[c] + s[1] * h[3 + c] + s[2] * h[6 + c];
      fprintf(fw, "%lld 1 %.17g %.17g %.17g\n", f.id[i], w[0], w[1], w[2]);
      fprintf(fi, "%lld 1 %.17g %.17g %.17g %ld %ld %ld\n", f.id[i], w[0], w[1], w[2], im[0], im[1], im[2]);
    }
  }
  fclose(fw);
  fclose(fi);
  std::string out;
  REQUIRE(run_cli("analyze " + data("lammps_li_1200K.dump.gz") + kOpts + " -o " + dir + "/ref", &out) == 0);
  auto ref = summary(dir + "/ref");
  REQUIRE(run_cli("analyze " + wrapped + kOpts + " -o " + dir + "/w", &out) == 0);
  REQUIRE(out.find("unwrapped by minimum image") != std::string::npos);
  same(summary(dir + "/w"), ref, 1e-9);
  REQUIRE(run_cli("analyze " + images + kOpts + " -o " + dir + "/i", &out) == 0);
  same(summary(dir + "/i"), ref, 1e-9);
}

namespace {
// exactly one line "esnapmd: <path>:<line>: ...", non-zero exit
void bad(const std::string &args, const std::string &path, const std::string &what, bool want_line = true) {
  std::string out;
  int rc = run_cli("analyze " + args, &out);
  INFO(out);
  REQUIRE(rc != 0);
  REQUIRE(std::count(out.begin(), out.end(), '\n') == 1);
  REQUIRE(out.find("esnapmd: " + path) == 0);
  if (want_line) REQUIRE(std::regex_search(out, std::regex(":[0-9]+: ")));
  REQUIRE(out.find(what) != std::string::npos);
}
}  // namespace

TEST_CASE("analyze bad inputs give one line with file and line", "[analyze][cli]") {
  std::string dir = scratch("analyze_bad");
  auto frames = read_dump(data("lammps_li_1200K.dump.gz"));
  frames.resize(4);
  int n = (int)frames[0].id.size();
  auto write = [&](const std::string &path, int nframes, int cut_last, int drop_atom_from) {
    FILE *fp = fopen(path.c_str(), "w");
    REQUIRE(fp);
    for (int k = 0; k < nframes; k++) {
      auto &f = frames[k];
      int m = (drop_atom_from >= 0 && k >= drop_atom_from) ? n - 1 : n;
      write_header(fp, f, m, "id type xu yu zu");
      int lines = (k == nframes - 1 && cut_last) ? cut_last : m;
      for (int i = 0; i < lines; i++) fprintf(fp, "%lld 1 %.10g %.10g %.10g\n", f.id[i], f.x[i], f.y[i], f.z[i]);
    }
    fclose(fp);
  };
  std::string opts = " --temperature 1200 --timestep 0.001 -o " + dir + "/out";
  bad(dir + "/missing.dump" + opts, dir + "/missing.dump", "cannot open", false);
  write(dir + "/trunc.dump", 3, 100, -1);
  bad(dir + "/trunc.dump" + opts, dir + "/trunc.dump", "truncated frame");
  write(dir + "/count.dump", 4, 0, 2);
  bad(dir + "/count.dump" + opts, dir + "/count.dump", "has 374 atoms, the first frame had 375");
  write(dir + "/ok.dump", 4, 0, -1);
  bad(dir + "/ok.dump --species N" + opts, dir + "/ok.dump", "no atoms of species N");
  // a missing frame (steps 0 100 300): frames must be equally spaced
  {
    FILE *fp = fopen((dir + "/gap.dump").c_str(), "w");
    REQUIRE(fp);
    for (int k : {0, 1, 3}) {
      write_header(fp, frames[k], n, "id xu yu zu");
      for (int i = 0; i < n; i++) fprintf(fp, "%lld %.10g %.10g %.10g\n", frames[k].id[i], frames[k].x[i], frames[k].y[i], frames[k].z[i]);
    }
    fclose(fp);
  }
  bad(dir + "/gap.dump" + opts, dir + "/gap.dump", "none missing");
  // times unknown without --timestep
  bad(dir + "/ok.dump --temperature 1200 -o " + dir + "/out", dir + "/ok.dump", "--timestep");
  std::string out;
  REQUIRE(run_cli("analyze " + dir + "/ok.dump" + opts + " --fit-window 0.1 0.2", &out) == 0);
}

TEST_CASE("analyze mixed-species dumps select the species by type or element", "[analyze][cli]") {
  // the Li trajectory with 125 N atoms added (ids after Li, fixed), as type column and as element column
  std::string dir = scratch("analyze_mixed");
  auto frames = read_dump(data("lammps_li_1200K.dump.gz"));
  std::string ft = dir + "/types.dump", fe = dir + "/elements.dump";
  FILE *a = fopen(ft.c_str(), "w"), *b = fopen(fe.c_str(), "w");
  REQUIRE(a);
  REQUIRE(b);
  for (auto &f : frames) {
    int n = (int)f.id.size();
    write_header(a, f, n + 125, "id type xu yu zu");
    write_header(b, f, n + 125, "id element xu yu zu");
    for (int k = 0; k < 125; k++) {  // N first: the reader sorts by id
      fprintf(a, "%d 2 %.3f %.3f %.3f\n", 10000 + k, 0.1 * k, 0.2 * k, 0.05 * k);
      fprintf(b, "%d N %.3f %.3f %.3f\n", 10000 + k, 0.1 * k, 0.2 * k, 0.05 * k);
    }
    for (int i = 0; i < n; i++) {
      fprintf(a, "%lld 1 %.10g %.10g %.10g\n", f.id[i], f.x[i], f.y[i], f.z[i]);
      fprintf(b, "%lld Li %.10g %.10g %.10g\n", f.id[i], f.x[i], f.y[i], f.z[i]);
    }
  }
  fclose(a);
  fclose(b);
  std::string out;
  REQUIRE(run_cli("analyze " + data("lammps_li_1200K.dump.gz") + kOpts + " -o " + dir + "/ref", &out) == 0);
  auto ref = summary(dir + "/ref");
  REQUIRE(run_cli("analyze " + ft + kOpts + " -o " + dir + "/t", &out) == 0);
  REQUIRE(out.find("--types Li,N") != std::string::npos);  // the default type map is announced
  same(summary(dir + "/t"), ref, 1e-12);
  REQUIRE(run_cli("analyze " + fe + kOpts + " -o " + dir + "/e", &out) == 0);
  same(summary(dir + "/e"), ref, 1e-12);
  // the N atoms (fixed here): D = 0
  REQUIRE(run_cli("analyze " + fe + " --species N --temperature 1200 --timestep 0.001 --fit-window 2 25 --quiet -o " + dir + "/n",
                  &out) == 0);
  REQUIRE(summary(dir + "/n")["D_tracer_xyz.value"] == 0.0);
}

TEST_CASE("analyze several files as replicas pools them and bootstraps over replicas", "[analyze][cli]") {
  // the 50-ps trajectory cut into two 25-ps replicas: pooled curve = sum of the two; stderr from 2 replicas
  std::string dir = scratch("analyze_replicas");
  auto frames = read_dump(data("lammps_li_1200K.dump.gz"));
  for (int r = 0; r < 2; r++) {
    FILE *fp = fopen((dir + "/rep" + std::to_string(r) + ".dump").c_str(), "w");
    REQUIRE(fp);
    for (int k = 250 * r; k <= 250 * (r + 1); k++) {
      auto &f = frames[k];
      write_header(fp, f, (int)f.id.size(), "id xu yu zu");
      for (size_t i = 0; i < f.id.size(); i++) fprintf(fp, "%lld %.10g %.10g %.10g\n", f.id[i], f.x[i], f.y[i], f.z[i]);
    }
    fclose(fp);
  }
  std::string out, opts = " --temperature 1200 --timestep 0.001 --fit-window 2 20 --quiet -o ";
  REQUIRE(run_cli("analyze " + dir + "/rep0.dump " + dir + "/rep1.dump" + opts + dir + "/both", &out) == 0);
  auto s = summary(dir + "/both");
  REQUIRE(s["n_replicas"] == 2);
  REQUIRE(s["D_tracer_xyz.stderr"] > 0);
  char *text = nullptr;
  REQUIRE(read_text_file((dir + "/both/summary.json").c_str(), &text, nullptr) == MD_OK);
  REQUIRE(std::string(text).find("bootstrap over 2 replicas") != std::string::npos);
  free(text);
  // pooled MSD: count-weighted mean of the two replica files
  auto load = [](const std::string &p) {
    std::vector<std::vector<double>> rows;
    FILE *fp = fopen(p.c_str(), "r");
    REQUIRE(fp);
    char line[1024];
    while (fgets(line, sizeof line, fp)) {
      if (line[0] == '#') continue;
      std::vector<double> v(8);
      REQUIRE(sscanf(line, "%lf %lf %lf %lf %lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8);
      rows.push_back(v);
    }
    fclose(fp);
    return rows;
  };
  auto p = load(dir + "/both/msd_pooled.dat"), a = load(dir + "/both/msd_replica_0.dat"), b = load(dir + "/both/msd_replica_1.dat");
  REQUIRE(p.size() == a.size());
  REQUIRE(p.size() == b.size());
  for (size_t k = 0; k < p.size(); k++) {
    REQUIRE(p[k][1] == a[k][1] + b[k][1]);
    for (int c = 2; c < 8; c++) {
      double want = (a[k][1] * a[k][c] + b[k][1] * b[k][c]) / p[k][1];
      REQUIRE(std::fabs(p[k][c] - want) <= 1e-9 * std::fabs(want) + 1e-12);
    }
  }
}

TEST_CASE("on-the-fly tracker fed from a system gives the same summary as analyze", "[analyze][cli]") {
  // The MD engine's path: wrapped positions + image counts in an md_system, fed every frame with
  // diffusion_tracker_add_system, written with diffusion_write; against `esnapmd analyze` on the dump.
  std::string dir = scratch("analyze_on_the_fly");
  auto frames = read_dump(data("lammps_li_1200K.dump.gz"));
  int n = (int)frames[0].id.size();
  md_system *s = nullptr;
  REQUIRE(system_create(&s, n) == MD_OK);
  s->nelem = 1;
  snprintf(s->elem[0], MD_NAME_LEN, "Li");
  diff_options o;
  diff_options_default(&o);
  int mask[1] = {1};
  diffusion_tracker *t = nullptr;
  REQUIRE(diffusion_tracker_create(&t, n, s->type, mask, 1, 0.1, &o) == MD_OK);
  for (auto &f : frames) {
    std::vector<int> p(n);
    std::iota(p.begin(), p.end(), 0);
    std::sort(p.begin(), p.end(), [&](int a, int b) { return f.id[a] < f.id[b]; });
    s->box = f.box;
    for (int i = 0; i < n; i++) {
      s->x[i] = f.x[p[i]];
      s->y[i] = f.y[p[i]];
      s->z[i] = f.z[p[i]];
      s->ix[i] = s->iy[i] = s->iz[i] = 0;
    }
    system_wrap(s);  // as the engine holds them: in the cell, with image counts
    s->time = f.step * 0.001;
    REQUIRE(diffusion_tracker_add_system(t, s) == MD_OK);
  }
  diff_report_options r;
  diff_report_options_default(&r);
  r.temperature = 1200;
  r.volume = frames[0].box.volume;
  r.fit_t0 = 2;
  r.fit_t1 = 25;
  r.quiet = 1;
  REQUIRE(diffusion_write((dir + "/fly").c_str(), &t, 1, &r, nullptr) == MD_OK);
  diffusion_tracker_destroy(&t);
  system_destroy(&s);
  std::string out;
  REQUIRE(run_cli("analyze " + data("lammps_li_1200K.dump.gz") + kOpts + " -o " + dir + "/post", &out) == 0);
  same(summary(dir + "/fly"), summary(dir + "/post"), 1e-9);
}
