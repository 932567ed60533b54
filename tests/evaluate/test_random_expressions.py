"""Random numexpr expressions: ``hl.evaluate`` against NumPy evaluating the same text.

A hypothesis strategy draws 1-3 operands (``a``, ``b``, ``c``), each with a dtype (bool, int32,
int64, float32, float64) and a form (a Python scalar, a NumPy scalar, a 0-d array, a 1-D or a
2-D array in a layout: contiguous, ``[::2]``, ``[::-1]`` or transposed), then a well-typed
expression of depth <= 3 over them built from numexpr's operators and functions. Each
expression (compiled once per operand types) is then evaluated on several sets of values:
broadcasting shapes ((m, n), (m, 1), (1, n), (n,), (1,), sides 0 included) and values with
NaN, +-inf, +-0, the integer extremes and 0 as a divisor.

The oracle is ``eval`` of the same text with numexpr's names bound to NumPy's functions
(the test generates the strings itself), with ``x ** 0.5`` as NumPy's ``**`` (``sqrt``) and
any other ``x ** y`` as ``np.power`` minus NumPy's ``sqrt`` short-cut for an exponent operand
equal to 0.5 (``conftest.c_power``). Results must agree in
shape, dtype and value, NaN equal to NaN; floats to rtol = atol = 1e-12 (float64), or 1e-6
when a float32 operand takes part, plus an allowance for ill-conditioned elements, measured
by evaluating NumPy again in long double (see `check_expression`). About 300 expressions x 12 value sets run per session
(``HOTLOOP_TEST_EXAMPLES_SCALE=10``: a soak run).

Typing rules of the generator (type-correct numexpr, and NumPy semantics on both sides):

* arithmetic (+ - * / ** %, unary -) on numbers only; & | ~ on bool or integers; comparisons
  on numbers; math functions on numbers; ``where(bool, x, y)``.
* every operator and function node has at least one *strong* operand (an array, a NumPy
  scalar, or a node built from one; for where(), a branch). Operations between Python scalars
  alone follow Python's rules in NumPy's evaluation (``1/0`` raises, ints do not wrap,
  ``~True == -2``), which is not what a numexpr expression means; hotloop computes them with
  ``error_model="numpy"`` (docs/semantics.md). ``test_api.py`` covers scalar-only expressions.
* ``int ** int`` uses a constant exponent 0..3, or (rarely) any integer expression: a
  negative exponent then raises ValueError in NumPy, and hotloop must raise it too (where the
  result is not empty).
* the arguments whose sign bit is read (copysign()'s second, signbit()'s) are operands or
  constants: the sign of a NaN made by arithmetic is unspecified.

Known deviations of hotloop, each pinned by a test at the end of this file and kept out of
the generator so that the random test checks everything else: ``sign(-0.0)``, where()
computing one branch only, which zero maximum()/minimum() pick from -0.0 and +0.0, and
functions of Python scalars alone (NumPy computes them strong; operators between Python
scalars follow Python in NumPy's evaluation, see above).
"""

from __future__ import annotations

import contextlib
import importlib
import math
import re
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .conftest import NP_FUNCS, SETTINGS, c_power, hl_eval, numpy_eval, scaled

DTYPES = ("bool", "int32", "int64", "float32", "float64")
KIND = {"bool": "b", "int32": "i", "int64": "i", "float32": "f", "float64": "f"}
PY_TYPE = {"bool": bool, "int64": int, "float64": float}  # dtypes a Python scalar can carry
FORMS = ("py", "np0", "arr0", "1d", "2d")
LAYOUTS = {"1d": ("C", "step2", "rev"), "2d": ("C", "step2", "rev", "T")}
MAX_DEPTH = 3
VALUE_SETS = 12  # value sets evaluated per drawn expression (one compilation each)


# ----------------------------------------------------------------------------------- operands
@dataclass(frozen=True)
class Operand:
    name: str
    dtype: str
    form: str
    layout: str = "C"

    @property
    def kind(self):
        return KIND[self.dtype]

    @property
    def strong(self):
        """A NumPy value (array or scalar); Python scalars are weak (NEP 50)."""
        return self.form != "py"


@st.composite
def operand_specs(draw):
    n = draw(st.integers(1, 3))
    ops = []
    for name in "abc"[:n]:
        dtype = draw(st.sampled_from(DTYPES))
        forms = [f for f in FORMS if f != "py" or dtype in PY_TYPE]
        form = draw(st.sampled_from(forms))
        layout = draw(st.sampled_from(LAYOUTS[form])) if form in LAYOUTS else "C"
        ops.append(Operand(name, dtype, form, layout))
    if not any(o.strong for o in ops):  # at least one NumPy value
        o = ops[0]
        ops[0] = Operand(o.name, o.dtype, "1d", "C")
    return tuple(ops)


# ------------------------------------------------------------------------------- expressions
LITERALS = {
    "b": ("True", "False"),
    "i": ("0", "1", "2", "3", "7", "(-2)"),
    "f": ("0.0", "0.5", "1.5", "2.0", "(-1.0)", "0.001", "10000000000.0"),
}
CMP_OPS = ("<", "<=", ">", ">=", "==", "!=")
F_UNARY = ("sqrt", "sin", "cos", "tan", "exp", "log", "log10", "log1p", "expm1")
NUM_PAIRS = {"i": (("i", "i"),), "f": (("f", "f"), ("f", "i"), ("i", "f"))}


class Grammar:
    """Typed productions over the operands. Kinds: 'b' bool, 'i' integer, 'f' float."""

    def __init__(self, operands):
        self.operands = operands
        self.strong_kinds = {o.kind for o in operands if o.strong}

    def strong_ok(self, kind, depth):
        """Can an expression of `kind` and depth <= `depth` contain a strong operand?"""
        if kind in self.strong_kinds:
            return True
        if depth == 0:
            return False
        if kind == "b":  # comparisons, isnan()
            return bool(self.strong_kinds & {"i", "f"})
        if kind == "f":  # sqrt(int), int / int
            return "i" in self.strong_kinds
        return False  # no conversion makes an integer out of a float or a bool

    def strong_args(self, prod, kinds, depth):
        """The indices of the arguments that can be the strong one at `depth`. For where(),
        a branch must be strong: NumPy's where() of a condition and two Python scalars is a
        strong int64/float64 array (see test_function_of_python_scalars_is_strong)."""
        depths = arg_depths(prod, len(kinds), depth)
        return [j for j, k in enumerate(kinds)
                if self.strong_ok(k, depths[j]) and not (prod == "where" and j == 0)]


def arg_depths(prod, n, depth):
    """The depth of each argument. The sign of a NaN made by arithmetic is unspecified
    (NumPy's log(-1.0) is -nan on x86, hotloop's +nan), so the arguments whose sign bit
    is read, copysign()'s second and signbit()'s, are operands or constants: their NaNs are
    the ones the test made."""
    depths = [depth] * n
    if prod == "copysign":
        depths[1] = 0
    if prod == "signbit":
        depths[0] = 0
    return depths


@st.composite
def expression(draw, g, kind, depth, strong):
    """An expression text of result kind `kind`; with `strong`, it holds a strong operand."""
    options = []
    leaves = [o.name for o in g.operands if o.kind == kind and (o.strong or not strong)]
    if leaves:
        options.append("operand")
    if not strong:
        options.append("literal")
    if depth > 0:
        sub = depth - 1
        for prod, arg_kinds in productions(kind):
            if g.strong_args(prod, arg_kinds, sub):
                options.append((prod, arg_kinds))
    assert options, (kind, depth, strong, g.operands)
    choice = draw(st.sampled_from(options))
    if choice == "operand":
        return draw(st.sampled_from(leaves))
    if choice == "literal":
        return draw(st.sampled_from(LITERALS[kind]))
    prod, arg_kinds = choice
    sub = depth - 1
    # every operator / function node has a strong argument (see the module docstring)
    j = draw(st.sampled_from(g.strong_args(prod, arg_kinds, sub)))
    depths = arg_depths(prod, len(arg_kinds), sub)
    args = [draw(expression(g, k, d, i == j)) for i, (k, d) in enumerate(zip(arg_kinds, depths))]
    return render(prod, args, draw)


# ceil/floor/trunc of integers keep the integer dtype in recent NumPy (float64 before)
CEIL_KEEPS_INT = np.ceil(np.arange(2, dtype=np.int32)).dtype.kind == "i"


def productions(kind):
    """(production, argument kinds) pairs giving `kind`."""
    out = []
    if kind == "b":
        for pair in (("i", "i"), ("f", "f"), ("i", "f"), ("f", "i")):
            out.append(("cmp", pair))
        out += [("&", ("b", "b")), ("|", ("b", "b")), ("~", ("b",)),
                ("where", ("b", "b", "b")), ("where", ("b", "b", "b"))]
        for k in ("i", "f"):
            out += [("isnan", (k,)), ("isinf", (k,)), ("isfinite", (k,)), ("signbit", (k,))]
        return out
    for a, b in NUM_PAIRS[kind]:
        out += [("+", (a, b)), ("-", (a, b)), ("*", (a, b)), ("%", (a, b))]
        if kind == "i":
            out += [("maximum", (a, b)), ("minimum", (a, b))]
        else:  # + 0.0: the sign of a zero result (test_maximum_of_signed_zeros)
            out += [("maximum0", (a, b)), ("minimum0", (a, b))]
        out.append(("where", ("b", a, b)))
    out += [("neg", (kind,)), ("abs", (kind,)), ("sign" if kind == "i" else "sign0", (kind,))]
    if kind == "i":
        out += [("&", ("i", "i")), ("|", ("i", "i")), ("~", ("i",)), ("fmod", ("i", "i")),
                ("pow_const", ("i",)), ("pow_const", ("i",)), ("pow_any", ("i", "i"))]
    else:
        for pair in (("f", "f"), ("f", "i"), ("i", "f"), ("i", "i")):
            out += [("/", pair), ("arctan2", pair), ("hypot", pair), ("copysign", pair)]
        for pair in NUM_PAIRS["f"]:
            out += [("**", pair), ("fmod", pair)]
        for k in ("i", "f"):
            out += [(f, (k,)) for f in F_UNARY]
        out += [("ceil", ("f",)), ("floor", ("f",)), ("trunc", ("f",))]
    if kind == "i" and CEIL_KEEPS_INT:
        out += [("ceil", ("i",)), ("floor", ("i",)), ("trunc", ("i",))]
    return out


def render(prod, args, draw):
    if prod == "cmp":
        return f"({args[0]} {draw(st.sampled_from(CMP_OPS))} {args[1]})"
    if prod in ("+", "-", "*", "/", "%", "&", "|", "**"):
        return f"({args[0]} {prod} {args[1]})"
    if prod == "pow_any":
        return f"({args[0]} ** {args[1]})"
    if prod == "pow_const":
        return f"({args[0]} ** {draw(st.sampled_from(('2', '3', '0', '1')))})"
    if prod == "neg":
        return f"(-{args[0]})"
    if prod == "~":
        return f"(~{args[0]})"
    if prod in ("maximum0", "minimum0"):
        # of floats, plus 0.0: maximum(-0.0, 0.0) is NumPy's second argument and hotloop's
        # first (test_maximum_of_signed_zeros); + 0.0 makes either zero +0.0
        return f"({prod[:-1]}({args[0]}, {args[1]}) + 0.0)"
    if prod == "sign0":
        # sign() of a float, plus 0.0: that maps -0.0 to +0.0 (test_sign_of_negative_zero)
        return f"(sign({args[0]}) + 0.0)"
    return f"{prod}({', '.join(args)})"


# ----------------------------------------------------------------------------------- values
F_SPECIAL = (math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e30, -1e-30)


def element_strategy(dtype):
    if dtype == "bool":
        return st.booleans()
    if dtype in ("int32", "int64"):
        info = np.iinfo(dtype)
        return st.one_of(st.integers(-10, 10), st.integers(-10, 10),
                         st.sampled_from((0, 0, 1, -1, int(info.min), int(info.max))))
    width = 32 if dtype == "float32" else 64
    return st.one_of(st.sampled_from(F_SPECIAL),
                     st.floats(-100, 100, width=width),
                     st.floats(-1e6, 1e6, width=width))


def py_scalar_strategy(dtype):
    if dtype == "bool":
        return st.booleans()
    if dtype == "int64":  # weak: must fit the narrowest integer dtype it meets (int32)
        return st.integers(-10, 10)
    return st.one_of(st.sampled_from(F_SPECIAL), st.floats(-100, 100))


def make_layout(base, layout):
    if layout == "C":
        return base
    if layout == "step2":
        return base[(slice(None, None, 2),) * base.ndim]
    if layout == "rev":
        return base[(slice(None, None, -1),) * base.ndim]
    if layout == "T":
        return base.T
    raise AssertionError(layout)


@st.composite
def array_in_layout(draw, dtype, shape, layout):
    if layout == "step2":
        base_shape = tuple(2 * s for s in shape)
    elif layout == "T":
        base_shape = tuple(reversed(shape))
    else:
        base_shape = shape
    base = draw(hnp.arrays(np.dtype(dtype), base_shape, elements=element_strategy(dtype)))
    view = make_layout(base, layout)
    assert view.shape == shape, (view.shape, shape, layout)
    return view


@st.composite
def operand_values(draw, specs):
    """One value per operand; the array shapes broadcast together to (m, n) or (n,)."""
    m = draw(st.sampled_from((3, 1, 2, 4, 0)))
    n = draw(st.sampled_from((4, 1, 3, 5, 0)))
    values = {}
    for o in specs:
        if o.form == "py":
            values[o.name] = PY_TYPE[o.dtype](draw(py_scalar_strategy(o.dtype)))
        elif o.form == "np0":
            values[o.name] = np.dtype(o.dtype).type(draw(element_strategy(o.dtype)))
        elif o.form == "arr0":
            values[o.name] = np.array(draw(element_strategy(o.dtype)), dtype=o.dtype)
        else:
            shapes = [(n,), (1,)] if o.form == "1d" else [(m, n), (m, 1), (1, n)]
            shape = draw(st.sampled_from(shapes))
            values[o.name] = draw(array_in_layout(o.dtype, shape, o.layout))
    return values


@st.composite
def cases(draw):
    specs = draw(operand_specs())
    g = Grammar(specs)
    kinds = [k for k in ("f", "i", "b") if g.strong_ok(k, MAX_DEPTH)]
    kind = draw(st.sampled_from(kinds))
    depth = draw(st.integers(0, MAX_DEPTH)) if draw(st.booleans()) else MAX_DEPTH
    if not g.strong_ok(kind, depth):
        depth = MAX_DEPTH
    expr = draw(expression(g, kind, depth, True))
    return specs, expr


# --------------------------------------------------------------------------------- checking
RTOL = {np.dtype(np.float32): 1e-6, np.dtype(np.float64): 1e-12}


def _is_f32(v):
    return isinstance(v, (np.ndarray, np.generic)) and v.dtype == np.float32


def _widen(v):
    """A float operand as long double (80-bit on x86); integers and bools as they are."""
    if isinstance(v, float):
        return np.longdouble(v)
    if isinstance(v, (np.ndarray, np.generic)) and v.dtype.kind == "f":
        return np.asarray(v, np.longdouble) if isinstance(v, np.ndarray) else np.longdouble(v)
    return v


def _widen_arg(v):
    """A number argument of a float function (sqrt(int), expm1(float64) ...) as long
    double: the functions of values that are not operands (a literal, a where() of one)."""
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return np.longdouble(v)
    if isinstance(v, np.ndarray) and v.dtype.kind in "iuf":
        return v.astype(np.longdouble)
    return v


def _widening(fn):
    def wide(*args):
        return fn(*(_widen_arg(a) for a in args))
    return wide


WIDE_FUNCS = {name: _widening(NP_FUNCS[name])
              for name in (*F_UNARY, "arctan2", "hypot", "copysign")}


def wide_numpy_eval(expr, values):
    """NumPy's result computed in long double: float operands widened, and the float
    functions (and /) of integers computed in long double too. A reference for how much
    the float32/float64 rounding of NumPy's own result matters."""
    try:
        return np.asarray(numpy_eval(expr, {k: _widen(v) for k, v in values.items()},
                                     power=c_power, truediv=_widening(np.true_divide),
                                     funcs=WIDE_FUNCS))
    except (ValueError, TypeError):
        return None


def check_expression(expr, values):
    """hl.evaluate(expr) against NumPy's eval of the same text."""
    try:
        expected = numpy_eval(expr, values, power=c_power)
    except ValueError as e:
        # the one error NumPy raises on generated expressions: integer ** negative integer
        assert "negative integer powers" in str(e), e
        used = [v for name, v in values.items() if re.search(rf"\b{name}\b", expr)]
        if math.prod(np.broadcast_shapes(*(np.shape(v) for v in used))) == 0:
            # NumPy computes `a ** b` on the operands' own shapes before broadcasting to an
            # empty result; the fused loop computes nothing, so it need not raise
            try:
                got = hl_eval(expr, values)
            except ValueError:
                return "raised"
            assert got.size == 0
            return "ok"
        if "where(" in expr:
            # the fused loop computes only the where() branch it selects, which may not
            # raise (test_where_computes_the_selected_branch_only): either is accepted here
            try:
                hl_eval(expr, values)
            except ValueError as e:
                assert "negative integer powers" in str(e), e
            return "raised"
        with pytest.raises(ValueError, match="negative integer powers"):
            hl_eval(expr, values)
        return "raised"
    got = hl_eval(expr, values)
    expected = np.asarray(expected)
    assert isinstance(got, np.ndarray), f"evaluate() returned {type(got).__name__}"
    assert got.shape == expected.shape, f"shape {got.shape}, NumPy {expected.shape}"
    assert got.dtype == expected.dtype, f"dtype {got.dtype}, NumPy {expected.dtype}"
    # Ill-conditioned elements: what follows an intermediate result can amplify a last-bit
    # difference (float32 sin(), exp() ... and float64 pow(), expm1() are not correctly
    # rounded, in NumPy nor in hotloop): exp(exp(exp(1f))) differs by 3.8e-6,
    # int64_min % expm1(1.0), fmod(1e30f, tan(1e30f)) and (0 <= tan(7 ** 70.4)) by
    # everything. NumPy's result against the same expression with its floats widened to long
    # double tells how much rounding matters at each element: floats get four times that
    # much more tolerance, and the elements where NumPy's own rounding error exceeds the
    # tolerance (floats) or changes the value (booleans, integers) are indeterminate at this
    # precision and not compared.
    wide = wide_numpy_eval(expr, values)
    if wide is not None and wide.shape != expected.shape:
        wide = None
    if expected.dtype.kind == "f":
        uses_f32 = any(_is_f32(v) and re.search(rf"\b{name}\b", expr)
                       for name, v in values.items())
        tol = RTOL[np.dtype(np.float32)] if uses_f32 else RTOL[expected.dtype]
        atol = tol
        indeterminate = False
        if wide is not None:
            with np.errstate(all="ignore"):
                err = np.abs(expected.astype(np.longdouble) - wide).astype(np.float64)
                finite = np.isfinite(err)
                err = np.where(finite, err, 0.0)  # overflow, NaN: compared as they are
                atol = tol + 4 * err
                indeterminate = err > tol * (1 + np.abs(wide.astype(np.float64)))
        close = np.isclose(got, expected, rtol=tol, atol=atol, equal_nan=True) | indeterminate
    else:
        close = got == expected
        if wide is not None:
            close |= wide != expected  # indeterminate at this precision
    if not np.all(close):
        bad = ~np.asarray(close)
        raise AssertionError(
            f"values differ at {np.argwhere(bad)[:5].tolist()}: hotloop "
            f"{got[bad][:5].tolist()}, NumPy {expected[bad][:5].tolist()}")
    return "ok"


@settings(SETTINGS, max_examples=scaled(300))
@given(st.data())
def test_random_expression(data):
    specs, expr = data.draw(cases(), label="operands, expression")
    for _ in range(VALUE_SETS):
        values = data.draw(operand_values(specs), label="values")
        check_expression(expr, values)


@contextlib.contextmanager
def optimized_from_the_first_call():
    """evaluate() compiles unoptimized machine code first; this runs the optimized tier."""
    module = importlib.import_module("hotloop.evaluate")
    saved = module.TIER_UP_ELEMENTS
    module.TIER_UP_ELEMENTS = 0
    try:
        yield
    finally:
        module.TIER_UP_ELEMENTS = saved


@settings(SETTINGS, max_examples=scaled(100))
@given(st.data())
def test_random_expression_optimized_tier(data):
    specs, expr = data.draw(cases(), label="operands, expression")
    with optimized_from_the_first_call():
        for _ in range(VALUE_SETS // 3 + 1):
            check_expression(expr, data.draw(operand_values(specs), label="values"))


def test_tier_up_after_enough_elements():
    module = importlib.import_module("hotloop.evaluate")
    a = np.linspace(-3, 3, 1000)
    b = np.cos(a)
    expr = "sum(a * b) + where(a > 0, sin(a), b ** 3)"
    first = hl_eval(expr, {"a": a, "b": b})
    (tiers,) = [t for k, t in module._compiled.items() if k[0] == expr]
    assert tiers._fast is not None and tiers._optimized is None
    for _ in range(module.TIER_UP_ELEMENTS // a.size + 1):
        got = hl_eval(expr, {"a": a, "b": b})
    assert tiers._optimized is not None
    np.testing.assert_array_equal(got, first)  # same IR, same operations: same bits


# ------------------------------------------------------------------- known deviations, pinned
# Each of these is kept out of the generator above; `strict=True` makes a fix show up as an
# XPASS failure, so that the generator can then be widened.
def _cmp(expr, values, expected=None):
    """hl.evaluate against NumPy (or `expected`), with dtype and NaN-aware values."""
    if expected is None:
        expected = np.asarray(numpy_eval(expr, values))
    got = hl_eval(expr, values)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype, f"dtype {got.dtype}, NumPy {expected.dtype}"
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_signbit_of_integers(dtype):
    _cmp("signbit(a)", {"a": np.array([-3, -1, 0, 1], dtype=dtype)})


@pytest.mark.parametrize("value", [np.array([6, -1]), np.int32(6)], ids=["array", "scalar"])
def test_invert_of_isnan_of_integers(value):
    _cmp("~isnan(c)", {"c": value})


@pytest.mark.parametrize("fn", ["isnan", "isinf", "isfinite"])
@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_predicates_of_integers(fn, dtype):
    info = np.iinfo(dtype)
    a = np.array([info.min, -1, 0, 1, info.max], dtype=dtype)
    _cmp(f"{fn}(a)", {"a": a})
    _cmp(f"{fn}(a) | (a > 0)", {"a": a})
    _cmp(f"where({fn}(a), a, 7)", {"a": a})


def test_fmod_of_integers_dtype():
    _cmp("fmod(a, b)", {"a": np.array([7, -7, 7, -7], dtype=np.int32),
                        "b": np.array([3, 3, -3, -3], dtype=np.int32)})


def test_fmod_of_integers_by_zero():
    got = hl_eval("fmod(a, b)", {"a": np.array([7, -7, 0], dtype=np.int64),
                                 "b": np.zeros(3, dtype=np.int64)})
    np.testing.assert_array_equal(got, [0, 0, 0])


def test_fmod_of_integers_values():
    # the values (not the dtype) agree away from a zero divisor
    a = np.array([7, -7, 7, -7, 0, 5], dtype=np.int32)
    b = np.array([3, 3, -3, -3, 4, 5], dtype=np.int32)
    np.testing.assert_array_equal(hl_eval("fmod(a, b)", {"a": a, "b": b}), np.fmod(a, b))


@pytest.mark.parametrize("fn", ["ceil", "floor", "trunc"])
def test_rounding_of_integers_dtype(fn):
    _cmp(f"{fn}(a)", {"a": np.array([-3, 0, 5], dtype=np.int32)})


def test_sign_of_negative_zero():
    _cmp("1 / sign(a)", {"a": np.array([-0.0, 0.0, -2.0])})


@pytest.mark.parametrize("expr, values", [
    ("a + sqrt(2)", {"a": np.ones(3, np.float32)}),
    ("a + maximum(2, 3)", {"a": np.ones(3, np.int32)}),
    ("a + where(b, 1, 2)", {"a": np.ones(3, np.int32), "b": np.array([True, False, True])}),
    ("a + sqrt(c)", {"a": np.ones(3, np.float32), "c": 2.0}),
], ids=["sqrt-literal", "maximum-literals", "where-literals", "sqrt-python-float"])
def test_function_of_python_scalars_is_strong(expr, values):
    _cmp(expr, values)


@pytest.mark.parametrize("value", [np.float32(1.5), np.int32(7), np.array(7, np.int32)],
                         ids=["float32", "int32", "0-d-int32"])
def test_zero_d_result_dtype(value):
    _cmp("a * 2", {"a": value})


def test_pow_zero_keeps_the_error_of_its_base():
    with pytest.raises(ValueError):
        hl_eval("(a ** b) ** 0", {"a": np.array([2, 3]), "b": np.array([-1, 1])})


@pytest.mark.parametrize("fn", ["isnan", "isinf", "isfinite"])
def test_isinf_of_integers_keeps_the_error(fn):
    with pytest.raises(ValueError):
        hl_eval(f"{fn}(c ** c)", {"c": np.array([-10, 2])})


def test_where_computes_the_selected_branch_only():
    """Documented deviation (docs/semantics.md): where() computes, per element, only the
    branch it selects, so a negative integer power in the other one raises nothing; the
    selected elements are NumPy's."""
    a, b = np.array([2, 3, 5]), np.array([-1, 1, 2])
    got = hl_eval("where(b > 0, a ** b, 0)", {"a": a, "b": b})
    np.testing.assert_array_equal(got, np.where(b > 0, a ** np.maximum(b, 0), 0))


def test_pow_half_of_negative_infinity():
    _cmp("a ** 0.5", {"a": np.array([-np.inf, -0.0, 4.0])})


@pytest.mark.parametrize("fn", ["maximum", "minimum"])
def test_maximum_of_signed_zeros(fn):
    a = np.array([-0.0, 0.0, -0.0])
    b = np.array([0.0, -0.0, -0.0])
    _cmp(f"1 / {fn}(a, b)", {"a": a, "b": b})


def test_pow_half():
    """`x ** 0.5` is sqrt(x), as NumPy's operator computes it; an array of exponents uses pow()
    in both; a scalar *operand* equal to 0.5 uses pow() in hotloop (docs/semantics.md)."""
    a = np.array([-np.inf, -0.0, 0.0, 4.0, np.inf, np.nan, -1.0])
    half = np.full(a.shape, 0.5)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(hl_eval("a ** 0.5", {"a": a}), a ** 0.5)
        np.testing.assert_array_equal(hl_eval("a ** b", {"a": a, "b": half}), a ** half)
        np.testing.assert_array_equal(hl_eval("a ** b", {"a": a, "b": 0.5}), np.power(a, half))
