/* cmd_run.c — `esnapmd run DECK [--restart FILE] [--device auto|cpu|gpu] [--quiet]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "deck.h"
#include "mpi_ens.h"
#include "run.h"

static void usage(FILE *fp) {
  fprintf(fp,
          "usage: esnapmd run DECK [--restart FILE] [--device auto|cpu|gpu] [--quiet]\n"
          "  Run the molecular dynamics described by DECK (see README: deck reference).\n"
          "  --restart FILE   continue from a checkpoint written by this deck; outputs are truncated to the\n"
          "                   checkpoint's step and appended, so they match an uninterrupted run\n"
          "  --device         auto (default: the GPU backend when built and present, else CPU), cpu, gpu\n"
          "  --quiet          nothing on stdout (errors still go to stderr)\n"
          "  mpirun -np P esnapmd run DECK: the deck's replicas are spread over P ranks (contiguous blocks)\n");
}

md_status cmd_run(int argc, char **argv) {
  const char *deck_path = NULL;
  run_options o;
  memset(&o, 0, sizeof o);
  for (int k = 1; k < argc; k++) {
    const char *a = argv[k];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return MD_OK;
    } else if (strcmp(a, "--restart") == 0) {
      if (k + 1 >= argc) return md_error(MD_ERR_PARSE, "run: --restart needs a checkpoint file");
      o.restart = argv[++k];
    } else if (strcmp(a, "--device") == 0) {
      MD_TRY(run_device_parse("run", k + 1 < argc ? argv[++k] : NULL, &o.device));
    } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
      o.quiet = 1;
    } else if (a[0] == '-' && a[1]) {
      return md_error(MD_ERR_PARSE, "run: unknown option '%s' (esnapmd run --help)", a);
    } else if (!deck_path) {
      deck_path = a;
    } else {
      return md_error(MD_ERR_PARSE, "run: more than one deck ('%s' and '%s')", deck_path, a);
    }
  }
  if (!deck_path) {
    usage(stderr);
    return md_error(MD_ERR_PARSE, "run: no deck given");
  }
  /* mpirun -np P: the replicas are spread over the ranks (host/replica.h); each rank reads the deck */
  MD_TRY(ens_init(NULL, NULL));
  md_deck *d = (md_deck *)malloc(sizeof *d);
  md_status st = d ? deck_read(d, deck_path) : md_error(MD_ERR_MEMORY, "out of memory");
  if (st == MD_OK) st = run_deck(d, &o);
  free(d);
  ens_finalize();
  return st;
}
