/* cmd_eval.c — `esnapmd eval`: energy, forces, virial (and bispectrum) of every structure in a file.
 *
 *   esnapmd eval IN [-o OUT.xyz] [--model FILE] [--coulomb ewald|pme|none] [--accuracy X] [--rcut R]
 *                   [--lammps] [--lammps-table N] [--lammps-tabsqrt float|double] [--bispectrum] [--types Li,N]
 *                   [--device auto|cpu|gpu] [--energies] [--batch N]
 *
 * IN is extended XYZ (every frame is evaluated) or a LAMMPS data file (structure.h). With -o, OUT is extended
 * XYZ with, per frame, the keys energy, energy_snap, energy_coulomb, energy_zbl (eV), virial (9 numbers, eV,
 * W_ab = Σ r_a F_b = P·V with zero velocities, row-major), stress (9 numbers, eV/Å^3, = −virial/V, ASE's
 * sign), units=metal, the input frame's other keys, and per-atom forces:R:3 (eV/Å) [, energies:R:1 (per-atom
 * energies, eV, summing to energy; CPU only) and bispectrum:R:K], the
 * layout of the reference files in tests/data; it is written atomically (temporary file, fsync, rename). Without -o a table
 * per frame goes to stdout.
 *
 * --batch N evaluates N frames at a time as the replicas of one MD backend (lib/evaluator.h
 * evaluator_compute_batch, the library's batch path): on a GPU in the same kernel launches, on the CPU one after
 * another with the same bits as evaluating each frame alone. Each frame then gets its own Coulomb parameters
 * (without --batch the first frame's real-space cutoff and lists carry on); no per-atom energies or bispectrum.
 *
 * The last line on stdout reports the throughput of the force evaluations alone (reading and writing excluded;
 * neighbour lists and Coulomb setup included, as in LAMMPS's rerun): "timing: F frames, A atom-evaluations in T s
 * of force evaluation (first frame T1 s), R atom-evaluations/s (R2 after the first frame), N OpenMP threads",
 * prefixed "# " after a table and "esnapmd eval: " after -o. tools/bench_forces.py reads it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <omp.h>

#include "constants.h"
#include "coul_table.h"
#include "commands.h"
#include "evaluator.h"
#include "forcefield.h"
#include "atomic_file.h"
#include "io_xyz.h"
#include "model.h"
#include "strbuf.h"
#include "structure.h"
#include "system.h"

static const char *const k_usage =
    "usage: esnapmd eval IN [-o OUT.xyz] [--model FILE] [--coulomb ewald|pme|none] [--accuracy X] [--rcut R]\n"
    "                       [--lammps] [--lammps-table N] [--lammps-tabsqrt float|double] [--bispectrum]\n"
    "                       [--types Li,N] [--device auto|cpu|gpu] [--energies] [--batch N]\n"
    "\n"
    "Energy, forces and virial of every structure in IN (extended XYZ, every frame; or a LAMMPS data file).\n"
    "  -o OUT.xyz         write extended XYZ: keys energy energy_snap energy_coulomb energy_zbl (eV),\n"
    "                     virial (eV, = P*V), stress (eV/A^3, ASE sign) and per-atom forces:R:3 (eV/A);\n"
    "                     without -o a per-frame table is printed\n"
    "  --model FILE       model file (default: the bundled Li3N eSNAP model, or $ESNAPMD_MODEL)\n"
    "  --coulomb METHOD   override the model's Coulomb method (ewald, pme, none)\n"
    "  --accuracy X       Coulomb relative force accuracy (LAMMPS kspace meaning), e.g. 1e-10\n"
    "  --rcut R           Coulomb real-space cutoff (A)\n"
    "  --lammps           Ewald exactly as LAMMPS pair coul/long + kspace_style ewald (its g_ewald, k-vectors and\n"
    "                     12-bit erfc table; needs --coulomb ewald and the cutoff), to compare with LAMMPS runs\n"
    "  --lammps-table N   the same with LAMMPS pair_modify table N (0: its polynomial erfc everywhere)\n"
    "  --lammps-tabsqrt S the same with table edges as LAMMPS 2022 and older (float) or 2025 (double, default)\n"
    "  --bispectrum       also write per-atom SNAP bispectrum components (bispectrum:R:K)\n"
    "  --energies         with -o, also write per-atom energies (energies:R:1, eV, summing to energy; CPU only)\n"
    "  --types LIST       elements of LAMMPS data-file types 1, 2, ... (e.g. Li,N)\n"
    "  --device DEV       auto (default): the GPU when esnapmd was built with CUDA and a device is present,\n"
    "                     else the CPU; cpu; gpu (an error without a CUDA build or device)\n"
    "  --batch N          evaluate N frames at a time as the replicas of one backend (on a GPU: the same kernel\n"
    "                     launches; each frame with its own Coulomb parameters; no --energies or --bispectrum)\n";

typedef struct eval_args {
  const char *in, *out, *model;
  int coulomb;      /* -1: the model's */
  real_t accuracy;  /* <= 0: the model's */
  real_t rcut;      /* <= 0: the model's */
  int lammps;       /* --lammps / --lammps-table */
  int table_bits;
  int tabsqrt_float;
  int bispectrum;
  int energies;     /* --energies: per-atom energies in the output */
  const char *types;
  const char *device;
  int batch;        /* --batch N: frames per backend batch; 0: one frame at a time, one force field */
} eval_args;

#define EVAL_MAX_BATCH 100000

static md_status parse_args(int argc, char **argv, eval_args *a, int *help) {
  memset(a, 0, sizeof *a);
  a->coulomb = -1;
  a->table_bits = COUL_TABLE_BITS_DEFAULT;
  a->device = "auto";
  *help = 0;
  for (int k = 1; k < argc; k++) {
    const char *opt = argv[k];
    int takes = strcmp(opt, "-o") == 0 || strcmp(opt, "--model") == 0 || strcmp(opt, "--coulomb") == 0 ||
                strcmp(opt, "--accuracy") == 0 || strcmp(opt, "--types") == 0 || strcmp(opt, "--device") == 0 ||
                strcmp(opt, "--rcut") == 0 || strcmp(opt, "--lammps-table") == 0 || strcmp(opt, "--lammps-tabsqrt") == 0 ||
                strcmp(opt, "--batch") == 0;
    if (takes && k + 1 >= argc) return md_error(MD_ERR_VALUE, "eval: option %s needs a value (esnapmd eval --help)", opt);
    if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0) {
      *help = 1;
      return MD_OK;
    } else if (strcmp(opt, "-o") == 0) {
      a->out = argv[++k];
    } else if (strcmp(opt, "--model") == 0) {
      a->model = argv[++k];
    } else if (strcmp(opt, "--coulomb") == 0) {
      const char *v = argv[++k];
      if (strcmp(v, "ewald") == 0) a->coulomb = MD_COUL_EWALD;
      else if (strcmp(v, "pme") == 0) a->coulomb = MD_COUL_PME;
      else if (strcmp(v, "none") == 0) a->coulomb = MD_COUL_NONE;
      else return md_error(MD_ERR_VALUE, "eval: --coulomb '%s': expected ewald, pme or none", v);
    } else if (strcmp(opt, "--accuracy") == 0) {
      const char *v = argv[++k];
      char *end;
      a->accuracy = strtod(v, &end);
      if (end == v || *end || !(a->accuracy > 0 && a->accuracy < 1))
        return md_error(MD_ERR_VALUE, "eval: --accuracy '%s': expected a number in (0, 1), e.g. 1e-10", v);
    } else if (strcmp(opt, "--rcut") == 0) {
      const char *v = argv[++k];
      char *end;
      a->rcut = strtod(v, &end);
      if (end == v || *end || !(a->rcut > 0 && a->rcut < 1e6))
        return md_error(MD_ERR_VALUE, "eval: --rcut '%s': expected a positive length in A, e.g. 8", v);
    } else if (strcmp(opt, "--lammps") == 0) {
      a->lammps = 1;
    } else if (strcmp(opt, "--lammps-table") == 0) {
      const char *v = argv[++k];
      char *end;
      long b = strtol(v, &end, 10);
      if (end == v || *end || b < 0 || b > COUL_TABLE_MAX_BITS || (b > 0 && b < 3))
        return md_error(MD_ERR_VALUE, "eval: --lammps-table '%s': expected 0 (no table) or 3 … %d bits", v, COUL_TABLE_MAX_BITS);
      a->lammps = 1;
      a->table_bits = (int)b;
    } else if (strcmp(opt, "--lammps-tabsqrt") == 0) {
      const char *v = argv[++k];
      if (strcmp(v, "float") && strcmp(v, "double"))
        return md_error(MD_ERR_VALUE, "eval: --lammps-tabsqrt '%s': expected float (LAMMPS 2022 and older) or double (LAMMPS 2025)", v);
      a->lammps = 1;
      a->tabsqrt_float = strcmp(v, "float") == 0;
    } else if (strcmp(opt, "--bispectrum") == 0) {
      a->bispectrum = 1;
    } else if (strcmp(opt, "--energies") == 0) {
      a->energies = 1;
    } else if (strcmp(opt, "--batch") == 0) {
      const char *v = argv[++k];
      char *end = NULL;
      long n = strtol(v, &end, 10);
      if (end == v || *end != '\0' || n < 1 || n > EVAL_MAX_BATCH)
        return md_error(MD_ERR_VALUE, "eval: --batch '%s': expected a number of frames from 1 to %d", v, EVAL_MAX_BATCH);
      a->batch = (int)n;
    } else if (strcmp(opt, "--types") == 0) {
      a->types = argv[++k];
    } else if (strcmp(opt, "--device") == 0) {
      a->device = argv[++k];
      if (strcmp(a->device, "auto") && strcmp(a->device, "cpu") && strcmp(a->device, "gpu"))
        return md_error(MD_ERR_VALUE, "eval: --device '%s': expected auto, cpu or gpu", a->device);
    } else if (opt[0] == '-' && opt[1] != '\0') {
      return md_error(MD_ERR_VALUE, "eval: unknown option '%s' (esnapmd eval --help)", opt);
    } else if (!a->in) {
      a->in = opt;
    } else {
      return md_error(MD_ERR_VALUE, "eval: more than one input file ('%s' and '%s')", a->in, opt);
    }
  }
  if (!a->in) return md_error(MD_ERR_VALUE, "eval: no input structure given (esnapmd eval IN [-o OUT.xyz])");
  if (a->batch > 0 && (a->energies || a->bispectrum))
    return md_error(MD_ERR_VALUE, "eval: --batch evaluates without per-atom energies or bispectrum: drop --%s or --batch",
                    a->energies ? "energies" : "bispectrum");
  return MD_OK;
}

static int reserved_key(const char *k) {
  static const char *const names[] = {"Lattice", "Properties", "pbc", "energy", "energy_snap", "energy_coulomb",
                                      "energy_zbl", "virial", "stress", "free_energy", "units"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcasecmp(k, names[i]) == 0) return 1;
  return 0;
}

/* value for key=value: bare when it is one word without quotes, else "quoted" (empty flag -> T) */
static void quote_value(strbuf *b, const char *v) {
  if (!v[0]) {
    strbuf_puts(b, "T");
    return;
  }
  int plain = 1;
  for (const char *p = v; *p; p++)
    if (*p == ' ' || *p == '\t' || *p == '"' || *p == '\'' || *p == '=' || *p == '{' || *p == '[') plain = 0;
  if (plain) {
    strbuf_puts(b, v);
    return;
  }
  strbuf_putc(b, '"');
  for (const char *p = v; *p; p++) {
    if (*p == '"') strbuf_putc(b, '\\');
    strbuf_putc(b, *p);
  }
  strbuf_putc(b, '"');
}

static void put_reals(strbuf *b, const real_t *v, int n, int quoted) {
  if (quoted) strbuf_putc(b, '"');
  for (int k = 0; k < n; k++) {
    char t[40];
    io_format_real(t, sizeof t, v[k]);
    if (k) strbuf_putc(b, ' ');
    strbuf_puts(b, t);
  }
  if (quoted) strbuf_putc(b, '"');
}

#define EVAL_MAX_INFO (XYZ_MAX_KEYS + 8)

/* One input frame held until its results are written: the system and the input's key=value pairs (XYZ). */
typedef struct eval_frame {
  md_system *s;
  int index;            /* 0-based frame index in the input */
  char where[MD_PATH_LEN + 32];
  int nkeys;
  char *key[XYZ_MAX_KEYS], *value[XYZ_MAX_KEYS];
} eval_frame;

static void frame_clear(eval_frame *f) {
  system_destroy(&f->s);
  for (int k = 0; k < f->nkeys; k++) {
    free(f->key[k]);
    free(f->value[k]);
  }
  memset(f, 0, sizeof *f);
}

/* Take system s, just read from sr, with the reader's frame information. */
static md_status frame_take(eval_frame *f, const structure_reader *sr, md_system *s) {
  f->s = s;
  f->index = structure_index(sr);
  snprintf(f->where, sizeof f->where, "%s", structure_where(sr));
  const xyz_frame *in = structure_frame(sr);
  for (int k = 0; in && k < in->nkeys; k++) {
    size_t lk = strlen(in->key[k]) + 1, lv = strlen(in->value[k]) + 1;
    f->key[k] = (char *)malloc(lk);
    f->value[k] = (char *)malloc(lv);
    f->nkeys = k + 1;
    if (!f->key[k] || !f->value[k]) return md_error(MD_ERR_MEMORY, "%s: out of memory", f->where);
    memcpy(f->key[k], in->key[k], lk);
    memcpy(f->value[k], in->value[k], lv);
  }
  return MD_OK;
}

static md_status write_frame(FILE *fp, const char *path, const md_system *s, const ff_result *r, const eval_frame *in,
                             real_t *fbuf) {
  /* columns: forces, then per-atom energies and bispectrum when computed */
  xyz_col cols[3] = {{"forces", 3, fbuf}, {"energies", 1, r->eatom}, {"bispectrum", r->nbisp, r->bispectrum}};
  int ncols = 1;
  if (r->eatom) ncols++;
  else cols[1] = cols[2];
  if (r->nbisp > 0) ncols++;
  strbuf vals[EVAL_MAX_INFO];
  xyz_info info[EVAL_MAX_INFO];
  const char *keys[6] = {"energy", "energy_snap", "energy_coulomb", "energy_zbl", "virial", "stress"};
  int ninfo = 0;
  real_t stress[9];
  evaluator_stress(s, r, stress);
  const real_t e[4] = {r->energy, r->e_snap, r->e_coul, r->e_zbl};
  for (int k = 0; k < 6; k++) {
    strbuf_init(&vals[ninfo]);
    if (k < 4) put_reals(&vals[ninfo], &e[k], 1, 0);
    else put_reals(&vals[ninfo], k == 4 ? r->virial : stress, 9, 1);
    info[ninfo].key = keys[k];
    ninfo++;
  }
  strbuf_init(&vals[ninfo]);
  strbuf_puts(&vals[ninfo], "metal");
  info[ninfo++].key = "units";
  if (in)
    for (int k = 0; k < in->nkeys && ninfo < EVAL_MAX_INFO; k++) {
      if (reserved_key(in->key[k])) continue;
      strbuf_init(&vals[ninfo]);
      quote_value(&vals[ninfo], in->value[k]);
      info[ninfo++].key = in->key[k];
    }
  int failed = 0;
  for (int k = 0; k < ninfo; k++) {
    failed |= vals[k].failed;
    info[k].value = vals[k].data ? vals[k].data : "";
  }
  for (int i = 0; i < s->n; i++) {
    fbuf[3 * i] = r->fx[i];
    fbuf[3 * i + 1] = r->fy[i];
    fbuf[3 * i + 2] = r->fz[i];
  }
  md_status st = failed ? md_error(MD_ERR_MEMORY, "%s: out of memory", path)
                        : xyz_write_frame(fp, path, s, 0, 0, info, ninfo, cols, ncols, NULL);
  for (int k = 0; k < ninfo; k++) strbuf_free(&vals[k]);
  return st;
}

static void print_header(const eval_args *a, const char *model_path, const char *desc, const char *device) {
  printf("# esnapmd eval %s (%s): %s, model %s\n", ESNAP_VERSION, ESNAP_COMMIT, a->in, model_path);
  printf("# device: %s\n", device);
  printf("# Coulomb: %s\n", desc);
  printf("# units: energies eV, E/atom eV/atom, pressure bar (virial part tr(W)/3V, no kinetic term), volume A^3\n");
  printf("# %5s %7s %19s %19s %19s %19s %16s %14s %12s\n", "frame", "atoms", "E_total", "E_snap", "E_coulomb", "E_zbl",
         "E/atom", "pressure", "volume");
}

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_timing(const char *prefix, int frames, long long evals, double t, double t1, long long n1, int batch) {
  char first[48] = "first frame", rest[96] = "";
  if (batch > 0) snprintf(first, sizeof first, "first batch (up to %d frames)", batch);
  if (frames > (batch > 0 ? batch : 1) && t > t1)
    snprintf(rest, sizeof rest, " (%.4g after the %s)", (double)(evals - n1) / (t - t1), batch > 0 ? "first batch" : "first frame");
  printf("%stiming: %d frame%s, %lld atom-evaluations in %.6g s of force evaluation (%s %.6g s), %.4g atom-evaluations/s%s, "
         "%d OpenMP thread%s\n",
         prefix, frames, frames == 1 ? "" : "s", evals, t, first, t1, t > 0 ? (double)evals / t : 0.0, rest,
         omp_get_max_threads(), omp_get_max_threads() == 1 ? "" : "s");
}

md_status cmd_eval(int argc, char **argv) {
  eval_args a;
  int help = 0;
  MD_TRY(parse_args(argc, argv, &a, &help));
  if (help) {
    fputs(k_usage, stdout);
    return MD_OK;
  }
  const int cap = a.batch > 0 ? a.batch : 1; /* frames evaluated together */
  md_model *m = (md_model *)calloc(1, sizeof *m);
  eval_frame *fr = (eval_frame *)calloc((size_t)cap, sizeof *fr);
  ff_result *res = (ff_result *)calloc((size_t)cap, sizeof *res);
  md_system **sys = (md_system **)calloc((size_t)cap, sizeof *sys);
  if (!m || !fr || !res || !sys) {
    free(m);
    free(fr);
    free(res);
    free(sys);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  const char *model_path = a.model ? a.model : model_default_path();
  md_evaluator *ev = NULL;
  structure_reader *sr = NULL;
  real_t *fbuf = NULL;
  size_t fbuf_n = 0;
  io_atomic out;
  memset(&out, 0, sizeof out);
  int frames = 0;
  double t_force = 0.0, t_first = 0.0; /* s */
  long long atom_evals = 0, atoms_first = 0;
  md_status st = MD_OK;
  evaluator_options eo;
  evaluator_options_default(&eo);
  eo.device = a.device;
  eo.who = "eval: --device";
  eo.ff.coulomb = a.coulomb;
  eo.ff.accuracy = a.accuracy;
  eo.ff.rcut = a.rcut;
  if (a.lammps) {
    eo.ff.coulomb_lammps.on = 1;
    eo.ff.coulomb_lammps.table_bits = a.table_bits;
    eo.ff.coulomb_lammps.tabinner = sqrt(2.0);
    eo.ff.coulomb_lammps.tabsqrt_float = a.tabsqrt_float;
  }
  eo.ff.bispectrum = a.bispectrum;
  st = model_read(m, model_path);
  if (st == MD_OK && a.bispectrum && !m->has_snap)
    st = md_error(MD_ERR_VALUE, "eval: --bispectrum: the model %s has no SNAP term", model_path);
  structure_options so;
  structure_options_default(&so);
  if (st == MD_OK && a.types) st = lmp_parse_type_list(&so.lammps, a.types);
  if (st == MD_OK) st = evaluator_create(&ev, m, &eo);
  if (st == MD_OK) st = structure_open(&sr, a.in, m, &so);
  if (st == MD_OK && a.out) st = io_atomic_open(&out, a.out);
  int nbisp = ev ? evaluator_nbispectrum(ev) : 0;
  int eof = 0;
  for (int group = 0; st == MD_OK && !eof; group++) {
    /* read up to cap frames */
    int nf = 0;
    long long natoms = 0;
    while (st == MD_OK && nf < cap) {
      md_system *s = NULL;
      st = structure_next(sr, &s, &eof);
      if (st != MD_OK || eof) break;
      st = frame_take(&fr[nf], sr, s);
      nf++;
      natoms += s->n;
      if (st == MD_OK) st = ff_result_alloc(&res[nf - 1], s->n, nbisp);
      if (st == MD_OK && a.energies) {
        res[nf - 1].eatom = (real_t *)malloc((size_t)s->n * sizeof(real_t));
        if (!res[nf - 1].eatom) st = md_error(MD_ERR_MEMORY, "out of memory");
      }
      if (st == MD_OK && 3 * (size_t)s->n > fbuf_n) {
        free(fbuf);
        fbuf_n = 3 * (size_t)s->n;
        fbuf = (real_t *)malloc(fbuf_n * sizeof(real_t));
        if (!fbuf) st = md_error(MD_ERR_MEMORY, "out of memory");
      }
    }
    /* evaluate them: one frame with the evaluator's force field, or a batch of backend replicas */
    double t0 = wall_now();
    if (st == MD_OK && nf > 0) {
      if (a.batch > 0) {
        for (int k = 0; k < nf; k++) sys[k] = fr[k].s;
        st = evaluator_compute_batch(ev, sys, nf, res, "frame", fr[0].index);
        if (st != MD_OK) st = md_error(st, "%s: %s", a.in, md_errmsg());
      } else {
        st = evaluator_compute(ev, fr[0].s, &res[0], fr[0].where);
      }
    }
    double dt = wall_now() - t0;
    if (st == MD_OK && nf > 0) {
      t_force += dt;
      if (group == 0) {
        t_first = dt;
        atoms_first = natoms;
      }
      atom_evals += natoms;
    }
    /* write them */
    for (int k = 0; k < nf && st == MD_OK; k++) {
      const ff_result *r = &res[k];
      const md_system *s = fr[k].s;
      if (a.out) {
        st = write_frame(out.fp, a.out, s, r, &fr[k], fbuf);
      } else {
        if (frames == 0) print_header(&a, model_path, evaluator_describe(ev), evaluator_device(ev));
        real_t p = (r->virial[0] + r->virial[4] + r->virial[8]) / (3.0 * s->box.volume) * MD_NKTV2P;
        printf("  %5d %7d %19.10f %19.10f %19.10f %19.10f %16.10f %14.6f %12.4f\n", fr[k].index, s->n, r->energy,
               r->e_snap, r->e_coul, r->e_zbl, r->energy / s->n, p, s->box.volume);
      }
      frames++;
    }
    for (int k = 0; k < nf; k++) {
      frame_clear(&fr[k]);
      free(res[k].eatom);
      res[k].eatom = NULL;
      ff_result_free(&res[k]);
    }
  }
  if (st == MD_OK && a.out) {
    st = io_atomic_commit(&out);
    if (st == MD_OK)
      printf("esnapmd eval: %d frame%s of %s evaluated on %s (%s) -> %s\n", frames, frames == 1 ? "" : "s", a.in,
             evaluator_device(ev), evaluator_describe(ev), a.out);
  }
  if (st == MD_OK && frames > 0)
    print_timing(a.out ? "esnapmd eval: " : "# ", frames, atom_evals, t_force, t_first, atoms_first, a.batch);
  if (st != MD_OK) io_atomic_abort(&out);
  fflush(stdout);
  structure_close(&sr);
  free(fbuf);
  evaluator_destroy(&ev);
  free(sys);
  free(res);
  free(fr);
  free(m);
  return st;
}
