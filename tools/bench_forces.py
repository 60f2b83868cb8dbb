#!/usr/bin/env python3
"""Force-evaluation throughput of esnapmd against a CPU LAMMPS, side by side on the same frames.

    python3 tools/bench_forces.py [--esnapmd build/esnapmd] [--lmp lmp] [--mpirun mpirun] [--sizes 5,10]
                                  [--frames 20,5] [--threads 1,2] [--repeat 3] [--out bench/results/forces_cpu_DATE.md]

For each Li3N supercell size N (N x N x N unit cells, 4 N^3 atoms) it writes K frames (the perfect crystal with
independent Gaussian displacements, sigma 0.1 A, seed 1000 + frame; positions wrapped into the cell) as
multi-frame extended XYZ for `esnapmd eval` and as a LAMMPS data file + dump for LAMMPS `rerun`. Then:
  - esnapmd eval FRAMES.xyz (the bundled model: SNAP + ZBL + PME 1e-5, esnapmd's own real-space cutoff) with
    OMP_NUM_THREADS = each of --threads; throughput from eval's "timing:" line (force evaluations alone:
    neighbour lists, SNAP, Coulomb, ZBL; reading and writing excluded);
  - LAMMPS `rerun` with the same model as the project's LAMMPS baseline (tests/data/lammps-inputs/esnap.mod:
    coul/long 8 + snap + zbl, kspace_style pppm 1e-5) under `mpirun -np P` (P = each of --threads, one OpenMP
    thread per rank); throughput from rerun's "Loop time" (all frames: neighbour lists and forces, plus reading
    each frame from the dump, which LAMMPS does not time separately: ~1 % here).
Each measurement is repeated --repeat times and the best is kept (the machine is shared). The table reports
atom-evaluations per second (atoms x frames / force-evaluation wall time) and the ratio esnapmd / LAMMPS at
the same core count, with the machine (lscpu), date, commit and the load average before and after.
Standard library only. LAMMPS is optional: without `lmp` on PATH its columns say "n/a".
"""
import argparse
import datetime
import math
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
A, C, BY = 3.65069, 3.888635, 3.16159  # alpha-Li3N cell (data.li3n of the SNAP repository): A, A, A
UNIT = [("N", (0.0, 0.0, 0.0)), ("Li", (0.0, 0.0, 0.5)), ("Li", (1 / 3, 2 / 3, 0.0)), ("Li", (2 / 3, 1 / 3, 0.0))]
QLI, QN = 0.239, -0.717

LAMMPS_DECK = """# LAMMPS rerun of the benchmark frames with the eSNAP model (written by tools/bench_forces.py)
units metal
atom_style charge
boundary p p p
box tilt large
read_data frames.data
mass 1 6.941
mass 2 14.0067
variable rc equal 8.0
include esnap.mod
kspace_style pppm 1.0e-5
thermo_style custom step pe
thermo 1
rerun frames.dump dump x y z box yes
"""


def supercell(n):
    cell = [(n * A, 0.0, 0.0), (-n * A / 2, n * BY, 0.0), (0.0, 0.0, n * C)]
    sp, frac = [], []
    for i in range(n):
        for j in range(n):
            for k in range(n):
                for s, f in UNIT:
                    sp.append(s)
                    frac.append(((f[0] + i) / n, (f[1] + j) / n, (f[2] + k) / n))
    return cell, sp, frac


def frame(cell, frac, seed, sigma=0.1):
    """Cartesian positions: lattice sites + Gaussian displacements, wrapped into the cell."""
    rng = random.Random(seed)
    (ax, _, _), (bx, by, _), (_, _, cz) = cell
    out = []
    for f in frac:
        x = f[0] * ax + f[1] * bx + rng.gauss(0, sigma)
        y = f[1] * by + rng.gauss(0, sigma)
        z = f[2] * cz + rng.gauss(0, sigma)
        # wrap: fractional coordinates of the lower-triangular cell
        s2 = z / cz
        s1 = y / by
        s0 = (x - s1 * bx) / ax
        s0, s1, s2 = s0 - math.floor(s0), s1 - math.floor(s1), s2 - math.floor(s2)
        out.append((s0 * ax + s1 * bx, s1 * by, s2 * cz))
    return out


def write_inputs(d, n, nframes):
    cell, sp, frac = supercell(n)
    frames = [frame(cell, frac, 1000 + k) for k in range(nframes)]
    lat = " ".join("%.10f" % v for row in cell for v in row)
    with open(os.path.join(d, "frames.xyz"), "w") as f:
        for k, pos in enumerate(frames):
            f.write("%d\nLattice=\"%s\" Properties=species:S:1:pos:R:3 frame=%d pbc=\"T T T\"\n" % (len(sp), lat, k))
            for s, p in zip(sp, pos):
                f.write("%s %.10f %.10f %.10f\n" % (s, p[0], p[1], p[2]))
    lx, xy, ly, lz = cell[0][0], cell[1][0], cell[1][1], cell[2][2]
    with open(os.path.join(d, "frames.data"), "w") as f:
        f.write("Li3N %dx%dx%d benchmark frame 0 (tools/bench_forces.py)\n\n%d atoms\n2 atom types\n\n" % (n, n, n, len(sp)))
        f.write("0 %.10f xlo xhi\n0 %.10f ylo yhi\n0 %.10f zlo zhi\n%.10f 0 0 xy xz yz\n\nAtoms # charge\n\n" % (lx, ly, lz, xy))
        for i, (s, p) in enumerate(zip(sp, frames[0])):
            t = 1 if s == "Li" else 2
            f.write("%d %d %.3f %.10f %.10f %.10f\n" % (i + 1, t, QLI if t == 1 else QN, p[0], p[1], p[2]))
    with open(os.path.join(d, "frames.dump"), "w") as f:
        for k, pos in enumerate(frames):
            f.write("ITEM: TIMESTEP\n%d\nITEM: NUMBER OF ATOMS\n%d\nITEM: BOX BOUNDS xy xz yz pp pp pp\n" % (k, len(sp)))
            f.write("%.10f %.10f %.10f\n" % (min(0.0, xy), lx + max(0.0, xy), xy))
            f.write("0 %.10f 0\n0 %.10f 0\nITEM: ATOMS id type x y z\n" % (ly, lz))
            for i, (s, p) in enumerate(zip(sp, pos)):
                f.write("%d %d %.10f %.10f %.10f\n" % (i + 1, 1 if s == "Li" else 2, p[0], p[1], p[2]))
    shutil.copy(os.path.join(ROOT, "tests/data/lammps-inputs/esnap.mod"), os.path.join(d, "esnap.mod"))
    shutil.copy(os.path.join(ROOT, "potentials/li3n_esnap.snapcoeff"), os.path.join(d, "Li3N.snapcoeff"))
    shutil.copy(os.path.join(ROOT, "potentials/li3n_esnap.snapparam"), os.path.join(d, "Li3N.snapparam"))
    with open(os.path.join(d, "in.rerun"), "w") as f:
        f.write(LAMMPS_DECK)
    return len(sp)


def env_threads(t):
    e = dict(os.environ)
    e["OMP_NUM_THREADS"] = str(t)
    e["OMP_PROC_BIND"] = "false"
    return e


def timed_run(cmd, threads, cwd, cores):
    """Run a command; returns (CompletedProcess, share): share = its CPU time / (wall time x cores) — below 1
    when other processes took the CPUs (or when the code idles)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env_threads(threads), cwd=cwd)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return out, cpu / (wall * cores) if wall > 0 else 0.0


def run_esnapmd(exe, d, threads):
    out, share = timed_run([exe, "eval", os.path.join(d, "frames.xyz")], threads, d, threads)
    if out.returncode != 0:
        raise RuntimeError("esnapmd eval failed: " + out.stdout[-2000:] + out.stderr[-2000:])
    m = re.search(r"timing: (\d+) frames?, (\d+) atom-evaluations in (\S+) s", out.stdout)
    coul = re.search(r"# Coulomb: (.*)", out.stdout)
    if not m:
        raise RuntimeError("no timing line in esnapmd eval output:\n" + out.stdout[-2000:])
    evals, t = int(m.group(2)), float(m.group(3))
    st = re.search(r"\((\S+) after the first frame\)", out.stdout)
    steady = float(st.group(1)) if st else evals / t
    energies = [float(l.split()[2]) for l in out.stdout.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    return evals / t, energies, coul.group(1) if coul else "", share, steady


def run_lammps(lmp, mpirun, d, ranks):
    cmd = ([mpirun, "-np", str(ranks)] if mpirun else []) + [lmp, "-in", "in.rerun", "-log", "none", "-echo", "none"]
    out, share = timed_run(cmd, 1, d, ranks)
    if out.returncode != 0:
        raise RuntimeError("LAMMPS failed: " + out.stdout[-2000:] + out.stderr[-2000:])
    text = out.stdout
    m = re.search(r"Loop time of (\S+) on (\d+) procs for (\d+) steps with (\d+) atoms", text)
    if not m or int(m.group(2)) != ranks:
        raise RuntimeError("unexpected LAMMPS output (ranks?):\n" + text[-3000:])
    t = float(m.group(1))
    energies = [float(v) for v in re.findall(r"^\s*\d+\s+(-?\d+\.\d+)\s*$", text[:m.start()], re.M)]
    frames = len(energies)
    grid = re.search(r"grid = (\d+ \d+ \d+)", text)
    gew = re.search(r"G vector \(1/distance\) = (\S+)", text)
    return frames * int(m.group(4)) / t, energies, frames, "pppm grid %s, g_ewald %s" % (grid.group(1) if grid else "?", gew.group(1) if gew else "?"), share


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--esnapmd", default=os.path.join(ROOT, "build", "esnapmd"))
    ap.add_argument("--lmp", default=shutil.which("lmp") or "")
    ap.add_argument("--mpirun", default=shutil.which("mpirun") or "")
    ap.add_argument("--sizes", default="5,10")
    ap.add_argument("--frames", default="20,5", help="frames per size (one value, or one per size)")
    ap.add_argument("--threads", default="1,2", help="esnapmd OpenMP threads = LAMMPS MPI ranks")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default="", help="also write the report (markdown) here")
    a = ap.parse_args()
    sizes = [int(v) for v in a.sizes.split(",")]
    nfr = [int(v) for v in a.frames.split(",")]
    nfr = nfr * len(sizes) if len(nfr) == 1 else nfr
    threads = [int(v) for v in a.threads.split(",")]
    if not os.access(a.esnapmd, os.X_OK):
        sys.exit("bench_forces: %s is not an executable (build first, or give --esnapmd)" % a.esnapmd)
    have_lmp = bool(a.lmp) and os.access(a.lmp, os.X_OK)
    load0 = os.getloadavg()
    rows, notes = [], []
    for n, k in zip(sizes, nfr):
        with tempfile.TemporaryDirectory(prefix="bench_forces_") as d:
            natoms = write_inputs(d, n, k)
            de_max = 0.0  # same model, same frames: energies agree to the two Coulomb solvers' accuracy
            for t in threads:
                best_e, best_l, info_e, info_l, sh_e, sh_l, best_s = 0.0, 0.0, "", "", 0.0, 0.0, 0.0
                for _ in range(a.repeat):
                    r, ee, info_e, share, steady = run_esnapmd(a.esnapmd, d, t)
                    best_s = max(best_s, steady)
                    if r > best_e:
                        best_e, sh_e = r, share
                    if have_lmp and (t == 1 or a.mpirun):  # several ranks need mpirun
                        r, el, fr, info_l, share = run_lammps(a.lmp, a.mpirun, d, t)
                        if fr != k or len(ee) != k:
                            raise RuntimeError("processed %d (LAMMPS) and %d (esnapmd) frames, expected %d" % (fr, len(ee), k))
                        if r > best_l:
                            best_l, sh_l = r, share
                        de_max = max(de_max, max(abs(x - y) for x, y in zip(ee, el)) / natoms)
                rows.append((natoms, k, t, best_e, best_l, sh_e, sh_l, best_s))
                print("%6d atoms  %3d frames  %d thread(s)/rank(s): esnapmd %.4g, LAMMPS %s atom-evaluations/s" %
                      (natoms, k, t, best_e, "%.4g" % best_l if best_l else "n/a"), flush=True)
            notes.append("%d atoms: esnapmd %s; LAMMPS %s; largest energy difference between the two %s eV/atom" %
                         (natoms, info_e, info_l or "n/a", "%.1e" % de_max if have_lmp else "n/a"))
    load1 = os.getloadavg()
    commit = sh("git -C '%s' rev-parse --short=12 HEAD" % ROOT) + (" (modified)" if sh("git -C '%s' status --porcelain --untracked-files=no" % ROOT) else "")
    cpu = sh("lscpu | sed -n 's/^Model name: *//p'") or "unknown CPU"
    cores = os.cpu_count()
    lver = "not installed"
    if have_lmp:
        mv = re.search(r"Parallel Simulator - (.+)", sh("'%s' -h | head -3" % a.lmp))
        lver = mv.group(1).strip() if mv else "unknown version"
    lines = []
    lines.append("# Force-evaluation throughput: esnapmd vs CPU LAMMPS (eSNAP Li3N, SNAP + ZBL + long-range Coulomb at 1e-5)")
    lines.append("")
    lines.append("- date: %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))
    lines.append("- machine: %s, %d logical CPUs; load average %.2f / %.2f / %.2f before, %.2f / %.2f / %.2f after "
                 "(shared machine: other jobs ran alongside)" % ((cpu, cores) + load0 + load1))
    lines.append("- esnapmd commit %s (%s); LAMMPS %s (%s, `%s -np P`, 1 OpenMP thread per rank)" %
                 (commit, a.esnapmd, lver, a.lmp or "-", a.mpirun or "no mpirun"))
    lines.append("- command: `python3 tools/bench_forces.py %s`" % " ".join(sys.argv[1:]))
    lines.append("- frames: perfect alpha-Li3N N x N x N supercells with Gaussian displacements (sigma 0.1 A), wrapped; "
                 "best of %d repeats; atom-evaluations/s = atoms x frames / force-evaluation wall time "
                 "(esnapmd: eval's timing line, all frames; LAMMPS: rerun's loop time, all frames)" % a.repeat)
    for s in notes:
        lines.append("- %s" % s)
    lines.append("")
    lines.append("| atoms | frames | threads (esnapmd) = MPI ranks (LAMMPS) | esnapmd atom-evals/s | LAMMPS atom-evals/s "
                 "| esnapmd / LAMMPS | esnapmd after the first frame | CPU share esnapmd / LAMMPS |")
    lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for natoms, k, t, e, l, se, sl, es in rows:
        lines.append("| %d | %d | %d | %.3g | %s | %s | %.3g | %.0f %% / %s |" % (
            natoms, k, t, e, "%.3g" % l if l else "n/a", "%.2f" % (e / l) if l else "n/a", es, 100 * se,
            "%.0f %%" % (100 * sl) if l else "n/a"))
    lines.append("")
    lines.append("esnapmd's first frame also chooses the PME mesh and builds its plans and lists (LAMMPS does that before "
                 "its timed loop); the column 'after the first frame' leaves it out. CPU share: the process's CPU time / "
                 "(its wall time x threads or ranks) for the run kept; below 100 % when other jobs took the cores (or, "
                 "for esnapmd, while it reads the frames on one thread).")
    report = "\n".join(lines) + "\n"
    print()
    print(report)
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            f.write(report)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, a.out)
        print("written to %s" % a.out)


if __name__ == "__main__":
    main()
