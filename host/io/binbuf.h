/* binbuf.h — the binary buffers of checkpoints and of saved analysis state (MSD accumulators, diffusion
 * trackers): values in native byte order (a checkpoint's header records it), appended by a writer and read
 * back by a bounds-checked reader.
 *
 *   integers and doubles: their 4 or 8 bytes;  strings: u32 length, then the bytes (no NUL);
 *   sections: u32 tag (BIN_TAG('R','U','N',' ')), u64 length of the contents, the contents.
 *
 * Writer: a growing heap buffer (binw zeroed; binw_free) or caller memory of fixed size (binw_fixed). A failed
 * allocation or an overflow of fixed memory sets `failed`; later puts do nothing, so a writer checks once at the
 * end. Reader: an overrun sets `bad` and yields zeros (strings ""), so a reader checks once after a group of
 * gets. */
#ifndef ESNAP_BINBUF_H
#define ESNAP_BINBUF_H

#include <stddef.h>
#include <stdint.h>

#include "md_hd.h"

MD_EXTERN_C_BEGIN

#define BIN_TAG(a, b, c, d) ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))

typedef struct binw {
  unsigned char *p;
  size_t len, cap;
  int fixed;   /* p is caller memory of cap bytes: never reallocated */
  int failed;  /* out of memory, or past the end of fixed memory */
} binw;

/* Write into caller memory buf[0..cap). */
void binw_fixed(binw *b, void *buf, size_t cap);
/* Free a growing buffer (nothing for fixed memory). */
void binw_free(binw *b);
void binw_put(binw *b, const void *data, size_t n);
/* Append n bytes for the caller to fill; NULL once failed. */
unsigned char *binw_reserve(binw *b, size_t n);
void binw_u32(binw *b, uint32_t v);
void binw_i32(binw *b, int32_t v);
void binw_u64(binw *b, uint64_t v);
void binw_i64(binw *b, int64_t v);
void binw_f64(binw *b, double v);
void binw_str(binw *b, const char *s);
/* Open a section; returns where its length goes, for binw_section_end. */
size_t binw_section_begin(binw *b, uint32_t tag);
void binw_section_end(binw *b, size_t at);

typedef struct binr {
  const unsigned char *p;
  size_t len, pos;
  int bad;     /* a get ran past the end */
} binr;

void binr_init(binr *b, const void *data, size_t len);
size_t binr_left(const binr *b);
void binr_get(binr *b, void *out, size_t n);
/* The next n bytes in place (and step over them); NULL (bad) when fewer are left. */
const unsigned char *binr_take(binr *b, size_t n);
uint32_t binr_u32(binr *b);
int32_t binr_i32(binr *b);
uint64_t binr_u64(binr *b);
int64_t binr_i64(binr *b);
double binr_f64(binr *b);
/* A string into out (cap bytes with the NUL); one of cap bytes or more is bad. */
void binr_str(binr *b, char *out, size_t cap);
/* The next section: its tag and a reader over its contents; 0 at the end of b, -1 (bad) when malformed. */
int binr_section(binr *b, uint32_t *tag, binr *contents);

MD_EXTERN_C_END

#endif
