/* io_xyz.h — extended XYZ (the ASE/OVITO/kinisi format), read and write.
 *
 * Reading: plain or gzip-compressed files (linereader.h), any number of frames; the comment line's key=value pairs (values may be "quoted"), `Lattice`
 * (9 numbers, rows = cell vectors) and `Properties` (name:type:ncols, types S R I L) parsed properly; the
 * columns species and pos are required, velocities (`velocities`/`vel`/`velo`, Å/ps) are used when present;
 * every other column is kept as a named per-atom property (real or integer columns) or skipped (strings,
 * logicals). Frames without Lattice, or with a pbc key that is not all true, are rejected: every system here
 * is periodic. With an allowed element list, species match it ignoring case and anything else is an error;
 * without one, types are numbered in order of first appearance over the whole file. Errors name file:line:
 * a truncated frame, an atom count that does not match the atom lines, a short or long atom line, a
 * non-numeric or non-finite (NaN, inf) number, an unknown element, a malformed Lattice or Properties.
 */
#ifndef ESNAP_IO_XYZ_H
#define ESNAP_IO_XYZ_H

#include <stdio.h>

#include "atomic_file.h" /* io_atomic: whole output files written atomically */
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

/* Allowed element symbols; type index = position in this list. */
typedef struct io_elements {
  int n;
  char name[MD_MAX_ELEM][MD_NAME_LEN];
} io_elements;

#define XYZ_MAX_KEYS 64
#define XYZ_MAX_PROPS 32

typedef struct xyz_prop {
  char name[64];
  int ncols;
  real_t *data; /* [n * ncols], atom-major */
} xyz_prop;

typedef struct xyz_frame {
  md_system *sys;            /* owned */
  int nkeys;
  char *key[XYZ_MAX_KEYS];   /* owned strings */
  char *value[XYZ_MAX_KEYS]; /* owned; "" for a bare flag */
  int nprops;
  xyz_prop prop[XYZ_MAX_PROPS]; /* numeric columns other than species, pos, velocities */
  int line;                  /* line of the frame's atom-count line in the file (1-based) */
  char path[MD_PATH_LEN];    /* file it came from, for messages */
} xyz_frame;

typedef struct xyz_reader xyz_reader;

md_status xyz_open(xyz_reader **r, const char *path, const io_elements *allowed);
/* Read the next frame into f (previous contents freed). *eof = 1 and MD_OK at a clean end of file. */
md_status xyz_read_frame(xyz_reader *r, xyz_frame *f, int *eof);
void xyz_close(xyz_reader **r);
void xyz_frame_free(xyz_frame *f);

/* Read the first frame of a file. */
md_status xyz_read_first(const char *path, const io_elements *allowed, xyz_frame *f);

/* Value of info key (case-sensitive), or NULL. */
const char *xyz_frame_get(const xyz_frame *f, const char *key);
/* Parse info key as n reals (whitespace-separated inside quotes); MD_ERR_PARSE if missing or short. */
md_status xyz_frame_get_reals(const xyz_frame *f, const char *key, real_t *out, int n);
/* Per-atom numeric property by name, or NULL; *ncols receives its width. */
const real_t *xyz_frame_prop(const xyz_frame *f, const char *name, int *ncols);

/* Writing: one frame. Numbers are written with the fewest digits that read back exactly (io_format_real), so
 * write → read is lossless. Positions are written unwrapped when `unwrapped` is set. info[] values are written as
 * given (quote them yourself when they contain spaces); cols[] are extra real per-atom columns. The frame is
 * formatted into memory and written with one fwrite, so a reader never sees half a frame from a finished
 * call. */
typedef struct xyz_info {
  const char *key;
  const char *value;
} xyz_info;
typedef struct xyz_col {
  const char *name;
  int ncols;
  const real_t *data; /* [n * ncols], atom-major */
} xyz_col;

md_status xyz_write_frame(FILE *fp, const char *path, const md_system *s, int unwrapped, int with_velocities,
                          const xyz_info *info, int ninfo, const xyz_col *cols, int ncols,
                          const int *type_mask);
/* type_mask: NULL writes every atom; otherwise [nelem] flags, atoms of type t are written when
 * type_mask[t] != 0 (e.g. a Li-only trajectory). Columns in cols[] are indexed by atom, so only
 * the selected atoms' rows are written. */

/* Shortest of %.15g / %.16g / %.17g that reads back to exactly v ("0" for ±0). */
void io_format_real(char *buf, size_t n, real_t v);


MD_EXTERN_C_END

#endif
