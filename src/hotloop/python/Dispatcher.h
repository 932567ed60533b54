// The dispatcher: what @hl.jit returns. Finds the compiled specialization for the
// argument types (a hash of a compact key), unpacks the arguments without copying,
// calls the native entry (without the GIL when nogil=True) and boxes the result.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nanobind/nanobind.h>

#include "hotloop/ir/Error.h"
#include "hotloop/python/Compiler.h"
#include "hotloop/sema/SignatureParser.h"

namespace hotloop {

class Dispatcher {
public:
    Dispatcher(nanobind::object py_func, nanobind::dict options, nanobind::list signatures);
    Dispatcher(const Dispatcher &) = delete;
    Dispatcher &operator=(const Dispatcher &) = delete;

    PyObject *call(PyObject *const *args, size_t nargs, PyObject *kwargs);
    // Compiles for these arguments without calling (hl.validate); false with an exception set.
    bool prepare(PyObject *const *args, size_t nargs);

    nanobind::object py_func;
    std::string name;
    CompileOptions options;
    bool nogil = false;
    bool zero_d_results = false;  // scalar results as 0-d NumPy arrays (evaluate(), as numexpr)
    std::vector<Signature> explicit_signatures;

    // Source of the function, from hotloop._source (read on first compile).
    nanobind::object function_def, globals, closure;
    std::string filename;
    int line_offset = 0, col_offset = 0;
    std::vector<std::string> source_lines;
    std::shared_ptr<Function> untyped;
    double frontend_seconds = 0;

    std::vector<std::unique_ptr<Specialization>> specializations;
    uint64_t call_count = 0;

    // Compiles (if needed) for these argument types; raises CompileError/TypeError.
    Specialization *specialize(const std::vector<Type> &args, const Type &return_type = Type());
    void load_source();
    // Formats a C++ CompileError as hotloop.CompileError (with file, line, caret).
    [[noreturn]] void raise_compile_error(const CompileError &e);

private:
    std::unordered_map<std::string, Specialization *> by_key;
    std::string last_key;
    Specialization *last = nullptr;
    std::vector<std::string> param_names;
    nanobind::object defaults;
    size_t first_default = 0;

    // Arguments in parameter order (positional, then keywords, then defaults).
    bool bind(PyObject *const *args, size_t nargs, PyObject *kwargs, std::vector<PyObject *> &out);
    Specialization *lookup(PyObject *const *args, size_t nargs);
};

// Raises the exception compiled code left pending in the runtime as the matching Python
// exception (the GIL must be held) and clears it.
void raise_pending_error();

void bind_dispatcher(nanobind::module_ &m);

}  // namespace hotloop
