/* replica_heatcap.h — on-the-fly heat capacity of an MD run (deck `heatcap`): one energy accumulator
 * (host/analysis/heatcap.h) per replica, fed with the total energy E = KE + PE at every thermo step from the end
 * of the equilibration (deck `equilibrate STEPS`) on; its state is saved in the checkpoint (one blob per replica,
 * "heatcap#K"), so a continued run resumes it exactly. At every checkpoint and at the end of the run rank 0
 * writes <output>/heatcap.json (host/analysis/heatcap_io.h): ⟨E⟩ and Var(E) with block-averaging errors and the
 * fluctuation Cv at the nvt target temperature, replicas pooled. `esnapmd heatcap <output>` computes the same
 * from the thermo files (--skip = the equilibration span). */
#ifndef ESNAP_REPLICA_HEATCAP_H
#define ESNAP_REPLICA_HEATCAP_H

#include "status.h"
#include "types.h"
#include "deck.h"
#include "run.h"

MD_EXTERN_C_BEGIN

typedef struct rheat rheat;

/* For the run of deck d (natoms atoms): nall replicas in the run, this rank holding nloc of them (contiguous
 * blocks in rank order); results to path. */
md_status rheat_create(rheat **out, const md_deck *d, int natoms, int nall, int nloc, const char *path);
void rheat_destroy(rheat **h);
/* The analysis hook (name "heatcap": thermo callback, per-replica save/load, collective report). */
void rheat_hook(rheat *h, md_analysis_hook *hk);

MD_EXTERN_C_END

#endif
