/* fault_shim.c — an LD_PRELOAD library for tests/fault_test.sh that makes a run's output fail the way a full disk
 * or a read-only file system does, without mounting anything:
 *   ESNAP_FAULT_ENOSPC_AFTER=N  write() to files (descriptors above 2) stores N bytes in all, then fails with ENOSPC
 *                               (the write that crosses N stores part of its data, as a filling disk does); once
 *                               the N bytes are spent, fsync()/fdatasync() fail with ENOSPC too (so files written
 *                               through stdio, whose writes this shim does not see, fail at their fsync)
 *   ESNAP_FAULT_READONLY=DIR    opening a file under DIR (absolute path) for writing, creating, renaming or
 *                               removing one, or creating a directory there fails with EROFS
 * Without either variable every call goes straight to the C library. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long long g_budget = -1; /* bytes left; -1: unlimited */
static char g_ro[4096];          /* read-only directory ("" none) */
static int g_ready = 0;

static void init(void) {
  if (g_ready) return;
  const char *e = getenv("ESNAP_FAULT_ENOSPC_AFTER");
  if (e && *e) g_budget = atoll(e);
  e = getenv("ESNAP_FAULT_READONLY");
  if (e && *e) snprintf(g_ro, sizeof g_ro, "%s", e);
  g_ready = 1;
}

/* real_NAME: the C library's NAME (ret and args: its type) */
#define REAL(name, ret, args) \
  static ret(*real_##name) args = NULL; \
  if (!real_##name) real_##name = (ret(*) args)dlsym(RTLD_NEXT, #name)

/* path (relative to the working directory or absolute) lies under the read-only directory */
static int read_only(const char *path) {
  init();
  if (!g_ro[0] || !path) return 0;
  char abs[8192];
  if (path[0] == '/') snprintf(abs, sizeof abs, "%s", path);
  else {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) return 0;
    snprintf(abs, sizeof abs, "%s/%s", cwd, path);
  }
  size_t n = strlen(g_ro);
  return strncmp(abs, g_ro, n) == 0 && (abs[n] == '/' || abs[n] == '\0');
}

static int writes(int flags) { return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) != 0; }

static int fail(int err) {
  errno = err;
  return -1;
}

ssize_t write(int fd, const void *buf, size_t n) {
  REAL(write, ssize_t, (int, const void *, size_t));
  init();
  if (fd > 2 && g_budget >= 0) {
    if (g_budget == 0 && n > 0) return fail(ENOSPC);
    if ((long long)n > g_budget) n = (size_t)g_budget;
    ssize_t w = real_write(fd, buf, n);
    if (w > 0) g_budget -= w;
    return w;
  }
  return real_write(fd, buf, n);
}

int fsync(int fd) {
  REAL(fsync, int, (int));
  init();
  if (fd > 2 && g_budget == 0) return fail(ENOSPC);
  return real_fsync(fd);
}

int fdatasync(int fd) {
  REAL(fdatasync, int, (int));
  init();
  if (fd > 2 && g_budget == 0) return fail(ENOSPC);
  return real_fdatasync(fd);
}

/* the mode argument of an open that creates (read from the caller's variable arguments) */
#define MODE_ARG(flags, m)                                          \
  mode_t m = 0;                                                     \
  if ((flags) & (O_CREAT | O_TMPFILE)) {                            \
    va_list ap;                                                     \
    va_start(ap, flags);                                            \
    m = (mode_t)va_arg(ap, int);                                    \
    va_end(ap);                                                     \
  }

int open(const char *path, int flags, ...) {
  REAL(open, int, (const char *, int, ...));
  MODE_ARG(flags, m);
  if (writes(flags) && read_only(path)) return fail(EROFS);
  return real_open(path, flags, m);
}

int open64(const char *path, int flags, ...) {
  REAL(open64, int, (const char *, int, ...));
  MODE_ARG(flags, m);
  return writes(flags) && read_only(path) ? fail(EROFS) : real_open64(path, flags, m);
}

int openat(int dirfd, const char *path, int flags, ...) {
  REAL(openat, int, (int, const char *, int, ...));
  MODE_ARG(flags, m);
  if (writes(flags) && (dirfd == AT_FDCWD || path[0] == '/') && read_only(path)) return fail(EROFS);
  return real_openat(dirfd, path, flags, m);
}

int creat(const char *path, mode_t m) {
  REAL(creat, int, (const char *, mode_t));
  if (read_only(path)) return fail(EROFS);
  return real_creat(path, m);
}

int mkdir(const char *path, mode_t m) {
  REAL(mkdir, int, (const char *, mode_t));
  struct stat st;
  if (read_only(path) && stat(path, &st) != 0) return fail(EROFS);
  return real_mkdir(path, m);
}

int rename(const char *from, const char *to) {
  REAL(rename, int, (const char *, const char *));
  if (read_only(from) || read_only(to)) return fail(EROFS);
  return real_rename(from, to);
}

int unlink(const char *path) {
  REAL(unlink, int, (const char *));
  if (read_only(path)) return fail(EROFS);
  return real_unlink(path);
}
