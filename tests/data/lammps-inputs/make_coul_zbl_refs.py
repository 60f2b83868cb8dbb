#!/usr/bin/env python3
"""Regenerate tests/data/coul_*.xyz and tests/data/zbl_*.xyz with LAMMPS (`lmp` on PATH).

For each structure: Coulomb only (in.coul_ewald: converged Ewald, see the comment there) and ZBL only
(in.zbl). Output: extended XYZ with Lattice, species, positions (as LAMMPS holds them after read_data),
forces (eV/A), and keys energy (eV) and virial (9 numbers, eV, W_ab = sum r_a F_b = P_ab V / nktv2p).

Structures: the four reference cells of tests/data plus zbl_dense, a 2x2x2 cell compressed to 0.62 of its size,
sheared (general triclinic) and randomly displaced (seed 2024) so that many pairs sit in the ZBL switching
zone (1.0-1.5 A) and below 1.0 A. Run from anywhere: python3 make_coul_zbl_refs.py
Needs numpy (only here, not in the tests).
"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
NKTV2P = 1.6021765e6  # LAMMPS metal: eV/A^3 -> bar
QLI, QN = 0.239, -0.717


def read_xyz(path):
    with open(path) as f:
        n = int(f.readline())
        info = f.readline()
        lat = np.array([float(v) for v in re.search(r'Lattice="([^"]+)"', info).group(1).split()]).reshape(3, 3)
        sp, pos = [], []
        for _ in range(n):
            w = f.readline().split()
            sp.append(w[0])
            pos.append([float(v) for v in w[1:4]])
    return lat, sp, np.array(pos)


def min_distance(lat, pos):
    best = 1e9
    inv = np.linalg.inv(lat)
    for i in range(len(pos)):
        d = pos - pos[i]
        s = d @ inv
        s -= np.round(s)
        for a in (-1, 0, 1):
            for b in (-1, 0, 1):
                for c in (-1, 0, 1):
                    v = (s + [a, b, c]) @ lat
                    r = np.sqrt((v * v).sum(1))
                    if a == b == c == 0:
                        r[i] = 1e9
                    best = min(best, r.min())
    return best


def make_dense():
    lat, sp, pos = read_xyz(os.path.join(DATA, "snap222_300K.xyz"))
    frac = pos @ np.linalg.inv(lat)
    lat2 = lat * 0.62
    lat2[2, 0] += 0.45  # xz, yz tilts: restricted triclinic form a=(lx,0,0), b=(xy,ly,0), c=(xz,yz,lz)
    lat2[2, 1] -= 0.30
    rng = np.random.default_rng(2024)
    pos2 = frac @ lat2 + rng.normal(0.0, 0.15, size=pos.shape)
    return lat2, sp, pos2


def write_data(path, lat, sp, pos):
    assert abs(lat[0, 1]) < 1e-12 and abs(lat[0, 2]) < 1e-12 and abs(lat[1, 2]) < 1e-12, "cell must be lower-triangular"
    with open(path, "w") as f:
        f.write("esnapmd test structure\n\n%d atoms\n2 atom types\n\n" % len(sp))
        f.write("0 %.17g xlo xhi\n0 %.17g ylo yhi\n0 %.17g zlo zhi\n" % (lat[0, 0], lat[1, 1], lat[2, 2]))
        f.write("%.17g %.17g %.17g xy xz yz\n\nAtoms # charge\n\n" % (lat[1, 0], lat[2, 0], lat[2, 1]))
        for i, (s, p) in enumerate(zip(sp, pos)):
            t = 1 if s == "Li" else 2
            f.write("%d %d %.3f %.17g %.17g %.17g\n" % (i + 1, t, QLI if t == 1 else QN, p[0], p[1], p[2]))


def run_lammps(deck, data, tmp, extra):
    dump = os.path.join(tmp, "out.dump")
    cmd = ["lmp", "-in", os.path.join(HERE, deck), "-var", "DATA", data, "-var", "OUTF", dump, "-log", "none"]
    for k, v in extra.items():
        cmd += ["-var", k, str(v)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=tmp).stdout
    lines = out.splitlines()
    k = [i for i, l in enumerate(lines) if l.split()[:1] == ["Step"]][0]
    head, vals = lines[k].split(), [float(v) for v in lines[k + 1].split()]
    th = dict(zip(head, vals))
    with open(dump) as f:
        dl = f.read().splitlines()
    start = [i for i, l in enumerate(dl) if l.startswith("ITEM: ATOMS")][0]
    rows = np.array([[float(v) for v in l.split()] for l in dl[start + 1:]])
    vol = th["Volume"]
    p = [th["c_pv[%d]" % k] for k in range(1, 7)]  # xx yy zz xy xz yz (bar)
    w = np.array([[p[0], p[3], p[4]], [p[3], p[1], p[5]], [p[4], p[5], p[2]]]) * vol / NKTV2P
    return th["PotEng"], w, rows, out


def write_ref(path, lat, energy, w, rows, comment):
    with open(path, "w") as f:
        f.write("%d\n" % len(rows))
        f.write('Lattice="%s" Properties=species:S:1:pos:R:3:forces:R:3 energy=%.17g virial="%s" units="eV A eV/A" '
                'source="%s" pbc="T T T"\n' % (" ".join("%.17g" % v for v in lat.ravel()), energy,
                                               " ".join("%.17g" % v for v in w.ravel()), comment))
        for r in rows:
            f.write("%s %s\n" % ("Li" if int(r[1]) == 1 else "N", " ".join("%.17g" % v for v in r[2:8])))


def main():
    structs = {}
    for name in ("unitcell", "snap222_300K", "snap333_1000K", "zbl222_close"):
        structs[name] = read_xyz(os.path.join(DATA, name + ".xyz"))
    structs["zbl_dense"] = make_dense()
    with tempfile.TemporaryDirectory() as tmp:
        for name, (lat, sp, pos) in structs.items():
            data = os.path.join(tmp, name + ".data")
            write_data(data, lat, sp, pos)
            rmin = min_distance(lat, pos)
            gew = 7.0 / rmin
            e, w, rows, out = run_lammps("in.coul_ewald", data, tmp, {"GEWALD": "%.6f" % gew, "RC": "%.4f" % rmin})
            write_ref(os.path.join(DATA, "coul_%s.xyz" % name), lat, e, w, rows,
                      "LAMMPS coul/long + ewald 1e-16 gewald %.6f (lammps-inputs/in.coul_ewald)" % gew)
            m = re.search(r"KSpace vectors: actual max1d max3d = (\d+)", out)
            print("%-14s rmin %.4f  gewald %.4f  k-vectors %s  E_coul %.12f" % (name, rmin, gew, m.group(1) if m else "?", e))
            e, w, rows, _ = run_lammps("in.zbl", data, tmp, {})
            write_ref(os.path.join(DATA, "zbl_%s.xyz" % name), lat, e, w, rows, "LAMMPS pair zbl 1.0 1.5 (lammps-inputs/in.zbl)")
            print("%-14s E_zbl %.12f" % (name, e))


if __name__ == "__main__":
    sys.exit(main())
