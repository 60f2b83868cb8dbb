/* fuzz_dump.c — libFuzzer harness of the LAMMPS dump reader (host/io/io_dump.c): every frame read raw, then
 * through the trajectory reader `esnapmd analyze` uses (host/io/io_traj.c; Li atoms, types Li,N, 1 fs steps). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "io_dump.h"

#define MAX_FRAMES 256 /* frames read per input */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  fz_init("dump");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[MD_PATH_LEN];
  if (!fz_take("in.dump", data, size, path)) return 0;

  dump_reader *d = NULL;
  if (dump_open(&d, path) == MD_OK) {
    dump_frame f;
    memset(&f, 0, sizeof f);
    for (int k = 0; k < MAX_FRAMES; k++) {
      int eof = 0;
      if (dump_read_frame(d, &f, &eof) != MD_OK || eof) break;
    }
    dump_frame_free(&f);
    dump_close(&d);
  }

  traj_options o;
  memset(&o, 0, sizeof o);
  o.species = "Li";
  o.types = "Li,N";
  o.timestep = 0.001;
  traj_reader *t = NULL;
  if (traj_open(&t, path, &o) == MD_OK) {
    for (int k = 0; k < MAX_FRAMES; k++) {
      const traj_frame *f = NULL;
      int eof = 0;
      if (traj_next(t, &f, &eof) != MD_OK || eof) break;
    }
    (void)traj_notes(t);
    (void)traj_atoms_in_file(t);
    traj_close(&t);
  }
  return 0;
}
