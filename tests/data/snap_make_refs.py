#!/usr/bin/env python3
"""Generate the SNAP-only LAMMPS references used by tests/test_snap.cpp (not run by the tests).

    python3 tests/data/snap_make_refs.py          # from the repository root; needs `lmp` (ML-SNAP) and numpy

1. Writes the random test models tests/data/snap_tj{7,8,14}.snapcoeff/.snapparam (fixed seeds, so re-running
   reproduces them).
2. For every (model, structure) pair converts the structure (tests/data/*.xyz, cells are LAMMPS restricted
   triclinic already) into a LAMMPS data file, runs tests/data/lammps-inputs/in.snap_ref with
   in.snap_<model>.mod, and writes tests/data/snap_ref_<model>_<structure>.txt:
       # comments (LAMMPS version, units)
       natoms N
       nbispectrum K
       energy E                  (eV, pair snap only)
       virial W_xx W_yy W_zz W_xy W_xz W_yz   (eV, = LAMMPS c_vir * vol / nktv2p)
       then N lines: id fx fy fz B_1 .. B_K   (eV/Å; B as compute sna/atom, bzero subtracted when bzeroflag)
"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "tests", "data")
DECKS = os.path.join(DATA, "lammps-inputs")
NKTV2P = 1.6021765e6

# name: (twojmax, rcutfac, rfac0, rmin0, switchflag, bzeroflag, {elem: (radius, weight)}, seed, beta scale)
MODELS = {
    "tj8": (8, 4.5, 0.95, 0.3, 0, 1, {"Li": (0.45, 0.4), "N": (0.6, -0.7)}, 8, 0.02),
    "tj7": (7, 4.2, 0.9, 0.0, 1, 1, {"Li": (0.5, 1.0), "N": (0.65, 0.5)}, 7, 0.002),
    "tj14": (14, 4.0, 0.99363, 0.5, 1, 0, {"Li": (0.5, 0.1), "N": (0.7, -0.1)}, 14, 0.05),
}
RUNS = {
    "li3n": ["unitcell", "snap222_300K", "snap333_1000K", "zbl222_close"],
    "tj8": ["unitcell", "snap222_300K", "snap333_1000K", "zbl222_close"],
    "tj7": ["unitcell", "snap222_300K"],
    "tj14": ["unitcell", "snap222_300K"],
}


def nbispectrum(twojmax):
    n = 0
    for j1 in range(twojmax + 1):
        for j2 in range(j1 + 1):
            for j in range(j1 - j2, min(twojmax, j1 + j2) + 1, 2):
                if j >= j1:
                    n += 1
    return n


def write_model(name):
    tj, rcutfac, rfac0, rmin0, sw, bz, elems, seed, scale = MODELS[name]
    rng = np.random.default_rng(seed)
    nb = nbispectrum(tj)
    with open(os.path.join(DATA, f"snap_{name}.snapparam"), "w") as f:
        f.write(f"# random test model for esnapmd (tests/data/snap_make_refs.py, seed {seed})\n")
        f.write(f"rcutfac {rcutfac}\ntwojmax {tj}\nrfac0 {rfac0}\nrmin0 {rmin0}\n")
        f.write(f"switchflag {sw}\nbzeroflag {bz}\nquadraticflag 0\n")
    with open(os.path.join(DATA, f"snap_{name}.snapcoeff"), "w") as f:
        f.write(f"# random test model for esnapmd (tests/data/snap_make_refs.py, seed {seed}): beta ~ N(0, {scale})\n")
        f.write(f"{len(elems)} {nb + 1}\n")
        for e, (rad, w) in elems.items():
            f.write(f"{e} {rad} {w}\n")
            beta = rng.normal(0.0, scale, nb + 1)
            beta[0] = rng.normal(-3.0, 1.0)
            for b in beta:
                f.write(f"{b:.17g}\n")


def read_xyz(path):
    with open(path) as f:
        n = int(f.readline())
        head = f.readline()
        lat = [float(v) for v in re.search(r'Lattice="([^"]*)"', head).group(1).split()]
        rows = [f.readline().split() for _ in range(n)]
    h = np.array(lat).reshape(3, 3)
    assert h[0, 1] == 0 and h[0, 2] == 0 and h[1, 2] == 0, "cell must be LAMMPS restricted triclinic"
    return h, [r[0] for r in rows], np.array([[float(v) for v in r[1:4]] for r in rows])


def write_data(path, h, species, pos):
    types = {"Li": 1, "N": 2}
    with open(path, "w") as f:
        f.write("esnapmd SNAP reference structure\n\n")
        f.write(f"{len(species)} atoms\n2 atom types\n\n")
        f.write(f"0 {h[0, 0]:.17g} xlo xhi\n0 {h[1, 1]:.17g} ylo yhi\n0 {h[2, 2]:.17g} zlo zhi\n")
        f.write(f"{h[1, 0]:.17g} {h[2, 0]:.17g} {h[2, 1]:.17g} xy xz yz\n\nAtoms # atomic\n\n")
        for i, (s, p) in enumerate(zip(species, pos)):
            f.write(f"{i + 1} {types[s]} {p[0]:.17g} {p[1]:.17g} {p[2]:.17g}\n")


def run(model, struct, tmp):
    h, species, pos = read_xyz(os.path.join(DATA, struct + ".xyz"))
    data = os.path.join(tmp, struct + ".data")
    dump = os.path.join(tmp, f"{model}_{struct}.dump")
    write_data(data, h, species, pos)
    snapdir = os.path.join(ROOT, "potentials") if model == "li3n" else DATA
    cmd = ["lmp", "-nocite", "-log", "none", "-screen", os.path.join(tmp, "screen.txt"),
           "-in", "in.snap_ref", "-var", "DATA", data, "-var", "MODEL", f"in.snap_{model}.mod",
           "-var", "OUTF", dump, "-var", "SNAPDIR", snapdir]
    subprocess.run(cmd, cwd=DECKS, check=True)
    screen = open(os.path.join(tmp, "screen.txt")).read()
    version = re.search(r"LAMMPS \(([^)]*)\)", screen).group(1)
    lines = screen.splitlines()
    k = next(i for i, l in enumerate(lines) if l.split()[:2] == ["Step", "PotEng"])
    vals = [float(v) for v in lines[k + 1].split()]
    pe, pv, vol = vals[1], vals[2:8], vals[8]
    w = [p * vol / NKTV2P for p in pv]
    with open(dump) as f:
        d = f.read().splitlines()
    n = int(d[3])
    atoms = [l.split() for l in d[9:9 + n]]
    nb = len(atoms[0]) - 8
    out = os.path.join(DATA, f"snap_ref_{model}_{struct}.txt")
    with open(out, "w") as f:
        f.write(f"# SNAP-only reference: LAMMPS ({version}), pair_style snap alone, units metal\n")
        f.write(f"# model in.snap_{model}.mod, structure {struct}.xyz; made by tests/data/snap_make_refs.py\n")
        f.write(f"natoms {n}\nnbispectrum {nb}\nenergy {pe:.17g}\n")
        f.write("virial " + " ".join(f"{x:.17g}" for x in w) + "\n")
        f.write("# id fx fy fz (eV/A) B_1..B_K\n")
        for a in atoms:
            f.write(" ".join([a[0]] + a[5:8] + a[8:]) + "\n")
    print(f"{out}: E = {pe:.10f} eV, max |F| = {max(abs(float(x)) for a in atoms for x in a[5:8]):.3f} eV/A")


def main():
    for m in MODELS:
        write_model(m)
    with tempfile.TemporaryDirectory() as tmp:
        for model, structs in RUNS.items():
            for s in structs:
                run(model, s, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
