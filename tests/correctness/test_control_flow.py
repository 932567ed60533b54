"""Statements: for/range with 1-3 arguments (negative steps, empty ranges), while, break,
continue, if/elif/else, early return, return of nothing, tuple unpacking, pass."""

import math

import pytest

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from .conftest import (SETTINGS, any_floats, arrays, assume, check, finite_floats, hl,
                       small_ints)

NAN = math.nan


# ---------------------------------------------------------------- range(...)
@hl.jit
def range1(n):
    s = 0
    c = 0
    for i in range(n):
        s += i * i
        c += 1
    return s, c


@SETTINGS
@given(st.integers(-5, 300))
@example(0)
@example(1)
@example(-1)
def test_range_one_arg(n):
    check(range1, n)


@hl.jit
def range2(a, b):
    s = 0
    last = -12345
    for i in range(a, b):
        s += 3 * i - 1
        last = i
    return s, last


@SETTINGS
@given(small_ints(-100, 100), small_ints(-100, 100))
@example(5, 5)
@example(5, 4)
def test_range_two_args(a, b):
    check(range2, a, b)


@hl.jit
def range3(a, b, step):
    s = 0
    c = 0
    last = -12345
    for i in range(a, b, step):
        s += i
        c += 1
        last = i
    return s, c, last


@SETTINGS
@given(small_ints(-60, 60), small_ints(-60, 60), st.integers(1, 7))
@example(0, 10, 3)
@example(0, 9, 3)
@example(10, 0, 2)
def test_range_three_args_positive_step(a, b, step):
    check(range3, a, b, step)


@SETTINGS
@given(small_ints(-60, 60), small_ints(-60, 60), st.integers(-7, -1))
@example(10, 0, -1)
@example(10, -1, -3)
@example(0, 10, -1)
@example(5, 5, -2)
def test_range_negative_step(a, b, step):
    check(range3, a, b, step)


@SETTINGS
@given(small_ints(-60, 60), small_ints(-60, 60), st.integers(-7, 7))
def test_range_step_sign_known_only_at_runtime(a, b, step):
    assume(step != 0)
    check(range3, a, b, step)


@hl.jit
def reverse_into(a, out):
    n = len(a)
    for i in range(n - 1, -1, -1):
        out[n - 1 - i] = a[i]
    k = 0
    for i in range(n - 1, -1, -2):  # every other element from the end
        out[k] += 0.5 * a[i]
        k += 1


@SETTINGS
@given(arrays(np.float64, max_side=15))
def test_negative_step_over_array(a):
    out = np.zeros(a.shape[0])
    check(reverse_into, a, out)


# ---------------------------------------------------------------- while / break / continue
@hl.jit
def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n //= 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


@SETTINGS
@given(st.integers(1, 10**6))
@example(1)
@example(27)
def test_while_loop(n):
    check(collatz_steps, n)


@hl.jit
def first_above_while(a, t):
    i = 0
    found = -1
    while i < len(a):
        if a[i] > t:
            found = i
            break
        i += 1
    return found, i


@SETTINGS
@given(arrays(np.float64, max_side=20), any_floats())
def test_while_with_break(a, t):
    check(first_above_while, a, t)


@hl.jit
def first_negative_for(a):
    idx = -1
    for i in range(a.shape[0]):
        if a[i] < 0:
            idx = i
            break
    return idx


@SETTINGS
@given(arrays(np.int64, max_side=20, lo=-3, hi=20))
def test_for_with_break(a):
    check(first_negative_for, a)


@hl.jit
def sum_skipping(a):
    s = 0.0
    skipped = 0
    for i in range(len(a)):
        x = a[i]
        if x != x:  # NaN
            skipped += 1
            continue
        if x < 0.0:
            continue
        s += x
    return s, skipped


@SETTINGS
@given(arrays(np.float64, max_side=25))
def test_continue(a):
    check(sum_skipping, a)


@hl.jit
def nested_break(n, m, k):
    count = 0
    for i in range(n):
        for j in range(m):
            if (i * j) % k == k - 1:
                break
            count += 1
        if count > 200:
            break
    return count


@SETTINGS
@given(small_ints(0, 30), small_ints(0, 30), st.integers(1, 9))
def test_nested_loops_inner_break(n, m, k):
    check(nested_break, n, m, k)


@hl.jit
def while_continue(n):
    i = 0
    s = 0
    while i < n:
        i += 1
        if i % 3 == 0:
            continue
        if i > 1000:
            break
        s += i
    return s


@SETTINGS
@given(st.integers(-3, 2000))
def test_while_with_continue_and_break(n):
    check(while_continue, n)


# ---------------------------------------------------------------- if / elif / else
@hl.jit
def classify(x):
    if x != x:
        return 0
    elif x == math.inf:
        return 1
    elif x == -math.inf:
        return 2
    elif x > 100.0:
        return 3
    elif x >= 0.0:
        return 4
    else:
        return 5


@SETTINGS
@given(any_floats())
@example(NAN)
@example(math.inf)
@example(-math.inf)
@example(100.0)
@example(-0.0)
def test_if_elif_else_chain(x):
    check(classify, x)


@hl.jit
def piecewise(x):
    if x < -1.0:
        y = -1.0
    elif x < 1.0:
        y = x * x * x
    else:
        y = 1.0
    if y > 0.5:
        y -= 0.25
    return y


@SETTINGS
@given(finite_floats(-3.0, 3.0))
def test_if_assigns_in_every_branch(x):
    check(piecewise, x)


# ---------------------------------------------------------------- return forms
@hl.jit
def find_index(a, v):
    for i in range(len(a)):
        if a[i] == v:
            return i
    return -1


@SETTINGS
@given(arrays(np.int32, max_side=20, lo=0, hi=5), st.integers(0, 6))
def test_early_return_inside_loop(a, v):
    check(find_index, a, v)


@hl.jit
def scale_inplace(a, f):
    for i in range(len(a)):
        a[i] = a[i] * f


@SETTINGS
@given(arrays(np.float64, max_side=15), finite_floats())
def test_return_nothing_writes_array(a, f):
    r = check(scale_inplace, a, f)
    assert r is None


@hl.jit
def bare_return(a, n):
    if n < 0:
        return
    for i in range(min(n, len(a))):
        a[i] = i
    return


@SETTINGS
@given(arrays(np.int64, max_side=10), small_ints(-5, 15))
def test_bare_return(a, n):
    check(bare_return, a, n)


@hl.jit
def min_max_arg(a):
    lo = a[0]
    hi = a[0]
    arg = 0
    for i in range(1, len(a)):
        if a[i] < lo:
            lo = a[i]
            arg = i
        if a[i] > hi:
            hi = a[i]
    return lo, hi, arg


@SETTINGS
@given(arrays(np.float64, min_side=1, max_side=20, lo=-1e9, hi=1e9))
def test_return_tuple(a):
    check(min_max_arg, a)


# ---------------------------------------------------------------- tuple unpacking
@hl.jit
def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


@SETTINGS
@given(st.integers(0, 92))
@example(92)
def test_tuple_unpacking_swap(n):
    check(fib, n)


@hl.jit
def gcd(a, b):
    while b != 0:
        a, b = b, a % b
    return a


@SETTINGS
@given(st.integers(0, 2**62), st.integers(0, 2**62))
@example(0, 0)
@example(12, 18)
def test_while_gcd_with_swap(a, b):
    check(gcd, a, b)


@hl.jit
def rotate3(x, y, z, n):
    for _ in range(n):
        x, y, z = y, z, x
    t = (x, y)
    p, q = t
    return p - q, z


@SETTINGS
@given(any_floats(), any_floats(), any_floats(), st.integers(0, 7))
def test_three_way_unpacking(x, y, z, n):
    check(rotate3, x, y, z, n)


# ---------------------------------------------------------------- pass, loop variable
@hl.jit
def with_pass(a):
    c = 0
    for i in range(len(a)):
        if a[i] > 0:
            pass
        else:
            c += 1
    return c


@SETTINGS
@given(arrays(np.int64, max_side=20, lo=-5, hi=5))
def test_pass_statement(a):
    check(with_pass, a)


@hl.jit
def last_loop_value(n, step):
    for i in range(0, n, step):
        pass
    return i


@SETTINGS
@given(st.integers(1, 200), st.integers(1, 9))
def test_loop_variable_after_loop(n, step):
    # the loop variable keeps its last value after the loop (non-empty ranges only:
    # after an empty range it is unbound in Python)
    check(last_loop_value, n, step)


@hl.jit
def count_and_total(a, t):
    count = 0
    total = 0.0
    flag = False
    for i in range(len(a)):
        if a[i] > t:
            count += 1
            total += a[i]
            flag = True
    return count, total, flag


@SETTINGS
@given(arrays(np.float64, max_side=20, lo=-1e3, hi=1e3), finite_floats(-1e3, 1e3))
def test_mixed_accumulators(a, t):
    check(count_and_total, a, t)


@hl.jit
def _range_near_int64_limits(a, b, c):
    s = 0
    k = 0
    for i in range(a, b, c):
        s += i % 1000
        k += 1
    return s, k


@pytest.mark.parametrize("args", [(-2**63, 2**63 - 1, 2**61), (0, 2**63 - 1, 2**62),
                                  (2**63 - 1, -2**63, -2**62), (2**63 - 10, 2**63 - 1, 3),
                                  (0, 10, 3), (10, 0, -3), (0, 10, -1), (5, 5, 2)])
def test_range_steps_that_would_overflow_past_stop(args):
    # The step after the last iteration overflows int64; the loop must still stop.
    assert _range_near_int64_limits(*args) == _range_near_int64_limits.py_func(*args)
