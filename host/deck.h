/* deck.h — the `esnapmd run` input deck: a line-oriented file, one keyword per line, '#' starts a comment.
 * Keywords may come in any order; each may appear once, except `dump` (up to DECK_MAX_DUMPS lines).
 *
 *   structure  li3n NX NY NZ [a A] [c C]         α-Li3N supercell (Å; defaults a 3.65069, c 3.888635)
 *   structure  read FILE [frame K]                LAMMPS data file or extended XYZ (told apart by content, see
 *                                                 host/structure.h); K: 0-based XYZ frame, -1 = last (default 0)
 *   model      FILE                               default: the bundled Li3N eSNAP model
 *   coulomb    pme ACC | ewald ACC | none [rcut R]   override the model's Coulomb method (ACC: LAMMPS kspace
 *                                                 relative accuracy; R: real-space cutoff, Å)
 *   coulomb    ewald ACC rcut R lammps [table N] [tabinner R2] [tabsqrt float|double]
 *                                                 evaluate as LAMMPS coul/long + kspace_style ewald (its
 *                                                 g_ewald, k-vectors, 2^N-row erfc table, default 12; R2 Å,
 *                                                 default √2; tabsqrt float for LAMMPS 2022 and older,
 *                                                 double for 2025, the default), to compare with LAMMPS runs
 *   neighbor   SKIN                               Verlet skin (Å), default 1.0
 *   timestep   DT                                 ps, default 0.001
 *   seed       S                                  default random seed (positive integer)
 *   velocity   T [seed S] [dist gaussian|uniform] [mom yes|no]
 *                                                 new velocities at exactly T (K), zero net momentum (mom yes,
 *                                                 default); without this line velocities come from the
 *                                                 structure file, else zero
 *   ensemble   nve | nvt T DAMP [tstop T2] [chain M] [tloop L] [drag D]
 *                                                 NVT: Nosé–Hoover chain of LAMMPS fix nvt (K, ps); the target
 *                                                 ramps linearly from T to T2 over the run when tstop is given
 *   thermo     N [file NAME|none]                 every N steps; default 100, file thermo.dat
 *   dump       N FILE [species E ...] [format extxyz|lammps] [velocities yes|no]
 *                                                 unwrapped positions every N steps (format from the
 *                                                 extension: .xyz/.extxyz = extxyz, else lammps)
 *   checkpoint N FILE                             every N steps and at the end
 *   safety     [tmax T] [mindist D] [maxdisp D] [every N]
 *                                                 stop limits: temperature (K, default max(10 × target, 3000)),
 *                                                 closest pair (Å, default 0.5, checked every N = 10 steps),
 *                                                 displacement in one step (Å, default 1.0)
 *   progress   SECONDS                            wall time between progress lines on the screen (default 10,
 *                                                 0 = never)
 *   output     DIR                                directory for every output file (default: the current
 *                                                 directory)
 *   run        N                                  total number of steps (a restart continues to N)
 *
 * Paths: input files (structure, model) are relative to the deck's directory; `output DIR` is relative to
 * the current working directory; output files (thermo, dump, checkpoint) are relative to DIR.
 */
#ifndef ESNAP_DECK_H
#define ESNAP_DECK_H

#include <stdint.h>

#include "../src/backend.h"
#include "../src/status.h"
#include "../src/types.h"

MD_EXTERN_C_BEGIN

#define DECK_MAX_DUMPS 8

enum deck_structure_kind { DECK_STRUCT_NONE = 0, DECK_STRUCT_LI3N = 1, DECK_STRUCT_FILE = 2 };
enum deck_file_format { DECK_FMT_AUTO = 0, DECK_FMT_LAMMPS = 1, DECK_FMT_EXTXYZ = 2 };
enum deck_dist { DECK_DIST_GAUSSIAN = 0, DECK_DIST_UNIFORM = 1 };

typedef struct deck_dump {
  long every;                          /* steps */
  char file[MD_PATH_LEN];              /* as written in the deck (relative to the output directory) */
  char path[MD_PATH_LEN];              /* resolved */
  int format;                          /* DECK_FMT_EXTXYZ or DECK_FMT_LAMMPS */
  int velocities;                      /* also write velocities */
  int nspecies;                        /* 0: all atoms */
  char species[MD_MAX_ELEM][MD_NAME_LEN];
  int line;
} deck_dump;

typedef struct md_deck {
  char path[MD_PATH_LEN];              /* the deck file */
  char dir[MD_PATH_LEN];               /* its directory (inputs are relative to it) */

  int structure;                       /* enum deck_structure_kind */
  int cells[3];                        /* li3n supercell */
  real_t lattice_a, lattice_c;         /* Å */
  char structure_file[MD_PATH_LEN];    /* resolved path */
  int structure_frame;                 /* XYZ frame (0-based, -1 = last) */
  int structure_line;

  char model[MD_PATH_LEN];             /* resolved path */
  int coulomb;                         /* -1: the model's; else enum md_coulomb_method */
  real_t coulomb_accuracy;             /* <= 0: default of the method */
  real_t coulomb_rcut;                 /* <= 0: chosen */
  md_coulomb_lammps coulomb_lammps;    /* `lammps [table N] [tabinner R]` after ewald ACC */
  real_t skin;                         /* Å */

  real_t dt;                           /* ps */
  int has_seed;
  uint64_t seed;
  int has_velocity;
  real_t velocity_t;                   /* K */
  int velocity_dist;                   /* enum deck_dist */
  int velocity_mom;                    /* zero the net momentum */

  int ensemble;                        /* MD_ENS_NVE / MD_ENS_NVT */
  real_t t_start, t_stop, t_damp, drag;/* K, K, ps, - */
  int chain, tloop;

  long thermo_every;
  char thermo_file[MD_PATH_LEN];       /* "" = none; relative to the output directory */
  char thermo_path[MD_PATH_LEN];       /* resolved */

  int ndump;
  deck_dump dump[DECK_MAX_DUMPS];

  long checkpoint_every;               /* 0 = no checkpoints */
  char checkpoint_file[MD_PATH_LEN];
  char checkpoint_path[MD_PATH_LEN];

  real_t safety_tmax;                  /* K; < 0: the default rule, 0: no limit */
  real_t safety_mindist;               /* Å */
  real_t safety_maxdisp;               /* Å */
  int safety_every;
  real_t progress_seconds;

  char output_dir[MD_PATH_LEN];        /* as given (relative to the working directory) */
  long nsteps;
  int run_line;
} md_deck;

/* Parse a deck; on error a one-line message "deck:line: ..." and no partial result worth using. */
md_status deck_read(md_deck *d, const char *path);

/* Fill backend options (integrator, safety, Coulomb) from a parsed deck; `t_ref` is the reference
 * temperature for the default temperature limit (target, velocity or initial temperature, K). */
void deck_backend_options(const md_deck *d, real_t t_ref, md_backend_options *o);

MD_EXTERN_C_END

#endif
