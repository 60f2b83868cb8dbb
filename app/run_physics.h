/* run_physics.h — the physics a checkpoint records (its PHYS section, host/io/checkpoint.h) and a continuation
 * must share: the Coulomb method, accuracy, real-space cutoff and LAMMPS mode in effect (deck over model file),
 * the neighbour skin, the elements, masses and charges, the SNAP parameters and a fingerprint of its
 * coefficients, the ZBL parameters, and the thermostat (ensemble, target temperatures and ramp, damping, loops).
 * `esnapmd run --restart` refuses a deck or model that changes any of them unless --allow-changes is given. */
#ifndef ESNAP_RUN_PHYSICS_H
#define ESNAP_RUN_PHYSICS_H

#include <stdio.h>

#include "backend.h"
#include "checkpoint.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

/* The record of model m as a run with backend options opt evaluates it. */
md_status run_physics_record(const md_model *m, const md_backend_options *opt, ckpt_physics *out);

/* Compare the record of checkpoint `path` (saved; n = 0: an earlier version recorded none) with the run's (now):
 * MD_OK when they agree; otherwise a one-line MD_ERR_VALUE naming every changed item with its old and new
 * value, or, with allow, that line as a warning on `warn` (NULL: none) and MD_OK. */
md_status run_physics_check(const ckpt_physics *saved, const ckpt_physics *now, const char *path, int allow, FILE *warn);

MD_EXTERN_C_END

#endif
