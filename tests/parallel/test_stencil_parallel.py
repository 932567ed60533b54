"""@hl.stencil on the thread pool: with parallel=True of its own, and called from a
parallel=True function (which parallelizes it, as Numba does). Each point is computed by
the same kernel whatever the thread, so results are equal to the serial stencil's bit for
bit, at 1, 2 and 3 threads and with chunks small enough that every array is split."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

hl = pytest.importorskip("hotloop")


def lap(u):
    return u[-1, 0] + u[1, 0] + u[0, -1] + u[0, 1] - 4 * u[0, 0]


SERIAL = hl.stencil(lap)
WRAP = hl.stencil(mode="wrap")(lap)
PARALLEL = hl.stencil(parallel=True)(lap)
PARALLEL_WRAP = hl.stencil(mode="wrap", parallel=True)(lap)


@hl.jit(parallel=True)
def twice_in_parallel_caller(u):
    return SERIAL(u) * 2.0


GRIDS = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=40),
                   elements=st.floats(-1e3, 1e3))


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # set once per test
@given(GRIDS)
def test_parallel_stencils_equal_serial(threads, small_chunks, u):
    np.testing.assert_array_equal(PARALLEL(u), SERIAL(u))
    np.testing.assert_array_equal(PARALLEL_WRAP(u), WRAP(u))
    np.testing.assert_array_equal(twice_in_parallel_caller(u), SERIAL(u) * 2.0)


def test_called_from_a_parallel_function_runs_in_parallel():
    u = np.ones((64, 64))
    twice_in_parallel_caller(u)
    SERIAL(u)
    # the stencil's outer loops are parallel loops in the parallel caller's program ...
    caller_ir = twice_in_parallel_caller.inspect_ir(twice_in_parallel_caller.signatures[0])
    assert "for $stencil_i0 in prange(" in caller_ir, caller_ir
    # ... and serial ones when the stencil is called on its own
    assert "prange(" not in SERIAL.inspect_ir(SERIAL.signatures[0])
