"""Basic indexing that keeps dimensions: slices with any bounds and steps, a[i] of an N-d
array, np.newaxis, views of views, writes through views, returning views."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from .conftest import SETTINGS, arrays, check, hl

bounds = st.one_of(st.none(), st.integers(-12, 12))
steps = st.one_of(st.none(), st.integers(-4, 4).filter(lambda s: s != 0))


@hl.jit
def slice1(a, lo, hi, step):
    return a[lo:hi:step]


@SETTINGS
@given(arrays(np.float64, max_side=10), st.integers(-12, 12), st.integers(-12, 12),
       st.integers(-4, 4).filter(lambda s: s != 0))
def test_slice_with_runtime_bounds(a, lo, hi, step):
    check(slice1, a, lo, hi, step)


@hl.jit
def slice_defaults(a):
    return a[:], a[2:], a[:-2], a[::-1], a[::3], a[-3::-2]


@SETTINGS
@given(arrays(np.int64, max_side=10))
def test_slice_default_bounds(a):
    check(slice_defaults, a)


@hl.jit
def rows_and_columns(a, i, j):
    return a[i], a[:, j], a[i, 1:], a[::-1, j], a[None, i], a[i][None, :, None]


@SETTINGS
@given(arrays(np.float32, ndim=2, min_side=1, max_side=6), st.data())
def test_two_dimensional_views(a, data):
    i = data.draw(st.integers(-a.shape[0], a.shape[0] - 1))
    j = data.draw(st.integers(-a.shape[1], a.shape[1] - 1))
    check(rows_and_columns, a, i, j)


@hl.jit
def sum_row(a, i):
    r = a[i]
    s = 0.0
    for k in range(r.shape[0]):
        row = r[k]
        for m in range(row.shape[0]):
            s += row[m] * (k + 1)
    return s


@SETTINGS
@given(arrays(np.float64, ndim=3, min_side=1, max_side=4), st.data())
def test_view_of_three_dimensional_array(a, data):
    i = data.draw(st.integers(-a.shape[0], a.shape[0] - 1))
    check(sum_row, a, i)


@hl.jit
def write_through_view(a):
    v = a[1::2]
    for k in range(v.shape[0]):
        v[k] = -v[k]


@SETTINGS
@given(arrays(np.float64, max_side=10))
def test_write_through_view(a):
    check(write_through_view, a)


@hl.jit
def view_of_view(a):
    return a[1:][::2][1:]


@SETTINGS
@given(arrays(np.int32, max_side=12))
def test_view_of_view(a):
    check(view_of_view, a)


@hl.jit
def out_of_range_row(a, i):
    return a[i]


def test_row_index_out_of_range_raises_index_error():
    a = np.zeros((3, 2))
    import pytest
    with pytest.raises(IndexError):
        out_of_range_row(a, 3)
    with pytest.raises(IndexError):
        out_of_range_row(a, -4)
    np.testing.assert_array_equal(out_of_range_row(a, -1), a[-1])


@hl.jit
def view_of_new_array(n):
    z = np.ones((n, 3))
    for i in range(n):
        z[i, 0] = i
    return z[1:, ::2]


def test_view_of_array_made_in_compiled_code():
    got = view_of_new_array(4)
    np.testing.assert_array_equal(got, view_of_new_array.py_func(4))
    assert got.base is not None
