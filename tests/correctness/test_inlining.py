"""Calls of straight-line compiled functions are inlined into the caller (passes/InlineCalls):
differential tests against CPython running the undecorated functions, and IR checks that
the inlined array expression fused with the caller's (no allocation, no call left).

Each callee keeps its own options: a callee with another fastmath, boundscheck or
error_model than its caller stays a call and runs with its own."""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from . import test_seed_programs as seed_programs
from .conftest import (FEW, PYTHON_ONLY, SETTINGS, any_floats, arrays, check, check_raises,
                       finite_floats, hl)

needs_compiler = pytest.mark.skipif(PYTHON_ONLY, reason="inspects the compiled IR")


def entry_ir(fn):
    """The IR of the function itself (inspect_ir prints its callees first)."""
    text = fn.inspect_ir(fn.signatures[0])
    return text[text.rindex("\ndef ") + 1:] if "\ndef " in text else text


# ----------------------------------------------------- the seed's helper and its reduction
norm_pdf = hl.jit(seed_programs.norm_pdf)


@hl.jit
def likelihood(mu, data):
    return np.prod(norm_pdf(mu, 1, data))


@hl.jit
def prior(mu, m, s):
    return norm_pdf(m, s, mu)


@SETTINGS
@given(finite_floats(-3, 3), arrays(np.float64, 1, lo=-4, hi=4))
def test_prod_of_inlined_array_helper(mu, data):
    check(likelihood, mu, data)


@SETTINGS
@given(finite_floats(-3, 3), finite_floats(-3, 3), finite_floats(0.1, 3))
def test_inlined_scalar_helper(mu, m, s):
    check(prior, mu, m, s)


@needs_compiler
def test_inlined_reduction_allocates_nothing():
    likelihood(0.5, np.linspace(-1, 1, 20))
    ir = entry_ir(likelihood)
    assert "norm_pdf" not in ir, ir
    assert "np.empty" not in ir, ir


# ------------------------------------------------------------ the seed's MCMC sampler
@needs_compiler
def test_sampler_loop_has_no_allocation_and_no_call():
    # test_seed_programs checks that the chain is NumPy's, bit for bit.
    sampler, _ = seed_programs._compiled_sampler()
    sampler(np.random.default_rng(4).normal(size=20), 30, 1.0)
    ir = entry_ir(sampler)
    loop = ir[ir.index("for i in range("):]
    assert "norm_pdf" not in loop, ir
    assert "np.empty" not in loop, ir


# --------------------------------------------------------- evaluation order and bindings
@hl.jit
def push(log, v):
    """Records v in log (log[0] counts the records); returns v."""
    log[0] += 1
    log[int(log[0])] = v
    return v


@hl.jit
def weighted(a, b, c=0.0):
    return a * 100.0 + b * 10.0 + c


@hl.jit
def keywords_out_of_order(log):
    return weighted(push(log, 1.0), c=push(log, 2.0), b=push(log, 3.0))


@hl.jit
def keywords_only_reversed(log):
    return weighted(b=push(log, 4.0), a=push(log, 5.0))


def test_keyword_arguments_in_written_order():
    check(keywords_out_of_order, np.zeros(8))
    check(keywords_only_reversed, np.zeros(8))


@hl.jit
def twice(v):
    return v + v


@hl.jit
def argument_evaluated_once(log):
    return twice(push(log, 2.5)) + twice(push(log, 1.5))


def test_each_argument_evaluated_once():
    check(argument_evaluated_once, np.zeros(8))


@hl.jit
def rebinds(x):
    y = x * 2.0
    y = y + 1.0
    z = y * y
    return z - y


@hl.jit
def array_local_read_twice(x, a):
    y = x * a
    return y + y * y


@hl.jit
def call_rebinds(x, a):
    return np.sum(rebinds(x)) + np.sum(array_local_read_twice(x, a)) + rebinds(a)


@SETTINGS
@given(arrays(np.float64, 1, lo=-100, hi=100), finite_floats(-10, 10))
def test_locals_rebound_and_read_twice(x, a):
    check(call_rebinds, x, a)


@hl.jit
def inner(x, k):
    return x * k + 1.0


@hl.jit
def middle(x, k):
    t = inner(x, k)
    return inner(t, k) - x


@hl.jit
def outer(x, k):
    return np.max(middle(x, k)) + middle(k, 2.0)


@SETTINGS
@given(arrays(np.float64, 1, min_side=1, lo=-100, hi=100), finite_floats(-10, 10))
def test_nested_inlining(x, k):
    check(outer, x, k)


@hl.jit
def broadcast_helper(a, b):
    return a * 2.0 + b


@hl.jit
def reduce_broadcast(a, b):
    return np.sum(broadcast_helper(a, b), axis=0)


@FEW
@given(arrays(np.float64, 2, lo=-10, hi=10), st.integers(0, 3))
def test_inlined_array_expression_broadcasts(a, n):
    b = np.arange(a.shape[1], dtype=np.float64) if n else np.float64(3.0)
    check(reduce_broadcast, a, b)


@hl.jit
def shape_mismatch(a, b):
    return np.sum(broadcast_helper(a, b))


def test_inlined_broadcast_error():
    check_raises(shape_mismatch, ValueError, np.ones(3), np.ones(4))


# ------------------------------------------------------------------- options per callee
@hl.jit(error_model="numpy")
def numpy_division(a, b):
    return a / b


@hl.jit
def python_caller(a, b):
    return numpy_division(a, b) + 1.0


@hl.jit
def python_division(a, b):
    return a / b


@hl.jit(error_model="numpy")
def numpy_caller(a, b):
    return python_division(a, b) * 2.0


def test_callee_error_model_applies():
    # np.float64 makes CPython follow IEEE too: inf, as the numpy-model callee gives.
    check(python_caller, np.float64(1.0), np.float64(0.0))
    check(python_caller, np.float64(3.0), np.float64(2.0))
    # The python-model callee raises even though its caller uses the numpy model.
    check_raises(numpy_caller, ZeroDivisionError, 1.0, 0.0)
    check(numpy_caller, 3.0, 2.0)


@needs_compiler
def test_callee_with_other_options_stays_a_call():
    python_caller(1.0, 2.0)
    assert "numpy_division" in entry_ir(python_caller)


@hl.jit(fastmath=True)
def fast_sum_of_squares(x):
    return np.sum(x * x)


@hl.jit
def strict_caller(x):
    return fast_sum_of_squares(x) + 1.0


@hl.jit(fastmath=True)
def fast_caller(x):
    return fast_sum_of_squares(x) + 1.0


@SETTINGS
@given(arrays(np.float64, 1, lo=-100, hi=100))
def test_fastmath_callee(x):
    check(strict_caller, x, rtol=1e-12)
    check(fast_caller, x, rtol=1e-12)


@needs_compiler
def test_inlined_only_with_equal_options():
    x = np.arange(5.0)
    strict_caller(x), fast_caller(x)
    assert "fast_sum_of_squares" in entry_ir(strict_caller)
    assert "fast_sum_of_squares" not in entry_ir(fast_caller)


@hl.jit(boundscheck=True)
def checked_first(a, i):
    return a[i] * 2.0


@hl.jit
def unchecked_caller(a, i):
    return checked_first(a, i) + 1.0


def test_boundscheck_callee_checks_in_unchecked_caller():
    check(unchecked_caller, np.arange(4.0), 2)
    check_raises(unchecked_caller, IndexError, np.arange(4.0), 7)


# ----------------------------------------- callees that are not inlined, and exceptions
@hl.jit
def loop_sum(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i]
    return s


@hl.jit
def guarded_sqrt(v):
    if v < 0:
        raise ValueError("negative value")
    return np.sqrt(v)


@hl.jit
def call_non_straight_line(x, v):
    return loop_sum(x) + guarded_sqrt(v)


@SETTINGS
@given(arrays(np.float64, 1, lo=-100, hi=100), any_floats())
@example(np.ones(3), -1.0)
def test_non_straight_line_callee_is_called(x, v):
    check(call_non_straight_line, x, v, raises=(ValueError,))


@needs_compiler
def test_non_straight_line_callee_stays_a_call():
    call_non_straight_line(np.ones(2), 4.0)
    ir = entry_ir(call_non_straight_line)
    assert "loop_sum" in ir and "guarded_sqrt" in ir


@hl.jit
def reciprocal(x):
    r = 1.0 / x
    return r * 2.0


@hl.jit
def integer_ratio(a, b):
    return a // b + 1


@hl.jit
def inlined_raise(x, a, b):
    return reciprocal(x) + integer_ratio(a, b)


@SETTINGS
@given(any_floats(), st.integers(-5, 5), st.integers(-5, 5))
@example(0.0, 1, 1)
@example(1.0, 1, 0)
def test_inlined_callee_raises(x, a, b):
    check(inlined_raise, x, a, b)


def test_recursive_callee_is_a_compile_error():
    if PYTHON_ONLY:
        pytest.skip("compile errors need the compiler")

    @hl.jit
    def fact(n):
        return 1 if n <= 1 else n * fact(n - 1)

    with pytest.raises(hl.CompileError):
        fact(5)
