"""print() in compiled code writes what CPython writes for the same function: numbers
(Python's and NumPy's, each as its own type prints), arrays of any layout, string
literals, sep= and end=, in order with the Python prints around the call."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import FEW, PYTHON_ONLY, elements_for, hl, shaped

pytestmark = pytest.mark.skipif(PYTHON_ONLY, reason="compares compiled output with Python's")
# capsys is read before and after each call, so one fixture serves every example
CAPTURED = settings(FEW, suppress_health_check=[*FEW.suppress_health_check,
                                                HealthCheck.function_scoped_fixture])


def printed(capsys, fn, *args):
    capsys.readouterr()
    result = fn(*args)
    return capsys.readouterr().out, result


def same_output(capsys, fn, *args):
    want, want_result = printed(capsys, fn.py_func, *args)
    got, got_result = printed(capsys, fn, *args)
    assert got == want
    return got


@hl.jit
def numbers(a, x, n, flag):
    print("first", a[0], "x =", x, n, flag, -a[0] / 3)
    print(x * 1e16, n // 3, 1 + 2j, a[0] == a[1], sep=", ", end=";\n")
    print()
    print(a[0], sep="")


@CAPTURED
@given(st.sampled_from([np.int32, np.int64, np.float32, np.float64, np.complex128, np.bool_]),
       st.floats(-1e6, 1e6), st.integers(-10**6, 10**6), st.booleans(), st.data())
def test_numbers(capsys, dtype, x, n, flag, data):
    kind = np.dtype(dtype).kind
    elements = (st.booleans() if kind == "b" else st.integers(-1000, 1000) if kind in "iu"
                else st.builds(complex, st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)) if kind == "c"
                else elements_for(dtype))
    a = data.draw(shaped(dtype, (2,), elements=elements))
    if kind == "b" or kind in "iu" and a[0] == 0:
        a = a.astype(np.float64) + 1  # no ZeroDivisionError in both
    same_output(capsys, numbers, a, x, n, flag)


@hl.jit
def arrays(a):
    print(a)
    print(a * 2, a.T, a[::-1])
    b = np.zeros((2, 3), dtype=np.int32)
    print("made here:", b, end="")
    print()


@CAPTURED
@given(st.sampled_from([np.int64, np.float32, np.float64]), st.data())
def test_arrays(capsys, dtype, data):
    shape = data.draw(st.tuples(st.integers(0, 4), st.integers(0, 4)))
    a = data.draw(shaped(dtype, shape, elements=st.integers(-100, 100)))
    same_output(capsys, arrays, a)


@hl.jit
def in_a_loop(n):
    total = 0
    for i in range(n):
        total += i
        print("step", i, "total", total)
    return total


def test_in_a_loop_and_in_order(capsys):
    capsys.readouterr()
    print("before")
    in_a_loop(3)
    print("after")
    assert capsys.readouterr().out == "before\nstep 0 total 0\nstep 1 total 1\nstep 2 total 3\nafter\n"


@hl.jit(nogil=True)
def without_the_gil(x):
    print("nogil", x)
    return x + 1


@hl.jit(parallel=True)
def parallel_function_serial_loop(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    print("sum", s)
    return s


def test_nogil_and_parallel_functions(capsys):
    assert same_output(capsys, without_the_gil, 2.5) == "nogil 2.5\n"
    same_output(capsys, parallel_function_serial_loop, np.arange(5.0))


@hl.jit
def show(x):
    print("value", x)
    return x * 2


@hl.jit(parallel=True)
def prints_from_a_callee(a):
    for i in hl.prange(a.shape[0]):
        a[i] = show(a[i])
    return a


def test_print_from_code_running_on_the_thread_pool(capsys):
    """A callee that prints, called from a prange loop running on several threads: the
    caller lets go of the GIL around the parallel region, so the workers can print (in no
    particular order) instead of waiting for it forever."""
    hl._core._set_min_chunk_work(1)
    try:
        capsys.readouterr()
        a = prints_from_a_callee(np.arange(200.0))
    finally:
        hl._core._set_min_chunk_work(0)
    np.testing.assert_array_equal(a, np.arange(200.0) * 2)
    lines = capsys.readouterr().out.splitlines()
    assert sorted(lines) == sorted(f"value {float(i)}" for i in range(200))


@hl.guvectorize(["void(float64[:], float64[:])"], "(n)->(n)")
def gufunc_prints(x, out):
    print(x)
    for i in range(x.shape[0]):
        out[i] = x[i]


def test_print_in_a_gufunc_kernel(capsys):
    capsys.readouterr()
    gufunc_prints(np.arange(3.0))
    assert capsys.readouterr().out == "[0. 1. 2.]\n"
