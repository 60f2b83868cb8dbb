// test_gpu_util.h — helpers of the GPU tests (tests/test_gpu_*.cpp, tag [gpu]): skip (exit 77, ctest SKIPPED)
// without a CUDA build or device, or without the SNAP GPU kernels for tests that need them.
#ifndef ESNAP_TEST_GPU_UTIL_H
#define ESNAP_TEST_GPU_UTIL_H

#include <string>

#include "test_util.h"

extern "C" {
#include "model.h"
#if ESNAP_HAVE_CUDA
#include "backend_gpu.h"
#include "gpu_atoms.h"
#include "gpu_forces.h"
#endif
}

namespace gpu_test {

// Skip unless a CUDA device can run the kernels.
inline void require_gpu() {
#if !ESNAP_HAVE_CUDA
  esnap_test::skip("built without CUDA");
#else
  int n = 0;
  gpu_device_count(&n);
  if (n < 1) esnap_test::skip("no CUDA device");
  static bool said = false;
  if (!said) {
    std::printf("GPU: %s\n", gpu_device_name());
    said = true;
  }
#endif
}


inline const md_model &model() {
  static md_model m;
  static bool ok = false;
  if (!ok) {
    if (model_read(&m, esnap_test::source("potentials/li3n_esnap.model").c_str()) != MD_OK) std::abort();
    ok = true;
  }
  return m;
}

// The model without its SNAP term: Coulomb + ZBL only, to test the non-SNAP kernels on any build.
inline const md_model &model_no_snap() {
  static md_model m;
  static bool ok = false;
  if (!ok) {
    m = model();
    m.has_snap = 0;
    ok = true;
  }
  return m;
}

}  // namespace gpu_test

#endif
