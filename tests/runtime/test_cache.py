"""The on-disk cache: a new process evaluating a known expression (or calling a
cache=True function) loads the machine code instead of compiling; a damaged entry is
recompiled with a warning."""

import glob
import os
import subprocess
import sys
import textwrap

import pytest

PYTHON_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "python")

SCRIPT = textwrap.dedent("""
    import sys, warnings
    import numpy as np
    import hotloop as hl
    warnings.simplefilter("always")
    a = np.arange(5.0); b = np.ones(5)
    hl.evaluate("a * 0.5 + b")               # another expression first: other symbol numbers
    r = hl.evaluate("2*a + 3*b - 1")
    ev = sys.modules["hotloop.evaluate"]
    tiers = [t for k, t in ev._compiled.items() if k[0] == "2*a + 3*b - 1"][0]
    stage = list(tiers._fast.stats["stages"].values())[0]  # 5 elements: the first tier
    print(stage["from_cache"], r.tolist())
    from cached_module import scaled
    print(list(scaled.stats["stages"].values())[0]["from_cache"] if scaled(a, 2.0) is not None else None)
""")

MODULE = textwrap.dedent("""
    import numpy as np
    import hotloop as hl

    @hl.jit(cache=True)
    def scaled(x, k):
        y = np.empty_like(x)
        for i in range(x.shape[0]):
            y[i] = x[i] * k
        return y
""")


def run(tmp_path, first_expression=True):
    env = dict(os.environ, HOTLOOP_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=os.pathsep.join([PYTHON_DIR, str(tmp_path)] + sys.path))
    script = SCRIPT if first_expression else SCRIPT.replace('hl.evaluate("a * 0.5 + b")', "")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout.split("\n"), r.stderr


def test_new_process_loads_compiled_code_from_disk(tmp_path):
    (tmp_path / "cached_module.py").write_text(MODULE)
    out1, _ = run(tmp_path)
    assert out1[0] == "False [2.0, 4.0, 6.0, 8.0, 10.0]" and out1[1] == "False"
    out2, _ = run(tmp_path, first_expression=False)  # a different compile order
    assert out2[0] == "True [2.0, 4.0, 6.0, 8.0, 10.0]" and out2[1] == "True"


def test_damaged_entry_is_recompiled_with_a_warning(tmp_path):
    (tmp_path / "cached_module.py").write_text(MODULE)
    run(tmp_path)
    for path in glob.glob(str(tmp_path / "cache" / "*.hlobj")):
        with open(path, "r+b") as f:
            f.seek(os.path.getsize(path) // 2)
            f.write(b"garbage")
    out, err = run(tmp_path)
    assert out[0].startswith("False [2.0, 4.0, 6.0, 8.0, 10.0]")
    assert "damaged cache entry" in err
    out, _ = run(tmp_path)  # rewritten: used again
    assert out[0].startswith("True")


EDITED = textwrap.dedent("""
    import numpy as np
    import hotloop as hl

    @hl.jit(cache=True)
    def div(z, w):
        print("v1.2", end="{end}")
        return z / w
""")
CHECK = textwrap.dedent("""
    import numpy as np
    from edited import div
    x, y = 878052889971503.0 + 0j, -1.5j
    print("|", div(x, y) == div.py_func(x, y), div(np.complex128(x), np.complex128(y)) ==
          div.py_func(np.complex128(x), np.complex128(y)))
""")


def test_entries_differ_in_what_the_ir_text_hides(tmp_path):
    """print's end= and texts, and Python numbers against NumPy scalars (complex division
    rounds differently for them), are part of the key: no stale code after an edit."""
    env = dict(os.environ, HOTLOOP_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=os.pathsep.join([PYTHON_DIR, str(tmp_path)] + sys.path))
    outputs = []
    for end in ["!", "?", "?"]:
        (tmp_path / "edited.py").write_text(EDITED.replace("{end}", end))
        r = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, env=env, timeout=120)
        assert r.returncode == 0, r.stderr[-3000:]
        outputs.append(r.stdout)
    for out, end in zip(outputs, ["!", "?", "?"]):
        assert out == f"v1.2{end}v1.2{end}v1.2{end}v1.2{end}| True True\n", out
