#include "replica_diffusion.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binbuf.h"
#include "diffusion.h"
#include "mpi_ens.h"
#include "replica_each.h"
#include "strbuf.h"
#include "velocity.h"

#define RDIFF_MAGIC 0x46494452u /* "RDIF" */
#define RDIFF_VERSION 1u

struct rdiff {
  const md_deck *d;
  int nall;               /* replicas in the run */
  int *all;               /* [nall] their ensemble indices */
  real_t *key;            /* [nall] temperature group of each (K; one group when all equal) */
  int first, nloc;        /* this rank's replicas: all[first .. first+nloc-1] */
  diffusion_tracker **t;  /* [nloc] */
  double *tsum;           /* [nloc] Σ kinetic temperature over samples (K) */
  int64_t *tcount;        /* [nloc] samples */
  real_t mass[MD_MAX_ELEM];
  double volume;          /* Å³ */
  int nvt;
  int quiet;
  char dir[MD_PATH_LEN];
  char deck_name[256];
};

md_status rdiff_create(rdiff **out, const md_deck *d, const md_system *sys, const real_t *mass, const int *all, int nall,
                       int first, int nloc, const char *dir, int quiet) {
  *out = NULL;
  int type = -1;
  for (int e = 0; e < sys->nelem; e++)
    if (strcmp(sys->elem[e], d->diff_species) == 0) type = e;
  if (type < 0) {
    char list[128] = "";
    for (int e = 0; e < sys->nelem; e++) {
      strncat(list, " ", sizeof list - strlen(list) - 1);
      strncat(list, sys->elem[e], sizeof list - strlen(list) - 1);
    }
    return md_error(MD_ERR_VALUE, "%s:%d: diffusion: species '%s' is not an element of the structure (it has:%s)", d->path,
                    d->diffusion_line, d->diff_species, list);
  }
  int nion = 0;
  for (int i = 0; i < sys->n; i++) nion += sys->type[i] == type;
  if (nion == 0)
    return md_error(MD_ERR_VALUE, "%s:%d: diffusion: the structure has no %s atoms", d->path, d->diffusion_line, d->diff_species);
  rdiff *r = (rdiff *)calloc(1, sizeof *r);
  if (!r) return md_error(MD_ERR_MEMORY, "out of memory");
  r->d = d;
  r->nall = nall;
  r->first = first;
  r->nloc = nloc;
  r->all = (int *)malloc((size_t)nall * sizeof *r->all);
  r->key = (real_t *)malloc((size_t)nall * sizeof *r->key);
  r->t = (diffusion_tracker **)calloc((size_t)(nloc > 0 ? nloc : 1), sizeof *r->t);
  r->tsum = (double *)calloc((size_t)(nloc > 0 ? nloc : 1), sizeof *r->tsum);
  r->tcount = (int64_t *)calloc((size_t)(nloc > 0 ? nloc : 1), sizeof *r->tcount);
  if (!r->all || !r->key || !r->t || !r->tsum || !r->tcount) {
    rdiff_destroy(&r);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  for (int k = 0; k < nall; k++) {
    r->all[k] = all[k];
    r->key[k] = d->nrep_temps > 0 ? deck_replica_temperature(d, all[k]) : 0.0;
  }
  for (int e = 0; e < MD_MAX_ELEM; e++) r->mass[e] = e < sys->nelem ? mass[e] : 0.0;
  r->volume = sys->box.volume;
  r->nvt = d->ensemble == MD_ENS_NVT;
  snprintf(r->dir, sizeof r->dir, "%s", dir);
  r->quiet = quiet;
  const char *base = strrchr(d->path, '/');
  snprintf(r->deck_name, sizeof r->deck_name, "%.255s", base ? base + 1 : d->path);
  diff_options o;
  diff_options_default(&o);
  o.block = d->diff_block;
  snprintf(o.species, sizeof o.species, "%s", d->diff_species);
  int mask[MD_MAX_ELEM] = {0};
  mask[type] = 1;
  for (int k = 0; k < nloc; k++) {
    md_status st = diffusion_tracker_create(&r->t[k], sys->n, sys->type, mask, sys->nelem, (double)d->diff_every * d->dt, &o);
    if (st != MD_OK) {
      rdiff_destroy(&r);
      return st;
    }
  }
  *out = r;
  return MD_OK;
}

void rdiff_destroy(rdiff **pr) {
  if (!pr || !*pr) return;
  rdiff *r = *pr;
  if (r->t)
    for (int k = 0; k < r->nloc; k++) diffusion_tracker_destroy(&r->t[k]);
  free(r->t);
  free(r->all);
  free(r->key);
  free(r->tsum);
  free(r->tcount);
  free(r);
  *pr = NULL;
}

long rdiff_frames(const rdiff *r) { return r->nloc > 0 ? (long)diffusion_tracker_frames(r->t[0]) : 0; }

/* ---- hook callbacks ---------------------------------------------------------------------------------------- */

typedef struct sample_ctx {
  rdiff *r;
  const md_replica *reps;
} sample_ctx;

static md_status sample_k(void *ctx, int k) {
  sample_ctx *c = (sample_ctx *)ctx;
  rdiff *r = c->r;
  md_status st = diffusion_tracker_add_system(r->t[k], c->reps[k].sys);
  r->tsum[k] += velocity_temperature(c->reps[k].sys, r->mass);
  r->tcount[k]++;
  return st;
}

static md_status hk_sample(void *ctx, const md_replica *reps, int nrep) {
  rdiff *r = (rdiff *)ctx;
  if (nrep != r->nloc) return md_error(MD_ERR_INTERNAL, "diffusion: %d replicas sampled, %d tracked", nrep, r->nloc);
  /* replicas are independent: one thread each (the tracker's own loop is thread-count independent) */
  sample_ctx c = {r, reps};
  return replica_for_each(nrep, sample_k, &c, r->all + r->first);
}

/* blob: u32 magic, u32 version, f64 Σ T, i64 samples, then the packed tracker */
static md_status hk_save_rep(void *ctx, int k, void **data, size_t *len) {
  rdiff *r = (rdiff *)ctx;
  size_t n = diffusion_tracker_packed_size(r->t[k]);
  binw w = {0};
  binw_u32(&w, RDIFF_MAGIC);
  binw_u32(&w, RDIFF_VERSION);
  binw_f64(&w, r->tsum[k]);
  binw_i64(&w, r->tcount[k]);
  unsigned char *at = binw_reserve(&w, n);
  if (!at) {
    binw_free(&w);
    return md_error(MD_ERR_MEMORY, "out of memory (diffusion state, %zu bytes)", n);
  }
  md_status st = diffusion_tracker_pack(r->t[k], at, n);
  if (st != MD_OK) {
    binw_free(&w);
    return st;
  }
  *data = w.p;
  *len = w.len;
  return MD_OK;
}

static md_status unpack_blob(const void *data, size_t len, diffusion_tracker **t, double *tsum, int64_t *tcount,
                             const char *where) {
  binr r;
  binr_init(&r, data, len);
  uint32_t magic = binr_u32(&r), version = binr_u32(&r);
  double sum = binr_f64(&r);
  int64_t count = binr_i64(&r);
  if (r.bad || magic != RDIFF_MAGIC || version != RDIFF_VERSION)
    return md_error(MD_ERR_PARSE, "%s: the saved diffusion state is not of this program's format (version %u)", where, version);
  *tsum = sum;
  *tcount = count;
  return diffusion_tracker_unpack(t, r.p + r.pos, binr_left(&r), where);
}

static md_status hk_load_rep(void *ctx, int k, const void *data, size_t len) {
  rdiff *r = (rdiff *)ctx;
  diffusion_tracker *t = NULL;
  char where[64];
  snprintf(where, sizeof where, "checkpoint blob diffusion#%d", r->all[r->first + k]);
  MD_TRY(unpack_blob(data, len, &t, &r->tsum[k], &r->tcount[k], where));
  if (diffusion_tracker_nions(t) != diffusion_tracker_nions(r->t[k]) ||
      diffusion_tracker_interval(t) != diffusion_tracker_interval(r->t[k]) ||
      msd_block(diffusion_tracker_msd(t)) != msd_block(diffusion_tracker_msd(r->t[k]))) {
    md_status e = md_error(MD_ERR_VALUE, "%s: saved for %d ions every %g ps with block %d; the deck asks for %d ions every %g "
                           "ps with block %d", where, diffusion_tracker_nions(t), diffusion_tracker_interval(t),
                           msd_block(diffusion_tracker_msd(t)), diffusion_tracker_nions(r->t[k]),
                           diffusion_tracker_interval(r->t[k]), msd_block(diffusion_tracker_msd(r->t[k])));
    diffusion_tracker_destroy(&t);
    return e;
  }
  diffusion_tracker_destroy(&r->t[k]);
  r->t[k] = t;
  return MD_OK;
}

/* Rank 0: write the results of the trackers of every replica of the run (reps[k] = replica all[k]). */
static md_status write_results(rdiff *r, diffusion_tracker **reps, const double *tsum, const int64_t *tcount, int final) {
  const md_deck *d = r->d;
  real_t keys[DECK_MAX_TEMPS];
  int ngroups = replica_groups(r->key, r->nall, keys, DECK_MAX_TEMPS);
  diffusion_tracker **sel = (diffusion_tracker **)malloc((size_t)r->nall * sizeof *sel);
  int *names = (int *)malloc((size_t)r->nall * sizeof *names);
  md_status st = sel && names ? MD_OK : md_error(MD_ERR_MEMORY, "out of memory");
  for (int g = 0; g < ngroups && st == MD_OK; g++) {
    int n = 0;
    double ts = 0.0, tc = 0.0;
    strbuf in;
    strbuf_init(&in);
    strbuf_printf(&in, "on the fly: esnapmd run %s, %s every %ld steps (%g ps), block %d, replica(s)", r->deck_name,
                  d->diff_species, d->diff_every, (double)d->diff_every * d->dt, d->diff_block);
    for (int k = 0; k < r->nall; k++) {
      if (r->key[k] != keys[g]) continue;
      names[n] = r->all[k];
      sel[n++] = reps[k];
      ts += tsum[k];
      tc += (double)tcount[k];
    }
    replica_names_text(&in, names, n);
    diff_report_options ro;
    diff_report_options_default(&ro);
    ro.quiet = 1;
    ro.volume = r->volume;
    if (d->diff_temperature > 0) ro.temperature = d->diff_temperature;
    else if (d->nrep_temps > 0 && r->nvt) ro.temperature = keys[g];
    else if (r->nvt) ro.temperature = d->t_start;
    else ro.temperature = tc > 0 ? ts / tc : 0.0;
    if (d->diff_fit_t1 > 0) {
      ro.fit_t0 = d->diff_fit_t0;
      ro.fit_t1 = d->diff_fit_t1;
    }
    ro.inputs = in.data;
    char dir[MD_PATH_LEN + 32];
    replica_group_dir(dir, sizeof dir, r->dir, ngroups, keys[g]);
    if (!(ro.temperature > 0)) st = md_error(MD_ERR_VALUE, "%s:%d: diffusion: no temperature known for the conductivity (add "
                                             "'temperature T')", d->path, d->diffusion_line);
    diff_results res;
    if (st == MD_OK) st = diffusion_write(dir, sel, n, &ro, &res);
    if (st == MD_OK && final && !r->quiet) {
      printf("# on-the-fly diffusion (%s):\n", dir);
      diffusion_print_table(stdout, &res);
      fflush(stdout);
    }
    strbuf_free(&in);
  }
  free(sel);
  free(names);
  return st;
}

static md_status hk_report(void *ctx, int final) {
  rdiff *r = (rdiff *)ctx;
  const int rank = ens_rank();
  md_status st = MD_OK;
  if (!ens_active()) {
    if (r->nloc != r->nall) return md_error(MD_ERR_INTERNAL, "diffusion: %d of %d replicas on one rank", r->nloc, r->nall);
    st = write_results(r, r->t, r->tsum, r->tcount, final);
  } else {
    /* gather every rank's packed trackers on rank 0 */
    unsigned char *all = NULL;
    st = ens_gather_packed(r->nloc, hk_save_rep, r, &all);
    if (st == MD_OK && rank == 0) {
      diffusion_tracker **reps = (diffusion_tracker **)calloc((size_t)r->nall, sizeof *reps);
      double *tsum = (double *)calloc((size_t)r->nall, sizeof *tsum);
      int64_t *tcount = (int64_t *)calloc((size_t)r->nall, sizeof *tcount);
      if (!reps || !tsum || !tcount) st = md_error(MD_ERR_MEMORY, "out of memory");
      /* rank 0's own replicas are used in place (it sent nothing); the others come in rank order */
      size_t off = 0;
      for (int k = 0; k < r->nloc && st == MD_OK; k++) {
        reps[k] = r->t[k];
        tsum[k] = r->tsum[k];
        tcount[k] = r->tcount[k];
      }
      int owned = r->nloc;
      for (int k = owned; k < r->nall && st == MD_OK; k++) {
        size_t n = 0;
        const unsigned char *p = ens_next_record(all, &off, &n);
        char where[64];
        snprintf(where, sizeof where, "diffusion state of replica %d (MPI gather)", r->all[k]);
        st = unpack_blob(p, n, &reps[k], &tsum[k], &tcount[k], where);
      }
      if (st == MD_OK) st = write_results(r, reps, tsum, tcount, final);
      for (int k = owned; reps && k < r->nall; k++) diffusion_tracker_destroy(&reps[k]);
      free(reps);
      free(tsum);
      free(tcount);
    }
    free(all);
  }
  /* a checkpoint early in the run may have too few frames for a fit: only the final report must succeed */
  if (st != MD_OK && !final && (st == MD_ERR_VALUE)) {
    md_clear_error();
    st = MD_OK;
  }
  return st;
}

void rdiff_hook(rdiff *r, md_analysis_hook *h) {
  memset(h, 0, sizeof *h);
  h->name = "diffusion";
  h->ctx = r;
  h->every = r->d->diff_every;
  h->sample = hk_sample;
  h->save_rep = hk_save_rep;
  h->load_rep = hk_load_rep;
  h->report = hk_report;
}
