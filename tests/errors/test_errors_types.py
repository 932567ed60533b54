"""Type errors found by inference for one argument signature: bad operands, bad indexing,
bad attributes, conflicting types, bad calls to math/numpy functions, writes to
read-only arrays.  Each is a CompileError at the first call, naming the offending line.
"""

import math  # noqa: F401  (used inside jitted functions)

import numpy as np
import pytest

hl = pytest.importorskip("hotloop")


@hl.jit
def jit_add_one(x):
    return x + 1.0


def test_string_literal_in_arithmetic(compile_error):
    @hl.jit
    def f(x):
        return x + "abc"  # ERR

    compile_error(f, 1.0, mentions=["str", "string", "+"])


def test_attribute_on_scalar(compile_error):
    @hl.jit
    def f(x):
        return x.foo  # ERR

    compile_error(f, 1.0, mentions=["foo"], caret_at="x.foo")


def test_unknown_attribute_on_array(compile_error):
    @hl.jit
    def f(a):
        return a.foo  # ERR

    compile_error(f, np.zeros(3), mentions=["foo"], caret_at="a.foo")


def test_index_a_scalar(compile_error):
    @hl.jit
    def f(x):
        return x[0]  # ERR

    compile_error(f, 1.0, mentions=["index", "subscript", "scalar", "float"])


def test_too_many_indices(compile_error):
    @hl.jit
    def f(a):
        return a[0, 0]  # ERR

    compile_error(f, np.zeros(3), mentions=["ind", "dimension", "ndim", "1-d", "1d"])


def test_float_index(compile_error):
    @hl.jit
    def f(a, x):
        return a[x]  # ERR

    compile_error(f, np.zeros(3), 1.0, mentions=["index", "float", "integer"])


def test_float_literal_index(compile_error):
    @hl.jit
    def f(a):
        return a[1.5]  # ERR

    compile_error(f, np.zeros(3), mentions=["index", "float", "integer"])


def test_variable_array_in_one_branch_scalar_in_other(compile_error):
    # Where the conflict is reported (either assignment, or the join at the use) is up
    # to the compiler: all three lines are accepted.
    @hl.jit
    def f(a, n):
        if n > 0:
            y = a  # ERR
        else:
            y = 1.0  # ERR
        return y  # ERR

    compile_error(f, np.zeros(3), 1, mentions=["y", "type", "unify"])


def test_return_array_in_one_branch_scalar_in_other(compile_error):
    @hl.jit
    def f(a, n):
        if n > 0:
            return a  # ERR
        return 1.0  # ERR

    compile_error(f, np.zeros(3), 1, mentions=["return", "type", "unify"])


def test_math_sqrt_wrong_arg_count(compile_error):
    @hl.jit
    def f(x, y):
        return math.sqrt(x, y)  # ERR

    compile_error(f, 1.0, 2.0, mentions=["sqrt", "argument"])


def test_math_sqrt_keyword_argument(compile_error):
    @hl.jit
    def f(x):
        return math.sqrt(x=1.0)  # ERR

    compile_error(f, 1.0, mentions=["sqrt", "keyword"])


def test_for_over_scalar(compile_error):
    @hl.jit
    def f(x):
        s = 0.0
        for v in x:  # ERR
            s += v
        return s

    compile_error(f, 3.0, mentions=["iter", "for", "float", "scalar"])


def test_range_with_float_argument(compile_error):
    @hl.jit
    def f(x):
        s = 0
        for i in range(x):  # ERR
            s += i
        return s

    compile_error(f, 3.0, mentions=["range", "float", "integer"])


def test_np_empty_float_shape(compile_error):
    @hl.jit
    def f(x):
        return np.empty(x)  # ERR

    compile_error(f, 3.0, mentions=["empty", "shape", "float", "integer"])


def test_np_zeros_float_in_shape_tuple(compile_error):
    @hl.jit
    def f(n, x):
        return np.zeros((n, x))  # ERR

    compile_error(f, 2, 3.0, mentions=["zeros", "shape", "float", "integer"])


def test_write_to_readonly_array(compile_error):
    # The writeable flag is part of the compiled signature, so this is a compile error.
    @hl.jit
    def f(a):
        a[0] = 1.0  # ERR
        return a[0]

    a = np.zeros(3)
    a.flags.writeable = False
    compile_error(f, a, mentions=["read-only", "readonly", "writeable", "writable"])
    assert a[0] == 0.0


def test_store_array_into_element(compile_error):
    @hl.jit
    def f(a, b):
        a[0] = b  # ERR
        return a[0]

    compile_error(f, np.zeros(3), np.ones(3), mentions=["array", "scalar", "element", "store"])


def test_tuple_unpack_count_mismatch(compile_error):
    @hl.jit
    def f(x):
        p, q = (x, x, x)  # ERR
        return p + q

    compile_error(f, 1.0, mentions=["unpack", "tuple", "2", "3"])


def test_jit_callee_wrong_arg_count(compile_error):
    @hl.jit
    def f(x):
        return jit_add_one(x, x)  # ERR

    compile_error(f, 1.0, mentions=["jit_add_one", "argument"])


def test_math_function_of_complex_names_cmath(compile_error):
    @hl.jit
    def f(z):
        return math.sqrt(z)  # ERR

    compile_error(f, 1j, mentions=["complex", "cmath.sqrt", "np.sqrt"])


def test_numpy_function_without_complex_loop(compile_error):
    @hl.jit
    def f(z):
        return np.cbrt(z)  # ERR

    compile_error(f, np.complex128(1j), mentions=["np.cbrt", "complex"])


def test_python_round_of_complex(compile_error):
    @hl.jit
    def f(z):
        return round(z)  # ERR

    compile_error(f, 1j, mentions=["round", "complex", "np.round"])
