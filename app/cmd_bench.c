/* cmd_bench.c — `esnapmd bench`: throughput of full MD steps (eSNAP + PME 1e-5, NVT 1000 K, dt 1 fs, skin
 * 1 Å) for Li3N supercells, on the CUDA backend (with a per-stage time breakdown from CUDA events), the CPU
 * backend (per OpenMP thread count) and, when `lmp` is on PATH, LAMMPS with the same model (pair_style
 * hybrid/overlay coul/long RC snap zbl 1.0 1.5, pppm 1e-5, fix nvt; ranks by mpirun), side by side in a
 * Markdown table with the machine, date and commit. Each row (and each GPU stage table) is printed and flushed,
 * to stdout and to --out, as soon as it is measured.
 *
 *   esnapmd bench [--sizes 5,10,20,40] [--device auto|gpu|cpu|both] [--threads 1,2] [--cpu-max-atoms N]
 *                 [--seconds S] [--lammps auto|no] [--lammps-np 1,2] [--lammps-rc R] [--model FILE] [--out FILE]
 *
 * Timing: a warm-up, a short calibration, then enough steps to fill about S seconds (default 3) per entry;
 * atom-steps/s = atoms × steps / wall time of run_steps (the device synchronised at its end). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "backend.h"
#include "math/nhc.h"
#include "commands.h"
#include "integrate.h"
#include "atomic_file.h"
#include "io_xyz.h"
#include "lattice.h"
#include "model.h"
#include "strbuf.h"
#include "system.h"
#include "velocity.h"
#if ESNAP_HAVE_CUDA
#include "backend_gpu.h"
#include "gpu_atoms.h"
#endif

#define BENCH_MAX 16

typedef struct bench_args {
  int sizes[BENCH_MAX], nsizes;
  int threads[BENCH_MAX], nthreads;
  int ranks[BENCH_MAX], nranks;
  int use_gpu, use_cpu;
  long cpu_max_atoms;
  double seconds;
  int lammps;
  double lammps_rc;
  const char *model, *out;
} bench_args;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static md_status parse_list(const char *opt, const char *v, int *out, int *n) {
  *n = 0;
  const char *p = v;
  while (*p) {
    char *end;
    long x = strtol(p, &end, 10);
    if (end == p || x < 1 || x > 1000 || *n >= BENCH_MAX)
      return md_error(MD_ERR_VALUE, "bench: %s '%s': expected positive integers separated by commas", opt, v);
    out[(*n)++] = (int)x;
    p = end;
    if (*p == ',') p++;
    else if (*p) return md_error(MD_ERR_VALUE, "bench: %s '%s': expected positive integers separated by commas", opt, v);
  }
  return *n > 0 ? MD_OK : md_error(MD_ERR_VALUE, "bench: %s needs at least one value", opt);
}

static const char *k_usage =
    "usage: esnapmd bench [--sizes 5,10,20,40] [--device auto|gpu|cpu|both] [--threads 1,2] [--cpu-max-atoms N]\n"
    "                     [--seconds S] [--lammps auto|no] [--lammps-np 1,2] [--lammps-rc R] [--model FILE] [--out FILE]\n"
    "Full MD steps (eSNAP + PME 1e-5, NVT 1000 K, dt 1 fs) of NxNxN Li3N supercells (4 N^3 atoms): atom-steps/s of the\n"
    "CUDA backend (with per-stage times), the CPU backend per OpenMP thread count (up to --cpu-max-atoms, default\n"
    "40000) and LAMMPS (when lmp is on PATH; mpirun -np for each --lammps-np), as a Markdown table (--out: also to FILE).\n";

static md_status parse_args(int argc, char **argv, bench_args *a, int *help) {
  memset(a, 0, sizeof *a);
  *help = 0;
  const int sz[4] = {5, 10, 20, 40};
  memcpy(a->sizes, sz, sizeof sz);
  a->nsizes = 4;
  a->threads[0] = 0; /* 0: the OpenMP default */
  a->nthreads = 1;
  a->ranks[0] = 1;
  a->nranks = 1;
  a->cpu_max_atoms = 40000;
  a->seconds = 3.0;
  a->lammps = 1;
  a->lammps_rc = 8.0;
  const char *device = "auto";
  for (int k = 1; k < argc; k++) {
    const char *o = argv[k];
    const char *v = k + 1 < argc ? argv[k + 1] : NULL;
    int takes = strcmp(o, "-h") && strcmp(o, "--help");
    if (takes && !v) return md_error(MD_ERR_VALUE, "bench: option %s needs a value (esnapmd bench --help)", o);
    if (!takes) {
      *help = 1;
      return MD_OK;
    } else if (!strcmp(o, "--sizes")) {
      MD_TRY(parse_list(o, v, a->sizes, &a->nsizes));
    } else if (!strcmp(o, "--threads")) {
      MD_TRY(parse_list(o, v, a->threads, &a->nthreads));
    } else if (!strcmp(o, "--lammps-np")) {
      MD_TRY(parse_list(o, v, a->ranks, &a->nranks));
    } else if (!strcmp(o, "--device")) {
      device = v;
      if (strcmp(v, "auto") && strcmp(v, "gpu") && strcmp(v, "cpu") && strcmp(v, "both"))
        return md_error(MD_ERR_VALUE, "bench: --device '%s': expected auto, gpu, cpu or both", v);
    } else if (!strcmp(o, "--cpu-max-atoms")) {
      a->cpu_max_atoms = atol(v);
    } else if (!strcmp(o, "--seconds")) {
      a->seconds = atof(v);
      if (!(a->seconds > 0 && a->seconds < 3600)) return md_error(MD_ERR_VALUE, "bench: --seconds '%s' out of range", v);
    } else if (!strcmp(o, "--lammps")) {
      if (strcmp(v, "auto") && strcmp(v, "no")) return md_error(MD_ERR_VALUE, "bench: --lammps '%s': expected auto or no", v);
      a->lammps = !strcmp(v, "auto");
    } else if (!strcmp(o, "--lammps-rc")) {
      a->lammps_rc = atof(v);
      if (!(a->lammps_rc > 1 && a->lammps_rc < 30)) return md_error(MD_ERR_VALUE, "bench: --lammps-rc '%s' out of range", v);
    } else if (!strcmp(o, "--model")) {
      a->model = v;
    } else if (!strcmp(o, "--out")) {
      a->out = v;
    } else {
      return md_error(MD_ERR_VALUE, "bench: unknown option '%s' (esnapmd bench --help)", o);
    }
    k++;
  }
  int ndev = 0;
#if ESNAP_HAVE_CUDA
  gpu_device_count(&ndev);
#endif
  if (!strcmp(device, "gpu") && ndev < 1)
    return md_error(MD_ERR_DEVICE, "bench: --device gpu: %s", ESNAP_HAVE_CUDA ? "no CUDA device found" : "built without CUDA");
  a->use_gpu = ndev > 0 && strcmp(device, "cpu") != 0;
  a->use_cpu = !strcmp(device, "cpu") || !strcmp(device, "both") || (!strcmp(device, "auto") && ndev < 1);
  if (!strcmp(device, "auto") && ndev > 0) a->use_cpu = 1; /* the CPU beside the GPU (small sizes) */
  return MD_OK;
}

/* ---- one measurement of a backend ---- */

typedef struct bench_row {
  int n, atoms;
  char what[64];      /* "gpu", "cpu (2 threads)", "lammps (2 ranks)" */
  long steps;
  double sec;         /* wall time of the timed steps */
  double temp;        /* K at the end (sanity) */
  char note[160];
} bench_row;

static md_backend_options bench_options(void) {
  md_backend_options o;
  memset(&o, 0, sizeof o);
  o.integ.ensemble = MD_ENS_NVT;
  o.integ.dt = 0.001;
  o.integ.t_start = o.integ.t_stop = 1000.0;
  o.integ.ramp_end = 1000000;
  o.integ.t_damp = 0.1;
  o.integ.chain = 3;
  o.integ.tloop = 1;
  o.safety.t_max = 10000.0;
  o.safety.min_dist = 0.5;
  o.safety.min_dist_every = 10;
  o.safety.max_disp = 1.0;
  o.coulomb = MD_COUL_PME;
  o.coulomb_accuracy = 1e-5;
  o.skin = 1.0;
  o.quiet = 1;
  return o;
}

/* ms[] (optional, GPU): per-stage profile of a few more steps. */
static md_status bench_backend(const md_backend_ops *ops, const md_model *m, const md_system *s0, double seconds, bench_row *row,
                               double *ms, char *desc, size_t ndesc) {
  md_replica rep;
  MD_TRY(replica_alloc(&rep, s0));
  md_backend *b = NULL;
  md_backend_options o = bench_options();
  nhc_params np;
  integ_nhc_params(&o.integ, rep.sys->n, &np);
  nhc_init(&rep.nhc, &np, 1000.0, velocity_temperature(rep.sys, m->mass));
  md_status st = ops->create(&b, m, &o, &rep, 1);
  if (st == MD_OK) st = ops->set_state(b, 0, &rep, MD_STATE_ALL);
  if (st == MD_OK) st = ops->compute_forces(b);
  if (st == MD_OK) st = ops->run_steps(b, 5); /* warm-up (graph capture, caches, first rebuilds) */
  long steps = 3;
  double t = 0.0;
  if (st == MD_OK) { /* calibration */
    double t0 = now_s();
    st = ops->run_steps(b, steps);
    t = now_s() - t0;
  }
  if (st == MD_OK) {
    double per = t / steps;
    steps = (long)(seconds / (per > 1e-7 ? per : 1e-7));
    if (steps < 3) steps = 3;
    if (steps > 100000) steps = 100000;
    double t0 = now_s();
    st = ops->run_steps(b, steps);
    row->sec = now_s() - t0;
    row->steps = steps;
  }
  md_thermo th;
  if (st == MD_OK) st = ops->reduce_thermo(b, 0, &th);
  if (st == MD_OK) row->temp = th.temp;
  if (st == MD_OK && desc) snprintf(desc, ndesc, "%s", ops->describe(b));
#if ESNAP_HAVE_CUDA
  if (st == MD_OK && ms) {
    long ps = steps / 4 > 50 ? 50 : (steps / 4 > 3 ? steps / 4 : 3);
    st = backend_cuda_profile(b, ps, ms);
    snprintf(row->note, sizeof row->note, "CUDA graphs %s", backend_cuda_uses_graphs(b) ? "on" : "off");
  }
#else
  (void)ms;
#endif
  if (b) ops->destroy(&b);
  replica_free(&rep);
  return st;
}

/* ---- LAMMPS ---- */

static int have_program(const char *name) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
  return system(cmd) == 0;
}

static md_status write_lammps_inputs(const char *dir, const md_model *m, const md_system *s, double rc, long steps) {
  char path[MD_PATH_LEN + 64];
  snprintf(path, sizeof path, "%s/data.li3n", dir);
  FILE *fp = fopen(path, "w");
  if (!fp) return md_error(MD_ERR_IO, "%s: cannot write", path);
  const real_t *h = s->box.h;
  fprintf(fp, "esnapmd bench: Li3N supercell (atom_style charge)\n\n%d atoms\n%d atom types\n\n", s->n, m->nelem);
  fprintf(fp, "0 %.16g xlo xhi\n0 %.16g ylo yhi\n0 %.16g zlo zhi\n%.16g %.16g %.16g xy xz yz\n\nMasses\n\n", h[0], h[4], h[8],
          h[3], h[6], h[7]);
  for (int e = 0; e < m->nelem; e++) fprintf(fp, "%d %.10g\n", e + 1, m->mass[e]);
  fprintf(fp, "\nAtoms # charge\n\n");
  for (int i = 0; i < s->n; i++)
    fprintf(fp, "%d %d %.10g %.16g %.16g %.16g\n", i + 1, s->type[i] + 1, m->charge[s->type[i]], s->x[i], s->y[i], s->z[i]);
  if (fclose(fp) != 0) return md_error(MD_ERR_IO, "%s: write failed", path);
  /* the SNAP files next to the coefficient file named by the model */
  char param[MD_PATH_LEN + 16];
  snprintf(param, sizeof param, "%s", m->snap.source);
  char *dot = strstr(param, "coeff");
  if (!dot) return md_error(MD_ERR_VALUE, "%s: cannot derive the .snapparam name", m->snap.source);
  strcpy(dot, "param");
  snprintf(path, sizeof path, "%s/in.bench", dir);
  fp = fopen(path, "w");
  if (!fp) return md_error(MD_ERR_IO, "%s: cannot write", path);
  fprintf(fp, "# esnapmd bench: the eSNAP Li3N model in LAMMPS (tests/data/lammps-inputs/in.bench style)\n"
              "units metal\natom_style charge\nboundary p p p\nbox tilt large\nread_data data.li3n\n");
  fprintf(fp, "pair_style hybrid/overlay coul/long %g snap zbl %g %g\npair_coeff * * coul/long\n", rc, m->zbl_inner, m->zbl_outer);
  fprintf(fp, "pair_coeff * * snap %s %s", m->snap.source, param);
  for (int e = 0; e < m->nelem; e++) fprintf(fp, " %s", m->elem[e]);
  fprintf(fp, "\n");
  for (int a = 0; a < m->nelem; a++)
    for (int b = a; b < m->nelem; b++) fprintf(fp, "pair_coeff %d %d zbl %g %g\n", a + 1, b + 1, m->zbl_z[a], m->zbl_z[b]);
  fprintf(fp, "kspace_style pppm 1e-5\nneighbor 1.0 bin\ntimestep 0.001\n"
              "velocity all create 1000 4928 mom yes rot no dist gaussian\nfix 1 all nvt temp 1000 1000 0.1\n"
              "thermo 1000\nrun 5\nrun %ld\n", steps);
  if (fclose(fp) != 0) return md_error(MD_ERR_IO, "%s: write failed", path);
  return MD_OK;
}

/* Loop time of the last run in a LAMMPS log; 0 when absent. */
static double lammps_loop_time(const char *log, long *steps) {
  FILE *fp = fopen(log, "r");
  if (!fp) return 0.0;
  char line[1024];
  double t = 0.0;
  while (fgets(line, sizeof line, fp)) {
    double x;
    int procs;
    long st, at;
    if (sscanf(line, "Loop time of %lf on %d procs for %ld steps with %ld atoms", &x, &procs, &st, &at) == 4) {
      t = x;
      *steps = st;
    }
  }
  fclose(fp);
  return t;
}

static md_status bench_lammps(const bench_args *a, const md_model *m, const md_system *s, int ranks, int threads,
                              double est_per_step, bench_row *row) {
  char dir[] = "/tmp/esnapmd_bench_XXXXXX";
  if (!mkdtemp(dir)) return md_error(MD_ERR_IO, "bench: cannot create a temporary directory");
  long steps = (long)(a->seconds / (est_per_step > 1e-6 ? est_per_step : 1e-6));
  if (steps < 5) steps = 5;
  if (steps > 20000) steps = 20000;
  md_status st = write_lammps_inputs(dir, m, s, a->lammps_rc, steps);
  if (st == MD_OK) {
    char cmd[2 * MD_PATH_LEN];
    if (ranks > 1)
      snprintf(cmd, sizeof cmd, "cd %s && OMP_NUM_THREADS=%d mpirun -np %d lmp -in in.bench -log log.lammps -screen none "
               ">/dev/null 2>&1", dir, threads > 0 ? threads : 1, ranks);
    else
      snprintf(cmd, sizeof cmd, "cd %s && OMP_NUM_THREADS=%d lmp -in in.bench -log log.lammps -screen none >/dev/null 2>&1", dir,
               threads > 0 ? threads : 1);
    int rc = system(cmd);
    char log[MD_PATH_LEN];
    snprintf(log, sizeof log, "%s/log.lammps", dir);
    long done = 0;
    double t = lammps_loop_time(log, &done);
    if (rc != 0 || t <= 0.0 || done != steps) {
      st = md_error(MD_ERR_IO, "bench: LAMMPS failed (exit %d; see %s)", rc, log);
    } else {
      row->sec = t;
      row->steps = done;
      snprintf(row->note, sizeof row->note, "pair coul/long %g A + pppm 1e-5", a->lammps_rc);
      char rm[MD_PATH_LEN + 16];
      snprintf(rm, sizeof rm, "rm -rf %s", dir);
      if (system(rm) != 0) { /* leave it */
      }
    }
  }
  return st;
}

/* ---- report ---- */

static void machine_line(strbuf *b) {
  struct utsname u;
  char cpu[256] = "unknown CPU";
  FILE *fp = fopen("/proc/cpuinfo", "r");
  if (fp) {
    char line[512];
    while (fgets(line, sizeof line, fp))
      if (strncmp(line, "model name", 10) == 0) {
        char *c = strchr(line, ':');
        if (c) {
          snprintf(cpu, sizeof cpu, "%s", c + 2);
          cpu[strcspn(cpu, "\n")] = '\0';
        }
        break;
      }
    fclose(fp);
  }
  uname(&u);
  time_t t = time(NULL);
  char date[64];
  strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&t));
  double load = -1.0;
  fp = fopen("/proc/loadavg", "r");
  if (fp) {
    if (fscanf(fp, "%lf", &load) != 1) load = -1.0;
    fclose(fp);
  }
  strbuf_printf(b, "- machine: %s, %s, %ld logical CPUs, load average %.2f at the start (other work on the machine slows the\n"
                "  CPU rows)\n", u.nodename, cpu, sysconf(_SC_NPROCESSORS_ONLN), load);
#if ESNAP_HAVE_CUDA
  int ndev = 0;
  gpu_device_count(&ndev);
  if (ndev > 0) strbuf_printf(b, "- GPU: %s\n", gpu_device_name());
#endif
  strbuf_printf(b, "- date: %s\n- esnapmd %s, commit %s\n", date, ESNAP_VERSION, ESNAP_COMMIT);
}

/* The report goes out piece by piece as each measurement completes (stdout and --out, both flushed), so a
 * bench that is stopped part of the way still leaves every finished row and stage table. A Markdown table
 * ends at a blank line: the main table's header is repeated after a stage table. */
typedef struct bench_report {
  FILE *file;    /* --out (NULL: stdout only) */
  int in_table;  /* the last piece was a row of the main table */
  strbuf buf;
} bench_report;

static md_status report_emit(bench_report *r) {
  md_status st = r->buf.failed ? md_error(MD_ERR_MEMORY, "bench: out of memory") : MD_OK;
  const char *text = r->buf.data ? r->buf.data : "";
  if (st == MD_OK && r->file && (fputs(text, r->file) < 0 || fflush(r->file) != 0))
    st = md_error(MD_ERR_IO, "bench: writing the report failed");
  if (st == MD_OK) { /* after the file: what stdout shows is already in it */
    fputs(text, stdout);
    fflush(stdout);
  }
  strbuf_clear(&r->buf);
  return st;
}

/* One row of the main table (the header first when the previous piece was something else). */
static md_status report_row(bench_report *r, int n, int atoms, const char *what, const char *rest) {
  if (!r->in_table)
    strbuf_printf(&r->buf, "\n| cell | atoms | code | steps | ms/step | atom-steps/s | T end (K) | notes |\n"
                           "|---|---:|---|---:|---:|---:|---:|---|\n");
  r->in_table = 1;
  strbuf_printf(&r->buf, "| %dx%dx%d | %d | %s | %s |\n", n, n, n, atoms, what, rest);
  return report_emit(r);
}

md_status cmd_bench(int argc, char **argv) {
  bench_args a;
  int help;
  MD_TRY(parse_args(argc, argv, &a, &help));
  if (help) {
    fputs(k_usage, stdout);
    return MD_OK;
  }
  md_model m;
  MD_TRY(model_read(&m, a.model ? a.model : model_default_path()));
  int lmp = a.lammps && m.has_snap && have_program("lmp");
  int mpi = have_program("mpirun");
  bench_report rep;
  memset(&rep, 0, sizeof rep);
  strbuf_init(&rep.buf);
  if (a.out && !(rep.file = fopen(a.out, "w"))) {
    strbuf_free(&rep.buf);
    return md_error(MD_ERR_IO, "%s: cannot write", a.out);
  }
  strbuf_printf(&rep.buf, "# esnapmd bench: full MD steps, eSNAP Li3N + PME 1e-5, NVT 1000 K, dt 1 fs, skin 1 A\n\n");
  machine_line(&rep.buf);
  strbuf_printf(&rep.buf, "- LAMMPS: %s\n", lmp ? "lmp on PATH (same model; coul/long + pppm 1e-5, fix nvt, neighbor 1.0 bin)"
                                                 : "not run (lmp not found, --lammps no, or no SNAP in the model)");
  md_status st = report_emit(&rep);
  fprintf(stderr, "esnapmd bench: sizes");
  for (int k = 0; k < a.nsizes; k++) fprintf(stderr, " %d^3", a.sizes[k]);
  fprintf(stderr, "%s%s%s\n", a.use_gpu ? ", gpu" : "", a.use_cpu ? ", cpu" : "", lmp ? ", lammps" : "");
  char rest[512];
  for (int k = 0; k < a.nsizes && st == MD_OK; k++) {
    const int n = a.sizes[k];
    md_system *s = NULL;
    st = lattice_li3n(&s, n, n, n, 0, 0, &m);
    if (st != MD_OK) break;
    md_rng rng;
    md_rng_seed(&rng, 4928, 0);
    st = velocity_create(s, m.mass, 1000.0, VELOCITY_GAUSSIAN, 1, &rng);
    system_wrap(s);
    double cpu_per_step = 0.0;
    const md_backend_ops *list[1 + BENCH_MAX];
    int nops = 0, thr[1 + BENCH_MAX];
#if ESNAP_HAVE_CUDA
    if (a.use_gpu) {
      list[nops] = md_backend_cuda();
      thr[nops++] = -1;
    }
#endif
    if (a.use_cpu && s->n <= a.cpu_max_atoms)
      for (int t = 0; t < a.nthreads; t++) {
        list[nops] = md_backend_cpu();
        thr[nops++] = a.threads[t];
      }
    for (int q = 0; q < nops && st == MD_OK; q++) {
      bench_row row;
      memset(&row, 0, sizeof row);
      row.n = n;
      row.atoms = s->n;
      double ms[16] = {0};
      char desc[1024] = "";
      int is_gpu = thr[q] < 0;
#ifdef _OPENMP
      int saved = omp_get_max_threads();
      if (!is_gpu && thr[q] > 0) omp_set_num_threads(thr[q]);
      int used = omp_get_max_threads();
#else
      int used = 1;
#endif
      if (is_gpu) snprintf(row.what, sizeof row.what, "esnapmd gpu");
      else snprintf(row.what, sizeof row.what, "esnapmd cpu, %d thread%s", used, used == 1 ? "" : "s");
      fprintf(stderr, "  %d^3 (%d atoms): %s ...\n", n, s->n, row.what);
      st = bench_backend(list[q], &m, s, a.seconds, &row, is_gpu ? ms : NULL, desc, sizeof desc);
#ifdef _OPENMP
      omp_set_num_threads(saved);
#endif
      if (st == MD_ERR_UNSUPPORTED) { /* e.g. no SNAP GPU kernels in this build: say so, go on */
        snprintf(rest, sizeof rest, "- | - | - | - | not run: %s", md_errmsg());
        md_clear_error();
        st = report_row(&rep, n, s->n, row.what, rest);
        continue;
      }
      if (st != MD_OK) break;
      if (!is_gpu && cpu_per_step == 0.0) cpu_per_step = row.sec / row.steps;
      double per = row.sec / row.steps;
      snprintf(rest, sizeof rest, "%ld | %.4g | %.3g | %.1f | %s", row.steps, 1e3 * per, s->n / per, row.temp, row.note);
      st = report_row(&rep, n, s->n, row.what, rest);
#if ESNAP_HAVE_CUDA
      if (st == MD_OK && is_gpu) {
        double tot = 0;
        for (int g = 0; g < BGPU_NST; g++) tot += ms[g];
        strbuf_printf(&rep.buf, "\n%dx%dx%d (%d atoms), GPU stages launched one by one with events (%s):\n\n", n, n, n, s->n,
                      desc);
        strbuf_printf(&rep.buf, "| stage | ms/step | share |\n|---|---:|---:|\n");
        for (int g = 0; g < BGPU_NST; g++)
          strbuf_printf(&rep.buf, "| %s | %.4f | %.1f%% |\n", backend_cuda_stage_name(g), ms[g], tot > 0 ? 100 * ms[g] / tot : 0.0);
        strbuf_printf(&rep.buf, "| total (no graphs) | %.4f | |\n", tot);
        rep.in_table = 0;
        st = report_emit(&rep);
      }
#endif
    }
    if (st == MD_OK && lmp && (a.use_cpu || !a.use_gpu) && s->n <= a.cpu_max_atoms)
      for (int r = 0; r < a.nranks && st == MD_OK; r++) {
        int ranks = a.ranks[r];
        if (ranks > 1 && !mpi) continue;
        bench_row row;
        memset(&row, 0, sizeof row);
        snprintf(row.what, sizeof row.what, "LAMMPS, %d MPI rank%s", ranks, ranks == 1 ? "" : "s");
        fprintf(stderr, "  %d^3 (%d atoms): %s ...\n", n, s->n, row.what);
        md_status ls = bench_lammps(&a, &m, s, ranks, 1, cpu_per_step > 0 ? cpu_per_step / ranks : 0.05, &row);
        if (ls != MD_OK) {
          snprintf(rest, sizeof rest, "- | - | - | - | %s", md_errmsg());
          md_clear_error();
        } else {
          double per = row.sec / row.steps;
          snprintf(rest, sizeof rest, "%ld | %.4g | %.3g | - | %s", row.steps, 1e3 * per, s->n / per, row.note);
        }
        st = report_row(&rep, n, s->n, row.what, rest);
      }
    system_destroy(&s);
  }
  if (rep.file && fclose(rep.file) != 0 && st == MD_OK) st = md_error(MD_ERR_IO, "%s: write failed", a.out);
  strbuf_free(&rep.buf);
  return st;
}
