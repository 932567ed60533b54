"""Runs the rest of this suite in a child interpreter first, so that a compiler bug that
kills the process (segfault, abort, hang) shows up as one clear failure naming the test
that was running, instead of silently ending the whole pytest session.
"""

import os
import signal
import subprocess
import sys

import pytest

hl = pytest.importorskip("hotloop")

_CHILD_ENV = "HOTLOOP_ERRORS_SUITE_CHILD"


@pytest.mark.skipif(os.environ.get(_CHILD_ENV) == "1", reason="already in the child run")
def test_error_suite_never_crashes_the_interpreter():
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ)
    env[_CHILD_ENV] = "1"
    # The child must import the same hotloop as this process.
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(hl.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [pkg_parent, env.get("PYTHONPATH", "")] if p)
    cmd = [sys.executable, "-m", "pytest", here, "-v", "-p", "no:cacheprovider",
           "-o", "addopts=", "--deselect",
           f"{os.path.relpath(__file__, os.getcwd())}::test_error_suite_never_crashes_the_interpreter"]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"")
        out = out.decode(errors="replace") if isinstance(out, bytes) else out
        pytest.fail("the error suite hung (over 900 s); last output:\n" + out[-3000:],
                    pytrace=False)
    out = proc.stdout + proc.stderr
    if proc.returncode < 0:
        sig = signal.Signals(-proc.returncode).name
        pytest.fail(f"the interpreter was killed by {sig} while running the error suite; "
                    f"the last test started is the culprit:\n{out[-4000:]}", pytrace=False)
    # 0: all passed; 1: some tests failed (they fail in this run too, with details).
    assert proc.returncode in (0, 1), (
        f"child pytest exited with status {proc.returncode}:\n{out[-4000:]}")
