"""Reductions inside compiled code: np.sum/prod/min/max/amin/amax/mean/argmin/argmax/any/all
and their method forms, over whole arrays of any layout and along an axis, of array
expressions; NaN propagation, empty arrays, result dtypes (NumPy 2.4 is the oracle: sum of
int32 or bool is int64, mean of an int array is float64), and np.dot of 1-D vectors.

Float sums are compared with a slack of n * eps * sum(|a|): NumPy sums pairwise, compiled
code in another (vectorized) order.  Most tests use small integers stored as floats, for
which every order gives the exact same sum."""

import math

import numpy
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .conftest import (FEW, LAYOUTS, PYTHON_ONLY, QUICK, bounded_floats, bug, check,
                       elements_for, hl, make_view, shaped)

NAN = math.nan
INF = math.inf
LINEAR = ("C", "reversed")


@st.composite
def nd(draw, dtype, ndim=1, min_side=0, max_side=6, elements=None, layouts=LINEAR):
    shape = draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=min_side,
                                  max_side=max_side))
    return draw(shaped(dtype, shape, elements, layouts))


def small_values(dtype, lo=-3, hi=3, specials=True):
    """Small integers in `dtype` (exact sums in any order); floats may be NaN/inf/-0.0."""
    kind = np.dtype(dtype).kind
    if kind == "b":
        return st.booleans()
    if kind == "u":
        return st.integers(0, hi)
    if kind == "i":
        return st.integers(lo, hi)
    ints = st.integers(lo, hi).map(float)
    if not specials:
        return ints
    return st.one_of(ints, ints, st.sampled_from([NAN, INF, -INF, -0.0, 0.5]))


def sum_atol(a):
    """Slack for a float sum of `a` in a different order."""
    if a.dtype.kind != "f" or a.size == 0:
        return 0.0
    finite = np.abs(a[np.isfinite(a)]).astype(np.float64)
    return 4.0 * a.size * float(np.finfo(a.dtype).eps) * float(finite.sum())


# ---------------------------------------------------------------- whole-array, 1-D, dtypes
@hl.jit
def sum_prod(a):
    return np.sum(a), a.sum(), np.prod(a), a.prod()


@QUICK
@given(st.sampled_from([np.bool_, np.int8, np.int32, np.uint8, np.int64, np.float32,
                        np.float64]), st.data())
def test_sum_prod_result_dtypes(dtype, data):
    # sum/prod of bool, int8, int32 -> int64, of uint8 -> uint64, floats keep their width
    a = data.draw(nd(dtype, max_side=8, elements=small_values(dtype, -4, 4),
                     layouts=("C",)))
    check(sum_prod, a, rtol=1e-5 if dtype is np.float32 else 1e-12, strict_dtype=True)


@hl.jit
def plain_sum(a):
    return np.sum(a)


@QUICK
@given(st.sampled_from([np.float64, np.float32]), st.data())
def test_float_sum_of_arbitrary_values(dtype, data):
    width = np.dtype(dtype).itemsize * 8
    el = st.one_of(bounded_floats(-1e6, 1e6, width), st.sampled_from([NAN, INF, -INF]))
    a = data.draw(nd(dtype, max_side=40, elements=el))
    check(plain_sum, a, rtol=0.0, atol=sum_atol(a), strict_dtype=True)


def test_float32_sum_of_many_values_is_accurate():
    check(means_and_sum, np.full(100_000, 0.1, dtype=np.float32), strict_dtype=True)


@hl.jit
def means_and_sum(a):
    return np.sum(a), np.mean(a)


@QUICK
@given(st.sampled_from([np.int32, np.int64, np.uint32]), st.data())
def test_int_sum_accumulates_in_64_bits(dtype, data):
    # int32 values near the limits: the int64 sum does not overflow; int64 sums wrap alike
    a = data.draw(nd(dtype, max_side=12, elements=elements_for(dtype), layouts=("C",)))
    check(plain_sum, a, strict_dtype=True)


@hl.jit
def min_max(a):
    return (np.min(a), np.max(a), np.amin(a), np.amax(a), a.min(), a.max(),
            np.argmin(a), np.argmax(a), a.argmin(), a.argmax())


@QUICK
@given(st.sampled_from([np.float64, np.float32, np.int32, np.uint8, np.bool_]), st.data())
@example(np.float64, None)
def test_min_max_argmin_argmax_nan_first(dtype, data):
    # NaN propagates through min/max; argmin/argmax give the first NaN (or the first
    # occurrence of the extreme)
    if data is None:
        a = np.array([1.0, NAN, 3.0, NAN, -1.0])
    else:
        a = data.draw(nd(dtype, min_side=1, max_side=8, elements=small_values(dtype)))
    check(min_max, a, strict_dtype=True)


@hl.jit
def red_min(a):
    return np.min(a)


@hl.jit
def red_amax(a):
    return np.amax(a)


@hl.jit
def red_method_max(a):
    return a.max()


@hl.jit
def red_argmin(a):
    return np.argmin(a)


@hl.jit
def red_method_argmax(a):
    return a.argmax()


@pytest.mark.parametrize("fn", [red_min, red_amax, red_method_max, red_argmin,
                                red_method_argmax])
@pytest.mark.parametrize("shape", [(0,), (0, 3)])
def test_min_max_argmin_argmax_of_empty_raise_value_error(fn, shape):
    check(fn, np.zeros(shape), raises=(ValueError,))


@hl.jit
def empty_ok(a):
    return np.sum(a), np.prod(a), np.any(a), np.all(a), a.sum(), np.mean(a)


@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.bool_])
def test_empty_sum_prod_any_all_mean(dtype):
    # sum 0, prod 1, any False, all True, mean nan -- in the right dtypes
    check(empty_ok, np.zeros(0, dtype), strict_dtype=True)
    check(empty_ok, np.zeros((4, 0), dtype)[::2], strict_dtype=True)


@hl.jit
def means(a):
    return np.mean(a), a.mean()


@QUICK
@given(st.sampled_from([np.float64, np.float32, np.int32, np.int64, np.bool_]), st.data())
def test_mean_dtypes(dtype, data):
    # mean of ints and bools is float64; of float32 is float32
    a = data.draw(nd(dtype, max_side=10, elements=small_values(dtype, -50, 50)))
    check(means, a, rtol=1e-5 if dtype is np.float32 else 1e-12, strict_dtype=True)


@hl.jit
def any_all(a):
    return np.any(a), np.all(a), a.any(), a.all()


@QUICK
@given(st.sampled_from([np.bool_, np.int64, np.float64]), st.data())
def test_any_all(dtype, data):
    # NaN is truthy, -0.0 falsy
    el = {np.bool_: st.booleans(), np.int64: st.sampled_from([0, 0, 1, -5]),
          np.float64: st.sampled_from([0.0, -0.0, NAN, 2.5])}[dtype]
    a = data.draw(nd(dtype, max_side=5, elements=el))
    check(any_all, a)


# ---------------------------------------------------------------- N-d, any layout
@hl.jit
def whole_nd(a):
    return np.sum(a), np.min(a), a.max(), np.argmin(a), np.argmax(a), a.mean()


@QUICK
@given(st.integers(1, 3), st.data())
def test_whole_array_reductions_nd_any_layout(ndim, data):
    # argmin/argmax index the C-order flattening, whatever the layout
    a = data.draw(nd(np.float64, ndim=ndim, min_side=1, max_side=5,
                     elements=small_values(np.float64), layouts=LAYOUTS))
    check(whole_nd, a)


@hl.jit
def axis_sums_2d(a):
    return (np.sum(a, axis=0), a.sum(axis=1), np.prod(a, axis=-1), np.mean(a, axis=0),
            np.any(a > 0, axis=1), a.all(axis=0))


@QUICK
@given(st.data())
def test_axis_sum_prod_mean_any_all_2d(data):
    # empty sides allowed: sum over a zero-length axis is 0, mean nan
    a = data.draw(nd(np.float64, ndim=2, max_side=5, elements=small_values(np.float64),
                     layouts=LAYOUTS))
    check(axis_sums_2d, a)


@hl.jit
def axis_extremes_2d(a):
    return (np.min(a, axis=0), np.max(a, axis=1), np.amax(a, axis=-1), np.argmin(a, axis=0),
            a.argmax(axis=1))


@QUICK
@given(st.data())
def test_axis_min_max_argmin_argmax_2d(data):
    a = data.draw(nd(np.float64, ndim=2, min_side=1, max_side=5,
                     elements=small_values(np.float64), layouts=LAYOUTS))
    check(axis_extremes_2d, a)


@hl.jit
def axis_min(a):
    return np.min(a, axis=0)


def test_axis_min_over_empty_axis_raises():
    check(axis_min, np.zeros((0, 3)), raises=(ValueError,))
    check(axis_min, np.zeros((3, 0)))  # shape (0,) result, no error


@hl.jit
def axis_3d(a):
    return (np.sum(a, axis=0), np.sum(a, axis=1), a.sum(axis=2), np.max(a, axis=-1),
            np.argmax(a, axis=1), np.mean(a, axis=-2))


@QUICK
@given(st.data())
def test_axis_reductions_3d(data):
    a = data.draw(nd(np.float64, ndim=3, min_side=1, max_side=4,
                     elements=small_values(np.float64), layouts=("C", "T", "strided")))
    check(axis_3d, a)


@hl.jit
def axis_dtypes(a):
    return np.sum(a, axis=0), np.max(a, axis=1), np.mean(a, axis=0), np.prod(a, axis=1)


@QUICK
@given(st.sampled_from([np.int32, np.bool_, np.uint8, np.float32]), st.data())
def test_axis_reduction_result_dtypes(dtype, data):
    a = data.draw(nd(dtype, ndim=2, min_side=1, max_side=5, layouts=("C",),
                     elements=small_values(dtype, -9, 9, specials=False)))
    check(axis_dtypes, a, rtol=1e-6 if dtype is np.float32 else 1e-12)


# ---------------------------------------------------------------- reductions of expressions
@hl.jit
def of_expressions(a, b):
    return (np.sum(a * b), (a > 0).any(), np.max(np.abs(a - b)), np.sum(a[1:] - a[:-1]),
            np.mean(a ** 2), np.sum(a > b), (a == b).all(), np.argmax(a + b))


@QUICK
@given(st.data())
def test_reductions_of_array_expressions(data):
    n = data.draw(st.integers(1, 8))
    a = data.draw(shaped(np.float64, (n,), small_values(np.float64), LINEAR))
    b = data.draw(shaped(np.float64, (n,), small_values(np.float64), ("C",)))
    check(of_expressions, a, b)


@hl.jit
def reduce_then_broadcast(a):
    centred = a - a.mean(axis=0)
    return centred / np.max(np.abs(centred)), a.sum() > 0


@QUICK
@given(st.data())
def test_reduction_results_used_in_expressions(data):
    a = data.draw(nd(np.float64, ndim=2, min_side=1, max_side=5,
                     elements=bounded_floats(-100, 100), layouts=("C", "F")))
    check(reduce_then_broadcast, a, rtol=1e-9, atol=1e-12)


@hl.jit
def reduce_in_loop(a):
    total = 0.0
    for i in range(a.shape[0]):
        row = a[i]
        if row.max() > 0:
            total += np.sum(row * row) - row.min()
    return total


@QUICK
@given(st.data())
def test_reductions_of_rows_in_a_loop(data):
    a = data.draw(nd(np.float64, ndim=2, min_side=1, max_side=5,
                     elements=small_values(np.float64, specials=False), layouts=LAYOUTS))
    check(reduce_in_loop, a)


# ---------------------------------------------------------------- np.dot, seeds
@hl.jit
def dot(a, b):
    return np.dot(a, b)


@QUICK
@given(st.sampled_from([(np.float64, np.float64), (np.float32, np.float32),
                        (np.int64, np.int64), (np.int32, np.float32), (np.int8, np.int16)]),
       st.data())
def test_dot_1d(dtypes, data):
    n = data.draw(st.integers(0, 12))
    a = data.draw(shaped(dtypes[0], (n,), small_values(dtypes[0], -9, 9, specials=False),
                         LINEAR))
    b = data.draw(shaped(dtypes[1], (n,), small_values(dtypes[1], -9, 9, specials=False),
                         ("C",)))
    check(dot, a, b, strict_dtype=True)


def test_dot_of_bool_vectors_is_bool():
    check(dot, np.array([True, False, True]), np.array([False, False, True]))


def test_dot_length_mismatch_raises_value_error():
    check(dot, np.ones(3), np.ones(4), raises=(ValueError,))


@hl.jit
def norm_square_numpy(vector):
    return numpy.sum(vector * vector)


@hl.jit
def norm_square_numpy_dot(vector):
    return numpy.dot(vector, vector)


@hl.jit
def norm_square_loop(vector):
    norm = 0
    for i in range(vector.shape[0]):
        v = vector[i]
        norm += v * v
    return norm


@QUICK
@given(st.sampled_from([norm_square_numpy, norm_square_numpy_dot, norm_square_loop]),
       st.sampled_from([np.float64, np.int64, np.float32]), st.data())
@example(norm_square_numpy, np.int64, None)
def test_seed_norm_square(fn, dtype, data):
    if data is None:
        v = np.arange(1000)  # the seed's input, scaled down
    else:
        el = (bounded_floats(-1e3, 1e3, np.dtype(dtype).itemsize * 8)
              if np.dtype(dtype).kind == "f" else st.integers(-10**4, 10**4))
        # min_side=1: the loop variant returns the int 0 for an empty vector in Python
        # (one type per variable in compiled code: documented in docs/semantics.md)
        v = data.draw(nd(dtype, min_side=1, max_side=40, elements=el, layouts=("C",)))
    atol = sum_atol(v * v) if v.dtype.kind == "f" else 0.0
    check(fn, v, rtol=0.0 if atol else None, atol=atol)
