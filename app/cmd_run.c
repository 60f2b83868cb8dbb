/* cmd_run.c — `esnapmd run DECK [--restart FILE [--allow-changes]] [--device auto|cpu|gpu] [--quiet]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "deck.h"
#include "run.h"

static void usage(FILE *fp) {
  fprintf(fp,
          "usage: esnapmd run DECK [--restart FILE [--allow-changes]] [--device auto|cpu|gpu] [--quiet]\n"
          "  Run the molecular dynamics described by DECK (see README: deck reference).\n"
          "  --restart FILE   continue from a checkpoint written by this deck; outputs are truncated to the\n"
          "                   checkpoint's step and appended, so they match an uninterrupted run\n"
          "  --allow-changes  continue even if the deck or model changes the checkpoint's physics (model\n"
          "                   parameters, Coulomb method/accuracy/cutoff, neighbour skin, thermostat): a warning\n"
          "                   naming the changes instead of an error\n"
          "  --device         auto (default: the GPU backend when built and present, else CPU), cpu, gpu\n"
          "  --quiet          nothing on stdout (errors still go to stderr)\n"
          "  mpirun -np P esnapmd run DECK: the deck's replicas are spread over P ranks (contiguous blocks)\n");
}

static md_status run_one(md_deck *d, void *ctx) { return run_deck(d, (const run_options *)ctx); }

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
    } else if (strcmp(a, "--allow-changes") == 0) {
      o.allow_changes = 1;
    } else {
      MD_TRY(run_parse_arg("run", argc, argv, &k, &o, &deck_path));
    }
  }
  if (!deck_path) {
    usage(stderr);
    return md_error(MD_ERR_PARSE, "run: no deck given");
  }
  if (o.allow_changes && !o.restart) return md_error(MD_ERR_PARSE, "run: --allow-changes goes with --restart FILE");
  return run_with_deck(deck_path, run_one, &o);
}
