"""ctypes binding of libesnapmd (include/esnapmd.h): the structs and functions, and where the library is found.

The library is looked up, in this order: the file named by $ESNAPMD_LIBRARY; libesnapmd.so* next to this
package (a pip install puts it there); the CMake build folders of a source checkout (build/, and
$ESNAPMD_BUILD_DIR). No physics here: everything is computed by the library.
"""
import ctypes
import glob
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


class EsnapError(Exception):
    """An error reported by libesnapmd (or by the argument checks of this package): the message names what is
    wrong; `status` is the library's status code (esnapmd.h), 3 (invalid value) for argument checks."""

    def __init__(self, message, status=3):
        super().__init__(message)
        self.status = status


class Options(ctypes.Structure):
    _fields_ = [("coulomb", ctypes.c_int), ("accuracy", ctypes.c_double), ("rcut", ctypes.c_double),
                ("device", ctypes.c_char_p)]


class Structure(ctypes.Structure):
    _fields_ = [("n", ctypes.c_int), ("positions", ctypes.POINTER(ctypes.c_double)),
                ("cell", ctypes.POINTER(ctypes.c_double)), ("pbc", ctypes.POINTER(ctypes.c_int)),
                ("numbers", ctypes.POINTER(ctypes.c_int)), ("symbols", ctypes.POINTER(ctypes.c_char_p))]


class Result(ctypes.Structure):
    _fields_ = [("energy", ctypes.POINTER(ctypes.c_double)), ("forces", ctypes.POINTER(ctypes.c_double)),
                ("virial", ctypes.POINTER(ctypes.c_double)), ("stress", ctypes.POINTER(ctypes.c_double)),
                ("energies", ctypes.POINTER(ctypes.c_double))]


def _candidates():
    env = os.environ.get("ESNAPMD_LIBRARY")
    if env:
        return [env]
    found = sorted(glob.glob(os.path.join(_HERE, "libesnapmd.so*")) + glob.glob(os.path.join(_HERE, "libesnapmd*.dylib")))
    root = os.path.dirname(os.path.dirname(_HERE))
    for d in [os.environ.get("ESNAPMD_BUILD_DIR", ""), os.path.join(root, "build")]:
        if d:
            found += sorted(glob.glob(os.path.join(d, "libesnapmd.so*")))
    return found


_lib = None


def lib():
    """The loaded library (loaded at the first call)."""
    global _lib
    if _lib is not None:
        return _lib
    cands = _candidates()
    if not cands:
        raise EsnapError("libesnapmd not found: set ESNAPMD_LIBRARY to the built libesnapmd.so (cmake --build BUILD "
                         "makes BUILD/libesnapmd.so), or pip install the esnapmd repository", 1)
    try:
        L = ctypes.CDLL(cands[0])
    except OSError as e:
        raise EsnapError("libesnapmd: cannot load %s: %s" % (cands[0], e), 1) from None
    c_model = ctypes.c_void_p
    L.esnap_options_default.argtypes = [ctypes.POINTER(Options)]
    L.esnap_options_default.restype = None
    L.esnap_model_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(Options), ctypes.POINTER(c_model)]
    L.esnap_model_load.restype = ctypes.c_int
    L.esnap_model_free.argtypes = [ctypes.POINTER(c_model)]
    L.esnap_model_free.restype = None
    L.esnap_model_nelements.argtypes = [c_model]
    L.esnap_model_nelements.restype = ctypes.c_int
    L.esnap_model_element.argtypes = [c_model, ctypes.c_int]
    L.esnap_model_element.restype = ctypes.c_char_p
    L.esnap_model_device.argtypes = [c_model]
    L.esnap_model_device.restype = ctypes.c_char_p
    L.esnap_evaluate.argtypes = [c_model, ctypes.POINTER(Structure), ctypes.POINTER(Result)]
    L.esnap_evaluate.restype = ctypes.c_int
    L.esnap_evaluate_batch.argtypes = [c_model, ctypes.c_int, ctypes.POINTER(Structure), ctypes.POINTER(Result)]
    L.esnap_evaluate_batch.restype = ctypes.c_int
    L.esnap_last_error.argtypes = [c_model]
    L.esnap_last_error.restype = ctypes.c_char_p
    L.esnap_version.argtypes = []
    L.esnap_version.restype = ctypes.c_char_p
    _lib = L
    return L


def library_path():
    """Path of the library that is (or would be) loaded."""
    c = _candidates()
    return c[0] if c else None
