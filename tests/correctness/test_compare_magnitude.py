"""`abs(z) < c` for complex z first compares the sum of squares with c*c and calls hypot
only near the boundary (passes/CompareMagnitude): the results must be exactly CPython's
(abs of a complex is hypot there too; NumPy's np.abs can differ from hypot by an ulp, so
the oracle uses abs), on the boundary |z| == c, one ulp either side of it,
for huge parts whose squares overflow, and for NaN and inf parts."""

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from .conftest import PYTHON_ONLY, SETTINGS, check, hl


@hl.jit
def below_two(z):
    return abs(z) < 2


@hl.jit
def comparisons(z):
    # Every operator, c on either side, c with an exact square and without one.
    return (abs(z) < 2, abs(z) <= 2, abs(z) > 2.0, abs(z) >= 2,
            3 > abs(z), 0.1 <= abs(z), abs(z) > 0, abs(z) <= 0, abs(z) < 1e-300,
            abs(z) >= 1e300)


@hl.jit
def escape_count(z0, n):
    # The seed fractal's escape test in a loop (the seed writes np.abs, the same function here).
    z = z0
    for k in range(n):
        if abs(z) < 2:
            z = z**2 + z0
        else:
            return k
    return n


def near_circle(radius):
    """Points whose magnitude is within a few ulps of `radius`, at many angles."""
    pts = []
    for k in range(-6, 7):
        r = radius * (1 + k * 2.0**-52)
        for t in np.linspace(0, 2 * math.pi, 17):
            pts.append(complex(r * math.cos(t), r * math.sin(t)))
    pts += [complex(radius, 0), complex(0, radius), complex(-radius, 0),
            complex(radius / math.sqrt(2), radius / math.sqrt(2))]
    return pts


SPECIAL = [0j, complex(1e154, 1e154), complex(1e200, 0), complex(0, -1e300), complex(1.8e308, 1.8e308),
           complex(math.inf, 0), complex(0, -math.inf), complex(math.inf, math.nan),
           complex(math.nan, math.inf), complex(math.nan, 0), complex(0, math.nan),
           complex(5e-324, 5e-324), complex(1e-170, 1e-170), complex(math.nextafter(0.1, 1), 0)]


@pytest.mark.parametrize("z", near_circle(2.0) + near_circle(3.0) + near_circle(0.1) + SPECIAL)
def test_boundary_and_special_values(z):
    check(comparisons, z)
    check(below_two, z)


def magnitude_finite_or_inf_part(z):
    """CPython raises OverflowError when finite parts give |z| > DBL_MAX (compiled code
    gives inf, as NumPy does): those are outside the oracle's domain."""
    try:
        abs(z)
        return True
    except OverflowError:
        return False


complexes = st.complex_numbers(allow_nan=True, allow_infinity=True).filter(magnitude_finite_or_inf_part)


@SETTINGS
@given(complexes)
@example(complex(2, 0))
@example(complex(1.2, 1.6))  # |z| == 2 in exact arithmetic
def test_any_complex(z):
    check(comparisons, z)


@SETTINGS
@given(st.complex_numbers(max_magnitude=2.5), st.integers(0, 60))
def test_escape_loop(z, n):
    check(escape_count, z, n)


@hl.jit
def single_precision(z):
    return (abs(z) < 2, abs(z) >= np.float32(0.5), 3 >= abs(z))


@SETTINGS
@given(st.complex_numbers(allow_nan=True, allow_infinity=True, width=64))
@example(complex(2, 0))
@example(complex(1e20, 1e20))
def test_complex64(z):
    check(single_precision, np.complex64(z))


def test_complex64_near_boundary():
    for z in near_circle(2.0):
        for k in (-2, -1, 0, 1, 2):
            w = np.complex64(z) * np.float32(1 + k * 2.0**-23)
            check(single_precision, np.complex64(w))


@pytest.mark.skipif(PYTHON_ONLY, reason="inspects the compiled IR")
def test_rewritten_in_scalar_code():
    below_two(1j)
    ir = below_two.inspect_ir(below_two.signatures[0])
    assert "$mag" in ir, ir
