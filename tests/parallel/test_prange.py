"""prange loops in ``parallel=True`` functions, differentially against CPython.

Every compiled function is also run as plain Python (``fn.py_func``, with the hotloop
dispatchers it calls replaced by their own ``py_func``), where ``prange`` is ``range``; the
results must agree.  Float reductions are compared with an error bound (the parallel sum
adds in a different order than the serial one); integer reductions are exact (int64 wraps,
so the expected value is reduced modulo 2**64).

Every test runs at 1, 2 and 3 threads (``hl.set_num_threads``), with the minimum work per
chunk lowered to 1 (``hl._core._set_min_chunk_work(1)``) so that even the short arrays
hypothesis draws are split into many chunks and take the parallel path.

Run with ``HOTLOOP_NUM_THREADS=3`` so that three threads are allowed on a small machine;
thread counts above ``hl.max_threads()`` are skipped.
"""

from __future__ import annotations

import math
import threading
import types
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

hl = pytest.importorskip("hotloop")

THREADS = [1, 2, 3]
EPS = np.finfo(np.float64).eps
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)
FEW = settings(SETTINGS, max_examples=15)


# ------------------------------------------------------------------------------- fixtures
# small_chunks and threads come from conftest.py
pytestmark = pytest.mark.usefixtures("small_chunks")


# -------------------------------------------------------------------------------- helpers
def _is_dispatcher(obj):
    return (not isinstance(obj, types.FunctionType) and callable(obj)
            and isinstance(getattr(obj, "py_func", None), types.FunctionType))


def pure_python(func, _memo=None):
    """`func` (or a dispatcher's py_func) with the dispatchers it names in its globals
    replaced by pure-Python copies (recursively), so the oracle never runs compiled code."""
    if _is_dispatcher(func):
        func = func.py_func
    memo = {} if _memo is None else _memo
    if func in memo:
        return memo[func]
    g = func.__globals__
    replaced = {n: g[n] for n in func.__code__.co_names if n in g and _is_dispatcher(g[n])}
    if not replaced:
        memo[func] = func
        return func
    new_globals = dict(g)
    new = types.FunctionType(func.__code__, new_globals, func.__name__, func.__defaults__,
                             func.__closure__)
    memo[func] = new
    for name, disp in replaced.items():
        new_globals[name] = pure_python(disp, memo)
    return new


def clone(args):
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def run_both(fn, *args):
    """(Python result, compiled result, Python args after, compiled args after)."""
    py_args, jit_args = clone(args), clone(args)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        expected = pure_python(fn)(*py_args)
    got = fn(*jit_args)
    return expected, got, py_args, jit_args


def wrap64(x):
    """A Python int reduced to int64, as the compiled code computes it."""
    x = int(x) & (2**64 - 1)
    return x - 2**64 if x >= 2**63 else x


def same_scalar(expected, got, what="result"):
    """Exact agreement in kind and value (NaN equal to NaN)."""
    if isinstance(expected, (bool, np.bool_)):
        assert isinstance(got, (bool, np.bool_)), f"{what}: {expected!r} vs {got!r}"
        assert bool(got) == bool(expected), f"{what}: {expected!r} vs {got!r}"
    elif isinstance(expected, (int, np.integer)):
        assert isinstance(got, (int, np.integer)) and not isinstance(got, (bool, np.bool_)), (
            f"{what}: {expected!r} vs {got!r}")
        assert int(got) == wrap64(expected), f"{what}: {expected!r} vs {got!r}"
    else:
        assert isinstance(got, (float, np.floating)), f"{what}: {expected!r} vs {got!r}"
        if math.isnan(expected):
            assert math.isnan(got), f"{what}: {expected!r} vs {got!r}"
        else:
            assert got == expected, f"{what}: {expected!r} vs {got!r}"


def close_sum(expected, got, a, what="sum"):
    """A float sum of the elements of `a`, in any order: within the rounding error bound."""
    a = np.asarray(a, dtype=np.float64)
    bound = 2 * (a.size + 1) * EPS * float(np.sum(np.abs(a)))
    assert isinstance(got, (float, np.floating)), f"{what}: got {got!r}"
    assert abs(got - expected) <= bound, f"{what}: Python {expected!r}, compiled {got!r}"


def bits(x):
    return np.float64(x).tobytes()


# ------------------------------------------------------------------------------ strategies
# Lengths: empty, a single element, fewer elements than threads, and up to ~2000.
lengths = st.one_of(st.integers(0, 4), st.integers(5, 64), st.integers(65, 2000))
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


def float_arrays(elements=finite, n=lengths):
    return hnp.arrays(np.float64, n, elements=elements)


def int_arrays(lo=-1000, hi=1000, n=lengths):
    return hnp.arrays(np.int64, n, elements=st.integers(lo, hi))


def bool_arrays(n=lengths):
    return hnp.arrays(np.bool_, n, elements=st.booleans())


# ====================================================================== scalar reductions
@hl.jit(parallel=True)
def float_sum(a):
    s = 0.0
    for i in hl.prange(a.shape[0]):
        s += a[i]
    return s


@hl.jit(parallel=True)
def float_sum_forms(a):
    s1 = 1.5
    s2 = -2.0
    s3 = 0.25
    for i in hl.prange(len(a)):
        s1 = s1 + a[i]
        s2 = a[i] * 2.0 + s2
        s3 -= a[i]
    return s1, s2, s3


@SETTINGS
@given(a=float_arrays())
def test_float_sum(threads, a):
    expected, got, _, _ = run_both(float_sum, a)
    close_sum(expected, got, a)


@SETTINGS
@given(a=float_arrays())
def test_float_sum_forms(threads, a):
    expected, got, _, _ = run_both(float_sum_forms, a)
    assert isinstance(got, tuple) and len(got) == 3
    close_sum(expected[0], got[0], np.append(a, 1.5), "s = s + e")
    close_sum(expected[1], got[1], np.append(2.0 * a, -2.0), "s = e + s")
    close_sum(expected[2], got[2], np.append(a, 0.25), "s -= e")


@SETTINGS
@given(a=float_arrays(st.floats(allow_nan=True, allow_infinity=True)))
def test_float_sum_nan_inf_agree(threads, a):
    # With NaN/inf the sum's NaN-ness and infinite sign do not depend on the order,
    # except where both +inf and -inf appear (NaN either way).
    expected, got, _, _ = run_both(float_sum, a)
    assert math.isnan(got) == math.isnan(expected), (expected, got)
    if math.isinf(expected):
        assert got == expected


@hl.jit(parallel=True)
def int_sum(a):
    s = 0
    for i in hl.prange(a.shape[0]):
        s += a[i]
    return s


@hl.jit(parallel=True)
def int_minus(a, start):
    s = start
    for i in hl.prange(a.shape[0]):
        s -= a[i]
    return s


@SETTINGS
@given(a=int_arrays())
def test_int_sum(threads, a):
    assert int_sum(a) == sum(int(x) for x in a)
    got = int_sum(a)
    assert isinstance(got, int) and not isinstance(got, bool)


@SETTINGS
@given(a=int_arrays(INT64_MIN, INT64_MAX), start=st.integers(INT64_MIN, INT64_MAX))
def test_int_sum_wraps(threads, a, start):
    assert int_sum(a) == wrap64(sum(int(x) for x in a))
    assert int_minus(a, start) == wrap64(start - sum(int(x) for x in a))


@SETTINGS
@given(a=int_arrays(), start=st.integers(-10**6, 10**6))
def test_int_minus_equals(threads, a, start):
    expected, got, _, _ = run_both(int_minus, a, start)
    same_scalar(expected, got)


@hl.jit(parallel=True)
def products(a, b):
    p = 1.0
    q = 1
    for i in hl.prange(a.shape[0]):
        p *= a[i]
        q = q * b[i]
    return p, q


@SETTINGS
@given(data=st.data())
def test_products(threads, data):
    n = data.draw(lengths)
    a = data.draw(hnp.arrays(np.float64, n, elements=st.floats(0.9, 1.1)))
    b = data.draw(hnp.arrays(np.int64, n, elements=st.integers(-2**40, 2**40)))
    p, q = products(a, b)
    exp_p = math.prod(float(x) for x in a)
    assert abs(p - exp_p) <= 4 * (n + 1) * EPS * exp_p, (p, exp_p)
    assert q == wrap64(math.prod(int(x) for x in b))


@hl.jit(parallel=True)
def small_int_product(a):
    p = 1
    for i in hl.prange(a.shape[0]):
        p *= a[i]
    return p


@SETTINGS
@given(a=int_arrays(-3, 3, n=st.integers(0, 40)))
def test_small_int_product_exact(threads, a):
    expected, got, _, _ = run_both(small_int_product, a)
    same_scalar(expected, got)


@hl.jit(parallel=True)
def min_max_forms(a, init_lo, init_hi):
    lo1 = init_lo
    lo2 = init_lo
    hi1 = init_hi
    hi2 = init_hi
    for i in hl.prange(a.shape[0]):
        lo1 = min(lo1, a[i])
        lo2 = min(a[i], lo2)
        hi1 = max(hi1, a[i])
        hi2 = max(a[i], hi2)
    return lo1, lo2, hi1, hi2


@SETTINGS
@given(a=float_arrays(st.floats(allow_nan=False, allow_infinity=True)),
       init_lo=st.floats(allow_nan=False), init_hi=st.floats(allow_nan=False))
def test_float_min_max_with_inf(threads, a, init_lo, init_hi):
    expected, got, _, _ = run_both(min_max_forms, a, init_lo, init_hi)
    for k, (e, g) in enumerate(zip(expected, got)):
        same_scalar(e, g, f"result[{k}]")


@SETTINGS
@given(a=float_arrays(st.floats(allow_nan=True, allow_infinity=True)),
       init_lo=st.floats(-1e300, 1e300), init_hi=st.floats(-1e300, 1e300))
def test_float_min_max_skip_nan_when_accumulator_first(threads, a, init_lo, init_hi):
    # min(s, e) keeps s when e is NaN (NaN < s is false): with a non-NaN start the NaNs are
    # skipped whatever the order, so the result is well defined.  (min(e, s) would pick up a
    # NaN and drop it again at the next element: order dependent, not compared.)
    expected, got, _, _ = run_both(min_max_forms, a, init_lo, init_hi)
    same_scalar(expected[0], got[0], "min(s, e)")
    same_scalar(expected[2], got[2], "max(s, e)")
    finite_a = a[~np.isnan(a)]
    exp_lo = min([init_lo, *finite_a.tolist()])
    assert got[0] == exp_lo


@SETTINGS
@given(a=int_arrays(INT64_MIN, INT64_MAX), init_lo=st.integers(INT64_MIN, INT64_MAX),
       init_hi=st.integers(INT64_MIN, INT64_MAX))
def test_int_min_max(threads, a, init_lo, init_hi):
    expected, got, _, _ = run_both(min_max_forms, a, init_lo, init_hi)
    for k, (e, g) in enumerate(zip(expected, got)):
        same_scalar(e, g, f"result[{k}]")


@hl.jit(parallel=True)
def count_if(a, t):
    c = 0
    s = 0.0
    for i in hl.prange(a.shape[0]):
        if a[i] > t:
            c += 1
        elif a[i] < -t:
            s += a[i]
    return c, s


@SETTINGS
@given(a=float_arrays(), t=st.floats(0, 1e6))
def test_count_with_if(threads, a, t):
    expected, got, _, _ = run_both(count_if, a, t)
    same_scalar(expected[0], got[0], "count")
    close_sum(expected[1], got[1], a[a < -t], "conditional sum")


@hl.jit(parallel=True)
def bit_reductions(a):
    o = 0
    n = -1
    x = 12345
    for i in hl.prange(a.shape[0]):
        o |= a[i]
        n &= a[i]
        x ^= a[i]
    return o, n, x


@SETTINGS
@given(a=int_arrays(INT64_MIN, INT64_MAX))
def test_int_bitwise_reductions(threads, a):
    expected, got, _, _ = run_both(bit_reductions, a)
    for k, (e, g) in enumerate(zip(expected, got)):
        same_scalar(e, g, f"result[{k}]")


@hl.jit(parallel=True)
def bool_reductions(a, b):
    any_ = False
    all_ = True
    any2 = False
    all2 = True
    par = False
    for i in hl.prange(a.shape[0]):
        any_ = any_ or a[i]
        all_ = all_ and a[i]
        any2 |= a[i] and b[i]
        all2 &= a[i] or b[i]
        par ^= a[i]
    return any_, all_, any2, all2, par


@SETTINGS
@given(data=st.data())
def test_bool_reductions(threads, data):
    n = data.draw(lengths)
    a = data.draw(bool_arrays(st.just(n)))
    b = data.draw(bool_arrays(st.just(n)))
    expected, got, _, _ = run_both(bool_reductions, a, b)
    assert isinstance(got, tuple) and len(got) == 5
    for k, (e, g) in enumerate(zip(expected, got)):
        same_scalar(bool(e), g, f"result[{k}]")


@hl.jit(parallel=True)
def or_and_of_comparisons(a, t):
    found = False
    every = True
    for i in hl.prange(a.shape[0]):
        found = found or a[i] > t
        every = every and a[i] >= -t
    return found, every


@SETTINGS
@given(a=float_arrays(), t=st.floats(0, 1e6))
def test_or_and_of_comparisons(threads, a, t):
    expected, got, _, _ = run_both(or_and_of_comparisons, a, t)
    same_scalar(expected[0], got[0], "found")
    same_scalar(expected[1], got[1], "every")


# ========================================================= several reductions and writes
@hl.jit(parallel=True)
def many_at_once(a, out, flags):
    total = 0.0
    count = 0
    lo = np.inf
    hi = -np.inf
    anyneg = False
    for i in hl.prange(a.shape[0]):
        v = a[i] * 2.0 - 1.0
        out[i] = v
        flags[i] = v > 0
        total += v
        if v > 0:
            count += 1
        lo = min(lo, v)
        hi = max(hi, v)
        anyneg = anyneg or v < 0
    return total, count, lo, hi, anyneg


@SETTINGS
@given(a=float_arrays())
def test_several_reductions_and_array_writes(threads, a):
    n = a.shape[0]
    out, flags = np.zeros(n), np.zeros(n, np.bool_)
    expected, got, py_args, jit_args = run_both(many_at_once, a, out, flags)
    close_sum(expected[0], got[0], a * 2.0 - 1.0, "total")
    for k in range(1, 5):
        same_scalar(expected[k], got[k], f"result[{k}]")
    np.testing.assert_array_equal(jit_args[1], py_args[1])
    np.testing.assert_array_equal(jit_args[2], py_args[2])


# ======================================================= private variables, loop variable
@hl.jit(parallel=True)
def privates(a, out):
    t = -1.0
    k = 99
    i = -7
    for i in hl.prange(a.shape[0]):
        t = a[i] * 2.0
        k = i * 3
        if t > 0:
            u = t + 1.0
        else:
            u = t - 1.0
        out[i] = u + k
    return t, k, i


@SETTINGS
@given(a=float_arrays())
def test_private_variables_and_loop_variable_after_loop(threads, a):
    out = np.zeros(a.shape[0])
    expected, got, py_args, jit_args = run_both(privates, a, out)
    for k, (e, g) in enumerate(zip(expected, got)):
        same_scalar(e, g, f"result[{k}]")
    np.testing.assert_array_equal(jit_args[1], py_args[1])


@hl.jit(parallel=True)
def zero_trip(n, x):
    s = x
    c = 5
    m = x
    t = 1.5
    i = -7
    for i in hl.prange(n):
        s += 1.0
        c *= 2
        m = min(m, 0.0)
        t = 2.5
    return s, c, m, t, i


@pytest.mark.parametrize("n", [0, -1, -100, 1, 2, 3, 7])
def test_zero_trip_and_short_loops(threads, n):
    expected, got, _, _ = run_both(zero_trip, n, 3.25)
    for k, (e, g) in enumerate(zip(expected, got)):
        same_scalar(e, g, f"result[{k}]")


# ================================================================================== ranges
@hl.jit(parallel=True)
def stepped(start, stop, step, out):
    s = 0
    i = -7
    for i in hl.prange(start, stop, step):
        out[i] = i
        s += i * i
    return s, i


@SETTINGS
@given(start=st.integers(-1, 60), stop=st.integers(-1, 60),
       step=st.integers(-7, 7).filter(lambda s: s != 0))
def test_start_stop_step(threads, start, stop, step):
    # Indices may be -1 (the last element): the same in Python and compiled code.
    out = np.full(61, -100, np.int64)
    expected, got, py_args, jit_args = run_both(stepped, start, stop, step, out)
    for k, (e, g) in enumerate(zip(expected, got)):
        same_scalar(e, g, f"result[{k}]")
    np.testing.assert_array_equal(jit_args[3], py_args[3])


@hl.jit(parallel=True)
def negative_step(a):
    s = 0.0
    c = 0
    i = -7
    for i in hl.prange(a.shape[0] - 1, -1, -2):
        s += a[i]
        c += i
    return s, c, i


@SETTINGS
@given(a=float_arrays())
def test_negative_step(threads, a):
    expected, got, _, _ = run_both(negative_step, a)
    close_sum(expected[0], got[0], a[::-2], "sum")
    same_scalar(expected[1], got[1], "index sum")
    same_scalar(expected[2], got[2], "loop variable")


@hl.jit(parallel=True)
def count_trips(start, stop, step):
    c = 0
    s = 0
    for i in hl.prange(start, stop, step):
        c += 1
        s ^= i
    return c, s


def _serial_trips(start, stop, step):
    s = 0
    for i in range(start, stop, step):
        s ^= i
    return len(range(start, stop, step)), wrap64(s)


@pytest.mark.parametrize("bounds", [
    (0, INT64_MAX, 2**62), (INT64_MIN, INT64_MIN + 10, 3), (INT64_MAX, INT64_MAX - 11, -3),
    (INT64_MIN + 1, 0, 2**61), (0, INT64_MIN + 1, -2**61), (INT64_MAX - 100, INT64_MAX, 7),
    (INT64_MIN + 100, INT64_MIN, -7), (-2**62, 2**62 - 1, 2**60)])
def test_ranges_near_int64_limits(threads, bounds):
    assert count_trips(*bounds) == _serial_trips(*bounds)


@pytest.mark.parametrize("bounds", [
    (-2**62, 2**62, 2**60), (-2**62 - 1, 2**62 + 1, 2**61), (INT64_MIN, INT64_MAX, 2**61),
    (INT64_MAX, INT64_MIN, -2**61), (INT64_MIN, 0, 2**61), (0, INT64_MIN, -2**61)])
def test_ranges_wider_than_int64(threads, bounds):
    assert count_trips(*bounds) == _serial_trips(*bounds)


def test_prange_with_step_zero_raises(threads):
    @hl.jit(parallel=True)
    def f(n, step):
        s = 0
        for i in hl.prange(0, n, step):
            s += i
        return s

    with pytest.raises(ValueError):
        f.py_func(10, 0)
    with pytest.raises(ValueError):
        f(10, 0)


# ============================================================================ nested loops
@hl.jit(parallel=True)
def rows_by_cols(a, out):
    total = 0.0
    for i in hl.prange(a.shape[0]):
        r = 0.0
        for j in range(a.shape[1]):
            r += a[i, j]
            if a[i, j] > 1e5:
                break
        out[i] = r
        total += r
    return total


@SETTINGS
@given(a=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=0,
                                                  max_side=40), elements=finite))
def test_prange_rows_range_cols(threads, a):
    out = np.zeros(a.shape[0])
    expected, got, py_args, jit_args = run_both(rows_by_cols, a, out)
    # Each row is summed serially (same order): exact; the total is a parallel sum.
    np.testing.assert_array_equal(jit_args[1], py_args[1])
    close_sum(expected, got, np.abs(a), "total")


@hl.jit(parallel=True)
def nested_prange(a, out):
    total = 0
    for i in hl.prange(a.shape[0]):
        for j in hl.prange(a.shape[1]):
            out[i, j] = a[i, j] * (i + 1) - j
            total += a[i, j] * j
    return total


@SETTINGS
@given(a=hnp.arrays(np.int64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=0,
                                                max_side=30), elements=st.integers(-99, 99)))
def test_nested_prange(threads, a):
    out = np.zeros(a.shape, np.int64)
    expected, got, py_args, jit_args = run_both(nested_prange, a, out)
    same_scalar(expected, got)
    np.testing.assert_array_equal(jit_args[1], py_args[1])


@hl.jit(parallel=True)
def inner_parallel_sum(row):
    s = 0
    for j in hl.prange(row.shape[0]):
        s += row[j] * row[j]
    return s


@hl.jit(parallel=True)
def outer_calls_parallel(a, out):
    total = 0
    for i in hl.prange(a.shape[0]):
        v = inner_parallel_sum(a[i])
        out[i] = v
        total += v
    return total


@SETTINGS
@given(a=hnp.arrays(np.int64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=0,
                                                max_side=30), elements=st.integers(-99, 99)))
def test_parallel_callee_inside_prange_body(threads, a):
    out = np.zeros(a.shape[0], np.int64)
    expected, got, py_args, jit_args = run_both(outer_calls_parallel, a, out)
    same_scalar(expected, got)
    np.testing.assert_array_equal(jit_args[1], py_args[1])


@hl.jit(parallel=True)
def reductions_in_inner_loops(a):
    s = 0.0
    c = 0
    w = 0
    for i in hl.prange(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j]
            if a[i, j] > 0:
                c += 1
        k = i % 7
        while k > 0:
            w += k
            k -= 1
    return s, c, w


@SETTINGS
@given(a=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=0,
                                                  max_side=40), elements=finite))
def test_reductions_inside_inner_range_and_while_loops(threads, a):
    expected, got, _, _ = run_both(reductions_in_inner_loops, a)
    close_sum(expected[0], got[0], a, "sum")
    same_scalar(expected[1], got[1], "count")
    same_scalar(expected[2], got[2], "while sum")


@hl.jit(parallel=True)
def sequential_and_repeated_loops(a, reps):
    s = 0
    for i in hl.prange(a.shape[0]):
        s += a[i]
    t = 0
    for i in hl.prange(a.shape[0]):
        t += a[i] * s
    tot = 0
    for r in range(reps):
        u = 0
        for j in hl.prange(a.shape[0]):
            u += a[j] * r
        tot += u
    return s, t, tot, i


@SETTINGS
@given(a=int_arrays(), reps=st.integers(0, 4))
def test_sequential_prange_loops_and_prange_in_serial_loop(threads, a, reps):
    if a.shape[0] == 0:
        a = np.zeros(1, np.int64)  # the loop variable i must exist after the loop
    expected, got, _, _ = run_both(sequential_and_repeated_loops, a, reps)
    for k, (e, g) in enumerate(zip(expected, got)):
        same_scalar(e, g, f"result[{k}]")


@hl.jit(parallel=True)
def mixed_type_reductions(a, b):
    s = 0          # int start, float updates: a float reduction
    c = 0j         # complex
    w = 0          # int32 elements: int32 arithmetic (NEP 50), wraps at 32 bits
    for i in hl.prange(a.shape[0]):
        s += a[i]
        c += a[i] * 1j - 1.0
        w += b[i]
    return s, c, w


@SETTINGS
@given(data=st.data())
def test_mixed_type_reductions(threads, data):
    n = data.draw(lengths)
    a = data.draw(hnp.arrays(np.float64, n, elements=finite))
    b = data.draw(hnp.arrays(np.int32, n, elements=st.integers(-2**31, 2**31 - 1)))
    expected, got, _, _ = run_both(mixed_type_reductions, a, b)
    close_sum(float(expected[0]), got[0], a, "int-started float sum")
    assert isinstance(got[1], complex), got
    close_sum(expected[1].imag, got[1].imag, a, "complex imaginary part")
    assert got[1].real == -float(n)
    exp_w = sum(int(x) for x in b) & (2**32 - 1)
    exp_w = exp_w - 2**32 if exp_w >= 2**31 else exp_w
    assert int(got[2]) == exp_w == int(expected[2])


@hl.jit(parallel=True)
def private_array_after_loop(a):
    t = np.zeros(2)
    for i in hl.prange(a.shape[0]):
        t = np.zeros(2)
        t[0] = a[i]
        t[1] = i
    return t


@SETTINGS
@given(a=float_arrays())
def test_private_array_after_loop(threads, a):
    expected, got, _, _ = run_both(private_array_after_loop, a)
    np.testing.assert_array_equal(got, expected)


# ============================================================================ calls, allocs
@hl.jit
def clamp(x, lo, hi):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


@hl.jit
def poly(x):
    return 1.0 + x * (0.5 + x * 0.25)


@hl.jit(parallel=True)
def calls_in_body(a, out):
    s = 0.0
    c = 0
    for i in hl.prange(a.shape[0]):
        v = clamp(a[i], -10.0, 10.0)
        out[i] = poly(v)
        s += out[i]
        c += clamp(i, 0, 5)
    return s, c


@SETTINGS
@given(a=float_arrays(st.floats(-100, 100)))
def test_jit_calls_inside_body(threads, a):
    out = np.zeros(a.shape[0])
    expected, got, py_args, jit_args = run_both(calls_in_body, a, out)
    np.testing.assert_array_equal(jit_args[1], py_args[1])
    close_sum(expected[0], got[0], py_args[1], "sum")
    same_scalar(expected[1], got[1], "count")


@hl.jit(parallel=True)
def allocs_in_body(a, out):
    s = 0.0
    for i in hl.prange(a.shape[0]):
        t = np.zeros(3)
        t[0] = a[i]
        t[1] = a[i] * 2.0
        t[2] = t[0] + t[1]
        w = np.empty(i % 5 + 1)
        for k in range(w.shape[0]):
            w[k] = k * t[2]
        out[i] = t[2] + w[w.shape[0] - 1]
        s += np.sum(t)
    return s


@SETTINGS
@given(a=float_arrays())
def test_arrays_allocated_in_body(threads, a):
    out = np.zeros(a.shape[0])
    expected, got, py_args, jit_args = run_both(allocs_in_body, a, out)
    np.testing.assert_array_equal(jit_args[1], py_args[1])
    close_sum(expected, got, 6.0 * np.abs(a), "sum")


def test_arrays_allocated_in_body_are_freed(threads):
    import gc

    def rss_kib():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    @hl.jit(parallel=True)
    def f(n):
        s = 0.0
        for i in hl.prange(n):
            t = np.ones(2000)  # 16 KB per iteration
            t[0] = i
            s += t[0] + t[1999]
        return s

    n = 2000  # 32 MB allocated per call if nothing were freed
    assert f(n) == n * (n - 1) / 2 + n
    gc.collect()
    before = rss_kib()
    for _ in range(10):
        f(n)
    gc.collect()
    grown_mib = (rss_kib() - before) / 1024
    assert grown_mib < 100, f"RSS grew by {grown_mib:.0f} MiB over 10 calls (320 MiB leaked?)"


# ============================================================================== exceptions
@hl.jit(parallel=True)
def raises_value_error(a):
    s = 0.0
    for i in hl.prange(a.shape[0]):
        if a[i] < 0:
            raise ValueError("negative value in the input")
        s += a[i]
    return s


@SETTINGS
@given(a=float_arrays(st.floats(-10, 1000)))
def test_value_error_in_body(threads, a):
    if np.any(a < 0):
        with pytest.raises(ValueError, match="negative value in the input"):
            raises_value_error.py_func(a)
        with pytest.raises(ValueError, match="negative value in the input"):
            raises_value_error(a)
    else:
        close_sum(raises_value_error.py_func(a), raises_value_error(a), a)


def test_exception_in_every_chunk_then_normal_call(threads):
    a = -np.ones(5000)
    for _ in range(5):
        with pytest.raises(ValueError, match="negative value in the input"):
            raises_value_error(a)
    # The pool still works after the failures.
    assert raises_value_error(np.ones(5000)) == 5000.0


@hl.jit(parallel=True, boundscheck=True)
def out_of_bounds(a, shift):
    s = 0.0
    for i in hl.prange(a.shape[0]):
        s += a[i + shift]
    return s


@pytest.mark.parametrize("n", [1, 2, 5, 1000])
def test_index_error_with_boundscheck(threads, n):
    a = np.arange(float(n))
    with pytest.raises(IndexError):
        out_of_bounds.py_func(a, 1)
    with pytest.raises(IndexError, match="out of bounds"):
        out_of_bounds(a, 1)
    assert out_of_bounds(a, 0) == a.sum()


@hl.jit(parallel=True)
def int_divisions(a):
    s = 0
    for i in hl.prange(a.shape[0]):
        s += 1000 // a[i]
    return s


@hl.jit(parallel=True)
def float_divisions(a):
    s = 0.0
    for i in hl.prange(a.shape[0]):
        s += 1.0 / a[i]
    return s


@SETTINGS
@given(a=int_arrays(-20, 20))
def test_zero_division_in_body(threads, a):
    if np.any(a == 0):
        with pytest.raises(ZeroDivisionError, match="division or modulo by zero"):
            int_divisions(a)
        with pytest.raises(ZeroDivisionError, match="float division by zero"):
            float_divisions(a.astype(np.float64))
    else:
        assert int_divisions(a) == sum(1000 // int(x) for x in a)
        f = a.astype(np.float64)
        close_sum(float_divisions.py_func(f), float_divisions(f), 1.0 / f)


@hl.jit(parallel=True)
def first_error(a):
    s = 0
    for i in hl.prange(a.shape[0]):
        if a[i] == 1:
            raise ValueError("first")
        if a[i] == 2:
            raise RuntimeError("second")
        s += a[i]
    return s


def test_first_failing_iteration_is_reported_like_serial():
    # Iteration n/2 - 1 raises ValueError (the serial loop's first error); every later
    # iteration raises RuntimeError.
    prev = hl.get_num_threads()
    seen = {}
    try:
        for work in (1, 0):
            hl._core._set_min_chunk_work(work)
            for t in THREADS:
                if t > hl.max_threads():
                    continue
                hl.set_num_threads(t)
                for n in (10_000, 100_000, 1_000_000):
                    a = np.zeros(n, np.int64)
                    a[n // 2 - 1] = 1
                    a[n // 2:] = 2
                    for _ in range(100):
                        try:
                            first_error(a)
                        except (ValueError, RuntimeError) as e:
                            key = (work, t, n, type(e).__name__)
                            seen[key] = seen.get(key, 0) + 1
    finally:
        hl.set_num_threads(prev)
        hl._core._set_min_chunk_work(1)
    wrong = {k: v for k, v in seen.items() if k[3] != "ValueError"}
    assert not wrong, f"(min_chunk_work, threads, n, exception): count -- {wrong}"


@hl.jit(parallel=True)
def array_reduction(a, w):
    acc = np.zeros(a.shape[1])
    cnt = np.zeros(a.shape[1], np.int64)
    for i in hl.prange(a.shape[0]):
        acc += a[i] * w[i]
        if w[i] > 0:
            acc -= a[i]
        cnt += i % 3
    return acc, cnt


@hl.jit(parallel=True)
def array_reduction_into(a, acc):
    for i in hl.prange(a.shape[0]):
        acc += a[i]
    return acc


@SETTINGS
@given(data=st.data())
def test_array_reductions(threads, data):
    n = data.draw(st.one_of(st.integers(0, 4), st.integers(5, 300)))
    m = data.draw(st.integers(0, 6))
    a = data.draw(hnp.arrays(np.float64, (n, m), elements=finite))
    w = data.draw(hnp.arrays(np.float64, n, elements=st.floats(-2, 2)))
    expected, got, _, _ = run_both(array_reduction, a, w)
    assert isinstance(got, tuple) and len(got) == 2
    acc, cnt = got
    assert acc.shape == (m,) and acc.dtype == np.float64
    # Column j sums n terms of size at most |a[i, j]| * 3.
    bound = 2 * (2 * n + 1) * EPS * 3 * np.sum(np.abs(a), axis=0)
    assert np.all(np.abs(acc - expected[0]) <= bound), (expected[0], acc)
    np.testing.assert_array_equal(cnt, expected[1])


@SETTINGS
@given(data=st.data())
def test_array_reduction_into_argument_views(threads, data):
    n = data.draw(st.one_of(st.integers(0, 4), st.integers(5, 300)))
    m = data.draw(st.integers(1, 6))
    a = data.draw(hnp.arrays(np.int64, (n, m), elements=st.integers(-1000, 1000)))
    start = data.draw(hnp.arrays(np.int64, 2 * m, elements=st.integers(-1000, 1000)))
    view = data.draw(st.sampled_from(["C", "strided", "reversed"]))

    def make(base):
        return {"C": base[:m], "strided": base[::2], "reversed": base[:m][::-1]}[view]

    acc_py, acc_jit = make(start.copy()), make(start.copy())
    exp = array_reduction_into.py_func(a, acc_py)
    got = array_reduction_into(a, acc_jit)
    np.testing.assert_array_equal(got, exp)
    np.testing.assert_array_equal(acc_jit, acc_py)  # written in place, through the view


def test_array_reduction_bit_identical_across_threads():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((50_000, 5))
    w = rng.standard_normal(50_000)
    prev = hl.get_num_threads()
    out = []
    try:
        for t in THREADS:
            if t <= hl.max_threads():
                hl.set_num_threads(t)
                out.append(array_reduction(a, w)[0].tobytes())
    finally:
        hl.set_num_threads(prev)
    assert all(o == out[0] for o in out)


# ===================================================================== determinism, serial
@hl.jit(parallel=True)
def sum_and_dot(a, b):
    s = 0.0
    d = 0.0
    p = 1.0
    for i in hl.prange(a.shape[0]):
        s += a[i]
        d += a[i] * b[i]
        p *= 1.0 + a[i] * 1e-4
    return s, d, p


@settings(SETTINGS, max_examples=25)
@given(data=st.data())
def test_float_results_bit_identical_across_thread_counts(data):
    n = data.draw(lengths)
    el = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
    a = data.draw(hnp.arrays(np.float64, n, elements=el))
    b = data.draw(hnp.arrays(np.float64, n, elements=el))
    prev = hl.get_num_threads()
    results = {}
    try:
        for t in THREADS:
            if t > hl.max_threads():
                continue
            hl.set_num_threads(t)
            results[t] = [bits(x) for x in sum_and_dot(a, b)] + [bits(float_sum(a))]
            assert [bits(x) for x in sum_and_dot(a, b)] + [bits(float_sum(a))] == results[t], (
                f"two calls at {t} threads differ")
    finally:
        hl.set_num_threads(prev)
    first = results[1]
    for t, r in results.items():
        assert r == first, f"{t} threads give different bits than 1 thread"


def test_bit_identical_on_a_large_array():
    rng = np.random.default_rng(7)
    a = rng.standard_normal(1_000_003) * 1e3
    prev = hl.get_num_threads()
    seen = set()
    try:
        for work in (1, 0):  # the test chunking and the default one
            hl._core._set_min_chunk_work(work)
            seen.clear()
            for t in THREADS:
                if t <= hl.max_threads():
                    hl.set_num_threads(t)
                    seen.add(bits(float_sum(a)))
            assert len(seen) == 1, f"min_chunk_work={work}: results differ across threads"
    finally:
        hl.set_num_threads(prev)
        hl._core._set_min_chunk_work(1)
    close_sum(math.fsum(a), float_sum(a), a)


@hl.jit
def serial_prange(a):
    # Not parallel=True: prange is range, so a carried variable is fine.
    prev = 0.0
    s = 0.0
    for i in hl.prange(a.shape[0]):
        s = s * 0.5 + a[i] - prev
        prev = a[i]
    return s


@hl.jit(parallel=False)
def serial_prange_explicit(a):
    s = 0.0
    for i in hl.prange(a.shape[0]):
        s += a[i]
    return s


@SETTINGS
@given(a=float_arrays())
def test_parallel_false_runs_prange_serially(threads, a):
    expected, got, _, _ = run_both(serial_prange, a)
    # The exact serial order: bit-identical to Python.
    same_scalar(expected, got)
    expected, got, _, _ = run_both(serial_prange_explicit, a)
    same_scalar(expected, got)


def test_parallel_false_ir_has_no_parallel_loop():
    serial_prange_explicit(np.ones(3))
    ir = serial_prange_explicit.inspect_ir(serial_prange_explicit.signatures[0])
    assert "prange(" not in ir, ir
    float_sum(np.ones(3))
    ir = float_sum.inspect_ir(float_sum.signatures[0])
    assert "prange(" in ir, ir


def test_numba_prange_is_accepted(threads):
    numba = pytest.importorskip("numba")

    @hl.jit(parallel=True)
    def f(a):
        s = 0
        for i in numba.prange(a.shape[0]):
            s += a[i] * i
        return s

    a = np.arange(-50, 1000, dtype=np.int64)
    assert f(a) == sum(int(x) * i for i, x in enumerate(a))
    assert "prange(" in f.inspect_ir(f.signatures[0])


# ============================================================================ thread control
def test_set_num_threads_validation():
    m = hl.max_threads()
    assert isinstance(m, int) and m >= 1
    prev = hl.get_num_threads()
    try:
        for bad in (0, -1, m + 1, m + 100):
            with pytest.raises(ValueError):
                hl.set_num_threads(bad)
            assert hl.get_num_threads() == prev
        assert hl.set_num_threads(1) == prev
        assert hl.get_num_threads() == 1
        assert hl.set_num_threads(m) == 1
        assert hl.get_num_threads() == m
    finally:
        hl.set_num_threads(prev)


def test_max_threads_from_environment():
    import os

    env = os.environ.get("HOTLOOP_NUM_THREADS")
    if not env:
        pytest.skip("HOTLOOP_NUM_THREADS not set")
    assert hl.max_threads() == int(env)


def test_num_threads_is_per_python_thread():
    prev = hl.set_num_threads(1)
    seen = {}
    try:
        def worker():
            seen["start"] = hl.get_num_threads()
            if hl.max_threads() >= 2:
                seen["prev"] = hl.set_num_threads(2)
                seen["after"] = hl.get_num_threads()

        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert seen["start"] == hl.max_threads()
        if hl.max_threads() >= 2:
            assert seen["prev"] == hl.max_threads()
            assert seen["after"] == 2
        assert hl.get_num_threads() == 1  # the main thread's setting is untouched
        # And a parallel loop here still works at 1 thread.
        assert int_sum(np.arange(1000)) == 499500
    finally:
        hl.set_num_threads(prev)


# ================================================================================= nogil
@hl.jit(parallel=True, nogil=True)
def nogil_work(a, out):
    s = 0
    for i in hl.prange(a.shape[0]):
        v = a[i] * a[i] - 3 * a[i]
        out[i] = v
        s += v
    return s


def test_nogil_parallel_from_four_python_threads():
    nogil_work(np.arange(3), np.zeros(3, np.int64))  # compile once, before the threads
    errors = []
    barrier = threading.Barrier(4)

    def worker(seed):
        try:
            rng = np.random.default_rng(seed)
            if hl.max_threads() >= 1:
                hl.set_num_threads(1 + seed % hl.max_threads())
            barrier.wait()
            for _ in range(30):
                n = int(rng.integers(0, 5000))
                a = rng.integers(-1000, 1000, n)
                out = np.zeros(n, np.int64)
                got = nogil_work(a, out)
                exp_out = a * a - 3 * a
                if got != int(exp_out.sum()) or not np.array_equal(out, exp_out):
                    errors.append(f"thread {seed}: wrong result for n={n}")
        except Exception as e:  # noqa: BLE001
            errors.append(f"thread {seed}: {type(e).__name__}: {e}")

    threads_ = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads_:
        t.start()
    for t in threads_:
        t.join()
    assert not errors, errors
