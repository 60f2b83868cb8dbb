/* cmd_analyze.c — `esnapmd analyze`: diffusion analysis of trajectories (one file per replica) with the same
 * tracker, estimator and writers the MD engine uses on the fly (diffusion.h); with --sites, --density, --rdf or
 * --spectra also the per-frame analyses of frame_analyses.h (cmd_analyze_frames.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_skip.h"
#include "commands.h"
#include "diffusion.h"
#include "frame_analyses.h"
#include "host_mobility.h"
#include "io_dump.h"
#include "strbuf.h"

static void usage(FILE *fp) {
  fprintf(fp,
          "usage: esnapmd analyze TRAJ... --temperature T -o DIR [options]\n"
          "  Tracer and charge MSD, D*, D_sigma, Haven ratio and conductivity of one species. Several files =\n"
          "  independent replicas (uncertainties by bootstrap over replicas); one file = one replica (uncertainty from\n"
          "  a random-walk model, or from --segments K time segments). TRAJ: LAMMPS text dump (.gz read directly; id, type or element,\n"
          "  xu yu zu | x y z [ix iy iz] | xs ys zs | xsu ysu zsu) or extended XYZ (.xyz/.extxyz, time= keys, unwrapped).\n"
          "options:\n"
          "  --species NAME        species to analyse (default Li)\n"
          "  --temperature T       temperature (K), required\n"
          "  -o, --output DIR      output directory: summary.json, msd_pooled.dat, msd_replica_K.dat\n"
          "  --timestep PS         LAMMPS dumps: MD timestep (ps); frame time = TIMESTEP x PS\n"
          "  --frame-interval PS   time between frames (ps), overrides times in the files\n"
          "  --types A,B,...       LAMMPS type names (default Li,N: type 1 = Li)\n"
          "  --fit-window T0 T1    fit the MSD between lags T0 and T1 (ps); default %.2g-%.2g x run length\n"
          "  --block B             order-n block length: lags 1..B-1 frames at full resolution (default %d)\n"
          "  --segments K          one replica: stderr from K independent time segments (each >= T1 long) instead\n"
          "                        of the random-walk model (see summary.json uncertainty.method)\n"
          "  --bootstrap N         bootstrap resamples (default %d)\n"
          "  --seed S              bootstrap seed (default %u)\n"
          "  --volume V            cell volume (Å^3) for the conductivity (default: mean over the frames)\n"
          "  --unwrap              extended XYZ: positions are wrapped; unwrap by minimum image\n"
          "  --skip PS             leave out the frames of the first PS ps (equilibration); the first frame kept is\n"
          "                        the time origin\n"
          "  --host NAME|none      host sublattice whose mobility says whether the run is still a crystal (default\n"
          "                        N; files without it: no report): DIR/host.json (MSD plateau, Lindemann ratio, melted)\n"
          "  --quiet               no table on stdout\n"
          "per-frame analyses (every frame, all atoms; app/frame_analyses.h; diffusion then only with --temperature):\n"
          "  --sites               site projection onto the α-Li3N Li(1)/Li(2) sites -> DIR/sites/\n"
          "  --site-file FILE      ... onto the sites of FILE instead (format: host/analysis/sites.h)\n"
          "  --sites-species E     species projected (default Li)\n"
          "  --density E           time-averaged density of E -> DIR/density/density_E.cube\n"
          "  --spacing D           density grid spacing (Å, default 0.1)\n"
          "  --rdf                 RDFs and coordination numbers -> DIR/rdf/rdf.dat\n"
          "  --bins B, --rmax R    RDF bins (default 200) and range (Å, default half the shortest cell width)\n"
          "  --spectra             VACF and power spectra (needs velocities in the file) -> DIR/spectra/\n"
          "  --window W            spectra segment length in frames (default 512)\n"
          "  --model FILE          masses for the spectra (default: the bundled model)\n",
          DIFF_DEFAULT_FIT_START, DIFF_DEFAULT_FIT_END, DIFF_DEFAULT_BLOCK, DIFF_DEFAULT_NBOOT, DIFF_DEFAULT_SEED);
}

static md_status num(int argc, char **argv, int *k, double *out) {
  if (*k + 1 >= argc) return md_error(MD_ERR_VALUE, "analyze: option %s needs a value", argv[*k]);
  char *end;
  *out = strtod(argv[*k + 1], &end);
  if (end == argv[*k + 1] || *end || !isfinite(*out))
    return md_error(MD_ERR_VALUE, "analyze: %s: '%s' is not a number", argv[*k], argv[*k + 1]);
  (*k)++;
  return MD_OK;
}

typedef struct frame_info {
  int64_t frames;
  double t_first, t_last;
} frame_info;

/* First pass over a file (single replica): number of frames and time span after the skipped span. */
static md_status count_frames(const char *path, const traj_options *to, double skip, frame_info *fi) {
  traj_reader *r = NULL;
  MD_TRY(traj_open(&r, path, to));
  md_status st;
  double t_file = 0.0;
  memset(fi, 0, sizeof *fi);
  for (;;) {
    const traj_frame *f;
    int eof;
    if ((st = traj_next(r, &f, &eof)) != MD_OK || eof) break;
    if (f->index == 0) t_file = f->time;
    if (analysis_skip(f->time, t_file, skip)) continue;
    if (fi->frames == 0) fi->t_first = f->time;
    fi->t_last = f->time;
    fi->frames++;
  }
  traj_close(&r);
  return st;
}

/* Read one replica into a new tracker, leaving out the first `skip` ps. The first frame kept is held until the
 * next one gives the interval. */
static md_status read_replica(const char *path, const traj_options *to, const diff_options *dopt_in, double skip,
                              double *volume_sum, int64_t *nvol, diffusion_tracker **out) {
  *out = NULL;
  traj_reader *r = NULL;
  MD_TRY(traj_open(&r, path, to));
  md_status st = MD_OK;
  double *f0 = NULL, t0 = 0, t_file = 0;
  diffusion_tracker *t = NULL;
  int n = 0;
  for (;;) {
    const traj_frame *f;
    int eof;
    if ((st = traj_next(r, &f, &eof)) != MD_OK) break;
    if (eof) break;
    if (f->index == 0) t_file = f->time;
    if (analysis_skip(f->time, t_file, skip)) continue;
    *volume_sum += f->box.volume;
    (*nvol)++;
    if (!f0) {
      n = f->n;
      f0 = (double *)malloc((size_t)n * 3 * sizeof(double));
      if (!f0) {
        st = md_error(MD_ERR_MEMORY, "out of memory");
        break;
      }
      memcpy(f0, f->x, (size_t)n * sizeof(double));
      memcpy(f0 + n, f->y, (size_t)n * sizeof(double));
      memcpy(f0 + 2 * n, f->z, (size_t)n * sizeof(double));
      t0 = f->time;
      continue;
    }
    if (!t) {
      double dt = f->time - t0;
      if (!(dt > 0)) {
        st = md_error(MD_ERR_VALUE, "%s: second frame at t = %g ps is not after the first (t = %g ps)", path, f->time, t0);
        break;
      }
      int *idx = (int *)malloc((size_t)n * sizeof(int));
      if (!idx) {
        st = md_error(MD_ERR_MEMORY, "out of memory");
        break;
      }
      for (int i = 0; i < n; i++) idx[i] = i;
      st = diffusion_tracker_create_sel(&t, n, idx, n, dt, dopt_in);
      free(idx);
      if (st == MD_OK) st = diffusion_tracker_add_frame(t, f0, f0 + n, f0 + 2 * n, t0);
      if (st != MD_OK) break;
    }
    if ((st = diffusion_tracker_add_frame(t, f->x, f->y, f->z, f->time)) != MD_OK) {
      char why[512];
      const char *m = md_errmsg();
      snprintf(why, sizeof why, "%s", strncmp(m, "diffusion: ", 11) == 0 ? m + 11 : m);
      st = md_error(st, "%s:%d: %s", path, f->line, why);
      break;
    }
  }
  if (st == MD_OK && !t)
    st = md_error(MD_ERR_VALUE, "%s: %s frame%s: need at least two", path, f0 ? "only one" : "no", skip > 0 ? " after --skip" : "");
  fflush(stdout);
  if (st == MD_OK && traj_notes(r)[0]) fprintf(stderr, "esnapmd analyze: note: %s: %s\n", path, traj_notes(r));
  traj_close(&r);
  free(f0);
  if (st != MD_OK) {
    diffusion_tracker_destroy(&t);
    return st;
  }
  *out = t;
  return MD_OK;
}

/* The host sublattice of each file (frames after --skip): *nrep results, 0 when the files hold no host atoms. */
static md_status read_host(const char *path, const traj_options *to_in, const char *host, double skip, host_result *res,
                           int *have) {
  traj_options to = *to_in;
  to.species = host;
  *have = 0;
  traj_reader *r = NULL;
  MD_TRY(traj_open(&r, path, &to));
  host_tracker *t = NULL;
  md_status st = MD_OK;
  double t_file = 0.0;
  /* a file without element or type columns gives every atom to any species: the "host" would be the mobile ions */
  double first[4] = {0, 0, 0, 0};
  traj_reader *m = NULL;
  if (traj_open(&m, path, to_in) == MD_OK) {
    const traj_frame *f;
    int eof;
    if (traj_next(m, &f, &eof) == MD_OK && !eof && f->n > 0) {
      first[0] = f->n;
      first[1] = f->x[0];
      first[2] = f->y[0];
      first[3] = f->z[0];
    }
    traj_close(&m);
  }
  md_clear_error();
  for (;;) {
    const traj_frame *f;
    int eof;
    if ((st = traj_next(r, &f, &eof)) != MD_OK) {
      if (!t && strstr(md_errmsg(), "no atoms of species")) { /* a trajectory of the mobile species alone */
        md_clear_error();
        st = MD_OK;
      }
      break;
    }
    if (eof) break;
    if (f->index == 0) {
      t_file = f->time;
      if (f->n == (int)first[0] && f->x[0] == first[1] && f->y[0] == first[2] && f->z[0] == first[3]) break; /* same atoms */
    }
    if (analysis_skip(f->time, t_file, skip)) continue;
    if (!t && (st = host_tracker_create(&t, f->n, host)) != MD_OK) break;
    if ((st = host_tracker_add(t, f->x, f->y, f->z, f->time, &f->box)) != MD_OK) break;
  }
  traj_close(&r);
  if (st == MD_OK && t) {
    host_tracker_result(t, res);
    *have = res->frames >= 2;
  }
  host_tracker_destroy(&t);
  return st;
}

md_status cmd_analyze(int argc, char **argv) {
  traj_options to;
  memset(&to, 0, sizeof to);
  to.species = "Li";
  diff_options dopt;
  diff_options_default(&dopt);
  diff_report_options ro;
  diff_report_options_default(&ro);
  const char *outdir = NULL, *host = "N";
  double segments = 0, volume = 0, skip = 0, v;
  const char **files = (const char **)calloc((size_t)argc, sizeof(char *));
  if (!files) return md_error(MD_ERR_MEMORY, "out of memory");
  int nfiles = 0;
  md_status st = MD_OK;
  fan_options fo;
  memset(&fo, 0, sizeof fo);
  snprintf(fo.sites_species, sizeof fo.sites_species, "Li");
  fo.density_spacing = 0.1;
  fo.rdf_bins = 200;
  fo.spectra_window = 512;
  const char *model = NULL;
  for (int k = 1; k < argc && st == MD_OK; k++) {
    const char *a = argv[k];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      free(files);
      return MD_OK;
    } else if (strcmp(a, "--species") == 0 && k + 1 < argc) {
      to.species = argv[++k];
      if (strlen(to.species) >= MD_NAME_LEN) st = md_error(MD_ERR_VALUE, "analyze: species name '%s' too long", to.species);
      else snprintf(dopt.species, sizeof dopt.species, "%s", to.species);
    } else if (strcmp(a, "--types") == 0 && k + 1 < argc) {
      to.types = argv[++k];
    } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && k + 1 < argc) {
      outdir = argv[++k];
    } else if (strcmp(a, "--temperature") == 0) {
      st = num(argc, argv, &k, &ro.temperature);
    } else if (strcmp(a, "--timestep") == 0) {
      st = num(argc, argv, &k, &to.timestep);
      if (st == MD_OK && !(to.timestep > 0)) st = md_error(MD_ERR_VALUE, "analyze: --timestep must be > 0");
    } else if (strcmp(a, "--frame-interval") == 0) {
      st = num(argc, argv, &k, &to.frame_interval);
      if (st == MD_OK && !(to.frame_interval > 0)) st = md_error(MD_ERR_VALUE, "analyze: --frame-interval must be > 0");
    } else if (strcmp(a, "--fit-window") == 0) {
      st = num(argc, argv, &k, &ro.fit_t0);
      if (st == MD_OK) st = num(argc, argv, &k, &ro.fit_t1);
      if (st == MD_OK && !(ro.fit_t1 > ro.fit_t0 && ro.fit_t0 >= 0))
        st = md_error(MD_ERR_VALUE, "analyze: --fit-window needs 0 <= T0 < T1 (got %g %g)", ro.fit_t0, ro.fit_t1);
    } else if (strcmp(a, "--block") == 0) {
      st = num(argc, argv, &k, &v);
      dopt.block = (int)v;
      if (st == MD_OK && (v != floor(v) || v < 2 || v > 65536)) st = md_error(MD_ERR_VALUE, "analyze: --block must be an integer 2..65536");
    } else if (strcmp(a, "--segments") == 0) {
      st = num(argc, argv, &k, &segments);
      if (st == MD_OK && (segments != floor(segments) || segments < 2))
        st = md_error(MD_ERR_VALUE, "analyze: --segments must be an integer >= 2");
    } else if (strcmp(a, "--bootstrap") == 0) {
      st = num(argc, argv, &k, &v);
      ro.nboot = (int)v;
      if (st == MD_OK && (v != floor(v) || v < 10 || v > 1e7)) st = md_error(MD_ERR_VALUE, "analyze: --bootstrap must be an integer >= 10");
    } else if (strcmp(a, "--seed") == 0) {
      st = num(argc, argv, &k, &v);
      ro.seed = (uint64_t)v;
    } else if (strcmp(a, "--volume") == 0) {
      st = num(argc, argv, &k, &volume);
    } else if (strcmp(a, "--skip") == 0) {
      st = num(argc, argv, &k, &skip);
      if (st == MD_OK && !(skip >= 0)) st = md_error(MD_ERR_VALUE, "analyze: --skip must be >= 0 ps");
    } else if (strcmp(a, "--host") == 0 && k + 1 < argc) {
      host = argv[++k];
    } else if (strcmp(a, "--unwrap") == 0) {
      to.unwrap = 1;
    } else if (strcmp(a, "--quiet") == 0) {
      ro.quiet = 1;
    } else if (strcmp(a, "--sites") == 0) {
      fo.sites = 1;
    } else if (strcmp(a, "--site-file") == 0 && k + 1 < argc) {
      fo.sites = 1;
      snprintf(fo.sites_file, sizeof fo.sites_file, "%s", argv[++k]);
    } else if (strcmp(a, "--sites-species") == 0 && k + 1 < argc) {
      fo.sites = 1;
      if (strlen(argv[k + 1]) >= MD_NAME_LEN) st = md_error(MD_ERR_VALUE, "analyze: species name '%s' too long", argv[k + 1]);
      else snprintf(fo.sites_species, sizeof fo.sites_species, "%s", argv[k + 1]);
      k++;
    } else if (strcmp(a, "--density") == 0 && k + 1 < argc) {
      fo.density = 1;
      if (strlen(argv[k + 1]) >= MD_NAME_LEN) st = md_error(MD_ERR_VALUE, "analyze: species name '%s' too long", argv[k + 1]);
      else snprintf(fo.density_species, sizeof fo.density_species, "%s", argv[k + 1]);
      k++;
    } else if (strcmp(a, "--spacing") == 0) {
      st = num(argc, argv, &k, &fo.density_spacing);
      if (st == MD_OK && !(fo.density_spacing > 0)) st = md_error(MD_ERR_VALUE, "analyze: --spacing must be > 0 (got %g Å)", fo.density_spacing);
    } else if (strcmp(a, "--rdf") == 0) {
      fo.rdf = 1;
    } else if (strcmp(a, "--bins") == 0) {
      st = num(argc, argv, &k, &v);
      fo.rdf_bins = (int)v;
      if (st == MD_OK && (v != floor(v) || v < 1 || v > RDF_MAX_BINS)) st = md_error(MD_ERR_VALUE, "analyze: --bins must be an integer 1..%d", RDF_MAX_BINS);
    } else if (strcmp(a, "--rmax") == 0) {
      st = num(argc, argv, &k, &fo.rdf_rmax);
      if (st == MD_OK && !(fo.rdf_rmax > 0)) st = md_error(MD_ERR_VALUE, "analyze: --rmax must be > 0");
    } else if (strcmp(a, "--spectra") == 0) {
      fo.spectra = 1;
    } else if (strcmp(a, "--window") == 0) {
      st = num(argc, argv, &k, &v);
      fo.spectra_window = (int)v;
      if (st == MD_OK && (v != floor(v) || v < 2 || v > VACF_MAX_WINDOW)) st = md_error(MD_ERR_VALUE, "analyze: --window must be an integer 2..%d", VACF_MAX_WINDOW);
    } else if (strcmp(a, "--model") == 0 && k + 1 < argc) {
      model = argv[++k];
    } else if (a[0] == '-' && a[1]) {
      st = md_error(MD_ERR_VALUE, "analyze: unknown option '%s' (or missing value; see esnapmd analyze --help)", a);
    } else {
      files[nfiles++] = a;
    }
  }
  if (st == MD_OK && nfiles == 0) st = md_error(MD_ERR_VALUE, "analyze: no trajectory files (see esnapmd analyze --help)");
  if (st == MD_OK && !outdir) st = md_error(MD_ERR_VALUE, "analyze: -o DIR is required");
  const int frames = fo.sites || fo.density || fo.rdf || fo.spectra;
  if (st == MD_OK && !frames && !(ro.temperature > 0)) st = md_error(MD_ERR_VALUE, "analyze: --temperature T (K) is required");
  if (st == MD_OK && to.timestep > 0 && to.frame_interval > 0)
    st = md_error(MD_ERR_VALUE, "analyze: give --timestep or --frame-interval, not both");
  if (st == MD_OK && frames) {
    fo.spectra_dt = to.frame_interval;
    fo.skip_ps = skip;
    st = analyze_frames(files, nfiles, &to, &fo, model, outdir, ro.quiet);
    if (st != MD_OK || !(ro.temperature > 0)) {
      free(files);
      return st;
    }
  }
  if (st != MD_OK) {
    free(files);
    return st;
  }

  /* one replica: time segments for the uncertainty when asked (default: random-walk model, diffusion.h) */
  if (nfiles == 1 && segments > 0) {
    frame_info fi;
    st = count_frames(files[0], &to, skip, &fi);
    if (st == MD_OK && fi.frames >= 2) {
      double dt = (fi.t_last - fi.t_first) / (double)(fi.frames - 1), run = fi.t_last - fi.t_first;
      double t1 = ro.fit_t1 > 0 ? ro.fit_t1 : DIFF_DEFAULT_FIT_END * run;
      int K = (int)segments;
      if (K >= 2) {
        dopt.segment_frames = (fi.frames - 1) / K;
        if ((double)dopt.segment_frames * dt < t1 - dt * (1 + 1e-9))
          st = md_error(MD_ERR_VALUE, "analyze: %d segments of %g ps are shorter than the fit window end %g ps", K,
                        (double)dopt.segment_frames * dt, t1);
      }
    }
  }
  diffusion_tracker **reps = (diffusion_tracker **)calloc((size_t)nfiles, sizeof *reps);
  if (!reps) st = md_error(MD_ERR_MEMORY, "out of memory");
  double vsum = 0;
  int64_t nvol = 0;
  for (int k = 0; k < nfiles && st == MD_OK; k++) {
    st = read_replica(files[k], &to, &dopt, skip, &vsum, &nvol, &reps[k]);
    if (st == MD_OK && k > 0 &&
        (diffusion_tracker_nions(reps[k]) != diffusion_tracker_nions(reps[0]) ||
         fabs(diffusion_tracker_interval(reps[k]) - diffusion_tracker_interval(reps[0])) > 1e-9 * diffusion_tracker_interval(reps[0])))
      st = md_error(MD_ERR_VALUE, "%s: %d %s every %g ps, but %s has %d every %g ps (replicas must match)", files[k],
                    diffusion_tracker_nions(reps[k]), to.species, diffusion_tracker_interval(reps[k]), files[0],
                    diffusion_tracker_nions(reps[0]), diffusion_tracker_interval(reps[0]));
  }
  if (st == MD_OK) {
    ro.volume = volume > 0 ? volume : vsum / (double)nvol;
    strbuf in;
    strbuf_init(&in);
    for (int k = 0; k < nfiles && k < 20; k++) strbuf_printf(&in, "%s%s", k ? " " : "", files[k]);
    if (nfiles > 20) strbuf_printf(&in, " ... (%d files)", nfiles);
    if (to.timestep > 0) strbuf_printf(&in, " --timestep %g", to.timestep);
    if (to.frame_interval > 0) strbuf_printf(&in, " --frame-interval %g", to.frame_interval);
    strbuf_printf(&in, " --block %d", dopt.block);
    if (skip > 0) strbuf_printf(&in, " --skip %g", skip);
    ro.inputs = in.data;
    st = diffusion_write(outdir, reps, nfiles, &ro, NULL);
    if (st == MD_OK && !ro.quiet) printf("wrote %s/summary.json, %s/msd_pooled.dat, %s/msd_replica_*.dat\n", outdir, outdir, outdir);
    strbuf_free(&in);
  }
  if (st == MD_OK && strcmp(host, "none") != 0 && strcmp(host, to.species) != 0) {
    host_result *hr = (host_result *)calloc((size_t)nfiles, sizeof *hr);
    int have = 1;
    if (!hr) st = md_error(MD_ERR_MEMORY, "out of memory");
    for (int k = 0; k < nfiles && st == MD_OK && have; k++) st = read_host(files[k], &to, host, skip, &hr[k], &have);
    if (st == MD_OK && have) {
      char path[4096], line[512];
      snprintf(path, sizeof path, "%s/host.json", outdir);
      st = host_write_json(path, hr, nfiles);
      host_result p;
      host_result_pool(hr, nfiles, &p);
      host_result_line(&p, line, sizeof line);
      if (st == MD_OK && !ro.quiet) printf("%s (%s)\n", line, path);
    }
    free(hr);
  }
  for (int k = 0; k < nfiles && reps; k++) diffusion_tracker_destroy(&reps[k]);
  free(reps);
  free(files);
  return st;
}
