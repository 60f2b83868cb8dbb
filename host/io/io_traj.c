/* io_traj.c — one species' unwrapped trajectory from a LAMMPS dump or an extended XYZ file (see io_dump.h):
 * atom selection, sorting by id, frame times, minimum-image unwrapping, duplicate frames. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io_dump.h"
#include "io_xyz.h"
#include "strbuf.h"

struct traj_reader {
  char path[MD_PATH_LEN];
  int is_xyz;
  dump_reader *dr;
  dump_frame df;
  xyz_reader *xr;
  xyz_frame xf;
  traj_options o;
  char species[MD_NAME_LEN];
  char tname[MD_MAX_ELEM][MD_NAME_LEN]; /* LAMMPS type k+1 → tname[k] */
  int ntypes;
  int natoms;       /* atoms per frame in the file */
  int64_t *ids;     /* [natoms] sorted ids of the first frame (dump) */
  int *sel;         /* [nsel] positions of the selected atoms in the sorted (dump) or file (xyz) order */
  int nsel;
  int64_t *keyidx;  /* scratch for sorting: (id, index) pairs, 2 per atom */
  double *wx, *wy, *wz; /* previous wrapped positions (unwrapping) */
  double *ux, *uy, *uz; /* previous unwrapped positions */
  int wrapped;
  traj_frame fr;
  int nread;        /* frames accepted */
  long long prev_step;
  double prev_time;
  int skipped;
  strbuf notes;
};

static void note(traj_reader *r, const char *msg) {
  if (r->notes.len) strbuf_puts(&r->notes, "; ");
  strbuf_puts(&r->notes, msg);
}

static int ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && strcmp(s + a - b, suf) == 0;
}

md_status traj_open(traj_reader **out, const char *path, const traj_options *o) {
  *out = NULL;
  traj_reader *r = (traj_reader *)calloc(1, sizeof *r);
  if (!r) return md_error(MD_ERR_MEMORY, "out of memory");
  snprintf(r->path, sizeof r->path, "%s", path);
  r->o = *o;
  snprintf(r->species, sizeof r->species, "%s", o->species ? o->species : "Li");
  strbuf_init(&r->notes);
  const char *types = o->types ? o->types : "Li,N";
  for (const char *p = types; *p && r->ntypes < MD_MAX_ELEM;) {
    size_t k = strcspn(p, ", ");
    if (k > 0 && k < MD_NAME_LEN) {
      memcpy(r->tname[r->ntypes], p, k);
      r->tname[r->ntypes++][k] = '\0';
    }
    p += k;
    while (*p == ',' || *p == ' ') p++;
  }
  r->is_xyz = ends_with(path, ".xyz") || ends_with(path, ".extxyz");
  md_status st = r->is_xyz ? xyz_open(&r->xr, path, NULL) : dump_open(&r->dr, path);
  if (st != MD_OK) {
    traj_close(&r);
    return st;
  }
  *out = r;
  return MD_OK;
}

void traj_close(traj_reader **pr) {
  if (!pr || !*pr) return;
  traj_reader *r = *pr;
  dump_close(&r->dr);
  dump_frame_free(&r->df);
  xyz_close(&r->xr);
  xyz_frame_free(&r->xf);
  free(r->ids);
  free(r->sel);
  free(r->keyidx);
  free(r->wx);
  free(r->wy);
  free(r->wz);
  free(r->ux);
  free(r->uy);
  free(r->uz);
  free(r->fr.x);
  free(r->fr.y);
  free(r->fr.z);
  free(r->fr.type);
  free(r->fr.vx);
  free(r->fr.vy);
  free(r->fr.vz);
  strbuf_free(&r->notes);
  free(r);
  *pr = NULL;
}

const char *traj_notes(const traj_reader *r) { return r->notes.data ? r->notes.data : ""; }
int traj_atoms_in_file(const traj_reader *r) { return r->natoms; }

static int cmp_pair(const void *a, const void *b) {
  const int64_t *x = (const int64_t *)a, *y = (const int64_t *)b;
  return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* First frame: allocate, choose the atoms of the species. names[i] = species of atom at sorted position i. */
static md_status setup(traj_reader *r, int n, const char *const *names, int line) {
  r->natoms = n;
  r->sel = (int *)malloc((size_t)n * sizeof(int));
  r->wx = (double *)malloc((size_t)n * sizeof(double));
  r->wy = (double *)malloc((size_t)n * sizeof(double));
  r->wz = (double *)malloc((size_t)n * sizeof(double));
  r->ux = (double *)malloc((size_t)n * sizeof(double));
  r->uy = (double *)malloc((size_t)n * sizeof(double));
  r->uz = (double *)malloc((size_t)n * sizeof(double));
  r->fr.x = (double *)malloc((size_t)n * sizeof(double));
  r->fr.y = (double *)malloc((size_t)n * sizeof(double));
  r->fr.z = (double *)malloc((size_t)n * sizeof(double));
  if (!r->sel || !r->wx || !r->wy || !r->wz || !r->ux || !r->uy || !r->uz || !r->fr.x || !r->fr.y || !r->fr.z)
    return md_error(MD_ERR_MEMORY, "out of memory");
  r->nsel = 0;
  if (r->o.all) {
    r->fr.type = (int *)malloc((size_t)(n > 0 ? n : 1) * sizeof(int));
    r->fr.vx = (double *)malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    r->fr.vy = (double *)malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    r->fr.vz = (double *)malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    if (!r->fr.type || !r->fr.vx || !r->fr.vy || !r->fr.vz) return md_error(MD_ERR_MEMORY, "out of memory");
    for (int i = 0; i < n; i++) {
      int t;
      for (t = 0; t < r->fr.nelem; t++)
        if (strcmp(r->fr.elem[t], names[i]) == 0) break;
      if (t == r->fr.nelem) {
        if (t == MD_MAX_ELEM) return md_error(MD_ERR_VALUE, "%s:%d: more than %d elements", r->path, line, MD_MAX_ELEM);
        snprintf(r->fr.elem[r->fr.nelem++], MD_NAME_LEN, "%s", names[i]);
      }
      r->fr.type[i] = t;
      r->sel[r->nsel++] = i;
    }
  }
  for (int i = 0; i < n && !r->o.all; i++)
    if (strcmp(names[i], r->species) == 0) r->sel[r->nsel++] = i;
  if (r->nsel == 0) {
    char seen[256] = "";
    for (int i = 0; i < n && strlen(seen) < 200; i++)
      if (!strstr(seen, names[i])) {
        strcat(seen, seen[0] ? ", " : "");
        strncat(seen, names[i], MD_NAME_LEN);
      }
    return md_error(MD_ERR_VALUE, "%s:%d: no atoms of species %s in the first frame (found: %s)%s", r->path, line, r->species,
                    seen, r->is_xyz ? "" : "; map LAMMPS types with --types (e.g. --types Li,N)");
  }
  r->fr.n = r->nsel;
  return MD_OK;
}

static md_status next_dump(traj_reader *r, int *eof, int *line, long long *step, int *has_time, double *ftime) {
  dump_frame *f = &r->df;
  MD_TRY(dump_read_frame(r->dr, f, eof));
  if (*eof) return MD_OK;
  *line = f->line;
  *step = f->step;
  *has_time = f->has_time;
  *ftime = f->time;
  int n = f->n;
  if (r->nread > 0 && n != r->natoms)
    return md_error(MD_ERR_VALUE, "%s:%d: frame of step %lld has %d atoms, the first frame had %d", r->path, f->line,
                    f->step, n, r->natoms);
  if (!r->keyidx) {
    r->keyidx = (int64_t *)malloc((size_t)n * 2 * sizeof(int64_t));
    if (!r->keyidx) return md_error(MD_ERR_MEMORY, "out of memory");
  }
  int sorted = 1;
  for (int i = 0; i < n; i++) {
    r->keyidx[2 * i] = f->id[i];
    r->keyidx[2 * i + 1] = i;
    if (i > 0 && f->id[i] <= f->id[i - 1]) sorted = 0;
  }
  if (!sorted) qsort(r->keyidx, (size_t)n, 2 * sizeof(int64_t), cmp_pair);
  if (r->nread == 0) {
    r->ids = (int64_t *)malloc((size_t)n * sizeof(int64_t));
    const char **names = (const char **)malloc((size_t)n * sizeof(char *));
    if (!r->ids || !names) {
      free(names);
      return md_error(MD_ERR_MEMORY, "out of memory");
    }
    for (int i = 0; i < n; i++) {
      r->ids[i] = r->keyidx[2 * i];
      if (i > 0 && r->ids[i] == r->ids[i - 1]) {
        free(names);
        return md_error(MD_ERR_VALUE, "%s:%d: atom id %lld appears twice in one frame", r->path, f->line, (long long)r->ids[i]);
      }
      int a = (int)r->keyidx[2 * i + 1];
      if (f->has_element) {
        names[i] = f->element[a];
      } else if (f->has_type) {
        int t = f->type[a];
        names[i] = t <= r->ntypes ? r->tname[t - 1] : "?";
      } else {
        names[i] = r->species;
      }
    }
    char msg[256];
    if (!f->has_element && f->has_type && !r->o.types) {
      snprintf(msg, sizeof msg, "LAMMPS types mapped with the default --types Li,N (type 1 = Li)");
      note(r, msg);
    }
    if (!f->has_element && !f->has_type) {
      snprintf(msg, sizeof msg, "no type or element column: every atom taken as %s", r->species);
      note(r, msg);
    }
    if (f->coords == DUMP_WRAPPED) {
      snprintf(msg, sizeof msg, "wrapped coordinates: unwrapped by minimum image between consecutive frames");
      note(r, msg);
    }
    md_status st = setup(r, n, names, f->line);
    free(names);
    MD_TRY(st);
    r->wrapped = f->coords == DUMP_WRAPPED;
  } else {
    for (int i = 0; i < n; i++)
      if (r->keyidx[2 * i] != r->ids[i])
        return md_error(MD_ERR_VALUE, "%s:%d: frame of step %lld holds atom id %lld, the first frame did not (or not at this "
                        "rank): frames must hold the same atoms", r->path, f->line, f->step, (long long)r->keyidx[2 * i]);
  }
  r->fr.box = f->box;
  r->fr.has_velocities = r->o.all && f->has_velocities;
  for (int k = 0; k < r->nsel; k++) {
    int a = (int)r->keyidx[2 * r->sel[k] + 1];
    r->fr.x[k] = f->x[a];
    r->fr.y[k] = f->y[a];
    r->fr.z[k] = f->z[a];
    if (r->fr.has_velocities) {
      r->fr.vx[k] = f->vx[a];
      r->fr.vy[k] = f->vy[a];
      r->fr.vz[k] = f->vz[a];
    }
  }
  return MD_OK;
}

static md_status next_xyz(traj_reader *r, int *eof, int *line, long long *step, int *has_time, double *ftime) {
  MD_TRY(xyz_read_frame(r->xr, &r->xf, eof));
  if (*eof) return MD_OK;
  const md_system *s = r->xf.sys;
  *line = r->xf.line;
  *step = s->step;
  *has_time = xyz_frame_get(&r->xf, "time") != NULL;
  *ftime = s->time;
  if (r->nread == 0) {
    const char **names = (const char **)malloc((size_t)(s->n > 0 ? s->n : 1) * sizeof(char *));
    if (!names) return md_error(MD_ERR_MEMORY, "out of memory");
    for (int i = 0; i < s->n; i++) names[i] = s->elem[s->type[i]];
    md_status st = setup(r, s->n, names, r->xf.line);
    free(names);
    MD_TRY(st);
    r->wrapped = r->o.unwrap;
    if (r->wrapped) note(r, "--unwrap: positions unwrapped by minimum image between consecutive frames");
  } else {
    if (s->n != r->natoms)
      return md_error(MD_ERR_VALUE, "%s:%d: frame has %d atoms, the first frame had %d", r->path, r->xf.line, s->n, r->natoms);
    for (int k = 0; k < r->nsel; k++) {
      const char *want = r->o.all ? r->fr.elem[r->fr.type[k]] : r->species;
      if (strcmp(s->elem[s->type[r->sel[k]]], want) != 0)
        return md_error(MD_ERR_VALUE, "%s:%d: atom %d is %s here but %s in the first frame (atom order must not change)",
                        r->path, r->xf.line, r->sel[k] + 1, s->elem[s->type[r->sel[k]]], want);
    }
  }
  r->fr.box = s->box;
  r->fr.has_velocities = r->o.all && s->has_velocities;
  for (int k = 0; k < r->nsel; k++) {
    r->fr.x[k] = s->x[r->sel[k]];
    r->fr.y[k] = s->y[r->sel[k]];
    r->fr.z[k] = s->z[r->sel[k]];
    if (r->fr.has_velocities) {
      r->fr.vx[k] = s->vx[r->sel[k]];
      r->fr.vy[k] = s->vy[r->sel[k]];
      r->fr.vz[k] = s->vz[r->sel[k]];
    }
  }
  return MD_OK;
}

md_status traj_next(traj_reader *r, const traj_frame **out, int *eof) {
  *out = NULL;
  for (;;) {
    int line = 0, has_time = 0;
    long long step = 0;
    double ftime = 0;
    MD_TRY(r->is_xyz ? next_xyz(r, eof, &line, &step, &has_time, &ftime) : next_dump(r, eof, &line, &step, &has_time, &ftime));
    if (*eof) {
      if (r->nread == 0) return md_error(MD_ERR_PARSE, "%s: no frames", r->path);
      if (r->skipped) {
        char msg[128];
        snprintf(msg, sizeof msg, "%d repeated frame(s) (same step/time as the previous one, e.g. from a restart) skipped",
                 r->skipped);
        note(r, msg);
      }
      return MD_OK;
    }
    double t;
    if (r->o.frame_interval > 0) t = r->nread * r->o.frame_interval;
    else if (!r->is_xyz && r->o.timestep > 0) t = (double)step * r->o.timestep;
    else if (has_time) t = ftime;
    else if (r->is_xyz)
      return md_error(MD_ERR_VALUE, "%s:%d: frame has no time= key: give --frame-interval PS", r->path, line);
    else
      return md_error(MD_ERR_VALUE, "%s:%d: frame times unknown (TIMESTEP is in steps): give --timestep PS (the MD "
                      "timestep) or --frame-interval PS", r->path, line);
    int dup = r->nread > 0 && r->o.frame_interval <= 0 &&
              (r->is_xyz ? (has_time && fabs(t - r->prev_time) <= 1e-12 * fabs(t)) : step == r->prev_step);
    if (dup) {
      r->skipped++;
      continue;
    }
    if (r->wrapped) { /* u_k = u_{k-1} + minimum image of (w_k - w_{k-1}) in the current cell */
      const double *h = r->fr.box.h, *hi = r->fr.box.hinv;
      for (int k = 0; k < r->nsel; k++) {
        double w[3] = {r->fr.x[k], r->fr.y[k], r->fr.z[k]}, u[3] = {w[0], w[1], w[2]};
        if (r->nread > 0) {
          double d[3] = {w[0] - r->wx[k], w[1] - r->wy[k], w[2] - r->wz[k]}, s[3];
          for (int c = 0; c < 3; c++) s[c] = d[0] * hi[c] + d[1] * hi[3 + c] + d[2] * hi[6 + c];
          for (int c = 0; c < 3; c++) s[c] -= nearbyint(s[c]);
          for (int c = 0; c < 3; c++) d[c] = s[0] * h[c] + s[1] * h[3 + c] + s[2] * h[6 + c];
          u[0] = r->ux[k] + d[0];
          u[1] = r->uy[k] + d[1];
          u[2] = r->uz[k] + d[2];
        }
        r->wx[k] = w[0];
        r->wy[k] = w[1];
        r->wz[k] = w[2];
        r->fr.x[k] = r->ux[k] = u[0];
        r->fr.y[k] = r->uy[k] = u[1];
        r->fr.z[k] = r->uz[k] = u[2];
      }
    }
    r->fr.time = t;
    r->fr.line = line;
    r->fr.index = r->nread;
    r->nread++;
    r->prev_step = step;
    r->prev_time = t;
    *out = &r->fr;
    return MD_OK;
  }
}
