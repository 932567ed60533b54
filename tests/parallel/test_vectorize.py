"""hl.vectorize: genuine numpy.ufunc objects with compiled loops (eager, from signatures)
and the lazy DUFunc. The oracle is a plain Python loop calling the undecorated kernel on
NumPy scalars (so float32 stays float32), and NumPy's own ufunc machinery for the rest."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

hl = pytest.importorskip("hotloop")

SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---- helpers ------------------------------------------------------------------------------

def oracle(py_func, out_dtype, *args):
    """py_func elementwise over the broadcast inputs, on NumPy scalars, into out_dtype."""
    arrays = np.broadcast_arrays(*[np.asarray(a) for a in args])
    out = np.empty(arrays[0].shape, out_dtype)
    for idx in np.ndindex(out.shape):
        out[idx] = py_func(*[a[idx] for a in arrays])
    return out


def assert_same(got, want):
    got = np.asarray(got)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.kind in "fc":
        single = want.dtype in (np.float32, np.complex64)
        np.testing.assert_allclose(got, want, rtol=1e-6 if single else 1e-13, atol=0, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


@st.composite
def strided(draw, dtype, shape, elements):
    """An array of `shape` that is contiguous, or a view with steps of -2..2 per axis."""
    steps = [draw(st.sampled_from([1, 1, 2, -1, -2])) for _ in shape]
    base_shape = tuple(max(1, n * abs(s)) for n, s in zip(shape, steps))
    base = draw(hnp.arrays(dtype, base_shape, elements=elements))
    view = base[tuple(slice(None, None, s) for s in steps)]
    view = view[tuple(slice(0, n) for n in shape)]
    assert view.shape == tuple(shape)
    return view


FLOATS = st.floats(-1e3, 1e3, allow_nan=False, width=64)
SMALL_INTS = st.integers(-1000, 1000)


def poly(x, y):
    return x * y - 3.0 * x + y / 7.0


def branchy(x, y):
    if x > y:
        return x - y
    return x * 0.5 + y


def int_mix(a, b):
    return (a * 3 + b) % 7 - a // 5


# ---- a genuine ufunc ----------------------------------------------------------------------

def test_returns_a_numpy_ufunc():
    @hl.vectorize(["float64(float64, float64)"])
    def add(a, b):
        """Adds."""
        return a + b

    assert isinstance(add, np.ufunc)
    assert add.__name__ == "add"
    assert (add.nin, add.nout, add.nargs, add.ntypes) == (2, 1, 3, 1)
    assert add.types == ["dd->d"]
    assert add.signature is None
    assert "Adds." in add.__doc__
    assert add(1.0, 2.0) == 3.0
    # hotloop's additions: the kernel, and the compiled loops for inspection.
    assert add.py_func(1.0, 2.0) == 3.0
    (driver,) = add.hotloop_drivers
    assert len(driver.signatures) == 2             # the contiguous and the strided loop
    assert "float64[::1]" in driver.signatures[0]
    assert isinstance(driver.inspect_asm(driver.signatures[0]), str)


@pytest.mark.parametrize("sigs", [
    "float64(float64, float64)",
    ["float64(float64, float64)"],
    "(float64, float64)",                                 # return type inferred
    hl.float64(hl.float64, hl.float64),                   # type objects
    [hl.float64(hl.float64, hl.float64), hl.int64(hl.int64, hl.int64)],
    ["f8(f8, f8)"],
])
def test_signature_forms(sigs):
    f = hl.vectorize(sigs)(poly)
    assert isinstance(f, np.ufunc)
    assert "dd->d" in f.types
    x = np.linspace(-5, 5, 11)
    assert_same(f(x, x[::-1]), oracle(poly, np.float64, x, x[::-1]))


@SETTINGS
@given(st.data())
def test_broadcasting_and_strides_match_python(data):
    f = _poly_ufunc()
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=5))
    a, b = (data.draw(strided(np.float64, s, FLOATS)) for s in shapes.input_shapes)
    assert_same(f(a, b), oracle(poly, np.float64, a, b))


@SETTINGS
@given(st.data())
def test_branches_float32_match_python(data):
    f = _branchy_ufunc()
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=6))
    a, b = (data.draw(strided(np.float32, s, st.floats(-100, 100, width=32))) for s in shapes.input_shapes)
    got = f(a, b)
    assert got.dtype == np.float32
    assert_same(got, oracle(branchy, np.float32, a, b))


@SETTINGS
@given(st.data())
def test_integers_match_python(data):
    f = _int_ufunc()
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=6))
    a, b = (data.draw(strided(np.int64, s, SMALL_INTS)) for s in shapes.input_shapes)
    assert_same(f(a, b), oracle(int_mix, np.int64, a, b))


_cache = {}


def _poly_ufunc():
    if "poly" not in _cache:
        _cache["poly"] = hl.vectorize(["float64(float64, float64)"])(poly)
    return _cache["poly"]


def _branchy_ufunc():
    if "branchy" not in _cache:
        _cache["branchy"] = hl.vectorize(["float32(float32, float32)", "float64(float64, float64)"])(branchy)
    return _cache["branchy"]


def _int_ufunc():
    if "int" not in _cache:
        _cache["int"] = hl.vectorize(["int64(int64, int64)"])(int_mix)
    return _cache["int"]


def test_large_arrays_contiguous_strided_and_broadcast():
    # Bigger than the loop's chunk: the contiguous driver, the strided one and the
    # expanded-broadcast path over several chunks.
    f = _poly_ufunc()
    rng = np.random.default_rng(0)
    x = rng.standard_normal(50_001)
    y = rng.standard_normal(50_001)
    assert_same(f(x, y), poly(x, y))
    assert_same(f(x[::3], y[::-3]), poly(x[::3], y[::-3]))
    assert_same(f(x, 2.5), poly(x, 2.5))
    assert_same(f(-1.5, y), poly(-1.5, y))
    m = rng.standard_normal((300, 200))
    assert_same(f(m.T, m[:, :1].T), poly(m.T, m[:, :1].T))


def test_out_argument():
    f = _poly_ufunc()
    x = np.arange(10.0)
    out = np.full(10, -1.0)
    r = f(x, 2.0, out=out)
    assert r is out
    assert_same(out, poly(x, 2.0))
    out2 = np.zeros(20)[::2]                     # a strided out
    f(x, x, out=out2)
    assert_same(out2, poly(x, x))
    out3 = np.zeros(10, np.float32)              # same_kind cast into out, as NumPy does
    f(x, x, out=(out3,))
    assert_same(out3, poly(x, x).astype(np.float32))
    with pytest.raises(TypeError):              # float64 -> int64 is not same_kind
        f(x, x, out=np.zeros(10, np.int64))


def test_in_place_output():
    f = _poly_ufunc()
    x = np.linspace(-3, 3, 9000)
    want = poly(x, 0.5)
    f(x, 0.5, out=x)
    assert_same(x, want)


def test_where():
    f = _poly_ufunc()
    x = np.arange(6.0)
    out = np.zeros(6)
    f(x, x, out=out, where=x > 2)
    assert_same(out, np.where(x > 2, poly(x, x), 0.0))


def test_empty_and_zero_dimensional():
    f = _poly_ufunc()
    assert f(np.empty(0), np.empty(0)).shape == (0,)
    assert f(np.empty((0, 3)), 1.0).shape == (0, 3)
    r = f(np.float64(2.0), 3.0)
    assert isinstance(r, np.float64) and r == poly(2.0, 3.0)
    r = f(np.array(2.0), np.array(3.0))
    assert isinstance(r, np.float64) and r == poly(2.0, 3.0)
    assert f(2, 3) == poly(2.0, 3.0)


def test_dtype_dispatch_across_signatures():
    @hl.vectorize(["int64(int64)", "float32(float32)", "float64(float64)", "complex128(complex128)"])
    def twice(x):
        return x + x

    assert twice.types == ["l->l", "f->f", "d->d", "D->D"]
    assert twice(np.arange(3, dtype=np.int64)).dtype == np.int64
    assert twice(np.ones(3, np.float32)).dtype == np.float32
    assert twice(np.ones(3)).dtype == np.float64
    assert twice(np.ones(3, np.complex128) * 1j)[0] == 2j
    # No exact loop: NumPy picks the first loop the input casts to safely.
    for dt in [np.int8, np.int32, np.uint32, np.uint64, np.float16, np.bool_, np.complex64]:
        x = np.ones(3, dt)
        want = next(np.dtype(t[0]) for t in twice.types if np.can_cast(dt, t[0], "safe"))
        got = twice(x)
        assert got.dtype == want, (dt, got.dtype, want)
        assert_same(got, (x.astype(want) + x.astype(want)))


def test_loop_selection_is_numpys():
    @hl.vectorize(["float64(float64)", "int64(int64)"])
    def inc(x):
        return x + 1

    # NumPy registers every loop by its dtypes: an exact match wins whatever the order ...
    assert inc(np.arange(3)).dtype == np.int64
    assert inc(np.ones(3)).dtype == np.float64
    # ... otherwise its linear search takes the first loop the inputs cast to safely.
    assert inc(np.arange(3, dtype=np.int32)).dtype == np.float64
    assert inc(np.arange(3), signature="l->l").dtype == np.int64
    assert inc(np.arange(3), dtype=np.float64).dtype == np.float64


def test_no_loop_for_dtype_raises_numpys_error():
    f = _poly_ufunc()
    with pytest.raises(TypeError, match="not supported for the input types"):
        f(np.ones(3, np.complex128), 1.0)


def test_bool_and_mixed_signatures():
    @hl.vectorize(["bool(float64, float64)"])
    def close(a, b):
        return abs(a - b) < 0.5

    assert_same(close(np.array([1.0, 2.0, 3.0]), 2.2), np.array([False, True, False]))

    @hl.vectorize(["float64(int64, float64)"])
    def scale(n, x):
        return n * x

    assert scale.types == ["ld->d"]
    assert_same(scale(np.arange(4), 0.5), np.arange(4) * 0.5)

    @hl.vectorize(["int32(float64)"])
    def trunc(x):
        return x

    assert_same(trunc(np.array([1.7, -2.7, 3.2])), np.array([1, -2, 3], np.int32))


# ---- reductions -----------------------------------------------------------------------------

def test_reduce_and_accumulate_with_identity():
    @hl.vectorize(["int64(int64, int64)", "float64(float64, float64)"], identity=0)
    def add(a, b):
        return a + b

    assert add.identity == 0
    x = np.arange(1, 11)
    assert add.reduce(x) == 55
    assert_same(add.accumulate(x), np.cumsum(x))
    m = np.arange(12.0).reshape(3, 4)
    assert_same(add.reduce(m, axis=0), m.sum(axis=0))
    assert_same(add.reduce(m, axis=1), m.sum(axis=1))
    assert_same(add.reduce(m, axis=None), np.float64(m.sum()))
    assert_same(add.accumulate(m, axis=1), np.cumsum(m, axis=1))
    assert_same(add.reduceat(np.arange(8), [0, 4, 6]), np.add.reduceat(np.arange(8), [0, 4, 6]))
    assert_same(add.outer(np.arange(3), np.arange(4)), np.add.outer(np.arange(3), np.arange(4)))
    # Empty reductions give the identity.
    assert add.reduce(np.arange(0)) == 0
    assert add.reduce(np.empty(0)) == 0.0
    assert_same(add.reduce(np.empty((0, 3)), axis=0), np.zeros(3))


def test_identity_one_and_none_and_reorderable():
    def mul(a, b):
        return a * b

    prod = hl.vectorize(["float64(float64, float64)"], identity=1)(mul)
    assert prod.identity == 1
    assert prod.reduce(np.empty(0)) == 1.0
    assert prod.reduce(np.array([2.0, 3.0, 4.0])) == 24.0

    none = hl.vectorize(["float64(float64, float64)"])(mul)
    assert none.identity is None
    assert none.reduce(np.array([2.0, 3.0])) == 6.0
    with pytest.raises(ValueError):
        none.reduce(np.empty(0))
    with pytest.raises(ValueError):           # not reorderable: one axis at a time
        none.reduce(np.ones((2, 2)), axis=None)

    reord = hl.vectorize(["float64(float64, float64)"], identity="reorderable")(mul)
    assert reord.reduce(np.full((2, 3), 2.0), axis=None) == 64.0
    with pytest.raises(ValueError):
        reord.reduce(np.empty(0))


def test_reduce_unary_is_numpys_error():
    f = hl.vectorize(["float64(float64)"])(lambda x: x + 1)
    with pytest.raises(ValueError, match="binary"):
        f.reduce(np.ones(3))


def test_accumulate_large_matches_cumsum():
    # accumulate hands the loop overlapping input/output: it must run in order.
    for target in ("cpu", "parallel"):
        add = hl.vectorize(["float64(float64, float64)"], identity=0, target=target)(lambda a, b: a + b)
        x = np.random.default_rng(1).standard_normal(20_000)
        assert_same(add.accumulate(x), np.cumsum(x))
        assert np.isclose(add.reduce(x), x.sum())


# ---- __array_ufunc__ --------------------------------------------------------------------------

class Duck:
    """A minimal duck array that takes over every ufunc."""

    def __init__(self, a):
        self.a = np.asarray(a)
        self.calls = []

    @property
    def dtype(self):
        return self.a.dtype

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        self.calls.append((ufunc, method))
        inputs = [x.a if isinstance(x, Duck) else x for x in inputs]
        return Duck(getattr(ufunc, method)(*inputs, **kwargs))


class Tagged(np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = [x.view(np.ndarray) if isinstance(x, Tagged) else x for x in inputs]
        result = getattr(ufunc, method)(*inputs, **kwargs)
        return ("tagged", ufunc.__name__, method, result)


def test_array_ufunc_overrides_are_honoured():
    f = _poly_ufunc()
    d = Duck([1.0, 2.0])
    r = f(d, 3.0)
    assert isinstance(r, Duck) and d.calls == [(f, "__call__")]
    assert_same(r.a, poly(np.array([1.0, 2.0]), 3.0))
    r = f.reduce(d)
    assert d.calls[-1] == (f, "reduce")
    t = np.arange(3.0).view(Tagged)
    tag, name, method, result = f(t, 1.0)
    assert (tag, name, method) == ("tagged", "poly", "__call__")
    assert_same(result, poly(np.arange(3.0), 1.0))


# ---- the lazy DUFunc ---------------------------------------------------------------------------

def test_lazy_compiles_per_dtype_on_first_call():
    @hl.vectorize
    def f(x, y):
        return x * 2 + y

    assert isinstance(f, hl.DUFunc) and isinstance(f.ufunc, np.ufunc)
    assert (f.nin, f.nout, f.ntypes, f.types) == (2, 1, 0, [])
    assert f.__name__ == "f"
    assert_same(f(np.arange(3), np.arange(3)), np.arange(3) * 3)
    assert f.types == ["ll->l"]
    first = f.ufunc
    assert_same(f(np.arange(3), np.arange(3)), np.arange(3) * 3)
    assert f.ufunc is first                       # no new compilation
    assert_same(f(np.ones(2, np.float32), 1.5), np.full(2, 3.5, np.float32))  # weak Python float
    assert f.types == ["ll->l", "ff->f"]
    assert_same(f(np.arange(3), 0.5), np.arange(3) * 2 + 0.5)   # int64 + float -> float64 loop
    assert f.types == ["ll->l", "ff->f", "dd->d"]
    assert f.ntypes == 3


def test_lazy_decorator_forms_and_result_type():
    @hl.vectorize()
    def g(a, b):
        return a / b

    assert isinstance(g, hl.DUFunc)
    assert_same(g(np.arange(1, 4), np.arange(1, 4)), np.ones(3))
    assert g.types == ["ll->d"]                   # the result type from type inference
    f = hl.vectorize(target="parallel", identity=0)(lambda a, b: a + b)
    assert f.identity == 0 and f.target == "parallel"


def test_lazy_reduce_accumulate_outer_at():
    @hl.vectorize(identity=0)
    def add(a, b):
        return a + b

    assert add.reduce(np.arange(5)) == 10
    assert add.reduce(np.empty(0)) == 0.0
    assert_same(add.accumulate(np.arange(5.0)), np.cumsum(np.arange(5.0)))
    assert_same(add.reduceat(np.arange(6), [0, 3]), np.array([3, 12]))
    assert_same(add.outer(np.arange(2), np.arange(3)), np.add.outer(np.arange(2), np.arange(3)))
    a = np.zeros(4, np.int32)
    add.at(a, [0, 0, 2], 5)
    assert_same(a, np.array([10, 0, 5, 0], np.int32))

    @hl.vectorize
    def div(a, b):
        return a / b

    # int64 / int64 -> float64: the reduction runs in float64, as NumPy's true_divide.
    assert div.reduce(np.array([8, 2, 2])) == np.true_divide.reduce(np.array([8, 2, 2]))


def test_lazy_out_where_and_array_ufunc():
    @hl.vectorize
    def f(x):
        return x - 1

    out = np.zeros(3)
    assert f(np.arange(3.0), out=out) is out
    assert_same(out, np.arange(3.0) - 1)
    d = Duck([1, 2, 3])
    r = f(d)
    assert isinstance(r, Duck) and d.calls[0][1] == "__call__"
    assert_same(r.a, np.array([0, 1, 2]))


def test_lazy_float16_uses_float32_and_rejects_object():
    f = hl.vectorize(lambda x: x * 2)
    r = f(np.ones(2, np.float16))
    assert f.types == ["f->f"] and r.dtype == np.float32
    with pytest.raises(TypeError):
        f(np.array(["a"], dtype=object))


def test_lazy_add_and_disable_compile():
    f = hl.vectorize(lambda x: x + 1)
    f.add("float64(float64)")
    assert f.types == ["d->d"]
    f.disable_compile()
    assert_same(f(np.arange(3)), np.arange(1.0, 4.0))   # the float64 loop, by casting
    with pytest.raises(TypeError):
        f(np.ones(2, np.complex128))


# ---- target="parallel" ----------------------------------------------------------------------

@pytest.mark.parametrize("n", [7, 5000, 100_003])
def test_parallel_target_same_results(n):
    par = hl.vectorize(["float64(float64, float64)", "int64(int64, int64)"], target="parallel")(poly)
    ser = hl.vectorize(["float64(float64, float64)", "int64(int64, int64)"])(poly)
    rng = np.random.default_rng(n)
    x, y = rng.standard_normal(n), rng.standard_normal(n)
    for args in [(x, y), (x[::2], y[::-2]), (x, 3.0), (x.reshape(-1, 1)[: n // 2], y[:7])]:
        assert_same(par(*args), ser(*args))
        assert_same(par(*args), poly(*[np.asarray(a) for a in args]))
    out = np.empty(n)
    par(x, y, out=out)
    assert_same(out, poly(x, y))
    par(x, y, out=x)                               # in place
    assert_same(x, out)


# ---- errors and the error model -----------------------------------------------------------

def test_kernel_exception_propagates():
    @hl.vectorize(["float64(float64)"])
    def checked(x):
        if x < 0:
            raise ValueError("negative input")
        return x * 2

    assert_same(checked(np.arange(3.0)), np.arange(3.0) * 2)
    with pytest.raises(ValueError, match="negative input"):
        checked(np.array([1.0, -1.0, 2.0]))
    big = np.ones(50_000)
    big[-1] = -1
    for x in (big, big[::-1], big[::-3], np.ones((50, 60)).T - 2):
        with pytest.raises(ValueError, match="negative input"):
            checked(x)
    with pytest.raises(ValueError, match="negative input"):
        checked(-1.0)
    assert_same(checked(np.arange(3.0)), np.arange(3.0) * 2)   # nothing left pending

    par = hl.vectorize(["float64(float64)"], target="parallel")(_checked)
    with pytest.raises(ValueError, match="negative input"):
        par(big)


def _checked(x):
    if x < 0:
        raise ValueError("negative input")
    return x * 2


def test_kernel_exception_in_reduce_and_lazy():
    @hl.vectorize(["int64(int64, int64)"], identity=0)
    def add_small(a, b):
        if a + b > 100:
            raise OverflowError("too big")
        return a + b

    assert add_small.reduce(np.arange(10)) == 45
    with pytest.raises(OverflowError, match="too big"):
        add_small.reduce(np.arange(100))
    lazy = hl.vectorize(_checked)
    with pytest.raises(ValueError, match="negative input"):
        lazy(np.array([-1, 2]))


def test_assert_in_kernel_propagates():
    @hl.vectorize(["float64(float64)"])
    def positive(x):
        assert x > 0, "must be positive"
        return x

    with pytest.raises(AssertionError, match="must be positive"):
        positive(np.array([1.0, -1.0]))


def test_error_model_numpy_integer_division_by_zero():
    # As Numba's ufuncs (error_model="numpy"): integer division by zero gives 0, float
    # division follows IEEE and NumPy's floating-point error handling (np.errstate).
    @hl.vectorize(["int64(int64, int64)", "float64(float64, float64)"])
    def div(a, b):
        return a // b

    assert_same(div(np.array([7, -7, 5]), np.array([0, 2, 0])), np.array([0, -4, 0]))

    @hl.vectorize(["float64(float64, float64)"])
    def tdiv(a, b):
        return a / b

    with np.errstate(divide="ignore"):
        assert_same(tdiv(np.array([1.0, -1.0]), np.array([0.0, 0.0])), np.array([np.inf, -np.inf]))
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        tdiv(np.array([1.0]), np.array([0.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="warn"), pytest.raises(RuntimeWarning):
            tdiv(np.array([1.0]), np.array([0.0]))

    @hl.vectorize(["int64(int64, int64)"], error_model="python")
    def pydiv(a, b):
        return a // b

    with pytest.raises(ZeroDivisionError):
        pydiv(np.array([1]), np.array([0]))


def test_decoration_errors():
    with pytest.raises(hl.CompileError):
        hl.vectorize(["float64(float64"])(lambda x: x)
    with pytest.raises(TypeError, match="scalars"):
        hl.vectorize(["float64(float64[:])"])(lambda x: x)
    with pytest.raises(TypeError, match="takes 1"):
        hl.vectorize(["float64(float64, float64)"])(lambda x: x)
    with pytest.raises(ValueError, match="target"):
        hl.vectorize(["float64(float64)"], target="cuda")(lambda x: x)
    with pytest.raises(ValueError, match="identity"):
        hl.vectorize(["float64(float64)"], identity=5)(lambda x: x)
    with pytest.raises(TypeError, match="unknown option"):
        hl.vectorize(["float64(float64)"], bogus=True)(lambda x: x)
    with pytest.raises(TypeError, match="returns"):
        hl.vectorize(["float64(float64)"])(_returns_tuple)


def _returns_tuple(x):
    return x, x


def test_kernel_compile_error_points_at_the_kernel():
    def bad(x):
        return x + undefined_name_for_vectorize  # noqa: F821

    with pytest.raises(hl.CompileError) as e:
        hl.vectorize(["float64(float64)"])(bad)
    assert "undefined_name_for_vectorize" in str(e.value)
    assert e.value.function == "bad"
    lazy = hl.vectorize(bad)
    with pytest.raises(hl.CompileError):
        lazy(np.ones(2))


def test_vectorize_over_a_jit_function_and_calls_between_kernels():
    @hl.jit
    def helper(x):
        return x * 10

    @hl.vectorize(["float64(float64)"])
    def uses_helper(x):
        return helper(x) + 1

    assert_same(uses_helper(np.arange(3.0)), np.arange(3.0) * 10 + 1)
    again = hl.vectorize(["float64(float64)"])(helper)
    assert_same(again(np.arange(3.0)), np.arange(3.0) * 10)
