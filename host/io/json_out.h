/* json_out.h — a small JSON writer (for summary.json, arrhenius.json), a lookup of numbers in a JSON text by
 * dotted key path (for reading our own summaries back), and reading a whole text file. Writes are atomic
 * (atomic_file.h). */
#ifndef ESNAP_JSON_OUT_H
#define ESNAP_JSON_OUT_H

#include <stddef.h>

#include "atomic_file.h"
#include "status.h"
#include "strbuf.h"

MD_EXTERN_C_BEGIN

#define JSON_MAX_DEPTH 32

typedef struct json_writer {
  strbuf b;
  int depth;
  int count[JSON_MAX_DEPTH]; /* members written at each depth (for commas) */
} json_writer;

void json_init(json_writer *w);     /* starts the top-level object */
void json_free(json_writer *w);
void json_object(json_writer *w, const char *key);  /* key NULL inside arrays */
void json_end_object(json_writer *w);
void json_array(json_writer *w, const char *key);
void json_end_array(json_writer *w);
/* Members; key NULL inside arrays. Non-finite numbers are written as null. */
void json_number(json_writer *w, const char *key, double v);
void json_int(json_writer *w, const char *key, long long v);
void json_string(json_writer *w, const char *key, const char *s);
/* "program": "esnapmd VERSION (commit COMMIT)" — the provenance member of the result files. */
void json_program(json_writer *w);
void json_bool(json_writer *w, const char *key, int v);
/* {"value": v, "stderr": e} */
void json_value_err(json_writer *w, const char *key, double v, double e);
/* Close the top-level object and write the text to path atomically. */
md_status json_write(json_writer *w, const char *path);

/* Read a whole file into a new NUL-terminated buffer (free it). */
md_status read_text_file(const char *path, char **text, size_t *len);
/* Find a number by dotted path ("D_tracer_xyz.value"; a number K selects element K of an array: "points.2.T")
 * in a JSON text: 1 found (null → NaN), 0 not found or not
 * a number, -1 malformed JSON. */
int json_get_number(const char *text, const char *path, double *out);
/* Same for a string value (copied into out, at most n bytes with the NUL). */
int json_get_string(const char *text, const char *path, char *out, size_t n);

MD_EXTERN_C_END

#endif
