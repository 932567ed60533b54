"""hotloop: a JIT compiler that makes numerical Python run at native speed.

    import hotloop as hl

    @hl.jit
    def poly(x):
        y = np.empty_like(x)
        for i in range(x.shape[0]):
            v = x[i]
            y[i] = v + v**2 + v**3
        return y
"""

from . import _core, config
from .decorators import jit, njit, prange, stencil
from .errors import CompileError
from .evaluate import evaluate, re_evaluate, validate
from .threads import detect_number_of_cores, get_num_threads, max_threads, set_num_threads
from .ufunc import DUFunc, guvectorize, vectorize
from .types import (bool_, boolean, complex64, complex128, double, f4, f8, float32, float64,
                    int8, int16, int32, int64, intp, none, single, uint8, uint16, uint32,
                    uint64, uintp, void)

__version__ = _core.host_info()["hotloop_version"]

__all__ = ["jit", "njit", "prange", "stencil", "vectorize", "guvectorize", "DUFunc", "CompileError", "evaluate",
           "re_evaluate", "validate",
           "get_num_threads", "set_num_threads", "max_threads", "detect_number_of_cores", "bool_", "boolean", "int8", "int16",
           "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64",
           "complex64", "complex128", "intp", "uintp", "double", "single", "void", "none"]
