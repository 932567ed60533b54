"""Statements and expressions outside hotloop's supported subset give a CompileError.

Each test decorates a small function with ``@hl.jit``; the offending line carries a
``# ERR`` marker (see conftest.py).  Compilation is lazy, so the error comes at the
first call, never at decoration.
"""

import math  # noqa: F401  (used inside jitted functions)

import numpy as np
import pytest

hl = pytest.importorskip("hotloop")

COUNTER = 0


def test_try_except(compile_error):
    @hl.jit
    def f(x):
        try:  # ERR
            y = 1.0 / x
        except ZeroDivisionError:
            y = 0.0
        return y

    compile_error(f, 2.0, mentions=["try", "except", "exception"])


def test_with_statement(compile_error):
    @hl.jit
    def f(x):
        with np.errstate(all="ignore"):  # ERR
            y = x / 0.0
        return y

    compile_error(f, 2.0, mentions=["with", "context", "errstate"])


def test_class_definition_inside(compile_error):
    @hl.jit
    def f(x):
        class Point:  # ERR
            pass

        return x

    compile_error(f, 1.0, mentions=["class"])


def test_nested_def(compile_error):
    @hl.jit
    def f(x):
        def inner(y):  # ERR
            return y * 2.0

        return inner(x)

    compile_error(f, 1.0, mentions=["def", "nested", "inner", "function"])


def test_lambda_inside(compile_error):
    @hl.jit
    def f(x):
        g = lambda y: y + 1.0  # ERR  # noqa: E731
        return g(x)

    compile_error(f, 1.0, mentions=["lambda"], caret_at="lambda")


def test_list_comprehension(compile_error):
    @hl.jit
    def f(x):
        s = [i * x for i in range(3)]  # ERR
        return s[0]

    compile_error(f, 1.0, mentions=["comprehension", "list"])


def test_dict_comprehension(compile_error):
    @hl.jit
    def f(x):
        d = {i: x for i in range(3)}  # ERR
        return d[0]

    compile_error(f, 1.0, mentions=["comprehension", "dict"])


def test_dict_literal(compile_error):
    @hl.jit
    def f(x):
        d = {1: x}  # ERR
        return d[1]

    compile_error(f, 1.0, mentions=["dict"])


def test_set_literal(compile_error):
    @hl.jit
    def f(x):
        s = {x, 1.0}  # ERR
        return len(s)

    compile_error(f, 1.0, mentions=["set"])


def test_list_literal(compile_error):
    @hl.jit
    def f(x):
        lst = [x, 2.0]  # ERR
        return lst[0]

    compile_error(f, 1.0, mentions=["list"])


def test_generator_expression(compile_error):
    @hl.jit
    def f(x):
        return sum(i * x for i in range(3))  # ERR

    compile_error(f, 1.0, mentions=["generator", "sum"])


def test_yield(compile_error):
    @hl.jit
    def f(x):
        yield x  # ERR

    compile_error(f, 1.0, mentions=["yield", "generator"])


def test_global_statement(compile_error):
    @hl.jit
    def f(x):
        global COUNTER  # ERR
        COUNTER = 1
        return x

    compile_error(f, 1.0, mentions=["global"])


def test_nonlocal_statement(compile_error):
    count = 0

    @hl.jit
    def f(x):
        nonlocal count  # ERR
        count = 1
        return x

    compile_error(f, 1.0, mentions=["nonlocal"])
    assert count == 0


def test_del_statement(compile_error):
    @hl.jit
    def f(x):
        y = x + 1.0
        del y  # ERR
        return x

    compile_error(f, 1.0, mentions=["del"], caret_at="del")


def test_import_inside(compile_error):
    @hl.jit
    def f(x):
        import os  # ERR

        return x + len(os.sep)

    compile_error(f, 1.0, mentions=["import"])


def test_fstring(compile_error):
    @hl.jit
    def f(x):
        s = f"value {x}"  # ERR
        return len(s)

    compile_error(f, 1.0, mentions=["f-string", "string", "str", "format"])


def test_for_else(compile_error):
    # Python records no position for the `else` keyword, so the `for`, the `else:` and
    # the first statement of the else block are all accepted.
    @hl.jit
    def f(n):
        s = 0
        for i in range(n):  # ERR
            s += i
        else:  # ERR
            s = -1  # ERR
        return s

    compile_error(f, 3, mentions=["else"])


def test_while_else(compile_error):
    @hl.jit
    def f(n):
        i = 0
        while i < n:  # ERR
            i += 1
        else:  # ERR
            i = -1  # ERR
        return i

    compile_error(f, 3, mentions=["else"])


def test_star_args_call(compile_error):
    @hl.jit
    def f(x, y):
        t = (x, y)
        return math.atan2(*t)  # ERR

    compile_error(f, 1.0, 2.0, mentions=["*", "star", "unpack", "argument"])


def test_star_args_parameter(compile_error):
    @hl.jit
    def f(*args):  # ERR
        return args[0]

    compile_error(f, 1.0, 2.0, mentions=["*args", "variadic", "star", "args"])


def test_kwargs_parameter(compile_error):
    @hl.jit
    def f(x, **kwargs):  # ERR
        return x

    compile_error(f, 1.0, mentions=["**kwargs", "keyword", "kwargs"])


def test_attribute_assignment(compile_error):
    @hl.jit
    def f(a):
        a.shape = 3  # ERR
        return a[0]

    compile_error(f, np.zeros(3), mentions=["shape", "attribute", "assign"])


def test_walrus(compile_error):
    @hl.jit
    def f(x):
        if (y := x * 2.0) > 1.0:  # ERR
            return y
        return x

    compile_error(f, 1.0, mentions=[":=", "walrus", "assignment expression", "namedexpr"])


def test_is_operator_on_numbers(compile_error):
    @hl.jit
    def f(x, y):
        if x is y:  # ERR
            return 1.0
        return 0.0

    compile_error(f, 1.0, 2.0, mentions=["is", "=="])


def test_in_operator(compile_error):
    @hl.jit
    def f(a):
        if 3.0 in a:  # ERR
            return 1
        return 0

    compile_error(f, np.arange(5.0), mentions=["in", "contains"])


def test_matmul_operator(compile_error):
    @hl.jit
    def f(a, b):
        return a @ b  # ERR

    compile_error(f, np.ones(3), np.ones(3), mentions=["@", "matmul", "matrix"])
