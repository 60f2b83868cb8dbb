/* status.h — status codes and the error message buffer. Library code never exits: every failure returns a
 * status and leaves one line in the message buffer naming the input file (and line) and what is wrong.
 * Only main() turns a status into an exit code. */
#ifndef ESNAP_STATUS_H
#define ESNAP_STATUS_H

#include "md_hd.h"

MD_EXTERN_C_BEGIN

typedef enum md_status {
  MD_OK = 0,
  MD_ERR_IO = 1,          /* file missing, unreadable, unwritable */
  MD_ERR_PARSE = 2,       /* malformed or truncated input */
  MD_ERR_VALUE = 3,       /* well-formed but invalid value (NaN, negative timestep, unknown element) */
  MD_ERR_UNSUPPORTED = 4, /* valid option that this version does not implement */
  MD_ERR_MEMORY = 5,      /* allocation failed */
  MD_ERR_PHYSICS = 6,     /* run stopped: NaN, exploding temperature, overlapping or lost atoms */
  MD_ERR_DEVICE = 7,      /* CUDA / cuFFT / NCCL failure, or no device when one was required */
  MD_ERR_MPI = 8,         /* MPI failure */
  MD_ERR_INTERNAL = 9     /* a bug: an invariant did not hold */
} md_status;

/* Record an error (printf-style; keep it to one line, starting with "file:line: " where there is one) and
 * return `code`, so callers write `return md_error(MD_ERR_PARSE, "%s:%d: ...", path, line);`. Control bytes and
 * bytes that are not printable UTF-8 (input text echoed in the message) are recorded as \xNN. The arguments may
 * include md_errmsg() (wrapping the previous message). */
md_status md_error(md_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The last message recorded by md_error on this thread ("" if none). */
const char *md_errmsg(void);
/* Forget the last message. */
void md_clear_error(void);
/* Short name of a status code ("parse error", ...). */
const char *md_status_name(md_status s);

/* Propagate a non-OK status. */
#define MD_TRY(expr)                  \
  do {                                \
    md_status md_try_s_ = (expr);     \
    if (md_try_s_ != MD_OK) return md_try_s_; \
  } while (0)

MD_EXTERN_C_END

#endif
