#include "dump.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "system.h"
#include "thermo.h"

typedef struct id_index {
  int id, index;
} id_index;

static int cmp_id(const void *a, const void *b) {
  const id_index *x = (const id_index *)a, *y = (const id_index *)b;
  if (x->id != y->id) return (x->id > y->id) - (x->id < y->id);
  return (x->index > y->index) - (x->index < y->index);
}

md_status dump_lammps_cell(const md_box *b, real_t *lx, real_t *ly, real_t *lz, real_t *xy, real_t *xz, real_t *yz,
                           real_t m[9], int *rotated) {
  const real_t *h = b->h;
  real_t det = h[0] * (h[4] * h[8] - h[5] * h[7]) - h[1] * (h[3] * h[8] - h[5] * h[6]) + h[2] * (h[3] * h[7] - h[4] * h[6]);
  if (h[1] == 0.0 && h[2] == 0.0 && h[5] == 0.0 && h[0] > 0.0 && h[4] > 0.0 && h[8] > 0.0) {
    *lx = h[0];
    *ly = h[4];
    *lz = h[8];
    *xy = h[3];
    *xz = h[6];
    *yz = h[7];
    memset(m, 0, 9 * sizeof(real_t));
    m[0] = m[4] = m[8] = 1.0;
    *rotated = 0;
    return MD_OK;
  }
  if (!(det > 0.0)) return md_error(MD_ERR_VALUE, "the cell is left-handed: a LAMMPS dump needs a right-handed cell (a, b, c)");
  const real_t *a = h, *bb = h + 3, *c = h + 6;
  real_t A = sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
  real_t B2 = bb[0] * bb[0] + bb[1] * bb[1] + bb[2] * bb[2], C2 = c[0] * c[0] + c[1] * c[1] + c[2] * c[2];
  *lx = A;
  *xy = (bb[0] * a[0] + bb[1] * a[1] + bb[2] * a[2]) / A;
  *ly = sqrt(B2 - *xy * *xy);
  *xz = (c[0] * a[0] + c[1] * a[1] + c[2] * a[2]) / A;
  *yz = ((bb[0] * c[0] + bb[1] * c[1] + bb[2] * c[2]) - *xy * *xz) / *ly;
  *lz = sqrt(C2 - *xz * *xz - *yz * *yz);
  real_t hl[9] = {*lx, 0, 0, *xy, *ly, 0, *xz, *yz, *lz};
  /* M = H⁻¹ · H_lammps */
  for (int r = 0; r < 3; r++)
    for (int k = 0; k < 3; k++) {
      real_t s = 0.0;
      for (int q = 0; q < 3; q++) s += b->hinv[3 * r + q] * hl[3 * q + k];
      m[3 * r + k] = s;
    }
  *rotated = 1;
  return MD_OK;
}

md_status dump_spec_check(const dump_spec *spec, const md_system *s, const char *where, int mask[MD_MAX_ELEM]) {
  for (int t = 0; t < MD_MAX_ELEM; t++) mask[t] = spec->nspecies == 0;
  if (spec->nspecies > 0) {
    for (int k = 0; k < spec->nspecies; k++) {
      int t;
      for (t = 0; t < s->nelem; t++)
        if (strcmp(s->elem[t], spec->species[k]) == 0) break;
      if (t == s->nelem) {
        char list[128] = "";
        for (int e = 0; e < s->nelem; e++) {
          strcat(list, " ");
          strcat(list, s->elem[e]);
        }
        return md_error(MD_ERR_VALUE, "%s: dump species '%s' is not an element of the structure (it has:%s)", where,
                        spec->species[k], list);
      }
      mask[t] = 1;
    }
  }
  return MD_OK;
}

md_status dump_writer_open(dump_writer *d, const dump_spec *spec, const md_system *s, int restart, long long keep_bytes,
                    const char *where) {
  memset(d, 0, sizeof *d);
  d->fd = -1;
  strbuf_init(&d->buf);
  snprintf(d->path, sizeof d->path, "%s", spec->path);
  d->every = spec->every;
  d->format = spec->format;
  d->velocities = spec->velocities;
  d->precision = spec->precision == 0 ? 8 : spec->precision;
  MD_TRY(dump_spec_check(spec, s, where, d->mask));
  d->nsel = 0;
  for (int i = 0; i < s->n; i++) d->nsel += d->mask[s->type[i]] != 0;
  if (d->format == DUMP_FMT_LAMMPS) {
    real_t lx, ly, lz, xy, xz, yz, m[9];
    int rot;
    md_status st = dump_lammps_cell(&s->box, &lx, &ly, &lz, &xy, &xz, &yz, m, &rot);
    if (st != MD_OK) return md_error(st, "%s: %s", where, md_errmsg());
    size_t na = (size_t)(s->n > 0 ? s->n : 1);
    d->order = (int *)malloc(na * sizeof(int));
    id_index *tmp = (id_index *)malloc(na * sizeof(id_index));
    if (!d->order || !tmp) {
      free(tmp);
      return md_error(MD_ERR_MEMORY, "out of memory (dump order)");
    }
    for (int i = 0; i < s->n; i++) {
      tmp[i].id = s->id[i];
      tmp[i].index = i;
    }
    qsort(tmp, (size_t)s->n, sizeof(id_index), cmp_id);
    for (int i = 0; i < s->n; i++) d->order[i] = tmp[i].index;
    free(tmp);
  }
  MD_TRY(outfile_open(d->path, restart, keep_bytes, &d->fd));
  d->bytes = restart ? keep_bytes : 0;
  return MD_OK;
}

/* one real in the dump's precision: %.Nf (N digits after the point, default 8) or %.17g (full: reads back as
 * the same double) */
static void put_real(strbuf *b, const dump_writer *d, real_t v) {
  if (d->precision < 0) strbuf_printf(b, " %.17g", v);
  else strbuf_printf(b, " %.*f", d->precision, v);
}

static void frame_extxyz(dump_writer *d, const md_system *s, long step, real_t time) {
  strbuf *b = &d->buf;
  char tbuf[64];
  snprintf(tbuf, sizeof tbuf, d->precision < 0 ? "%.17g" : "%.10g", time);
  if (!strpbrk(tbuf, ".eEn")) strcat(tbuf, ".0"); /* always a real, so readers type it as time, not an integer */
  const real_t *h = s->box.h;
  /* precision full: the cell as exact doubles too, so an analysis of the file sees the run's very cell */
  const char *cf = d->precision < 0 ? "%.17g" : "%.10f";
  strbuf_printf(b, "%d\nLattice=\"", d->nsel);
  for (int k = 0; k < 9; k++) {
    if (k) strbuf_puts(b, " ");
    strbuf_printf(b, cf, h[k]);
  }
  strbuf_printf(b, "\" Properties=species:S:1:pos:R:3%s time=%s step=%ld pbc=\"T T T\"\n", d->velocities ? ":velocities:R:3" : "",
                tbuf, step);
  for (int i = 0; i < s->n; i++) {
    if (!d->mask[s->type[i]]) continue;
    real_t r[3];
    system_unwrapped(s, i, r);
    strbuf_printf(b, "%-2s", s->elem[s->type[i]]);
    for (int c = 0; c < 3; c++) put_real(b, d, r[c]);
    if (d->velocities) {
      put_real(b, d, s->vx[i]);
      put_real(b, d, s->vy[i]);
      put_real(b, d, s->vz[i]);
    }
    strbuf_printf(b, "\n");
  }
}

static void frame_lammps(dump_writer *d, const md_system *s, long step, real_t time) {
  strbuf *b = &d->buf;
  real_t lx, ly, lz, xy, xz, yz, m[9];
  int rot;
  dump_lammps_cell(&s->box, &lx, &ly, &lz, &xy, &xz, &yz, m, &rot);
  /* as LAMMPS with dump_modify units yes time yes: UNITS in the first frame, TIME (ps) before every TIMESTEP */
  if (d->bytes == 0) strbuf_printf(b, "ITEM: UNITS\nmetal\n");
  strbuf_printf(b, d->precision < 0 ? "ITEM: TIME\n%.17g\n" : "ITEM: TIME\n%.16g\n", time);
  strbuf_printf(b, "ITEM: TIMESTEP\n%ld\nITEM: NUMBER OF ATOMS\n%d\n", step, d->nsel);
  if (xy == 0.0 && xz == 0.0 && yz == 0.0) {
    strbuf_printf(b, "ITEM: BOX BOUNDS pp pp pp\n%.10f %.10f\n%.10f %.10f\n%.10f %.10f\n", 0.0, lx, 0.0, ly, 0.0, lz);
  } else {
    real_t xlo = fmin(fmin(0.0, xy), fmin(xz, xy + xz)), xhi = lx + fmax(fmax(0.0, xy), fmax(xz, xy + xz));
    strbuf_printf(b, "ITEM: BOX BOUNDS xy xz yz pp pp pp\n%.10f %.10f %.10f\n%.10f %.10f %.10f\n%.10f %.10f %.10f\n", xlo, xhi,
                  xy, fmin(0.0, yz), ly + fmax(0.0, yz), xz, 0.0, lz, yz);
  }
  strbuf_printf(b, "ITEM: ATOMS id type xu yu zu%s\n", d->velocities ? " vx vy vz" : "");
  for (int k = 0; k < s->n; k++) {
    int i = d->order[k];
    if (!d->mask[s->type[i]]) continue;
    real_t r[3], v[3] = {s->vx[i], s->vy[i], s->vz[i]};
    system_unwrapped(s, i, r);
    if (rot) {
      real_t q[3], w[3];
      for (int c = 0; c < 3; c++) {
        q[c] = r[0] * m[c] + r[1] * m[3 + c] + r[2] * m[6 + c];
        w[c] = v[0] * m[c] + v[1] * m[3 + c] + v[2] * m[6 + c];
      }
      memcpy(r, q, sizeof q);
      memcpy(v, w, sizeof w);
    }
    strbuf_printf(b, "%d %d", s->id[i], s->type[i] + 1);
    for (int c = 0; c < 3; c++) put_real(b, d, r[c]);
    if (d->velocities)
      for (int c = 0; c < 3; c++) put_real(b, d, v[c]);
    strbuf_printf(b, "\n");
  }
}

md_status dump_writer_write(dump_writer *d, const md_system *s, long step, real_t time) {
  strbuf_clear(&d->buf);
  if (d->format == DUMP_FMT_LAMMPS) frame_lammps(d, s, step, time);
  else frame_extxyz(d, s, step, time);
  if (d->buf.failed) return md_error(MD_ERR_MEMORY, "%s: out of memory formatting a frame", d->path);
  MD_TRY(outfile_write(d->fd, d->path, d->buf.data, d->buf.len));
  d->bytes += (long long)d->buf.len;
  return MD_OK;
}

md_status dump_writer_sync(dump_writer *d) { return outfile_sync(d->fd, d->path); }

void dump_writer_close(dump_writer *d) {
  if (d->fd >= 0) close(d->fd);
  d->fd = -1;
  free(d->order);
  d->order = NULL;
  strbuf_free(&d->buf);
}
