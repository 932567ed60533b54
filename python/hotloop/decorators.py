"""The decorators, with Numba's names and options."""

import functools

from . import _core

_OPTIONS = {"nopython", "nogil", "cache", "parallel", "fastmath", "boundscheck",
            "error_model", "locals", "forceobj", "looplift", "inline", "no_cpython_wrapper",
            "no_cfunc_wrapper", "debug", "_quick_compile", "_fast_codegen", "_zero_d_results",
            "_stencil"}


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


_STENCIL_MODES = ("constant", "wrap")


def stencil(func_or_mode="constant", **options):
    """Numba's ``@stencil``: ``kernel(a)`` applies a kernel written with relative indices
    (``a[-1, 0]`` is the neighbour one row up) at every point of ``a`` and returns a new
    array of ``a``'s shape and the kernel's result dtype.

    ``mode="constant"`` (Numba's only mode) sets the points where the kernel does not fit
    to ``cval`` (0); hotloop's ``mode="wrap"`` takes neighbours past an edge from the
    other side (periodic boundaries). ``neighborhood=((lo, hi), ...)`` gives the extent
    (needed for relative indices that are not constants); arrays named in
    ``standard_indexing`` are indexed as usual. Usable as ``@stencil``,
    ``@stencil("constant")`` or ``@stencil(cval=..., neighborhood=..., mode=...)``; callable
    from Python and from compiled functions."""
    if callable(func_or_mode):
        return _make_stencil(func_or_mode, options.pop("mode", "constant"), options)
    mode = options.pop("mode", func_or_mode)

    def decorate(func):
        return _make_stencil(func, mode, options)

    return decorate


def _make_stencil(func, mode, options):
    unknown = set(options) - {"cval", "neighborhood", "standard_indexing"} - _OPTIONS
    if unknown:
        raise TypeError(f"unknown stencil option(s): {', '.join(sorted(unknown))}")
    if mode not in _STENCIL_MODES:
        raise ValueError(f"stencil mode must be one of {', '.join(map(repr, _STENCIL_MODES))}, "
                         f"not {mode!r}")
    if mode == "wrap" and "cval" in options:
        raise TypeError("cval has no use with mode='wrap': every point is computed")
    cval_given = "cval" in options
    cval = options.pop("cval", 0)
    if hasattr(cval, "item") and not isinstance(cval, (bool, int, float, complex)):
        cval = cval.item()  # NumPy scalars
    if not isinstance(cval, (bool, int, float, complex)) or (
            isinstance(cval, int) and not -2**63 <= cval < 2**63):
        raise TypeError(f"cval must be a number (bool, int64, float or complex), not {cval!r}")
    neighborhood = options.pop("neighborhood", None)
    if neighborhood is not None:
        try:
            neighborhood = tuple((int(lo), int(hi)) for lo, hi in neighborhood)
        except (TypeError, ValueError):
            raise TypeError("neighborhood must be a tuple of (lowest, highest) integer pairs, "
                            "one per dimension, e.g. ((-1, 1), (-1, 1))") from None
        if any(lo > hi for lo, hi in neighborhood):
            raise ValueError(f"neighborhood {neighborhood}: each pair must be (lowest, highest)")
    standard = options.pop("standard_indexing", ())
    standard = (standard,) if isinstance(standard, str) else tuple(standard)
    params = func.__code__.co_varnames[:func.__code__.co_argcount]
    for name in standard:
        if name not in params:
            raise ValueError(f"standard_indexing names {name!r}, which is not a parameter of "
                             f"{func.__name__}()")
    if "out" in params:
        raise ValueError(f"{func.__name__}(): a stencil kernel cannot have a parameter named 'out' "
                         "(kernel(a, out=b) writes into b)")
    spec = (mode, cval, neighborhood, standard)
    disp = _make(func, [], {**options, "_stencil": (*spec, False, cval_given)})
    disp._stencil_with_out = _make(func, [], {**options, "_stencil": (*spec, True, cval_given)})
    return disp
