/* replica_host.c — the host-sublattice hook (replica_host.h). */
#include "replica_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "host_mobility.h"
#include "mpi_ens.h"

struct rhost {
  int type, nall, nloc, quiet;
  host_tracker **t; /* [nloc] */
  char dir[MD_PATH_LEN];
  char path[MD_PATH_LEN + 16];
};

md_status rhost_create(rhost **out, const md_deck *d, const md_system *sys, int nall, int nloc, const char *dir, int quiet) {
  *out = NULL;
  int type = -1, n = 0;
  for (int e = 0; e < sys->nelem && type < 0; e++) {
    if (strcmp(sys->elem[e], d->diff_species) == 0) continue;
    n = 0;
    for (int i = 0; i < sys->n; i++) n += sys->type[i] == e;
    if (n >= 2) type = e;
  }
  if (type < 0) return MD_OK;
  rhost *h = (rhost *)calloc(1, sizeof *h);
  if (h) h->t = (host_tracker **)calloc((size_t)(nloc > 0 ? nloc : 1), sizeof *h->t);
  if (!h || !h->t) {
    free(h);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  h->type = type;
  h->nall = nall;
  h->nloc = nloc;
  h->quiet = quiet;
  snprintf(h->dir, sizeof h->dir, "%s", dir);
  snprintf(h->path, sizeof h->path, "%s/host.json", dir);
  for (int k = 0; k < nloc; k++) {
    md_status st = host_tracker_create(&h->t[k], n, sys->elem[type]);
    if (st != MD_OK) {
      rhost_destroy(&h);
      return st;
    }
  }
  *out = h;
  return MD_OK;
}

void rhost_destroy(rhost **p) {
  if (!p || !*p) return;
  for (int k = 0; k < (*p)->nloc; k++) host_tracker_destroy(&(*p)->t[k]);
  free((*p)->t);
  free(*p);
  *p = NULL;
}

static md_status hk_sample(void *ctx, const md_replica *reps, int nrep) {
  rhost *h = (rhost *)ctx;
  md_status st = MD_OK;
  for (int k = 0; k < nrep && k < h->nloc && st == MD_OK; k++) st = host_tracker_add_system(h->t[k], reps[k].sys, h->type);
  return st;
}

static md_status hk_save_rep(void *ctx, int k, void **data, size_t *len) {
  rhost *h = (rhost *)ctx;
  *len = host_tracker_packed_size(h->t[k]);
  *data = malloc(*len);
  if (!*data) return md_error(MD_ERR_MEMORY, "out of memory");
  return host_tracker_pack(h->t[k], *data, *len);
}

static md_status hk_load_rep(void *ctx, int k, const void *data, size_t len) {
  rhost *h = (rhost *)ctx;
  return host_tracker_unpack(h->t[k], data, len);
}

static md_status hk_report(void *ctx, int final) {
  rhost *h = (rhost *)ctx;
  const size_t one = sizeof(host_result);
  host_result *mine = (host_result *)calloc((size_t)(h->nloc > 0 ? h->nloc : 1), one);
  if (!mine) return md_error(MD_ERR_MEMORY, "out of memory");
  for (int k = 0; k < h->nloc; k++) host_tracker_result(h->t[k], &mine[k]);
  unsigned char *all = NULL;
  size_t *lens = NULL;
  md_status st = MD_OK;
  const host_result *res = mine;
  if (ens_active()) {
    st = ens_gather_bytes(mine, (size_t)h->nloc * one, &all, &lens);
    res = (const host_result *)all;
  }
  if (st == MD_OK && ens_rank() == 0 && res && res[0].frames >= 2) {
    st = make_dirs(h->dir);
    if (st == MD_OK) st = host_write_json(h->path, res, h->nall);
    if (st == MD_OK && final && !h->quiet) {
      host_result p;
      host_result_pool(res, h->nall, &p);
      char line[512];
      host_result_line(&p, line, sizeof line);
      printf("# %s (%s)\n", line, h->path);
      fflush(stdout);
    }
  }
  free(all);
  free(lens);
  free(mine);
  return ens_active() ? ens_agree(st) : st;
}

void rhost_hook(rhost *h, md_analysis_hook *hk) {
  memset(hk, 0, sizeof *hk);
  hk->name = "host";
  hk->ctx = h;
  hk->sample = hk_sample;
  hk->save_rep = hk_save_rep;
  hk->load_rep = hk_load_rep;
  hk->report = hk_report;
}
