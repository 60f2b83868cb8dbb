/* system.h — create, copy and destroy md_system (types.h); wrap atoms into the cell. */
#ifndef ESNAP_SYSTEM_H
#define ESNAP_SYSTEM_H

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

/* Allocate a system of n atoms (all arrays zeroed, ids 1..n). */
md_status system_create(md_system **out, int n);
/* Free a system and null the pointer (NULL is fine). */
void system_destroy(md_system **s);
/* Deep copy. */
md_status system_copy(md_system **out, const md_system *src);
/* New atom count n: atoms below min(old, n) kept, new ones zero with ids continuing (i + 1). */
md_status system_resize(md_system *s, int n);
/* Readers of files that declare their atom count: hold atoms as lines arrive, growing geometrically from
 * SYSTEM_GROW_FIRST and never beyond the declared count, so that a header promising more atoms than the file has
 * costs memory only for the lines present. system_grow_capacity: the next capacity (≥ need, ≤ declared);
 * system_reserve: s->n ≥ need (need ≤ declared), resizing to that capacity. At the end s->n = declared. */
#define SYSTEM_GROW_FIRST 1024
long system_grow_capacity(long cap, long need, long declared);
md_status system_reserve(md_system *s, long need, long declared);
/* Find (or append) element `name` in s->elem; returns its index or -1 when MD_MAX_ELEM is exceeded. */
int system_element_index(md_system *s, const char *name);
/* Wrap positions into [0,1) fractional coordinates, updating image counts (unwrapped positions unchanged). */
void system_wrap(md_system *s);
/* Unwrapped position of atom i (Å). */
void system_unwrapped(const md_system *s, int i, real_t r[3]);
/* Check positions are finite; MD_ERR_VALUE naming `where` and the atom otherwise. */
md_status system_check_finite(const md_system *s, const char *where);
/* Smallest interatomic distance (Å) under periodic boundaries, and the pair (brute force over a cell list). */
md_status system_min_distance(const md_system *s, real_t rmax, real_t *dmin, int *ia, int *ib);

MD_EXTERN_C_END

#endif
