#include "hotloop/ir/IRVisitor.h"

namespace hotloop {

#define HL_EXPR_CASES(X)                                                                  \
    X(IntImm) X(FloatImm) X(BoolImm) X(ComplexImm) X(Var) X(Cast) X(Binary) X(Unary)       \
    X(Compare) X(Logical) X(Select) X(Let) X(MathCall) X(Call) X(Load) X(ArrayDim)          \
    X(MakeTuple) X(TupleGet) X(AllocArray) X(View) X(ArrayMap) X(Reduce) X(Reshape) X(Overlaps) X(Roll) X(Transpose) X(Ref) X(Attr) X(Subscript) X(UCall)
#define HL_STMT_CASES(X)                                                                  \
    X(Block) X(Assign) X(Store) X(If) X(For) X(While) X(Break) X(Continue) X(Return)       \
    X(Raise) X(Evaluate) X(Print)

// ---- IRVisitor -------------------------------------------------------------------------

void IRVisitor::visit(const Expr &e) {
    if (!e) return;
    switch (e->node_type) {
#define X(T) case NodeType::T: visit(static_cast<const T *>(e.get())); return;
        HL_EXPR_CASES(X)
#undef X
    default: internal_error("IRVisitor: statement node in expression position");
    }
}

void IRVisitor::visit(const Stmt &s) {
    if (!s) return;
    switch (s->node_type) {
#define X(T) case NodeType::T: visit(static_cast<const T *>(s.get())); return;
        HL_STMT_CASES(X)
#undef X
    default: internal_error("IRVisitor: expression node in statement position");
    }
}

void IRVisitor::visit(const IntImm *) {}
void IRVisitor::visit(const FloatImm *) {}
void IRVisitor::visit(const BoolImm *) {}
void IRVisitor::visit(const ComplexImm *) {}
void IRVisitor::visit(const Var *) {}
void IRVisitor::visit(const Cast *op) { visit(op->value); }
void IRVisitor::visit(const Binary *op) { visit(op->a); visit(op->b); }
void IRVisitor::visit(const Unary *op) { visit(op->a); }
void IRVisitor::visit(const Compare *op) { visit(op->a); visit(op->b); }
void IRVisitor::visit(const Logical *op) { visit(op->a); visit(op->b); }
void IRVisitor::visit(const Select *op) { visit(op->cond); visit(op->t); visit(op->f); }
void IRVisitor::visit(const Let *op) { visit(op->value); visit(op->body); }
void IRVisitor::visit(const MathCall *op) { for (auto &a : op->args) visit(a); }
void IRVisitor::visit(const Call *op) { for (auto &a : op->args) visit(a); }
void IRVisitor::visit(const Load *op) { visit(op->array); for (auto &i : op->indices) visit(i); }
void IRVisitor::visit(const ArrayDim *op) { visit(op->array); }
void IRVisitor::visit(const MakeTuple *op) { for (auto &e : op->elems) visit(e); }
void IRVisitor::visit(const TupleGet *op) { visit(op->tuple); }
void IRVisitor::visit(const AllocArray *op) { for (auto &e : op->shape) visit(e); visit(op->a); visit(op->b); }
void IRVisitor::visit(const View *op) {
    visit(op->array);
    for (auto &s : op->specs) { visit(s.index); visit(s.start); visit(s.stop); visit(s.step); }
}
void IRVisitor::visit(const ArrayMap *op) {
    for (auto &i : op->inputs) visit(i.second);
    visit(op->body);
}
void IRVisitor::visit(const Reduce *op) { visit(op->value); }
void IRVisitor::visit(const Reshape *op) { visit(op->array); for (auto &e : op->shape) visit(e); }
void IRVisitor::visit(const Overlaps *op) { visit(op->a); visit(op->b); }
void IRVisitor::visit(const Roll *op) { visit(op->array); visit(op->shift); }
void IRVisitor::visit(const Transpose *op) { visit(op->array); }
void IRVisitor::visit(const Ref *) {}
void IRVisitor::visit(const Attr *op) { visit(op->value); }
void IRVisitor::visit(const Subscript *op) { visit(op->value); for (auto &i : op->indices) visit(i); }
void IRVisitor::visit(const UCall *op) {
    visit(op->func);
    for (auto &a : op->args) visit(a);
    for (auto &k : op->kwargs) visit(k.value);
}
void IRVisitor::visit(const Block *op) { for (auto &s : op->stmts) visit(s); }
void IRVisitor::visit(const Assign *op) { visit(op->value); }
void IRVisitor::visit(const Store *op) {
    visit(op->array);
    for (auto &i : op->indices) visit(i);
    visit(op->value);
}
void IRVisitor::visit(const If *op) { visit(op->cond); visit(op->then_case); visit(op->else_case); }
void IRVisitor::visit(const For *op) {
    visit(op->start); visit(op->stop); visit(op->step); visit(op->body);
}
void IRVisitor::visit(const While *op) { visit(op->cond); visit(op->body); }
void IRVisitor::visit(const Break *) {}
void IRVisitor::visit(const Continue *) {}
void IRVisitor::visit(const Return *op) { visit(op->value); }
void IRVisitor::visit(const Raise *) {}
void IRVisitor::visit(const Evaluate *op) { visit(op->value); }
void IRVisitor::visit(const Print *op) {
    for (auto &v : op->values) visit(v);
}

// ---- IRMutator -------------------------------------------------------------------------

Expr IRMutator::mutate(const Expr &e) {
    if (!e) return e;
    switch (e->node_type) {
#define X(T) case NodeType::T: return visit(static_cast<const T *>(e.get()), e);
        HL_EXPR_CASES(X)
#undef X
    default: internal_error("IRMutator: statement node in expression position");
    }
}

Stmt IRMutator::mutate(const Stmt &s) {
    if (!s) return s;
    switch (s->node_type) {
#define X(T) case NodeType::T: return visit(static_cast<const T *>(s.get()), s);
        HL_STMT_CASES(X)
#undef X
    default: internal_error("IRMutator: expression node in statement position");
    }
}

std::vector<Expr> IRMutator::mutate(const std::vector<Expr> &es, bool *changed) {
    std::vector<Expr> out;
    out.reserve(es.size());
    for (auto &e : es) {
        out.push_back(mutate(e));
        if (out.back() != e) *changed = true;
    }
    return out;
}

// Copy the node, replace the children, keep type and location.
template <typename T> static std::shared_ptr<T> copy_of(const T *op) {
    return std::make_shared<T>(*op);
}

Expr IRMutator::visit(const IntImm *, const Expr &self) { return self; }
Expr IRMutator::visit(const FloatImm *, const Expr &self) { return self; }
Expr IRMutator::visit(const BoolImm *, const Expr &self) { return self; }
Expr IRMutator::visit(const ComplexImm *, const Expr &self) { return self; }
Expr IRMutator::visit(const Var *, const Expr &self) { return self; }
Expr IRMutator::visit(const Ref *, const Expr &self) { return self; }
Expr IRMutator::visit(const Cast *op, const Expr &self) {
    Expr v = mutate(op->value);
    if (v == op->value) return self;
    auto n = copy_of(op); n->value = v; return n;
}
Expr IRMutator::visit(const Binary *op, const Expr &self) {
    Expr a = mutate(op->a), b = mutate(op->b);
    if (a == op->a && b == op->b) return self;
    auto n = copy_of(op); n->a = a; n->b = b; return n;
}
Expr IRMutator::visit(const Unary *op, const Expr &self) {
    Expr a = mutate(op->a);
    if (a == op->a) return self;
    auto n = copy_of(op); n->a = a; return n;
}
Expr IRMutator::visit(const Compare *op, const Expr &self) {
    Expr a = mutate(op->a), b = mutate(op->b);
    if (a == op->a && b == op->b) return self;
    auto n = copy_of(op); n->a = a; n->b = b; return n;
}
Expr IRMutator::visit(const Logical *op, const Expr &self) {
    Expr a = mutate(op->a), b = mutate(op->b);
    if (a == op->a && b == op->b) return self;
    auto n = copy_of(op); n->a = a; n->b = b; return n;
}
Expr IRMutator::visit(const Select *op, const Expr &self) {
    Expr c = mutate(op->cond), t = mutate(op->t), f = mutate(op->f);
    if (c == op->cond && t == op->t && f == op->f) return self;
    auto n = copy_of(op); n->cond = c; n->t = t; n->f = f; return n;
}
Expr IRMutator::visit(const Let *op, const Expr &self) {
    Expr v = mutate(op->value), b = mutate(op->body);
    if (v == op->value && b == op->body) return self;
    auto n = copy_of(op); n->value = v; n->body = b; return n;
}
Expr IRMutator::visit(const MathCall *op, const Expr &self) {
    bool changed = false;
    auto args = mutate(op->args, &changed);
    if (!changed) return self;
    auto n = copy_of(op); n->args = std::move(args); return n;
}
Expr IRMutator::visit(const Call *op, const Expr &self) {
    bool changed = false;
    auto args = mutate(op->args, &changed);
    if (!changed) return self;
    auto n = copy_of(op); n->args = std::move(args); return n;
}
Expr IRMutator::visit(const Load *op, const Expr &self) {
    bool changed = false;
    Expr a = mutate(op->array);
    auto idx = mutate(op->indices, &changed);
    if (!changed && a == op->array) return self;
    auto n = copy_of(op); n->array = a; n->indices = std::move(idx); return n;
}
Expr IRMutator::visit(const ArrayDim *op, const Expr &self) {
    Expr a = mutate(op->array);
    if (a == op->array) return self;
    auto n = copy_of(op); n->array = a; return n;
}
Expr IRMutator::visit(const MakeTuple *op, const Expr &self) {
    bool changed = false;
    auto es = mutate(op->elems, &changed);
    if (!changed) return self;
    return MakeTuple::make(std::move(es), op->loc);
}
Expr IRMutator::visit(const TupleGet *op, const Expr &self) {
    Expr t = mutate(op->tuple);
    if (t == op->tuple) return self;
    auto n = copy_of(op); n->tuple = t; return n;
}
Expr IRMutator::visit(const AllocArray *op, const Expr &self) {
    bool changed = false;
    auto s = mutate(op->shape, &changed);
    Expr a = mutate(op->a), b = mutate(op->b);
    if (!changed && a == op->a && b == op->b) return self;
    auto n = copy_of(op); n->shape = std::move(s); n->a = a; n->b = b; return n;
}
Expr IRMutator::visit(const View *op, const Expr &self) {
    Expr a = mutate(op->array);
    bool changed = a != op->array;
    std::vector<SliceSpec> specs = op->specs;
    for (auto &s : specs) {
        for (Expr *e : {&s.index, &s.start, &s.stop, &s.step}) {
            Expr m = mutate(*e);
            changed = changed || m != *e;
            *e = m;
        }
    }
    if (!changed) return self;
    auto n = copy_of(op); n->array = a; n->specs = std::move(specs); return n;
}
Expr IRMutator::visit(const ArrayMap *op, const Expr &self) {
    bool changed = false;
    auto inputs = op->inputs;
    for (auto &i : inputs) {
        Expr m = mutate(i.second);
        changed = changed || m != i.second;
        i.second = m;
    }
    Expr body = mutate(op->body);
    if (!changed && body == op->body) return self;
    auto n = copy_of(op); n->inputs = std::move(inputs); n->body = body; return n;
}
Expr IRMutator::visit(const Reduce *op, const Expr &self) {
    Expr v = mutate(op->value);
    if (v == op->value) return self;
    auto n = copy_of(op); n->value = v; return n;
}
Expr IRMutator::visit(const Reshape *op, const Expr &self) {
    bool changed = false;
    Expr a = mutate(op->array);
    auto s = mutate(op->shape, &changed);
    if (!changed && a == op->array) return self;
    auto n = copy_of(op); n->array = a; n->shape = std::move(s); return n;
}
Expr IRMutator::visit(const Roll *op, const Expr &self) {
    Expr a = mutate(op->array), s = mutate(op->shift);
    if (a == op->array && s == op->shift) return self;
    auto n = copy_of(op); n->array = a; n->shift = s; return n;
}
Expr IRMutator::visit(const Transpose *op, const Expr &self) {
    Expr a = mutate(op->array);
    if (a == op->array) return self;
    auto n = copy_of(op); n->array = a; return n;
}
Expr IRMutator::visit(const Overlaps *op, const Expr &self) {
    Expr a = mutate(op->a), b = mutate(op->b);
    if (a == op->a && b == op->b) return self;
    auto n = copy_of(op); n->a = a; n->b = b; return n;
}
Expr IRMutator::visit(const Attr *op, const Expr &self) {
    Expr v = mutate(op->value);
    if (v == op->value) return self;
    auto n = copy_of(op); n->value = v; return n;
}
Expr IRMutator::visit(const Subscript *op, const Expr &self) {
    bool changed = false;
    Expr v = mutate(op->value);
    auto idx = mutate(op->indices, &changed);
    if (!changed && v == op->value) return self;
    auto n = copy_of(op); n->value = v; n->indices = std::move(idx); return n;
}
Expr IRMutator::visit(const UCall *op, const Expr &self) {
    bool changed = false;
    Expr f = mutate(op->func);
    auto args = mutate(op->args, &changed);
    std::vector<Keyword> kws;
    for (auto &k : op->kwargs) {
        kws.push_back({k.name, mutate(k.value)});
        changed = changed || kws.back().value != k.value;
    }
    if (!changed && f == op->func) return self;
    auto n = copy_of(op); n->func = f; n->args = std::move(args); n->kwargs = std::move(kws);
    return n;
}

Stmt IRMutator::visit(const Block *op, const Stmt &self) {
    bool changed = false;
    std::vector<Stmt> out;
    for (auto &s : op->stmts) {
        Stmt m = mutate(s);
        changed = changed || m != s;
        if (m) out.push_back(m);
    }
    if (!changed) return self;
    return Block::make(std::move(out), op->loc);
}
Stmt IRMutator::visit(const Assign *op, const Stmt &self) {
    Expr v = mutate(op->value);
    if (v == op->value) return self;
    return Assign::make(op->name, v, op->loc, op->inplace);
}
Stmt IRMutator::visit(const Store *op, const Stmt &self) {
    bool changed = false;
    Expr a = mutate(op->array);
    auto idx = mutate(op->indices, &changed);
    Expr v = mutate(op->value);
    if (!changed && a == op->array && v == op->value) return self;
    return Store::make(a, std::move(idx), v, op->loc, op->in_bounds);
}
Stmt IRMutator::visit(const If *op, const Stmt &self) {
    Expr c = mutate(op->cond);
    Stmt t = mutate(op->then_case), e = mutate(op->else_case);
    if (c == op->cond && t == op->then_case && e == op->else_case) return self;
    return If::make(c, t ? t : Block::make({}), e, op->loc);
}
Stmt IRMutator::visit(const For *op, const Stmt &self) {
    Expr a = mutate(op->start), b = mutate(op->stop), c = mutate(op->step);
    Stmt body = mutate(op->body);
    if (a == op->start && b == op->stop && c == op->step && body == op->body) return self;
    return For::make(op->var, a, b, c, body ? body : Block::make({}), op->loc, op->par);
}
Stmt IRMutator::visit(const While *op, const Stmt &self) {
    Expr c = mutate(op->cond);
    Stmt body = mutate(op->body);
    if (c == op->cond && body == op->body) return self;
    return While::make(c, body ? body : Block::make({}), op->loc);
}
Stmt IRMutator::visit(const Break *, const Stmt &self) { return self; }
Stmt IRMutator::visit(const Continue *, const Stmt &self) { return self; }
Stmt IRMutator::visit(const Raise *, const Stmt &self) { return self; }
Stmt IRMutator::visit(const Return *op, const Stmt &self) {
    Expr v = mutate(op->value);
    if (v == op->value) return self;
    return Return::make(v, op->loc);
}
Stmt IRMutator::visit(const Evaluate *op, const Stmt &self) {
    Expr v = mutate(op->value);
    if (v == op->value) return self;
    return Evaluate::make(v, op->loc);
}
Stmt IRMutator::visit(const Print *op, const Stmt &self) {
    bool changed = false;
    std::vector<Expr> vs;
    for (auto &v : op->values) {
        vs.push_back(v ? mutate(v) : v);
        changed = changed || vs.back() != v;
    }
    if (!changed) return self;
    return Print::make(std::move(vs), op->texts, op->sep, op->end, op->loc);
}

Expr substitute(const Expr &e, const std::map<std::string, Expr> &values) {
    struct Substitute : IRMutator {
        const std::map<std::string, Expr> &values;
        explicit Substitute(const std::map<std::string, Expr> &v) : values(v) {}
        using IRMutator::visit;
        Expr visit(const Var *op, const Expr &self) override {
            auto it = values.find(op->name);
            return it == values.end() ? self : it->second;
        }
    };
    return Substitute(values).mutate(e);
}

}  // namespace hotloop
