/* constants.h — physical constants in LAMMPS `metal` units (Å, eV, ps, g/mol, K, bar, e).
 * The values are LAMMPS's own (src/update.cpp, units metal) so thermo output agrees to round-off. */
#ifndef ESNAP_CONSTANTS_H
#define ESNAP_CONSTANTS_H

#define MD_BOLTZ   8.617343e-5      /* Boltzmann constant, eV/K */
#define MD_MVV2E   1.0364269e-4     /* (g/mol)(Å/ps)^2 -> eV */
#define MD_FTM2V   (1.0 / 1.0364269e-4) /* (eV/Å)/(g/mol) -> Å/ps^2 */
#define MD_NKTV2P  1.6021765e6      /* eV/Å^3 -> bar */
#define MD_QQR2E   14.399645        /* e^2/Å -> eV (Coulomb constant) */
#define MD_PI      3.14159265358979323846
#define MD_MY_PIS  1.77245385090551602729 /* sqrt(pi) */
#define MD_AVOGADRO 6.02214076e23   /* 1/mol */
#define MD_FARADAY 96485.33212      /* C/mol */
#define MD_RGAS    8.314462618      /* J/(mol K) */

#endif
