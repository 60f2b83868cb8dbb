/* io_dump.c — LAMMPS dump reader (zlib reads plain and gzip files alike). The species-selecting trajectory
 * interface (traj_*) is in io_traj.c. */
#include "io_dump.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "box.h"
#include "linereader.h"
#include "system.h"

struct dump_reader {
  linereader in;
};

md_status dump_open(dump_reader **out, const char *path) {
  *out = NULL;
  dump_reader *r = (dump_reader *)calloc(1, sizeof *r);
  if (!r) return md_error(MD_ERR_MEMORY, "out of memory");
  md_status st = lr_open(&r->in, path);
  if (st != MD_OK) {
    free(r);
    return st;
  }
  *out = r;
  return MD_OK;
}

void dump_close(dump_reader **pr) {
  if (!pr || !*pr) return;
  lr_close(&(*pr)->in);
  free(*pr);
  *pr = NULL;
}

void dump_frame_free(dump_frame *f) {
  free(f->id);
  free(f->type);
  free(f->element);
  free(f->x);
  free(f->y);
  free(f->z);
  free(f->vx);
  free(f->vy);
  free(f->vz);
  memset(f, 0, sizeof *f);
}

static int starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

static md_status need_line(dump_reader *r, const char *what) {
  int k = lr_next(&r->in);
  if (k < 0) return md_error(MD_ERR_IO, "%s:%d: read error (corrupt gzip data?)", r->in.path, r->in.line + 1);
  if (k == 0) return md_error(MD_ERR_PARSE, "%s:%d: file ends before %s (truncated frame)", r->in.path, r->in.line, what);
  return MD_OK;
}

/* parse up to n doubles from s; returns how many */
static int parse_reals(const char *s, double *v, int n) {
  int k = 0;
  char *end;
  while (k < n) {
    double d = strtod(s, &end);
    if (end == s) break;
    v[k++] = d;
    s = end;
  }
  while (isspace((unsigned char)*s)) s++;
  return *s ? -1 : k;
}

static md_status grow(dump_frame *f, int n, int elements) {
  if (n <= f->cap && (!elements || f->element)) return MD_OK;
  int cap = n > f->cap ? n : f->cap;
  size_t m = (size_t)(cap > 0 ? cap : 1);
  int64_t *id = (int64_t *)realloc(f->id, m * sizeof *id);
  if (id) f->id = id;
  int *ty = (int *)realloc(f->type, m * sizeof *ty);
  if (ty) f->type = ty;
  double *x = (double *)realloc(f->x, m * sizeof *x);
  if (x) f->x = x;
  double *y = (double *)realloc(f->y, m * sizeof *y);
  if (y) f->y = y;
  double *z = (double *)realloc(f->z, m * sizeof *z);
  if (z) f->z = z;
  int ok = id && ty && x && y && z;
  double **vel[3] = {&f->vx, &f->vy, &f->vz};
  for (int d = 0; d < 3; d++) {
    double *v = (double *)realloc(*vel[d], m * sizeof *v);
    if (v) *vel[d] = v;
    ok = ok && v;
  }
  if (elements) {
    char(*e)[MD_NAME_LEN] = (char(*)[MD_NAME_LEN])realloc(f->element, m * MD_NAME_LEN);
    if (e) f->element = e;
    ok = ok && e;
  }
  if (!ok) return md_error(MD_ERR_MEMORY, "out of memory (%d atoms)", n);
  f->cap = cap;
  return MD_OK;
}

enum { C_ID, C_TYPE, C_ELEM, C_X, C_Y, C_Z, C_XU, C_YU, C_ZU, C_XS, C_YS, C_ZS, C_XSU, C_YSU, C_ZSU, C_IX, C_IY, C_IZ,
       C_VX, C_VY, C_VZ, C_N };
static const char *colname[C_N] = {"id", "type", "element", "x",   "y",   "z",   "xu", "yu", "zu", "xs", "ys",
                                   "zs", "xsu",  "ysu",     "zsu", "ix",  "iy",  "iz", "vx", "vy", "vz"};

md_status dump_read_frame(dump_reader *r, dump_frame *f, int *eof) {
  *eof = 0;
  int k;
  do {
    k = lr_next(&r->in);
    if (k < 0) return md_error(MD_ERR_IO, "%s:%d: read error (corrupt gzip data?)", r->in.path, r->in.line + 1);
    if (k == 0) {
      if (r->in.line == 0) return md_error(MD_ERR_PARSE, "%s: file is empty", r->in.path);
      *eof = 1;
      return MD_OK;
    }
  } while (lr_is_blank(r->in.buf));
  /* LAMMPS (dump_modify units yes time yes) writes ITEM: UNITS (first frame only) and ITEM: TIME before
   * ITEM: TIMESTEP; other writers put them after it. Both are accepted, in any order. */
  f->has_time = 0;
  f->line = r->in.line;
  for (;;) {
    if (starts(r->in.buf, "ITEM: UNITS")) {
      MD_TRY(need_line(r, "the units"));
    } else if (starts(r->in.buf, "ITEM: TIME") && !starts(r->in.buf, "ITEM: TIMESTEP")) {
      MD_TRY(need_line(r, "the time"));
      double t;
      if (parse_reals(r->in.buf, &t, 1) != 1) return md_error(MD_ERR_PARSE, "%s:%d: bad time '%.40s'", r->in.path, r->in.line, r->in.buf);
      f->time = t;
      f->has_time = 1;
    } else {
      break;
    }
    MD_TRY(need_line(r, "ITEM: TIMESTEP"));
  }
  if (!starts(r->in.buf, "ITEM: TIMESTEP"))
    return md_error(MD_ERR_PARSE, "%s:%d: expected 'ITEM: TIMESTEP', found '%.40s' (not a LAMMPS text dump, or the previous "
                    "frame has more atom lines than its NUMBER OF ATOMS)", r->in.path, r->in.line, r->in.buf);
  MD_TRY(need_line(r, "the timestep"));
  char *end;
  f->step = strtoll(r->in.buf, &end, 10);
  if (end == r->in.buf || !lr_is_blank(end)) return md_error(MD_ERR_PARSE, "%s:%d: bad timestep '%.40s'", r->in.path, r->in.line, r->in.buf);
  long long natoms = -1;
  double bounds[3][4];
  int triclinic = 0, general = 0, have_box = 0;
  for (;;) {
    MD_TRY(need_line(r, "ITEM: ATOMS"));
    if (starts(r->in.buf, "ITEM: TIME") && !starts(r->in.buf, "ITEM: TIMESTEP")) {
      MD_TRY(need_line(r, "the time"));
      double t;
      if (parse_reals(r->in.buf, &t, 1) != 1) return md_error(MD_ERR_PARSE, "%s:%d: bad time '%.40s'", r->in.path, r->in.line, r->in.buf);
      f->time = t;
      f->has_time = 1;
    } else if (starts(r->in.buf, "ITEM: UNITS")) {
      MD_TRY(need_line(r, "the units"));
    } else if (starts(r->in.buf, "ITEM: NUMBER OF ATOMS")) {
      MD_TRY(need_line(r, "the number of atoms"));
      natoms = strtoll(r->in.buf, &end, 10);
      if (end == r->in.buf || !lr_is_blank(end) || natoms < 1 || natoms > 100000000LL)
        return md_error(MD_ERR_PARSE, "%s:%d: bad number of atoms '%.40s'", r->in.path, r->in.line, r->in.buf);
    } else if (starts(r->in.buf, "ITEM: BOX BOUNDS")) {
      triclinic = strstr(r->in.buf, "xy") != NULL;
      general = strstr(r->in.buf, "abc") != NULL;
      int want = general ? 4 : triclinic ? 3 : 2;
      for (int d = 0; d < 3; d++) {
        MD_TRY(need_line(r, "the box bounds"));
        if (parse_reals(r->in.buf, bounds[d], want) != want)
          return md_error(MD_ERR_PARSE, "%s:%d: box bounds line needs %d numbers", r->in.path, r->in.line, want);
      }
      have_box = 1;
    } else if (starts(r->in.buf, "ITEM: ATOMS")) {
      break;
    } else {
      return md_error(MD_ERR_PARSE, "%s:%d: unexpected line '%.40s' in a frame header", r->in.path, r->in.line, r->in.buf);
    }
  }
  int atoms_line = r->in.line;
  if (natoms < 0) return md_error(MD_ERR_PARSE, "%s:%d: frame has no ITEM: NUMBER OF ATOMS", r->in.path, atoms_line);
  if (!have_box) return md_error(MD_ERR_PARSE, "%s:%d: frame has no ITEM: BOX BOUNDS", r->in.path, atoms_line);
  char where[MD_PATH_LEN + 32];
  snprintf(where, sizeof where, "%s:%d", r->in.path, atoms_line);
  if (general) { /* rows: a, b, c vectors then the origin component */
    for (int d = 0; d < 3; d++) {
      for (int c = 0; c < 3; c++) f->box.h[3 * d + c] = bounds[d][c];
      f->origin[d] = bounds[d][3];
    }
    MD_TRY(box_update(&f->box, where));
  } else {
    double xy = triclinic ? bounds[0][2] : 0, xz = triclinic ? bounds[1][2] : 0, yz = triclinic ? bounds[2][2] : 0;
    double xlo = bounds[0][0] - fmin(fmin(0.0, xy), fmin(xz, xy + xz));
    double xhi = bounds[0][1] - fmax(fmax(0.0, xy), fmax(xz, xy + xz));
    double ylo = bounds[1][0] - fmin(0.0, yz), yhi = bounds[1][1] - fmax(0.0, yz);
    double zlo = bounds[2][0], zhi = bounds[2][1];
    MD_TRY(box_set_lammps(&f->box, xhi - xlo, yhi - ylo, zhi - zlo, xy, xz, yz, where));
    f->origin[0] = xlo;
    f->origin[1] = ylo;
    f->origin[2] = zlo;
  }
  /* columns */
  int col[C_N], ncol = 0;
  for (int c = 0; c < C_N; c++) col[c] = -1;
  {
    char *p = r->in.buf + strlen("ITEM: ATOMS");
    while (*p) {
      while (isspace((unsigned char)*p)) p++;
      if (!*p) break;
      char *w = p;
      while (*p && !isspace((unsigned char)*p)) p++;
      char save = *p;
      *p = '\0';
      for (int c = 0; c < C_N; c++)
        if (strcmp(w, colname[c]) == 0 && col[c] < 0) col[c] = ncol;
      *p = save;
      ncol++;
    }
  }
  int mode; /* 0 xu, 1 xsu, 2 x, 3 xs */
  if (col[C_XU] >= 0 && col[C_YU] >= 0 && col[C_ZU] >= 0) mode = 0;
  else if (col[C_XSU] >= 0 && col[C_YSU] >= 0 && col[C_ZSU] >= 0) mode = 1;
  else if (col[C_X] >= 0 && col[C_Y] >= 0 && col[C_Z] >= 0) mode = 2;
  else if (col[C_XS] >= 0 && col[C_YS] >= 0 && col[C_ZS] >= 0) mode = 3;
  else
    return md_error(MD_ERR_PARSE, "%s:%d: ATOMS line has no positions (need xu yu zu, xsu ysu zsu, x y z or xs ys zs)",
                    r->in.path, atoms_line);
  int images = (mode >= 2) && col[C_IX] >= 0 && col[C_IY] >= 0 && col[C_IZ] >= 0;
  f->coords = (mode <= 1 || images) ? DUMP_UNWRAPPED : DUMP_WRAPPED;
  int pc[3] = {mode == 0 ? col[C_XU] : mode == 1 ? col[C_XSU] : mode == 2 ? col[C_X] : col[C_XS],
               mode == 0 ? col[C_YU] : mode == 1 ? col[C_YSU] : mode == 2 ? col[C_Y] : col[C_YS],
               mode == 0 ? col[C_ZU] : mode == 1 ? col[C_ZSU] : mode == 2 ? col[C_Z] : col[C_ZS]};
  f->has_id = col[C_ID] >= 0;
  f->has_type = col[C_TYPE] >= 0;
  f->has_element = col[C_ELEM] >= 0;
  f->has_velocities = col[C_VX] >= 0 && col[C_VY] >= 0 && col[C_VZ] >= 0;
  f->n = (int)natoms;
  MD_TRY(grow(f, f->cap > 0 ? f->cap : (int)system_grow_capacity(0, 1, natoms), f->has_element));
  const double *h = f->box.h;
  char *tok[256];
  if (ncol > 256) return md_error(MD_ERR_PARSE, "%s:%d: more than 256 columns", r->in.path, atoms_line);
  for (int i = 0; i < f->n; i++) {
    int kk = lr_next(&r->in);
    if (kk < 0) return md_error(MD_ERR_IO, "%s:%d: read error (corrupt gzip data?)", r->in.path, r->in.line + 1);
    if (kk == 0 || starts(r->in.buf, "ITEM:"))
      return md_error(MD_ERR_PARSE, "%s:%d: frame of step %lld ends after %d of %d atom lines (truncated frame)", r->in.path,
                      kk == 0 ? r->in.line : r->in.line - 1, f->step, i, f->n);
    if (i >= f->cap) MD_TRY(grow(f, (int)system_grow_capacity(f->cap, i + 1, natoms), f->has_element)); /* as lines arrive */
    int nt = 0;
    char *p = r->in.buf;
    while (*p && nt < ncol) {
      while (isspace((unsigned char)*p)) p++;
      if (!*p) break;
      tok[nt++] = p;
      while (*p && !isspace((unsigned char)*p)) p++;
      if (*p) *p++ = '\0';
    }
    while (isspace((unsigned char)*p)) p++;
    if (nt != ncol || *p)
      return md_error(MD_ERR_PARSE, "%s:%d: atom line has %s columns than the %d of the ATOMS header", r->in.path, r->in.line,
                      nt != ncol ? "fewer" : "more", ncol);
    double v[3];
    for (int d = 0; d < 3; d++) {
      v[d] = strtod(tok[pc[d]], &end);
      if (end == tok[pc[d]] || *end || !isfinite(v[d]))
        return md_error(MD_ERR_PARSE, "%s:%d: bad coordinate '%s'", r->in.path, r->in.line, tok[pc[d]]);
    }
    if (mode == 1 || mode == 3) { /* scaled → Cartesian */
      double s0 = v[0], s1 = v[1], s2 = v[2];
      for (int d = 0; d < 3; d++) v[d] = f->origin[d] + s0 * h[d] + s1 * h[3 + d] + s2 * h[6 + d];
    }
    if (images) {
      long im[3];
      for (int d = 0; d < 3; d++) {
        im[d] = strtol(tok[col[C_IX + d]], &end, 10);
        if (*end) return md_error(MD_ERR_PARSE, "%s:%d: bad image flag '%s'", r->in.path, r->in.line, tok[col[C_IX + d]]);
      }
      for (int d = 0; d < 3; d++) v[d] += im[0] * h[d] + im[1] * h[3 + d] + im[2] * h[6 + d];
    }
    f->x[i] = v[0];
    f->y[i] = v[1];
    f->z[i] = v[2];
    if (f->has_velocities) {
      double *dst[3] = {f->vx, f->vy, f->vz};
      for (int d = 0; d < 3; d++) {
        dst[d][i] = strtod(tok[col[C_VX + d]], &end);
        if (end == tok[col[C_VX + d]] || *end || !isfinite(dst[d][i]))
          return md_error(MD_ERR_PARSE, "%s:%d: bad velocity '%s'", r->in.path, r->in.line, tok[col[C_VX + d]]);
      }
    }
    if (f->has_id) {
      f->id[i] = strtoll(tok[col[C_ID]], &end, 10);
      if (*end) return md_error(MD_ERR_PARSE, "%s:%d: bad atom id '%s'", r->in.path, r->in.line, tok[col[C_ID]]);
    } else {
      f->id[i] = i + 1;
    }
    f->type[i] = 0;
    if (f->has_type) {
      f->type[i] = (int)strtol(tok[col[C_TYPE]], &end, 10);
      if (*end || f->type[i] < 1)
        return md_error(MD_ERR_PARSE, "%s:%d: bad atom type '%s'", r->in.path, r->in.line, tok[col[C_TYPE]]);
    }
    if (f->has_element) snprintf(f->element[i], MD_NAME_LEN, "%s", tok[col[C_ELEM]]);
  }
  return MD_OK;
}
