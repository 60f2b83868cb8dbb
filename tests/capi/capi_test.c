/* capi_test.c — libesnapmd through its installed header only (esnapmd.h), see CMakeLists.txt.
 *
 *   capi_test REF.xyz SCRATCH_DIR
 *
 * REF.xyz is `esnapmd eval IN -o REF.xyz --energies --coulomb ewald --accuracy 1e-10` of one reference
 * configuration (species x y z fx fy fz e per atom; Lattice, energy and virial on the comment line). Checks:
 * the library's energy, forces, virial, stress and per-atom energies equal eval's; species as symbols equal
 * species as atomic numbers; a batch of different sizes equals single evaluations; a cell smaller than the
 * cutoffs (one unit cell) equals its 2x2x2 supercell per cell; and the error paths: missing and malformed model
 * files, bad options, NaN position, unknown element, mismatched species, non-periodic cell, overlapping atoms,
 * degenerate cell, NULL pointers. Prints "ok: ..." per check; exit status 1 at the first failure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esnapmd.h"

#define MAXN 512

static int failures = 0;

#define CHECK(cond, ...)                          \
  do {                                            \
    if (!(cond)) {                                \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);               \
      fprintf(stderr, "\n");                      \
      failures++;                                 \
      return 1;                                   \
    }                                             \
  } while (0)

typedef struct ref {
  int n;
  double cell[9], pos[3 * MAXN], f[3 * MAXN], e_atom[MAXN], energy, virial[9];
  int z[MAXN];
  char sym[MAXN][4];
} ref;

/* "key=value" or key="v1 v2 ..." on the comment line: up to nmax numbers into v; returns how many */
static int get_key(const char *line, const char *key, double *v, int nmax) {
  char pat[64];
  snprintf(pat, sizeof pat, " %s=", key);
  const size_t len = strlen(pat);
  const char *p;
  if (strncmp(line, pat + 1, len - 1) == 0) {
    p = line + len - 1; /* the key opens the line */
  } else {
    p = strstr(line, pat);
    if (!p) return 0;
    p += len;
  }
  if (*p == '"') p++;
  int k = 0;
  char *end;
  while (k < nmax) {
    double x = strtod(p, &end);
    if (end == p) break;
    v[k++] = x;
    p = end;
  }
  return k;
}

static int read_ref(const char *path, ref *r) {
  FILE *fp = fopen(path, "r");
  if (!fp) return 0;
  static char line[1 << 16];
  int ok = fgets(line, sizeof line, fp) && sscanf(line, "%d", &r->n) == 1 && r->n > 0 && r->n <= MAXN &&
           fgets(line, sizeof line, fp) && get_key(line, "Lattice", r->cell, 9) == 9 &&
           get_key(line, "energy", &r->energy, 1) == 1 && get_key(line, "virial", r->virial, 9) == 9;
  for (int i = 0; ok && i < r->n; i++) {
    ok = fgets(line, sizeof line, fp) &&
         sscanf(line, "%3s %lf %lf %lf %lf %lf %lf %lf", r->sym[i], &r->pos[3 * i], &r->pos[3 * i + 1], &r->pos[3 * i + 2],
                &r->f[3 * i], &r->f[3 * i + 1], &r->f[3 * i + 2], &r->e_atom[i]) == 8;
    if (ok) r->z[i] = strcmp(r->sym[i], "Li") == 0 ? 3 : strcmp(r->sym[i], "N") == 0 ? 7 : 0;
  }
  fclose(fp);
  return ok;
}

static double maxrel(const double *a, const double *b, int n) {
  double d = 0.0, s = 0.0;
  for (int k = 0; k < n; k++) {
    d = fmax(d, fabs(a[k] - b[k]));
    s = fmax(s, fabs(b[k]));
  }
  return s > 0 ? d / s : d;
}

/* The call gave status `want` with `needle` in the handle's message (0), else a failure (1). */
static int expect_error(esnap_model *m, esnap_status got, esnap_status want, const char *needle, const char *what) {
  const char *msg = esnap_last_error(m);
  CHECK(got == want, "%s: status %d (%s), expected %d; message '%s'", what, got, esnap_status_name(got), want, msg);
  CHECK(strstr(msg, needle) != NULL, "%s: message '%s' lacks '%s'", what, msg, needle);
  printf("ok: %s -> %s: %s\n", what, esnap_status_name(got), msg);
  return 0;
}

static int run(const char *refpath, const char *scratch) {
  static ref R;
  CHECK(read_ref(refpath, &R), "cannot read the reference %s", refpath);
  const int n = R.n;
  esnap_options o;
  esnap_options_default(&o);
  o.coulomb = ESNAP_COULOMB_EWALD;
  o.accuracy = 1e-10;
  o.device = "cpu";
  esnap_model *m = NULL;
  esnap_status st = esnap_model_load(ESNAPMD_MODEL_FILE, &o, &m);
  CHECK(st == ESNAP_OK, "load %s: %s", ESNAPMD_MODEL_FILE, esnap_last_error(m));
  CHECK(esnap_model_nelements(m) == 2 && strcmp(esnap_model_element(m, 0), "Li") == 0 &&
            strcmp(esnap_model_element(m, 1), "N") == 0 && esnap_model_element(m, 2) == NULL,
        "model elements");
  CHECK(strcmp(esnap_model_device(m), "cpu") == 0, "device %s", esnap_model_device(m));
  printf("ok: %s loaded (%s), elements Li N, device cpu\n", ESNAPMD_MODEL_FILE, esnap_version());

  /* 1. equal to esnapmd eval */
  static double f[3 * MAXN], ea[MAXN], f2[3 * MAXN];
  double e = 0, w[9], s6[6], e2 = 0;
  esnap_structure s = {n, R.pos, R.cell, NULL, R.z, NULL};
  esnap_result r = {&e, f, w, s6, ea};
  st = esnap_evaluate(m, &s, &r);
  CHECK(st == ESNAP_OK, "evaluate: %s", esnap_last_error(m));
  CHECK(esnap_last_error(m)[0] == '\0', "message after success: '%s'", esnap_last_error(m));
  double de = fabs(e - R.energy) / fabs(R.energy), df = maxrel(f, R.f, 3 * n), dw = maxrel(w, R.virial, 9),
         da = maxrel(ea, R.e_atom, n);
  CHECK(de <= 1e-12 && df <= 1e-12 && dw <= 1e-12 && da <= 1e-12, "vs eval: energy %.3g forces %.3g virial %.3g per-atom %.3g", de,
        df, dw, da);
  double vol = fabs(R.cell[0] * (R.cell[4] * R.cell[8] - R.cell[5] * R.cell[7]) -
                    R.cell[1] * (R.cell[3] * R.cell[8] - R.cell[5] * R.cell[6]) +
                    R.cell[2] * (R.cell[3] * R.cell[7] - R.cell[4] * R.cell[6]));
  const int voigt[6] = {0, 4, 8, 5, 2, 1};
  for (int k = 0; k < 6; k++) CHECK(fabs(s6[k] + w[voigt[k]] / vol) <= 1e-14 * (1 + fabs(s6[k])), "stress[%d]", k);
  double sum = 0;
  for (int i = 0; i < n; i++) sum += ea[i];
  CHECK(fabs(sum - e) <= 1e-10 * fabs(e), "per-atom energies sum %.12f, energy %.12f", sum, e);
  printf("ok: %d atoms: energy, forces, virial, per-atom energies = esnapmd eval (relative %.2g %.2g %.2g %.2g); stress = -W/V Voigt\n",
         n, de, df, dw, da);

  /* species as symbols; outputs not wanted = NULL */
  const char *syms[MAXN];
  for (int i = 0; i < n; i++) syms[i] = R.sym[i];
  esnap_structure ss = {n, R.pos, R.cell, NULL, NULL, syms};
  esnap_result r2 = {&e2, f2, NULL, NULL, NULL};
  CHECK(esnap_evaluate(m, &ss, &r2) == ESNAP_OK, "symbols: %s", esnap_last_error(m));
  CHECK(e2 == e && memcmp(f2, f, sizeof(double) * 3 * n) == 0, "symbols give %.17g, numbers %.17g", e2, e);
  printf("ok: species as symbols = as atomic numbers, bit for bit\n");

  /* 2. batch of different sizes = single evaluations; a unit cell = its 2x2x2 supercell per cell */
  double ucell[9] = {3.6506900000, 0, 0, -1.8253450000, 3.1615900000, 0, 0, 0, 3.8886350000};
  double upos[12] = {0, 0, 1.944317, 1.8253450000, 1.0538633333, 0, 0, 2.1077266667, 0, 0, 0, 0};
  int uz[4] = {3, 3, 3, 7};
  double scell[9], spos[3 * 32];
  int sz[32], ns = 0;
  for (int k = 0; k < 9; k++) scell[k] = 2 * ucell[k];
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++)
      for (int c = 0; c < 2; c++)
        for (int i = 0; i < 4; i++, ns++) {
          for (int d = 0; d < 3; d++) spos[3 * ns + d] = upos[3 * i + d] + a * ucell[d] + b * ucell[3 + d] + c * ucell[6 + d];
          sz[ns] = uz[i];
        }
  esnap_structure batch[3] = {{4, upos, ucell, NULL, uz, NULL}, {n, R.pos, R.cell, NULL, R.z, NULL}, {32, spos, scell, NULL, sz, NULL}};
  double eb[3], fb0[12], fb1[3 * MAXN], fb2[96], eu, fu[12];
  esnap_result rb[3] = {{&eb[0], fb0, NULL, NULL, NULL}, {&eb[1], fb1, NULL, NULL, NULL}, {&eb[2], fb2, NULL, NULL, NULL}};
  CHECK(esnap_evaluate_batch(m, 3, batch, rb) == ESNAP_OK, "batch: %s", esnap_last_error(m));
  esnap_result ru = {&eu, fu, NULL, NULL, NULL};
  CHECK(esnap_evaluate(m, &batch[0], &ru) == ESNAP_OK, "unit cell: %s", esnap_last_error(m));
  CHECK(eb[0] == eu && memcmp(fb0, fu, sizeof fu) == 0 && eb[1] == e && memcmp(fb1, f, sizeof(double) * 3 * n) == 0,
        "batch differs from single evaluations");
  CHECK(fabs(eb[2] / 8 - eu) <= 1e-9 * fabs(eu), "unit cell %.12f vs supercell/8 %.12f", eu, eb[2] / 8);
  printf("ok: batch (4, %d, 32 atoms) = single evaluations bit for bit; unit cell (smaller than the cutoffs) = 2x2x2/8 "
         "(%.2g eV)\n", n, fabs(eb[2] / 8 - eu));

  /* 3. error paths */
  double bad[3 * MAXN];
  memcpy(bad, R.pos, sizeof(double) * 3 * n);
  bad[4] = NAN;
  esnap_structure sb = {n, bad, R.cell, NULL, R.z, NULL};
  if (expect_error(m, esnap_evaluate(m, &sb, &r), ESNAP_ERR_VALUE, "atom 2 has a non-finite coordinate", "NaN position")) return 1;
  int zbad[MAXN];
  memcpy(zbad, R.z, sizeof(int) * n);
  zbad[n - 1] = 8;
  sb = (esnap_structure){n, R.pos, R.cell, NULL, zbad, NULL};
  if (expect_error(m, esnap_evaluate(m, &sb, &r), ESNAP_ERR_VALUE, "element 'O' is not in the model", "unknown element (Z = 8)"))
    return 1;
  zbad[n - 1] = 0;
  if (expect_error(m, esnap_evaluate(m, &sb, &r), ESNAP_ERR_VALUE, "atomic number 0, not an element", "atomic number 0")) return 1;
  syms[0] = "Xx";
  sb = (esnap_structure){n, R.pos, R.cell, NULL, NULL, syms};
  if (expect_error(m, esnap_evaluate(m, &sb, &r), ESNAP_ERR_VALUE, "element 'Xx' is not in the model", "unknown symbol")) return 1;
  sb = (esnap_structure){n, R.pos, R.cell, NULL, R.z, syms};
  if (expect_error(m, esnap_evaluate(m, &sb, &r), ESNAP_ERR_VALUE, "exactly one", "species given twice")) return 1;
  sb = (esnap_structure){n, R.pos, R.cell, NULL, NULL, NULL};
  if (expect_error(m, esnap_evaluate(m, &sb, &r), ESNAP_ERR_VALUE, "exactly one", "no species")) return 1;
  int pbc[3] = {1, 0, 1};
  sb = (esnap_structure){n, R.pos, R.cell, pbc, R.z, NULL};
  if (expect_error(m, esnap_evaluate(m, &sb, &r), ESNAP_ERR_UNSUPPORTED, "not periodic along b", "non-periodic cell")) return 1;
  memcpy(bad, R.pos, sizeof(double) * 3 * n);
  for (int d = 0; d < 3; d++) bad[3 + d] = bad[d] + 0.03;
  sb = (esnap_structure){n, bad, R.cell, NULL, R.z, NULL};
  if (expect_error(m, esnap_evaluate(m, &sb, &r), ESNAP_ERR_VALUE, "overlapping", "overlapping atoms")) return 1;
  double flat[9] = {3, 0, 0, 6, 0, 0, 0, 0, 3};
  sb = (esnap_structure){n, R.pos, flat, NULL, R.z, NULL};
  if (expect_error(m, esnap_evaluate(m, &sb, &r), ESNAP_ERR_VALUE, "cell is degenerate", "degenerate cell")) return 1;
  sb = (esnap_structure){0, R.pos, R.cell, NULL, R.z, NULL};
  if (expect_error(m, esnap_evaluate(m, &sb, &r), ESNAP_ERR_VALUE, "no atoms", "zero atoms")) return 1;
  sb = (esnap_structure){n, NULL, R.cell, NULL, R.z, NULL};
  if (expect_error(m, esnap_evaluate(m, &sb, &r), ESNAP_ERR_VALUE, "positions is NULL", "NULL positions")) return 1;
  if (expect_error(m, esnap_evaluate(m, NULL, &r), ESNAP_ERR_VALUE, "structure pointer is NULL", "NULL structure")) return 1;
  if (expect_error(m, esnap_evaluate(m, &s, NULL), ESNAP_ERR_VALUE, "result pointer is NULL", "NULL result")) return 1;
  if (expect_error(m, esnap_evaluate_batch(m, 1, NULL, rb), ESNAP_ERR_VALUE, "structures array is NULL", "NULL batch")) return 1;
  batch[1] = (esnap_structure){n, bad, R.cell, NULL, R.z, NULL};
  if (expect_error(m, esnap_evaluate_batch(m, 3, batch, rb), ESNAP_ERR_VALUE, "structure 1:", "batch names the bad structure"))
    return 1;
  CHECK(esnap_evaluate(NULL, &s, &r) == ESNAP_ERR_VALUE && strstr(esnap_last_error(NULL), "handle is NULL"),
        "NULL handle: '%s'", esnap_last_error(NULL));
  printf("ok: NULL handle -> invalid value: %s\n", esnap_last_error(NULL));
  /* after errors, a good structure still evaluates to the same numbers */
  CHECK(esnap_evaluate(m, &s, &r2) == ESNAP_OK && e2 == e, "evaluation after errors: %s", esnap_last_error(m));
  printf("ok: the handle evaluates unchanged after the errors\n");
  esnap_model_free(&m);
  CHECK(m == NULL, "esnap_model_free does not null the handle");
  esnap_model_free(&m);

  /* model files and options */
  char path[4096];
  snprintf(path, sizeof path, "%s/missing.model", scratch);
  st = esnap_model_load(path, NULL, &m);
  if (expect_error(m, st, ESNAP_ERR_IO, "missing.model", "missing model file")) return 1;
  esnap_model_free(&m);
  snprintf(path, sizeof path, "%s/bad.model", scratch);
  FILE *fp = fopen(path, "w");
  CHECK(fp, "cannot write %s", path);
  fputs("elements Li N\nmass Li 6.941 N\n", fp);
  fclose(fp);
  st = esnap_model_load(path, NULL, &m);
  if (expect_error(m, st, ESNAP_ERR_PARSE, "bad.model:2:", "malformed model file (file:line)")) return 1;
  CHECK(esnap_evaluate(m, &s, &r) == ESNAP_ERR_VALUE && strstr(esnap_last_error(m), "not loaded"), "evaluate after failed load");
  esnap_model_free(&m);
  o.device = "tpu";
  if (expect_error(m, esnap_model_load(ESNAPMD_MODEL_FILE, &o, &m), ESNAP_ERR_VALUE, "device 'tpu'", "bad device")) return 1;
  esnap_model_free(&m);
  esnap_options_default(&o);
  o.coulomb = 7;
  if (expect_error(m, esnap_model_load(ESNAPMD_MODEL_FILE, &o, &m), ESNAP_ERR_VALUE, "coulomb method 7", "bad coulomb")) return 1;
  esnap_model_free(&m);
  esnap_options_default(&o);
  o.accuracy = NAN;
  if (expect_error(m, esnap_model_load(ESNAPMD_MODEL_FILE, &o, &m), ESNAP_ERR_VALUE, "accuracy", "NaN accuracy")) return 1;
  esnap_model_free(&m);
  CHECK(esnap_model_load(NULL, NULL, NULL) == ESNAP_ERR_VALUE && strstr(esnap_last_error(NULL), "NULL"), "NULL output handle");
  printf("ok: NULL output handle -> invalid value: %s\n", esnap_last_error(NULL));
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: capi_test REF.xyz SCRATCH_DIR\n");
    return 2;
  }
  int rc = run(argv[1], argv[2]);
  if (rc || failures) return 1;
  printf("ok: all C API checks passed\n");
  return 0;
}
