// Random numbers for compiled code: MT19937 with NumPy's legacy (RandomState) algorithms,
// so np.random.seed(n) inside compiled code gives the same numbers NumPy gives after
// np.random.seed(n). One generator per thread, seeded from the OS until seeded explicitly.
#pragma once

#include "hotloop/runtime/Runtime.h"

namespace hotloop::runtime {

std::vector<Symbol> random_symbols();

}  // namespace hotloop::runtime
