#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(strbuf *b) { memset(b, 0, sizeof *b); }

void strbuf_free(strbuf *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

void strbuf_clear(strbuf *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

static int reserve(strbuf *b, size_t extra) {
  if (b->failed) return 0;
  if (b->len + extra + 1 <= b->cap) return 1;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *d = (char *)realloc(b->data, cap);
  if (!d) {
    b->failed = 1;
    return 0;
  }
  b->data = d;
  b->cap = cap;
  return 1;
}

void strbuf_putc(strbuf *b, char c) {
  if (!reserve(b, 1)) return;
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
}

void strbuf_puts(strbuf *b, const char *s) {
  size_t n = strlen(s);
  if (!reserve(b, n)) return;
  memcpy(b->data + b->len, s, n + 1);
  b->len += n;
}

void strbuf_printf(strbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = 1;
    return;
  }
  if ((size_t)n < sizeof tmp) {
    if (!reserve(b, (size_t)n)) return;
    memcpy(b->data + b->len, tmp, (size_t)n + 1);
    b->len += (size_t)n;
    return;
  }
  if (!reserve(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}
