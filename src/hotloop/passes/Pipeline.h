// The pass pipeline over typed IR: runs each pass in order, logging the IR after each
// (HOTLOOP_DEBUG=passes, marking passes that changed nothing) and verifying it.
#pragma once

#include "hotloop/ir/IR.h"
#include "hotloop/passes/InlineCalls.h"

namespace hotloop {

struct PipelineOptions {
    bool verify = false;  // run the IR verifier after every pass
    // The functions this one calls, by symbol, before their own passes (passes/InlineCalls).
    const FunctionsBySymbol *callees = nullptr;
};

void run_pipeline(Function &f, const PipelineOptions &opts);

}  // namespace hotloop
