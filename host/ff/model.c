#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coul_table.h"
#include "math/snap.h"
#include "ranges.h"
#include "snap_io.h"
#include "textfile.h"

const char *model_default_path(void) {
  const char *env = getenv("ESNAPMD_MODEL");
  return (env && env[0]) ? env : ESNAP_DEFAULT_MODEL;
}

static int elem_index(const md_model *m, const char *name) {
  for (int k = 0; k < m->nelem; k++)
    if (strcmp(m->elem[k], name) == 0) return k;
  return -1;
}

/* "Li 6.941 N 14.0067" pairs after the keyword, each value in [lo, hi] (unit for the message) */
static md_status read_pairs(const textfile *t, const md_model *m, const char *what, real_t lo, real_t hi,
                            const char *unit, real_t *vals, int *seen) {
  if (t->nwords < 3 || (t->nwords - 1) % 2 != 0)
    return md_error(MD_ERR_PARSE, "%s:%d: '%s' expects element/value pairs", t->path, t->line, t->word[0]);
  for (int k = 1; k + 1 < t->nwords; k += 2) {
    int e = elem_index(m, t->word[k]);
    if (e < 0)
      return md_error(MD_ERR_VALUE, "%s:%d: unknown element '%s' (declare it on the 'elements' line first)", t->path,
                      t->line, t->word[k]);
    MD_TRY(tf_real_range(t, k + 1, what, lo, hi, unit, &vals[e]));
    seen[e] = 1;
  }
  return MD_OK;
}

md_status model_parse_coulomb_lammps(const textfile *t, int k, md_coulomb_lammps *l, int *next) {
  l->on = 1;
  l->table_bits = COUL_TABLE_BITS_DEFAULT;
  l->tabinner = sqrt(2.0);
  for (k++; k < t->nwords; k += 2) {
    if (strcmp(t->word[k], "table") == 0) {
      MD_TRY(tf_int(t, k + 1, "number of table bits", &l->table_bits));
      if (l->table_bits < 0 || l->table_bits > COUL_TABLE_MAX_BITS)
        return md_error(MD_ERR_VALUE, "%s:%d: table %d: bits must be 0 (no table) … %d, as LAMMPS pair_modify table", t->path, t->line,
                        l->table_bits, COUL_TABLE_MAX_BITS);
    } else if (strcmp(t->word[k], "tabsqrt") == 0) {
      if (k + 1 >= t->nwords || (strcmp(t->word[k + 1], "float") != 0 && strcmp(t->word[k + 1], "double") != 0))
        return md_error(MD_ERR_PARSE, "%s:%d: tabsqrt expects float (LAMMPS 2022 and older) or double (LAMMPS 2025)", t->path, t->line);
      l->tabsqrt_float = strcmp(t->word[k + 1], "float") == 0;
    } else if (strcmp(t->word[k], "tabinner") == 0) {
      MD_TRY(tf_real(t, k + 1, "tabinner", &l->tabinner));
      if (!(l->tabinner > 0)) return md_error(MD_ERR_VALUE, "%s:%d: tabinner must be a positive length (A)", t->path, t->line);
    } else {
      break;
    }
  }
  *next = k;
  if (l->table_bits > 0 && l->table_bits < 3)
    return md_error(MD_ERR_VALUE, "%s:%d: table %d: LAMMPS needs at least 3 mantissa bits (use 0 or a larger table)", t->path,
                    t->line, l->table_bits);
  return MD_OK;
}

static md_status parse_line(textfile *t, md_model *m, int *seen_mass, int *seen_q, int *seen_z, const char *dir) {
  const char *key = t->word[0];
  if (strcmp(key, "elements") == 0) {
    if (m->nelem) return md_error(MD_ERR_PARSE, "%s:%d: 'elements' given twice", t->path, t->line);
    if (t->nwords < 2) return md_error(MD_ERR_PARSE, "%s:%d: 'elements' needs at least one symbol", t->path, t->line);
    if (t->nwords - 1 > MD_MAX_ELEM)
      return md_error(MD_ERR_UNSUPPORTED, "%s:%d: at most %d elements", t->path, t->line, MD_MAX_ELEM);
    for (int k = 1; k < t->nwords; k++) {
      if (strlen(t->word[k]) >= MD_NAME_LEN)
        return md_error(MD_ERR_VALUE, "%s:%d: element name '%s' too long", t->path, t->line, t->word[k]);
      if (elem_index(m, t->word[k]) >= 0)
        return md_error(MD_ERR_VALUE, "%s:%d: element '%s' listed twice", t->path, t->line, t->word[k]);
      strcpy(m->elem[m->nelem++], t->word[k]);
    }
    return MD_OK;
  }
  if (!m->nelem && strcmp(key, "coulomb") != 0)
    return md_error(MD_ERR_PARSE, "%s:%d: '%s' before the 'elements' line", t->path, t->line, key);
  if (strcmp(key, "mass") == 0) {
    MD_TRY(read_pairs(t, m, "mass", 0.0, MD_RANGE_MASS_MAX, "g/mol", m->mass, seen_mass));
    for (int e = 0; e < m->nelem; e++)
      if (seen_mass[e] && !(m->mass[e] > 0))
        return md_error(MD_ERR_VALUE, "%s:%d: mass of %s must be positive", t->path, t->line, m->elem[e]);
    return MD_OK;
  }
  if (strcmp(key, "charge") == 0)
    return read_pairs(t, m, "charge", -MD_RANGE_CHARGE_MAX, MD_RANGE_CHARGE_MAX, "e", m->charge, seen_q);
  if (strcmp(key, "snap") == 0) {
    if (t->nwords != 3)
      return md_error(MD_ERR_PARSE, "%s:%d: 'snap' expects COEFF_FILE PARAM_FILE", t->path, t->line);
    char coeff[MD_PATH_LEN], param[MD_PATH_LEN];
    tf_join(dir, t->word[1], coeff, sizeof coeff);
    tf_join(dir, t->word[2], param, sizeof param);
    snap_params raw;
    MD_TRY(snap_read(&raw, coeff, param));
    /* reorder to the model's element order */
    snap_params *p = &m->snap;
    *p = raw;
    p->nelem = m->nelem;
    for (int e = 0; e < m->nelem; e++) {
      int k = -1;
      for (int q = 0; q < raw.nelem; q++)
        if (strcmp(raw.elem[q], m->elem[e]) == 0) k = q;
      if (k < 0)
        return md_error(MD_ERR_VALUE, "%s:%d: SNAP file %s has no coefficients for element %s", t->path, t->line,
                        coeff, m->elem[e]);
      strcpy(p->elem[e], raw.elem[k]);
      p->radius[e] = raw.radius[k];
      p->weight[e] = raw.weight[k];
      memcpy(&p->beta[e * raw.ncoeff], &raw.beta[k * raw.ncoeff], (size_t)raw.ncoeff * sizeof(real_t));
    }
    m->has_snap = 1;
    return MD_OK;
  }
  if (strcmp(key, "zbl") == 0) {
    if (t->nwords < 3) return md_error(MD_ERR_PARSE, "%s:%d: 'zbl' expects INNER OUTER then element/Z pairs", t->path, t->line);
    MD_TRY(tf_real_range(t, 1, "ZBL inner cutoff", 0.0, MD_RANGE_CUTOFF_MAX, "Å", &m->zbl_inner));
    MD_TRY(tf_real_range(t, 2, "ZBL outer cutoff", 0.0, MD_RANGE_CUTOFF_MAX, "Å", &m->zbl_outer));
    if (!(m->zbl_inner > 0 && m->zbl_outer > m->zbl_inner))
      return md_error(MD_ERR_VALUE, "%s:%d: ZBL needs 0 < inner < outer", t->path, t->line);
    textfile sub = *t;
    sub.nwords = t->nwords - 2;
    for (int k = 0; k < sub.nwords; k++) sub.word[k] = t->word[k + 2];
    sub.word[0] = t->word[0];
    MD_TRY(read_pairs(&sub, m, "nuclear charge Z", MD_RANGE_Z_MIN, MD_RANGE_Z_MAX, "", m->zbl_z, seen_z));
    m->has_zbl = 1;
    return MD_OK;
  }
  if (strcmp(key, "coulomb") == 0) {
    if (t->nwords < 2) return md_error(MD_ERR_PARSE, "%s:%d: 'coulomb' expects pme|ewald ACCURACY or none", t->path, t->line);
    if (strcmp(t->word[1], "none") == 0) {
      m->coulomb = MD_COUL_NONE;
      return MD_OK;
    }
    if (strcmp(t->word[1], "pme") == 0) m->coulomb = MD_COUL_PME;
    else if (strcmp(t->word[1], "ewald") == 0) m->coulomb = MD_COUL_EWALD;
    else
      return md_error(MD_ERR_VALUE, "%s:%d: unknown Coulomb method '%s' (pme, ewald or none)", t->path, t->line, t->word[1]);
    MD_TRY(tf_real_range(t, 2, "Coulomb accuracy", MD_RANGE_COUL_ACC_MIN, MD_RANGE_COUL_ACC_MAX, "", &m->coulomb_accuracy));
    for (int k = 3; k < t->nwords;) {
      if (strcmp(t->word[k], "rcut") == 0) {
        MD_TRY(tf_real_range(t, k + 1, "Coulomb real-space cutoff", MD_RANGE_COUL_RCUT_MIN, MD_RANGE_COUL_RCUT_MAX, "Å",
                             &m->coulomb_rcut));
        k += 2;
      } else if (strcmp(t->word[k], "lammps") == 0) {
        MD_TRY(model_parse_coulomb_lammps(t, k, &m->coulomb_lammps, &k));
      } else {
        return md_error(MD_ERR_PARSE, "%s:%d: unknown 'coulomb' option '%s' (rcut R, lammps [table N] [tabinner R] [tabsqrt float|double])", t->path,
                        t->line, t->word[k]);
      }
    }
    return MD_OK;
  }
  return md_error(MD_ERR_PARSE, "%s:%d: unknown keyword '%s' (expected elements, mass, charge, snap, zbl, coulomb)",
                  t->path, t->line, key);
}

md_status model_read(md_model *m, const char *path) {
  memset(m, 0, sizeof *m);
  snprintf(m->path, sizeof m->path, "%s", path);
  m->coulomb = MD_COUL_NONE;
  textfile t;
  MD_TRY(tf_open(&t, path));
  char dir[MD_PATH_LEN];
  tf_dirname(path, dir, sizeof dir);
  int seen_mass[MD_MAX_ELEM] = {0}, seen_q[MD_MAX_ELEM] = {0}, seen_z[MD_MAX_ELEM] = {0};
  md_status st = MD_OK;
  int any = 0, coulomb_line = 0, elements_line = 0, zbl_line = 0;
  while (st == MD_OK && tf_next(&t, &st)) {
    any = 1;
    if (strcmp(t.word[0], "coulomb") == 0) coulomb_line = t.line;
    if (strcmp(t.word[0], "elements") == 0) elements_line = t.line;
    if (strcmp(t.word[0], "zbl") == 0) zbl_line = t.line;
    st = parse_line(&t, m, seen_mass, seen_q, seen_z, dir);
  }
  tf_close(&t);
  MD_TRY(st);
  if (!any || m->nelem == 0) return md_error(MD_ERR_PARSE, "%s: no 'elements' line", path);
  for (int e = 0; e < m->nelem; e++) {
    if (!seen_mass[e])
      return md_error(MD_ERR_VALUE, "%s:%d: no 'mass' line gives a mass for element %s", path, elements_line, m->elem[e]);
    if (m->has_zbl && !seen_z[e])
      return md_error(MD_ERR_VALUE, "%s:%d: 'zbl' gives no Z for element %s", path, zbl_line, m->elem[e]);
  }
  int charged = 0;
  for (int e = 0; e < m->nelem; e++) charged |= (m->charge[e] != 0.0);
  if (charged && m->coulomb == MD_COUL_NONE && !coulomb_line) {
    m->coulomb = MD_COUL_PME; /* charges without a method: PME at the default accuracy */
    m->coulomb_accuracy = 1e-5;
  }
  if (!charged) m->coulomb = MD_COUL_NONE;
  if (!m->has_snap && !m->has_zbl && m->coulomb == MD_COUL_NONE)
    return md_error(MD_ERR_VALUE, "%s: the model has no interactions (no snap, zbl or charges)", path);
  return MD_OK;
}

void model_elements(const md_model *m, io_elements *out) {
  memset(out, 0, sizeof *out);
  out->n = m->nelem;
  for (int e = 0; e < m->nelem; e++) strcpy(out->name[e], m->elem[e]);
}

md_status model_map_system(const md_model *m, md_system *s, const char *where) {
  int map[MD_MAX_ELEM];
  for (int k = 0; k < s->nelem; k++) {
    map[k] = elem_index(m, s->elem[k]);
    if (map[k] < 0) {
      int used = 0;
      for (int i = 0; i < s->n; i++) used |= (s->type[i] == k);
      if (used) return md_error(MD_ERR_VALUE, "%s: element '%s' is not in the model %s", where, s->elem[k], m->path);
    }
  }
  for (int i = 0; i < s->n; i++) s->type[i] = map[s->type[i]];
  s->nelem = m->nelem;
  for (int e = 0; e < m->nelem; e++) strcpy(s->elem[e], m->elem[e]);
  return MD_OK;
}

real_t model_short_cutoff(const md_model *m) {
  real_t rc = 0.0;
  if (m->has_snap) rc = snap_max_cutoff(&m->snap);
  if (m->has_zbl && m->zbl_outer > rc) rc = m->zbl_outer;
  return rc;
}
