// Is it still a crystal? The host-sublattice tracker (host/analysis/host_mobility.h): a vibrating lattice is a
// crystal with the Lindemann ratio of its displacements, a random walk of the host ions is flagged melted; the
// on-the-fly diffusion writes host.json; `esnapmd arrhenius` leaves melted temperatures out of every fit and
// needs 3 points per regime for `--break auto`. About 3 s.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "test_replica_util.h"
#include "test_study_util.h"

extern "C" {
#include "atomic_file.h"
#include "box.h"
#include "constants.h"
#include "diffusion.h"
#include "host_mobility.h"
#include "json_out.h"
}

namespace {

// n^3 simple cubic lattice of spacing a; frames: sites + gaussian noise (sd) + a random walk (step per frame)
host_result track(double sd, double walk, int frames, bool roundtrip = false) {
  const int m = 4, n = m * m * m;
  const double a = 3.0;
  md_box box;
  REQUIRE(box_set_lammps(&box, m * a, m * a, m * a, 0, 0, 0, "test") == MD_OK);
  std::mt19937_64 rng(5);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<double> x(n), y(n), z(n), wx(n, 0), wy(n, 0), wz(n, 0);
  host_tracker *t = nullptr;
  REQUIRE(host_tracker_create(&t, n, "N") == MD_OK);
  for (int f = 0; f < frames; f++) {
    for (int i = 0; i < n; i++) {
      wx[i] += walk * g(rng);
      wy[i] += walk * g(rng);
      wz[i] += walk * g(rng);
      x[i] = a * (i % m) + sd * g(rng) + wx[i];
      y[i] = a * ((i / m) % m) + sd * g(rng) + wy[i];
      z[i] = a * (i / (m * m)) + sd * g(rng) + wz[i];
    }
    REQUIRE(host_tracker_add(t, x.data(), y.data(), z.data(), 0.01 * f, &box) == MD_OK);
    if (roundtrip && f == frames / 2) {  // a checkpoint in the middle
      std::vector<unsigned char> buf(host_tracker_packed_size(t));
      REQUIRE(host_tracker_pack(t, buf.data(), buf.size()) == MD_OK);
      host_tracker *u = nullptr;
      REQUIRE(host_tracker_create(&u, n, "N") == MD_OK);
      REQUIRE(host_tracker_unpack(u, buf.data(), buf.size()) == MD_OK);
      CHECK(host_tracker_unpack(u, buf.data(), buf.size() - 8) != MD_OK);
      host_tracker_destroy(&t);
      t = u;
    }
  }
  host_result r;
  host_tracker_result(t, &r);
  host_tracker_destroy(&t);
  return r;
}

}  // namespace

TEST_CASE("host mobility: a vibrating lattice is a crystal and a random walk melted", "[host]") {
  host_result c = track(0.15, 0.0, 1000);
  CHECK(c.frames == 1000);
  CHECK(c.span == Approx(9.99));
  CHECK(c.d_nn == Approx(3.0).epsilon(0.08));
  // <|u|^2> = 3 sd^2 about the mean position; MSD from the first frame = 6 sd^2 on the plateau
  CHECK(c.lindemann == Approx(std::sqrt(3.0) * 0.15 / c.d_nn).epsilon(0.03));
  CHECK(c.msd_end == Approx(6 * 0.15 * 0.15).epsilon(0.25));
  CHECK(c.plateau_ratio == Approx(1.0).epsilon(0.4));
  CHECK(!c.melted);
  host_result c2 = track(0.15, 0.0, 1000, true);  // through a checkpoint blob: the same numbers
  CHECK(c2.lindemann == c.lindemann);
  CHECK(c2.msd_end == c.msd_end);
  host_result l = track(0.15, 0.05, 1000);  // diffusing host ions: MSD grows linearly
  CHECK(l.melted);
  CHECK(l.msd_end > 2.25);
  CHECK(l.plateau_ratio == Approx(2.0).epsilon(0.35));
  CHECK(l.lindemann > HOST_LINDEMANN_MAX);
  host_result both[2] = {c, l}, p;
  host_result_pool(both, 2, &p);
  CHECK(p.melted);  // one melted replica flags the temperature
  char line[512];
  host_result_line(&l, line, sizeof line);
  CHECK(std::string(line).find("MELTED") != std::string::npos);
}

TEST_CASE("on-the-fly diffusion and analyze report the host sublattice of a crystal", "[host][onthefly][cli]") {
  std::string d = md_test::deck("host_run", "structure li3n 2 2 2\nvelocity 300 seed 9\nensemble nvt 300 0.05\nthermo 20\n"
                                            "dump 5 all.dump precision full\ndiffusion Li every 5\nprogress 0\nrun 100\n");
  std::string out;
  REQUIRE(md_test::run("run " + d, &out) == 0);
  const std::string J = "scratch/host_run/out/diffusion/host.json";
  REQUIRE(esnap_test::exists(J));
  CHECK(md_test::read_file(J).find("\"species\": \"N\"") != std::string::npos);
  CHECK(rep_test::json_number(J, "frames") == 21);
  CHECK(rep_test::json_number(J, "d_nn_A") == Approx(3.65069).epsilon(0.05));
  CHECK(rep_test::json_number(J, "lindemann") < 0.1);
  CHECK(md_test::read_file(J).find("\"melted\": false") != std::string::npos);
  CHECK(out.find("# host N: MSD ") != std::string::npos);
  CHECK(out.find(": crystal") != std::string::npos);
  // post hoc from the trajectory of every atom: the same numbers
  REQUIRE(md_test::run("analyze scratch/host_run/out/all.dump --temperature 300 -o scratch/host_run/out/post", &out) == 0);
  CHECK(out.find("host N: MSD ") != std::string::npos);
  const std::string P = "scratch/host_run/out/post/host.json";
  for (const char *k : {"frames", "d_nn_A", "msd_end_A2", "msd_half_A2", "lindemann"})
    CHECK(rep_test::json_number(P, k) == Approx(rep_test::json_number(J, k)).epsilon(1e-9));
}

TEST_CASE("arrhenius leaves melted temperatures out and needs 3 points per regime", "[host][arrhenius][cli]") {
  const std::string dir = esnap_test::scratch("arr_melt");
  auto two = [](double T) { return T <= 625 ? 1e-3 * std::exp(-0.41 / (MD_BOLTZ * T)) : 5e-5 * std::exp(-0.26 / (MD_BOLTZ * T)) *
                                                                                          std::exp(0.15 / (MD_BOLTZ * 625)) * 20; };
  std::string args = "arrhenius";
  const double Ts[] = {400, 450, 500, 550, 600, 650, 700, 750, 1400};
  for (double t : Ts) {
    double D = t == 1400 ? 1e-2 : two(t);  // the liquid's jump
    std::string d = dir + "/T" + std::to_string((int)t);
    REQUIRE(study_test::write_point(d, t, D, 1.0, t == 1400));
    args += " " + d;
  }
  std::string out;
  int rc = esnap_test::run_cli(args + " --break auto -o " + dir + "/arr", &out);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK(out.find("the run at 1400 K melted") != std::string::npos);
  const std::string A = dir + "/arr/arrhenius.json";
  CHECK(rep_test::json_number(A, "single.D_tracer_xyz.n_points") == 8);
  CHECK(rep_test::json_number(A, "single.D_tracer_xyz.T_range_K.1") == 750);
  CHECK(rep_test::json_number(A, "two_regime.break_K") == 625);
  CHECK(rep_test::json_number(A, "two_regime.superionic.D_tracer_xyz.n_points") == 3);
  CHECK(rep_test::json_number(A, "two_regime.superionic.D_tracer_xyz.T_range_K.1") == 750);
  CHECK(rep_test::json_number(A, "two_regime.normal.D_tracer_xyz.Ea_eV.value") == Approx(0.41));
  std::string j = md_test::read_file(A);
  size_t at = j.find("\"melted\": [");
  REQUIRE(at != std::string::npos);
  std::string arr = j.substr(at, j.find(']', at) - at);
  CHECK(rep_test::count(arr, "false") == 8);
  CHECK(rep_test::count(arr, "true") == 1);
  // five crystalline temperatures: too few for 3 per regime, one regime with a note
  std::string few = "arrhenius";
  for (int k : {400, 450, 500, 650, 700, 1400}) few += " " + dir + "/T" + std::to_string(k);
  rc = esnap_test::run_cli(few + " --break auto -o " + dir + "/few", &out);
  REQUIRE(rc == 0);
  CHECK(out.find("break auto needs 6 crystalline temperatures (3 per regime), got 5: one regime only") != std::string::npos);
  CHECK(md_test::read_file(dir + "/few/arrhenius.json").find("\"two_regime\"") == std::string::npos);
}
