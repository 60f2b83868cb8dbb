/* deck.h — the `esnapmd run` input deck: a line-oriented file, one keyword per line, '#' starts a comment.
 * Keywords may come in any order; each may appear once, except `dump` (up to DECK_MAX_DUMPS lines).
 *
 *   structure  li3n NX NY NZ [a A] [c C]         α-Li3N supercell (Å; defaults a 3.65069, c 3.888635)
 *   structure  read FILE [frame K]                LAMMPS data file or extended XYZ (told apart by content, see
 *                                                 host/io/structure.h); K: 0-based XYZ frame, -1 = last (default 0)
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
 *   dump       N FILE [species E ...] [format extxyz|lammps] [velocities yes|no] [precision P|full]
 *                                                 unwrapped positions every N steps (format from the
 *                                                 extension: .xyz/.extxyz = extxyz, else lammps); P digits
 *                                                 after the point (default 8), full = %.17g (exact doubles)
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
 *   replicas   R [seed S] [temperatures T1 ...] [only K]
 *                                                 R independent copies of the system advanced together (host/
 *                                                 replica.h): replica k draws its velocities from seed
 *                                                 replica_seed(S, k) (S: this seed, else the deck's seed) and has
 *                                                 its own thermostat; temperatures: R values, or m values with R a
 *                                                 multiple of m (consecutive groups of R/m replicas), replacing the
 *                                                 velocity and nvt temperatures; only K: run replica K alone
 *                                                 (identical to replica K of the whole set). Output files get the
 *                                                 replica index: {replica} in a name, else _rK before the extension
 *   diffusion  SPECIES every N [block B] [fit T0 T1] [dir NAME] [temperature T]
 *                                                 on-the-fly tracer and charge MSD of SPECIES every N steps
 *                                                 (app/replica_diffusion.h), written to DIR/NAME (default
 *                                                 diffusion) at checkpoints and at the end; fit window T0..T1
 *                                                 (ps, default 0.1-0.5 x run length); T: temperature for the
 *                                                 conductivity (default: the nvt target, else the mean kinetic T)
 *   sites      every N [species E] [file SITES]  on-the-fly site projection of E (default Li) onto the α-Li3N
 *                                                 Li(1)/Li(2) sites of the cell, or onto the sites of a site
 *                                                 file (host/analysis/sites.h); output <output>/sites/
 *   density    SPECIES every N [spacing D]        time-averaged density of SPECIES on a grid of spacing D (Å,
 *                                                 default 0.1); <output>/density/density_SPECIES.cube
 *   rdf        every N [bins B] [rmax R]          RDFs and coordination numbers of every element pair (B
 *                                                 default 200; R Å, default half the shortest cell width);
 *                                                 <output>/rdf/rdf.dat
 *   spectra    every N [window W]                 VACF and power spectra per element, mass-weighted total
 *                                                 (segments of W samples, default 512); <output>/spectra/
 *                                                 (app/frame_analyses.h)
 *   equilibrate STEPS                            the first STEPS steps equilibrate: dumps, on-the-fly analyses
 *                                                 (diffusion time origin, heatcap averages) begin at step STEPS and
 *                                                 sample at STEPS + k·N; thermo and checkpoints as usual
 *   heatcap                                       on-the-fly heat capacity (app/replica_heatcap.h): ⟨E⟩, Var(E)
 *                                                 and Cv at the nvt temperature in <output>/heatcap.json; a sweep
 *                                                 adds Cv(T) by central differences and Ts (<output>/heatcap/cv.json)
 *   sweep      T1 T2 ... [break auto|none|TB] [at T]
 *                                                 temperature series for `esnapmd sweep` (each T replaces the
 *                                                 velocity, nvt and diffusion temperatures; `esnapmd run`
 *                                                 refuses such a deck)
 *
 * Paths: input files (structure, model) are relative to the deck's directory; `output DIR` is relative to
 * the current working directory; output files (thermo, dump, checkpoint) are relative to DIR.
 */
#ifndef ESNAP_DECK_H
#define ESNAP_DECK_H

#include <stdint.h>

#include "backend.h"
#include "status.h"
#include "types.h"
#include "dump.h"
#include "ranges.h"

MD_EXTERN_C_BEGIN

#define DECK_MAX_DUMPS 8
#define DECK_MAX_TEMPS 64  /* temperatures of a `replicas ... temperatures` or `sweep` line */

/* Accepted ranges: values outside them are refused at parse time (deck:line), before anything runs. */
#define DECK_T_MAX 1e5            /* temperatures (K) */
#define DECK_DT_MIN 1e-6          /* timestep (ps) */
#define DECK_SKIN_MAX 10.0        /* Verlet skin (Å) */
#define DECK_COUL_ACC_MIN MD_RANGE_COUL_ACC_MIN   /* Coulomb: the model file's ranges (host/ff/ranges.h) */
#define DECK_COUL_ACC_MAX MD_RANGE_COUL_ACC_MAX
#define DECK_COUL_RCUT_MIN MD_RANGE_COUL_RCUT_MIN
#define DECK_COUL_RCUT_MAX MD_RANGE_COUL_RCUT_MAX
#define DECK_STEPS_MAX 1000000000000L /* run length (steps) */

enum deck_structure_kind { DECK_STRUCT_NONE = 0, DECK_STRUCT_LI3N = 1, DECK_STRUCT_FILE = 2 };
enum deck_file_format { DECK_FMT_AUTO = 0, DECK_FMT_LAMMPS = DUMP_FMT_LAMMPS, DECK_FMT_EXTXYZ = DUMP_FMT_EXTXYZ };
enum deck_dist { DECK_DIST_GAUSSIAN = 0, DECK_DIST_UNIFORM = 1 };


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
  dump_spec dump[DECK_MAX_DUMPS];

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

  /* replicas (host/md/replica.h) */
  int nrep;                            /* R; 0 = no replicas line: one system, file names as written */
  int has_rep_seed;
  uint64_t rep_seed;                   /* ensemble seed S given on the replicas line */
  int rep_only;                        /* -1: every replica; K: replica K alone */
  int nrep_temps;                      /* 0, or the number of temperatures given (R, or m with R % m == 0) */
  real_t rep_temps[DECK_MAX_TEMPS];    /* K */
  int replicas_line;

  /* on-the-fly diffusion (app/replica_diffusion.h) */
  int has_diffusion;
  char diff_species[MD_NAME_LEN];
  long diff_every;                     /* steps between samples */
  int diff_block;                      /* order-n block length */
  real_t diff_fit_t0, diff_fit_t1;     /* ps; t1 <= 0: default fractions of the run */
  real_t diff_temperature;             /* K; <= 0: the run's (nvt target, else the mean kinetic temperature) */
  char diff_dir[MD_PATH_LEN];          /* as given (relative to the output directory) */
  char diff_path[MD_PATH_LEN];         /* resolved */
  int diffusion_line;


  /* on-the-fly frame analyses (app/frame_analyses.h): 0 = off */
  long sites_every;
  char sites_species[MD_NAME_LEN];     /* default Li */
  char sites_file[MD_PATH_LEN];        /* resolved site file, "" = the α-Li3N lattice */
  int sites_line;
  long density_every;
  char density_species[MD_NAME_LEN];
  real_t density_spacing;              /* Å */
  int density_line;
  long rdf_every;
  int rdf_bins;
  real_t rdf_rmax;                     /* Å; 0 = half the shortest cell width */
  int rdf_line;
  long spectra_every;
  int spectra_window;                  /* samples per segment */
  int spectra_line;

  /* temperature series (esnapmd sweep) */
  int nsweep;
  real_t sweep_t[DECK_MAX_TEMPS];      /* K */
  real_t sweep_break;                  /* -1: one regime, 0: two regimes with the break chosen, > 0: given (K) */
  real_t sweep_at;                     /* extrapolation temperature (K), default 300 */
  int sweep_line;

  /* equilibration and heat capacity */
  long equil_steps;                    /* steps before dumps and analyses begin */
  int equil_line;
  int has_heatcap;
  int heatcap_line;
} md_deck;

/* Parse a deck; on error a one-line message "deck:line: ..." and no partial result worth using. */
md_status deck_read(md_deck *d, const char *path);

/* Put every output under dir (relative to the working directory; the sweep's per-temperature directories):
 * sets output_dir and re-resolves the output paths. */
md_status deck_set_output(md_deck *d, const char *dir);

/* Replica count of the set (1 without a replicas line) and the ensemble seed S (the replicas line's, else the
 * deck's seed, else 0). */
int deck_replicas(const md_deck *d);
uint64_t deck_ensemble_seed(const md_deck *d);
/* Temperature (K) replica k starts at and is thermostatted to: its `temperatures` entry, else the nvt target,
 * else the velocity temperature, else 0. */
real_t deck_replica_temperature(const md_deck *d, int k);

/* Fill backend options (integrator, safety, Coulomb) from a parsed deck; `t_ref` is the reference
 * temperature for the default temperature limit (target, velocity or initial temperature, K). */
void deck_backend_options(const md_deck *d, real_t t_ref, md_backend_options *o);

MD_EXTERN_C_END

#endif
