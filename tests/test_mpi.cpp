// Replica ensembles over MPI ranks (mpirun -np P esnapmd run DECK): the same outputs, byte for byte, as one
// process (thermo, trajectories, checkpoint, on-the-fly diffusion summary and MSD files); a run killed under
// mpirun continues with another rank count to the same outputs; more ranks than replicas is refused with one
// message. Skipped (77) without an MPI build or launcher. About 15 s on 2 cores.
#include <catch2/catch.hpp>

#include <signal.h>

#include <string>
#include <vector>

#include "test_replica_util.h"

namespace {

void need_mpi() {
  if (rep_test::mpiexec().empty()) esnap_test::skip("no MPI build or no mpirun (FindMPI's MPIEXEC_EXECUTABLE)");
}

const std::string kBody = "structure li3n 2 2 2\nvelocity 1000\nensemble nvt 1000 0.1\nreplicas 4 seed 31\nthermo 10\n"
                          "dump 20 li.xyz species Li\ndiffusion Li every 5 fit 0.01 0.05\ncheckpoint 40 run.chk\n"
                          "progress 0\nrun 120\n";

std::vector<std::string> outputs() {
  std::vector<std::string> f = {"run.chk", "diffusion/summary.json", "diffusion/msd_pooled.dat"};
  for (int k = 0; k < 4; k++) {
    std::string r = std::to_string(k);
    f.push_back("thermo_r" + r + ".dat");
    f.push_back("li_r" + r + ".xyz");
    f.push_back("diffusion/msd_replica_" + r + ".dat");
  }
  return f;
}

void compare(const std::string &a, const std::string &b) {
  for (const std::string &f : outputs()) {
    INFO(f);
    std::string x = md_test::read_file("scratch/" + a + "/out/" + f), y = md_test::read_file("scratch/" + b + "/out/" + f);
    CHECK(!x.empty());
    CHECK(x.size() == y.size());
    CHECK(x == y);
  }
}

}  // namespace

TEST_CASE("mpirun with 2 ranks gives the outputs of one process", "[mpi][replica][cli]") {
  need_mpi();
  std::string one = md_test::deck("mpi_one", kBody);
  std::string two = md_test::deck("mpi_two", kBody);
  std::string out;
  REQUIRE(md_test::run("run " + one + " --quiet", &out) == 0);
  int rc = rep_test::mpirun(2, "run " + two, &out);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK(out.find("2 MPI ranks") != std::string::npos); // the header, printed once (rank 0)
  CHECK(rep_test::count(out, "esnapmd 0.") == 1);
  CHECK(out.find("aggregate") != std::string::npos);
  compare("mpi_one", "mpi_two");
}

TEST_CASE("mpirun run killed and continued with another rank count", "[mpi][restart][cli]") {
  need_mpi();
  std::string full = md_test::deck("mpi_kill_full", kBody);
  std::string part = md_test::deck("mpi_kill_part", kBody);
  std::string out;
  REQUIRE(md_test::run("run " + full + " --quiet", &out) == 0);
  setenv("ESNAPMD_DEBUG_KILL_AT_STEP", "95", 1);
  int rc = rep_test::mpirun(2, "run " + part + " --quiet", &out);
  unsetenv("ESNAPMD_DEBUG_KILL_AT_STEP");
  INFO(out);
  REQUIRE(rc != 0);
  REQUIRE(esnap_test::exists("scratch/mpi_kill_part/out/run.chk"));
  // one checkpoint file for all replicas: continue on 3 ranks (blocks of 2, 1, 1 replicas)
  rc = rep_test::mpirun(3, "run " + part + " --quiet --restart scratch/mpi_kill_part/out/run.chk", &out);
  REQUIRE(rc == 0);
  compare("mpi_kill_full", "mpi_kill_part");
}

TEST_CASE("mpirun with more ranks than replicas is refused", "[mpi][replica][cli]") {
  need_mpi();
  std::string d = md_test::deck("mpi_too_many", "structure li3n 2 2 2\nvelocity 600\nreplicas 2 seed 5\nprogress 0\nrun 10\n");
  std::string out;
  int rc = rep_test::mpirun(3, "run " + d + " --quiet", &out);
  INFO(out);
  CHECK(rc != 0);
  CHECK(out.find("3 MPI ranks but the run has 2 replica(s): every rank needs at least one") != std::string::npos);
  CHECK(rep_test::count(out, "esnapmd: ") == 1); // one message, from rank 0
}
