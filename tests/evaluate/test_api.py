"""The numexpr API of ``hl.evaluate``: where names come from, ``local_dict``/``global_dict``,
``out=``, ``re_evaluate()``, ``validate()``, reductions, scalar-only expressions, and the
worked examples of numexpr's user guide and of the seeds (compared with numexpr's output and
with NumPy's)."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import hl, hl_eval, ne, needs_numexpr, numpy_eval

# a module global, found by evaluate() through the caller's frame
G_ARRAY = np.linspace(-1.0, 1.0, 7)
G_SCALE = 2.5


def _same(got, expected, rtol=1e-12, atol=0.0):
    expected = np.asarray(expected)
    assert isinstance(got, np.ndarray), type(got)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)


# ---------------------------------------------------------------------------- name lookup
def test_names_from_the_callers_locals():
    a = np.arange(10.0)
    b = np.arange(10.0)[::-1]
    _same(hl.evaluate("2*a + 3*b"), 2 * a + 3 * b)


def test_names_from_the_callers_globals():
    _same(hl.evaluate("G_ARRAY * G_SCALE"), G_ARRAY * G_SCALE)


def test_locals_shadow_globals():
    G_ARRAY = np.ones(3)  # noqa: N806 - shadows the module global on purpose
    _same(hl.evaluate("G_ARRAY + 1"), np.full(3, 2.0))


def test_locals_and_globals_together():
    x = np.arange(7.0)
    _same(hl.evaluate("x * G_ARRAY + G_SCALE"), x * G_ARRAY + G_SCALE)


def test_names_of_an_enclosing_helper_are_its_own():
    """The frame is the direct caller's: a helper's locals, not its caller's."""
    def helper(v):
        a = v * 10  # noqa: F841 - found through the frame
        return hl.evaluate("a + 1")

    a = np.zeros(3)  # noqa: F841 - must not be the one used
    _same(helper(np.arange(3.0)), np.arange(3.0) * 10 + 1)


def test_closure_variables_are_locals_of_the_frame():
    a = np.arange(4.0)

    def inner():
        return hl.evaluate("a * 2") if a is not None else None

    _same(inner(), np.arange(4.0) * 2)


def test_local_dict_replaces_the_frames_locals():
    a = np.zeros(3)  # noqa: F841 - local_dict wins
    _same(hl.evaluate("a * 2", local_dict={"a": np.arange(3.0)}), np.arange(3.0) * 2)


def test_local_dict_still_sees_the_frames_globals():
    _same(hl.evaluate("a * G_SCALE", local_dict={"a": np.arange(3.0)}),
          np.arange(3.0) * G_SCALE)


def test_global_dict():
    b = np.zeros(3)  # noqa: F841 - a local of the frame; local_dict and global_dict given
    got = hl.evaluate("a + b", local_dict={"a": np.arange(3.0)},
                      global_dict={"b": np.full(3, 10.0), "a": np.ones(3)})
    _same(got, np.arange(3.0) + 10.0)  # local_dict's a wins over global_dict's


def test_global_dict_replaces_the_frames_globals():
    with pytest.raises(KeyError):
        hl.evaluate("G_ARRAY + 1", local_dict={}, global_dict={})


def test_undefined_name_is_a_key_error():
    with pytest.raises(KeyError, match="zz_undefined"):
        hl.evaluate("zz_undefined + 1")


@needs_numexpr
def test_undefined_name_like_numexpr():
    with pytest.raises(KeyError):
        ne.evaluate("zz_undefined + 1")


def test_operands_that_are_not_arrays():
    # lists and NumPy scalars are accepted as numexpr accepts them
    got = hl.evaluate("x + 1", local_dict={"x": [1.0, 2.0, 3.0]})
    _same(got, np.array([2.0, 3.0, 4.0]))
    got = hl.evaluate("x * y", local_dict={"x": np.float64(2.0), "y": np.arange(3.0)})
    _same(got, np.arange(3.0) * 2.0)


def test_cached_expression_sees_new_values_and_types():
    for dtype in (np.float64, np.float32, np.int64, np.int32):
        a = np.arange(5, dtype=dtype)
        got = hl.evaluate("a * 3 + 1")
        assert got.dtype == (a * 3 + 1).dtype
        _same(got, a * 3 + 1)


def test_result_is_a_new_array():
    a = np.arange(4.0)
    got = hl.evaluate("a")
    _same(got, a)
    got2 = hl.evaluate("a + 0")
    assert not np.shares_memory(got2, a)


# ---------------------------------------------------------------------------------- out=
def _returns_out(r, out):
    """evaluate(..., out=out) returned `out` itself, as numexpr does."""
    assert r is out


def test_out_is_returned_itself():
    a = np.arange(6.0)  # noqa: F841
    out = np.zeros(6)
    assert hl.evaluate("a * 2", out=out) is out


def test_out_is_written_and_returned():
    a = np.arange(6.0)
    b = np.linspace(0, 1, 6)
    out = np.full(6, -1.0)
    r = hl.evaluate("a * b + 1", out=out)
    _returns_out(r, out)
    _same(out, a * b + 1)


def test_out_strided_view():
    a = np.arange(5.0)
    base = np.zeros(10)
    out = base[::2]
    r = hl.evaluate("a * 2", out=out)
    _returns_out(r, out)
    np.testing.assert_array_equal(base, [0, 0, 2, 0, 4, 0, 6, 0, 8, 0])


def test_out_2d_fortran():
    a = np.arange(12.0).reshape(3, 4)
    out = np.zeros((3, 4), order="F")
    _returns_out(hl.evaluate("a - 1", out=out), out)
    _same(out, a - 1)


def test_out_float32_from_float64_same_kind():
    a = np.linspace(0, 1, 5)
    out = np.zeros(5, np.float32)
    _returns_out(hl.evaluate("a * 3", out=out), out)
    np.testing.assert_allclose(out, (a * 3).astype(np.float32), rtol=1e-7)


def test_out_with_another_shape_raises():
    a = np.arange(5.0)
    with pytest.raises(ValueError):
        hl.evaluate("a + 1", out=np.zeros(3))
    with pytest.raises(ValueError):
        hl.evaluate("a + 1", out=np.zeros((5, 2)))


def test_out_larger_than_the_result_raises():
    a = np.arange(5.0)  # noqa: F841
    with pytest.raises(ValueError):
        hl.evaluate("a + 1", out=np.zeros((2, 5)))


def test_out_of_another_kind_raises():
    a = np.arange(5.0)
    out = np.zeros(5, np.int64)
    with pytest.raises(Exception):  # noqa: B017 - numexpr: TypeError; same_kind forbids it
        hl.evaluate("a + 0.5", out=out)
    np.testing.assert_array_equal(out, 0)  # nothing written


def test_out_must_be_an_array():
    a = np.arange(3.0)  # noqa: F841
    with pytest.raises(TypeError):
        hl.evaluate("a + 1", out=[0.0, 0.0, 0.0])


def test_out_zero_d_for_a_reduction():
    a = np.arange(5.0)  # noqa: F841
    out = np.zeros(())
    _returns_out(hl.evaluate("sum(a)", out=out), out)
    assert out[()] == 10.0


@needs_numexpr
def test_out_like_numexpr():
    a = np.linspace(-2, 2, 9)
    b = np.linspace(3, 4, 9)
    out_hl = np.empty(9)
    out_ne = np.empty(9)
    hl.evaluate("a*b-4.1*a", out=out_hl)
    ne.evaluate("a*b-4.1*a", out=out_ne)
    _same(out_hl, out_ne)


def test_out_aliases_an_input():
    """Elementwise: writing into an operand is the in-place update numexpr users write."""
    a = np.arange(8.0)
    expected = a * 2 + 1
    _returns_out(hl.evaluate("a * 2 + 1", out=a), a)
    _same(a, expected)


# ------------------------------------------------------------------------------ re_evaluate
def test_re_evaluate_with_changed_locals():
    a = np.arange(5.0)
    b = np.ones(5)
    _same(hl.evaluate("2*a + 3*b"), 2 * a + 3)
    a = np.full(5, 10.0)
    b = np.zeros(5)
    _same(hl.re_evaluate(), np.full(5, 20.0))


def test_re_evaluate_with_local_dict():
    hl.evaluate("x * y", local_dict={"x": np.arange(3.0), "y": 2.0})
    _same(hl.re_evaluate(local_dict={"x": np.ones(3), "y": 5.0}), np.full(3, 5.0))


def test_re_evaluate_with_out():
    a = np.arange(4.0)
    out = np.zeros(4)
    hl.evaluate("a + 1", out=out)
    a = np.full(4, 7.0)  # noqa: F841 - read by re_evaluate through the frame
    r = hl.re_evaluate()
    assert np.shares_memory(r, out)
    _same(out, np.full(4, 8.0))
    _same(r, np.full(4, 8.0))


def test_re_evaluate_returns_out_itself():
    a = np.arange(4.0)  # noqa: F841
    out = np.zeros(4)
    hl.evaluate("a + 1", out=out)
    assert hl.re_evaluate() is out


@needs_numexpr
def test_re_evaluate_like_numexpr():
    a = np.arange(6.0)
    ne.evaluate("a**2 + 1")
    hl.evaluate("a**2 + 1")
    a = np.linspace(-1, 1, 6)
    _same(hl.re_evaluate(), ne.re_evaluate())


# ------------------------------------------------------------------------------- validate
def test_validate_returns_none_when_fine():
    a = np.arange(3.0)  # noqa: F841
    b = np.arange(3.0)  # noqa: F841
    assert hl.validate("2*a + 3*b") is None


def test_validate_then_re_evaluate():
    """numexpr's pattern: validate() compiles, re_evaluate() runs."""
    a = np.arange(4.0)
    assert hl.validate("a * 3") is None
    _same(hl.evaluate("a * 3"), a * 3)


@pytest.mark.parametrize("expr, exc", [
    ("a +", SyntaxError),
    ("foo(a)", ValueError),
    ("zz_undefined * 2", KeyError),
    ("__import__('os')", ValueError),
    ("a.__class__", ValueError),
    (3, TypeError),
])
def test_validate_returns_the_exception(expr, exc):
    a = np.arange(3.0)  # noqa: F841
    e = hl.validate(expr)
    assert isinstance(e, exc), repr(e)


def test_validate_returns_a_type_error():
    a = np.ones(3)  # noqa: F841
    b = np.ones(3)  # noqa: F841
    e = hl.validate("a ^ b")  # '^' of floats: evaluate() raises CompileError
    assert e is not None


@needs_numexpr
def test_validate_like_numexpr():
    a = np.arange(3.0)  # noqa: F841
    assert ne.validate("a * 2") is None and hl.validate("a * 2") is None
    assert isinstance(ne.validate("a +"), SyntaxError)
    assert isinstance(hl.validate("a +"), SyntaxError)


# ----------------------------------------------------------------------------- reductions
REDUCTION_ARRAYS = {
    "float64": np.linspace(-2.0, 3.0, 11),
    "float32": np.linspace(-2.0, 3.0, 11).astype(np.float32),
    "int64": np.arange(-5, 6, dtype=np.int64),
    "int32": np.arange(1, 9, dtype=np.int32),
}


@pytest.mark.parametrize("dtype", list(REDUCTION_ARRAYS))
@pytest.mark.parametrize("expr", ["sum(a*b)", "sum(a)", "prod(a)", "min(a)", "max(a)",
                                  "sum(a*2+b)", "prod(b - a)", "min(a*b)", "max(-a)"])
def test_reductions(expr, dtype):
    a = REDUCTION_ARRAYS[dtype]
    values = {"a": a, "b": a[::-1].copy()}
    expected = np.asarray(numpy_eval(expr, values))
    got = hl_eval(expr, values)
    assert got.ndim == 0
    # the value (the dtype of 0-d results: see test_random_expressions::test_zero_d_result_dtype)
    assert got.dtype.kind == expected.dtype.kind
    rtol = 1e-6 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got, expected, rtol=rtol)


@pytest.mark.parametrize("layout", ["C", "F", "step2", "rev"])
@pytest.mark.parametrize("fn", ["sum", "prod", "min", "max"])
@pytest.mark.parametrize("axis", [0, 1])
def test_reductions_along_an_axis(fn, axis, layout):
    base = np.arange(1.0, 25.0).reshape(4, 6) / 7.0
    a = {"C": base, "F": np.asfortranarray(base), "step2": np.arange(1.0, 97.0).reshape(8, 12)[::2, ::2] / 7.0,
         "rev": base[::-1, ::-1]}[layout]
    got = hl.evaluate(f"{fn}(a, axis={axis})")
    expected = getattr(np, fn)(a, axis=axis)
    _same(got, expected)
    got = hl.evaluate(f"{fn}(a * 2 - 1, axis={axis})")
    # float sums are reordered into partial sums (as NumPy's pairwise sum reorders them, but
    # not identically): a sum that cancels to 0 may come out at the terms' rounding level
    slack = 4 * np.finfo(np.float64).eps * np.sum(np.abs(a * 2 - 1), axis=axis) if fn == "sum" else 0.0
    np.testing.assert_allclose(got, getattr(np, fn)(a * 2 - 1, axis=axis), rtol=1e-12, atol=np.max(slack))


@needs_numexpr
@pytest.mark.parametrize("expr", ["sum(a*b)", "prod(a)", "sum(a, axis=0)", "sum(a, axis=1)",
                                  "prod(a, axis=1)", "min(a)", "max(a)", "min(a, axis=0)"])
def test_reductions_like_numexpr(expr):
    a = np.arange(1.0, 13.0).reshape(3, 4) / 3.0
    b = np.linspace(0.5, 1.5, 12).reshape(3, 4)
    _same(hl.evaluate(expr), ne.evaluate(expr))


def test_reduction_of_empty_arrays():
    a = np.zeros(0)
    _same(hl.evaluate("sum(a)"), 0.0)
    _same(hl.evaluate("prod(a)"), 1.0)
    e = np.zeros((0, 3))
    _same(hl.evaluate("sum(e, axis=0)"), np.zeros(3))
    _same(hl.evaluate("sum(e, axis=1)"), np.zeros(0))


@pytest.mark.parametrize("fn", ["min", "max"])
def test_min_max_of_empty_raise(fn):
    """docs/semantics.md: min/max of an empty array raise ValueError, as in NumPy."""
    a = np.zeros(0)  # noqa: F841
    with pytest.raises(ValueError):
        hl.evaluate(f"{fn}(a)")


def test_reduction_with_nan():
    a = np.array([1.0, np.nan, 3.0])
    assert np.isnan(hl.evaluate("sum(a)"))
    assert np.isnan(hl.evaluate("min(a)"))
    assert np.isnan(hl.evaluate("max(a)"))


@pytest.mark.parametrize("expr", ["sin(sum(a))", "sum(sum(a))", "where(a > 0, sum(a), a)"])
def test_reduction_inside_a_call_is_rejected(expr):
    """numexpr allows a reduction only as the outermost operation."""
    a = np.arange(3.0)  # noqa: F841
    with pytest.raises((ValueError, TypeError, NotImplementedError, hl.CompileError)):
        hl.evaluate(expr)


def test_reduction_inside_an_operator_is_computed():
    """hotloop (not numexpr, which raises) also accepts a reduction as an operand."""
    a = np.arange(4.0)
    _same(hl.evaluate("sum(a) + 1"), np.sum(a) + 1)
    _same(hl.evaluate("a - max(a)"), a - np.max(a))


def test_reduction_bad_axis_is_rejected():
    a = np.arange(3.0)  # noqa: F841
    for expr in ("sum(a, axis=a)", "sum(a, foo=0)", "sin(a, axis=0)"):
        with pytest.raises((ValueError, TypeError)):
            hl.evaluate(expr)


# ----------------------------------------------------------------- scalar-only expressions
@pytest.mark.parametrize("expr, expected", [
    ("2*3+1", 7), ("1.5*2", 3.0), ("2**10", 1024), ("3 > 2", True), ("sqrt(16.0)", 4.0),
    ("where(True, 1.5, 2.5)", 1.5), ("-7 % 3", 2), ("7 / 2", 3.5), ("1 / 0", np.inf),
])
def test_scalar_only_expression_is_a_0d_array(expr, expected):
    got = hl.evaluate(expr)
    assert isinstance(got, np.ndarray) and got.shape == ()
    assert got.dtype.kind == np.asarray(expected).dtype.kind
    assert got[()] == expected


def test_scalar_operands_give_a_0d_array():
    x = 3.0
    y = 4
    got = hl.evaluate("x * y + 1")
    assert isinstance(got, np.ndarray) and got.shape == () and got[()] == 13.0
    got = hl.evaluate("x", local_dict={"x": np.float64(2.5)})
    assert isinstance(got, np.ndarray) and got.shape == () and got[()] == 2.5
    got = hl.evaluate("x + 1", local_dict={"x": np.array(2.5)})
    assert isinstance(got, np.ndarray) and got.shape == () and got[()] == 3.5


@needs_numexpr
@pytest.mark.parametrize("expr", ["2*3+1", "1.5*2", "3 > 2", "sqrt(16.0)", "7 / 2"])
def test_scalar_only_like_numexpr(expr):
    got, ref = hl.evaluate(expr), ne.evaluate(expr)
    assert got.shape == ref.shape == ()
    assert got[()] == ref[()]


# ------------------------------------------------------ worked examples: numexpr's user guide
@needs_numexpr
@pytest.mark.parametrize("expr", [
    "2*a+3*b",
    "a*b-4.1*a > 2.5*b",
    "sin(a)**2+cos(b)**2",
    "where(a>0.5, a, b)",
    "2*a**3+b",
    "(a > 0.2) & (b < 0.7) | ~(a > b)",
    "arctan2(a, b) + hypot(a, b)",
    "a + 1 > b + 2",
    "exp(-a) * log1p(b) - expm1(a) / (1 + b)",
    "abs(a - b) + sign(a - 0.5)",
    "copysign(a, b - 0.5) * fmod(a * 7, 0.3)",
    "maximum(a, b) - minimum(a, b)",
    "isnan(a / (b - b))",
])
@pytest.mark.parametrize("n", [0, 1, 10, 1000, 4097])
def test_user_guide_examples(expr, n):
    rng = np.random.default_rng(n)
    a = rng.random(n)
    b = rng.random(n)
    with np.errstate(all="ignore"):
        expected = ne.evaluate(expr)
        got = hl.evaluate(expr)
        oracle = np.asarray(numpy_eval(expr, {"a": a, "b": b}))
    assert got.dtype == expected.dtype == oracle.dtype
    # the terms are O(1): an absolute tolerance for results that cancel to near 0
    _same(got, expected, rtol=1e-12, atol=1e-14)
    _same(got, oracle, rtol=1e-12, atol=1e-14)


@needs_numexpr
def test_user_guide_broadcasting_and_strides():
    a = np.arange(12.0).reshape(3, 4)[:, ::2]
    b = np.arange(2.0)
    c = np.arange(3.0).reshape(3, 1)
    expr = "a*b + c"
    got = hl.evaluate(expr)
    _same(got, ne.evaluate(expr))
    _same(got, a * b + c)


@needs_numexpr
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_seed_polynomial(dtype):
    x = np.linspace(-1.5, 1.5, 1001).astype(dtype)
    expr = "x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8"
    got = hl.evaluate(expr)
    expected = x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8
    assert got.dtype == expected.dtype
    # near x = -1 the eight terms cancel: an absolute tolerance on the terms' scale
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * 30)
    np.testing.assert_allclose(got, ne.evaluate(expr), rtol=tol, atol=tol * 30)


def _laplacian(grid, out):
    np.copyto(out, grid)
    out *= -4
    out += np.roll(grid, +1, 0)
    out += np.roll(grid, -1, 0)
    out += np.roll(grid, +1, 1)
    out += np.roll(grid, -1, 1)


@needs_numexpr
def test_seed_diffusion_update():
    """The numexpr diffusion step: ``evaluate("next_grid*D*dt+grid", out=next_grid)``."""
    n = 64
    grid0 = np.zeros((n, n))
    grid0[n // 4: 3 * n // 4, n // 4: 3 * n // 4] = 0.005
    D = 1.0  # noqa: N806 - the seed's names
    dt = 0.1
    results = {}
    for name, engine in (("hotloop", hl.evaluate), ("numexpr", ne.evaluate), ("numpy", None)):
        grid = grid0.copy()
        next_grid = np.zeros_like(grid)
        for _ in range(20):
            _laplacian(grid, next_grid)
            if engine is None:
                next_grid = next_grid * D * dt + grid
            else:
                r = engine("next_grid*D*dt+grid", out=next_grid)
                _returns_out(r, next_grid)
            grid, next_grid = next_grid, grid
        results[name] = grid
    _same(results["hotloop"], results["numpy"])
    _same(results["hotloop"], results["numexpr"])


# ------------------------------------------------------------------- arguments and options
def test_order_and_casting_are_accepted():
    a = np.arange(3.0)
    for order in ("K", "A", "C", "F"):
        _same(hl.evaluate("a + 1", order=order), a + 1)
    for casting in ("no", "equiv", "safe", "same_kind", "unsafe"):
        _same(hl.evaluate("a + 1", casting=casting), a + 1)
    with pytest.raises(ValueError):
        hl.evaluate("a + 1", order="X")
    with pytest.raises(ValueError):
        hl.evaluate("a + 1", casting="sometimes")


def test_whitespace_around_the_expression():
    a = np.arange(3.0)
    _same(hl.evaluate("  a * 2 \n"), a * 2)


def test_real_and_imag_attributes():
    a = np.arange(3.0)
    _same(hl.evaluate("a.real + 1"), a + 1)
    _same(hl.evaluate("a.imag"), np.zeros(3))


@needs_numexpr
def test_complex_literal():
    a = np.arange(3.0)
    got = hl.evaluate("a + 1j")
    assert got.dtype == np.complex128
    np.testing.assert_array_equal(got, a + 1j)
    np.testing.assert_array_equal(got, ne.evaluate("a + 1j"))
