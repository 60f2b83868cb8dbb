/* replica_each.c — parallel per-replica steps and temperature groups (see replica_each.h). */
#include "replica_each.h"

#include <stdio.h>
#include <stdlib.h>

#include "strbuf.h"

md_status replica_for_each(int nrep, md_status (*fn)(void *ctx, int k), void *ctx, const int *names) {
  md_status *sts = (md_status *)calloc((size_t)(nrep > 0 ? nrep : 1), sizeof *sts);
  char(*msgs)[256] = (char(*)[256])calloc((size_t)(nrep > 0 ? nrep : 1), 256);
  if (!sts || !msgs) {
    free(sts);
    free(msgs);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
#pragma omp parallel for schedule(dynamic, 1) if (nrep > 1)
  for (int k = 0; k < nrep; k++) {
    sts[k] = fn(ctx, k);
    if (sts[k] != MD_OK) snprintf(msgs[k], 256, "%s", md_errmsg());
  }
  md_status st = MD_OK;
  for (int k = 0; k < nrep && st == MD_OK; k++)
    if (sts[k] != MD_OK) st = md_error(sts[k], "replica %d: %s", names[k], msgs[k]);
  free(sts);
  free(msgs);
  return st;
}

int replica_groups(const real_t *key, int n, real_t *groups, int max) {
  int ng = 0;
  for (int k = 0; k < n; k++) {
    int g;
    for (g = 0; g < ng; g++)
      if (groups[g] == key[k]) break;
    if (g == ng && ng < max) groups[ng++] = key[k];
  }
  return ng;
}

void replica_group_dir(char *dir, size_t size, const char *base, int ngroups, real_t key) {
  if (ngroups > 1) snprintf(dir, size, "%s/T%gK", base, key);
  else snprintf(dir, size, "%s", base);
}

void replica_names_text(strbuf *b, const int *names, int n) {
  int lo = -2, prev = -2;
  for (int k = 0; k < n; k++) {
    if (names[k] != prev + 1) {
      if (lo >= 0) strbuf_printf(b, lo == prev ? " %d" : " %d-%d", lo, prev);
      lo = names[k];
    }
    prev = names[k];
  }
  if (lo >= 0) strbuf_printf(b, lo == prev ? " %d" : " %d-%d", lo, prev);
}
