"""Shared machinery for the ``hotloop.evaluate`` suite.

* ``hl``: the hotloop package. ``make build``, then run pytest with ``PYTHONPATH=python``
  (``<repo>/python`` is also tried automatically). When it does not import, every test here
  is skipped with a message saying so (other folders still run).
* ``SETTINGS``: hypothesis settings (no deadline, no example database); the example counts
  are multiplied by ``HOTLOOP_TEST_EXAMPLES_SCALE`` (e.g. 10 for a soak run), as in
  ``tests/correctness``.
* ``NP_FUNCS``: numexpr's function names mapped to the NumPy functions, the namespace in
  which the tests ``eval`` the expression strings they generate themselves (the oracle).
"""

from __future__ import annotations

import ast
import os
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, settings


def _import_hotloop():
    try:
        import hotloop  # noqa: F401
    except ImportError:
        pkg_dir = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "python"))
        if not os.path.isdir(pkg_dir) or pkg_dir in sys.path:
            return None
        sys.path.insert(0, pkg_dir)
        sys.modules.pop("hotloop", None)
        try:
            import hotloop  # noqa: F401,F811
        except ImportError:
            sys.path.remove(pkg_dir)
            return None
    import hotloop as real

    return real if hasattr(real, "evaluate") else None


hl = _import_hotloop()

try:
    import numexpr as ne
except ImportError:  # the second reference is optional
    ne = None


@pytest.fixture(autouse=True)
def _need_hotloop():
    if hl is None:
        pytest.skip("tests/evaluate: the hotloop package is not importable (or has no "
                    "`evaluate`). Build it (`make build`) and run pytest with PYTHONPATH=python.")


needs_numexpr = pytest.mark.skipif(ne is None, reason="numexpr is not installed")


_SCALE = float(os.environ.get("HOTLOOP_TEST_EXAMPLES_SCALE", "1"))


def scaled(n):
    return max(1, int(n * _SCALE))


SETTINGS = settings(
    max_examples=scaled(40),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)

# numexpr's functions, by the NumPy function each one is (round -> rint, as numexpr does).
NP_FUNCS = {
    "where": np.where, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan, "arctan2": np.arctan2,
    "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "arcsinh": np.arcsinh,
    "arccosh": np.arccosh, "arctanh": np.arctanh, "fmod": np.fmod, "hypot": np.hypot,
    "copysign": np.copysign, "maximum": np.maximum, "minimum": np.minimum, "log": np.log,
    "log1p": np.log1p, "log10": np.log10, "log2": np.log2, "exp": np.exp, "expm1": np.expm1,
    "abs": np.abs, "absolute": np.absolute, "ceil": np.ceil, "floor": np.floor,
    "round": np.rint, "rint": np.rint, "trunc": np.trunc, "sign": np.sign, "isnan": np.isnan,
    "isfinite": np.isfinite, "isinf": np.isinf, "signbit": np.signbit,
    "sum": np.sum, "prod": np.prod, "min": np.min, "max": np.max,
}


class _OpsToCalls(ast.NodeTransformer):
    """Rewrites the binary operators named in `ops` ({ast.Pow: "_power"}) into calls."""

    def __init__(self, ops):
        self.ops = ops

    def visit_BinOp(self, node):
        self.generic_visit(node)
        name = self.ops.get(type(node.op))
        if name is None or (isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant)
                            and node.right.value == 0.5):
            return node  # x ** 0.5: NumPy's operator computes sqrt(x), and so does hotloop
        return ast.copy_location(
            ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[node.left, node.right],
                     keywords=[]), node)


def c_power(x, y):
    """``np.power(x, y)`` with C's ``pow()`` at a scalar exponent of 0.5 too.

    NumPy computes an array (or NumPy scalar) to a *scalar* power 0.5 with ``sqrt``, so
    ``(-inf) ** 0.5`` is nan and ``(-0.0) ** 0.5`` is -0.0; with an array of exponents, and in
    C, they are inf and +0.0. hotloop computes the literal ``x ** 0.5`` as sqrt (the oracle
    keeps NumPy's operator there) and any other exponent that equals 0.5 with pow()
    (docs/semantics.md)."""
    r = np.power(x, y)
    if getattr(r, "dtype", None) is not None and r.dtype.kind == "f" and np.any(
            np.asarray(y) == 0.5):
        half = np.asarray(y) == 0.5
        r = np.where(half & (np.asarray(x) == -np.inf), np.inf, r)
        r = np.where(half & (np.asarray(x) == 0), 0.0, r)
    return r


def numpy_eval(expr, operands, power=None, truediv=None, funcs=None):
    """The oracle: NumPy evaluating the same (test-generated) expression text.

    With `power` (`truediv`), ``x ** y`` (``x / y``) is evaluated as ``power(x, y)``
    (``truediv(x, y)``), see `c_power`; `funcs` replaces some of numexpr's functions."""
    ops = {}
    if power is not None:
        ops[ast.Pow] = "_power"
    if truediv is not None:
        ops[ast.Div] = "_truediv"
    code = ast.unparse(_OpsToCalls(ops).visit(ast.parse(expr, mode="eval"))) if ops else expr
    namespace = {"__builtins__": {}, **NP_FUNCS, **(funcs or {}), "_power": power,
                 "_truediv": truediv}
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(code, namespace, dict(operands))  # noqa: S307


def hl_eval(expr, operands, **kw):
    """``hl.evaluate`` with the operands as ``local_dict``, warnings silenced."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hl.evaluate(expr, local_dict=dict(operands), **kw)


def pytest_report_header(config):
    where = getattr(hl, "__file__", None) if hl is not None else "not importable"
    return f"hotloop evaluate suite: hotloop package: {where}"
