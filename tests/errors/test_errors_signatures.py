"""Explicit signatures compile eagerly: errors are raised by the decoration itself."""

import pytest

hl = pytest.importorskip("hotloop")


def _plain(x):
    return x


@pytest.mark.parametrize("sig", [
    "float64(float64[:]",      # missing closing parenthesis
    "float64(float64[:]))",    # one too many
    "float64((",               # garbage
])
def test_malformed_signature_string(sig):
    # CompileError or TypeError, at decoration time, and never a crash.
    try:
        hl.jit(sig)(_plain)
    except (hl.CompileError, TypeError) as e:
        assert str(e).strip(), "the error message is empty"
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"expected CompileError or TypeError for {sig!r}, got "
                    f"{type(e).__qualname__}: {e}", pytrace=False)
    else:
        pytest.fail(f"malformed signature {sig!r} was accepted", pytrace=False)


def test_signature_arg_count_mismatch():
    def two(x, y):
        return x + y

    try:
        hl.jit("float64(float64)")(two)
    except (hl.CompileError, TypeError) as e:
        assert str(e).strip(), "the error message is empty"
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"expected CompileError or TypeError, got {type(e).__qualname__}: {e}",
                    pytrace=False)
    else:
        pytest.fail("a 1-argument signature was accepted for a 2-argument function",
                    pytrace=False)


def test_eager_signature_reports_body_error_at_decoration(eager_compile_error):
    def f(x):
        y = x * 2.0
        return y + undefined_eager_name_qq  # ERR  # noqa: F821

    eager_compile_error("float64(float64)", f, mentions=["undefined_eager_name_qq"])


def test_eager_signature_with_decorator_syntax(raises_compile_error, check_error):
    # Same, written as users write it: the decorator line itself raises.  No dispatcher
    # exists afterwards, so the marker is looked up in the enclosing function's source.
    def decorate():
        @hl.jit("float64(float64[:])")
        def g(a):
            return a.no_such_attribute_qq  # ERR

        return g

    err = raises_compile_error(decorate)
    check_error(err, decorate, mentions=["no_such_attribute_qq"])
