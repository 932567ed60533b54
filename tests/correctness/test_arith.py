"""Scalar arithmetic with Python semantics: + - * / // % **, bitwise ops, comparisons,
boolean logic, conditional expressions, augmented assignment, division by zero and
int64 wrap-around (compared only where CPython's result fits int64, or through numpy int64
values whose arithmetic wraps in CPython too)."""

import math

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from .conftest import (INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, SETTINGS, any_floats,
                       arrays, assume, check, finite_floats, hl, int64s, small_ints)

INF = math.inf
NAN = math.nan


# ---------------------------------------------------------------- integer + - *
@hl.jit
def int_add_sub_mul(a, b, c):
    return a + b - c, a * b, -a + c * 3, a - b * c


@SETTINGS
@given(st.integers(-2**31, 2**31), st.integers(-2**31, 2**31), int64s())
@example(INT32_MAX, INT32_MAX, 0)
@example(0, 0, INT64_MIN // 3)
def test_int_add_sub_mul(a, b, c):
    # intermediate results may wrap in compiled code; + - * are exact modulo 2**64, so
    # whenever Python's final result fits int64 the two must agree.
    check(int_add_sub_mul, a, b, c)


# ---------------------------------------------------------------- integer // %
@hl.jit
def int_floordiv_mod(a, b):
    q = a // b
    r = a % b
    return q, r, q * b + r


@SETTINGS
@given(int64s(), int64s())
@example(7, 2)
@example(-7, 2)
@example(7, -2)
@example(-7, -2)
@example(INT64_MIN, 3)
@example(INT64_MAX, -1)
def test_int_floordiv_mod_python_signs(a, b):
    assume(b != 0 and not (a == INT64_MIN and b == -1))
    check(int_floordiv_mod, a, b)


@hl.jit
def int_floordiv(a, b):
    return a // b


@hl.jit
def int_mod(a, b):
    return a % b


@hl.jit
def int_truediv(a, b):
    return a / b


@SETTINGS
@given(int64s())
@example(0)
def test_int_division_by_zero_raises(a):
    for fn in (int_floordiv, int_mod, int_truediv):
        err = check(fn, a, 0)
        assert isinstance(err, ZeroDivisionError)


@SETTINGS
@given(int64s(), int64s())
@example(1, 3)
@example(-1, 3)
@example(2**53 + 1, 1)
def test_int_true_division_gives_float(a, b):
    assume(b != 0)
    # CPython divides big ints exactly; compiled code converts to double first: 1 ulp apart
    # at most, well inside rtol.
    r = check(int_truediv, a, b)
    assert isinstance(r, float)


# ---------------------------------------------------------------- float / // %
@hl.jit
def float_truediv(x, y):
    return x / y


@SETTINGS
@given(any_floats(), any_floats())
@example(1.0, 3.0)
@example(INF, 2.0)
@example(1.0, INF)
@example(-1.0, -INF)
@example(NAN, 1.0)
@example(5e-324, 0.5)
def test_float_true_division(x, y):
    assume(y != 0.0)
    check(float_truediv, x, y)


@hl.jit
def float_floordiv_mod(x, y):
    return x // y, x % y


@SETTINGS
@given(any_floats(), any_floats())
@example(1.0, 0.1)  # floor(1.0/0.1) would give 10.0; Python gives 9.0
@example(-7.5, 2.0)
@example(7.5, -2.0)
@example(-7.5, -2.0)
@example(-1.0, INF)
@example(1.0, -INF)
@example(INF, 1.0)
@example(-0.0, 1.0)
@example(0.0, -1.0)
@example(NAN, 3.0)
@example(3.0, NAN)
@example(1e308, 1e-308)
def test_float_floordiv_mod_python_signs(x, y):
    assume(y != 0.0)
    check(float_floordiv_mod, x, y)


@hl.jit
def float_floordiv(x, y):
    return x // y


@hl.jit
def float_mod(x, y):
    return x % y


@SETTINGS
@given(any_floats(), st.sampled_from([0.0, -0.0]))
@example(1.0, 0.0)
@example(NAN, 0.0)
@example(INF, -0.0)
def test_float_division_by_zero_raises(x, zero):
    for fn in (float_truediv, float_floordiv, float_mod):
        err = check(fn, x, zero)
        assert isinstance(err, ZeroDivisionError)


@hl.jit
def mixed_by_zero(n, x):
    return n / x


@SETTINGS
@given(small_ints())
def test_int_by_float_zero_raises(n):
    err = check(mixed_by_zero, n, 0.0)
    assert isinstance(err, ZeroDivisionError)


# ---------------------------------------------------------------- mixed int/float
@hl.jit
def mixed_int_float(n, x):
    return n + x, n * x, x - n, n / x, n // x, n % x, x ** 2 + n


@SETTINGS
@given(st.integers(-2**40, 2**40), finite_floats(-1e6, 1e6))
@example(7, -2.5)
@example(-7, 0.3)
def test_mixed_int_float_arithmetic(n, x):
    assume(x != 0.0)
    r = check(mixed_int_float, n, x)
    assert all(isinstance(v, float) for v in r)


# ---------------------------------------------------------------- powers
@hl.jit
def int_pow(a, e):
    return a ** e, a ** 2, a ** 0


@SETTINGS
@given(st.integers(-50, 50), st.integers(0, 11))
@example(-3, 7)
@example(0, 0)
def test_int_power_nonnegative_exponent(a, e):
    r = check(int_pow, a, e)
    assert isinstance(r[0], int)


@hl.jit
def float_pow_int_exp(x, n):
    return x ** n, x ** 3, x ** -2


@SETTINGS
@given(finite_floats(-100.0, 100.0), st.integers(-5, 8))
@example(-2.0, 3)
@example(0.5, -5)
def test_float_power_int_exponent(x, n):
    assume(abs(x) > 1e-3)  # x ** -2 of a tiny x overflows: OverflowError in CPython
    check(float_pow_int_exp, x, n)


@hl.jit
def float_pow_float_exp(x, y):
    return x ** y, x ** 0.5, x ** 2.5


@SETTINGS
@given(finite_floats(1e-3, 1e3), finite_floats(-3.0, 3.0))
@example(4.0, 0.5)
@example(INF, 2.0)
@example(INF, -1.0)
@example(1.0, NAN)
@example(NAN, 0.0)
@example(0.0, 2.0)
def test_float_power_float_exponent(x, y):
    check(float_pow_float_exp, x, y)


# ---------------------------------------------------------------- bitwise
@hl.jit
def bitwise(a, b):
    return a & b, a | b, a ^ b, ~a, (a & ~b) | (b & ~a)


@SETTINGS
@given(int64s(), int64s())
@example(-1, 0)
@example(INT64_MIN, INT64_MAX)
def test_bitwise_ops(a, b):
    check(bitwise, a, b)


@hl.jit
def shifts(a, s):
    return a >> s, a << s


@st.composite
def shift_args(draw):
    s = draw(st.integers(0, 62))
    bound = 2 ** (62 - s)
    return draw(st.integers(-bound, bound)), s


@SETTINGS
@given(shift_args(), int64s(), st.integers(0, 63))
@example((1, 62), INT64_MIN, 63)
@example((-1, 0), -1, 63)
def test_shifts(left, big, s):
    check(shifts, *left)
    # right shift of any int64 by 0..63 (arithmetic: the sign is kept)
    r = check(shifts_right_only, big, s)
    assert r == big >> s


@hl.jit
def shifts_right_only(a, s):
    return a >> s


# ---------------------------------------------------------------- comparisons
@hl.jit
def comparisons(a, b, c):
    return (a < b, a <= b, a == b, a != b, a > b, a >= b,
            a < b < c, a <= b <= c, a < b > c, a == b == c)


@SETTINGS
@given(small_ints(-5, 5), small_ints(-5, 5), small_ints(-5, 5))
def test_int_comparisons_chained(a, b, c):
    r = check(comparisons, a, b, c)
    assert all(isinstance(v, bool) for v in r)


@SETTINGS
@given(any_floats(), any_floats(), any_floats())
@example(NAN, 1.0, 2.0)
@example(0.0, -0.0, 0.0)
@example(-INF, INF, INF)
def test_float_comparisons_chained_with_nan(x, y, z):
    check(comparisons, x, y, z)


@hl.jit
def in_range(x):
    return 0 < x < 10, -1.5 <= x < 2.5


@SETTINGS
@given(any_floats())
@example(0.0)
@example(10.0)
@example(NAN)
def test_chained_comparison_with_literals(x):
    check(in_range, x)


# ---------------------------------------------------------------- and / or / not
@hl.jit
def bool_logic(a, b):
    p = a > 0 and b > 0
    q = a > 0 or b > 0
    r = not (a < b)
    s = (a == 0 or b == 0) and not (a == b)
    return p, q, r, s, not p or q


@SETTINGS
@given(small_ints(-3, 3), small_ints(-3, 3))
def test_bool_logic_and_or_not(a, b):
    check(bool_logic, a, b)


@hl.jit
def and_or_operands(a, b, c):
    return a and b, a or b, (a and b) or c, a or b and c


@SETTINGS
@given(small_ints(-2, 2), small_ints(-2, 2), small_ints(-2, 2))
def test_and_or_return_operand_values(a, b, c):
    # Python's `and`/`or` return one of their operands, not a bool
    check(and_or_operands, a, b, c)


@hl.jit
def short_circuit(a, b):
    # the right operand must not be evaluated when the left decides: b == 0 would raise
    ok = b != 0 and a // b > 1
    bad = b == 0 or a % b == 0
    return ok, bad


@SETTINGS
@given(small_ints(), small_ints(-3, 3))
@example(5, 0)
def test_short_circuit_skips_division_by_zero(a, b):
    check(short_circuit, a, b)


# ---------------------------------------------------------------- conditional expression
@hl.jit
def cond_expr(x, y, n):
    big = x if x > y else y
    sign = 1 if n > 0 else (-1 if n < 0 else 0)
    z = (x * 2.0) if n % 2 == 0 else (y - 1.0)
    return big, sign, z


@SETTINGS
@given(any_floats(), any_floats(), small_ints())
@example(NAN, 1.0, 0)
def test_conditional_expression(x, y, n):
    check(cond_expr, x, y, n)


# ---------------------------------------------------------------- unary
@hl.jit
def unary(a, x):
    return -a, +a, -x, +x, abs(a), abs(x), -(-a)


@SETTINGS
@given(int64s(), any_floats())
@example(INT64_MAX, -0.0)
@example(INT64_MIN + 1, -INF)
def test_unary_ops(a, x):
    check(unary, a, x)


# ---------------------------------------------------------------- augmented assignment
@hl.jit
def aug_int(a, b, d):
    s = a
    s += b
    s -= 3
    s *= 7
    s //= d
    s %= 1000003
    s **= 2
    s &= 0x7FFFFFFFFFFF
    s |= 5
    s ^= b
    s <<= 3
    s >>= 1
    return s


@SETTINGS
@given(small_ints(-10**6, 10**6), small_ints(-10**6, 10**6), small_ints(-50, 50))
def test_augmented_assignment_int(a, b, d):
    assume(d != 0)
    check(aug_int, a, b, d)


@hl.jit
def aug_float(x, y):
    z = x
    z += y
    z -= 1.5
    z *= y
    z /= 3.0
    z //= 0.7
    z %= 2.5
    z **= 2
    z += x
    return z


@SETTINGS
@given(finite_floats(-1e3, 1e3), finite_floats(-1e3, 1e3))
@example(-1.0, 2.0)
def test_augmented_assignment_float(x, y):
    check(aug_float, x, y, atol=1e-9)


# ---------------------------------------------------------------- wrap-around
@hl.jit
def int64_hash(a):
    h = 0
    for i in range(len(a)):
        h = h * 1000003 + a[i]
        h = h ^ (h >> 7)
    p = 1
    for i in range(len(a)):
        p *= a[i]
    return h, p


@SETTINGS
@given(arrays(np.int64, max_side=12))
def test_int64_array_arithmetic_wraps(a):
    # numpy int64 scalars wrap in CPython as in compiled code: compare everything
    check(int64_hash, a)


@hl.jit
def int32_elementwise(a, b):
    out = np.empty_like(a)
    for i in range(len(a)):
        out[i] = a[i] * b[i] + a[i] - b[i]
    return out


@SETTINGS
@given(st.integers(0, 10).flatmap(
    lambda n: st.tuples(arrays(np.int32, min_side=n, max_side=n),
                        arrays(np.int32, min_side=n, max_side=n))))
def test_int32_array_arithmetic_wraps(ab):
    a, b = ab
    check(int32_elementwise, a, b)


# ---------------------------------------------------------------- fastmath
@hl.jit(fastmath=True)
def fm_sum_squares(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * a[i] + 0.5 * a[i]
    return s


@SETTINGS
@given(arrays(np.float64, max_side=64, lo=0.5, hi=2.0))
def test_fastmath_reduction(a):
    # fastmath may reorder the reduction: only rounding-level differences are allowed
    check(fm_sum_squares, a, rtol=1e-9)
