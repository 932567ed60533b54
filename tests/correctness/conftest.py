"""Shared machinery for the differential correctness suite.

CPython is the oracle.  Every test compiles a small function with ``hl.jit``, draws inputs
with hypothesis and calls :func:`check`, which

* clones the arguments twice (arrays keep their strides, layout, writeability, and the
  aliasing between arguments that share memory),
* runs the *undecorated* function (``fn.py_func``, with every hotloop dispatcher it calls
  replaced by that dispatcher's own ``py_func``, so the oracle is pure Python) on one copy
  and the compiled dispatcher on the other,
* compares the return values (scalars by kind -- bool / int / float --, tuples element by
  element, arrays by shape, dtype and values, NaN equal to NaN) and then every array
  argument after the call (so writes are checked too),
* when Python raises, requires the compiled call to raise the same exception type,
* rejects (``hypothesis.reject``) examples whose Python result is an ``int`` outside int64:
  the compiled code wraps there, by design.

Modes
-----
``HOTLOOP_TEST_PYTHON_ONLY=1``
    validates the tests themselves: ``hl.jit``/``hl.njit`` are replaced by a stand-in that
    only calls the Python function.  Works whether or not the ``hotloop`` package is built;
    nothing is patched globally (the tests use the ``hl`` object exported here).
otherwise
    the real compiler: ``hotloop`` must import (``make build``, then run pytest with
    ``PYTHONPATH=python``; ``<repo>/python`` is also tried automatically).  When it does
    not, every test here fails with a message saying so (other folders still run).
``HOTLOOP_TEST_REFERENCE=numba``
    developer aid: runs the suite against Numba's ``njit`` where Numba is installed.
``HOTLOOP_TEST_EXAMPLES_SCALE=10``
    multiplies every test's hypothesis ``max_examples`` (a soak run).

Test modules import what they need from here: ``from .conftest import hl, check, ...``.
"""

from __future__ import annotations

import ctypes
import math
import os
import sys
import types
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, reject, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.lib.array_utils import byte_bounds

PYTHON_ONLY = os.environ.get("HOTLOOP_TEST_PYTHON_ONLY", "") not in ("", "0")
# Developer aid: HOTLOOP_TEST_REFERENCE=numba runs the suite against Numba's njit (where
# installed) to see how a mature compiler fares; Numba predates NEP 50, so test_types
# differs there by design.
REFERENCE = os.environ.get("HOTLOOP_TEST_REFERENCE", "")

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

# --------------------------------------------------------------------------------------
# hypothesis settings: modest example counts, no deadline (the first example of each test
# pays for compilation), no example database (nothing written outside tests/).
# --------------------------------------------------------------------------------------
_SCALE = float(os.environ.get("HOTLOOP_TEST_EXAMPLES_SCALE", "1"))  # e.g. 10 for a soak run
SETTINGS = settings(
    max_examples=max(1, int(40 * _SCALE)),
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
FEW = settings(SETTINGS, max_examples=max(1, int(25 * _SCALE)))


# --------------------------------------------------------------------------------------
# The module under test (or the stand-in)
# --------------------------------------------------------------------------------------
class _FakeType:
    """Stand-in for a hotloop type object (``hl.float32``): prints as its name."""

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name

    __repr__ = __str__

    def __getitem__(self, item):  # hl.float32[:] -> "float32[:]"
        if not isinstance(item, tuple):
            item = (item,)
        return _FakeType(f"{self.name}[{', '.join(':' for _ in item)}]")

    def __call__(self, *args):  # hl.float64(hl.float64) -> a signature object
        return _FakeType(f"{self.name}({', '.join(map(str, args))})")

    def __eq__(self, other):
        return str(self) == str(other)

    def __hash__(self):
        return hash(self.name)


class _PyDispatcher:
    """What ``hl.jit`` returns in python-only mode: calls the Python function."""

    def __init__(self, func, sig=None, options=None):
        self.py_func = func
        self.signature_text = sig
        self.options = dict(options or {})
        self.__name__ = getattr(func, "__name__", "f")
        self.__qualname__ = getattr(func, "__qualname__", self.__name__)
        self.__doc__ = getattr(func, "__doc__", None)
        self.__wrapped__ = func

    def __call__(self, *args, **kwargs):
        return self.py_func(*args, **kwargs)

    def __repr__(self):
        return f"<python-only dispatcher {self.__qualname__}>"


def _fake_jit(*args, **options):
    """Mimics the call forms of ``hl.jit``: bare, with options, with a signature."""
    if len(args) == 1 and callable(args[0]) and not isinstance(args[0], (str, _FakeType)):
        return _PyDispatcher(args[0], None, options)
    sig = args[0] if args else options.pop("signature", None)

    def deco(func):
        return _PyDispatcher(func, sig, options)

    return deco


def _import_hotloop():
    try:
        import hotloop  # noqa: F401
    except ImportError:
        pkg_dir = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "python"))
        if not os.path.isdir(pkg_dir) or pkg_dir in sys.path:
            return None
        sys.path.insert(0, pkg_dir)
        sys.modules.pop("hotloop", None)
        try:
            import hotloop  # noqa: F401,F811
        except ImportError:
            sys.path.remove(pkg_dir)
            return None
    import hotloop as real

    return real if hasattr(real, "jit") else None


_TYPE_NAMES = ("boolean", "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16",
               "uint32", "uint64", "float32", "float64", "complex64", "complex128", "void",
               "none", "intp")

_REAL = _import_hotloop()

if REFERENCE == "numba" and not PYTHON_ONLY:
    import numba

    hl = types.SimpleNamespace(jit=numba.njit, njit=numba.njit,
                               __name__="numba (reference run)")
    for _name in _TYPE_NAMES:
        if hasattr(numba, _name):
            setattr(hl, _name, getattr(numba, _name))
elif PYTHON_ONLY:
    hl = types.SimpleNamespace()
    if _REAL is not None:
        for _name in dir(_REAL):
            if not _name.startswith("__"):
                setattr(hl, _name, getattr(_REAL, _name))
    for _name in _TYPE_NAMES:
        if not hasattr(hl, _name):
            setattr(hl, _name, _FakeType(_name))
    hl.jit = _fake_jit
    hl.njit = _fake_jit
    hl.__name__ = "hotloop (python-only stand-in)"
elif _REAL is not None:
    hl = _REAL
else:
    # Not built (or not on the path): every test of this folder fails with this message,
    # while the rest of the session (other test folders) still runs.
    _MISSING = ("tests/correctness: the hotloop package is not importable (or has no `jit`). "
                "Build it (`make build`) and run pytest with PYTHONPATH=python, or set "
                "HOTLOOP_TEST_PYTHON_ONLY=1 to validate the tests against CPython alone.")

    class _MissingDispatcher(_PyDispatcher):
        def __call__(self, *args, **kwargs):
            pytest.fail(_MISSING, pytrace=False)

    def _missing_jit(*args, **options):
        if len(args) == 1 and callable(args[0]) and not isinstance(args[0], str):
            return _MissingDispatcher(args[0])
        return _MissingDispatcher

    hl = types.SimpleNamespace(jit=_missing_jit, njit=_missing_jit,
                               __name__="hotloop (missing)")
    for _name in _TYPE_NAMES:
        setattr(hl, _name, _FakeType(_name))


def pytest_report_header(config):
    mode = ("python-only stand-in (HOTLOOP_TEST_PYTHON_ONLY=1)" if PYTHON_ONLY else
            "numba reference run" if REFERENCE == "numba" else "compiled")
    where = getattr(_REAL, "__file__", None) if _REAL is not None else "not importable"
    return f"hotloop correctness suite: {mode}; hotloop package: {where}"


# --------------------------------------------------------------------------------------
# Eager (signature) compilation, once per (function, signature, options)
# --------------------------------------------------------------------------------------
_EAGER_CACHE: dict = {}


def eager(sig, func, **options):
    """``hl.jit(sig, **options)(func)``, compiled once per test session.

    Called inside a test body so that a compile error fails that test only, not the
    collection of the whole module.
    """
    key = (func, str(sig), repr(sorted((k, repr(v)) for k, v in options.items())))
    if key not in _EAGER_CACHE:
        _EAGER_CACHE[key] = hl.jit(sig, **options)(func)
    return _EAGER_CACHE[key]


# --------------------------------------------------------------------------------------
# Pure-Python oracle: dispatchers called by the function run as Python too
# --------------------------------------------------------------------------------------
def _is_dispatcher(obj):
    return (not isinstance(obj, types.FunctionType) and callable(obj)
            and isinstance(getattr(obj, "py_func", None), types.FunctionType))


def pure_python(func, _memo=None):
    """A copy of `func` whose global / closure references to dispatchers point at pure
    Python copies of their ``py_func`` (recursively)."""
    if _is_dispatcher(func):
        func = func.py_func
    memo = {} if _memo is None else _memo
    if func in memo:
        return memo[func]

    code = func.__code__
    g = func.__globals__
    replaced = {name: g[name] for name in code.co_names
                if name in g and _is_dispatcher(g[name])}
    cells = func.__closure__ or ()
    todo_cells = []  # (new empty cell, dispatcher) to fill after memoizing
    new_cells = []
    for c in cells:
        try:
            v = c.cell_contents
        except ValueError:  # empty cell
            new_cells.append(c)
            continue
        if _is_dispatcher(v):
            nc = types.CellType()
            todo_cells.append((nc, v))
            new_cells.append(nc)
        else:
            new_cells.append(c)
    if not replaced and not todo_cells:
        memo[func] = func
        return func

    new_globals = dict(g) if replaced else g
    new_func = types.FunctionType(code, new_globals, func.__name__, func.__defaults__,
                                  tuple(new_cells) if func.__closure__ is not None else None)
    new_func.__kwdefaults__ = func.__kwdefaults__
    memo[func] = new_func  # before recursing: recursion-safe
    for name, disp in replaced.items():
        new_globals[name] = pure_python(disp.py_func, memo)
    for nc, disp in todo_cells:
        nc.cell_contents = pure_python(disp.py_func, memo)
    return new_func


# --------------------------------------------------------------------------------------
# Cloning arguments: arrays keep strides, layout, writeability and mutual aliasing
# --------------------------------------------------------------------------------------
def _root(a):
    r = a
    while isinstance(r.base, np.ndarray):
        r = r.base
    return r


def _data_ptr(a):
    return a.__array_interface__["data"][0]


def clone_args(args):
    """Copy the arguments; arrays that share memory still share it in the copies."""
    arrays = [a for a in args if isinstance(a, np.ndarray) and a.size > 0]
    groups: dict = {}
    for a in arrays:
        groups.setdefault(id(_root(a)), []).append(a)
    new_of: dict = {}
    for members in groups.values():
        bounds = [byte_bounds(a) for a in members]
        lo = min(b[0] for b in bounds)
        hi = max(b[1] for b in bounds)
        buf = np.empty(hi - lo, np.uint8)
        if hi > lo:
            buf[:] = np.ctypeslib.as_array((ctypes.c_uint8 * (hi - lo)).from_address(lo))
        for a in members:
            c = np.ndarray(a.shape, a.dtype, buffer=buf, offset=_data_ptr(a) - lo,
                           strides=a.strides)
            c.flags.writeable = a.flags.writeable
            new_of[id(a)] = c
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            if id(a) in new_of:
                out.append(new_of[id(a)])
            else:  # empty array: keep shape, dtype and order
                c = np.empty_like(a, order="F" if a.flags.f_contiguous and a.ndim > 1
                                  and not a.flags.c_contiguous else "C")
                c.flags.writeable = a.flags.writeable
                out.append(c)
        elif isinstance(a, (list, dict, set)):
            import copy

            out.append(copy.deepcopy(a))
        else:
            out.append(a)  # scalars, numpy scalars and tuples of them are immutable
    return out


# --------------------------------------------------------------------------------------
# Comparing results
# --------------------------------------------------------------------------------------
def kind_of(x):
    """'b', 'i', 'f', 'c' for bool / integer / floating / complex scalars, else None."""
    if isinstance(x, (bool, np.bool_)):
        return "b"
    if isinstance(x, (int, np.integer)):
        return "i"
    if isinstance(x, (float, np.floating)):
        return "f"
    if isinstance(x, (complex, np.complexfloating)):
        return "c"
    return None


def default_tol(dtype_or_value):
    """(rtol, atol) for a float dtype or value: float32 is compared loosely."""
    dt = getattr(dtype_or_value, "dtype", None)
    if dt is None:
        dt = np.dtype(np.float64)
    if dt == np.float32:
        return 1e-5, 0.0
    return 1e-12, 0.0


def assert_same(expected, got, rtol=None, atol=None, what="result", strict_dtype=False):
    """Differential equality: Python's `expected` against the compiled `got`.

    Arrays must agree in shape, dtype and values.  Scalars must agree in kind (bool, int,
    float) and value; with `strict_dtype`, a numpy scalar from Python (np.float32 ...)
    requires the compiled scalar to be of that width too: the same numpy type, or a Python
    scalar holding exactly the value the narrow type can represent.
    """
    if expected is None:
        assert got is None, f"{what}: Python gave None, compiled gave {got!r}"
        return
    if isinstance(expected, tuple):
        assert isinstance(got, tuple), f"{what}: Python gave a tuple, compiled gave {got!r}"
        assert len(got) == len(expected), f"{what}: tuple lengths {len(expected)} vs {len(got)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            assert_same(e, g, rtol, atol, f"{what}[{i}]", strict_dtype)
        return
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), (
            f"{what}: Python gave an ndarray, compiled gave {type(got).__name__} {got!r}")
        assert got.shape == expected.shape, f"{what}: shape {expected.shape} vs {got.shape}"
        assert got.dtype == expected.dtype, f"{what}: dtype {expected.dtype} vs {got.dtype}"
        # complex results are compared exactly unless the test gives a tolerance (NumPy's
        # SIMD complex multiply uses FMA on some CPUs: an ulp away from the plain formula)
        if expected.dtype.kind == "f" or (expected.dtype.kind == "c" and rtol is not None):
            r0, a0 = default_tol(expected)
            np.testing.assert_allclose(got, expected, rtol=r0 if rtol is None else rtol,
                                       atol=a0 if atol is None else atol, equal_nan=True,
                                       err_msg=what)
        else:
            np.testing.assert_array_equal(got, expected, err_msg=what)
        return
    ke, kg = kind_of(expected), kind_of(got)
    assert ke is not None, f"test bug: unexpected Python {what} {expected!r}"
    assert kg == ke, (f"{what}: kind differs: Python {type(expected).__name__} {expected!r}, "
                      f"compiled {type(got).__name__} {got!r}")
    if strict_dtype and isinstance(expected, np.generic) and ke in ("i", "f"):
        if isinstance(got, np.generic):
            assert got.dtype == expected.dtype, (
                f"{what}: dtype {expected.dtype} vs {got.dtype}")
        elif ke == "f" and expected.dtype == np.float32 and np.isfinite(got):
            assert float(np.float32(got)) == float(got), (
                f"{what}: Python gives float32, the compiled {got!r} is not a float32 value")
        elif ke == "i":
            info = np.iinfo(expected.dtype)
            assert info.min <= int(got) <= info.max, (
                f"{what}: Python gives {expected.dtype}, compiled {got!r} is out of its range")
    if ke in ("b", "i"):
        assert int(got) == int(expected), f"{what}: Python {expected!r}, compiled {got!r}"
    else:
        r0, a0 = default_tol(expected)
        np.testing.assert_allclose(got, expected, rtol=r0 if rtol is None else rtol,
                                   atol=a0 if atol is None else atol, equal_nan=True,
                                   err_msg=what)


def _fits_int64(x):
    if isinstance(x, tuple):
        return all(_fits_int64(v) for v in x)
    if isinstance(x, int) and not isinstance(x, bool):
        return INT64_MIN <= x <= INT64_MAX
    return True


def check(fn, *args, rtol=None, atol=None, check_args=True, raises=(ZeroDivisionError,),
          strict_dtype=False):
    """Run `fn.py_func` (pure Python) and `fn` (compiled) on clones of `args`; compare.

    `raises`: the exception types the Python oracle may legitimately raise on these inputs;
    the compiled call must then raise the same type.  Any other exception from the oracle
    is a bug in the test (its inputs leave the compiled slice's documented domain).
    Returns the Python result (or the exception Python raised) for extra assertions.
    """
    assert hasattr(fn, "py_func"), f"{fn!r} is not a dispatcher (no .py_func)"
    oracle = pure_python(fn.py_func)
    py_args = clone_args(args)
    jit_args = clone_args(args)

    py_exc = None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            expected = oracle(*py_args)
        except Exception as e:  # noqa: BLE001
            if not isinstance(e, tuple(raises)):
                raise AssertionError(
                    f"test bug: the Python oracle raised {type(e).__name__}({e}) on inputs "
                    f"the test should have excluded") from e
            py_exc = e
    if py_exc is not None:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                got = fn(*jit_args)
            except Exception as e:  # noqa: BLE001
                assert isinstance(e, type(py_exc)), (
                    f"Python raised {type(py_exc).__name__}({py_exc}), compiled raised "
                    f"{type(e).__name__}({e})")
                return py_exc
        pytest.fail(f"Python raised {type(py_exc).__name__}({py_exc}), compiled returned "
                    f"{got!r}")

    if not _fits_int64(expected):
        reject()  # compiled int64 arithmetic wraps here: not comparable

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        got = fn(*jit_args)

    assert_same(expected, got, rtol, atol, "return value", strict_dtype)
    if check_args:
        for i, (pa, ja) in enumerate(zip(py_args, jit_args)):
            if isinstance(pa, np.ndarray):
                assert_same(pa, ja, rtol, atol, f"argument {i} after the call")
    return expected


def check_raises(fn, exc_type, *args):
    """Both Python and the compiled function raise `exc_type` on `args`."""
    oracle = pure_python(fn.py_func)
    with pytest.raises(exc_type):
        oracle(*clone_args(args))
    with pytest.raises(exc_type):
        fn(*clone_args(args))


# --------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------
LAYOUTS = ("C", "F", "reversed", "strided", "T")


def finite_floats(lo=-1e6, hi=1e6, width=64):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=width)


def any_floats(width=64):
    return st.floats(allow_nan=True, allow_infinity=True, width=width)


def small_ints(lo=-1000, hi=1000):
    return st.integers(lo, hi)


def int64s():
    return st.integers(INT64_MIN, INT64_MAX)


def elements_for(dtype, lo=None, hi=None, nan=True):
    """Element strategy for an array dtype; floats include NaN/inf unless bounded."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return st.booleans()
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return st.integers(info.min if lo is None else lo, info.max if hi is None else hi)
    width = dtype.itemsize * 8
    if lo is None and hi is None:
        return st.floats(allow_nan=nan, allow_infinity=nan, width=width)
    return bounded_floats(lo, hi, width)


def _inward(v, up, width):
    """`v` as a value representable at `width` bits, rounded towards the inside."""
    if v is None or width == 64:
        return v
    f = np.float32(v)
    if up and float(f) < v:
        f = np.nextafter(f, np.float32(np.inf))
    if not up and float(f) > v:
        f = np.nextafter(f, np.float32(-np.inf))
    return float(f)


def bounded_floats(lo, hi, width=64, **kw):
    """st.floats(lo, hi) without NaN/inf; bounds need not be float32-representable."""
    return st.floats(_inward(lo, True, width), _inward(hi, False, width), allow_nan=False,
                     allow_infinity=False, width=width, **kw)


def make_view(base, layout):
    """Turn a freshly drawn C array into the requested layout (values are not kept)."""
    nd = base.ndim
    if layout == "C":
        return base
    if layout == "F":
        return np.asfortranarray(base)
    if layout == "reversed":
        return base[(slice(None, None, -1),) * nd]
    if layout == "strided":
        return base[(slice(None, None, 2),) * nd]
    if layout == "T":
        return base.T
    raise ValueError(layout)


@st.composite
def arrays(draw, dtype=np.float64, ndim=1, min_side=0, max_side=10, elements=None,
           layouts=LAYOUTS, lo=None, hi=None):
    """An ndarray of `dtype` and `ndim`, in a random layout: C, Fortran, reversed
    (negative strides), every other element (``[::2]``) or transposed; sides may be 0."""
    shape = draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=min_side,
                                  max_side=max_side))
    if elements is None:
        elements = elements_for(dtype, lo, hi)
    return draw(shaped(dtype, shape, elements=elements, layouts=layouts))


def fortran(a):
    return np.asfortranarray(a)


__all__ = [
    "hl", "PYTHON_ONLY", "SETTINGS", "FEW", "check", "check_raises", "assert_same", "eager",
    "arrays", "finite_floats", "any_floats", "small_ints", "int64s", "elements_for",
    "make_view", "LAYOUTS", "kind_of", "INT64_MIN", "INT64_MAX", "INT32_MIN", "INT32_MAX",
    "assume", "reject", "pure_python", "clone_args", "math", "bounded_floats",
]


# ---------------------------------------------------------------- shared by the array suites
QUICK = settings(FEW, max_examples=max(1, FEW.max_examples * 3 // 5))


def bug(reason):
    """A known compiler bug: the test must fail (strict), except in python-only mode."""
    return pytest.mark.xfail(not PYTHON_ONLY, reason=f"bug: {reason}", strict=True)


@st.composite
def shaped(draw, dtype, shape, elements=None, layouts=LAYOUTS):
    """An array of exactly `shape` in a random layout (C, F, reversed, strided, transposed)."""
    shape = tuple(shape)
    layout = draw(st.sampled_from(layouts))
    if layout == "strided":
        base_shape = tuple(2 * s for s in shape)
    elif layout == "T":
        base_shape = tuple(reversed(shape))
    else:
        base_shape = shape
    if elements is None:
        elements = elements_for(dtype)
    view = make_view(draw(hnp.arrays(dtype, base_shape, elements=elements)), layout)
    assert view.shape == shape
    return view
