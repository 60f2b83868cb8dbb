#include "run_physics.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forcefield.h"
#include "strbuf.h"

/* v with the fewest digits that read back to the same double */
static void exact(char *out, size_t n, double v) {
  snprintf(out, n, "%.15g", v);
  if (strtod(out, NULL) != v) snprintf(out, n, "%.17g", v);
}

static void add(ckpt_physics *p, const char *key, const char *fmt, ...) {
  if (p->n >= CKPT_PHYS_MAX) return;
  snprintf(p->key[p->n], CKPT_PHYS_KEY, "%s", key);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->value[p->n], CKPT_PHYS_VALUE, fmt, ap);
  va_end(ap);
  p->n++;
}

/* "Li 0.8 N -2.4": one value per element */
static void add_per_element(ckpt_physics *p, const char *key, const md_model *m, const real_t *v) {
  char text[CKPT_PHYS_VALUE] = "", num[40];
  for (int e = 0; e < m->nelem; e++) {
    exact(num, sizeof num, v[e]);
    size_t at = strlen(text);
    snprintf(text + at, sizeof text - at, "%s%s %s", e ? " " : "", m->elem[e], num);
  }
  add(p, key, "%s", text);
}

/* FNV-1a (64 bit) of the bytes */
static uint64_t fingerprint(const void *data, size_t len) {
  const unsigned char *b = (const unsigned char *)data;
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t k = 0; k < len; k++) h = (h ^ b[k]) * 0x100000001b3ULL;
  return h;
}

static const char *method_name(int m) { return m == MD_COUL_PME ? "pme" : m == MD_COUL_EWALD ? "ewald" : "none"; }

md_status run_physics_record(const md_model *model, const md_backend_options *opt, ckpt_physics *out) {
  memset(out, 0, sizeof *out);
  ff_options fo;
  ff_options_from_backend(&fo, opt);
  md_model m;
  MD_TRY(ff_model_in_effect(model, &fo, &m));
  char a[40], b[40], c[40], d[40];
  add(out, "coulomb", "%s", method_name(m.coulomb));
  if (m.coulomb != MD_COUL_NONE) {
    exact(a, sizeof a, m.coulomb_accuracy);
    add(out, "coulomb accuracy", "%s", a);
    exact(a, sizeof a, m.coulomb_rcut);
    add(out, "coulomb rcut", "%s", m.coulomb_rcut > 0.0 ? a : "chosen");
    exact(a, sizeof a, m.coulomb_lammps.tabinner);
    if (m.coulomb_lammps.on)
      add(out, "coulomb lammps", "table %d tabinner %s tabsqrt %s", m.coulomb_lammps.table_bits, a,
          m.coulomb_lammps.tabsqrt_float ? "float" : "double");
    else
      add(out, "coulomb lammps", "off");
  }
  exact(a, sizeof a, fo.skin);
  add(out, "neighbour skin", "%s", a);
  char elems[CKPT_PHYS_VALUE] = "";
  for (int e = 0; e < m.nelem; e++) {
    size_t at = strlen(elems);
    snprintf(elems + at, sizeof elems - at, "%s%s", e ? " " : "", m.elem[e]);
  }
  add(out, "elements", "%s", elems);
  add_per_element(out, "masses", &m, m.mass);
  add_per_element(out, "charges", &m, m.charge);
  if (m.has_snap) {
    const snap_params *s = &m.snap;
    exact(a, sizeof a, s->rcutfac);
    exact(b, sizeof b, s->rfac0);
    exact(c, sizeof c, s->rmin0);
    add(out, "SNAP", "rcutfac %s rfac0 %s rmin0 %s twojmax %d switchflag %d bzeroflag %d wselfallflag %d", a, b, c, s->twojmax,
        s->switchflag, s->bzeroflag, s->wselfallflag);
    add_per_element(out, "SNAP radii", &m, s->radius);
    add_per_element(out, "SNAP weights", &m, s->weight);
    int ne = s->nelem < 0 ? 0 : s->nelem > MD_MAX_ELEM ? MD_MAX_ELEM : s->nelem;
    int nc = s->ncoeff < 0 ? 0 : s->ncoeff > MD_SNAP_MAX_COEFF ? MD_SNAP_MAX_COEFF : s->ncoeff;
    add(out, "SNAP coefficients", "%d per element, fingerprint %016llx", nc,
        (unsigned long long)fingerprint(s->beta, (size_t)ne * (size_t)nc * sizeof(real_t)));
  } else {
    add(out, "SNAP", "none");
  }
  if (m.has_zbl) {
    exact(a, sizeof a, m.zbl_inner);
    exact(b, sizeof b, m.zbl_outer);
    add(out, "ZBL", "inner %s outer %s", a, b);
    add_per_element(out, "ZBL Z", &m, m.zbl_z);
  } else {
    add(out, "ZBL", "none");
  }
  const md_integrator_params *ip = &opt->integ;
  if (ip->ensemble == MD_ENS_NVT) {
    exact(a, sizeof a, ip->t_start);
    exact(b, sizeof b, ip->t_stop);
    exact(c, sizeof c, ip->t_damp);
    exact(d, sizeof d, ip->drag);
    char ramp[96] = "";
    if (ip->t_stop != ip->t_start) snprintf(ramp, sizeof ramp, " -> %s K over steps %ld..%ld", b, ip->ramp_begin, ip->ramp_end);
    add(out, "thermostat", "nvt %s K%s, Tdamp %s ps, tloop %d, drag %s", a, ramp, c, ip->tloop, d);
  } else {
    add(out, "thermostat", "none (nve)");
  }
  return MD_OK;
}

static const char *find(const ckpt_physics *p, const char *key) {
  for (int k = 0; k < p->n; k++)
    if (strcmp(p->key[k], key) == 0) return p->value[k];
  return NULL;
}

md_status run_physics_check(const ckpt_physics *saved, const ckpt_physics *now, const char *path, int allow, FILE *warn) {
  strbuf msg;
  strbuf_init(&msg);
  if (saved->n == 0) {
    strbuf_printf(&msg, "%s: written by an earlier esnapmd that did not record the model, Coulomb, neighbour and thermostat "
                  "settings, so a change of physics cannot be detected", path);
  } else {
    int changed = 0;
    for (int k = 0; k < now->n; k++) {
      const char *old = find(saved, now->key[k]);
      if (old && strcmp(old, now->value[k]) == 0) continue;
      strbuf_printf(&msg, "%s%s: checkpoint %s, now %s", changed++ ? "; " : "", now->key[k], old ? old : "(not recorded)",
                    now->value[k]);
    }
    for (int k = 0; k < saved->n; k++)
      if (!find(now, saved->key[k]))
        strbuf_printf(&msg, "%s%s: checkpoint %s, now not applicable", changed++ ? "; " : "", saved->key[k], saved->value[k]);
    if (!changed) {
      strbuf_free(&msg);
      return MD_OK;
    }
  }
  md_status st = MD_OK;
  const char *text = msg.data ? msg.data : "";
  if (!allow && saved->n == 0)
    st = md_error(MD_ERR_VALUE, "%s; continue with --allow-changes if they are unchanged", text);
  else if (!allow)
    st = md_error(MD_ERR_VALUE, "%s: the deck or model changes the physics of this checkpoint (%s); continue with --allow-changes to accept",
                  path, text);
  else if (warn && saved->n == 0)
    fprintf(warn, "esnapmd: warning: --allow-changes: %s\n", text);
  else if (warn)
    fprintf(warn, "esnapmd: warning: --allow-changes: %s: continuing with changed physics (%s)\n", path, text);
  strbuf_free(&msg);
  return st;
}
