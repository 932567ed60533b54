#include "hotloop/passes/Pipeline.h"

#include "hotloop/ir/Debug.h"
#include "hotloop/ir/IRPrinter.h"
#include "hotloop/ir/Verifier.h"
#include "hotloop/passes/StrengthReducePow.h"

namespace hotloop {

namespace {

struct Pass {
    const char *name;
    Stmt (*run)(const Stmt &);
};

// In order. Each is one file in passes/.
const Pass passes[] = {
    {"strength_reduce_pow", strength_reduce_pow},
};

}  // namespace

void run_pipeline(Function &f, const PipelineOptions &opts) {
    if (opts.verify) verify(f);
    for (const Pass &p : passes) {
        Stmt before = f.body;
        f.body = p.run(f.body);
        bool changed = f.body != before;
        if (debug_enabled("passes"))
            debug_emit("passes", f.symbol, std::string("after ") + p.name + (changed ? "" : " (no change)"),
                       changed ? to_string(f) : "");
        if (opts.verify && changed) verify(f);
    }
}

}  // namespace hotloop
