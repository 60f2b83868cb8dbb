#include <stdio.h>

#include "commands.h"

md_status cmd_version(int argc, char **argv) {
  printf("esnapmd %s\ncommit %s\ncuda %s\nmpi %s\n", ESNAP_VERSION, ESNAP_COMMIT, ESNAP_HAVE_CUDA ? "yes" : "no",
         ESNAP_HAVE_MPI ? "yes" : "no");
  return MD_OK;
}
