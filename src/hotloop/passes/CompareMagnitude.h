// `abs(z) < c` (and <=, >, >=, or c on the left) for a complex z and a constant c >= 0
// first compares z.real*z.real + z.imag*z.imag with c*c, and calls hypot only when the
// two are too close for that to decide (within 16 units in the last place), so the
// result is always exactly the hypot comparison's. The Mandelbrot loop's escape test
// becomes two multiplications and an addition.
//
// Applies when c is 0 or lies in [2^-480, 2^500] (complex64: [2^-60, 2^60]): there c*c
// is finite and normal, so the rounding error of the sum of squares is relative and
// small, and a sum that overflows to inf means |z| > c. NaN parts fall through to hypot.
// Element bodies of array expressions keep hypot (a call inside a branch would stop
// their loops from being vectorized).
#pragma once

#include "hotloop/ir/IR.h"

namespace hotloop {

Stmt compare_magnitude(const Stmt &s);

}  // namespace hotloop
