"""The decorators, with Numba's names and options."""

import functools

from . import _core

_OPTIONS = {"nopython", "nogil", "cache", "parallel", "fastmath", "boundscheck",
            "error_model", "locals", "forceobj", "looplift", "inline", "no_cpython_wrapper",
            "no_cfunc_wrapper", "debug", "_quick_compile", "_fast_codegen", "_zero_d_results"}


def prange(*args):
    """Numba's parallel range. In compiled code its iterations may run in parallel
    (with parallel=True); called from Python it is range()."""
    return range(*args)


def _signatures(sig):
    if sig is None:
        return []
    if isinstance(sig, (list, tuple)):
        return [str(s) for s in sig]
    return [str(sig)]


def _make(func, sigs, options):
    unknown = set(options) - _OPTIONS
    if unknown:
        raise TypeError(f"unknown jit option(s): {', '.join(sorted(unknown))}")
    if options.get("forceobj"):
        raise TypeError("hotloop has no object mode: forceobj=True is not supported")
    if options.get("nopython") is False:
        raise TypeError("hotloop always compiles in nopython mode: nopython=False is not supported")
    error_model = options.get("error_model", "python")
    if error_model not in ("python", "numpy"):
        raise ValueError("error_model must be 'python' or 'numpy'")
    opts = dict(options)
    if isinstance(opts.get("parallel"), dict):  # Numba's per-transformation options
        opts["parallel"] = any(opts["parallel"].values())
    if "parallel" in opts:
        opts["parallel"] = bool(opts["parallel"])
    if "locals" in opts:
        opts["locals"] = {k: str(v) for k, v in opts["locals"].items()}
    disp = _core.Dispatcher(func, opts, sigs)
    functools.update_wrapper(disp, func, updated=())
    if sigs:
        disp._compile_explicit()
    return disp


def jit(signature_or_function=None, **options):
    """Compile a function with LLVM, lazily per argument types or eagerly for the given
    signature(s). Usable as ``@jit``, ``@jit(...)`` or ``@jit("float64(float64[:])")``."""
    if callable(signature_or_function) and not hasattr(signature_or_function, "_hotloop_type") \
            and not isinstance(signature_or_function, (str, list, tuple)):
        return _make(signature_or_function, [], options)
    sigs = _signatures(signature_or_function)

    def decorate(func):
        return _make(func, sigs, options)

    return decorate


def njit(signature_or_function=None, **options):
    """``jit`` with nopython=True, as in Numba (hotloop always compiles nopython)."""
    options.setdefault("nopython", True)
    return jit(signature_or_function, **options)
