"""hotloop's LLVM must not clash with another LLVM in the same process (Numba's llvmlite)."""

import glob
import os
import subprocess
import sys

import numpy as np
import pytest

import hotloop as hl


def poly(x):
    y = np.empty_like(x)
    for i in range(x.shape[0]):
        v = x[i]
        y[i] = v + v**2 + v**3
    return y


def test_extension_exports_only_its_init():
    so = glob.glob(os.path.join(os.path.dirname(hl.__file__), "_core*.so"))[0]
    out = subprocess.run(["nm", "-D", "--defined-only", so], capture_output=True, text=True, check=True).stdout
    exported = [line.split()[-1] for line in out.splitlines() if line.split()[1] in "TDBVW"]
    assert "PyInit__core" in exported
    llvm_symbols = [s for s in exported if "llvm" in s.lower()]
    assert llvm_symbols == [], f"LLVM symbols leak out of the extension: {llvm_symbols[:5]}"


@pytest.mark.parametrize("numba_first", [True, False])
def test_numba_and_hotloop_in_one_process(numba_first):
    pytest.importorskip("numba")
    # A fresh interpreter, so the import order is the one under test.
    code = f"""
import numpy as np
first_numba = {numba_first}
if first_numba:
    import numba
import hotloop as hl
if not first_numba:
    import numba
from test_llvm_isolation import poly
x = np.linspace(-1, 1, 1001)
a = numba.njit(poly)(x)
b = hl.njit(poly)(x)
c = numba.njit(lambda v: v * 2.0)(x)
d = hl.njit(poly)(x[::2])
np.testing.assert_allclose(a, poly(x))
np.testing.assert_allclose(b, poly(x))
np.testing.assert_allclose(c, x * 2.0)
np.testing.assert_allclose(d, poly(x[::2]))
print("ok")
"""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(__file__)] + sys.path))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip().endswith("ok")
