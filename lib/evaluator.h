/* evaluator.h — the one evaluation path of the eSNAP model on a structure, on the CPU or the GPU: device
 * choice, force-field creation with the Coulomb overrides, energy/forces/virial (and bispectrum, per-atom
 * energies), the finite-energy check and the stress convention. `esnapmd eval` (app/cmd_eval.c) and the
 * library (include/esnapmd.h, lib/esnapmd_api.c) both evaluate through it.
 *
 * Structures from arrays (the library's input) become md_system here too: evaluator_system_from_arrays.
 *
 * Threads: an evaluator is used by one thread at a time (the force field holds scratch and neighbour lists);
 * separate evaluators may run concurrently. Messages go to this thread's md_errmsg (src/status.h). */
#ifndef ESNAP_EVALUATOR_H
#define ESNAP_EVALUATOR_H

#include "forcefield.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

struct md_backend_ops;

typedef struct evaluator_options {
  ff_options ff;      /* Coulomb method/accuracy/cutoff overrides, LAMMPS mode, bispectrum */
  const char *device; /* "auto" (the GPU when built with CUDA and a device is present, else the CPU), "cpu", "gpu" */
  int fresh;          /* 1: a new force field for every structure, so a result does not depend on the structures
                         evaluated before it (the library); 0: one force field for all (neighbour lists and the
                         Coulomb real-space cutoff of the first structure carried on, as in `esnapmd eval` of a
                         multi-frame file) */
  const char *who;    /* prefix of option errors, e.g. "eval: --device" */
  const struct md_backend_ops *backend; /* batches (evaluator_compute_batch): the MD backend whose replicas hold
                                           the structures; NULL: the CUDA backend on the GPU, else the CPU one */
} evaluator_options;

void evaluator_options_default(evaluator_options *o);

typedef struct md_evaluator md_evaluator;

/* The model is copied. Device "gpu" without a CUDA build or device: MD_ERR_DEVICE. With "auto", a model the
 * GPU code does not support falls back to the CPU with a note on stderr (unless ff.quiet > 1). */
md_status evaluator_create(md_evaluator **out, const md_model *m, const evaluator_options *o);
void evaluator_destroy(md_evaluator **e);
/* Evaluate s into r (sized for s->n; r->eatom, when not NULL, receives per-atom energies, eV). `where` names
 * the structure in messages. A non-finite energy is MD_ERR_PHYSICS. */
md_status evaluator_compute(md_evaluator *e, const md_system *s, ff_result *r, const char *where);
/* Energies, forces and virials of nsys structures in one call through the replicas of an MD backend
 * (src/backend.h), the machinery of `esnapmd run`'s replica ensembles: on the GPU every structure of the batch
 * is evaluated in the same kernel launches (sizes and cells may differ; systems with the same PME mesh share
 * one batched FFT); on the CPU one after the other, each with the evaluator's OpenMP threads, which gives
 * the same bits as evaluator_compute of each structure with fresh = 1. res[k] is sized for sys[k]->n; per-atom
 * energies and the bispectrum are not computed here (use evaluator_compute). A failure names "NOUN K" (K = first +
 * the structure's index in the batch), e.g. "structure 3" (the library) or "frame 12" (`esnapmd eval --batch`). */
md_status evaluator_compute_batch(md_evaluator *e, md_system *const *sys, int nsys, ff_result *res, const char *noun,
                                  int first);
/* "cpu" or "gpu: DEVICE NAME". */
const char *evaluator_device(const md_evaluator *e);
/* One line describing the Coulomb parameters of the last evaluation. */
const char *evaluator_describe(const md_evaluator *e);
/* Bispectrum components per atom (0 without SNAP or without ff.bispectrum). */
int evaluator_nbispectrum(const md_evaluator *e);

/* Stress (eV/Å^3, row-major 3x3) = −W/V, ASE's sign: positive under tension. */
void evaluator_stress(const md_system *s, const ff_result *r, real_t stress[9]);

/* A system of n atoms from arrays, mapped to the model's elements and checked as structure files are
 * (structure_check: finite positions, no atom closer than 0.1 Å to another or to its own image):
 *   pos[3n] (Å), cell[9] (rows = cell vectors, Å), pbc[3] (nonzero = periodic; NULL = all periodic);
 *   species: numbers[n] (atomic numbers) or symbols[n] (element symbols), exactly one of them non-NULL.
 * Non-periodic directions are MD_ERR_UNSUPPORTED (the Coulomb sums are periodic). `where` names the structure. */
md_status evaluator_system_from_arrays(md_system **out, const md_model *m, int n, const real_t *pos, const real_t *cell,
                                       const int *pbc, const int *numbers, const char *const *symbols, const char *where);

MD_EXTERN_C_END

#endif
