#include "linereader.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

md_status lr_open(linereader *r, const char *path) {
  memset(r, 0, sizeof *r);
  snprintf(r->path, sizeof r->path, "%s", path);
  errno = 0;
  r->gz = gzopen(path, "rb");
  if (!r->gz) return md_error(MD_ERR_IO, "%s: cannot open: %s", path, errno ? strerror(errno) : "zlib error");
  gzbuffer(r->gz, 1 << 17);
  r->cap = 4096;
  r->buf = (char *)malloc(r->cap);
  if (!r->buf) {
    lr_close(r);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  r->buf[0] = '\0';
  return MD_OK;
}

void lr_close(linereader *r) {
  if (r->gz) gzclose(r->gz);
  free(r->buf);
  r->gz = NULL;
  r->buf = NULL;
  r->cap = 0;
}

int lr_next(linereader *r) {
  size_t len = 0;
  for (;;) {
    if (!gzgets(r->gz, r->buf + len, (int)(r->cap - len))) {
      int err;
      gzerror(r->gz, &err);
      if (err != Z_OK && err != Z_STREAM_END) return -1;
      if (len == 0) return 0;
      break;
    }
    len += strlen(r->buf + len);
    if (len > 0 && r->buf[len - 1] == '\n') break;
    if (len + 1 < r->cap) {
      if (gzeof(r->gz)) break;
      continue;
    }
    char *nb = (char *)realloc(r->buf, r->cap * 2);
    if (!nb) return -1;
    r->buf = nb;
    r->cap *= 2;
  }
  while (len > 0 && (r->buf[len - 1] == '\n' || r->buf[len - 1] == '\r')) r->buf[--len] = '\0';
  r->line++;
  return 1;
}

int lr_is_blank(const char *s) {
  for (; *s; s++)
    if (!isspace((unsigned char)*s)) return 0;
  return 1;
}
