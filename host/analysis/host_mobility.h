/* host_mobility.h — is it still a crystal? The mobility of the host sublattice (in Li3N: N) over a run.
 *
 * Fed with the unwrapped positions of the n host ions at equally spaced times (the first frame is the origin),
 * the tracker keeps, in fixed memory (9n doubles + HOST_MSD_POINTS samples):
 *   MSD(t)     mean over ions of |r_i(t) − r_i(0)|² (Å²), at up to HOST_MSD_POINTS times (every 2^k-th frame
 *              once more frames came than fit)
 *   Lindemann  δ = √⟨|u|²⟩ / d_nn, u_i = r_i − ⟨r_i⟩_t (fluctuation about the time-averaged position, mean over
 *              ions), d_nn = the host's nearest-neighbour distance between the time-averaged positions (mean
 *              over ions of the distance to the nearest other host ion, minimum image, the first frame's cell)
 * A run is flagged melted (or amorphised) when δ > HOST_LINDEMANN_MAX or the host MSD at the end exceeds
 * (HOST_MSD_FRAC · d_nn)², i.e. the host ions have, on average, left their sites: in a crystal the host MSD
 * plateaus (N in eSNAP α-Li3N: 0.35 Å² at 1200 K) and δ stays near 0.1; in a melt both grow without bound
 * (23 Å² in 14 ps at 1400 K). plateau_ratio = MSD(end)/MSD(half the span) is reported too (≈ 1 on a plateau,
 * ≈ 2 for diffusion). */
#ifndef ESNAP_HOST_MOBILITY_H
#define ESNAP_HOST_MOBILITY_H

#include <stddef.h>

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

#define HOST_MSD_POINTS 128
#define HOST_LINDEMANN_MAX 0.15
#define HOST_MSD_FRAC 0.5

typedef struct host_tracker host_tracker;

typedef struct host_result {
  char species[MD_NAME_LEN];
  int n_ions;
  long frames;
  double span;                 /* ps from the first to the last frame */
  double d_nn;                 /* Å */
  double msd_end, msd_half;    /* Å² */
  double plateau_ratio;
  double lindemann;
  int melted;
} host_result;

/* n ions of the host element `species` (its name, for reports). */
md_status host_tracker_create(host_tracker **out, int n, const char *species);
void host_tracker_destroy(host_tracker **t);
/* One frame: unwrapped positions of the n ions (Å), its time (ps) and cell. */
md_status host_tracker_add(host_tracker *t, const double *x, const double *y, const double *z, double time, const md_box *box);
/* The same from a system: the atoms of type `type`, in index order. */
md_status host_tracker_add_system(host_tracker *t, const md_system *s, int type);
/* (uses the tracker's scratch space, hence not const) */
void host_tracker_result(host_tracker *t, host_result *r);
/* Pool replicas: mean of MSDs and δ; melted when any replica melted. */
void host_result_pool(const host_result *r, int n, host_result *out);
/* checkpoint blob */
size_t host_tracker_packed_size(const host_tracker *t);
md_status host_tracker_pack(const host_tracker *t, void *buf, size_t len);
md_status host_tracker_unpack(host_tracker *t, const void *buf, size_t len);
/* host.json: the pooled result, the criterion, and each replica's (n ≥ 1). */
md_status host_write_json(const char *path, const host_result *reps, int n);
/* One line for the screen: "host N: MSD ... Å², Lindemann ...: crystal" (or "MELTED ..."). */
void host_result_line(const host_result *r, char *buf, size_t n);

MD_EXTERN_C_END

#endif
