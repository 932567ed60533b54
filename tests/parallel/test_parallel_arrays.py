"""Array expressions and reductions in ``parallel=True`` functions, against NumPy.

The compiled functions are plain NumPy code, so ``fn.py_func`` (NumPy itself) is the
oracle.  Each test runs at 1, 2 and 3 threads with the minimum work per chunk lowered to 1
(``hl._core._set_min_chunk_work(1)``) so that the small arrays hypothesis draws are split
into many chunks.  Inputs come in several layouts: C, Fortran, reversed (negative strides),
every other element and transposed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

hl = pytest.importorskip("hotloop")

THREADS = [1, 2, 3]
EPS = np.finfo(np.float64).eps

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)


# ------------------------------------------------------------------------------- fixtures
# small_chunks and threads come from conftest.py
pytestmark = pytest.mark.usefixtures("small_chunks")


# -------------------------------------------------------------------------------- helpers
def clone(args):
    """Copies that keep each array's strides (a reversed array stays reversed)."""
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            if a.size == 0:
                out.append(a.copy())
                continue
            # Copy the whole buffer the view lives in, then view it the same way.
            base = a
            while isinstance(base.base, np.ndarray):
                base = base.base
            if base.flags.c_contiguous or base.flags.f_contiguous:
                nb = base.copy(order="K")
                offset = (a.__array_interface__["data"][0]
                          - base.__array_interface__["data"][0])
                out.append(np.ndarray(a.shape, a.dtype, buffer=nb, offset=offset,
                                      strides=a.strides))
            else:
                out.append(a.copy())
        else:
            out.append(a)
    return out


def assert_same(expected, got, rtol, atol, what="result"):
    if expected is None:
        assert got is None, f"{what}: None vs {got!r}"
        return
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected), (expected, got)
        for k, (e, g) in enumerate(zip(expected, got)):
            assert_same(e, g, rtol, atol, f"{what}[{k}]")
        return
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), f"{what}: got {type(got).__name__}"
        assert got.shape == expected.shape, f"{what}: shape {expected.shape} vs {got.shape}"
        assert got.dtype == expected.dtype, f"{what}: dtype {expected.dtype} vs {got.dtype}"
        if expected.dtype.kind in "fc":
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True,
                                       err_msg=what)
        else:
            np.testing.assert_array_equal(got, expected, err_msg=what)
        return
    if isinstance(expected, (bool, np.bool_)):
        assert isinstance(got, (bool, np.bool_)), f"{what}: {expected!r} vs {got!r}"
        assert bool(got) == bool(expected), f"{what}: {expected!r} vs {got!r}"
    elif isinstance(expected, (int, np.integer)):
        assert isinstance(got, (int, np.integer)) and not isinstance(got, (bool, np.bool_)), (
            f"{what}: {expected!r} vs {got!r}")
        assert int(got) == int(expected), f"{what}: {expected!r} vs {got!r}"
    else:
        assert isinstance(got, (float, np.floating)), f"{what}: {expected!r} vs {got!r}"
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=what)


def check(fn, *args, rtol=1e-13, atol=0.0, raises=()):
    """NumPy (fn.py_func) and the compiled fn on copies of args: results and the arrays
    passed in (in-place updates) must agree."""
    py_args, jit_args = clone(args), clone(args)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            expected = fn.py_func(*py_args)
        except raises as e:
            with pytest.raises(type(e)):
                fn(*jit_args)
            return None
        got = fn(*jit_args)
    assert_same(expected, got, rtol, atol)
    for k, (p, j) in enumerate(zip(py_args, jit_args)):
        if isinstance(p, np.ndarray):
            assert_same(p, j, rtol, atol, f"argument {k} after the call")
    return expected


def sum_bound(a):
    """Absolute error bound of a float sum of the elements of `a` in any order."""
    a = np.asarray(a, dtype=np.float64)
    return 2 * (a.size + 1) * EPS * float(np.sum(np.abs(a))) if a.size else 0.0


# ------------------------------------------------------------------------------ strategies
LAYOUTS = ("C", "F", "reversed", "strided", "T")


@st.composite
def shaped(draw, dtype, shape, elements, layouts=LAYOUTS):
    shape = tuple(shape)
    layout = draw(st.sampled_from(layouts))
    if layout == "strided":
        base_shape = tuple(2 * s for s in shape)
    elif layout == "T":
        base_shape = tuple(reversed(shape))
    else:
        base_shape = shape
    base = draw(hnp.arrays(dtype, base_shape, elements=elements))
    if layout == "F":
        a = np.asfortranarray(base)
    elif layout == "reversed":
        a = base[(slice(None, None, -1),) * len(shape)]
    elif layout == "strided":
        a = base[(slice(None, None, 2),) * len(shape)]
    elif layout == "T":
        a = base.T
    else:
        a = base
    assert a.shape == shape
    return a


sides = st.one_of(st.integers(0, 3), st.integers(4, 40))
lengths = st.one_of(st.integers(0, 4), st.integers(5, 64), st.integers(65, 2000))
finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
with_specials = st.one_of(st.floats(-3, 3), st.sampled_from([np.nan, np.inf, -np.inf, 0.0,
                                                              -0.0]))


def vectors(elements=finite, n=lengths, dtype=np.float64, layouts=LAYOUTS):
    return n.flatmap(lambda k: shaped(dtype, (k,), elements, layouts))


def matrices(elements=finite, dtype=np.float64, layouts=LAYOUTS, rows=sides, cols=sides):
    return st.tuples(rows, cols).flatmap(lambda s: shaped(dtype, s, elements, layouts))


# ============================================================================== elementwise
@hl.jit(parallel=True)
def poly8(x):
    return x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8


@hl.jit(parallel=True)
def f_nest(x):
    return x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x)))))))


@SETTINGS
@given(x=st.one_of(vectors(with_specials), matrices(with_specials)))
def test_polynomial(threads, x):
    # x**k by multiplication vs pow(): room for a few roundings at the |x|**8 scale
    check(poly8, x, rtol=1e-12, atol=1e-9)


@SETTINGS
@given(x=st.one_of(vectors(with_specials), matrices(with_specials)))
def test_nested_polynomial(threads, x):
    check(f_nest, x, rtol=1e-12, atol=1e-9)


def test_polynomial_loop_is_a_prange():
    x = np.linspace(-1.0, 1.0, 101)
    poly8(x)
    poly8(x[::-2])
    poly8(np.ones((3, 4)).T)
    for fn in (poly8, f_nest):
        fn(x)
        for sig in fn.signatures:  # every layout the tests compiled
            ir = fn.inspect_ir(sig)
            assert "prange(" in ir, f"{fn.__name__} {sig}:\n{ir}"


def test_polynomial_large_array_bit_identical_across_threads():
    x = np.random.default_rng(3).uniform(-1.2, 1.2, 300_001)
    prev = hl.get_num_threads()
    try:
        results = []
        for t in THREADS:
            if t <= hl.max_threads():
                hl.set_num_threads(t)
                results.append(poly8(x))
    finally:
        hl.set_num_threads(prev)
    for r in results[1:]:
        np.testing.assert_array_equal(r, results[0])
    np.testing.assert_allclose(results[0], poly8.py_func(x), rtol=1e-12, atol=1e-12)


@hl.jit(parallel=True)
def laplacian(f, dx, dy):
    return ((f[:-2, 1:-1] + f[2:, 1:-1]) / dx**2 + (f[1:-1, :-2] + f[1:-1, 2:]) / dy**2
            - f[1:-1, 1:-1] * (2 / dx**2 + 2 / dy**2))


@SETTINGS
@given(f=matrices(st.floats(-10, 10)), dx=st.floats(0.05, 2.0), dy=st.floats(0.05, 2.0))
def test_laplacian_with_slices(threads, f, dx, dy):
    check(laplacian, f, dx, dy, rtol=1e-10, atol=1e-8)


def test_laplacian_on_views_of_a_large_grid(threads):
    g = np.random.default_rng(5).standard_normal((301, 257))
    for f in (g, g[::-1, ::-1], g[::2, 1::3], g.T, np.asfortranarray(g), g[:, ::-1]):
        check(laplacian, f, 0.1, 0.2, rtol=1e-10, atol=1e-8)


@hl.jit(parallel=True)
def broadcast_2d_1d(a, row, col):
    return a * row + col[:, None] - row / (1.0 + a * a)


@hl.jit(parallel=True)
def newaxis_column(a, col):
    return a + col[:, np.newaxis]


@SETTINGS
@given(data=st.data())
def test_broadcasting_2d_with_1d(threads, data):
    n, m = data.draw(sides), data.draw(sides)
    a = data.draw(shaped(np.float64, (n, m), finite))
    row = data.draw(shaped(np.float64, (m,), finite))
    col = data.draw(shaped(np.float64, (n,), finite))
    check(broadcast_2d_1d, a, row, col, rtol=1e-12, atol=1e-9)


def test_broadcasting_with_np_newaxis(threads):
    check(newaxis_column, np.ones((3, 4)), np.arange(3.0))


@hl.jit(parallel=True)
def where_exp(a, t):
    return np.where(a > t, np.exp(-a), np.sqrt(np.abs(a)) * np.sin(a) + np.cos(a) ** 2)


@SETTINGS
@given(a=st.one_of(vectors(with_specials), matrices(with_specials)), t=st.floats(-3, 3))
def test_where_and_math_functions(threads, a, t):
    check(where_exp, a, t, rtol=1e-13, atol=1e-15)


@hl.jit(parallel=True)
def in_place(a, b):
    a += b
    a *= 2.0
    a -= b * 0.5
    return a


@hl.jit(parallel=True)
def in_place_broadcast(a, row):
    a += row
    a[1:, :] -= a[:-1, :]   # overlapping: NumPy reads before it writes
    return a


@SETTINGS
@given(data=st.data())
def test_in_place_updates(threads, data):
    n = data.draw(lengths)
    a = data.draw(shaped(np.float64, (n,), finite))
    b = data.draw(shaped(np.float64, (n,), finite))
    check(in_place, a, b, rtol=1e-13, atol=1e-12)


@SETTINGS
@given(data=st.data())
def test_in_place_broadcast_and_overlap(threads, data):
    n, m = data.draw(sides), data.draw(sides)
    a = data.draw(shaped(np.float64, (n, m), finite))
    row = data.draw(shaped(np.float64, (m,), finite))
    check(in_place_broadcast, a, row, rtol=1e-13, atol=1e-12)


@hl.jit(parallel=True)
def in_place_reads_own_element(acc, b):
    acc += acc[0] + b
    return acc


def test_in_place_right_side_reads_an_element_of_the_target(threads):
    # acc[0] is read once, before the update loop, as NumPy computes the right side first.
    check(in_place_reads_own_element, np.zeros(2), np.ones(2))
    check(in_place_reads_own_element, np.arange(100000.0), np.ones(100000))


# =============================================================================== reductions
@hl.jit(parallel=True)
def whole_reductions(a, b):
    return np.sum(a * b), np.mean(a), np.any(a > b), np.all(a >= -b), a.sum()


@SETTINGS
@given(data=st.data())
def test_sum_mean_any_all(threads, data):
    n = data.draw(lengths)
    a = data.draw(shaped(np.float64, (n,), finite))
    b = data.draw(shaped(np.float64, (n,), finite))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        exp = whole_reductions.py_func(a, b)
    got = whole_reductions(a, b)
    assert isinstance(got, tuple) and len(got) == 5
    assert abs(got[0] - exp[0]) <= sum_bound(a * b), (exp[0], got[0])
    if n == 0:
        assert np.isnan(got[1])
    else:
        assert abs(got[1] - exp[1]) <= sum_bound(a) / n, (exp[1], got[1])
    assert isinstance(got[2], (bool, np.bool_)) and got[2] == exp[2]
    assert isinstance(got[3], (bool, np.bool_)) and got[3] == exp[3]
    assert abs(got[4] - exp[4]) <= sum_bound(a)


@SETTINGS
@given(a=matrices())
def test_sum_mean_of_2d(threads, a):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exp = whole_reductions.py_func(a, a)
    got = whole_reductions(a, a)
    assert abs(got[0] - exp[0]) <= sum_bound(a * a)
    assert got[2] == exp[2] and got[3] == exp[3]
    assert abs(got[4] - exp[4]) <= sum_bound(a)


@hl.jit(parallel=True)
def int_reductions(a):
    return np.sum(a), np.prod(a), np.any(a), np.all(a), np.sum(a * a - 3)


@SETTINGS
@given(a=st.one_of(vectors(st.integers(-3, 3), dtype=np.int64),
                   matrices(st.integers(-3, 3), dtype=np.int64,
                            rows=st.integers(0, 6), cols=st.integers(0, 6))))
def test_int_reductions_exact(threads, a):
    # prod of small ints: |3**36| fits in int64, so NumPy and compiled are exact.
    check(int_reductions, a)


@hl.jit(parallel=True)
def min_max_arg(a):
    return np.min(a), np.max(a), np.argmin(a), np.argmax(a)


@SETTINGS
@given(a=st.one_of(vectors(with_specials), matrices(with_specials)))
def test_min_max_argmin_argmax_with_nan(threads, a):
    # NaN propagates in min/max; argmin/argmax give the first NaN; empty raises ValueError.
    check(min_max_arg, a, rtol=0.0, raises=ValueError)


@SETTINGS
@given(a=vectors(st.integers(-5, 5), dtype=np.int64))
def test_min_max_argmin_argmax_ints_with_ties(threads, a):
    check(min_max_arg, a, raises=ValueError)


@hl.jit(parallel=True)
def axis_reductions(a):
    return (np.sum(a, axis=0), np.sum(a, axis=1), a.sum(axis=1), np.mean(a, axis=0),
            np.prod(a, axis=1))


@hl.jit(parallel=True)
def axis_min_max(a):
    return np.max(a, axis=0), np.min(a, axis=1)


@SETTINGS
@given(a=matrices(st.floats(-2, 2)))
def test_axis_sums(threads, a):
    # Every output element sums one row / column: bounded by that line's absolute sum.
    check(axis_reductions, a, rtol=1e-12, atol=1e-12 * (1 + max(a.shape)))


@SETTINGS
@given(a=matrices(with_specials))
def test_axis_min_max(threads, a):
    check(axis_min_max, a, rtol=0.0, raises=ValueError)


@pytest.mark.parametrize("fn", [whole_reductions, min_max_arg])
def test_empty_arrays(threads, fn):
    a = np.zeros(0)
    check(fn, *((a, a) if fn is whole_reductions else (a,)), raises=ValueError)


def test_empty_2d_arrays(threads):
    for shape in [(0, 4), (4, 0), (0, 0)]:
        a = np.zeros(shape)
        check(axis_reductions, a)
        check(poly8, a)
        check(laplacian, a, 1.0, 1.0)
        check(axis_min_max, a, raises=ValueError)


def test_large_reductions_bit_identical_across_threads():
    rng = np.random.default_rng(11)
    a = rng.standard_normal((700, 900))
    prev = hl.get_num_threads()
    out = []
    try:
        for work in (1, 0):
            hl._core._set_min_chunk_work(work)
            for t in THREADS:
                if t <= hl.max_threads():
                    hl.set_num_threads(t)
                    r = whole_reductions(a, a)
                    s = axis_reductions(a)
                    out.append((work, np.float64(r[0]).tobytes(), np.float64(r[1]).tobytes(),
                                np.float64(r[4]).tobytes(), [x.tobytes() for x in s]))
    finally:
        hl.set_num_threads(prev)
        hl._core._set_min_chunk_work(1)
    for work in (1, 0):
        runs = [o[1:] for o in out if o[0] == work]
        assert all(r == runs[0] for r in runs), f"min_chunk_work={work}: differs by threads"
    assert abs(whole_reductions(a, a)[4] - a.sum()) <= sum_bound(a)


def test_reduction_ir_loops_are_parallel():
    a = np.ones((3, 4))
    whole_reductions(a, a)
    axis_reductions(a)
    ir = whole_reductions.inspect_ir(whole_reductions.signatures[0])
    assert "prange(" in ir, ir
    assert "prange(" in axis_reductions.inspect_ir(axis_reductions.signatures[0])
    # min/max/argmin/argmax: one parallel loop each; argmin/argmax fold value and position.
    min_max_arg(a)
    ir = min_max_arg.inspect_ir(min_max_arg.signatures[0])
    assert ir.count("prange(") == 4, ir
    assert ir.count(") reduce($idx") == 2, ir


def test_parallel_false_array_expressions_are_serial():
    @hl.jit(parallel=False)
    def p(x):
        return x + x**2 + x**3

    x = np.linspace(-1, 1, 11)
    np.testing.assert_allclose(p(x), p.py_func(x), rtol=1e-14)
    assert "prange(" not in p.inspect_ir(p.signatures[0])


# ========================================================================= array creation
@hl.jit(parallel=True)
def creations(n, m, v, like):
    return (np.zeros((n, m)), np.ones(n, dtype=np.complex128), np.full((n, m), v),
            np.ones((n,), np.bool_), np.zeros(n, np.int32), np.full(m, n), np.zeros_like(like),
            np.ones_like(like, dtype=np.int64), np.full_like(like, v), np.zeros((n, m, 2)),
            np.arange(n * m), np.arange(-v, n, 0.25), np.linspace(v, m, n * m),
            np.linspace(0, 1, m, dtype=np.float32))


@SETTINGS
@given(n=sides, m=sides, v=st.floats(-3, 3), like=st.one_of(vectors(), matrices()))
def test_zeros_ones_full_are_filled_in_parallel(threads, n, m, v, like):
    check(creations, n, m, v, like, rtol=0.0)


def test_creation_loops_are_parallel():
    creations(2, 3, 1.0, np.ones(2))
    ir = creations.inspect_ir(creations.signatures[0])
    assert ir.count("prange(") == 14, ir
    for made in ("np.zeros(", "np.ones(", "np.full(", "np.arange(", "np.linspace("):
        assert made not in ir, ir
