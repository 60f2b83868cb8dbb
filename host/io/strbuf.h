/* strbuf.h — a growing string buffer for formatting whole output records before one write. */
#ifndef ESNAP_STRBUF_H
#define ESNAP_STRBUF_H

#include <stddef.h>

#include "md_hd.h"

MD_EXTERN_C_BEGIN

typedef struct strbuf {
  char *data;
  size_t len, cap;
  int failed; /* an allocation failed; contents are incomplete */
} strbuf;

void strbuf_init(strbuf *b);
void strbuf_free(strbuf *b);
void strbuf_clear(strbuf *b);
void strbuf_putc(strbuf *b, char c);
void strbuf_puts(strbuf *b, const char *s);
void strbuf_printf(strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

MD_EXTERN_C_END

#endif
