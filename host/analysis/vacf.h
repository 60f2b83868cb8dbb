/* vacf.h — velocity autocorrelation functions and vibrational power spectra per element type, in fixed memory.
 *
 * Velocities are sampled every dt_s (ps) and cut into consecutive, non-overlapping segments of W samples. Each
 * segment of each atom and Cartesian component, zero-padded to 2W, is Fourier transformed (FFTW, r2c) and
 * |X_q|² is summed per element type: P_t(q), q = 0..W. Only complete segments count; the partial one is kept
 * (and checkpointed) until it is full.
 *  - VACF: the inverse transform of P_t gives, exactly (zero padding: no wrap-around), Σ_seg Σ_i Σ_{t} v_i(t)·v_i(t+τ)
 *    for τ = 0..W-1 with W−τ origins per segment, so C_t(τ) = that / (nseg · N_t · (W−τ)) = <v(0)·v(τ)> per atom
 *    (Å²/ps²) over all origins inside segments.
 *  - Spectrum (Blackman–Tukey): the Fourier transform of the mass-weighted VACF of each type, c_t(τ) =
 *    MVV2E m_t Σ_{i of type t} <v_i(0)·v_i(τ)> (eV), times a Hann lag window w(τ) = (1 + cos(πτ/W))/2, on the grid
 *    f_q = q/(2W dt_s), q = 0..W (THz = 1/ps; resolution 1/(W dt_s), Nyquist 1/(2 dt_s)), one-sided:
 *      S_t(f_q) = w_q dt_s Σ_{|τ|<W} w(τ) c_t(τ) cos(2π q τ/(2W)),  w_0 = w_W = 1, else 2,
 *    so that Σ_q S_t(f_q) Δf = c_t(0) = MVV2E Σ_{i of type t} m_i <|v_i|²> exactly (w(0) = 1): the spectrum summed
 *    over types integrates to 2<KE> = 3N k_B T by equipartition (3(N−1) k_B T when the total
 *    momentum is zero). Units: eV/THz; the integral in eV. */
#ifndef ESNAP_VACF_H
#define ESNAP_VACF_H

#include <stdint.h>

#include "binbuf.h"
#include "status.h"
#include "types.h"

MD_EXTERN_C_BEGIN

#define VACF_MAX_WINDOW 65536

typedef struct vacf_acc vacf_acc;

/* n atoms with types type[i] < ntypes (copied), masses mass[t] (g/mol), window W samples (2 ≤ W ≤ VACF_MAX_WINDOW),
 * dt_s ps between samples. */
md_status vacf_acc_create(vacf_acc **out, int n, const int *type, int ntypes, const real_t *mass, int window, double dt_s);
void vacf_acc_destroy(vacf_acc **a);
/* One sample: velocities (Å/ps) of the n atoms. */
md_status vacf_acc_add(vacf_acc *a, const real_t *vx, const real_t *vy, const real_t *vz);
int64_t vacf_acc_segments(const vacf_acc *a);
int vacf_acc_window(const vacf_acc *a);
void vacf_acc_pack(const vacf_acc *a, binw *w);
md_status vacf_acc_unpack(vacf_acc *a, binr *r, const char *where);
/* dst += src (complete segments only; dst's partial segment stays). */
md_status vacf_acc_merge(vacf_acc *dst, const vacf_acc *src);
/* Spectra S[t (W+1) + q] = S_t(f_q), q = 0..W (eV/THz), for t < ntypes and, at t = ntypes, their sum. */
md_status vacf_spectra(const vacf_acc *a, double *S);
/* c[τ] = C_t(τ) (Å²/ps² per atom), τ = 0..W-1 samples; t = ntypes: the mass-weighted total
 * MVV2E Σ_i m_i <v_i(0)·v_i(τ)> (eV). */
md_status vacf_correlation(const vacf_acc *a, int t, double *c);
/* path_spectrum (f_THz, f_cm-1, S per type, S_total) and path_vacf (t_ps, C per type, normalised C per type,
 * C_total); elem names the types; inputs for the headers. */
md_status vacf_write(const char *path_spectrum, const char *path_vacf, const vacf_acc *a, const char (*elem)[MD_NAME_LEN],
                     const char *inputs);

MD_EXTERN_C_END

#endif
