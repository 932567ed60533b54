#include "hotloop/codegen/Optimizer.h"

#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Target/TargetMachine.h>

#include "hotloop/ir/Error.h"

namespace hotloop {

namespace {

// For quick compiles (evaluate's elementwise loops): what those loops need and no more,
// at a third of O3's time. Variables to registers, the usual clean-ups, loop-invariant
// hoisting, then the loop vectorizer (no interleaving), and a last clean-up. A textual
// `instcombine` verifies that one iteration reached a fixpoint and aborts the process when
// it did not (seen on random evaluate() expressions): the default pipelines do not verify.
const char *quick_pipeline =
    "function(sroa<modify-cfg>,early-cse<memssa>,simplifycfg,instcombine<no-verify-fixpoint>,"
    "loop-mssa(loop-rotate,licm<allowspeculation>),loop(indvars),"
    "loop-vectorize<interleave-forced-only>,instcombine<no-verify-fixpoint>,simplifycfg)";

}  // namespace

void optimize_module(llvm::Module &m, llvm::TargetMachine &tm, bool quick) {
    llvm::PipelineTuningOptions pto;
    pto.LoopVectorization = true;

    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(&tm, pto);

    // Vector versions of exp, sin, log, ... come from libmvec (glibc).
    llvm::Triple triple(m.getTargetTriple());
    llvm::TargetLibraryInfoImpl tlii(triple);
    tlii.addVectorizableFunctionsFromVecLib(llvm::TargetLibraryInfoImpl::LIBMVEC_X86, triple);
    fam.registerPass([&] { return llvm::TargetLibraryAnalysis(tlii); });

    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);

    llvm::ModulePassManager mpm;
    if (quick) {
        if (auto err = pb.parsePassPipeline(mpm, quick_pipeline))
            internal_error("bad quick pass pipeline: " + llvm::toString(std::move(err)));
    } else {
        mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
    }
    mpm.run(m, mam);
}

}  // namespace hotloop
