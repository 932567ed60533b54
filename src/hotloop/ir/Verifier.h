// Checks the invariants of typed IR; throws InternalError naming the broken one.
// Run between stages in tests and when HOTLOOP_VERIFY=1 (always in debug builds).
#pragma once

#include "hotloop/ir/IR.h"

namespace hotloop {

void verify(const Function &f);

}  // namespace hotloop
