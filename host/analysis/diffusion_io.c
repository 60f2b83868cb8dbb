/* diffusion_io.c — writers of the diffusion analysis: MSD files, summary.json, the human table. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diffusion.h"
#include "json_out.h"
#include "strbuf.h"

static const char *comp_name[3] = {"xyz", "xy", "z"};

md_status diffusion_write_msd(const char *path, const msd_accum *const *accs, int nacc, double interval,
                              const char *species, const char *what) {
  const msd_accum *a0 = accs[0];
  int n = msd_n(a0), nslots = msd_nslots(a0);
  int64_t ntraj = 0;
  for (int u = 0; u < nacc; u++) ntraj += msd_trajectories(accs[u]);
  strbuf b;
  strbuf_init(&b);
  strbuf_printf(&b, "# esnapmd %s (commit %s): mean square displacement of %s (%d ions), %s\n", ESNAP_VERSION,
                ESNAP_COMMIT, species, n, what);
  strbuf_printf(&b, "# units: lag time ps, MSD Å^2. tracer = <|Δr_i|^2> (mean over ions and time origins); "
                    "charge = <|Σ_i Δr_i|^2>/N (mean over time origins), Deng et al. 2019 eq. 13-14\n");
  strbuf_printf(&b, "# components: xy = Δx^2+Δy^2 (⊥c, d = 2), z = Δz^2 (∥c, d = 1), xyz = |Δr|^2 (d = 3); D = slope/(2d)\n");
  strbuf_printf(&b, "# frames every %.10g ps; order-n blocking with block B = %d: lags j·B^k frames (j = 1..B-1), "
                    "level-k origins = every B^k-th frame\n", interval, msd_block(a0));
  strbuf_printf(&b, "# count = time origins summed over the %lld trajectory(ies) pooled here\n", (long long)ntraj);
  strbuf_printf(&b, "# columns: lag_ps count tracer_xy tracer_z tracer_xyz charge_xy charge_z charge_xyz\n");
  for (int s = 0; s < nslots; s++) {
    int64_t lag = msd_slot_lag(a0, s);
    if (lag <= 0) continue;
    double S[MSD_NSUM] = {0, 0, 0, 0, 0, 0};
    int64_t C = 0;
    for (int u = 0; u < nacc; u++) {
      C += msd_counts(accs[u])[s];
      for (int q = 0; q < MSD_NSUM; q++) S[q] += msd_sums(accs[u])[(size_t)s * MSD_NSUM + q];
    }
    if (C == 0) continue;
    double f = 1.0 / ((double)C * n);
    strbuf_printf(&b, "%.10g %lld %.10e %.10e %.10e %.10e %.10e %.10e\n", (double)lag * interval, (long long)C,
                  (S[0] + S[1]) * f, S[2] * f, (S[0] + S[1] + S[2]) * f, (S[3] + S[4]) * f, S[5] * f,
                  (S[3] + S[4] + S[5]) * f);
  }
  if (b.failed) {
    strbuf_free(&b);
    return md_error(MD_ERR_MEMORY, "%s: out of memory", path);
  }
  md_status st = write_file_atomic(path, b.data, b.len);
  strbuf_free(&b);
  return st;
}

/* "PREFIX_xyz", "PREFIX_xy", "PREFIX_z": {"value": v, "stderr": e} */
static void json_components(json_writer *w, const char *prefix, const diff_value v[3]) {
  char key[64];
  for (int q = 0; q < 3; q++) {
    snprintf(key, sizeof key, "%s_%s", prefix, comp_name[q]);
    json_value_err(w, key, v[q].value, v[q].err);
  }
}

md_status diffusion_write_summary(const char *path, const diff_results *r, const char *inputs) {
  json_writer w;
  json_init(&w);
  json_components(&w, "D_tracer", r->d_tracer);
  json_components(&w, "D_charge", r->d_charge);
  json_components(&w, "haven_ratio", r->haven);
  json_components(&w, "conductivity", r->sigma);
  json_components(&w, "conductivity_from_tracer", r->sigma_tracer);
  json_number(&w, "temperature", r->temperature);
  json_int(&w, "n_replicas", r->n_replicas);
  json_array(&w, "fit_window_ps");
  json_number(&w, NULL, r->fit_t0);
  json_number(&w, NULL, r->fit_t1);
  json_end_array(&w);
  json_int(&w, "n_fit_points", r->n_fit_points);
  json_string(&w, "species", r->species);
  json_int(&w, "n_ions", r->n_ions);
  json_number(&w, "volume", r->volume);
  json_number(&w, "molar_density", r->molar_density);
  json_number(&w, "frame_interval_ps", r->interval);
  json_number(&w, "run_length_ps", r->run_length);
  json_object(&w, "uncertainty");
  json_string(&w, "method", r->method);
  json_int(&w, "resampled_units", r->n_pseudo);
  json_int(&w, "bootstrap_resamples", r->nboot);
  json_int(&w, "bootstrap_valid", r->nboot_ok);
  json_int(&w, "seed", (long long)r->seed);
  json_end_object(&w);
  json_object(&w, "units");
  json_string(&w, "D", "cm^2/s");
  json_string(&w, "conductivity", "mS/cm");
  json_string(&w, "temperature", "K");
  json_string(&w, "volume", "Angstrom^3 (mean cell volume)");
  json_string(&w, "molar_density", "mol/cm^3 of the species");
  json_string(&w, "time", "ps");
  json_end_object(&w);
  json_string(&w, "definition",
              "D = slope/(2d) of the MSD (Deng et al. 2019 eq. 13 tracer, eq. 14 charge, as written), d = 3 (xyz), 2 (xy, "
              "perpendicular to c), 1 (z, parallel to c); sigma = rho z^2 F^2 D_charge/(R T), z = 1 (eq. 15); "
              "haven_ratio = D_tracer/D_charge; straight-line least squares over every lag in fit_window_ps");
  json_string(&w, "inputs", inputs ? inputs : "");
  json_string(&w, "program", "esnapmd");
  json_string(&w, "version", ESNAP_VERSION);
  json_string(&w, "commit", ESNAP_COMMIT);
  md_status st = json_write(&w, path);
  json_free(&w);
  return st;
}

static void fmt_ve(char *out, size_t n, diff_value v, const char *f) {
  char a[32], b[32];
  snprintf(a, sizeof a, f, v.value);
  if (isfinite(v.err)) snprintf(b, sizeof b, f, v.err);
  else snprintf(b, sizeof b, "%s", "?");
  snprintf(out, n, "%s ± %s", a, b);
}

void diffusion_print_table(FILE *fp, const diff_results *r) {
  fprintf(fp, "%s diffusion: %d ions, T = %g K, %d replica(s), run %g ps (frames every %g ps), volume %.6g Å^3\n",
          r->species, r->n_ions, r->temperature, r->n_replicas, r->run_length, r->interval, r->volume);
  fprintf(fp, "fit window %g-%g ps (%d lag points); uncertainty: %s", r->fit_t0, r->fit_t1, r->n_fit_points, r->method);
  if (r->n_pseudo >= 2) fprintf(fp, " (%d resamples, seed %llu)", r->nboot, (unsigned long long)r->seed);
  fprintf(fp, "\n");
  if (r->n_pseudo >= 2 && r->n_pseudo < 5)
    fprintf(fp, "note: only %d units to resample: the stderr is itself uncertain by about %.0f %%\n", r->n_pseudo,
            100.0 / sqrt(2.0 * (r->n_pseudo - 1)));
  fprintf(fp, "%-10s %-24s %-24s %-18s %-22s %-22s\n", "component", "D* (cm^2/s)", "D_sigma (cm^2/s)", "H_R",
          "sigma (mS/cm)", "sigma from D* (mS/cm)");
  static const char *label[3] = {"xyz", "xy (⊥c)", "z (∥c)"};
  for (int q = 0; q < 3; q++) {
    char a[80], b[80], c[80], d[80], e[80];
    fmt_ve(a, sizeof a, r->d_tracer[q], "%.3e");
    fmt_ve(b, sizeof b, r->d_charge[q], "%.3e");
    fmt_ve(c, sizeof c, r->haven[q], "%.3f");
    fmt_ve(d, sizeof d, r->sigma[q], "%.4g");
    fmt_ve(e, sizeof e, r->sigma_tracer[q], "%.4g");
    fprintf(fp, "%-*s %-24s %-24s %-18s %-22s %-22s\n", 10 + (q ? 2 : 0), label[q], a, b, c, d, e);
  }
  fprintf(fp, "D = slope/(2d), d = 3, 2, 1 (Deng et al. 2019 eq. 13-14 as written). That paper's quoted D* at 1000-1200 K\n"
              "are 2d = 6 times this definition (as if 1/(2d) were not applied): multiply by 2d to compare with them.\n");
}

md_status diffusion_write(const char *dir, diffusion_tracker *const *reps, int nrep, const diff_report_options *o,
                          diff_results *res) {
  diff_results local;
  if (!res) res = &local;
  MD_TRY(diffusion_estimate(reps, nrep, o, res));
  MD_TRY(make_dirs(dir));
  char path[4096], what[128];
  const msd_accum **accs = (const msd_accum **)malloc((size_t)nrep * sizeof *accs);
  if (!accs) return md_error(MD_ERR_MEMORY, "out of memory");
  md_status st = MD_OK;
  for (int r = 0; r < nrep && st == MD_OK; r++) {
    accs[r] = diffusion_tracker_msd(reps[r]);
    snprintf(path, sizeof path, "%s/msd_replica_%d.dat", dir, r);
    snprintf(what, sizeof what, "replica %d of %d", r, nrep);
    st = diffusion_write_msd(path, &accs[r], 1, res->interval, res->species, what);
  }
  if (st == MD_OK) {
    snprintf(path, sizeof path, "%s/msd_pooled.dat", dir);
    snprintf(what, sizeof what, "pooled over %d replica(s)", nrep);
    st = diffusion_write_msd(path, accs, nrep, res->interval, res->species, what);
  }
  free(accs);
  if (st == MD_OK) {
    snprintf(path, sizeof path, "%s/summary.json", dir);
    st = diffusion_write_summary(path, res, o->inputs);
  }
  if (st == MD_OK && !o->quiet) diffusion_print_table(stdout, res);
  return st;
}
