/* frame_hook.c — the deck keywords sites / density / rdf / spectra and the run hook that feeds the per-frame
 * analyses (frame_analyses.h) on the fly: one accumulator bundle per replica, gathered to rank 0 for output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deck_words.h"
#include "frame_analyses.h"
#include "mpi_ens.h"
#include "replica_each.h"
#include "strbuf.h"
#include "system.h"

static md_status species_word(const textfile *t, int k, const char *usage, char *out) {
  MD_TRY(deck_need(t, k, usage));
  if (strlen(t->word[k]) >= MD_NAME_LEN || t->word[k][0] == '\0')
    return md_error(MD_ERR_VALUE, "%s:%d: %s: bad species name '%s'", t->path, t->line, t->word[0], t->word[k]);
  snprintf(out, MD_NAME_LEN, "%s", t->word[k]);
  return MD_OK;
}

md_status deck_parse_frame_analysis(const textfile *t, md_deck *d) {
  const char *w0 = t->word[0];
  const char *usage = strcmp(w0, "sites") == 0     ? "sites every N [species E] [file SITES]"
                      : strcmp(w0, "density") == 0 ? "density SPECIES every N [spacing D]"
                      : strcmp(w0, "rdf") == 0     ? "rdf every N [bins B] [rmax R]"
                                                   : "spectra every N [window W]";
  long every = 0;
  int k = 1;
  if (strcmp(w0, "density") == 0) {
    MD_TRY(species_word(t, 1, usage, d->density_species));
    k = 2;
  }
  for (; k < t->nwords; k += 2) {
    const char *w = t->word[k];
    long v;
    if (strcmp(w, "every") == 0) {
      MD_TRY(deck_get_positive_long(t, k + 1, "interval", usage, &every));
    } else if (strcmp(w0, "sites") == 0 && strcmp(w, "species") == 0) {
      MD_TRY(species_word(t, k + 1, usage, d->sites_species));
    } else if (strcmp(w0, "sites") == 0 && strcmp(w, "file") == 0) {
      MD_TRY(deck_need(t, k + 1, usage));
      char tmp[2 * MD_PATH_LEN];
      tf_join(d->dir, t->word[k + 1], tmp, sizeof tmp);
      if (strlen(tmp) >= MD_PATH_LEN) return md_error(MD_ERR_VALUE, "%s:%d: path too long", t->path, t->line);
      snprintf(d->sites_file, sizeof d->sites_file, "%s", tmp);
      FILE *fp = fopen(d->sites_file, "r");
      if (!fp)
        return md_error(MD_ERR_IO, "%s:%d: site file '%s' not found or unreadable (looked for %s: input paths are relative to the "
                        "deck's directory)", t->path, t->line, t->word[k + 1], d->sites_file);
      fclose(fp);
    } else if (strcmp(w0, "density") == 0 && strcmp(w, "spacing") == 0) {
      MD_TRY(deck_get_real(t, k + 1, "spacing", usage, &d->density_spacing));
      if (!(d->density_spacing > 0))
        return md_error(MD_ERR_VALUE, "%s:%d: density grid spacing must be > 0 (got %g Å)", t->path, t->line, d->density_spacing);
      MD_TRY(deck_check_range(t, k + 1, "density spacing", 0.005, 10.0, "Å", d->density_spacing));
    } else if (strcmp(w0, "rdf") == 0 && strcmp(w, "bins") == 0) {
      MD_TRY(deck_get_positive_long(t, k + 1, "bins", usage, &v));
      MD_TRY(deck_check_range(t, k + 1, "rdf bins", 1, RDF_MAX_BINS, "", (real_t)v));
      d->rdf_bins = (int)v;
    } else if (strcmp(w0, "rdf") == 0 && strcmp(w, "rmax") == 0) {
      MD_TRY(deck_get_real(t, k + 1, "rmax", usage, &d->rdf_rmax));
      if (!(d->rdf_rmax > 0)) return md_error(MD_ERR_VALUE, "%s:%d: rdf rmax must be > 0 (got %g Å)", t->path, t->line, d->rdf_rmax);
      MD_TRY(deck_check_range(t, k + 1, "rdf rmax", 0.0, 1000.0, "Å", d->rdf_rmax));
    } else if (strcmp(w0, "spectra") == 0 && strcmp(w, "window") == 0) {
      MD_TRY(deck_get_positive_long(t, k + 1, "window", usage, &v));
      MD_TRY(deck_check_range(t, k + 1, "spectra window", 2, VACF_MAX_WINDOW, "samples", (real_t)v));
      d->spectra_window = (int)v;
    } else {
      return deck_extra_word(t, k);
    }
  }
  if (every <= 0) return md_error(MD_ERR_PARSE, "%s:%d: %s needs 'every N' (steps between samples; usage: %s)", t->path, t->line, w0, usage);
  if (strcmp(w0, "sites") == 0) {
    d->sites_every = every;
    d->sites_line = t->line;
  } else if (strcmp(w0, "density") == 0) {
    d->density_every = every;
    d->density_line = t->line;
  } else if (strcmp(w0, "rdf") == 0) {
    d->rdf_every = every;
    d->rdf_line = t->line;
  } else {
    d->spectra_every = every;
    d->spectra_line = t->line;
  }
  return MD_OK;
}

int fan_deck_wants(const md_deck *d) { return d->sites_every > 0 || d->density_every > 0 || d->rdf_every > 0 || d->spectra_every > 0; }

/* ---- the run hook ----------------------------------------------------------------------------------------- */

struct fan_run {
  const md_deck *d;
  fan_options o;
  int nall, first, nloc;
  int *all;               /* [nall] ensemble indices */
  real_t *key;            /* [nall] temperature group (K) */
  fan_rep **rep;          /* [nloc] */
  md_box box;
  int n, nelem;
  int *type;
  char elem[MD_MAX_ELEM][MD_NAME_LEN];
  real_t mass[MD_MAX_ELEM];
  real_t *u;              /* [nloc * 3n] unwrapped positions of each replica being sampled */
  char dir[MD_PATH_LEN];
  char deck_name[256];
};

static long gcd(long a, long b) {
  while (b) {
    long t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static long hook_every(const md_deck *d) {
  long e = 0;
  const long ev[4] = {d->sites_every, d->density_every, d->rdf_every, d->spectra_every};
  for (int k = 0; k < 4; k++)
    if (ev[k] > 0) e = e ? gcd(e, ev[k]) : ev[k];
  return e;
}

/* Which analyses are due at `step`, as a FAN_* mask. */
static int due_mask(const md_deck *d, long step) {
  int m = 0;
  if (d->sites_every > 0 && step % d->sites_every == 0) m |= FAN_SITES;
  if (d->density_every > 0 && step % d->density_every == 0) m |= FAN_DENSITY;
  if (d->rdf_every > 0 && step % d->rdf_every == 0) m |= FAN_RDF;
  if (d->spectra_every > 0 && step % d->spectra_every == 0) m |= FAN_SPECTRA;
  return m;
}

/* The first deck line among the analyses asked for, for messages. */
static int first_line(const md_deck *d) {
  const int l[4] = {d->sites_line, d->density_line, d->rdf_line, d->spectra_line};
  int best = 0;
  for (int k = 0; k < 4; k++)
    if (l[k] > 0 && (best == 0 || l[k] < best)) best = l[k];
  return best;
}

md_status fan_run_create(fan_run **out, const md_deck *d, const md_system *sys, const real_t *mass, const int *all, int nall,
                         int first, int nloc, const char *dir) {
  *out = NULL;
  fan_run *f = (fan_run *)calloc(1, sizeof *f);
  if (!f) return md_error(MD_ERR_MEMORY, "out of memory");
  f->d = d;
  f->nall = nall;
  f->first = first;
  f->nloc = nloc;
  f->n = sys->n;
  f->nelem = sys->nelem;
  f->box = sys->box;
  memcpy(f->elem, sys->elem, sizeof f->elem);
  for (int e = 0; e < MD_MAX_ELEM; e++) f->mass[e] = e < sys->nelem ? mass[e] : 0.0;
  snprintf(f->dir, sizeof f->dir, "%s", dir);
  const char *base = strrchr(d->path, '/');
  snprintf(f->deck_name, sizeof f->deck_name, "%.255s", base ? base + 1 : d->path);
  if (d->spectra_every > 0 && d->nsteps / d->spectra_every + 1 < d->spectra_window) {
    fan_run_destroy(&f);
    return md_error(MD_ERR_VALUE, "%s:%d: spectra: a window of %d samples every %ld steps needs a run of at least %ld steps (run %ld): "
                    "use a shorter window", d->path, d->spectra_line, d->spectra_window, d->spectra_every,
                    (long)(d->spectra_window - 1) * d->spectra_every, d->nsteps);
  }
  fan_options *o = &f->o;
  o->sites = d->sites_every > 0;
  snprintf(o->sites_species, sizeof o->sites_species, "%s", d->sites_species);
  snprintf(o->sites_file, sizeof o->sites_file, "%s", d->sites_file);
  if (d->structure == DECK_STRUCT_LI3N) memcpy(o->cells, d->cells, sizeof o->cells);
  o->density = d->density_every > 0;
  snprintf(o->density_species, sizeof o->density_species, "%s", d->density_species);
  o->density_spacing = d->density_spacing;
  o->rdf = d->rdf_every > 0;
  o->rdf_bins = d->rdf_bins;
  o->rdf_rmax = d->rdf_rmax;
  o->spectra = d->spectra_every > 0;
  o->spectra_window = d->spectra_window;
  o->spectra_dt = (double)d->spectra_every * d->dt;
  snprintf(o->where, sizeof o->where, "%s:%d", d->path, first_line(d));
  size_t m = (size_t)(sys->n > 0 ? sys->n : 1);
  f->all = (int *)malloc((size_t)nall * sizeof *f->all);
  f->key = (real_t *)malloc((size_t)nall * sizeof *f->key);
  f->rep = (fan_rep **)calloc((size_t)(nloc > 0 ? nloc : 1), sizeof *f->rep);
  f->type = (int *)malloc(m * sizeof *f->type);
  f->u = (real_t *)malloc((size_t)3 * m * (size_t)(nloc > 0 ? nloc : 1) * sizeof *f->u);
  md_status st = (f->all && f->key && f->rep && f->type && f->u) ? MD_OK : md_error(MD_ERR_MEMORY, "out of memory");
  if (st == MD_OK) {
    memcpy(f->type, sys->type, (size_t)sys->n * sizeof *f->type);
    for (int k = 0; k < nall; k++) {
      f->all[k] = all[k];
      f->key[k] = d->nrep_temps > 0 ? deck_replica_temperature(d, all[k]) : 0.0;
    }
  }
  /* every rank checks the analyses against the system (rank 0's message is the one printed) */
  for (int k = 0; k < (nloc > 0 ? nloc : 1) && st == MD_OK; k++) {
    fan_rep *r = NULL;
    st = fan_rep_create(&r, o, &sys->box, sys->n, sys->type, sys->nelem, (const char(*)[MD_NAME_LEN])sys->elem, f->mass);
    if (k < nloc) f->rep[k] = r;
    else fan_rep_destroy(&r);
  }
  if (st != MD_OK) {
    fan_run_destroy(&f);
    return st;
  }
  *out = f;
  return MD_OK;
}

void fan_run_destroy(fan_run **pf) {
  if (!pf || !*pf) return;
  fan_run *f = *pf;
  if (f->rep)
    for (int k = 0; k < f->nloc; k++) fan_rep_destroy(&f->rep[k]);
  free(f->rep);
  free(f->all);
  free(f->key);
  free(f->type);
  free(f->u);
  free(f);
  *pf = NULL;
}

/* One replica's frame: unwrapped positions exactly as the trajectory writer forms them (dump.c), so that a
 * full-precision dump analysed afterwards sees the very same numbers. u: [3n] scratch. */
static md_status sample_one(fan_run *f, int k, const md_system *s, real_t *u) {
  int mask = due_mask(f->d, s->step);
  if (!mask) return MD_OK;
  const int n = s->n;
  for (int i = 0; i < n; i++) {
    real_t r[3];
    system_unwrapped(s, i, r);
    u[i] = r[0];
    u[n + i] = r[1];
    u[2 * n + i] = r[2];
  }
  return fan_rep_add(f->rep[k], mask, &s->box, (const char(*)[MD_NAME_LEN])s->elem, u, u + n, u + 2 * n, s->vx, s->vy, s->vz,
                     s->time);
}

typedef struct sample_ctx {
  fan_run *f;
  const md_replica *reps;
} sample_ctx;

static md_status sample_k(void *ctx, int k) {
  sample_ctx *c = (sample_ctx *)ctx;
  return sample_one(c->f, k, c->reps[k].sys, c->f->u + (size_t)3 * c->f->n * k);
}

static md_status hk_sample(void *ctx, const md_replica *reps, int nrep) {
  fan_run *f = (fan_run *)ctx;
  if (nrep != f->nloc) return md_error(MD_ERR_INTERNAL, "frame analyses: %d replicas sampled, %d tracked", nrep, f->nloc);
  /* replicas are independent: one thread each, with its own accumulators and its slice of the scratch */
  sample_ctx c = {f, reps};
  return replica_for_each(nrep, sample_k, &c, f->all + f->first);
}

static md_status hk_save_rep(void *ctx, int k, void **data, size_t *len) { return fan_rep_pack(((fan_run *)ctx)->rep[k], data, len); }

static md_status hk_load_rep(void *ctx, int k, const void *data, size_t len) {
  fan_run *f = (fan_run *)ctx;
  char where[64];
  snprintf(where, sizeof where, "checkpoint blob frames#%d", f->all[f->first + k]);
  return fan_rep_unpack(f->rep[k], data, len, where);
}

/* Rank 0: write every temperature group of the run's replicas (reps[k] = replica all[k]). */
static md_status write_groups(fan_run *f, fan_rep **reps) {
  real_t keys[DECK_MAX_TEMPS];
  int ngroups = replica_groups(f->key, f->nall, keys, DECK_MAX_TEMPS);
  fan_rep **sel = (fan_rep **)malloc((size_t)f->nall * sizeof *sel);
  int *names = (int *)malloc((size_t)f->nall * sizeof *names);
  md_status st = sel && names ? MD_OK : md_error(MD_ERR_MEMORY, "out of memory");
  for (int g = 0; g < ngroups && st == MD_OK; g++) {
    int n = 0;
    for (int k = 0; k < f->nall; k++)
      if (f->key[k] == keys[g]) {
        sel[n] = reps[k];
        names[n++] = f->all[k];
      }
    strbuf in;
    strbuf_init(&in);
    strbuf_printf(&in, "on the fly: esnapmd run %s, replica(s)", f->deck_name);
    replica_names_text(&in, names, n);
    char dir[MD_PATH_LEN + 32];
    replica_group_dir(dir, sizeof dir, f->dir, ngroups, keys[g]);
    st = fan_write(dir, sel, names, n, &f->o, &f->box, (const char(*)[MD_NAME_LEN])f->elem, f->nelem, f->mass, in.data);
    strbuf_free(&in);
  }
  free(sel);
  free(names);
  return st;
}

static md_status hk_report(void *ctx, int final) {
  fan_run *f = (fan_run *)ctx;
  md_status st = MD_OK;
  if (!ens_active()) {
    st = write_groups(f, f->rep);
  } else {
    /* gather the packed bundles of every rank on rank 0 */
    const int rank = ens_rank();
    unsigned char *all = NULL;
    st = ens_gather_packed(f->nloc, hk_save_rep, f, &all);
    if (st == MD_OK && rank == 0) {
      fan_rep **reps = (fan_rep **)calloc((size_t)f->nall, sizeof *reps);
      if (!reps) st = md_error(MD_ERR_MEMORY, "out of memory");
      size_t off = 0;
      for (int k = 0; k < f->nall && st == MD_OK; k++) {
        if (k < f->nloc) {
          reps[k] = f->rep[k];
          continue;
        }
        size_t n = 0;
        const unsigned char *p = ens_next_record(all, &off, &n);
        char where[64];
        snprintf(where, sizeof where, "analysis state of replica %d (MPI gather)", f->all[k]);
        st = fan_rep_create(&reps[k], &f->o, &f->box, f->n, f->type, f->nelem, (const char(*)[MD_NAME_LEN])f->elem, f->mass);
        if (st == MD_OK) st = fan_rep_unpack(reps[k], p, n, where);
      }
      if (st == MD_OK) st = write_groups(f, reps);
      for (int k = f->nloc; reps && k < f->nall; k++) fan_rep_destroy(&reps[k]);
      free(reps);
    }
    free(all);
  }
  /* a checkpoint early in the run may not have a complete spectra segment yet: only the final report must succeed */
  if (st == MD_ERR_VALUE && !final) {
    md_clear_error();
    st = MD_OK;
  }
  return st;
}

void fan_run_hook(fan_run *f, md_analysis_hook *h) {
  memset(h, 0, sizeof *h);
  h->name = "frames";
  h->ctx = f;
  h->every = hook_every(f->d);
  h->sample = hk_sample;
  h->save_rep = hk_save_rep;
  h->load_rep = hk_load_rep;
  h->report = hk_report;
}
