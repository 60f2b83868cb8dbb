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
