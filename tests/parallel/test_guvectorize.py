"""hl.guvectorize: generalized ufuncs (numpy.ufunc with a core signature) with compiled
loops. The oracle is the undecorated kernel run by a Python loop over the outer
(broadcast) dimensions; NumPy itself checks the core dimensions."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

hl = pytest.importorskip("hotloop")

SETTINGS = settings(max_examples=30, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---- kernels (undecorated: the oracle runs them as Python) -------------------------------------

def scale(x, s, out):
    for i in range(x.shape[0]):
        out[i] = x[i] * s


def matvec(a, v, out):
    for i in range(a.shape[0]):
        acc = 0.0
        for j in range(a.shape[1]):
            acc += a[i, j] * v[j]
        out[i] = acc


def total(x, out):
    acc = 0.0
    for i in range(x.shape[0]):
        acc += x[i]
    out[0] = acc


def moments(x, mean, var):
    n = x.shape[0]
    m = 0.0
    for i in range(n):
        m += x[i]
    m /= n
    v = 0.0
    for i in range(n):
        v += (x[i] - m) ** 2
    mean[0] = m
    var[0] = v / n


_cache = {}


def compiled(key, make):
    if key not in _cache:
        _cache[key] = make()
    return _cache[key]


def scale_gu(target="cpu"):
    return compiled(("scale", target), lambda: hl.guvectorize(
        ["void(float64[:], float64, float64[:])", "void(float32[:], float32, float32[:])"],
        "(n),()->(n)", target=target)(scale))


def matvec_gu(target="cpu"):
    return compiled(("matvec", target), lambda: hl.guvectorize(
        ["void(float64[:, :], float64[:], float64[:])"], "(m,n),(n)->(m)", target=target)(matvec))


def total_gu(target="cpu"):
    return compiled(("total", target), lambda: hl.guvectorize(
        ["void(float64[:], float64[:])", "void(int64[:], int64[:])"], "(n)->()", target=target)(total))


def reference(kernel, ins_core, outs_core, out_dtypes, *inputs):
    """Runs kernel in Python over the broadcast outer dimensions ('()' outputs as
    1-element arrays, '()' inputs as scalars)."""
    inputs = [np.asarray(x) for x in inputs]
    outer = np.broadcast_shapes(*[x.shape[:x.ndim - len(nc)] for x, nc in zip(inputs, ins_core)])
    sizes = {}
    for x, nc in zip(inputs, ins_core):
        sizes.update(zip(nc, x.shape[x.ndim - len(nc):]))
    outs = [np.empty(outer + tuple(sizes[d] for d in core), dt) for core, dt in zip(outs_core, out_dtypes)]
    for idx in np.ndindex(outer):
        args = []
        for x, nc in zip(inputs, ins_core):
            xb = np.broadcast_to(x, outer + x.shape[x.ndim - len(nc):])
            args.append(xb[idx])
        views = [o[idx] if core else o[idx + (None,)] for o, core in zip(outs, outs_core)]
        kernel(*args, *views)
    return outs[0] if len(outs) == 1 else tuple(outs)


def assert_same(got, want):
    got = np.asarray(got)
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.dtype, want.shape)
    single = want.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-6 if single else 1e-12, atol=1e-12)


@st.composite
def strided(draw, shape, dtype=np.float64):
    steps = [draw(st.sampled_from([1, 1, 2, -1])) for _ in shape]
    base = draw(hnp.arrays(dtype, tuple(max(1, n * abs(s)) for n, s in zip(shape, steps)),
                           elements=st.floats(-100, 100, width=64 if dtype == np.float64 else 32)))
    view = base[tuple(slice(None, None, s) for s in steps)]
    return view[tuple(slice(0, n) for n in shape)]


# ---- behaviour ------------------------------------------------------------------------------

def test_is_a_generalized_numpy_ufunc():
    f = scale_gu()
    assert isinstance(f, np.ufunc)
    assert f.signature == "(n),()->(n)"
    assert (f.nin, f.nout) == (2, 1)
    assert f.types == ["dd->d", "ff->f"]
    assert f.__name__ == "scale"


def test_scale_example_with_scalar_input():
    f = scale_gu()
    x = np.arange(6.0).reshape(2, 3)
    assert_same(f(x, np.array([1.0, 10.0])), np.array([[0, 1, 2], [30, 40, 50.0]]))
    assert_same(f(x, 2.0), x * 2)
    assert_same(f(np.ones(4, np.float32), np.float32(3)), np.full(4, 3, np.float32))


@SETTINGS
@given(st.data())
def test_scale_matches_python(data):
    f = scale_gu()
    outer = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4))
    n = data.draw(st.integers(0, 5))
    x = data.draw(strided(outer + (n,)))
    s = data.draw(strided(outer[data.draw(st.integers(0, len(outer))):]))
    assert_same(f(x, s), reference(scale, [["n"], []], [["n"]], [np.float64], x, s))


@SETTINGS
@given(st.data())
def test_matvec_matches_python(data):
    f = matvec_gu()
    outer = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    m, n = data.draw(st.integers(1, 4)), data.draw(st.integers(0, 4))
    a = data.draw(strided(outer + (m, n)))
    v = data.draw(strided((n,)))
    want = reference(matvec, [["m", "n"], ["n"]], [["m"]], [np.float64], a, v)
    assert_same(f(a, v), want)
    np.testing.assert_allclose(want, a @ v if n else np.zeros(outer + (m,)), atol=1e-9)


def test_scalar_output():
    f = total_gu()
    x = np.arange(12.0).reshape(3, 4)
    assert_same(f(x), x.sum(axis=1))
    assert_same(f(x.T), x.sum(axis=0))
    assert_same(f(np.arange(5)), np.int64(10))
    out = np.zeros(3)
    assert f(x, out=out) is out
    assert_same(out, x.sum(axis=1))
    assert_same(f(x, axis=0), x.sum(axis=0))       # NumPy's axis= for one core dimension


def test_several_outputs():
    f = hl.guvectorize(["void(float64[:], float64[:], float64[:])"], "(n)->(),()")(moments)
    x = np.random.default_rng(0).standard_normal((5, 40))
    mean, var = f(x)
    assert_same(mean, x.mean(axis=1))
    assert_same(var, x.var(axis=1))


def test_scalar_input_declared_as_array():
    # Numba also accepts a '()' input declared as an array: it gets a 1-element array.
    def shift(x, s, out):
        for i in range(x.shape[0]):
            out[i] = x[i] + s[0]

    f = hl.guvectorize(["void(float64[:], float64[:], float64[:])"], "(n),()->(n)")(shift)
    assert_same(f(np.arange(3.0), np.array([10.0, 20.0])),
                np.array([[10.0, 11, 12], [20, 21, 22]]))


def test_fixed_core_dimension():
    def norm3(v, out):
        out[0] = (v[0] ** 2 + v[1] ** 2 + v[2] ** 2) ** 0.5

    f = hl.guvectorize(["void(float64[:], float64[:])"], "(3)->()")(norm3)
    v = np.random.default_rng(1).standard_normal((7, 3))
    assert_same(f(v), np.linalg.norm(v, axis=1))
    with pytest.raises(ValueError, match="core dimension"):
        f(np.ones((2, 4)))


def test_mismatched_core_dimensions_raise_numpys_valueerror():
    with pytest.raises(ValueError, match="mismatch in its core dimension"):
        matvec_gu()(np.ones((2, 3, 4)), np.ones(5))
    with pytest.raises(ValueError):
        total_gu()(np.float64(3.0))                 # (n) needs at least one dimension


def test_empty_outer_and_core():
    assert scale_gu()(np.empty((0, 3)), 1.0).shape == (0, 3)
    assert_same(total_gu()(np.empty((4, 0))), np.zeros(4))
    assert matvec_gu()(np.empty((2, 0, 3)), np.ones(3)).shape == (2, 0)


def test_dtype_dispatch_and_casting():
    f = total_gu()
    assert f(np.arange(4)).dtype == np.int64
    assert f(np.arange(4.0)).dtype == np.float64
    # No exact loop: NumPy takes the first one (in signature order) the input casts to safely.
    assert f(np.arange(4, dtype=np.int32)).dtype == np.float64
    assert f(np.ones(4, np.float32)).dtype == np.float64
    with pytest.raises(TypeError):
        f(np.ones(4, np.complex128))


def test_large_and_contiguous_vs_strided():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((2000, 8, 5))
    v = rng.standard_normal(5)
    want = a @ v
    for target in ("cpu", "parallel"):
        f = matvec_gu(target)
        np.testing.assert_allclose(f(a, v), want, rtol=1e-12)
        np.testing.assert_allclose(f(a.transpose(0, 2, 1).copy().transpose(0, 2, 1), v), want, rtol=1e-12)
        np.testing.assert_allclose(f(a[::-1], v[::-1][::-1]), want[::-1], rtol=1e-12)
        np.testing.assert_allclose(f(a[:, ::2], v), a[:, ::2] @ v, rtol=1e-12)


def test_parallel_target_same_results():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3000, 17))
    s = rng.standard_normal(3000)
    assert_same(scale_gu("parallel")(x, s), scale_gu()(x, s))
    assert_same(total_gu("parallel")(x), x.sum(axis=1))
    assert_same(total_gu("parallel")(x[::-2].T), x[::-2].T.sum(axis=1))
    out = x.copy()
    scale_gu("parallel")(out, 2.0, out=out)        # in place
    assert_same(out, x * 2)


def test_kernel_exception_propagates():
    def checked(x, out):
        for i in range(x.shape[0]):
            if x[i] < 0:
                raise ValueError("negative element")
            out[i] = x[i]

    for target in ("cpu", "parallel"):
        f = hl.guvectorize(["void(float64[:], float64[:])"], "(n)->(n)", target=target)(checked)
        assert_same(f(np.ones((3, 2))), np.ones((3, 2)))
        x = np.ones((100, 3))
        x[57, 1] = -1
        with pytest.raises(ValueError, match="negative element"):
            f(x)
        with pytest.raises(ValueError, match="negative element"):
            f(x.T.copy().T)


# ---- errors at decoration ---------------------------------------------------------------------

@pytest.mark.parametrize("layout", [
    "(n),()",             # no ->
    "(n)->(n)->(n)",      # two ->
    "(n->(n)",            # unbalanced
    "(n),->(n)",          # empty argument
    "(n)(m)->()",         # missing comma
    "(n-1)->()",          # not a name
    "(n)->",              # no outputs
    "n->()",              # no parentheses
])
def test_malformed_layout_raises_valueerror(layout):
    with pytest.raises(ValueError, match="layout"):
        hl.guvectorize(["void(float64[:], float64[:])"], layout)(total)


def test_layout_not_a_string():
    with pytest.raises(TypeError):
        hl.guvectorize(["void(float64[:], float64[:])"], 3)(total)


@pytest.mark.parametrize("sig, layout, match", [
    ("void(float64[:], float64[:])", "(n),()->(n)", "has 2 argument"),           # too few
    ("void(float64[:, :], float64[:])", "(n)->()", "mismatch for argument 1"),    # ndim vs core
    ("void(float64[:], float64)", "(n)->()", "outputs are arrays"),              # scalar output
    ("void(float64, float64[:])", "(n)->()", "mismatch for argument 1"),         # scalar with core
    ("float64(float64[:], float64[:])", "(n)->()", "returns nothing"),
])
def test_layout_signature_mismatch_raises_typeerror(sig, layout, match):
    with pytest.raises(TypeError, match=match):
        hl.guvectorize([sig], layout)(total)


def test_kernel_returning_a_value_is_a_typeerror():
    def returns(x, out):
        out[0] = x[0]
        return 1.0

    with pytest.raises(TypeError, match="returns"):
        hl.guvectorize(["void(float64[:], float64[:])"], "(n)->()")(returns)


def test_other_decoration_errors():
    with pytest.raises(hl.CompileError):
        hl.guvectorize(["void(float64[:], float64[:]"], "(n)->()")(total)
    with pytest.raises(TypeError, match="signatures"):
        hl.guvectorize("(n)->()")(total)
    with pytest.raises(ValueError, match="target"):
        hl.guvectorize(["void(float64[:], float64[:])"], "(n)->()", target="gpu")(total)

    def bad(x, out):
        out[0] = x[0] + undefined_name_for_guvectorize  # noqa: F821

    with pytest.raises(hl.CompileError, match="undefined_name_for_guvectorize"):
        hl.guvectorize(["void(float64[:], float64[:])"], "(n)->()")(bad)


def test_boundscheck_indexerror_propagates():
    def past_the_end(x, out):
        out[0] = x[x.shape[0]]

    f = hl.guvectorize(["void(float64[:], float64[:])"], "(n)->()", boundscheck=True)(past_the_end)
    with pytest.raises(IndexError):
        f(np.ones((3, 4)))
