/* backend.h — the seam between the run loop (app/run.c) and the code that advances the systems: a struct of
 * function pointers implemented by the CPU reference backend (host/md/backend_cpu.c) and by the CUDA backend
 * (kernels/backend_gpu.h), which keeps the WHOLE step on the device.
 *
 * Design
 *  - A backend owns its copy of the state of R replicas (R independent systems with their own velocities,
 *    thermostat and random stream; R = 1 for a plain run). The run loop owns host copies (md_replica) and
 *    talks to the backend only through set_state / get_state, so the CPU and CUDA backends look the same.
 *  - run_steps(n) advances every replica by n complete MD steps (forces, velocity Verlet, NHC, reductions,
 *    safety checks) with no host traffic; the run loop calls it between output events (thermo, dump,
 *    checkpoint), then reduce_thermo / get_state copy back only what that event needs.
 *  - Reading the state (get_state) never changes it: a checkpoint may be taken at any step. What decides the
 *    next neighbour rebuild and the lists' content (the positions at the last build, MD_STATE_NBR) is part of
 *    the state, so set_state of a saved state continues with the same lists and performs exactly the same
 *    floating-point operations as the run that saved it.
 *  - Errors: every op returns md_status with a one-line message (md_error); a safety stop inside run_steps
 *    returns MD_ERR_PHYSICS naming the step and the atoms, and leaves the state of that step for inspection.
 *
 * Units: Å, ps, eV, K, g/mol (LAMMPS metal).
 */
#ifndef ESNAP_BACKEND_H
#define ESNAP_BACKEND_H

#include "math/nhc.h"
#include "math/xoshiro.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

enum md_ensemble { MD_ENS_NVE = 0, MD_ENS_NVT = 1 };

typedef struct md_integrator_params {
  int ensemble;          /* MD_ENS_NVE or MD_ENS_NVT */
  real_t dt;             /* time step (ps) */
  real_t t_start;        /* NVT target temperature at step ramp_begin (K) */
  real_t t_stop;         /* ... at step ramp_end (K); = t_start for a constant target */
  long ramp_begin;       /* steps over which the target ramps linearly (LAMMPS: the run's first/last step) */
  long ramp_end;
  real_t t_damp;         /* NHC damping time (ps), LAMMPS Tdamp */
  int chain;             /* NHC chain length (LAMMPS tchain, default 3) */
  int tloop;             /* NHC sub-cycles (LAMMPS tloop, default 1) */
  real_t drag;           /* LAMMPS drag (default 0) */
} md_integrator_params;

typedef struct md_safety_params {
  real_t t_max;          /* K: stop when the temperature exceeds this; <= 0 disables */
  real_t min_dist;       /* Å: stop when two atoms come closer than this; <= 0 disables */
  int min_dist_every;    /* steps between closest-pair checks (the other checks run every step) */
  real_t max_disp;       /* Å: stop when an atom moves further than this in one step (lost atom); <= 0 disables */
} md_safety_params;

/* Reasons a step sequence stops: the bits of the device status word (kernels/gpu_kern.h gpu_status) and the
 * checks of integ_stop_check (host/md/integrate.h). */
enum {
  KERN_STOP_LOST = 1,      /* an atom moved further than the limit in one step (or its velocity is NaN) */
  KERN_STOP_NONFINITE = 2, /* a non-finite position, velocity or force */
  KERN_STOP_TEMP = 4,      /* temperature above the limit */
  KERN_STOP_MINDIST = 8,   /* two atoms closer than the limit */
  KERN_STOP_OVERFLOW = 16, /* a neighbour list needs more than its capacity: grow and rebuild */
  KERN_STOP_FAR = 32       /* an atom is hundreds of cells away from the box (or not finite) at a rebuild */
};

typedef struct md_backend_options {
  md_integrator_params integ;
  md_safety_params safety;
  int coulomb;            /* -1: the model's method, else enum md_coulomb_method */
  real_t coulomb_accuracy;/* relative accuracy (LAMMPS kspace meaning); <= 0: the model's */
  real_t coulomb_rcut;    /* real-space cutoff (Å); <= 0: chosen */
  md_coulomb_lammps coulomb_lammps; /* LAMMPS-compatible Ewald (types.h); used when coulomb >= 0 or on */
  real_t skin;            /* neighbour-list skin (Å) */
  int quiet;              /* no parameter summary on stdout */
  /* Replica ensembles (deck `replicas`, host/md/replica.h). All zero/NULL for a single system, as before. */
  const real_t *rep_temperature; /* [nrep] NVT target of each replica (K), constant over the run, replacing
                                  * integ.t_start/t_stop; NULL: the integ values for every replica. create copies it */
  int rep_offset;         /* ensemble index of this backend's replica 0 (an MPI rank holds a block of replicas) */
  int rep_label;          /* 1: error messages start with "replica K: " (K = rep_offset + r) */
  const char *rep_noun;   /* the word before K in those messages; NULL: "replica" (the library: "structure") */
  int one_thread_per_replica; /* CPU backend: replicas advance in parallel, each on ONE OpenMP thread, so replica k
                               * follows bit for bit the trajectory of a run of that replica alone (any thread
                               * count); other backends ignore it */
} md_backend_options;

/* The state of one replica, on the host. */
typedef struct md_replica {
  md_system *sys;        /* positions (Å), image counts, velocities (Å/ps), cell, ids, types, step, time (ps) */
  real_t *fx, *fy, *fz;  /* [n] forces at the current positions (eV/Å) */
  real_t pe;             /* potential energy at the current positions (eV) */
  real_t pe_snap, pe_coul, pe_zbl; /* its components (eV) */
  real_t virial[9];      /* W_ab = Σ r_a F_b (eV), row-major */
  nhc_state nhc;         /* Nosé–Hoover chain (NVT) */
  md_rng rng;            /* this replica's random stream */
  long step0;            /* step at which time = time0; time = time0 + (step − step0) dt exactly */
  real_t time0;          /* ps */
  real_t *nbr_x0;        /* [3n] positions (Å) at the last neighbour-list build, x, y, z blocks (replica_alloc) */
  int nbr_valid;         /* 1: the lists in use were built at nbr_x0; 0: none (the next evaluation builds them) */
} md_replica;

/* What get_state / set_state move (bit mask). */
enum {
  MD_STATE_POS = 1,        /* positions and image counts */
  MD_STATE_VEL = 2,        /* velocities */
  MD_STATE_FORCE = 4,      /* forces, energy, virial */
  MD_STATE_THERMOSTAT = 8, /* NHC state */
  MD_STATE_CLOCK = 16,     /* step, time, step0, time0, RNG */
  MD_STATE_NBR = 32,       /* neighbour-list reference (nbr_x0, nbr_valid); set_state rebuilds the lists at
                            * nbr_x0 (POS without it: the lists are built afresh at the next evaluation) */
  MD_STATE_ALL = 63
};

/* Thermodynamic output of one replica at its current step (LAMMPS thermo conventions). */
typedef struct md_thermo {
  long step;
  real_t time;           /* ps */
  int natoms;
  real_t dof;            /* 3N − 3 */
  real_t temp;           /* K, LAMMPS compute temp */
  real_t ke;             /* eV, ½ dof kB T */
  real_t pe;             /* eV */
  real_t pe_snap, pe_coul, pe_zbl; /* eV */
  real_t etotal;         /* pe + ke (eV) */
  real_t e_thermostat;   /* NHC energy (eV), 0 for NVE */
  real_t econserve;      /* etotal + e_thermostat (eV), LAMMPS `econserve` */
  real_t press;          /* bar, kinetic (dof kB T) + virial, LAMMPS compute pressure */
  real_t volume;         /* Å³ */
  real_t t_target;       /* K (NVT), 0 for NVE */
} md_thermo;

/* The thermo values of one system from its sums: Σ m v² ((g/mol)(Å/ps)²), the potential energy and its
 * components (eV), the virial W (eV, row-major 3×3), the volume (Å³) and the NHC state (NULL for NVE). Both
 * backends call this; they differ only in how they reduce Σ m v², the energies and the virial. */
MD_HD void md_thermo_assemble(md_thermo *o, long step, real_t time, int natoms, real_t dof, real_t sum_mv2,
                              real_t pe, real_t pe_snap, real_t pe_coul, real_t pe_zbl, const real_t *virial,
                              real_t volume, const nhc_state *nhc) {
  o->step = step;
  o->time = time;
  o->natoms = natoms;
  o->dof = dof;
  o->temp = thermo_temperature(sum_mv2, dof);
  o->ke = thermo_kinetic_energy(o->temp, dof);
  o->pe = pe;
  o->pe_snap = pe_snap;
  o->pe_coul = pe_coul;
  o->pe_zbl = pe_zbl;
  o->etotal = pe + o->ke;
  o->e_thermostat = nhc ? nhc_energy(nhc) : 0.0;
  o->t_target = nhc ? nhc->t_target : 0.0;
  o->econserve = o->etotal + o->e_thermostat;
  o->volume = volume;
  o->press = thermo_pressure(dof, o->temp, virial, volume);
}

typedef struct md_backend md_backend;

typedef struct md_backend_ops {
  const char *name; /* "cpu", "cuda" */
  /* Allocate for nrep replicas shaped like reps[] (atom counts, types, cell); the state itself arrives with
   * set_state. The model is copied. */
  md_status (*create)(md_backend **out, const md_model *model, const md_backend_options *opt,
                      const md_replica *reps, int nrep);
  void (*destroy)(md_backend **b);
  /* Copy parts (MD_STATE_* mask) of replica r between host and backend. */
  md_status (*set_state)(md_backend *b, int r, const md_replica *src, unsigned what);
  md_status (*get_state)(md_backend *b, int r, md_replica *dst, unsigned what);
  /* Forces, energy and virial of every replica at its current positions (start of a fresh run). */
  md_status (*compute_forces)(md_backend *b);
  /* Advance every replica by n steps. */
  md_status (*run_steps)(md_backend *b, long n);
  /* Thermo values of replica r at its current step. */
  md_status (*reduce_thermo)(md_backend *b, int r, md_thermo *out);
  /* One line describing the force field setup of replica 0 (Coulomb method, grid, ...). */
  const char *(*describe)(const md_backend *b);
} md_backend_ops;

/* The CPU reference backend (host/md/backend_cpu.c). */
const md_backend_ops *md_backend_cpu(void);

MD_EXTERN_C_END

#endif
