// x ** n for a small constant integer n becomes multiplications (x**8 = ((x*x)^2)^2),
// so polynomial loops vectorize without calls to pow.
#pragma once

#include "hotloop/ir/IR.h"

namespace hotloop {

Stmt strength_reduce_pow(const Stmt &s);

}  // namespace hotloop
