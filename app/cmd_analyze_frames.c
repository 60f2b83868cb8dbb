/* cmd_analyze_frames.c — `esnapmd analyze --sites/--density/--rdf/--spectra`: the per-frame analyses of
 * frame_analyses.h over every frame of trajectory files (one file per replica), with the accumulators the run
 * uses on the fly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_skip.h"
#include "frame_analyses.h"
#include "io_dump.h"
#include "model.h"
#include "strbuf.h"

/* Masses (g/mol) of the trajectory's elements from the model. */
static md_status masses(const char *model_path, const traj_frame *f, real_t *mass) {
  md_model m;
  MD_TRY(model_read(&m, model_path));
  for (int t = 0; t < f->nelem; t++) {
    int e;
    for (e = 0; e < m.nelem; e++)
      if (strcmp(m.elem[e], f->elem[t]) == 0) break;
    if (e == m.nelem) return md_error(MD_ERR_VALUE, "analyze: element %s of the trajectory has no mass in %s (give --model)", f->elem[t], model_path);
    mass[t] = m.mass[e];
  }
  return MD_OK;
}

/* Interval between the first two frames (ps), rounded to 12 significant digits: the on-the-fly analysis uses
 * every × dt, which the times written in the file reproduce to that precision. */
static double frame_interval(double t0, double t1) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.12g", t1 - t0);
  return strtod(buf, NULL);
}

static md_status read_file(const char *path, const traj_options *to, fan_options *o, const char *model_path, int first_file,
                           fan_rep **out, md_box *box0, char (*elem)[MD_NAME_LEN], int *nelem, real_t *mass, int *nat) {
  *out = NULL;
  traj_reader *r = NULL;
  MD_TRY(traj_open(&r, path, to));
  md_status st = MD_OK;
  fan_rep *rep = NULL;
  double t0 = 0, t_file = 0;
  long kept = 0;
  /* frame 0 is held until frame 1 gives the interval of the spectra */
  traj_frame hold;
  memset(&hold, 0, sizeof hold);
  double *h = NULL;
  for (;;) {
    const traj_frame *f;
    int eof;
    if ((st = traj_next(r, &f, &eof)) != MD_OK || eof) break;
    if (f->index == 0) t_file = f->time;
    if (analysis_skip(f->time, t_file, o->skip_ps)) continue;
    if (o->spectra && !f->has_velocities) {
      st = md_error(MD_ERR_VALUE, "%s:%d: frame has no velocities: spectra need a trajectory written with velocities (deck: dump N "
                    "FILE velocities yes precision full)", path, f->line);
      break;
    }
    if (kept++ == 0) {
      if (first_file) {
        *box0 = f->box;
        *nelem = f->nelem;
        memcpy(elem, f->elem, sizeof f->elem);
        *nat = f->n;
        if (o->spectra) st = masses(model_path, f, mass);
      } else if (f->n != *nat || f->nelem != *nelem || memcmp(elem, f->elem, sizeof f->elem) != 0) {
        st = md_error(MD_ERR_VALUE, "%s:%d: %d atoms of %d elements, but the first file has %d of %d (replicas must match)", path, f->line,
                      f->n, f->nelem, *nat, *nelem);
      }
      if (st != MD_OK) break;
      t0 = f->time;
      size_t n = (size_t)f->n;
      h = (double *)malloc(6 * (n > 0 ? n : 1) * sizeof *h);
      if (!h) {
        st = md_error(MD_ERR_MEMORY, "out of memory");
        break;
      }
      hold = *f;
      memcpy(h, f->x, n * sizeof *h);
      memcpy(h + n, f->y, n * sizeof *h);
      memcpy(h + 2 * n, f->z, n * sizeof *h);
      if (f->has_velocities) {
        memcpy(h + 3 * n, f->vx, n * sizeof *h);
        memcpy(h + 4 * n, f->vy, n * sizeof *h);
        memcpy(h + 5 * n, f->vz, n * sizeof *h);
      }
      continue;
    }
    const int all = FAN_SITES | FAN_DENSITY | FAN_RDF | FAN_SPECTRA;
    if (!rep) {
      if (o->spectra && !(o->spectra_dt > 0)) o->spectra_dt = frame_interval(t0, f->time);
      snprintf(o->where, sizeof o->where, "%s:%d", path, hold.line);
      st = fan_rep_create(&rep, o, &hold.box, hold.n, hold.type, hold.nelem, (const char(*)[MD_NAME_LEN])hold.elem, mass);
      if (st != MD_OK) break;
      size_t n = (size_t)hold.n;
      st = fan_rep_add(rep, all, &hold.box, (const char(*)[MD_NAME_LEN])hold.elem, h, h + n, h + 2 * n, hold.has_velocities ? h + 3 * n : NULL,
                       h + 4 * n, h + 5 * n, hold.time);
      if (st != MD_OK) break;
    }
    st = fan_rep_add(rep, all, &f->box, (const char(*)[MD_NAME_LEN])f->elem, f->x, f->y, f->z, f->has_velocities ? f->vx : NULL,
                     f->vy, f->vz, f->time);
    if (st != MD_OK) {
      st = md_error(st, "%s:%d: %s", path, f->line, md_errmsg());
      break;
    }
  }
  if (st == MD_OK && !rep) st = md_error(MD_ERR_VALUE, "%s: only one frame%s: need at least two", path, o->skip_ps > 0 ? " after --skip" : "");
  if (st == MD_OK && traj_notes(r)[0]) fprintf(stderr, "esnapmd analyze: note: %s: %s\n", path, traj_notes(r));
  traj_close(&r);
  free(h);
  if (st != MD_OK) {
    fan_rep_destroy(&rep);
    return st;
  }
  *out = rep;
  return MD_OK;
}

md_status analyze_frames(const char *const *files, int nfiles, const traj_options *to_in, const fan_options *o_in, const char *model,
                         const char *outdir, int quiet) {
  traj_options to = *to_in;
  to.all = 1;
  fan_options o = *o_in;
  fan_rep **reps = (fan_rep **)calloc((size_t)nfiles, sizeof *reps);
  int *names = (int *)malloc((size_t)nfiles * sizeof *names);
  if (!reps || !names) {
    free(reps);
    free(names);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  md_box box0;
  char elem[MD_MAX_ELEM][MD_NAME_LEN];
  memset(elem, 0, sizeof elem);
  int nelem = 0, nat = 0;
  real_t mass[MD_MAX_ELEM] = {0};
  md_status st = MD_OK;
  for (int k = 0; k < nfiles && st == MD_OK; k++) {
    names[k] = k;
    st = read_file(files[k], &to, &o, model ? model : model_default_path(), k == 0, &reps[k], &box0, elem, &nelem, mass, &nat);
  }
  if (st == MD_OK) {
    strbuf in;
    strbuf_init(&in);
    strbuf_printf(&in, "esnapmd analyze");
    for (int k = 0; k < nfiles && k < 20; k++) strbuf_printf(&in, " %s", files[k]);
    if (nfiles > 20) strbuf_printf(&in, " ... (%d files)", nfiles);
    st = fan_write(outdir, reps, names, nfiles, &o, &box0, (const char(*)[MD_NAME_LEN])elem, nelem, mass, in.data);
    strbuf_free(&in);
    if (st == MD_OK && !quiet) printf("wrote the frame analyses of %d file(s) under %s\n", nfiles, outdir);
  }
  for (int k = 0; k < nfiles; k++) fan_rep_destroy(&reps[k]);
  free(reps);
  free(names);
  return st;
}
