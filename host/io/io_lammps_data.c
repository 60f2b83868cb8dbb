/* io_lammps_data.c — LAMMPS data file reader (atom_style atomic / charge). See io_lammps_data.h. */
#include "io_lammps_data.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "box.h"
#include "system.h"
#include "textfile.h"

static const char *const k_elements[] = {
    "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si", "P",  "S",  "Cl", "Ar",
    "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr",
    "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I",  "Xe",
    "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf",
    "Ta", "W",  "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th",
    "Pa", "U",  "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs",
    "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og"};

const char *io_element_symbol(int z) {
  const int nz = (int)(sizeof k_elements / sizeof k_elements[0]);
  return (z >= 1 && z <= nz) ? k_elements[z - 1] : NULL;
}

int io_is_element_symbol(const char *sym) {
  for (size_t k = 0; k < sizeof k_elements / sizeof k_elements[0]; k++)
    if (strcmp(sym, k_elements[k]) == 0) return 1;
  return 0;
}

void lmp_read_options_default(lmp_read_options *o) { memset(o, 0, sizeof *o); }

md_status lmp_parse_type_list(lmp_read_options *o, const char *list) {
  o->ntype_elem = 0;
  const char *p = list;
  while (*p) {
    while (*p == ',' || isspace((unsigned char)*p)) p++;
    if (!*p) break;
    const char *q = p;
    while (*q && *q != ',' && !isspace((unsigned char)*q)) q++;
    size_t len = (size_t)(q - p);
    if (o->ntype_elem >= LMP_MAX_TYPES) return md_error(MD_ERR_VALUE, "type list '%s': more than %d types", list, LMP_MAX_TYPES);
    if (len >= MD_NAME_LEN) return md_error(MD_ERR_VALUE, "type list '%s': element name '%.*s' is too long", list, (int)len, p);
    memcpy(o->type_elem[o->ntype_elem], p, len);
    o->type_elem[o->ntype_elem][len] = '\0';
    o->ntype_elem++;
    p = q;
  }
  if (o->ntype_elem == 0) return md_error(MD_ERR_VALUE, "type list '%s' names no element", list);
  return MD_OK;
}

static int is_number(const char *s) {
  char *end;
  strtod(s, &end);
  return end != s && *end == '\0';
}

/* ---- sections ---- */
enum { SEC_MASSES, SEC_ATOMS, SEC_VELOCITIES, SEC_LABELS, SEC_SKIP, SEC_REJECT };
enum { CNT_NONE, CNT_ATOMS, CNT_ATYPES, CNT_APAIRS, CNT_BTYPES, CNT_ANTYPES, CNT_DTYPES, CNT_ITYPES };

typedef struct section_def {
  const char *name;
  int kind, count;
} section_def;

static const section_def k_sections[] = {
    {"Masses", SEC_MASSES, CNT_ATYPES},
    {"Atoms", SEC_ATOMS, CNT_ATOMS},
    {"Velocities", SEC_VELOCITIES, CNT_ATOMS},
    {"Atom Type Labels", SEC_LABELS, CNT_ATYPES},
    {"Pair Coeffs", SEC_SKIP, CNT_ATYPES},
    {"PairIJ Coeffs", SEC_SKIP, CNT_APAIRS},
    {"Bond Coeffs", SEC_SKIP, CNT_BTYPES},
    {"Angle Coeffs", SEC_SKIP, CNT_ANTYPES},
    {"Dihedral Coeffs", SEC_SKIP, CNT_DTYPES},
    {"Improper Coeffs", SEC_SKIP, CNT_ITYPES},
    {"BondBond Coeffs", SEC_SKIP, CNT_ANTYPES},
    {"BondAngle Coeffs", SEC_SKIP, CNT_ANTYPES},
    {"MiddleBondTorsion Coeffs", SEC_SKIP, CNT_DTYPES},
    {"EndBondTorsion Coeffs", SEC_SKIP, CNT_DTYPES},
    {"AngleTorsion Coeffs", SEC_SKIP, CNT_DTYPES},
    {"AngleAngleTorsion Coeffs", SEC_SKIP, CNT_DTYPES},
    {"BondBond13 Coeffs", SEC_SKIP, CNT_DTYPES},
    {"AngleAngle Coeffs", SEC_SKIP, CNT_ITYPES},
    {"Bond Type Labels", SEC_SKIP, CNT_BTYPES},
    {"Angle Type Labels", SEC_SKIP, CNT_ANTYPES},
    {"Dihedral Type Labels", SEC_SKIP, CNT_DTYPES},
    {"Improper Type Labels", SEC_SKIP, CNT_ITYPES},
    {"Bonds", SEC_REJECT, CNT_NONE},
    {"Angles", SEC_REJECT, CNT_NONE},
    {"Dihedrals", SEC_REJECT, CNT_NONE},
    {"Impropers", SEC_REJECT, CNT_NONE},
    {"Ellipsoids", SEC_REJECT, CNT_NONE},
    {"Lines", SEC_REJECT, CNT_NONE},
    {"Triangles", SEC_REJECT, CNT_NONE},
    {"Bodies", SEC_REJECT, CNT_NONE},
};

/* The words of the line joined by single spaces. */
static void joined(const textfile *r, int from, char *out, size_t n) {
  out[0] = '\0';
  int nw = r->nwords;
  for (int k = from; k < nw; k++) {
    if (k > from) strncat(out, " ", n - strlen(out) - 1);
    strncat(out, r->word[k], n - strlen(out) - 1);
  }
}

/* A line is a section header when it starts with a letter; returns the section or NULL (unknown name). */
static int is_section_line(const textfile *r) { return isalpha((unsigned char)r->word[0][0]); }
static const section_def *find_section(const textfile *r) {
  char name[128];
  joined(r, 0, name, sizeof name);
  for (size_t k = 0; k < sizeof k_sections / sizeof k_sections[0]; k++)
    if (strcmp(name, k_sections[k].name) == 0) return &k_sections[k];
  return NULL;
}

/* ---- the reader state ---- */
typedef struct ldata {
  textfile r;
  const md_model *m;
  long natoms, ntypes, nbtypes, nantypes, ndtypes, nitypes;
  int have_natoms, have_ntypes;
  real_t lo[3], hi[3], tilt[3];   /* xlo.., xhi.., (xy, xz, yz) */
  int have_lohi[3], have_tilt;
  real_t gvec[3][3], gorigin[3];  /* general triclinic */
  int have_gvec[3], have_gorigin;
  int box_line;
  md_system *s;
  int *aline;                      /* [natoms] line of each atom */
  real_t *q;                       /* [natoms] charges from the file */
  int *order;                      /* [2 natoms] (id, index) pairs sorted by id */
  unsigned char *vseen;            /* [natoms] velocity read */
  int have_atoms, have_vel, style;
  real_t mass[LMP_MAX_TYPES];
  int mass_line[LMP_MAX_TYPES];
  char mass_comment[LMP_MAX_TYPES][MD_NAME_LEN];
  char label[LMP_MAX_TYPES][MD_NAME_LEN];
  int label_line[LMP_MAX_TYPES];
} ldata;

static md_status parse_header_line(ldata *d) {
  textfile *r = &d->r;
  int nw = r->nwords;
  int k = 0;
  while (k < nw && is_number(r->word[k])) k++;
  char key[128];
  joined(r, k, key, sizeof key);
  if (k == 0 || k == nw)
    return md_error(MD_ERR_PARSE, "%s:%d: expected a header line ('N atoms', 'xlo xhi', ...) or a section name, found '%s'",
                    r->path, r->line, r->word[0]);
  static const char *const counts[] = {"atoms", "atom types", "bond types", "angle types", "dihedral types",
                                       "improper types"};
  static const char *const topo[] = {"bonds", "angles", "dihedrals", "impropers", "ellipsoids", "lines", "triangles", "bodies"};
  long *dest[] = {&d->natoms, &d->ntypes, &d->nbtypes, &d->nantypes, &d->ndtypes, &d->nitypes};
  for (int c = 0; c < 6; c++)
    if (strcmp(key, counts[c]) == 0) {
      if (k != 1) return md_error(MD_ERR_PARSE, "%s:%d: '%s' takes one number", r->path, r->line, key);
      long hi = c == 0 ? 100000000L : c == 1 ? LMP_MAX_TYPES : 1000000L;
      MD_TRY(tf_long(r, 0, key, 0, hi, dest[c]));
      if (c == 0) d->have_natoms = 1;
      if (c == 1) d->have_ntypes = 1;
      return MD_OK;
    }
  for (int c = 0; c < 8; c++)
    if (strcmp(key, topo[c]) == 0) {
      long v = 0;
      MD_TRY(tf_long(r, 0, key, 0, 2147483647L, &v));
      if (v != 0)
        return md_error(MD_ERR_UNSUPPORTED, "%s:%d: %ld %s: esnapmd reads atom_style atomic or charge data files (no molecular topology or extended particles)",
                        r->path, r->line, v, key);
      return MD_OK;
    }
  if (strncmp(key, "extra ", 6) == 0 && strstr(key, " per atom")) return MD_OK; /* topology storage hints */
  static const char *const lohi[] = {"xlo xhi", "ylo yhi", "zlo zhi"};
  for (int c = 0; c < 3; c++)
    if (strcmp(key, lohi[c]) == 0) {
      if (k != 2) return md_error(MD_ERR_PARSE, "%s:%d: '%s' takes two numbers", r->path, r->line, key);
      MD_TRY(tf_real(r, 0, key, &d->lo[c]));
      MD_TRY(tf_real(r, 1, key, &d->hi[c]));
      if (!(d->hi[c] > d->lo[c]))
        return md_error(MD_ERR_VALUE, "%s:%d: '%s': the upper bound must exceed the lower", r->path, r->line, key);
      d->have_lohi[c] = 1;
      d->box_line = r->line;
      return MD_OK;
    }
  static const char *const gen[] = {"avec", "bvec", "cvec", "abc origin", "xy xz yz"};
  for (int c = 0; c < 5; c++)
    if (strcmp(key, gen[c]) == 0) {
      if (k != 3) return md_error(MD_ERR_PARSE, "%s:%d: '%s' takes three numbers", r->path, r->line, key);
      real_t *v = c < 3 ? d->gvec[c] : c == 3 ? d->gorigin : d->tilt;
      for (int j = 0; j < 3; j++) MD_TRY(tf_real(r, j, key, &v[j]));
      if (c < 3) d->have_gvec[c] = 1;
      else if (c == 3) d->have_gorigin = 1;
      else d->have_tilt = 1;
      d->box_line = r->line;
      return MD_OK;
    }
  return md_error(MD_ERR_PARSE, "%s:%d: unknown header keyword '%s'", r->path, r->line, key);
}

static md_status set_box(ldata *d) {
  textfile *r = &d->r;
  char where[MD_PATH_LEN + 16];
  snprintf(where, sizeof where, "%s:%d", r->path, d->box_line);
  int ngen = d->have_gvec[0] + d->have_gvec[1] + d->have_gvec[2];
  int nlohi = d->have_lohi[0] + d->have_lohi[1] + d->have_lohi[2];
  if (ngen > 0) {
    if (ngen != 3) return md_error(MD_ERR_PARSE, "%s: a general triclinic box needs all of avec, bvec and cvec", r->path);
    if (nlohi || d->have_tilt)
      return md_error(MD_ERR_PARSE, "%s: the header mixes avec/bvec/cvec with xlo xhi / xy xz yz", r->path);
    memset(&d->s->box, 0, sizeof d->s->box);
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++) d->s->box.h[3 * a + b] = d->gvec[a][b];
    return box_update(&d->s->box, where);
  }
  static const char *const lohi[] = {"xlo xhi", "ylo yhi", "zlo zhi"};
  for (int c = 0; c < 3; c++)
    if (!d->have_lohi[c]) return md_error(MD_ERR_PARSE, "%s: the header has no '%s' line", r->path, lohi[c]);
  MD_TRY(box_set_lammps(&d->s->box, d->hi[0] - d->lo[0], d->hi[1] - d->lo[1], d->hi[2] - d->lo[2], d->tilt[0],
                        d->tilt[1], d->tilt[2], where));
  for (int c = 0; c < 3; c++) d->gorigin[c] = d->lo[c];
  return MD_OK;
}

/* Read the `count` data lines of a section (blank and comment lines skipped), handing each to fn. */
typedef md_status (*line_fn)(ldata *d, long k);

static md_status read_section(ldata *d, const char *name, long count, const char *unit, line_fn fn) {
  textfile *r = &d->r;
  for (long k = 0; k < count; k++) {
    md_status st;
    if (!tf_next(r, &st)) {
      MD_TRY(st);
      return md_error(MD_ERR_PARSE, "%s:%d: file ends after %ld of %ld lines of section %s (truncated file, or fewer %s than the header says)",
                      r->path, r->line, k, count, name, unit);
    }
    if (is_section_line(r))
      return md_error(MD_ERR_PARSE, "%s:%d: section %s has %ld lines but the header says %ld %s", r->path, r->line, name,
                      k, count, unit);
    if (fn) MD_TRY(fn(d, k));
  }
  return MD_OK;
}

static md_status mass_line(ldata *d, long k) {
  textfile *r = &d->r;
  long t = 0;
  real_t mass = 0;
  if (r->nwords != 2) return md_error(MD_ERR_PARSE, "%s:%d: Masses line needs 'type mass', found %d words", r->path, r->line, r->nwords);
  MD_TRY(tf_long(r, 0, "atom type", 1, d->ntypes, &t));
  MD_TRY(tf_real(r, 1, "mass", &mass));
  if (!(mass > 0)) return md_error(MD_ERR_VALUE, "%s:%d: mass must be positive", r->path, r->line);
  if (d->mass_line[t - 1]) return md_error(MD_ERR_VALUE, "%s:%d: mass of type %ld given twice", r->path, r->line, t);
  d->mass[t - 1] = mass;
  d->mass_line[t - 1] = r->line;
  if (r->comment[0] && strlen(r->comment) < MD_NAME_LEN) strcpy(d->mass_comment[t - 1], r->comment);
  return MD_OK;
}

static md_status label_line(ldata *d, long k) {
  textfile *r = &d->r;
  long t = 0;
  if (r->nwords != 2) return md_error(MD_ERR_PARSE, "%s:%d: Atom Type Labels line needs 'type label'", r->path, r->line);
  MD_TRY(tf_long(r, 0, "atom type", 1, d->ntypes, &t));
  if (strlen(r->word[1]) < MD_NAME_LEN) strcpy(d->label[t - 1], r->word[1]);
  d->label_line[t - 1] = r->line;
  return MD_OK;
}

static md_status atom_line(ldata *d, long k) {
  textfile *r = &d->r;
  md_system *s = d->s;
  static const char *const names[] = {"atomic", "charge"};
  static const char *const cols[] = {"id type x y z", "id type q x y z"};
  if (d->style < 0) {
    if (r->nwords == 5 || r->nwords == 8) d->style = 0;
    else if (r->nwords == 6 || r->nwords == 9) d->style = 1;
    else
      return md_error(MD_ERR_PARSE, "%s:%d: cannot tell the atom style from %d columns (atomic: %s [ix iy iz]; charge: %s [ix iy iz])",
                      r->path, r->line, r->nwords, cols[0], cols[1]);
  }
  int base = d->style ? 6 : 5;
  if (r->nwords != base && r->nwords != base + 3)
    return md_error(MD_ERR_PARSE, "%s:%d: Atoms line has %d columns; atom_style %s needs %d (%s) or %d (with image flags)",
                    r->path, r->line, r->nwords, names[d->style], base, cols[d->style], base + 3);
  long id = 0, t = 0, img[3] = {0, 0, 0};
  real_t q = 0.0, x[3];
  MD_TRY(tf_long(r, 0, "atom id", 1, 2147483647L, &id));
  MD_TRY(tf_long(r, 1, "atom type", 1, d->ntypes, &t));
  if (d->style) MD_TRY(tf_real(r, 2, "charge", &q));
  static const char *const coord[] = {"x coordinate", "y coordinate", "z coordinate"};
  static const char *const image[] = {"image flag ix", "image flag iy", "image flag iz"};
  for (int c = 0; c < 3; c++) MD_TRY(tf_real(r, base - 3 + c, coord[c], &x[c]));
  if (r->nwords == base + 3)
    for (int c = 0; c < 3; c++) MD_TRY(tf_long(r, base + c, image[c], -1000000L, 1000000L, &img[c]));
  s->id[k] = (int)id;
  s->type[k] = (int)t - 1;
  d->q[k] = q;
  s->x[k] = x[0] - d->gorigin[0];
  s->y[k] = x[1] - d->gorigin[1];
  s->z[k] = x[2] - d->gorigin[2];
  s->ix[k] = (int)img[0];
  s->iy[k] = (int)img[1];
  s->iz[k] = (int)img[2];
  d->aline[k] = r->line;
  return MD_OK;
}

static int cmp_idpair(const void *a, const void *b) {
  const int *pa = (const int *)a, *pb = (const int *)b;
  return (pa[0] > pb[0]) - (pa[0] < pb[0]);
}

/* index of the atom with this id, or -1 (order[] holds (id, index) pairs sorted by id) */
static int find_id(const ldata *d, int id) {
  int lo = 0, hi = d->s->n - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2, v = d->order[2 * mid];
    if (v == id) return d->order[2 * mid + 1];
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

static md_status index_ids(ldata *d) {
  int n = d->s->n;
  for (int i = 0; i < n; i++) {
    d->order[2 * i] = d->s->id[i];
    d->order[2 * i + 1] = i;
  }
  qsort(d->order, (size_t)n, 2 * sizeof(int), cmp_idpair);
  for (int k = 1; k < n; k++) {
    int a = d->order[2 * k - 1], b = d->order[2 * k + 1];
    if (d->order[2 * k - 2] == d->order[2 * k]) {
      int la = d->aline[a] < d->aline[b] ? d->aline[a] : d->aline[b];
      int lb = d->aline[a] < d->aline[b] ? d->aline[b] : d->aline[a];
      return md_error(MD_ERR_VALUE, "%s:%d: atom id %d appears twice (also at line %d)", d->r.path, lb, d->s->id[a], la);
    }
  }
  return MD_OK;
}

static md_status vel_line(ldata *d, long k) {
  textfile *r = &d->r;
  if (r->nwords != 4) return md_error(MD_ERR_PARSE, "%s:%d: Velocities line needs 'id vx vy vz', found %d words", r->path, r->line, r->nwords);
  long id = 0;
  real_t v[3];
  MD_TRY(tf_long(r, 0, "atom id", 1, 2147483647L, &id));
  static const char *const comp[] = {"vx", "vy", "vz"};
  for (int c = 0; c < 3; c++) MD_TRY(tf_real(r, 1 + c, comp[c], &v[c]));
  int i = find_id(d, (int)id);
  if (i < 0) return md_error(MD_ERR_VALUE, "%s:%d: Velocities for atom id %ld, which is not in the Atoms section", r->path, r->line, id);
  if (d->vseen[i]) return md_error(MD_ERR_VALUE, "%s:%d: velocity of atom id %ld given twice", r->path, r->line, id);
  d->vseen[i] = 1;
  d->s->vx[i] = v[0];
  d->s->vy[i] = v[1];
  d->s->vz[i] = v[2];
  return MD_OK;
}

static int model_elem(const md_model *m, const char *name) {
  for (int e = 0; e < m->nelem; e++)
    if (strcmp(m->elem[e], name) == 0) return e;
  return -1;
}

static void model_list(const md_model *m, char *out, size_t n) {
  out[0] = '\0';
  for (int e = 0; e < m->nelem; e++) {
    char item[48];
    snprintf(item, sizeof item, "%s%s %g", e ? ", " : "", m->elem[e], m->mass[e]);
    strncat(out, item, n - strlen(out) - 1);
  }
}

/* Element of each used type (see the header for the rules). */
static md_status map_types(ldata *d, const lmp_read_options *opt, lmp_data_info *info) {
  const md_model *m = d->m;
  const char *path = d->r.path;
  md_system *s = d->s;
  int first[LMP_MAX_TYPES];
  for (int t = 0; t < LMP_MAX_TYPES; t++) first[t] = -1;
  for (int i = 0; i < s->n; i++)
    if (first[s->type[i]] < 0) first[s->type[i]] = i;
  char list[256];
  model_list(m, list, sizeof list);
  int map[LMP_MAX_TYPES];
  for (int t = 0; t < d->ntypes; t++) {
    map[t] = -1;
    info->type_source[t] = LMP_MAP_NONE;
    if (first[t] < 0) continue;
    int line = d->aline[first[t]];
    if (opt && opt->ntype_elem > 0) {
      if (t >= opt->ntype_elem)
        return md_error(MD_ERR_VALUE, "%s:%d: atom type %d is used but the type list names only %d element(s)", path, line,
                        t + 1, opt->ntype_elem);
      map[t] = model_elem(m, opt->type_elem[t]);
      if (map[t] < 0)
        return md_error(MD_ERR_VALUE, "%s: the type list maps type %d to '%s', which the model %s does not have (%s)", path,
                        t + 1, opt->type_elem[t], m->path, list);
      info->type_source[t] = LMP_MAP_OPTION;
    } else if (d->label[t][0] && io_is_element_symbol(d->label[t])) {
      map[t] = model_elem(m, d->label[t]);
      if (map[t] < 0)
        return md_error(MD_ERR_VALUE, "%s:%d: type %d is labelled '%s', an element the model %s does not have (%s)", path,
                        d->label_line[t], t + 1, d->label[t], m->path, list);
      info->type_source[t] = LMP_MAP_LABEL;
    } else if (d->mass_comment[t][0] && io_is_element_symbol(d->mass_comment[t])) {
      map[t] = model_elem(m, d->mass_comment[t]);
      if (map[t] < 0)
        return md_error(MD_ERR_VALUE, "%s:%d: type %d is '%s' (comment after its mass), an element the model %s does not have (%s)",
                        path, d->mass_line[t], t + 1, d->mass_comment[t], m->path, list);
      info->type_source[t] = LMP_MAP_COMMENT;
    } else if (d->mass_line[t]) {
      int nmatch = 0;
      for (int e = 0; e < m->nelem; e++)
        if (fabs(m->mass[e] - d->mass[t]) <= 0.01) {
          map[t] = e;
          nmatch++;
        }
      if (nmatch != 1)
        return md_error(MD_ERR_VALUE,
                        "%s:%d: type %d has mass %g, which matches %s of the model's elements (%s); name its element in a "
                        "comment ('%d %g # Li') or give a type list",
                        path, d->mass_line[t], t + 1, d->mass[t], nmatch ? "several" : "none", list, t + 1, d->mass[t]);
      info->type_source[t] = LMP_MAP_MASS;
    } else {
      if (t >= m->nelem)
        return md_error(MD_ERR_VALUE,
                        "%s:%d: atom type %d has no element: the model has %d (%s); name it in a comment after its mass "
                        "('%d MASS # Li') or give a type list",
                        path, line, t + 1, m->nelem, list, t + 1);
      map[t] = t;
      info->type_source[t] = LMP_MAP_ORDER;
    }
  }
  for (int t = 0; t < d->ntypes; t++) info->type_elem[t] = map[t];
  for (int i = 0; i < s->n; i++) s->type[i] = map[s->type[i]];
  s->nelem = m->nelem;
  for (int e = 0; e < m->nelem; e++) snprintf(s->elem[e], MD_NAME_LEN, "%s", m->elem[e]);
  return MD_OK;
}

static void check_model_values(ldata *d, const lmp_read_options *opt, lmp_data_info *info) {
  const md_model *m = d->m;
  md_system *s = d->s;
  const char *path = d->r.path;
  int quiet = opt && opt->quiet;
  info->max_mass_diff = 0;
  int worst_t = -1;
  for (int t = 0; t < d->ntypes; t++) {
    if (info->type_elem[t] < 0 || !d->mass_line[t]) continue;
    real_t diff = fabs(d->mass[t] - m->mass[info->type_elem[t]]);
    if (diff > info->max_mass_diff) {
      info->max_mass_diff = diff;
      worst_t = t;
    }
  }
  if (info->max_mass_diff > 0.01 && !quiet)
    fprintf(stderr, "esnapmd: warning: %s:%d: type %d (%s) has mass %g in the data file but %g in the model; the model's masses are used\n",
            path, d->mass_line[worst_t], worst_t + 1, m->elem[info->type_elem[worst_t]], d->mass[worst_t],
            m->mass[info->type_elem[worst_t]]);
  info->max_charge_diff = 0;
  if (!d->style) return;
  int worst = -1;
  for (int i = 0; i < s->n; i++) {
    real_t diff = fabs(d->q[i] - m->charge[s->type[i]]);
    if (diff > info->max_charge_diff) {
      info->max_charge_diff = diff;
      worst = i;
    }
  }
  if (info->max_charge_diff > 1e-6 && !quiet)
    fprintf(stderr, "esnapmd: warning: %s:%d: atom %d (%s) has charge %g in the data file but %g in the model; the model's per-element charges are used\n",
            path, d->aline[worst], s->id[worst], m->elem[s->type[worst]], d->q[worst], m->charge[s->type[worst]]);
}

static md_status read_all(ldata *d, const lmp_read_options *opt, lmp_data_info *info) {
  textfile *r = &d->r;
  md_status st;
  /* title line */
  if (!tf_skip_line(r)) return md_error(MD_ERR_PARSE, "%s: file is empty", r->path);
  /* header */
  int more = tf_next(r, &st);
  while (more && !is_section_line(r)) {
    MD_TRY(parse_header_line(d));
    more = tf_next(r, &st);
  }
  MD_TRY(st);
  if (!d->have_natoms) return md_error(MD_ERR_PARSE, "%s: the header has no 'N atoms' line (is this a LAMMPS data file?)", r->path);
  if (d->natoms == 0) return md_error(MD_ERR_VALUE, "%s: the header says 0 atoms", r->path);
  if (!d->have_ntypes || d->ntypes < 1) return md_error(MD_ERR_PARSE, "%s: the header has no 'N atom types' line", r->path);
  MD_TRY(system_create(&d->s, (int)d->natoms));
  d->aline = (int *)calloc((size_t)d->natoms, sizeof(int));
  d->order = (int *)calloc(2 * (size_t)d->natoms, sizeof(int));
  d->q = (real_t *)calloc((size_t)d->natoms, sizeof(real_t));
  d->vseen = (unsigned char *)calloc((size_t)d->natoms, 1);
  if (!d->aline || !d->order || !d->q || !d->vseen) return md_error(MD_ERR_MEMORY, "%s: out of memory for %ld atoms", r->path, d->natoms);
  MD_TRY(set_box(d));
  /* sections */
  long npairs = d->ntypes * (d->ntypes + 1) / 2;
  while (more) {
    const section_def *sec = find_section(r);
    char name[128];
    joined(r, 0, name, sizeof name);
    if (!sec)
      return md_error(MD_ERR_PARSE, "%s:%d: unknown section '%s' (or a section with more lines than the header says)",
                      r->path, r->line, name);
    if (sec->kind == SEC_REJECT)
      return md_error(MD_ERR_UNSUPPORTED, "%s:%d: section '%s' is not supported: esnapmd reads atom_style atomic or charge data files",
                      r->path, r->line, name);
    long count = 0;
    const char *unit = "lines";
    switch (sec->count) {
      case CNT_ATOMS: count = d->natoms, unit = "atoms"; break;
      case CNT_ATYPES: count = d->ntypes, unit = "atom types"; break;
      case CNT_APAIRS: count = npairs, unit = "type pairs"; break;
      case CNT_BTYPES: count = d->nbtypes, unit = "bond types"; break;
      case CNT_ANTYPES: count = d->nantypes, unit = "angle types"; break;
      case CNT_DTYPES: count = d->ndtypes, unit = "dihedral types"; break;
      case CNT_ITYPES: count = d->nitypes, unit = "improper types"; break;
      default: break;
    }
    switch (sec->kind) {
      case SEC_MASSES: MD_TRY(read_section(d, name, count, unit, mass_line)); break;
      case SEC_LABELS: MD_TRY(read_section(d, name, count, unit, label_line)); break;
      case SEC_ATOMS:
        if (d->have_atoms) return md_error(MD_ERR_PARSE, "%s:%d: a second Atoms section", r->path, r->line);
        d->style = -1;
        if (r->comment[0]) {
          if (strcmp(r->comment, "atomic") == 0) d->style = 0;
          else if (strcmp(r->comment, "charge") == 0) d->style = 1;
          else
            return md_error(MD_ERR_UNSUPPORTED, "%s:%d: atom style '%s' is not supported (atomic or charge)", r->path, r->line,
                            r->comment);
        }
        MD_TRY(read_section(d, name, count, unit, atom_line));
        MD_TRY(index_ids(d));
        d->have_atoms = 1;
        break;
      case SEC_VELOCITIES:
        if (!d->have_atoms) return md_error(MD_ERR_PARSE, "%s:%d: Velocities before the Atoms section", r->path, r->line);
        if (d->have_vel) return md_error(MD_ERR_PARSE, "%s:%d: a second Velocities section", r->path, r->line);
        MD_TRY(read_section(d, name, count, unit, vel_line));
        d->have_vel = 1;
        break;
      default: MD_TRY(read_section(d, name, count, unit, NULL)); break;
    }
    more = tf_next(r, &st);
    MD_TRY(st);
    if (more && !is_section_line(r))
      return md_error(MD_ERR_PARSE, "%s:%d: expected a section name after %ld lines of %s, found '%s' (more lines than the header's %ld %s?)",
                      r->path, r->line, count, name, r->word[0], count, unit);
  }
  if (!d->have_atoms) return md_error(MD_ERR_PARSE, "%s: no Atoms section (the header says %ld atoms)", r->path, d->natoms);
  d->s->has_velocities = d->have_vel;
  info->atom_style = d->style;
  info->ntypes = (int)d->ntypes;
  return map_types(d, opt, info);
}

md_status lammps_data_read(md_system **out, const char *path, const md_model *m, const lmp_read_options *opt,
                           lmp_data_info *info_out) {
  *out = NULL;
  ldata *d = (ldata *)calloc(1, sizeof *d);
  if (!d) return md_error(MD_ERR_MEMORY, "out of memory");
  d->m = m;
  md_status st = tf_open(&d->r, path);
  if (st != MD_OK) {
    free(d);
    return st;
  }
  lmp_data_info info;
  memset(&info, 0, sizeof info);
  st = read_all(d, opt, &info);
  if (st == MD_OK) {
    check_model_values(d, opt, &info);
    if (info_out) *info_out = info;
    *out = d->s;
    d->s = NULL;
  }
  tf_close(&d->r);
  free(d->aline);
  free(d->order);
  free(d->q);
  free(d->vseen);
  system_destroy(&d->s);
  free(d);
  return st;
}
