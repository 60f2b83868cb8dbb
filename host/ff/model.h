/* model.h — read an esnapmd model file (potentials/NAME.model) that ties together SNAP, charges, ZBL, masses
 * and the Coulomb method:
 *
 *   elements  Li N                          element order = type index everywhere
 *   mass      Li 6.941 N 14.0067            g/mol
 *   charge    Li 0.239 N -0.717             e (0 for all, or omit the line, for no Coulomb term)
 *   snap      FILE.snapcoeff FILE.snapparam paths relative to the model file
 *   zbl       INNER OUTER  Li 3 N 7         Å, Å, nuclear charges (LAMMPS pair zbl)
 *   coulomb   pme ACCURACY [rcut R] | ewald ACCURACY [rcut R] [lammps [table N] [tabinner R] [tabsqrt S]]
 *             | none                        lammps: evaluate as LAMMPS coul/long + kspace ewald (rcut
 *                                           required; table N = pair_modify table, default 12, 0 = none;
 *                                           tabinner in Å, default √2; tabsqrt float for LAMMPS 2022 and
 *                                           older, double (default) for LAMMPS 2025), see host/ff/coulomb.h
 *
 * '#' starts a comment. Every element named in `elements` needs a mass; SNAP and ZBL must cover all of them.
 */
#ifndef ESNAP_MODEL_H
#define ESNAP_MODEL_H

#include "status.h"
#include "types.h"
#include "io_xyz.h"
#include "textfile.h"

MD_EXTERN_C_BEGIN

md_status model_read(md_model *m, const char *path);
/* The bundled Li3N eSNAP model (potentials/li3n_esnap.model of the source tree, or $ESNAPMD_MODEL). */
const char *model_default_path(void);
/* The model's element list, for structure readers. */
void model_elements(const md_model *m, io_elements *out);
/* Re-index a system's types to the model's element order; unknown element -> MD_ERR_VALUE naming `where`. */
md_status model_map_system(const md_model *m, md_system *s, const char *where);
/* Parse "lammps [table N] [tabinner R] [tabsqrt float|double]" at word k of a model or deck line (word k is
 * "lammps"): defaults table 12, tabinner √2 Å, tabsqrt double; *next = index of the first word after it. */
md_status model_parse_coulomb_lammps(const textfile *t, int k, md_coulomb_lammps *l, int *next);
/* Largest interaction range of the short-ranged terms (SNAP pair cutoffs, ZBL outer), Å. */
real_t model_short_cutoff(const md_model *m);

MD_EXTERN_C_END

#endif
