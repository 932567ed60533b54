#include "hotloop/ir/IR.h"

namespace hotloop {

const char *op_name(BinOp op) {
    switch (op) {
#define HL_BINOP(E, S) case BinOp::E: return S;
#include "hotloop/ir/ops.def"
#undef HL_BINOP
    }
    return "?";
}
const char *op_name(CmpOp op) {
    switch (op) {
#define HL_CMPOP(E, S) case CmpOp::E: return S;
#include "hotloop/ir/ops.def"
#undef HL_CMPOP
    }
    return "?";
}
const char *op_name(UnOp op) {
    switch (op) {
#define HL_UNOP(E, S) case UnOp::E: return S;
#include "hotloop/ir/ops.def"
#undef HL_UNOP
    }
    return "?";
}
const char *op_name(MathOp op) {
    switch (op) {
#define HL_MATH(E, N, R, I, L) case MathOp::E: return #E;
#include "hotloop/ir/ops.def"
#undef HL_MATH
    }
    return "?";
}
int math_arity(MathOp op) {
    switch (op) {
#define HL_MATH(E, N, R, I, L) case MathOp::E: return N;
#include "hotloop/ir/ops.def"
#undef HL_MATH
    }
    return 0;
}
const char *exc_name(ExcKind k) {
    switch (k) {
#define HL_EXC(E, N) case ExcKind::E: return N;
#include "hotloop/ir/ops.def"
#undef HL_EXC
    }
    return "?";
}

namespace {
template <typename T> std::shared_ptr<T> node(Type t, Loc l) {
    auto n = std::make_shared<T>();
    n->type = std::move(t);
    n->loc = l;
    return n;
}
template <typename T> std::shared_ptr<T> stmt(Loc l) {
    auto n = std::make_shared<T>();
    n->loc = l;
    return n;
}
}  // namespace

Expr IntImm::make(int64_t v, Type t, Loc l) { auto n = node<IntImm>(t, l); n->value = v; return n; }
Expr FloatImm::make(double v, Type t, Loc l) { auto n = node<FloatImm>(t, l); n->value = v; return n; }
Expr BoolImm::make(bool v, Loc l, bool weak) {
    auto n = node<BoolImm>(Type::boolean(weak), l);
    n->value = v;
    return n;
}
Expr ComplexImm::make(double re, double im, Type t, Loc l) {
    auto n = node<ComplexImm>(t, l);
    n->re = re;
    n->im = im;
    return n;
}
Expr Var::make(const std::string &name, Type t, Loc l) {
    auto n = node<Var>(t, l);
    n->name = name;
    return n;
}
Expr Cast::make(Type t, Expr v) {
    auto n = node<Cast>(t, v->loc);
    n->value = std::move(v);
    return n;
}
Expr Binary::make(BinOp op, Expr a, Expr b, Type t, Loc l) {
    auto n = node<Binary>(t.is_unknown() ? a->type : t, l.known() ? l : a->loc);
    n->op = op;
    n->a = std::move(a);
    n->b = std::move(b);
    return n;
}
Expr Unary::make(UnOp op, Expr a, Type t, Loc l) {
    auto n = node<Unary>(t.is_unknown() ? a->type : t, l.known() ? l : a->loc);
    n->op = op;
    n->a = std::move(a);
    return n;
}
Expr Compare::make(CmpOp op, Expr a, Expr b, Type t, Loc l) {
    bool typed = !a->type.is_unknown();
    auto n = node<Compare>(t.is_unknown() && typed ? Type::boolean() : t, l.known() ? l : a->loc);
    n->op = op;
    n->a = std::move(a);
    n->b = std::move(b);
    return n;
}
Expr Logical::make(bool is_and, Expr a, Expr b, Type t, Loc l) {
    auto n = node<Logical>(t.is_unknown() ? a->type : t, l.known() ? l : a->loc);
    n->is_and = is_and;
    n->a = std::move(a);
    n->b = std::move(b);
    return n;
}
Expr Select::make(Expr cond, Expr t, Expr f, Type ty, Loc l) {
    auto n = node<Select>(ty.is_unknown() ? t->type : ty, l.known() ? l : cond->loc);
    n->cond = std::move(cond);
    n->t = std::move(t);
    n->f = std::move(f);
    return n;
}
Expr Let::make(const std::string &name, Expr value, Expr body) {
    auto n = node<Let>(body->type, body->loc);
    n->name = name;
    n->value = std::move(value);
    n->body = std::move(body);
    return n;
}
Expr MathCall::make(MathOp op, std::vector<Expr> args, Type t, Loc l) {
    auto n = node<MathCall>(t, l);
    n->op = op;
    n->args = std::move(args);
    return n;
}
Expr Call::make(const std::string &callee, std::vector<Expr> args, Type t, Loc l) {
    auto n = node<Call>(t, l);
    n->callee = callee;
    n->args = std::move(args);
    return n;
}
Expr Load::make(Expr array, std::vector<Expr> indices, Loc l, bool in_bounds) {
    internal_assert(array->type.is_array(), "Load of a non-array " + array->type.str());
    auto n = node<Load>(array->type.elem(), l.known() ? l : array->loc);
    n->in_bounds = in_bounds;
    n->array = std::move(array);
    n->indices = std::move(indices);
    return n;
}
Expr ArrayDim::make(Expr array, int dim, Loc l) {
    auto n = node<ArrayDim>(Type::int_(64, true), l.known() ? l : array->loc);
    n->array = std::move(array);
    n->dim = dim;
    return n;
}
Expr MakeTuple::make(std::vector<Expr> elems, Loc l) {
    std::vector<Type> ts;
    bool typed = true;
    for (auto &e : elems) {
        ts.push_back(e->type);
        typed = typed && !e->type.is_unknown();
    }
    auto n = node<MakeTuple>(typed ? Type::tuple(std::move(ts)) : Type(), l);
    n->elems = std::move(elems);
    return n;
}
Expr TupleGet::make(Expr tuple, int index, Loc l) {
    internal_assert(tuple->type.is_tuple(), "TupleGet of a non-tuple " + tuple->type.str());
    internal_assert(index >= 0 && index < (int)tuple->type.elems().size(), "TupleGet index");
    auto n = node<TupleGet>(tuple->type.elems()[index], l.known() ? l : tuple->loc);
    n->tuple = std::move(tuple);
    n->index = index;
    return n;
}
Expr AllocArray::make(Type array_type, std::vector<Expr> shape, AllocInit init, Loc l, Expr a, Expr b) {
    auto n = node<AllocArray>(array_type, l);
    n->a = std::move(a);
    n->b = std::move(b);
    n->shape = std::move(shape);
    n->init = init;
    return n;
}
Expr View::make(Type t, Expr array, std::vector<SliceSpec> specs, Loc l) {
    auto n = node<View>(t, l);
    n->array = std::move(array);
    n->specs = std::move(specs);
    return n;
}
Expr ArrayMap::make(Type t, std::vector<std::pair<std::string, Expr>> inputs, Expr body, Loc l) {
    auto n = node<ArrayMap>(t, l);
    n->inputs = std::move(inputs);
    n->body = std::move(body);
    return n;
}
const char *reduce_name(ReduceOp op) {
    static const char *names[] = {"sum", "prod", "min", "max", "mean", "argmin", "argmax", "any", "all"};
    return names[(int)op];
}
Expr Reduce::make(ReduceOp op, Expr value, int axis, Type t, Loc l) {
    auto n = node<Reduce>(t, l);
    n->op = op;
    n->value = std::move(value);
    n->axis = axis;
    return n;
}
Expr Reshape::make(Expr array, std::vector<Expr> shape, Loc l) {
    internal_assert(array->type.is_array(), "reshape of a non-array");
    Layout layout = array->type.layout() == Layout::C ? Layout::C : Layout::A;
    auto n = node<Reshape>(Type::array(array->type.elem(), (int)shape.size(), layout, array->type.readonly()), l);
    n->array = std::move(array);
    n->shape = std::move(shape);
    return n;
}
Expr Overlaps::make(Expr a, Expr b, bool same_view_ok) {
    auto n = node<Overlaps>(Type::boolean(), a->loc);
    n->same_view_ok = same_view_ok;
    n->a = std::move(a);
    n->b = std::move(b);
    return n;
}
Expr Roll::make(Expr array, Expr shift, int axis, Loc l) {
    auto n = node<Roll>(array->type.with_layout(Layout::A), l);
    n->array = std::move(array);
    n->shift = std::move(shift);
    n->axis = axis;
    return n;
}
Expr Transpose::make(Expr array, Loc l) {
    const Type &t = array->type;
    Layout lay = t.layout() == Layout::C ? Layout::F : t.layout() == Layout::F ? Layout::C : Layout::A;
    if (t.ndim() <= 1) lay = t.layout();
    auto n = node<Transpose>(Type::array(t.elem(), t.ndim(), lay, t.readonly()), l);
    n->array = std::move(array);
    return n;
}
Expr Ref::make(RefKind k, const std::string &name, Loc l, Type t, std::shared_ptr<void> handle) {
    auto n = node<Ref>(t, l);
    n->kind = k;
    n->name = name;
    n->handle = std::move(handle);
    return n;
}
Expr Attr::make(Expr value, const std::string &name, Loc l) {
    auto n = node<Attr>(Type(), l);
    n->value = std::move(value);
    n->name = name;
    return n;
}
Expr Subscript::make(Expr value, std::vector<Expr> indices, Loc l) {
    auto n = node<Subscript>(Type(), l);
    n->value = std::move(value);
    n->indices = std::move(indices);
    return n;
}
Expr UCall::make(Expr func, std::vector<Expr> args, std::vector<Keyword> kwargs, Loc l) {
    auto n = node<UCall>(Type(), l);
    n->func = std::move(func);
    n->args = std::move(args);
    n->kwargs = std::move(kwargs);
    return n;
}

Stmt Block::make(std::vector<Stmt> stmts, Loc l) { auto n = stmt<Block>(l); n->stmts = std::move(stmts); return n; }
Stmt Assign::make(const std::string &name, Expr value, Loc l, bool inplace) {
    auto n = stmt<Assign>(l);
    n->inplace = inplace;
    n->name = name;
    n->value = std::move(value);
    return n;
}
Stmt Store::make(Expr array, std::vector<Expr> indices, Expr value, Loc l, bool in_bounds) {
    auto n = stmt<Store>(l);
    n->in_bounds = in_bounds;
    n->array = std::move(array);
    n->indices = std::move(indices);
    n->value = std::move(value);
    return n;
}
Stmt If::make(Expr cond, Stmt then_case, Stmt else_case, Loc l) {
    auto n = stmt<If>(l);
    n->cond = std::move(cond);
    n->then_case = std::move(then_case);
    n->else_case = std::move(else_case);
    return n;
}
Stmt For::make(const std::string &var, Expr start, Expr stop, Expr step, Stmt body, Loc l, ParallelInfo par) {
    auto n = stmt<For>(l);
    n->par = std::move(par);
    n->var = var;
    n->start = std::move(start);
    n->stop = std::move(stop);
    n->step = std::move(step);
    n->body = std::move(body);
    return n;
}
Stmt While::make(Expr cond, Stmt body, Loc l) {
    auto n = stmt<While>(l);
    n->cond = std::move(cond);
    n->body = std::move(body);
    return n;
}
Stmt Break::make(Loc l) { return stmt<Break>(l); }
Stmt Continue::make(Loc l) { return stmt<Continue>(l); }
Stmt Return::make(Expr value, Loc l) { auto n = stmt<Return>(l); n->value = std::move(value); return n; }
Stmt Raise::make(ExcKind kind, const std::string &message, Loc l) {
    auto n = stmt<Raise>(l);
    n->kind = kind;
    n->message = message;
    return n;
}
Stmt Evaluate::make(Expr value, Loc l) { auto n = stmt<Evaluate>(l); n->value = std::move(value); return n; }
Stmt Print::make(std::vector<Expr> values, std::vector<std::string> texts, std::string sep, std::string end, Loc l) {
    auto n = stmt<Print>(l);
    n->values = std::move(values);
    n->texts = std::move(texts);
    n->sep = std::move(sep);
    n->end = std::move(end);
    return n;
}

}  // namespace hotloop
