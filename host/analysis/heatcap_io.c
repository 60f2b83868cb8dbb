/* heatcap_io.c — thermo reader, heatcap.json, cv.json / cv.dat (heatcap_io.h). */
#include "heatcap_io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_skip.h"
#include "atomic_file.h"
#include "json_out.h"
#include "linereader.h"
#include "strbuf.h"

static const char *kEnergy = "etotal = KE + PE of the atoms (thermo column etotal): canonically distributed under the "
                             "Nose-Hoover chain, whose variables decouple from the atoms in its invariant measure";

void hc_pool(const hc_stats *s, int nrep, double T, int natoms, double skip_ps, hc_point *p) {
  memset(p, 0, sizeof *p);
  p->T = T;
  p->natoms = natoms;
  p->nrep = nrep;
  p->skip_ps = skip_ps;
  if (nrep <= 0) return;
  p->t_first = s[0].t_first;
  p->t_last = s[0].t_last;
  p->n = s[0].n;
  p->nblocks = s[0].nblocks;
  p->block_len = s[0].block_len;
  double e2 = 0.0, v2 = 0.0;
  for (int r = 0; r < nrep; r++) {
    p->E += s[r].mean / nrep;
    p->var += s[r].var / nrep;
    e2 += s[r].mean_err * s[r].mean_err;
    v2 += s[r].var_err * s[r].var_err;
  }
  p->E_err = sqrt(e2) / nrep;
  p->var_err = sqrt(v2) / nrep;
  hc_stats pooled = s[0];
  pooled.var = p->var;
  pooled.var_err = p->var_err;
  hc_cv_fluct(&pooled, T, &p->cv, &p->cv_err);
}

/* "; 32 atoms (" and "ensemble nvt T 300 K," of the run description (app/run.c) */
static void parse_header(const char *line, double *T, int *natoms) {
  const char *a = strstr(line, " atoms (");
  if (a && strncmp(line, "# deck ", 7) == 0) {
    const char *b = a;
    while (b > line && b[-1] >= '0' && b[-1] <= '9') b--;
    if (b < a) *natoms = atoi(b);
  }
  const char *e = strstr(line, "ensemble nvt T ");
  if (e) {
    char *end;
    double t = strtod(e + 15, &end);
    *T = (end != e + 15 && strncmp(end, " K,", 3) == 0) ? t : 0.0; /* "-> ramp": no single temperature */
  }
}

md_status hc_read_thermo(const char *path, double skip_ps, hc_acc *a, double *T, int *natoms) {
  linereader r;
  MD_TRY(lr_open(&r, path));
  *T = 0.0;
  *natoms = 0;
  double t0 = 0.0;
  long rows = 0;
  md_status st = MD_OK;
  int k;
  while ((k = lr_next(&r)) == 1) {
    const char *s = r.buf;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '#') {
      parse_header(s, T, natoms);
      continue;
    }
    if (!*s) continue;
    double v[8];
    char *p = (char *)s, *end;
    int nv = 0;
    for (; nv < 8; nv++) {
      v[nv] = strtod(p, &end);
      if (end == p) break;
      p = end;
    }
    if (nv < 6 || !isfinite(v[1]) || !isfinite(v[5])) {
      st = md_error(MD_ERR_PARSE, "%s:%d: not a thermo row (step time temp pe ke etotal ...)", path, r.line);
      break;
    }
    if (rows++ == 0) t0 = v[1];
    if (!analysis_skip(v[1], t0, skip_ps)) hc_add(a, v[5], v[1]);
  }
  if (k < 0 && st == MD_OK) st = md_error(MD_ERR_IO, "%s:%d: read error", path, r.line);
  lr_close(&r);
  MD_TRY(st);
  if (*natoms <= 0) return md_error(MD_ERR_PARSE, "%s: no '# deck ...; N atoms' header line (not an esnapmd thermo file?)", path);
  if (a->n < 2)
    return md_error(MD_ERR_VALUE, "%s: %ld energy sample(s) after skipping %g ps: need at least 2", path, a->n, skip_ps);
  return MD_OK;
}

static void stats_members(json_writer *w, double E, double Ee, double v, double ve, double cv, double cve, int natoms) {
  json_value_err(w, "E_mean_eV", E, Ee);
  json_value_err(w, "E_var_eV2", v, ve);
  json_value_err(w, "Cv_fluct_eV_K", cv, cve);
  json_value_err(w, "Cv_fluct_kB_per_atom", hc_kb_per_atom(cv, natoms), hc_kb_per_atom(cve, natoms));
  json_value_err(w, "Cv_fluct_J_mol_K", hc_j_mol_k(cv, natoms), hc_j_mol_k(cve, natoms));
}

md_status hc_write_point(const char *path, const hc_point *p, const hc_stats *reps, int nrep) {
  json_writer w;
  json_init(&w);
  json_program(&w);
  json_string(&w, "units", "T K, time ps, E eV, Var(E) eV^2, Cv eV/K, k_B per atom, J mol^-1 K^-1 per mole of atoms");
  json_string(&w, "energy", kEnergy);
  json_string(&w, "errors", "block averaging: 32-64 equal blocks of the samples after the skipped span (heatcap.h); "
                            "replicas pooled as independent runs");
  json_number(&w, "temperature_K", p->T);
  json_int(&w, "n_atoms", p->natoms);
  json_int(&w, "n_replicas", p->nrep);
  json_number(&w, "skipped_ps", p->skip_ps);
  json_array(&w, "span_ps");
  json_number(&w, NULL, p->t_first);
  json_number(&w, NULL, p->t_last);
  json_end_array(&w);
  json_int(&w, "n_samples", p->n);
  json_int(&w, "n_blocks", p->nblocks);
  json_int(&w, "block_samples", p->block_len);
  stats_members(&w, p->E, p->E_err, p->var, p->var_err, p->cv, p->cv_err, p->natoms);
  json_array(&w, "replicas");
  for (int r = 0; r < nrep; r++) {
    double cv, cve;
    hc_cv_fluct(&reps[r], p->T, &cv, &cve);
    json_object(&w, NULL);
    json_int(&w, "n_samples", reps[r].n);
    stats_members(&w, reps[r].mean, reps[r].mean_err, reps[r].var, reps[r].var_err, cv, cve, p->natoms);
    json_end_object(&w);
  }
  json_end_array(&w);
  md_status st = json_write(&w, path);
  json_free(&w);
  return st;
}

md_status hc_read_point(const char *path, hc_point *p) {
  char *text = NULL;
  size_t len = 0;
  MD_TRY(read_text_file(path, &text, &len));
  memset(p, 0, sizeof *p);
  double v[12];
  static const char *keys[12] = {"temperature_K", "n_atoms", "n_replicas", "skipped_ps", "n_samples", "E_mean_eV.value",
                                 "E_mean_eV.stderr", "E_var_eV2.value", "E_var_eV2.stderr", "Cv_fluct_eV_K.value",
                                 "Cv_fluct_eV_K.stderr", "n_blocks"};
  md_status st = MD_OK;
  for (int k = 0; k < 12 && st == MD_OK; k++)
    if (json_get_number(text, keys[k], &v[k]) != 1) st = md_error(MD_ERR_PARSE, "%s: no number '%s'", path, keys[k]);
  free(text);
  MD_TRY(st);
  p->T = v[0];
  p->natoms = (int)v[1];
  p->nrep = (int)v[2];
  p->skip_ps = v[3];
  p->n = (long)v[4];
  p->E = v[5];
  p->E_err = v[6];
  p->var = v[7];
  p->var_err = v[8];
  p->cv = v[9];
  p->cv_err = v[10];
  p->nblocks = (int)v[11];
  return MD_OK;
}

static int by_t(const void *a, const void *b) {
  double x = ((const hc_point *)a)->T, y = ((const hc_point *)b)->T;
  return x < y ? -1 : x > y;
}

md_status hc_write_series(const char *dir, hc_point *p, int n, const char *what) {
  if (n < 3)
    return md_error(MD_ERR_VALUE, "%s: %d temperature(s): too few temperatures for differences (central differences need at least 3)",
                    what, n);
  qsort(p, (size_t)n, sizeof *p, by_t);
  double *buf = (double *)calloc((size_t)n * 5, sizeof *buf);
  if (!buf) return md_error(MD_ERR_MEMORY, "out of memory");
  double *T = buf, *E = buf + n, *Ee = buf + 2 * n, *cv = buf + 3 * n, *cve = buf + 4 * n;
  for (int i = 0; i < n; i++) {
    T[i] = p[i].T;
    E[i] = p[i].E;
    Ee[i] = p[i].E_err;
  }
  md_status st = hc_differences(T, E, Ee, n, cv, cve);
  if (st != MD_OK) {
    char msg[512];
    snprintf(msg, sizeof msg, "%s", md_errmsg());
    free(buf);
    return md_error(st, "%s: %s", what, msg);
  }
  int pk = hc_peak(cv, n), na = p[0].natoms;
  json_writer w;
  json_init(&w);
  json_program(&w);
  json_string(&w, "units", "T K, E eV, Cv eV/K (whole system), k_B per atom, J mol^-1 K^-1 per mole of atoms");
  json_string(&w, "energy", kEnergy);
  json_string(&w, "difference_route", "Cv(T_i) = (E_{i+1} - E_{i-1}) / (T_{i+1} - T_{i-1}), interior temperatures; "
                                      "stderr = sqrt(s_{i+1}^2 + s_{i-1}^2) / (T_{i+1} - T_{i-1})");
  json_string(&w, "fluctuation_route", "Cv = Var(E) / (k_B T^2) at each temperature");
  json_int(&w, "n_atoms", na);
  json_array(&w, "points");
  for (int i = 0; i < n; i++) {
    json_object(&w, NULL);
    json_number(&w, "temperature_K", T[i]);
    json_number(&w, "skipped_ps", p[i].skip_ps);
    json_int(&w, "n_samples", p[i].n);
    json_value_err(&w, "E_mean_eV", E[i], Ee[i]);
    json_value_err(&w, "Cv_diff_kB_per_atom", hc_kb_per_atom(cv[i], na), hc_kb_per_atom(cve[i], na));
    json_value_err(&w, "Cv_diff_J_mol_K", hc_j_mol_k(cv[i], na), hc_j_mol_k(cve[i], na));
    json_value_err(&w, "Cv_fluct_kB_per_atom", hc_kb_per_atom(p[i].cv, na), hc_kb_per_atom(p[i].cv_err, na));
    json_value_err(&w, "Cv_fluct_J_mol_K", hc_j_mol_k(p[i].cv, na), hc_j_mol_k(p[i].cv_err, na));
    json_end_object(&w);
  }
  json_end_array(&w);
  json_object(&w, "Ts");
  json_number(&w, "value_K", pk >= 0 ? T[pk] : NAN);
  json_number(&w, "low_K", pk >= 0 ? T[pk - 1] : NAN);
  json_number(&w, "high_K", pk >= 0 ? T[pk + 1] : NAN);
  json_value_err(&w, "Cv_peak_kB_per_atom", pk >= 0 ? hc_kb_per_atom(cv[pk], na) : NAN, pk >= 0 ? hc_kb_per_atom(cve[pk], na) : NAN);
  json_string(&w, "rule", "temperature of the largest difference-route Cv; bounded by the neighbouring temperatures of "
                          "that difference");
  json_end_object(&w);
  char path[2 * 4096];
  st = make_dirs(dir);
  snprintf(path, sizeof path, "%s/cv.json", dir);
  if (st == MD_OK) st = json_write(&w, path);
  json_free(&w);
  if (st == MD_OK) {
    strbuf b;
    strbuf_init(&b);
    strbuf_printf(&b, "# esnapmd %s (commit %s): heat capacity at constant volume, %d atoms\n", ESNAP_VERSION, ESNAP_COMMIT, na);
    strbuf_printf(&b, "# energy: %s\n", kEnergy);
    strbuf_printf(&b, "# units: T K, E eV, Cv k_B per atom (J mol^-1 K^-1 = k_B per atom x %.9g); diff = central differences "
                      "of E(T), fluct = Var(E)/(k_B T^2); nan = none\n", 8.314462618);
    if (pk >= 0) strbuf_printf(&b, "# Ts = %g K (between %g and %g K)\n", T[pk], T[pk - 1], T[pk + 1]);
    strbuf_printf(&b, "# T_K E_eV E_err_eV Cv_diff Cv_diff_err Cv_fluct Cv_fluct_err\n");
    for (int i = 0; i < n; i++)
      strbuf_printf(&b, "%g %.10g %.4g %.6g %.4g %.6g %.4g\n", T[i], E[i], Ee[i], hc_kb_per_atom(cv[i], na),
                    hc_kb_per_atom(cve[i], na), hc_kb_per_atom(p[i].cv, na), hc_kb_per_atom(p[i].cv_err, na));
    snprintf(path, sizeof path, "%s/cv.dat", dir);
    st = b.failed ? md_error(MD_ERR_MEMORY, "out of memory") : write_file_atomic(path, b.data, b.len);
    strbuf_free(&b);
  }
  free(buf);
  return st;
}
