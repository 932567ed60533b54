"""@hl.stencil against a pure-Python oracle that applies the undecorated kernel point by
point (relative indices through a proxy), and against Numba's @stencil where installed:
1-D to 3-D kernels, branches and loops in kernels, scalar and standard_indexing
parameters, neighborhood=, cval=, mode="wrap", out=, arrays smaller than the kernel,
every layout, calls from compiled functions."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import FEW, PYTHON_ONLY, SETTINGS, elements_for, hl, shaped

pytestmark = pytest.mark.skipif(PYTHON_ONLY, reason="hotloop.stencil needs the compiler")


# ---------------------------------------------------------------- the oracle
class _Relative:
    """a[i, j] inside a kernel: the element at the current point plus (i, j)."""

    def __init__(self, array, at, wrap):
        self.array, self.at, self.wrap = array, at, wrap

    def __getitem__(self, rel):
        rel = rel if isinstance(rel, tuple) else (rel,)
        idx = tuple(p + r for p, r in zip(self.at, rel))
        if self.wrap:
            idx = tuple(i % n for i, n in zip(idx, self.array.shape))
        assert all(0 <= i < n for i, n in zip(idx, self.array.shape)), "oracle: outside the array"
        return self.array[idx]


def oracle(kernel, args, extent, mode="constant", cval=0, standard=(), out=None):
    """What the stencil computes: `extent` is ((lo, hi), ...) per dimension."""
    names = kernel.__code__.co_varnames[:kernel.__code__.co_argcount]
    relative = [i for i, (n, a) in enumerate(zip(names, args))
                if isinstance(a, np.ndarray) and n not in standard]
    shape = args[relative[0]].shape
    values = {}
    for at in itertools.product(*(range(n) for n in shape)):
        fits = all(-lo <= i < n - hi for i, n, (lo, hi) in zip(at, shape, extent))
        if mode == "wrap" or fits:
            call = [(_Relative(a, at, mode == "wrap") if i in relative else a) for i, a in enumerate(args)]
            values[at] = kernel(*call)
    if out is None:
        dtype = np.asarray(next(iter(values.values()))).dtype if values else None
        if dtype is None:
            return None  # nothing computed: the dtype is the compiler's to choose
        out = np.full(shape, cval, dtype=dtype)
    for at, v in values.items():
        out[at] = v
    return out


def same(got, want):
    assert got.shape == want.shape
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------- kernels
def lap2(u):
    return u[-1, 0] + u[1, 0] + u[0, -1] + u[0, 1] - 4 * u[0, 0]


def lap3(u):
    return (u[-1, 0, 0] + u[1, 0, 0] + u[0, -1, 0] + u[0, 1, 0] + u[0, 0, -1] + u[0, 0, 1]
            - 6 * u[0, 0, 0])


def branchy(a):
    s = a[-2] + a[-1]
    if s > 0:
        return s
    return a[0] - a[1]


def scaled(a, c):
    return c * (a[0, 1] - a[0, -1])


def two_arrays(a, b):
    return a[0, 1] * b[-1, 0] + a[0, 0]


def weighted(a, w):
    return w[0] * a[-1] + w[1] * a[0] + w[2] * a[1]


def box(a):
    s = a[0] * 0
    for k in range(-2, 3):
        s += a[k]
    return s


def ordered(a):
    return a[0] < a[1]


def corner(u):
    return u[-1, -1] * u[2, 1]


KERNELS = {  # kernel: (ndim, extent, options)
    lap2: (2, ((-1, 1), (-1, 1)), {}),
    lap3: (3, ((-1, 1), (-1, 1), (-1, 1)), {}),
    branchy: (1, ((-2, 1),), {}),
    box: (1, ((-2, 2),), {"neighborhood": ((-2, 2),)}),
    ordered: (1, ((0, 1),), {}),
    corner: (2, ((-1, 2), (-1, 1)), {}),
}
DTYPES = (np.int32, np.int64, np.float32, np.float64)


def small(dtype):
    """Values whose sums stay exact and in range: the oracle and the compiled code add in
    the same order, but int32 overflow would warn in one and wrap in the other."""
    if np.dtype(dtype).kind == "f":
        return st.integers(-1000, 1000).map(float)
    return st.integers(-1000, 1000)


@SETTINGS
@given(st.sampled_from(sorted(KERNELS, key=lambda k: k.__name__)), st.sampled_from(DTYPES),
       st.sampled_from(["constant", "wrap"]), st.data())
def test_kernels(kernel, dtype, mode, data):
    ndim, extent, options = KERNELS[kernel]
    shape = data.draw(st.tuples(*[st.integers(0, 6)] * ndim))
    a = data.draw(shaped(dtype, shape, elements=small(dtype)))
    cval = data.draw(st.sampled_from([0, -7])) if mode == "constant" else 0
    kw = dict(options, **({"cval": cval} if mode == "constant" else {}))
    compiled = hl.stencil(mode=mode, **kw)(kernel)
    got = compiled(a)
    want = oracle(kernel, (a,), extent, mode, cval)
    if want is None:  # the kernel fits nowhere: all cval, in the result's dtype (bool(-7) is True)
        assert got.shape == a.shape and (got == np.array(cval).astype(got.dtype)).all()
    else:
        same(got, want)


@FEW
@given(st.sampled_from([np.float64, np.int64]), st.data())
def test_scalar_and_standard_indexing_parameters(dtype, data):
    a = data.draw(shaped(dtype, data.draw(st.tuples(st.integers(0, 5), st.integers(0, 5))),
                         elements=small(dtype)))
    c = data.draw(st.integers(-3, 3))
    same_or_empty(hl.stencil(scaled)(a, c), oracle(scaled, (a, c), ((0, 0), (-1, 1))), a)
    v = data.draw(shaped(dtype, (data.draw(st.integers(0, 7)),), elements=small(dtype)))
    w = np.array([1, -2, 3], dtype=dtype)
    k = hl.stencil(standard_indexing=("w",))(weighted)
    same_or_empty(k(v, w), oracle(weighted, (v, w), ((-1, 1),), standard=("w",)), v)


def same_or_empty(got, want, a):
    if want is None:
        assert got.shape == a.shape and (got == 0).all()
    else:
        same(got, want)


@FEW
@given(st.data())
def test_two_relative_arrays(data):
    shape = data.draw(st.tuples(st.integers(0, 5), st.integers(0, 5)))
    a = data.draw(shaped(np.float64, shape, elements=small(np.float64)))
    b = data.draw(shaped(np.float32, shape, elements=small(np.float32)))
    same_or_empty(hl.stencil(two_arrays)(a, b), oracle(two_arrays, (a, b), ((-1, 0), (0, 1))), a)
    with pytest.raises(ValueError, match="different shapes"):
        hl.stencil(two_arrays)(np.zeros((3, 4)), np.zeros((4, 3)))


def test_wrap_is_the_periodic_laplacian():
    """The diffusion solver's boundary: np.roll in every direction."""
    u = np.random.default_rng(1).random((9, 7))
    want = (np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1)) - 4 * u
    got = hl.stencil(mode="wrap")(lap2)(u)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-14)


def test_out_writes_only_where_the_kernel_fits():
    k = hl.stencil(lap2)
    u = np.arange(20.0).reshape(4, 5) ** 2
    out = np.full((4, 5), 9.0)
    got = k(u, out=out)
    same(got, oracle(lap2, (u,), ((-1, 1), (-1, 1)), out=np.full((4, 5), 9.0)))
    same(out, got)  # written in place
    ints = np.full((4, 5), 9, dtype=np.int64)
    k(u, out=ints)  # the float results are cast on store
    same(ints, oracle(lap2, (u,), ((-1, 1), (-1, 1)), out=np.full((4, 5), 9, dtype=np.int64)))
    with pytest.raises(ValueError, match="another shape"):
        k(u, out=np.zeros((3, 5)))


@hl.stencil
def lap_global(u):
    return u[-1, 0] + u[1, 0] + u[0, -1] + u[0, 1] - 4 * u[0, 0]


@hl.jit
def diffuse(u, steps, d):
    for _ in range(steps):
        u = u + d * lap_global(u)
    return u


@hl.jit
def diffuse_into(u, out):
    return lap_global(u, out=out)


def test_called_from_compiled_code():
    u = np.random.default_rng(2).random((6, 8))
    want = u.copy()
    for _ in range(3):
        want = want + 0.1 * oracle(lap2, (want,), ((-1, 1), (-1, 1)))
    np.testing.assert_allclose(diffuse(u, 3, 0.1), want, rtol=1e-14)
    out = np.full((6, 8), -1.0)
    got = diffuse_into(u, out)
    same(got, oracle(lap2, (u,), ((-1, 1), (-1, 1)), out=np.full((6, 8), -1.0)))
    same(out, got)


def test_complex_and_math_functions():
    @hl.stencil
    def k(z):
        return np.abs(z[0] * z[1]) + np.sqrt(z[-1])

    z = np.array([1 + 2j, -3j, 4, 0.5 - 1j, 2j])
    same(k(z), oracle(k.py_func, (z,), ((-1, 1),)))


@pytest.mark.parametrize("kernel", [lap2, branchy, ordered, corner], ids=lambda k: k.__name__)
def test_same_as_numba(kernel):
    numba = pytest.importorskip("numba")
    ndim = KERNELS[kernel][0]
    a = np.random.default_rng(3).integers(-50, 50, size=(7, 6)[:ndim] if ndim == 2 else 9).astype(np.float64)
    same(hl.stencil(kernel)(a), numba.stencil(kernel)(a))
    same(hl.stencil(cval=2.5)(kernel)(a), numba.stencil(cval=2.5)(kernel)(a))


# ---------------------------------------------------------------- kernels as Python allows them
def reassigns(a, c):
    c = c * 2          # a new value for this point only
    for k in range(2):
        c = c + k
    return a[0] * c + a[+1]


def array_expression_inside(a, w):
    t = w * 2.0        # an array expression (its own loop) in a 3-D kernel
    return a[0, 0, 0] * t[1] + a[1, 0, -1]


def local_named_out(a):
    out = a[-1] + a[1]
    return out


def early_return(a):
    if a[0] > 0:
        t = a[1]
    else:
        return 0.0
    return t


def unsubscripted(a, w):
    return a[0] * w.sum() + a[1]


def with_default(a, c=2.0):
    return c * a[1]


@FEW
@given(st.data())
def test_kernels_python_allows(data):
    n = data.draw(st.integers(0, 7))
    a = data.draw(shaped(np.float64, (n,), elements=small(np.float64)))
    same_or_empty(hl.stencil(reassigns)(a, 1.5), oracle(reassigns, (a, 1.5), ((0, 1),)), a)
    same_or_empty(hl.stencil(local_named_out)(a), oracle(local_named_out, (a,), ((-1, 1),)), a)
    same_or_empty(hl.stencil(early_return)(a), oracle(early_return, (a,), ((0, 1),)), a)
    same_or_empty(hl.stencil(parallel=True)(early_return)(a), oracle(early_return, (a,), ((0, 1),)), a)
    w = np.arange(data.draw(st.integers(1, 5)), dtype=np.float64)  # not subscripted: any shape
    same_or_empty(hl.stencil(unsubscripted)(a, w), oracle(unsubscripted, (a, w), ((0, 1),), standard=("w",)), a)
    same_or_empty(hl.stencil(with_default)(a), oracle(with_default, (a,), ((0, 1),)), a)
    a3 = data.draw(shaped(np.float64, data.draw(st.tuples(*[st.integers(0, 4)] * 3)), elements=small(np.float64)))
    w3 = np.array([1.0, -2.0, 0.5])
    k = hl.stencil(standard_indexing=("w",))(array_expression_inside)
    same_or_empty(k(a3, w3), oracle(array_expression_inside, (a3, w3), ((0, 1), (0, 0), (-1, 0)), standard=("w",)), a3)


def test_out_with_defaults_wrap_and_cval():
    a = np.arange(6.0)
    k = hl.stencil(with_default)
    b = np.full(6, 9.0)
    same(k(a, out=b), oracle(with_default, (a,), ((0, 1),), out=np.full(6, 9.0)))
    same(k(a, 3.0, out=b), oracle(with_default, (a, 3.0), ((0, 1),), out=np.full(6, 9.0)))
    same(k(a, c=4.0, out=b), oracle(with_default, (a, 4.0), ((0, 1),), out=np.full(6, 9.0)))
    wrapped = hl.stencil(mode="wrap")(local_named_out)
    same(wrapped(a, out=b), oracle(local_named_out, (a,), ((-1, 1),), mode="wrap", out=np.full(6, 9.0)))
    # an explicit cval is stored on the edges of out too (Numba fills out with it)
    same(hl.stencil(cval=-1.0)(local_named_out)(a, out=b),
         oracle(local_named_out, (a,), ((-1, 1),), cval=-1.0, out=np.full(6, -1.0)))
