/* replica_deck.c — the deck keywords of replica ensembles, on-the-fly diffusion and temperature series
 * (`replicas`, `diffusion`, `sweep`; documented in deck.h), parsed with the value parsers of deck_words.h. */
#include <stdlib.h>
#include <string.h>

#include "deck_words.h"
#include "replica_deck.h"

static md_status get_temperature(const textfile *t, int k, const char *usage, real_t *out) {
  MD_TRY(deck_get_real(t, k, "temperature", usage, out));
  if (!(*out > 0.0) || *out > DECK_T_MAX)
    return md_error(MD_ERR_VALUE, "%s:%d: temperature '%s' must be positive and at most %g K", t->path, t->line, t->word[k], DECK_T_MAX);
  return MD_OK;
}

static int is_real_word(const char *w) {
  char *end;
  strtod(w, &end);
  return end != w && *end == '\0';
}

md_status deck_parse_replicas(const textfile *t, md_deck *d) {
  const char *usage = "replicas R [seed S] [temperatures T1 T2 ...] [only K]";
  long r;
  MD_TRY(deck_get_long(t, 1, "replica count", usage, &r));
  if (r < 1 || r > 1000000)
    return md_error(MD_ERR_VALUE, "%s:%d: replicas must be between 1 and 1000000 (got %ld)", t->path, t->line, r);
  d->nrep = (int)r;
  d->rep_only = -1;
  long only = -1;
  int only_given = 0;
  for (int k = 2; k < t->nwords;) {
    const char *w = t->word[k];
    if (strcmp(w, "seed") == 0) {
      MD_TRY(deck_get_seed(t, k + 1, &d->rep_seed));
      d->has_rep_seed = 1;
      k += 2;
    } else if (strcmp(w, "only") == 0) {
      MD_TRY(deck_get_long(t, k + 1, "only", usage, &only));
      only_given = 1;
      k += 2;
    } else if (strcmp(w, "temperatures") == 0) {
      k++;
      MD_TRY(deck_need(t, k, usage));
      while (k < t->nwords && is_real_word(t->word[k])) {
        if (d->nrep_temps >= DECK_MAX_TEMPS)
          return md_error(MD_ERR_VALUE, "%s:%d: at most %d temperatures", t->path, t->line, DECK_MAX_TEMPS);
        MD_TRY(get_temperature(t, k, usage, &d->rep_temps[d->nrep_temps++]));
        k++;
      }
      if (d->nrep_temps == 0)
        return md_error(MD_ERR_PARSE, "%s:%d: temperatures: expected numbers (K), found '%s'", t->path, t->line, t->word[k]);
    } else {
      return deck_extra_word(t, k);
    }
  }
  if (only_given && (only < 0 || only >= r))
    return md_error(MD_ERR_VALUE, "%s:%d: only %ld: replicas are numbered 0..%ld", t->path, t->line, only, r - 1);
  d->rep_only = (int)only;
  if (d->nrep_temps > 0 && (d->nrep_temps > d->nrep || d->nrep % d->nrep_temps != 0))
    return md_error(MD_ERR_VALUE, "%s:%d: %d temperatures for %d replicas: give one per replica, or m with R a multiple of m",
                    t->path, t->line, d->nrep_temps, d->nrep);
  d->replicas_line = t->line;
  return MD_OK;
}

md_status deck_parse_diffusion(const textfile *t, md_deck *d) {
  const char *usage = "diffusion SPECIES every N [block B] [fit T0 T1] [dir NAME] [temperature T]";
  MD_TRY(deck_need(t, 1, usage));
  if (strlen(t->word[1]) >= MD_NAME_LEN || t->word[1][0] == '\0')
    return md_error(MD_ERR_VALUE, "%s:%d: diffusion: bad species name '%s'", t->path, t->line, t->word[1]);
  snprintf(d->diff_species, sizeof d->diff_species, "%s", t->word[1]);
  d->has_diffusion = 1;
  d->diffusion_line = t->line;
  for (int k = 2; k < t->nwords;) {
    const char *w = t->word[k];
    long v;
    if (strcmp(w, "every") == 0) {
      MD_TRY(deck_get_positive_long(t, k + 1, "diffusion interval", usage, &d->diff_every));
      k += 2;
    } else if (strcmp(w, "block") == 0) {
      MD_TRY(deck_get_long(t, k + 1, "block", usage, &v));
      if (v < 2 || v > 65536) return md_error(MD_ERR_VALUE, "%s:%d: diffusion block must be 2..65536", t->path, t->line);
      d->diff_block = (int)v;
      k += 2;
    } else if (strcmp(w, "fit") == 0) {
      MD_TRY(deck_get_real(t, k + 1, "fit start", usage, &d->diff_fit_t0));
      MD_TRY(deck_get_real(t, k + 2, "fit end", usage, &d->diff_fit_t1));
      if (!(d->diff_fit_t0 >= 0.0 && d->diff_fit_t1 > d->diff_fit_t0))
        return md_error(MD_ERR_VALUE, "%s:%d: diffusion fit window needs 0 <= T0 < T1 (ps), got %g %g", t->path, t->line,
                        d->diff_fit_t0, d->diff_fit_t1);
      k += 3;
    } else if (strcmp(w, "dir") == 0) {
      MD_TRY(deck_out_name(t, k + 1, d->diff_dir, usage));
      k += 2;
    } else if (strcmp(w, "temperature") == 0) {
      MD_TRY(get_temperature(t, k + 1, usage, &d->diff_temperature));
      k += 2;
    } else {
      return deck_extra_word(t, k);
    }
  }
  if (d->diff_every <= 0)
    return md_error(MD_ERR_PARSE, "%s:%d: diffusion needs 'every N' (steps between samples; usage: %s)", t->path, t->line, usage);
  return MD_OK;
}

md_status deck_parse_sweep(const textfile *t, md_deck *d) {
  const char *usage = "sweep T1 T2 ... [break auto|none|TB] [at T]";
  int k = 1;
  while (k < t->nwords && is_real_word(t->word[k])) {
    if (d->nsweep >= DECK_MAX_TEMPS) return md_error(MD_ERR_VALUE, "%s:%d: at most %d temperatures", t->path, t->line, DECK_MAX_TEMPS);
    MD_TRY(get_temperature(t, k, usage, &d->sweep_t[d->nsweep++]));
    k++;
  }
  if (d->nsweep < 2) return md_error(MD_ERR_VALUE, "%s:%d: sweep needs at least 2 temperatures (usage: %s)", t->path, t->line, usage);
  for (; k < t->nwords; k += 2) {
    const char *w = t->word[k];
    if (strcmp(w, "break") == 0) {
      MD_TRY(deck_need(t, k + 1, usage));
      if (strcmp(t->word[k + 1], "auto") == 0) d->sweep_break = 0.0;
      else if (strcmp(t->word[k + 1], "none") == 0) d->sweep_break = -1.0;
      else MD_TRY(get_temperature(t, k + 1, usage, &d->sweep_break));
    } else if (strcmp(w, "at") == 0) {
      MD_TRY(get_temperature(t, k + 1, usage, &d->sweep_at));
    } else {
      return deck_extra_word(t, k);
    }
  }
  for (int a = 0; a < d->nsweep; a++)
    for (int b = 0; b < a; b++)
      if (d->sweep_t[a] == d->sweep_t[b]) return md_error(MD_ERR_VALUE, "%s:%d: sweep temperature %g K given twice", t->path, t->line, d->sweep_t[a]);
  d->sweep_line = t->line;
  return MD_OK;
}

