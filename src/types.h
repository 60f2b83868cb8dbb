/* types.h — the data every backend shares: real_t, the simulation cell, the atoms (structure of arrays) and
 * the model parameters. Valid C11 and C++ (Catch2 tests and .cu files include it).
 *
 * Conventions
 *  - Units are LAMMPS `metal`: Å, eV, ps, g/mol, K, e. Each field says its unit.
 *  - The cell is a general triclinic matrix H whose ROWS are the cell vectors a, b, c. A position r (row
 *    vector) has fractional coordinates s = r · H⁻¹ and r = s · H. Any orientation is allowed.
 *  - Atom arrays are structures of arrays; atom i of a system is x[i], y[i], z[i].
 *  - type[i] is the index of atom i's element in the model's element list (0-based).
 *  - The virial is W_ab = Σ_pairs r_ab F_b (eV); with zero velocities P·V = (W_xx+W_yy+W_zz)/3, as in ASE
 *    and LAMMPS. Stored row-major as 9 numbers.
 */
#ifndef ESNAP_TYPES_H
#define ESNAP_TYPES_H

#include "md_hd.h"

MD_EXTERN_C_BEGIN

typedef double real_t;

#define MD_MAX_ELEM 8   /* elements per model */
#define MD_NAME_LEN 8   /* element symbol buffer, e.g. "Li" */
#define MD_PATH_LEN 1024
#define MD_SNAP_MAX_TWOJ 14     /* largest twojmax supported */
#define MD_SNAP_MAX_COEFF 256   /* β per element incl. β0: 205 at twojmax 14 */

/* The simulation cell. Fill h[] and call box_update() (host/md/box.h) to derive the rest. */
typedef struct md_box {
  real_t h[9];      /* rows a = h[0..2], b = h[3..5], c = h[6..8] (Å) */
  real_t hinv[9];   /* H⁻¹, so that s_k = Σ_d r_d hinv[3d+k] */
  real_t volume;    /* |det H| (Å³) */
  real_t width[3];  /* distance between opposite faces normal to (b×c, c×a, a×b) (Å) */
} md_box;

/* A configuration: one system of n atoms. Arrays are owned (system_create/system_destroy). */
typedef struct md_system {
  int n;                          /* atoms */
  int nelem;                      /* element types known to this system */
  char elem[MD_MAX_ELEM][MD_NAME_LEN]; /* element symbols, index = type */
  md_box box;
  int *type;                      /* [n] element index */
  int *id;                        /* [n] atom id (1-based, from the file when it has them) */
  real_t *x, *y, *z;              /* [n] positions (Å) */
  int *ix, *iy, *iz;              /* [n] image counts: unwrapped r = r + ix a + iy b + iz c */
  real_t *vx, *vy, *vz;           /* [n] velocities (Å/ps); zero when the input had none */
  int has_velocities;             /* the input carried velocities */
  long step;                      /* MD step the configuration belongs to (0 if unknown) */
  real_t time;                    /* simulation time (ps) */
} md_system;

/* SNAP parameters, as in LAMMPS .snapparam/.snapcoeff (linear SNAP). */
typedef struct snap_params {
  int nelem;                            /* elements in the coefficient file */
  char elem[MD_MAX_ELEM][MD_NAME_LEN];  /* their symbols */
  real_t radius[MD_MAX_ELEM];           /* R_α: pair cutoff r_ij = rcutfac (R_i + R_j) (Å / rcutfac) */
  real_t weight[MD_MAX_ELEM];           /* neighbour weight w_α (dimensionless) */
  int ncoeff;                           /* coefficients per element, including β0 (= 1 + number of B_k) */
  real_t beta[MD_MAX_ELEM * MD_SNAP_MAX_COEFF];        /* [elem*ncoeff + k], k = 0 is the constant (eV, eV per unit B) */
  real_t rcutfac;                       /* cutoff scale */
  real_t rfac0;                         /* θ0 scale (dimensionless) */
  real_t rmin0;                         /* inner distance of the θ0 map (Å) */
  int twojmax;                          /* 2 J_max */
  int switchflag;                       /* 1: cosine switching function f_c */
  int bzeroflag;                        /* 1: subtract B of an isolated atom */
  int wselfallflag;                     /* self weight on every element (only matters with chemflag) */
  char source[MD_PATH_LEN];             /* coefficient file, for messages */
} snap_params;

enum md_coulomb_method { MD_COUL_NONE = 0, MD_COUL_EWALD = 1, MD_COUL_PME = 2 };

/* `coulomb ewald ACC rcut R lammps [table N] [tabinner R] [tabsqrt float|double]`: evaluate the Ewald sum exactly as LAMMPS's
 * pair_style coul/long + kspace_style ewald does (its g_ewald and k-vector rules, its bitmapped erfc table and
 * polynomial erfc; host/ff/coulomb.h), for comparisons with LAMMPS runs. All zero = off. */
typedef struct md_coulomb_lammps {
  int on;               /* 1: LAMMPS conventions */
  int table_bits;       /* LAMMPS pair_modify table N (default 12; 0 = polynomial erfc for every pair) */
  real_t tabinner;      /* LAMMPS pair_modify tabinner (Å, default √2): polynomial erfc at and below it */
  int tabsqrt_float;    /* 1: r at the table edges from the float sqrtf(r²), as LAMMPS 2022-01-06 (the shared
                           references); 0 (default): double sqrt, as LAMMPS 22 Jul 2025 */
} md_coulomb_lammps;

/* The whole model: SNAP + point charges with Ewald/PME + ZBL, per-element masses. */
typedef struct md_model {
  int nelem;
  char elem[MD_MAX_ELEM][MD_NAME_LEN];
  real_t mass[MD_MAX_ELEM];     /* g/mol */
  real_t charge[MD_MAX_ELEM];   /* e (the model's screening γ folded in) */
  int has_snap;
  snap_params snap;             /* elements reordered to match elem[] */
  int has_zbl;
  real_t zbl_z[MD_MAX_ELEM];    /* nuclear charge Z */
  real_t zbl_inner, zbl_outer;  /* switching region (Å) */
  int coulomb;                  /* enum md_coulomb_method */
  real_t coulomb_accuracy;      /* relative force accuracy, LAMMPS kspace meaning */
  real_t coulomb_rcut;          /* real-space cutoff (Å); 0 = choose */
  md_coulomb_lammps coulomb_lammps; /* LAMMPS-compatible evaluation (Ewald only) */
  char path[MD_PATH_LEN];       /* model file, for messages */
} md_model;

MD_EXTERN_C_END

#endif
