"""Array misuse: indexing, in-place casting, read-only writes, NumPy calls with bad arguments,
unknown NumPy names, truth values of arrays.  Each is a CompileError at the first call,
naming the offending line (``# ERR``).

The last section is the other kind: mistakes that only the data reveals (shapes, sizes,
indices) compile fine and raise the Python exception NumPy raises -- never a CompileError.
"""

import math  # noqa: F401  (used inside jitted functions)

import numpy as np
import pytest

hl = pytest.importorskip("hotloop")


def _readonly(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


# --- indexing --------------------------------------------------------------------------------


def test_too_many_indices_for_2d_array(compile_error):
    @hl.jit
    def f(a):
        return a[0, 1, 2]  # ERR

    compile_error(f, np.zeros((3, 4)), mentions=["too many indices", "dimension"],
                  caret_at="a[0, 1, 2]")


def test_too_many_indices_in_store(compile_error):
    @hl.jit
    def f(a):
        for i in range(a.shape[0]):
            a[i, 0] = 1.0  # ERR
        return a

    compile_error(f, np.zeros(3), mentions=["too many indices", "dimension"])


def test_float_index_from_true_division(compile_error):
    @hl.jit
    def f(a):
        mid = len(a) / 2
        return a[mid]  # ERR

    compile_error(f, np.zeros(4), mentions=["integer", "index"], caret_at="mid]")


def test_float_index_hint_is_about_floats(compile_error):
    @hl.jit
    def f(a, x):
        return a[x]  # ERR

    err = compile_error(f, np.zeros(3), 1.0, mentions=["float"])
    assert "fancy" not in str(err).lower(), str(err)


def test_fancy_indexing_with_integer_array(compile_error):
    @hl.jit
    def f(a, idx):
        return a[idx]  # ERR

    compile_error(f, np.arange(5.0), np.array([0, 2]),
                  mentions=["fancy", "int64[", "indices must be"], caret_at="idx]")


def test_fancy_index_store(compile_error):
    @hl.jit
    def f(a, idx):
        a[idx] = 0.0  # ERR
        return a

    compile_error(f, np.arange(5.0), np.array([0, 2]), mentions=["fancy", "indices must be"])


def test_boolean_mask_indexing(compile_error):
    @hl.jit
    def f(a):
        return a[a > 0]  # ERR

    compile_error(f, np.array([-1.0, 2.0, 3.0]), mentions=["fancy", "bool"],
                  caret_at="a > 0]")


def test_boolean_mask_store(compile_error):
    @hl.jit
    def f(a):
        a[a < 0] = 0.0  # ERR
        return a

    compile_error(f, np.array([-1.0, 2.0]), mentions=["fancy", "bool"])


# --- stores that NumPy refuses ---------------------------------------------------------------


def test_inplace_add_float_to_int_array(compile_error):
    @hl.jit
    def f(a):
        a += 1.5  # ERR
        return a

    compile_error(f, np.arange(3), mentions=["same_kind", "cast"])


def test_assign_float_array_to_int_slice(compile_error):
    @hl.jit
    def f(a, b):
        a[:] = b  # ERR
        return a

    compile_error(f, np.arange(3), np.ones(3), mentions=["same_kind", "cast"])


def test_inplace_multiply_int_array_by_float_array(compile_error):
    @hl.jit
    def f(a, b):
        a[1:] *= b[1:]  # ERR
        return a

    compile_error(f, np.arange(3), np.ones(3), mentions=["same_kind", "cast"])


def test_store_complex_scalar_into_float_array(compile_error):
    @hl.jit
    def f(a, z):
        for i in range(len(a)):
            a[i] = z * i  # ERR
        return a

    compile_error(f, np.zeros(3), 1j, mentions=["complex"])


def test_store_complex_array_into_float_array(compile_error):
    @hl.jit
    def f(a):
        a[:] = a * 1j  # ERR
        return a

    compile_error(f, np.zeros(3), mentions=["complex"])


def test_write_readonly_array_through_slice(compile_error):
    @hl.jit
    def f(a):
        a[1:] = 0  # ERR
        return a

    compile_error(f, _readonly(np.zeros(3)),
                  mentions=["read-only", "readonly", "writeable", "writable"])


def test_write_readonly_array_through_a_view_variable(compile_error):
    @hl.jit
    def f(a):
        tail = a[1:]
        tail += 1.0  # ERR
        return a

    compile_error(f, _readonly(np.zeros(3)),
                  mentions=["read-only", "readonly", "writeable", "writable"])


def test_assign_tuple_to_array_slice(compile_error):
    @hl.jit
    def f(a):
        a[0:2] = (1.0, 2.0)  # ERR
        return a

    compile_error(f, np.zeros(3), mentions=["tuple"])


# --- NumPy functions with bad arguments ------------------------------------------------------


def test_dot_of_2d_arrays(compile_error):
    @hl.jit
    def f(a, b):
        return np.dot(a, b)  # ERR

    compile_error(f, np.ones((2, 3)), np.ones((3, 2)), mentions=["1-D", "vector"])


def test_sum_with_non_constant_axis(compile_error):
    @hl.jit
    def f(a, k):
        return np.sum(a, axis=k)  # ERR

    compile_error(f, np.ones((2, 3)), 1, mentions=["axis"], caret_at="k)")


def test_sum_axis_out_of_range(compile_error):
    @hl.jit
    def f(a):
        return np.sum(a, axis=2)  # ERR

    compile_error(f, np.ones((2, 3)), mentions=["out of bounds", "out of range"])


def test_max_method_negative_axis_out_of_range(compile_error):
    @hl.jit
    def f(a):
        return a.max(axis=-3)  # ERR

    compile_error(f, np.ones((2, 3)), mentions=["out of bounds", "out of range"])


def test_empty_with_float_shape(compile_error):
    @hl.jit
    def f(a):
        half = np.empty(len(a) / 2)  # ERR
        return half

    compile_error(f, np.ones(4), mentions=["shape", "integer"])


# --- unknown NumPy names and array methods ---------------------------------------------------


def test_unknown_numpy_submodule_function(compile_error):
    @hl.jit
    def f(a):
        return np.fft.fft(a)  # ERR

    compile_error(f, np.ones(4), mentions=["np.fft.fft"])


def test_unknown_numpy_submodule_function_suggests_nothing_unrelated(compile_error):
    @hl.jit
    def f(a):
        return np.fft.fft(a)  # ERR

    err = compile_error(f, np.ones(4), mentions=["np.fft.fft"])
    assert "int()" not in str(err), str(err)


def test_unsupported_numpy_function_suggests_near_name(compile_error):
    # np.sinc exists in NumPy but is not compiled: the hint names np.sin.
    @hl.jit
    def f(a):
        return np.sinc(a)  # ERR

    compile_error(f, np.ones(4), mentions=["np.sin()"])


def test_misspelled_numpy_function_suggests_near_name(compile_error):
    @hl.jit
    def f(a):
        return np.sine(a)  # ERR

    compile_error(f, np.ones(4), mentions=["np.sin(", "np.sin "])


def test_misspelled_numpy_function_names_it(compile_error):
    @hl.jit
    def f(a):
        return np.sine(a)  # ERR

    compile_error(f, np.ones(4), mentions=["sine"])


def test_unknown_array_method(compile_error):
    @hl.jit
    def f(a):
        return a.foo()  # ERR

    compile_error(f, np.ones(3), mentions=[".foo()"], caret_at="a.foo()")


def test_misspelled_array_method_lists_the_right_one(compile_error):
    @hl.jit
    def f(a):
        return a.sume()  # ERR

    err = compile_error(f, np.ones(3), mentions=["sume"])
    assert "sum" in str(err).replace("sume", "")


# --- truth value of an array -----------------------------------------------------------------


def test_truth_value_of_array_in_if(compile_error):
    @hl.jit
    def f(a):
        if a:  # ERR
            return 1.0
        return 0.0

    compile_error(f, np.ones(3), mentions=["truth value", "ambiguous"], caret_at="a:")


def test_truth_value_of_array_comparison_in_while(compile_error):
    @hl.jit
    def f(a):
        n = 0
        while a > 0:  # ERR
            n += 1
        return n

    compile_error(f, np.ones(3), mentions=["truth value", "ambiguous"], caret_at="a > 0")


def test_truth_value_of_array_in_conditional_expression(compile_error):
    @hl.jit
    def f(a):
        return 1.0 if a < 2 else 0.0  # ERR

    compile_error(f, np.ones(3), mentions=["truth value", "ambiguous"], caret_at="a < 2")


# --- errors only the data reveals: Python exceptions at run time, not CompileError ----------


def _raises_at_run_time(disp, exc_type, *args):
    """disp(*args) compiles, then raises exc_type (a NumPy-like exception, not CompileError)."""
    with pytest.raises(exc_type) as info:
        disp(*args)
    assert not isinstance(info.value, hl.CompileError), repr(info.value)
    assert disp.signatures, "expected the call to have compiled before raising"
    return info.value


def test_elementwise_shape_mismatch_is_value_error():
    @hl.jit
    def f(a, b):
        return a + b

    _raises_at_run_time(f, ValueError, np.ones(3), np.ones(4))
    np.testing.assert_array_equal(f(np.ones(3), np.ones(3)), np.full(3, 2.0))


def test_inplace_shape_mismatch_is_value_error():
    @hl.jit
    def f(a, b):
        a += b
        return a

    _raises_at_run_time(f, ValueError, np.ones(3), np.ones(4))


def test_min_of_empty_array_is_value_error():
    @hl.jit
    def f(a):
        return np.min(a)

    _raises_at_run_time(f, ValueError, np.zeros(0))
    assert f(np.array([3.0, -1.0])) == -1.0


def test_argmax_of_empty_array_is_value_error():
    @hl.jit
    def f(a):
        return a.argmax()

    _raises_at_run_time(f, ValueError, np.zeros(0))


def test_reshape_to_incompatible_size_is_value_error():
    @hl.jit
    def f(a):
        return a.reshape(4, 4)

    _raises_at_run_time(f, ValueError, np.zeros(12))
    assert f(np.zeros(16)).shape == (4, 4)


def test_reshape_with_minus_one_not_dividing_is_value_error():
    @hl.jit
    def f(a):
        return a.reshape(-1, 5)

    _raises_at_run_time(f, ValueError, np.zeros(12))


def test_row_out_of_range_in_2d_array_is_index_error():
    @hl.jit
    def f(a):
        return a[5]

    _raises_at_run_time(f, IndexError, np.zeros((3, 4)))
    assert f(np.zeros((6, 4))).shape == (4,)


def test_negative_row_out_of_range_in_2d_array_is_index_error():
    @hl.jit
    def f(a, i):
        return a[i].sum()

    _raises_at_run_time(f, IndexError, np.zeros((3, 4)), -4)
    assert f(np.ones((3, 4)), -3) == 4.0


def test_copyto_into_a_readonly_array(compile_error):
    @hl.jit
    def f(dst, src):
        np.copyto(dst, src)  # ERR

    compile_error(f, _readonly(np.zeros(3)), np.ones(3),
                  mentions=["read-only", "writeable"], caret_at="np.copyto(dst, src)")


def test_copyto_with_where_is_not_supported(compile_error):
    @hl.jit
    def f(dst, src, m):
        np.copyto(dst, src, where=m)  # ERR

    compile_error(f, np.zeros(3), np.ones(3), np.ones(3, bool),
                  mentions=["np.copyto()", "where="], caret_at="np.copyto(dst, src, where=m)")


def test_copyto_shape_mismatch_is_a_value_error():
    @hl.jit
    def f(dst, src):
        np.copyto(dst, src)

    with pytest.raises(ValueError):
        f.py_func(np.zeros(3), np.ones(4))
    with pytest.raises(ValueError):
        f(np.zeros(3), np.ones(4))
