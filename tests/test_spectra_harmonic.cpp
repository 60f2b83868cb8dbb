// Power spectrum of eSNAP Li3N at 2 K against the harmonic frequencies of the same cell: finite-difference
// force constants of the same model (host/ff/forcefield.h), Γ-point normal modes of the 1 x 1 x 1 cell; the spectrum's
// peaks must lie at those frequencies within the spectral resolution, and its integral must equal 2<KE> of the same
// samples (its stated normalisation). About 10 s on one core.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "test_md_util.h"
#include "test_replica_util.h"
#include "test_util.h"

extern "C" {
#include "constants.h"
#include "forcefield.h"
#include "lattice.h"
#include "model.h"
#include "system.h"
}

namespace {

// Eigenvalues of a symmetric n x n matrix (cyclic Jacobi).
std::vector<double> eigenvalues(std::vector<double> a, int n) {
  for (int sweep = 0; sweep < 100; sweep++) {
    double off = 0;
    for (int p = 0; p < n; p++)
      for (int q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off < 1e-30) break;
    for (int p = 0; p < n; p++)
      for (int q = p + 1; q < n; q++) {
        double apq = a[p * n + q];
        if (std::fabs(apq) < 1e-300) continue;
        double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        double t = (theta >= 0 ? 1 : -1) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; k++) {
          double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++) {
          double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
  }
  std::vector<double> ev(n);
  for (int k = 0; k < n; k++) ev[k] = a[k * n + k];
  std::sort(ev.begin(), ev.end());
  return ev;
}

// Harmonic frequencies (THz) of the 1 x 1 x 1 cell from central differences of the forces (h in Å).
std::vector<double> harmonic_thz(double h) {
  md_model m;
  REQUIRE(model_read(&m, model_default_path()) == MD_OK);
  md_system *s = nullptr;
  REQUIRE(lattice_li3n(&s, 1, 1, 1, 0, 0, &m) == MD_OK);
  ff_options o;
  ff_options_default(&o);
  o.quiet = 1;
  md_forcefield *ff = nullptr;
  REQUIRE(ff_create(&ff, &m, &o) == MD_OK);
  const int n = s->n, d = 3 * n;
  ff_result rp, rm;
  REQUIRE(ff_result_alloc(&rp, n, 0) == MD_OK);
  REQUIRE(ff_result_alloc(&rm, n, 0) == MD_OK);
  std::vector<double> H(d * d);
  for (int i = 0; i < n; i++)
    for (int a = 0; a < 3; a++) {
      real_t *c = a == 0 ? s->x : a == 1 ? s->y : s->z;
      double c0 = c[i];
      c[i] = c0 + h;
      REQUIRE(ff_compute(ff, s, &rp) == MD_OK);
      c[i] = c0 - h;
      REQUIRE(ff_compute(ff, s, &rm) == MD_OK);
      c[i] = c0;
      for (int j = 0; j < n; j++) {
        H[(3 * i + a) * d + 3 * j + 0] = -(rp.fx[j] - rm.fx[j]) / (2 * h);
        H[(3 * i + a) * d + 3 * j + 1] = -(rp.fy[j] - rm.fy[j]) / (2 * h);
        H[(3 * i + a) * d + 3 * j + 2] = -(rp.fz[j] - rm.fz[j]) / (2 * h);
      }
    }
  std::vector<double> D(d * d);
  for (int p = 0; p < d; p++)
    for (int q = 0; q < d; q++)
      D[p * d + q] = 0.5 * (H[p * d + q] + H[q * d + p]) / std::sqrt(m.mass[s->type[p / 3]] * m.mass[s->type[q / 3]]);
  std::vector<double> ev = eigenvalues(D, d), f;
  for (double l : ev) f.push_back(l > 0 ? std::sqrt(l / MD_MVV2E) / (2 * M_PI) : 0.0); // (eV/Å²)/(g/mol) -> 1/ps² -> THz
  ff_result_free(&rp);
  ff_result_free(&rm);
  ff_destroy(&ff);
  system_destroy(&s);
  return f;
}

}  // namespace

TEST_CASE("power spectrum of eSNAP Li3N at 2 K peaks at its harmonic frequencies", "[frames][spectra][cli]") {
  std::vector<double> f = harmonic_thz(0.005);
  REQUIRE(f.size() == 12u);
  for (int k = 0; k < 3; k++) CHECK(std::fabs(f[k]) < 0.3); // the three acoustic modes at Γ
  std::vector<double> optical(f.begin() + 3, f.end());
  for (double v : optical) CHECK(v > 1.0);
  // NVE from 2 K (equipartition brings it to ~1 K; at 20 K the soft 2 THz mode is already shifted by anharmonicity),
  // samples every 4 fs, segments of 512 samples
  const int every = 4, W = 512;
  const double dts = every * 0.001, res = 1.0 / (W * dts);
  std::string d = md_test::deck("spectra_harmonic", "structure li3n 1 1 1\nvelocity 2 seed 5\nensemble nve\nthermo 4\n"
                                                    "spectra every 4 window 512\nprogress 0\nrun 4096\n");
  std::string out;
  REQUIRE(md_test::run("run " + d + " --quiet", &out) == 0);
  const std::string D = "scratch/spectra_harmonic/out/";
  std::vector<double> fr, S;
  for (const std::string &line : rep_test::data_lines(D + "spectra/spectrum.dat")) {
    std::istringstream is(line);
    double a, b, li, nn, tot;
    is >> a >> b >> li >> nn >> tot;
    fr.push_back(a);
    S.push_back(tot);
  }
  REQUIRE(fr.size() == (size_t)W + 1);
  double smax = *std::max_element(S.begin(), S.end());
  std::vector<double> peaks;
  for (size_t q = 1; q + 1 < S.size(); q++)
    if (S[q] > S[q - 1] && S[q] >= S[q + 1] && S[q] > 0.01 * smax) peaks.push_back(fr[q]);
  std::ostringstream msg;
  msg << "harmonic (THz):";
  for (double v : optical) msg << " " << v;
  msg << "; spectral peaks (THz):";
  for (double v : peaks) msg << " " << v;
  msg << "; resolution " << res << " THz";
  INFO(msg.str());
  REQUIRE(!peaks.empty());
  // every peak is a harmonic frequency, within the resolution
  for (double p : peaks) {
    double best = 1e9;
    for (double v : optical) best = std::fmin(best, std::fabs(p - v));
    CHECK(best <= res);
  }
  // every harmonic frequency has a peak within the resolution (modes closer than the resolution count as one)
  for (double v : optical) {
    double best = 1e9;
    for (double p : peaks) best = std::fmin(best, std::fabs(p - v));
    CHECK(best <= res);
  }
  // the integral: the header's value equals 2<KE> over the same samples (steps 0, 4, ..., 4092: 2 whole segments)
  std::string text = md_test::read_file(D + "spectra/spectrum.dat");
  size_t at = text.find("Here: integral ");
  REQUIRE(at != std::string::npos);
  double integral = std::stod(text.substr(at + 15));
  double ke = 0;
  int nke = 0;
  for (const std::string &line : rep_test::data_lines(D + "thermo.dat")) {
    std::istringstream is(line);
    long step;
    double t, temp, pe, k;
    is >> step >> t >> temp >> pe >> k;
    if (step < 2 * W * every) {
      ke += k;
      nke++;
    }
  }
  REQUIRE(nke == 2 * W);
  CHECK(integral == Approx(2 * ke / nke).epsilon(1e-6));
}
