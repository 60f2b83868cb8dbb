/* textfile.h — line-oriented reading of text inputs with '#' comments, for the model, SNAP, deck and LAMMPS
 * data readers: each line is split into whitespace-separated words and carries its line number for messages
 * ("FILE:LINE: ..."); the first word of its comment is kept too (LAMMPS data files put the atom style and
 * element names there). */
#ifndef ESNAP_TEXTFILE_H
#define ESNAP_TEXTFILE_H

#include <stdio.h>

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

#define TF_MAX_WORDS 64

typedef struct textfile {
  FILE *fp;
  char path[MD_PATH_LEN];
  int line;                    /* line number of the current line (1-based) */
  char *buf;
  size_t cap;
  int nwords;
  char *word[TF_MAX_WORDS];    /* words of the current line (comment stripped) */
  char comment[64];            /* first word after '#' on the current line, "" when none */
} textfile;

md_status tf_open(textfile *t, const char *path);
void tf_close(textfile *t);
/* Next line with at least one word; returns 1, or 0 at end of file. Words beyond TF_MAX_WORDS are an error
 * reported through *st. */
int tf_next(textfile *t, md_status *st);
/* Step over the next line whatever it holds (a title line); returns 1, or 0 at end of file. */
int tf_skip_line(textfile *t);
/* Parse word k as a real / integer, with a message naming file:line and `what` on failure. */
md_status tf_real(const textfile *t, int k, const char *what, real_t *out);
md_status tf_int(const textfile *t, int k, const char *what, int *out);
/* A value (already read from word k) in [lo, hi] (unit for the message, e.g. "K"; "" for none); outside is
 * MD_ERR_VALUE "FILE:LINE: what must be between lo and hi unit (got WORD)". Ranges: host/ff/ranges.h. */
md_status tf_check_range(const textfile *t, int k, const char *what, real_t lo, real_t hi, const char *unit,
                         real_t value);
/* tf_real, then tf_check_range. */
md_status tf_real_range(const textfile *t, int k, const char *what, real_t lo, real_t hi, const char *unit,
                        real_t *out);
/* Word k as an integer in [lo, hi]; out of range is MD_ERR_VALUE naming the range. */
md_status tf_long(const textfile *t, int k, const char *what, long lo, long hi, long *out);
/* Directory part of a path ("." when none), for resolving relative file names. */
void tf_dirname(const char *path, char *out, size_t n);
/* Join dir and name unless name is absolute. */
void tf_join(const char *dir, const char *name, char *out, size_t n);

MD_EXTERN_C_END

#endif
