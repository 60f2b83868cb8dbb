#include "status.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char g_msg[1024];

md_status md_error(md_status code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_msg, sizeof g_msg, fmt, ap);
  va_end(ap);
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
