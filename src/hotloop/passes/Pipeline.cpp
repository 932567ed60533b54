#include "hotloop/passes/Pipeline.h"

#include "hotloop/ir/Debug.h"
#include "hotloop/ir/IRPrinter.h"
#include "hotloop/ir/Verifier.h"
#include "hotloop/passes/LowerArrayExprs.h"
#include "hotloop/passes/PlanParallelLoops.h"
#include "hotloop/passes/StrengthReducePow.h"

namespace hotloop {

namespace {

struct Pass {
    const char *name;
    void (*run)(Function &);
};

void reduce_powers(Function &f) { f.body = strength_reduce_pow(f.body); }

// In order. Each is one file in passes/.
const Pass passes[] = {
    {"plan_parallel_loops", plan_parallel_loops},
    {"lower_array_exprs", lower_array_exprs},
    {"plan_parallel_loops", plan_parallel_loops},  // again, for the loops array expressions became
    {"strength_reduce_pow", reduce_powers},
};

}  // namespace

void run_pipeline(Function &f, const PipelineOptions &opts) {
    for (const Pass &p : passes) {
        Stmt before = f.body;
        p.run(f);
        bool changed = f.body != before;
        if (debug_enabled("passes"))
            debug_emit("passes", f.symbol, std::string("after ") + p.name + (changed ? "" : " (no change)"),
                       changed ? to_string(f) : "");
        if (opts.verify) verify(f);
    }
}

}  // namespace hotloop
