// Rejects reads of a local variable that no path assigns before the read (Python
// would raise UnboundLocalError there). Runs on untyped IR, before type inference.
#pragma once

#include "hotloop/ir/IR.h"

namespace hotloop {

void check_assigned_before_use(const Function &f);

}  // namespace hotloop
