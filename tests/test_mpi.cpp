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
  if (rep_test::mpiexec().empty()) esnap_test::skip_missing("no MPI build or no mpirun (FindMPI's MPIEXEC_EXECUTABLE; run tools/setup.sh)");
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

extern "C" {
#include "mpi_ens.h"
}

// NCCL needs one device per rank: a node with more ranks than devices is refused with a message naming both
// counts (ens_nccl_create checks it on every rank before any NCCL call). No MPI or GPU needed.
TEST_CASE("nccl needs a GPU per MPI rank: ens_check_devices refuses more ranks on a node than devices", "[mpi][nccl]") {
  CHECK(ens_check_devices(1, 1) == MD_OK);
  CHECK(ens_check_devices(4, 8) == MD_OK);
  CHECK(ens_check_devices(8, 8) == MD_OK);
  REQUIRE(ens_check_devices(2, 1) == MD_ERR_DEVICE);
  CHECK(std::string(md_errmsg()).find("2 MPI ranks on this node but only 1 CUDA device") != std::string::npos);
  REQUIRE(ens_check_devices(9, 8) == MD_ERR_DEVICE);
  CHECK(std::string(md_errmsg()).find("9 MPI ranks on this node but only 8 CUDA devices") != std::string::npos);
  CHECK(ens_check_devices(1, 0) == MD_ERR_DEVICE);
  md_clear_error();
  CHECK(ens_local_size() >= 1);
}

#if ESNAP_HAVE_CUDA
#include <cuda_runtime.h>

extern "C" {
#include "replica_nccl.h"
}

// The NCCL driver on one rank (a multi-rank check needs one GPU per rank): all-reduce, all-gather and the
// rank-0 gather of device buffers return what a one-rank collective must (the input), through real NCCL calls.
TEST_CASE("NCCL collectives on device buffers on one rank", "[gpu][mpi]") {
  int ndev = 0;
  if (cudaGetDeviceCount(&ndev) != cudaSuccess || ndev < 1) esnap_test::skip("no CUDA device");
  if (!replica_nccl_available()) esnap_test::skip("built without NCCL");
  int dev = -1;
  REQUIRE(ens_select_gpu(&dev) == MD_OK); // one process, local rank 0: device 0
  CHECK(dev == 0);
  REQUIRE(replica_gpu_select(ndev + 1, &dev) == MD_OK); // local rank k -> device k mod devices
  CHECK(dev == (ndev + 1) % ndev);
  REQUIRE(replica_gpu_select(0, &dev) == MD_OK);
  struct replica_nccl *c = nullptr;
  md_status st = ens_nccl_create(&c, dev);
  INFO(md_errmsg());
  REQUIRE(st == MD_OK);
  CHECK(replica_nccl_size(c) == 1);
  CHECK(replica_nccl_rank(c) == 0);
  const int n = 1000;
  std::vector<double> h(n), back(n, 0.0);
  for (int i = 0; i < n; i++) h[i] = 0.5 * i - 3.25;
  double *d_a = nullptr, *d_b = nullptr;
  REQUIRE(cudaMalloc(&d_a, n * sizeof(double)) == cudaSuccess);
  REQUIRE(cudaMalloc(&d_b, n * sizeof(double)) == cudaSuccess);
  // the input is written on a compute stream of our own; the collective waits for it (replica_nccl_order_after)
  cudaStream_t cs = nullptr;
  REQUIRE(cudaStreamCreateWithFlags(&cs, cudaStreamNonBlocking) == cudaSuccess);
  replica_nccl_order_after(c, cs);
  REQUIRE(cudaMemsetAsync(d_a, 0, n * sizeof(double), cs) == cudaSuccess);
  REQUIRE(cudaMemcpyAsync(d_a, h.data(), n * sizeof(double), cudaMemcpyHostToDevice, cs) == cudaSuccess);
  REQUIRE(replica_nccl_allreduce_sum(c, d_a, d_b, n) == MD_OK);
  REQUIRE(cudaMemcpy(back.data(), d_b, n * sizeof(double), cudaMemcpyDeviceToHost) == cudaSuccess);
  CHECK(back == h);
  REQUIRE(replica_nccl_allgather(c, d_a, d_b, n * sizeof(double)) == MD_OK);
  REQUIRE(cudaMemcpy(back.data(), d_b, n * sizeof(double), cudaMemcpyDeviceToHost) == cudaSuccess);
  CHECK(back == h);
  size_t counts[1] = {n * sizeof(double)}, displs[1] = {0};
  REQUIRE(cudaMemset(d_b, 0, n * sizeof(double)) == cudaSuccess);
  REQUIRE(replica_nccl_gatherv(c, d_a, counts[0], d_b, counts, displs) == MD_OK);
  REQUIRE(cudaMemcpy(back.data(), d_b, n * sizeof(double), cudaMemcpyDeviceToHost) == cudaSuccess);
  CHECK(back == h);
  cudaFree(d_a);
  cudaFree(d_b);
  cudaStreamDestroy(cs);
  replica_nccl_destroy(&c);
  CHECK(c == nullptr);
}
#endif
