#!/usr/bin/env python3
"""Regenerate tests/data/coul_lmp_t<BITS>_<name>.xyz and coul_lmp_a5_<name>.xyz with LAMMPS (`lmp` on PATH): Coulomb only as LAMMPS's
pair coul/long 8.0 + kspace_style ewald 1e-12 evaluate it, with `pair_modify table 12` (LAMMPS's default
bitmapped erfc table) and `pair_modify table 0` (its Abramowitz-Stegun polynomial erfc for every pair), on the
five structures of make_coul_zbl_refs.py (zbl_dense has 6 pairs below 1 A and more below tabinner = sqrt(2) A,
so the polynomial branch of the tabulated mode is exercised too) and `ortho`, an orthorhombic 2x1x2 cell of
alpha-Li3N (a, a+2b, c of the hexagonal cell; 32 atoms, displaced randomly by 0.1 A, seed 7) written WITHOUT a
tilt line, so that LAMMPS uses its orthogonal Ewald code (other k-vector rules). coul_lmp_a5_*: snap333_1000K and
ortho at `kspace_style ewald 1e-5` (12-bit tables), where LAMMPS's g_ewald and k-vector choice change the result. Deck: in.coul_lammps. Output
layout as make_coul_zbl_refs.py (energy eV, virial eV, forces eV/A).
Run from anywhere: python3 make_coul_lammps_refs.py   (needs numpy and lmp; not run by the tests)
"""
import os
import re
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_coul_zbl_refs as base  # noqa: E402  (structures, data files, LAMMPS runner, writer)

RC, ACC = 8.0, 1e-12


def make_ortho():
    lat, sp, pos = base.read_xyz(os.path.join(base.DATA, "unitcell.xyz"))
    a, b, c = lat
    o = np.array([a, a + 2 * b, c])  # orthorhombic: (a, 0, 0), (0, sqrt(3) a, 0), (0, 0, c)
    o[np.abs(o) < 1e-12] = 0.0
    sp2, pos2 = [], []
    for t in (np.zeros(3), b):
        for s_, p in zip(sp, pos):
            sp2.append(s_)
            pos2.append(p + t)
    pos2 = np.array(pos2)
    frac = pos2 @ np.linalg.inv(o)
    frac -= np.floor(frac)
    sp3, fr3 = [], []
    for i in range(2):
        for k in range(2):
            for s_, f in zip(sp2, frac):
                sp3.append(s_)
                fr3.append((f + [i, 0, k]) / [2, 1, 2])
    big = o * np.array([[2], [1], [2]])
    rng = np.random.default_rng(7)
    pos3 = np.array(fr3) @ big + rng.normal(0.0, 0.1, size=(len(sp3), 3))
    return big, sp3, pos3


def write_data_ortho(path, lat, sp, pos):
    base.write_data(path, lat, sp, pos)
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write("\n".join(l for l in text.split("\n") if not l.endswith("xy xz yz")))


def main():
    structs = {}
    for name in ("unitcell", "snap222_300K", "snap333_1000K", "zbl222_close"):
        structs[name] = base.read_xyz(os.path.join(base.DATA, name + ".xyz"))
    structs["zbl_dense"] = base.make_dense()
    structs["ortho"] = make_ortho()
    with tempfile.TemporaryDirectory() as tmp:
        for name, (lat, sp, pos) in structs.items():
            data = os.path.join(tmp, name + ".data")
            (write_data_ortho if name == "ortho" else base.write_data)(data, lat, sp, pos)
            for bits in (12, 0):
                e, w, rows, out = base.run_lammps("in.coul_lammps", data, tmp, {"RC": RC, "ACC": ACC, "TABLE": bits})
                g = re.search(r"G vector \(1/distance\) = (\S+)", out).group(1)
                k = re.search(r"kxmax kymax kzmax\s*=\s*(\d+) (\d+) (\d+)", out).groups()
                base.write_ref(os.path.join(base.DATA, "coul_lmp_t%d_%s.xyz" % (bits, name)), lat, e, w, rows,
                               "LAMMPS 22Jul2025 coul/long %g + ewald %g, pair_modify table %d (lammps-inputs/in.coul_lammps); "
                               "g_ewald %s, kxmax kymax kzmax %s" % (RC, ACC, bits, g, " ".join(k)))
                print("%-14s table %2d  g_ewald %s  kmax %s  E_coul %.12f" % (name, bits, g, " ".join(k), e))
            if name in ("snap333_1000K", "ortho"):  # a loose accuracy: LAMMPS's g_ewald and k-vector choice matter
                e, w, rows, out = base.run_lammps("in.coul_lammps", data, tmp, {"RC": RC, "ACC": 1e-5, "TABLE": 12})
                g = re.search(r"G vector \(1/distance\) = (\S+)", out).group(1)
                k = re.search(r"kxmax kymax kzmax\s*=\s*(\d+) (\d+) (\d+)", out).groups()
                base.write_ref(os.path.join(base.DATA, "coul_lmp_a5_%s.xyz" % name), lat, e, w, rows,
                               "LAMMPS 22Jul2025 coul/long %g + ewald 1e-05, pair_modify table 12 (lammps-inputs/in.coul_lammps); "
                               "g_ewald %s, kxmax kymax kzmax %s" % (RC, g, " ".join(k)))
                print("%-14s acc 1e-5  g_ewald %s  kmax %s  E_coul %.12f" % (name, g, " ".join(k), e))


if __name__ == "__main__":
    sys.exit(main())
