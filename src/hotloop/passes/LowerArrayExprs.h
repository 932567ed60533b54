// Lowers whole-array operations to loops: an ArrayMap assigned to a variable becomes
// an allocation and one fused loop; a whole-array store (x += y, a[1:] = expr) becomes
// a loop writing the target (through a temporary only if the target overlaps an input,
// as NumPy does); a Reduce becomes an accumulation loop; ArrayMaps used anywhere else
// are first computed into a temporary. Contiguous operands of equal shape get one flat
// loop (which LLVM vectorizes); others an N-d loop with broadcasting.
#pragma once

#include "hotloop/ir/IR.h"

namespace hotloop {

void lower_array_exprs(Function &f);

}  // namespace hotloop
