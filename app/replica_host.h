/* replica_host.h — is it still a crystal? Rides along with the on-the-fly diffusion (deck `diffusion`): the host
 * sublattice (the first element of the structure that is not the diffusing species: N in Li3N) is tracked per
 * replica at the diffusion's sampling steps (host/analysis/host_mobility.h: MSD plateau, Lindemann ratio, melted
 * flag), its state saved in the checkpoint ("host#K"); rank 0 writes host.json next to the diffusion's
 * summary.json at checkpoints and at the end, and prints one line at the end (a warning when melted). */
#ifndef ESNAP_REPLICA_HOST_H
#define ESNAP_REPLICA_HOST_H

#include "status.h"
#include "types.h"
#include "deck.h"
#include "run.h"

MD_EXTERN_C_BEGIN

typedef struct rhost rhost;

/* *out stays NULL (no error) when the structure has no host species with at least 2 atoms. */
md_status rhost_create(rhost **out, const md_deck *d, const md_system *sys, int nall, int nloc, const char *dir, int quiet);
void rhost_destroy(rhost **h);
void rhost_hook(rhost *h, md_analysis_hook *hk);

MD_EXTERN_C_END

#endif
