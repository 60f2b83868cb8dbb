/* vacf.c — VACF and power spectra from segments of velocities, zero-padded FFTs (see vacf.h). */
#include "vacf.h"

#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "constants.h"

#define VACF_CM1_PER_THZ 33.35640951981521 /* 1 THz in cm⁻¹ (1e12 / c, c in cm/s) */

struct vacf_acc {
  int n, ntypes, W;
  double dt;                 /* ps between samples */
  int *type;                 /* [n] */
  int64_t natoms[MD_MAX_ELEM];
  double mass[MD_MAX_ELEM];  /* g/mol */
  int fill;                  /* samples in the open segment */
  int64_t nseg;              /* complete segments */
  double *buf;               /* [3n * W] open segment, series-major (series 3i+c) */
  double *P;                 /* [ntypes * (W+1)] Σ |X_q|² */
  double *in;                /* [2W] FFT input */
  fftw_complex *out;         /* [W+1] */
  fftw_plan plan;
};

md_status vacf_acc_create(vacf_acc **out, int n, const int *type, int ntypes, const real_t *mass, int window, double dt_s) {
  *out = NULL;
  if (window < 2 || window > VACF_MAX_WINDOW) return md_error(MD_ERR_VALUE, "spectra: window %d samples (2..%d)", window, VACF_MAX_WINDOW);
  if (!(dt_s > 0)) return md_error(MD_ERR_VALUE, "spectra: sampling interval %g ps must be > 0", dt_s);
  if (n < 1 || ntypes < 1 || ntypes > MD_MAX_ELEM) return md_error(MD_ERR_VALUE, "spectra: %d atoms of %d types", n, ntypes);
  vacf_acc *a = (vacf_acc *)calloc(1, sizeof *a);
  if (!a) return md_error(MD_ERR_MEMORY, "out of memory");
  a->n = n;
  a->ntypes = ntypes;
  a->W = window;
  a->dt = dt_s;
  for (int t = 0; t < ntypes; t++) a->mass[t] = mass[t];
  a->type = (int *)malloc((size_t)n * sizeof *a->type);
  a->buf = (double *)calloc((size_t)3 * n * window, sizeof *a->buf);
  a->P = (double *)calloc((size_t)ntypes * (window + 1), sizeof *a->P);
  a->in = (double *)fftw_malloc((size_t)2 * window * sizeof *a->in);
  a->out = (fftw_complex *)fftw_malloc((size_t)(window + 1) * sizeof *a->out);
  if (!a->type || !a->buf || !a->P || !a->in || !a->out) {
    vacf_acc_destroy(&a);
    return md_error(MD_ERR_MEMORY, "out of memory (spectra: %d atoms x %d samples)", n, window);
  }
  for (int i = 0; i < n; i++) {
    if (type[i] < 0 || type[i] >= ntypes) {
      vacf_acc_destroy(&a);
      return md_error(MD_ERR_VALUE, "spectra: atom %d has type %d of %d", i + 1, type[i], ntypes);
    }
    a->type[i] = type[i];
    a->natoms[type[i]]++;
  }
#pragma omp critical(esnap_fftw_planner)
  a->plan = fftw_plan_dft_r2c_1d(2 * window, a->in, a->out, FFTW_ESTIMATE);
  if (!a->plan) {
    vacf_acc_destroy(&a);
    return md_error(MD_ERR_MEMORY, "spectra: FFTW plan of length %d failed", 2 * window);
  }
  *out = a;
  return MD_OK;
}

void vacf_acc_destroy(vacf_acc **pa) {
  if (!pa || !*pa) return;
  vacf_acc *a = *pa;
  if (a->plan) {
#pragma omp critical(esnap_fftw_planner)
    fftw_destroy_plan(a->plan);
  }
  free(a->type);
  free(a->buf);
  free(a->P);
  fftw_free(a->in);
  fftw_free(a->out);
  free(a);
  *pa = NULL;
}

int64_t vacf_acc_segments(const vacf_acc *a) { return a->nseg; }
int vacf_acc_window(const vacf_acc *a) { return a->W; }

static void close_segment(vacf_acc *a) {
  const int W = a->W;
  for (int j = 0; j < 3 * a->n; j++) {
    memcpy(a->in, a->buf + (size_t)j * W, (size_t)W * sizeof *a->in);
    memset(a->in + W, 0, (size_t)W * sizeof *a->in);
    fftw_execute_dft_r2c(a->plan, a->in, a->out);
    double *P = a->P + (size_t)a->type[j / 3] * (W + 1);
    for (int q = 0; q <= W; q++) P[q] += a->out[q][0] * a->out[q][0] + a->out[q][1] * a->out[q][1];
  }
  a->nseg++;
  a->fill = 0;
}

md_status vacf_acc_add(vacf_acc *a, const real_t *vx, const real_t *vy, const real_t *vz) {
  const int W = a->W;
  double *b = a->buf + a->fill;
  for (int i = 0; i < a->n; i++) {
    b[(size_t)(3 * i) * W] = vx[i];
    b[(size_t)(3 * i + 1) * W] = vy[i];
    b[(size_t)(3 * i + 2) * W] = vz[i];
  }
  if (++a->fill == W) close_segment(a);
  return MD_OK;
}

void vacf_acc_pack(const vacf_acc *a, binw *w) {
  binw_i32(w, a->n);
  binw_i32(w, a->ntypes);
  binw_i32(w, a->W);
  binw_f64(w, a->dt);
  binw_i32(w, a->fill);
  binw_i64(w, a->nseg);
  binw_put(w, a->P, (size_t)a->ntypes * (a->W + 1) * sizeof *a->P);
  for (int j = 0; j < 3 * a->n; j++) binw_put(w, a->buf + (size_t)j * a->W, (size_t)a->fill * sizeof *a->buf);
}

md_status vacf_acc_unpack(vacf_acc *a, binr *r, const char *where) {
  int n = binr_i32(r), nt = binr_i32(r), W = binr_i32(r);
  double dt = binr_f64(r);
  if (r->bad || n != a->n || nt != a->ntypes || W != a->W || dt != a->dt)
    return md_error(MD_ERR_VALUE, "%s: saved spectra state (%d atoms, window %d, every %g ps) does not match the run (%d, %d, %g)",
                    where, n, W, dt, a->n, a->W, a->dt);
  int fill = binr_i32(r);
  a->nseg = binr_i64(r);
  if (r->bad || fill < 0 || fill >= W) return md_error(MD_ERR_PARSE, "%s: bad spectra state", where);
  a->fill = fill;
  binr_get(r, a->P, (size_t)nt * (W + 1) * sizeof *a->P);
  for (int j = 0; j < 3 * n; j++) binr_get(r, a->buf + (size_t)j * W, (size_t)fill * sizeof *a->buf);
  if (r->bad) return md_error(MD_ERR_PARSE, "%s: truncated spectra state", where);
  return MD_OK;
}

md_status vacf_acc_merge(vacf_acc *dst, const vacf_acc *src) {
  if (dst->n != src->n || dst->ntypes != src->ntypes || dst->W != src->W || dst->dt != src->dt)
    return md_error(MD_ERR_INTERNAL, "spectra: merging different accumulators");
  for (size_t k = 0; k < (size_t)dst->ntypes * (dst->W + 1); k++) dst->P[k] += src->P[k];
  dst->nseg += src->nseg;
  return MD_OK;
}

md_status vacf_spectra(const vacf_acc *a, double *S) {
  const int W = a->W, nt = a->ntypes;
  double *c = (double *)malloc((size_t)W * sizeof *c);
  double *g = (double *)fftw_malloc((size_t)2 * W * sizeof *g);
  fftw_complex *G = (fftw_complex *)fftw_malloc((size_t)(W + 1) * sizeof *G);
  if (!c || !g || !G) {
    free(c);
    fftw_free(g);
    fftw_free(G);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  fftw_plan p;
#pragma omp critical(esnap_fftw_planner)
  p = fftw_plan_dft_r2c_1d(2 * W, g, G, FFTW_ESTIMATE);
  md_status st = MD_OK;
  memset(S, 0, (size_t)(nt + 1) * (W + 1) * sizeof *S);
  for (int t = 0; t < nt && st == MD_OK; t++) {
    st = vacf_correlation(a, t, c);
    /* mass-weighted total of the type (eV), Hann lag window, even extension over 2W lags */
    double scale = MD_MVV2E * a->mass[t] * (double)a->natoms[t];
    g[0] = scale * c[0];
    g[W] = 0.0;
    for (int tau = 1; tau < W; tau++) g[tau] = g[2 * W - tau] = scale * c[tau] * 0.5 * (1.0 + cos(MD_PI * tau / W));
    fftw_execute(p);
    for (int q = 0; q <= W; q++) {
      double v = (q == 0 || q == W ? 1.0 : 2.0) * a->dt * G[q][0];
      S[(size_t)t * (W + 1) + q] = v;
      S[(size_t)nt * (W + 1) + q] += v;
    }
  }
#pragma omp critical(esnap_fftw_planner)
  fftw_destroy_plan(p);
  free(c);
  fftw_free(g);
  fftw_free(G);
  return st;
}

md_status vacf_correlation(const vacf_acc *a, int t, double *c) {
  const int W = a->W;
  double *in = (double *)fftw_malloc((size_t)2 * W * sizeof *in);
  fftw_complex *sp = (fftw_complex *)fftw_malloc((size_t)(W + 1) * sizeof *sp);
  if (!in || !sp) {
    fftw_free(in);
    fftw_free(sp);
    return md_error(MD_ERR_MEMORY, "out of memory");
  }
  fftw_plan p;
#pragma omp critical(esnap_fftw_planner)
  p = fftw_plan_dft_c2r_1d(2 * W, sp, in, FFTW_ESTIMATE);
  for (int q = 0; q <= W; q++) {
    double v = 0;
    if (t == a->ntypes)
      for (int u = 0; u < a->ntypes; u++) v += MD_MVV2E * a->mass[u] * a->P[(size_t)u * (W + 1) + q];
    else
      v = a->P[(size_t)t * (W + 1) + q];
    sp[q][0] = v;
    sp[q][1] = 0.0;
  }
  fftw_execute(p);
  double norm = t == a->ntypes ? 1.0 : (double)a->natoms[t];
  for (int tau = 0; tau < W; tau++)
    c[tau] = a->nseg > 0 && norm > 0 ? in[tau] / (2.0 * W) / ((double)a->nseg * norm * (W - tau)) : 0.0;
#pragma omp critical(esnap_fftw_planner)
  fftw_destroy_plan(p);
  fftw_free(in);
  fftw_free(sp);
  return MD_OK;
}

static md_status write_spectrum(const char *path, const vacf_acc *a, const char (*elem)[MD_NAME_LEN], const char *inputs) {
  const int W = a->W, nt = a->ntypes;
  double *S = (double *)malloc((size_t)(nt + 1) * (W + 1) * sizeof *S);
  if (!S) return md_error(MD_ERR_MEMORY, "out of memory");
  md_status st = vacf_spectra(a, S);
  io_atomic f;
  if (st == MD_OK) st = io_atomic_open(&f, path);
  if (st != MD_OK) {
    free(S);
    return st;
  }
  double df = 1.0 / (2.0 * W * a->dt), integral = 0;
  for (int q = 0; q <= W; q++) integral += S[(size_t)nt * (W + 1) + q] * df;
  int64_t natoms = 0;
  for (int t = 0; t < nt; t++) natoms += a->natoms[t];
  fprintf(f.fp, "# esnapmd %s (%s) vibrational power spectra (mass-weighted VACF spectra): %s\n", ESNAP_VERSION, ESNAP_COMMIT,
          inputs ? inputs : "");
  fprintf(f.fp, "# %lld segments of %d samples every %g ps; S = Fourier transform of the VACF (all origins in each segment) "
          "times a Hann lag window; resolution %g THz, Nyquist %g THz\n", (long long)a->nseg, W, a->dt, 1.0 / (W * a->dt), 0.5 / a->dt);
  fprintf(f.fp, "# normalisation: S_E(f) = one-sided spectrum of MVV2E m_E sum_(i in E) <v_i(0).v_i(t)>, in eV/THz; sum over f of "
          "S_total * df = sum_i m_i <|v_i|^2> = 2<KE> = 3N k_B T by equipartition (N = %lld atoms; 3(N-1) k_B T with zero total "
          "momentum). Here: integral %.10g eV = %.10g K x 3N k_B\n", (long long)natoms, integral, integral / (3.0 * natoms * MD_BOLTZ));
  fprintf(f.fp, "# f_THz f_cm-1");
  for (int t = 0; t < nt; t++) fprintf(f.fp, " S_%s", elem[t]);
  fprintf(f.fp, " S_total\n");
  for (int q = 0; q <= W; q++) {
    fprintf(f.fp, "%.10g %.10g", q * df, q * df * VACF_CM1_PER_THZ);
    for (int t = 0; t <= nt; t++) fprintf(f.fp, " %.10g", S[(size_t)t * (W + 1) + q]);
    fprintf(f.fp, "\n");
  }
  free(S);
  if (ferror(f.fp)) {
    io_atomic_abort(&f);
    return md_error(MD_ERR_IO, "%s: write failed", path);
  }
  return io_atomic_commit(&f);
}

static md_status write_vacf(const char *path, const vacf_acc *a, const char (*elem)[MD_NAME_LEN], const char *inputs) {
  const int W = a->W, nt = a->ntypes;
  double *c = (double *)malloc((size_t)(nt + 1) * W * sizeof *c);
  if (!c) return md_error(MD_ERR_MEMORY, "out of memory");
  md_status st = MD_OK;
  for (int t = 0; t <= nt && st == MD_OK; t++) st = vacf_correlation(a, t, c + (size_t)t * W);
  io_atomic f;
  if (st == MD_OK) st = io_atomic_open(&f, path);
  if (st != MD_OK) {
    free(c);
    return st;
  }
  fprintf(f.fp, "# esnapmd %s (%s) velocity autocorrelation functions: %s\n", ESNAP_VERSION, ESNAP_COMMIT, inputs ? inputs : "");
  fprintf(f.fp, "# C_E(t) = <v_i(0).v_i(t)> per atom of element E (A^2/ps^2), averaged over all origins inside %lld segments of %d "
          "samples; Cn_E = C_E(t)/C_E(0); C_total = MVV2E sum_i m_i <v_i(0).v_i(t)> (eV); t in ps\n", (long long)a->nseg, W);
  fprintf(f.fp, "# t_ps");
  for (int t = 0; t < nt; t++) fprintf(f.fp, " C_%s", elem[t]);
  for (int t = 0; t < nt; t++) fprintf(f.fp, " Cn_%s", elem[t]);
  fprintf(f.fp, " C_total\n");
  for (int tau = 0; tau < W; tau++) {
    fprintf(f.fp, "%.10g", tau * a->dt);
    for (int t = 0; t < nt; t++) fprintf(f.fp, " %.10g", c[(size_t)t * W + tau]);
    for (int t = 0; t < nt; t++) fprintf(f.fp, " %.10g", c[(size_t)t * W] != 0 ? c[(size_t)t * W + tau] / c[(size_t)t * W] : 0.0);
    fprintf(f.fp, " %.10g\n", c[(size_t)nt * W + tau]);
  }
  free(c);
  if (ferror(f.fp)) {
    io_atomic_abort(&f);
    return md_error(MD_ERR_IO, "%s: write failed", path);
  }
  return io_atomic_commit(&f);
}

md_status vacf_write(const char *path_spectrum, const char *path_vacf, const vacf_acc *a, const char (*elem)[MD_NAME_LEN],
                     const char *inputs) {
  if (a->nseg < 1)
    return md_error(MD_ERR_VALUE, "spectra: no complete segment of %d samples (%d sampled): run longer or use a shorter window", a->W,
                    a->fill);
  MD_TRY(write_spectrum(path_spectrum, a, elem, inputs));
  return write_vacf(path_vacf, a, elem, inputs);
}
