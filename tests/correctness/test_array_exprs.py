"""Whole-array expressions inside compiled code: elementwise arithmetic, comparisons, bitwise
operators, np.where, np.* math on arrays, dtype conversions, NumPy broadcasting (and its
errors), in-place operators (overlapping ones included), slice assignment, the seeds' NumPy
kernels, and fusion of a chain of operations into one allocation.

NumPy 2 (NEP 50) is the oracle, result dtypes included: Python scalars are weak
(``float32_array * 2.0`` is float32), NumPy scalars are strong.  Inside array expressions
division by zero follows NumPy (inf/nan, integer ``x // 0 == 0``), never an exception.

Every distinct (dtype, ndim, layout) combination is a fresh compilation, so sweeps over
dtypes use 1-D arrays in two layouts and sweeps over layouts use one dtype."""

import math
import os
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .conftest import (FEW, LAYOUTS, PYTHON_ONLY, QUICK, bounded_floats, bug, check,
                       elements_for, hl, make_view, shaped)

INF = math.inf
NAN = math.nan
SPECIAL = st.sampled_from([NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0])
FLOATS = (np.float64, np.float32)
LINEAR = ("C", "reversed")  # the two 1-D layouts hotloop specializes on: contiguous, strided
needs_compiler = pytest.mark.skipif(PYTHON_ONLY, reason="inspects the compiled code")


@st.composite
def same_shape(draw, dtypes, ndim=1, max_side=6, elements=None, layouts=LINEAR, min_side=0):
    """Arrays of one random shape (sides may be 0), one per dtype, all in one random layout.
    `elements` is a strategy, or a function of the dtype giving one."""
    shape = draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=min_side,
                                  max_side=max_side))
    layout = draw(st.sampled_from(layouts))
    out = []
    for dt in dtypes:
        el = elements(dt) if callable(elements) else elements
        out.append(draw(shaped(dt, shape, el, layouts=(layout,))))
    return tuple(out)


def floats_with_specials(lo=-1e3, hi=1e3, width=64):
    return st.one_of(bounded_floats(lo, hi, width), SPECIAL)


def width_of(dtype):
    return np.dtype(dtype).itemsize * 8


def numbers_for(dtype, lo=-100, hi=100):
    """Small numbers of `dtype` (floats with NaN/inf/-0.0 mixed in)."""
    kind = np.dtype(dtype).kind
    if kind == "f":
        return floats_with_specials(lo, hi, width_of(dtype))
    if kind == "b":
        return st.booleans()
    return st.integers(max(int(lo), np.iinfo(dtype).min), min(int(hi), np.iinfo(dtype).max))


def tol(dtype, f64=1e-12, f32=1e-5):
    return f32 if np.dtype(dtype) == np.float32 else f64


# ---------------------------------------------------------------- arithmetic
@hl.jit
def arith(a, b):
    return a + b, a - b, a * b, -a


@QUICK
@given(st.sampled_from([(np.float64, np.float64), (np.float32, np.float32),
                        (np.float32, np.float64), (np.int32, np.float32),
                        (np.int64, np.int64), (np.uint8, np.int8)]), st.data())
def test_add_sub_mul_neg_result_dtypes(dtypes, data):
    a, b = data.draw(same_shape(dtypes, layouts=("C",), elements=elements_for))
    check(arith, a, b)


@hl.jit
def mul_sub(a, b):
    return a * b - a / 2


@QUICK
@given(st.data())
def test_elementwise_any_layout_2d(data):
    # the two operands in independent layouts: C, F, reversed, strided, transposed
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=5))
    a = data.draw(shaped(np.float64, shape, floats_with_specials()))
    b = data.draw(shaped(np.float64, shape, floats_with_specials()))
    check(mul_sub, a, b)


@hl.jit
def true_div(a, b):
    return a / b, a / 0.0, a / 4


@QUICK
@given(st.sampled_from([np.float64, np.float32, np.int64]), st.data())
def test_true_division_by_zero_gives_inf_nan(dtype, data):
    a, b = data.draw(same_shape((dtype, dtype), elements=numbers_for(dtype, -3, 3)))
    check(true_div, a, b, rtol=tol(dtype))


@hl.jit
def floordiv_mod(a, b):
    return a // b, a % b, a // 3, a % -3


@QUICK
@given(st.sampled_from([np.int64, np.int8, np.float64]), st.data())
def test_floordiv_and_mod_numpy_semantics(dtype, data):
    # integers: x // 0 == x % 0 == 0 (NumPy), INT_MIN // -1 wraps; floats: the divisor's
    # sign.  Float division by zero has its own test below.
    if np.dtype(dtype).kind == "i":
        el = st.one_of(st.integers(-5, 5), elements_for(dtype))
        a, b = data.draw(same_shape((dtype, dtype), elements=el))
    else:
        a, b = data.draw(same_shape((dtype, dtype), elements=floats_with_specials()))
        b[b == 0] = 1.5
    check(floordiv_mod, a, b)


@hl.jit
def floordiv(a, b):
    return a // b


def test_float_floordiv_by_zero_gives_inf():
    check(floordiv, np.array([1.0, -1.0, 0.0, 2.5]), np.array([0.0, 0.0, 0.0, -0.0]))


@hl.jit
def powers(a, b):
    return a ** b, a ** 2, a ** 3


@QUICK
@given(st.sampled_from([(np.float64, np.float64), (np.int64, np.int64),
                        (np.float32, np.int8)]), st.data())
def test_power_float_and_int(dtypes, data):
    if dtypes[0] is np.float64:
        el = floats_with_specials(-30.0, 30.0)
    else:
        el = st.integers(0, 12)
    a, b = data.draw(same_shape(dtypes, elements=el))
    check(powers, a, b, rtol=tol(dtypes[0]))


@hl.jit
def int_power(a, b):
    return a ** b


def test_int_array_to_negative_int_power_raises_value_error():
    check(int_power, np.array([2, 3]), np.array([1, -1]), raises=(ValueError,))


# ---------------------------------------------------------------- scalar operands, NEP 50
@hl.jit
def with_scalar(a, s):
    return a * s, s - a, a / s


@QUICK
@given(st.sampled_from([np.float32, np.int16, np.uint8]), st.data(),
       st.sampled_from(["py_int", "py_float", "np_float64", "np_int64"]))
def test_python_scalars_are_weak_numpy_scalars_strong(dtype, data, kind):
    (a,) = data.draw(same_shape((dtype,), layouts=("C",), elements=st.integers(0, 100)))
    v = data.draw(st.integers(1, 100))
    s = {"py_int": v, "py_float": v + 0.5, "np_float64": np.float64(v + 0.5),
         "np_int64": np.int64(v)}[kind]
    check(with_scalar, a, s)


@hl.jit
def literals(a):
    return a * 2.0 + 1, a / 3, 2 ** a, a - np.float64(0.5)


@QUICK
@given(st.sampled_from([np.float32, np.int8]), st.data())
def test_literals_are_weak_numpy_constants_strong(dtype, data):
    # float32 array with 2.0 stays float32; int8 with 1 stays int8 (wraps);
    # np.float64(0.5) is strong and promotes
    (a,) = data.draw(same_shape((dtype,), layouts=("C",), elements=numbers_for(dtype, 0, 6)))
    check(literals, a, rtol=tol(dtype))


@hl.jit
def add_scalar(a, s):
    return a + s


@given(st.sampled_from([(np.int8, 300), (np.uint8, -1), (np.int8, -129)]))
@settings(FEW, max_examples=3)
def test_out_of_range_python_int_for_narrow_array_raises(case):
    dtype, s = case
    check(add_scalar, np.arange(3, dtype=dtype), s, raises=(OverflowError,))


# ---------------------------------------------------------------- bool / bitwise / compare
@hl.jit
def bitwise(a, b):
    return a & b, a | b, a ^ b, ~a


@QUICK
@given(st.sampled_from([np.bool_, np.int64, np.uint8, np.int32]), st.data())
def test_bitwise_and_invert_on_bool_and_int(dtype, data):
    a, b = data.draw(same_shape((dtype, dtype), elements=elements_for))
    check(bitwise, a, b)


@hl.jit
def bitwise_scalars(a, m):
    return a & 6, 1 | a, a ^ True, ~(a & m)


@QUICK
@given(st.sampled_from([np.bool_, np.int16]), st.data())
def test_bitwise_with_scalars(dtype, data):
    (a,) = data.draw(same_shape((dtype,), layouts=("C",), elements=elements_for))
    m = data.draw(st.booleans()) if dtype is np.bool_ else data.draw(st.integers(-99, 99))
    check(bitwise_scalars, a, m)


@hl.jit
def bool_add_mul(a, b):
    return a + b, a * b


def test_bool_array_add_mul_are_logical():
    check(bool_add_mul, np.array([True, False, True, False]), np.array([True, True, False,
                                                                        False]))


@hl.jit
def bool_sub(a, b):
    return a - b


@hl.jit
def bool_neg(a):
    return -a


@pytest.mark.parametrize("fn,args", [(bool_sub, (np.array([True]), np.array([False]))),
                                     (bool_neg, (np.array([True, False]),))])
def test_bool_array_subtract_and_negate_are_rejected(fn, args):
    with pytest.raises(TypeError):
        fn.py_func(*args)
    with pytest.raises((TypeError, getattr(hl, "CompileError", TypeError))):
        fn(*args)


@hl.jit
def compare(a, b):
    return a < b, a <= b, a == b, a != b, a > 0, 0.5 <= a


@QUICK
@given(st.sampled_from([(np.float64, np.float64), (np.float32, np.int32),
                        (np.int64, np.uint8)]), st.data())
def test_comparisons_give_bool_arrays(dtypes, data):
    def el(dt):
        if np.dtype(dt).kind == "f":
            return st.one_of(st.integers(-3, 3), st.sampled_from([NAN, INF, -INF, 0.5]))
        return st.integers(0, 3) if np.dtype(dt).kind == "u" else st.integers(-3, 3)

    a, b = data.draw(same_shape(dtypes, elements=el))
    check(compare, a, b)


@hl.jit
def where3(c, a, b):
    return np.where(c, a, b), np.where(a > b, a, b), np.where(c, a, 0.0), np.where(c, 1, b)


@QUICK
@given(st.sampled_from([(np.float64, np.float64), (np.int32, np.float32),
                        (np.int64, np.int8)]), st.data())
def test_where(dtypes, data):
    c, a, b = data.draw(same_shape((np.bool_,) + dtypes, elements=numbers_for))
    check(where3, c, a, b)


@hl.jit
def where_broadcast(c, a, b):
    return np.where(c[:, None], a, b[None, :])


@QUICK
@given(st.integers(0, 4), st.integers(0, 4), st.data())
def test_where_broadcasts(n, m, data):
    c = data.draw(shaped(np.bool_, (n,), layouts=("C",)))
    a = data.draw(shaped(np.float64, (n, m)))
    b = data.draw(shaped(np.float64, (m,), layouts=("C",)))
    check(where_broadcast, c, a, b)


# ---------------------------------------------------------------- np.* math on arrays
@hl.jit
def unary_math(a):
    return (np.sqrt(a), np.exp(a), np.log(a), np.sin(a), np.cos(a), np.abs(a),
            np.absolute(a), abs(a), np.sign(a), np.square(a), np.floor(a), np.ceil(a),
            np.isnan(a), np.isfinite(a))


@QUICK
@given(st.sampled_from(FLOATS), st.data())
def test_unary_math_on_float_arrays(dtype, data):
    (a,) = data.draw(same_shape((dtype,), layouts=("C",),
                                elements=floats_with_specials(-50, 50, width_of(dtype))))
    check(unary_math, a, rtol=tol(dtype, 4e-15, 4e-6))


@hl.jit
def unary_int_math(a):
    return np.abs(a), abs(a), np.sign(a), np.square(a), np.sqrt(a), -a, np.isnan(a)


@QUICK
@given(st.sampled_from([np.int64, np.int32]), st.data())
def test_unary_math_on_int_arrays(dtype, data):
    # abs(INT_MIN) wraps; sqrt(int32) is float64; the full integer range is drawn
    (a,) = data.draw(same_shape((dtype,), layouts=("C",), elements=elements_for))
    check(unary_int_math, a)


@hl.jit
def floor_ceil(a):
    return np.floor(a), np.ceil(a)


def test_floor_ceil_keep_integer_dtype():
    check(floor_ceil, np.array([-2, 0, 3], dtype=np.int64))


@hl.jit
def binary_math(a, b):
    return (np.maximum(a, b), np.minimum(a, b), np.arctan2(a, b), np.hypot(a, b),
            np.maximum(a, 0.0))


@QUICK
@given(st.sampled_from(FLOATS), st.data())
def test_binary_math_nan_propagation(dtype, data):
    a, b = data.draw(same_shape((dtype, dtype), layouts=("C",),
                                elements=floats_with_specials(-50, 50, width_of(dtype))))
    check(binary_math, a, b, rtol=tol(dtype, 4e-15, 4e-6))


@hl.jit
def fmax_fmin(a, b):
    return np.fmax(a, b), np.fmin(a, b)


@QUICK
@given(st.data())
def test_fmax_fmin_without_nan(data):
    a, b = data.draw(same_shape((np.float64, np.float64), elements=bounded_floats(-9, 9)))
    check(fmax_fmin, a, b)


def test_fmax_fmin_ignore_nan():
    check(fmax_fmin, np.array([NAN, 1.0, NAN]), np.array([0.0, NAN, NAN]))


@hl.jit
def conversions(a):
    return np.float32(a), a.astype(np.int64), a.astype(np.float32), a.astype(np.bool_)


@QUICK
@given(st.sampled_from([np.float64, np.int16, np.float32]), st.data())
def test_dtype_conversions(dtype, data):
    el = (bounded_floats(-1e6, 1e6, width_of(dtype)) if np.dtype(dtype).kind == "f"
          else elements_for(dtype))
    (a,) = data.draw(same_shape((dtype,), elements=el))
    check(conversions, a)


@hl.jit
def mixed_chain(a, b):
    return np.sqrt(a * a + b * b) - 2 * np.abs(a) + np.where(a > b, 1.0, -1.0) * (a - b) / 3


@QUICK
@given(st.data())
def test_long_mixed_expression(data):
    a, b = data.draw(same_shape((np.float64, np.float32),
                                elements=floats_with_specials(-1e3, 1e3, 32)))
    check(mixed_chain, a, b, rtol=1e-9, atol=1e-9)


@hl.jit
def scalar_part_divides(a, s):
    return a * (1 / s)


def test_scalar_division_inside_array_expression_raises():
    check(scalar_part_divides, np.ones(3), 0.0)


# ---------------------------------------------------------------- broadcasting
@hl.jit
def add2(a, b):
    return a + b


@hl.jit
def col_row(a, b):
    return a * b, b - a


@QUICK
@given(st.integers(0, 5), st.integers(0, 5), st.data())
@example(3, 4, None)
def test_broadcast_column_times_row(n, m, data):
    if data is None:
        a, b = np.arange(3.0).reshape(3, 1), np.arange(4, dtype=np.int32).reshape(1, 4)
    else:
        a = data.draw(shaped(np.float64, (n, 1)))
        b = data.draw(shaped(np.int32, (1, m), layouts=("C",)))
    check(col_row, a, b)


@hl.jit
def outer(a, b):
    return a[:, None] * b[None, :], a[:, None] - b


@QUICK
@given(st.integers(0, 6), st.integers(0, 6), st.data())
def test_outer_product_with_newaxis(n, m, data):
    a = data.draw(shaped(np.float64, (n,), floats_with_specials(), layouts=LINEAR))
    b = data.draw(shaped(np.float32, (m,), floats_with_specials(width=32), layouts=("C",)))
    check(outer, a, b)


@QUICK
@given(st.sampled_from([((5,), (2, 5)), ((2, 5), (5,)), ((3, 1, 4), (2, 1)),
                        ((1,), (3, 2)), ((4, 1), (3,)), ((0,), (2, 0)),
                        ((2, 1, 3), (1, 4, 1)), ((1, 1), (1,))]), st.data())
def test_broadcast_different_ndims(shapes, data):
    a = data.draw(shaped(np.float64, shapes[0], layouts=("C",)))
    b = data.draw(shaped(np.float64, shapes[1], bounded_floats(-5, 5), layouts=("C",)))
    check(add2, a, b)


@QUICK
@given(st.sampled_from([((3,), (4,)), ((2, 3), (3, 2)), ((2, 3), (2,)), ((0,), (2,)),
                        ((3, 1), (2, 2)), ((4,), (4, 3))]), st.booleans())
def test_broadcast_mismatch_raises_value_error(shapes, swap):
    sa, sb = shapes[::-1] if swap else shapes
    check(add2, np.ones(sa), np.ones(sb), raises=(ValueError,))


# ---------------------------------------------------------------- in place
@hl.jit
def iadd_imul(y, x):
    y += x
    y *= 2
    y -= 1


@QUICK
@given(st.sampled_from([(np.float64, np.float64), (np.float32, np.float64),
                        (np.float64, np.int32), (np.int8, np.int8)]), st.data())
def test_inplace_operators_same_kind_casting(dtypes, data):
    # float32 += float64 and int8 *= 2 stay in the target's dtype (wrapping)
    y, x = data.draw(same_shape(dtypes, elements=lambda dt: elements_for(dt)
                                if np.dtype(dt).kind != "f" else floats_with_specials()))
    check(iadd_imul, y, x, rtol=tol(dtypes[0]))


@hl.jit
def iadd_float_into_int(y):
    y += 1.5


def test_inplace_unsafe_cast_is_rejected():
    # NumPy raises UFuncTypeError (a TypeError): float64 output cannot be cast to int64
    with pytest.raises(TypeError):
        iadd_float_into_int.py_func(np.arange(3))
    if not PYTHON_ONLY:
        with pytest.raises((TypeError, hl.CompileError)):
            iadd_float_into_int(np.arange(3))


@hl.jit
def iadd(y, x):
    y += x


@QUICK
@given(st.integers(0, 4), st.integers(0, 4), st.data())
def test_inplace_with_broadcast_operand(n, m, data):
    y = data.draw(shaped(np.float64, (n, m)))
    shape = data.draw(st.sampled_from([(m,), (1, m), (n, 1), (1,)]))
    x = data.draw(shaped(np.float64, shape, layouts=("C",)))
    check(iadd, y, x)


def test_inplace_output_cannot_broadcast_raises():
    check(iadd, np.ones(3), np.ones((2, 3)), raises=(ValueError,))


@hl.jit
def overlapping_updates(a):
    a[1:] += a[:-1]
    a[::-1] -= a
    a[:-2] *= a[2:]


@QUICK
@given(st.data())
@example(None)
def test_overlapping_inplace_updates_read_before_write(data):
    # NumPy evaluates the right-hand side completely before writing
    if data is None:
        a = np.arange(1, 8)
    else:
        (a,) = data.draw(same_shape((np.int64,), max_side=10, elements=st.integers(-99, 99)))
    check(overlapping_updates, a)


@hl.jit
def overlapping_2d(a):
    a += a[0]  # the row broadcast from the target itself
    a[:, 1:] += a[:, :-1]
    a -= a[:, :1]
    a[1:] = a[:-1] * 2
    a[::-1, ::-1] *= a


@QUICK
@given(st.data())
def test_overlapping_2d_updates_broadcast_from_the_target(data):
    (a,) = data.draw(same_shape((np.float64,), ndim=2, min_side=1, max_side=5,
                                layouts=LAYOUTS, elements=st.integers(-9, 9).map(float)))
    check(overlapping_2d, a)


@hl.jit
def overlapping_views(a, b):
    a += b  # a and b are views of one buffer


@QUICK
@given(st.integers(0, 12), st.integers(-3, 3), st.sampled_from([1, -1]))
def test_inplace_between_aliasing_argument_views(n, shift, direction):
    base = np.arange(n + 6, dtype=np.float64) * 1.5
    a = base[3:3 + n][::direction]
    b = base[3 + shift:3 + shift + n][::direction]
    check(overlapping_views, a, b)


@hl.jit
def slice_assignments(a, b):
    a[:] = 0
    a[1:3] = b[0:2]
    a[-1:] = a[:1]
    a[::-2] = 7


@QUICK
@given(st.integers(3, 8), st.integers(2, 5), st.data())
def test_slice_assignment_scalar_and_array(n, m, data):
    a = data.draw(shaped(np.float64, (n,), layouts=LINEAR))
    b = data.draw(shaped(np.int32, (m,), layouts=("C",)))
    check(slice_assignments, a, b)


@hl.jit
def slice_copy(a, b):
    a[1:3] = b[0:2]


def test_slice_assignment_shape_mismatch_raises():
    check(slice_copy, np.zeros(2), np.ones(4), raises=(ValueError,))
    check(slice_copy, np.zeros(5), np.ones(1), raises=(ValueError,))


@hl.jit
def reverse_self(a):
    a[:] = a[::-1]


@QUICK
@given(st.data())
def test_assign_reversed_self_overlap(data):
    (a,) = data.draw(same_shape((np.int64,), max_side=9))
    check(reverse_self, a)


@hl.jit
def set_rows(a, row, i):
    a[i] = row
    a[0] = 1.5
    a[i, :] += row


@QUICK
@given(st.integers(1, 5), st.integers(0, 5), st.data())
def test_row_assignment_2d(n, m, data):
    a = data.draw(shaped(np.float64, (n, m)))
    row = data.draw(shaped(np.float64, (m,), layouts=("C",)))
    i = data.draw(st.integers(-n, n - 1))
    check(set_rows, a, row, i)


@hl.jit
def bump_view(base, view):
    view += 1.0
    return base.copy()


@QUICK
@given(st.data())
def test_writes_through_views_visible_in_caller(data):
    (base,) = data.draw(same_shape((np.float64,), ndim=2, layouts=("C",),
                                   elements=bounded_floats(-10, 10)))
    view = base[::-1, 1::2] if data.draw(st.booleans()) else base.T[1:]
    check(bump_view, base, view)


@hl.jit
def update_local_view(a):
    v = a[1::2]
    v *= -1
    a[0::2] += 10


@QUICK
@given(st.data())
def test_inplace_on_local_view(data):
    (a,) = data.draw(same_shape((np.int32,), max_side=10, elements=st.integers(-999, 999)))
    check(update_local_view, a)


# ---------------------------------------------------------------- seeds
@hl.jit
def f_numpy(x):
    return x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8


@hl.jit
def f_nest_numpy(x):
    return x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x)))))))


@hl.jit
def f_mem_numpy(x):
    y = x.copy()
    for _ in range(7):
        y += 1
        y *= x
    return y


@QUICK
@given(st.sampled_from([f_numpy, f_nest_numpy, f_mem_numpy]), st.sampled_from(FLOATS),
       st.data())
def test_seed_polynomials(fn, dtype, data):
    (x,) = data.draw(same_shape((dtype,), elements=floats_with_specials(-3, 3, width_of(dtype))))
    # x**k by multiplication vs pow(): an absolute slack at the |x|**8 scale
    check(fn, x, rtol=tol(dtype), atol=tol(dtype, 1e-10, 1e-3))


def _ir_texts(disp):
    ir = disp.inspect_ir()
    return ir if isinstance(ir, dict) else {"": ir}


@needs_compiler
def test_seed_polynomials_are_fused_into_one_allocation():
    x = np.linspace(-1.0, 1.0, 1001)
    for fn in (f_numpy, f_nest_numpy):
        np.testing.assert_allclose(fn(x), fn.py_func(x), rtol=1e-13)
        for sig, ir in _ir_texts(fn).items():
            assert ir.count("np.empty(") == 1, f"{fn.__name__}{sig}: temporaries left:\n{ir}"


@needs_compiler
def test_long_chain_compiles_quickly():
    src = textwrap.dedent("""
        import time, numpy as np, hotloop as hl

        @hl.jit
        def chain(x):
            return x + x + x + x + x + x + x + x + x + x + x + x + x + x

        t = time.perf_counter()
        chain(np.ones(4))
        print(time.perf_counter() - t)
    """)
    fd, path = tempfile.mkstemp(suffix=".py", prefix="hl_chain_")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(src)
        pkg = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "python"))
        env = dict(os.environ, PYTHONPATH=pkg + os.pathsep + os.environ.get("PYTHONPATH", ""))
        out = subprocess.run([sys.executable, path], capture_output=True, text=True,
                             timeout=120, env=env)
    finally:
        os.unlink(path)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.strip()) < 1.0, f"14-term chain took {out.stdout.strip()} s"


@hl.jit
def laplacian_numpy(f, dx, dy):
    return ((f[:-2, 1:-1] + f[2:, 1:-1]) / dx**2 + (f[1:-1, :-2] + f[1:-1, 2:]) / dy**2
            - f[1:-1, 1:-1] * (2 / dx**2 + 2 / dy**2))


@QUICK
@given(st.sampled_from([(np.float64, LAYOUTS), (np.float32, ("C",))]), st.data(),
       bounded_floats(0.05, 2.0), bounded_floats(0.05, 2.0))
def test_seed_laplacian_with_slices(case, data, dx, dy):
    dtype, layouts = case
    (f,) = data.draw(same_shape((dtype,), ndim=2, max_side=7, layouts=layouts,
                                elements=bounded_floats(-10, 10, width_of(dtype))))
    check(laplacian_numpy, f, dx, dy, rtol=tol(dtype, 1e-10, 1e-4),
          atol=tol(dtype, 1e-9, 1e-2))


def test_seed_laplacian_zero_spacing_raises_like_python():
    check(laplacian_numpy, np.ones((4, 4)), 0.0, 1.0)


@hl.jit
def diffusion_numpy(grid):
    out = np.zeros_like(grid)
    out[1:, :] += grid[:-1, :]
    out[:-1, :] += grid[1:, :]
    out[:, 1:] += grid[:, :-1]
    out[:, :-1] += grid[:, 1:]
    out -= 4 * grid
    return out


@QUICK
@given(st.sampled_from([(np.float64, LAYOUTS), (np.float32, ("C",)), (np.int64, ("C",))]),
       st.data())
def test_seed_diffusion_inplace_slices(case, data):
    dtype, layouts = case
    (g,) = data.draw(same_shape((dtype,), ndim=2, max_side=7, layouts=layouts,
                                elements=numbers_for(dtype, -1e3, 1e3)))
    check(diffusion_numpy, g, rtol=tol(dtype), atol=1e-9)


# ------------------------------------------------- reassignment and np.copyto (session 3)
@hl.jit
def _drift(x, v, dt):
    x = x + dt * v  # the new x is filled while the old one is read
    return x


@hl.jit
def _copyto(dst, src):
    np.copyto(dst, src)
    return dst


@given(data=st.data())
@FEW
def test_reassigning_a_name_reads_the_old_array(data):
    x, v = data.draw(same_shape([np.float64, np.float64], elements=st.floats(-1e3, 1e3)))
    check(_drift, x, v, 0.5)


@given(data=st.data())
@FEW
def test_copyto_broadcasts_and_casts(data):
    dst, src = data.draw(same_shape([np.float64, np.int32]))
    check(_copyto, dst, src)
    check(_copyto, dst, 2.5)
    if dst.size:
        check(_copyto, dst, src[:1])


# ---------------------------------------------------------------------------------- np.roll
@hl.jit
def _roll_flat(a, shift):
    return np.roll(a, shift)  # any ndim: the flattened array rolls (Numba's only form)


@hl.jit
def _roll_axes(a, shift):
    return np.roll(a, shift, 0) + np.roll(a, -shift, axis=-1) * 2


@QUICK
@given(data=st.data())
def test_roll_any_ndim_and_layout(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4))
    a = data.draw(shaped(np.int64, shape, elements=st.integers(-99, 99)))
    shift = data.draw(st.integers(-30, 30))
    check(_roll_flat, a, shift)
    check(_roll_axes, a, shift)
