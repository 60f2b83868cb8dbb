/* analysis_skip.h — the initial span an analysis leaves out (`esnapmd analyze --skip PS`, `heatcap --skip PS`):
 * every post-hoc analysis decides frame by frame with this one rule, so all of them cut a trajectory at the
 * same frame. A deck's `equilibrate STEPS` is the same cut for the on-the-fly analyses: they begin at step
 * STEPS, i.e. at time STEPS × dt, which is the frame this rule keeps first for PS = STEPS × dt. */
#ifndef ESNAP_ANALYSIS_SKIP_H
#define ESNAP_ANALYSIS_SKIP_H

#include "status.h"

MD_EXTERN_C_BEGIN

/* 1 when a frame at `time` (ps) lies in the first skip_ps (ps) of a series whose first frame is at time_first,
 * i.e. time < time_first + skip_ps (with a relative tolerance of 1e-9 for times written with rounding); 0 when
 * it is used. skip_ps <= 0 skips nothing. */
int analysis_skip(double time, double time_first, double skip_ps);

MD_EXTERN_C_END

#endif
