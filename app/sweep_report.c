/* sweep_report.c — `esnapmd report OUT`: one JSON report of a temperature sweep, OUT/report.json, from what the
 * runs in OUT/T<T>K/ wrote (each part optional, left out when its file is missing):
 *   heatcap.json                  <E>, fluctuation Cv (host/analysis/heatcap_io.h)
 *   diffusion/summary.json        D* xyz, xy, z (app/replica_diffusion.h)
 *   diffusion/host.json           host sublattice: MSD, Lindemann ratio, melted (host/analysis/host_mobility.h)
 *   sites/summary.json            vacant and multiply occupied fractions of the Li(1), Li(2) sites and of all Li
 *   rdf/rdf.dat, spectra/spectrum.dat, density/density_Li.cube   (listed for the figures)
 * and the series: OUT/heatcap/cv.json (Cv(T), Ts), OUT/arrhenius/arrhenius.json (D* fits, the regime break).
 * Defect concentrations get the Arrhenius fits of the paper's eq. 8, [V] = [Li]·exp(−E_f / 2k_BT), with the fitting
 * code of host/analysis/arrhenius.h (slope of ln[V] against 1/T = −E_f/2k_B): one regime, and two regimes at the
 * break of the D* fit when there is one; melted temperatures are left out. `esnapmd sweep` writes the report at
 * its end; figures: python3 tools/plot_sweep.py OUT. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arrhenius.h"
#include "commands.h"
#include "heatcap_io.h"
#include "json_out.h"
#include "sweep_report.h"

#define REPORT_MAX_T 256
#define NSITE 3
static const char *site_key[NSITE] = {"Li1", "Li2", "Li"};

typedef struct tpoint {
  double T;
  char dir[MD_PATH_LEN];
  int has_hc, has_diff, has_host, has_sites;
  hc_point hc;
  double d[3], de[3];              /* D* xyz, xy, z (cm²/s) */
  double lindemann, msd_end;
  int melted;
  double vac[NSITE], vace[NSITE], mult[NSITE], multe[NSITE];
} tpoint;

static int exists(const char *p) { return access(p, R_OK) == 0; }

static char *read_opt(const char *dir, const char *name) {
  char p[2 * MD_PATH_LEN];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  char *text = NULL;
  if (!exists(p) || read_text_file(p, &text, NULL) != MD_OK) {
    md_clear_error();
    return NULL;
  }
  return text;
}

static double num(const char *text, const char *key) {
  double v;
  return json_get_number(text, key, &v) == 1 ? v : NAN;
}

/* BASE.NAME and BASE.stderr of a summary (NaN where missing). */
static void num_err(const char *text, const char *base, const char *name, double *v, double *e) {
  char key[128];
  snprintf(key, sizeof key, "%s.%s", base, name);
  *v = num(text, key);
  snprintf(key, sizeof key, "%s.stderr", base);
  *e = num(text, key);
}

static md_status read_tpoint(tpoint *p) {
  char path[2 * MD_PATH_LEN];
  snprintf(path, sizeof path, "%s/heatcap.json", p->dir);
  if (exists(path)) {
    MD_TRY(hc_read_point(path, &p->hc));
    p->has_hc = 1;
  }
  char *t = read_opt(p->dir, "diffusion/summary.json");
  if (t) {
    static const char *k[3] = {"D_tracer_xyz", "D_tracer_xy", "D_tracer_z"};
    for (int c = 0; c < 3; c++) num_err(t, k[c], "value", &p->d[c], &p->de[c]);
    p->has_diff = 1;
    free(t);
  }
  if ((t = read_opt(p->dir, "diffusion/host.json")) != NULL) {
    p->lindemann = num(t, "lindemann");
    p->msd_end = num(t, "msd_end_A2");
    p->melted = strstr(t, "\"melted\": true") != NULL;
    p->has_host = 1;
    free(t);
  }
  if ((t = read_opt(p->dir, "sites/summary.json")) != NULL) {
    char base[96];
    for (int s = 0; s < NSITE; s++) {
      snprintf(base, sizeof base, "vacant_fraction.%s", site_key[s]);
      num_err(t, base, "mean", &p->vac[s], &p->vace[s]);
      snprintf(base, sizeof base, "multiple_fraction.%s", site_key[s]);
      num_err(t, base, "mean", &p->mult[s], &p->multe[s]);
    }
    p->has_sites = 1;
    free(t);
  }
  return MD_OK;
}

static int by_t(const void *a, const void *b) {
  double x = ((const tpoint *)a)->T, y = ((const tpoint *)b)->T;
  return x < y ? -1 : x > y;
}

static void json_fit(json_writer *w, const char *key, const arr_fit *f, int ok) {
  json_object(w, key);
  json_value_err(w, "E_f_eV", ok ? 2 * f->ea : NAN, ok ? 2 * f->ea_err : NAN);
  json_value_err(w, "prefactor", ok ? f->d0 : NAN, ok ? f->d0_err : NAN);
  json_int(w, "n_points", ok ? f->n : 0);
  json_array(w, "T_range_K");
  json_number(w, NULL, ok ? f->tmin : NAN);
  json_number(w, NULL, ok ? f->tmax : NAN);
  json_end_array(w);
  json_end_object(w);
}

/* eq. 8 fits of one site type's vacant fraction over the crystalline temperatures */
static void defect_fits(json_writer *w, const tpoint *p, int n, int s, double brk) {
  double T[REPORT_MAX_T], V[REPORT_MAX_T], E[REPORT_MAX_T];
  int m = 0;
  for (int i = 0; i < n; i++)
    if (p[i].has_sites && !p[i].melted && p[i].vac[s] > 0 && isfinite(p[i].vac[s])) {
      T[m] = p[i].T;
      V[m] = p[i].vac[s];
      E[m] = p[i].vace[s];
      m++;
    }
  arr_fit one, lo, hi;
  json_object(w, site_key[s]);
  int ok = m >= 2 && arrhenius_fit(T, V, E, m, &one) == MD_OK;
  json_fit(w, "single", &one, ok);
  if (brk > 0) {
    int ok2 = arrhenius_two_regime(T, V, E, m, brk, 3, &lo, &hi, NULL, NULL) == MD_OK; /* 3 points per regime, as for D* */
    json_number(w, "break_K", brk);
    json_fit(w, "normal", &lo, ok2);
    json_fit(w, "superionic", &hi, ok2);
  }
  md_clear_error();
  json_end_object(w);
}

md_status sweep_report_write(const char *out) {
  tpoint *p = (tpoint *)calloc(REPORT_MAX_T, sizeof *p);
  if (!p) return md_error(MD_ERR_MEMORY, "out of memory");
  int n = 0;
  md_status st = MD_OK;
  DIR *dd = opendir(out);
  if (!dd) st = md_error(MD_ERR_IO, "report: %s: cannot open the sweep directory", out);
  struct dirent *e;
  while (st == MD_OK && (e = readdir(dd)) != NULL) {
    char *end;
    if (e->d_name[0] != 'T') continue;
    double T = strtod(e->d_name + 1, &end);
    if (end == e->d_name + 1 || strcmp(end, "K") != 0 || !(T > 0)) continue;
    if (n == REPORT_MAX_T) st = md_error(MD_ERR_VALUE, "report: %s: more than %d temperature directories", out, REPORT_MAX_T);
    else {
      p[n].T = T;
      snprintf(p[n].dir, MD_PATH_LEN, "%.*s/%s", MD_PATH_LEN / 2, out, e->d_name);
      n++;
    }
  }
  if (dd) closedir(dd);
  if (st == MD_OK && n == 0) st = md_error(MD_ERR_VALUE, "report: %s: no T<T>K directories (is this a sweep's output?)", out);
  qsort(p, (size_t)n, sizeof *p, by_t);
  for (int i = 0; i < n && st == MD_OK; i++) st = read_tpoint(&p[i]);
  if (st != MD_OK) {
    free(p);
    return st;
  }
  char *cv = read_opt(out, "heatcap/cv.json"), *arr = read_opt(out, "arrhenius/arrhenius.json");
  double brk = arr ? num(arr, "two_regime.break_K") : NAN;
  json_writer w;
  json_init(&w);
  json_program(&w);
  json_string(&w, "units", "T K, E eV, Cv k_B per atom, D cm^2/s, MSD A^2, fractions per site, E_f eV");
  json_string(&w, "figures", "python3 tools/plot_sweep.py <this directory>");
  json_array(&w, "temperatures_K");
  for (int i = 0; i < n; i++) json_number(&w, NULL, p[i].T);
  json_end_array(&w);
  json_array(&w, "per_temperature");
  for (int i = 0; i < n; i++) {
    const tpoint *q = &p[i];
    json_object(&w, NULL);
    json_number(&w, "temperature_K", q->T);
    json_string(&w, "dir", q->dir);
    if (q->has_hc) {
      json_value_err(&w, "E_mean_eV", q->hc.E, q->hc.E_err);
      json_value_err(&w, "Cv_fluct_kB_per_atom", hc_kb_per_atom(q->hc.cv, q->hc.natoms), hc_kb_per_atom(q->hc.cv_err, q->hc.natoms));
      json_number(&w, "equilibration_skipped_ps", q->hc.skip_ps);
    }
    if (q->has_diff) {
      json_value_err(&w, "D_tracer_xyz", q->d[0], q->de[0]);
      json_value_err(&w, "D_tracer_xy", q->d[1], q->de[1]);
      json_value_err(&w, "D_tracer_z", q->d[2], q->de[2]);
    }
    if (q->has_host) {
      json_number(&w, "host_msd_end_A2", q->msd_end);
      json_number(&w, "host_lindemann", q->lindemann);
      json_bool(&w, "melted", q->melted);
    }
    if (q->has_sites) {
      json_object(&w, "vacant_fraction");
      for (int s = 0; s < NSITE; s++) json_value_err(&w, site_key[s], q->vac[s], q->vace[s]);
      json_end_object(&w);
      json_object(&w, "multiple_fraction");
      for (int s = 0; s < NSITE; s++) json_value_err(&w, site_key[s], q->mult[s], q->multe[s]);
      json_end_object(&w);
    }
    json_object(&w, "files");
    static const char *files[] = {"rdf/rdf.dat", "spectra/spectrum.dat", "density/density_Li.cube"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
      char path[2 * MD_PATH_LEN];
      snprintf(path, sizeof path, "%s/%s", q->dir, files[f]);
      if (exists(path)) json_string(&w, files[f], path);
    }
    json_end_object(&w);
    json_end_object(&w);
  }
  json_end_array(&w);
  if (cv) {
    json_object(&w, "Ts");
    json_number(&w, "value_K", num(cv, "Ts.value_K"));
    json_number(&w, "low_K", num(cv, "Ts.low_K"));
    json_number(&w, "high_K", num(cv, "Ts.high_K"));
    json_string(&w, "source", "heatcap/cv.json (peak of the central-difference Cv)");
    json_end_object(&w);
  }
  if (arr) {
    json_object(&w, "diffusion_fits");
    json_string(&w, "source", "arrhenius/arrhenius.json");
    json_number(&w, "break_K", brk);
    static const char *k[3] = {"D_tracer_xyz", "D_tracer_xy", "D_tracer_z"};
    for (int c = 0; c < 3; c++) {
      char key[96];
      json_object(&w, k[c]);
      snprintf(key, sizeof key, "single.%s.Ea_eV.value", k[c]);
      json_number(&w, "Ea_eV", num(arr, key));
      snprintf(key, sizeof key, "two_regime.normal.%s.Ea_eV.value", k[c]);
      json_number(&w, "Ea_normal_eV", num(arr, key));
      snprintf(key, sizeof key, "two_regime.superionic.%s.Ea_eV.value", k[c]);
      json_number(&w, "Ea_superionic_eV", num(arr, key));
      json_end_object(&w);
    }
    json_end_object(&w);
  }
  int any_sites = 0;
  for (int i = 0; i < n; i++) any_sites |= p[i].has_sites;
  if (any_sites) {
    json_object(&w, "defect_fits");
    json_string(&w, "model", "[V] = [Li] exp(-E_f / (2 k_B T)) (eq. 8): Arrhenius fit of the vacant fraction, E_f = 2 x slope energy; "
                             "melted temperatures left out; two regimes at the D* break");
    for (int s = 0; s < NSITE; s++) defect_fits(&w, p, n, s, brk);
    json_end_object(&w);
  }
  int melted = 0;
  for (int i = 0; i < n; i++) melted += p[i].melted;
  json_int(&w, "n_melted", melted);
  char path[2 * MD_PATH_LEN];
  snprintf(path, sizeof path, "%s/report.json", out);
  st = json_write(&w, path);
  json_free(&w);
  free(cv);
  free(arr);
  free(p);
  return st;
}

md_status cmd_report(int argc, char **argv) {
  if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
    printf("usage: esnapmd report OUT\n"
           "  One JSON report (OUT/report.json) of the sweep whose outputs are in OUT (T<T>K/ directories, heatcap/,\n"
           "  arrhenius/): per temperature <E>, Cv, D*, host mobility and melt flag, site defects; Ts; D* and defect\n"
           "  Arrhenius fits. esnapmd sweep writes it at its end. Figures: python3 tools/plot_sweep.py OUT\n");
    return MD_OK;
  }
  if (argc != 2 || argv[1][0] == '-') return md_error(MD_ERR_VALUE, "report: give one sweep output directory (esnapmd report OUT)");
  MD_TRY(sweep_report_write(argv[1]));
  printf("wrote %s/report.json (figures: python3 tools/plot_sweep.py %s)\n", argv[1], argv[1]);
  return MD_OK;
}
