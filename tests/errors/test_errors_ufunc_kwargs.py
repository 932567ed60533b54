"""NumPy ufuncs called by name with keyword arguments compiled code does not take: dtype=,
where=, subok=, and out= inside an expression. Each is a CompileError naming the
keyword and what to write instead."""

import numpy as np
import pytest

hl = pytest.importorskip("hotloop")


def test_dtype_kwarg(compile_error):
    @hl.jit
    def f(a, b):
        return np.add(a, b, dtype=np.float32)  # ERR

    compile_error(f, np.ones(3), np.ones(3), mentions=["np.add()", "'dtype'", "astype"])


def test_dtype_kwarg_of_a_math_ufunc(compile_error):
    @hl.jit
    def f(a):
        return np.sqrt(a, dtype=np.float32)  # ERR

    compile_error(f, np.ones(3), mentions=["np.sqrt()", "'dtype'", "astype"])


def test_where_kwarg(compile_error):
    @hl.jit
    def f(a, b, m):
        return np.multiply(a, b, where=m)  # ERR

    compile_error(f, np.ones(3), np.ones(3), np.ones(3, dtype=bool),
                  mentions=["np.multiply()", "'where'", "np.where(mask"])


def test_subok_kwarg(compile_error):
    @hl.jit
    def f(a, b):
        return np.power(a, b, subok=False)  # ERR

    compile_error(f, np.ones(3), 2.0, mentions=["np.power()", "'subok'"])


def test_out_inside_an_expression(compile_error):
    @hl.jit
    def f(a, b, c):
        return np.subtract(a, b, out=c) * 2  # ERR

    compile_error(f, np.ones(3), np.ones(3), np.ones(3),
                  mentions=["np.subtract()", "'out'", "c[...] = np.subtract(...)"])


def test_out_by_position(compile_error):
    @hl.jit
    def f(a, b, c):
        np.add(a, b, c)  # ERR
        return c

    compile_error(f, np.ones(3), np.ones(3), np.ones(3), mentions=["np.add()", "out="])


def test_out_into_a_narrower_kind(compile_error):
    @hl.jit
    def f(a, b, c):
        np.divide(a, b, out=c)  # ERR
        return c

    compile_error(f, np.ones(3), np.ones(3), np.ones(3, dtype=np.int64), mentions=["same_kind"])


def test_bitwise_of_floats(compile_error):
    @hl.jit
    def f(a, b):
        return np.bitwise_and(a, b)  # ERR

    compile_error(f, np.ones(3), np.ones(3), mentions=["integer or bool"])


def test_misspelled_ufunc_names_the_nearest(compile_error):
    @hl.jit
    def f(a, b):
        return np.substract(a, b)  # ERR

    compile_error(f, np.ones(3), np.ones(3), mentions=["np.subtract()"])
