"""Arrays made in compiled code and returned: np.empty/zeros/ones/full and their *_like
twins (int or tuple shapes, dtype=), np.arange (int and float arguments), np.linspace,
np.copy / a.copy(), a.reshape (incl. -1), a.ravel(), a.flatten(), np.array(tuple) -- values,
shapes and dtypes against NumPy 2.4, and the errors NumPy raises (negative sizes,
incompatible reshapes).  Writes through reshape/ravel reach the original exactly when NumPy
returns a view (contiguous input) and not when it copies."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .conftest import (FEW, LAYOUTS, PYTHON_ONLY, QUICK, bounded_floats, bug, check,
                       elements_for, hl, make_view, shaped)


# ---------------------------------------------------------------- empty / zeros / ones / full
@hl.jit
def makers(n, m):
    e = np.empty((n, m), np.int16)
    e[:] = 3
    f = np.empty(n)
    f[:] = 0.5
    return (np.zeros(n), np.ones((n, m)), np.zeros((n, m), dtype=np.int32),
            np.ones(n, np.uint8), np.zeros((n,), dtype=np.bool_), e, f,
            np.ones((m, n, 2), dtype=np.float32), np.empty((m, n)).shape)


@QUICK
@given(st.integers(0, 5), st.integers(0, 5))
def test_empty_zeros_ones_shapes_and_dtypes(n, m):
    check(makers, n, m)


@hl.jit
def zeros_n(n):
    return np.zeros(n)


@hl.jit
def ones_nm(n, m):
    return np.ones((n, m), dtype=np.int32)


@hl.jit
def empty_n(n):
    return np.empty(n)


def test_negative_dimensions_raise_value_error():
    check(zeros_n, -1, raises=(ValueError,))
    check(empty_n, -3, raises=(ValueError,))
    check(ones_nm, 2, -1, raises=(ValueError,))
    check(ones_nm, -2, 0, raises=(ValueError,))


@hl.jit
def fulls(n, v):
    return (np.full(n, v), np.full((n, 2), v, dtype=np.int32),
            np.full_like(np.zeros(n, np.int16), v), np.full((2, n), v, dtype=np.float32),
            np.full_like(np.zeros((n, 1), np.float32), v, dtype=np.int8))


@QUICK
@given(st.integers(0, 4), st.sampled_from(["int", "float", "bool", "f32", "i64"]), st.data())
def test_full_value_dtypes(n, kind, data):
    # np.full takes the value's dtype (Python int -> int64, np.float32 -> float32);
    # full_like keeps the prototype's (2.5 into int16 -> 2)
    v = {"int": data.draw(st.integers(-99, 99)),
         "float": data.draw(bounded_floats(-99, 99)),
         "bool": data.draw(st.booleans()),
         "f32": np.float32(data.draw(bounded_floats(-99, 99, 32))),
         "i64": np.int64(data.draw(st.integers(-99, 99)))}[kind]
    check(fulls, n, v)


@hl.jit
def likes(a):
    e = np.empty_like(a)
    e[...] = 1
    return (np.zeros_like(a), np.ones_like(a), e, np.full_like(a, 1.75),
            np.zeros_like(a, dtype=np.float32), np.ones_like(a, dtype=np.bool_),
            np.empty_like(a, dtype=np.int8).shape, np.full_like(a, 7, dtype=np.float64))


@QUICK
@given(st.sampled_from([(np.float64, LAYOUTS), (np.int32, ("C",)), (np.bool_, ("C",)),
                        (np.float32, ("C",))]), st.data())
def test_like_functions_any_layout_and_dtype_override(case, data):
    dtype, layouts = case
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=4))
    a = data.draw(shaped(dtype, shape, layouts=layouts))
    check(likes, a)


@hl.jit
def full_of(n, v):
    return np.full(n, v)


@pytest.mark.parametrize("v", [np.int8(-3), np.int32(7), np.uint8(200)])
def test_full_keeps_narrow_int_value_dtype(v):
    check(full_of, 3, v)


@hl.jit
def full_positional_dtype(n, v):
    return np.full(n, v, np.float32)


@hl.jit
def full_like_positional_dtype(a, v):
    return np.full_like(a, v, np.int8)


@pytest.mark.parametrize("fn,arg", [(full_positional_dtype, 2),
                                    (full_like_positional_dtype, np.zeros(2, np.float32))])
def test_full_positional_dtype(fn, arg):
    check(fn, arg, 1)


# ---------------------------------------------------------------- arange
@hl.jit
def arange_int(n, a, b, s):
    return np.arange(n), np.arange(a, b), np.arange(a, b, s)


@QUICK
@given(st.integers(-3, 12), st.integers(-20, 20), st.integers(-20, 20),
       st.integers(-7, 7).filter(lambda s: s != 0))
@example(5, 0, 10, 3)
@example(0, 10, 0, -3)
@example(-1, 5, 5, 1)
def test_arange_int_arguments(n, a, b, s):
    check(arange_int, n, a, b, s)


def test_arange_zero_step_raises():
    check(arange_int, 3, 0, 5, 0)  # ZeroDivisionError in both


@hl.jit
def arange3(a, b, s):
    return np.arange(a, b, s)


@QUICK
@given(bounded_floats(-100, 100), bounded_floats(-100, 100),
       st.one_of(bounded_floats(0.25, 10), bounded_floats(-10, -0.25), st.integers(-5, 5)
                 .filter(lambda s: s != 0)),
       st.booleans())
@example(0.0, 1.0, 0.1, False)
@example(1.0, 1.3, 0.1, False)
@example(1.0, 2.5, 0.5, True)
@example(0.0, 1.0, 0.0, False)
@example(1.8943428727599871, 3.0, 0.25, False)
@example(1e-10, 500.0, 100.0, False)
def test_arange_float_arguments(a, b, s, int_start):
    # the length is ceil((stop - start) / step) in float64, and element i >= 2 is
    # start + i * ((start + step) - start), as NumPy computes them: bit for bit
    if int_start:
        a = int(a)
    check(arange3, a, b, s, rtol=0.0, atol=0.0)


@hl.jit
def arange_f32(a, b, s):
    return np.arange(a, b, s, dtype=np.float32), np.arange(np.float32(a), b, np.float32(s))


@QUICK
@given(bounded_floats(-100, 100), bounded_floats(-100, 100), bounded_floats(0.25, 10))
@example(0.0, 8.837279375056324e-225, 1.0)  # the difference is a float32: 0, no element
@example(-1.401298464324817e-45, 0.0, 2.0)  # the quotient is a float64: 2**-150, one element
def test_arange_float32_is_numpys_bit_for_bit(a, b, s):
    check(arange_f32, a, b, s, rtol=0.0, atol=0.0)


@hl.jit
def arange1(n):
    return np.arange(n)


@pytest.mark.parametrize("n", [np.int32(4), np.int8(3), np.float32(2.5), np.uint8(2)])
def test_arange_of_numpy_scalars_gives_default_dtypes(n):
    check(arange1, n)


# ---------------------------------------------------------------- linspace
@hl.jit
def linspace(a, b, n):
    return np.linspace(a, b, n)


@QUICK
@given(st.one_of(bounded_floats(-1e3, 1e3), st.integers(-50, 50)),
       st.one_of(bounded_floats(-1e3, 1e3), st.integers(-50, 50)),
       st.sampled_from([0, 2, 3, 5, 10, 17, 50]))
@example(0.0, 1.0, 5)
@example(2, 2, 3)
@example(1.0, 0.0, 2)
def test_linspace(a, b, n):
    check(linspace, a, b, n, rtol=0.0, atol=0.0)


def test_linspace_negative_count_raises():
    check(linspace, 0.0, 1.0, -1, raises=(ValueError,))


def test_linspace_single_point():
    check(linspace, 0.0, 1.0, 1)


def test_linspace_float32_endpoints():
    check(linspace, np.float32(0.0), np.float32(1.0), 3)


# ---------------------------------------------------------------- copy
@hl.jit
def copies(a):
    b = np.copy(a)
    c = a.copy()
    b[0] = -1
    c[-1] = -2
    return b, c


@QUICK
@given(st.integers(1, 3), st.data())
def test_copy_is_independent_of_the_original(ndim, data):
    shape = data.draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=1, max_side=4))
    a = data.draw(shaped(np.float64, shape, layouts=LAYOUTS if ndim == 2 else ("C",
                                                                              "reversed")))
    check(copies, a)


# ---------------------------------------------------------------- reshape / ravel / flatten
@hl.jit
def reshapes(a, n, m):
    return a.reshape(n, m), a.reshape((m, n)), a.reshape(-1), a.reshape((n, -1)), \
        a.reshape(-1, m, 1)


@QUICK
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_reshape_1d_with_minus_one(n, m, data):
    a = data.draw(shaped(np.int64, (n * m,), layouts=("C", "reversed", "strided")))
    check(reshapes, a, n, m)


@hl.jit
def reshape_2d(a):
    return a.reshape(-1), a.reshape(a.shape[1], a.shape[0]), a.reshape((1, -1))


@QUICK
@given(st.data())
def test_reshape_2d_any_layout_reads_in_c_order(data):
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=4))
    a = data.draw(shaped(np.float64, shape))
    check(reshape_2d, a)


@hl.jit
def write_through_reshape(a):
    b = a.reshape(-1)
    b[0] = 99
    r = a.ravel()
    r[-1] = 77
    f = a.flatten()
    f[1:] = -5
    return f


@QUICK
@given(st.data())
def test_reshape_ravel_view_or_copy_like_numpy(data):
    # reshape views what NumPy views (C-contiguous, or strided with mergeable axes) and
    # copies the rest; ravel views only C-contiguous input; flatten always copies.
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=4))
    a = data.draw(shaped(np.int32, shape, elements=st.integers(-9, 9)))
    check(write_through_reshape, a)


@hl.jit
def reshape_to_3d_and_write(a, n, m):
    b = a.reshape(n, -1, m)
    b[-1, -1, -1] = 99
    b[0] += 1
    return b.copy()


def _divisors(k):
    return [d for d in range(1, k + 1) if k % d == 0]


@QUICK
@given(st.data())
def test_reshape_3d_of_any_layout_views_like_numpy(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    a = data.draw(shaped(np.int64, shape, elements=st.integers(-9, 9)))
    n = data.draw(st.sampled_from(_divisors(a.size)))
    m = data.draw(st.sampled_from(_divisors(a.size // n)))
    check(reshape_to_3d_and_write, a, n, m)


@hl.jit
def write_through_reshape_nm(a, n):
    b = a.reshape(n, -1)
    b[0, 0] = 99


@pytest.mark.parametrize("view", ["cols", "reversed", "1-D strided"])
def test_reshape_of_mergeable_strided_array_is_a_view(view):
    base = np.arange(24, dtype=np.int32)
    a = {"cols": base.reshape(4, 6)[:, ::2], "reversed": base.reshape(4, 6)[::-1, ::-1],
         "1-D strided": base[::2]}[view]
    check(write_through_reshape_nm, a, 2)


@hl.jit
def reshape_to(a, n):
    return a.reshape(n, -1)


@hl.jit
def reshape_exact(a, n, m):
    return a.reshape((n, m))


@pytest.mark.parametrize("size,n,m", [(5, 2, 3), (6, 4, 2), (0, 1, 1), (4, 3, -1)])
def test_reshape_incompatible_size_raises(size, n, m):
    check(reshape_exact, np.arange(size, dtype=np.float64), n, m, raises=(ValueError,))


def test_reshape_minus_one_not_divisible_raises():
    check(reshape_to, np.arange(5.0), 2, raises=(ValueError,))


@hl.jit
def ravel_flatten(a):
    return a.ravel(), a.flatten(), np.ravel(a)


@QUICK
@given(st.integers(1, 3), st.data())
def test_ravel_flatten_c_order(ndim, data):
    shape = data.draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=0, max_side=4))
    a = data.draw(shaped(np.float32, shape, layouts=("C", "F", "T", "strided")))
    check(ravel_flatten, a)


# ---------------------------------------------------------------- np.array(tuple)
@hl.jit
def from_tuples(x, y):
    return (np.array((1.0, 2.0, 3.0)), np.array((1, 2, 3)), np.array((x, y)),
            np.array((1, 2.5)), np.array((True, False)), np.array((x, y, x)) * 2)


@QUICK
@given(st.sampled_from(["int", "float", "bool"]), st.sampled_from(["int", "float", "bool"]),
       st.data())
def test_np_array_of_python_scalars(kx, ky, data):
    draw = {"int": st.integers(-99, 99), "float": bounded_floats(-99, 99),
            "bool": st.booleans()}
    check(from_tuples, data.draw(draw[kx]), data.draw(draw[ky]))


@hl.jit
def pair(x, y):
    return np.array((x, y))


@pytest.mark.parametrize("x,y", [(np.int8(1), 300), (np.float32(1.0), 2.0), (np.int16(3), 1)])
def test_np_array_numpy_and_python_scalars(x, y):
    check(pair, x, y)


# ---------------------------------------------------------------- creation + expressions
@hl.jit
def grid(n):
    x = np.arange(n) * 0.5
    y = np.linspace(0.0, 1.0, n)
    z = np.zeros((n, 3)) + x[:, None]
    z[:, 1] = y
    return np.sqrt(x) + y, z, np.ones(n, dtype=np.int32) + np.arange(n, dtype=np.int32)


@QUICK
@given(st.integers(0, 9).filter(lambda n: n != 1))  # linspace(.., 1): a known bug, above
def test_created_arrays_feed_expressions(n):
    check(grid, n)


def test_returned_arrays_are_owned_and_writable():
    if PYTHON_ONLY:
        pytest.skip("inspects arrays made by compiled code")
    b, c = copies(np.arange(6.0).reshape(2, 3).T)
    assert not np.shares_memory(b, c)
    for r in (b, c):
        assert r.flags.writeable and r.flags.c_contiguous
        r[...] = 1.0
    first, second = makers(3, 2)[1], makers(3, 2)[1]
    assert not np.shares_memory(first, second)
    first[...] = 0.0
    assert float(np.sum(second)) == 6.0
