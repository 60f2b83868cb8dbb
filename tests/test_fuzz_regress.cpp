// Inputs the fuzz harnesses (fuzz/) found, minimised, in tests/data/fuzz/HARNESS/: each is refused with the
// message naming what is wrong. The same files are replayed through the sanitizer-built harnesses by the
// ctest test fuzz_regress, which catches a leak or memory error on the refusal path as well.
#include <catch2/catch.hpp>

#include <string>

extern "C" {
#include "checkpoint.h"
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
}
