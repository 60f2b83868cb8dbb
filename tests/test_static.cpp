// tools/static_properties.py (ASE + phonopy on the esnapmd calculator) checked against the eSNAP paper and numpy.
//
// The checks live in tests/static/check_static.py, run with the project's Python (ESNAP_PYTHON, the .venv of
// tools/setup.sh with ASE, phonopy and spglib); a missing module skips, and fails under CI=true. The calculator
// is the esnapmd package of python/ over this build's libesnapmd.
// Model: potentials/li3n_esnap.model with Ewald at accuracy 1e-8 (symmetric to 1e-15 eV/A on the 4-atom cell).

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "test_util.h"

namespace {

// Runs check_static.py CASE; the script prints one line per check and exits 1 at the first failure.
void run_check(const std::string &which) {
  std::string probe;
  if (esnap_test::run_shell(esnap_test::python() + " -c 'import ase, phonopy, spglib, numpy'", &probe) != 0)
    esnap_test::skip_missing("Python (" ESNAP_PYTHON ") with ASE, phonopy and spglib is not available (run tools/setup.sh): " + probe);
  std::string out;
  // the package of the source tree (python/) with the libesnapmd of this build (next to the esnapmd program)
  std::string build = ESNAP_BINARY;
  build = build.substr(0, build.find_last_of('/'));
  const std::string cmd = "PYTHONPATH='" + esnap_test::source("python") + "' ESNAPMD_BUILD_DIR='" + build + "' " + esnap_test::python() + " '" +
                          esnap_test::source("tests/static/check_static.py") + "' " + which;
  int rc = esnap_test::run_shell(cmd, &out);
  INFO(out);
  std::printf("%s", out.c_str());
  CHECK(rc == 0);
  CHECK(out.find("FAIL") == std::string::npos);
  CHECK(out.find("Traceback") == std::string::npos);
}

}  // namespace

// Cell-free relaxation of the 4-atom cell kept hexagonal: a, c within 0.002 A of the paper's eSNAP 3.641, 3.872 A;
// elastic constants from +/- 0.5 % strains with the ions relaxed: c11, c33, c44, c66 within 2 GPa of the paper's
// eSNAP column (116, 144, 17, 39 GPa), c66 = (c11 - c12)/2 within 0.1 GPa, c13 equal from e1 and e3 strains.
TEST_CASE("static lattice and elastic constants match the esnap paper", "[static][python]") { run_check("lattice_elastic"); }

// phonopy's Gamma frequencies from a 3x3x3 supercell equal the eigenvalues of the finite-difference dynamical
// matrix of the 4-atom cell (displacements 0.001 A, numpy in the script) within 5e-4 THz; acoustic modes ~ 0.
TEST_CASE("static phonopy gamma frequencies equal the unit-cell dynamical matrix", "[static][python]") { run_check("gamma"); }

// NEB images as one batch group (esnapmd.BatchCalculators, the library's batch call: on a GPU the same kernel
// launches) follow the same path as one calculator per image, bit for bit on the CPU, with one library call per
// NEB force call.
TEST_CASE("static NEB images evaluated as one batch equal one calculator per image", "[static][python][batch]") {
  run_check("neb_batch");
}
