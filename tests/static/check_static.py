"""Checks of tools/static_properties.py against the eSNAP paper and against numpy, run by tests/test_static.cpp.

    python check_static.py lattice_elastic   relaxed a, c within 0.002 A of 3.641 / 3.872 A; c11 c33 c44 c66 within
                                            2 GPa of the paper's eSNAP column (116 144 17 39); c66 = (c11 - c12)/2
    python check_static.py gamma            phonopy's Gamma frequencies (3x3x3 supercell) equal the eigenvalues of the
                                            finite-difference dynamical matrix of the 4-atom cell, diagonalised here
    python check_static.py neb_batch        an NEB with its images as one batch group (esnapmd.BatchCalculators)
                                            = one calculator per image, bit for bit; one library call per force call
Prints the numbers and exits 1 with a message on the first failed check.
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import static_properties as sp  # noqa: E402

MODEL = os.path.join(ROOT, "potentials", "li3n_esnap.model")
# sqrt(eV / (A^2 amu)) / (2 pi) in THz
# displacement (A): at 0.001 A the quartic terms, which differ between moving one atom of the supercell and moving
# a whole sublattice, change the frequencies by < 1e-4 THz (at 0.01 A by up to 4e-3 THz)
H = 0.001
THZ = np.sqrt(1.602176634e-19 / (1e-20 * 1.66053906660e-27)) / (2.0 * np.pi) / 1e12


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        sys.exit(1)


def lattice_elastic(ev):
    unit, lat = sp.relax_lattice(ev)
    check(abs(lat["a"] - 3.641) <= 0.002, "a = %.6f A (paper eSNAP 3.641)" % lat["a"])
    check(abs(lat["c"] - 3.872) <= 0.002, "c = %.6f A (paper eSNAP 3.872)" % lat["c"])
    check(lat["spacegroup"].startswith("P6/mmm"), "relaxed cell keeps P6/mmm: %s" % lat["spacegroup"])
    check(max(abs(s) for s in lat["stress_GPa"]) < 1e-3, "relaxed stress %s GPa" % lat["stress_GPa"])
    el = sp.elastic_constants(ev, unit, amplitudes=(0.005,))[0]
    for k, ref in (("c11", 116), ("c33", 144), ("c44", 17), ("c66", 39)):
        check(abs(el[k] - ref) <= 2.0, "%s = %.3f GPa (paper eSNAP %d)" % (k, el[k], ref))
    check(abs(el["c66_minus_half_c11_c12"]) < 0.1, "c66 - (c11 - c12)/2 = %.4f GPa (c12 %.3f)" % (
        el["c66_minus_half_c11_c12"], el["c12"]))
    check(abs(el["c13_from_e1"] - el["c13_from_e3"]) < 0.1, "c13 from e1 %.3f and from e3 %.3f GPa" % (
        el["c13_from_e1"], el["c13_from_e3"]))


def gamma(ev):
    unit, _ = sp.relax_lattice(ev)
    ph = sp.phonopy_for(ev, unit, 3, distance=H)
    f_phonopy = np.sort(sp.gamma_frequencies(ph))
    # finite-difference force constants of the 4-atom cell: every periodic image of atom i moves together
    h = H
    frames = []
    for i in range(len(unit)):
        for a in range(3):
            for s in (1.0, -1.0):
                at = unit.copy()
                at.positions[i, a] += s * h
                frames.append(at)
    F = sp.Evaluator(MODEL).forces(frames) if ev is None else ev.forces(frames)
    n = len(unit)
    phi = np.zeros((3 * n, 3 * n))
    for i in range(n):
        for a in range(3):
            k = 2 * (3 * i + a)
            phi[3 * i + a] = -(F[k] - F[k + 1]).reshape(-1) / (2.0 * h)
    phi = 0.5 * (phi + phi.T)
    m = np.repeat(unit.get_masses(), 3)
    w2 = np.linalg.eigvalsh(phi / np.sqrt(np.outer(m, m)))
    f_direct = np.sort(np.sign(w2) * np.sqrt(np.abs(w2)) * THZ)
    print("phonopy Gamma (THz):", " ".join("%.4f" % x for x in f_phonopy))
    print("direct  Gamma (THz):", " ".join("%.4f" % x for x in f_direct))
    check(np.max(np.abs(f_phonopy[3:] - f_direct[3:])) < 5e-4, "optical modes agree within 5e-4 THz")
    check(np.max(np.abs(f_phonopy[:3])) < 0.05 and np.max(np.abs(f_direct[:3])) < 0.05, "acoustic modes ~ 0")
    check(f_direct[3] > 1.0, "optical modes real and positive (lowest %.3f THz)" % f_direct[3])


def neb_batch(ev):
    """A climbing-image NEB whose images are one batch group (esnapmd.BatchCalculators, as neb_barrier runs
    it) follows the same path as one ESNAP calculator per image, and costs one library call per force call."""
    from ase.mep import NEB
    from ase.optimize import FIRE
    unit = sp.li3n_cell(3.641, 3.872)
    n = 2
    base = unit.repeat((n, n, n))
    va, vb = sp.site_index(n, (0, 0, 0), sp.LI2A), sp.site_index(n, (0, 0, 0), sp.LI2B)
    ini = base.copy()
    del ini[va]
    fin = base.copy()
    fin.positions[vb] = base.positions[va]
    del fin[va]
    runs = {}
    for how in ("group", "separate"):
        images = [ini.copy()] + [ini.copy() for _ in range(3)] + [fin.copy()]
        if how == "group":
            group = ev.group(images)
        else:
            for im in images:
                im.calc = ev.calc()
        neb = NEB(images, climb=True, method="improvedtangent", allow_shared_calculator=False)
        neb.interpolate(method="idpp", mic=True)
        calls = [0]
        get_forces = neb.get_forces

        def counted(*a, **k):
            calls[0] += 1
            return get_forces(*a, **k)
        neb.get_forces = counted
        FIRE(neb, logfile=None).run(fmax=1e-6, steps=8)
        runs[how] = ([im.positions.copy() for im in images], [im.get_potential_energy() for im in images], calls[0])
    (pg, eg, cg), (ps, es, _) = runs["group"], runs["separate"]
    check(all(np.array_equal(a, b) for a, b in zip(pg, ps)) and eg == es,
          "NEB with the images as one batch group = one calculator per image, bit for bit (%d force calls; image "
          "energies %s eV)" % (cg, " ".join("%.5f" % e for e in eg)))
    check(1 < group.calls <= cg and group.evaluated == 5 + 3 * (group.calls - 1),
          "at most one library call per NEB force call (%d calls for %d force calls, %d structures: the end points "
          "once, the 3 moving images together in every call)" % (group.calls, cg, group.evaluated))


def main():
    what = sys.argv[1]
    ev = sp.Evaluator(MODEL, "ewald", 1e-8, "cpu")
    {"lattice_elastic": lattice_elastic, "gamma": gamma, "neb_batch": neb_batch}[what](ev)


if __name__ == "__main__":
    main()
