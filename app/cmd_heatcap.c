/* cmd_heatcap.c — `esnapmd heatcap INPUT... -o DIR [--skip PS] [--temperature T]`: the heat capacity of runs
 * from their thermo files (host/analysis/heatcap_io.h), the post-hoc twin of the deck's `heatcap`.
 *
 * INPUT: a thermo file, or a run's output directory (its thermo.dat, or thermo_r*.dat for a replica set: the
 * replicas of one temperature). One input: DIR/heatcap.json (the file the run writes on the fly, same numbers
 * with --skip = the equilibration span). Several inputs, one per temperature: DIR/heatcap_T<T>K.json each and
 * the series DIR/cv.json, DIR/cv.dat (difference and fluctuation routes, Ts); at least 3 temperatures. Every
 * input is read and checked before anything is written. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "commands.h"
#include "heatcap_io.h"

#define HEATCAP_MAX_REPS 4096

static void usage(FILE *fp) {
  fprintf(fp,
          "usage: esnapmd heatcap INPUT... -o DIR [--skip PS] [--temperature T]\n"
          "  Mean total energy (block-averaging stderr) and Cv = Var(E)/(k_B T^2) of NVT runs from their thermo files;\n"
          "  with 3 or more temperatures also Cv(T) by central differences of <E> and Ts (the Cv peak).\n"
          "  INPUT: thermo file, or a run's output directory (thermo.dat or thermo_r*.dat = replicas of one temperature)\n"
          "  -o DIR           heatcap.json (one input) or heatcap_T<T>K.json per input + cv.json, cv.dat\n"
          "  --skip PS        leave out the first PS ps of every file (equilibration)\n"
          "  --temperature T  temperature (K) when the thermo header has no nvt target (one input only)\n");
}

static int is_dir(const char *p) {
  struct stat sb;
  return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* the thermo files of one input: the file itself, DIR/thermo.dat, or DIR/thermo_r*.dat sorted by name */
static md_status input_files(const char *in, char ***files, int *n) {
  *files = NULL;
  *n = 0;
  char **f = (char **)calloc(HEATCAP_MAX_REPS, sizeof *f);
  if (!f) return md_error(MD_ERR_MEMORY, "out of memory");
  md_status st = MD_OK;
  if (!is_dir(in)) {
    f[(*n)++] = strdup(in);
  } else {
    char p[2 * MD_PATH_LEN];
    snprintf(p, sizeof p, "%s/thermo.dat", in);
    struct stat sb;
    if (stat(p, &sb) == 0) {
      f[(*n)++] = strdup(p);
    } else {
      DIR *dd = opendir(in);
      struct dirent *e;
      while (dd && (e = readdir(dd)) != NULL && st == MD_OK) {
        size_t L = strlen(e->d_name);
        if (strncmp(e->d_name, "thermo_r", 8) != 0 || L < 5 || strcmp(e->d_name + L - 4, ".dat") != 0) continue;
        if (*n >= HEATCAP_MAX_REPS) st = md_error(MD_ERR_VALUE, "heatcap: %s: more than %d thermo files", in, HEATCAP_MAX_REPS);
        else {
          snprintf(p, sizeof p, "%s/%s", in, e->d_name);
          f[(*n)++] = strdup(p);
        }
      }
      if (dd) closedir(dd);
      /* thermo_r2 before thermo_r10: by length, then by name */
      qsort(f, (size_t)*n, sizeof *f, cmp_str);
      for (int i = 1; i < *n; i++)
        for (int j = i; j > 0 && strlen(f[j]) < strlen(f[j - 1]); j--) {
          char *t = f[j];
          f[j] = f[j - 1];
          f[j - 1] = t;
        }
      if (st == MD_OK && *n == 0) st = md_error(MD_ERR_IO, "heatcap: %s: no thermo.dat or thermo_r*.dat in this directory", in);
    }
  }
  for (int i = 0; i < *n; i++)
    if (!f[i]) st = md_error(MD_ERR_MEMORY, "out of memory");
  *files = f;
  return st;
}

static void free_files(char **f, int n) {
  for (int i = 0; i < n; i++) free(f[i]);
  free(f);
}

/* One temperature from the thermo files of one input. */
static md_status read_input(const char *in, double skip, double t_given, hc_point *p, hc_stats **reps, int *nrep) {
  char **files = NULL;
  int n = 0;
  md_status st = input_files(in, &files, &n);
  hc_stats *s = st == MD_OK ? (hc_stats *)calloc((size_t)n, sizeof *s) : NULL;
  if (st == MD_OK && !s) st = md_error(MD_ERR_MEMORY, "out of memory");
  double T = 0.0;
  int natoms = 0;
  for (int i = 0; i < n && st == MD_OK; i++) {
    hc_acc a;
    hc_init(&a);
    double Ti;
    int ni;
    st = hc_read_thermo(files[i], skip, &a, &Ti, &ni);
    if (st != MD_OK) break;
    if (t_given > 0) Ti = t_given;
    if (!(Ti > 0))
      st = md_error(MD_ERR_VALUE, "%s: no nvt target temperature in the header (NVE or a ramp): give --temperature T", files[i]);
    else if (i > 0 && (Ti != T || ni != natoms))
      st = md_error(MD_ERR_VALUE, "%s: %g K and %d atoms, but %s has %g K and %d atoms (replicas of one run must match)", files[i],
                    Ti, ni, files[0], T, natoms);
    T = Ti;
    natoms = ni;
    hc_get(&a, &s[i]);
  }
  free_files(files, n);
  if (st != MD_OK) {
    free(s);
    return st;
  }
  hc_pool(s, n, T, natoms, skip, p);
  *reps = s;
  *nrep = n;
  return MD_OK;
}

md_status cmd_heatcap(int argc, char **argv) {
  const char *outdir = NULL;
  double skip = 0.0, T = 0.0;
  const char **in = (const char **)calloc((size_t)argc, sizeof *in);
  if (!in) return md_error(MD_ERR_MEMORY, "out of memory");
  int nin = 0;
  md_status st = MD_OK;
  for (int k = 1; k < argc && st == MD_OK; k++) {
    const char *a = argv[k];
    char *end = NULL;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      free(in);
      return MD_OK;
    } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && k + 1 < argc) {
      outdir = argv[++k];
    } else if (strcmp(a, "--skip") == 0 && k + 1 < argc) {
      skip = strtod(argv[++k], &end);
      if (*end || !(skip >= 0) || !isfinite(skip)) st = md_error(MD_ERR_VALUE, "heatcap: --skip needs a time >= 0 (ps)");
    } else if (strcmp(a, "--temperature") == 0 && k + 1 < argc) {
      T = strtod(argv[++k], &end);
      if (*end || !(T > 0) || T > 1e6) st = md_error(MD_ERR_VALUE, "heatcap: --temperature needs a temperature > 0 (K)");
    } else if (a[0] == '-' && a[1]) {
      st = md_error(MD_ERR_VALUE, "heatcap: unknown option '%s' (or missing value; see esnapmd heatcap --help)", a);
    } else {
      in[nin++] = a;
    }
  }
  if (st == MD_OK && nin == 0) st = md_error(MD_ERR_VALUE, "heatcap: no thermo files or run directories (see esnapmd heatcap --help)");
  if (st == MD_OK && !outdir) st = md_error(MD_ERR_VALUE, "heatcap: -o DIR is required");
  if (st == MD_OK && nin > 1 && T > 0) st = md_error(MD_ERR_VALUE, "heatcap: --temperature applies to one input only");
  if (st == MD_OK && nin == 2)
    st = md_error(MD_ERR_VALUE, "heatcap: %s, %s: 2 temperatures: too few temperatures for differences (central differences need "
                  "at least 3; give one input for its fluctuation Cv alone)", in[0], in[1]);
  hc_point *p = st == MD_OK ? (hc_point *)calloc((size_t)nin, sizeof *p) : NULL;
  hc_stats **reps = st == MD_OK ? (hc_stats **)calloc((size_t)nin, sizeof *reps) : NULL;
  int *nrep = st == MD_OK ? (int *)calloc((size_t)nin, sizeof *nrep) : NULL;
  if (st == MD_OK && (!p || !reps || !nrep)) st = md_error(MD_ERR_MEMORY, "out of memory");
  for (int i = 0; i < nin && st == MD_OK; i++) {
    st = read_input(in[i], skip, T, &p[i], &reps[i], &nrep[i]);
    for (int j = 0; j < i && st == MD_OK; j++)
      if (p[j].T == p[i].T) st = md_error(MD_ERR_VALUE, "heatcap: %s and %s are both at %g K", in[j], in[i], p[i].T);
    if (st == MD_OK && p[i].natoms != p[0].natoms)
      st = md_error(MD_ERR_VALUE, "heatcap: %s has %d atoms, %s %d: a series needs one system", in[i], p[i].natoms, in[0], p[0].natoms);
  }
  if (st == MD_OK) st = make_dirs(outdir);
  char path[2 * MD_PATH_LEN];
  for (int i = 0; i < nin && st == MD_OK; i++) {
    if (nin == 1) snprintf(path, sizeof path, "%s/heatcap.json", outdir);
    else snprintf(path, sizeof path, "%s/heatcap_T%gK.json", outdir, p[i].T);
    st = hc_write_point(path, &p[i], reps[i], nrep[i]);
    if (st == MD_OK)
      printf("%g K: <E> = %.6f +- %.2g eV, Cv (fluctuation) = %.4f +- %.2g k_B/atom (%d replica(s), %ld samples)\n", p[i].T,
             p[i].E, p[i].E_err, hc_kb_per_atom(p[i].cv, p[i].natoms), hc_kb_per_atom(p[i].cv_err, p[i].natoms), nrep[i], p[i].n);
  }
  if (st == MD_OK && nin >= 3) {
    st = hc_write_series(outdir, p, nin, "heatcap");
    if (st == MD_OK) printf("wrote %s/cv.json, %s/cv.dat\n", outdir, outdir);
  }
  for (int i = 0; reps && i < nin; i++) free(reps[i]);
  free(reps);
  free(nrep);
  free(p);
  free(in);
  return st;
}
