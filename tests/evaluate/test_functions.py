"""numexpr's whole function list, each function on every input dtype it takes.

Every function of numexpr 2.14 is evaluated on bool, int32, int64, float32, float64,
complex64 and complex128 operands (both arguments of the same dtype for the binary ones) and checked
against NumPy's function of the same name: same dtype, same values (NaN equal to NaN,
floats to a few ulps). NumPy's dtype rules apply (docs/semantics.md); where numexpr also
computes the function for that dtype, the values must agree with numexpr's as well (its
dtypes differ: e.g. numexpr's abs(int32) is float64). A dtype NumPy refuses for a
function must be refused by hotloop too (with a CompileError or TypeError).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from .conftest import hl, hl_eval, ne

UNARY = ("sqrt sin cos tan arcsin arccos arctan sinh cosh tanh arcsinh arccosh arctanh log "
         "log1p log10 log2 exp expm1 abs ceil floor round trunc sign real imag conj isnan "
         "isfinite isinf signbit").split()
BINARY = "arctan2 fmod hypot copysign nextafter maximum minimum".split()
DTYPES = ("bool", "int32", "int64", "float32", "float64", "complex64", "complex128")

# numexpr's names that are not NumPy's
NUMPY_NAME = {"round": "rint"}
# documented differences from NumPy's dtypes (docs/semantics.md): hotloop has no float16,
# so float functions of bools are float64; conj(bool) is bool (NumPy: int8)
HOTLOOP_DTYPE = {("float16", None): "float64", ("int8", "conj"): "bool"}

REAL_VALUES = [-np.inf, -3.5, -1.0, -0.5, -0.0, 0.0, 0.25, 0.5, 0.999, 1.0, 1.5, 2.0, 7.0,
               1e10, np.inf, np.nan]
INT_VALUES = [-7, -2, -1, 0, 1, 2, 3, 100]


def values(dtype, shift=0):
    if dtype == "bool":
        return np.array([True, False, True, True, False][shift:] + [False] * shift)
    if dtype.startswith("int"):
        return np.roll(np.array(INT_VALUES, dtype=dtype), shift)
    if dtype.startswith("complex"):
        re = np.array(REAL_VALUES)
        return np.roll(np.array([complex(x, y) for x, y in zip(re, np.roll(re, 3))], dtype=dtype), shift)
    return np.roll(np.array(REAL_VALUES, dtype=dtype), shift)


def numpy_result(fn, args):
    f = getattr(np, NUMPY_NAME.get(fn, fn))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*args)


def same_values(got, expected, rtol):
    got, expected = np.asarray(got), np.asarray(expected)
    if expected.dtype.kind in "fc":
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)


def check(fn, args):
    names = "ab"[:len(args)]
    expr = f"{fn}({', '.join(names)})"
    operands = dict(zip(names, args))
    try:
        expected = numpy_result(fn, args)
    except TypeError:  # NumPy has no loop for this dtype: hotloop refuses it too
        expected = None
    if expected is None:
        with pytest.raises((hl.CompileError, TypeError)):
            hl_eval(expr, operands)
        return
    got = hl_eval(expr, operands)
    want = HOTLOOP_DTYPE.get((str(expected.dtype), None), HOTLOOP_DTYPE.get((str(expected.dtype), fn)))
    assert got.dtype == (want or expected.dtype), f"{expr}: dtype {got.dtype}, NumPy {expected.dtype}"
    if expected.dtype == np.float16:  # NumPy's values in the dtype hotloop computes in
        expected = numpy_result(fn, [a.astype(got.dtype) for a in args])
    single = any(a.dtype in (np.float32, np.complex64, np.bool_) for a in args)
    rtol = 1e-6 if single else 1e-13
    same_values(got, expected, rtol)
    if ne is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = ne.evaluate(expr, local_dict=operands)
        except (TypeError, ValueError, NotImplementedError, KeyError):
            return  # numexpr does not compute it for this dtype
        # numexpr's own implementations differ from C99/NumPy at inf and nan: finite inputs only
        finite = np.all([np.isfinite(a) for a in args], axis=0)
        if args[0].dtype.kind == "c":
            # and its complex functions are textbook formulas: they overflow for large |z|
            # (arcsin(1e10+1.5j) is infj) and lose the sign of a zero part on branch cuts
            # (arctan(-0-3.5j), arccosh(0.5-0j)), where NumPy's C99 functions do not
            z = args[0]
            finite &= (z.real != 0) & (z.imag != 0) & (abs(z) < 1e8)
        got, theirs = got[finite], theirs[finite]
        if fn == "nextafter" and theirs.dtype != got.dtype:
            return  # numexpr steps in float64 from float32 inputs
        if theirs.dtype.kind in "fc" and got.dtype.kind in "fc":
            # numexpr computes some functions in another precision (float32 -> float64)
            tol = 1e-6 if single or theirs.dtype in (np.float32, np.complex64) else rtol
            same_values(got.astype(theirs.dtype), theirs, max(tol, 1e-12))
        elif theirs.dtype.kind == got.dtype.kind:
            same_values(got, theirs, rtol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn", UNARY)
def test_unary_function(fn, dtype):
    check(fn, [values(dtype)])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn", BINARY)
def test_binary_function(fn, dtype):
    check(fn, [values(dtype), values(dtype, 2)])


@pytest.mark.parametrize("dtype", ("float32", "float64"))
def test_complex_of_two_reals(dtype):
    a, b = values(dtype), values(dtype, 5)
    got = hl_eval("complex(a, b)", {"a": a, "b": b})
    assert got.dtype == np.complex128  # numexpr's complex() is complex128
    np.testing.assert_array_equal(got.real, a.astype(np.float64))
    np.testing.assert_array_equal(got.imag, b.astype(np.float64))
    if ne is not None:
        np.testing.assert_array_equal(got, ne.evaluate("complex(a, b)"))


@pytest.mark.parametrize("dtype", DTYPES)
def test_real_and_imag_attributes(dtype):
    a = values(dtype)
    for part in ("real", "imag"):
        got = hl_eval(f"a.{part} + 0", {"a": a})
        with np.errstate(all="ignore"):
            expected = getattr(a, part) + 0
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)


POWER_DTYPES = [("complex64", "complex64"), ("complex128", "complex128"), ("float32", "complex64"),
                ("float64", "complex64"), ("complex64", "float64"), ("int32", "complex64"),
                ("complex128", "int64"), ("complex64", "complex128")]


@pytest.mark.parametrize("da, db", POWER_DTYPES)
@pytest.mark.parametrize("expr", ["a ** b", "b ** a", "a ** 2.5", "a ** 0.5", "a ** 1j",
                                  "a ** 3", "a ** -3", "2 ** b", "a ** (1.5 - 2j)"])
def test_complex_power(expr, da, db):
    """NumPy's npy_cpow, bit for bit; numexpr's where both are finite (numexpr's complex
    pow is its own: it differs at inf and nan, and for a zero base)."""
    args = {"a": np.resize(values(da), 16), "b": np.resize(values(db, 2), 16)}
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = eval(expr, {}, dict(args))
    except ValueError:  # integers to negative integer powers
        with pytest.raises(ValueError):
            hl_eval(expr, args)
        return
    got = hl_eval(expr, args)
    assert got.dtype == expected.dtype, f"{expr}: dtype {got.dtype}, NumPy {expected.dtype}"
    if got.dtype.kind == "c":
        np.testing.assert_array_equal(got, expected)
    else:
        same_values(got, expected, 1e-6 if got.dtype == np.float32 else 1e-13)
    if ne is None or got.dtype.kind != "c":
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = ne.evaluate(expr, local_dict=args)
    except TypeError:  # numexpr fails on a complex constant exponent (a ** 1j)
        return
    finite = np.isfinite(got) & np.isfinite(theirs) & np.all([a != 0 for a in args.values()], axis=0)
    tol = 1e-5 if np.complex64 in (got.dtype, theirs.dtype) else 1e-12
    same_values(got[finite].astype(theirs.dtype), theirs[finite], tol)
