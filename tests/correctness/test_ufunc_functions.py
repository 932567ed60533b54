"""NumPy's ufuncs called by name (np.add, np.power, np.less, np.logical_and, ...) on arrays
(with broadcasting) and scalars, against NumPy running the same function: dtypes, promotion
(NEP 50), division by zero, integer powers, NaN, and out=."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import (FEW, PYTHON_ONLY, SETTINGS, arrays, assert_same, check, elements_for,
                       hl, shaped)

needs_compiler = pytest.mark.skipif(PYTHON_ONLY, reason="inspects the compiled IR")

INTS = (np.int32, np.int64)
FLOATS = (np.float32, np.float64)
REAL = (np.bool_,) + INTS + FLOATS
ALL = REAL + (np.complex128,)


# ---------------------------------------------------------------- the functions under test
def f_add(a, b): return np.add(a, b)
def f_subtract(a, b): return np.subtract(a, b)
def f_multiply(a, b): return np.multiply(a, b)
def f_divide(a, b): return np.divide(a, b)
def f_true_divide(a, b): return np.true_divide(a, b)
def f_floor_divide(a, b): return np.floor_divide(a, b)
def f_power(a, b): return np.power(a, b)
def f_float_power(a, b): return np.float_power(a, b)
def f_remainder(a, b): return np.remainder(a, b)
def f_mod(a, b): return np.mod(a, b)
def f_fmod(a, b): return np.fmod(a, b)
def f_bitwise_and(a, b): return np.bitwise_and(a, b)
def f_bitwise_or(a, b): return np.bitwise_or(a, b)
def f_bitwise_xor(a, b): return np.bitwise_xor(a, b)
def f_left_shift(a, b): return np.left_shift(a, b)
def f_right_shift(a, b): return np.right_shift(a, b)
def f_equal(a, b): return np.equal(a, b)
def f_not_equal(a, b): return np.not_equal(a, b)
def f_less(a, b): return np.less(a, b)
def f_less_equal(a, b): return np.less_equal(a, b)
def f_greater(a, b): return np.greater(a, b)
def f_greater_equal(a, b): return np.greater_equal(a, b)
def f_logical_and(a, b): return np.logical_and(a, b)
def f_logical_or(a, b): return np.logical_or(a, b)
def f_logical_xor(a, b): return np.logical_xor(a, b)
def f_hypot(a, b): return np.hypot(a, b)
def f_arctan2(a, b): return np.arctan2(a, b)
def f_copysign(a, b): return np.copysign(a, b)
def f_heaviside(a, b): return np.heaviside(a, b)
def f_maximum(a, b): return np.maximum(a, b)

def f_negative(a): return np.negative(a)
def f_positive(a): return np.positive(a)
def f_absolute(a): return np.absolute(a)
def f_square(a): return np.square(a)
def f_reciprocal(a): return np.reciprocal(a)
def f_sign(a): return np.sign(a)
def f_logical_not(a): return np.logical_not(a)
def f_invert(a): return np.invert(a)
def f_bitwise_not(a): return np.bitwise_not(a)
def f_deg2rad(a): return np.deg2rad(a)
def f_rad2deg(a): return np.rad2deg(a)
def f_degrees(a): return np.degrees(a)
def f_radians(a): return np.radians(a)
def f_cbrt(a): return np.cbrt(a)


NO_BOOL = INTS + FLOATS  # also for float functions: NumPy gives float16 for bools, hotloop float64
# Each function and the dtypes NumPy has a loop for (and that compiled code supports).
BINARY = {
    f_add: ALL, f_subtract: NO_BOOL + (np.complex128,), f_multiply: ALL, f_divide: ALL,
    f_true_divide: ALL, f_floor_divide: NO_BOOL, f_power: NO_BOOL + (np.complex128,),
    f_float_power: ALL, f_remainder: NO_BOOL, f_mod: NO_BOOL, f_fmod: NO_BOOL,
    f_bitwise_and: (np.bool_,) + INTS, f_bitwise_or: (np.bool_,) + INTS,
    f_bitwise_xor: (np.bool_,) + INTS, f_left_shift: INTS, f_right_shift: INTS,
    f_equal: ALL, f_not_equal: ALL, f_less: REAL, f_less_equal: REAL, f_greater: REAL,
    f_greater_equal: REAL, f_logical_and: ALL, f_logical_or: ALL, f_logical_xor: ALL,
    f_hypot: NO_BOOL, f_arctan2: NO_BOOL, f_copysign: NO_BOOL, f_heaviside: NO_BOOL, f_maximum: REAL,
}
UNARY = {
    f_negative: NO_BOOL + (np.complex128,), f_positive: NO_BOOL + (np.complex128,),
    f_absolute: ALL, f_square: NO_BOOL + (np.complex128,), f_reciprocal: REAL,
    f_sign: NO_BOOL + (np.complex128,), f_logical_not: ALL, f_invert: (np.bool_,) + INTS,
    f_bitwise_not: (np.bool_,) + INTS, f_deg2rad: NO_BOOL, f_rad2deg: NO_BOOL, f_degrees: NO_BOOL,
    f_radians: NO_BOOL, f_cbrt: NO_BOOL,
}
JIT = {f: hl.jit(f) for f in list(BINARY) + list(UNARY)}


def elements(dtype):
    """Small integers (zeros and negative exponents are common), floats with NaN and inf."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        return st.integers(-40, 40) | elements_for(dtype)
    if dtype.kind == "c":
        part = st.sampled_from([0.0, -1.5, 2.0, np.nan, np.inf]) | st.floats(-1e3, 1e3)
        return st.builds(complex, part, part)
    return elements_for(dtype)


def operand(data, dtype, shape):
    """An array of `shape` (any layout), or a NumPy scalar when shape is None."""
    if shape is None:
        return dtype(data.draw(elements(dtype)))
    return data.draw(shaped(dtype, shape, elements=elements(dtype)))


# Broadcasting shapes: equal, a row against a column, and a scalar on either side.
SHAPES = [((6,), (6,)), ((3, 1), (4,)), ((2, 3), None), (None, (5,)), (None, None)]
RAISES = (ValueError, ZeroDivisionError)  # integers to negative powers


def tol(*dtypes):
    return 2e-5 if np.float32 in dtypes or np.complex64 in dtypes else 1e-12


@SETTINGS
@given(st.sampled_from(sorted(BINARY, key=lambda f: f.__name__)), st.data())
def test_binary(f, data):
    da, db = data.draw(st.sampled_from(BINARY[f])), data.draw(st.sampled_from(BINARY[f]))
    sa, sb = data.draw(st.sampled_from(SHAPES))
    a, b = operand(data, da, sa), operand(data, db, sb)
    check(JIT[f], a, b, raises=RAISES, rtol=tol(da, db))


@SETTINGS
@given(st.sampled_from(sorted(UNARY, key=lambda f: f.__name__)), st.data())
def test_unary(f, data):
    dtype = data.draw(st.sampled_from(UNARY[f]))
    a = operand(data, dtype, data.draw(st.sampled_from([(7,), (2, 3), None])))
    check(JIT[f], a, rtol=tol(dtype))


# ---------------------------------------------------------------- Python numbers (NEP 50)
@FEW
@given(st.sampled_from(sorted(BINARY, key=lambda f: f.__name__)), st.data())
def test_binary_python_numbers(f, data):
    """Python numbers are weak beside a NumPy value and int64/float64 on their own."""
    dtype = data.draw(st.sampled_from(BINARY[f]))
    kinds = {np.bool_: st.booleans(), np.int32: st.integers(-20, 20), np.int64: st.integers(-20, 20),
             np.float32: st.floats(-20, 20), np.float64: st.floats(-20, 20),
             np.complex128: st.builds(complex, st.floats(-5, 5), st.floats(-5, 5))}
    x = data.draw(kinds[dtype])
    other = data.draw(st.sampled_from([None, (4,)]))
    y = operand(data, dtype, other) if other else data.draw(kinds[dtype])
    check(JIT[f], x, y, raises=RAISES, rtol=tol(dtype))
    check(JIT[f], y, x, raises=RAISES, rtol=tol(dtype))


def test_integer_powers_and_division_by_zero():
    ints = np.array([0, 1, -1, 2, -3, 7], dtype=np.int64)
    for f in (f_power, f_floor_divide, f_remainder, f_mod, f_fmod, f_divide, f_float_power):
        check(JIT[f], ints, np.array([2, 0, 3, 1, 0, 2], dtype=np.int32), raises=RAISES)
        check(JIT[f], 7, 0, raises=RAISES)
        check(JIT[f], 2.5, 0.0, raises=RAISES)
    check(JIT[f_power], ints, np.array([1, 2, -1, 0, 1, 1]), raises=RAISES)  # ValueError
    check(JIT[f_power], np.int32(2), -1, raises=RAISES)
    check(JIT[f_float_power], ints, -2, raises=RAISES)
    check(JIT[f_reciprocal], np.array([0, 1, -1, 2, -2], dtype=np.int32))
    check(JIT[f_reciprocal], np.array([0.0, -0.0, 2.0, np.nan]))


# ---------------------------------------------------------------- complex division, exactly
def divide_op(a, b):
    return a / b


DIVIDE_OP = hl.jit(divide_op)
DIVIDE_OP_NUMPY = hl.jit(error_model="numpy")(divide_op)
# wide exponents (Smith's scaling matters), signed zeros, inf and NaN in either part
PARTS = (st.sampled_from([0.0, -0.0, 1.0, -1.5, np.inf, -np.inf, np.nan])
         | st.builds(lambda m, e: m * 10.0 ** e, st.floats(-10, 10), st.integers(-300, 300)))
COMPLEX = st.builds(complex, PARTS, PARTS)


@SETTINGS
@given(st.lists(st.tuples(COMPLEX, COMPLEX), min_size=1, max_size=8), st.booleans())
def test_complex_division_bit_for_bit(pairs, single):
    """Array elements, np.divide and `/` with a NumPy scalar operand follow NumPy's loop
    (multiply by the reciprocal; np.divide by zero gives inf/nan), `/` of two Python
    complex numbers CPython's _Py_c_quot (ZeroDivisionError), error_model="numpy"
    NumPy's: all compared bit for bit."""
    with np.errstate(over="ignore"):  # complex64: large parts become inf
        a = np.array([p[0] for p in pairs], dtype=np.complex64 if single else np.complex128)
        b = np.array([p[1] for p in pairs], dtype=a.dtype)
    check(JIT[f_divide], a, b)
    check(DIVIDE_OP, a, b)
    check(JIT[f_divide], a[0], b[0])  # NumPy scalars run NumPy's loop too
    if b[0] != 0:  # (by zero the / operator raises ZeroDivisionError: error_model="python")
        check(DIVIDE_OP, a[0], b[0])  # and so does / with a NumPy scalar operand
    x, y = complex(pairs[0][0]), complex(pairs[0][1])
    check(DIVIDE_OP, x, y)  # ZeroDivisionError when y == 0, as CPython
    with np.errstate(all="ignore"):
        expected = np.complex128(x) / np.complex128(y)
    assert_same(expected, DIVIDE_OP_NUMPY(x, y))


def test_complex_division_examples():
    check(JIT[f_divide], 878052889971503.0, np.array([-1.5j]))  # an ulp from CPython's
    check(JIT[f_divide], np.array([1 + 2j, -1j, np.nan]), np.array([0j, -0j, 0j]))
    check(DIVIDE_OP, 878052889971503.0 + 0j, -1.5j)
    check(DIVIDE_OP, 1 + 1j, 0j)  # ZeroDivisionError
    # complex / np.float64: CPython's complex.__truediv__ takes it (np.float64 is a float)
    check(DIVIDE_OP, 5 + 0j, np.array([3.0])[0])
    check(DIVIDE_OP, np.complex128(5), 3.0)  # NumPy's


def test_bool_floor_divide_is_int8():
    # NumPy bool // bool (and %, **, <<, >>) is int8; Python bools stay Python ints
    check(JIT[f_floor_divide], np.array([True, False]), np.array([True, True]))
    check(JIT[f_floor_divide], np.True_, np.True_)
    check(bool_int_ops, np.array([True, False]), np.array([True, True]), True)
    check(bool_int_ops, np.True_, np.False_, False)


@hl.jit
def bool_int_ops(a, b, p):
    return a // b, a % b, a ** b, a << b, a >> b, p // p, p ** p, p << p, a // p


# ---------------------------------------------------------------- out=
@hl.jit
def add_out(a, b, c):
    np.add(a, b, out=c)
    np.multiply(c, 2, out=c)
    np.sqrt(c, out=c)
    return c


@hl.jit
def less_out(a, b, c):
    np.less(a, b, out=c)
    return c


@hl.jit
def assigned_out(a, b, c):
    d = np.add(a, b, out=c)        # NumPy returns out: d is c
    d[0] = -1.0                    # so this write shows in c
    e = np.sqrt(a, out=np.empty_like(a))  # out evaluated once
    c = np.multiply(c, 2, out=c)
    return d, e, c


@FEW
@given(arrays(np.float64, lo=0, hi=100, min_side=1), st.data())
def test_out_assigned(a, data):
    b = data.draw(shaped(np.float64, (1,)))
    check(assigned_out, a, b, np.empty_like(a))


@FEW
@given(arrays(np.float64, lo=0, hi=100), st.data())
def test_out(a, data):
    b = data.draw(shaped(np.float32, (1,)))
    check(add_out, a, b, np.empty_like(a))
    check(add_out, a, a, a)  # out= overlapping the inputs
    check(less_out, a, b, np.empty(a.shape, dtype=np.bool_))
    check(add_out, a.astype(np.int32), 1, np.zeros(a.shape))  # computed in int32, then cast


# ---------------------------------------------------------------- fusion
@hl.jit
def fused(a, b):
    return np.power(a, 2) + np.multiply(a, b)


@needs_compiler
def test_ufunc_calls_fuse_into_one_loop():
    a, b = np.linspace(-2.0, 2.0, 101), np.linspace(0.0, 1.0, 101)
    check(fused, a, b)
    ir = fused.inspect_ir(fused.signatures[0])
    assert ir.count("np.empty(") == 1, ir  # one loop nest (and its broadcasting twin), no temporaries
    assert "pow(" not in ir, ir  # np.power(a, 2) is strength-reduced as a ** 2 is
