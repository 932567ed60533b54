"""Explicit (eager) signatures and ``locals=``, including the seed's ``pv_locations`` peak
finder with its exact signature.  The functions are compiled inside the tests (through
``eager``, once per session) so that a compile error fails one test, not the collection of
the module.  Arguments are passed already in the signature's types (np.float32 ...) so
that the undecorated function sees the same values the compiled one does."""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from .conftest import (FEW, SETTINGS, arrays, check, eager, finite_floats, hl, int64s,
                       small_ints)


def scaled_prefix_sum(a, k):
    s = 0.0
    for i in range(min(k, len(a))):
        s += a[i] * (i + 1)
    return s


@SETTINGS
@given(arrays(np.float64, max_side=20), st.integers(-2, 25))
def test_sig_float64_array_int64(a, k):
    disp = eager("float64(float64[:], int64)", scaled_prefix_sum)
    check(disp, a, k)


def gcd_sig(a, b):
    a = abs(a)
    b = abs(b)
    while b:
        a, b = b, a % b
    return a


@SETTINGS
@given(st.integers(-2**62, 2**62), st.integers(-2**62, 2**62))
@example(0, 0)
def test_sig_int64_scalars(a, b):
    disp = eager("int64(int64, int64)", gcd_sig)
    check(disp, a, b)


def fma_like(x, y):
    return x * y + 1.0


@SETTINGS
@given(st.floats(-1e6, 1e6, width=32).map(np.float32),
       st.floats(-1e6, 1e6, width=32).map(np.float32))
def test_sig_float32_scalars(x, y):
    disp = eager("float32(float32, float32)", fma_like)
    r = check(disp, x, y)
    assert isinstance(r, np.float32)


def frobenius(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j] * a[i, j]
    return s


@SETTINGS
@given(arrays(np.float64, ndim=2, max_side=7, lo=-1e3, hi=1e3))
def test_sig_2d_any_layout(a):
    disp = eager("float64(float64[:, :])", frobenius)
    check(disp, a)


def running_max(a):
    out = np.empty_like(a)
    m = -np.inf
    for i in range(len(a)):
        if a[i] > m:
            m = a[i]
        out[i] = m
    return out


@SETTINGS
@given(arrays(np.float64, max_side=20))
def test_sig_returns_array(a):
    disp = eager("float64[:](float64[:])", running_max)
    check(disp, a)


def sum_int32(a):
    s = a[0]
    for i in range(1, len(a)):
        s += a[i]
    return s


@SETTINGS
@given(arrays(np.int32, min_side=1, max_side=20))
def test_sig_int32_array_wraps(a):
    # s is an int32 (the first element), so the sum wraps at 2**31 in CPython as well
    disp = eager("int32(int32[:])", sum_int32)
    check(disp, a)


def smooth_f32(a, w):
    acc = 0.0
    out = np.empty_like(a)
    for i in range(len(a)):
        acc = acc * w + a[i]
        out[i] = acc
    return out


@SETTINGS
@given(arrays(np.float32, max_side=20, lo=-100.0, hi=100.0),
       st.floats(0.0, 0.875, width=32).map(np.float32))
def test_sig_with_locals_float32_accumulator(a, w):
    disp = eager("float32[:](float32[:], float32)", smooth_f32, locals={"acc": hl.float32})
    # CPython: acc = 0.0 turns float32 at the first step (weak Python float) -- the same
    # float32 recurrence that locals= asks the compiler for
    check(disp, a, w, rtol=1e-5, atol=1e-4)


# ---------------------------------------------------------------- the seed: pv_locations
def pv_locations(targets, threshold, integral_threshold, min_width):
    state = 0
    integral = 0.0
    sum_weights_locs = 0.0
    items = np.empty(150, np.float32)
    nitems = 0
    for i in range(len(targets)):
        if targets[i] >= threshold:
            state += 1
            integral += targets[i]
            sum_weights_locs += i * targets[i]
        if (targets[i] < threshold or i == len(targets)-1) and state > 0:
            if state >= min_width and integral >= integral_threshold:
                items[nitems] = sum_weights_locs / integral
                nitems += 1
            state = 0
            integral = 0.0
            sum_weights_locs = 0.0
    return items[:nitems]


PV_SIG = "float32[:](float32[:], float32, float32, int32)"
PV_LOCALS = {"integral": hl.float32, "sum_weights_locs": hl.float32}


def pv_locations_counted(targets, threshold, integral_threshold, min_width):
    """pv_locations without the final slice: returns the buffer and the count."""
    state = 0
    integral = 0.0
    sum_weights_locs = 0.0
    items = np.zeros(150, np.float32)
    nitems = 0
    for i in range(len(targets)):
        if targets[i] >= threshold:
            state += 1
            integral += targets[i]
            sum_weights_locs += i * targets[i]
        if (targets[i] < threshold or i == len(targets)-1) and state > 0:
            if state >= min_width and integral >= integral_threshold:
                items[nitems] = sum_weights_locs / integral
                nitems += 1
            state = 0
            integral = 0.0
            sum_weights_locs = 0.0
    return items, nitems


@st.composite
def pv_inputs(draw):
    # at most 300 targets: runs are separated by at least one value below threshold, so
    # there are at most 150 of them and `items` never overflows
    n = draw(st.integers(0, 300))
    targets = draw(arrays(np.float32, min_side=n, max_side=n, lo=0.0, hi=10.0,
                          layouts=("C", "C", "reversed", "strided")))
    threshold = np.float32(draw(st.floats(0.5, 8.0, width=32)))
    integral_threshold = np.float32(draw(st.floats(0.0, 30.0, width=32)))
    min_width = np.int32(draw(st.integers(1, 5)))
    return targets, threshold, integral_threshold, min_width


@FEW
@given(pv_inputs())
def test_pv_locations_seed(args):
    disp = eager(PV_SIG, pv_locations, locals=PV_LOCALS)
    check(disp, *args, rtol=1e-4, atol=1e-3)


_PV_COUNTED = hl.jit(locals=PV_LOCALS)(pv_locations_counted)


@SETTINGS
@given(pv_inputs())
def test_pv_locations_without_slice(args):
    check(_PV_COUNTED, *args, rtol=1e-4, atol=1e-3)


@FEW
@given(pv_inputs())
def test_eager_signature_converts_python_scalars(args):
    # the signature's float32/int32 conversion happens at the call: plain Python float and
    # int arguments holding float32/int32 values give the same result as the numpy scalars
    targets, threshold, integral_threshold, min_width = args
    disp = eager("float32[:](float32[:], float32, float32, int32, float32[:])",
                 pv_into, locals=PV_LOCALS)
    py_out = np.zeros(150, np.float32)
    hl_out = np.zeros(150, np.float32)
    expected = pv_into(targets.copy(), threshold, integral_threshold, min_width, py_out)
    got = disp(targets.copy(), float(threshold), float(integral_threshold), int(min_width),
               hl_out)
    assert isinstance(got, np.ndarray) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(hl_out, py_out, rtol=1e-4, atol=1e-3)


def pv_into(targets, threshold, integral_threshold, min_width, items):
    """pv_locations writing into a caller's buffer, which it returns."""
    state = 0
    integral = 0.0
    sum_weights_locs = 0.0
    nitems = 0
    for i in range(len(targets)):
        if targets[i] >= threshold:
            state += 1
            integral += targets[i]
            sum_weights_locs += i * targets[i]
        if (targets[i] < threshold or i == len(targets)-1) and state > 0:
            if state >= min_width and integral >= integral_threshold:
                items[nitems] = sum_weights_locs / integral
                nitems += 1
            state = 0
            integral = 0.0
            sum_weights_locs = 0.0
    return items
