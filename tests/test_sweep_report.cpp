// The sweep report (esnapmd report, app/sweep_report.c) and its figures (tools/plot_sweep.py) on synthetic
// per-temperature directories with every input a study writes: heatcap.json, diffusion summary and host.json,
// site defects, RDFs, power spectra, density slices. The eq. 8 defect fits give back the planted formation
// energies per regime; the melted temperature is left out. About 10 s (Python).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>

#include "test_replica_util.h"
#include "test_study_util.h"

extern "C" {
#include "atomic_file.h"
#include "constants.h"
#include "diffusion.h"
#include "heatcap_io.h"
#include "host_mobility.h"
}

namespace {

std::string sh(const std::string &cmd, int *rc) {
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  std::string text;
  char buf[4096];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int st = p ? pclose(p) : -1;
  *rc = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
  return text;
}

const double kBreak = 625, kEfN = 0.72, kEfS = 0.38;
// vacant fraction [V] = A exp(-E_f / 2kT), continuous at the break
double vacancy(double T) {
  double k = MD_BOLTZ;
  return T <= kBreak ? 0.5 * std::exp(-kEfN / (2 * k * T))
                     : 0.5 * std::exp(-kEfN / (2 * k * kBreak)) * std::exp(-kEfS / (2 * k * T) + kEfS / (2 * k * kBreak));
}
double dstar(double T) {
  double k = MD_BOLTZ;
  return T <= kBreak ? 1e-2 * std::exp(-0.41 / (k * T))
                     : 1e-2 * std::exp(-0.41 / (k * kBreak)) * std::exp(-0.26 / (k * T) + 0.26 / (k * kBreak));
}

}  // namespace

TEST_CASE("sweep report and figures from synthetic temperature directories", "[report][plots][cli]") {
  const std::string out = esnap_test::scratch("sweep_report");
  const double Ts[] = {400, 450, 500, 550, 600, 650, 700, 750, 800, 1400};
  const int N = 32;
  hc_point pts[10];
  std::string dirs;
  for (int i = 0; i < 10; i++) {
    double T = Ts[i];
    bool melt = T == 1400;
    std::string d = out + "/T" + std::to_string((int)T) + "K";
    REQUIRE(make_dirs(d.c_str()) == MD_OK);
    // heat capacity: E = 3 N k T + a step at 610 K (the largest central difference at 600 K)
    hc_point &p = pts[i];
    std::memset(&p, 0, sizeof p);
    p.T = T;
    p.natoms = N;
    p.nrep = 1;
    p.skip_ps = 5;
    p.n = 1000;
    p.nblocks = 50;
    p.E = -130 + 3 * N * MD_BOLTZ * T + 0.3 * std::tanh((T - 610) / 40);
    p.E_err = 1e-3;
    p.var = 3 * N * MD_BOLTZ * MD_BOLTZ * T * T;
    p.var_err = 0.1 * p.var;
    p.cv = p.var / (MD_BOLTZ * T * T);
    p.cv_err = 0.1 * p.cv;
    REQUIRE(hc_write_point((d + "/heatcap.json").c_str(), &p, nullptr, 0) == MD_OK);
    // diffusion and host
    REQUIRE(study_test::write_point(d + "/diffusion", T, melt ? 1e-3 : dstar(T), 0.5, melt));
    // the site projection's summary, RDF, spectrum (h-sites' formats)
    REQUIRE(make_dirs((d + "/sites").c_str()) == MD_OK);
    double v = melt ? 0.2 : vacancy(T);
    char js[1024];
    std::snprintf(js, sizeof js,
                  "{\"vacant_fraction\": {\"Li1\": {\"mean\": %.17g, \"stderr\": %.17g}, \"Li2\": {\"mean\": %.17g, \"stderr\": %.17g}, "
                  "\"Li\": {\"mean\": %.17g, \"stderr\": %.17g}},\n \"multiple_fraction\": {\"Li1\": {\"mean\": 0.001, \"stderr\": 1e-4}, "
                  "\"Li2\": {\"mean\": 0.002, \"stderr\": 1e-4}, \"Li\": {\"mean\": 0.0015, \"stderr\": 1e-4}}}\n",
                  0.5 * v, 0.01 * v, v, 0.02 * v, 0.8 * v, 0.01 * v);
    md_test::write_file(d + "/sites/summary.json", js);
    REQUIRE(make_dirs((d + "/rdf").c_str()) == MD_OK);
    std::string rdf = "# r_A g_LiLi g_LiN g_NN n_LiLi n_LiN n_NN\n";
    for (int k = 1; k <= 100; k++) {
      double x = 0.06 * k, g = 1 + std::exp(-(x - 2.1) * (x - 2.1) / (0.02 * T / 300)) * 3;
      rdf += std::to_string(x) + " " + std::to_string(g) + " " + std::to_string(g) + " " + std::to_string(g) + " 0 0 0\n";
    }
    md_test::write_file(d + "/rdf/rdf.dat", rdf);
    REQUIRE(make_dirs((d + "/spectra").c_str()) == MD_OK);
    std::string sp = "# f_THz f_cm-1 Li N total\n";
    for (int k = 0; k < 200; k++) {
      double f = 0.1 * k, s = std::exp(-(f - 8) * (f - 8) / (1 + T / 300));
      sp += std::to_string(f) + " " + std::to_string(f * 33.356) + " " + std::to_string(s) + " " + std::to_string(s) + " " +
            std::to_string(2 * s) + "\n";
    }
    md_test::write_file(d + "/spectra/spectrum.dat", sp);
    dirs += " " + d + "/diffusion";
  }
  REQUIRE(hc_write_series((out + "/heatcap").c_str(), pts, 10, "test") == MD_OK);
  std::string text;
  REQUIRE(md_test::run("arrhenius" + dirs + " --break auto -o " + out + "/arrhenius", &text) == 0);
  REQUIRE(md_test::run("report " + out, &text) == 0);
  const std::string R = out + "/report.json";
  REQUIRE(esnap_test::exists(R));
  CHECK(rep_test::json_number(R, "Ts.value_K") == 600);
  CHECK(rep_test::json_number(R, "Ts.low_K") == 550);
  CHECK(rep_test::json_number(R, "Ts.high_K") == 650);
  CHECK(rep_test::json_number(R, "n_melted") == 1);
  CHECK(rep_test::json_number(R, "diffusion_fits.break_K") == 625);
  CHECK(rep_test::json_number(R, "diffusion_fits.D_tracer_xyz.Ea_normal_eV") == Approx(0.41).epsilon(1e-6));
  CHECK(rep_test::json_number(R, "diffusion_fits.D_tracer_xyz.Ea_superionic_eV") == Approx(0.26).epsilon(1e-6));
  // eq. 8 per regime, same break as D*, melted 1400 K left out
  CHECK(rep_test::json_number(R, "defect_fits.Li2.normal.E_f_eV.value") == Approx(kEfN).epsilon(1e-6));
  CHECK(rep_test::json_number(R, "defect_fits.Li2.superionic.E_f_eV.value") == Approx(kEfS).epsilon(1e-6));
  CHECK(rep_test::json_number(R, "defect_fits.Li1.normal.E_f_eV.value") == Approx(kEfN).epsilon(1e-6));
  CHECK(rep_test::json_number(R, "defect_fits.Li.single.n_points") == 9);
  CHECK(rep_test::json_number(R, "per_temperature.9.temperature_K") == 1400);
  CHECK(rep_test::json_number(R, "per_temperature.3.vacant_fraction.Li2.value") == Approx(vacancy(550)));
  CHECK(rep_test::json_number(R, "per_temperature.3.equilibration_skipped_ps") == 5);
  CHECK(md_test::read_file(R).find("\"melted\": true") != std::string::npos);
  CHECK(md_test::read_file(R).find("spectra/spectrum.dat") != std::string::npos);
  // figures
  int rc = 0;
  std::string probe = sh(esnap_test::python() + " -c 'import matplotlib, numpy'", &rc);
  if (rc != 0) esnap_test::skip_missing("Python (" ESNAP_PYTHON ") with matplotlib and numpy is not available (run tools/setup.sh): " + probe);
  // density slices as h-sites writes them: PNGs in T<T>K/density/
  for (double T : {400.0, 800.0}) {
    std::string d = out + "/T" + std::to_string((int)T) + "K/density";
    REQUIRE(make_dirs(d.c_str()) == MD_OK);
    std::string cmd = esnap_test::python() + " -c \"import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as p; "
                      "import numpy as n; p.imsave('" + d + "/slice_li2_n.png', n.random.default_rng(1).random((40, 40)))\"";
    text = sh(cmd, &rc);
    INFO(text);
    REQUIRE(rc == 0);
  }
  text = sh(esnap_test::python() + " '" + esnap_test::source("tools/plot_sweep.py") + "' " + out, &rc);
  INFO(text);
  REQUIRE(rc == 0);
  for (const char *f : {"cv.png", "diffusion.png", "defects.png", "density.png", "rdf.png", "spectra.png"}) {
    INFO(f);
    CHECK(text.find(std::string(f) + ": written") != std::string::npos);
    std::string png = md_test::read_file(out + "/figures/" + f);
    CHECK(png.size() > 5000);
    CHECK(png.compare(0, 4, "\x89PNG") == 0);
  }
}
