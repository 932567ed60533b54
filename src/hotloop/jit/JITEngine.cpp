#include "hotloop/jit/JITEngine.h"

#include <mutex>

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/DynamicLibrary.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>

#include "hotloop/ir/Error.h"
#include "hotloop/runtime/Runtime.h"

namespace hotloop {

struct JITEngine::Impl {
    std::unique_ptr<llvm::orc::LLJIT> jit;
    std::unique_ptr<llvm::TargetMachine> tm;
    // The same machine at CodeGenOptLevel::None. A TargetMachine of its own: selecting
    // FastISel sets a flag on the TargetMachine that later compiles would inherit.
    std::unique_ptr<llvm::TargetMachine> fast_tm;
    HostInfo host;
    std::mutex mutex;  // LLJIT lookups are thread-safe; our bookkeeping is serialized anyway
    int dylibs = 0;
};

namespace {

std::string llvm_error(llvm::Error e) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << e;
    return s;
}

}  // namespace

JITEngine::JITEngine() : impl(std::make_unique<Impl>()) {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();

    auto &h = impl->host;
    h.triple = llvm::sys::getProcessTriple();
    h.cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures feats;
    for (auto &f : llvm::sys::getHostCPUFeatures()) feats.AddFeature(f.first(), f.second);
    h.features = feats.getString();
    h.vector_width_bits = h.features.find("+avx512f") != std::string::npos ? 512
                          : h.features.find("+avx2") != std::string::npos ? 256
                          : h.features.find("+avx") != std::string::npos ? 256 : 128;
    h.llvm_version = LLVM_VERSION_STRING;

    auto jtmb = llvm::orc::JITTargetMachineBuilder(llvm::Triple(h.triple));
    jtmb.setCPU(h.cpu);
    jtmb.getFeatures().addFeaturesVector(feats.getFeatures());
    jtmb.setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
    auto tm = jtmb.createTargetMachine();
    if (!tm) internal_error("cannot create the host TargetMachine: " + llvm_error(tm.takeError()));
    impl->tm = std::move(*tm);
    auto fast_jtmb = jtmb;
    fast_jtmb.setCodeGenOptLevel(llvm::CodeGenOptLevel::None);
    auto fast_tm = fast_jtmb.createTargetMachine();
    if (!fast_tm) internal_error("cannot create the host TargetMachine: " + llvm_error(fast_tm.takeError()));
    impl->fast_tm = std::move(*fast_tm);

    auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(jtmb).create();
    if (!jit) internal_error("cannot create the JIT: " + llvm_error(jit.takeError()));
    impl->jit = std::move(*jit);

    // libm and libmvec (vector math the loop vectorizer calls) from this process.
    llvm::sys::DynamicLibrary::LoadLibraryPermanently("libmvec.so.1");
    llvm::sys::DynamicLibrary::LoadLibraryPermanently("libm.so.6");
    auto &main = impl->jit->getMainJITDylib();
    auto gen = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
        impl->jit->getDataLayout().getGlobalPrefix());
    if (!gen) internal_error("cannot search this process's symbols: " + llvm_error(gen.takeError()));
    main.addGenerator(std::move(*gen));

    // The runtime's functions, as absolute symbols.
    llvm::orc::SymbolMap runtime_symbols;
    auto &es = impl->jit->getExecutionSession();
    for (auto &s : runtime::symbols())
        runtime_symbols[es.intern(s.name)] = {llvm::orc::ExecutorAddr::fromPtr(s.address),
                                              llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
    if (auto err = main.define(llvm::orc::absoluteSymbols(std::move(runtime_symbols))))
        internal_error("cannot register the runtime: " + llvm_error(std::move(err)));
}

JITEngine &JITEngine::get() {
    static JITEngine *engine = new JITEngine();  // never destroyed: compiled code lives until exit
    return *engine;
}

std::string JITEngine::emit_object(llvm::Module &m, bool fast) {
    std::lock_guard<std::mutex> lock(impl->mutex);
    m.setDataLayout(impl->jit->getDataLayout());
    llvm::SmallVector<char, 0> buf;
    llvm::raw_svector_ostream os(buf);
    llvm::legacy::PassManager pm;
    llvm::TargetMachine &tm = fast ? *impl->fast_tm : *impl->tm;
    if (tm.addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile))
        internal_error("the target cannot emit object files");
    pm.run(m);
    return std::string(buf.data(), buf.size());
}

uint64_t JITEngine::add_object(const std::string &object, const std::string &symbol) {
    std::lock_guard<std::mutex> lock(impl->mutex);
    auto &es = impl->jit->getExecutionSession();
    std::string name = "hl" + std::to_string(impl->dylibs++);
    auto jd = es.createJITDylib(name);
    if (!jd) internal_error("cannot create a JITDylib: " + llvm_error(jd.takeError()));
    jd->addToLinkOrder(impl->jit->getMainJITDylib());
    auto buffer = llvm::MemoryBuffer::getMemBufferCopy(object, name);
    if (auto err = impl->jit->addObjectFile(*jd, std::move(buffer)))
        internal_error("cannot add an object to the JIT: " + llvm_error(std::move(err)));
    auto addr = impl->jit->lookup(*jd, symbol);
    if (!addr) internal_error("cannot find compiled symbol " + symbol + ": " + llvm_error(addr.takeError()));
    return addr->getValue();
}

llvm::TargetMachine &JITEngine::target_machine() { return *impl->tm; }
const HostInfo &JITEngine::host() const { return impl->host; }

std::string JITEngine::assembly(llvm::Module &m, bool fast) {
    std::lock_guard<std::mutex> lock(impl->mutex);
    llvm::SmallString<4096> buf;
    llvm::raw_svector_ostream os(buf);
    llvm::legacy::PassManager pm;
    llvm::TargetMachine &tm = fast ? *impl->fast_tm : *impl->tm;
    if (tm.addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::AssemblyFile))
        internal_error("the target cannot emit assembly");
    pm.run(m);
    return std::string(buf.str());
}

}  // namespace hotloop
