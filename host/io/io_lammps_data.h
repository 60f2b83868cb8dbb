/* io_lammps_data.h — read LAMMPS data files (atom_style atomic or charge) into md_system.
 *
 * Accepted layout (LAMMPS `read_data`):
 *  - line 1 is a title; then header lines `N atoms`, `N atom types`, `xlo xhi`, `ylo yhi`, `zlo zhi`,
 *    `xy xz yz` (any tilt; a = (lx,0,0), b = (xy,ly,0), c = (xz,yz,lz)), or the general-triclinic
 *    `ax ay az avec` / `bvec` / `cvec` / `ox oy oz abc origin`. Topology counts (bonds, angles, ...) must be 0.
 *  - sections `Masses`, `Atoms` (style from the `# charge` / `# atomic` comment, else from the column count:
 *    `id type x y z [ix iy iz]` = atomic, `id type q x y z [ix iy iz]` = charge), `Velocities` (`id vx vy vz`,
 *    Å/ps in metal units) and `Atom Type Labels`; coefficient sections (Pair Coeffs, PairIJ Coeffs, Bond Coeffs,
 *    ...) are skipped; topology sections (Bonds, Angles, ...) are rejected.
 *  - positions are taken relative to the box origin (xlo, ylo, zlo): atom position = file position − origin.
 *    They are not wrapped; image flags go to md_system ix/iy/iz.
 *  - atoms keep the file's order and ids (md_system id[]); ids must be positive and unique.
 *
 * Element of each LAMMPS type, in order of precedence:
 *   1. the caller's list (opt->type_elem, e.g. `--types Li,N`);
 *   2. the `Atom Type Labels` section when the label is an element symbol;
 *   3. a comment after the mass naming an element: `1 6.941 # Li`;
 *   4. the mass, when it matches exactly one of the model's masses within 0.01 g/mol;
 *   5. the type number: type t is the model's t-th element.
 * An element the model does not have, or a type that none of these rules maps, is an error (only for types
 * that atoms use). The model's masses and per-element charges are what the force field uses: charges or
 * masses in the file that differ from the model's (by > 1e-6 e, > 0.01 g/mol) give one warning on stderr.
 *
 * Every error is one line naming file:line of the bad input (md_error).
 */
#ifndef ESNAP_IO_LAMMPS_DATA_H
#define ESNAP_IO_LAMMPS_DATA_H

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

#define LMP_MAX_TYPES 64 /* atom types in a data file */

enum lmp_type_source { LMP_MAP_NONE = 0, LMP_MAP_OPTION, LMP_MAP_LABEL, LMP_MAP_COMMENT, LMP_MAP_MASS, LMP_MAP_ORDER };

typedef struct lmp_read_options {
  int ntype_elem;                                 /* 0: map types automatically */
  char type_elem[LMP_MAX_TYPES][MD_NAME_LEN];     /* element of type t+1 */
  int quiet;                                      /* no warnings on stderr */
} lmp_read_options;

/* What the reader found (optional output). */
typedef struct lmp_data_info {
  int atom_style;                   /* 0 atomic, 1 charge */
  int ntypes;                       /* atom types declared in the header */
  int type_elem[LMP_MAX_TYPES];     /* model element index of type t+1 (-1: unmapped, unused) */
  int type_source[LMP_MAX_TYPES];   /* enum lmp_type_source: which rule mapped it */
  real_t max_charge_diff;           /* max |q_file − q_model| (e); 0 for atom_style atomic */
  real_t max_mass_diff;             /* max |m_file − m_model| over used types (g/mol); 0 without Masses */
} lmp_data_info;

void lmp_read_options_default(lmp_read_options *o);
/* Parse "Li,N" (or "Li N") into o->type_elem; MD_ERR_VALUE on a bad list. */
md_status lmp_parse_type_list(lmp_read_options *o, const char *list);

/* Read a data file; types are indices into the model's element list (s->elem = model elements). opt and info
 * may be NULL. */
md_status lammps_data_read(md_system **out, const char *path, const md_model *m, const lmp_read_options *opt,
                           lmp_data_info *info);

/* 1 when `sym` is a chemical element symbol (H .. Og, exact capitalisation). */
int io_is_element_symbol(const char *sym);
/* Symbol of the element with atomic number z (1 = "H" … 118 = "Og"), or NULL outside that range. */
const char *io_element_symbol(int z);

MD_EXTERN_C_END

#endif
