"""prange loops whose iterations are not independent: each is a CompileError at the first
call (or at decoration, with a signature) naming the offending line (``# ERR``), never a
silent race.

* a variable carried from one iteration to the next (read before it is assigned);
* a reduction variable also read or assigned elsewhere in the loop;
* one variable combined in two different ways;
* ``return`` inside a prange loop, ``break`` directly in it;
* a whole shared array written by every iteration, or an array reduction (``acc += ...``)
  whose array is also used elsewhere in the loop.

The last section holds the look-alikes that must compile: the same loops without
``parallel=True`` (prange is range there), ``break`` in an inner loop, ``+=`` mixed with
``-=``, carried variables of an inner (serial) loop, array reductions.
"""

import numpy as np
import pytest

hl = pytest.importorskip("hotloop")

CARRIED = ["read before it is assigned"]
ELSEWHERE = ["also read or assigned elsewhere"]
TWO_WAYS = ["combined in two different ways"]
WHOLE = ["writes the whole array"]


@pytest.fixture(autouse=True)
def small_chunks():
    """Many chunks even for tiny inputs: the 'compiles fine' cases take the parallel path."""
    hl._core._set_min_chunk_work(1)
    yield
    hl._core._set_min_chunk_work(0)


# --- variables carried between iterations --------------------------------------------------


def test_carried_variable_read_before_assigned(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        t = 0.0
        for i in hl.prange(a.shape[0]):
            a[i] = t  # ERR
            t = a[i] + 1.0
        return a

    err = compile_error(f, np.zeros(4), mentions=CARRIED, caret_at="a[i] = t")
    assert "'t'" in str(err), str(err)
    assert "range(" in str(err), "the hint should suggest range(...)"


def test_recurrence_is_not_a_reduction(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        t = 0.0
        for i in hl.prange(a.shape[0]):
            t = t * 0.5 + a[i]  # ERR
        return t

    compile_error(f, np.ones(4), mentions=CARRIED, caret_at="t = t")


def test_reversed_subtraction_is_not_a_reduction(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        s = 10.0
        for i in hl.prange(a.shape[0]):
            s = a[i] - s  # ERR
        return s

    compile_error(f, np.ones(4), mentions=CARRIED)


def test_division_is_not_a_reduction(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        s = 1.0
        for i in hl.prange(a.shape[0]):
            s /= a[i]  # ERR
        return s

    compile_error(f, np.ones(4), mentions=CARRIED)


def test_variable_assigned_only_under_if_then_read(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        t = 0.0
        for i in hl.prange(a.shape[0]):
            if a[i] > 1.0:
                t = a[i]
            a[i] = t  # ERR
        return a

    compile_error(f, np.arange(4.0), mentions=CARRIED)


def test_carried_variable_read_in_condition(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        last = -1.0
        for i in hl.prange(a.shape[0]):
            if a[i] > last:  # ERR
                a[i] = 0.0
            last = a[i]
        return a

    compile_error(f, np.arange(4.0), mentions=CARRIED)


def test_carried_through_inner_range_loop(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        t = 0.0
        for i in hl.prange(a.shape[0]):
            for j in range(a.shape[1]):
                a[i, j] = t  # ERR
            t = a[i, 0] * 2.0
        return a

    compile_error(f, np.ones((3, 2)), mentions=CARRIED)


def test_carried_variable_with_numba_prange(compile_error):
    numba = pytest.importorskip("numba")

    @hl.jit(parallel=True)
    def f(a):
        t = 0.0
        for i in numba.prange(a.shape[0]):
            a[i] = t  # ERR
            t = a[i] + 1.0
        return a

    compile_error(f, np.zeros(4), mentions=CARRIED)


def test_carried_variable_with_explicit_signature(eager_compile_error):
    def f(a):
        t = 0.0
        for i in hl.prange(a.shape[0]):
            a[i] = t  # ERR
            t = a[i] + 1.0
        return a

    eager_compile_error("float64[:](float64[:])", f, mentions=CARRIED, parallel=True)


# --- reductions used elsewhere or mixed ------------------------------------------------------


def test_reduction_variable_read_elsewhere(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        s = 0.0
        for i in hl.prange(a.shape[0]):
            s += a[i]
            a[i] = s  # ERR
        return s

    err = compile_error(f, np.ones(4), mentions=ELSEWHERE, caret_at="a[i] = s")
    assert "'s'" in str(err), str(err)


def test_reduction_variable_read_in_condition(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        s = 0.0
        for i in hl.prange(a.shape[0]):
            if s > 10.0:  # ERR
                a[i] = 0.0
            s += a[i]
        return s

    compile_error(f, np.ones(4), mentions=ELSEWHERE)


def test_reduction_variable_read_in_other_reduction(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        s = 0.0
        c = 0.0
        for i in hl.prange(a.shape[0]):
            s += a[i]
            c += s  # ERR
        return s, c

    compile_error(f, np.ones(4), mentions=ELSEWHERE)


def test_reduction_variable_assigned_elsewhere(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        s = 0.0
        for i in hl.prange(a.shape[0]):
            s += a[i]
            s = 1.0  # ERR
        return s

    compile_error(f, np.ones(4), mentions=ELSEWHERE)


def test_min_reduction_read_elsewhere(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        m = 1e300
        for i in hl.prange(a.shape[0]):
            m = min(m, a[i])
            a[i] = a[i] - m  # ERR
        return m

    compile_error(f, np.ones(4), mentions=ELSEWHERE)


def test_two_operations_on_one_variable(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        s = 0.0
        for i in hl.prange(a.shape[0]):
            s += a[i]  # ERR
            s *= 2.0  # ERR
        return s

    err = compile_error(f, np.ones(4), mentions=TWO_WAYS)
    assert "'s'" in str(err), str(err)


def test_min_and_max_on_one_variable(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        s = 0.0
        for i in hl.prange(a.shape[0]):
            s = min(s, a[i])  # ERR
            s = max(s, a[i])  # ERR
        return s

    compile_error(f, np.ones(4), mentions=TWO_WAYS)


def test_or_and_bitor_on_one_int_variable(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        s = 0
        for i in hl.prange(a.shape[0]):
            s |= a[i]  # ERR
            s ^= a[i]  # ERR
        return s

    compile_error(f, np.arange(4), mentions=TWO_WAYS)


# --- control flow ----------------------------------------------------------------------------


def test_return_inside_prange(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        for i in hl.prange(a.shape[0]):
            if a[i] > 0:
                return i  # ERR
        return -1

    compile_error(f, np.zeros(4), mentions=["return inside a prange"], caret_at="return")


def test_return_in_inner_loop_of_prange(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        for i in hl.prange(a.shape[0]):
            for j in range(a.shape[1]):
                if a[i, j] > 0:
                    return j  # ERR
        return -1

    compile_error(f, np.zeros((2, 2)), mentions=["return inside a prange"])


def test_break_directly_in_prange(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        for i in hl.prange(a.shape[0]):
            if a[i] > 0:
                break  # ERR
            a[i] = 1.0
        return a

    compile_error(f, np.zeros(4), mentions=["break"], caret_at="break")


# --- whole shared arrays ------------------------------------------------------------------


def test_whole_array_multiplied_by_every_iteration(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        acc = np.ones(a.shape[1])
        for i in hl.prange(a.shape[0]):
            acc *= a[i]  # ERR
        return acc

    err = compile_error(f, np.ones((3, 2)), mentions=WHOLE)
    assert "'acc'" in str(err), str(err)


def test_whole_array_doubled_by_every_iteration(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        acc = np.ones(a.shape[1])
        for i in hl.prange(a.shape[0]):
            acc += acc  # ERR
        return acc

    compile_error(f, np.ones((3, 2)), mentions=WHOLE + ELSEWHERE)


def test_whole_array_slice_assigned_by_every_iteration(compile_error):
    @hl.jit(parallel=True)
    def f(a, acc):
        for i in hl.prange(a.shape[0]):
            acc[:] = a[i]  # ERR
        return acc

    compile_error(f, np.ones((3, 2)), np.zeros(2), mentions=WHOLE)


def test_whole_array_slice_accumulated_by_every_iteration(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        acc = np.zeros(a.shape[1])
        for i in hl.prange(a.shape[0]):
            acc[:] += a[i]  # ERR
        return acc

    # Either is acceptable: a CompileError here, or (if it becomes an array reduction)
    # the right total; the bug is the silent race.
    a = np.ones((200_000, 4))
    try:
        f(a)
    except hl.CompileError:
        compile_error(f, a, mentions=WHOLE)
        return
    expected = f.py_func(a)
    for _ in range(20):  # a race: check several calls
        np.testing.assert_array_equal(f(a), expected)


def test_array_reduction_used_elsewhere(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        acc = np.zeros(a.shape[1])
        s = 0.0
        for i in hl.prange(a.shape[0]):
            acc += a[i]
            s += acc[0]  # ERR
        return acc, s

    err = compile_error(f, np.ones((3, 2)), mentions=["also used elsewhere"])
    assert "'acc'" in str(err), str(err)


def test_array_reduction_stored_into_elsewhere(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        acc = np.zeros(a.shape[1])
        for i in hl.prange(a.shape[0]):
            acc += a[i]
            acc[0] = 1.0  # ERR
        return acc

    compile_error(f, np.ones((3, 2)), mentions=["also used elsewhere"])


def test_array_reduction_reads_itself_in_its_update(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        acc = np.ones(a.shape[1])
        for i in hl.prange(a.shape[0]):
            acc += a[i] * acc[1]  # ERR
        return acc

    compile_error(f, np.ones((3, 2)), mentions=["also used elsewhere", "writes the whole array"])


# --- look-alikes that compile ----------------------------------------------------------------


def test_prange_without_parallel_is_range_even_with_carried_variable():
    @hl.jit
    def f(a):
        t = 0.0
        for i in hl.prange(a.shape[0]):
            a[i] = t
            t = a[i] + 1.0
        return a, t, i

    a = np.zeros(1000)
    got = f(a.copy())
    exp = f.py_func(a.copy())
    np.testing.assert_array_equal(got[0], exp[0])
    assert got[1:] == exp[1:]
    assert "prange(" not in f.inspect_ir(f.signatures[0])


def test_prange_with_parallel_false_allows_return_and_break():
    @hl.jit(parallel=False)
    def first_positive(a):
        for i in hl.prange(a.shape[0]):
            if a[i] > 0:
                return i
        return -1

    @hl.jit(parallel=False)
    def count_until_negative(a):
        c = 0
        for i in hl.prange(a.shape[0]):
            if a[i] < 0:
                break
            c += 1
        return c

    a = np.array([0.0, 0.0, 3.0, -1.0, 5.0])
    assert first_positive(a) == first_positive.py_func(a) == 2
    assert count_until_negative(a) == count_until_negative.py_func(a) == 3


def test_break_in_inner_range_loop_is_fine():
    @hl.jit(parallel=True)
    def f(a):
        for i in hl.prange(a.shape[0]):
            for j in range(a.shape[1]):
                if a[i, j] > 0:
                    break
                a[i, j] = -1.0
        return a

    a = np.zeros((50, 6))
    a[::3, 2] = 1.0
    np.testing.assert_array_equal(f(a.copy()), f.py_func(a.copy()))


def test_add_and_subtract_on_one_variable_is_one_reduction():
    @hl.jit(parallel=True)
    def f(a):
        s = 0
        for i in hl.prange(a.shape[0]):
            s += a[i]
            s -= 2 * a[i]
            s = s + 1
        return s

    a = np.arange(-500, 700)
    assert f(a) == f.py_func(a)


def test_carried_variable_of_inner_loop_and_nested_prange_are_fine():
    @hl.jit(parallel=True)
    def f(a, out):
        for i in hl.prange(a.shape[0]):
            t = 0.0
            for j in hl.prange(a.shape[1]):  # nested: serial, so t may be carried here
                t = t * 0.5 + a[i, j]
            out[i] = t
        return out

    a = np.random.default_rng(1).standard_normal((40, 7))
    np.testing.assert_array_equal(f(a, np.zeros(40)), f.py_func(a, np.zeros(40)))


def test_private_variable_assigned_before_read_is_fine():
    @hl.jit(parallel=True)
    def f(a):
        t = 0.0
        for i in hl.prange(a.shape[0]):
            t = a[i] * 2.0
            if t > 3.0:
                t = 3.0
            a[i] = t
        return a, t

    a = np.arange(10.0)
    got, exp = f(a.copy()), f.py_func(a.copy())
    np.testing.assert_array_equal(got[0], exp[0])
    assert got[1] == exp[1]


def test_array_reduction_is_accepted():
    @hl.jit(parallel=True)
    def f(a):
        acc = np.zeros(a.shape[1])
        for i in hl.prange(a.shape[0]):
            acc += a[i]
            acc -= a[i] * 0.5
        return acc

    a = np.ones((20_000, 3))
    np.testing.assert_array_equal(f(a), f.py_func(a))


def test_reduction_read_after_the_loop_is_fine():
    @hl.jit(parallel=True)
    def f(a):
        s = 0
        for i in hl.prange(a.shape[0]):
            s += a[i]
        for i in hl.prange(a.shape[0]):
            a[i] = a[i] * s
        return a, s

    a = np.arange(10)
    got, exp = f(a.copy()), f.py_func(a.copy())
    np.testing.assert_array_equal(got[0], exp[0])
    assert got[1] == exp[1]
