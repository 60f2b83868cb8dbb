/* coul_table.h — LAMMPS's bitmapped Coulomb lookup table (pair_modify table N / tabinner R) for the real-space
 * Ewald term, built on the host exactly as LAMMPS builds it (Pair::init_bitmap + Pair::init_tables), so that
 * ewald_lammps_pair (src/math/ewald_lammps.h) reproduces `pair_style coul/long` to round-off.
 *
 * The table covers r² from the inner edge to beyond the cutoff with 2^N rows indexed by the low exponent bits
 * and the leading mantissa bits of r² as a float (N = nexp + nmant: nexp bits span the binary orders of
 * magnitude from tabinner² to rc², nmant = N − nexp bits subdivide each order). Each row holds the values at
 * its lower edge and the differences to the next row; the last row in range ends at rc² exactly. */
#ifndef ESNAP_COUL_TABLE_H
#define ESNAP_COUL_TABLE_H

#include "math/ewald_lammps.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

#define COUL_TABLE_BITS_DEFAULT 12 /* LAMMPS's default ncoultablebits */
#define COUL_TABLE_MAX_BITS 32     /* LAMMPS's limit: sizeof(float) * CHAR_BIT */

typedef struct coul_table coul_table;

/* Build the table for `bits` (LAMMPS pair_modify table; 0 = no table: the polynomial everywhere), tabinner
 * (Å, LAMMPS default √2), the real-space cutoff rc (Å) and the splitting parameter g_ewald (1/Å). Fails with
 * LAMMPS's own conditions (too many or too few bits for the range tabinner … rc). The one difference between
 * LAMMPS versions that shows: r at a row's edge is the single-precision sqrtf of the float r² in LAMMPS
 * 2022-01-06 (sqrt_float = 1) and the double sqrt in LAMMPS 22 Jul 2025 (sqrt_float = 0); the tables differ
 * by ~3e-8 relative (3e-10 eV/atom for Li3N). */
md_status coul_table_create(coul_table **out, int bits, real_t tabinner, real_t rc, real_t g_ewald, int sqrt_float);
void coul_table_destroy(coul_table **p);
/* The view the pair function reads (valid while the table lives). */
void coul_table_view(const coul_table *t, ewald_lammps_table *view);
/* Rows (2^bits; 0 without a table). */
int coul_table_rows(const coul_table *t);

MD_EXTERN_C_END

#endif
