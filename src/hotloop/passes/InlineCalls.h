// Calls of other compiled functions whose body is straight-line (assignments, then one
// return) are replaced by the callee's code: its arguments and locals become let-bindings
// in the caller's expression, each evaluated once and in order. An array the callee
// returns then fuses with what the caller does with it (passes/LowerArrayExprs):
// np.prod(norm_pdf(mu, 1, data)) becomes one reduction loop with no temporary array.
//
// IR does not carry fastmath, boundscheck or error_model per expression, so a callee is
// inlined only when it was compiled with the caller's options (and parallel setting);
// otherwise the call stays a call, compiled with the callee's own options.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "hotloop/ir/IR.h"

namespace hotloop {

// Typed functions by symbol, as type inference made them (before their own passes).
using FunctionsBySymbol = std::map<std::string, std::shared_ptr<const Function>>;

void inline_calls(Function &f, const FunctionsBySymbol &callees);

}  // namespace hotloop
