"""Adjacent whole-array statements fused into one loop, against NumPy.

A run of statements such as ``y = x * 2; z = np.sin(y) + y`` or the seed's in-place
Laplacian (``np.copyto(out, grid); out *= 4; out += np.roll(grid, +1, 0); ...``) shares one
loop nest when the shapes agree at run time and no written array is read at another
element; otherwise the statements run one after another.  Both paths must give NumPy's
result, so the tests include views that overlap the written arrays (made inside the
compiled function, so NumPy sees the same aliasing), broadcasting, rolls, reassigned
names and shape errors, at 1 to 3 threads with tiny chunks.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_parallel_arrays import SETTINGS, check, matrices, shaped, sides, vectors

hl = pytest.importorskip("hotloop")

pytestmark = pytest.mark.usefixtures("small_chunks")


def fused_loops(fn):
    """The number of loops in the fused path (a group's first loop stores several arrays)."""
    ir = fn.inspect_ir(fn.signatures[0])
    return ir.count("$new") > 0, ir


# ------------------------------------------------------------------ chains of new arrays
@hl.jit(parallel=True)
def chain(x, c):
    y = x * 2
    z = np.sin(y) + y
    w = z * c - y
    return w


@hl.jit(parallel=True)
def leapfrog(x, v, dt):
    x = x + dt * v
    a = -x
    v = v + dt * a
    return x, v


@SETTINGS
@given(x=st.one_of(vectors(), matrices()), c=st.floats(-3, 3))
def test_chain_of_new_arrays(threads, x, c):
    check(chain, x, c, rtol=1e-12, atol=1e-12)


def test_chain_is_one_loop():
    chain(np.ones(4), 1.0)
    ir = chain.inspect_ir(chain.signatures[0])
    # One loop nest computes y, z and w; y and z are read nowhere else, so they are never
    # made: only w is allocated and stored.
    fused = ir.split("else:")[0]
    assert fused.count("prange(") == 1, ir
    assert "math.Sin" in fused and fused.count("] = $e") == 1, ir
    assert fused.count("np.empty(") == 1, ir


@hl.jit(parallel=True)
def chain_keeps_what_is_read_later(x):
    y = x * 2
    z = y + 1
    w = z * z
    return y.sum() + w[0] if w.size else y.sum()


def test_arrays_read_after_the_group_are_kept(threads):
    for n in (0, 1, 7, 100):
        check(chain_keeps_what_is_read_later, np.arange(float(n)))
    ir = chain_keeps_what_is_read_later.inspect_ir(chain_keeps_what_is_read_later.signatures[0])
    fused = ir.split("else:")[0]
    assert fused.count("np.empty(") == 2, ir  # y and w, not z


@SETTINGS
@given(data=st.data())
def test_reassigned_names_read_the_old_array(threads, data):
    n = data.draw(sides)
    x = data.draw(shaped(np.float64, (n,), st.floats(-10, 10)))
    v = data.draw(shaped(np.float64, (n,), st.floats(-10, 10)))
    check(leapfrog, x, v, 0.1, rtol=1e-13, atol=1e-13)


# --------------------------------------------------------------- in-place statements
@hl.jit(parallel=True)
def laplacian_in_place(grid, out):
    # "High Performance Python", Example 6-14, verbatim.
    np.copyto(out, grid)
    out *= -4
    out += np.roll(grid, +1, 0)
    out += np.roll(grid, -1, 0)
    out += np.roll(grid, +1, 1)
    out += np.roll(grid, -1, 1)


@hl.jit(parallel=True)
def evolve(grid, dt, out, D=1.0):
    laplacian_in_place(grid, out)
    out *= D * dt
    out += grid


@SETTINGS
@given(data=st.data())
def test_seed_laplacian_in_place(threads, data):
    n, m = data.draw(sides), data.draw(sides)
    grid = data.draw(shaped(np.float64, (n, m), st.floats(-1, 1)))
    out = data.draw(shaped(np.float64, (n, m), st.floats(-1, 1)))
    check(laplacian_in_place, grid, out, rtol=1e-13, atol=1e-13)
    check(evolve, grid, 0.1, out, rtol=1e-13, atol=1e-13)


def test_seed_laplacian_is_one_loop():
    grid, out = np.random.rand(5, 6), np.empty((5, 6))
    laplacian_in_place(grid, out)
    ir = laplacian_in_place.inspect_ir(laplacian_in_place.signatures[0])
    fused = ir.split("else:")[0]
    assert fused.count("prange(") == 1 and fused.count("out[") == 1, ir


@hl.jit(parallel=True)
def broadcast_updates(out, row, col):
    out += row
    out *= col[:, np.newaxis]
    out -= 1.0
    return out.sum()


@SETTINGS
@given(data=st.data())
def test_in_place_with_broadcast_inputs(threads, data):
    n, m = data.draw(sides), data.draw(sides)
    out = data.draw(shaped(np.float64, (n, m), st.floats(-5, 5)))
    row = data.draw(shaped(np.float64, (data.draw(st.sampled_from([m, 1])),), st.floats(-5, 5)))
    col = data.draw(shaped(np.float64, (data.draw(st.sampled_from([n, 1])),), st.floats(-5, 5)))
    check(broadcast_updates, out, row, col, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------- overlapping views: the fallback
@hl.jit(parallel=True)
def shifted_views(a):
    b = a[1:]
    c = a[:-1]
    b += 1.0
    c *= 2.0
    b -= c


@hl.jit(parallel=True)
def reversed_view(a):
    r = a[::-1]
    a += 1.0
    r *= 2.0


@hl.jit(parallel=True)
def new_then_update(a):
    y = a * 2
    a += y
    y += a[::-1]
    return y


@hl.jit(parallel=True)
def same_view_twice(a):
    b = a[:]
    a += 1.0
    b *= 3.0
    a -= b


@hl.jit(parallel=True)
def reads_reversed_target(a):
    r = a[::-1]
    a += r
    a *= 2.0


@hl.jit(parallel=True)
def reads_before_a_later_write(a):
    r = a[::-1]
    y = r * 2.0
    a += 1.0
    return y


@hl.jit(parallel=True)
def rolls_its_own_target(a):
    a *= 2.0
    a += np.roll(a, 1)
    a -= 1.0


@SETTINGS
@given(a=vectors(st.floats(-5, 5)))
def test_overlapping_views_run_one_by_one(threads, a):
    check(shifted_views, a)
    check(reversed_view, a)
    check(new_then_update, a)
    check(same_view_twice, a)
    check(reads_reversed_target, a)
    check(reads_before_a_later_write, a)
    check(rolls_its_own_target, a)


# ----------------------------------------------------------- shape errors keep order
@hl.jit(parallel=True)
def second_statement_fails(out, b):
    out *= 2.0
    out += b


def test_shape_error_after_the_first_statement_ran():
    out, b = np.ones(4), np.ones(3)
    with pytest.raises(ValueError):
        second_statement_fails(out, b)
    # As in NumPy, the first statement has updated out before the second one raised.
    np.testing.assert_array_equal(out, np.full(4, 2.0))


@hl.jit(parallel=True)
def shapes_differ(a, b):
    y = a + 1
    z = b * 2
    return y, z


@SETTINGS
@given(a=vectors(), b=vectors())
def test_unequal_shapes_are_not_fused(threads, a, b):
    check(shapes_differ, a, b)


@hl.jit(parallel=True)
def ints_and_floats(a, b):
    c = a * 3
    d = c // 2 + b
    c -= 1
    return c, d


@SETTINGS
@given(data=st.data())
def test_mixed_dtypes(threads, data):
    n = data.draw(sides)
    a = data.draw(shaped(np.int64, (n,), st.integers(-100, 100)))
    b = data.draw(shaped(np.float32, (n,), st.floats(-5, 5, width=32)))
    check(ints_and_floats, a, b, rtol=1e-6)


def test_serial_functions_fuse_too():
    @hl.jit
    def f(x):
        y = x + 1
        return y * y

    x = np.arange(5.0)
    np.testing.assert_array_equal(f(x), f.py_func(x))
    fused = f.inspect_ir(f.signatures[0]).split("else:")[0]
    assert fused.count("for ") == 1 and "prange(" not in fused
