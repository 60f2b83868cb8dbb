/* fuzz_xyz.c — libFuzzer harness of the extended XYZ reader (host/io/io_xyz.c): every frame of the input read
 * without an element list, then through the structure reader with the bundled Li3N model (element mapping and
 * structure checks, host/io/structure.c). */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "io_xyz.h"
#include "model.h"
#include "structure.h"
#include "system.h"

#define MAX_FRAMES 256 /* frames read per input */

static md_model g_model;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  fz_init("xyz");
  if (model_read(&g_model, ESNAP_SOURCE_DIR "/potentials/li3n_esnap.model") != MD_OK) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[MD_PATH_LEN];
  if (!fz_take("in.xyz", data, size, path)) return 0;

  xyz_reader *r = NULL;
  if (xyz_open(&r, path, NULL) == MD_OK) {
    xyz_frame f = {0};
    for (int k = 0; k < MAX_FRAMES; k++) {
      int eof = 0;
      if (xyz_read_frame(r, &f, &eof) != MD_OK || eof) break;
      real_t v[3];
      int ncols = 0;
      (void)xyz_frame_get_reals(&f, "energy", v, 1);
      (void)xyz_frame_prop(&f, "forces", &ncols);
    }
    xyz_frame_free(&f);
    xyz_close(&r);
  }

  structure_reader *s = NULL;
  if (structure_open(&s, path, &g_model, NULL) == MD_OK) {
    for (int k = 0; k < MAX_FRAMES; k++) {
      md_system *sys = NULL;
      int eof = 0;
      md_status st = structure_next(s, &sys, &eof);
      system_destroy(&sys);
      if (st != MD_OK || eof) break;
    }
    structure_close(&s);
  }
  return 0;
}
