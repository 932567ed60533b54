"""Shared helpers for the compile-error suite.

Every test here decorates a small function with ``@hl.jit`` that uses an unsupported
construct (or is called with bad input) and checks the ``hl.CompileError`` contract:

* it is an ``Exception`` subclass, raised at the first call (lazy ``@hl.jit``) or at
  decoration time (explicit signature);
* ``.filename`` is the path of the file holding the offending code;
* ``.lineno`` is the absolute line number of the offending construct;
* ``.source_line`` is that line's text, stripped;
* ``str(e)`` contains ``line <lineno>``, the source line, a caret line (``^``) and a
  sentence saying what to do.

The expected line is never hard-coded: the offending line carries a ``# ERR`` marker
comment and is found with ``inspect.getsourcelines``.  Where more than one line is a
defensible answer (a type conflict between two assignments, the ``else:`` of a
``for``/``else``), each of them carries the marker and any of them is accepted.
"""

from __future__ import annotations

import inspect
import os
import re

import pytest

_MARKER = re.compile(r"#\s*ERR\b")
_CARET_LINE = re.compile(r"^[\s|:>]*\^[\^~]*\s*$")


def _hotloop():
    return pytest.importorskip("hotloop")


def py_func_of(fn):
    """The plain Python function behind a dispatcher (or the function itself)."""
    for attr in ("py_func", "__wrapped__"):
        inner = getattr(fn, attr, None)
        if inner is not None and hasattr(inner, "__code__"):
            return inner
    if hasattr(fn, "__code__"):
        return fn
    pytest.fail(f"{fn!r} has no .py_func: cannot locate its source")


def marked_lines(func):
    """{absolute line number: stripped text} of the lines of `func` marked ``# ERR``."""
    func = py_func_of(func)
    lines, start = inspect.getsourcelines(func)
    start = max(start, 1)  # getsourcelines gives 0 for a module; never the case here
    found = {start + i: text.strip() for i, text in enumerate(lines) if _MARKER.search(text)}
    assert found, f"test bug: no '# ERR' marker in the source of {func.__qualname__}"
    return found


def check_compile_error(err, where, mentions=(), caret_at=None):
    """Check `err` (a CompileError) against the marked lines of the functions in `where`.

    `caret_at`, when given, is a token of the offending line the caret must start under.
    """
    hl = _hotloop()
    assert isinstance(err, hl.CompileError)
    assert isinstance(err, Exception)

    funcs = [py_func_of(f) for f in (where if isinstance(where, (list, tuple)) else [where])]
    expected = {}  # lineno -> (filename, text)
    for f in funcs:
        for lineno, text in marked_lines(f).items():
            expected[lineno] = (f.__code__.co_filename, text)

    msg = str(err)
    context = f"\n--- CompileError message ---\n{msg}\n---"

    filename = getattr(err, "filename", None)
    lineno = getattr(err, "lineno", None)
    source_line = getattr(err, "source_line", None)

    assert isinstance(lineno, int) and not isinstance(lineno, bool), (
        f"CompileError.lineno should be an int, got {lineno!r}{context}")
    assert lineno in expected, (
        f"CompileError names line {lineno}, expected one of {sorted(expected)} "
        f"({[t for _, t in expected.values()]}){context}")
    exp_file, exp_text = expected[lineno]

    assert isinstance(filename, str) and filename, (
        f"CompileError.filename should be the file's path, got {filename!r}{context}")
    assert os.path.realpath(filename) == os.path.realpath(exp_file), (
        f"CompileError.filename is {filename!r}, expected {exp_file!r}{context}")

    assert isinstance(source_line, str), (
        f"CompileError.source_line should be a str, got {source_line!r}{context}")
    assert source_line == exp_text, (
        f"CompileError.source_line is {source_line!r}, expected {exp_text!r}{context}")

    assert msg.strip(), "CompileError message is empty"
    assert re.search(rf"\bline {lineno}\b", msg), (
        f"message does not contain 'line {lineno}'{context}")
    assert exp_text in msg, f"message does not contain the source line {exp_text!r}{context}"
    msg_lines = msg.splitlines()
    assert any(_CARET_LINE.match(l) for l in msg_lines), f"message has no caret (^) line{context}"
    if caret_at is not None:
        assert caret_at in exp_text, f"test bug: {caret_at!r} not in {exp_text!r}"
        pairs = [(a, b) for a, b in zip(msg_lines, msg_lines[1:])
                 if exp_text in a and _CARET_LINE.match(b)]
        assert pairs, f"the caret line does not follow the source line{context}"
        shown, carets = pairs[0]
        assert carets.index("^") == shown.index(caret_at), (
            f"the caret should start under {caret_at!r} (column {shown.index(caret_at)} of the "
            f"printed line), it starts at column {carets.index('^')}{context}")

    # Something beyond location, source and caret: a sentence explaining / suggesting.
    rest = " ".join(l for l in msg_lines
                    if l.strip() and not _CARET_LINE.match(l) and exp_text not in l)
    for path in {filename, exp_file, os.path.basename(exp_file)}:
        rest = rest.replace(path, " ")
    rest = re.sub(r"\bline \d+", " ", rest)
    words = re.findall(r"[A-Za-z]{2,}", rest)
    assert len(words) >= 4, f"message has no explanation beyond the location{context}"

    if mentions:
        low = msg.lower()
        assert any(m.lower() in low for m in mentions), (
            f"message mentions none of {list(mentions)}{context}")
    return err


def call_expecting_compile_error(thunk):
    """Run `thunk`; return the CompileError it raises, fail clearly on anything else."""
    hl = _hotloop()
    try:
        thunk()
    except hl.CompileError as e:
        return e
    except Exception as e:  # noqa: BLE001 - any other exception is the failure we report
        pytest.fail(f"expected hl.CompileError, got {type(e).__module__}."
                    f"{type(e).__qualname__}: {e}", pytrace=False)
    pytest.fail("expected hl.CompileError, but the call succeeded", pytrace=False)


@pytest.fixture
def compile_error():
    """compile_error(dispatcher, *args, mentions=(), where=None, caret_at=None) -> CompileError

    Calls the (lazily compiled) dispatcher with `args`, expects a CompileError and
    checks it against the ``# ERR`` lines of `where` (default: the dispatcher's py_func).
    """

    def run(disp, *args, mentions=(), where=None, caret_at=None):
        err = call_expecting_compile_error(lambda: disp(*args))
        return check_compile_error(err, where if where is not None else disp, mentions,
                                   caret_at)

    return run


@pytest.fixture
def eager_compile_error():
    """eager_compile_error(sig, pyfunc, mentions=(), **jit_options) -> CompileError

    Applies ``hl.jit(sig, **jit_options)`` to the plain function `pyfunc`; the error
    must be raised at decoration time.
    """

    def run(sig, pyfunc, mentions=(), caret_at=None, **options):
        hl = _hotloop()
        err = call_expecting_compile_error(lambda: hl.jit(sig, **options)(pyfunc))
        return check_compile_error(err, pyfunc, mentions, caret_at)

    return run


@pytest.fixture
def raises_compile_error():
    """raises_compile_error(thunk) -> the CompileError raised by thunk() (fails otherwise)."""
    return call_expecting_compile_error


@pytest.fixture
def check_error():
    """check_error(err, where, mentions=(), caret_at=None) -- the checks without the call."""
    return check_compile_error
