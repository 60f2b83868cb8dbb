"""The esnapmd Python package (python/esnapmd, ctypes over libesnapmd) against `esnapmd eval` and against itself.

    check_calculator.py ESNAPMD_BINARY DATA_DIR SCRATCH_DIR

Checks, each printing one "ok:" line or raising (exit 1):
  1. on every LAMMPS reference configuration of tests/data (unitcell, snap222_300K, snap333_1000K, zbl222_close),
     with the model's PME and with converged Ewald, the ASE calculator's energy, free_energy, forces, stress
     and per-atom energies equal `esnapmd eval --energies -o` to 1e-10 relative (of the largest entry);
  2. forces and stress equal central finite differences of the energy through ASE
     (Calculator.calculate_numerical_forces / calculate_numerical_stress);
  3. a batch (evaluate_batch and ESNAP.evaluate_batch; different sizes and cells in one batch) equals its
     structures evaluated one by one, bit for bit, in input order, also without per-atom energies (the
     structures then run as the replicas of one MD backend, the path that shares kernel launches on a GPU);
  4. a cell smaller than twice the cutoffs (the 4-atom unit cell) gives the per-cell energy of its 3x3x3
     supercell (periodic images are included);
  5. bad input raises EsnapError with the library's message: unknown element, wrong positions shape,
     non-periodic cell, NaN position, overlapping atoms, missing model file, bad coulomb/device option;
  6. one model per thread: threads evaluating at the same time (ctypes releases the GIL) get the results of
     sequential evaluation (1e-12 relative: OpenMP teams of another size would only change the round-off).
Environment: ESNAPMD_LIBRARY (the library under test), PYTHONPATH including python/.
"""
import os
import subprocess
import sys
import threading

import numpy as np
from ase.io import read

import esnapmd
from esnapmd import ESNAP, EsnapError, evaluate_batch

try:  # ASE >= 3.23
    from ase.calculators.fd import calculate_numerical_forces, calculate_numerical_stress
except ImportError:
    def calculate_numerical_forces(atoms, eps):
        return atoms.calc.calculate_numerical_forces(atoms, d=eps)

    def calculate_numerical_stress(atoms, eps):
        return atoms.calc.calculate_numerical_stress(atoms, d=eps, voigt=True)

BIN, DATA, SCRATCH = sys.argv[1], sys.argv[2], sys.argv[3]
REFS = ["unitcell", "snap222_300K", "snap333_1000K", "zbl222_close"]
SETTINGS = [("pme (the model's)", {}, []), ("ewald 1e-10", {"coulomb": "ewald", "accuracy": 1e-10},
                                             ["--coulomb", "ewald", "--accuracy", "1e-10"])]


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def fresh(name):
    a = read(os.path.join(DATA, name + ".xyz"))
    a.calc = None
    return a


# 1. the calculator equals esnapmd eval
worst = 0.0
for label, kw, args in SETTINGS:
    calc = ESNAP(device="cpu", **kw)
    for name in REFS:
        out = os.path.join(SCRATCH, "%s_%s.xyz" % (name, kw.get("coulomb", "pme")))
        subprocess.run([BIN, "eval", os.path.join(DATA, name + ".xyz"), "-o", out, "--energies", "--device", "cpu"] + args,
                       check=True, stdout=subprocess.DEVNULL)
        ref = read(out).calc.results
        a = fresh(name)
        a.calc = calc
        got = {"energy": a.get_potential_energy(), "free_energy": a.get_potential_energy(force_consistent=True),
               "forces": a.get_forces(), "stress": a.get_stress(), "energies": a.get_potential_energies()}
        for key in ["energy", "forces", "stress", "energies"]:
            d = rel(got[key], ref[key])
            worst = max(worst, d)
            assert d <= 1e-10, "%s %s: %s differs from esnapmd eval by %.3g relative" % (name, label, key, d)
        assert got["free_energy"] == got["energy"]
        assert abs(np.sum(got["energies"]) - got["energy"]) <= 1e-10 * abs(got["energy"]), "%s: per-atom energies do not sum to the energy" % name
print("ok: calculator = esnapmd eval on %d reference configurations x %d Coulomb settings (largest relative difference %.2g)"
      % (len(REFS), len(SETTINGS), worst))

# 2. finite differences through ASE (converged Ewald: parameters change smoothly enough with the cell)
calc = ESNAP(device="cpu", coulomb="ewald", accuracy=1e-10)
for name, idx in [("unitcell", None), ("zbl222_close", [0, 1, 2])]:
    a = fresh(name)
    if name == "zbl222_close":  # the closest pair is inside the ZBL switching zone: take its atoms
        d = a.get_all_distances(mic=True) + 1e9 * np.eye(len(a))
        i, j = np.unravel_index(np.argmin(d), d.shape)
        idx = [int(i), int(j)]
    a.calc = calc
    f = a.get_forces()
    s = a.get_stress()
    fnum = calculate_numerical_forces(a, 1e-4)
    snum = calculate_numerical_stress(a, 1e-5)
    sel = slice(None) if idx is None else idx
    df = float(np.max(np.abs(f[sel] - fnum[sel])))
    ds = float(np.max(np.abs(s - snum)))
    assert df < 2e-5, "%s: forces differ from finite differences by %.3g eV/A" % (name, df)
    assert ds < 2e-6, "%s: stress differs from finite differences by %.3g eV/A^3" % (name, ds)
    print("ok: %s forces and stress = finite differences (max |dF| %.2g eV/A, |dS| %.2g eV/A^3)" % (name, df, ds))

# 3. batch = one by one, sizes and cells mixed
structs = [fresh(n) for n in ["snap222_300K", "unitcell", "snap333_1000K", "zbl222_close"]]
r = structs[1].copy()
r.rattle(0.05, seed=3)
r.set_cell(r.cell * 1.01, scale_atoms=True)
structs.insert(2, r)
for label, kw, _ in SETTINGS:
    calc = ESNAP(device="cpu", **kw)
    batch = evaluate_batch(structs, device="cpu", **kw)
    batch2 = calc.evaluate_batch(structs)
    # without per-atom energies the batch runs as the replicas of one MD backend (the GPU path's machinery)
    together = calc.model.evaluate(structs, energies=False)
    assert len(batch) == len(structs) == len(batch2) == len(together)
    for k, a in enumerate(structs):
        a = a.copy()
        a.calc = calc
        one = {"energy": a.get_potential_energy(), "forces": a.get_forces(), "stress": a.get_stress(),
               "energies": a.get_potential_energies()}
        for b in (batch, batch2):
            assert set(b[k]) == {"energy", "forces", "stress", "energies"}
            for key in one:
                assert np.array_equal(np.asarray(b[k][key]), np.asarray(one[key])), \
                    "%s: batch entry %d (%d atoms) %s differs from the single evaluation" % (label, k, len(a), key)
        assert together[k]["energies"] is None
        for key in ("energy", "forces", "stress"):
            assert np.array_equal(np.asarray(together[k][key]), np.asarray(one[key])), \
                "%s: replica-batch entry %d (%d atoms) %s differs from the single evaluation" % (label, k, len(a), key)
print("ok: batches of %d structures (%s atoms), with per-atom energies and as backend replicas, equal one-by-one "
      "evaluation bit for bit"
      % (len(structs), ", ".join(str(len(a)) for a in structs)))

# 4. small cell: periodic images
u = fresh("unitcell")
u.calc = ESNAP(device="cpu", coulomb="ewald", accuracy=1e-10)
e1 = u.get_potential_energy()
big = u.repeat((3, 3, 3))
big.calc = u.calc
e27 = big.get_potential_energy()
assert abs(e27 / 27 - e1) < 1e-8 * abs(e1), "unit cell %.12f vs supercell/27 %.12f" % (e1, e27 / 27)
print("ok: 4-atom cell (smaller than the cutoffs) = 3x3x3 supercell / 27 (difference %.2g eV)" % abs(e27 / 27 - e1))


# 5. bad input
def expect_error(what, fn, *needles):
    try:
        fn()
    except EsnapError as e:
        msg = str(e)
        for n in needles:
            assert n in msg, "%s: message %r lacks %r" % (what, msg, n)
        print("ok: %s -> EsnapError (status %d): %s" % (what, e.status, msg))
        return
    raise AssertionError("%s: no EsnapError" % what)


calc = ESNAP(device="cpu")


def with_calc(a):
    a.calc = calc
    return a.get_potential_energy()


a = fresh("unitcell")
a.numbers[3] = 8
expect_error("unknown element", lambda: with_calc(a), "structure 0: atom 4: element 'O' is not in the model", "elements Li N")
a = fresh("unitcell")
a.arrays["positions"] = np.zeros((4, 2))
expect_error("wrong positions shape", lambda: with_calc(a), "positions have shape (4, 2), expected (4, 3)")
a = fresh("unitcell")
a.pbc = [True, True, False]
expect_error("non-periodic cell", lambda: with_calc(a), "not periodic along c", "only fully periodic cells")
a = fresh("unitcell")
a.positions[2, 1] = np.nan
expect_error("NaN position", lambda: with_calc(a), "structure 0: atom 3 has a non-finite coordinate")
a = fresh("unitcell")
a.positions[1] = a.positions[0] + 0.05
expect_error("overlapping atoms", lambda: with_calc(a), "atoms 1 and 2 are", "apart")
expect_error("batch: bad structure named by index",
             lambda: evaluate_batch([fresh("unitcell"), a], device="cpu"), "structure 1:")
expect_error("missing model file", lambda: ESNAP(model=os.path.join(SCRATCH, "none.model")), "none.model", "cannot open")
expect_error("bad accuracy", lambda: ESNAP(coulomb="ewald", accuracy=2.0), "accuracy 2")
expect_error("bad coulomb", lambda: ESNAP(coulomb="pppm"), "coulomb='pppm'")
expect_error("bad device", lambda: ESNAP(device="tpu"), "device='tpu'")
# 6. concurrent evaluation, one model per thread
jobs = [fresh(n) for n in ["snap333_1000K", "snap222_300K", "zbl222_close", "snap333_1000K"]]
seq = [evaluate_batch([a], device="cpu")[0] for a in jobs]
par = [None] * len(jobs)


def work(k):
    m = esnapmd.Model(device="cpu")
    for _ in range(3):
        par[k] = m.evaluate([jobs[k]])[0]


threads = [threading.Thread(target=work, args=(k,)) for k in range(len(jobs))]
for t in threads:
    t.start()
for t in threads:
    t.join()
for k in range(len(jobs)):
    for key in ["energy", "forces", "stress", "energies"]:
        d = rel(par[k][key], seq[k][key])
        assert d <= 1e-12, "thread %d: %s differs from sequential evaluation by %.3g relative" % (k, key, d)
print("ok: %d threads with a model each = sequential evaluation" % len(jobs))

print("ok: all checks passed (library %s, %s)" % (esnapmd.library_path(), esnapmd.version()))
