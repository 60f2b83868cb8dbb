"""esnapmd — the eSNAP potential (SNAP + screened Coulomb + ZBL) from Python, through libesnapmd.

    from ase.build import bulk
    from esnapmd import ESNAP, evaluate_batch, EsnapError
    atoms.calc = ESNAP()                          # the bundled Li3N model; coulomb="pme"|"ewald"|"none", device=
    atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()
    evaluate_batch([atoms1, atoms2])              # list of {"energy", "forces", "stress", "energies"}
    BatchCalculators(neb_images)                  # images evaluated together (one library call per NEB step)

Units: Å, eV, eV/Å, stress eV/Å^3 (ASE's sign: positive under tension, Voigt xx yy zz yz xz xy).
"""
from ._lib import EsnapError, library_path
from .calculator import ESNAP, BatchCalculators, Model, default_model, evaluate_batch

__all__ = ["ESNAP", "BatchCalculators", "Model", "EsnapError", "evaluate_batch", "default_model", "library_path",
           "version"]


def version():
    """'esnapmd VERSION (COMMIT)' of the loaded library."""
    from ._lib import lib
    return lib().esnap_version().decode()
