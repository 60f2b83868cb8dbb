#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char g_msg[1024];

/* Length of the valid UTF-8 sequence at s (printable: C1 controls U+0080 … U+009F excluded), else 0. */
static int utf8_printable_len(const unsigned char *s) {
  const unsigned char c = s[0];
  int n;
  unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
  if (c >= 0xC2 && c <= 0xDF) n = 2, lo = c == 0xC2 ? 0xA0 : 0x80;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
  else return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  for (int k = 2; k < n; k++)
    if (s[k] < 0x80 || s[k] > 0xBF) return 0;
  return n;
}

/* Copy src to dst (size cap) with control bytes, DEL and bytes outside valid printable UTF-8 written as \xNN, so
 * that text echoed from an input file can neither drive the terminal nor break the one-line message. The result
 * is unchanged by a second pass, so messages wrapped again (md_error("step %ld: %s", ...)) stay as they are. */
static void escape_message(const char *src, char *dst, size_t cap) {
  size_t o = 0;
  const unsigned char *s = (const unsigned char *)src;
  while (*s) {
    int n = *s >= 0x20 && *s < 0x7F ? 1 : utf8_printable_len(s);
    if (n > 0) {
      if (o + (size_t)n >= cap) break;
      memcpy(dst + o, s, (size_t)n);
      o += (size_t)n;
      s += n;
    } else {
      if (o + 4 >= cap) break;
      snprintf(dst + o, 5, "\\x%02X", *s);
      o += 4;
      s++;
    }
  }
  dst[o] = '\0';
}

md_status md_error(md_status code, const char *fmt, ...) {
  char raw[sizeof g_msg]; /* the arguments may be md_errmsg() itself */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  escape_message(raw, g_msg, sizeof g_msg);
  return code;
}

const char *md_errmsg(void) { return g_msg; }

void md_clear_error(void) { g_msg[0] = '\0'; }

const char *md_status_name(md_status s) {
  switch (s) {
    case MD_OK: return "ok";
    case MD_ERR_IO: return "i/o error";
    case MD_ERR_PARSE: return "parse error";
    case MD_ERR_VALUE: return "invalid value";
    case MD_ERR_UNSUPPORTED: return "not supported";
    case MD_ERR_MEMORY: return "out of memory";
    case MD_ERR_PHYSICS: return "run stopped";
    case MD_ERR_DEVICE: return "device error";
    case MD_ERR_MPI: return "MPI error";
    case MD_ERR_INTERNAL: return "internal error";
  }
  return "unknown error";
}
