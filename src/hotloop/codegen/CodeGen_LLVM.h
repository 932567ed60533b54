// Codegen: typed IR -> one LLVM module per specialization.
//
// Each IR function becomes `i32 @symbol(ptr ret, params...)` (0 = success, else an
// exception is pending in the runtime), internal so LLVM can inline it; the entry
// function also gets `i32 @symbol_entry(ptr args, ptr result)`, the dispatcher's ABI:
// args[i] points at argument i (a scalar, or an array struct, see runtime/Runtime.h).
#pragma once

#include <memory>
#include <string>

#include "hotloop/ir/IR.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace hotloop {

struct HostInfo;

struct LoweredModule {
    std::unique_ptr<llvm::LLVMContext> context;
    std::unique_ptr<llvm::Module> module;
    std::string entry_symbol;  // the dispatcher's entry point
};

// Each function is compiled with its own FunctionOptions (fastmath, boundscheck, error_model).
LoweredModule codegen_llvm(const Program &program, const HostInfo &host);

}  // namespace hotloop
