/* structure.c — format detection, frame iteration and checks for structure inputs (see structure.h). */
#include "structure.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "math/pbc.h"
#include "nbr_cells.h"

#include "model.h"
#include "system.h"

struct structure_reader {
  char path[MD_PATH_LEN];
  const md_model *m;
  structure_options o;
  int format;
  int index;     /* structures returned so far */
  int done;
  xyz_reader *xyz;
  xyz_frame frame;
  char where[MD_PATH_LEN + 32];
};

void structure_options_default(structure_options *o) {
  memset(o, 0, sizeof *o);
  lmp_read_options_default(&o->lammps);
  o->min_distance = 0.1;
}

static int has_suffix(const char *path, const char *suffix) {
  size_t n = strlen(path), k = strlen(suffix);
  return n >= k && strcasecmp(path + n - k, suffix) == 0;
}

/* XYZ when the first line is one integer; otherwise by name. */
static md_status detect_format(const char *path, int *format) {
  FILE *fp = fopen(path, "r");
  if (!fp) return md_error(MD_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  char line[256];
  char *got = fgets(line, sizeof line, fp);
  fclose(fp);
  if (!got) return md_error(MD_ERR_PARSE, "%s: file is empty", path);
  char *p = line;
  while (isspace((unsigned char)*p)) p++;
  char *end;
  strtol(p, &end, 10);
  int integer = end != p;
  while (integer && *end) {
    if (!isspace((unsigned char)*end)) integer = 0;
    end++;
  }
  if (integer || has_suffix(path, ".xyz") || has_suffix(path, ".extxyz")) *format = STRUCT_XYZ;
  else *format = STRUCT_LAMMPS_DATA;
  return MD_OK;
}

md_status structure_open(structure_reader **out, const char *path, const md_model *m, const structure_options *o) {
  *out = NULL;
  structure_reader *r = (structure_reader *)calloc(1, sizeof *r);
  if (!r) return md_error(MD_ERR_MEMORY, "out of memory");
  snprintf(r->path, sizeof r->path, "%s", path);
  snprintf(r->where, sizeof r->where, "%s", path);
  r->m = m;
  if (o) r->o = *o;
  else structure_options_default(&r->o);
  md_status st = detect_format(path, &r->format);
  if (st == MD_OK && r->format == STRUCT_XYZ) {
    io_elements allowed;
    model_elements(m, &allowed);
    st = xyz_open(&r->xyz, path, &allowed);
  }
  if (st != MD_OK) {
    structure_close(&r);
    return st;
  }
  *out = r;
  return MD_OK;
}

void structure_close(structure_reader **pr) {
  if (!pr || !*pr) return;
  xyz_close(&(*pr)->xyz);
  xyz_frame_free(&(*pr)->frame);
  free(*pr);
  *pr = NULL;
}

int structure_format(const structure_reader *r) { return r->format; }
int structure_index(const structure_reader *r) { return r->index - 1; }
const char *structure_where(const structure_reader *r) { return r->where; }
const xyz_frame *structure_frame(const structure_reader *r) { return r->format == STRUCT_XYZ ? &r->frame : NULL; }

md_status structure_next(structure_reader *r, md_system **out, int *eof) {
  *out = NULL;
  *eof = 0;
  if (r->done) {
    *eof = 1;
    return MD_OK;
  }
  md_system *s = NULL;
  if (r->format == STRUCT_XYZ) {
    MD_TRY(xyz_read_frame(r->xyz, &r->frame, eof));
    if (*eof) {
      r->done = 1;
      if (r->index == 0) return md_error(MD_ERR_PARSE, "%s: no frames", r->path);
      return MD_OK;
    }
    snprintf(r->where, sizeof r->where, "%s:%d", r->path, r->frame.line);
    s = r->frame.sys;
    r->frame.sys = NULL;
  } else {
    MD_TRY(lammps_data_read(&s, r->path, r->m, &r->o.lammps, NULL));
    r->done = 1;
  }
  md_status st = structure_check(s, r->m, r->where, r->o.min_distance);
  if (st != MD_OK) {
    system_destroy(&s);
    return st;
  }
  r->index++;
  *out = s;
  return MD_OK;
}

md_status structure_check(const md_system *s, const md_model *m, const char *where, real_t min_distance) {
  if (s->n < 1) return md_error(MD_ERR_VALUE, "%s: the structure has no atoms", where);
  MD_TRY(system_check_finite(s, where));
  for (int i = 0; i < s->n; i++) {
    real_t f[3];
    pbc_to_frac(s->box.hinv, s->x[i], s->y[i], s->z[i], f);
    for (int d = 0; d < 3; d++)
      if (fabs(floor(f[d])) > (real_t)NBR_MAX_IMAGE)
        return md_error(MD_ERR_VALUE, "%s: atom %d is %.3g cells away from the box (at most %d periodic images)", where,
                        s->id[i], fabs(floor(f[d])), NBR_MAX_IMAGE);
  }
  for (int i = 0; i < s->n; i++)
    if (s->type[i] < 0 || s->type[i] >= m->nelem)
      return md_error(MD_ERR_VALUE, "%s: atom %d has element index %d, outside the model's %d elements", where, s->id[i],
                      s->type[i], m->nelem);
  if (min_distance > 0) {
    /* a search radius of about one atomic volume keeps the cell list small; only distances < min_distance count */
    real_t rsearch = cbrt(s->box.volume / s->n);
    if (rsearch < min_distance) rsearch = min_distance;
    real_t dmin;
    int ia, ib;
    MD_TRY(system_min_distance(s, rsearch, &dmin, &ia, &ib));
    if (ia >= 0 && dmin < min_distance) {
      int a = s->id[ia] < s->id[ib] ? s->id[ia] : s->id[ib];
      int b = s->id[ia] < s->id[ib] ? s->id[ib] : s->id[ia];
      if (ia == ib)
        return md_error(MD_ERR_VALUE, "%s: atom %d is %.4g Å from its own periodic image (cell too small)", where, a, dmin);
      return md_error(MD_ERR_VALUE, "%s: atoms %d and %d are %.4g Å apart (overlapping: closer than %g Å)", where, a, b, dmin,
                      min_distance);
    }
  }
  return MD_OK;
}

md_status structure_read(md_system **out, const char *path, const md_model *m, int frame) {
  *out = NULL;
  structure_reader *r = NULL;
  MD_TRY(structure_open(&r, path, m, NULL));
  md_status st = MD_OK;
  md_system *keep = NULL;
  int count = 0;
  for (;;) {
    md_system *s = NULL;
    int eof = 0;
    st = structure_next(r, &s, &eof);
    if (st != MD_OK || eof) break;
    if (frame < 0 || count == frame) {
      system_destroy(&keep);
      keep = s;
    } else {
      system_destroy(&s);
    }
    count++;
    if (frame >= 0 && count > frame) break;
  }
  structure_close(&r);
  if (st == MD_OK && !keep) st = md_error(MD_ERR_VALUE, "%s: frame %d requested but the file has %d", path, frame, count);
  if (st != MD_OK) {
    system_destroy(&keep);
    return st;
  }
  *out = keep;
  return MD_OK;
}
