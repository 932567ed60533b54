// LLVM's O3 pipeline for the host: the TargetMachine's cost model, loop and SLP
// vectorizers, and glibc's libmvec as the vector math library.
#pragma once

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace hotloop {

// `quick`: no unrolling or interleaving (smaller code, about half the compile time) for
// code that is memory-bound anyway, such as evaluate()'s elementwise loops.
void optimize_module(llvm::Module &m, llvm::TargetMachine &tm, bool quick = false);

}  // namespace hotloop
