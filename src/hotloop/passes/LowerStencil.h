// @hl.stencil: a kernel written with relative indices (u[-1, 0] is the left neighbour of
// the current element) becomes a function that applies it at every point, as Numba's
// @stencil does. Runs on untyped IR, once per argument types (the loop nest depends on
// the arrays' ndim, the result's dtype on the kernel's return type).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hotloop/ir/IR.h"

namespace hotloop {

struct StencilOptions {
    bool wrap = false;  // mode="wrap": neighbours past an edge come from the other side
    Expr cval;          // mode="constant": the value of the points where the kernel does not fit
    // Per dimension the (lowest, highest) relative index; empty: inferred from the
    // kernel's constant indices.
    std::vector<std::pair<int64_t, int64_t>> neighborhood;
    std::vector<std::string> standard_indexing;  // array parameters indexed as usual
    bool with_out = false;  // kernel(a, out=b): one more parameter, the array to write into
};

// The untyped function `def f(<kernel's parameters>)` that allocates the result (the
// shape of the first relatively indexed array, dtype `result`), runs the kernel at every
// point where it fits and, at the other points, stores cval (`constant`) or runs it with
// indices taken modulo the extent (`wrap`), and returns the result. With `with_out` it takes one more parameter, `out`, an array of that shape,
// writes only the points the kernel computes into it and returns it. `args` are the
// argument types (out's last); CompileError for kernels it cannot apply.
std::shared_ptr<Function> stencil_driver(const Function &kernel, const std::vector<Type> &args, const Type &result,
                                         const StencilOptions &options);

}  // namespace hotloop
