/* io_dump.h — trajectory readers for analysis: LAMMPS text dumps (plain or gzip-compressed, read through
 * zlib) and, through one interface (traj_*), our extended XYZ trajectories.
 *
 * LAMMPS `dump custom` / `dump atom`: ITEM: TIMESTEP, optional ITEM: TIME / UNITS, NUMBER OF ATOMS,
 * BOX BOUNDS (orthogonal, `xy xz yz` triclinic, or `abc origin` general triclinic), ATOMS with columns
 *   id, type and/or element, and positions as any of:
 *   xu yu zu (unwrapped) | xsu ysu zsu (scaled unwrapped) | x y z + ix iy iz | xs ys zs + ix iy iz (images
 *   applied) | x y z | xs ys zs (wrapped: unwrapped by minimum image between consecutive frames, which
 *   assumes no atom moves more than half a cell width between frames).
 * Atoms may come in any order; frames are sorted by id. Every frame must hold the same atoms.
 */
#ifndef ESNAP_IO_DUMP_H
#define ESNAP_IO_DUMP_H

#include <stdint.h>

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

enum { DUMP_UNWRAPPED = 0, DUMP_WRAPPED = 1 };

typedef struct dump_frame {
  int n;                 /* atoms */
  long long step;        /* ITEM: TIMESTEP */
  int has_time;          /* ITEM: TIME present */
  double time;           /* ps, from ITEM: TIME */
  md_box box;
  double origin[3];      /* cell origin (Å) */
  int has_id, has_type, has_element;
  int coords;            /* DUMP_UNWRAPPED or DUMP_WRAPPED */
  int64_t *id;           /* [n] (1..n when no id column) */
  int *type;             /* [n] LAMMPS type (0 when no type column) */
  char (*element)[MD_NAME_LEN]; /* [n] element column, or NULL */
  double *x, *y, *z;     /* [n] positions (Å), in file order */
  int has_velocities;    /* vx vy vz columns present */
  double *vx, *vy, *vz;  /* [n] velocities (Å/ps), when present */
  int line;              /* line of ITEM: TIMESTEP (1-based) */
  int cap;               /* allocated atoms */
} dump_frame;

typedef struct dump_reader dump_reader;

md_status dump_open(dump_reader **r, const char *path);
/* Next frame into f (arrays reused). *eof = 1 at a clean end of file. */
md_status dump_read_frame(dump_reader *r, dump_frame *f, int *eof);
void dump_close(dump_reader **r);
void dump_frame_free(dump_frame *f);

/* ---- trajectory of one species, for analysis ------------------------------------------------------------ */

typedef struct traj_options {
  const char *species;     /* species to select ("Li") */
  const char *types;       /* LAMMPS type names "Li,N" (type k = k-th name); NULL = "Li,N" with a note */
  double timestep;         /* ps per MD step, frame time = TIMESTEP × timestep (0 = not given) */
  double frame_interval;   /* ps between frames, frame k at k × interval (0 = not given) */
  int unwrap;              /* extended XYZ: positions are wrapped, unwrap by minimum image */
  int all;                 /* every atom instead of `species`; types and velocities in the frame */
} traj_options;

typedef struct traj_frame {
  int n;                   /* selected atoms */
  double *x, *y, *z;       /* [n] unwrapped positions (Å), same atom order every frame */
  /* with traj_options.all: */
  int *type;               /* [n] index into elem */
  int nelem;
  char elem[MD_MAX_ELEM][MD_NAME_LEN]; /* element names in order of first appearance */
  int has_velocities;
  double *vx, *vy, *vz;    /* [n] velocities (Å/ps) when the file has them */
  double time;             /* ps */
  md_box box;
  int index;               /* frame index in the file (0-based, skipped duplicates not counted) */
  int line;                /* line where the frame starts in the file (1-based) */
} traj_frame;

typedef struct traj_reader traj_reader;

/* Open a LAMMPS dump (any name; .gz read directly) or an extended XYZ file (.xyz / .extxyz, or a first line
 * that is an atom count). */
md_status traj_open(traj_reader **r, const char *path, const traj_options *o);
/* Next frame of the selected species; the frame is owned by the reader. *eof = 1 at the end. */
md_status traj_next(traj_reader *r, const traj_frame **f, int *eof);
/* Notes collected while reading ("no type column: every atom taken as Li"), "" if none. */
const char *traj_notes(const traj_reader *r);
/* Number of atoms per frame in the file (all species). */
int traj_atoms_in_file(const traj_reader *r);
void traj_close(traj_reader **r);

MD_EXTERN_C_END

#endif
