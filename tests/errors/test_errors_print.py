"""print() in compiled code: what it cannot print is a CompileError naming the line."""

import numpy as np
import pytest

hl = pytest.importorskip("hotloop")


def test_print_to_a_file(compile_error):
    @hl.jit
    def f(x):
        print(x, file=None)  # ERR
        return x

    compile_error(f, 1.0, mentions=["file="])


def test_print_starred(compile_error):
    @hl.jit
    def f(t):
        print(*t)  # ERR
        return 0

    compile_error(f, (1, 2), mentions=["*args"])


def test_print_a_tuple(compile_error):
    @hl.jit
    def f(a, b):
        print((a, b))  # ERR
        return a

    compile_error(f, 1.0, 2.0, mentions=["tuple"])


def test_sep_not_a_literal(compile_error):
    @hl.jit
    def f(x, s):
        print(x, x, sep=s)  # ERR
        return x

    compile_error(f, 1.0, 2.0, mentions=["string literal"])


def test_print_inside_a_prange_loop(compile_error):
    @hl.jit(parallel=True)
    def f(a):
        for i in hl.prange(a.shape[0]):
            print(a[i])  # ERR
        return a

    compile_error(f, np.ones(3), mentions=["print inside a prange loop"])


def test_prange_without_parallel_prints(capsys):
    @hl.jit
    def f(a):
        for i in hl.prange(a.shape[0]):
            print(a[i])
        return a

    f(np.arange(2.0))
    assert capsys.readouterr().out == "0.0\n1.0\n"
