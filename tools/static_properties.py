#!/usr/bin/env python3
"""Static properties of alpha-Li3N with an esnapmd model, driven through ASE and phonopy.

    python3 tools/static_properties.py [--model potentials/li3n_esnap.model] [-o out/static] [--only lattice,...]

Writes OUT/static.json, OUT/static.md and PNG figures:
  lattice   a, c from a cell-free relaxation of the 4-atom P6/mmm cell kept hexagonal (ase FixSymmetry with
            FrechetCellFilter, BFGS); the final forces and stress; the relaxation history (lattice.png).
  elastic   c11 c12 c13 c33 c44 c66 from +/- strains of the relaxed cell with the ions relaxed, at several strain
            amplitudes; the check c66 = (c11 - c12)/2.
  frenkel   Li Frenkel pair formation energies (Li(2) vacancy; interstitial in the Li(2)/N plane = intra-planar, or in
            the Li(1) plane = inter-planar), relaxed at fixed cell, for several n x n x n supercells (frenkel.png).
  neb       climbing-image NEB barriers (ase.mep.NEB) of the intra-planar Li(2) -> Li(2) vacancy hop and the
            inter-planar Li(1)-plane -> Li(2)/N-plane interstitial hop, per supercell, with profiles (neb.png).
  phonons   phonopy finite displacements on n x n x n supercells of the relaxed cell (3 x 3 x 3 reported), band
            structure along G-M-K-G-A-L-H-A and DOS (phonons.png), frequencies on the 3 x 3 x 3 Gamma-centred mesh.
Every figure is set beside the DFT and eSNAP columns of Table 2 of Deng et al., npj Comput. Mater. 5, 75 (2019).

All energies and forces come from the esnapmd library through its ASE calculator (esnapmd.ESNAP and
esnapmd.evaluate_batch); this file only drives ASE and phonopy. Units: A, eV, GPa, THz.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Table 2 of Deng et al. (2019): DFT and eSNAP columns (A, GPa, eV).
PAPER = {
    "a": (3.641, 3.641), "c": (3.874, 3.872),
    "c11": (123, 116), "c33": (137, 144), "c44": (17, 17), "c66": (48, 39),
    "frenkel_intra": (0.60, 0.64), "frenkel_inter": (0.51, 0.63),
    "barrier_vacancy_intra": (0.04, 0.04), "barrier_interstitial_inter": (0.22, 0.09),
}
UNITS = {"a": "A", "c": "A", "c11": "GPa", "c33": "GPa", "c44": "GPa", "c66": "GPa", "frenkel_intra": "eV",
         "frenkel_inter": "eV", "barrier_vacancy_intra": "eV", "barrier_interstitial_inter": "eV"}

# Fractional sites of the P6/mmm cell (host/md/lattice.c): Li(1) bridges the Li2N planes, Li(2) lies in them.
LI1, LI2A, LI2B, N1 = 0, 1, 2, 3
SITES = ((0.0, 0.0, 0.5), (1.0 / 3.0, 2.0 / 3.0, 0.0), (2.0 / 3.0, 1.0 / 3.0, 0.0), (0.0, 0.0, 0.0))


# ---------------------------------------------------------------------------------------------------------- calculator
def backend():
    """The esnapmd package: the installed one, else the source tree's python/ folder (which finds libesnapmd
    through $ESNAPMD_LIBRARY, $ESNAPMD_BUILD_DIR or build/)."""
    try:
        import esnapmd
    except ImportError:
        sys.path.insert(0, os.path.join(ROOT, "python"))
        import esnapmd
    return esnapmd


class Evaluator:
    """One model and Coulomb setting: an ASE calculator, calculators of a group of images evaluated together
    (NEB) and a batch evaluation of many structures (phonon displacements). Groups and batches are one library
    call each, the replicas of one MD backend (on a GPU: the same kernel launches)."""

    def __init__(self, model, coulomb="ewald", accuracy=1e-8, device="cpu"):
        self.pkg = backend()
        self.kw = dict(model=model, coulomb=coulomb, accuracy=accuracy, device=device)

    def calc(self):
        return self.pkg.ESNAP(**self.kw)

    def group(self, images):
        """Attach the calculators of one batch group to images (ase.mep.NEB)."""
        return self.pkg.BatchCalculators(images, **self.kw)

    def forces(self, frames):
        return [np.asarray(r["forces"]) for r in self.pkg.evaluate_batch(frames, energies=False, **self.kw)]


# ----------------------------------------------------------------------------------------------------------- structure
def li3n_cell(a, c):
    """The 4-atom alpha-Li3N cell (atoms Li(1), Li(2), Li(2), N; cell vectors as host/md/lattice.c)."""
    from ase import Atoms
    cell = [[a, 0.0, 0.0], [-0.5 * a, 0.5 * np.sqrt(3.0) * a, 0.0], [0.0, 0.0, c]]
    return Atoms("Li3N", scaled_positions=SITES, cell=cell, pbc=True)


def site_index(n, cell, b):
    """Index in unit.repeat((n, n, n)) of basis atom b of unit cell (i, j, k) (ASE's repeat order)."""
    i, j, k = cell
    return ((i * n + j) * n + k) * 4 + b


def cart(unit, frac):
    return np.asarray(frac, dtype=float) @ unit.cell.array


# ------------------------------------------------------------------------------------------------------------- lattice
def relax_lattice(ev, a0=3.641, c0=3.872, fmax=1e-5, steps=200):
    """Cell-free relaxation keeping P6/mmm; returns the relaxed Atoms and a dict of results and history."""
    from ase.constraints import FixSymmetry
    from ase.filters import FrechetCellFilter
    from ase.optimize import BFGS
    from ase import units
    at = li3n_cell(a0, c0)
    at.calc = ev.calc()
    at.set_constraint(FixSymmetry(at, symprec=1e-4))
    filt = FrechetCellFilter(at)
    opt = BFGS(filt, logfile=None)
    hist = []

    def record():
        p = at.cell.cellpar()
        hist.append({"a": p[0], "c": p[2], "energy": at.get_potential_energy(),
                     "fmax_filter": float(np.sqrt((filt.get_forces() ** 2).sum(axis=1)).max()),
                     "stress_max_GPa": float(np.abs(at.get_stress()).max() / units.GPa)})
    opt.attach(record)
    opt.run(fmax=fmax, steps=steps)
    at.set_constraint()
    import spglib
    sg = spglib.get_spacegroup((at.cell.array, at.get_scaled_positions(), at.numbers), symprec=1e-4)
    p = at.cell.cellpar()
    res = {"a": p[0], "c": p[2], "gamma_deg": p[5], "spacegroup": sg, "steps": opt.nsteps, "fmax_target": fmax,
           "energy_per_atom": at.get_potential_energy() / len(at),
           "forces_max": float(np.abs(at.get_forces()).max()),
           "stress_GPa": (at.get_stress() / units.GPa).tolist(), "history": hist,
           "start": {"a": a0, "c": c0}}
    relaxed = li3n_cell(p[0], p[2])
    return relaxed, res


# ------------------------------------------------------------------------------------------------------------- elastic
VOIGT = {(0, 0): 0, (1, 1): 1, (2, 2): 2, (1, 2): 3, (0, 2): 4, (0, 1): 5}


def strained(unit, voigt, amp):
    """Copy of unit under Voigt strain component voigt (0..5) of amplitude amp (engineering shear)."""
    eps = np.zeros((3, 3))
    for (i, j), v in VOIGT.items():
        if v == voigt:
            if i == j:
                eps[i, i] = amp
            else:
                eps[i, j] = eps[j, i] = 0.5 * amp
    at = unit.copy()
    at.set_cell(unit.cell.array @ (np.eye(3) + eps), scale_atoms=True)
    return at


def relaxed_stress(ev, at, fmax=1e-6, steps=300):
    """Stress (ASE Voigt order, eV/A^3) after relaxing the ions at fixed cell."""
    from ase.optimize import BFGS
    at.calc = ev.calc()
    opt = BFGS(at, logfile=None)
    opt.run(fmax=fmax, steps=steps)
    return at.get_stress(), opt.nsteps


def elastic_constants(ev, unit, amplitudes=(0.0025, 0.005, 0.01)):
    """Hexagonal elastic constants (GPa) per strain amplitude from central differences of the relaxed stress."""
    from ase import units
    out = []
    for amp in amplitudes:
        d = {}
        steps = 0
        for voigt in (0, 2, 3, 5):
            sp, n1 = relaxed_stress(ev, strained(unit, voigt, amp))
            sm, n2 = relaxed_stress(ev, strained(unit, voigt, -amp))
            steps += n1 + n2
            d[voigt] = (sp - sm) / (2.0 * amp) / units.GPa
        c = {"amplitude": amp, "c11": d[0][0], "c12": d[0][1], "c13": 0.5 * (d[0][2] + d[2][0]), "c33": d[2][2],
             "c44": d[3][3], "c66": d[5][5], "c13_from_e1": d[0][2], "c13_from_e3": d[2][0], "ion_steps": steps}
        c["c66_minus_half_c11_c12"] = c["c66"] - 0.5 * (c["c11"] - c["c12"])
        out.append(c)
    return out


# ------------------------------------------------------------------------------------------------------------- defects
# Interstitial sites (fractional, unit-cell coordinates) and the Li(2) vacancy, in an n x n x n supercell.
INTERSTITIAL = {"intra": (0.5, 0.5, 0.0), "inter": (1.0 / 3.0, 2.0 / 3.0, 0.5)}
# (name, interstitial site, start displacement in A). The interstitial is displaced 0.05 A along c so that the
# relaxation may leave the plane it starts in (the exact in-plane site is a mirror-symmetric stationary point).
FRENKEL = (("intra", "intra", (0.02, 0.01, 0.05)), ("inter", "inter", (0.02, 0.01, 0.05)))


FMAX_DEFECT = 5e-3  # eV/A, relaxations of defect cells and NEB end points


def relax_fixed_cell(ev, at, fmax, steps):
    from ase.optimize import BFGS
    at.calc = ev.calc()
    opt = BFGS(at, logfile=None, maxstep=0.1)
    converged = opt.run(fmax=fmax, steps=steps)
    return at.get_potential_energy(), opt.nsteps, bool(converged)


def defect_cell(unit, n, vacancy=True, interstitial=None, shift=(0.0, 0.0, 0.0)):
    """n x n x n supercell with a Li(2) vacancy in cell (0,0,0) and/or an Li interstitial as far from it as the
    supercell allows (cell (n//2, n//2, n//2)); returns (atoms, index of the interstitial or None)."""
    at = unit.repeat((n, n, n))
    half = n // 2
    idx = None
    if interstitial is not None:
        from ase import Atom
        p = cart(unit, np.add(INTERSTITIAL[interstitial], (half, half, half))) + np.asarray(shift)
        at.append(Atom("Li", p))
        idx = len(at) - 1
    if vacancy:
        del at[site_index(n, (0, 0, 0), LI2A)]
        if idx is not None:
            idx -= 1
    return at, idx


def frenkel(ev, unit, sizes, fmax=FMAX_DEFECT, steps=500):
    """Frenkel pair formation energies E(pair) - E(bulk) per supercell size and configuration."""
    out = []
    e_cell = None
    for n in sizes:
        bulk = unit.repeat((n, n, n))
        bulk.calc = ev.calc()
        e_bulk = bulk.get_potential_energy()
        e_cell = e_bulk / n ** 3
        row = {"n": n, "atoms": len(bulk)}
        for kind, site, shift in FRENKEL:
            at, idx = defect_cell(unit, n, True, site, shift=shift)
            t = time.time()
            e, nst, conv = relax_fixed_cell(ev, at, fmax, steps)
            row[kind] = e - e_bulk
            row[kind + "_steps"] = nst
            row[kind + "_converged"] = conv
            row[kind + "_seconds"] = time.time() - t
            row[kind + "_interstitial_frac"] = np.linalg.solve(unit.cell.array.T, at.positions[idx]).tolist()
        out.append(row)
        print("frenkel n=%d: intra %.4f eV, inter %.4f eV" % (n, row["intra"], row["inter"]), flush=True)
    return out, e_cell


NEB_IMAGES, NEB_FMAX = 5, 0.03  # intermediate images; eV/A


def neb_barrier(ev, initial, final, nimages=NEB_IMAGES, fmax=NEB_FMAX, steps=300):
    """Climbing-image NEB between two relaxed end points; returns barrier (eV) and the profile."""
    from ase.mep import NEB
    from ase.optimize import FIRE
    images = [initial] + [initial.copy() for _ in range(nimages)] + [final]
    group = ev.group(images)  # every NEB force call: the moved images in one library call
    neb = NEB(images, climb=True, method="improvedtangent", allow_shared_calculator=False)
    neb.interpolate(method="idpp", mic=True)
    opt = FIRE(neb, logfile=None)
    converged = opt.run(fmax=fmax, steps=steps)
    e = np.array([im.get_potential_energy() for im in images])
    path = [0.0]
    for i in range(1, len(images)):
        d = images[i].positions - images[i - 1].positions
        path.append(path[-1] + float(np.linalg.norm(d)))
    return {"barrier": float(e.max() - e[0]), "barrier_reverse": float(e.max() - e[-1]),
            "energies": (e - e[0]).tolist(), "path_A": path, "steps": opt.nsteps, "converged": bool(converged),
            "library_calls": group.calls, "structures_evaluated": group.evaluated}


def neb_hops(ev, unit, sizes, fmax_end=FMAX_DEFECT):
    """Intra-planar Li(2) -> Li(2) vacancy hop and inter-planar interstitial hop, per supercell size."""
    out = []
    for n in sizes:
        row = {"n": n}
        # vacancy hop: vacancy on Li(2) A of cell (0,0,0); the Li(2) B of the same cell (nearest in-plane) moves in
        base = unit.repeat((n, n, n))
        va, vb = site_index(n, (0, 0, 0), LI2A), site_index(n, (0, 0, 0), LI2B)
        ini = base.copy()
        del ini[va]
        fin = base.copy()
        fin.positions[vb] = base.positions[va]
        del fin[va]
        for im in (ini, fin):
            relax_fixed_cell(ev, im, fmax_end, 500)
        row["vacancy_intra"] = neb_barrier(ev, ini, fin)
        # interstitial hop: relaxed Li(1)-plane interstitial -> relaxed Li(2)/N-plane interstitial nearby
        ini, i1 = defect_cell(unit, n, False, "inter", shift=(0.02, 0.01, 0.01))
        fin, i2 = defect_cell(unit, n, False, "intra", shift=(0.02, 0.01, 0.01))
        for im in (ini, fin):
            relax_fixed_cell(ev, im, fmax_end, 500)
        row["interstitial_inter"] = neb_barrier(ev, ini, fin)
        out.append(row)
        print("neb n=%d: vacancy %.4f eV, interstitial %.4f eV" % (
            n, row["vacancy_intra"]["barrier"], row["interstitial_inter"]["barrier"]), flush=True)
    return out


# ------------------------------------------------------------------------------------------------------------- phonons
PATH_LABELS = ["G", "M", "K", "G", "A", "L", "H", "A"]
PATH_POINTS = {"G": (0, 0, 0), "M": (0.5, 0, 0), "K": (1 / 3, 1 / 3, 0), "A": (0, 0, 0.5),
               "L": (0.5, 0, 0.5), "H": (1 / 3, 1 / 3, 0.5)}


def phonopy_for(ev, unit, n, distance=0.01):
    """A phonopy object with force constants from finite displacements on an n x n x n supercell."""
    from phonopy import Phonopy
    from phonopy.structure.atoms import PhonopyAtoms
    from ase import Atoms
    pa = PhonopyAtoms(symbols=unit.get_chemical_symbols(), cell=unit.cell.array,
                      scaled_positions=unit.get_scaled_positions(), masses=unit.get_masses())
    ph = Phonopy(pa, supercell_matrix=np.eye(3, dtype=int) * n, primitive_matrix=None)
    ph.generate_displacements(distance=distance, is_plusminus=True)
    frames = [Atoms(s.symbols, cell=s.cell, scaled_positions=s.scaled_positions, pbc=True)
              for s in ph.supercells_with_displacements]
    ph.forces = np.array(ev.forces(frames))
    ph.produce_force_constants()
    return ph


def frequencies_at(ph, q):
    """Frequencies (THz) at one q-point (reduced coordinates of the reciprocal cell)."""
    ph.run_qpoints([q])
    return np.array(ph.qpoints.frequencies[0])


def gamma_frequencies(ph):
    return frequencies_at(ph, (0.0, 0.0, 0.0))


def phonons(ev, unit, sizes=(2, 3, 4), report=3):
    from phonopy.phonon.band_structure import get_band_qpoints
    out = {"supercells": {}}
    qpts = {k: PATH_POINTS[k] for k in ("G", "M", "K", "A", "L", "H")}
    for n in sizes:
        ph = phonopy_for(ev, unit, n)
        out["supercells"][str(n)] = {k: np.sort(frequencies_at(ph, q)).tolist() for k, q in qpts.items()}
        out["supercells"][str(n)]["displacements"] = len(ph.displacements)
        if n == report:
            best = ph
    ph = best
    bands = [[PATH_POINTS[a], PATH_POINTS[b]] for a, b in zip(PATH_LABELS[:-1], PATH_LABELS[1:])]
    qp = get_band_qpoints(bands, npoints=51)
    ph.run_band_structure(qp, labels=PATH_LABELS)
    bs = ph.band_structure
    ph.run_mesh([3, 3, 3], is_gamma_center=True)
    mesh = ph.mesh
    ph.run_mesh([24, 24, 24], is_gamma_center=True)  # DOS mesh; Gamma-centred keeps the point-group reduction
    ph.run_total_dos()
    dos = ph.total_dos
    out.update({
        "supercell": report, "path": PATH_LABELS,
        "band_distances": [np.asarray(d).tolist() for d in bs.distances],
        "band_frequencies": [np.asarray(f).tolist() for f in bs.frequencies],
        "mesh_333": {"qpoints": np.asarray(mesh.qpoints).tolist(), "weights": np.asarray(mesh.weights).tolist(),
                     "frequencies_THz": np.asarray(mesh.frequencies).tolist()},
        "dos": {"frequency_THz": np.asarray(dos.frequency_points).tolist(), "dos": np.asarray(dos.dos).tolist()},
        "min_frequency_THz": float(min(np.min(f) for f in bs.frequencies)),
    })
    return out


# -------------------------------------------------------------------------------------------------------------- report
def plots(res, outdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    files = []
    if "lattice" in res:
        h = res["lattice"]["history"]
        fig, ax = plt.subplots(1, 2, figsize=(9, 3.5))
        st = np.arange(1, len(h) + 1)
        ax[0].plot(st, [x["a"] for x in h], "o-", label="a")
        ax[0].plot(st, [x["c"] for x in h], "s-", label="c")
        ax[0].axhline(PAPER["a"][1], ls=":", c="C0")
        ax[0].axhline(PAPER["c"][1], ls=":", c="C1")
        ax[0].set(xlabel="BFGS step", ylabel="lattice constant (A)", title="cell relaxation (dotted: paper eSNAP)")
        ax[0].legend()
        ax[1].semilogy(st, [max(x["fmax_filter"], 1e-16) for x in h], "o-")
        ax[1].set(xlabel="BFGS step", ylabel="max generalised force (eV/A)")
        fig.tight_layout()
        files.append(save(fig, outdir, "lattice.png"))
    if "elastic" in res:
        el = res["elastic"]
        fig, ax = plt.subplots(figsize=(5.5, 4))
        amps = [x["amplitude"] for x in el]
        for i, k in enumerate(("c11", "c12", "c13", "c33", "c44", "c66")):
            ax.plot(amps, [x[k] for x in el], "o-", c="C%d" % i, label=k)
            if k in PAPER:
                ax.axhline(PAPER[k][1], ls=":", c="C%d" % i)
        ax.set(xlabel="strain amplitude", ylabel="GPa", title="elastic constants (dotted: paper eSNAP)")
        ax.legend(ncol=3, fontsize=8)
        fig.tight_layout()
        files.append(save(fig, outdir, "elastic.png"))
    if "frenkel" in res:
        fr = res["frenkel"]["sizes"]
        fig, ax = plt.subplots(figsize=(5.5, 4))
        atoms = [x["atoms"] for x in fr]
        for i, k in enumerate(("intra", "inter")):
            ax.plot(atoms, [x[k] for x in fr], "o-", c="C%d" % i, label=k + "-planar")
            ax.axhline(PAPER["frenkel_" + k][1], ls=":", c="C%d" % i)
            ax.axhline(PAPER["frenkel_" + k][0], ls="--", c="C%d" % i, lw=0.8)
        ax.set(xscale="log", xlabel="supercell (atoms)", ylabel="Frenkel pair energy (eV)",
               title="Frenkel energies (dotted: paper eSNAP, dashed: DFT)")
        ax.set_xticks(atoms, ["%dx%dx%d\n(%d)" % (x["n"], x["n"], x["n"], x["atoms"]) for x in fr])
        ax.minorticks_off()
        ax.legend()
        fig.tight_layout()
        files.append(save(fig, outdir, "frenkel.png"))
    if "neb" in res:
        fig, ax = plt.subplots(1, 2, figsize=(9, 3.5))
        for j, k in enumerate(("vacancy_intra", "interstitial_inter")):
            for row in res["neb"]:
                p = row[k]
                ax[j].plot(p["path_A"], p["energies"], "o-", label="%dx%dx%d" % (row["n"], row["n"], row["n"]))
            ax[j].set(xlabel="path length (A)", ylabel="E - E(initial) (eV)", title=k.replace("_", " "))
            ax[j].legend()
        fig.tight_layout()
        files.append(save(fig, outdir, "neb.png"))
    if "phonons" in res:
        ph = res["phonons"]
        fig, (ax, ad) = plt.subplots(1, 2, figsize=(9, 4.5), gridspec_kw={"width_ratios": [3, 1]}, sharey=True)
        ticks = [ph["band_distances"][0][0]] + [d[-1] for d in ph["band_distances"]]
        for d, f in zip(ph["band_distances"], ph["band_frequencies"]):
            ax.plot(d, f, "k-", lw=1)
        ax.set_xticks(ticks)
        ax.set_xticklabels(["$\\Gamma$" if x == "G" else x for x in ph["path"]])
        for t in ticks:
            ax.axvline(t, c="0.7", lw=0.5)
        ax.set(xlim=(ticks[0], ticks[-1]), ylabel="frequency (THz)",
               title="phonons, %dx%dx%d supercell" % ((ph["supercell"],) * 3))
        ad.plot(ph["dos"]["dos"], ph["dos"]["frequency_THz"], "k-")
        ad.set(xlabel="DOS (states/THz)")
        fig.tight_layout()
        files.append(save(fig, outdir, "phonons.png"))
    return files


def save(fig, outdir, name):
    import matplotlib.pyplot as plt
    path = os.path.join(outdir, name)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return name


def comparison(res):
    """Rows (property, unit, this work, paper eSNAP, this - eSNAP, paper DFT, this - DFT)."""
    val = {}
    if "lattice" in res:
        val["a"], val["c"] = res["lattice"]["a"], res["lattice"]["c"]
    if "elastic" in res:
        mid = res["elastic"][len(res["elastic"]) // 2]
        for k in ("c11", "c33", "c44", "c66"):
            val[k] = mid[k]
    if "frenkel" in res:
        big = res["frenkel"]["sizes"][-1]
        val["frenkel_intra"], val["frenkel_inter"] = big["intra"], big["inter"]
    if "neb" in res:
        big = res["neb"][-1]
        val["barrier_vacancy_intra"] = big["vacancy_intra"]["barrier"]
        val["barrier_interstitial_inter"] = big["interstitial_inter"]["barrier"]
    rows = []
    for k, (dft, es) in PAPER.items():
        if k in val:
            rows.append({"property": k, "unit": UNITS[k], "this": val[k], "paper_esnap": es, "diff_esnap": val[k] - es,
                         "paper_dft": dft, "diff_dft": val[k] - dft})
    return rows


def markdown(res):
    L = ["# Static properties of alpha-Li3N (esnapmd)", "",
         "Model `%s`, Coulomb %s (accuracy %g), %s. Units: A, GPa, eV, THz." % (
             res["model"], res["coulomb"], res["accuracy"], res["source"]), ""]
    rows = comparison(res)
    if rows:
        L += ["| property | unit | esnapmd | paper eSNAP | diff | paper DFT | diff |", "|---|---|---|---|---|---|---|"]
        for r in rows:
            L.append("| %s | %s | %.4f | %g | %+.4f | %g | %+.4f |" % (
                r["property"], r["unit"], r["this"], r["paper_esnap"], r["diff_esnap"], r["paper_dft"], r["diff_dft"]))
        L.append("")
    if "lattice" in res:
        la = res["lattice"]
        L += ["## Lattice constants", "",
              "Cell-free BFGS relaxation of the 4-atom cell kept hexagonal (FixSymmetry + FrechetCellFilter), "
              "from a = %.3f, c = %.3f A: a = %.6f A, c = %.6f A, space group %s after %d steps; final max |F| = "
              "%.2e eV/A, stress (xx yy zz yz xz xy) = %s GPa." % (
                  la["start"]["a"], la["start"]["c"], la["a"], la["c"], la["spacegroup"], la["steps"], la["forces_max"],
                  " ".join("%.1e" % s for s in la["stress_GPa"])), ""]
    if "elastic" in res:
        L += ["## Elastic constants (GPa)", "", "Central differences of the stress of +/- strained cells, ions relaxed.",
              "", "| amplitude | c11 | c12 | c13 | c33 | c44 | c66 | c66 - (c11-c12)/2 |", "|---|---|---|---|---|---|---|---|"]
        for x in res["elastic"]:
            L.append("| %g | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %+.3f |" % (
                x["amplitude"], x["c11"], x["c12"], x["c13"], x["c33"], x["c44"], x["c66"], x["c66_minus_half_c11_c12"]))
        L.append("")
    if "frenkel" in res:
        L += ["## Li Frenkel pair formation energies (eV)", "",
              "Li(2) vacancy and Li interstitial in one supercell, as far apart as it allows; fixed cell, ions "
              "relaxed (BFGS, fmax %g eV/A). Start sites of the interstitial (fractional, unit cell): intra-planar %s "
              "(Li(2)/N plane), inter-planar %s (Li(1) plane)." % (
                  res["frenkel"]["fmax"], INTERSTITIAL["intra"], INTERSTITIAL["inter"]), "",
              "| supercell | atoms | intra-planar | inter-planar | interstitial relaxed to (intra / inter) |",
              "|---|---|---|---|---|"]
        for x in res["frenkel"]["sizes"]:
            L.append("| %dx%dx%d | %d | %.4f | %.4f | %s / %s |" % (
                x["n"], x["n"], x["n"], x["atoms"], x["intra"], x["inter"],
                fmt_frac(x["intra_interstitial_frac"], x["n"]), fmt_frac(x["inter_interstitial_frac"], x["n"])))
        L.append("")
    if "neb" in res:
        L += ["## NEB barriers (eV)", "", "Climbing-image NEB (ase.mep.NEB, IDPP start, FIRE, fmax %g eV/A), "
              "%d intermediate images; end points relaxed at fixed cell (fmax %g eV/A)." % (
                  NEB_FMAX, NEB_IMAGES, FMAX_DEFECT), "",
              "| supercell | vacancy Li(2)->Li(2) | reverse | interstitial Li(1) plane -> Li(2)/N plane | reverse |",
              "|---|---|---|---|---|"]
        for x in res["neb"]:
            v, i = x["vacancy_intra"], x["interstitial_inter"]
            L.append("| %dx%dx%d | %.4f | %.4f | %.4f | %.4f |" % (
                x["n"], x["n"], x["n"], v["barrier"], v["barrier_reverse"], i["barrier"], i["barrier_reverse"]))
        L.append("")
    if "phonons" in res:
        ph = res["phonons"]
        L += ["## Phonons (THz)", "", "phonopy finite displacements (0.01 A, +/-); band structure and DOS from the "
              "%dx%dx%d supercell; lowest frequency on the path %.3f THz (negative = imaginary)." % (
                  ph["supercell"], ph["supercell"], ph["supercell"], ph["min_frequency_THz"]), "",
              "Supercell convergence, frequencies at the high-symmetry points:", ""]
        for n, d in ph["supercells"].items():
            L.append("- %sx%sx%s (%d displacements): " % (n, n, n, d["displacements"]) + "; ".join(
                "%s: %s" % (k, " ".join("%.2f" % f for f in d[k])) for k in ("G", "M", "K", "A", "L", "H")))
        L.append("")
    L += ["Figures: " + ", ".join(res["figures"]), "", "Run time %.0f s." % res["seconds"], ""]
    return "\n".join(L)


def fmt_frac(f, n):
    return "(%s)" % ", ".join("%.3f" % (x - n // 2) for x in f)


def write_report(res, outdir, t0):
    """static.json, static.md and the figures of the parts computed so far."""
    res["comparison"] = comparison(res)
    res["seconds"] = res.get("seconds_before", 0.0) + time.time() - t0
    res["figures"] = plots(res, outdir)
    with open(os.path.join(outdir, "static.json"), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(outdir, "static.md"), "w") as f:
        f.write(markdown(res))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "potentials", "li3n_esnap.model"))
    ap.add_argument("-o", "--out", default="out/static")
    ap.add_argument("--coulomb", default="ewald", choices=["ewald", "pme", "none"])
    ap.add_argument("--accuracy", type=float, default=1e-8)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--only", default="lattice,elastic,frenkel,neb,phonons")
    ap.add_argument("--frenkel-sizes", default="2,3,4")
    ap.add_argument("--neb-sizes", default="2,3")
    ap.add_argument("--phonon-sizes", default="2,3,4")
    ap.add_argument("--source", default="", help="text naming where the results come from (e.g. a commit)")
    ap.add_argument("--resume", action="store_true",
                    help="keep the parts already in OUT/static.json (same model and Coulomb settings), compute the rest")
    a = ap.parse_args(argv)
    only = set(a.only.split(","))
    os.makedirs(a.out, exist_ok=True)
    ev = Evaluator(a.model, a.coulomb, a.accuracy, a.device)
    t0 = time.time()
    res = {"model": os.path.relpath(a.model, ROOT) if a.model.startswith(ROOT) else a.model, "coulomb": a.coulomb,
           "accuracy": a.accuracy, "source": a.source or "esnapmd",
           "units": {"length": "A", "energy": "eV", "elastic": "GPa", "stress": "GPa", "frequency": "THz"}}
    old = os.path.join(a.out, "static.json")
    if a.resume and os.path.isfile(old):
        with open(old) as f:
            prev = json.load(f)
        if (prev.get("model"), prev.get("coulomb"), prev.get("accuracy")) != (res["model"], a.coulomb, a.accuracy):
            sys.exit("%s: computed with another model or Coulomb setting; not resumed" % old)
        for k in ("lattice", "elastic", "phonons", "frenkel", "neb"):
            if k in prev:
                res[k] = prev[k]
                only.discard(k)
        res["seconds_before"] = prev.get("seconds", 0.0)
        if not a.source:
            res["source"] = prev.get("source", res["source"])
    unit, lat = relax_lattice(ev)
    if "lattice" in only:
        res["lattice"] = lat
        print("lattice: a %.6f c %.6f" % (lat["a"], lat["c"]), flush=True)
        write_report(res, a.out, t0)
    if "elastic" in only:
        res["elastic"] = elastic_constants(ev, unit)
        print("elastic:", [(x["amplitude"], round(x["c11"], 2), round(x["c33"], 2)) for x in res["elastic"]], flush=True)
        write_report(res, a.out, t0)
    if "phonons" in only:
        res["phonons"] = phonons(ev, unit, [int(x) for x in a.phonon_sizes.split(",")])
        write_report(res, a.out, t0)
    if "frenkel" in only:
        sizes, e_cell = frenkel(ev, unit, [int(x) for x in a.frenkel_sizes.split(",")])
        res["frenkel"] = {"sizes": sizes, "fmax": FMAX_DEFECT, "bulk_energy_per_cell": e_cell}
        write_report(res, a.out, t0)
    if "neb" in only:
        res["neb"] = neb_hops(ev, unit, [int(x) for x in a.neb_sizes.split(",")])
    write_report(res, a.out, t0)
    print("wrote %s/static.json, static.md, %s" % (a.out, ", ".join(res["figures"])))


if __name__ == "__main__":
    main()
