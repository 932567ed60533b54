"""Type rules: NumPy 2 promotion (NEP 50).  Python literals are "weak" -- a float32 value
times 2.0 stays float32, an int32 value plus 1 stays int32 (and wraps at 2**31) -- while two
typed values promote as numpy does (int32 + int64 -> int64, int32 + float32 -> float64,
float32 + float64 -> float64).  Scalar arguments are numpy scalars (np.int32, np.float32,
...) so that CPython sees the same types the compiled code does; results are compared with
their width (`strict_dtype`) where the rule fixes it."""

import math

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from .conftest import (INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, SETTINGS, arrays,
                       assume, bounded_floats, check, finite_floats, hl, int64s)

f32 = np.float32
i32 = np.int32
i64 = np.int64
f64 = np.float64


def f32s(lo=-1e6, hi=1e6):
    return bounded_floats(lo, hi, width=32).map(f32)


def f32_any():
    return st.floats(width=32).map(f32)


def i32s(lo=INT32_MIN, hi=INT32_MAX):
    return st.integers(lo, hi).map(i32)


# ---------------------------------------------------------------- weak Python literals
@hl.jit
def f32_with_literals(x):
    return x * 2.0 + 0.5, x * 3 + 1, x / 4.0, x - 1


@SETTINGS
@given(f32_any())
@example(f32(3.4028235e38))  # * 2.0 overflows to inf in float32, not in float64
@example(f32(1e-45))
def test_float32_with_python_literals_stays_float32(x):
    check(f32_with_literals, x, strict_dtype=True)


@hl.jit
def f32_precision_witness(x):
    return (x + 1.0) - 1.0, (x * 1.0000001) / 1.0000001


@SETTINGS
@given(f32s(1e-9, 1e-3))
@example(f32(1e-8))
def test_float32_literal_arithmetic_rounds_in_float32(x):
    # in float32, 1e-8 + 1.0 == 1.0: computing in float64 would give 1e-8 back
    check(f32_precision_witness, x, strict_dtype=True, rtol=0.0, atol=0.0)


@hl.jit
def i32_with_literals(x):
    return x + 1, x * 2, x - 3, x // 2, x % 7, -x


@SETTINGS
@given(i32s())
@example(i32(INT32_MAX))
@example(i32(INT32_MIN))
@example(i32(-7))
def test_int32_with_python_literals_stays_int32_and_wraps(x):
    check(i32_with_literals, x, strict_dtype=True)


@hl.jit
def i32_array_plus_one(a):
    out = np.empty_like(a)
    for i in range(len(a)):
        out[i] = a[i] + 1
    return out, a[len(a) - 1] + 1


@SETTINGS
@given(arrays(np.int32, min_side=1, max_side=10))
@example(np.array([INT32_MAX], dtype=np.int32))
def test_int32_array_element_plus_literal(a):
    check(i32_array_plus_one, a, strict_dtype=True)


@hl.jit
def i32_times_float_literal(x):
    return x * 0.5, x + 1.5


@SETTINGS
@given(i32s())
@example(i32(INT32_MAX))
def test_int32_times_python_float_is_float64(x):
    # a weak float meets an integer: the result is the default float, float64
    check(i32_times_float_literal, x, strict_dtype=True)


# ---------------------------------------------------------------- typed values promote
@hl.jit
def add(x, y):
    return x + y


@hl.jit
def mul(x, y):
    return x * y


@SETTINGS
@given(i32s(), st.integers(INT64_MIN // 2, INT64_MAX // 2).map(i64))
@example(i32(INT32_MAX), i64(1))
def test_int32_plus_int64_is_int64(x, y):
    check(add, x, y, strict_dtype=True)
    check(add, y, x, strict_dtype=True)


@SETTINGS
@given(i32s(), f32s())
@example(i32(16777217), f32(0.5))
def test_int32_plus_float32_is_float64(x, y):
    # float32 cannot hold 16777217: a float32 computation would be visibly off
    check(add, x, y, strict_dtype=True)
    check(mul, y, x, strict_dtype=True)


@SETTINGS
@given(int64s().map(i64), f32s())
@example(i64(2**53 + 1), f32(1.0))
def test_int64_plus_float32_is_float64(x, y):
    check(add, x, y, strict_dtype=True)


@SETTINGS
@given(f32_any(), st.floats().map(f64))
@example(f32(0.1), f64(0.2))
def test_float32_plus_float64_is_float64(x, y):
    check(add, x, y, strict_dtype=True)
    check(mul, x, y, strict_dtype=True)


@SETTINGS
@given(f32_any(), f32_any())
def test_float32_plus_float32_stays_float32(x, y):
    check(add, x, y, strict_dtype=True)
    check(mul, x, y, strict_dtype=True)


@SETTINGS
@given(st.integers(INT64_MIN, INT64_MAX).map(i64), st.integers(INT64_MIN, INT64_MAX).map(i64))
@example(i64(2**62), i64(4))
@example(i64(INT64_MAX), i64(1))
def test_int64_scalar_arithmetic_wraps(x, y):
    # numpy int64 scalars wrap in CPython too, so every result is comparable
    check(add, x, y, strict_dtype=True)
    check(mul, x, y, strict_dtype=True)


# ---------------------------------------------------------------- division on narrow types
@hl.jit
def divisions(x, y):
    return x / y, x // y, x % y


@SETTINGS
@given(i32s(), i32s())
@example(i32(-7), i32(2))
@example(i32(7), i32(-2))
def test_int32_division_rules(x, y):
    # int32 / int32 -> float64; // and % stay int32 with Python's signs
    assume(y != 0 and not (x == INT32_MIN and y == -1))
    check(divisions, x, y, strict_dtype=True)


@SETTINGS
@given(f32s(), f32s())
@example(f32(-7.5), f32(2.0))
@example(f32(1.0), f32(0.1))
def test_float32_division_rules(x, y):
    assume(y != 0)
    check(divisions, x, y, strict_dtype=True)


@SETTINGS
@given(st.floats(allow_nan=True).map(f64), st.floats().map(f64))
@example(f64(-1.0), f64(math.inf))
def test_numpy_float64_scalars_behave_like_float(x, y):
    assume(y != 0)
    check(divisions, x, y, strict_dtype=True)


@hl.jit
def mixed_arrays(a, b):
    out = np.empty(len(a))
    for i in range(len(a)):
        out[i] = a[i] + b[i]
    first = a[0] * b[0] if len(a) > 0 else 0.0
    return out, first


@st.composite
def f32_and_int_arrays(draw):
    n = draw(st.integers(0, 12))
    ints = draw(st.sampled_from([np.int32, np.int64]))
    a = draw(arrays(np.float32, min_side=n, max_side=n, lo=-1e6, hi=1e6))
    b = draw(arrays(ints, min_side=n, max_side=n, lo=-2**40 if ints == np.int64 else None,
                    hi=2**40 if ints == np.int64 else None))
    return a, b


@SETTINGS
@given(f32_and_int_arrays())
def test_float32_and_int_array_elements_promote_to_float64(ab):
    # stored into float64 with rtol 1e-12: a float32 computation would not pass
    check(mixed_arrays, *ab, strict_dtype=True)


# ---------------------------------------------------------------- comparisons across types
@hl.jit
def cross_compare(x, y):
    return x < y, x == y, x >= y


@SETTINGS
@given(i32s(), f32s())
@example(i32(16777217), f32(16777216.0))
def test_int32_float32_comparison_in_float64(x, y):
    check(cross_compare, x, y)


# ---------------------------------------------------------------- bools
@hl.jit
def bool_args(b, c):
    return (b and c, b or c, not b, b & c, b | c, b ^ c, b == c, int(b) + int(c),
            1 if b else 0)


@SETTINGS
@given(st.booleans(), st.booleans())
def test_python_bool_arguments(b, c):
    check(bool_args, b, c)


@SETTINGS
@given(st.booleans().map(np.bool_), st.booleans().map(np.bool_))
def test_numpy_bool_arguments(b, c):
    check(bool_args, b, c)


@hl.jit
def bool_elements(a, b):
    n = 0
    for i in range(len(a)):
        if (a[i] & b[i]) or (a[i] ^ b[i]) == (not b[i]):
            n += 1
    return n, a[0] | b[0] if len(a) > 0 else False


@SETTINGS
@given(st.integers(0, 10).flatmap(lambda n: st.tuples(
    arrays(np.bool_, min_side=n, max_side=n), arrays(np.bool_, min_side=n, max_side=n))))
def test_bool_array_elements(ab):
    check(bool_elements, *ab)


# ---------------------------------------------------------------- int arguments are int64
@hl.jit
def python_int_is_int64(n):
    return n * 3 + 1, n // 3, n % 3


@SETTINGS
@given(st.integers(-2**61, 2**61))
@example(2**40 + 7)
def test_python_int_argument(n):
    r = check(python_int_is_int64, n)
    assert all(isinstance(v, int) for v in r)


@hl.jit
def float_scalar_return_kinds(a, i):
    return a[i], a[i] * 2.0, a[i] > 0.0


@SETTINGS
@given(st.sampled_from([np.float32, np.float64, np.int32, np.int64]).flatmap(
    lambda dt: arrays(dt, min_side=1, max_side=5, lo=-1000, hi=1000)), st.integers(0, 4))
def test_element_scalar_return_kinds(a, i):
    i = i % len(a)
    check(float_scalar_return_kinds, a, i, strict_dtype=True)
