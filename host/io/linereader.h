/* linereader.h — whole lines of a text file, plain or gzip-compressed alike (zlib), numbered for messages:
 * the line source of the LAMMPS dump and extended XYZ readers. Lines may be of any length; the newline (and a
 * '\r' before it) is removed. */
#ifndef ESNAP_LINEREADER_H
#define ESNAP_LINEREADER_H

#include <stddef.h>

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

struct gzFile_s;

typedef struct linereader {
  struct gzFile_s *gz;
  char path[MD_PATH_LEN];
  int line;      /* lines read so far (the number of the current line) */
  char *buf;     /* the current line, NUL-terminated */
  size_t cap;
} linereader;

md_status lr_open(linereader *r, const char *path);
void lr_close(linereader *r);
/* Next line into r->buf: 1, 0 at end of file, -1 on a read error (corrupt gzip data). */
int lr_next(linereader *r);
/* 1 when s holds only white space. */
int lr_is_blank(const char *s);

MD_EXTERN_C_END

#endif
