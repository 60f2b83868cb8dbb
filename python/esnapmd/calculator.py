"""The ASE calculator ESNAP and the batch evaluation, over libesnapmd (esnapmd.h) through ctypes."""
import ctypes
import os

import numpy as np

from ._lib import EsnapError, Options, Result, Structure, lib

_HERE = os.path.dirname(os.path.abspath(__file__))
_COULOMB = {None: -1, "none": 0, "ewald": 1, "pme": 2}


def default_model():
    """The bundled Li3N eSNAP model: the copy installed with the package (pip), else the source tree's
    potentials/li3n_esnap.model, else None (the library's own default, $ESNAPMD_MODEL or the build's)."""
    for p in (os.path.join(_HERE, "potentials", "li3n_esnap.model"),
              os.path.join(os.path.dirname(os.path.dirname(_HERE)), "potentials", "li3n_esnap.model")):
        if os.path.isfile(p):
            return p
    return None


def _dptr(a):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))


class Model:
    """A loaded model (one libesnapmd handle). Use one Model per thread: a handle is not shared between
    threads (the library says so); evaluations use OpenMP threads inside."""

    def __init__(self, model=None, coulomb=None, accuracy=None, rcut=None, device="auto"):
        if coulomb not in _COULOMB:
            raise EsnapError("coulomb=%r: expected None (the model's), 'pme', 'ewald' or 'none'" % (coulomb,))
        if device not in ("auto", "cpu", "gpu"):
            raise EsnapError("device=%r: expected 'auto', 'cpu' or 'gpu'" % (device,))
        self._L = lib()
        self._h = ctypes.c_void_p()
        o = Options()
        self._L.esnap_options_default(ctypes.byref(o))
        o.coulomb = _COULOMB[coulomb]
        try:
            o.accuracy = 0.0 if accuracy is None else float(accuracy)
            o.rcut = 0.0 if rcut is None else float(rcut)
        except (TypeError, ValueError):
            raise EsnapError("accuracy=%r, rcut=%r: expected numbers or None" % (accuracy, rcut)) from None
        o.device = device.encode()
        path = model if model is not None else default_model()
        self.path = path
        st = self._L.esnap_model_load(None if path is None else os.fspath(path).encode(), ctypes.byref(o),
                                      ctypes.byref(self._h))
        if st != 0:
            msg = self._L.esnap_last_error(self._h).decode(errors="replace")
            self.close()
            raise EsnapError(msg, st)
        self.elements = [self._L.esnap_model_element(self._h, k).decode()
                         for k in range(self._L.esnap_model_nelements(self._h))]
        self.device = self._L.esnap_model_device(self._h).decode()

    def close(self):
        if getattr(self, "_h", None) and self._h.value:
            self._L.esnap_model_free(ctypes.byref(self._h))

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _prepare(self, atoms, k, energies):
        """Arrays of one Atoms (kept alive in the returned dict) and its C structure/result."""
        where = "structure %d" % k
        try:
            pos = np.ascontiguousarray(atoms.get_positions(), dtype=np.float64)
            cell = np.ascontiguousarray(np.asarray(atoms.get_cell()), dtype=np.float64)
            numbers = np.ascontiguousarray(atoms.get_atomic_numbers(), dtype=np.int32)
            pbc = np.ascontiguousarray(np.broadcast_to(atoms.get_pbc(), (3,)), dtype=np.int32)
        except AttributeError:
            raise EsnapError("%s: expected an ase.Atoms, got %s" % (where, type(atoms).__name__)) from None
        except (TypeError, ValueError) as e:
            raise EsnapError("%s: malformed atoms arrays: %s" % (where, e)) from None
        n = len(numbers)
        if n < 1:
            raise EsnapError("%s: the structure has no atoms" % where)
        if numbers.ndim != 1 or pos.shape != (n, 3):
            raise EsnapError("%s: positions have shape %s, expected (%d, 3) for %d atoms" % (where, pos.shape, n, n))
        if cell.shape != (3, 3):
            raise EsnapError("%s: cell has shape %s, expected (3, 3)" % (where, cell.shape))
        out = {"n": n, "pos": pos, "cell": cell, "numbers": numbers, "pbc": pbc,
               "energy": np.zeros(1), "forces": np.zeros((n, 3)), "stress": np.zeros(6),
               "energies": np.zeros(n) if energies else None}
        s = Structure(n, _dptr(pos), _dptr(cell), pbc.ctypes.data_as(ctypes.POINTER(ctypes.c_int)),
                      numbers.ctypes.data_as(ctypes.POINTER(ctypes.c_int)), None)
        r = Result(_dptr(out["energy"]), _dptr(out["forces"]), None, _dptr(out["stress"]),
                   _dptr(out["energies"]) if energies else None)
        return out, s, r

    def evaluate(self, atoms_list, energies=None):
        """Evaluate a list of Atoms (sizes and cells may differ) in one library call. Returns a list of dicts
        {"energy" (eV), "forces" (n,3) eV/Å, "stress" (6,) eV/Å^3 Voigt, "energies" (n,) eV}, in input order.
        energies: per-atom energies (default: when the model runs on the CPU, the only device that has them;
        None in the dicts otherwise)."""
        atoms_list = list(atoms_list)
        if energies is None:
            energies = self.device == "cpu"
        keep = [self._prepare(a, k, energies) for k, a in enumerate(atoms_list)]
        if not keep:
            return []
        S = (Structure * len(keep))(*[k[1] for k in keep])
        R = (Result * len(keep))(*[k[2] for k in keep])
        st = self._L.esnap_evaluate_batch(self._h, len(keep), S, R)
        if st != 0:
            raise EsnapError(self._L.esnap_last_error(self._h).decode(errors="replace"), st)
        return [{"energy": float(o["energy"][0]), "forces": o["forces"], "stress": o["stress"],
                 "energies": o["energies"]} for o, _, _ in keep]


try:
    from ase.calculators.calculator import Calculator, all_changes
except ImportError:  # the package works without ASE for Model; ESNAP needs it
    Calculator, all_changes = object, None


class ESNAP(Calculator):
    """ASE calculator of the eSNAP model through libesnapmd.

    ESNAP(model=None, coulomb=None, accuracy=None, rcut=None, device="auto")
      model     model file (default: the bundled Li3N eSNAP model, default_model())
      coulomb   None (the model file's method), "pme", "ewald" or "none"
      accuracy  Coulomb relative force accuracy (LAMMPS kspace meaning), None: the model's
      rcut      Coulomb real-space cutoff (Å), None: the model's
      device    "auto" (the GPU when the library was built with CUDA and one is present), "cpu", "gpu"
    Properties: energy, free_energy (= energy), forces, stress (eV/Å^3, ASE sign, Voigt), energies (per atom,
    CPU only). Only fully periodic cells are supported.
    """

    implemented_properties = ["energy", "free_energy", "forces", "stress", "energies"]
    default_parameters = {"model": None, "coulomb": None, "accuracy": None, "rcut": None, "device": "auto"}
    nolabel = True

    def __init__(self, model=None, coulomb=None, accuracy=None, rcut=None, device="auto", **kwargs):
        if Calculator is object:
            raise EsnapError("the ESNAP calculator needs ASE (pip install ase)")
        Calculator.__init__(self, model=model, coulomb=coulomb, accuracy=accuracy, rcut=rcut, device=device, **kwargs)
        p = self.parameters
        self.model = Model(p["model"], p["coulomb"], p["accuracy"], p["rcut"], p["device"])

    def set(self, **kwargs):
        changed = Calculator.set(self, **kwargs)
        if changed and hasattr(self, "model"):
            p = self.parameters
            self.model = Model(p["model"], p["coulomb"], p["accuracy"], p["rcut"], p["device"])
        return changed

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        Calculator.calculate(self, atoms, properties, system_changes)
        want = "energies" in properties or self.model.device == "cpu"
        r = self.model.evaluate([self.atoms], energies=want)[0]
        self.results = {"energy": r["energy"], "free_energy": r["energy"], "forces": r["forces"], "stress": r["stress"]}
        if r["energies"] is not None:
            self.results["energies"] = r["energies"]

    def evaluate_batch(self, atoms_list):
        """Evaluate a list of Atoms in one library call: list of {"energy", "forces", "stress", "energies"}."""
        return self.model.evaluate(atoms_list)


def evaluate_batch(atoms_list, model=None, coulomb=None, accuracy=None, rcut=None, device="auto", energies=None):
    """Evaluate a list of Atoms (sizes and cells may differ) with one model in one library call: a list of
    dicts {"energy", "forces", "stress", "energies"} in input order. energies=False: no per-atom energies, so
    the structures run as the replicas of one MD backend (on a GPU: in the same kernel launches); see
    Model.evaluate for the default."""
    return Model(model, coulomb, accuracy, rcut, device).evaluate(atoms_list, energies=energies)


class BatchCalculators:
    """ASE calculators for a group of Atoms that are evaluated together: when one member needs a result, every
    member whose atoms changed since its last evaluation is evaluated in ONE library call (esnap_evaluate_batch
    without per-atom energies: the replicas of one MD backend, on a GPU in the same kernel launches), and the
    others find their results cached. Made for ase.mep.NEB images, which ASE moves together and then asks
    one after another:

        group = BatchCalculators(images, coulomb="ewald", accuracy=1e-8)   # sets images[k].calc
        neb = NEB(images, climb=True, allow_shared_calculator=False)

    Results equal those of one ESNAP calculator per image (bit for bit on the CPU). group.calls counts the
    library calls, group.evaluated the structures evaluated. Per-atom energies ("energies") of a member are
    evaluated for that member alone. Arguments after `images` are those of ESNAP."""

    def __init__(self, images, model=None, coulomb=None, accuracy=None, rcut=None, device="auto"):
        if Calculator is object:
            raise EsnapError("BatchCalculators needs ASE (pip install ase)")
        self.model = Model(model, coulomb, accuracy, rcut, device)
        self.images = list(images)
        self.calculators = [_BatchMember(self, k) for k in range(len(self.images))]
        for im, c in zip(self.images, self.calculators):
            im.calc = c
        self.calls = 0
        self.evaluated = 0

    def _update(self, member, atoms, properties):
        """Evaluate `atoms` for `member` and every other member whose image changed, in one call."""
        if "energies" in properties:
            todo = [(member, atoms)]
        else:
            todo = [(member, atoms)] + [(c, im) for c, im in zip(self.calculators, self.images)
                                        if c is not member and (not c.results or c.check_state(im))]
        rs = self.model.evaluate([a for _, a in todo], energies="energies" in properties)
        self.calls += 1
        self.evaluated += len(todo)
        for (c, a), r in zip(todo, rs):
            c.atoms = a.copy()
            c.results = {"energy": r["energy"], "free_energy": r["energy"], "forces": r["forces"],
                         "stress": r["stress"]}
            if r["energies"] is not None:
                c.results["energies"] = r["energies"]


class _BatchMember(Calculator if Calculator is not object else object):
    """One image's calculator of a BatchCalculators group."""

    implemented_properties = ["energy", "free_energy", "forces", "stress", "energies"]
    nolabel = True

    def __init__(self, group, index):
        Calculator.__init__(self)
        self.group = group
        self.index = index

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        Calculator.calculate(self, atoms, properties, system_changes)
        self.group._update(self, self.atoms, properties)
