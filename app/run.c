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

#include "math/nhc.h"
#include "atomic_file.h"
#include "checkpoint.h"
#include "dump.h"
#include "integrate.h"
#include "lattice.h"
#include "model.h"
#include "mpi_ens.h"
#include "replica.h"
#include "replica_diffusion.h"
#include "frame_analyses.h"
#include "replica_heatcap.h"
#include "replica_host.h"
#include "replica_io.h"
#include "run_physics.h"
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

/* The run's mutable pieces, so error paths can clean up in one place. A run advances `nrun` replicas (one for a
 * plain deck; R, or 1 with `only K`, for a deck with a replicas line); this rank holds run replicas
 * first .. first+nloc-1 (host/md/replica.h). */
typedef struct run_ctx {
  const md_deck *d;
  const run_options *o;
  FILE *out;                 /* screen (rank 0 unless quiet), or NULL */
  md_model model;
  int ensemble;              /* the deck has a replicas line */
  int R;                     /* replicas in the ensemble */
  int nrun;                  /* replicas in this run */
  int *gidx;                 /* [nrun] ensemble index of run replica j */
  unsigned long long *seed;  /* [nrun] their seeds */
  real_t *temp;              /* [nrun] their temperatures (K, 0 = none) */
  int first, nloc;
  md_replica *rep;           /* [nloc] host copies */
  rep_out *io;               /* [nloc] outputs */
  int nio;                   /* outputs opened */
  const md_backend_ops *ops;
  md_backend *b;
  int nhooks;
  md_analysis_hook *hooks;   /* the caller's, then the deck's diffusion */
  rdiff *diff;
  fan_run *frames;           /* sites, density, rdf, spectra */
  char ckpt_path[MD_PATH_LEN];
  char diff_path[MD_PATH_LEN];
  char heat_path[MD_PATH_LEN];
  ckpt_physics phys;         /* the physics this run's checkpoints record (app/run_physics.h) */
  rheat *heat;
  rhost *host;
  long last_ckpt_step;       /* -1: none written by this or a previous run */
  int ckpt_failures;
  double t_analysis;         /* s spent sampling in analysis hooks (and fetching state for them alone) */
  double t_report;           /* s spent saving analysis state and writing analysis results */
  double t_state;            /* s spent copying state to the host for dumps and analysis */
} run_ctx;

/* events at steps from + k·every, k ≥ 0 (from = 0, or the end of the equilibration for dumps and analyses) */
static int due_from(long step, long every, long from) { return every > 0 && step >= from && (step - from) % every == 0; }
static int due(long step, long every) { return due_from(step, every, 0); }
/* the first event step from + k·every after step, capped at `cap` */
static long next_event_from(long step, long every, long from, long cap) {
  if (every <= 0) return cap;
  long n = step < from ? from : from + ((step - from) / every + 1) * every;
  return n < cap ? n : cap;
}
static long next_event(long step, long every, long cap) { return next_event_from(step, every, 0, cap); }

static md_system *sys0(const run_ctx *c) { return c->rep[0].sys; }

/* Blob name of hook h for ensemble replica g. */
static void blob_name(const md_analysis_hook *h, int g, char *out) { snprintf(out, CKPT_NAME_LEN, "%.47s#%d", h->name, g); }

static double hook_timer_start(void) { return wall_now(); }

/* Collective: write a checkpoint at the current step. It only reads the state (the trajectory does not depend
 * on when checkpoints are written). A failure to write keeps the previous checkpoint (a warning, the same on
 * every rank); a failure to read the state stops the run. */
static md_status write_checkpoint(run_ctx *c) {
  const md_deck *d = c->d;
  md_status st = MD_OK;
  for (int r = 0; r < c->nloc && st == MD_OK; r++) st = c->ops->get_state(c->b, r, &c->rep[r], MD_STATE_ALL);
  MD_TRY(ens_agree(st));
  md_checkpoint part;
  memset(&part, 0, sizeof part);
  part.nrep = c->nloc;
  part.rep = c->rep;
  for (int r = 0; r < c->nloc && st == MD_OK; r++) st = rio_sync(&c->io[r], &part);
  double t0 = hook_timer_start();
  /* blobs in ensemble order: the run's own hooks, then replica by replica its per-replica hooks, so that the
   * ranks' parts, gathered in rank order, make the file of one process */
  for (int r = -1; r < c->nloc && st == MD_OK; r++)
    for (int h = 0; h < c->nhooks && st == MD_OK; h++) {
      const md_analysis_hook *k = &c->hooks[h];
      if ((r < 0) != (k->save_rep == NULL)) continue;
      void *data = NULL;
      size_t len = 0;
      char name[CKPT_NAME_LEN];
      if (k->save_rep) {
        blob_name(k, c->gidx[c->first + r], name);
        st = k->save_rep(k->ctx, r, &data, &len);
      } else {
        snprintf(name, sizeof name, "%s", k->name);
        st = k->save(k->ctx, &data, &len);
      }
      if (st == MD_OK) st = ckpt_set_blob(&part, name, data, len);
      free(data);
    }
  c->t_report += wall_now() - t0;
  st = ens_agree(st);
  if (st == MD_OK) {
    md_checkpoint head;
    memset(&head, 0, sizeof head);
    head.ensemble = d->ensemble;
    head.dt = d->dt;
    head.chain = d->ensemble == MD_ENS_NVT ? d->chain : 0;
    head.tloop = d->ensemble == MD_ENS_NVT ? d->tloop : 0;
    head.nsteps = d->nsteps;
    head.phys = c->phys;
    if (c->ensemble) {
      head.rset_total = c->R;
      head.rset_first = c->gidx[0];
      head.rset_seed = deck_ensemble_seed(d);
      head.rep_seed = (unsigned long long *)c->seed;
      head.rep_temp = c->temp;
    }
    st = rio_checkpoint_write(c->ckpt_path, &head, c->nrun, &part);
  }
  part.rep = NULL; /* borrowed */
  ckpt_free(&part);
  long step = sys0(c)->step;
  if (st != MD_OK) {
    c->ckpt_failures++;
    if (ens_rank() == 0) {
      if (c->last_ckpt_step >= 0)
        fprintf(stderr, "esnapmd: warning: step %ld: checkpoint not written (%s); the previous one (step %ld) is kept\n", step,
                md_errmsg(), c->last_ckpt_step);
      else
        fprintf(stderr, "esnapmd: warning: step %ld: checkpoint not written (%s); there is no earlier checkpoint\n", step,
                md_errmsg());
    }
  } else {
    c->ckpt_failures = 0;
    c->last_ckpt_step = step;
  }
  /* analysis results that go with a checkpoint */
  t0 = wall_now();
  st = MD_OK;
  for (int h = 0; h < c->nhooks && st == MD_OK; h++)
    if (c->hooks[h].report) st = c->hooks[h].report(c->hooks[h].ctx, 0);
  c->t_report += wall_now() - t0;
  return ens_agree(st);
}

static md_status stop_message(run_ctx *c, md_status st) {
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", md_errmsg());
  if (c->last_ckpt_step >= 0)
    return md_error(st, "%s; last good checkpoint: %s (step %ld)", msg, c->ckpt_path, c->last_ckpt_step);
  return md_error(st, "%s; no checkpoint written", msg);
}

/* Header lines of the thermo files (replica j of the run: its seed and temperature in ensembles). */
static void describe(run_ctx *c, char *hdr, size_t n, int j) {
  const md_deck *d = c->d;
  const md_system *s = sys0(c);
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
    snprintf(ens, sizeof ens, "nvt T %g%s K, Tdamp %g ps, chain %d, tloop %d (LAMMPS fix nvt)",
             d->nrep_temps > 0 ? c->temp[j] : d->t_start, d->t_stop != d->t_start ? " -> ramp" : "", d->t_damp, d->chain,
             d->tloop);
  else
    snprintf(ens, sizeof ens, "nve");
  const real_t *h = s->box.h;
  const char *base = strrchr(d->path, '/');
  base = base ? base + 1 : d->path;
  char rline[256] = "";
  if (c->ensemble)
    snprintf(rline, sizeof rline, "# replica %d of %d: seed %llu (= replica_seed(%llu, %d)), temperature %g K\n", c->gidx[j], c->R,
             (unsigned long long)c->seed[j], (unsigned long long)deck_ensemble_seed(d), c->gidx[j], c->temp[j]);
  snprintf(hdr, n,
           "# deck %s; %d atoms (%s); cell a (%.6f %.6f %.6f) b (%.6f %.6f %.6f) c (%.6f %.6f %.6f) Å\n"
           "# model %s; ensemble %s; timestep %g ps; %ld steps\n%s"
           "# units: time ps, temp K (3N-3 dof), energies eV, press bar (LAMMPS metal); econserve = etotal + thermostat energy\n",
           base, s->n, comp, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], d->model, ens, d->dt, d->nsteps, rline);
}

/* A GPU backend over MPI ranks: one device per rank, local rank mod the node's devices (app/mpi_ens.h). */
static md_status bind_device(run_ctx *c) {
  if (ens_size() <= 1) return MD_OK;
  int dev = -1;
  MD_TRY(ens_select_gpu(&dev));
  if (c->out) fprintf(c->out, "# MPI rank %d (local %d) on GPU %d\n", ens_rank(), ens_local_rank(), dev);
  return MD_OK;
}

static const md_backend_ops *g_backend; /* run_set_backend */

void run_set_backend(const md_backend_ops *ops) { g_backend = ops; }

/* --device: cpu; gpu (error without a CUDA build or device); auto = the CUDA backend when built and a device
 * is present, else the CPU. run_set_backend overrides the choice. */
static md_status select_backend(run_ctx *c) {
  c->ops = g_backend ? g_backend : md_backend_cpu();
  if (g_backend) return MD_OK;
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

/* Atom-steps per step of the whole run (every rank's replicas). */
static double run_atoms(const run_ctx *c) { return (double)c->nrun * (double)sys0(c)->n; }

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
          rate * run_atoms(c), e1, e2);
  fflush(c->out);
}

md_status run_load_structure(const md_deck *d, const md_model *m, md_system **out) {
  *out = NULL;
  if (d->structure == DECK_STRUCT_LI3N)
    return lattice_li3n(out, d->cells[0], d->cells[1], d->cells[2], d->lattice_a, d->lattice_c, m);
  return structure_read(out, d->structure_file, m, d->structure_frame);
}

/* The replicas of this run and their seeds, temperatures and ranks. */
static md_status setup_replicas(run_ctx *c) {
  const md_deck *d = c->d;
  c->ensemble = d->nrep > 0;
  c->R = deck_replicas(d);
  c->nrun = (c->ensemble && d->rep_only >= 0) ? 1 : c->R;
  c->gidx = (int *)calloc((size_t)c->nrun, sizeof *c->gidx);
  c->seed = (unsigned long long *)calloc((size_t)c->nrun, sizeof *c->seed);
  c->temp = (real_t *)calloc((size_t)c->nrun, sizeof *c->temp);
  if (!c->gidx || !c->seed || !c->temp) return md_error(MD_ERR_MEMORY, "out of memory (%d replicas)", c->nrun);
  uint64_t S = deck_ensemble_seed(d);
  for (int j = 0; j < c->nrun; j++) {
    c->gidx[j] = c->nrun == 1 && c->ensemble ? d->rep_only : j;
    if (!c->ensemble) c->gidx[j] = 0;
    c->seed[j] = c->ensemble ? replica_seed(S, c->gidx[j]) : S;
    c->temp[j] = deck_replica_temperature(d, c->gidx[j]);
  }
  int P = ens_size();
  if (P > c->nrun)
    return md_error(MD_ERR_VALUE, "%s: %d MPI ranks but the run has %d replica(s): every rank needs at least one (use -np <= %d, or "
                    "more replicas)", d->path, P, c->nrun, c->nrun);
  replica_block(c->nrun, P, ens_rank(), &c->first, &c->nloc);
  /* `only K` writes next to the whole ensemble's files without clobbering them */
  int only = c->ensemble && d->rep_only >= 0;
  const char *cp = d->checkpoint_path[0] ? d->checkpoint_path : "";
  if (replica_file_name(cp, d->rep_only, c->R, only, c->ckpt_path, sizeof c->ckpt_path) != 0 ||
      replica_file_name(d->diff_path, d->rep_only, c->R, only, c->diff_path, sizeof c->diff_path) != 0)
    return md_error(MD_ERR_VALUE, "%s: output path too long", d->path);
  char heat[MD_PATH_LEN + 16];
  snprintf(heat, sizeof heat, "%s%sheatcap.json", d->output_dir, d->output_dir[0] ? "/" : "");
  if (strlen(heat) >= MD_PATH_LEN || replica_file_name(heat, d->rep_only, c->R, only, c->heat_path, sizeof c->heat_path) != 0)
    return md_error(MD_ERR_VALUE, "%s: output path too long", d->path);
  if (!cp[0]) c->ckpt_path[0] = '\0';
  return MD_OK;
}

/* Fresh start of run replica j (local r): step 0, its seed, velocities at its temperature. */
static md_status fresh_replica(run_ctx *c, int r, int j) {
  const md_deck *d = c->d;
  md_replica *rep = &c->rep[r];
  md_system *s = rep->sys;
  s->step = 0;
  s->time = 0.0;
  rep->step0 = 0;
  rep->time0 = 0.0;
  md_rng_seed(&rep->rng, c->seed[j], 0);
  real_t tv = d->nrep_temps > 0 ? c->temp[j] : d->velocity_t;
  if (d->has_velocity)
    MD_TRY(velocity_create(s, c->model.mass, tv, d->velocity_dist == DECK_DIST_UNIFORM ? VELOCITY_UNIFORM : VELOCITY_GAUSSIAN,
                           d->velocity_mom, &rep->rng));
  else if (!s->has_velocities)
    for (int i = 0; i < s->n; i++) s->vx[i] = s->vy[i] = s->vz[i] = 0.0;
  system_wrap(s);
  return MD_OK;
}

static md_status start(run_ctx *c, md_checkpoint *ck) {
  const md_deck *d = c->d;
  MD_TRY(model_read(&c->model, d->model));
  MD_TRY(setup_replicas(c));
  md_system *sys = NULL;
  MD_TRY(run_load_structure(d, &c->model, &sys));
  md_status st = sys->n > 0 ? MD_OK : md_error(MD_ERR_VALUE, "%s:%d: the structure has no atoms", d->path, d->structure_line);
  c->rep = (md_replica *)calloc((size_t)c->nloc, sizeof *c->rep);
  c->io = (rep_out *)calloc((size_t)c->nloc, sizeof *c->io);
  if (st == MD_OK && (!c->rep || !c->io)) st = md_error(MD_ERR_MEMORY, "out of memory (%d replicas)", c->nloc);
  for (int r = 0; r < c->nloc && st == MD_OK; r++) st = replica_alloc(&c->rep[r], sys);
  system_destroy(&sys);
  MD_TRY(st);
  md_system *s = sys0(c);
  for (int i = 0; i < s->n; i++)
    if (!(c->model.mass[s->type[i]] > 0.0))
      return md_error(MD_ERR_VALUE, "%s: element %s has no mass", d->model, s->elem[s->type[i]]);
  if (d->structure == DECK_STRUCT_FILE) MD_TRY(system_check_finite(s, d->structure_file));
  if (d->has_diffusion) {
    MD_TRY(rdiff_create(&c->diff, d, s, c->model.mass, c->gidx, c->nrun, c->first, c->nloc, c->diff_path, c->o->quiet));
    rdiff_hook(c->diff, &c->hooks[c->nhooks++]);
    MD_TRY(rhost_create(&c->host, d, s, c->nrun, c->nloc, c->diff_path, c->o->quiet));
    if (c->host) {
      rhost_hook(c->host, &c->hooks[c->nhooks]);
      c->hooks[c->nhooks++].every = d->diff_every;
    }
  }
  if (d->has_heatcap) {
    MD_TRY(rheat_create(&c->heat, d, s->n, c->nrun, c->nloc, c->heat_path));
    rheat_hook(c->heat, &c->hooks[c->nhooks++]);
  }
  if (fan_deck_wants(d)) {
    /* `only K` writes its analyses under <output>/r<K>/, next to the whole ensemble's */
    char dir[MD_PATH_LEN + 32];
    const char *base = d->output_dir[0] ? d->output_dir : ".";
    if (c->ensemble && d->rep_only >= 0) snprintf(dir, sizeof dir, "%s/r%d", base, d->rep_only);
    else snprintf(dir, sizeof dir, "%s", base);
    MD_TRY(fan_run_create(&c->frames, d, s, c->model.mass, c->gidx, c->nrun, c->first, c->nloc, dir));
    fan_run_hook(c->frames, &c->hooks[c->nhooks++]);
  }
  for (int h = 0; h < c->nhooks; h++)
    if (!c->hooks[h].save_rep && ens_size() > 1)
      return md_error(MD_ERR_UNSUPPORTED, "analysis '%s' keeps one state for all replicas: it cannot run over MPI ranks",
                      c->hooks[h].name);
  if (c->o->restart) {
    MD_TRY(ckpt_read(c->o->restart, ck));
    MD_TRY(rio_check_checkpoint(d, sys0(c), c->ensemble, c->R, c->nrun, c->gidx, c->seed, c->temp, ck, c->o->restart));
    for (int r = 0; r < c->nloc; r++) {
      int j = c->first + r, k = c->ensemble ? c->gidx[j] - ck->rset_first : 0;
      MD_TRY(replica_copy(&c->rep[r], &ck->rep[k], MD_STATE_ALL));
    }
    c->last_ckpt_step = s->step;
    for (int h = 0; h < c->nhooks; h++) {
      const md_analysis_hook *k = &c->hooks[h];
      for (int r = 0; r < (k->save_rep ? c->nloc : 1); r++) {
        char name[CKPT_NAME_LEN];
        if (k->load_rep) blob_name(k, c->gidx[c->first + r], name);
        else snprintf(name, sizeof name, "%s", k->name);
        const ckpt_blob *bl = ckpt_get_blob(ck, name);
        if (!bl) return md_error(MD_ERR_VALUE, "%s: no saved state for analysis '%s'", c->o->restart, name);
        MD_TRY(k->load_rep ? k->load_rep(k->ctx, r, bl->data, bl->len) : k->load(k->ctx, bl->data, bl->len));
      }
    }
  } else {
    for (int r = 0; r < c->nloc; r++) MD_TRY(fresh_replica(c, r, c->first + r));
  }
  real_t t0 = 0.0, tref = 0.0;
  for (int r = 0; r < c->nloc; r++) t0 = fmax(t0, velocity_temperature(c->rep[r].sys, c->model.mass));
  for (int j = 0; j < c->nrun; j++) tref = fmax(tref, c->temp[j]);
  md_backend_options opt;
  deck_backend_options(d, fmax(t0, fmax(tref, d->has_velocity ? d->velocity_t : 0.0)), &opt);
  opt.quiet = c->o->quiet;
  MD_TRY(run_physics_record(&c->model, &opt, &c->phys));
  if (c->o->restart)
    MD_TRY(run_physics_check(&ck->phys, &c->phys, c->o->restart, c->o->allow_changes, ens_rank() == 0 ? stderr : NULL));
  real_t *ltemp = NULL;
  if (c->ensemble) {
    opt.rep_offset = c->gidx[c->first];
    opt.rep_label = 1;
    opt.one_thread_per_replica = 1;
    if (d->nrep_temps > 0 && d->ensemble == MD_ENS_NVT) opt.rep_temperature = ltemp = c->temp + c->first;
  }
  MD_TRY(select_backend(c));
  if (c->ops != md_backend_cpu()) MD_TRY(bind_device(c));
  st = c->ops->create(&c->b, &c->model, &opt, c->rep, c->nloc);
  if (st == MD_ERR_UNSUPPORTED && c->o->device == RUN_DEVICE_AUTO && c->ops != md_backend_cpu()) {
    /* auto: a model or option the GPU backend cannot run yet goes to the CPU */
    if (c->out) fprintf(c->out, "# the %s backend cannot run this model (%s): using the CPU\n", c->ops->name, md_errmsg());
    md_clear_error();
    c->ops = md_backend_cpu();
    st = c->ops->create(&c->b, &c->model, &opt, c->rep, c->nloc);
  }
  MD_TRY(st);
  (void)ltemp;
  for (int r = 0; r < c->nloc; r++) MD_TRY(c->ops->set_state(c->b, r, &c->rep[r], MD_STATE_ALL));
  if (!c->o->restart) {
    st = c->ops->compute_forces(c->b);
    if (st != MD_OK) return stop_message(c, st);
    for (int r = 0; r < c->nloc; r++) {
      md_replica *rep = &c->rep[r];
      MD_TRY(c->ops->get_state(c->b, r, rep, MD_STATE_FORCE));
      if (d->ensemble == MD_ENS_NVT) {
        nhc_params np;
        integ_nhc_params(&opt.integ, rep->sys->n, &np);
        real_t tt = d->nrep_temps > 0 ? c->temp[c->first + r]
                                      : nhc_target_temperature(d->t_start, d->t_stop, rep->sys->step, opt.integ.ramp_begin,
                                                               opt.integ.ramp_end);
        nhc_init(&rep->nhc, &np, tt, velocity_temperature(rep->sys, c->model.mass));
        MD_TRY(c->ops->set_state(c->b, r, rep, MD_STATE_THERMOSTAT));
      }
    }
  }
  return MD_OK;
}

static md_status open_outputs(run_ctx *c, const md_checkpoint *ck) {
  char hdr[4096];
  for (int r = 0; r < c->nloc; r++) {
    describe(c, hdr, sizeof hdr, c->first + r);
    FILE *screen = (r == 0 && c->first == 0) ? c->out : NULL;
    MD_TRY(rio_open(&c->io[r], c->d, c->ensemble, c->gidx[c->first + r], c->R, c->rep[r].sys, ck, hdr, screen));
    c->nio = r + 1;
  }
  return MD_OK;
}

static void print_header(run_ctx *c) {
  if (!c->out) return;
  const md_deck *d = c->d;
  char hdr[4096];
  describe(c, hdr, sizeof hdr, 0);
  fprintf(c->out, "esnapmd %s (commit %s), backend %s", ESNAP_VERSION, ESNAP_COMMIT, c->ops->name);
#ifdef _OPENMP
  fprintf(c->out, ", %d OpenMP threads", omp_get_max_threads());
#endif
  if (ens_size() > 1) fprintf(c->out, ", %d MPI ranks", ens_size());
  fprintf(c->out, "\n%s# force field: %s\n", hdr, c->ops->describe(c->b));
  if (c->ensemble) {
    if (c->nrun == 1)
      fprintf(c->out, "# replica %d alone of a set of %d (ensemble seed %llu)\n", c->gidx[0], c->R,
              (unsigned long long)deck_ensemble_seed(d));
    else
      fprintf(c->out, "# %d replicas, ensemble seed %llu: replica k draws from seed replica_seed(S, k) (host/md/replica.h)%s; each "
              "advances on one thread; thermo on the screen: replica 0\n", c->R, (unsigned long long)deck_ensemble_seed(d),
              ens_size() > 1 ? ", contiguous blocks per MPI rank" : "");
    for (int j = 0; j < c->nrun && j < 8; j++)
      fprintf(c->out, "#   replica %d: seed %llu, %g K\n", c->gidx[j], (unsigned long long)c->seed[j], c->temp[j]);
    if (c->nrun > 8) fprintf(c->out, "#   ... (%d more; each replica's thermo file names its seed)\n", c->nrun - 8);
  }
  if (c->o->restart) fprintf(c->out, "# continuing from %s at step %ld\n", c->o->restart, sys0(c)->step);
  fflush(c->out);
}

/* The outputs of the current step (all collective-free except the final agreement): thermo lines, state for
 * dumps and analysis, dumps, analysis samples. */
static md_status step_outputs(run_ctx *c, long step, int thermo_now) {
  md_status st = MD_OK;
  const long eq = c->d->equil_steps;
  if (thermo_now)
    for (int r = 0; r < c->nloc && st == MD_OK; r++) {
      md_thermo th;
      st = c->ops->reduce_thermo(c->b, r, &th);
      if (st == MD_OK) st = thermo_write(&c->io[r].thermo, &th);
      for (int h = 0; h < c->nhooks && st == MD_OK && step >= eq; h++)
        if (c->hooks[h].thermo) st = c->hooks[h].thermo(c->hooks[h].ctx, r, &th);
    }
  int want_dump = 0, want_hook = 0;
  for (int k = 0; k < c->d->ndump; k++) want_dump |= due_from(step, c->d->dump[k].every, eq);
  for (int h = 0; h < c->nhooks; h++) want_hook |= due_from(step, c->hooks[h].every, eq);
  if (want_dump || want_hook) {
    double t0 = wall_now();
    /* what dumps and analysis read: positions and images, velocities, step and time (a GPU copies no forces) */
    const unsigned what = MD_STATE_POS | MD_STATE_VEL | MD_STATE_CLOCK;
    for (int r = 0; r < c->nloc && st == MD_OK; r++) st = c->ops->get_state(c->b, r, &c->rep[r], what);
    double dt = wall_now() - t0;
    c->t_state += dt;
    if (!want_dump) c->t_analysis += dt; /* fetched for the analysis alone */
  }
  for (int r = 0; r < c->nloc && st == MD_OK; r++)
    for (int k = 0; k < c->io[r].ndump && st == MD_OK; k++)
      if (due_from(step, c->io[r].dump[k].every, eq)) st = dump_writer_write(&c->io[r].dump[k], c->rep[r].sys, step, c->rep[r].sys->time);
  double t0 = wall_now();
  for (int h = 0; h < c->nhooks && st == MD_OK; h++)
    if (due_from(step, c->hooks[h].every, eq)) st = c->hooks[h].sample(c->hooks[h].ctx, c->rep, c->nloc);
  c->t_analysis += wall_now() - t0;
  return st;
}

static md_status loop(run_ctx *c) {
  const md_deck *d = c->d;
  long step = sys0(c)->step;
  const long first = step;
  const char *kill_env = getenv("ESNAPMD_DEBUG_KILL_AT_STEP"); /* tests only: SIGKILL after this step's outputs */
  long kill_at = kill_env ? atol(kill_env) : -1;
  /* tests only: "STEP SIGNAL" raises SIGNAL (SIGTERM, SIGINT) on this process as the step STEP completes */
  const char *sig_env = getenv("ESNAPMD_DEBUG_SIGNAL_AT_STEP");
  long sig_at = -1;
  int sig_no = 0;
  if (sig_env && sscanf(sig_env, "%ld %d", &sig_at, &sig_no) != 2) sig_at = -1;
  if (sig_no != SIGTERM && sig_no != SIGINT) sig_at = -1;
  md_thermo th_first, th;
  MD_TRY(ens_agree(c->ops->reduce_thermo(c->b, 0, &th_first)));
  if (c->out) thermo_screen_header(c->out);
  if (!c->o->restart) { /* step 0: the first frame (origin of every displacement) */
    md_status st = ens_agree(step_outputs(c, step, 1));
    if (st == MD_OK && d->nsteps == 0 && d->checkpoint_every > 0) st = write_checkpoint(c); /* `run 0`: a starting point */
    if (st != MD_OK) return stop_message(c, st);
  }
  double t_start = wall_now(), t_last = t_start;
  c->t_analysis = c->t_report = c->t_state = 0.0;
  long chunk = 1;
  while (step < d->nsteps) {
    long next = d->nsteps;
    next = next_event(step, d->thermo_every, next);
    next = next_event(step, d->checkpoint_every, next);
    for (int k = 0; k < d->ndump; k++) next = next_event_from(step, d->dump[k].every, d->equil_steps, next);
    for (int h = 0; h < c->nhooks; h++) next = next_event_from(step, c->hooks[h].every, d->equil_steps, next);
    if (kill_at > step && kill_at < next) next = kill_at;
    if (sig_at > step && sig_at < next) next = sig_at;
    if (next - step > chunk) next = step + chunk;
    double t_chunk = wall_now();
    md_status st = ens_agree(c->ops->run_steps(c->b, next - step));
    if (st != MD_OK) return stop_message(c, st);
    if (next == sig_at) raise(sig_no);
    double now = wall_now();
    /* chunks of about half a second keep progress lines and signals responsive; they do not change results.
     * Every rank must take the same chunks: the slowest rank's time and any rank's signal decide. */
    double v[2] = {now - t_chunk, (double)g_stop_signal};
    MD_TRY(ens_max(v, 2));
    if (v[0] < 0.25 && chunk < 1000000) chunk *= 2;
    else if (v[0] > 1.0 && chunk > 1) chunk /= 2;
    int stop = (int)v[1];
    step = next;
    int is_ckpt = d->checkpoint_every > 0 && (due(step, d->checkpoint_every) || step == d->nsteps);
    /* an output that cannot be written (disk full, read-only) stops the run: the message names the checkpoint */
    st = ens_agree(step_outputs(c, step, due(step, d->thermo_every) || step == d->nsteps));
    if (st == MD_OK && is_ckpt) st = write_checkpoint(c);
    if (st != MD_OK) return stop_message(c, st);
    if (step == kill_at) raise(SIGKILL);
    if (stop && step < d->nsteps) { /* at the last step the run just finishes */
      if (d->checkpoint_every > 0 && !is_ckpt && (st = write_checkpoint(c)) != MD_OK) return stop_message(c, st);
      return md_error(MD_ERR_IO, "interrupted by signal %d at step %ld%s%s", stop, step,
                      c->last_ckpt_step == step ? "; checkpoint written: continue with --restart " : "",
                      c->last_ckpt_step == step ? c->ckpt_path : "");
    }
    if (d->progress_seconds > 0.0 && now - t_last >= d->progress_seconds && step < d->nsteps) {
      progress_line(c, step, first, t_start, now);
      t_last = now;
    }
  }
  double t0 = wall_now();
  md_status st = MD_OK;
  for (int h = 0; h < c->nhooks && st == MD_OK; h++)
    if (c->hooks[h].report) st = c->hooks[h].report(c->hooks[h].ctx, 1);
  c->t_report += wall_now() - t0;
  MD_TRY(ens_agree(st));
  double el = wall_now() - t_start;
  double tm[4] = {el, c->t_analysis, c->t_state, c->t_report};
  MD_TRY(ens_max(tm, 4));
  MD_TRY(ens_agree(c->ops->reduce_thermo(c->b, 0, &th)));
  if (c->out && step > first) {
    double rate = tm[0] > 0.0 ? (double)(step - first) / tm[0] : 0.0;
    fprintf(c->out, "# done: %ld steps in %.3f s: %.4g steps/s, %.4g ns/day, %.3g atom-steps/s\n", step - first, tm[0], rate,
            rate * d->dt * 86400.0 / 1000.0, rate * run_atoms(c));
    if (c->ensemble || c->nhooks > 0)
      fprintf(c->out, "# throughput: %d replica(s) x %d atoms = %.4g atom-steps/s aggregate (%d MPI rank(s)); on-the-fly analysis "
              "%.3f s = %.2f%% of the run, its results and checkpointed state %.3f s = %.2f%% (host state copies %.3f s)\n",
              c->nrun, sys0(c)->n, rate * run_atoms(c), ens_size(), tm[1], tm[0] > 0 ? 100.0 * tm[1] / tm[0] : 0.0, tm[3],
              tm[0] > 0 ? 100.0 * tm[3] / tm[0] : 0.0, tm[2]);
    double span = th.time - th_first.time;
    int n = sys0(c)->n;
    fprintf(c->out, "# conserved energy (econserve) change: %.6g eV/atom over %g ps (%.4g eV/atom/ps); final T %.2f K%s\n",
            (th.econserve - th_first.econserve) / n, span, span > 0 ? (th.econserve - th_first.econserve) / n / span : 0.0,
            th.temp, c->nrun > 1 ? " (replica 0)" : "");
    if (c->last_ckpt_step >= 0) fprintf(c->out, "# checkpoint: %s (step %ld)\n", c->ckpt_path, c->last_ckpt_step);
  }
  if (c->ckpt_failures && c->last_ckpt_step >= 0)
    return md_error(MD_ERR_IO, "the last checkpoint could not be written (see the warnings); the newest good one is %s at step %ld",
                    c->ckpt_path, c->last_ckpt_step);
  if (c->ckpt_failures)
    return md_error(MD_ERR_IO, "no checkpoint could be written to %s (see the warnings): there is none to restart from",
                    c->ckpt_path);
  return MD_OK;
}

md_status run_deck(const md_deck *d, const run_options *o) {
  run_ctx c;
  memset(&c, 0, sizeof c);
  c.d = d;
  c.o = o;
  c.out = (o->quiet || ens_rank() != 0) ? NULL : stdout;
  c.last_ckpt_step = -1;
  md_checkpoint ck;
  memset(&ck, 0, sizeof ck);
  md_status st = MD_OK;
  if (d->nsweep > 0)
    st = md_error(MD_ERR_VALUE, "%s:%d: this deck describes a temperature series: run it with esnapmd sweep %s", d->path,
                  d->sweep_line, d->path);
  c.hooks = (md_analysis_hook *)calloc((size_t)o->nhooks + 4, sizeof *c.hooks); /* + diffusion, host, heatcap, frames */
  if (st == MD_OK && !c.hooks) st = md_error(MD_ERR_MEMORY, "out of memory");
  if (st == MD_OK) {
    if (o->nhooks > 0) memcpy(c.hooks, o->hooks, (size_t)o->nhooks * sizeof *c.hooks);
    c.nhooks = o->nhooks;
  }
  /* SIGINT / SIGTERM from here on (setup included) stop the run at the end of its next chunk of steps, with a
   * checkpoint */
  g_stop_signal = 0;
  void (*old_int)(int) = signal(SIGINT, on_signal);
  void (*old_term)(int) = signal(SIGTERM, on_signal);
  st = ens_agree(st);
  if (st == MD_OK) st = ens_agree(start(&c, &ck)); /* every input read and the forces at the start checked ... */
  if (st == MD_OK) st = ens_agree(d->output_dir[0] && ens_rank() == 0 ? make_dirs(d->output_dir) : MD_OK); /* ... then outputs */
  if (st == MD_OK && o->restart && sys0(&c)->step >= d->nsteps) {
    if (c.out) fprintf(c.out, "# the checkpoint is at step %ld: the run of %ld steps is complete\n", sys0(&c)->step, d->nsteps);
  } else if (st == MD_OK) {
    st = ens_agree(open_outputs(&c, o->restart ? &ck : NULL));
    ckpt_free(&ck); /* the restart state is in place */
    if (st == MD_OK && c.nrun > 1 && !d->has_velocity && !o->restart && ens_rank() == 0)
      fprintf(stderr, "esnapmd: warning: %s: no velocity line: every replica starts from the same velocities and follows the "
              "same trajectory (add 'velocity T' for independent replicas)\n", d->path);
    if (st == MD_OK) {
      print_header(&c);
      st = loop(&c);
    }
  }
  signal(SIGINT, old_int);
  signal(SIGTERM, old_term);
  ckpt_free(&ck);
  for (int r = 0; r < c.nio; r++) rio_close(&c.io[r]);
  if (c.ops && c.b) c.ops->destroy(&c.b);
  for (int r = 0; c.rep && r < c.nloc; r++) replica_free(&c.rep[r]);
  rdiff_destroy(&c.diff);
  fan_run_destroy(&c.frames);
  rheat_destroy(&c.heat);
  rhost_destroy(&c.host);
  free(c.rep);
  free(c.io);
  free(c.gidx);
  free(c.seed);
  free(c.temp);
  free(c.hooks);
  return st;
}
