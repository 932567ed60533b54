// NumPy ufuncs and generalized ufuncs whose inner loops call compiled drivers: the C
// side of hl.vectorize and hl.guvectorize (python/hotloop/ufunc.py generates and
// compiles the drivers; this file wraps them in a genuine numpy.ufunc).
#pragma once

#include <nanobind/nanobind.h>

namespace hotloop {

void bind_ufunc(nanobind::module_ &m);

}  // namespace hotloop
