#include "deck.h"

#include <errno.h>
#include <math.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "model.h"
#include "deck_words.h"
#include "replica_deck.h"
#include "frame_analyses.h"
#include "textfile.h"

static const char *const keywords[] = {"structure", "model",  "coulomb",    "neighbor", "timestep", "seed",
                                       "velocity",  "ensemble", "thermo",   "dump",     "checkpoint", "safety",
                                       "progress",  "output", "run",        "replicas", "diffusion", "sweep",
                                       "sites",     "density", "rdf",      "spectra",
                                       "equilibrate", "heatcap"};
#define NKEYWORDS ((int)(sizeof keywords / sizeof keywords[0]))

/* Levenshtein distance, for "did you mean" hints (short words only). */
static int edit_distance(const char *a, const char *b) {
  int la = (int)strlen(a), lb = (int)strlen(b);
  if (la > 31 || lb > 31) return 99;
  int d[32][32];
  for (int i = 0; i <= la; i++) d[i][0] = i;
  for (int j = 0; j <= lb; j++) d[0][j] = j;
  for (int i = 1; i <= la; i++)
    for (int j = 1; j <= lb; j++) {
      int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
      d[i][j] = c;
    }
  return d[la][lb];
}

static md_status unknown_keyword(const textfile *t) {
  const char *w = t->word[0];
  int best = -1, bestd = 3;
  for (int k = 0; k < NKEYWORDS; k++) {
    int dist = edit_distance(w, keywords[k]);
    if (dist < bestd) {
      bestd = dist;
      best = k;
    }
  }
  if (best >= 0)
    return md_error(MD_ERR_PARSE, "%s:%d: unknown keyword '%s' (did you mean '%s'?)", t->path, t->line, w, keywords[best]);
  return md_error(MD_ERR_PARSE,
                  "%s:%d: unknown keyword '%s' (known: structure model coulomb neighbor timestep seed velocity ensemble "
                  "thermo dump checkpoint safety progress output run replicas diffusion sweep sites density rdf spectra)",
                  t->path, t->line, w);
}

static md_status get_yesno(const textfile *t, int k, const char *what, int *out) {
  MD_TRY(deck_need(t, k, "yes|no"));
  if (strcmp(t->word[k], "yes") == 0) *out = 1;
  else if (strcmp(t->word[k], "no") == 0) *out = 0;
  else return md_error(MD_ERR_PARSE, "%s:%d: %s expects yes or no, not '%s'", t->path, t->line, what, t->word[k]);
  return MD_OK;
}

static md_status input_file(const textfile *t, const md_deck *d, const char *name, char *out, const char *what) {
  char tmp[2 * MD_PATH_LEN];
  tf_join(d->dir, name, tmp, sizeof tmp);
  if (strlen(tmp) >= MD_PATH_LEN) return md_error(MD_ERR_VALUE, "%s:%d: path too long", t->path, t->line);
  snprintf(out, MD_PATH_LEN, "%s", tmp);
  if (access(out, R_OK) != 0)
    return md_error(MD_ERR_IO, "%s:%d: %s '%s' not found or unreadable (looked for %s: input paths are relative to the deck's directory)",
                    t->path, t->line, what, name, out);
  return MD_OK;
}

static int format_from_name(const char *name) {
  const char *dot = strrchr(name, '.');
  if (dot && (strcasecmp(dot, ".xyz") == 0 || strcasecmp(dot, ".extxyz") == 0)) return DECK_FMT_EXTXYZ;
  return DECK_FMT_LAMMPS;
}

static md_status parse_format(const textfile *t, int k, int *out) {
  MD_TRY(deck_need(t, k, "format extxyz|lammps"));
  if (strcmp(t->word[k], "extxyz") == 0 || strcmp(t->word[k], "xyz") == 0) *out = DECK_FMT_EXTXYZ;
  else if (strcmp(t->word[k], "lammps") == 0) *out = DECK_FMT_LAMMPS;
  else return md_error(MD_ERR_PARSE, "%s:%d: unknown format '%s' (extxyz or lammps)", t->path, t->line, t->word[k]);
  return MD_OK;
}

static md_status parse_structure(const textfile *t, md_deck *d) {
  const char *usage = "structure li3n NX NY NZ [a A] [c C] | structure read FILE [frame K]";
  MD_TRY(deck_need(t, 1, usage));
  if (strcmp(t->word[1], "li3n") == 0) {
    d->structure = DECK_STRUCT_LI3N;
    const char *names[3] = {"NX", "NY", "NZ"};
    for (int k = 0; k < 3; k++) {
      long v;
      MD_TRY(deck_get_positive_long(t, 2 + k, names[k], usage, &v));
      if (v > 1000) return md_error(MD_ERR_VALUE, "%s:%d: %s = %ld cells is too many", t->path, t->line, names[k], v);
      d->cells[k] = (int)v;
    }
    for (int k = 5; k < t->nwords; k += 2) {
      real_t *dst;
      if (strcmp(t->word[k], "a") == 0) dst = &d->lattice_a;
      else if (strcmp(t->word[k], "c") == 0) dst = &d->lattice_c;
      else return deck_extra_word(t, k);
      MD_TRY(deck_get_real(t, k + 1, t->word[k], usage, dst));
      if (!(*dst > 0.0)) return md_error(MD_ERR_VALUE, "%s:%d: lattice constant %s must be positive", t->path, t->line, t->word[k]);
      MD_TRY(deck_check_range(t, k + 1, "lattice constant", 1.0, 100.0, "Å", *dst));
    }
  } else if (strcmp(t->word[1], "read") == 0) {
    d->structure = DECK_STRUCT_FILE;
    MD_TRY(deck_need(t, 2, usage));
    MD_TRY(input_file(t, d, t->word[2], d->structure_file, "structure file"));
    for (int k = 3; k < t->nwords; k += 2) {
      if (strcmp(t->word[k], "frame") != 0) return deck_extra_word(t, k);
      long v;
      MD_TRY(deck_get_long(t, k + 1, "frame", usage, &v));
      if (v < -1 || v > 100000000) return md_error(MD_ERR_VALUE, "%s:%d: frame must be 0, 1, ... or -1 (the last)", t->path, t->line);
      d->structure_frame = (int)v;
    }
  } else {
    return md_error(MD_ERR_PARSE, "%s:%d: structure: unknown kind '%s' (usage: %s)", t->path, t->line, t->word[1], usage);
  }
  d->structure_line = t->line;
  return MD_OK;
}

static md_status parse_coulomb(const textfile *t, md_deck *d) {
  const char *usage = "coulomb pme ACCURACY | ewald ACCURACY [lammps [table N] [tabinner R] [tabsqrt float|double]] | none [rcut R]";
  MD_TRY(deck_need(t, 1, usage));
  int k = 2;
  if (strcmp(t->word[1], "none") == 0) {
    d->coulomb = MD_COUL_NONE;
  } else {
    if (strcmp(t->word[1], "pme") == 0) d->coulomb = MD_COUL_PME;
    else if (strcmp(t->word[1], "ewald") == 0) d->coulomb = MD_COUL_EWALD;
    else return md_error(MD_ERR_PARSE, "%s:%d: coulomb: unknown method '%s' (usage: %s)", t->path, t->line, t->word[1], usage);
    MD_TRY(deck_get_real(t, 2, "accuracy", usage, &d->coulomb_accuracy));
    if (!(d->coulomb_accuracy > 0.0 && d->coulomb_accuracy < 1.0))
      return md_error(MD_ERR_VALUE, "%s:%d: coulomb accuracy must be between 0 and 1 (got %g)", t->path, t->line, d->coulomb_accuracy);
    MD_TRY(deck_check_range(t, 2, "coulomb accuracy", DECK_COUL_ACC_MIN, DECK_COUL_ACC_MAX, "", d->coulomb_accuracy));
    k = 3;
  }
  while (k < t->nwords) {
    if (strcmp(t->word[k], "lammps") == 0 && d->coulomb == MD_COUL_EWALD) {
      MD_TRY(model_parse_coulomb_lammps(t, k, &d->coulomb_lammps, &k));
      continue;
    }
    if (strcmp(t->word[k], "rcut") != 0) return deck_extra_word(t, k);
    MD_TRY(deck_get_real(t, k + 1, "rcut", usage, &d->coulomb_rcut));
    if (!(d->coulomb_rcut > 0.0)) return md_error(MD_ERR_VALUE, "%s:%d: rcut must be positive", t->path, t->line);
    MD_TRY(deck_check_range(t, k + 1, "coulomb rcut", DECK_COUL_RCUT_MIN, DECK_COUL_RCUT_MAX, "Å", d->coulomb_rcut));
    k += 2;
  }
  if (d->coulomb_lammps.on && !(d->coulomb_rcut > 0.0))
    return md_error(MD_ERR_VALUE, "%s:%d: coulomb ... lammps needs the real-space cutoff of LAMMPS's coul/long (add 'rcut R')", t->path,
                    t->line);
  return MD_OK;
}

static md_status parse_velocity(const textfile *t, md_deck *d) {
  const char *usage = "velocity T [seed S] [dist gaussian|uniform] [mom yes|no]";
  MD_TRY(deck_get_real(t, 1, "temperature", usage, &d->velocity_t));
  if (d->velocity_t < 0.0) return md_error(MD_ERR_VALUE, "%s:%d: velocity temperature must not be negative (got %g K)", t->path, t->line, d->velocity_t);
  MD_TRY(deck_check_range(t, 1, "velocity temperature", 0.0, DECK_T_MAX, "K", d->velocity_t));
  d->has_velocity = 1;
  for (int k = 2; k < t->nwords; k += 2) {
    const char *w = t->word[k];
    if (strcmp(w, "seed") == 0) {
      MD_TRY(deck_get_seed(t, k + 1, &d->seed));
      d->has_seed = 1;
    } else if (strcmp(w, "dist") == 0) {
      MD_TRY(deck_need(t, k + 1, usage));
      if (strcmp(t->word[k + 1], "gaussian") == 0) d->velocity_dist = DECK_DIST_GAUSSIAN;
      else if (strcmp(t->word[k + 1], "uniform") == 0) d->velocity_dist = DECK_DIST_UNIFORM;
      else return md_error(MD_ERR_PARSE, "%s:%d: dist must be gaussian or uniform, not '%s'", t->path, t->line, t->word[k + 1]);
    } else if (strcmp(w, "mom") == 0) {
      MD_TRY(get_yesno(t, k + 1, "mom", &d->velocity_mom));
    } else {
      return deck_extra_word(t, k);
    }
  }
  return MD_OK;
}

static md_status parse_ensemble(const textfile *t, md_deck *d) {
  const char *usage = "ensemble nve | ensemble nvt T DAMP [tstop T2] [chain M] [tloop L] [drag D]";
  MD_TRY(deck_need(t, 1, usage));
  if (strcmp(t->word[1], "nve") == 0) {
    d->ensemble = MD_ENS_NVE;
    if (t->nwords > 2) return deck_extra_word(t, 2);
    return MD_OK;
  }
  if (strcmp(t->word[1], "nvt") != 0)
    return md_error(MD_ERR_PARSE, "%s:%d: ensemble: unknown '%s' (usage: %s)", t->path, t->line, t->word[1], usage);
  d->ensemble = MD_ENS_NVT;
  if (t->nwords < 4)
    return md_error(MD_ERR_PARSE, "%s:%d: ensemble nvt needs a temperature and a damping time (usage: %s)", t->path, t->line, usage);
  MD_TRY(tf_real(t, 2, "temperature", &d->t_start));
  MD_TRY(tf_real(t, 3, "damping time", &d->t_damp));
  if (!(d->t_start > 0.0)) return md_error(MD_ERR_VALUE, "%s:%d: nvt temperature must be positive (got %g K)", t->path, t->line, d->t_start);
  if (!(d->t_damp > 0.0)) return md_error(MD_ERR_VALUE, "%s:%d: nvt damping time must be positive (got %g ps)", t->path, t->line, d->t_damp);
  MD_TRY(deck_check_range(t, 2, "nvt temperature", 0.0, DECK_T_MAX, "K", d->t_start));
  MD_TRY(deck_check_range(t, 3, "nvt damping time", 0.0, 1e6, "ps", d->t_damp));
  d->t_stop = d->t_start;
  for (int k = 4; k < t->nwords; k += 2) {
    const char *w = t->word[k];
    if (strcmp(w, "tstop") == 0) {
      MD_TRY(deck_get_real(t, k + 1, "tstop", usage, &d->t_stop));
      if (!(d->t_stop > 0.0)) return md_error(MD_ERR_VALUE, "%s:%d: tstop must be positive", t->path, t->line);
      MD_TRY(deck_check_range(t, k + 1, "tstop", 0.0, DECK_T_MAX, "K", d->t_stop));
    } else if (strcmp(w, "chain") == 0 || strcmp(w, "tloop") == 0) {
      long v;
      MD_TRY(deck_get_positive_long(t, k + 1, w, usage, &v));
      if (strcmp(w, "chain") == 0) {
        if (v > NHC_MAX_CHAIN) return md_error(MD_ERR_VALUE, "%s:%d: chain length at most %d", t->path, t->line, NHC_MAX_CHAIN);
        d->chain = (int)v;
      } else {
        if (v > 1000) return md_error(MD_ERR_VALUE, "%s:%d: tloop at most 1000", t->path, t->line);
        d->tloop = (int)v;
      }
    } else if (strcmp(w, "drag") == 0) {
      MD_TRY(deck_get_real(t, k + 1, "drag", usage, &d->drag));
      if (d->drag < 0.0) return md_error(MD_ERR_VALUE, "%s:%d: drag must not be negative", t->path, t->line);
      MD_TRY(deck_check_range(t, k + 1, "drag", 0.0, 1.0, "", d->drag));
    } else {
      return deck_extra_word(t, k);
    }
  }
  return MD_OK;
}

static md_status parse_dump(const textfile *t, md_deck *d) {
  const char *usage = "dump N FILE [species E ...] [format extxyz|lammps] [velocities yes|no] [precision P|full]";
  if (d->ndump >= DECK_MAX_DUMPS) return md_error(MD_ERR_VALUE, "%s:%d: at most %d dump lines", t->path, t->line, DECK_MAX_DUMPS);
  dump_spec *u = &d->dump[d->ndump];
  memset(u, 0, sizeof *u);
  MD_TRY(deck_get_positive_long(t, 1, "dump interval", usage, &u->every));
  MD_TRY(deck_out_name(t, 2, u->file, usage));
  u->format = format_from_name(u->file);
  u->line = t->line;
  for (int k = 3; k < t->nwords;) {
    const char *w = t->word[k];
    if (strcmp(w, "species") == 0) {
      k++;
      MD_TRY(deck_need(t, k, usage));
      while (k < t->nwords && strcmp(t->word[k], "format") != 0 && strcmp(t->word[k], "velocities") != 0 &&
             strcmp(t->word[k], "precision") != 0) {
        if (u->nspecies >= MD_MAX_ELEM || strlen(t->word[k]) >= MD_NAME_LEN)
          return md_error(MD_ERR_VALUE, "%s:%d: bad species list at '%s'", t->path, t->line, t->word[k]);
        snprintf(u->species[u->nspecies++], MD_NAME_LEN, "%s", t->word[k]);
        k++;
      }
    } else if (strcmp(w, "format") == 0) {
      MD_TRY(parse_format(t, k + 1, &u->format));
      k += 2;
    } else if (strcmp(w, "velocities") == 0) {
      MD_TRY(get_yesno(t, k + 1, "velocities", &u->velocities));
      k += 2;
    } else if (strcmp(w, "precision") == 0) {
      MD_TRY(deck_need(t, k + 1, usage));
      if (strcmp(t->word[k + 1], "full") == 0) {
        u->precision = -1;
      } else {
        long p;
        MD_TRY(deck_get_long(t, k + 1, "precision", usage, &p));
        if (p < 1 || p > 17) return md_error(MD_ERR_VALUE, "%s:%d: dump precision must be 1..17 digits or full", t->path, t->line);
        u->precision = (int)p;
      }
      k += 2;
    } else {
      return deck_extra_word(t, k);
    }
  }
  for (int j = 0; j < d->ndump; j++)
    if (strcmp(d->dump[j].file, u->file) == 0)
      return md_error(MD_ERR_VALUE, "%s:%d: dump file '%s' already used on line %d", t->path, t->line, u->file, d->dump[j].line);
  d->ndump++;
  return MD_OK;
}

static md_status parse_safety(const textfile *t, md_deck *d) {
  const char *usage = "safety [tmax T] [mindist D] [maxdisp D] [every N]";
  if (t->nwords < 2) return md_error(MD_ERR_PARSE, "%s:%d: safety: missing value (usage: %s)", t->path, t->line, usage);
  for (int k = 1; k < t->nwords; k += 2) {
    const char *w = t->word[k];
    real_t *dst = NULL;
    if (strcmp(w, "tmax") == 0) dst = &d->safety_tmax;
    else if (strcmp(w, "mindist") == 0) dst = &d->safety_mindist;
    else if (strcmp(w, "maxdisp") == 0) dst = &d->safety_maxdisp;
    else if (strcmp(w, "every") == 0) {
      long v;
      MD_TRY(deck_get_positive_long(t, k + 1, "every", usage, &v));
      d->safety_every = v > 1000000 ? 1000000 : (int)v;
      continue;
    } else return deck_extra_word(t, k);
    MD_TRY(deck_get_real(t, k + 1, w, usage, dst));
    if (*dst < 0.0) return md_error(MD_ERR_VALUE, "%s:%d: safety %s must not be negative (0 disables it)", t->path, t->line, w);
    MD_TRY(deck_check_range(t, k + 1, w, 0.0, dst == &d->safety_tmax ? DECK_T_MAX : 100.0,
                            dst == &d->safety_tmax ? "K" : "Å", *dst));
  }
  return MD_OK;
}

static md_status parse_line(textfile *t, md_deck *d, int *seen) {
  const char *w = t->word[0];
  int k;
  for (k = 0; k < NKEYWORDS; k++)
    if (strcmp(w, keywords[k]) == 0) break;
  if (k == NKEYWORDS) return unknown_keyword(t);
  if (strcmp(w, "dump") != 0) {
    if (seen[k]) return md_error(MD_ERR_PARSE, "%s:%d: '%s' given twice (first on line %d)", t->path, t->line, w, seen[k]);
    seen[k] = t->line;
  }
  if (strcmp(w, "structure") == 0) return parse_structure(t, d);
  if (strcmp(w, "model") == 0) {
    MD_TRY(deck_need(t, 1, "model FILE"));
    if (t->nwords > 2) return deck_extra_word(t, 2);
    return input_file(t, d, t->word[1], d->model, "model file");
  }
  if (strcmp(w, "coulomb") == 0) return parse_coulomb(t, d);
  if (strcmp(w, "neighbor") == 0) {
    MD_TRY(deck_get_real(t, 1, "skin", "neighbor SKIN (Å)", &d->skin));
    if (d->skin < 0.0) return md_error(MD_ERR_VALUE, "%s:%d: neighbor skin must not be negative (got %g Å)", t->path, t->line, d->skin);
    MD_TRY(deck_check_range(t, 1, "neighbor skin", 0.0, DECK_SKIN_MAX, "Å", d->skin));
    if (t->nwords > 2 && strcmp(t->word[2], "bin") != 0) return deck_extra_word(t, 2); /* LAMMPS habit: 'neighbor 1.0 bin' */
    return MD_OK;
  }
  if (strcmp(w, "timestep") == 0) {
    MD_TRY(deck_get_real(t, 1, "timestep", "timestep DT (ps)", &d->dt));
    if (!(d->dt > 0.0)) return md_error(MD_ERR_VALUE, "%s:%d: timestep must be positive (got %g ps)", t->path, t->line, d->dt);
    if (d->dt > 0.1) return md_error(MD_ERR_VALUE, "%s:%d: timestep %g ps is far too large (units are ps: 1 fs = 0.001)", t->path, t->line, d->dt);
    if (d->dt < DECK_DT_MIN)
      return md_error(MD_ERR_VALUE, "%s:%d: timestep %g ps is far too small (at least %g ps; units are ps: 1 fs = 0.001)", t->path,
                      t->line, d->dt, DECK_DT_MIN);
    if (t->nwords > 2) return deck_extra_word(t, 2);
    return MD_OK;
  }
  if (strcmp(w, "seed") == 0) {
    MD_TRY(deck_get_seed(t, 1, &d->seed));
    d->has_seed = 1;
    if (t->nwords > 2) return deck_extra_word(t, 2);
    return MD_OK;
  }
  if (strcmp(w, "velocity") == 0) return parse_velocity(t, d);
  if (strcmp(w, "ensemble") == 0) return parse_ensemble(t, d);
  if (strcmp(w, "thermo") == 0) {
    const char *usage = "thermo N [file NAME|none]";
    MD_TRY(deck_get_positive_long(t, 1, "thermo interval", usage, &d->thermo_every));
    for (int j = 2; j < t->nwords; j += 2) {
      if (strcmp(t->word[j], "file") != 0) return deck_extra_word(t, j);
      MD_TRY(deck_out_name(t, j + 1, d->thermo_file, usage));
      if (strcmp(d->thermo_file, "none") == 0) d->thermo_file[0] = '\0';
    }
    return MD_OK;
  }
  if (strcmp(w, "dump") == 0) return parse_dump(t, d);
  if (strcmp(w, "checkpoint") == 0) {
    const char *usage = "checkpoint N FILE";
    MD_TRY(deck_get_positive_long(t, 1, "checkpoint interval", usage, &d->checkpoint_every));
    MD_TRY(deck_out_name(t, 2, d->checkpoint_file, usage));
    if (t->nwords > 3) return deck_extra_word(t, 3);
    return MD_OK;
  }
  if (strcmp(w, "safety") == 0) return parse_safety(t, d);
  if (strcmp(w, "progress") == 0) {
    MD_TRY(deck_get_real(t, 1, "progress interval", "progress SECONDS", &d->progress_seconds));
    if (d->progress_seconds < 0.0) return md_error(MD_ERR_VALUE, "%s:%d: progress interval must not be negative", t->path, t->line);
    MD_TRY(deck_check_range(t, 1, "progress interval", 0.0, 1e7, "s", d->progress_seconds));
    if (t->nwords > 2) return deck_extra_word(t, 2);
    return MD_OK;
  }
  if (strcmp(w, "replicas") == 0) return deck_parse_replicas(t, d);
  if (strcmp(w, "diffusion") == 0) return deck_parse_diffusion(t, d);
  if (strcmp(w, "sweep") == 0) return deck_parse_sweep(t, d);
  if (strcmp(w, "sites") == 0 || strcmp(w, "density") == 0 || strcmp(w, "rdf") == 0 || strcmp(w, "spectra") == 0)
    return deck_parse_frame_analysis(t, d);
  if (strcmp(w, "equilibrate") == 0) {
    MD_TRY(deck_get_long(t, 1, "equilibration steps", "equilibrate STEPS", &d->equil_steps));
    MD_TRY(deck_check_range(t, 1, "equilibration steps", 0.0, (real_t)DECK_STEPS_MAX, "", (real_t)d->equil_steps));
    if (t->nwords > 2) return deck_extra_word(t, 2);
    d->equil_line = t->line;
    return MD_OK;
  }
  if (strcmp(w, "heatcap") == 0) {
    if (t->nwords > 1) return deck_extra_word(t, 1);
    d->has_heatcap = 1;
    d->heatcap_line = t->line;
    return MD_OK;
  }
  if (strcmp(w, "output") == 0) {
    MD_TRY(deck_out_name(t, 1, d->output_dir, "output DIR"));
    if (t->nwords > 2) return deck_extra_word(t, 2);
    return MD_OK;
  }
  /* run */
  MD_TRY(deck_get_long(t, 1, "number of steps", "run N", &d->nsteps));
  if (d->nsteps < 0) return md_error(MD_ERR_VALUE, "%s:%d: run length must not be negative (got %ld)", t->path, t->line, d->nsteps);
  if (d->nsteps > DECK_STEPS_MAX)
    return md_error(MD_ERR_VALUE, "%s:%d: run length %ld is beyond the largest supported run (%.0e steps)", t->path, t->line, d->nsteps,
                    (double)DECK_STEPS_MAX);
  if (t->nwords > 2) return deck_extra_word(t, 2);
  d->run_line = t->line;
  return MD_OK;
}

static void set_defaults(md_deck *d) {
  d->lattice_a = 3.65069;
  d->lattice_c = 3.888635;
  d->coulomb = -1;
  d->skin = 1.0;
  d->dt = 0.001;
  d->velocity_mom = 1;
  d->ensemble = MD_ENS_NVE;
  d->chain = 3;
  d->tloop = 1;
  d->thermo_every = 100;
  snprintf(d->thermo_file, sizeof d->thermo_file, "thermo.dat");
  d->safety_tmax = -1.0; /* the default rule */
  d->safety_mindist = 0.5;
  d->safety_maxdisp = 1.0;
  d->safety_every = 10;
  d->progress_seconds = 10.0;
  d->nsteps = -1;
  d->rep_only = -1;
  d->diff_block = 256;
  snprintf(d->diff_dir, sizeof d->diff_dir, "diffusion");
  snprintf(d->sites_species, sizeof d->sites_species, "Li");
  d->density_spacing = 0.1;
  d->rdf_bins = 200;
  d->spectra_window = 512;
  d->sweep_break = -2.0; /* not given: chosen in esnapmd sweep by the number of temperatures */
  d->sweep_at = 300.0;
}

static void resolve_out(const char *dir, const char *name, char *out) {
  char tmp[2 * MD_PATH_LEN];
  tf_join(dir[0] ? dir : ".", name, tmp, sizeof tmp);
  size_t n = strlen(tmp);
  if (n >= MD_PATH_LEN) n = MD_PATH_LEN - 1; /* names are limited to MD_PATH_LEN/2 when parsed */
  memcpy(out, tmp, n);
  out[n] = '\0';
}

md_status deck_set_output(md_deck *d, const char *dir) {
  if (strlen(dir) >= MD_PATH_LEN / 2) return md_error(MD_ERR_VALUE, "%s: output directory name too long", d->path);
  if (dir != d->output_dir) snprintf(d->output_dir, sizeof d->output_dir, "%s", dir);
  for (int k = 0; k < d->ndump; k++) resolve_out(d->output_dir, d->dump[k].file, d->dump[k].path);
  if (d->thermo_file[0]) resolve_out(d->output_dir, d->thermo_file, d->thermo_path);
  if (d->checkpoint_file[0]) resolve_out(d->output_dir, d->checkpoint_file, d->checkpoint_path);
  if (d->has_diffusion) resolve_out(d->output_dir, d->diff_dir, d->diff_path);
  return MD_OK;
}

md_status deck_read(md_deck *d, const char *path) {
  memset(d, 0, sizeof *d);
  set_defaults(d);
  snprintf(d->path, sizeof d->path, "%s", path);
  tf_dirname(path, d->dir, sizeof d->dir);
  textfile t;
  MD_TRY(tf_open(&t, path));
  int seen[NKEYWORDS];
  memset(seen, 0, sizeof seen);
  md_status st = MD_OK;
  md_status rs;
  while (tf_next(&t, &rs)) {
    st = parse_line(&t, d, seen);
    if (st != MD_OK) break;
  }
  if (st == MD_OK) st = rs;
  int lines = t.line;
  tf_close(&t);
  MD_TRY(st);

  if (d->run_line == 0) return md_error(MD_ERR_PARSE, "%s:%d: no 'run N' line: how many steps?", path, lines);
  if (d->structure == DECK_STRUCT_NONE)
    return md_error(MD_ERR_PARSE, "%s:%d: run without a structure (add 'structure li3n NX NY NZ' or 'structure read FILE')",
                    path, d->run_line);
  if (d->has_velocity && d->velocity_t > 0.0 && !d->has_seed && !d->has_rep_seed)
    return md_error(MD_ERR_PARSE, "%s:%d: velocity %g needs a random seed ('velocity %g seed 42', or a 'seed' line)", path,
                    seen[6], d->velocity_t, d->velocity_t);
  if (!d->model[0]) snprintf(d->model, sizeof d->model, "%s", model_default_path());
  MD_TRY(deck_set_output(d, d->output_dir));
  for (int k = 0; k < d->ndump; k++) {
    if (d->thermo_file[0] && strcmp(d->dump[k].path, d->thermo_path) == 0)
      return md_error(MD_ERR_VALUE, "%s:%d: dump file '%s' is also the thermo file", path, d->dump[k].line, d->dump[k].file);
    if (d->checkpoint_file[0] && strcmp(d->dump[k].path, d->checkpoint_path) == 0)
      return md_error(MD_ERR_VALUE, "%s:%d: dump file '%s' is also the checkpoint file", path, d->dump[k].line, d->dump[k].file);
  }
  if (d->checkpoint_file[0] && d->thermo_file[0] && strcmp(d->checkpoint_path, d->thermo_path) == 0)
    return md_error(MD_ERR_VALUE, "%s:%d: the checkpoint file is also the thermo file", path, seen[10]);
  if (d->nrep_temps > 0) {
    if (d->ensemble == MD_ENS_NVT && d->t_stop != d->t_start)
      return md_error(MD_ERR_VALUE, "%s:%d: replicas with their own temperatures cannot follow an nvt ramp (tstop)", path,
                      d->replicas_line);
    if (d->ensemble != MD_ENS_NVT && !d->has_velocity)
      return md_error(MD_ERR_VALUE, "%s:%d: replica temperatures need a velocity line or an nvt ensemble to apply to", path,
                      d->replicas_line);
  }
  if (d->equil_steps > d->nsteps)
    return md_error(MD_ERR_VALUE, "%s:%d: equilibration of %ld steps is longer than the run (%ld steps)", path, d->equil_line,
                    d->equil_steps, d->nsteps);
  if (d->has_heatcap && d->nrep_temps > 0)
    return md_error(MD_ERR_VALUE, "%s:%d: heatcap and per-replica temperatures (line %d) exclude each other: run the temperatures "
                    "with esnapmd sweep", path, d->heatcap_line, d->replicas_line);
  if (d->nsweep > 0 && d->ensemble == MD_ENS_NVT && d->t_stop != d->t_start)
    return md_error(MD_ERR_VALUE, "%s:%d: a temperature sweep cannot follow an nvt ramp (tstop)", path, d->sweep_line);
  if (d->nsweep > 0 && d->nrep_temps > 0)
    return md_error(MD_ERR_VALUE, "%s:%d: a temperature sweep and per-replica temperatures (line %d) exclude each other", path,
                    d->sweep_line, d->replicas_line);
  return MD_OK;
}

int deck_replicas(const md_deck *d) { return d->nrep > 0 ? d->nrep : 1; }

uint64_t deck_ensemble_seed(const md_deck *d) { return d->has_rep_seed ? d->rep_seed : d->has_seed ? d->seed : 0; }

real_t deck_replica_temperature(const md_deck *d, int k) {
  if (d->nrep_temps > 0) {
    int R = deck_replicas(d);
    return d->rep_temps[(int)((long long)k * d->nrep_temps / R)];
  }
  if (d->ensemble == MD_ENS_NVT) return d->t_start;
  if (d->has_velocity) return d->velocity_t;
  return 0.0;
}

void deck_backend_options(const md_deck *d, real_t t_ref, md_backend_options *o) {
  memset(o, 0, sizeof *o);
  md_integrator_params *p = &o->integ;
  p->ensemble = d->ensemble;
  p->dt = d->dt;
  p->t_start = d->t_start;
  p->t_stop = d->t_stop;
  p->ramp_begin = 0;
  p->ramp_end = d->nsteps;
  p->t_damp = d->t_damp;
  p->chain = d->chain;
  p->tloop = d->tloop;
  p->drag = d->drag;
  md_safety_params *s = &o->safety;
  if (d->safety_tmax >= 0.0) { /* given (0 disables) */
    s->t_max = d->safety_tmax;
  } else {
    real_t tr = fmin(t_ref, DECK_T_MAX); /* velocities read from a file count up to the deck's own limit */
    if (d->ensemble == MD_ENS_NVT) tr = fmax(tr, fmax(d->t_start, d->t_stop));
    s->t_max = fmax(10.0 * tr, 3000.0);
  }
  s->min_dist = d->safety_mindist;
  s->min_dist_every = d->safety_every;
  s->max_disp = d->safety_maxdisp;
  o->coulomb = d->coulomb;
  o->coulomb_accuracy = d->coulomb_accuracy;
  o->coulomb_rcut = d->coulomb_rcut;
  o->coulomb_lammps = d->coulomb_lammps;
  o->skin = d->skin;
}
