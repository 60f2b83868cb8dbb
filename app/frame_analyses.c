/* frame_analyses.c — per-frame analyses (sites, density, RDF, spectra): the accumulator bundle shared by the run
 * hook (frame_hook.c) and `esnapmd analyze`, and its output (see frame_analyses.h). */
#include "frame_analyses.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "binbuf.h"

#define FAN_MAGIC 0x4E414652u /* "RFAN" */
#define FAN_VERSION 1u

static int find_type(int nelem, const char (*elem)[MD_NAME_LEN], const char *name) {
  for (int e = 0; e < nelem; e++)
    if (strcmp(elem[e], name) == 0) return e;
  return -1;
}

static md_status species_type(const fan_options *o, int nelem, const char (*elem)[MD_NAME_LEN], const int *type, int n,
                              const char *what, const char *name, int *t, int *nion) {
  *t = find_type(nelem, elem, name);
  if (*t < 0) {
    char list[128] = "";
    for (int e = 0; e < nelem; e++) {
      strncat(list, " ", sizeof list - strlen(list) - 1);
      strncat(list, elem[e], sizeof list - strlen(list) - 1);
    }
    return md_error(MD_ERR_VALUE, "%s: %s: species '%s' is not an element of the structure (it has:%s)", o->where, what, name, list);
  }
  *nion = 0;
  for (int i = 0; i < n; i++) *nion += type[i] == *t;
  if (*nion == 0) return md_error(MD_ERR_VALUE, "%s: %s: the structure has no %s atoms", o->where, what, name);
  return MD_OK;
}

md_status fan_rep_create(fan_rep **out, const fan_options *o, const md_box *box, int n, const int *type, int nelem,
                         const char (*elem)[MD_NAME_LEN], const real_t *mass) {
  *out = NULL;
  fan_rep *r = (fan_rep *)calloc(1, sizeof *r);
  if (!r) return md_error(MD_ERR_MEMORY, "out of memory");
  r->n = n;
  size_t m = (size_t)(n > 0 ? n : 1);
  r->type = (int *)malloc(m * sizeof *r->type);
  r->bx = (real_t *)malloc(m * sizeof *r->bx);
  r->by = (real_t *)malloc(m * sizeof *r->by);
  r->bz = (real_t *)malloc(m * sizeof *r->bz);
  md_status st = (r->type && r->bx && r->by && r->bz) ? MD_OK : md_error(MD_ERR_MEMORY, "out of memory");
  if (st == MD_OK) memcpy(r->type, type, (size_t)n * sizeof *type);
  int nion = 0;
  if (st == MD_OK && o->sites) {
    st = species_type(o, nelem, elem, type, n, "sites", o->sites_species, &r->sites_type, &nion);
    site_set *set = NULL;
    if (st == MD_OK)
      st = o->sites_file[0] ? site_set_read(&set, o->sites_file, box, nion) : site_set_li3n(&set, box, nion, o->cells, o->where);
    if (st == MD_OK) st = sites_acc_create(&r->sites, set);
  }
  if (st == MD_OK && o->density) {
    st = species_type(o, nelem, elem, type, n, "density", o->density_species, &r->density_type, &nion);
    if (st == MD_OK) st = density_acc_create(&r->density, box, o->density_spacing, nion);
  }
  if (st == MD_OK && o->rdf) {
    double wmin = fmin(box->width[0], fmin(box->width[1], box->width[2]));
    double rmax = o->rdf_rmax > 0 ? o->rdf_rmax : 0.5 * wmin;
    if (rmax > 0.5 * wmin * (1 + 1e-12))
      st = md_error(MD_ERR_VALUE, "%s: rdf: rmax %g Å exceeds half the shortest cell width (%g Å)", o->where, rmax, 0.5 * wmin);
    if (st == MD_OK) st = rdf_acc_create(&r->rdf, nelem, type, n, o->rdf_bins, rmax, box);
  }
  if (st == MD_OK && o->spectra) st = vacf_acc_create(&r->vacf, n, type, nelem, mass, o->spectra_window, o->spectra_dt);
  if (st != MD_OK) {
    fan_rep_destroy(&r);
    return st;
  }
  *out = r;
  return MD_OK;
}

void fan_rep_destroy(fan_rep **pr) {
  if (!pr || !*pr) return;
  fan_rep *r = *pr;
  sites_acc_destroy(&r->sites);
  density_acc_destroy(&r->density);
  rdf_acc_destroy(&r->rdf);
  vacf_acc_destroy(&r->vacf);
  free(r->type);
  free(r->bx);
  free(r->by);
  free(r->bz);
  free(r);
  *pr = NULL;
}

static int select_type(fan_rep *r, int t, const real_t *x, const real_t *y, const real_t *z) {
  int m = 0;
  for (int i = 0; i < r->n; i++)
    if (r->type[i] == t) {
      r->bx[m] = x[i];
      r->by[m] = y[i];
      r->bz[m] = z[i];
      m++;
    }
  return m;
}

md_status fan_rep_add(fan_rep *r, int which, const md_box *box, const char (*elem)[MD_NAME_LEN], const real_t *x, const real_t *y,
                      const real_t *z, const real_t *vx, const real_t *vy, const real_t *vz, double time) {
  if ((which & FAN_SITES) && r->sites) {
    int m = select_type(r, r->sites_type, x, y, z);
    MD_TRY(sites_acc_add(r->sites, box, m, r->bx, r->by, r->bz, time));
  }
  if ((which & FAN_DENSITY) && r->density) {
    MD_TRY(density_acc_set_atoms(r->density, box, r->n, r->type, elem, x, y, z));
    int m = select_type(r, r->density_type, x, y, z);
    MD_TRY(density_acc_add(r->density, box, m, r->bx, r->by, r->bz));
  }
  if ((which & FAN_RDF) && r->rdf) MD_TRY(rdf_acc_add(r->rdf, box, r->type, r->n, x, y, z));
  if ((which & FAN_SPECTRA) && r->vacf) {
    if (!vx) return md_error(MD_ERR_VALUE, "spectra: the frame at t = %g ps has no velocities", time);
    MD_TRY(vacf_acc_add(r->vacf, vx, vy, vz));
  }
  return MD_OK;
}

/* blob: u32 magic, u32 version, u32 mask of the accumulators present, then each packed in FAN_* order */
md_status fan_rep_pack(const fan_rep *r, void **data, size_t *len) {
  binw w = {0};
  binw_u32(&w, FAN_MAGIC);
  binw_u32(&w, FAN_VERSION);
  binw_u32(&w, (r->sites ? FAN_SITES : 0) | (r->density ? FAN_DENSITY : 0) | (r->rdf ? FAN_RDF : 0) | (r->vacf ? FAN_SPECTRA : 0));
  if (r->sites) sites_acc_pack(r->sites, &w);
  if (r->density) density_acc_pack(r->density, &w);
  if (r->rdf) rdf_acc_pack(r->rdf, &w);
  if (r->vacf) vacf_acc_pack(r->vacf, &w);
  if (w.failed) {
    binw_free(&w);
    return md_error(MD_ERR_MEMORY, "out of memory (analysis state)");
  }
  *data = w.p;
  *len = w.len;
  return MD_OK;
}

md_status fan_rep_unpack(fan_rep *r, const void *data, size_t len, const char *where) {
  binr b;
  binr_init(&b, data, len);
  uint32_t magic = binr_u32(&b), version = binr_u32(&b), mask = binr_u32(&b);
  uint32_t want = (r->sites ? FAN_SITES : 0) | (r->density ? FAN_DENSITY : 0) | (r->rdf ? FAN_RDF : 0) | (r->vacf ? FAN_SPECTRA : 0);
  if (b.bad || magic != FAN_MAGIC || version != FAN_VERSION)
    return md_error(MD_ERR_PARSE, "%s: the saved analysis state is not of this program's format (version %u)", where, version);
  if (mask != want)
    return md_error(MD_ERR_VALUE, "%s: saved with analyses %#x, the deck asks for %#x (sites 1, density 2, rdf 4, spectra 8)", where,
                    mask, want);
  if (r->sites) MD_TRY(sites_acc_unpack(r->sites, &b, where));
  if (r->density) MD_TRY(density_acc_unpack(r->density, &b, where));
  if (r->rdf) MD_TRY(rdf_acc_unpack(r->rdf, &b, where));
  if (r->vacf) MD_TRY(vacf_acc_unpack(r->vacf, &b, where));
  return MD_OK;
}

md_status fan_write(const char *dir, fan_rep *const *reps, const int *names, int nrep, const fan_options *o, const md_box *box,
                    const char (*elem)[MD_NAME_LEN], int nelem, const real_t *mass, const char *inputs) {
  if (nrep < 1) return md_error(MD_ERR_INTERNAL, "fan_write: no replicas");
  char path[MD_PATH_LEN + 64], path2[MD_PATH_LEN + 64];
  md_status st = MD_OK;
  if (reps[0]->vacf) { /* refused before anything is written */
    int64_t seg = 0;
    for (int k = 0; k < nrep; k++) seg += vacf_acc_segments(reps[k]->vacf);
    if (seg == 0)
      return md_error(MD_ERR_VALUE, "%s: spectra: no complete segment of %d samples yet: run longer or use a shorter window", o->where,
                      vacf_acc_window(reps[0]->vacf));
  }
  if (reps[0]->sites) {
    sites_acc **s = (sites_acc **)malloc((size_t)nrep * sizeof *s);
    if (!s) return md_error(MD_ERR_MEMORY, "out of memory");
    for (int k = 0; k < nrep; k++) s[k] = reps[k]->sites;
    snprintf(path, sizeof path, "%s/sites", dir);
    st = sites_write(path, s, names, nrep, o->sites_species, inputs);
    free(s);
    MD_TRY(st);
  }
  /* the other analyses pool their replicas into one fresh bundle */
  const fan_rep *pool = reps[0];
  fan_rep *sum = NULL;
  if (nrep > 1) {
    fan_options po = *o;
    po.sites = 0;
    MD_TRY(fan_rep_create(&sum, &po, box, reps[0]->n, reps[0]->type, nelem, elem, mass));
    for (int k = 0; k < nrep && st == MD_OK; k++) {
      if (sum->density) st = density_acc_merge(sum->density, reps[k]->density);
      if (st == MD_OK && sum->rdf) st = rdf_acc_merge(sum->rdf, reps[k]->rdf);
      if (st == MD_OK && sum->vacf) st = vacf_acc_merge(sum->vacf, reps[k]->vacf);
    }
    pool = sum;
  }
  if (st == MD_OK && pool->density) {
    snprintf(path, sizeof path, "%s/density", dir);
    st = make_dirs(path);
    snprintf(path, sizeof path, "%s/density/density_%s.cube", dir, o->density_species);
    if (st == MD_OK) st = density_write_cube(path, pool->density, o->density_species, inputs);
  }
  if (st == MD_OK && pool->rdf) {
    snprintf(path, sizeof path, "%s/rdf", dir);
    st = make_dirs(path);
    snprintf(path, sizeof path, "%s/rdf/rdf.dat", dir);
    if (st == MD_OK) st = rdf_write(path, pool->rdf, elem, inputs);
  }
  if (st == MD_OK && pool->vacf) {
    snprintf(path, sizeof path, "%s/spectra", dir);
    st = make_dirs(path);
    snprintf(path, sizeof path, "%s/spectra/spectrum.dat", dir);
    snprintf(path2, sizeof path2, "%s/spectra/vacf.dat", dir);
    if (st == MD_OK) st = vacf_write(path, path2, pool->vacf, elem, inputs);
  }
  fan_rep_destroy(&sum);
  return st;
}
