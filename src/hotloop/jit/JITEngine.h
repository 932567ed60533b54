// The process-wide ORC LLJIT: one per process, configured for the host CPU, with the
// runtime's functions and libm/libmvec resolvable from generated code.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace hotloop {

struct HostInfo {
    std::string triple, cpu, features;
    int vector_width_bits = 128;
    std::string llvm_version;
};

class JITEngine {
public:
    static JITEngine &get();

    // Machine code (an object file) for an optimized module. `fast`: no machine-code
    // optimization (fast instruction selection and register allocation), for code whose
    // compile time matters more than its speed.
    std::string emit_object(llvm::Module &m, bool fast = false);
    // Links an object file into a JITDylib of its own (so names never clash between
    // specializations) and returns the address of `symbol`.
    uint64_t add_object(const std::string &object, const std::string &symbol);
    // The host TargetMachine (for the optimizer's cost model and for inspect_asm).
    llvm::TargetMachine &target_machine();
    const HostInfo &host() const;

    // Assembly text of a module, as the JIT would compile it.
    std::string assembly(llvm::Module &m, bool fast = false);

    struct Impl;
private:
    JITEngine();
    std::unique_ptr<Impl> impl;
};

}  // namespace hotloop
