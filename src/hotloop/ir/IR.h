// hotloop IR: a structured tree of expressions and statements.
//
// The frontend builds *untyped* IR (Ref/Attr/Subscript/UCall nodes, unknown types);
// type inference (sema/) rewrites it into *typed* IR where every Expr has a type
// and only the typed node kinds remain. Passes and codegen work on typed IR.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hotloop/ir/Error.h"
#include "hotloop/ir/Type.h"

namespace hotloop {

enum class BinOp : uint8_t {
#define HL_BINOP(E, S) E,
#include "hotloop/ir/ops.def"
#undef HL_BINOP
};
enum class CmpOp : uint8_t {
#define HL_CMPOP(E, S) E,
#include "hotloop/ir/ops.def"
#undef HL_CMPOP
};
enum class UnOp : uint8_t {
#define HL_UNOP(E, S) E,
#include "hotloop/ir/ops.def"
#undef HL_UNOP
};
enum class MathOp : uint8_t {
#define HL_MATH(E, N, R, I, L) E,
#include "hotloop/ir/ops.def"
#undef HL_MATH
};
enum class ExcKind : uint8_t {
#define HL_EXC(E, N) E,
#include "hotloop/ir/ops.def"
#undef HL_EXC
};
const char *op_name(BinOp);
const char *op_name(CmpOp);
const char *op_name(UnOp);
const char *op_name(MathOp);
const char *exc_name(ExcKind);
int math_arity(MathOp);

enum class NodeType : uint8_t {
    // typed expressions
    IntImm, FloatImm, BoolImm, ComplexImm, Var, Cast, Binary, Unary, Compare, Logical,
    Select, Let, MathCall, Call, Load, ArrayDim, MakeTuple, TupleGet, AllocArray, View,
    ArrayMap, Reduce, Reshape, Overlaps, Roll, Transpose,
    // untyped expressions (frontend output only)
    Ref, Attr, Subscript, UCall,
    // statements
    Block, Assign, Store, If, For, While, Break, Continue, Return, Raise, Evaluate, Print,
};

struct ExprNode;
struct StmtNode;
using Expr = std::shared_ptr<const ExprNode>;
using Stmt = std::shared_ptr<const StmtNode>;

struct ExprNode {
    ExprNode(NodeType nt, Type t, Loc l) : node_type(nt), type(std::move(t)), loc(l) {}
    virtual ~ExprNode() = default;
    const NodeType node_type;
    Type type;
    Loc loc;
    template <typename T> const T *as() const {
        return node_type == T::static_type ? static_cast<const T *>(this) : nullptr;
    }
};

struct StmtNode {
    StmtNode(NodeType nt, Loc l) : node_type(nt), loc(l) {}
    virtual ~StmtNode() = default;
    const NodeType node_type;
    Loc loc;
    template <typename T> const T *as() const {
        return node_type == T::static_type ? static_cast<const T *>(this) : nullptr;
    }
};

#define HL_EXPR_NODE(Name)                                  \
    static constexpr NodeType static_type = NodeType::Name; \
    Name() : ExprNode(NodeType::Name, Type(), Loc()) {}
#define HL_STMT_NODE(Name)                                  \
    static constexpr NodeType static_type = NodeType::Name; \
    Name() : StmtNode(NodeType::Name, Loc()) {}

// ---- typed expressions -------------------------------------------------------------

struct IntImm : ExprNode { HL_EXPR_NODE(IntImm) int64_t value = 0;
    static Expr make(int64_t v, Type t = Type::int_(64, true), Loc l = {}); };
struct FloatImm : ExprNode { HL_EXPR_NODE(FloatImm) double value = 0;
    static Expr make(double v, Type t = Type::float_(64, true), Loc l = {}); };
struct BoolImm : ExprNode { HL_EXPR_NODE(BoolImm) bool value = false;
    static Expr make(bool v, Loc l = {}, bool weak = true); };
struct ComplexImm : ExprNode { HL_EXPR_NODE(ComplexImm) double re = 0, im = 0;
    static Expr make(double re, double im, Type t = Type::complex(128, true), Loc l = {}); };

// A local variable or parameter, by name.
struct Var : ExprNode { HL_EXPR_NODE(Var) std::string name;
    static Expr make(const std::string &name, Type t = {}, Loc l = {}); };

// Value conversion. float->int truncates toward zero (saturating), x->bool is x != 0.
struct Cast : ExprNode { HL_EXPR_NODE(Cast) Expr value;
    static Expr make(Type t, Expr v); };

// Arithmetic with Python semantics; both operands already have the result's type
// (except Shl/Shr and Pow with an integer exponent, whose right operand may differ).
// `ieee` (set inside array expressions, where NumPy's rules apply): division by zero
// gives inf/nan (integers: 0) instead of raising ZeroDivisionError.
// `reassociable`: a float reduction's accumulation, which may be reordered into partial
// sums (vectorized), as NumPy's pairwise sum reorders it.
// `python_quotient`: a complex division CPython computes (Python numbers, not NumPy's
// loop): it rounds differently (codegen).
struct Binary : ExprNode { HL_EXPR_NODE(Binary) BinOp op; Expr a, b; bool ieee = false; bool reassociable = false;
    bool python_quotient = false;
    static Expr make(BinOp op, Expr a, Expr b, Type t = {}, Loc l = {}); };
struct Unary : ExprNode { HL_EXPR_NODE(Unary) UnOp op; Expr a;
    static Expr make(UnOp op, Expr a, Type t = {}, Loc l = {}); };
// Comparison of two operands of one type; result bool.
struct Compare : ExprNode { HL_EXPR_NODE(Compare) CmpOp op; Expr a, b;
    static Expr make(CmpOp op, Expr a, Expr b, Type t = {}, Loc l = {}); };
// Short-circuit `a and b` / `a or b` with Python's value semantics
// (`a and b` is b if a is truthy else a); operands have the result's type.
struct Logical : ExprNode { HL_EXPR_NODE(Logical) bool is_and; Expr a, b;
    static Expr make(bool is_and, Expr a, Expr b, Type t = {}, Loc l = {}); };
// `t if cond else f`, evaluating only the chosen branch.
struct Select : ExprNode { HL_EXPR_NODE(Select) Expr cond, t, f;
    static Expr make(Expr cond, Expr t, Expr f, Type ty = {}, Loc l = {}); };
// `let name = value in body`: evaluates value once.
struct Let : ExprNode { HL_EXPR_NODE(Let) std::string name; Expr value, body;
    static Expr make(const std::string &name, Expr value, Expr body); };
// An elementwise math function from ops.def; args have the computation type.
struct MathCall : ExprNode { HL_EXPR_NODE(MathCall) MathOp op; std::vector<Expr> args;
    static Expr make(MathOp op, std::vector<Expr> args, Type t, Loc l = {}); };
// A call of another compiled function (a specialization in the same Program).
struct Call : ExprNode { HL_EXPR_NODE(Call) std::string callee; std::vector<Expr> args;
    static Expr make(const std::string &callee, std::vector<Expr> args, Type t, Loc l = {}); };
// array[indices...], one integer index per dimension; negative indices wrap.
// `in_bounds`: the compiler made the indices and knows 0 <= index < dim (array expression
// loops), so codegen emits neither the wrap-around nor a bounds check.
struct Load : ExprNode { HL_EXPR_NODE(Load) Expr array; std::vector<Expr> indices; bool in_bounds = false;
    static Expr make(Expr array, std::vector<Expr> indices, Loc l = {}, bool in_bounds = false); };
// array.shape[dim] (int64).
struct ArrayDim : ExprNode { HL_EXPR_NODE(ArrayDim) Expr array; int dim;
    static Expr make(Expr array, int dim, Loc l = {}); };
struct MakeTuple : ExprNode { HL_EXPR_NODE(MakeTuple) std::vector<Expr> elems;
    static Expr make(std::vector<Expr> elems, Loc l = {}); };
struct TupleGet : ExprNode { HL_EXPR_NODE(TupleGet) Expr tuple; int index;
    static Expr make(Expr tuple, int index, Loc l = {}); };
// A new C-contiguous array owned by the runtime: np.empty/zeros/ones/full, 1-D
// np.arange (a = start, b = the second element, start + step, as NumPy computes it: element
// i >= 2 is a + i * (b - a) in the element type) and np.linspace (a = start, b = stop), both
// made into loops by lower_array_exprs, and Generate: `a` evaluated anew for each element in
// C order (np.random.rand(n, m)).
enum class AllocInit : uint8_t { Empty, Zeros, Ones, Fill, Arange, Linspace, Generate };
struct AllocArray : ExprNode { HL_EXPR_NODE(AllocArray) std::vector<Expr> shape; AllocInit init;
    Expr a, b;  // Fill: a = value; Arange, Linspace: see above (of the element type)
    static Expr make(Type array_type, std::vector<Expr> shape, AllocInit init, Loc l = {},
                     Expr a = nullptr, Expr b = nullptr); };

// A view of part of an array (basic indexing): per dimension of the source an integer
// index (the dimension goes away) or a slice start:stop:step (null parts are Python's
// None), plus new axes. Shares the source's memory, as NumPy does.
struct SliceSpec {
    enum class Kind : uint8_t { Index, Range, NewAxis } kind = Kind::Range;
    Expr index;               // Index
    Expr start, stop, step;   // Range; each may be null
};
struct View : ExprNode { HL_EXPR_NODE(View) Expr array; std::vector<SliceSpec> specs;
    static Expr make(Type t, Expr array, std::vector<SliceSpec> specs, Loc l = {}); };

// An elementwise array expression, not yet computed: `body` is a scalar expression of
// the element variables, each standing for the element of its input array at the
// current index (with NumPy broadcasting). A whole chain of array operations is one
// ArrayMap, so lowering it (passes/LowerArrayExprs) makes one loop and no temporaries.
struct ArrayMap : ExprNode { HL_EXPR_NODE(ArrayMap)
    std::vector<std::pair<std::string, Expr>> inputs;  // element variable -> array value
    Expr body;
    static Expr make(Type t, std::vector<std::pair<std::string, Expr>> inputs, Expr body, Loc l = {}); };

enum class ReduceOp : uint8_t { Sum, Prod, Min, Max, Mean, ArgMin, ArgMax, Any, All };
const char *reduce_name(ReduceOp op);
// A reduction of an array (or an ArrayMap, fused) over all elements (axis < 0, a scalar
// result) or over one axis (an array result).
struct Reduce : ExprNode { HL_EXPR_NODE(Reduce) ReduceOp op; Expr value; int axis = -1;
    static Expr make(ReduceOp op, Expr value, int axis, Type t, Loc l = {}); };

// An array seen with another shape (reshape/ravel, flat loops); one dimension may be -1
// (inferred). A size mismatch raises ValueError. A C-contiguous array gives a C view; a
// strided one a view where NumPy gives one (its axes merge), else a C-ordered copy.
struct Reshape : ExprNode { HL_EXPR_NODE(Reshape) Expr array; std::vector<Expr> shape;
    static Expr make(Expr array, std::vector<Expr> shape, Loc l = {}); };

// True when two arrays' memory overlaps and they are not the very same view, i.e. when
// writing one elementwise while reading the other needs a temporary (as NumPy does).
// With same_view_ok false, any shared memory counts (a rolled read of the target).
struct Overlaps : ExprNode { HL_EXPR_NODE(Overlaps) Expr a, b; bool same_view_ok = true;
    static Expr make(Expr a, Expr b, bool same_view_ok = true); };

// np.roll(array, shift, axis) as an input of an ArrayMap (never computed on its own):
// element i along `axis` reads the source at (i - shift) mod n.
struct Roll : ExprNode { HL_EXPR_NODE(Roll) Expr array, shift; int axis;
    static Expr make(Expr array, Expr shift, int axis, Loc l = {}); };

// a.T: the same memory with the dimensions in reverse order.
struct Transpose : ExprNode { HL_EXPR_NODE(Transpose) Expr array;
    static Expr make(Expr array, Loc l = {}); };

// ---- untyped expressions (frontend) ------------------------------------------------

// A name resolved at compile time to something that is not a runtime value.
enum class RefKind : uint8_t { Module, Function, Dispatcher, DType };
struct Ref : ExprNode { HL_EXPR_NODE(Ref)
    RefKind kind;
    std::string name;        // "np", "math.sqrt", "len", "np.float32", the dispatcher's name
    std::shared_ptr<void> handle;  // Dispatcher: an opaque reference owned by the python layer
    static Expr make(RefKind k, const std::string &name, Loc l, Type t = {},
                     std::shared_ptr<void> handle = nullptr); };
struct Attr : ExprNode { HL_EXPR_NODE(Attr) Expr value; std::string name;
    static Expr make(Expr value, const std::string &name, Loc l); };
struct Subscript : ExprNode { HL_EXPR_NODE(Subscript) Expr value; std::vector<Expr> indices;
    static Expr make(Expr value, std::vector<Expr> indices, Loc l); };
struct Keyword { std::string name; Expr value; };
struct UCall : ExprNode { HL_EXPR_NODE(UCall) Expr func; std::vector<Expr> args;
    std::vector<Keyword> kwargs;
    static Expr make(Expr func, std::vector<Expr> args, std::vector<Keyword> kwargs, Loc l); };

// ---- statements ----------------------------------------------------------------------

struct Block : StmtNode { HL_STMT_NODE(Block) std::vector<Stmt> stmts;
    static Stmt make(std::vector<Stmt> stmts, Loc l = {}); };
// name = value. `inplace` marks an augmented assignment (x += v), which for an array
// updates the array's memory instead of rebinding the name, as in Python.
struct Assign : StmtNode { HL_STMT_NODE(Assign) std::string name; Expr value; bool inplace = false;
    static Stmt make(const std::string &name, Expr value, Loc l = {}, bool inplace = false); };
// target[indices...] = value. Untyped IR may hold any expression as target. With no
// indices it assigns the whole target array (value: a scalar, array or ArrayMap,
// broadcast); passes/LowerArrayExprs turns that into loops.
struct Store : StmtNode { HL_STMT_NODE(Store) Expr array; std::vector<Expr> indices; Expr value;
    bool in_bounds = false;  // as Load's
    static Stmt make(Expr array, std::vector<Expr> indices, Expr value, Loc l = {}, bool in_bounds = false); };
struct If : StmtNode { HL_STMT_NODE(If) Expr cond; Stmt then_case, else_case;  // else may be null
    static Stmt make(Expr cond, Stmt then_case, Stmt else_case, Loc l = {}); };
// A scalar reduction of a parallel loop: each chunk of iterations accumulates into its
// own copy of `var`, starting from `identity` (null: from the value before the loop, for
// idempotent operations such as min); then `combine`, a statement reading the chunk's
// value as the variable `$partial`, folds the chunks into `var` in chunk order.
struct LoopReduction {
    std::string var;
    Expr identity;
    Stmt combine;
};
// How a loop runs on the thread pool (codegen outlines its body; see runtime/Parallel.h).
struct ParallelInfo {
    bool parallel = false;
    bool planned = false;   // checked by passes/PlanParallelLoops
    bool implicit = false;  // made from an array expression: stays serial if unsafe
    std::vector<LoopReduction> reductions;
    int64_t cost = 1;  // estimated work of one iteration: small loops run serially
};
// for var in range(start, stop, step): Python semantics. The iteration count is
// fixed on entry; assigning `var` in the body does not change the iteration.
// A prange loop (or a loop made from an array expression) in a parallel=True function
// carries ParallelInfo once passes/PlanParallelLoops has checked it is safe.
struct For : StmtNode { HL_STMT_NODE(For) std::string var; Expr start, stop, step; Stmt body;
    ParallelInfo par;
    static Stmt make(const std::string &var, Expr start, Expr stop, Expr step, Stmt body,
                     Loc l = {}, ParallelInfo par = {}); };
struct While : StmtNode { HL_STMT_NODE(While) Expr cond; Stmt body;
    static Stmt make(Expr cond, Stmt body, Loc l = {}); };
struct Break : StmtNode { HL_STMT_NODE(Break) static Stmt make(Loc l = {}); };
struct Continue : StmtNode { HL_STMT_NODE(Continue) static Stmt make(Loc l = {}); };
struct Return : StmtNode { HL_STMT_NODE(Return) Expr value;  // null: return None
    static Stmt make(Expr value, Loc l = {}); };
struct Raise : StmtNode { HL_STMT_NODE(Raise) ExcKind kind; std::string message;
    static Stmt make(ExcKind kind, const std::string &message, Loc l = {}); };
// An expression evaluated for its effect (a call).
struct Evaluate : StmtNode { HL_STMT_NODE(Evaluate) Expr value;
    static Stmt make(Expr value, Loc l = {}); };
// print(...): each item a value (numbers, arrays) or, where the value is null, the text
// of a string literal; printed by Python's print with sep and end.
struct Print : StmtNode { HL_STMT_NODE(Print) std::vector<Expr> values; std::vector<std::string> texts;
    std::string sep = " ", end = "\n";
    static Stmt make(std::vector<Expr> values, std::vector<std::string> texts, std::string sep, std::string end, Loc l = {}); };

#undef HL_EXPR_NODE
#undef HL_STMT_NODE

// ---- functions and programs ---------------------------------------------------------

struct Param {
    std::string name;
    Type type;
};

// The options of @jit that change what a function's code computes. Each function of a
// Program is compiled with its own (a callee keeps its fastmath, boundscheck and
// error_model when a function with other options calls it).
struct FunctionOptions {
    bool fastmath = false;
    bool boundscheck = false;         // IndexError instead of out-of-range access
    bool error_model_numpy = false;   // IEEE results instead of ZeroDivisionError
    bool operator==(const FunctionOptions &) const = default;
};

// One function: untyped after the frontend, typed (one specialization) after sema.
struct Function {
    std::string name;        // the Python name
    std::string symbol;      // unique symbol of this specialization (typed only)
    std::vector<Param> params;
    Type return_type;
    Stmt body;
    std::vector<std::pair<std::string, Type>> locals;  // typed only: every local variable
    std::string filename;
    bool parallel = false;   // compiled with parallel=True: prange and array expressions use threads
    FunctionOptions options;
};

// What codegen compiles into one LLVM module: the entry function and its callees.
struct Program {
    std::shared_ptr<Function> entry;
    std::vector<std::shared_ptr<Function>> callees;
};

}  // namespace hotloop
