/* structure.h — read atomic structures for esnapmd from extended XYZ (every frame) or LAMMPS data files,
 * mapped to the model's elements and checked.
 *
 * The format is decided by content: a first line holding only an integer is extended XYZ; otherwise a file
 * named *.xyz / *.extxyz is read as XYZ (its reader then reports what is wrong) and anything else as a LAMMPS
 * data file (io_lammps_data.h, which says how numeric types are mapped to elements).
 *
 * Every structure returned has passed structure_check: at least one atom, finite coordinates, elements of
 * the model, and no two atoms closer than min_distance (0.1 Å by default) under periodic boundaries. A
 * failure is one line naming the file (and for XYZ the line of the frame's atom count) and the atom ids.
 */
#ifndef ESNAP_STRUCTURE_H
#define ESNAP_STRUCTURE_H

#include "status.h"
#include "types.h"
#include "io_lammps_data.h"
#include "io_xyz.h"

MD_EXTERN_C_BEGIN

enum structure_format { STRUCT_XYZ = 1, STRUCT_LAMMPS_DATA = 2 };

typedef struct structure_options {
  lmp_read_options lammps; /* type -> element for LAMMPS data files (default: automatic) */
  real_t min_distance;     /* Å: closer atoms are an error (default 0.1; <= 0 disables the check) */
} structure_options;

void structure_options_default(structure_options *o);

typedef struct structure_reader structure_reader;

/* Open a structure file; o may be NULL (defaults). */
md_status structure_open(structure_reader **r, const char *path, const md_model *m, const structure_options *o);
/* The next structure (a new system owned by the caller), or *eof = 1 (and *out NULL) after the last one. */
md_status structure_next(structure_reader *r, md_system **out, int *eof);
/* STRUCT_XYZ or STRUCT_LAMMPS_DATA. */
int structure_format(const structure_reader *r);
/* 0-based index of the structure last returned. */
int structure_index(const structure_reader *r);
/* "file:line" of the structure last returned (XYZ: the frame's atom-count line; data file: the file). */
const char *structure_where(const structure_reader *r);
/* The XYZ frame last read (its key=value pairs and extra columns; its system has been handed out), or NULL
 * for a LAMMPS data file. */
const xyz_frame *structure_frame(const structure_reader *r);
void structure_close(structure_reader **r);

/* Read one structure: frame k (0-based) of an XYZ file, or -1 for the last; a data file has one frame (0). */
md_status structure_read(md_system **out, const char *path, const md_model *m, int frame);

/* The checks listed above, for any system; `where` names it in messages. */
md_status structure_check(const md_system *s, const md_model *m, const char *where, real_t min_distance);

MD_EXTERN_C_END

#endif
