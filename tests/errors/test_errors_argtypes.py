"""Calling a dispatcher with arguments it cannot type is the caller's mistake, not the
function's: it raises TypeError naming the argument (not CompileError), like calling a
Python function wrongly, and leaves the dispatcher usable.
"""

import numpy as np
import pytest

hl = pytest.importorskip("hotloop")


class Opaque:
    pass


BAD_ARGUMENTS = {
    "list": lambda: [1.0, 2.0],
    "dict": lambda: {"a": 1.0},
    "str": lambda: "abc",
    "object": lambda: Opaque(),
    "float16-array": lambda: np.zeros(3, dtype=np.float16),
    "object-dtype-array": lambda: np.array([1.0, None], dtype=object),
}


def _expect_type_error(thunk):
    try:
        thunk()
    except hl.CompileError as e:
        pytest.fail(f"expected TypeError, got CompileError: {e}", pytrace=False)
    except TypeError as e:
        return e
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"expected TypeError, got {type(e).__qualname__}: {e}", pytrace=False)
    pytest.fail("expected TypeError, but the call succeeded", pytrace=False)


@pytest.mark.parametrize("kind", list(BAD_ARGUMENTS))
def test_unsupported_argument_type_raises_type_error(kind):
    @hl.jit
    def first_sample(weights, samples):
        return samples[0] * weights

    err = _expect_type_error(lambda: first_sample(2.0, BAD_ARGUMENTS[kind]()))
    assert "samples" in str(err), f"TypeError does not name the argument 'samples': {err}"

    # The dispatcher still works with good arguments afterwards.
    assert first_sample(2.0, np.array([3.0, 4.0])) == 6.0


def test_wrong_number_of_arguments_raises_type_error():
    @hl.jit
    def f(x):
        return x + 1.0

    _expect_type_error(lambda: f(1.0, 2.0))
    _expect_type_error(lambda: f())
    assert f(1.0) == 2.0
