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


class _PowToPower(ast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Pow):
            return ast.copy_location(
                ast.Call(func=ast.Name(id="power", ctx=ast.Load()), args=[node.left, node.right],
                         keywords=[]), node)
        return node


def numpy_eval(expr, operands, pow_as_power=False):
    """The oracle: NumPy evaluating the same (test-generated) expression text.

    With `pow_as_power`, ``x ** y`` is evaluated as ``np.power(x, y)``: NumPy's ``**``
    operator computes an array to a scalar power 0.5 with ``sqrt`` (so ``(-inf) ** 0.5`` is nan
    and ``(-0.0) ** 0.5`` is -0.0), where ``np.power``, C's ``pow`` and hotloop give inf and 0.0
    (test_random_expressions.py::test_pow_half_of_negative_infinity pins the difference)."""
    code = expr
    if pow_as_power:
        code = ast.unparse(_PowToPower().visit(ast.parse(expr, mode="eval")))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(code, {"__builtins__": {}, "power": np.power, **NP_FUNCS},  # noqa: S307
                    dict(operands))


def hl_eval(expr, operands, **kw):
    """``hl.evaluate`` with the operands as ``local_dict``, warnings silenced."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hl.evaluate(expr, local_dict=dict(operands), **kw)


def pytest_report_header(config):
    where = getattr(hl, "__file__", None) if hl is not None else "not importable"
    return f"hotloop evaluate suite: hotloop package: {where}"
