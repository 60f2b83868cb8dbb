"""Development stand-in for esnapmd.ESNAP: an ASE calculator that runs `esnapmd eval` on an extended XYZ file.

Same physics as the library (the same C code), slower (one process per call). Used only where the Python
package `esnapmd` cannot be imported.
"""
import os
import subprocess
import tempfile

import numpy as np
from ase.calculators.calculator import Calculator, all_changes
from ase.io.extxyz import key_val_str_to_dict


def _write(path, frames):
    with open(path, "w") as f:
        for at in frames:
            cell = at.cell.array.reshape(-1)
            f.write("%d\n" % len(at))
            f.write('Lattice="%s" Properties=species:S:1:pos:R:3 pbc="T T T"\n' % " ".join("%.17g" % x for x in cell))
            for s, p in zip(at.get_chemical_symbols(), at.positions):
                f.write("%s %.17g %.17g %.17g\n" % (s, p[0], p[1], p[2]))


def _read(path):
    out = []
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines) and lines[i].strip():
        n = int(lines[i])
        info = key_val_str_to_dict(lines[i + 1])
        forces = np.array([[float(x) for x in ln.split()[4:7]] for ln in lines[i + 2:i + 2 + n]])
        s = np.asarray(info["stress"], dtype=float).reshape(3, 3)
        stress = np.array([s[0, 0], s[1, 1], s[2, 2], s[1, 2], s[0, 2], s[0, 1]])
        out.append({"energy": float(info["energy"]), "forces": forces, "stress": stress})
        i += 2 + n
    return out


def evaluate_batch(frames, model, coulomb=None, accuracy=None, binary=None, **_):
    binary = binary or os.environ["ESNAPMD_CLI"]
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.xyz"), os.path.join(d, "out.xyz")
        _write(src, frames)
        cmd = [binary, "eval", src, "-o", dst, "--model", model, "--device", "cpu"]
        if coulomb:
            cmd += ["--coulomb", coulomb]
        if accuracy:
            cmd += ["--accuracy", repr(accuracy)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(r.stderr.strip() or r.stdout.strip())
        return _read(dst)


class ESNAP(Calculator):
    implemented_properties = ["energy", "free_energy", "forces", "stress"]

    def __init__(self, model, coulomb=None, accuracy=None, device="cpu", binary=None, **kw):
        Calculator.__init__(self, **kw)
        self.model, self.coulomb, self.accuracy, self.binary = model, coulomb, accuracy, binary

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        Calculator.calculate(self, atoms, properties, system_changes)
        r = evaluate_batch([self.atoms], self.model, self.coulomb, self.accuracy, self.binary)[0]
        self.results = {"energy": r["energy"], "free_energy": r["energy"], "forces": r["forces"], "stress": r["stress"]}
