// Decides which loops of a parallel=True function run on the thread pool, and how.
//
// A prange loop is checked for races: every variable it assigns must be private to an
// iteration (assigned before it is read) or a reduction (`s += e`, `s *= e`, `s -= e`,
// `s = min(s, e)`, `s |= e`, `s = s or e`, ...; read nowhere else in the loop). Anything
// else is a CompileError, not a silent race. Nested prange loops run serially inside
// the outer one. In a function without parallel=True, prange is range.
#pragma once

#include "hotloop/ir/IR.h"

namespace hotloop {

void plan_parallel_loops(Function &f);

// The estimated work of one run of `s`, about one unit per operation (for deciding how
// many chunks a parallel loop is worth).
int64_t estimate_cost(const Stmt &s);

}  // namespace hotloop
