/* run_args.c — what the deck commands (cmd_run.c, cmd_sweep.c) share: their common arguments and the
 * read-the-deck-then-run frame around MPI. */
#include <stdlib.h>
#include <string.h>

#include "deck.h"
#include "mpi_ens.h"
#include "run.h"

md_status run_device_parse(const char *cmd, const char *value, int *out) {
  if (!value) return md_error(MD_ERR_PARSE, "%s: --device needs auto, cpu or gpu", cmd);
  if (strcmp(value, "auto") == 0) *out = RUN_DEVICE_AUTO;
  else if (strcmp(value, "cpu") == 0) *out = RUN_DEVICE_CPU;
  else if (strcmp(value, "gpu") == 0) *out = RUN_DEVICE_GPU;
  else return md_error(MD_ERR_PARSE, "%s: unknown device '%s' (auto, cpu or gpu)", cmd, value);
  return MD_OK;
}

md_status run_parse_arg(const char *cmd, int argc, char **argv, int *k, run_options *o, const char **deck_path) {
  const char *a = argv[*k];
  if (strcmp(a, "--device") == 0) {
    const char *value = *k + 1 < argc ? argv[++*k] : NULL;
    return run_device_parse(cmd, value, &o->device);
  }
  if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
    o->quiet = 1;
    return MD_OK;
  }
  if (a[0] == '-' && a[1])
    return md_error(MD_ERR_PARSE, "%s: unknown option '%s', or one missing its value (esnapmd %s --help)", cmd, a, cmd);
  if (*deck_path) return md_error(MD_ERR_PARSE, "%s: more than one deck ('%s' and '%s')", cmd, *deck_path, a);
  *deck_path = a;
  return MD_OK;
}

md_status run_with_deck(const char *deck_path, md_status (*fn)(md_deck *d, void *ctx), void *ctx) {
  /* mpirun -np P: the replicas are spread over the ranks (host/md/replica.h); each rank reads the deck */
  MD_TRY(ens_init(NULL, NULL));
  md_deck *d = (md_deck *)malloc(sizeof *d);
  md_status st = d ? deck_read(d, deck_path) : md_error(MD_ERR_MEMORY, "out of memory");
  if (st == MD_OK) st = fn(d, ctx);
  free(d);
  if (st != MD_OK) ens_report_error(st); /* errors are agreed across ranks: printed before MPI ends */
  ens_finalize();
  return st;
}
