/* fuzz_model.c — libFuzzer harness of the model file reader (host/ff/model.c). The input is up to three files
 * separated by a line `%%`: the model file, a.snapcoeff and a.snapparam (the files its `snap` line can name);
 * parts the input does not give are the bundled Li3N files. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "model.h"

static uint8_t *g_coeff, *g_param;
static size_t g_ncoeff, g_nparam;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  fz_init("model");
  g_coeff = fz_slurp("potentials/li3n_esnap.snapcoeff", &g_ncoeff);
  g_param = fz_slurp("potentials/li3n_esnap.snapparam", &g_nparam);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (fz_known(data, size)) return 0;
  const uint8_t *part[3];
  size_t len[3];
  int n = fz_split(data, size, part, len, 3);
  char path[MD_PATH_LEN], coeff[MD_PATH_LEN], param[MD_PATH_LEN];
  fz_write("a.snapcoeff", n > 1 ? part[1] : g_coeff, n > 1 ? len[1] : g_ncoeff, coeff);
  fz_write("a.snapparam", n > 2 ? part[2] : g_param, n > 2 ? len[2] : g_nparam, param);
  fz_write("in.model", part[0], len[0], path);
  md_model m;
  if (model_read(&m, path) == MD_OK) {
    io_elements el;
    model_elements(&m, &el);
    (void)model_short_cutoff(&m);
  }
  return 0;
}
