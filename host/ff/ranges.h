/* ranges.h — physically meaningful ranges of input values, one table for every reader: the deck (app/deck.c),
 * the model file (host/ff/model.c), the SNAP files (host/ff/snap_io.c) and the Coulomb front (host/ff/coulomb.c).
 * A value outside its range is refused when it is read, naming FILE:LINE (tf_check_range, host/io/textfile.h),
 * so that no parameter search, neighbour grid or loop ever sees it. */
#ifndef ESNAP_RANGES_H
#define ESNAP_RANGES_H

#define MD_RANGE_COUL_ACC_MIN 1e-14   /* Coulomb relative accuracy (LAMMPS kspace meaning) */
#define MD_RANGE_COUL_ACC_MAX 0.1
#define MD_RANGE_COUL_RCUT_MIN 1.0    /* Coulomb real-space cutoff (Å) */
#define MD_RANGE_COUL_RCUT_MAX 50.0
#define MD_RANGE_CHARGE_MAX 10.0      /* |charge| of an element (e) */
#define MD_RANGE_MASS_MAX 1000.0      /* element mass (g/mol), > 0 */
#define MD_RANGE_CUTOFF_MAX 20.0      /* short-range cutoffs (Å): ZBL outer, SNAP pair cutoff rcutfac (R_i + R_j) */
#define MD_RANGE_Z_MIN 1.0            /* ZBL nuclear charge */
#define MD_RANGE_Z_MAX 118.0

#endif
