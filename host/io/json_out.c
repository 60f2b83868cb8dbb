/* json_out.c — JSON writer, number lookup, atomic file writes. */
#include "json_out.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_init(json_writer *w) {
  memset(w, 0, sizeof *w);
  strbuf_init(&w->b);
  strbuf_puts(&w->b, "{");
  w->depth = 1;
}

void json_free(json_writer *w) { strbuf_free(&w->b); }

static void put_string(strbuf *b, const char *s) {
  strbuf_putc(b, '"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      strbuf_putc(b, '\\');
      strbuf_putc(b, (char)c);
    } else if (c == '\n') {
      strbuf_puts(b, "\\n");
    } else if (c < 0x20) {
      strbuf_printf(b, "\\u%04x", c);
    } else {
      strbuf_putc(b, (char)c);
    }
  }
  strbuf_putc(b, '"');
}

/* comma, newline + indent, key */
static void member(json_writer *w, const char *key) {
  if (w->count[w->depth]++) strbuf_putc(&w->b, ',');
  strbuf_putc(&w->b, '\n');
  for (int k = 0; k < w->depth; k++) strbuf_puts(&w->b, "  ");
  if (key) {
    put_string(&w->b, key);
    strbuf_puts(&w->b, ": ");
  }
}

static void open_(json_writer *w, const char *key, char c) {
  member(w, key);
  strbuf_putc(&w->b, c);
  if (w->depth + 1 < JSON_MAX_DEPTH) w->depth++;
  w->count[w->depth] = 0;
}

static void close_(json_writer *w, char c) {
  int had = w->count[w->depth];
  if (w->depth > 0) w->depth--;
  if (had) {
    strbuf_putc(&w->b, '\n');
    for (int k = 0; k < w->depth; k++) strbuf_puts(&w->b, "  ");
  }
  strbuf_putc(&w->b, c);
}

void json_object(json_writer *w, const char *key) { open_(w, key, '{'); }
void json_end_object(json_writer *w) { close_(w, '}'); }
void json_array(json_writer *w, const char *key) { open_(w, key, '['); }
void json_end_array(json_writer *w) { close_(w, ']'); }

static void put_number(strbuf *b, double v) {
  if (isfinite(v)) strbuf_printf(b, "%.12g", v);
  else strbuf_puts(b, "null");
}

void json_number(json_writer *w, const char *key, double v) {
  member(w, key);
  put_number(&w->b, v);
}
void json_int(json_writer *w, const char *key, long long v) {
  member(w, key);
  strbuf_printf(&w->b, "%lld", v);
}
void json_string(json_writer *w, const char *key, const char *s) {
  member(w, key);
  put_string(&w->b, s ? s : "");
}

void json_program(json_writer *w) { json_string(w, "program", "esnapmd " ESNAP_VERSION " (commit " ESNAP_COMMIT ")"); }
void json_bool(json_writer *w, const char *key, int v) {
  member(w, key);
  strbuf_puts(&w->b, v ? "true" : "false");
}
void json_value_err(json_writer *w, const char *key, double v, double e) {
  member(w, key);
  strbuf_puts(&w->b, "{\"value\": ");
  put_number(&w->b, v);
  strbuf_puts(&w->b, ", \"stderr\": ");
  put_number(&w->b, e);
  strbuf_putc(&w->b, '}');
}

md_status json_write(json_writer *w, const char *path) {
  while (w->depth > 0) close_(w, w->depth == 1 ? '}' : '}');
  strbuf_putc(&w->b, '\n');
  if (w->b.failed) return md_error(MD_ERR_MEMORY, "%s: out of memory formatting JSON", path);
  return write_file_atomic(path, w->b.data, w->b.len);
}

md_status read_text_file(const char *path, char **text, size_t *len) {
  *text = NULL;
  FILE *fp = fopen(path, "rb");
  if (!fp) return md_error(MD_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  strbuf b;
  strbuf_init(&b);
  char chunk[65536];
  size_t k;
  while ((k = fread(chunk, 1, sizeof chunk, fp)) > 0)
    for (size_t i = 0; i < k; i++) strbuf_putc(&b, chunk[i]);
  int bad = ferror(fp);
  fclose(fp);
  if (bad || b.failed) {
    strbuf_free(&b);
    return md_error(MD_ERR_IO, "%s: read failed", path);
  }
  if (!b.data) strbuf_puts(&b, "");
  *text = b.data;
  if (len) *len = b.len;
  return MD_OK;
}

/* ---- lookup --------------------------------------------------------------------------------------------- */

static const char *ws(const char *p) {
  while (*p && isspace((unsigned char)*p)) p++;
  return p;
}

/* skip a string starting at '"'; returns the char after the closing quote, NULL if malformed */
static const char *skip_string(const char *p) {
  if (*p != '"') return NULL;
  for (p++; *p && *p != '"'; p++)
    if (*p == '\\' && p[1]) p++;
  return *p == '"' ? p + 1 : NULL;
}

static const char *skip_value(const char *p, int depth) {
  p = ws(p);
  if (depth > 64) return NULL;
  if (*p == '"') return skip_string(p);
  if (*p == '{' || *p == '[') {
    char close = *p == '{' ? '}' : ']';
    p = ws(p + 1);
    if (*p == close) return p + 1;
    for (;;) {
      if (close == '}') {
        p = skip_string(ws(p));
        if (!p) return NULL;
        p = ws(p);
        if (*p != ':') return NULL;
        p++;
      }
      p = skip_value(p, depth + 1);
      if (!p) return NULL;
      p = ws(p);
      if (*p == ',') {
        p++;
        continue;
      }
      return *p == close ? p + 1 : NULL;
    }
  }
  const char *q = p;
  while (*q && (isalnum((unsigned char)*q) || strchr("+-.", *q))) q++;
  return q > p ? q : NULL;
}

/* Find the value of dotted path in the object (or, for a numeric path element K, the array: its K-th element,
 * 0-based) at p; returns a pointer to it or NULL. *bad on malformed. */
static const char *find(const char *p, const char *path, int *bad) {
  p = ws(p);
  const char *dot = strchr(path, '.');
  size_t klen = dot ? (size_t)(dot - path) : strlen(path);
  if (*p == '[') {
    if (klen == 0 || klen > 9 || strspn(path, "0123456789") != klen) return NULL;
    long idx = strtol(path, NULL, 10);
    p = ws(p + 1);
    for (long k = 0; *p && *p != ']'; k++) {
      if (k == idx) return dot ? find(p, dot + 1, bad) : p;
      p = skip_value(p, 0);
      if (!p) break;
      p = ws(p);
      if (*p == ',') p = ws(p + 1);
      else if (*p != ']') break;
    }
    if (p && *p == ']') return NULL;
    *bad = 1;
    return NULL;
  }
  if (*p != '{') return NULL;
  p = ws(p + 1);
  if (*p == '}') return NULL;
  for (;;) {
    p = ws(p);
    const char *k0 = p + 1, *k1 = skip_string(p);
    if (!k1) break;
    p = ws(k1);
    if (*p != ':') break;
    p = ws(p + 1);
    if ((size_t)(k1 - 1 - k0) == klen && strncmp(k0, path, klen) == 0) return dot ? find(p, dot + 1, bad) : p;
    p = skip_value(p, 0);
    if (!p) break;
    p = ws(p);
    if (*p == ',') {
      p++;
      continue;
    }
    if (*p == '}') return NULL;
    break;
  }
  *bad = 1;
  return NULL;
}

int json_get_number(const char *text, const char *path, double *out) {
  int bad = 0;
  const char *v = find(text, path, &bad);
  if (bad) return -1;
  if (!v) return 0;
  if (strncmp(v, "null", 4) == 0) {
    *out = NAN;
    return 1;
  }
  char *end;
  double d = strtod(v, &end);
  if (end == v) return 0;
  *out = d;
  return 1;
}

int json_get_string(const char *text, const char *path, char *out, size_t n) {
  int bad = 0;
  const char *v = find(text, path, &bad);
  if (bad) return -1;
  if (!v || *v != '"') return 0;
  size_t k = 0;
  for (v++; *v && *v != '"' && k + 1 < n; v++) {
    if (*v == '\\' && v[1]) v++;
    out[k++] = *v;
  }
  out[k] = '\0';
  return 1;
}
