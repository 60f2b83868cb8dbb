#!/usr/bin/env python3
"""Figures of a temperature sweep like those of the Li3N superionic study (matplotlib, PNG).

  plot_sweep.py OUT [-o FIGDIR]

OUT is the output directory of `esnapmd sweep` (report.json from `esnapmd report OUT`, T<T>K/ directories,
heatcap/cv.json, arrhenius/arrhenius.json). Writes into FIGDIR (default OUT/figures) whichever figures the data
allow, and says which it skipped:
  cv.png         Cv(T) by central differences and by fluctuations (k_B per atom), Ts and its bounding step shaded
  diffusion.png  D* xyz, xy, z against 1000/T with the one- and two-regime Arrhenius fits (both regimes)
  defects.png    vacant fractions of Li(1), Li(2) and all Li sites against 1000/T with the eq. 8 fits
  density.png    the density slices of each temperature (T<T>K/density/*.png) side by side
  rdf.png        g(r) Li-Li, Li-N, N-N for every temperature (T<T>K/rdf/rdf.dat)
  spectra.png    stacked total power spectra (T<T>K/spectra/spectrum.dat, last column)
Melted temperatures (host sublattice mobile) are drawn as open symbols.
"""
import argparse
import glob
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

COMP = [("D_tracer_xyz", "xyz", "black"), ("D_tracer_xy", "xy (⊥c)", "tab:blue"), ("D_tracer_z", "z (∥c)", "tab:red")]
SITES = [("Li1", "Li(1)", "tab:orange"), ("Li2", "Li(2)", "tab:green"), ("Li", "all Li", "black")]


def load(path):
    with open(path) as f:
        return json.load(f)


def val(d, key):
    v = d.get(key)
    if isinstance(v, dict):
        return v.get("value", v.get("mean")), v.get("stderr")
    return v, None


def fnum(x):
    return float("nan") if x is None else float(x)


def save(fig, figdir, name, dpi=120):
    fig.tight_layout()
    fig.savefig(os.path.join(figdir, name), dpi=dpi)
    plt.close(fig)


def arrhenius_axes(ax, ylabel, title):
    """log y against 1000/T, legend and title"""
    ax.set_yscale("log")
    ax.set_xlabel("1000/T (1/K)")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)
    ax.set_title(title)


def plot_cv(out, figdir):
    p = os.path.join(out, "heatcap", "cv.json")
    if not os.path.exists(p):
        return "no heatcap/cv.json"
    cv = load(p)
    pts = cv["points"]
    T = np.array([q["temperature_K"] for q in pts])
    cd = np.array([fnum(q["Cv_diff_kB_per_atom"]["value"]) for q in pts])
    cde = np.array([fnum(q["Cv_diff_kB_per_atom"]["stderr"]) for q in pts])
    cf = np.array([fnum(q["Cv_fluct_kB_per_atom"]["value"]) for q in pts])
    cfe = np.array([fnum(q["Cv_fluct_kB_per_atom"]["stderr"]) for q in pts])
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.errorbar(T, cd, yerr=cde, fmt="o-", color="black", capsize=3, label="central differences of ⟨E⟩")
    ax.errorbar(T, cf, yerr=cfe, fmt="s--", color="tab:gray", capsize=3, mfc="none", label="Var(E)/(k_B T²)")
    ts = cv.get("Ts", {})
    if ts.get("value_K") is not None:
        ax.axvspan(ts["low_K"], ts["high_K"], color="tab:orange", alpha=0.2)
        ax.axvline(ts["value_K"], color="tab:orange", label="Ts = %g K (%g–%g K)" % (ts["value_K"], ts["low_K"], ts["high_K"]))
    ax.set_xlabel("T (K)")
    ax.set_ylabel("C_V (k_B per atom)")
    ax.legend(fontsize=8)
    ax.set_title("heat capacity (%d atoms)" % cv.get("n_atoms", 0))
    save(fig, figdir, "cv.png")
    return None


def fit_line(ax, fit, color, style, label):
    ea, d0 = fnum(fit["Ea_eV"]["value"]), fnum(fit["prefactor_cm2_s"]["value"])
    t0, t1 = [fnum(x) for x in fit["T_range_K"]]
    if not all(math.isfinite(x) for x in (ea, d0, t0, t1)):
        return
    T = np.linspace(t0, t1, 20)
    ax.plot(1000 / T, d0 * np.exp(-ea / (8.617343e-5 * T)), style, color=color, lw=1,
            label="%s Ea = %.3f eV" % (label, ea))


def plot_diffusion(rep, out, figdir):
    pts = [q for q in rep["per_temperature"] if "D_tracer_xyz" in q]
    if not pts:
        return "no diffusion summaries"
    arr_path = os.path.join(out, "arrhenius", "arrhenius.json")
    arr = load(arr_path) if os.path.exists(arr_path) else None
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for key, lab, col in COMP:
        for q in pts:
            v, e = val(q, key)
            if v is None or not v > 0:
                continue
            ax.errorbar(1000 / q["temperature_K"], v, yerr=e, fmt="o", color=col, capsize=2,
                        mfc="none" if q.get("melted") else col)
        ax.plot([], [], "o", color=col, label=lab)
        if arr:
            if "two_regime" in arr:
                fit_line(ax, arr["two_regime"]["normal"][key], col, "-", "  normal")
                fit_line(ax, arr["two_regime"]["superionic"][key], col, "--", "  superionic")
            else:
                fit_line(ax, arr["single"][key], col, "-", "  one regime")
    if arr and "two_regime" in arr and arr["two_regime"].get("break_K"):
        ax.axvline(1000 / arr["two_regime"]["break_K"], color="tab:gray", ls=":", lw=1)
    arrhenius_axes(ax, "D* (cm²/s)", "Li tracer diffusion (open: melted)")
    save(fig, figdir, "diffusion.png")
    return None


def plot_defects(rep, figdir):
    pts = [q for q in rep["per_temperature"] if "vacant_fraction" in q]
    if not pts:
        return "no sites/summary.json"
    fits = rep.get("defect_fits", {})
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for key, lab, col in SITES:
        xs, ys, es, open_ = [], [], [], []
        for q in pts:
            v, e = val(q["vacant_fraction"], key)
            if v is None or not v > 0:
                continue
            xs.append(1000 / q["temperature_K"]), ys.append(v), es.append(e or 0), open_.append(q.get("melted", False))
        for x, y, e, o in zip(xs, ys, es, open_):
            ax.errorbar(x, y, yerr=e, fmt="o", color=col, capsize=2, mfc="none" if o else col)
        f = fits.get(key, {})
        for reg, style in (("normal", "-"), ("superionic", "--"), ("single", ":")):
            if reg == "single" and "normal" in f and f["normal"]["n_points"]:
                continue
            g = f.get(reg)
            if not g or not g["n_points"]:
                continue
            ef, a = fnum(g["E_f_eV"]["value"]), fnum(g["prefactor"]["value"])
            t0, t1 = [fnum(x) for x in g["T_range_K"]]
            T = np.linspace(t0, t1, 20)
            ax.plot(1000 / T, a * np.exp(-ef / (2 * 8.617343e-5 * T)), style, color=col, lw=1,
                    label="%s %s E_f = %.2f eV" % (lab, reg, ef))
        ax.plot([], [], "o", color=col, label=lab)
    arrhenius_axes(ax, "vacant fraction", "Li vacancies: [V] = [Li] exp(-E_f / 2k_BT)")
    save(fig, figdir, "defects.png")
    return None


def plot_density(rep, figdir):
    rows = []
    for q in rep["per_temperature"]:
        pngs = sorted(glob.glob(os.path.join(q["dir"], "density", "*.png")))
        if pngs:
            rows.append((q["temperature_K"], pngs))
    if not rows:
        return "no density/*.png"
    ncol = max(len(p) for _, p in rows)
    fig, axes = plt.subplots(len(rows), ncol, figsize=(3 * ncol, 3 * len(rows)), squeeze=False)
    for r, (T, pngs) in enumerate(rows):
        for c in range(ncol):
            ax = axes[r][c]
            ax.axis("off")
            if c < len(pngs):
                ax.imshow(plt.imread(pngs[c]))
                ax.set_title("%g K: %s" % (T, os.path.splitext(os.path.basename(pngs[c]))[0]), fontsize=8)
    save(fig, figdir, "density.png", dpi=100)
    return None


def table(path):
    return np.loadtxt(path, comments="#", ndmin=2)


def per_temperature_tables(rep, rel):
    """[(T, table of T<T>K/rel)] for the temperatures that have the file"""
    out = []
    for q in rep["per_temperature"]:
        p = os.path.join(q["dir"], rel)
        if os.path.exists(p):
            out.append((q["temperature_K"], table(p)))
    return out


def plot_rdf(rep, figdir):
    data = per_temperature_tables(rep, os.path.join("rdf", "rdf.dat"))
    if not data:
        return "no rdf/rdf.dat"
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=False)
    cmap = plt.get_cmap("coolwarm")
    for k, name in enumerate(["Li–Li", "Li–N", "N–N"]):
        ax = axes[k]
        for i, (T, d) in enumerate(data):
            ax.plot(d[:, 0], d[:, 1 + k], color=cmap(i / max(1, len(data) - 1)), lw=1, label="%g K" % T)
        ax.set_xlabel("r (Å)")
        ax.set_title("g(r) " + name)
    axes[0].set_ylabel("g(r)")
    axes[2].legend(fontsize=7)
    save(fig, figdir, "rdf.png")
    return None


def plot_spectra(rep, figdir):
    data = per_temperature_tables(rep, os.path.join("spectra", "spectrum.dat"))
    if not data:
        return "no spectra/spectrum.dat"
    fig, ax = plt.subplots(figsize=(6, 1.2 + 0.6 * len(data)))
    for i, (T, d) in enumerate(data):
        y = d[:, -1]
        top = np.max(y) if np.max(y) > 0 else 1.0
        ax.plot(d[:, 0], i + 0.9 * y / top, color="black", lw=0.8)
        ax.text(d[-1, 0], i + 0.2, "%g K" % T, ha="right", fontsize=7)
    ax.set_yticks([])
    ax.set_xlabel("frequency (THz)")
    ax.set_title("power spectra (total, each scaled to its maximum)")
    save(fig, figdir, "spectra.png")
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="output directory of esnapmd sweep (with report.json)")
    ap.add_argument("-o", "--figdir", help="figure directory (default OUT/figures)")
    a = ap.parse_args()
    rp = os.path.join(a.out, "report.json")
    if not os.path.exists(rp):
        sys.exit("plot_sweep.py: %s: no report.json (run esnapmd report %s)" % (a.out, a.out))
    rep = load(rp)
    figdir = a.figdir or os.path.join(a.out, "figures")
    os.makedirs(figdir, exist_ok=True)
    for name, why in (("cv.png", plot_cv(a.out, figdir)), ("diffusion.png", plot_diffusion(rep, a.out, figdir)),
                      ("defects.png", plot_defects(rep, figdir)), ("density.png", plot_density(rep, figdir)),
                      ("rdf.png", plot_rdf(rep, figdir)), ("spectra.png", plot_spectra(rep, figdir))):
        print("%s: %s" % (name, "skipped (%s)" % why if why else "written to " + os.path.join(figdir, name)))


if __name__ == "__main__":
    main()
