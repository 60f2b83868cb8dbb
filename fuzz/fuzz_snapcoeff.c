/* fuzz_snapcoeff.c — libFuzzer harness of the .snapcoeff reader (host/ff/snap_io.c), with the bundled Li3N
 * .snapparam. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "snap_io.h"

static char g_param[MD_PATH_LEN];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  fz_init("snapcoeff");
  size_t n;
  uint8_t *p = fz_slurp("potentials/li3n_esnap.snapparam", &n);
  fz_write("a.snapparam", p, n, g_param);
  free(p);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (fz_known(data, size)) return 0;
  char path[MD_PATH_LEN];
  fz_write("in.snapcoeff", data, size, path);
  snap_params p;
  (void)snap_read(&p, path, g_param);
  return 0;
}
