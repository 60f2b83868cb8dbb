/* fuzz_snapparam.c — libFuzzer harness of the .snapparam reader (host/ff/snap_io.c), with the bundled Li3N
 * .snapcoeff (2J_max = 6: other values of twojmax are refused for the coefficient count, after the parameter
 * file has been read). */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "snap_io.h"

static char g_coeff[MD_PATH_LEN];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  fz_init("snapparam");
  size_t n;
  uint8_t *p = fz_slurp("potentials/li3n_esnap.snapcoeff", &n);
  fz_write("a.snapcoeff", p, n, g_coeff);
  free(p);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (fz_known(data, size)) return 0;
  char path[MD_PATH_LEN];
  fz_write("in.snapparam", data, size, path);
  snap_params p;
  (void)snap_read(&p, g_coeff, path);
  return 0;
}
