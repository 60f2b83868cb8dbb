#!/usr/bin/env python3
"""Compare `esnapmd analyze` tracer diffusivities with kinisi's (Bayesian regression of the MSD with its
random-walk covariance; McCluskey et al., JCTC 2024) on the same LAMMPS dump and the same fit window.

Not a CI test (kinisi is not a CI dependency): `pip install kinisi`, build esnapmd, then

    python3 tools/kinisi_compare.py tests/data/lammps_li_1200K.dump.gz --timestep 0.001 \
        --fit-window 2 25 --temperature 1200 --esnapmd build/esnapmd

The dump is read here with a small parser (`id xu yu zu` or `id type xu yu zu` columns, triclinic boxes) and
handed to kinisi's base Parser as fractional coordinates wrapped into the cell (kinisi unwraps them again; no
ASE or pymatgen involved). kinisi fits lags from T0 to T1 (its dt grid is cut at T1); esnapmd fits the same
lags with ordinary least squares. Both use eq. 13 of Deng et al. (D = slope/(2d)).
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def read_dump(path):
    """Return (steps, cells[T,3,3] rows = a b c, unwrapped positions [T,N,3]) sorted by id."""
    op = gzip.open if path.endswith(".gz") else open
    steps, cells, frames = [], [], []
    with op(path, "rt") as f:
        while True:
            line = f.readline()
            if not line:
                break
            if not line.startswith("ITEM: TIMESTEP"):
                continue
            steps.append(int(f.readline()))
            assert f.readline().startswith("ITEM: NUMBER OF ATOMS")
            n = int(f.readline())
            head = f.readline()
            tri = "xy" in head
            b = [list(map(float, f.readline().split())) for _ in range(3)]
            xy, xz, yz = (b[0][2], b[1][2], b[2][2]) if tri else (0.0, 0.0, 0.0)
            xlo = b[0][0] - min(0.0, xy, xz, xy + xz)
            xhi = b[0][1] - max(0.0, xy, xz, xy + xz)
            ylo = b[1][0] - min(0.0, yz)
            yhi = b[1][1] - max(0.0, yz)
            cells.append(np.array([[xhi - xlo, 0, 0], [xy, yhi - ylo, 0], [xz, yz, b[2][1] - b[2][0]]]))
            cols = f.readline().split()[2:]
            data = np.loadtxt([f.readline() for _ in range(n)], ndmin=2)
            ids = data[:, cols.index("id")]
            pos = data[:, [cols.index(c) for c in ("xu", "yu", "zu")]]
            frames.append(pos[np.argsort(ids)])
    return np.array(steps), np.array(cells), np.array(frames)


def kinisi_d(frac, cells, dt_frame, t0, t1, dimension, seed):
    import scipp as sc
    from kinisi.analyze import DiffusionAnalyzer
    from kinisi.displacement import calculate_msd
    from kinisi.parser import Parser

    class ArrayParser(Parser):  # kinisi's base parser fed with arrays
        def get_indices(self, structure, specie):
            raise NotImplementedError

        def get_drift_indices(self, structure, specie_indices):
            raise NotImplementedError

    # the first frame twice, as kinisi's own file parsers do
    coords = np.concatenate([frac[:1], frac], axis=0)
    latt = np.concatenate([cells[:1], cells], axis=0)
    nlag = int(round(t1 / dt_frame))
    p = ArrayParser(
        coords=sc.array(dims=["time", "particle", "dimension"], values=coords, unit=sc.units.dimensionless),
        latt=sc.array(dims=["time", "dimension1", "dimension2"], values=latt, unit=sc.units.angstrom),
        time_step=sc.scalar(dt_frame, unit=sc.Unit("ps")),
        step_skip=sc.scalar(1, unit=sc.units.dimensionless),
        dt=sc.arange("time interval", 1, nlag + 1) * sc.scalar(dt_frame, unit=sc.Unit("ps")),
        specie_indices=sc.array(dims=["particle"], values=np.arange(frac.shape[1])),
        drift_indices=sc.array(dims=["particle"], values=np.array([], dtype=int)),
        dimension=dimension,
    )
    a = DiffusionAnalyzer(p)
    a._dg = calculate_msd(p, progress=False)
    a.diffusion(sc.scalar(t0, unit=sc.Unit("ps")), progress=False, random_state=np.random.RandomState(seed))
    d = sc.to_unit(a.D, "cm^2/s").values
    return float(np.mean(d)), float(np.std(d, ddof=1)), np.percentile(d, [2.5, 97.5])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dump")
    ap.add_argument("--timestep", type=float, required=True, help="MD timestep (ps); frame time = TIMESTEP x this")
    ap.add_argument("--fit-window", type=float, nargs=2, default=[2.0, 25.0], metavar=("T0", "T1"))
    ap.add_argument("--temperature", type=float, default=1200.0)
    ap.add_argument("--esnapmd", default="build/esnapmd")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t0, t1 = args.fit_window

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [args.esnapmd, "analyze", args.dump, "--timestep", str(args.timestep), "--fit-window", str(t0), str(t1),
               "--temperature", str(args.temperature), "--quiet", "-o", tmp]
        subprocess.run(cmd, check=True)
        with open(os.path.join(tmp, "summary.json")) as f:
            s = json.load(f)
    print("esnapmd:", " ".join(cmd[:-2]), "-o DIR")
    print("uncertainty (esnapmd):", s["uncertainty"]["method"])

    steps, cells, pos = read_dump(args.dump)
    dt_frame = (steps[1] - steps[0]) * args.timestep
    inv = np.linalg.inv(cells)
    frac = np.einsum("tnd,tdk->tnk", pos, inv)
    frac -= np.floor(frac)  # wrapped into the cell; kinisi unwraps
    print(f"kinisi {__import__('kinisi').__version__}: {pos.shape[1]} atoms, {pos.shape[0]} frames every {dt_frame:g} ps, "
          f"lags {dt_frame:g}-{t1:g} ps, diffusion from {t0:g} ps")
    print(f"{'component':10s} {'esnapmd D* (cm^2/s)':>28s} {'kinisi D* (cm^2/s)':>28s} {'kinisi 95% interval':>26s} {'diff/combined sd':>17s}")
    worst = 0.0
    for comp in ("xyz", "xy", "z"):
        ev, ee = s[f"D_tracer_{comp}"]["value"], s[f"D_tracer_{comp}"]["stderr"]
        kv, ke, ci = kinisi_d(frac, cells, dt_frame, t0, t1, comp, args.seed)
        z = (ev - kv) / (ee * ee + ke * ke) ** 0.5
        worst = max(worst, abs(z))
        print(f"{comp:10s} {ev:14.4e} ± {ee:9.2e} {kv:14.4e} ± {ke:9.2e}   [{ci[0]:.4e}, {ci[1]:.4e}] {z:+17.2f}")
    print("agree within 2 combined standard errors" if worst < 2 else "DISAGREE beyond 2 combined standard errors")
    return 0 if worst < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
