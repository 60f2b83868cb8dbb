/* dump.h — trajectory output: extended XYZ or LAMMPS `dump custom`, unwrapped positions (and optionally
 * velocities) of all atoms or of chosen species.
 *
 * extxyz frame (ASE, OVITO, kinisi read it):
 *   N
 *   Lattice="ax ay az bx by bz cx cy cz" Properties=species:S:1:pos:R:3[:velocities:R:3] time=T step=S pbc="T T T"
 *   Li x y z [vx vy vz]                      (Å, Å/ps; time in ps; atoms in structure order)
 * LAMMPS frame (as `dump custom` with `dump_modify units yes time yes`):
 *   [ITEM: UNITS / metal (first frame only)] / ITEM: TIME / t (ps) /
 *   ITEM: TIMESTEP / N / ITEM: NUMBER OF ATOMS / n / ITEM: BOX BOUNDS xy xz yz pp pp pp / 3 lines /
 *   ITEM: ATOMS id type xu yu zu [vx vy vz]  (sorted by id; type = element index + 1 in the model's order)
 *   A cell that is not already in LAMMPS's restricted form (a along x, b in the xy plane) is rotated into it,
 *   positions and velocities with it.
 * Reals: 8 digits after the point (deck `precision N` changes N; `precision full` writes %.17g, which reads
 * back as the very same doubles, the Lattice too, e.g. to compare `esnapmd analyze` with the on-the-fly analysis bit for bit).
 * Each frame is formatted in memory and written with one write(2): a killed run leaves whole frames only. */
#ifndef ESNAP_DUMP_H
#define ESNAP_DUMP_H

#include "status.h"
#include "types.h"
#include "strbuf.h"

MD_EXTERN_C_BEGIN

/* Trajectory formats (deck `dump ... format`). */
enum dump_format { DUMP_FMT_LAMMPS = 1, DUMP_FMT_EXTXYZ = 2 };

/* What to write: one deck `dump` line. */
typedef struct dump_spec {
  long every;                          /* steps */
  char file[MD_PATH_LEN];              /* as written in the deck (relative to the output directory) */
  char path[MD_PATH_LEN];              /* resolved */
  int format;                          /* DUMP_FMT_EXTXYZ or DUMP_FMT_LAMMPS */
  int velocities;                      /* also write velocities */
  int precision;                       /* digits after the point; 0 = default (8), -1 = full (%.17g) */
  int nspecies;                        /* 0: all atoms */
  char species[MD_MAX_ELEM][MD_NAME_LEN];
  int line;                            /* deck line, for messages */
} dump_spec;

typedef struct dump_writer {
  int fd;
  char path[MD_PATH_LEN];
  long every;
  int format;                 /* DUMP_FMT_EXTXYZ / DUMP_FMT_LAMMPS */
  int velocities;
  int precision;              /* digits after the decimal point, or -1: %.17g (exact round trip) */
  int mask[MD_MAX_ELEM];      /* types written */
  int nsel;                   /* atoms written per frame */
  int *order;                 /* [n] atom indices sorted by id (LAMMPS format) */
  long long bytes;            /* file length so far */
  strbuf buf;
} dump_writer;

/* The spec against the system s: every species named is an element of s (else an error naming `where`);
 * mask[t] = 1 for the types written. */
md_status dump_spec_check(const dump_spec *spec, const md_system *s, const char *where, int mask[MD_MAX_ELEM]);
/* Open for the system s (species names are checked against s->elem; `where` = "deck:line" for messages). */
md_status dump_writer_open(dump_writer *d, const dump_spec *spec, const md_system *s, int restart, long long keep_bytes,
                    const char *where);
md_status dump_writer_write(dump_writer *d, const md_system *s, long step, real_t time);
md_status dump_writer_sync(dump_writer *d);
void dump_writer_close(dump_writer *d);

/* LAMMPS restricted-triclinic parameters of a cell and the matrix M (row-major) with r_lammps = r · M. */
md_status dump_lammps_cell(const md_box *b, real_t *lx, real_t *ly, real_t *lz, real_t *xy, real_t *xz, real_t *yz,
                           real_t m[9], int *rotated);

MD_EXTERN_C_END

#endif
