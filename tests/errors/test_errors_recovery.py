"""After a CompileError the interpreter and hotloop are in a clean state: the same
dispatcher raises the same error again, its other signatures still work, and other
functions compile and run correctly.  Errors inside a jitted callee point into the callee.
"""

import gc
import math  # noqa: F401

import numpy as np
import pytest

hl = pytest.importorskip("hotloop")


def test_compile_error_is_an_exception_class():
    assert isinstance(hl.CompileError, type)
    assert issubclass(hl.CompileError, Exception)


def test_same_dispatcher_raises_same_error_twice(compile_error):
    @hl.jit
    def f(x):
        return x + never_defined_twice_qq  # ERR  # noqa: F821

    first = compile_error(f, 1.0, mentions=["never_defined_twice_qq"])
    second = compile_error(f, 1.0, mentions=["never_defined_twice_qq"])
    assert (second.filename, second.lineno, second.source_line) == \
        (first.filename, first.lineno, first.source_line)
    assert str(second) == str(first)
    assert not list(getattr(f, "signatures", ())), "a failed compilation left a signature behind"


def test_valid_function_compiles_after_error(compile_error):
    @hl.jit
    def bad(x):
        return x + never_defined_qq  # ERR  # noqa: F821

    compile_error(bad, 1.0, mentions=["never_defined_qq"])

    @hl.jit
    def good(a):
        s = 0.0
        for i in range(a.shape[0]):
            s += math.sqrt(a[i])
        return s

    a = np.arange(10.0)
    assert good(a) == pytest.approx(sum(math.sqrt(v) for v in a))


def test_other_signatures_of_same_dispatcher_still_work(compile_error):
    @hl.jit
    def get(a, i):
        return a[i]  # ERR

    a = np.arange(5.0)
    assert get(a, 2) == 2.0
    compile_error(get, a, 2.5, mentions=["index", "float", "integer"])
    assert get(a, 3) == 3.0
    compile_error(get, a, 2.5, mentions=["index", "float", "integer"])
    assert get(a, 4) == 4.0


def test_readonly_then_writeable(compile_error):
    @hl.jit
    def put(a):
        a[0] = 7.0  # ERR
        return a[0]

    ro = np.zeros(2)
    ro.flags.writeable = False
    compile_error(put, ro, mentions=["read-only", "readonly", "writeable", "writable"])
    rw = np.zeros(2)
    assert put(rw) == 7.0 and rw[0] == 7.0
    assert ro[0] == 0.0


@hl.jit
def broken_callee(x):
    y = x * 3.0
    return y + callee_undefined_qq  # ERR  # noqa: F821


def test_error_inside_jitted_callee_points_into_callee(compile_error):
    @hl.jit
    def caller(x):
        return broken_callee(x) + 1.0

    compile_error(caller, 1.0, where=broken_callee, mentions=["callee_undefined_qq"])
    # The callee reports the same place when called directly.
    compile_error(broken_callee, 1.0, mentions=["callee_undefined_qq"])


def test_many_errors_then_valid_compile(compile_error):
    for _ in range(30):
        @hl.jit
        def bad(a):
            return a[0, 0]  # ERR

        compile_error(bad, np.zeros(4))
    del bad
    gc.collect()

    @hl.jit
    def total(a):
        s = 0
        for i in range(len(a)):
            s += a[i]
        return s

    assert total(np.arange(100, dtype=np.int64)) == 4950


def test_njit_reports_the_same_way(compile_error):
    njit = getattr(hl, "njit", None)
    if njit is None:
        pytest.skip("hotloop.njit not available")

    @njit
    def f(x):
        return x + njit_undefined_qq  # ERR  # noqa: F821

    compile_error(f, 1.0, mentions=["njit_undefined_qq"])
