// test_study_util.h — synthetic per-temperature outputs of a sweep for the tests of arrhenius, the melt check
// and the sweep report: a diffusion summary.json and a host.json as the runs write them.
#ifndef ESNAP_TEST_STUDY_UTIL_H
#define ESNAP_TEST_STUDY_UTIL_H

#include <cstdio>
#include <cstring>
#include <string>

extern "C" {
#include "atomic_file.h"
#include "constants.h"
#include "diffusion.h"
#include "host_mobility.h"
}

namespace study_test {

// dir/summary.json of 24 Li in 400 Å³ at T with D* = d (z: d * z_factor), Dσ = d; dir/host.json of a crystal
// (N MSD plateau 0.3 Å², δ 0.08) or, melted, of a liquid (23 Å², δ 0.6). Returns false when a write failed.
inline bool write_point(const std::string &dir, double T, double d, double z_factor, bool melted) {
  if (make_dirs(dir.c_str()) != MD_OK) return false;
  diff_results r;
  std::memset(&r, 0, sizeof r);
  std::snprintf(r.species, sizeof r.species, "Li");
  r.n_ions = 24;
  r.n_replicas = 4;
  r.temperature = T;
  r.volume = 400;
  r.molar_density = 24 / (MD_AVOGADRO * 400 * 1e-24);
  for (int q = 0; q < 3; q++) {
    double v = q == 2 ? d * z_factor : d;
    r.d_tracer[q] = {v, 0.02 * v};
    r.d_charge[q] = {d, 0.05 * d};
    r.haven[q] = {1, 0.1};
  }
  if (diffusion_write_summary((dir + "/summary.json").c_str(), &r, "synthetic") != MD_OK) return false;
  host_result h;
  std::memset(&h, 0, sizeof h);
  std::snprintf(h.species, sizeof h.species, "N");
  h.n_ions = 8;
  h.frames = 100;
  h.d_nn = 3.65;
  h.msd_end = melted ? 23 : 0.3;
  h.msd_half = melted ? 12 : 0.3;
  h.plateau_ratio = h.msd_end / h.msd_half;
  h.lindemann = melted ? 0.6 : 0.08;
  h.melted = melted;
  return host_write_json((dir + "/host.json").c_str(), &h, 1) == MD_OK;
}

}  // namespace study_test

#endif
