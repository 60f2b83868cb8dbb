#include "system.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/pbc.h"
#include "nbr_cells.h"
#include "neighbor.h"

md_status system_create(md_system **out, int n) {
  *out = NULL;
  if (n < 0) return md_error(MD_ERR_VALUE, "negative atom count %d", n);
  md_system *s = (md_system *)calloc(1, sizeof *s);
  if (!s) return md_error(MD_ERR_MEMORY, "out of memory allocating a system");
  size_t m = (size_t)(n > 0 ? n : 1);
  s->n = n;
  s->type = (int *)calloc(m, sizeof(int));
  s->id = (int *)calloc(m, sizeof(int));
  s->x = (real_t *)calloc(3 * m, sizeof(real_t));
  s->vx = (real_t *)calloc(3 * m, sizeof(real_t));
  s->ix = (int *)calloc(3 * m, sizeof(int));
  if (!s->type || !s->id || !s->x || !s->vx || !s->ix) {
    system_destroy(&s);
    return md_error(MD_ERR_MEMORY, "out of memory allocating %d atoms", n);
  }
  s->y = s->x + m;
  s->z = s->x + 2 * m;
  s->vy = s->vx + m;
  s->vz = s->vx + 2 * m;
  s->iy = s->ix + m;
  s->iz = s->ix + 2 * m;
  for (int i = 0; i < n; i++) s->id[i] = i + 1;
  *out = s;
  return MD_OK;
}

void system_destroy(md_system **ps) {
  if (!ps || !*ps) return;
  md_system *s = *ps;
  free(s->type);
  free(s->id);
  free(s->x);
  free(s->vx);
  free(s->ix);
  free(s);
  *ps = NULL;
}

/* Atoms 0 … count−1 of src into d (both hold at least count). */
static void copy_atoms(md_system *d, const md_system *src, int count) {
  size_t m = (size_t)count;
  memcpy(d->type, src->type, m * sizeof(int));
  memcpy(d->id, src->id, m * sizeof(int));
  memcpy(d->x, src->x, m * sizeof(real_t));
  memcpy(d->y, src->y, m * sizeof(real_t));
  memcpy(d->z, src->z, m * sizeof(real_t));
  memcpy(d->vx, src->vx, m * sizeof(real_t));
  memcpy(d->vy, src->vy, m * sizeof(real_t));
  memcpy(d->vz, src->vz, m * sizeof(real_t));
  memcpy(d->ix, src->ix, m * sizeof(int));
  memcpy(d->iy, src->iy, m * sizeof(int));
  memcpy(d->iz, src->iz, m * sizeof(int));
}

md_status system_copy(md_system **out, const md_system *src) {
  MD_TRY(system_create(out, src->n));
  md_system *d = *out;
  d->nelem = src->nelem;
  memcpy(d->elem, src->elem, sizeof d->elem);
  d->box = src->box;
  copy_atoms(d, src, src->n);
  d->has_velocities = src->has_velocities;
  d->step = src->step;
  d->time = src->time;
  return MD_OK;
}

md_status system_resize(md_system *s, int n) {
  md_system *t = NULL;
  MD_TRY(system_create(&t, n));
  copy_atoms(t, s, s->n < n ? s->n : n);
  md_system keep = *s; /* everything but the atom arrays stays */
  keep.n = t->n;
  keep.type = t->type, keep.id = t->id;
  keep.x = t->x, keep.y = t->y, keep.z = t->z;
  keep.vx = t->vx, keep.vy = t->vy, keep.vz = t->vz;
  keep.ix = t->ix, keep.iy = t->iy, keep.iz = t->iz;
  free(s->type);
  free(s->id);
  free(s->x);
  free(s->vx);
  free(s->ix);
  *s = keep;
  free(t);
  return MD_OK;
}

long system_grow_capacity(long cap, long need, long declared) {
  long c = cap < SYSTEM_GROW_FIRST / 2 ? SYSTEM_GROW_FIRST : 2 * cap;
  if (c < need) c = need;
  return c < declared ? c : declared;
}

md_status system_reserve(md_system *s, long need, long declared) {
  if (need <= s->n) return MD_OK;
  if (need > declared || declared > 2147483647L)
    return md_error(MD_ERR_INTERNAL, "system_reserve: %ld atoms needed, %ld declared", need, declared);
  return system_resize(s, (int)system_grow_capacity(s->n, need, declared));
}

int system_element_index(md_system *s, const char *name) {
  for (int k = 0; k < s->nelem; k++)
    if (strcmp(s->elem[k], name) == 0) return k;
  if (s->nelem >= MD_MAX_ELEM || strlen(name) >= MD_NAME_LEN) return -1;
  strcpy(s->elem[s->nelem], name);
  return s->nelem++;
}

void system_wrap(md_system *s) {
  for (int i = 0; i < s->n; i++)
    nbr_wrap_atom(s->box.h, s->box.hinv, &s->x[i], &s->y[i], &s->z[i], &s->ix[i], &s->iy[i], &s->iz[i]);
}

void system_unwrapped(const md_system *s, int i, real_t r[3]) {
  real_t d[3];
  pbc_to_cart(s->box.h, (real_t)s->ix[i], (real_t)s->iy[i], (real_t)s->iz[i], d);
  r[0] = s->x[i] + d[0];
  r[1] = s->y[i] + d[1];
  r[2] = s->z[i] + d[2];
}

md_status system_check_finite(const md_system *s, const char *where) {
  for (int i = 0; i < s->n; i++)
    if (!isfinite(s->x[i]) || !isfinite(s->y[i]) || !isfinite(s->z[i]))
      return md_error(MD_ERR_VALUE, "%s: atom %d has a non-finite coordinate", where, s->id[i]);
  return MD_OK;
}

md_status system_min_distance(const md_system *s, real_t rmax, real_t *dmin, int *ia, int *ib) {
  *dmin = INFINITY;
  *ia = *ib = -1;
  if (s->n == 0) return MD_OK;
  nbr_list *nl = NULL;
  MD_TRY(nbr_create(&nl, rmax, 0.0, 0));
  md_status st = nbr_build(nl, s);
  if (st == MD_OK) nbr_min_distance(nl, s, dmin, ia, ib);
  nbr_destroy(&nl);
  return st;
}
