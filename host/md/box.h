/* box.h — the simulation cell (md_box, see types.h): derived quantities, wrapping, strain. */
#ifndef ESNAP_BOX_H
#define ESNAP_BOX_H

#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

/* Derive hinv, volume and face widths from h. Fails (MD_ERR_VALUE) on a degenerate or non-finite cell;
 * `where` names the input for the message ("file:line" or a file name). */
md_status box_update(md_box *b, const char *where);

/* Set a LAMMPS-style restricted triclinic cell: a = (lx,0,0), b = (xy,ly,0), c = (xz,yz,lz). */
md_status box_set_lammps(md_box *b, real_t lx, real_t ly, real_t lz, real_t xy, real_t xz, real_t yz,
                         const char *where);

/* The cell scaled by (1 + ε): h' = h (I + ε), ε a 3×3 row-major strain applied to row vectors. */
void box_strain(const md_box *in, const real_t eps[9], md_box *out);

MD_EXTERN_C_END

#endif
