/* thermo.h — thermo output (screen and file) and the append-only output files shared with the dumps.
 *
 * File format (one header block, then one line per thermo step; whitespace-separated columns):
 *   # esnapmd VERSION (commit ...) thermo output ...          ← lines from the caller (run description)
 *   # units: time ps, temp K, energies eV, press bar ...
 *   #       step      time_ps        temp_K             pe_eV  ...
 *            100     0.100000   1003.4567890  -2010.123456789 ...
 * Columns: step, time (ps), temperature (K, 3N−3 dof), potential energy, kinetic energy, total energy,
 * conserved energy (total + thermostat, LAMMPS econserve) (eV), pressure (bar, LAMMPS compute pressure).
 * Progress lines go to the screen only, so the file of a restarted run is identical to an uninterrupted one.
 *
 * Output files are written with one write(2) per record (a whole thermo line or a whole trajectory frame),
 * so a killed run leaves only complete records; a restart truncates each file to the length recorded in the
 * checkpoint and appends. */
#ifndef ESNAP_THERMO_H
#define ESNAP_THERMO_H

#include <stdio.h>

#include "backend.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

/* Open an output file: fresh (create/truncate) or, for a restart, truncate to keep_bytes and append.
 * A restart fails when the file is shorter than keep_bytes (outputs lost or edited since the checkpoint). */
md_status outfile_open(const char *path, int restart, long long keep_bytes, int *fd);
/* Write all of data with write(2) (retrying short writes). */
md_status outfile_write(int fd, const char *path, const char *data, size_t len);
/* fsync, for checkpoints: outputs are on disk before the checkpoint that records their length. */
md_status outfile_sync(int fd, const char *path);

typedef struct thermo_out {
  int fd;                 /* -1: no file */
  char path[MD_PATH_LEN];
  long long bytes;        /* file length so far */
  FILE *screen;           /* stdout, or NULL for quiet */
} thermo_out;

/* header: lines (each starting with '#', newline-terminated) written after the program line of a fresh file */
md_status thermo_open(thermo_out *t, const char *path, int restart, long long keep_bytes, const char *header,
                      FILE *screen);
md_status thermo_write(thermo_out *t, const md_thermo *v);
md_status thermo_sync(thermo_out *t);
void thermo_close(thermo_out *t);
/* Column header on the screen (also used at a restart). */
void thermo_screen_header(FILE *fp);
/* Format one line (no header), as in the file. */
void thermo_format_line(char *buf, size_t n, const md_thermo *v);

MD_EXTERN_C_END

#endif
