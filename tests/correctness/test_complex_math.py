"""Complex math functions in compiled code: NumPy's (np.sqrt, np.log1p, np.sign,
np.maximum, ... of complex64/complex128 scalars and arrays) and cmath's, against the same
function run undecorated.

NumPy's complex functions call the C library's (glibc csqrt, clog, ...) or use NumPy's own
formulas built on real libm functions; compiled code calls the same, so results must be
identical, part by part, including the sign of zero parts and inf/nan, over the whole
complex plane. cmath has its own algorithms: compiled cmath functions are glibc's, so they
agree to a few ulps and in the signs of zeros on branch cuts, on inputs where cmath does not
raise (docs/semantics.md).
"""

import cmath
import math
import sys

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from .conftest import SETTINGS, arrays, hl

# complex64 operands from float64 specials (1e300 -> inf) are meant to overflow
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")

INF, NAN = math.inf, math.nan
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e-310, 1e300, -1e300, INF, -INF, NAN]


def parts(width):
    return st.one_of(st.sampled_from(SPECIAL), st.floats(width=width // 2))


def complexes(width=128):
    return st.builds(complex, parts(width), parts(width))


def moderate_complexes():
    """Where cmath raises no OverflowError, plus signed zeros on the branch cuts."""
    part = st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, -3.0]),
                     st.floats(-100.0, 100.0))
    return st.builds(complex, part, part)


def same_parts(got, want, what):
    """Identical parts: equal (NaN to NaN, any payload) with equal signs."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, what
    for g, w, name in ((got.real, want.real, "real"), (got.imag, want.imag, "imag")):
        same = (g == w) & (np.signbit(g) == np.signbit(w)) | (np.isnan(g) & np.isnan(w))
        assert same.all(), f"{what} ({name} parts): compiled {got[~same]}, NumPy {want[~same]}"


def check_numpy(fn, *args):
    with np.errstate(all="ignore"):
        want = fn.py_func(*args)
    got = fn(*args)
    assert isinstance(got, tuple) and len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        if isinstance(w, np.ndarray):
            assert isinstance(g, np.ndarray) and g.dtype == w.dtype, f"[{i}]: {g!r} vs {w!r}"
        else:
            assert isinstance(g, complex), f"[{i}]: {g!r} is not a Python complex"
            g = np.asarray(g, dtype=w.dtype)  # complex64 results come back as Python complex
        same_parts(g, w, f"{fn.py_func.__name__}[{i}] of {args}")


@hl.jit
def np_exp_log(z):
    return (np.sqrt(z), np.exp(z), np.expm1(z), np.exp2(z), np.log(z), np.log1p(z),
            np.log2(z), np.log10(z))


@hl.jit
def np_trig(z):
    return np.sin(z), np.cos(z), np.tan(z), np.arcsin(z), np.arccos(z), np.arctan(z)


@hl.jit
def np_hyperbolic(z):
    return (np.sinh(z), np.cosh(z), np.tanh(z), np.arcsinh(z), np.arccosh(z),
            np.arctanh(z))


@hl.jit
def np_sign_round(z):
    return np.sign(z), np.rint(z), np.round(z), np.round(z, 2), np.conj(z) * 1


@hl.jit
def np_order(a, b):
    return np.maximum(a, b), np.minimum(a, b), np.fmax(a, b), np.fmin(a, b)


NUMPY_FUNCTIONS = [np_exp_log, np_trig, np_hyperbolic, np_sign_round]
BRANCH_CUTS = [complex(-2.0, 0.0), complex(-2.0, -0.0), complex(2.0, 0.0), complex(2.0, -0.0),
               complex(0.0, 2.0), complex(-0.0, 2.0), complex(0.0, -2.0), complex(-0.0, -2.0),
               complex(-0.0, -0.0), complex(INF, NAN), complex(NAN, -INF)]


@pytest.mark.parametrize("fn", NUMPY_FUNCTIONS, ids=lambda f: f.py_func.__name__)
@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_numpy_functions_on_branch_cuts_and_special_values(fn, dtype):
    z = np.array(BRANCH_CUTS + [complex(x, y) for x in SPECIAL for y in SPECIAL], dtype=dtype)
    check_numpy(fn, z)
    for v in z[::7]:
        check_numpy(fn, v)


@pytest.mark.parametrize("fn", NUMPY_FUNCTIONS, ids=lambda f: f.py_func.__name__)
@SETTINGS
@given(data=st.data())
def test_numpy_functions_on_arrays(fn, data):
    width = data.draw(st.sampled_from([64, 128]))
    dtype = np.complex64 if width == 64 else np.complex128
    check_numpy(fn, data.draw(arrays(dtype, ndim=data.draw(st.integers(1, 2)),
                                     elements=complexes(width))))


@pytest.mark.parametrize("fn", NUMPY_FUNCTIONS, ids=lambda f: f.py_func.__name__)
@SETTINGS
@given(z=complexes())
def test_numpy_functions_on_scalars(fn, z):
    check_numpy(fn, np.complex128(z))
    check_numpy(fn, np.complex64(z))


@SETTINGS
@given(a=arrays(np.complex128, elements=complexes()), b=complexes())
@example(a=np.array([complex(1, 0), complex(NAN, 0), complex(1, NAN), complex(0, 0)]),
         b=complex(1, -0.0))
def test_complex_maximum_minimum_order_lexicographically(a, b):
    check_numpy(np_order, a, np.complex128(b))
    check_numpy(np_order, np.complex128(b), a)


# ---------------------------------------------------------------- cmath
@hl.jit
def cmath_all(z):
    return (cmath.sqrt(z), cmath.exp(z), cmath.log(z), cmath.log10(z), cmath.sin(z),
            cmath.cos(z), cmath.tan(z), cmath.asin(z), cmath.acos(z), cmath.atan(z),
            cmath.sinh(z), cmath.cosh(z), cmath.tanh(z), cmath.asinh(z), cmath.acosh(z),
            cmath.atanh(z))


@hl.jit
def cmath_of_array_elements(a):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = cmath.sqrt(a[i]) + cmath.exp(a[i]) * cmath.log(a[i])
    return out


def close(got, want, rtol=1e-13):
    """Norm-wise close, and the same sign where cmath's part is zero."""
    assert abs(got - want) <= rtol * abs(want) + 1e-300, f"compiled {got!r}, cmath {want!r}"
    for g, w in ((got.real, want.real), (got.imag, want.imag)):
        if w == 0:
            assert g == 0 and math.copysign(1, g) == math.copysign(1, w), (
                f"compiled {got!r}, cmath {want!r}")


@SETTINGS
@given(moderate_complexes())
@example(complex(-4.0, 0.0))
@example(complex(-4.0, -0.0))
@example(complex(0.5, -0.0))
@example(complex(-0.0, 3.0))
@example(complex(3.0, -0.0))
@example(complex(-0.0, 0.5))
def test_cmath_functions(z):
    assume(z != 0 and z not in (1, -1, 1j, -1j))  # cmath raises ValueError there
    # subnormal parts: CPython's cmath.asin(5e-324j) is 0j, C99's casin keeps 5e-324j (the
    # correctly rounded value); documented in semantics.md
    assume(all(p == 0 or abs(p) >= sys.float_info.min for p in (z.real, z.imag)))
    want = cmath_all.py_func(z)
    got = cmath_all(z)
    for g, w in zip(got, want):
        assert isinstance(g, complex)
        close(g, w)


@SETTINGS
@given(st.floats(-100.0, 100.0))
def test_cmath_of_real_numbers_is_complex(x):
    assume(x not in (0.0, 1.0, -1.0))
    # CPython's cmath.asinh(5e-324) is 0j; C99's casinh (compiled code) keeps the
    # subnormal 5e-324, which is asinh's correctly rounded value
    assume(abs(x) >= sys.float_info.min)
    for g, w in zip(cmath_all(x), cmath_all.py_func(x)):
        close(g, w)


@SETTINGS
@given(arrays(np.complex128, elements=moderate_complexes()))
def test_cmath_in_a_loop_over_array_elements(a):
    assume(np.all(a != 0))
    got, want = cmath_of_array_elements(a), cmath_of_array_elements.py_func(a)
    for g, w in zip(got, want):
        close(complex(g), complex(w), rtol=1e-12)


# ---------------------------------------------------------------- powers
# NumPy's npy_cpow: integer exponents in (-100, 100) by multiplications, the C library's cpow
# otherwise, with special cases for a zero base and a zero exponent
EXPONENTS = SPECIAL + [2.0, 3.0, 4.0, 7.0, -3.0, -7.0, 99.0, -99.0, 100.0, 1.5, -0.5, 1e-300]
POWER_GRID = [complex(x, y) for x in SPECIAL for y in SPECIAL]


@hl.jit
def power(a, b):
    return (a ** b,)


@hl.jit(error_model="numpy")
def power_ieee(a, b):
    return (a ** b,)


@hl.jit
def power_literals(z):
    # not ** -1 and ** 2: NumPy's array operator computes those with np.reciprocal and
    # np.square, its scalars and np.power with npy_cpow (docs/semantics.md)
    return z ** 0.5, z ** 1j, z ** -3, z ** 2.5, z ** 17, z ** (1 + 2j), 2.0 ** z, z ** -0.5


# scalar code raises ZeroDivisionError for 0 ** -1 (error_model="python"); NumPy gives nan
power_literals_ieee = hl.jit(error_model="numpy")(power_literals.py_func)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_power_on_special_values(dtype):
    bases = np.array(POWER_GRID, dtype=dtype)
    for w in EXPONENTS + [complex(0, 1), complex(1, 1), complex(-1, 0.5), complex(NAN, 0),
                          complex(0, -0.0), complex(-0.0, 0), complex(2, -0.0)]:
        check_numpy(power, bases, dtype(w))
        check_numpy(power, dtype(w), bases)  # w to each power
    check_numpy(power_literals, bases)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_power_of_numpy_scalars(dtype):
    for z in POWER_GRID[::5]:
        check_numpy(power_literals_ieee, dtype(z))
        for w in EXPONENTS[::2]:
            check_numpy(power_ieee, dtype(z), dtype(w))


@SETTINGS
@given(data=st.data())
def test_power_of_arrays(data):
    width = data.draw(st.sampled_from([64, 128]))
    dtype = np.complex64 if width == 64 else np.complex128
    # integer-valued exponents take NumPy's multiplication path
    exponent = st.one_of(complexes(width), st.builds(complex, st.integers(-120, 120)),
                         st.builds(complex, st.floats(-5, 5, width=width // 2),
                                   st.floats(-5, 5, width=width // 2)))
    a = data.draw(arrays(dtype, elements=complexes(width), min_side=1))
    b = data.draw(arrays(dtype, elements=exponent, min_side=1, max_side=1))
    check_numpy(power, a, b)
    check_numpy(power, b, a)
    check_numpy(power_literals, a)


# NumPy's promotion: float32 ** complex64 is complex64, float64 ** complex64 complex128
@pytest.mark.parametrize("real", [np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize("cplx", [np.complex64, np.complex128])
def test_power_of_mixed_real_and_complex(real, cplx):
    x = np.array([-2.5, -1.0, -0.0, 0.0, 0.5, 2.0, 3.0, 100.0]).astype(real)
    z = np.array([0.5, -0.5, 1j, 1.5 - 2j, 2, -1, 0, np.nan]).astype(cplx)
    check_numpy(power, x, z)
    check_numpy(power, z, x)
    check_numpy(power, x, cplx(0.5 + 0.25j))
    check_numpy(power, z, real(3))


@hl.jit
def real_to_complex_power(x):
    return (x ** 1j, x ** (0.5 + 0j))


def test_negative_real_bases_to_fractional_powers():
    x = np.array([-4.0, -2.5, -1.0, -1e-300, -1e300, -np.inf])
    check_numpy(real_to_complex_power, x)
    check_numpy(power, x.astype(np.complex128), np.array([0.5, 1 / 3, -0.25, 2.5], dtype=complex)[:, None])


# ---- Python complex numbers in scalar code: CPython's errors, NumPy's values (a few ulps
# from CPython's own algorithm for non-integer exponents; the sign of a zero part can differ:
# CPython computes (1-0j) ** 1 as 1 * (1-0j) = 1+0j, NumPy returns the base)
@SETTINGS
@given(moderate_complexes(), st.one_of(moderate_complexes(), st.builds(complex, st.integers(-50, 50))))
def test_python_complex_power(z, w):
    assume(1e-3 < abs(z) < 1e3 and abs(w) < 20)  # CPython raises on under- and overflow
    with np.errstate(all="ignore"):
        want = z ** w
    assume(abs(want) < 1e250 and (want == 0 or abs(want) > 1e-250))
    got = power(z, w)[0]
    assert isinstance(got, complex)
    assert abs(got - want) <= 1e-11 * abs(want), f"compiled {got!r}, CPython {want!r}"


@pytest.mark.parametrize("w", [-1, -1.0, 1j, complex(1, 1), complex(-2, 0), complex(0, -0.5)])
def test_python_zero_to_negative_or_complex_power_raises(w):
    with pytest.raises(ZeroDivisionError):
        power.py_func(0j, w)
    with pytest.raises(ZeroDivisionError):
        power(0j, w)


def test_python_zero_to_positive_or_zero_power():
    for w in (complex(2, 0), 0j, complex(0, -0.0), 0.5):
        assert power(0j, w) == power.py_func(0j, w)
