// Frontend: Python's ast of one function -> untyped hotloop IR.
//
// Names are resolved here, at compile time, against the function's closure and
// globals: numbers become constants (frozen, as Numba does), modules and their
// functions become Refs, other hotloop dispatchers become Dispatcher Refs. Anything
// else is a CompileError. Compiled into the Python module: it reads Python objects.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nanobind/nanobind.h>

#include "hotloop/ir/IR.h"

namespace hotloop {

struct FrontendInput {
    nanobind::handle function_def;  // an ast.FunctionDef
    nanobind::handle globals;       // dict
    nanobind::handle closure;       // dict of free variable name -> value
    std::string filename;
    int line_offset = 0;            // added to ast line numbers to get file lines
    int col_offset = 0;             // added to ast columns (the source was dedented)
    // Resolves objects the frontend does not know (hotloop dispatchers, hotloop types);
    // returns null if the object is not one of them.
    std::function<Expr(nanobind::handle obj, const std::string &name, Loc loc)> resolve_object;
};

std::shared_ptr<Function> build_function(const FrontendInput &in);

}  // namespace hotloop
