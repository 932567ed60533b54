"""Name resolution errors: unknown globals, unbound locals, calls to things that are not
compilable (non-jit Python functions, unsupported builtins, unsupported numpy/math
functions).  The error must name the offending line and the offending name.
"""

import math  # noqa: F401  (used inside jitted functions)

import numpy as np
import pytest

hl = pytest.importorskip("hotloop")


def plain_python_helper(x):
    """An ordinary, undecorated module-level function: not callable from compiled code."""
    return x * 2.0


def test_unknown_global_name(compile_error):
    @hl.jit
    def f(x):
        return x + undefined_name_qq  # ERR  # noqa: F821

    compile_error(f, 1.0, mentions=["undefined_name_qq"], caret_at="undefined_name_qq")


def test_unknown_name_after_docstring_comments_and_multiline_decorator(compile_error):
    # The line must be absolute in the file, not relative to the function or to the
    # `def` line, whatever lies between the decorator and the offending statement.
    @hl.jit(
        boundscheck=False,
    )
    def f(x):
        """A docstring
        spanning lines.
        """
        # a comment

        y = x * 2.0
        return y + not_defined_anywhere_zz  # ERR  # noqa: F821

    compile_error(f, 1.0, mentions=["not_defined_anywhere_zz"],
                  caret_at="not_defined_anywhere_zz")


def test_unknown_name_on_continuation_line(compile_error):
    # The name sits on the second physical line of the statement: that is the line.
    @hl.jit
    def f(x):
        return (x
                + missing_name_on_line_two)  # ERR  # noqa: F821

    compile_error(f, 1.0, mentions=["missing_name_on_line_two"],
                  caret_at="missing_name_on_line_two")


def test_unknown_name_in_jitted_lambda(compile_error):
    f = hl.jit(lambda x: x + undefined_in_lambda_qq)  # ERR  # noqa: F821
    compile_error(f, 1.0, mentions=["undefined_in_lambda_qq"])


def test_local_read_before_assignment(compile_error):
    # `later` is a local (it is assigned below), read before any assignment reaches it:
    # Python raises UnboundLocalError; the compiler cannot type the read.
    @hl.jit
    def f(x):
        z = later + x  # ERR
        later = 1.0
        return z + later

    compile_error(f, 1.0, mentions=["later"], caret_at="later")


def test_call_plain_python_function(compile_error):
    @hl.jit
    def f(x):
        return plain_python_helper(x)  # ERR

    compile_error(f, 1.0, mentions=["plain_python_helper"], caret_at="plain_python_helper")


def test_builtin_open(compile_error):
    @hl.jit
    def f(x):
        fh = open("/dev/null")  # ERR
        return x

    compile_error(f, 1.0, mentions=["open"])


def test_builtin_sorted(compile_error):
    @hl.jit
    def f(a):
        b = sorted(a)  # ERR
        return b[0]

    compile_error(f, np.arange(3.0), mentions=["sorted"])


def test_builtin_input(compile_error):
    @hl.jit
    def f(x):
        s = input()  # ERR
        return x

    compile_error(f, 1.0, mentions=["input"])


def test_numpy_fft(compile_error):
    @hl.jit
    def f(a):
        b = np.fft.fft(a)  # ERR
        return a[0]

    compile_error(f, np.arange(4.0), mentions=["fft"])


def test_numpy_linalg_inv(compile_error):
    @hl.jit
    def f(m):
        b = np.linalg.inv(m)  # ERR
        return b[0, 0]

    compile_error(f, np.eye(2), mentions=["inv", "linalg"])


def test_numpy_unknown_attribute(compile_error):
    @hl.jit
    def f(x):
        return np.no_such_function_qq(x)  # ERR

    compile_error(f, 1.0, mentions=["no_such_function_qq"])


def test_math_unknown_attribute(compile_error):
    @hl.jit
    def f(x):
        return math.no_such_function_qq(x)  # ERR

    compile_error(f, 1.0, mentions=["no_such_function_qq"])
