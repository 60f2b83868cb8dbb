// Inputs the fuzz harnesses (fuzz/) found, minimised, in tests/data/fuzz/HARNESS/: each is refused with the
// message naming what is wrong. The same files are replayed through the sanitizer-built harnesses by the
// ctest test fuzz_regress, which catches a leak or memory error on the refusal path as well.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "checkpoint.h"
#include "diffusion.h"
#include "msd.h"
}

namespace {

std::string ckpt_error(const char *name) {
  std::string path = std::string(ESNAP_TEST_DATA) + "/fuzz/checkpoint/" + name;
  md_checkpoint c;
  md_clear_error();
  md_status st = ckpt_read(path.c_str(), &c);
  CHECK(st == MD_ERR_PARSE);
  CHECK(c.rep == nullptr);
  CHECK(c.rep_seed == nullptr);
  return md_errmsg();
}

}  // namespace

TEST_CASE("fuzz regression - checkpoint sections that come twice or promise too much", "[checkpoint][fuzz]") {
  // a second (empty) run section after the replicas were allocated: refused, nothing leaked
  CHECK(ckpt_error("second_run_section.chk").find("a second run section") != std::string::npos);
  // two replica-set sections
  CHECK(ckpt_error("second_replica_set.chk").find("a second replica set section") != std::string::npos);
  // a run section claiming a million replicas in a 1.4 KB file: refused before anything is allocated
  std::string msg = ckpt_error("million_replicas.chk");
  CHECK(msg.find("million_replicas.chk") != std::string::npos);
  CHECK(msg.find("corrupted checkpoint (run section)") != std::string::npos);
  // a replica-set section whose first index is INT32_MAX: refused without the signed overflow of first + n
  CHECK(ckpt_error("replica_set_first_overflow.chk").find("corrupted checkpoint (replica set)") != std::string::npos);
}

TEST_CASE("fuzz regression - saved MSD and diffusion states whose header promises more than the buffer", "[diffusion][fuzz]") {
  // a packed accumulator of 1 ion whose header then claims 2^30 ions: refused before 24 GB are allocated
  msd_accum *a = nullptr;
  REQUIRE(msd_create(&a, 1, 2, 1) == MD_OK);
  std::vector<unsigned char> buf(msd_packed_size(a));
  REQUIRE(msd_pack(a, buf.data(), buf.size()) == MD_OK);
  msd_destroy(&a);
  uint64_t n = 1ull << 30;
  std::memcpy(&buf[2 * 8], &n, 8); /* header word 2: ions */
  msd_accum *b = nullptr;
  md_clear_error();
  CHECK(msd_unpack(&b, buf.data(), buf.size(), "blob") == MD_ERR_PARSE);
  CHECK(b == nullptr);
  CHECK(std::string(md_errmsg()).find("1073741824 ions, block 2, 1 levels needs at least") != std::string::npos);

  // a tracker state claiming 2^24 finished segments in a few hundred bytes: refused before the list is allocated
  int idx[1] = {0};
  diffusion_tracker *t = nullptr;
  REQUIRE(diffusion_tracker_create_sel(&t, 2, idx, 1, 0.1, nullptr) == MD_OK);
  std::vector<unsigned char> tb(diffusion_tracker_packed_size(t));
  REQUIRE(diffusion_tracker_pack(t, tb.data(), tb.size()) == MD_OK);
  diffusion_tracker_destroy(&t);
  uint64_t ndone = 1ull << 24;
  std::memcpy(&tb[11 * 8], &ndone, 8); /* header word 11: finished segments */
  diffusion_tracker *u = nullptr;
  md_clear_error();
  CHECK(diffusion_tracker_unpack(&u, tb.data(), tb.size(), "blob") == MD_ERR_PARSE);
  CHECK(u == nullptr);
  CHECK(std::string(md_errmsg()).find("invalid header") != std::string::npos);
}
