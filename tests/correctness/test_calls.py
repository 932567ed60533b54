"""Calls between compiled functions (module-level dispatchers and dispatchers captured in
closures), global and closure constants (frozen at compile time), dispatcher basics
(``py_func``, one specialization per argument types, ``njit``, ``nogil``)."""

import math

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from .conftest import (SETTINGS, any_floats, arrays, check, finite_floats, hl, small_ints)

# ---------------------------------------------------------------- globals used by kernels
SCALE = 2.5
OFFSET = -3
NTERMS = 6
TABLE_SIZE = 16


@hl.jit
def sq_plus(x, c):
    return x * x + c


@hl.jit
def poly_via_helper(x):
    return sq_plus(x, 1.0) * 2.0 - sq_plus(x, -1.0)


@SETTINGS
@given(any_floats())
def test_call_global_jit_function(x):
    check(poly_via_helper, x)
    check(sq_plus, x, 0.5)


@hl.jit
def level3(n):
    return n * 2 + 1


@hl.jit
def level2(n):
    return level3(n) + level3(n - 1)


@hl.jit
def level1(n):
    s = 0
    for i in range(n):
        s += level2(i)
    return s


@SETTINGS
@given(st.integers(-2, 200))
def test_call_chain_three_levels(n):
    check(level1, n)


@hl.jit
def fill_with(a, v):
    for i in range(len(a)):
        a[i] = v * i


@hl.jit
def fill_and_sum(a, v):
    fill_with(a, v)
    s = 0.0
    for i in range(len(a)):
        s += a[i]
    return s


@SETTINGS
@given(arrays(np.float64, max_side=12), finite_floats())
def test_callee_writes_caller_array(a, v):
    check(fill_and_sum, a, v)


@hl.jit
def divmod_like(a, b):
    return a // b, a % b


@hl.jit
def use_tuple_result(a, b):
    q, r = divmod_like(a, b)
    return q * b + r == a, q, r


@SETTINGS
@given(small_ints(-10**9, 10**9), small_ints(-100, 100))
def test_callee_returns_tuple(a, b):
    check(use_tuple_result, a, b)


@hl.jit
def callee_raises(a, b):
    return divmod_like(a, b)


@SETTINGS
@given(small_ints())
def test_exception_propagates_through_call(a):
    err = check(callee_raises, a, 0)
    assert isinstance(err, ZeroDivisionError)


@hl.jit
def generic_twice(x):
    return x + x


@hl.jit
def calls_with_two_types(n, x):
    return generic_twice(n), generic_twice(x)


@SETTINGS
@given(small_ints(-10**9, 10**9), finite_floats())
def test_callee_specialized_for_two_types(n, x):
    r = check(calls_with_two_types, n, x)
    assert isinstance(r[0], int) and isinstance(r[1], float)


# ---------------------------------------------------------------- closures
def make_affine(a, b):
    @hl.jit
    def affine(x):
        return a * x + b

    return affine


affine_2_3 = make_affine(2.0, 3.0)
affine_int = make_affine(-4, 7)


@SETTINGS
@given(finite_floats(), small_ints(-10**6, 10**6))
def test_closure_constants(x, n):
    check(affine_2_3, x)
    check(affine_int, n)
    check(affine_int, x)


def make_applier(k):
    @hl.jit
    def inner(x):
        return x * k - 1.0

    @hl.jit
    def apply_all(a):
        out = np.empty_like(a)
        for i in range(len(a)):
            out[i] = inner(a[i])
        return out

    return apply_all


apply_three = make_applier(3.0)


@SETTINGS
@given(arrays(np.float64, max_side=12))
def test_closure_captured_jit_function(a):
    check(apply_three, a)


# ---------------------------------------------------------------- global constants
@hl.jit
def use_globals(x, n):
    s = 0.0
    for k in range(NTERMS):
        s += SCALE * x ** k
    return s + OFFSET, (n + OFFSET) % TABLE_SIZE, math.pi * SCALE


@SETTINGS
@given(finite_floats(-10.0, 10.0), small_ints())
def test_global_constants(x, n):
    check(use_globals, x, n, atol=1e-9)


# ---------------------------------------------------------------- dispatcher basics
def plain_cube(x):
    return x * x * x


cube = hl.jit(plain_cube)


def test_py_func_is_the_original_function():
    assert cube.py_func is plain_cube
    assert poly_via_helper.py_func.__name__ == "poly_via_helper"


@SETTINGS
@given(small_ints(-10**6, 10**6), any_floats())
def test_one_dispatcher_many_types(n, x):
    r = check(cube, n)
    assert isinstance(r, int)
    r = check(cube, x)
    assert isinstance(r, float)
    check(cube, np.float32(x) if math.isfinite(x) and abs(x) < 1e30 else np.float32(1.5))
    check(cube, np.int32(n % 1000))


@hl.njit
def njit_bare(a):
    m = 0
    for i in range(len(a)):
        m = max(m, a[i])
    return m


@hl.njit(nogil=True)
def njit_nogil(a, t):
    c = 0
    for i in range(len(a)):
        if a[i] > t:
            c += 1
    return c


@hl.jit(nogil=True)
def jit_nogil(x, n):
    r = 1.0
    for _ in range(n):
        r = r * x + 1.0
    return r


@SETTINGS
@given(arrays(np.int64, max_side=15, lo=-100, hi=100), small_ints(-100, 100),
       finite_floats(-1.0, 1.0), st.integers(0, 50))
def test_njit_and_nogil(a, t, x, n):
    check(njit_bare, a)
    check(njit_nogil, a, t)
    check(jit_nogil, x, n)


@hl.jit
def norm_pdf(loc, scale, x):
    y = (x - loc) / scale
    return np.exp(-y**2 / 2) / np.sqrt(2 * np.pi) / scale


@hl.jit
def log_likelihood(data, mu):
    s = 0.0
    for i in range(len(data)):
        s += math.log(norm_pdf(mu, 1.0, data[i]))
    return s


@SETTINGS
@given(arrays(np.float64, max_side=20, lo=-5.0, hi=5.0), finite_floats(-3.0, 3.0))
def test_helper_with_numpy_math_in_loop(data, mu):
    check(log_likelihood, data, mu, rtol=1e-10)
    check(norm_pdf, 0.4, 0.7, mu)
