// The compile driver: frontend -> type inference -> passes -> codegen -> O3 -> JIT,
// timing each stage. One Specialization per argument-type signature.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nanobind/nanobind.h>

#include "hotloop/ir/IR.h"
#include "hotloop/passes/LowerStencil.h"

namespace hotloop {

struct CompileOptions {
    bool fastmath = false;
    bool boundscheck = false;
    bool parallel = false;  // prange loops and array expressions run on the thread pool
    bool error_model_numpy = false;
    bool cache = false;  // keep compiled code on disk (jit/ObjectCache)
    bool quick_compile = false;  // lighter loop optimizations (evaluate's elementwise loops)
    bool fast_codegen = false;   // unoptimized machine code (evaluate's first calls on small arrays)
    std::map<std::string, Type> locals;
    std::shared_ptr<const StencilOptions> stencil;  // @stencil: the function is a kernel
    // kernel(a, out=b): the stencil variant with one more parameter, after the kernel's
    bool has_out_parameter() const { return stencil && stencil->with_out; }
};

struct StageTimes {
    double frontend = 0, types = 0, passes = 0, codegen = 0, optimize = 0, jit = 0;
    double total() const { return frontend + types + passes + codegen + optimize + jit; }
};

struct Specialization {
    std::vector<Type> args;
    Type return_type;
    std::string symbol;
    int32_t (*entry)(void **args, void *result) = nullptr;
    size_t return_size = 0;
    std::string ir_text;    // typed IR after the passes, callees included
    std::string llvm_text;  // optimized LLVM IR
    StageTimes times;
    bool from_cache = false;
    bool fast_codegen = false;  // its machine code is unoptimized (CompileOptions::fast_codegen)
    std::vector<size_t> arg_offsets;  // where each argument goes in the call's storage
    size_t arg_bytes = 0;
    std::string signature() const;  // "(float64[::1], int64)"
};

class Dispatcher;

// Untyped IR of a dispatcher's function (built once, cached by the dispatcher).
std::shared_ptr<Function> untyped_ir(Dispatcher &d, double *seconds);

// A Python constant (number, bool, None, tuple of them) as an expression; `what` names it
// in the CompileError for anything else.
Expr constant_expr(nanobind::handle v, const std::string &what, Loc loc);

std::unique_ptr<Specialization> compile_specialization(Dispatcher &d, const std::vector<Type> &args,
                                                       const Type &return_type);

// The return type the function would have for these argument types: the frontend and
// type inference only (no passes, no code). Raises hotloop.CompileError like a compile.
Type infer_return_type(Dispatcher &d, const std::vector<Type> &args);

// Assembly of a specialization (compiles its LLVM IR again, for inspection only).
std::string specialization_assembly(const Specialization &s);

}  // namespace hotloop
