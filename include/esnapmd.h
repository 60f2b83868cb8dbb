/* esnapmd.h — the C API of libesnapmd: the eSNAP potential (SNAP + screened Coulomb + ZBL) evaluated on
 * periodic structures — energy, forces, virial/stress and per-atom energies, one structure or a batch.
 *
 * Units (LAMMPS metal): positions and cell Å, energies eV, forces eV/Å, virial eV, stress eV/Å^3.
 *
 *   esnap_model *m = NULL;
 *   esnap_options o;
 *   esnap_options_default(&o);              // the model file's Coulomb method, device "auto"
 *   if (esnap_model_load("li3n_esnap.model", &o, &m) != ESNAP_OK) {
 *     fprintf(stderr, "%s\n", esnap_last_error(m)); esnap_model_free(&m); return 1;  // m holds the message
 *   }
 *   esnap_structure s = {n, pos, cell, pbc, numbers, NULL};
 *   double e, f[3 * n], stress[6];
 *   esnap_result r = {&e, f, NULL, stress, NULL};
 *   if (esnap_evaluate(m, &s, &r) != ESNAP_OK) fprintf(stderr, "%s\n", esnap_last_error(m));
 *   esnap_model_free(&m);
 *
 * Conventions
 *  - cell[9]: the cell vectors a, b, c as ROWS (cell[0..2] = a), any orientation (general triclinic);
 *    positions[3n]: x0 y0 z0 x1 ... (Å), need not be inside the cell.
 *  - Species: numbers[n] (atomic numbers, e.g. 3 and 7 for Li and N) or symbols[n] ("Li", "N"); exactly one.
 *  - pbc[3]: only fully periodic cells are supported (the Coulomb sums are periodic): a zero entry is
 *    ESNAP_ERR_UNSUPPORTED. NULL = periodic. A cell smaller than twice a cutoff is fine: every periodic image
 *    within the cutoffs is included (an atom may see several images of another atom and of itself).
 *  - virial[9] W_ab = Σ r_a F_b (eV), row-major; stress[6] = −W/V in Voigt order xx yy zz yz xz xy (ASE's sign
 *    and order: positive under tension).
 *  - Each result is independent of the structures evaluated before it (a fresh force field per structure).
 *  - Bad input (NaN position, unknown element, atoms closer than 0.1 Å, degenerate cell, NULL pointers) is a
 *    status code and a one-line message; the library never exits and never prints except a note on stderr
 *    when device "auto" falls back from the GPU to the CPU.
 *
 * Status codes are those of the esnapmd program (ESNAP_OK = 0); esnap_last_error(m) is the message of the
 * last failed call on m ("" after a successful one), esnap_status_name the code's name. A failed
 * esnap_model_load still returns a handle (unless out of memory) that holds the message: free it.
 *
 * Threads: a handle is used by one thread at a time (it owns the force field's scratch and its message); use
 * one handle per thread to evaluate concurrently. Evaluation uses OpenMP threads inside (OMP_NUM_THREADS).
 *
 * Batches and the GPU: esnap_evaluate_batch evaluates structures of any sizes and cells in one call, as the
 * replicas of one MD backend (the machinery of `esnapmd run`'s replica ensembles): with device "gpu" every
 * structure of the batch is evaluated in the same kernel launches (structures with the same PME mesh share one
 * batched FFT), which is what makes NEB images and phonon displacements cheap; on the CPU the structures run one
 * after another, each with all OpenMP threads, and give the same bits as esnap_evaluate of each. Per-atom
 * energies are computed on the CPU only (device "gpu": ESNAP_ERR_UNSUPPORTED); a batch in which any result asks
 * for them is evaluated one structure after another.
 */
#ifndef ESNAPMD_H
#define ESNAPMD_H

#ifdef __cplusplus
extern "C" {
#endif

#define ESNAPMD_API_VERSION 1

typedef enum esnap_status {
  ESNAP_OK = 0,
  ESNAP_ERR_IO = 1,          /* model file missing or unreadable */
  ESNAP_ERR_PARSE = 2,       /* malformed model file */
  ESNAP_ERR_VALUE = 3,       /* invalid value: NaN, unknown element, overlapping atoms, bad option, NULL pointer */
  ESNAP_ERR_UNSUPPORTED = 4, /* valid but not implemented (non-periodic cell, per-atom energies on the GPU) */
  ESNAP_ERR_MEMORY = 5,      /* allocation failed */
  ESNAP_ERR_PHYSICS = 6,     /* the energy is not finite */
  ESNAP_ERR_DEVICE = 7,      /* CUDA failure, or device "gpu" without a CUDA build or device */
  ESNAP_ERR_MPI = 8,
  ESNAP_ERR_INTERNAL = 9     /* a bug */
} esnap_status;

enum esnap_coulomb { ESNAP_COULOMB_MODEL = -1, ESNAP_COULOMB_NONE = 0, ESNAP_COULOMB_EWALD = 1, ESNAP_COULOMB_PME = 2 };

typedef struct esnap_options {
  int coulomb;         /* enum esnap_coulomb; ESNAP_COULOMB_MODEL (default): the model file's method */
  double accuracy;     /* Coulomb relative force accuracy (LAMMPS kspace meaning); <= 0: the model's */
  double rcut;         /* Coulomb real-space cutoff (Å); <= 0: the model's, else chosen from the accuracy */
  const char *device;  /* "auto" (default: the GPU when built with CUDA and one is present), "cpu" or "gpu" */
} esnap_options;

typedef struct esnap_model esnap_model; /* opaque: the model, its options and the force field */

/* One structure (arrays owned by the caller). */
typedef struct esnap_structure {
  int n;                       /* atoms, >= 1 */
  const double *positions;     /* [3n] Å */
  const double *cell;          /* [9] rows a, b, c (Å) */
  const int *pbc;              /* [3] nonzero = periodic; NULL = all periodic */
  const int *numbers;          /* [n] atomic numbers, or NULL when symbols are given */
  const char *const *symbols;  /* [n] element symbols, or NULL when numbers are given */
} esnap_structure;

/* Outputs, caller-allocated; NULL = not wanted. */
typedef struct esnap_result {
  double *energy;   /* [1] total potential energy (eV) */
  double *forces;   /* [3n] eV/Å */
  double *virial;   /* [9] W = Σ r ⊗ F (eV), row-major */
  double *stress;   /* [6] −W/V (eV/Å^3), Voigt xx yy zz yz xz xy */
  double *energies; /* [n] per-atom energies (eV), summing to energy */
} esnap_result;

void esnap_options_default(esnap_options *o);
/* Load a model file (path NULL: the bundled Li3N eSNAP model of the build, or $ESNAPMD_MODEL); options NULL =
 * defaults. *out receives the handle, also on failure when memory allows (it holds the message). */
esnap_status esnap_model_load(const char *path, const esnap_options *options, esnap_model **out);
/* Free the handle and null the pointer (NULL is fine). */
void esnap_model_free(esnap_model **m);
/* The model's elements (count; symbol k, or NULL out of range). */
int esnap_model_nelements(const esnap_model *m);
const char *esnap_model_element(const esnap_model *m, int k);
/* "cpu" or "gpu: NAME" — where evaluations run. */
const char *esnap_model_device(const esnap_model *m);

/* Evaluate one structure. */
esnap_status esnap_evaluate(esnap_model *m, const esnap_structure *s, esnap_result *r);
/* Evaluate nstruct structures (sizes and cells may differ) into results[k]. Stops at the first failure; its
 * message names the structure index ("structure 3: ..."). */
esnap_status esnap_evaluate_batch(esnap_model *m, int nstruct, const esnap_structure *structures, esnap_result *results);

/* Message of the last failed call on m ("" when it succeeded); m NULL: the message of a failed load that could
 * not allocate a handle, on this thread. */
const char *esnap_last_error(const esnap_model *m);
const char *esnap_status_name(esnap_status s);
/* "esnapmd VERSION (COMMIT)". */
const char *esnap_version(void);

#ifdef __cplusplus
}
#endif

#endif
