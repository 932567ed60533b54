// LLVM's O3 pipeline for the host: the TargetMachine's cost model, loop and SLP
// vectorizers, and glibc's libmvec as the vector math library.
#pragma once

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace hotloop {

void optimize_module(llvm::Module &m, llvm::TargetMachine &tm);

}  // namespace hotloop
