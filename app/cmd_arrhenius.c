/* cmd_arrhenius.c — `esnapmd arrhenius DIR... -o OUT`: Arrhenius fits of the diffusivities in several
 * summary.json files (one per temperature), one regime or two, conductivity extrapolated to 300 K.
 * A temperature whose run melted (host.json next to its summary.json, host/analysis/host_mobility.h, says
 * "melted": true) is listed but left out of every fit with a note: no regime is ever named from a liquid.
 * Two regimes need at least 3 points each by default (--min-points); `--break auto` with fewer usable
 * temperatures than that fits one regime and says so. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arrhenius.h"
#include "commands.h"
#include "diffusion.h"
#include "json_out.h"
#include "strbuf.h"

#define NQ 6
static const char *qname[NQ] = {"D_tracer_xyz", "D_tracer_xy", "D_tracer_z", "D_charge_xyz", "D_charge_xy", "D_charge_z"};
static const char *comp[3] = {"xyz", "xy", "z"};

typedef struct point {
  double T, rho; /* K, mol/cm³ */
  double d[NQ], e[NQ];
  double h[3], he[3];
  char path[1024];
  int melted; /* host.json: the host sublattice melted */
} point;

static md_status read_point(const char *arg, point *p) {
  struct stat st;
  char path[1024];
  if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) snprintf(path, sizeof path, "%s/summary.json", arg);
  else snprintf(path, sizeof path, "%s", arg);
  snprintf(p->path, sizeof p->path, "%s", path);
  char *text = NULL;
  MD_TRY(read_text_file(path, &text, NULL));
  md_status s = MD_OK;
  char key[64];
  if (json_get_number(text, "temperature", &p->T) != 1 || !(p->T > 0))
    s = md_error(MD_ERR_PARSE, "%s: no valid \"temperature\" (is this an esnapmd analyze summary.json?)", path);
  if (json_get_number(text, "molar_density", &p->rho) != 1) p->rho = NAN;
  for (int q = 0; q < NQ && s == MD_OK; q++) {
    snprintf(key, sizeof key, "%s.value", qname[q]);
    if (json_get_number(text, key, &p->d[q]) != 1) s = md_error(MD_ERR_PARSE, "%s: no \"%s\"", path, key);
    snprintf(key, sizeof key, "%s.stderr", qname[q]);
    if (json_get_number(text, key, &p->e[q]) != 1) p->e[q] = NAN;
  }
  static const char *c[3] = {"xyz", "xy", "z"};
  for (int q = 0; q < 3 && s == MD_OK; q++) {
    snprintf(key, sizeof key, "haven_ratio_%s.value", c[q]);
    if (json_get_number(text, key, &p->h[q]) != 1) p->h[q] = NAN;
    snprintf(key, sizeof key, "haven_ratio_%s.stderr", c[q]);
    if (json_get_number(text, key, &p->he[q]) != 1) p->he[q] = NAN;
  }
  free(text);
  /* host.json beside summary.json (on-the-fly diffusion, esnapmd analyze): the melt flag */
  char hp[1100];
  const char *slash = strrchr(path, '/');
  snprintf(hp, sizeof hp, "%.*shost.json", slash ? (int)(slash - path + 1) : 0, path);
  double m = 0;
  if (s == MD_OK && read_text_file(hp, &text, NULL) == MD_OK) {
    if (strstr(text, "\"melted\": true")) m = 1;
    free(text);
  } else {
    md_clear_error();
  }
  p->melted = m > 0;
  return s;
}

static void invalid(arr_fit *f) {
  memset(f, 0, sizeof *f);
  f->slope = f->intercept = f->var_slope = f->var_intercept = f->cov = NAN;
  f->ea = f->ea_err = f->d0 = f->d0_err = f->chi2 = f->tmin = f->tmax = NAN;
}

static void json_fit(json_writer *w, const char *key, const arr_fit *f) {
  json_object(w, key);
  json_value_err(w, "Ea_eV", f->ea, f->ea_err);
  json_value_err(w, "prefactor_cm2_s", f->d0, f->d0_err);
  json_array(w, "T_range_K");
  json_number(w, NULL, f->tmin);
  json_number(w, NULL, f->tmax);
  json_end_array(w);
  json_int(w, "n_points", f->n);
  json_number(w, "chi2", f->chi2);
  json_int(w, "dof", f->dof);
  json_bool(w, "weighted", f->weighted);
  json_end_object(w);
}

/* σ(T) in mS/cm from an Arrhenius fit of a diffusivity: Nernst–Einstein with the mean molar density */
static void sigma_at(const arr_fit *f, double T, double rho, double *v, double *e) {
  double le;
  double D = arrhenius_eval(f, T, &le);
  /* diffusion_conductivity takes n and V; ρ = n/(N_A V): pass n = 1 and V = 1/(N_A ρ) */
  double vol = 1.0 / (6.02214076e23 * rho * 1e-24);
  *v = diffusion_conductivity(D, 1, vol, T);
  *e = *v * le;
}

/* {"from_charge_xyz": σ ± e, "from_tracer_xyz": ..., ...} at T from the fits f[NQ] (tracer 0..2, charge 3..5) */
static void json_sigma(json_writer *w, const char *key, const arr_fit *f, double T, double rho) {
  json_object(w, key);
  for (int c = 0; c < 3; c++) {
    double v, e;
    char name[64];
    sigma_at(&f[3 + c], T, rho, &v, &e);
    snprintf(name, sizeof name, "from_charge_%s", comp[c]);
    json_value_err(w, name, v, e);
    sigma_at(&f[c], T, rho, &v, &e);
    snprintf(name, sizeof name, "from_tracer_%s", comp[c]);
    json_value_err(w, name, v, e);
  }
  json_end_object(w);
}

static void line(strbuf *b, const char *label, const arr_fit *f) {
  strbuf_printf(b, "  %-24s Ea = %.4f ± %.4f eV   D0 = %.3e ± %.2e cm^2/s   %g-%g K, %d points, chi2/dof = %.3g\n", label,
                f->ea, f->ea_err, f->d0, f->d0_err, f->tmin, f->tmax, f->n, f->dof > 0 ? f->chi2 / f->dof : NAN);
}

md_status cmd_arrhenius(int argc, char **argv) {
  const char *outdir = NULL;
  double tbreak = -1, at = 300.0; /* tbreak: -1 none, 0 auto */
  int min_points = 0, np = 0;
  point *pts = (point *)calloc((size_t)argc, sizeof(point));
  if (!pts) return md_error(MD_ERR_MEMORY, "out of memory");
  md_status st = MD_OK;
  for (int k = 1; k < argc && st == MD_OK; k++) {
    const char *a = argv[k];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      printf("usage: esnapmd arrhenius DIR... -o OUT [--break T | --break auto] [--min-points K] [--at T]\n"
             "  DIR: esnapmd analyze output directories (or summary.json files), one per temperature.\n"
             "  Weighted fits of ln D vs 1/T for D_tracer and D_charge (xyz, xy, z): Ea (eV), prefactor, and the\n"
             "  conductivity extrapolated to --at T (default 300 K). --break T: two regimes, T <= T_b (normal) and\n"
             "  T >= T_b (superionic); --break auto: T_b minimising the total chi2 of D_tracer_xyz over midpoints\n"
             "  between temperatures with at least --min-points (default 3) per regime (one regime, with a note, when\n"
             "  there are too few). Temperatures whose run melted (DIR/host.json) are left out of every fit.\n"
             "  Writes OUT/arrhenius.json and OUT/arrhenius.txt.\n");
      free(pts);
      return MD_OK;
    } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && k + 1 < argc) {
      outdir = argv[++k];
    } else if (strcmp(a, "--break") == 0 && k + 1 < argc) {
      const char *v = argv[++k];
      char *end;
      tbreak = strcmp(v, "auto") == 0 ? 0 : strtod(v, &end);
      if (tbreak != 0 && (end == v || *end || !(tbreak > 0))) st = md_error(MD_ERR_VALUE, "arrhenius: --break needs T (K) or auto");
    } else if (strcmp(a, "--min-points") == 0 && k + 1 < argc) {
      min_points = atoi(argv[++k]);
    } else if (strcmp(a, "--at") == 0 && k + 1 < argc) {
      at = atof(argv[++k]);
      if (!(at > 0)) st = md_error(MD_ERR_VALUE, "arrhenius: --at needs a temperature > 0 K");
    } else if (a[0] == '-' && a[1]) {
      st = md_error(MD_ERR_VALUE, "arrhenius: unknown option '%s' (or missing value; see esnapmd arrhenius --help)", a);
    } else {
      st = read_point(a, &pts[np++]);
    }
  }
  if (st == MD_OK && !outdir) st = md_error(MD_ERR_VALUE, "arrhenius: -o DIR is required");
  if (st == MD_OK && np < 2) st = md_error(MD_ERR_VALUE, "arrhenius: need summaries at 2 or more temperatures (got %d)", np);
  if (st != MD_OK) {
    free(pts);
    return st;
  }
  if (min_points <= 0) min_points = 3;
  int nsolid = 0;
  for (int i = 0; i < np; i++) {
    if (pts[i].melted)
      fprintf(stderr, "esnapmd arrhenius: note: the run at %g K melted (host sublattice mobile, %s/host.json): left out of every fit\n",
              pts[i].T, pts[i].path);
    else nsolid++;
  }
  if (tbreak == 0 && nsolid < 2 * min_points) {
    fprintf(stderr, "esnapmd arrhenius: note: break auto needs %d crystalline temperatures (%d per regime), got %d: one regime only\n",
            2 * min_points, min_points, nsolid);
    tbreak = -1;
  }
  double *T = (double *)malloc((size_t)np * 3 * sizeof(double)), *D = T + np, *E = T + 2 * np;
  double rho = 0;
  int nrho = 0;
  for (int i = 0; i < np; i++)
    if (isfinite(pts[i].rho)) {
      rho += pts[i].rho;
      nrho++;
    }
  rho = nrho ? rho / nrho : NAN;
  arr_fit single[NQ], low[NQ], high[NQ];
  double tb = tbreak;
  int ncand = 0;
  /* the break: given, or chosen on D_tracer_xyz; points with D <= 0 (noise at low T, typically the charge
   * diffusivity) are left out of that quantity's fits with a note; a quantity left with too few points gets
   * null fits, except D_tracer_xyz, which must fit */
  for (int q = 0; q < NQ && st == MD_OK; q++) {
    int m = 0;
    for (int i = 0; i < np; i++) {
      if (pts[i].melted) continue;
      if (pts[i].d[q] > 0 && isfinite(pts[i].d[q])) {
        T[m] = pts[i].T;
        D[m] = pts[i].d[q];
        E[m] = pts[i].e[q];
        m++;
      } else {
        fprintf(stderr, "esnapmd arrhenius: note: %s = %g at %g K (%s) is not > 0: left out of its fits\n", qname[q],
                pts[i].d[q], pts[i].T, pts[i].path);
      }
    }
    if (q == 0 && tbreak >= 0) st = arrhenius_two_regime(T, D, E, m, tbreak, min_points, &low[0], &high[0], &tb, &ncand);
    if (st != MD_OK) break;
    md_status sq = arrhenius_fit(T, D, E, m, &single[q]);
    if (sq == MD_OK && tbreak >= 0 && q > 0 &&
        arrhenius_two_regime(T, D, E, m, tb, min_points, &low[q], &high[q], NULL, NULL) != MD_OK) {
      /* fewer than min_points usable temperatures on a side of the break: no regime named from them */
      fprintf(stderr, "esnapmd arrhenius: note: %s: %s: its two-regime fits are null\n", qname[q], md_errmsg());
      invalid(&low[q]);
      invalid(&high[q]);
      md_clear_error();
    }
    if (sq == MD_OK && tbreak >= 0 && q == 0) sq = arrhenius_two_regime(T, D, E, m, tb, min_points, &low[q], &high[q], NULL, NULL);
    if (sq != MD_OK && q == 0) {
      char why[512];
      snprintf(why, sizeof why, "%s", md_errmsg());
      st = md_error(sq, "arrhenius: %s: %s", qname[q], why);
    } else if (sq != MD_OK) {
      fprintf(stderr, "esnapmd arrhenius: note: %s: %s: its fits are null\n", qname[q], md_errmsg());
      invalid(&single[q]);
      invalid(&low[q]);
      invalid(&high[q]);
    }
  }
  if (st == MD_OK) st = make_dirs(outdir);
  if (st == MD_OK) {
    json_writer w;
    json_init(&w);
    json_string(&w, "program", "esnapmd arrhenius");
    json_string(&w, "version", ESNAP_VERSION);
    json_string(&w, "commit", ESNAP_COMMIT);
    json_string(&w, "model", "ln D = ln D0 - Ea/(k_B T), weighted least squares in 1/T, weights (D/stderr_D)^2");
    json_array(&w, "temperatures_K");
    for (int i = 0; i < np; i++) json_number(&w, NULL, pts[i].T);
    json_end_array(&w);
    json_array(&w, "sources");
    for (int i = 0; i < np; i++) json_string(&w, NULL, pts[i].path);
    json_end_array(&w);
    json_array(&w, "melted");
    for (int i = 0; i < np; i++) json_bool(&w, NULL, pts[i].melted);
    json_end_array(&w);
    json_string(&w, "melted_rule", "temperatures whose host.json says melted are left out of every fit");
    json_object(&w, "points");
    for (int q = 0; q < NQ; q++) {
      json_array(&w, qname[q]);
      for (int i = 0; i < np; i++) json_value_err(&w, NULL, pts[i].d[q], pts[i].e[q]);
      json_end_array(&w);
    }
    for (int c = 0; c < 3; c++) {
      char k[32];
      snprintf(k, sizeof k, "haven_ratio_%s", comp[c]);
      json_array(&w, k);
      for (int i = 0; i < np; i++) json_value_err(&w, NULL, pts[i].h[c], pts[i].he[c]);
      json_end_array(&w);
    }
    json_end_object(&w);
    json_object(&w, "single");
    for (int q = 0; q < NQ; q++) json_fit(&w, qname[q], &single[q]);
    json_end_object(&w);
    json_number(&w, "molar_density", rho);
    json_number(&w, "extrapolation_T_K", at);
    double v, e;
    json_sigma(&w, "conductivity_at_T", single, at, rho);
    strbuf t;
    strbuf_init(&t);
    strbuf_printf(&t, "# esnapmd %s (commit %s): Arrhenius fits of %d temperatures (%g-%g K)\n", ESNAP_VERSION, ESNAP_COMMIT,
                  np, single[0].tmin, single[0].tmax);
    for (int i = 0; i < np; i++)
      if (pts[i].melted) strbuf_printf(&t, "# %g K: melted (host sublattice mobile): left out of the fits\n", pts[i].T);
    strbuf_printf(&t, "one regime:\n");
    for (int q = 0; q < NQ; q++) line(&t, qname[q], &single[q]);
    for (int c = 0; c < 3; c++) {
      sigma_at(&single[3 + c], at, rho, &v, &e);
      strbuf_printf(&t, "  sigma(%g K) %-3s from D_charge = %.4g ± %.2g mS/cm", at, comp[c], v, e);
      sigma_at(&single[c], at, rho, &v, &e);
      strbuf_printf(&t, ", from D_tracer = %.4g ± %.2g mS/cm\n", v, e);
    }
    if (tbreak >= 0) {
      json_object(&w, "two_regime");
      json_number(&w, "break_K", tb);
      if (tbreak == 0) {
        char m[160];
        snprintf(m, sizeof m, "auto: minimum total chi2 of D_tracer_xyz over %d candidate breaks (midpoints, >= %d points per regime)",
                 ncand, min_points);
        json_string(&w, "break_method", m);
      } else {
        json_string(&w, "break_method", "given");
      }
      json_object(&w, "normal");
      for (int q = 0; q < NQ; q++) json_fit(&w, qname[q], &low[q]);
      json_end_object(&w);
      json_object(&w, "superionic");
      for (int q = 0; q < NQ; q++) json_fit(&w, qname[q], &high[q]);
      json_end_object(&w);
      json_object(&w, "crossing_K");
      for (int q = 0; q < NQ; q++) json_number(&w, qname[q], arrhenius_crossing(&low[q], &high[q]));
      json_end_object(&w);
      json_sigma(&w, "conductivity_at_T_normal_regime", low, at, rho);
      json_end_object(&w);
      strbuf_printf(&t, "two regimes, break %g K (%s):\n", tb, tbreak == 0 ? "chosen by the data" : "given");
      for (int q = 0; q < NQ; q++) {
        char l[64];
        snprintf(l, sizeof l, "%s normal", qname[q]);
        line(&t, l, &low[q]);
        snprintf(l, sizeof l, "%s superionic", qname[q]);
        line(&t, l, &high[q]);
      }
      for (int c = 0; c < 3; c++) {
        sigma_at(&low[3 + c], at, rho, &v, &e);
        strbuf_printf(&t, "  sigma(%g K) %-3s from the normal-regime D_charge fit = %.4g ± %.2g mS/cm\n", at, comp[c], v, e);
      }
    }
    json_string(&w, "units", "Ea eV, prefactor cm^2/s, temperatures K, conductivity mS/cm, molar_density mol/cm^3");
    char path[4096];
    snprintf(path, sizeof path, "%s/arrhenius.json", outdir);
    st = json_write(&w, path);
    json_free(&w);
    if (st == MD_OK) {
      snprintf(path, sizeof path, "%s/arrhenius.txt", outdir);
      st = write_file_atomic(path, t.data, t.len);
    }
    if (st == MD_OK) fputs(t.data, stdout);
    strbuf_free(&t);
  }
  free(T);
  free(pts);
  return st;
}
