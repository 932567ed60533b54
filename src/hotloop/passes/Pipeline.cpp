#include "hotloop/passes/Pipeline.h"

#include "hotloop/ir/Debug.h"
#include "hotloop/ir/IRPrinter.h"
#include "hotloop/ir/Verifier.h"
#include "hotloop/passes/CompareMagnitude.h"
#include "hotloop/passes/InlineCalls.h"
#include "hotloop/passes/LowerArrayExprs.h"
#include "hotloop/passes/PlanParallelLoops.h"
#include "hotloop/passes/StrengthReducePow.h"

namespace hotloop {

namespace {

struct Pass {
    const char *name;
    void (*run)(Function &, const PipelineOptions &);
};

template <void (*pass)(Function &)> void run_on(Function &f, const PipelineOptions &) { pass(f); }

void inline_callees(Function &f, const PipelineOptions &opts) {
    if (opts.callees) inline_calls(f, *opts.callees);
}
void compare_squares(Function &f) { f.body = compare_magnitude(f.body); }
void reduce_powers(Function &f) { f.body = strength_reduce_pow(f.body); }

// In order. Each is one file in passes/.
const Pass passes[] = {
    {"inline_calls", inline_callees},  // first: inlined code is planned and fused with the caller's
    {"compare_magnitude", run_on<compare_squares>},  // before array expressions become loops
    {"plan_parallel_loops", run_on<plan_parallel_loops>},
    {"lower_array_exprs", run_on<lower_array_exprs>},
    {"plan_parallel_loops", run_on<plan_parallel_loops>},  // again, for the loops array expressions became
    {"strength_reduce_pow", run_on<reduce_powers>},
};

}  // namespace

void run_pipeline(Function &f, const PipelineOptions &opts) {
    for (const Pass &p : passes) {
        Stmt before = f.body;
        p.run(f, opts);
        bool changed = f.body != before;
        if (debug_enabled("passes"))
            debug_emit("passes", f.symbol, std::string("after ") + p.name + (changed ? "" : " (no change)"),
                       changed ? to_string(f) : "");
        if (opts.verify) verify(f);
    }
}

}  // namespace hotloop
