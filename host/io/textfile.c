#include "textfile.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

md_status tf_open(textfile *t, const char *path) {
  memset(t, 0, sizeof *t);
  snprintf(t->path, sizeof t->path, "%s", path);
  t->fp = fopen(path, "r");
  if (!t->fp) return md_error(MD_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  return MD_OK;
}

void tf_close(textfile *t) {
  if (t->fp) fclose(t->fp);
  free(t->buf);
  t->fp = NULL;
  t->buf = NULL;
}

int tf_next(textfile *t, md_status *st) {
  *st = MD_OK;
  for (;;) {
    ssize_t len = getline(&t->buf, &t->cap, t->fp);
    if (len < 0) return 0;
    t->line++;
    t->comment[0] = '\0';
    char *hash = strchr(t->buf, '#');
    if (hash) {
      *hash = '\0';
      const char *c = hash + 1;
      while (isspace((unsigned char)*c)) c++;
      size_t k = 0;
      while (c[k] && !isspace((unsigned char)c[k]) && k + 1 < sizeof t->comment) k++;
      memcpy(t->comment, c, k);
      t->comment[k] = '\0';
    }
    t->nwords = 0;
    char *p = t->buf;
    while (*p) {
      while (isspace((unsigned char)*p)) p++;
      if (!*p) break;
      if (t->nwords >= TF_MAX_WORDS) {
        *st = md_error(MD_ERR_PARSE, "%s:%d: line has more than %d words", t->path, t->line, TF_MAX_WORDS);
        return 0;
      }
      t->word[t->nwords++] = p;
      while (*p && !isspace((unsigned char)*p)) p++;
      if (*p) *p++ = '\0';
    }
    if (t->nwords > 0) return 1;
  }
}

int tf_skip_line(textfile *t) {
  if (getline(&t->buf, &t->cap, t->fp) < 0) return 0;
  t->line++;
  t->nwords = 0;
  t->comment[0] = '\0';
  return 1;
}

md_status tf_real(const textfile *t, int k, const char *what, real_t *out) {
  if (k >= t->nwords) return md_error(MD_ERR_PARSE, "%s:%d: missing %s", t->path, t->line, what);
  char *end;
  errno = 0;
  double v = strtod(t->word[k], &end);
  if (end == t->word[k] || *end)
    return md_error(MD_ERR_PARSE, "%s:%d: %s '%s' is not a number", t->path, t->line, what, t->word[k]);
  if (!isfinite(v)) return md_error(MD_ERR_VALUE, "%s:%d: %s '%s' is not finite", t->path, t->line, what, t->word[k]);
  *out = v;
  return MD_OK;
}

md_status tf_check_range(const textfile *t, int k, const char *what, real_t lo, real_t hi, const char *unit,
                         real_t value) {
  if (!(value >= lo && value <= hi))
    return md_error(MD_ERR_VALUE, "%s:%d: %s must be between %g and %g%s%s (got %s)", t->path, t->line, what, lo, hi,
                    unit[0] ? " " : "", unit, k < t->nwords ? t->word[k] : "?");
  return MD_OK;
}

md_status tf_real_range(const textfile *t, int k, const char *what, real_t lo, real_t hi, const char *unit,
                        real_t *out) {
  MD_TRY(tf_real(t, k, what, out));
  return tf_check_range(t, k, what, lo, hi, unit, *out);
}

/* word k as a long, or a parse error naming file:line */
static md_status word_long(const textfile *t, int k, const char *what, long *out) {
  if (k >= t->nwords) return md_error(MD_ERR_PARSE, "%s:%d: missing %s", t->path, t->line, what);
  char *end;
  errno = 0;
  long v = strtol(t->word[k], &end, 10);
  if (end == t->word[k] || *end || errno)
    return md_error(MD_ERR_PARSE, "%s:%d: %s '%s' is not an integer", t->path, t->line, what, t->word[k]);
  *out = v;
  return MD_OK;
}

md_status tf_int(const textfile *t, int k, const char *what, int *out) {
  long v = 0;
  MD_TRY(word_long(t, k, what, &v));
  if (v > 2147483647L || v < -2147483647L)
    return md_error(MD_ERR_PARSE, "%s:%d: %s '%s' is not an integer", t->path, t->line, what, t->word[k]);
  *out = (int)v;
  return MD_OK;
}

md_status tf_long(const textfile *t, int k, const char *what, long lo, long hi, long *out) {
  long v = 0;
  MD_TRY(word_long(t, k, what, &v));
  if (v < lo || v > hi)
    return md_error(MD_ERR_VALUE, "%s:%d: %s %ld is out of range (%ld..%ld)", t->path, t->line, what, v, lo, hi);
  *out = v;
  return MD_OK;
}

void tf_dirname(const char *path, char *out, size_t n) {
  const char *slash = strrchr(path, '/');
  if (!slash) {
    snprintf(out, n, ".");
    return;
  }
  size_t len = (size_t)(slash - path);
  if (len == 0) len = 1;
  if (len >= n) len = n - 1;
  memcpy(out, path, len);
  out[len] = '\0';
}

void tf_join(const char *dir, const char *name, char *out, size_t n) {
  if (name[0] == '/' || !dir || !dir[0]) snprintf(out, n, "%s", name);
  else snprintf(out, n, "%s/%s", dir, name);
}
