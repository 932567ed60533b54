// @hl.stencil: a kernel written with relative indices (u[-1, 0] is the neighbour one row up of
// the current element) becomes a function that applies it at every point, as Numba's
// @stencil does. Runs on untyped IR, once per argument types (the loop nest depends on
// the arrays' ndim, the result's dtype on the kernel's return type).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hotloop/ir/IR.h"

namespace hotloop {

struct StencilOptions {
    bool wrap = false;  // mode="wrap": neighbours past an edge come from the other side
    Expr cval;          // mode="constant": the value of the points where the kernel does not fit
    bool cval_given = false;  // with out=, only a cval given explicitly is stored (as Numba)
    // Per dimension the (lowest, highest) relative index; empty: inferred from the
    // kernel's constant indices.
    std::vector<std::pair<int64_t, int64_t>> neighborhood;
    std::vector<std::string> standard_indexing;  // array parameters indexed as usual
    bool with_out = false;  // kernel(a, out=b): one more parameter, the array to write into
};

// The untyped function `def f(<kernel's parameters>)` that allocates the result (the
// shape of the first relatively indexed array, the dtype `result_type()` gives: the
// kernel's return type), runs the kernel at every point where it fits and, at the other
// points, stores cval (`constant`) or runs it with indices taken modulo the extent
// (`wrap`), and returns the result. With `with_out` it takes one more parameter, the array
// to write into, and returns it. `args` are the argument types (out's last); CompileError
// for kernels it cannot apply (checked before `result_type` is asked for).
std::shared_ptr<Function> stencil_driver(const Function &kernel, const std::vector<Type> &args,
                                         const std::function<Type()> &result_type, const StencilOptions &options);

}  // namespace hotloop
