"""Arrays: element reads and writes (negative indices too) on 1-4 dims in every layout
(C, Fortran, reversed, every other element, transposed, empty), shape/ndim/size/len,
arrays created in compiled code, aliasing between arguments, read-only inputs."""

import math

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .conftest import (FEW, SETTINGS, arrays, assume, check, finite_floats, hl, make_view,
                       small_ints)

NUM_DTYPES = [np.int32, np.int64, np.float32, np.float64]


def any_dtype_arrays(ndim=1, dtypes=NUM_DTYPES, **kw):
    return st.sampled_from(dtypes).flatmap(lambda dt: arrays(dt, ndim=ndim, **kw))


# ---------------------------------------------------------------- 1-D reads
@hl.jit
def sum1d(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i]
    return s


@SETTINGS
@given(arrays(np.float64, max_side=30))
def test_1d_sum_every_layout(a):
    check(sum1d, a)


@hl.jit
def ends(a):
    n = len(a)
    return a[-1], a[-n], a[0], a[n - 1], a[-(n // 2) - 1]


@SETTINGS
@given(any_dtype_arrays(min_side=1, max_side=12))
def test_1d_negative_index_read(a):
    check(ends, a)


@hl.jit
def negative_index_write(a):
    n = len(a)
    for i in range(n // 2):
        a[-i - 1] = a[i]
    a[-1] = a[0] + 1


@SETTINGS
@given(any_dtype_arrays(min_side=1, max_side=12, dtypes=[np.int64, np.float64]))
def test_1d_negative_index_write(a):
    check(negative_index_write, a)


@hl.jit
def gather(a, idx, out):
    for i in range(len(idx)):
        out[i] = a[idx[i]]


@st.composite
def gather_args(draw):
    a = draw(arrays(np.float64, min_side=1, max_side=10))
    n = a.shape[0]
    idx = draw(arrays(np.int64, max_side=12, elements=st.integers(-n, n - 1)))
    return a, idx


@SETTINGS
@given(gather_args())
def test_runtime_negative_indices(args):
    a, idx = args
    out = np.zeros(idx.shape[0])
    check(gather, a, idx, out)


# ---------------------------------------------------------------- 1-D writes
@hl.jit
def scale_f32(a):
    for i in range(len(a)):
        a[i] *= 2.0
        a[i] -= 0.25


@SETTINGS
@given(arrays(np.float32, max_side=20))
def test_inplace_float32_update(a):
    check(scale_f32, a)


@hl.jit
def increment(a):
    for i in range(a.shape[0]):
        a[i] += 1


@SETTINGS
@given(any_dtype_arrays(max_side=20, dtypes=[np.int32, np.int64]))
def test_inplace_int_increment_wraps(a):
    check(increment, a)


@hl.jit
def elementwise_aug(a, b):
    for i in range(len(a)):
        a[i] -= b[i]
        a[i] *= 3
        a[i] //= 2
        a[i] %= 1000
        a[i] |= 1
        a[i] ^= b[i]


@st.composite
def two_int_arrays(draw, dtype=np.int64):
    n = draw(st.integers(0, 12))
    a = draw(arrays(dtype, min_side=n, max_side=n, lo=-10**6, hi=10**6))
    b = draw(arrays(dtype, min_side=n, max_side=n, lo=-10**6, hi=10**6))
    return a, b


@SETTINGS
@given(two_int_arrays())
def test_array_element_augmented_ops(ab):
    check(elementwise_aug, *ab)


@hl.jit
def prefix_sum(a):
    for i in range(1, len(a)):
        a[i] += a[i - 1]
    return a


@SETTINGS
@given(any_dtype_arrays(max_side=20, dtypes=[np.int64, np.float64], lo=-1000, hi=1000))
def test_prefix_sum_inplace_and_return_argument(a):
    check(prefix_sum, a)


@hl.jit
def copy_reversed(a, b):
    n = len(a)
    for i in range(n):
        b[i] = a[n - 1 - i]


@SETTINGS
@given(st.integers(0, 15).flatmap(lambda n: st.tuples(
    arrays(np.float64, min_side=n, max_side=n), arrays(np.float64, min_side=n, max_side=n))))
def test_copy_between_arrays(ab):
    check(copy_reversed, *ab)


# ---------------------------------------------------------------- aliasing
@hl.jit
def shift_add(x, y):
    for i in range(1, len(x)):
        y[i] = x[i - 1] + y[i]


@SETTINGS
@given(arrays(np.float64, max_side=20, lo=-100.0, hi=100.0))
def test_same_array_passed_twice(a):
    # x and y are the same memory: each step sees the previous write (a prefix sum)
    check(shift_add, a, a)


@hl.jit
def double_into(src, dst):
    for i in range(len(dst)):
        dst[i] = src[i] * 2.0


@SETTINGS
@given(arrays(np.float64, min_side=2, max_side=20, lo=-100.0, hi=100.0, layouts=("C",)),
       st.sampled_from(["forward", "backward"]))
def test_overlapping_views(base, direction):
    # src and dst overlap shifted by one element: results depend on the write order
    if direction == "forward":
        src, dst = base[:-1], base[1:]
    else:
        src, dst = base[1:], base[:-1]
    check(double_into, src, dst)


@SETTINGS
@given(arrays(np.float64, max_side=20))
def test_read_only_input(a):
    a = a.copy()
    a.flags.writeable = False
    check(sum1d, a)


# ---------------------------------------------------------------- 2-D .. 4-D
@hl.jit
def sum2d(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j] * (i + 1) - j
    return s


@SETTINGS
@given(arrays(np.float64, ndim=2, max_side=8))
def test_2d_weighted_sum_every_layout(a):
    check(sum2d, a)


@SETTINGS
@given(arrays(np.float32, ndim=2, max_side=8, lo=-100.0, hi=100.0))
def test_2d_float32_weighted_sum(a):
    # s starts as a Python float; float32 elements keep it float32 in CPython (NEP 50)
    check(sum2d, a, rtol=1e-3, atol=0.1)


@hl.jit
def fill_pattern(a):
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            a[i, j] = i * 100 + j
    return n * m


@SETTINGS
@given(any_dtype_arrays(ndim=2, max_side=7, dtypes=[np.int32, np.int64, np.float64]))
def test_2d_write_every_layout(a):
    check(fill_pattern, a)


@hl.jit
def transpose_inplace(a):
    n = a.shape[0]
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j], a[j, i] = a[j, i], a[i, j]


@st.composite
def square(draw, dtype=np.float64):
    n = draw(st.integers(0, 7))
    layout = draw(st.sampled_from(["C", "F", "reversed", "T"]))
    base = draw(hnp.arrays(dtype, (n, n), elements=st.floats(-1e3, 1e3)))
    return make_view(base, layout)


@SETTINGS
@given(square())
def test_2d_swap_elements_fortran_and_views(a):
    check(transpose_inplace, a)


@hl.jit
def negative_2d(a):
    return a[-1, -1], a[0, -1], a[-1, 0], a[-a.shape[0], -a.shape[1]]


@SETTINGS
@given(any_dtype_arrays(ndim=2, min_side=1, max_side=6))
def test_2d_negative_indices(a):
    check(negative_2d, a)


@hl.jit
def sum3d(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            for k in range(a.shape[2]):
                s += a[i, j, k] * (i + 2 * j + 3 * k + 1)
    return s


@SETTINGS
@given(arrays(np.float64, ndim=3, max_side=5, lo=-1e3, hi=1e3))
def test_3d_every_layout(a):
    check(sum3d, a)


@hl.jit
def write4d(a):
    s = 0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            for k in range(a.shape[2]):
                for m in range(a.shape[3]):
                    a[i, j, k, m] = i * 1000 + j * 100 + k * 10 + m
                    s += a[i, j, k, m] * (-1 if (i + j + k + m) % 2 == 1 else 1)
    return s


@SETTINGS
@given(any_dtype_arrays(ndim=4, max_side=4, dtypes=[np.int32, np.int64]))
def test_4d_write_and_read(a):
    check(write4d, a)


# ---------------------------------------------------------------- attributes
@hl.jit
def attrs(a):
    return a.ndim, a.size, len(a), a.shape[0], a.shape[-1]


@SETTINGS
@given(st.integers(1, 4).flatmap(lambda nd: any_dtype_arrays(ndim=nd, max_side=4)))
def test_array_attributes(a):
    check(attrs, a)


@hl.jit
def shape_tuple(a):
    n, m = a.shape
    return a.shape, n * m == a.size


@SETTINGS
@given(arrays(np.float64, ndim=2, max_side=6))
def test_shape_tuple(a):
    check(shape_tuple, a)


# ---------------------------------------------------------------- bool arrays
@hl.jit
def bool_ops(mask, x):
    out = np.zeros(len(x), dtype=np.bool_)
    count = 0
    for i in range(len(x)):
        out[i] = (x[i] > 0.0) ^ mask[i]
        if mask[i]:
            count += 1
        mask[i] = not mask[i]
    return out, count


@SETTINGS
@given(st.integers(0, 15).flatmap(lambda n: st.tuples(
    arrays(np.bool_, min_side=n, max_side=n), arrays(np.float64, min_side=n, max_side=n))))
def test_bool_arrays(args):
    check(bool_ops, *args)


# ---------------------------------------------------------------- arrays created inside
@hl.jit
def creators(n, m):
    a = np.zeros(n)
    b = np.ones((n, m))
    c = np.zeros(n, dtype=np.int64)
    d = np.ones(m, dtype=np.float32)
    e = np.empty((m, n), dtype=np.int32)
    for i in range(m):
        for j in range(n):
            e[i, j] = i - j
    f = np.empty(n)
    for i in range(n):
        a[i] += i
        c[i] = i * i
        f[i] = 0.5 * i
    return a, b, c, d, e, f


@SETTINGS
@given(st.integers(0, 6), st.integers(0, 6))
def test_array_creation_and_dtypes(n, m):
    check(creators, n, m)


@hl.jit
def like_creators(x):
    y = np.empty_like(x)
    z = np.zeros_like(x)
    w = np.empty_like(x, dtype=np.float64)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            y[i, j] = x[i, j] + 1
            w[i, j] = x[i, j] * 0.5
    return y, z, w


@SETTINGS
@given(any_dtype_arrays(ndim=2, max_side=6, lo=-1000, hi=1000))
def test_empty_like_zeros_like(x):
    check(like_creators, x)


@hl.jit
def ones_3d(n):
    a = np.ones((n, 2, 3), dtype=np.float32)
    for i in range(n):
        a[i, 1, 2] = i * 0.25
    return a


@SETTINGS
@given(st.integers(0, 5))
def test_ones_with_tuple_shape_and_dtype(n):
    check(ones_3d, n)


# ---------------------------------------------------------------- kernels
@hl.jit
def matvec(A, x):
    n, m = A.shape
    y = np.zeros(n)
    for i in range(n):
        acc = 0.0
        for j in range(m):
            acc += A[i, j] * x[j]
        y[i] = acc
    return y


@st.composite
def matvec_args(draw):
    A = draw(arrays(np.float64, ndim=2, max_side=7, lo=-10.0, hi=10.0))
    x = draw(arrays(np.float64, min_side=A.shape[1], max_side=A.shape[1], lo=-10.0,
                    hi=10.0))
    return A, x


@SETTINGS
@given(matvec_args())
def test_matvec(args):
    check(matvec, *args)


@hl.jit
def histogram(x, nbins):
    counts = np.zeros(nbins, dtype=np.int64)
    outside = 0
    for i in range(len(x)):
        v = x[i]
        if 0.0 <= v < 1.0:
            counts[int(v * nbins)] += 1
        else:
            outside += 1
    return counts, outside


@SETTINGS
@given(arrays(np.float64, max_side=40, lo=-0.5, hi=1.5), st.integers(1, 10))
def test_histogram_with_int_index(x, nbins):
    check(histogram, x, nbins)


@hl.jit
def count_sign_changes_f32(a):
    c = 0
    for i in range(1, len(a)):
        if (a[i - 1] < 0) != (a[i] < 0):
            c += 1
    return c


@FEW
@given(arrays(np.float32, max_side=30))
def test_float32_comparisons_in_loop(a):
    check(count_sign_changes_f32, a)
