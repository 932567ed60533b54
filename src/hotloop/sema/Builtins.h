// Calls of Python builtins and math/NumPy functions, lowered to typed IR.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "hotloop/ir/IR.h"

namespace hotloop {

struct BuiltinCall {
    std::string name;   // qualified: "len", "math.sqrt", "np.empty", or a dtype's name
    Type dtype;         // set when calling a dtype (np.float32(x))
    std::vector<Expr> args;
    std::map<std::string, Expr> kwargs;
    Loc loc;
};

struct BuiltinHelpers {
    std::function<Expr(const Expr &, const Type &, Loc, const std::string &)> convert;
    std::function<Expr(const Expr &)> truthy;
};

Expr lower_builtin_call(const BuiltinCall &c, const BuiltinHelpers &h);
// z.real, z.imag, z.conjugate(), abs(z) (op: Real, Imag, Conj, AbsComplex).
Expr complex_part(MathOp op, const Expr &z, const BuiltinHelpers &h, Loc l);

// The element type a dtype argument names (np.float32, float, int, bool, complex), or
// Unknown if `d` is not a dtype.
Type dtype_from(const Expr &d);

// Whether `name` applies elementwise to arrays (np.sqrt, np.where, abs, np.float32, ...).
bool is_elementwise_builtin(const std::string &name);

// The math function has a complex version in the runtime (ir/ops.def: HL_COMPLEX_MATH).
bool has_complex_version(MathOp op);

// NumPy ufuncs that are Python operators under another name (np.add is +, np.less is <,
// np.logical_and is elementwise `and` of truth values): sema/TypeInference lowers them as
// the operator, so promotion, fusion and errors are the operator's.
enum class LogicalUfunc { And, Or, Xor, Not };
struct OperatorUfunc {
    const char *name;
    std::variant<BinOp, CmpOp, UnOp, LogicalUfunc> op;
    int arity() const;
};
// The entry for `name`, or null.
const OperatorUfunc *operator_ufunc(const std::string &name);

// A keyword argument NumPy's ufuncs take that compiled code does not (dtype=, where=,
// casting=, ...; out= outside a statement of its own): a CompileError saying what to write.
[[noreturn]] void unsupported_ufunc_kwarg(const std::string &fn, const std::string &kw, Loc l);

// "the nearest supported function is np.sin()" for a misspelled name, or a pointer to the docs.
std::string unsupported_hint(const std::string &name);

// Every callable name compiled code accepts (for suggestions and the docs table).
std::vector<std::string> supported_builtin_names();

}  // namespace hotloop
