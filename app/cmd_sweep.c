/* cmd_sweep.c — `esnapmd sweep DECK [--temperatures T1,T2,...]`: the deck run at every temperature of a series,
 * each in its own output directory, then the Arrhenius analysis of the on-the-fly diffusion summaries.
 *
 * Temperature T (index i in the order given) replaces the deck's nvt target, velocity temperature and
 * diffusion temperature; its outputs go to <output>/T<T>K/ (e.g. out/sweep/T800K/diffusion/summary.json); its
 * ensemble seed is replica_seed(S ^ REPLICA_SWEEP_SALT, i) (host/md/replica.h), S = the deck's seed, so the
 * temperatures are independent and any one can be re-run alone. Then `esnapmd arrhenius` (in process) writes
 * <output>/arrhenius/arrhenius.json and arrhenius.txt: Ea and prefactor with uncertainties, σ extrapolated to
 * `at` (300 K), and the two-regime fit (break given, or chosen by the data with `break auto`; default auto
 * with 6 or more temperatures). Plots: python3 tools/plot_diffusion.py arrhenius <output>/arrhenius.
 * With a `heatcap` line (3 or more temperatures): <output>/heatcap/cv.json and cv.dat from every temperature's
 * heatcap.json (host/analysis/heatcap_io.h): Cv(T) by central differences and by fluctuations, Ts. Last,
 * <output>/report.json gathers everything (app/sweep_report.c); figures: python3 tools/plot_sweep.py <output>.
 * --resume: temperatures whose checkpoint shows a finished run (and whose summary exists) are skipped, an
 * unfinished one continues from its checkpoint (deck needs a `checkpoint` line). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "checkpoint.h"
#include "commands.h"
#include "deck.h"
#include "heatcap_io.h"
#include "mpi_ens.h"
#include "replica.h"
#include "run.h"
#include "sweep_report.h"

static void usage(FILE *fp) {
  fprintf(fp,
          "usage: esnapmd sweep DECK [--temperatures T1,T2,...] [--break auto|none|TB] [--at T] [--resume]\n"
          "                    [--device auto|cpu|gpu] [--quiet]\n"
          "  Run DECK at each temperature (K) of the series (the deck's `sweep` line, or --temperatures), each in\n"
          "  <output>/T<T>K/ with its own seed, then the Arrhenius analysis of the on-the-fly diffusion summaries\n"
          "  (the deck needs a `diffusion` line): <output>/arrhenius/arrhenius.json and arrhenius.txt; with a\n"
          "  `heatcap` line: Cv(T) and Ts in <output>/heatcap/cv.json and cv.dat.\n"
          "  --break         two regimes: auto (break chosen by the data; default with >= 6 temperatures), none, or T_b\n"
          "  --at T          extrapolate the conductivity to T (default 300 K)\n"
          "  --resume        skip temperatures that finished, continue unfinished ones from their checkpoints\n"
          "  mpirun -np P esnapmd sweep DECK: every temperature's replicas spread over the P ranks\n"
          "  plots: python3 tools/plot_diffusion.py arrhenius <output>/arrhenius\n");
}

static md_status parse_temps(const char *s, md_deck *d) {
  d->nsweep = 0;
  const char *p = s;
  while (*p) {
    char *end;
    double t = strtod(p, &end);
    if (end == p || !(t > 0) || t > 1e6)
      return md_error(MD_ERR_VALUE, "sweep: --temperatures: '%s' is not a list of positive temperatures (K)", s);
    if (d->nsweep >= DECK_MAX_TEMPS) return md_error(MD_ERR_VALUE, "sweep: at most %d temperatures", DECK_MAX_TEMPS);
    for (int k = 0; k < d->nsweep; k++)
      if (d->sweep_t[k] == t) return md_error(MD_ERR_VALUE, "sweep: temperature %g K given twice", t);
    d->sweep_t[d->nsweep++] = t;
    p = end;
    if (*p == ',') p++;
    else if (*p) return md_error(MD_ERR_VALUE, "sweep: --temperatures: unexpected '%s' (use T1,T2,...)", p);
  }
  if (d->nsweep < 2) return md_error(MD_ERR_VALUE, "sweep: need at least 2 temperatures");
  return MD_OK;
}

/* The deck of temperature i: T, seed, output directory. */
static md_status deck_at(const md_deck *base, int i, md_deck *d, char *dir, size_t n) {
  *d = *base;
  real_t T = base->sweep_t[i];
  d->nsweep = 0;
  if (d->ensemble == MD_ENS_NVT) d->t_start = d->t_stop = T;
  if (d->has_velocity) d->velocity_t = T;
  d->diff_temperature = 0.0; /* the nvt target, or (nve) the mean kinetic temperature */
  uint64_t S = replica_seed(deck_ensemble_seed(base) ^ REPLICA_SWEEP_SALT, i);
  if (d->nrep > 0) {
    d->rep_seed = S;
    d->has_rep_seed = 1;
  } else {
    d->seed = S;
    d->has_seed = 1;
  }
  char t[64];
  snprintf(t, sizeof t, "T%gK", T);
  int w = snprintf(dir, n, "%s%s%s", base->output_dir, base->output_dir[0] ? "/" : "", t);
  if (w < 0 || (size_t)w >= n) return md_error(MD_ERR_VALUE, "%s: output directory name too long", base->path);
  return deck_set_output(d, dir);
}

/* --resume: 1 = finished (skip), 0 = fresh, with *restart set when a checkpoint to continue from exists */
static int resume_state(const md_deck *d, char *restart, size_t n) {
  restart[0] = '\0';
  if (!d->checkpoint_path[0] || access(d->checkpoint_path, R_OK) != 0) return 0;
  md_checkpoint ck;
  if (ckpt_read(d->checkpoint_path, &ck) != MD_OK) return 0;
  long step = ck.nrep > 0 ? ck.rep[0].sys->step : -1;
  ckpt_free(&ck);
  char summary[2 * MD_PATH_LEN];
  snprintf(summary, sizeof summary, "%s/summary.json", d->diff_path);
  if (step >= d->nsteps && access(summary, R_OK) == 0) return 1;
  snprintf(restart, n, "%s", d->checkpoint_path);
  return 0;
}

/* Cv(T) of the series from every temperature's heatcap.json: <output>/heatcap/cv.json and cv.dat. */
static md_status sweep_heatcap(const md_deck *base, FILE *out) {
  hc_point *p = (hc_point *)calloc((size_t)base->nsweep, sizeof *p);
  if (!p) return md_error(MD_ERR_MEMORY, "out of memory");
  md_status st = MD_OK;
  md_deck *d = (md_deck *)malloc(sizeof *d);
  if (!d) st = md_error(MD_ERR_MEMORY, "out of memory");
  for (int i = 0; i < base->nsweep && st == MD_OK; i++) {
    char dir[MD_PATH_LEN], path[MD_PATH_LEN + 16];
    st = deck_at(base, i, d, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/heatcap.json", dir);
    if (st == MD_OK) st = hc_read_point(path, &p[i]);
  }
  char outdir[MD_PATH_LEN + 16], what[MD_PATH_LEN + 16];
  snprintf(outdir, sizeof outdir, "%s%sheatcap", base->output_dir, base->output_dir[0] ? "/" : "");
  snprintf(what, sizeof what, "%s:%d", base->path, base->heatcap_line);
  if (st == MD_OK) st = hc_write_series(outdir, p, base->nsweep, what);
  if (st == MD_OK && out) {
    fprintf(out, "# heat capacity of %d temperatures: %s/cv.json, cv.dat\n", base->nsweep, outdir);
    fflush(out);
  }
  free(d);
  free(p);
  return st;
}

static md_status sweep(md_deck *base, const run_options *ro, int resume) {
  if (!base->has_diffusion && !base->has_heatcap)
    return md_error(MD_ERR_VALUE, "%s: a sweep needs a `diffusion SPECIES every N` line (the Arrhenius analysis uses its "
                    "summaries) or a `heatcap` line", base->path);
  if (base->nsweep < 2)
    return md_error(MD_ERR_VALUE, "%s: no temperatures: add a `sweep T1 T2 ...` line or --temperatures T1,T2,...", base->path);
  if (base->ensemble != MD_ENS_NVT && !base->has_velocity)
    return md_error(MD_ERR_VALUE, "%s: the sweep temperature needs an nvt ensemble or a velocity line to apply to", base->path);
  if (base->nrep_temps > 0)
    return md_error(MD_ERR_VALUE, "%s:%d: a sweep and per-replica temperatures exclude each other", base->path, base->replicas_line);
  if (base->has_heatcap && base->nsweep < 3)
    return md_error(MD_ERR_VALUE, "%s:%d: heatcap over %d temperature(s): too few temperatures for differences (central differences "
                    "need at least 3)", base->path, base->sweep_line > 0 ? base->sweep_line : base->heatcap_line, base->nsweep);
  if (resume && !base->checkpoint_path[0])
    return md_error(MD_ERR_VALUE, "%s: --resume needs a `checkpoint` line", base->path);
  real_t brk = base->sweep_break;
  if (brk < -1.5) brk = base->nsweep >= 6 ? 0.0 : -1.0; /* not given */
  if (brk == 0.0 && base->nsweep < 6)
    return md_error(MD_ERR_VALUE, "%s: break auto needs at least 6 temperatures (3 per regime); got %d", base->path, base->nsweep);
  md_deck *d = (md_deck *)malloc(sizeof *d);
  char(*dirs)[MD_PATH_LEN] = (char(*)[MD_PATH_LEN])calloc((size_t)base->nsweep, MD_PATH_LEN);
  if (!d || !dirs) {
    free(d);
    free(dirs);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  md_status st = MD_OK;
  FILE *out = (ro->quiet || ens_rank() != 0) ? NULL : stdout;
  for (int i = 0; i < base->nsweep && st == MD_OK; i++) {
    char dir[MD_PATH_LEN];
    st = deck_at(base, i, d, dir, sizeof dir);
    if (st != MD_OK) break;
    snprintf(dirs[i], MD_PATH_LEN, "%s", d->diff_path);
    run_options o = *ro;
    char restart[MD_PATH_LEN] = "";
    if (resume && resume_state(d, restart, sizeof restart)) {
      if (out) fprintf(out, "# sweep %d/%d: %g K finished earlier (%s): skipped\n", i + 1, base->nsweep, base->sweep_t[i], dir);
      continue;
    }
    o.restart = restart[0] ? restart : NULL;
    if (out) {
      fprintf(out, "# sweep %d/%d: %g K in %s (ensemble seed %llu)%s\n", i + 1, base->nsweep, base->sweep_t[i], dir,
              (unsigned long long)deck_ensemble_seed(d), o.restart ? ", continued" : "");
      fflush(out);
    }
    st = run_deck(d, &o);
    if (st != MD_OK) {
      char msg[1024];
      snprintf(msg, sizeof msg, "%s", md_errmsg());
      st = md_error(st, "sweep at %g K: %s", base->sweep_t[i], msg);
    }
  }
  if (st == MD_OK && ens_rank() == 0 && base->has_heatcap) st = sweep_heatcap(base, out);
  if (st == MD_OK && ens_rank() == 0 && base->has_diffusion) {
    /* the Arrhenius analysis of the summaries, in process */
    char **argv = (char **)calloc((size_t)base->nsweep + 10, sizeof(char *));
    char outdir[MD_PATH_LEN + 16], bbuf[32], atbuf[32];
    snprintf(outdir, sizeof outdir, "%s%sarrhenius", base->output_dir, base->output_dir[0] ? "/" : "");
    int argc = 0;
    if (!argv) st = md_error(MD_ERR_MEMORY, "out of memory");
    if (argv) {
      argv[argc++] = (char *)"arrhenius";
      for (int i = 0; i < base->nsweep; i++) argv[argc++] = dirs[i];
      argv[argc++] = (char *)"-o";
      argv[argc++] = outdir;
      if (brk >= 0.0) {
        snprintf(bbuf, sizeof bbuf, "%.17g", brk);
        argv[argc++] = (char *)"--break";
        argv[argc++] = brk == 0.0 ? (char *)"auto" : bbuf;
      }
      snprintf(atbuf, sizeof atbuf, "%.17g", base->sweep_at);
      argv[argc++] = (char *)"--at";
      argv[argc++] = atbuf;
      if (out) {
        fprintf(out, "# Arrhenius analysis of %d temperatures: %s/arrhenius.json (plots: python3 tools/plot_diffusion.py "
                "arrhenius %s)\n", base->nsweep, outdir, outdir);
        fflush(out);
      }
      /* cmd_arrhenius prints its table on stdout: with --quiet, stdout goes to /dev/null meanwhile */
      int saved = -1, nul = -1;
      if (!out) {
        fflush(stdout);
        saved = dup(1);
        nul = open("/dev/null", O_WRONLY);
        if (saved >= 0 && nul >= 0) dup2(nul, 1);
      }
      st = cmd_arrhenius(argc, argv);
      if (saved >= 0) {
        fflush(stdout);
        dup2(saved, 1);
        close(saved);
      }
      if (nul >= 0) close(nul);
      free(argv);
    }
  }
  if (st == MD_OK && ens_rank() == 0) {
    char rdir[MD_PATH_LEN];
    snprintf(rdir, sizeof rdir, "%s", base->output_dir[0] ? base->output_dir : ".");
    st = sweep_report_write(rdir);
    if (st == MD_OK && out) fprintf(out, "# report: %s/report.json (figures: python3 tools/plot_sweep.py %s)\n", rdir, rdir);
  }
  st = ens_agree(st);
  free(d);
  free(dirs);
  return st;
}

typedef struct sweep_args {
  run_options o;
  const char *temps, *brk;
  double at;
  int resume;
} sweep_args;

/* the command line's settings over the deck's, then the sweep */
static md_status sweep_deck(md_deck *d, void *ctx) {
  const sweep_args *sa = (const sweep_args *)ctx;
  if (sa->temps) MD_TRY(parse_temps(sa->temps, d));
  if (sa->brk) {
    char *end;
    if (strcmp(sa->brk, "auto") == 0) d->sweep_break = 0.0;
    else if (strcmp(sa->brk, "none") == 0) d->sweep_break = -1.0;
    else if (!((d->sweep_break = strtod(sa->brk, &end)) > 0) || *end)
      return md_error(MD_ERR_VALUE, "sweep: --break needs auto, none or a temperature (K)");
  }
  if (sa->at > 0) d->sweep_at = sa->at;
  return sweep(d, &sa->o, sa->resume);
}

md_status cmd_sweep(int argc, char **argv) {
  const char *deck_path = NULL;
  sweep_args sa;
  memset(&sa, 0, sizeof sa);
  for (int k = 1; k < argc; k++) {
    const char *a = argv[k];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return MD_OK;
    } else if (strcmp(a, "--temperatures") == 0 && k + 1 < argc) {
      sa.temps = argv[++k];
    } else if (strcmp(a, "--break") == 0 && k + 1 < argc) {
      sa.brk = argv[++k];
    } else if (strcmp(a, "--at") == 0 && k + 1 < argc) {
      char *end;
      sa.at = strtod(argv[++k], &end);
      if (*end || !(sa.at > 0)) return md_error(MD_ERR_VALUE, "sweep: --at needs a temperature > 0 K");
    } else if (strcmp(a, "--resume") == 0) {
      sa.resume = 1;
    } else {
      MD_TRY(run_parse_arg("sweep", argc, argv, &k, &sa.o, &deck_path));
    }
  }
  if (!deck_path) {
    usage(stderr);
    return md_error(MD_ERR_PARSE, "sweep: no deck given");
  }
  return run_with_deck(deck_path, sweep_deck, &sa);
}
