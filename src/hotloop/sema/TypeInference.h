// Type inference: untyped IR of one function + argument types -> typed IR of one
// specialization. Variables take one type each: the NumPy 2 promotion of every value
// assigned to them, found by iterating to a fixed point (or the type given in locals=).
// Builtins and module functions are lowered here to typed nodes.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hotloop/ir/IR.h"

namespace hotloop {

// Supplies the typed function for a call of another compiled function.
class CalleeResolver {
public:
    virtual ~CalleeResolver() = default;
    // `handle` is the Ref's handle; returns the typed callee (its symbol is what Call names).
    virtual std::shared_ptr<Function> resolve(const std::shared_ptr<void> &handle, const std::string &name,
                                              const std::vector<Type> &args, Loc loc) = 0;
    // The callee's parameter names with their default values (null: no default).
    virtual std::vector<std::pair<std::string, Expr>> parameters(const std::shared_ptr<void> &handle, Loc loc) = 0;
    // The function a call with these keyword arguments calls: `handle` itself, or another
    // (a stencil called with out= calls its variant that writes into out).
    virtual std::shared_ptr<void> for_keywords(const std::shared_ptr<void> &handle, const std::vector<std::string> &) {
        return handle;
    }
};

struct SemaOptions {
    std::map<std::string, Type> locals;  // locals= annotations
    Type return_type;                    // from an explicit signature, else Unknown
    std::string symbol;                  // symbol of the specialization being built
};

std::shared_ptr<Function> infer_types(const Function &untyped, const std::vector<Type> &arg_types,
                                      const SemaOptions &options, CalleeResolver *callees);

}  // namespace hotloop
