// Complex math functions for compiled code: hl_c<name> (complex128) and hl_c<name>f
// (complex64), as void f(re, im, out[2]). C99's functions from the C library, as NumPy
// uses them, and NumPy's own formulas for log1p, expm1, exp2, log2, log10 and sign; hl_cpow
// (a.re, a.im, b.re, b.im, out[2]) is NumPy's npy_cpow.
#pragma once

#include "hotloop/runtime/Runtime.h"

namespace hotloop::runtime {

std::vector<Symbol> complex_math_symbols();

}  // namespace hotloop::runtime
