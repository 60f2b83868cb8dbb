/* replica_each.h — what the on-the-fly analyses of a replica run (app/replica_diffusion.c, app/frame_hook.c) share:
 * a per-replica step run over the replicas in parallel with each replica's error kept, and the grouping of the
 * replicas by temperature for their outputs. */
#ifndef ESNAP_REPLICA_EACH_H
#define ESNAP_REPLICA_EACH_H

#include <stddef.h>

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

/* fn(ctx, k) for k = 0 .. nrep-1, one OpenMP thread per replica (replicas are independent); the first failure in
 * replica order is returned as "replica NAME: message" (names[k]: the replica's ensemble index). */
md_status replica_for_each(int nrep, md_status (*fn)(void *ctx, int k), void *ctx, const int *names);

/* The distinct values of key[0..n-1] in order of first appearance (at most max of them) into groups; returns their
 * number (the temperature groups of `replicas R temperatures ...`; one group when all are equal). */
int replica_groups(const real_t *key, int n, real_t *groups, int max);

/* The output folder of temperature group `key` of a run with ngroups groups: base itself for one group, else
 * base/T<key>K. */
void replica_group_dir(char *dir, size_t size, const char *base, int ngroups, real_t key);

/* Append " 0-3 7 9-12" to b: the ensemble indices names[0..n-1] (ascending), consecutive runs as ranges. */
struct strbuf;
void replica_names_text(struct strbuf *b, const int *names, int n);

MD_EXTERN_C_END

#endif
