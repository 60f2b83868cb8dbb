#!/usr/bin/env python3
"""dft_check.py — eSNAP energies of the 109 DFT-labelled Li3N cells of the SNAP repository, from esnapmd.

    tools/dft_check.py DATA_DIR [--esnapmd build/esnapmd] [--model FILE] [--accuracy 1e-10]
                       [--reference tests/data/dft_cells_esnap.txt] [--keep DIR] [--quiet]
                       [--expect-mean 0.680 --tol 0.005]

DATA_DIR holds Lattice.json and Elastic.json (pymatgen structures with DFT energies; e.g. ../shared/data/
snap-li3n). The cells are named Lattice_000.. and Elastic_000.. in the files' order and written as one
multi-frame extended XYZ (rows of lattice.matrix = cell vectors, sites' Cartesian xyz, species element), then
`esnapmd eval` evaluates them with a converged Ewald sum. Printed: per cell and in summary, eSNAP − DFT in
meV/atom (mean, sample sd, min, max) and the difference from LAMMPS's eSNAP energies in the reference file.
The name → cell mapping is checked against the reference by atom count and DFT energy.

Python standard library only. Exit status: 0 on success; 1 when --expect-mean is given and the mean is
further than --tol from it, or when a check fails; 2 on bad usage or input.
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYVAL = re.compile(r'(\w+)=("[^"]*"|\S+)')


def fail(msg, code=2):
    print(f"dft_check: {msg}", file=sys.stderr)
    sys.exit(code)


def load_cells(data_dir):
    """[(name, natoms, E_dft (eV), lattice rows, [(element, (x, y, z))])] in JSON order: Lattice, then Elastic."""
    cells = []
    for group in ("Lattice", "Elastic"):
        path = os.path.join(data_dir, group + ".json")
        try:
            with open(path) as f:
                entries = json.load(f)
        except (OSError, ValueError) as e:
            fail(f"{path}: cannot read: {e}")
        for k, entry in enumerate(entries):
            name = f"{group}_{k:03d}"
            try:
                st = entry["structure"]
                matrix = [[float(v) for v in row] for row in st["lattice"]["matrix"]]
                sites = []
                for site in st["sites"]:
                    species = site["species"]
                    if len(species) != 1 or float(species[0].get("occu", 1)) != 1.0:
                        fail(f"{path}: {name}: a site with partial occupancy is not supported")
                    sites.append((species[0]["element"], tuple(float(v) for v in site["xyz"])))
                energy = float(entry["outputs"]["energy"])
            except (KeyError, TypeError, ValueError) as e:
                fail(f"{path}: {name}: unexpected structure entry ({e!r})")
            if len(matrix) != 3 or any(len(r) != 3 for r in matrix):
                fail(f"{path}: {name}: lattice.matrix is not 3x3")
            cells.append((name, len(sites), energy, matrix, sites))
    return cells


def load_reference(path):
    """name -> (natoms, E_dft, E_esnap_lammps) (eV)."""
    ref = {}
    try:
        with open(path) as f:
            for line in f:
                w = line.split()
                if not w or w[0].startswith("#"):
                    continue
                ref[w[0]] = (int(w[1]), float(w[2]), float(w[3]))
    except (OSError, ValueError, IndexError) as e:
        fail(f"{path}: cannot read the reference: {e}")
    return ref


def write_xyz(path, cells):
    with open(path, "w") as f:
        for name, n, energy, matrix, sites in cells:
            lat = " ".join(repr(v) for row in matrix for v in row)
            f.write(f"{n}\n")
            f.write(f'Lattice="{lat}" Properties=species:S:1:pos:R:3 name={name} dft_energy={energy!r} pbc="T T T"\n')
            for elem, (x, y, z) in sites:
                f.write(f"{elem} {x!r} {y!r} {z!r}\n")


def read_eval_output(path):
    """[(name, natoms, energy)] from esnapmd's extended XYZ."""
    frames = []
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        n = int(lines[i])
        keys = {k: v.strip('"') for k, v in KEYVAL.findall(lines[i + 1])}
        frames.append((keys.get("name", "?"), n, float(keys["energy"])))
        i += 2 + n
    return frames


def stats(values):
    return (statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0, min(values), max(values))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir", help="directory with Lattice.json and Elastic.json")
    ap.add_argument("--esnapmd", default=os.path.join(ROOT, "build", "esnapmd"), help="esnapmd binary")
    ap.add_argument("--model", help="model file (default: esnapmd's bundled model)")
    ap.add_argument("--accuracy", default="1e-10", help="Ewald relative accuracy (default 1e-10)")
    ap.add_argument("--reference", default=os.path.join(ROOT, "tests", "data", "dft_cells_esnap.txt"),
                    help="LAMMPS eSNAP energies of the cells")
    ap.add_argument("--keep", help="keep the generated cells.xyz and eval output in this directory")
    ap.add_argument("--quiet", action="store_true", help="summary only, no per-cell table")
    ap.add_argument("--expect-mean", type=float, help="fail unless mean eSNAP - DFT (meV/atom) is within --tol")
    ap.add_argument("--tol", type=float, default=0.005, help="tolerance for --expect-mean (meV/atom)")
    a = ap.parse_args()

    cells = load_cells(a.data_dir)
    ref = load_reference(a.reference)
    # the name -> cell mapping must agree with the reference: same atom count and DFT energy
    for name, n, energy, _, _ in cells:
        if name not in ref:
            fail(f"{a.reference}: no entry for {name}", 1)
        rn, re_dft, _ = ref[name]
        if rn != n or abs(re_dft - energy) > 1e-6:
            fail(f"{name}: JSON has {n} atoms, E_dft {energy}; the reference has {rn}, {re_dft} (mapping is wrong)", 1)
    if len(ref) != len(cells):
        fail(f"{a.reference} has {len(ref)} cells, the JSON files {len(cells)}", 1)

    with tempfile.TemporaryDirectory() as tmp:
        work = a.keep or tmp
        os.makedirs(work, exist_ok=True)
        cells_xyz, out_xyz = os.path.join(work, "cells.xyz"), os.path.join(work, "cells_esnap.xyz")
        write_xyz(cells_xyz, cells)
        cmd = [a.esnapmd, "eval", cells_xyz, "-o", out_xyz, "--coulomb", "ewald", "--accuracy", a.accuracy]
        if a.model:
            cmd += ["--model", a.model]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as e:
            fail(f"cannot run {a.esnapmd}: {e}")
        if run.returncode != 0:
            fail(f"{' '.join(cmd)} failed ({run.returncode}): {run.stderr.strip()}", 1)
        frames = read_eval_output(out_xyz)

    if len(frames) != len(cells):
        fail(f"esnapmd wrote {len(frames)} frames for {len(cells)} cells", 1)
    rows, d_dft, d_lmp_dft, d_lmp = [], [], [], []
    for (name, n, e_dft, _, _), (oname, on, e) in zip(cells, frames):
        if oname != name or on != n:
            fail(f"output frame {oname} ({on} atoms) does not match cell {name} ({n} atoms)", 1)
        e_lmp = ref[name][2]
        dd = (e - e_dft) / n * 1000.0
        dl = (e_lmp - e_dft) / n * 1000.0
        rows.append((name, n, e_dft, e, dd, e - e_lmp))
        d_dft.append(dd)
        d_lmp_dft.append(dl)
        d_lmp.append(abs(e - e_lmp))

    print(f"# esnapmd eval of {len(cells)} DFT cells from {a.data_dir} (Ewald, accuracy {a.accuracy})")
    if not a.quiet:
        print("# units: energies eV; eSNAP-DFT meV/atom; esnapmd-LAMMPS eV per cell")
        print(f"# {'cell':<12} {'atoms':>5} {'E_DFT':>16} {'E_eSNAP':>16} {'eSNAP-DFT':>10} {'esnapmd-LAMMPS':>15}")
        for name, n, e_dft, e, dd, dl in rows:
            print(f"  {name:<12} {n:>5} {e_dft:>16.8f} {e:>16.8f} {dd:>10.4f} {dl:>15.3e}")
    m, sd, lo, hi = stats(d_dft)
    lm, lsd, llo, lhi = stats(d_lmp_dft)
    print(f"eSNAP - DFT (meV/atom), esnapmd: mean {m:.3f}  sd {sd:.3f}  min {lo:.3f}  max {hi:.3f}  ({len(rows)} cells)")
    print(f"eSNAP - DFT (meV/atom), LAMMPS:  mean {lm:.3f}  sd {lsd:.3f}  min {llo:.3f}  max {lhi:.3f}")
    k = d_lmp.index(max(d_lmp))
    worst, worst_name, worst_n = d_lmp[k], rows[k][0], rows[k][1]
    print(f"max |esnapmd - LAMMPS| = {worst:.3e} eV per cell ({worst / worst_n * 1000:.2e} meV/atom, {worst_name})")
    if a.expect_mean is not None and not (math.isfinite(m) and abs(m - a.expect_mean) <= a.tol):
        print(f"dft_check: mean {m:.4f} meV/atom is not within {a.tol} of {a.expect_mean}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
