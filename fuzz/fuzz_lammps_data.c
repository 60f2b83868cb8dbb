/* fuzz_lammps_data.c — libFuzzer harness of the LAMMPS data reader (host/io/io_lammps_data.c) with the bundled
 * Li3N model: automatic type mapping, then an explicit `--types Li,N` list, each followed by the structure
 * checks (host/io/structure.c). */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "io_lammps_data.h"
#include "model.h"
#include "structure.h"
#include "system.h"

static md_model g_model;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  fz_init("lammps_data");
  if (model_read(&g_model, ESNAP_SOURCE_DIR "/potentials/li3n_esnap.model") != MD_OK) abort();
  return 0;
}

static void read_one(const char *path, const lmp_read_options *o) {
  md_system *sys = NULL;
  lmp_data_info info;
  if (lammps_data_read(&sys, path, &g_model, o, &info) == MD_OK) (void)structure_check(sys, &g_model, path, 0.1);
  system_destroy(&sys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[MD_PATH_LEN];
  if (!fz_take("in.data", data, size, path)) return 0;
  lmp_read_options o;
  lmp_read_options_default(&o);
  o.quiet = 1;
  read_one(path, &o);
  if (lmp_parse_type_list(&o, "Li,N") != MD_OK) abort();
  read_one(path, &o);
  return 0;
}
