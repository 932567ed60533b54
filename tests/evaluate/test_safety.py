"""Hostile strings: ``hl.evaluate`` parses its argument with ``ast`` and checks it against an
allowlist; nothing outside numexpr's language may run. Every string here must be rejected
with ValueError, SyntaxError or TypeError (``validate()`` returns that exception), and the
canaries check that nothing was executed on the way."""

from __future__ import annotations

import ast
import builtins
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from .conftest import hl

REJECTED = (ValueError, SyntaxError, TypeError)

HOSTILE = [
    "__import__('os').system('true')",
    "__import__",
    "().__class__.__bases__",
    "().__class__.__bases__[0].__subclasses__()",
    "a.__class__",
    "a.__class__.__mro__",
    "a.real.__class__",
    "a.T",
    "a.shape",
    "a.tofile('x')",
    "[c for c in ()]",
    "(c for c in ())",
    "{c for c in ()}",
    "{c: c for c in ()}",
    "lambda: 1",
    "(lambda: 0).__globals__",
    "(x := 1)",
    "(a := 1) + a",
    "a[0]",
    "a[0:1]",
    "a[...]",
    "open('x')",
    "open('x', 'w')",
    "eval('1')",
    "exec('1')",
    "compile('1', 'f', 'eval')",
    "getattr(a, 'x')",
    "setattr(a, 'x', 1)",
    "globals()",
    "locals()",
    "vars()",
    "dir()",
    "print(a)",
    "input()",
    "breakpoint()",
    "type(a)",
    "np.sin(a)",
    "sys.exit()",
    "f'{a}'",
    "f'{__import__(\"os\").system(\"true\")}'",
    "'abc'",
    "b'abc'",
    "'a' * 10",
    "{1: 2}",
    "{1, 2}",
    "[1, 2]",
    "(1, 2)",
    "[*a]",
    "sin(*a)",
    "sum(a, **{'axis': 0})",
    "__builtins__",
    "__builtins__.open",
    "__name__",
    "__file__",
    "_",
    "_a",
    "_v_a",
    "_hl_expr",
    "_out",
    "a if a else a",
    "a and a",
    "a or a",
    "a is a",
    "a in a",
    "a @ a",
    "await a",
    "yield a",
    "...",
    "None",
    "sin(a)(a)",
    "sin.__call__(a)",
    "sum(a, axis=__import__('os'))",
    "sum(a, axis=a)",
    "sum(a, __class__=1)",
    "where(a, a, a, out=a)",
    "sqrt(a, out=a)",
    "a\nimport os",
    "a; import os",
    "import os",
    "del a",
    "a = 1",
    "a += 1",
    "raise SystemExit",
    "assert False",
    "pass",
    "",
    "   ",
    "#",
]


@pytest.fixture
def operands():
    return {"a": np.arange(3.0), "x": np.ones(3), "c": np.ones(3), "np": np, "os": os,
            "sys": sys, "_a": np.ones(3), "_": np.ones(3)}


@pytest.mark.parametrize("expr", HOSTILE)
def test_hostile_string_is_rejected(expr, operands):
    with pytest.raises(REJECTED):
        hl.evaluate(expr, local_dict=operands)


@pytest.mark.parametrize("expr", HOSTILE)
def test_validate_returns_the_rejection(expr, operands):
    e = hl.validate(expr, local_dict=operands)
    assert isinstance(e, REJECTED), repr(e)


@pytest.mark.parametrize("expr", ["__import__('os')", "a.__class__", "open('x')", "'s'",
                                  "[1]", "_a + 1", "lambda: 1"])
def test_rejected_before_any_name_lookup(expr):
    """The allowlist check comes first: a hostile string is a ValueError/SyntaxError even when
    its names are not defined anywhere (no KeyError, no frame inspection)."""
    with pytest.raises(REJECTED):
        hl.evaluate(expr, local_dict={}, global_dict={})


@pytest.mark.parametrize("value", [3, 3.5, None, b"a + 1", bytearray(b"a"), ["a + 1"],
                                   ("a",), np.array(["a + 1"]),
                                   compile("1 + 1", "<s>", "eval"),
                                   ast.parse("1 + 1", mode="eval"), print, object()],
                         ids=lambda v: type(v).__name__)
def test_non_string_argument_is_a_type_error(value):
    with pytest.raises(TypeError):
        hl.evaluate(value, local_dict={"a": np.ones(2)})
    assert isinstance(hl.validate(value, local_dict={"a": np.ones(2)}), TypeError)


def test_string_subclass_is_a_string():
    class S(str):
        pass

    got = hl.evaluate(S("a + 1"), local_dict={"a": np.arange(3.0)})
    np.testing.assert_array_equal(got, np.arange(3.0) + 1)


def test_very_long_string_is_rejected():
    long_expr = "+".join(["a"] * 20000)
    with pytest.raises(ValueError):
        hl.evaluate(long_expr, local_dict={"a": np.ones(3)})
    with pytest.raises(ValueError):
        hl.evaluate("a" + " " * 20000, local_dict={"a": np.ones(3)})
    with pytest.raises(REJECTED):
        hl.evaluate("1" * 100000, local_dict={})


@pytest.mark.parametrize("expr", [
    "-" * 2000 + "a",
    "~" * 3000 + "b",
    "+".join(["a"] * 2000),
    "+".join(["a"] * 600),
], ids=["unary-2000", "invert-3000", "sum-2000", "sum-600"])
def test_deeply_nested_expression_is_rejected_cleanly(expr):
    try:
        hl.evaluate(expr, local_dict={"a": np.ones(3), "b": np.ones(3, bool)})
    except REJECTED:
        pass


@pytest.mark.parametrize("expr", ["(" * 250 + "a" + ")" * 250, "sin(" * 300 + "a" + ")" * 300])
def test_too_many_parentheses_is_a_syntax_error(expr):
    with pytest.raises(REJECTED):
        hl.evaluate(expr, local_dict={"a": np.ones(3)})


def test_nested_expression_within_reason_is_computed():
    a = np.arange(3.0)
    expr = "(" * 40 + "a+" * 40 + "a" + ")" * 40
    np.testing.assert_array_equal(hl.evaluate(expr), a * 41)
    expr = "+".join(["a"] * 200)
    np.testing.assert_array_equal(hl.evaluate(expr), a * 200)


# ------------------------------------------------------------------------------ canaries
def _canary_strings(path):
    p = repr(str(path))
    return [
        f"open({p}, 'w')",
        f"__import__('builtins').open({p}, 'w')",
        f"__import__('os').system('touch ' + {p})",
        f"__import__('pathlib').Path({p}).touch()",
        f"().__class__.__base__.__subclasses__()[0].__init__.__globals__['open']({p}, 'w')",
        f"[open({p}, 'w') for _ in (1,)]",
        f"(lambda: open({p}, 'w'))()",
        f"a + open({p}, 'w')",
        f"where(a > 0, a, open({p}, 'w'))",
        f"sum(a, axis=open({p}, 'w'))",
        f"f'{{open({p}, \"w\")}}'",
        f"a\nopen({p}, 'w')",
        f"(x := open({p}, 'w'))",
        f"a if open({p}, 'w') else a",
        f"a.__class__.__init__.__globals__['__builtins__']['open']({p}, 'w')",
    ]


def test_canary_strings_do_not_run(tmp_path):
    target = tmp_path / "canary"
    a = np.arange(3.0)  # noqa: F841 - a name the strings use
    for expr in _canary_strings(target):
        with pytest.raises(REJECTED):
            hl.evaluate(expr)
        assert isinstance(hl.validate(expr), REJECTED)
        with pytest.raises(REJECTED):
            hl.evaluate(expr, local_dict={"a": np.ones(2), "open": builtins.open, "x": 1})
        assert not target.exists(), f"{expr!r} created the canary file"
    assert list(tmp_path.iterdir()) == []


def test_canary_operand_is_never_called(tmp_path):
    """A callable passed as an operand is data, never called: rejected by its type."""
    target = tmp_path / "called"

    def trap(*args, **kwargs):
        target.write_text("called")
        return 1.0

    for expr, values in [("f(a)", {"f": trap, "a": np.ones(3)}),
                         ("f + 1", {"f": trap}),
                         ("sin(f)", {"f": trap}),
                         ("where(f, a, a)", {"f": trap, "a": np.ones(3)})]:
        with pytest.raises(REJECTED):
            hl.evaluate(expr, local_dict=values)
    assert not target.exists()


@pytest.mark.parametrize("name", ["np", "os", "sys"])
def test_module_operand_is_a_type_error(name):
    with pytest.raises(TypeError):
        hl.evaluate(name, local_dict={"np": np, "os": os, "sys": sys})


def test_rejected_in_a_fresh_interpreter(tmp_path):
    """End to end, in a clean process: the classic payloads neither run nor crash."""
    target = tmp_path / "pwned"
    script = textwrap.dedent(f"""
        import numpy as np, hotloop as hl
        target = {str(target)!r}
        a = np.arange(3.0)
        payloads = [
            "__import__('os').system('touch ' + {str(target)!r})",
            "open({str(target)!r}, 'w').write('x')",
            "().__class__.__bases__[0].__subclasses__()",
            "a.__class__.__init__.__globals__",
        ]
        for p in payloads:
            try:
                hl.evaluate(p)
            except (ValueError, SyntaxError, TypeError):
                pass
            else:
                raise SystemExit("accepted: " + p)
        print("ok")
    """)
    env = dict(os.environ)
    pkg = os.path.dirname(os.path.dirname(hl.__file__))
    env["PYTHONPATH"] = pkg + os.pathsep + env.get("PYTHONPATH", "")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       timeout=120, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith("ok")
    assert not target.exists()


# --------------------------------------------------------- what is allowed is only data
def test_names_never_reach_the_generated_code():
    """User names are renamed: `np` in an expression is the caller's `np`, a value, never the
    NumPy module the generated code calls (and a module is not a valid operand)."""
    with pytest.raises(TypeError):
        hl.evaluate("np + 1", local_dict={"np": np})
    got = hl.evaluate("np + 1", local_dict={"np": np.arange(3.0)})
    np.testing.assert_array_equal(got, np.arange(3.0) + 1)
    got = hl.evaluate("where + sqrt", local_dict={"where": np.ones(2), "sqrt": np.ones(2)})
    np.testing.assert_array_equal(got, [2.0, 2.0])


def test_function_names_are_not_operands():
    """A local named like an allowed function does not replace the function."""
    sin = np.zeros(3)  # noqa: F841 - must not be called
    a = np.array([0.0, 1.0, 2.0])
    np.testing.assert_allclose(hl.evaluate("sin(a)"), np.sin(a), rtol=1e-15)
