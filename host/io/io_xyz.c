#include "io_xyz.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "box.h"
#include "linereader.h"
#include "strbuf.h"
#include "system.h"

struct xyz_reader {
  linereader in;
  io_elements allowed;
  int has_allowed;
  io_elements seen;  /* element order when no list is given */
};

md_status xyz_open(xyz_reader **out, const char *path, const io_elements *allowed) {
  *out = NULL;
  xyz_reader *r = (xyz_reader *)calloc(1, sizeof *r);
  if (!r) return md_error(MD_ERR_MEMORY, "out of memory");
  md_status st = lr_open(&r->in, path);
  if (st != MD_OK) {
    free(r);
    return st;
  }
  if (allowed) {
    r->allowed = *allowed;
    r->has_allowed = 1;
  }
  *out = r;
  return MD_OK;
}

void xyz_close(xyz_reader **pr) {
  if (!pr || !*pr) return;
  lr_close(&(*pr)->in);
  free(*pr);
  *pr = NULL;
}

void xyz_frame_free(xyz_frame *f) {
  system_destroy(&f->sys);
  for (int k = 0; k < f->nkeys; k++) {
    free(f->key[k]);
    free(f->value[k]);
  }
  for (int k = 0; k < f->nprops; k++) free(f->prop[k].data);
  memset(f, 0, sizeof *f);
}


static char *dupn(const char *s, size_t n) {
  char *d = (char *)malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

/* Parse the comment line into key/value pairs: key=value, key="quoted value" (also '', {}, []), a bare key is
 * a flag (value ""); spaces around '=' are allowed and \" inside quotes is an escaped quote. */
static md_status parse_comment(xyz_reader *r, xyz_frame *f, const char *s) {
  const char *p = s;
  while (*p) {
    while (isspace((unsigned char)*p)) p++;
    if (!*p) break;
    const char *k0 = p;
    while (*p && *p != '=' && !isspace((unsigned char)*p)) p++;
    size_t klen = (size_t)(p - k0);
    const char *after_key = p;
    while (isspace((unsigned char)*p)) p++;
    char *val = NULL;
    if (*p == '=') {
      p++;
      while (isspace((unsigned char)*p)) p++;
      if (*p == '"' || *p == '\'' || *p == '{' || *p == '[') {
        char close = (*p == '{') ? '}' : (*p == '[') ? ']' : *p;
        p++;
        val = (char *)malloc(strlen(p) + 1);
        if (!val) return md_error(MD_ERR_MEMORY, "out of memory");
        size_t n = 0;
        while (*p && *p != close) {
          if (*p == '\\' && p[1] == close) p++;
          val[n++] = *p++;
        }
        val[n] = '\0';
        if (!*p) {
          free(val);
          return md_error(MD_ERR_PARSE, "%s:%d: unterminated quoted value for key '%.*s'", r->in.path, r->in.line, (int)klen, k0);
        }
        p++;
      } else {
        const char *v0 = p;
        while (*p && !isspace((unsigned char)*p)) p++;
        val = dupn(v0, (size_t)(p - v0));
      }
    } else {
      p = after_key; /* a flag */
      val = dupn("", 0);
    }
    if (klen == 0) {
      free(val);
      return md_error(MD_ERR_PARSE, "%s:%d: malformed comment line (a value without a key)", r->in.path, r->in.line);
    }
    if (f->nkeys >= XYZ_MAX_KEYS) {
      free(val);
      return md_error(MD_ERR_PARSE, "%s:%d: more than %d keys on the comment line", r->in.path, r->in.line, XYZ_MAX_KEYS);
    }
    f->key[f->nkeys] = dupn(k0, klen);
    f->value[f->nkeys] = val;
    f->nkeys++;
    if (!f->key[f->nkeys - 1] || !val) return md_error(MD_ERR_MEMORY, "out of memory");
  }
  return MD_OK;
}

static const char *get_ci(const xyz_frame *f, const char *key) {
  for (int k = 0; k < f->nkeys; k++)
    if (strcasecmp(f->key[k], key) == 0) return f->value[k];
  return NULL;
}

const char *xyz_frame_get(const xyz_frame *f, const char *key) {
  for (int k = 0; k < f->nkeys; k++)
    if (strcmp(f->key[k], key) == 0) return f->value[k];
  return NULL;
}

md_status xyz_frame_get_reals(const xyz_frame *f, const char *key, real_t *out, int n) {
  const char *v = xyz_frame_get(f, key);
  if (!v) return md_error(MD_ERR_PARSE, "%s:%d: the frame has no key '%s'", f->path, f->line + 1, key);
  const char *p = v;
  for (int k = 0; k < n; k++) {
    char *end;
    while (*p == ',' || isspace((unsigned char)*p)) p++;
    out[k] = strtod(p, &end);
    if (end == p)
      return md_error(MD_ERR_PARSE, "%s:%d: key '%s' has %d numbers, expected %d", f->path, f->line + 1, key, k, n);
    if (!isfinite(out[k]))
      return md_error(MD_ERR_VALUE, "%s:%d: key '%s' has a non-finite number", f->path, f->line + 1, key);
    p = end;
  }
  while (*p == ',' || isspace((unsigned char)*p)) p++;
  if (*p) return md_error(MD_ERR_PARSE, "%s:%d: key '%s' has more than %d numbers", f->path, f->line + 1, key, n);
  return MD_OK;
}

const real_t *xyz_frame_prop(const xyz_frame *f, const char *name, int *ncols) {
  for (int k = 0; k < f->nprops; k++)
    if (strcmp(f->prop[k].name, name) == 0) {
      if (ncols) *ncols = f->prop[k].ncols;
      return f->prop[k].data;
    }
  return NULL;
}

typedef struct column {
  char name[64];
  char type;
  int ncols;
  int role; /* 0 skip, 1 species, 2 pos, 3 velocities, 4 numeric property */
  int prop;
} column;

/* Type index of a species symbol. With an allowed list the match ignores case ("li" is Li, as ASE reads it). */
static int type_of(xyz_reader *r, const char *sym) {
  io_elements *e = r->has_allowed ? &r->allowed : &r->seen;
  for (int k = 0; k < e->n; k++)
    if (strcmp(e->name[k], sym) == 0) return k;
  if (r->has_allowed) {
    for (int k = 0; k < e->n; k++)
      if (strcasecmp(e->name[k], sym) == 0) return k;
    return -1;
  }
  if (e->n >= MD_MAX_ELEM || strlen(sym) >= MD_NAME_LEN) return -2;
  strcpy(e->name[e->n], sym);
  return e->n++;
}

/* Room for `need` atoms of the `declared` in the frame: the system and the extra per-atom properties grow together
 * (system_reserve), new property rows zero. */
static md_status frame_reserve(xyz_frame *f, long need, long declared) {
  const int old = f->sys->n;
  if (need <= old && (f->nprops == 0 || f->prop[0].data)) return MD_OK; /* properties are allocated together */
  MD_TRY(system_reserve(f->sys, need, declared));
  const size_t m = (size_t)(f->sys->n > 0 ? f->sys->n : 1);
  for (int k = 0; k < f->nprops; k++) {
    xyz_prop *pp = &f->prop[k];
    real_t *d = (real_t *)realloc(pp->data, m * (size_t)pp->ncols * sizeof *d);
    if (!d) return md_error(MD_ERR_MEMORY, "out of memory (%zu atoms)", m);
    size_t from = pp->data ? (size_t)old * (size_t)pp->ncols : 0;
    memset(d + from, 0, (m * (size_t)pp->ncols - from) * sizeof *d);
    pp->data = d;
  }
  return MD_OK;
}

md_status xyz_read_frame(xyz_reader *r, xyz_frame *f, int *eof) {
  xyz_frame_free(f);
  *eof = 0;
  /* atom count (skip blank lines between frames) */
  for (;;) {
    int k = lr_next(&r->in);
    if (k < 0) return md_error(MD_ERR_IO, "%s:%d: read error (corrupt gzip data?)", r->in.path, r->in.line + 1);
    if (k == 0) {
      if (r->in.line == 0) return md_error(MD_ERR_PARSE, "%s: file is empty", r->in.path);
      *eof = 1;
      return MD_OK;
    }
    if (!lr_is_blank(r->in.buf)) break;
  }
  f->line = r->in.line;
  snprintf(f->path, sizeof f->path, "%s", r->in.path);
  char *end;
  errno = 0;
  long n = strtol(r->in.buf, &end, 10);
  if (end == r->in.buf || !lr_is_blank(end) || n < 0 || errno || n > 100000000L)
    return md_error(MD_ERR_PARSE, "%s:%d: expected the number of atoms, found '%.40s'%s", r->in.path, r->in.line, r->in.buf,
                    r->in.line > 1 ? " (does the previous frame's atom count match its atom lines?)" : "");
  if (lr_next(&r->in) <= 0) return md_error(MD_ERR_PARSE, "%s:%d: file ends before the comment line", r->in.path, r->in.line);
  int comment_line = r->in.line;
  MD_TRY(parse_comment(r, f, r->in.buf));

  /* Properties */
  const char *props = get_ci(f, "Properties");
  if (!props) props = "species:S:1:pos:R:3";
  column cols[XYZ_MAX_PROPS + 8];
  int ncol = 0, width = 0, have_species = 0, have_pos = 0, have_vel = 0;
  {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", props);
    char *save = NULL;
    char *tok = strtok_r(tmp, ":", &save);
    while (tok) {
      char *ty = strtok_r(NULL, ":", &save);
      char *nc = strtok_r(NULL, ":", &save);
      char *ncend = NULL;
      long ncv = nc ? strtol(nc, &ncend, 10) : 0;
      if (!ty || !nc || strlen(ty) != 1 || *ncend || ncv < 1 || ncv > 100000)
        return md_error(MD_ERR_PARSE, "%s:%d: malformed Properties at '%s' (expected name:type:ncols triples, e.g. species:S:1:pos:R:3)",
                        r->in.path, comment_line, tok);
      for (int c = 0; c < ncol; c++)
        if (strcmp(cols[c].name, tok) == 0)
          return md_error(MD_ERR_PARSE, "%s:%d: Properties names column '%s' twice", r->in.path, comment_line, tok);
      if (ncol >= (int)(sizeof cols / sizeof cols[0]))
        return md_error(MD_ERR_PARSE, "%s:%d: too many Properties columns", r->in.path, comment_line);
      column *c = &cols[ncol++];
      memset(c, 0, sizeof *c);
      snprintf(c->name, sizeof c->name, "%s", tok);
      c->type = (char)toupper((unsigned char)ty[0]);
      c->ncols = (int)ncv;
      if (!strchr("SRIL", c->type))
        return md_error(MD_ERR_PARSE, "%s:%d: Properties column '%s' has unknown type '%s'", r->in.path, comment_line, tok, ty);
      if ((strcmp(tok, "species") == 0) && c->type == 'S' && c->ncols == 1 && !have_species) {
        c->role = 1;
        have_species = 1;
      } else if ((strcmp(tok, "pos") == 0 || strcmp(tok, "positions") == 0) && c->type == 'R' && c->ncols == 3 && !have_pos) {
        c->role = 2;
        have_pos = 1;
      } else if ((strcmp(tok, "velocities") == 0 || strcmp(tok, "vel") == 0 || strcmp(tok, "velo") == 0) &&
                 c->type == 'R' && c->ncols == 3 && !have_vel) {
        c->role = 3;
        have_vel = 1;
      } else if ((c->type == 'R' || c->type == 'I') && f->nprops < XYZ_MAX_PROPS) {
        c->role = 4;
        c->prop = f->nprops;
        xyz_prop *pp = &f->prop[f->nprops++];
        snprintf(pp->name, sizeof pp->name, "%s", tok);
        pp->ncols = c->ncols;
      } else {
        c->role = 0;
      }
      width += c->ncols;
      tok = strtok_r(NULL, ":", &save);
    }
  }
  if (!have_species || !have_pos)
    return md_error(MD_ERR_PARSE, "%s:%d: Properties must include species:S:1 and pos:R:3", r->in.path, comment_line);

  MD_TRY(system_create(&f->sys, 0));
  MD_TRY(frame_reserve(f, n > 0 ? 1 : 0, n));
  md_system *s = f->sys;
  s->has_velocities = have_vel;

  /* Lattice */
  const char *lat = get_ci(f, "Lattice");
  if (!lat) return md_error(MD_ERR_PARSE, "%s:%d: no Lattice= key: a periodic cell is required", r->in.path, comment_line);
  {
    const char *p = lat;
    for (int k = 0; k < 9; k++) {
      while (*p == ',' || isspace((unsigned char)*p)) p++;
      s->box.h[k] = strtod(p, &end);
      if (end == p) return md_error(MD_ERR_PARSE, "%s:%d: Lattice needs 9 numbers, found %d", r->in.path, comment_line, k);
      p = end;
    }
    while (*p == ',' || isspace((unsigned char)*p)) p++;
    if (*p) return md_error(MD_ERR_PARSE, "%s:%d: Lattice has more than 9 numbers", r->in.path, comment_line);
    char where[MD_PATH_LEN + 16];
    snprintf(where, sizeof where, "%s:%d", r->in.path, comment_line);
    MD_TRY(box_update(&s->box, where));
  }
  const char *v;
  if ((v = get_ci(f, "pbc"))) {
    for (const char *q = v; *q; q++)
      if (*q == 'F' || *q == 'f' || *q == '0')
        return md_error(MD_ERR_UNSUPPORTED, "%s:%d: pbc=\"%s\": only fully periodic cells are supported", r->in.path, comment_line, v);
  }
  if ((v = get_ci(f, "step"))) s->step = atol(v);
  if ((v = get_ci(f, "time"))) s->time = strtod(v, NULL);

  /* atom lines */
  for (long i = 0; i < n; i++) {
    if (lr_next(&r->in) <= 0)
      return md_error(MD_ERR_PARSE, "%s:%d: file ends after %ld of %ld atom lines (truncated file or wrong atom count)",
                      r->in.path, r->in.line, i, n);
    MD_TRY(frame_reserve(f, i + 1, n));
    char *p = r->in.buf;
    int got = 0;
    for (int c = 0; c < ncol; c++) {
      for (int k = 0; k < cols[c].ncols; k++) {
        while (isspace((unsigned char)*p)) p++;
        if (!*p)
          return md_error(MD_ERR_PARSE, "%s:%d: atom line has %d columns, Properties needs %d", r->in.path, r->in.line, got, width);
        char *t0 = p;
        while (*p && !isspace((unsigned char)*p)) p++;
        char save = *p;
        *p = '\0';
        got++;
        switch (cols[c].role) {
          case 1: {
            int t = type_of(r, t0);
            if (t == -1) {
              char list[128] = "";
              for (int e = 0; e < r->allowed.n; e++) {
                strcat(list, " ");
                strcat(list, r->allowed.name[e]);
              }
              return md_error(MD_ERR_VALUE, "%s:%d: unknown element '%s' (the model has:%s)", r->in.path, r->in.line, t0, list);
            }
            if (t < 0) return md_error(MD_ERR_VALUE, "%s:%d: too many elements (at most %d)", r->in.path, r->in.line, MD_MAX_ELEM);
            s->type[i] = t;
            break;
          }
          case 2:
          case 3:
          case 4: {
            real_t val = strtod(t0, &end);
            if (end == t0 || *end)
              return md_error(MD_ERR_PARSE, "%s:%d: '%s' is not a number (column %s)", r->in.path, r->in.line, t0, cols[c].name);
            if (!isfinite(val))
              return md_error(MD_ERR_VALUE, "%s:%d: non-finite value '%s' in column %s", r->in.path, r->in.line, t0, cols[c].name);
            if (cols[c].role == 2) (k == 0 ? s->x : k == 1 ? s->y : s->z)[i] = val;
            else if (cols[c].role == 3) (k == 0 ? s->vx : k == 1 ? s->vy : s->vz)[i] = val;
            else f->prop[cols[c].prop].data[i * cols[c].ncols + k] = val;
            break;
          }
          default: break;
        }
        *p = save;
      }
    }
    while (isspace((unsigned char)*p)) p++;
    if (*p)
      return md_error(MD_ERR_PARSE, "%s:%d: atom line has more than the %d columns Properties declares", r->in.path, r->in.line, width);
  }
  io_elements *e = r->has_allowed ? &r->allowed : &r->seen;
  s->nelem = e->n;
  memcpy(s->elem, e->name, sizeof s->elem);
  return MD_OK;
}

md_status xyz_read_first(const char *path, const io_elements *allowed, xyz_frame *f) {
  xyz_reader *r = NULL;
  MD_TRY(xyz_open(&r, path, allowed));
  int eof = 0;
  md_status st = xyz_read_frame(r, f, &eof);
  if (st == MD_OK && eof) st = md_error(MD_ERR_PARSE, "%s: no frames", path);
  xyz_close(&r);
  return st;
}

void io_format_real(char *buf, size_t n, real_t v) {
  if (v == 0.0) { /* also -0 */
    snprintf(buf, n, "0");
    return;
  }
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, n, "%.*g", prec, v);
    if (prec == 17 || strtod(buf, NULL) == v) return;
  }
}

static void put_real(strbuf *b, char sep, real_t v) {
  char tmp[40];
  io_format_real(tmp, sizeof tmp, v);
  if (sep) strbuf_putc(b, sep);
  strbuf_puts(b, tmp);
}

md_status xyz_write_frame(FILE *fp, const char *path, const md_system *s, int unwrapped, int with_velocities,
                          const xyz_info *info, int ninfo, const xyz_col *cols, int ncols, const int *type_mask) {
  strbuf b;
  strbuf_init(&b);
  int nsel = 0;
  for (int i = 0; i < s->n; i++)
    if (!type_mask || type_mask[s->type[i]]) nsel++;
  strbuf_printf(&b, "%d\nLattice=\"", nsel);
  for (int k = 0; k < 9; k++) put_real(&b, k ? ' ' : 0, s->box.h[k]);
  strbuf_puts(&b, "\" Properties=species:S:1:pos:R:3");
  if (with_velocities) strbuf_printf(&b, ":velocities:R:3");
  for (int c = 0; c < ncols; c++) strbuf_printf(&b, ":%s:R:%d", cols[c].name, cols[c].ncols);
  for (int k = 0; k < ninfo; k++) strbuf_printf(&b, " %s=%s", info[k].key, info[k].value);
  strbuf_printf(&b, " pbc=\"T T T\"\n");
  for (int i = 0; i < s->n; i++) {
    if (type_mask && !type_mask[s->type[i]]) continue;
    real_t r[3] = {s->x[i], s->y[i], s->z[i]};
    if (unwrapped) system_unwrapped(s, i, r);
    strbuf_printf(&b, "%-2s", s->elem[s->type[i]]);
    for (int k = 0; k < 3; k++) put_real(&b, ' ', r[k]);
    if (with_velocities) {
      put_real(&b, ' ', s->vx[i]);
      put_real(&b, ' ', s->vy[i]);
      put_real(&b, ' ', s->vz[i]);
    }
    for (int c = 0; c < ncols; c++)
      for (int k = 0; k < cols[c].ncols; k++) put_real(&b, ' ', cols[c].data[(size_t)i * cols[c].ncols + k]);
    strbuf_putc(&b, '\n');
  }
  if (b.failed) {
    strbuf_free(&b);
    return md_error(MD_ERR_MEMORY, "%s: out of memory formatting a frame", path);
  }
  size_t len = b.len;
  size_t w = fwrite(b.data, 1, len, fp);
  strbuf_free(&b);
  if (w != len || fflush(fp) != 0) return md_error(MD_ERR_IO, "%s: write failed: %s", path, strerror(errno));
  return MD_OK;
}
