#!/usr/bin/env python3
"""Plots of esnapmd diffusion analyses (matplotlib, PNG).

  plot_diffusion.py msd DIR [-o msd.png]             tracer and charge MSD per component (DIR/msd_pooled.dat,
                                                     replicas faint), fit window shaded (DIR/summary.json)
  plot_diffusion.py arrhenius ARRDIR [-o arr.png]    D vs 1000/T with one- and two-regime fits and Ea labels
                                                     (ARRDIR/arrhenius.json from `esnapmd arrhenius`)
  plot_diffusion.py haven DIR... [-o haven.png]      Haven ratio vs T from analysis directories (summary.json)
"""
import argparse
import glob
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

COMP = ["xy", "z", "xyz"]
LABEL = {"xy": "xy (⊥c)", "z": "z (∥c)", "xyz": "xyz"}
COLOR = {"xy": "tab:blue", "z": "tab:red", "xyz": "black"}


MIN_ORIGINS = 10  # lags averaged over fewer time origins (the tail of the last level) are not drawn


def read_msd(path):
    """columns: lag_ps count tracer_xy tracer_z tracer_xyz charge_xy charge_z charge_xyz"""
    d = np.loadtxt(path, comments="#", ndmin=2)
    d = d[d[:, 1] >= MIN_ORIGINS]
    return d[:, 0], {c: d[:, 2 + k] for k, c in enumerate(COMP)}, {c: d[:, 5 + k] for k, c in enumerate(COMP)}


def plot_msd(args):
    d = args.dirs[0]
    t, tr, ch = read_msd(os.path.join(d, "msd_pooled.dat"))
    reps = sorted(glob.glob(os.path.join(d, "msd_replica_*.dat")))
    s = None
    if os.path.exists(os.path.join(d, "summary.json")):
        with open(os.path.join(d, "summary.json")) as f:
            s = json.load(f)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, data, name, key in ((axes[0], tr, "tracer  <|Δr_i|²>", 2), (axes[1], ch, "charge  <|Σ_i Δr_i|²>/N", 5)):
        if len(reps) > 1:
            for r in reps[:20]:
                rr = np.loadtxt(r, comments="#", ndmin=2)
                rr = rr[rr[:, 1] >= MIN_ORIGINS]
                for k, c in enumerate(COMP):
                    ax.plot(rr[:, 0], rr[:, key + k], color=COLOR[c], alpha=0.12, lw=0.7)
        for c in COMP:
            lab = LABEL[c]
            if s:
                q = "D_tracer_" if key == 2 else "D_charge_"
                v, e = s[q + c]["value"], s[q + c]["stderr"]
                lab += f"  D = {v:.3g}" + (f" ± {e:.2g}" if e is not None else "") + " cm²/s"
            ax.plot(t, data[c], color=COLOR[c], lw=1.6, label=lab)
        if s:
            t0, t1 = s["fit_window_ps"]
            ax.axvspan(t0, t1, color="0.9", zorder=0, label=f"fit window {t0:g}-{t1:g} ps")
        ax.set_xlabel(f"lag time (ps)   (lags with ≥ {MIN_ORIGINS} origins)")
        ax.set_ylabel("MSD (Å²)")
        ax.set_title(name)
        ax.legend(fontsize=8, loc="upper left")
    title = os.path.basename(os.path.normpath(d))
    if s:
        title = (f"{s['species']}, {s['n_ions']} ions, T = {s['temperature']:g} K, {s['n_replicas']} replica(s)"
                 f" — D = slope/(2d)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    out = args.output or os.path.join(d, "msd.png")
    fig.savefig(out, dpi=120)
    print("wrote", out)


def plot_arrhenius(args):
    d = args.dirs[0]
    with open(os.path.join(d, "arrhenius.json") if os.path.isdir(d) else d) as f:
        a = json.load(f)
    T = np.array(a["temperatures_K"])
    x = 1000.0 / T
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True)
    two = a.get("two_regime")
    for ax, kind in ((axes[0], "tracer"), (axes[1], "charge")):
        for c in COMP:
            q = f"D_{kind}_{c}"
            pts = a["points"][q]
            v = np.array([p["value"] for p in pts])
            e = np.array([p["stderr"] if p["stderr"] is not None else 0.0 for p in pts])
            ax.errorbar(x, v, yerr=e, fmt="o", ms=4, color=COLOR[c], label=LABEL[c], capsize=2)
            xx = np.linspace(x.min() * 0.97, x.max() * 1.03, 50)
            f1 = a["single"][q]
            ea, d0 = f1["Ea_eV"]["value"], f1["prefactor_cm2_s"]["value"]
            kB = 8.617343e-5
            ax.plot(xx, d0 * np.exp(-ea * xx / (1000 * kB)), ls=":", color=COLOR[c], lw=1,
                    label=f"one regime Ea = {ea:.3f} ± {f1['Ea_eV']['stderr']:.3f} eV" if c == "xyz" else None)
            if two:
                for reg, ls in (("normal", "-"), ("superionic", "--")):
                    fr = two[reg][q]
                    lo, hi = fr["T_range_K"]
                    xr = np.linspace(1000 / hi, 1000 / lo, 20)
                    ea, d0 = fr["Ea_eV"]["value"], fr["prefactor_cm2_s"]["value"]
                    ax.plot(xr, d0 * np.exp(-ea * xr / (1000 * kB)), ls=ls, color=COLOR[c], lw=1.4)
                    xm = xr.mean()
                    ax.annotate(f"{ea:.3f} eV", (xm, d0 * np.exp(-ea * xm / (1000 * kB))), fontsize=7,
                                color=COLOR[c], xytext=(3, 4), textcoords="offset points")
        if two:
            ax.axvline(1000 / two["break_K"], color="0.6", lw=0.8, ls="-.",
                       label=f"break {two['break_K']:g} K (normal —, superionic – –)")
        ax.set_yscale("log")
        ax.set_xlabel("1000 / T (1/K)")
        ax.set_title(f"{kind} diffusivity  (D = slope/(2d))")
        ax.legend(fontsize=7)
        sec = ax.secondary_xaxis("top", functions=(lambda v: 1000 / np.maximum(v, 1e-9), lambda v: 1000 / np.maximum(v, 1e-9)))
        sec.set_xlabel("T (K)", fontsize=8)
    axes[0].set_ylabel("D (cm²/s)")
    fig.tight_layout()
    out = args.output or os.path.join(d if os.path.isdir(d) else os.path.dirname(d), "arrhenius.png")
    fig.savefig(out, dpi=120)
    print("wrote", out)


def plot_haven(args):
    rows = []
    for d in args.dirs:
        with open(os.path.join(d, "summary.json") if os.path.isdir(d) else d) as f:
            rows.append(json.load(f))
    rows.sort(key=lambda s: s["temperature"])
    T = np.array([s["temperature"] for s in rows])
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for k, c in enumerate(COMP):
        v = np.array([s[f"haven_ratio_{c}"]["value"] for s in rows])
        e = np.array([s[f"haven_ratio_{c}"]["stderr"] or 0.0 for s in rows])
        ax.errorbar(T + (k - 1) * 4, v, yerr=e, fmt="o-", ms=4, color=COLOR[c], label=LABEL[c], capsize=2)
        w = 1 / np.where(e > 0, e, np.inf) ** 2
        if np.all(np.isfinite(v)) and w.sum() > 0:
            ax.axhline((w * v).sum() / w.sum(), color=COLOR[c], lw=0.7, ls=":")
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set_xlabel("T (K)")
    ax.set_ylabel("Haven ratio  H_R = D*/D_σ")
    ax.set_title("Haven ratio (dotted: weighted mean)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    out = args.output or "haven.png"
    fig.savefig(out, dpi=120)
    print("wrote", out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["msd", "arrhenius", "haven"])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("-o", "--output")
    args = ap.parse_args()
    try:
        {"msd": plot_msd, "arrhenius": plot_arrhenius, "haven": plot_haven}[args.what](args)
    except (OSError, ValueError, KeyError, IndexError) as e:
        # a missing or malformed analysis directory: one line, not a traceback
        print(f"plot_diffusion.py {args.what}: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
