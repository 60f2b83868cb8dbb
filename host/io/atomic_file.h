/* atomic_file.h — whole output files written atomically, and directories created with their parents.
 *
 * io_atomic_open creates PATH.tmp next to PATH (truncating a stale one left by a killed run; write to a->fp),
 * io_atomic_commit flushes, fsyncs and renames it over PATH and then fsyncs the directory, io_atomic_abort
 * removes it. A reader of PATH sees the old file or the complete new one, never a partial one; when anything
 * fails, PATH stays untouched. The parent directory must exist (make_dirs creates it). One writer per PATH. */
#ifndef ESNAP_ATOMIC_FILE_H
#define ESNAP_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

typedef struct io_atomic {
  FILE *fp;
  char path[MD_PATH_LEN];
  char tmp[MD_PATH_LEN + 16];
} io_atomic;

md_status io_atomic_open(io_atomic *a, const char *path);
md_status io_atomic_commit(io_atomic *a);
void io_atomic_abort(io_atomic *a);

/* Write data (len bytes) to path atomically (io_atomic_open, write, io_atomic_commit). */
md_status write_file_atomic(const char *path, const void *data, size_t len);

/* Create a directory and its parents (mkdir -p); an existing directory is fine. */
md_status make_dirs(const char *dir);

MD_EXTERN_C_END

#endif
