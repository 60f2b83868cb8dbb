/* replica_heatcap.c — the on-the-fly heat capacity hook (replica_heatcap.h). */
#include "replica_heatcap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heatcap_io.h"
#include "mpi_ens.h"

struct rheat {
  const md_deck *d;
  int natoms, nall, nloc;
  hc_acc *acc; /* [nloc] */
  char path[MD_PATH_LEN];
};

md_status rheat_create(rheat **out, const md_deck *d, int natoms, int nall, int nloc, const char *path) {
  *out = NULL;
  if (d->ensemble != MD_ENS_NVT || d->t_stop != d->t_start)
    return md_error(MD_ERR_VALUE, "%s:%d: heatcap needs an nvt ensemble at one temperature (the fluctuation formula is canonical)",
                    d->path, d->heatcap_line);
  rheat *h = (rheat *)calloc(1, sizeof *h);
  if (h) h->acc = (hc_acc *)calloc((size_t)nloc, sizeof *h->acc);
  if (!h || !h->acc) {
    if (h) free(h);
    return md_error(MD_ERR_MEMORY, "out of memory (heat capacity)");
  }
  h->d = d;
  h->natoms = natoms;
  h->nall = nall;
  h->nloc = nloc;
  snprintf(h->path, sizeof h->path, "%s", path);
  for (int r = 0; r < nloc; r++) hc_init(&h->acc[r]);
  *out = h;
  return MD_OK;
}

void rheat_destroy(rheat **p) {
  if (!*p) return;
  free((*p)->acc);
  free(*p);
  *p = NULL;
}

static md_status hk_thermo(void *ctx, int r, const md_thermo *th) {
  rheat *h = (rheat *)ctx;
  hc_add(&h->acc[r], th->etotal, th->time);
  return MD_OK;
}

static md_status hk_save_rep(void *ctx, int r, void **data, size_t *len) {
  rheat *h = (rheat *)ctx;
  *len = hc_pack_size();
  *data = malloc(*len);
  if (!*data) return md_error(MD_ERR_MEMORY, "out of memory");
  hc_pack(&h->acc[r], *data);
  return MD_OK;
}

static md_status hk_load_rep(void *ctx, int r, const void *data, size_t len) {
  rheat *h = (rheat *)ctx;
  return hc_unpack(&h->acc[r], data, len);
}

/* rank 0: the pooled results of every replica's accumulator */
static md_status write_results(rheat *h, const hc_acc *acc) {
  hc_stats *s = (hc_stats *)calloc((size_t)h->nall, sizeof *s);
  if (!s) return md_error(MD_ERR_MEMORY, "out of memory");
  for (int k = 0; k < h->nall; k++) hc_get(&acc[k], &s[k]);
  hc_point p;
  hc_pool(s, h->nall, h->d->t_start, h->natoms, (double)h->d->equil_steps * h->d->dt, &p);
  md_status st = hc_write_point(h->path, &p, s, h->nall);
  free(s);
  return st;
}

static md_status hk_report(void *ctx, int final) {
  rheat *h = (rheat *)ctx;
  (void)final;
  if (!ens_active()) {
    if (h->nloc != h->nall) return md_error(MD_ERR_INTERNAL, "heatcap: %d of %d replicas on one rank", h->nloc, h->nall);
    return h->acc[0].n > 0 ? write_results(h, h->acc) : MD_OK;
  }
  /* the accumulators of every rank, in rank order = ensemble order (contiguous blocks) */
  unsigned char *all = NULL;
  size_t *lens = NULL;
  md_status st = ens_gather_bytes(h->acc, (size_t)h->nloc * sizeof *h->acc, &all, &lens);
  if (st == MD_OK && ens_rank() == 0) {
    size_t tot = 0;
    for (int q = 0; q < ens_size(); q++) tot += lens[q];
    if (tot != (size_t)h->nall * sizeof *h->acc) st = md_error(MD_ERR_INTERNAL, "heatcap: gathered %zu bytes", tot);
    else if (((const hc_acc *)all)[0].n > 0) st = write_results(h, (const hc_acc *)all);
  }
  free(all);
  free(lens);
  return ens_agree(st);
}

void rheat_hook(rheat *h, md_analysis_hook *hk) {
  memset(hk, 0, sizeof *hk);
  hk->name = "heatcap";
  hk->ctx = h;
  hk->every = 0;
  hk->thermo = hk_thermo;
  hk->save_rep = hk_save_rep;
  hk->load_rep = hk_load_rep;
  hk->report = hk_report;
}
