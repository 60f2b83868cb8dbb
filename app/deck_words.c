/* deck_words.c — the value parsers of deck keywords (see deck_words.h). */
#include "deck_words.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

md_status deck_need(const textfile *t, int k, const char *usage) {
  if (k < t->nwords) return MD_OK;
  return md_error(MD_ERR_PARSE, "%s:%d: %s: missing value (usage: %s)", t->path, t->line, t->word[0], usage);
}

md_status deck_get_real(const textfile *t, int k, const char *what, const char *usage, real_t *out) {
  MD_TRY(deck_need(t, k, usage));
  return tf_real(t, k, what, out);
}

md_status deck_get_long(const textfile *t, int k, const char *what, const char *usage, long *out) {
  MD_TRY(deck_need(t, k, usage));
  return tf_long(t, k, what, LONG_MIN, LONG_MAX, out);
}

md_status deck_get_positive_long(const textfile *t, int k, const char *what, const char *usage, long *out) {
  MD_TRY(deck_get_long(t, k, what, usage, out));
  if (*out <= 0) return md_error(MD_ERR_VALUE, "%s:%d: %s must be a positive integer (got %ld)", t->path, t->line, what, *out);
  return MD_OK;
}

md_status deck_get_seed(const textfile *t, int k, uint64_t *out) {
  MD_TRY(deck_need(t, k, "seed S (a positive integer)"));
  const char *w = t->word[k];
  char *end;
  errno = 0;
  unsigned long long v = strtoull(w, &end, 10);
  if (end == w || *end || errno || w[0] == '-' || v == 0)
    return md_error(MD_ERR_PARSE, "%s:%d: seed '%s' is not a positive integer", t->path, t->line, w);
  *out = (uint64_t)v;
  return MD_OK;
}

md_status deck_extra_word(const textfile *t, int k) {
  return md_error(MD_ERR_PARSE, "%s:%d: %s: unexpected '%s'", t->path, t->line, t->word[0], t->word[k]);
}

md_status deck_out_name(const textfile *t, int k, char *dst, const char *usage) {
  MD_TRY(deck_need(t, k, usage));
  if (strlen(t->word[k]) >= MD_PATH_LEN / 2) return md_error(MD_ERR_VALUE, "%s:%d: file name too long", t->path, t->line);
  snprintf(dst, MD_PATH_LEN, "%s", t->word[k]);
  return MD_OK;
}

md_status deck_check_range(const textfile *t, int k, const char *what, real_t lo, real_t hi, const char *unit,
                           real_t value) {
  return tf_check_range(t, k, what, lo, hi, unit, value);
}
