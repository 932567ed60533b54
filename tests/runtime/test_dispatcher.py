"""The dispatcher: specialization, explicit signatures, inspection, stats, nogil."""

import threading

import numpy as np
import pytest

import hotloop as hl


def test_lazy_specialization_per_argument_types():
    @hl.jit
    def add(a, b):
        return a + b

    assert add(1, 2) == 3
    assert add(1.5, 2) == 3.5
    assert add(np.float32(1.5), 2.0) == 3.5
    assert len(add.signatures) == 3
    assert add.stats["compilations"] == 3
    assert add.stats["calls"] == 3


def test_explicit_signature_compiles_eagerly_and_converts():
    @hl.jit("float64(float64, int64)")
    def f(x, n):
        return x * n

    assert f.signatures == ["(float64, int64)"]
    assert f(2, 3) == 6.0  # the int converts to float64
    with pytest.raises(TypeError, match="no matching definition"):
        f(np.zeros(3), 1)


def test_signature_type_objects():
    @hl.jit(hl.float64(hl.float64[:], hl.int64))
    def g(a, i):
        return a[i]

    assert g(np.arange(4.0)[::2], 1) == 2.0


def test_keyword_and_default_arguments():
    @hl.jit
    def f(x, scale=2.0, shift=0):
        return x * scale + shift

    assert f(3.0) == 6.0
    assert f(3.0, shift=1) == 7.0
    assert f(x=1.0, scale=3.0) == 3.0
    with pytest.raises(TypeError):
        f(1.0, nope=3)


def test_unsupported_argument_type_is_a_type_error():
    @hl.jit
    def f(x):
        return x

    with pytest.raises(TypeError, match="argument 'x'"):
        f([1, 2])
    with pytest.raises(TypeError, match="argument 'x'"):
        f("text")


def test_inspection_and_stats():
    @hl.jit
    def total(a):
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i]
        return s

    assert total(np.ones(10)) == 10.0
    assert "for i in range" in total.inspect_ir()
    assert "define" in total.inspect_llvm()
    assert total.inspect_asm().strip()
    stages = total.stats["stages"]["(float64[::1],)"]
    assert set(stages) >= {"frontend", "types", "passes", "codegen", "optimize", "jit", "total"}
    assert total.py_func(np.ones(3)) == 3.0


def test_simple_loop_uses_widest_vector_registers():
    @hl.jit
    def scale(x, y):
        for i in range(x.shape[0]):
            y[i] = 2.5 * x[i] + 1.0

    x = np.ones(100)
    y = np.empty(100)
    scale(x, y)
    assert (y == 3.5).all()
    width = hl._core.host_info()["vector_width_bits"]
    register = {512: "zmm", 256: "ymm", 128: "xmm"}[width]
    assert register in scale.inspect_asm(), f"expected {register} registers in the loop"


def test_runtime_errors_become_python_exceptions():
    @hl.jit
    def div(a, b):
        return a // b

    with pytest.raises(ZeroDivisionError):
        div(1, 0)

    @hl.jit
    def check(x):
        if x < 0:
            raise ValueError("x must be non-negative")
        return x

    with pytest.raises(ValueError, match="x must be non-negative"):
        check(-1.0)
    assert check(2.0) == 2.0


def test_error_model_numpy_gives_ieee_results():
    @hl.jit(error_model="numpy")
    def div(a, b):
        return a / b

    assert div(1.0, 0.0) == np.inf


def test_boundscheck_raises_index_error():
    @hl.jit(boundscheck=True)
    def get(a, i):
        return a[i]

    a = np.arange(5.0)
    assert get(a, -1) == 4.0
    with pytest.raises(IndexError):
        get(a, 5)
    with pytest.raises(IndexError):
        get(a, -6)


def test_returned_array_owns_compiled_buffer():
    @hl.jit
    def make(n):
        a = np.zeros(n)
        for i in range(n):
            a[i] = i
        return a

    a = make(5)
    assert a.flags.owndata is False and a.base is not None
    assert a.flags.writeable
    np.testing.assert_array_equal(a, np.arange(5.0))
    del a  # the buffer is released with the last view


def test_returned_view_of_argument_keeps_argument_alive():
    @hl.jit
    def same(a):
        return a

    x = np.arange(6.0)[::2]
    y = same(x)
    assert np.shares_memory(x, y)
    np.testing.assert_array_equal(x, y)


def test_nogil_functions_run_concurrently():
    @hl.jit(nogil=True)
    def work(a, out, k):
        for j in range(200):
            for i in range(a.shape[0]):
                out[i] = a[i] * k + j

    a = np.ones(20000)
    outs = [np.empty_like(a) for _ in range(3)]
    work(a, outs[0], 0.0)
    threads = [threading.Thread(target=work, args=(a, outs[k], float(k))) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(3):
        np.testing.assert_allclose(outs[k], a * k + 199)


def test_calls_between_compiled_functions():
    @hl.jit
    def norm_pdf(loc, scale, x):
        y = (x - loc) / scale
        return np.exp(-y**2 / 2) / np.sqrt(2 * np.pi) / scale

    @hl.jit
    def likelihood(data, mu):
        p = 1.0
        for i in range(data.shape[0]):
            p *= norm_pdf(mu, 1.0, data[i])
        return p

    data = np.random.default_rng(1).normal(size=20)
    assert likelihood(data, 0.3) == pytest.approx(likelihood.py_func(data, 0.3), rel=1e-12)
    assert "norm_pdf" in likelihood.inspect_ir()
