/* fuzz_snap.c — libFuzzer harnesses of the LAMMPS SNAP file reader (host/ff/snap_io.c), built twice:
 * fuzz_snapcoeff (FUZZ_SNAP_PARAM 0: the input is the .snapcoeff, with the bundled Li3N .snapparam) and
 * fuzz_snapparam (FUZZ_SNAP_PARAM 1: the input is the .snapparam, with the bundled Li3N .snapcoeff, 2J_max = 6;
 * other values of twojmax are refused for the coefficient count after the parameter file has been read). */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "snap_io.h"

#if FUZZ_SNAP_PARAM
#define FUZZED "snapparam"
#define FIXED "snapcoeff"
#else
#define FUZZED "snapcoeff"
#define FIXED "snapparam"
#endif

static char g_fixed[MD_PATH_LEN];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  fz_init(FUZZED);
  size_t n;
  uint8_t *p = fz_slurp("potentials/li3n_esnap." FIXED, &n);
  fz_write("a." FIXED, p, n, g_fixed);
  free(p);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[MD_PATH_LEN];
  if (!fz_take("in." FUZZED, data, size, path)) return 0;
  snap_params p;
#if FUZZ_SNAP_PARAM
  (void)snap_read(&p, g_fixed, path);
#else
  (void)snap_read(&p, path, g_fixed);
#endif
  return 0;
}
