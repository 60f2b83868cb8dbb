#include "binbuf.h"

#include <stdlib.h>
#include <string.h>

void binw_fixed(binw *b, void *buf, size_t cap) {
  memset(b, 0, sizeof *b);
  b->p = (unsigned char *)buf;
  b->cap = cap;
  b->fixed = 1;
}

void binw_free(binw *b) {
  if (!b->fixed) free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

unsigned char *binw_reserve(binw *b, size_t n) {
  if (b->failed) return NULL;
  if (n > b->cap - b->len) {
    if (b->fixed) {
      b->failed = 1;
      return NULL;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < n) cap *= 2;
    unsigned char *q = (unsigned char *)realloc(b->p, cap);
    if (!q) {
      b->failed = 1;
      return NULL;
    }
    b->p = q;
    b->cap = cap;
  }
  unsigned char *at = b->p + b->len;
  b->len += n;
  return at;
}

void binw_put(binw *b, const void *data, size_t n) {
  unsigned char *at = binw_reserve(b, n);
  if (at && n) memcpy(at, data, n);
}
void binw_u32(binw *b, uint32_t v) { binw_put(b, &v, 4); }
void binw_i32(binw *b, int32_t v) { binw_put(b, &v, 4); }
void binw_u64(binw *b, uint64_t v) { binw_put(b, &v, 8); }
void binw_i64(binw *b, int64_t v) { binw_put(b, &v, 8); }
void binw_f64(binw *b, double v) { binw_put(b, &v, 8); }
void binw_str(binw *b, const char *s) {
  uint32_t n = (uint32_t)strlen(s);
  binw_u32(b, n);
  binw_put(b, s, n);
}

size_t binw_section_begin(binw *b, uint32_t tag) {
  binw_u32(b, tag);
  size_t at = b->len;
  binw_u64(b, 0);
  return at;
}

void binw_section_end(binw *b, size_t at) {
  if (b->failed) return;
  uint64_t n = (uint64_t)(b->len - at - 8);
  memcpy(b->p + at, &n, 8);
}

void binr_init(binr *b, const void *data, size_t len) {
  b->p = (const unsigned char *)data;
  b->len = len;
  b->pos = 0;
  b->bad = 0;
}

size_t binr_left(const binr *b) { return b->len - b->pos; }

const unsigned char *binr_take(binr *b, size_t n) {
  if (b->bad || n > b->len - b->pos) {
    b->bad = 1;
    return NULL;
  }
  const unsigned char *at = b->p + b->pos;
  b->pos += n;
  return at;
}

void binr_get(binr *b, void *out, size_t n) {
  const unsigned char *at = binr_take(b, n);
  if (!n) return;
  if (at) memcpy(out, at, n);
  else memset(out, 0, n);
}
uint32_t binr_u32(binr *b) { uint32_t v; binr_get(b, &v, 4); return v; }
int32_t binr_i32(binr *b) { int32_t v; binr_get(b, &v, 4); return v; }
uint64_t binr_u64(binr *b) { uint64_t v; binr_get(b, &v, 8); return v; }
int64_t binr_i64(binr *b) { int64_t v; binr_get(b, &v, 8); return v; }
double binr_f64(binr *b) { double v; binr_get(b, &v, 8); return v; }

void binr_str(binr *b, char *out, size_t cap) {
  uint32_t n = binr_u32(b);
  const unsigned char *at = (!b->bad && n < cap) ? binr_take(b, n) : NULL;
  if (!at) {
    b->bad = 1;
    out[0] = '\0';
    return;
  }
  memcpy(out, at, n);
  out[n] = '\0';
}

int binr_section(binr *b, uint32_t *tag, binr *contents) {
  if (b->pos >= b->len) return 0;
  *tag = binr_u32(b);
  uint64_t n = binr_u64(b);
  const unsigned char *at = (!b->bad && n <= binr_left(b)) ? binr_take(b, (size_t)n) : NULL;
  if (!at) {
    b->bad = 1;
    return -1;
  }
  binr_init(contents, at, (size_t)n);
  return 1;
}
