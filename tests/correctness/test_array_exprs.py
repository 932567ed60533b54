"""Whole-array expressions inside compiled code: elementwise arithmetic, comparisons, bitwise
operators, np.where, np.* math on arrays, dtype conversions, NumPy broadcasting (and its
errors), in-place operators (overlapping ones included), slice assignment, the seeds' NumPy
kernels, and fusion of a chain of operations into one allocation.

NumPy 2 (NEP 50) is the oracle, result dtypes included: Python scalars are weak
(``float32_array * 2.0`` is float32), NumPy scalars are strong.  Inside array expressions
division by zero follows NumPy (inf/nan, integer ``x // 0 == 0``), never an exception."""

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .conftest import (FEW, LAYOUTS, PYTHON_ONLY, SETTINGS, bounded_floats, check, elements_for, hl,
                       make_view)

INF = math.inf
NAN = math.nan
SPECIAL = st.sampled_from([NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0])


# ---------------------------------------------------------------- local strategies
@st.composite
def shaped(draw, dtype, shape, elements=None, layouts=LAYOUTS):
    """An array of exactly `shape` in a random layout (C, F, reversed, strided, transposed)."""
    shape = tuple(shape)
    layout = draw(st.sampled_from(layouts))
    if layout == "strided":
        base_shape = tuple(2 * s for s in shape)
    elif layout == "T":
        base_shape = tuple(reversed(shape))
    else:
        base_shape = shape
    if elements is None:
        elements = elements_for(dtype)
    view = make_view(draw(hnp.arrays(dtype, base_shape, elements=elements)), layout)
    assert view.shape == shape
    return view


@st.composite
def same_shape(draw, dtypes, ndim=None, max_side=6, elements=None):
    """Arrays of one random shape (0 to 3 dims, sides may be 0), one per dtype."""
    if ndim is None:
        ndim = draw(st.integers(1, 3))
    shape = draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=0,
                                  max_side=max_side))
    return tuple(draw(shaped(dt, shape, elements if elements is None or not callable(elements)
                             else elements(dt))) for dt in dtypes)


def floats_with_specials(lo=-1e3, hi=1e3, width=64):
    return st.one_of(bounded_floats(lo, hi, width), SPECIAL)


FLOATS = (np.float64, np.float32)
INTS = (np.int64, np.int32, np.int8, np.uint8)


# ---------------------------------------------------------------- arithmetic
@hl.jit
def arith(a, b):
    return a + b, a - b, a * b, -a


@SETTINGS
@given(st.sampled_from([(np.float64, np.float64), (np.float32, np.float32),
                        (np.float32, np.float64), (np.int32, np.float32),
                        (np.int64, np.int64), (np.int8, np.int16), (np.uint8, np.int8),
                        (np.int32, np.int64)]), st.data())
def test_add_sub_mul_neg_dtypes_and_layouts(dtypes, data):
    a, b = data.draw(same_shape(dtypes))
    check(arith, a, b)


@hl.jit
def true_div(a, b):
    return a / b, a / 0.0, a / 4


@SETTINGS
@given(st.sampled_from([np.float64, np.float32, np.int64, np.int32]), st.data())
def test_true_division_by_zero_gives_inf_nan(dtype, data):
    el = (floats_with_specials(width=np.dtype(dtype).itemsize * 8)
          if np.dtype(dtype).kind == "f" else st.integers(-3, 3))
    a, b = data.draw(same_shape((dtype, dtype), elements=el))
    check(true_div, a, b)


@hl.jit
def floordiv_mod(a, b):
    return a // b, a % b, a // 3, a % -3


@SETTINGS
@given(st.sampled_from([np.int64, np.int32, np.int8, np.float64]), st.data())
def test_floordiv_and_mod_numpy_semantics(dtype, data):
    # integers: x // 0 == x % 0 == 0 (NumPy), INT_MIN // -1 wraps; floats: Python signs
    if np.dtype(dtype).kind == "i":
        el = st.one_of(st.integers(-5, 5), elements_for(dtype))
    else:
        el = floats_with_specials()
    a, b = data.draw(same_shape((dtype, dtype), elements=el))
    check(floordiv_mod, a, b)


@hl.jit
def powers(a, b):
    return a ** b, a ** 2, a ** 3


@SETTINGS
@given(st.data())
def test_power_float_and_int(data):
    a, b = data.draw(same_shape((np.float64, np.float64),
                                elements=floats_with_specials(-30.0, 30.0)))
    check(powers, a, b)
    a, b = data.draw(same_shape((np.int64, np.int64), elements=st.integers(0, 12)))
    check(powers, a, b)
    a, b = data.draw(same_shape((np.float32, np.int8), elements=st.integers(-4, 4)))
    check(powers, a, b)


@hl.jit
def int_power(a, b):
    return a ** b


def test_int_array_to_negative_int_power_raises_value_error():
    check(int_power, np.array([2, 3]), np.array([1, -1]), raises=(ValueError,))


# ---------------------------------------------------------------- scalar operands, NEP 50
@hl.jit
def with_scalar(a, s):
    return a * s, a + s, s - a, a / s, a * 2.0, a + 1, 3 * a


@SETTINGS
@given(st.sampled_from([np.float32, np.float64, np.int32, np.int16, np.uint8]), st.data(),
       st.sampled_from(["py_int", "py_float", "np_float64", "np_float32", "np_int64"]))
def test_python_scalars_are_weak_numpy_scalars_strong(dtype, data, kind):
    (a,) = data.draw(same_shape((dtype,), elements=st.integers(0, 100)))
    v = data.draw(st.integers(1, 100))
    s = {"py_int": v, "py_float": v + 0.5, "np_float64": np.float64(v + 0.5),
         "np_float32": np.float32(v + 0.5), "np_int64": np.int64(v)}[kind]
    check(with_scalar, a, s)


@hl.jit
def add_scalar(a, s):
    return a + s


@SETTINGS
@given(st.integers(-300, 300), st.sampled_from([np.int8, np.uint8]))
@example(300, np.int8)
@example(-1, np.uint8)
def test_out_of_range_python_int_for_narrow_array(s, dtype):
    # NumPy 2: np.int8 array + 300 raises OverflowError (the weak int does not fit)
    check(add_scalar, np.arange(3, dtype=dtype), s, raises=(OverflowError,))


@hl.jit
def scalar_literals_f32(a):
    return a * 2.0 + 1, a / 3, a - 0.5, 2 ** a


@SETTINGS
@given(st.data())
def test_float32_array_with_literals_stays_float32(data):
    (a,) = data.draw(same_shape((np.float32,), elements=floats_with_specials(-20, 20, 32)))
    check(scalar_literals_f32, a)


# ---------------------------------------------------------------- bool / bitwise / compare
@hl.jit
def bitwise(a, b):
    return a & b, a | b, a ^ b, ~a, a & 6, 1 | b


@SETTINGS
@given(st.sampled_from([np.bool_, np.int64, np.int8, np.uint8, np.int32]), st.data())
def test_bitwise_and_invert_on_bool_and_int(dtype, data):
    a, b = data.draw(same_shape((dtype, dtype)))
    if dtype is np.bool_:
        check(bool_bitwise, a, b)
    else:
        check(bitwise, a, b)


@hl.jit
def bool_bitwise(a, b):
    return a & b, a | b, a ^ b, ~a, a & True, ~(a | b)


@hl.jit
def compare(a, b):
    return a < b, a <= b, a == b, a != b, a > b, a >= b, a > 0, 0.5 <= a


@SETTINGS
@given(st.sampled_from([(np.float64, np.float64), (np.float32, np.int32),
                        (np.int64, np.uint8), (np.int8, np.int8)]), st.data())
def test_comparisons_give_bool_arrays(dtypes, data):
    el = st.one_of(st.integers(-3, 3), st.sampled_from([NAN, INF, -INF, 0.5]))

    def elements(dt):
        if np.dtype(dt).kind == "f":
            return el
        return st.integers(0, 3) if np.dtype(dt).kind == "u" else st.integers(-3, 3)

    dts = dtypes
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=6))
    a = data.draw(shaped(dts[0], shape, elements(dts[0])))
    b = data.draw(shaped(dts[1], shape, elements(dts[1])))
    check(compare, a, b)


@hl.jit
def where3(c, a, b):
    return np.where(c, a, b), np.where(a > b, a, b), np.where(c, a, 0.0), np.where(c, 1, b)


@SETTINGS
@given(st.sampled_from([(np.float64, np.float64), (np.int32, np.float32),
                        (np.int64, np.int8), (np.float32, np.float32)]), st.data())
def test_where(dtypes, data):
    c, a, b = data.draw(same_shape((np.bool_,) + dtypes,
                                   elements=lambda dt: (st.booleans() if dt is np.bool_ else
                                                        st.integers(-100, 100))))
    check(where3, c, a, b)


@hl.jit
def where_broadcast(c, a, b):
    return np.where(c[:, None], a, b[None, :])


@SETTINGS
@given(st.integers(0, 4), st.integers(0, 4), st.data())
def test_where_broadcasts(n, m, data):
    c = data.draw(shaped(np.bool_, (n,)))
    a = data.draw(shaped(np.float64, (n, m)))
    b = data.draw(shaped(np.float64, (m,)))
    check(where_broadcast, c, a, b)


# ---------------------------------------------------------------- np.* math on arrays
@hl.jit
def unary_math(a):
    return (np.sqrt(a), np.exp(a), np.log(a), np.sin(a), np.cos(a), np.abs(a),
            np.absolute(a), abs(a), np.sign(a), np.square(a), np.floor(a), np.ceil(a),
            np.isnan(a), np.isfinite(a))


@SETTINGS
@given(st.sampled_from(FLOATS), st.data())
def test_unary_math_on_float_arrays(dtype, data):
    width = np.dtype(dtype).itemsize * 8
    (a,) = data.draw(same_shape((dtype,), elements=floats_with_specials(-50, 50, width)))
    check(unary_math, a, rtol=4e-15 if dtype is np.float64 else 4e-6, atol=0.0)


@hl.jit
def unary_int_math(a):
    return (np.abs(a), abs(a), np.sign(a), np.square(a), np.sqrt(a), np.floor(a),
            np.ceil(a), np.isnan(a), -a)


@SETTINGS
@given(st.sampled_from([np.int64, np.int32, np.int8, np.uint8]), st.data())
def test_unary_math_on_int_arrays(dtype, data):
    # sqrt(int32) is float64, sqrt(int8) float16 -> only the int widths NumPy maps to
    # float32/float64 are drawn; floor/ceil keep the integer dtype (NumPy 2.x)
    if dtype in (np.int8, np.uint8):
        check(unary_int_math_small, data.draw(same_shape((dtype,)))[0])
    else:
        check(unary_int_math, data.draw(same_shape((dtype,)))[0])


@hl.jit
def unary_int_math_small(a):
    return np.abs(a), abs(a), np.sign(a), np.square(a), np.floor(a), -a


@hl.jit
def binary_math(a, b):
    return (np.maximum(a, b), np.minimum(a, b), np.fmax(a, b), np.fmin(a, b),
            np.arctan2(a, b), np.hypot(a, b), np.maximum(a, 0.0))


@SETTINGS
@given(st.sampled_from(FLOATS), st.data())
def test_binary_math_nan_propagation(dtype, data):
    width = np.dtype(dtype).itemsize * 8
    a, b = data.draw(same_shape((dtype, dtype), elements=floats_with_specials(-50, 50, width)))
    check(binary_math, a, b, rtol=4e-15 if dtype is np.float64 else 4e-6)


@hl.jit
def conversions(a):
    return np.float32(a), a.astype(np.int64), a.astype(np.float32), np.int32(a), a.astype(np.bool_)


@SETTINGS
@given(st.sampled_from([np.float64, np.float32, np.int64, np.int16]), st.data())
def test_dtype_conversions(dtype, data):
    el = (bounded_floats(-1e6, 1e6, np.dtype(dtype).itemsize * 8)
          if np.dtype(dtype).kind == "f" else st.integers(-30000, 30000))
    (a,) = data.draw(same_shape((dtype,), elements=el))
    check(conversions, a)


@hl.jit
def mixed_chain(a, b):
    return np.sqrt(a * a + b * b) - 2 * np.abs(a) + np.where(a > b, 1.0, -1.0) * (a - b) / 3


@SETTINGS
@given(st.data())
def test_long_mixed_expression(data):
    a, b = data.draw(same_shape((np.float64, np.float32),
                                elements=floats_with_specials(-1e3, 1e3, 32)))
    check(mixed_chain, a, b, rtol=1e-9, atol=1e-9)


# ---------------------------------------------------------------- broadcasting
@hl.jit
def bcast_2d(a, b):
    return a * b, a + b, b - a


@SETTINGS
@given(st.integers(0, 5), st.integers(0, 5), st.data())
@example(3, 4, None)
def test_broadcast_column_times_row(n, m, data):
    if data is None:
        a, b = np.arange(3.0).reshape(3, 1), np.arange(4.0).reshape(1, 4)
    else:
        a = data.draw(shaped(np.float64, (n, 1)))
        b = data.draw(shaped(np.int32, (1, m)))
    check(bcast_2d, a, b)


@hl.jit
def outer(a, b):
    return a[:, None] * b[None, :], a[:, None] - b


@SETTINGS
@given(st.data())
def test_outer_product_with_newaxis(data):
    n, m = data.draw(st.integers(0, 6)), data.draw(st.integers(0, 6))
    a = data.draw(shaped(np.float64, (n,), floats_with_specials()))
    b = data.draw(shaped(np.float32, (m,), floats_with_specials(width=32)))
    check(outer, a, b)


@SETTINGS
@given(st.data())
def test_broadcast_different_ndims(data):
    # (5,) + (2, 5), (k, 1, m) with (n, 1), (1,) with anything, and scalars-as-arrays
    shapes = data.draw(st.sampled_from([((5,), (2, 5)), ((2, 5), (5,)), ((3, 1, 4), (2, 1)),
                                        ((1,), (3, 2)), ((4, 1), (3,)), ((0,), (2, 0)),
                                        ((2, 1, 3), (1, 4, 1)), ((1, 1), (1,))]))
    a = data.draw(shaped(np.float64, shapes[0]))
    b = data.draw(shaped(np.int64, shapes[1], st.integers(-5, 5)))
    check(bcast_2d, a, b)


@SETTINGS
@given(st.sampled_from([((3,), (4,)), ((2, 3), (3, 2)), ((2, 3), (2,)), ((0,), (2,)),
                        ((3, 1), (2, 2)), ((4,), (4, 3))]), st.booleans())
def test_broadcast_mismatch_raises_value_error(shapes, swap):
    sa, sb = shapes[::-1] if swap else shapes
    check(bcast_2d, np.ones(sa), np.ones(sb, np.int32), raises=(ValueError,))


# ---------------------------------------------------------------- in place
@hl.jit
def iadd_imul(y, x):
    y += x
    y *= 2
    y -= 1


@SETTINGS
@given(st.sampled_from([(np.float64, np.float64), (np.float32, np.float64),
                        (np.float64, np.int32), (np.int32, np.int64), (np.int8, np.int8)]),
       st.data())
def test_inplace_operators_same_kind_casting(dtypes, data):
    y, x = data.draw(same_shape(dtypes, elements=lambda dt: elements_for(dt)
                                if np.dtype(dt).kind != "f" else floats_with_specials()))
    check(iadd_imul, y, x)


@hl.jit
def iadd_float_into_int(y):
    y += 1.5


def test_inplace_unsafe_cast_is_rejected():
    # NumPy raises UFuncTypeError (a TypeError): float64 output cannot be cast to int64
    with pytest.raises(TypeError):
        iadd_float_into_int.py_func(np.arange(3))
    with pytest.raises((TypeError, hl.CompileError)):
        iadd_float_into_int(np.arange(3))


@hl.jit
def iadd_broadcast(y, x):
    y += x


@SETTINGS
@given(st.integers(0, 4), st.integers(0, 4), st.data())
def test_inplace_with_broadcast_operand(n, m, data):
    y = data.draw(shaped(np.float64, (n, m)))
    x = data.draw(shaped(np.float64, data.draw(st.sampled_from([(m,), (1, m), (n, 1), (1,)]))))
    check(iadd_broadcast, y, x)


def test_inplace_output_cannot_broadcast_raises():
    check(iadd_broadcast, np.ones(3), np.ones((2, 3)), raises=(ValueError,))


@hl.jit
def overlapping_updates(a):
    a[1:] += a[:-1]
    a[::-1] -= a
    a[:-2] *= a[2:]


@SETTINGS
@given(st.data())
def test_overlapping_inplace_updates_read_before_write(data):
    (a,) = data.draw(same_shape((np.int64,), ndim=1, max_side=10,
                                elements=st.integers(-100, 100)))
    check(overlapping_updates, a)


@hl.jit
def overlapping_views(a, b):
    a += b  # a and b are views of one buffer


@SETTINGS
@given(st.integers(0, 12), st.integers(-3, 3), st.sampled_from([1, -1]))
def test_inplace_between_aliasing_argument_views(n, shift, direction):
    base = np.arange(n + 6, dtype=np.float64) * 1.5
    a = base[3:3 + n][::direction]
    b = base[3 + shift:3 + shift + n][::direction]
    check(overlapping_views, a, b)


@hl.jit
def slice_assignments(a, b):
    a[:] = 0
    a[1:3] = b[0:2]
    a[-1:] = a[:1]
    a[::-2] = 7


@SETTINGS
@given(st.data())
def test_slice_assignment_scalar_and_array(data):
    n = data.draw(st.integers(3, 8))
    a = data.draw(shaped(np.float64, (n,)))
    b = data.draw(shaped(np.int32, (data.draw(st.integers(2, 5)),)))
    check(slice_assignments, a, b)


@hl.jit
def slice_copy(a, b):
    a[1:3] = b[0:2]


def test_slice_assignment_shape_mismatch_raises():
    check(slice_copy, np.zeros(2), np.ones(4), raises=(ValueError,))
    check(slice_copy, np.zeros(5), np.ones(1), raises=(ValueError,))


@hl.jit
def reverse_self(a):
    a[:] = a[::-1]


@SETTINGS
@given(st.data())
def test_assign_reversed_self_overlap(data):
    (a,) = data.draw(same_shape((np.int64,), ndim=1, max_side=9))
    check(reverse_self, a)


@hl.jit
def set_rows(a, row, i):
    a[i] = row
    a[0] = 1.5
    a[i, :] += row


@SETTINGS
@given(st.integers(1, 5), st.integers(0, 5), st.data())
def test_row_assignment_2d(n, m, data):
    a = data.draw(shaped(np.float64, (n, m)))
    row = data.draw(shaped(np.float64, (m,)))
    i = data.draw(st.integers(-n, n - 1))
    check(set_rows, a, row, i)


@hl.jit
def bump_view(base, view):
    view += 1.0
    return base.copy()


@SETTINGS
@given(st.data())
def test_writes_through_views_visible_in_caller(data):
    (base,) = data.draw(same_shape((np.float64,), ndim=2, max_side=6,
                                   elements=bounded_floats(-10, 10)))
    view = base[::-1, 1::2] if data.draw(st.booleans()) else base.T[1:]
    check(bump_view, base, view)


@hl.jit
def update_view_in_function(a):
    v = a[1::2]
    v *= -1
    a[0::2] += 10


@SETTINGS
@given(st.data())
def test_inplace_on_local_view(data):
    (a,) = data.draw(same_shape((np.int32,), ndim=1, max_side=10,
                                elements=st.integers(-1000, 1000)))
    check(update_view_in_function, a)


# ---------------------------------------------------------------- seeds
@hl.jit
def f_numpy(x):
    return x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8


@hl.jit
def f_nest_numpy(x):
    return x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x)))))))


@hl.jit
def f_mem_numpy(x):
    y = x.copy()
    for _ in range(7):
        y += 1
        y *= x
    return y


@FEW
@given(st.sampled_from([f_numpy, f_nest_numpy, f_mem_numpy]), st.sampled_from(FLOATS),
       st.data())
def test_seed_polynomials(fn, dtype, data):
    width = np.dtype(dtype).itemsize * 8
    (x,) = data.draw(same_shape((dtype,), elements=floats_with_specials(-3, 3, width)))
    # x**k by multiplication vs pow(): compare with an absolute slack at |x|**8 scale
    check(fn, x, rtol=1e-12 if width == 64 else 1e-5, atol=1e-10 if width == 64 else 1e-3)


needs_compiler = pytest.mark.skipif(PYTHON_ONLY, reason="inspects the compiled code")


@needs_compiler
def test_seed_polynomial_is_fused_into_one_allocation():
    x = np.linspace(-1.0, 1.0, 1001)
    np.testing.assert_allclose(f_numpy(x), f_numpy.py_func(x), rtol=1e-13)
    for sig, ir in _ir_by_signature(f_numpy).items():
        assert ir.count("np.empty(") == 1, f"{sig}: temporaries not fused:\n{ir}"
    f_nest_numpy(x)
    for sig, ir in _ir_by_signature(f_nest_numpy).items():
        assert ir.count("np.empty(") == 1, f"{sig}: temporaries not fused:\n{ir}"


def _ir_by_signature(disp):
    ir = disp.inspect_ir()
    return ir if isinstance(ir, dict) else {"": ir}


@needs_compiler
def test_long_expression_compiles_in_reasonable_time():
    """Compile time must not explode with the number of terms of a flat chain."""
    src = textwrap.dedent("""
        import time, numpy as np, hotloop as hl

        @hl.jit
        def chain(x):
            return x + x + x + x + x + x + x + x + x + x + x + x + x + x

        t = time.perf_counter()
        chain(np.ones(4))
        print(time.perf_counter() - t)
    """)
    path = _write_module(src)
    out = subprocess.run([sys.executable, path], capture_output=True, text=True, timeout=120,
                         env=_env())
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.strip()) < 1.0, f"14-term chain took {out.stdout.strip()} s"


def _write_module(src):
    import os
    import tempfile
    fd, path = tempfile.mkstemp(suffix=".py", prefix="hl_chain_")
    with os.fdopen(fd, "w") as f:
        f.write(src)
    return path


def _env():
    import os
    env = dict(os.environ)
    pkg = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "python"))
    env["PYTHONPATH"] = pkg + os.pathsep + env.get("PYTHONPATH", "")
    return env


@hl.jit
def norm_square_numpy(vector):
    return np.sum(vector * vector)


@hl.jit
def norm_square_numpy_dot(vector):
    return np.dot(vector, vector)


@SETTINGS
@given(st.sampled_from([norm_square_numpy, norm_square_numpy_dot]),
       st.sampled_from([np.float64, np.float32, np.int64]), st.data())
def test_seed_norm_square(fn, dtype, data):
    el = (bounded_floats(-1e3, 1e3, np.dtype(dtype).itemsize * 8)
          if np.dtype(dtype).kind == "f" else st.integers(-1000, 1000))
    (v,) = data.draw(same_shape((dtype,), ndim=1, max_side=40, elements=el))
    check(fn, v, rtol=1e-12 if dtype is not np.float32 else 1e-4, strict_dtype=True)


@hl.jit
def laplacian_numpy(f, dx, dy):
    return ((f[:-2, 1:-1] + f[2:, 1:-1]) / dx**2 + (f[1:-1, :-2] + f[1:-1, 2:]) / dy**2
            - f[1:-1, 1:-1] * (2 / dx**2 + 2 / dy**2))


@SETTINGS
@given(st.sampled_from(FLOATS), st.data(), bounded_floats(0.05, 2.0),
       bounded_floats(0.05, 2.0))
def test_seed_laplacian_with_slices(dtype, data, dx, dy):
    width = np.dtype(dtype).itemsize * 8
    (f,) = data.draw(same_shape((dtype,), ndim=2, max_side=7,
                                elements=bounded_floats(-10, 10, width)))
    check(laplacian_numpy, f, dx, dy, rtol=1e-10 if width == 64 else 1e-4,
          atol=1e-9 if width == 64 else 1e-2)


def test_seed_laplacian_zero_spacing_raises_like_python():
    # dx**2 and 2 / dx**2 are Python-scalar operations: ZeroDivisionError in both
    check(laplacian_numpy, np.ones((4, 4)), 0.0, 1.0)


@hl.jit
def diffusion_numpy(grid):
    out = np.zeros_like(grid)
    out[1:, :] += grid[:-1, :]
    out[:-1, :] += grid[1:, :]
    out[:, 1:] += grid[:, :-1]
    out[:, :-1] += grid[:, 1:]
    out -= 4 * grid
    return out


@SETTINGS
@given(st.sampled_from([np.float64, np.float32, np.int64]), st.data())
def test_seed_diffusion_inplace_slices(dtype, data):
    el = (floats_with_specials(width=np.dtype(dtype).itemsize * 8)
          if np.dtype(dtype).kind == "f" else st.integers(-1000, 1000))
    (g,) = data.draw(same_shape((dtype,), ndim=2, max_side=7, elements=el))
    check(diffusion_numpy, g, rtol=1e-12 if dtype is not np.float32 else 1e-5, atol=1e-9)
