"""@hl.stencil misuse: kernels the stencil cannot apply are a CompileError at the first call
naming the kernel's line (``# ERR``); bad decorator options are Python's TypeError /
ValueError at decoration; mismatched shapes are a ValueError at run time."""

import functools

import numpy as np
import pytest

hl = pytest.importorskip("hotloop")


def test_relative_index_not_a_constant(compile_error):
    @hl.stencil
    def k(a, j):
        return a[j] + a[0]  # ERR

    compile_error(k, np.ones(5), 1, mentions=["not a constant", "neighborhood"])


def test_wrong_number_of_relative_indices(compile_error):
    @hl.stencil
    def k(u):
        return u[1] - u[0, 0]  # ERR

    compile_error(k, np.ones((3, 3)), mentions=["2 relative indexes", "one per dimension"])


def test_slice_of_a_stencil_array(compile_error):
    @hl.stencil
    def k(u):
        return u[-1:1].sum()  # ERR

    compile_error(k, np.ones(4), mentions=["slices", "standard_indexing"])


def test_writing_the_input(compile_error):
    @hl.stencil
    def k(u):
        u[0] = 1.0  # ERR
        return u[1]

    compile_error(k, np.ones(4), mentions=["cannot write to its input"])


def test_return_inside_a_loop(compile_error):
    @hl.stencil(neighborhood=((-1, 1),))
    def k(u):
        for i in range(-1, 2):
            if u[i] > 0:
                return u[i]  # ERR
        return u[0]

    compile_error(k, np.ones(4), mentions=["return inside a loop"])


def test_kernel_returning_an_array(compile_error):
    @hl.stencil(standard_indexing=("w",))
    def k(u, w):
        return u[0] * w  # ERR

    compile_error(k, np.ones(4), np.ones(4), mentions=["must return a number"])


def test_no_array_to_apply_to(compile_error):
    @hl.stencil
    def k(x):
        return x * 2  # ERR

    compile_error(k, 3.0, mentions=["must index an array"])


def test_neighborhood_of_the_wrong_rank(compile_error):
    @hl.stencil(neighborhood=((-1, 1),))
    def k(u):
        return u[0, 1]  # ERR

    compile_error(k, np.ones((3, 3)), mentions=["neighborhood"])


def test_out_of_another_rank(compile_error):
    @hl.stencil
    def k(u):
        return u[1] - u[-1]  # ERR

    compile_error(functools.partial(k, out=np.ones((4, 1))), np.ones(4), where=k,
                  mentions=["out= must be an array"])


def test_bad_options():
    def k(a):
        return a[0]

    with pytest.raises(ValueError, match="mode"):
        hl.stencil(mode="reflect")(k)
    with pytest.raises(TypeError, match="cval"):
        hl.stencil(cval="zero")(k)
    with pytest.raises(TypeError, match="cval"):
        hl.stencil(mode="wrap", cval=1.0)(k)
    with pytest.raises(TypeError, match="neighborhood"):
        hl.stencil(neighborhood=(-1, 1))(k)
    with pytest.raises(ValueError, match="lowest, highest"):
        hl.stencil(neighborhood=((1, -1),))(k)
    with pytest.raises(ValueError, match="not a parameter"):
        hl.stencil(standard_indexing=("w",))(k)
    with pytest.raises(TypeError, match="unknown stencil option"):
        hl.stencil(bogus=1)(k)

    def has_out(a, out):
        return a[0]

    with pytest.raises(ValueError, match="'out'"):
        hl.stencil(has_out)


def test_shape_mismatches_are_value_errors():
    @hl.stencil
    def k(a, b):
        return a[1] - b[-1]

    with pytest.raises(ValueError, match="different shapes"):
        k(np.ones(4), np.ones(5))
    with pytest.raises(ValueError, match="another shape"):
        k(np.ones(4), np.ones(4), out=np.ones(3))


def test_kernel_ending_without_a_value_is_a_runtime_error():
    @hl.stencil
    def k(a):
        if a[0] > 0:
            return a[1]

    np.testing.assert_array_equal(k(np.ones(3)), [1.0, 1.0, 0.0])
    with pytest.raises(RuntimeError, match="ended without returning a value"):
        k(np.array([1.0, -1.0, 2.0]))  # Python's kernel returns None at the second point


def test_another_name_for_a_stencil_array(compile_error):
    @hl.stencil
    def k(a):
        b = a  # ERR
        return b[-1] + b[1]

    compile_error(k, np.ones(4), mentions=["another name"])


def test_offset_outside_the_neighborhood(compile_error):
    @hl.stencil(neighborhood=((-1, 1),))
    def k(a):
        return a[-2] + a[1]  # ERR

    compile_error(k, np.ones(6), mentions=["outside neighborhood"])


def test_assigning_a_stencil_array(compile_error):
    @hl.stencil
    def k(a):
        a = a * 2
        return a[0]  # ERR

    compile_error(k, np.ones(4), mentions=["assigns to its input"])


def test_decorator_forms_and_cval_range():
    def k(a):
        return a[-1] + a[1]

    np.testing.assert_array_equal(hl.stencil(k, mode="wrap")(np.arange(3.0)), [3.0, 2.0, 1.0])
    np.testing.assert_array_equal(hl.stencil("constant", cval=np.float32(5))(k)(np.arange(3.0)), [5.0, 2.0, 5.0])
    with pytest.raises(TypeError, match="cval"):
        hl.stencil(cval=2**64)(k)
