#include "run.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "../src/math/nhc.h"
#include "checkpoint.h"
#include "dump.h"
#include "integrate.h"
#include "lattice.h"
#include "model.h"
#include "structure.h"
#include "system.h"
#include "thermo.h"
#include "velocity.h"
#if ESNAP_HAVE_CUDA
#include "backend_gpu.h"
#include "gpu_atoms.h"
#endif

static volatile sig_atomic_t g_stop_signal = 0;
static void on_signal(int sig) { g_stop_signal = sig; }

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fmt_duration(char *buf, size_t n, double s) {
  if (!(s >= 0.0) || s > 1e9) snprintf(buf, n, "?");
  else if (s < 60.0) snprintf(buf, n, "%.0fs", s);
  else if (s < 3600.0) snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60.0));
  else snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60.0, 60.0));
}

/* The run's mutable pieces, so error paths can clean up in one place. */
typedef struct run_ctx {
  const md_deck *d;
  const run_options *o;
  FILE *out;                 /* screen, or NULL */
  md_model model;
  md_replica rep;            /* host copy of replica 0 */
  const md_backend_ops *ops;
  md_backend *b;
  thermo_out thermo;
  int ndump;
  dump_writer dump[DECK_MAX_DUMPS];
  long last_ckpt_step;       /* -1: none written by this or a previous run */
  int ckpt_failures;
} run_ctx;

static int due(long step, long every) { return every > 0 && step % every == 0; }
/* the first multiple of `every` after step, capped at `cap` */
static long next_event(long step, long every, long cap) {
  if (every <= 0) return cap;
  long n = (step / every + 1) * every;
  return n < cap ? n : cap;
}

/* Name under which the checkpoint records the thermo file's length: "thermo <file as in the deck>". */
static void thermo_key(const md_deck *d, char *out) {
  char tmp[MD_PATH_LEN + 16];
  snprintf(tmp, sizeof tmp, "thermo %s", d->thermo_file);
  size_t n = strlen(tmp);
  if (n >= MD_PATH_LEN) n = MD_PATH_LEN - 1;
  memcpy(out, tmp, n);
  out[n] = '\0';
}

/* Write a checkpoint at the current step (the backend's sync point first). Failure keeps the previous one. */
static md_status write_checkpoint(run_ctx *c) {
  const md_deck *d = c->d;
  MD_TRY(c->ops->sync_point(c->b));
  MD_TRY(c->ops->get_state(c->b, 0, &c->rep, MD_STATE_ALL));
  md_checkpoint ck;
  memset(&ck, 0, sizeof ck);
  ck.nrep = 1;
  ck.rep = &c->rep;
  ck.ensemble = d->ensemble;
  ck.dt = d->dt;
  ck.chain = d->ensemble == MD_ENS_NVT ? d->chain : 0;
  ck.tloop = d->ensemble == MD_ENS_NVT ? d->tloop : 0;
  ck.nsteps = d->nsteps;
  md_status st = thermo_sync(&c->thermo);
  if (st == MD_OK && c->thermo.fd >= 0) {
    thermo_key(d, ck.file[ck.nfiles].name);
    ck.file[ck.nfiles++].bytes = c->thermo.bytes;
  }
  for (int k = 0; k < c->ndump && st == MD_OK; k++) {
    st = dump_writer_sync(&c->dump[k]);
    snprintf(ck.file[ck.nfiles].name, MD_PATH_LEN, "%s", d->dump[k].file);
    ck.file[ck.nfiles++].bytes = c->dump[k].bytes;
  }
  for (int h = 0; h < c->o->nhooks && st == MD_OK; h++) {
    const md_analysis_hook *k = &c->o->hooks[h];
    void *data = NULL;
    size_t len = 0;
    st = k->save(k->ctx, &data, &len);
    if (st == MD_OK) st = ckpt_set_blob(&ck, k->name, data, len);
    free(data);
  }
  if (st == MD_OK) st = ckpt_write(d->checkpoint_path, &ck);
  ck.rep = NULL; /* borrowed */
  ckpt_free(&ck);
  if (st != MD_OK) {
    c->ckpt_failures++;
    fprintf(stderr, "esnapmd: warning: step %ld: checkpoint not written (%s); the previous one is kept\n", c->rep.sys->step,
            md_errmsg());
    return MD_OK;
  }
  c->ckpt_failures = 0;
  c->last_ckpt_step = c->rep.sys->step;
  return MD_OK;
}

static md_status stop_message(run_ctx *c, md_status st) {
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", md_errmsg());
  if (c->last_ckpt_step >= 0)
    return md_error(st, "%s; last good checkpoint: %s (step %ld)", msg, c->d->checkpoint_path, c->last_ckpt_step);
  return md_error(st, "%s; no checkpoint written", msg);
}

static void describe(run_ctx *c, char *hdr, size_t n, int restart) {
  const md_deck *d = c->d;
  const md_system *s = c->rep.sys;
  int count[MD_MAX_ELEM] = {0};
  for (int i = 0; i < s->n; i++) count[s->type[i]]++;
  char comp[256] = "";
  for (int e = 0; e < s->nelem; e++) {
    char t[32];
    snprintf(t, sizeof t, "%s%s %d", e ? ", " : "", s->elem[e], count[e]);
    strncat(comp, t, sizeof comp - strlen(comp) - 1);
  }
  char ens[256];
  if (d->ensemble == MD_ENS_NVT)
    snprintf(ens, sizeof ens, "nvt T %g%s K, Tdamp %g ps, chain %d, tloop %d (LAMMPS fix nvt)", d->t_start,
             d->t_stop != d->t_start ? " -> ramp" : "", d->t_damp, d->chain, d->tloop);
  else
    snprintf(ens, sizeof ens, "nve");
  const real_t *h = s->box.h;
  const char *base = strrchr(d->path, '/');
  base = base ? base + 1 : d->path;
  snprintf(hdr, n,
           "# deck %s; %d atoms (%s); cell a (%.6f %.6f %.6f) b (%.6f %.6f %.6f) c (%.6f %.6f %.6f) Å\n"
           "# model %s; ensemble %s; timestep %g ps; %ld steps%s\n"
           "# units: time ps, temp K (3N-3 dof), energies eV, press bar (LAMMPS metal); econserve = etotal + thermostat energy\n",
           base, s->n, comp, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], d->model, ens, d->dt, d->nsteps,
           restart ? " (continued)" : "");
}

static md_status open_outputs(run_ctx *c, const md_checkpoint *ck) {
  const md_deck *d = c->d;
  int restart = ck != NULL;
  char hdr[4096];
  describe(c, hdr, sizeof hdr, 0);
  long long keep = 0;
  int rs = restart;
  if (restart && d->thermo_file[0]) {
    char key[MD_PATH_LEN];
    thermo_key(d, key);
    keep = ckpt_file_bytes(ck, key);
    if (keep < 0) rs = 0; /* this deck adds a thermo file: start it fresh */
  }
  MD_TRY(thermo_open(&c->thermo, d->thermo_file[0] ? d->thermo_path : NULL, rs, keep, hdr, c->out));
  for (int k = 0; k < d->ndump; k++) {
    char where[MD_PATH_LEN + 16];
    snprintf(where, sizeof where, "%s:%d", d->path, d->dump[k].line);
    keep = 0;
    rs = restart;
    if (restart) {
      keep = ckpt_file_bytes(ck, d->dump[k].file);
      if (keep < 0) rs = 0;
    }
    MD_TRY(dump_writer_open(&c->dump[k], &d->dump[k], c->rep.sys, rs, keep, where));
    c->ndump = k + 1;
  }
  return MD_OK;
}

/* Check a checkpoint belongs to this deck's system and settings. */
static md_status check_checkpoint(const run_ctx *c, const md_checkpoint *ck, const char *path) {
  const md_deck *d = c->d;
  const md_system *s = c->rep.sys;
  if (ck->nrep != 1) return md_error(MD_ERR_VALUE, "%s: holds %d replicas, the deck describes 1 system", path, ck->nrep);
  const md_system *t = ck->rep[0].sys;
  if (t->n != s->n)
    return md_error(MD_ERR_VALUE, "%s: checkpoint has %d atoms but the deck's structure has %d: it belongs to another system", path,
                    t->n, s->n);
  for (int i = 0; i < s->n; i++)
    if (t->id[i] != s->id[i] || t->type[i] != s->type[i])
      return md_error(MD_ERR_VALUE, "%s: atom %d differs from the deck's structure (id %d type %d vs id %d type %d)", path, i + 1,
                      t->id[i], t->type[i], s->id[i], s->type[i]);
  for (int e = 0; e < s->nelem; e++)
    if (e >= t->nelem || strcmp(t->elem[e], s->elem[e]) != 0)
      return md_error(MD_ERR_VALUE, "%s: element list differs from the deck's structure", path);
  for (int k = 0; k < 9; k++)
    if (fabs(t->box.h[k] - s->box.h[k]) > 1e-9 * (1.0 + fabs(s->box.h[k])))
      return md_error(MD_ERR_VALUE, "%s: the cell differs from the deck's structure", path);
  if (ck->dt != d->dt) return md_error(MD_ERR_VALUE, "%s: written with timestep %g ps, the deck has %g ps", path, ck->dt, d->dt);
  if (ck->ensemble != d->ensemble)
    return md_error(MD_ERR_VALUE, "%s: written by an %s run, the deck asks for %s", path, ck->ensemble == MD_ENS_NVT ? "nvt" : "nve",
                    d->ensemble == MD_ENS_NVT ? "nvt" : "nve");
  if (d->ensemble == MD_ENS_NVT && (ck->chain != d->chain || ck->rep[0].nhc.nchain != d->chain))
    return md_error(MD_ERR_VALUE, "%s: thermostat chain length %d, the deck has %d", path, ck->chain, d->chain);
  if (t->step > d->nsteps)
    return md_error(MD_ERR_VALUE, "%s: checkpoint is at step %ld, beyond the deck's run of %ld steps", path, t->step, d->nsteps);
  return MD_OK;
}

/* --device: cpu; gpu (error without a CUDA build or device); auto = the CUDA backend when built and a device
 * is present, else the CPU. */
static md_status select_backend(run_ctx *c) {
  c->ops = md_backend_cpu();
  if (c->o->device == RUN_DEVICE_CPU) return MD_OK;
#if ESNAP_HAVE_CUDA
  int ndev = 0;
  gpu_device_count(&ndev);
  if (ndev > 0) {
    c->ops = md_backend_cuda();
    return MD_OK;
  }
  if (c->o->device == RUN_DEVICE_GPU)
    return md_error(MD_ERR_DEVICE, "--device gpu: no CUDA device found (no driver or no GPU); use --device cpu or auto");
#else
  if (c->o->device == RUN_DEVICE_GPU)
    return md_error(MD_ERR_DEVICE, "--device gpu: esnapmd was built without CUDA (nvcc not found at configure time); use --device cpu or auto");
#endif
  return MD_OK;
}

static void progress_line(run_ctx *c, long step, long first, double t0, double now) {
  if (!c->out) return;
  const md_deck *d = c->d;
  double el = now - t0;
  long done = step - first, left = d->nsteps - step;
  double rate = el > 0.0 ? (double)done / el : 0.0;
  char e1[32], e2[32];
  fmt_duration(e1, sizeof e1, el);
  fmt_duration(e2, sizeof e2, rate > 0.0 ? (double)left / rate : -1.0);
  fprintf(c->out, "# progress: step %ld/%ld (%.1f%%), %.4g ns/day, %.3g atom-steps/s, elapsed %s, ETA %s\n", step, d->nsteps,
          d->nsteps > 0 ? 100.0 * (double)step / (double)d->nsteps : 100.0, rate * d->dt * 86400.0 / 1000.0,
          rate * c->rep.sys->n, e1, e2);
  fflush(c->out);
}

md_status run_load_structure(const md_deck *d, const md_model *m, md_system **out) {
  *out = NULL;
  if (d->structure == DECK_STRUCT_LI3N)
    return lattice_li3n(out, d->cells[0], d->cells[1], d->cells[2], d->lattice_a, d->lattice_c, m);
  return structure_read(out, d->structure_file, m, d->structure_frame);
}

static md_status start(run_ctx *c, md_checkpoint *ck) {
  const md_deck *d = c->d;
  MD_TRY(model_read(&c->model, d->model));
  md_system *sys = NULL;
  MD_TRY(run_load_structure(d, &c->model, &sys));
  md_status st = sys->n > 0 ? MD_OK : md_error(MD_ERR_VALUE, "%s:%d: the structure has no atoms", d->path, d->structure_line);
  if (st == MD_OK) st = replica_alloc(&c->rep, sys);
  system_destroy(&sys);
  MD_TRY(st);
  md_system *s = c->rep.sys;
  for (int i = 0; i < s->n; i++)
    if (!(c->model.mass[s->type[i]] > 0.0))
      return md_error(MD_ERR_VALUE, "%s: element %s has no mass", d->model, s->elem[s->type[i]]);
  if (d->structure == DECK_STRUCT_FILE) MD_TRY(system_check_finite(s, d->structure_file));
  if (c->o->restart) {
    MD_TRY(ckpt_read(c->o->restart, ck));
    MD_TRY(check_checkpoint(c, ck, c->o->restart));
    MD_TRY(replica_copy(&c->rep, &ck->rep[0], MD_STATE_ALL));
    c->last_ckpt_step = s->step;
    for (int h = 0; h < c->o->nhooks; h++) {
      const md_analysis_hook *k = &c->o->hooks[h];
      const ckpt_blob *bl = ckpt_get_blob(ck, k->name);
      if (!bl) return md_error(MD_ERR_VALUE, "%s: no saved state for analysis '%s'", c->o->restart, k->name);
      MD_TRY(k->load(k->ctx, bl->data, bl->len));
    }
  } else {
    s->step = 0;
    s->time = 0.0;
    c->rep.step0 = 0;
    c->rep.time0 = 0.0;
    md_rng_seed(&c->rep.rng, d->has_seed ? d->seed : 0, 0);
    if (d->has_velocity)
      MD_TRY(velocity_create(s, c->model.mass, d->velocity_t, d->velocity_dist == DECK_DIST_UNIFORM ? VELOCITY_UNIFORM : VELOCITY_GAUSSIAN,
                             d->velocity_mom, &c->rep.rng));
    else if (!s->has_velocities)
      for (int i = 0; i < s->n; i++) s->vx[i] = s->vy[i] = s->vz[i] = 0.0;
    system_wrap(s);
  }
  real_t t0 = velocity_temperature(s, c->model.mass);
  md_backend_options opt;
  deck_backend_options(d, fmax(t0, d->has_velocity ? d->velocity_t : 0.0), &opt);
  opt.quiet = c->o->quiet;
  MD_TRY(select_backend(c));
  st = c->ops->create(&c->b, &c->model, &opt, &c->rep, 1);
  if (st == MD_ERR_UNSUPPORTED && c->o->device == RUN_DEVICE_AUTO && c->ops != md_backend_cpu()) {
    /* auto: a model the GPU backend cannot run yet goes to the CPU */
    if (c->out) fprintf(c->out, "# the %s backend cannot run this model (%s): using the CPU\n", c->ops->name, md_errmsg());
    c->ops = md_backend_cpu();
    st = c->ops->create(&c->b, &c->model, &opt, &c->rep, 1);
  }
  MD_TRY(st);
  MD_TRY(c->ops->set_state(c->b, 0, &c->rep, MD_STATE_ALL));
  if (!c->o->restart) {
    st = c->ops->compute_forces(c->b);
    if (st != MD_OK) return stop_message(c, st);
    MD_TRY(c->ops->get_state(c->b, 0, &c->rep, MD_STATE_FORCE));
    if (d->ensemble == MD_ENS_NVT) {
      nhc_params np;
      integ_nhc_params(&opt.integ, s->n, &np);
      real_t tt = nhc_target_temperature(d->t_start, d->t_stop, s->step, opt.integ.ramp_begin, opt.integ.ramp_end);
      nhc_init(&c->rep.nhc, &np, tt, t0);
      MD_TRY(c->ops->set_state(c->b, 0, &c->rep, MD_STATE_THERMOSTAT));
    }
  }
  return MD_OK;
}

static void print_header(run_ctx *c) {
  if (!c->out) return;
  char hdr[4096];
  describe(c, hdr, sizeof hdr, c->o->restart != NULL);
  fprintf(c->out, "esnapmd %s (commit %s), backend %s", ESNAP_VERSION, ESNAP_COMMIT, c->ops->name);
#ifdef _OPENMP
  fprintf(c->out, ", %d OpenMP threads", omp_get_max_threads());
#endif
  fprintf(c->out, "\n%s# force field: %s\n", hdr, c->ops->describe(c->b));
  if (c->o->restart) fprintf(c->out, "# continuing from %s at step %ld\n", c->o->restart, c->rep.sys->step);
  fflush(c->out);
}

static md_status loop(run_ctx *c) {
  const md_deck *d = c->d;
  md_system *s = c->rep.sys;
  long step = s->step;
  const long first = step;
  const char *kill_env = getenv("ESNAPMD_DEBUG_KILL_AT_STEP"); /* tests only: SIGKILL after this step's outputs */
  long kill_at = kill_env ? atol(kill_env) : -1;
  md_thermo th, th_first;
  MD_TRY(c->ops->reduce_thermo(c->b, 0, &th_first));
  if (c->out) thermo_screen_header(c->out);
  if (!c->o->restart) {
    MD_TRY(thermo_write(&c->thermo, &th_first));
    MD_TRY(c->ops->get_state(c->b, 0, &c->rep, MD_STATE_ALL));
    for (int k = 0; k < c->ndump; k++)
      if (due(step, c->dump[k].every)) MD_TRY(dump_writer_write(&c->dump[k], s, step, s->time));
    for (int h = 0; h < c->o->nhooks; h++) /* the first frame (origin of every displacement) */
      if (c->o->hooks[h].every > 0) MD_TRY(c->o->hooks[h].sample(c->o->hooks[h].ctx, &c->rep, 1));
    if (d->nsteps == 0 && d->checkpoint_every > 0) MD_TRY(write_checkpoint(c)); /* `run 0`: a starting point */
  }
  double t_start = wall_now(), t_last = t_start;
  long chunk = 1;
  while (step < d->nsteps) {
    long next = d->nsteps;
    next = next_event(step, d->thermo_every, next);
    next = next_event(step, d->checkpoint_every, next);
    for (int k = 0; k < c->ndump; k++) next = next_event(step, c->dump[k].every, next);
    for (int h = 0; h < c->o->nhooks; h++) next = next_event(step, c->o->hooks[h].every, next);
    if (kill_at > step && kill_at < next) next = kill_at;
    if (next - step > chunk) next = step + chunk;
    double t_chunk = wall_now();
    md_status st = c->ops->run_steps(c->b, next - step);
    if (st != MD_OK) return stop_message(c, st);
    double now = wall_now();
    /* chunks of about half a second keep progress lines and signals responsive; they do not change results */
    double dtc = now - t_chunk;
    if (dtc < 0.25 && chunk < 1000000) chunk *= 2;
    else if (dtc > 1.0 && chunk > 1) chunk /= 2;
    step = next;
    int want_state = 0, is_ckpt = d->checkpoint_every > 0 && (due(step, d->checkpoint_every) || step == d->nsteps);
    for (int k = 0; k < c->ndump; k++) want_state |= due(step, c->dump[k].every);
    for (int h = 0; h < c->o->nhooks; h++) want_state |= due(step, c->o->hooks[h].every);
    if (due(step, d->thermo_every) || step == d->nsteps) {
      MD_TRY(c->ops->reduce_thermo(c->b, 0, &th));
      MD_TRY(thermo_write(&c->thermo, &th));
    }
    if (want_state) MD_TRY(c->ops->get_state(c->b, 0, &c->rep, MD_STATE_ALL));
    for (int k = 0; k < c->ndump; k++)
      if (due(step, c->dump[k].every)) MD_TRY(dump_writer_write(&c->dump[k], s, step, s->time));
    for (int h = 0; h < c->o->nhooks; h++)
      if (due(step, c->o->hooks[h].every)) MD_TRY(c->o->hooks[h].sample(c->o->hooks[h].ctx, &c->rep, 1));
    if (is_ckpt) MD_TRY(write_checkpoint(c));
    if (step == kill_at) raise(SIGKILL);
    if (g_stop_signal) {
      if (d->checkpoint_every > 0 && !is_ckpt) MD_TRY(write_checkpoint(c));
      return md_error(MD_ERR_IO, "interrupted by signal %d at step %ld%s%s", (int)g_stop_signal, step,
                      c->last_ckpt_step == step ? "; checkpoint written: continue with --restart " : "",
                      c->last_ckpt_step == step ? d->checkpoint_path : "");
    }
    if (d->progress_seconds > 0.0 && now - t_last >= d->progress_seconds && step < d->nsteps) {
      progress_line(c, step, first, t_start, now);
      t_last = now;
    }
  }
  double el = wall_now() - t_start;
  MD_TRY(c->ops->reduce_thermo(c->b, 0, &th));
  if (c->out && step > first) {
    double rate = el > 0.0 ? (double)(step - first) / el : 0.0;
    fprintf(c->out, "# done: %ld steps in %.3f s: %.4g steps/s, %.4g ns/day, %.3g atom-steps/s\n", step - first, el, rate,
            rate * d->dt * 86400.0 / 1000.0, rate * s->n);
    double span = th.time - th_first.time;
    fprintf(c->out, "# conserved energy (econserve) change: %.6g eV/atom over %g ps (%.4g eV/atom/ps); final T %.2f K\n",
            (th.econserve - th_first.econserve) / s->n, span, span > 0 ? (th.econserve - th_first.econserve) / s->n / span : 0.0,
            th.temp);
    if (c->last_ckpt_step >= 0) fprintf(c->out, "# checkpoint: %s (step %ld)\n", d->checkpoint_path, c->last_ckpt_step);
  }
  if (c->ckpt_failures)
    return md_error(MD_ERR_IO, "the last checkpoint could not be written (see the warnings); the newest good one is %s at step %ld",
                    d->checkpoint_path, c->last_ckpt_step);
  return MD_OK;
}

md_status run_deck(const md_deck *d, const run_options *o) {
  run_ctx c;
  memset(&c, 0, sizeof c);
  c.d = d;
  c.o = o;
  c.out = o->quiet ? NULL : stdout;
  c.last_ckpt_step = -1;
  md_checkpoint ck;
  memset(&ck, 0, sizeof ck);
  md_status st = MD_OK;
  if (d->output_dir[0]) st = outfile_mkdirs(d->output_dir);
  if (st == MD_OK) st = start(&c, &ck);
  if (st == MD_OK && o->restart && c.rep.sys->step >= d->nsteps) {
    if (c.out) fprintf(c.out, "# the checkpoint is at step %ld: the run of %ld steps is complete\n", c.rep.sys->step, d->nsteps);
  } else if (st == MD_OK) {
    st = open_outputs(&c, o->restart ? &ck : NULL);
    if (st == MD_OK) {
      print_header(&c);
      void (*old_int)(int) = signal(SIGINT, on_signal);
      void (*old_term)(int) = signal(SIGTERM, on_signal);
      g_stop_signal = 0;
      st = loop(&c);
      signal(SIGINT, old_int);
      signal(SIGTERM, old_term);
    }
  }
  ckpt_free(&ck);
  thermo_close(&c.thermo);
  for (int k = 0; k < c.ndump; k++) dump_writer_close(&c.dump[k]);
  if (c.ops && c.b) c.ops->destroy(&c.b);
  replica_free(&c.rep);
  return st;
}
