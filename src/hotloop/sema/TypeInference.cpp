#include "hotloop/sema/TypeInference.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <utility>
#include <variant>

#include "hotloop/ir/IRPrinter.h"
#include "hotloop/ir/IRVisitor.h"
#include "hotloop/sema/Builtins.h"
#include "hotloop/sema/Promotion.h"

namespace hotloop {

namespace {

class Inferencer {
public:
    Inferencer(const Function &f, const SemaOptions &opts, CalleeResolver *callees)
        : fn(f), opts(opts), callees(callees) {}

    const Function &fn;
    const SemaOptions &opts;
    CalleeResolver *callees;

    std::map<std::string, Type> env;       // variable -> type (Unknown until assigned)
    std::map<std::string, Type> scoped;    // Let-bound names while lowering their body
    std::vector<Type> return_types;
    bool final_pass = false;               // errors are reported only in the final pass
    int loop_depth = 0;

    std::shared_ptr<Function> run(const std::vector<Type> &args) {
        if (args.size() != fn.params.size())
            throw CompileError({}, fn.name + "() takes " + std::to_string(fn.params.size()) +
                                       " arguments but " + std::to_string(args.size()) + " were given", "");
        for (size_t i = 0; i < args.size(); i++) env[fn.params[i].name] = args[i];
        for (auto &[name, t] : opts.locals) env[name] = t;
        // Fixed point over variable types: each pass can only widen a type.
        for (int iter = 0;; iter++) {
            auto before = env;
            return_types.clear();
            lower(fn.body);
            if (same_types(before, env)) break;
            if (iter > 50) internal_error("type inference did not converge");
        }
        final_pass = true;
        inferred_return = result_type();
        return_types.clear();
        auto out = std::make_shared<Function>();
        out->name = fn.name;
        out->symbol = opts.symbol;
        out->filename = fn.filename;
        out->return_type = inferred_return;
        out->body = lower(fn.body);
        for (size_t i = 0; i < args.size(); i++) out->params.push_back({fn.params[i].name, env[fn.params[i].name]});
        std::set<std::string> params;
        for (auto &p : fn.params) params.insert(p.name);
        for (auto &[name, t] : env)
            if (!params.count(name) && !t.is_unknown()) out->locals.push_back({name, t});
        return out;
    }

private:

    static bool same_types(const std::map<std::string, Type> &a, const std::map<std::string, Type> &b) {
        if (a.size() != b.size()) return false;
        for (auto &[k, t] : a) {
            auto it = b.find(k);
            if (it == b.end() || it->second != t || it->second.weak() != t.weak()) return false;
        }
        return true;
    }

    Type result_type() {
        if (!opts.return_type.is_unknown()) return opts.return_type;
        Type r;
        bool has_none = false, has_value = false;
        for (auto &t : return_types) {
            if (t.is_none()) { has_none = true; continue; }
            has_value = true;
            Type u = unify(r, t);
            if (u.is_unknown())
                throw CompileError(ret_loc, fn.name + "() returns values of different types: " + r.str() +
                                                " and " + t.str(), "return one type from every return statement");
            r = u;
        }
        if (has_none && has_value)
            throw CompileError(ret_loc, fn.name + "() returns a value on some paths and None on others",
                               "return a value (e.g. a sentinel number) on every path");
        if (!has_value) return Type::none();
        return r;
    }
    Loc ret_loc;
    Type inferred_return;

    [[noreturn]] void error(Loc l, const std::string &what, const std::string &hint = "") {
        throw CompileError(l, what, hint);
    }

    // ---- statements ---------------------------------------------------------------

    Stmt lower(const Stmt &s) {
        if (!s) return s;
        switch (s->node_type) {
        case NodeType::Block: {
            std::vector<Stmt> out;
            for (auto &c : s->as<Block>()->stmts) out.push_back(lower(c));
            return Block::make(std::move(out), s->loc);
        }
        case NodeType::Assign: {
            auto *a = s->as<Assign>();
            if (const UCall *call = ufunc_with_out(a->value); call && !a->inplace) {
                // x = np.add(a, b, out=c): NumPy writes c and returns it. `out` is
                // evaluated once, into a name of its own (it may allocate: out=np.empty(n)).
                std::string out = "$out" + std::to_string(s->loc.line) + "_" + std::to_string(s->loc.col);
                auto into = std::make_shared<UCall>(*call);
                Expr out_value;
                for (auto &k : into->kwargs)
                    if (k.name == "out") out_value = std::exchange(k.value, Var::make(out, {}, k.value->loc));
                return lower(Block::make({Assign::make(out, out_value, s->loc), Evaluate::make(into, s->loc),
                                          Assign::make(a->name, Var::make(out, {}, s->loc), s->loc)},
                                         s->loc));
            }
            Expr v = lower(a->value);
            Type &t = env[a->name];
            if (a->inplace && t.is_array() && !v->type.is_unknown()) {
                // x += y on an array updates x's memory (and every view of it).
                if (t.readonly()) error(s->loc, "cannot update a read-only array in place ('" + a->name + "')", "");
                if (!final_pass) return s;
                return Store::make(Var::make(a->name, t, s->loc), {}, elementwise_convert(v, t.elem(), s->loc), s->loc);
            }
            if (v->as<Ref>())
                error(s->loc, "'" + to_string(a->value) + "' cannot be stored in a variable",
                      "variables hold numbers, arrays and tuples");
            if (opts.locals.count(a->name)) {
                t = opts.locals.at(a->name);
            } else if (!v->type.is_unknown()) {
                Type u = unify(t, v->type);
                if (u.is_unknown())
                    error(s->loc, "variable '" + a->name + "' is assigned values of incompatible types " +
                                      t.str() + " and " + v->type.str(),
                          "use a different variable name for each type");
                if (u.is_none()) error(s->loc, "variable '" + a->name + "' cannot hold None", "assign a number or an array");
                if (u.is_dtype() || v->as<Ref>()) error(s->loc, "'" + to_string(a->value) + "' is not a value that can be stored in a variable", "use it directly where it is needed");
                t = u;
            }
            if (!final_pass) return s;
            return Assign::make(a->name, convert(v, t, s->loc, "assigning to '" + a->name + "'"), s->loc);
        }
        case NodeType::Store: return lower_store(s->as<Store>());
        case NodeType::If: {
            auto *i = s->as<If>();
            Expr c = truthy(lower(i->cond));
            Stmt t = lower(i->then_case), e = lower(i->else_case);
            return If::make(c, t, e, s->loc);
        }
        case NodeType::While: {
            auto *w = s->as<While>();
            Expr c = truthy(lower(w->cond));
            loop_depth++;
            Stmt b = lower(w->body);
            loop_depth--;
            return While::make(c, b, s->loc);
        }
        case NodeType::For: return lower_for(s->as<For>());
        case NodeType::Break:
        case NodeType::Continue:
        case NodeType::Raise: return s;
        case NodeType::Return: {
            auto *r = s->as<Return>();
            ret_loc = s->loc;
            Expr v = r->value ? lower(r->value) : nullptr;
            if (v && is_none(v)) v = nullptr;
            if (v && (v->type.is_dtype() || v->as<Ref>()))
                error(s->loc, "cannot return '" + to_string(r->value) + "'", "return numbers, arrays or tuples of them");
            Type t = v ? v->type : Type::none();
            if (!t.is_unknown()) return_types.push_back(t);
            if (!final_pass) return s;
            const Type &rt = inferred_return;
            if (!v) {
                if (!rt.is_none()) error(s->loc, "this return gives None but the function returns " + rt.str(), "return a value here");
                return Return::make(nullptr, s->loc);
            }
            return Return::make(convert(v, rt, s->loc, "returning"), s->loc);
        }
        case NodeType::Print: {
            auto *p = s->as<Print>();
            std::vector<Expr> values;
            for (auto &v : p->values) {
                if (!v) { values.push_back(nullptr); continue; }
                Expr e = lower(v);
                if (e->type.is_unknown()) {
                    if (!final_pass) return s;
                    error(v->loc, "print(): the type of '" + to_string(v) + "' is unknown", "");
                }
                if (!e->type.is_scalar() && !e->type.is_array())
                    error(v->loc, "print() of " + (e->type.is_tuple() ? std::string("a tuple") : "'" + to_string(v) + "'") +
                                      " is not supported in compiled code",
                          "print numbers and arrays: print(t[0], t[1])");
                values.push_back(e);
            }
            if (!final_pass) return s;
            return Print::make(std::move(values), p->texts, p->sep, p->end, s->loc);
        }
        case NodeType::Evaluate: {
            auto *call = s->as<Evaluate>()->value->as<UCall>();
            auto *fn = call ? call->func->as<Ref>() : nullptr;
            if (fn && fn->name == "np.copyto") return copyto(call, s->loc);
            if (ufunc_with_out(s->as<Evaluate>()->value)) return ufunc_into_out(call, s->loc);
            Expr v = lower(s->as<Evaluate>()->value);
            return Evaluate::make(v, s->loc);
        }
        default: internal_error("type inference: unexpected statement");
        }
    }

    Stmt lower_for(const For *f) {
        Expr start = lower(f->start), stop = lower(f->stop), step = lower(f->step);
        for (auto *e : {&start, &stop, &step}) {
            if ((*e)->type.is_unknown()) continue;
            if (!(*e)->type.is_integral())
                error((*e)->loc, "range() arguments must be integers, got " + (*e)->type.str(),
                      "convert with int(...)");
            *e = convert(*e, Type::int64(), (*e)->loc, "range()");
        }
        // Python's range yields Python ints: the loop variable is a weak int64.
        Type &t = env[f->var];
        if (opts.locals.count(f->var)) t = opts.locals.at(f->var);
        else {
            Type u = unify(t, Type::int_(64, true));
            if (u.is_unknown())
                error(f->loc, "loop variable '" + f->var + "' was used as " + t.str() + " before",
                      "use a different name for the loop variable");
            t = u;
        }
        if (final_pass && !t.is_int())
            error(f->loc, "loop variable '" + f->var + "' must be an integer, but it is " + t.str(), "use a new variable name");
        loop_depth++;
        Stmt body = lower(f->body);
        loop_depth--;
        if (!final_pass) return For::make(f->var, start, stop, step, body, f->loc, f->par);
        Type it = t.strong().is_int() && t.bits() == 64 ? Type::int64() : t;
        return For::make(f->var, convert(start, it, f->loc, "range()"), convert(stop, it, f->loc, "range()"),
                         convert(step, it, f->loc, "range()"), body, f->loc, f->par);
    }

    Stmt lower_store(const Store *s) {
        Expr target = lower(s->array);
        Expr value = lower(s->value);
        std::vector<Expr> idx;
        for (auto &i : s->indices) {
            auto *c = i->as<UCall>();
            bool keep = (c && is_ref(c->func, "slice")) || is_none(i) || is_ellipsis(i);  // typed by lower_view
            idx.push_back(keep ? i : lower(i));
            if (!keep && idx.back()->type.is_unknown()) return nullptr;
        }
        if (target->type.is_unknown() || value->type.is_unknown()) return nullptr;  // not final yet
        const Type &t = target->type;
        if (t.is_tuple()) error(s->loc, "tuples are immutable: cannot assign to an element", "use an array");
        if (!t.is_array()) error(s->loc, "cannot assign to an element of a " + t.str() + " value", "assign to an array element");
        if (t.readonly())
            error(s->loc, "cannot write to a read-only array ('" + to_string(s->array) + "')",
                  "pass a writeable array (arr.copy() or arr.flags.writeable = True)");
        bool all_ints = (int)idx.size() == t.ndim();
        for (auto &i : idx) all_ints = all_ints && !i->as<Ref>() && !i->as<UCall>() && i->type.is_integral();
        if (!all_ints) {
            // a[1:, :] = value, a[i] = row, a[:] = 0: assign (with broadcasting) into a view.
            if (!final_pass) return nullptr;
            Expr view = lower_view(target, idx, s->loc);
            if (value->type.is_tuple()) error(s->loc, "cannot assign a tuple to an array", "");
            return Store::make(view, {}, elementwise_convert(value, t.elem(), s->loc), s->loc);
        }
        check_indices(t, idx, s->loc);
        if (!value->type.is_scalar())
            error(s->loc, "cannot store a " + value->type.str() + " value into an element of " + t.str(),
                  "store a scalar; whole-array assignment lands with the arrays issue");
        if (value->type.is_complex() && !t.elem().is_complex())
            error(s->loc, "cannot store a complex value into a " + scalar_name(t) + " array",
                  "take .real or abs() first");
        return Store::make(target, index_list(idx), convert(value, t.elem(), s->loc, "storing"), s->loc);
    }

    void check_indices(const Type &t, const std::vector<Expr> &idx, Loc l) {
        for (auto &i : idx) {
            if (auto *c = i->as<UCall>(); c && is_ref(c->func, "slice"))
                error(l, "assigning to a slice is not supported yet", "assign element by element in a loop");
            if (is_none(i)) error(l, "np.newaxis in an assignment target", "index with integers");
            if (!i->type.is_integral())
                error(i->loc, "array indices must be integers, got " + i->type.str(), "convert with int(...)");
        }
        if ((int)idx.size() > t.ndim())
            error(l, "too many indices: " + std::to_string(idx.size()) + " for a " + std::to_string(t.ndim()) +
                         "-dimensional array", "give one index per dimension");
        if ((int)idx.size() < t.ndim())
            error(l, "assigning to a sub-array (" + std::to_string(idx.size()) + " indices for a " +
                         std::to_string(t.ndim()) + "-dimensional array) is not supported yet",
                  "give one index per dimension");
    }

    std::vector<Expr> index_list(const std::vector<Expr> &idx) {
        std::vector<Expr> out;
        for (auto &i : idx) out.push_back(convert(i, Type::int64(), i->loc, "indexing"));
        return out;
    }

    // ---- expressions ---------------------------------------------------------------

    static bool is_ref(const Expr &e, const char *name) {
        auto *r = e->as<Ref>();
        return r && r->name == name;
    }
    static bool is_none(const Expr &e) { return is_ref(e, "None"); }
    static bool is_ellipsis(const Expr &e) { return is_ref(e, "Ellipsis"); }

    static Expr unknown_expr(const Expr &like) {
        // A stand-in while some variable's type is not yet known.
        return Var::make("$unknown", Type(), like->loc);
    }

    Expr lower(const Expr &e) {
        switch (e->node_type) {
        case NodeType::IntImm:
        case NodeType::FloatImm:
        case NodeType::BoolImm:
        case NodeType::ComplexImm: return e;
        case NodeType::Var: {
            auto *v = e->as<Var>();
            auto sit = scoped.find(v->name);
            Type t = sit != scoped.end() ? sit->second : env[v->name];
            if (t.is_unknown() && final_pass)
                error(e->loc, "variable '" + v->name + "' is used before it is assigned a value",
                      "assign it before this line on every path");
            return Var::make(v->name, t, e->loc);
        }
        case NodeType::Ref: {
            auto *r = e->as<Ref>();
            if (r->kind == RefKind::DType) return e;
            if (r->name == "None") return e;
            return e;  // checked by the consumer (calls) or by value contexts
        }
        case NodeType::Binary: return lower_binary(e->as<Binary>());
        case NodeType::Unary: return lower_unary(e->as<Unary>());
        case NodeType::Compare: {
            auto *c = e->as<Compare>();
            Expr a = lower(c->a), b = lower(c->b);
            if (a->type.is_unknown() || b->type.is_unknown()) return unknown_expr(e);
            if (a->type.is_array() || b->type.is_array())
                return lift({a, b}, e->loc, [&](const std::vector<Expr> &v) { return compare_scalar(c->op, v[0], v[1], e->loc); });
            return compare_scalar(c->op, a, b, e->loc);
        }
        case NodeType::Logical: {
            auto *l = e->as<Logical>();
            Expr a = lower(l->a), b = lower(l->b);
            if (a->type.is_unknown() || b->type.is_unknown()) return unknown_expr(e);
            require_scalar(a, l->is_and ? "and" : "or");
            require_scalar(b, l->is_and ? "and" : "or");
            Type t = promote(a->type, b->type);
            return Logical::make(l->is_and, convert(a, t, e->loc, ""), convert(b, t, e->loc, ""), t, e->loc);
        }
        default: return lower_rest(e);
        }
    }

    Expr compare_scalar(CmpOp op, Expr a, Expr b, Loc loc) {
        require_scalar(a, "comparison");
        require_scalar(b, "comparison");
        Type t = promote(a->type, b->type);
        if (t.is_complex() && op != CmpOp::EQ && op != CmpOp::NE)
            error(loc, "complex numbers cannot be ordered", "compare abs() or .real");
        return Compare::make(op, convert(a, t, loc, "comparing"), convert(b, t, loc, "comparing"),
                             Type::boolean(a->type.weak() && b->type.weak()), loc);
    }

    Expr lower_rest(const Expr &e) {
        switch (e->node_type) {
        case NodeType::Select: {
            auto *s = e->as<Select>();
            Expr c = lower(s->cond), t = lower(s->t), f = lower(s->f);
            if (c->type.is_unknown() || t->type.is_unknown() || f->type.is_unknown()) return unknown_expr(e);
            Type u = unify(t->type, f->type);
            if (u.is_unknown())
                error(e->loc, "the two branches of the conditional expression have incompatible types " +
                                  t->type.str() + " and " + f->type.str(), "make both branches the same type");
            return Select::make(truthy(c), convert(t, u, e->loc, ""), convert(f, u, e->loc, ""), u, e->loc);
        }
        case NodeType::Let: {
            auto *l = e->as<Let>();
            Expr v = lower(l->value);
            if (v->type.is_unknown()) return unknown_expr(e);
            scoped[l->name] = v->type;
            Expr body = lower(l->body);
            scoped.erase(l->name);
            if (body->type.is_unknown()) return unknown_expr(e);
            return Let::make(l->name, v, body);
        }
        case NodeType::MakeTuple: {
            std::vector<Expr> es;
            for (auto &x : e->as<MakeTuple>()->elems) {
                es.push_back(lower(x));
                if (es.back()->type.is_unknown()) return unknown_expr(e);
                if (es.back()->as<Ref>()) error(x->loc, "'" + to_string(x) + "' cannot be stored in a tuple", "use numbers or arrays");
            }
            return MakeTuple::make(std::move(es), e->loc);
        }
        case NodeType::Attr: return lower_attr(e->as<Attr>());
        case NodeType::Subscript: return lower_subscript(e->as<Subscript>());
        case NodeType::UCall: return lower_call(e->as<UCall>());
        default: internal_error("type inference: unexpected expression " + to_string(e));
        }
    }

    void require_scalar(const Expr &e, const std::string &ctx) {
        if (e->type.is_scalar()) return;
        if (e->type.is_array())
            error(e->loc, "whole-array operations (" + ctx + " on " + e->type.str() + ") are not supported yet",
                  "loop over the elements with for i in range(len(a))");
        if (e->as<Ref>()) error(e->loc, "'" + to_string(e) + "' is not a value", "call it or use a number");
        error(e->loc, "'" + ctx + "' is not supported for " + e->type.str() + " values", "use numbers");
    }

    // ---- elementwise array expressions ----------------------------------------------

    // An operand of an elementwise operation: the arrays it reads and its value per element.
    struct Elementwise {
        std::vector<std::pair<std::string, Expr>> inputs;
        Expr body;
        int ndim = 0;
    };
    int element_counter = 0;

    Elementwise elementwise(const Expr &e) {
        if (auto *m = e->as<ArrayMap>()) return {m->inputs, m->body, m->type.ndim()};
        if (e->type.is_array()) {
            std::string name = "$e" + std::to_string(element_counter++);
            scoped[name] = e->type.elem();
            return {{{name, e}}, Var::make(name, e->type.elem(), e->loc), e->type.ndim()};
        }
        return {{}, e, 0};
    }

    // Lifts a scalar operation over array operands: `scalar_op` gets each operand's
    // per-element value and returns the per-element result.
    template <typename F> Expr lift(const std::vector<Expr> &operands, Loc l, F scalar_op) {
        std::vector<std::pair<std::string, Expr>> inputs;
        std::vector<Expr> bodies;
        int ndim = 0;
        for (auto &o : operands) {
            Elementwise ew = elementwise(o);
            // The same array read twice (x + x*x) is one input.
            std::map<std::string, Expr> same;
            for (auto &in : ew.inputs) {
                bool merged = false;
                if (auto *v = in.second->as<Var>())
                    for (auto &have : inputs)
                        if (auto *hv = have.second->as<Var>(); hv && hv->name == v->name) {
                            same[in.first] = Var::make(have.first, in.second->type.elem(), in.second->loc);
                            merged = true;
                            break;
                        }
                if (!merged) inputs.push_back(in);
            }
            bodies.push_back(same.empty() ? ew.body : substitute(ew.body, same));
            ndim = std::max(ndim, ew.ndim);
        }
        Expr body = numpy_semantics(scalar_op(bodies));
        if (!body->type.is_scalar())
            error(l, "an elementwise operation must give a number per element, got " + body->type.str(), "");
        return ArrayMap::make(Type::array(body->type.strong(), ndim, Layout::C), std::move(inputs), body, l);
    }

    // Does e read an array element (an element variable)?
    static bool reads_element(const Expr &e) {
        struct Find : IRVisitor {
            bool found = false;
            using IRVisitor::visit;
            void visit(const Var *op) override { found = found || op->name.rfind("$e", 0) == 0; }
        } f;
        f.visit(e);
        return f.found;
    }

    // Inside array expressions NumPy's rules apply to element operations: x / 0 is inf,
    // not ZeroDivisionError. Scalar subexpressions (1 / s) keep Python's rules.
    static Expr numpy_semantics(const Expr &body) {
        struct Mark : IRMutator {
            using IRMutator::visit;
            Expr visit(const Binary *op, const Expr &self) override {
                Expr e = IRMutator::visit(op, self);
                auto *b = e->as<Binary>();
                if (b->ieee || !reads_element(e)) return e;
                auto n = std::make_shared<Binary>(*b);
                n->ieee = true;
                return n;
            }
        } mark;
        return mark.mutate(body);
    }

    static bool any_array(const std::vector<Expr> &es) {
        for (auto &e : es) if (e->type.is_array()) return true;
        return false;
    }

    // The value to store into elements of type `elem`: NumPy's same-kind casting.
    Expr elementwise_convert(const Expr &v, const Type &elem, Loc l) {
        if (v->type.is_scalar()) {
            check_same_kind(v->type, elem, l);
            return convert(v, elem, l, "storing");
        }
        if (!v->type.is_array()) error(l, "cannot store a " + v->type.str() + " value into an array", "");
        check_same_kind(v->type.elem(), elem, l);
        if (v->type.elem() == elem) return v;
        return lift({v}, l, [&](const std::vector<Expr> &b) { return convert(b[0], elem, l, "storing"); });
    }

    // np.copyto(dst, src): a whole-array store into dst, with broadcasting and NumPy's
    // same_kind casting (as dst[...] = src).
    Stmt copyto(const UCall *c, Loc l) {
        if (c->args.size() != 2 || !c->kwargs.empty())
            error(l, "np.copyto() takes the destination and the source here",
                  "casting= and where= are not supported; write dst[...] = np.where(mask, src, dst)");
        Expr dst = lower(c->args[0]), src = lower(c->args[1]);
        if (dst->type.is_unknown() || src->type.is_unknown()) {
            if (!final_pass) return Evaluate::make(c->args[0], l);
            error(l, "np.copyto(): the types of the arguments are unknown", "");
        }
        if (!dst->type.is_array()) error(c->args[0]->loc, "np.copyto() needs an array to copy into, not " + dst->type.str(), "");
        if (dst->type.readonly())
            error(l, "cannot write to a read-only array ('" + to_string(c->args[0]) + "')",
                  "pass a writeable array (arr.copy() or arr.flags.writeable = True)");
        return Store::make(dst, {}, elementwise_convert(src, dst->type.elem(), l), l);
    }

    static bool has_kwarg(const UCall *c, const std::string &name) {
        for (auto &k : c->kwargs) if (k.name == name) return true;
        return false;
    }

    // A call of an elementwise function with out= (np.add(a, b, out=c)), else null.
    static const UCall *ufunc_with_out(const Expr &e) {
        auto *call = e->as<UCall>();
        auto *fn = call ? call->func->as<Ref>() : nullptr;
        if (!fn || !has_kwarg(call, "out")) return nullptr;
        return operator_ufunc(fn->name) || is_elementwise_builtin(fn->name) ? call : nullptr;
    }

    // np.add(a, b, out=c) as a statement: c[...] = np.add(a, b), NumPy's same_kind casting.
    Stmt ufunc_into_out(const UCall *c, Loc l) {
        auto call = std::make_shared<UCall>(*c);
        call->kwargs.clear();
        Expr out_arg;
        for (auto &k : c->kwargs) {
            if (k.name == "out") out_arg = k.value;
            else call->kwargs.push_back(k);
        }
        Expr dst = lower(out_arg), src = lower(call);
        if (dst->type.is_unknown() || src->type.is_unknown()) {
            if (!final_pass) return Evaluate::make(out_arg, l);
            error(l, "the types of the arguments are unknown", "");
        }
        if (!dst->type.is_array()) error(out_arg->loc, "out= needs an array, not " + dst->type.str(), "");
        if (dst->type.readonly())
            error(l, "cannot write to a read-only array ('" + to_string(out_arg) + "')",
                  "pass a writeable array (arr.copy() or arr.flags.writeable = True)");
        return Store::make(dst, {}, elementwise_convert(src, dst->type.elem(), l), l);
    }

    void check_same_kind(const Type &from, const Type &to, Loc l) {
        if (from.weak()) {
            if (from.is_complex() && !to.is_complex()) error(l, "cannot store a complex value into a " + to.str() + " array", "");
            return;
        }
        auto rank = [](const Type &t) { return t.is_bool() ? 0 : t.is_integral() ? 1 : t.is_float() ? 2 : 3; };
        if (rank(from) > rank(to))
            error(l, "cannot cast " + from.str() + " values into a " + to.str() + " array in place (NumPy's same_kind rule)",
                  "convert explicitly with .astype() or np." + to.str() + "(...)");
    }

    Expr lower_binary(const Binary *op) {
        Expr a = lower(op->a), b = lower(op->b);
        Loc l = op->loc;
        if (a->type.is_unknown() || b->type.is_unknown()) return unknown_expr(a);
        if (a->type.is_array() || b->type.is_array()) {
            if (a->as<Ref>() || b->as<Ref>()) error(l, "'" + to_string(a->as<Ref>() ? op->a : op->b) + "' is not a number", "");
            if (a->type.is_tuple() || b->type.is_tuple()) error(l, "arithmetic between an array and a tuple", "convert the tuple with np.array(...)");
            return lift({a, b}, l, [&](const std::vector<Expr> &e) { return binary_scalar(op->op, e[0], e[1], l, true); });
        }
        return binary_scalar(op->op, a, b, l);
    }

    // `of_arrays`: the elements of an operation on arrays (NumPy's array operators have
    // fast paths that its scalars lack).
    Expr binary_scalar(BinOp bop, Expr a, Expr b, Loc l, bool of_arrays = false) {
        if (a->as<Ref>() || b->as<Ref>()) error(l, "'" + to_string(a->as<Ref>() ? a : b) + "' is not a number", "call it or use a value");
        if (a->type.is_tuple() && b->type.is_tuple() && bop == BinOp::Add) {
            std::vector<Expr> es;
            for (size_t i = 0; i < a->type.elems().size(); i++) es.push_back(TupleGet::make(a, (int)i, l));
            for (size_t i = 0; i < b->type.elems().size(); i++) es.push_back(TupleGet::make(b, (int)i, l));
            return MakeTuple::make(std::move(es), l);
        }
        require_scalar(a, op_name(bop));
        require_scalar(b, op_name(bop));
        Type t = promote(a->type, b->type);
        bool both_weak = a->type.weak() && b->type.weak();
        if (t.is_bool() && !t.weak()) {
            // NumPy bools: + is or, * is and, - is an error (Python bools count as ints).
            if (bop == BinOp::Add) return Binary::make(BinOp::BitOr, convert(a, t, l, ""), convert(b, t, l, ""), t, l);
            if (bop == BinOp::Mul) return Binary::make(BinOp::BitAnd, convert(a, t, l, ""), convert(b, t, l, ""), t, l);
            if (bop == BinOp::Sub) error(l, "subtracting NumPy bools is not supported (as in NumPy)", "use ^ or convert with .astype(int)");
        }
        // NumPy computes // % ** << >> of bools in int8; Python bools are ints (int64 here).
        Type int_of_bools = t.weak() ? Type::int_(64, true) : Type::int_(8);
        switch (bop) {
        case BinOp::Add: case BinOp::Sub: case BinOp::Mul:
            if (t.is_bool()) t = Type::int_(64, both_weak);  // True + True == 2
            break;
        case BinOp::FloorDiv: case BinOp::Mod:
            if (t.is_bool()) t = int_of_bools;
            if (t.is_complex()) error(l, "'" + std::string(op_name(bop)) + "' is not defined for complex numbers", "");
            break;
        case BinOp::Div:
            if (t.is_integral()) t = Type::float_(64, both_weak);
            break;
        case BinOp::Pow: {
            if (t.is_bool()) t = int_of_bools;
            // An integer exponent stays an integer: powi / repeated multiplication.
            if (b->type.is_integral() && !t.is_complex()) {
                return Binary::make(BinOp::Pow, convert(a, t, l, ""), convert(b, Type::int64(), l, ""), t, l);
            }
            if (t.is_complex()) {
                // z ** n for a small constant n: multiplications (strength_reduce_pow); any
                // other complex power is NumPy's npy_cpow (codegen).
                if (auto *n = b->as<IntImm>(); n && n->value >= 0 && n->value <= 16)
                    return Binary::make(BinOp::Pow, convert(a, t, l, ""), convert(b, Type::int64(), l, ""), t, l);
            }
            // NumPy computes a NumPy value to the scalar power 0.5 as sqrt(): (-inf) ** 0.5 is
            // nan and (-0.0) ** 0.5 is -0.0 (C's pow() gives inf and 0.0, as CPython floats do).
            // A complex array too (csqrt); a complex NumPy scalar goes through npy_cpow.
            auto *half = b->as<FloatImm>();
            if (half && half->value == 0.5 && !a->type.weak() && (t.is_float() || (t.is_complex() && of_arrays)))
                return MathCall::make(MathOp::Sqrt, {convert(a, t, l, "")}, t, l);
            break;
        }
        case BinOp::BitAnd: case BinOp::BitOr: case BinOp::BitXor:
        case BinOp::Shl: case BinOp::Shr:
            if (!a->type.is_integral() || !b->type.is_integral())
                error(l, "'" + std::string(op_name(bop)) + "' needs integer or bool operands, got " +
                             a->type.str() + " and " + b->type.str(), "convert with int(...)");
            if ((bop == BinOp::Shl || bop == BinOp::Shr) && t.is_bool()) t = int_of_bools;
            break;
        }
        if (t.is_complex() && bop != BinOp::Add && bop != BinOp::Sub && bop != BinOp::Mul && bop != BinOp::Div &&
            bop != BinOp::Pow)
            error(l, "'" + std::string(op_name(bop)) + "' on complex numbers is not supported yet", "");
        Expr e = Binary::make(bop, convert(a, t, l, ""), convert(b, t, l, ""), t, l);
        // Which Python code divides: CPython's complex `/` when the left operand is a Python
        // number and the right one a Python number or an np.float64 (a float subclass that
        // complex.__truediv__ accepts); NumPy's loop when a NumPy value takes the operation.
        if (bop == BinOp::Div && t.is_complex() && !of_arrays && a->type.weak() &&
            (b->type.weak() || b->type == Type::float64())) {
            auto n = std::make_shared<Binary>(*e->as<Binary>());
            n->python_quotient = true;
            e = n;
        }
        return e;
    }

    Expr lower_unary(const Unary *op) {
        Expr a = lower(op->a);
        if (a->type.is_unknown()) return unknown_expr(a);
        if (a->type.is_array() && op->op != UnOp::Not)
            return lift({a}, op->loc, [&](const std::vector<Expr> &e) { return unary_scalar(op->op, e[0], op->loc); });
        return unary_scalar(op->op, a, op->loc);
    }

    Expr unary_scalar(UnOp uop, Expr a, Loc loc) {
        if (uop == UnOp::Not) return Unary::make(UnOp::Not, truthy(a), Type::boolean(a->type.weak()), loc);
        require_scalar(a, op_name(uop));
        Type t = a->type;
        if (uop == UnOp::Invert) {
            if (!t.is_integral()) error(loc, "'~' needs an integer or bool operand, got " + t.str(), "");
            if (t.is_bool() && !t.weak()) return Unary::make(UnOp::Not, a, t, loc);  // NumPy: ~True is False
            if (t.is_bool()) t = Type::int_(64, true);
        } else if (t.is_bool()) {
            if (!t.weak() && uop == UnOp::Neg) error(loc, "negating a NumPy bool is not supported (as in NumPy)", "use ~ or not");
            t = Type::int_(64, t.weak());  // -True == -1
        }
        if (uop == UnOp::Pos) return convert(a, t, loc, "");
        return Unary::make(uop, convert(a, t, loc, ""), t, loc);
    }

    Expr lower_attr(const Attr *op) {
        Expr v = lower(op->value);
        if (v->type.is_unknown()) return unknown_expr(v);
        const Type &t = v->type;
        Loc l = op->loc;
        if (t.is_array() && (op->name == "real" || op->name == "imag")) {
            MathOp part = op->name == "real" ? MathOp::Real : MathOp::Imag;
            return lift({v}, l, [&](const std::vector<Expr> &e) { return complex_part(part, e[0], helpers(), l); });
        }
        if (t.is_array()) {
            if (op->name == "shape") {
                std::vector<Expr> dims;
                for (int i = 0; i < t.ndim(); i++) dims.push_back(ArrayDim::make(v, i, l));
                return MakeTuple::make(std::move(dims), l);
            }
            if (op->name == "ndim") return IntImm::make(t.ndim(), Type::int_(64, true), l);
            if (op->name == "size") {
                Expr s = IntImm::make(1, Type::int_(64, true), l);
                for (int i = 0; i < t.ndim(); i++) s = i ? Binary::make(BinOp::Mul, s, ArrayDim::make(v, i, l)) : ArrayDim::make(v, i, l);
                return s;
            }
            if (op->name == "itemsize") return IntImm::make(t.elem().bytes(), Type::int_(64, true), l);
            if (op->name == "T") return Transpose::make(v, l);
            error(l, "the array attribute '." + op->name + "' is not supported",
                  "supported array attributes: .shape, .ndim, .size, .itemsize");
        }
        if (t.is_scalar() && (op->name == "real" || op->name == "imag"))
            return complex_part(op->name == "real" ? MathOp::Real : MathOp::Imag, v, helpers(), l);
        error(l, "a " + t.str() + " value has no supported attribute '." + op->name + "'",
              "supported attributes are those of arrays: .shape, .ndim, .size");
    }

    Expr lower_subscript(const Subscript *op) {
        Expr v = lower(op->value);
        std::vector<Expr> idx;
        for (auto &i : op->indices) {
            // Slices and None stay as they are; lower_view types their parts.
            auto *c = i->as<UCall>();
            bool keep = (c && is_ref(c->func, "slice")) || is_none(i) || is_ellipsis(i);
            idx.push_back(keep ? i : lower(i));
            if (!keep && idx.back()->type.is_unknown()) return unknown_expr(v);
        }
        if (v->type.is_unknown()) return unknown_expr(v);
        Loc l = op->loc;
        const Type &t = v->type;
        if (t.is_tuple()) {
            auto *c = idx.size() == 1 ? idx[0]->as<IntImm>() : nullptr;
            if (!c) error(l, "tuples can only be indexed by an integer constant", "unpack the tuple, or use an array for variable indices");
            int64_t n = (int64_t)t.elems().size(), k = c->value < 0 ? c->value + n : c->value;
            if (k < 0 || k >= n) error(l, "tuple index " + std::to_string(c->value) + " out of range for a tuple of " + std::to_string(n), "");
            return TupleGet::make(v, (int)k, l);
        }
        if (!t.is_array())
            error(l, "a " + t.str() + " value cannot be indexed", "only arrays and tuples support [...]");
        bool all_ints = (int)idx.size() == t.ndim();
        for (auto &i : idx) all_ints = all_ints && i->type.is_integral();
        if (all_ints) return Load::make(v, index_list(idx), l);
        return lower_view(v, idx, l);
    }

    // Basic indexing that keeps some dimensions: a view (a[i] of a 2-D array, a[1:n:2], a[None]).
    Expr lower_view(const Expr &v, const std::vector<Expr> &idx, Loc l) {
        const Type &t = v->type;
        std::vector<SliceSpec> specs;
        int used = 0, out_ndim = 0;
        int explicit_dims = 0, ellipses = 0;
        for (auto &i : idx) {
            if (is_ellipsis(i)) ellipses++;
            else if (!is_none(i)) explicit_dims++;
        }
        if (ellipses > 1) error(l, "an index can only have a single ellipsis ('...')", "");
        auto int_part = [&](const Expr &e) -> Expr {
            if (is_none(e)) return nullptr;
            if (!e->type.is_integral())
                error(e->loc, "slice bounds must be integers or None, got " + e->type.str(), "convert with int(...)");
            return convert(e, Type::int64(), e->loc, "slicing");
        };
        for (auto &i : idx) {
            SliceSpec s;
            if (is_ellipsis(i)) {
                // ... stands for as many full slices as the other indices leave.
                for (int k = explicit_dims; k < t.ndim(); k++) {
                    specs.push_back(SliceSpec{});
                    used++;
                    out_ndim++;
                }
                continue;
            }
            if (is_none(i)) {
                s.kind = SliceSpec::Kind::NewAxis;
                out_ndim++;
            } else if (auto *c = i->as<UCall>(); c && is_ref(c->func, "slice")) {
                s.kind = SliceSpec::Kind::Range;
                Expr parts[3] = {lower(c->args[0]), lower(c->args[1]), lower(c->args[2])};
                for (auto &p : parts) if (p->type.is_unknown() && !is_none(p)) return unknown_expr(v);
                s.start = int_part(parts[0]);
                s.stop = int_part(parts[1]);
                s.step = int_part(parts[2]);
                used++;
                out_ndim++;
            } else if (i->type.is_integral()) {
                s.kind = SliceSpec::Kind::Index;
                s.index = convert(i, Type::int64(), i->loc, "indexing");
                used++;
            } else if (i->type.is_scalar()) {
                error(i->loc, "array indices must be integers, got " + i->type.str(),
                      "convert with int(...) or divide with //");
            } else {
                error(i->loc, "array indices must be integers, slices or None, got " + i->type.str(),
                      "indexing with arrays (fancy or boolean-mask indexing) is not supported yet");
            }
            specs.push_back(s);
        }
        if (used > t.ndim())
            error(l, "too many indices: " + std::to_string(used) + " for a " + std::to_string(t.ndim()) +
                         "-dimensional array", "give at most one index per dimension");
        for (int k = used; k < t.ndim(); k++) {
            specs.push_back(SliceSpec{});
            out_ndim++;
        }
        if (out_ndim == 0) internal_error("view without dimensions");
        // Contiguity survives leading integer indices followed by one step-1 slice and
        // full slices (a[i], a[i:j], a[i, j:k] of a C array); anything else is layout A.
        bool c_contig = t.layout() == Layout::C;
        bool seen_range = false;
        for (auto &s : specs) {
            if (s.kind == SliceSpec::Kind::NewAxis) continue;
            if (s.kind == SliceSpec::Kind::Index) { if (seen_range) c_contig = false; continue; }
            bool unit_step = !s.step || (s.step->as<IntImm>() && s.step->as<IntImm>()->value == 1);
            bool full = !s.start && !s.stop && !s.step;
            if (seen_range && !full) c_contig = false;
            if (!unit_step) c_contig = false;
            seen_range = true;
        }
        Type vt = Type::array(t.elem(), out_ndim, c_contig ? Layout::C : Layout::A, t.readonly());
        return View::make(vt, v, std::move(specs), l);
    }

    // ---- calls ---------------------------------------------------------------------

    Expr lower_call(const UCall *op) {
        auto *ref = op->func->as<Ref>();
        Loc l = op->loc;
        std::string method_name;
        Expr self;
        if (!ref) {
            // arr.sum(), arr.reshape(...): a method of an array is the NumPy function.
            if (auto *attr = op->func->as<Attr>()) {
                self = lower(attr->value);
                if (self->type.is_unknown()) return unknown_expr(self);
                if (self->type.is_array()) method_name = attr->name;
                else if (self->type.is_scalar() && (attr->name == "conjugate" || attr->name == "conj"))
                    return complex_part(MathOp::Conj, self, helpers(), l);
            }
            if (method_name.empty()) {
                Expr f = self ? self : lower(op->func);
                if (f->type.is_unknown()) return unknown_expr(f);
                error(l, "'" + to_string(op->func) + "' is not a supported method of a " + f->type.str() + " value",
                      "supported array methods: sum prod min max mean argmin argmax any all copy astype reshape ravel flatten dot");
            }
        }
        std::vector<Expr> args;
        if (self) args.push_back(self);
        for (auto &a : op->args) {
            args.push_back(lower(a));
            if (args.back()->type.is_unknown() && !args.back()->as<Ref>()) return unknown_expr(op->func);
        }
        std::map<std::string, Expr> kwargs;
        for (auto &k : op->kwargs) {
            kwargs[k.name] = lower(k.value);
            if (kwargs[k.name]->type.is_unknown() && !kwargs[k.name]->as<Ref>()) return unknown_expr(op->func);
        }
        if (!method_name.empty()) {
            static const char *methods[] = {"sum", "prod", "min", "max", "mean", "argmin", "argmax", "any",
                                            "all", "copy", "astype", "reshape", "ravel", "flatten", "dot",
                                            "conjugate", "conj"};
            bool known = false;
            for (auto *m : methods) known = known || method_name == m;
            if (!known)
                error(l, "the array method '." + method_name + "()' is not supported",
                      "supported array methods: sum prod min max mean argmin argmax any all copy astype reshape ravel flatten dot");
            if (method_name == "conjugate" || method_name == "conj")
                return lift({self}, l, [&](const std::vector<Expr> &e) { return complex_part(MathOp::Conj, e[0], helpers(), l); });
            std::string fn = method_name == "flatten" ? "np.copy_ravel" : "np." + method_name;
            return lower_array_function(fn, args, kwargs, l);
        }
        if (ref->kind == RefKind::Dispatcher) {
            std::vector<std::string> keyword_order;
            for (auto &k : op->kwargs) keyword_order.push_back(k.name);
            return lower_user_call(ref, args, kwargs, keyword_order, l);
        }
        if (ref->kind == RefKind::Module)
            error(l, "module '" + ref->name + "' is not callable", "call one of its functions");
        Type dtype = ref->kind == RefKind::DType ? ref->type : Type();
        if (auto *u = operator_ufunc(ref->name)) return lower_operator_ufunc(*u, args, kwargs, l);
        if (Expr r = lower_array_function(ref->name, args, kwargs, l)) return r;
        if (any_array(args) || any_array_kw(kwargs)) {
            if (!dtype.is_unknown() || is_elementwise_builtin(ref->name)) {
                return lift(args, l, [&](const std::vector<Expr> &scalars) {
                    return lower_builtin(BuiltinCall{ref->name, dtype, scalars, kwargs, l});
                });
            }
        }
        BuiltinCall call{ref->name, dtype, args, kwargs, l};
        Expr r = lower_builtin(call);
        if (!r) internal_error("builtin lowering returned nothing for " + ref->name);
        return r;
    }

    // np.add(a, b) and the other operators under a ufunc's name (sema/Builtins.cpp's table).
    // The arguments are NumPy values: a Python bool is np.bool_, and Python numbers alone
    // become int64/float64/complex128 (np.add(2, 3) is np.int64(5); np.power(2, -1) raises).
    // NumPy's rules also hold for scalars: np.divide(1.0, 0.0) is inf, not ZeroDivisionError.
    Expr lower_operator_ufunc(const OperatorUfunc &u, std::vector<Expr> args, const std::map<std::string, Expr> &kwargs, Loc l) {
        const std::string &fn = u.name;
        if (!kwargs.empty()) unsupported_ufunc_kwarg(fn, kwargs.begin()->first, l);
        if ((int)args.size() != u.arity())
            error(l, fn + "() takes " + std::to_string(u.arity()) + " argument" + (u.arity() == 1 ? "" : "s") + ", got " +
                         std::to_string(args.size()),
                  (int)args.size() == u.arity() + 1 ? "pass the output array as out=" : "check the call's arguments");
        bool all_weak = true;
        for (auto &a : args) {
            if (a->as<Ref>()) error(a->loc, "'" + to_string(a) + "' is not a number", "");
            all_weak = all_weak && a->type.is_scalar() && a->type.weak();
        }
        for (auto &a : args)
            if (a->type.is_scalar() && a->type.weak() && (all_weak || a->type.is_bool()))
                a = a->as<IntImm>() || a->as<FloatImm>() ? convert(a, a->type.strong(), l, "") : Cast::make(a->type.strong(), a);
        auto scalar_op = [&](const std::vector<Expr> &x, bool of_arrays) -> Expr {
            if (auto *op = std::get_if<BinOp>(&u.op)) return binary_scalar(*op, x[0], x[1], l, of_arrays);
            if (auto *op = std::get_if<CmpOp>(&u.op)) return compare_scalar(*op, x[0], x[1], l);
            if (auto *op = std::get_if<UnOp>(&u.op)) {
                if (*op == UnOp::Pos && x[0]->type.is_bool())
                    error(l, "np.positive() of a bool is not supported (NumPy has no bool loop)", "convert it first, e.g. to int");
                return unary_scalar(*op, x[0], l);
            }
            Type bt = Type::boolean();
            Expr a = convert(truthy(x[0]), bt, l, "");
            switch (std::get<LogicalUfunc>(u.op)) {
            case LogicalUfunc::Not: return Unary::make(UnOp::Not, a, bt, l);
            case LogicalUfunc::And: return Binary::make(BinOp::BitAnd, a, convert(truthy(x[1]), bt, l, ""), bt, l);
            case LogicalUfunc::Or: return Binary::make(BinOp::BitOr, a, convert(truthy(x[1]), bt, l, ""), bt, l);
            case LogicalUfunc::Xor: return Binary::make(BinOp::BitXor, a, convert(truthy(x[1]), bt, l, ""), bt, l);
            }
            internal_error("logical ufunc");
        };
        if (any_array(args)) return lift(args, l, [&](const std::vector<Expr> &x) { return scalar_op(x, true); });
        for (auto &a : args) require_scalar(a, fn + "()");
        Expr r = scalar_op(args, false);
        if (auto *b = r->as<Binary>(); b && !b->ieee) {
            auto n = std::make_shared<Binary>(*b);
            n->ieee = true;
            r = n;
        }
        return r;
    }

    static bool any_array_kw(const std::map<std::string, Expr> &kw) {
        for (auto &[k, v] : kw) if (v->type.is_array()) return true;
        return false;
    }

    int64_t constant_int(const Expr &e, const std::string &what) {
        if (auto *i = e->as<IntImm>()) return i->value;
        error(e->loc, what + " must be an integer constant", "write it as a literal, e.g. axis=0");
    }

    Expr array_arg(const std::string &fn, const std::vector<Expr> &args, size_t i, Loc l) {
        if (args.size() <= i) error(l, fn + "() needs an array argument", "");
        if (!args[i]->type.is_array()) error(args[i]->loc, fn + "() needs an array here, got " + args[i]->type.str(), "");
        return args[i];
    }

    // Reductions, copies, reshapes, ranges: NumPy functions of whole arrays.
    // Returns null if `fn` is not one of them.
    Expr lower_array_function(const std::string &fn, const std::vector<Expr> &args,
                              const std::map<std::string, Expr> &kwargs, Loc l) {
        auto kw = [&](const char *name, size_t pos) -> Expr {
            if (auto it = kwargs.find(name); it != kwargs.end()) return it->second;
            return args.size() > pos ? args[pos] : nullptr;
        };
        auto allow_kwargs = [&](std::initializer_list<const char *> names) {
            for (auto &[k, v] : kwargs) {
                bool ok = false;
                for (auto *n : names) ok = ok || k == n;
                if (!ok) error(l, fn + "() does not take the keyword argument '" + k + "' in compiled code", "");
            }
        };
        static const std::pair<const char *, ReduceOp> reductions[] = {
            {"np.sum", ReduceOp::Sum}, {"np.prod", ReduceOp::Prod}, {"np.min", ReduceOp::Min},
            {"np.amin", ReduceOp::Min}, {"np.max", ReduceOp::Max}, {"np.amax", ReduceOp::Max},
            {"np.mean", ReduceOp::Mean}, {"np.argmin", ReduceOp::ArgMin}, {"np.argmax", ReduceOp::ArgMax},
            {"np.any", ReduceOp::Any}, {"np.all", ReduceOp::All}};
        for (auto &[name, rop] : reductions) {
            if (fn != name) continue;
            allow_kwargs({"axis"});
            if (args.empty() || args.size() > 2) error(l, fn + "() takes an array and an optional axis", "");
            Expr a = args[0];
            if (a->type.is_scalar()) {
                // np.sum(3.0) and friends of a number: the number itself.
                switch (rop) {
                case ReduceOp::Any: case ReduceOp::All: return truthy(a);
                case ReduceOp::ArgMin: case ReduceOp::ArgMax: return IntImm::make(0, Type::int64(), l);
                case ReduceOp::Mean: return convert(a, float_type_for(a->type), l, "");
                default: return a;
                }
            }
            if (!a->type.is_array()) error(l, fn + "() needs an array, got " + a->type.str(), "");
            return reduce(rop, a, kw("axis", 1), l);
        }
        if (fn == "np.dot") {
            allow_kwargs({});
            Expr a = array_arg(fn, args, 0, l), b = array_arg(fn, args, 1, l);
            if (a->type.ndim() != 1 || b->type.ndim() != 1)
                error(l, "np.dot() is supported for two 1-D vectors", "write the matrix product as loops");
            if (a->type.elem().is_bool() && b->type.elem().is_bool()) {
                // NumPy: the dot of bools is a bool, any(a & b).
                Expr both = lift({a, b}, l, [&](const std::vector<Expr> &e) {
                    return Logical::make(true, e[0], e[1], Type::boolean(), l);
                });
                return Reduce::make(ReduceOp::Any, both, -1, Type::boolean(), l);
            }
            Expr prod = lift({a, b}, l, [&](const std::vector<Expr> &e) { return binary_scalar(BinOp::Mul, e[0], e[1], l); });
            return Reduce::make(ReduceOp::Sum, prod, -1, prod->type.elem(), l);
        }
        if (fn == "np.copy" || fn == "np.copy_ravel" || fn == "np.array" || fn == "np.asarray") {
            allow_kwargs({"dtype"});
            if (args.size() != 1) error(l, fn + "() takes one argument", "");
            Expr a = args[0];
            if (a->type.is_tuple()) a = array_from_tuple(a, l);
            if (!a->type.is_array()) error(l, fn + "() needs an array or a tuple of numbers", "");
            Type elem = a->type.elem();
            if (auto it = kwargs.find("dtype"); it != kwargs.end()) elem = dtype_of(it->second, l);
            Expr copy = lift({a}, l, [&](const std::vector<Expr> &e) { return convert(e[0], elem, l, ""); });
            if (fn == "np.copy_ravel") return Reshape::make(copy, {IntImm::make(-1, Type::int64(), l)}, l);
            return copy;
        }
        if (fn == "np.astype") {
            allow_kwargs({"dtype"});
            Expr a = array_arg(fn, args, 0, l);
            Expr d = kw("dtype", 1);
            if (!d) error(l, "astype() needs a dtype", "");
            Type elem = dtype_of(d, l);
            return lift({a}, l, [&](const std::vector<Expr> &e) { return convert(e[0], elem, l, ""); });
        }
        if (fn == "np.reshape" || fn == "np.ravel") {
            allow_kwargs({});
            Expr a = array_arg(fn, args, 0, l);
            std::vector<Expr> shape;
            if (fn == "np.ravel") shape.push_back(IntImm::make(-1, Type::int64(), l));
            for (size_t i = 1; i < args.size(); i++) {
                const Expr &s = args[i];
                if (s->type.is_tuple()) {
                    for (size_t k = 0; k < s->type.elems().size(); k++) shape.push_back(TupleGet::make(s, (int)k, l));
                } else {
                    shape.push_back(s);
                }
            }
            if (shape.empty()) error(l, "reshape() needs a shape", "");
            for (auto &d : shape) {
                if (!d->type.is_integral()) error(l, "reshape() dimensions must be integers", "");
                d = convert(d, Type::int64(), l, "");
            }
            // NumPy: ravel() copies what is not C-contiguous; reshape() views when it can.
            if ((fn == "np.ravel" && a->type.layout() != Layout::C) || a->as<ArrayMap>())
                a = lift({a}, l, [](const std::vector<Expr> &e) { return e[0]; });  // a contiguous copy
            return Reshape::make(a, std::move(shape), l);
        }
        if (fn == "np.roll") {
            allow_kwargs({"shift", "axis"});
            Expr a = array_arg(fn, args, 0, l);
            Expr shift = kw("shift", 1), axis_e = kw("axis", 2);
            if (!shift || !shift->type.is_integral()) error(l, "np.roll() needs an integer shift", "");
            if ((!axis_e || is_none(axis_e)) && a->type.ndim() != 1) {
                // NumPy: without an axis, the flattened array is rolled and given a's shape.
                std::vector<Expr> shape;
                for (int k = 0; k < a->type.ndim(); k++) shape.push_back(ArrayDim::make(a, k, l));
                Expr flat = Reshape::make(a, {IntImm::make(-1, Type::int64(), l)}, l);
                Expr rolled = Roll::make(flat, convert(shift, Type::int64(), l, ""), 0, l);
                return Reshape::make(lift({rolled}, l, [](const std::vector<Expr> &e) { return e[0]; }),
                                     std::move(shape), l);
            }
            if (!axis_e || is_none(axis_e)) axis_e = IntImm::make(0, Type::int64(), l);
            int64_t axis = constant_int(axis_e, "axis");
            if (axis < 0) axis += a->type.ndim();
            if (axis < 0 || axis >= a->type.ndim()) error(l, "np.roll() axis out of bounds", "");
            if (a->as<ArrayMap>()) a = lift({a}, l, [](const std::vector<Expr> &e) { return e[0]; });
            Expr rolled = Roll::make(a, convert(shift, Type::int64(), l, ""), (int)axis, l);
            // A roll is read element by element inside the expression that uses it.
            return lift({rolled}, l, [](const std::vector<Expr> &e) { return e[0]; });
        }
        if (fn == "np.arange") {
            allow_kwargs({"dtype"});
            if (args.empty() || args.size() > 3) error(l, "np.arange() takes 1 to 3 arguments", "");
            Type t = args[0]->type;
            for (auto &a : args) {
                if (!a->type.is_scalar() || a->type.is_complex()) error(l, "np.arange() arguments must be numbers", "");
                t = promote(t, a->type);
            }
            t = t.is_float() ? Type::float64() : Type::int64();  // NumPy's default types
            if (auto it = kwargs.find("dtype"); it != kwargs.end()) t = dtype_of(it->second, l);
            Type python_int = Type::int64().with_weak(true);  // the defaults are Python ints
            Expr start = args.size() > 1 ? args[0] : IntImm::make(0, python_int, l);
            Expr stop = args.size() > 1 ? args[1] : args[0];
            Expr step = args.size() > 2 ? args[2] : IntImm::make(1, python_int, l);
            // length = max(ceil((stop - start) / step), 0), computed as NumPy does: the
            // difference in the arguments' float type (float32 for np.float32 ones), the
            // quotient in float64
            Type args_type = promote(promote(start->type, stop->type), step->type);
            Type sub_type = args_type.is_float() ? args_type.strong() : Type::float64(), f = Type::float64();
            Expr diff = Binary::make(BinOp::Sub, convert(stop, sub_type, l, ""), convert(start, sub_type, l, ""), sub_type, l);
            Expr diff64 = convert(diff, f, l, "");
            Expr span = Binary::make(BinOp::Div, diff64, convert(convert(step, sub_type, l, ""), f, l, ""), f, l);
            Expr len = convert(MathCall::make(MathOp::Ceil, {span}, f, l), Type::int64(), l, "");
            // NumPy's underflow check: a nonzero difference whose quotient underflows to
            // (+-)0 gives one element (none for -0)
            auto i64c = [&](int64_t v) { return IntImm::make(v, Type::int64(), l); };
            auto is_zero = [&](const Expr &e, CmpOp op) { return Compare::make(op, e, FloatImm::make(0.0, f, l), Type::boolean(), l); };
            Expr underflow_len = Select::make(MathCall::make(MathOp::Signbit, {span}, Type::boolean(), l), i64c(0), i64c(1), Type::int64(), l);
            len = Select::make(is_zero(span, CmpOp::EQ),
                               Select::make(is_zero(diff64, CmpOp::NE), underflow_len, i64c(0), Type::int64(), l), len,
                               Type::int64(), l);
            len = Select::make(Compare::make(CmpOp::GT, len, IntImm::make(0, Type::int64(), l), Type::boolean(), l), len,
                               IntImm::make(0, Type::int64(), l), Type::int64(), l);
            // NumPy: start + step is added as the arguments' type, then stored as the result's.
            Type sum_type = promote(start->type, step->type).strong();
            Expr second = Binary::make(BinOp::Add, convert(start, sum_type, l, ""), convert(step, sum_type, l, ""), sum_type, l);
            return AllocArray::make(Type::array(t, 1, Layout::C), {len}, AllocInit::Arange, l, convert(start, t, l, ""),
                                    convert(second, t, l, ""));
        }
        if (fn == "np.linspace") {
            allow_kwargs({"num", "dtype"});
            if (args.size() < 2 || args.size() > 3) error(l, "np.linspace(start, stop, num) takes 2 or 3 arguments", "");
            Expr num = kw("num", 2);
            if (!num) num = IntImm::make(50, Type::int64(), l);
            if (!num->type.is_integral()) error(l, "np.linspace() num must be an integer", "");
            // float32 bounds give float32, as NumPy's result_type(start, stop, float(num)).
            Type t = args[0]->type.is_float() && args[1]->type.is_float() && !args[0]->type.weak() &&
                             !args[1]->type.weak() && args[0]->type.bits() == 32 && args[1]->type.bits() == 32
                         ? Type::float_(32) : Type::float64();
            if (auto it = kwargs.find("dtype"); it != kwargs.end()) t = dtype_of(it->second, l);
            return AllocArray::make(Type::array(t, 1, Layout::C), {convert(num, Type::int64(), l, "")}, AllocInit::Linspace, l,
                                    convert(args[0], Type::float64(), l, ""), convert(args[1], Type::float64(), l, ""));
        }
        if (fn == "np.full" || fn == "np.full_like") {
            allow_kwargs({"dtype", "fill_value"});
            Expr value = kw("fill_value", 1);
            if (!value || !value->type.is_scalar()) error(l, fn + "() needs a scalar fill value", "");
            std::vector<Expr> shape;
            Type elem;
            if (fn == "np.full_like") {
                Expr a = array_arg(fn, args, 0, l);
                for (int k = 0; k < a->type.ndim(); k++) shape.push_back(ArrayDim::make(a, k, l));
                elem = a->type.elem();
            } else {
                const Expr &s = args[0];
                if (s->type.is_tuple())
                    for (size_t k = 0; k < s->type.elems().size(); k++) shape.push_back(convert(TupleGet::make(s, (int)k, l), Type::int64(), l, ""));
                else shape.push_back(convert(s, Type::int64(), l, ""));
                // np.array(fill_value).dtype: a NumPy scalar keeps its dtype, a Python one the default.
                const Type &vt = value->type;
                elem = !vt.weak() ? vt.strong() : vt.is_bool() ? Type::boolean() : vt.is_integral() ? Type::int64()
                     : vt.is_float() ? Type::float64() : Type::complex(128);
            }
            if (Expr d = kw("dtype", 2); d && !is_none(d)) elem = dtype_of(d, l);
            return AllocArray::make(Type::array(elem, (int)shape.size(), Layout::C), shape, AllocInit::Fill, l,
                                    convert(value, elem, l, ""));
        }
        return nullptr;
    }

    Type dtype_of(const Expr &d, Loc l) {
        if (Type t = dtype_from(d); !t.is_unknown()) return t;
        error(l, "a dtype must be known at compile time (np.float64, float, 'int32', ...)", "");
    }

    // np.array((1.0, 2.0, 3.0)): a 1-D array of a tuple of numbers.
    Expr array_from_tuple(const Expr &t, Loc l) {
        // NumPy's array constructor gives a Python number its default dtype (int64, float64,
        // complex128) before promoting: np.array((np.int8(1), 300)) is int64, not NEP 50's int8.
        auto as_array_elem = [](const Type &e) {
            if (!e.weak()) return e;
            return e.is_bool() ? Type::boolean() : e.is_integral() ? Type::int64()
                 : e.is_float() ? Type::float64() : Type::complex(128);
        };
        Type elem;
        for (auto &e : t->type.elems()) {
            if (!e.is_scalar()) error(l, "np.array() of a tuple supports numbers only", "");
            elem = elem.is_unknown() ? as_array_elem(e) : promote(elem, as_array_elem(e));
        }
        if (elem.is_unknown()) error(l, "np.array(()) of an empty tuple", "");
        elem = elem.strong();
        int64_t n = (int64_t)t->type.elems().size();
        std::string name = "$tuple" + std::to_string(element_counter++);
        // The tuple becomes an index-selected value per element: t[i] for i in 0..n-1.
        Expr arr = AllocArray::make(Type::array(Type::int64(), 1, Layout::C), {IntImm::make(n, Type::int64(), l)},
                                    AllocInit::Arange, l, IntImm::make(0, Type::int64(), l), IntImm::make(1, Type::int64(), l));
        return lift({arr}, l, [&](const std::vector<Expr> &e) {
            Expr out = convert(TupleGet::make(t, (int)n - 1, l), elem, l, "");
            for (int64_t i = n - 2; i >= 0; i--)
                out = Select::make(Compare::make(CmpOp::EQ, e[0], IntImm::make(i, Type::int64(), l), Type::boolean(), l),
                                   convert(TupleGet::make(t, (int)i, l), elem, l, ""), out, elem, l);
            return out;
        });
    }

    Expr reduce(ReduceOp op, const Expr &a, const Expr &axis_e, Loc l) {
        Type e = a->type.elem();
        Type r;
        switch (op) {
        case ReduceOp::Sum:
        case ReduceOp::Prod:
            r = e.is_bool() || e.is_signed_int() ? Type::int64() : e.is_uint() ? Type::uint(64) : e;
            break;
        case ReduceOp::Min:
        case ReduceOp::Max: r = e; break;
        case ReduceOp::Mean: r = e.is_integral() ? Type::float64() : e; break;
        case ReduceOp::ArgMin:
        case ReduceOp::ArgMax: r = Type::int64(); break;
        case ReduceOp::Any:
        case ReduceOp::All: r = Type::boolean(); break;
        }
        if ((op == ReduceOp::Min || op == ReduceOp::Max || op == ReduceOp::ArgMin || op == ReduceOp::ArgMax) && e.is_complex())
            error(l, "complex numbers cannot be ordered", "");
        if (!axis_e || is_none(axis_e)) return Reduce::make(op, a, -1, r, l);
        int64_t axis = constant_int(axis_e, "axis");
        int nd = a->type.ndim();
        if (axis < 0) axis += nd;
        if (axis < 0 || axis >= nd)
            error(l, "axis " + std::to_string(constant_int(axis_e, "axis")) + " is out of bounds for an array of dimension " + std::to_string(nd), "");
        if (nd == 1) return Reduce::make(op, a, -1, r, l);
        return Reduce::make(op, a, (int)axis, Type::array(r, nd - 1, Layout::C), l);
    }

    Expr lower_user_call(const Ref *ref, const std::vector<Expr> &given, const std::map<std::string, Expr> &kwargs,
                         const std::vector<std::string> &keyword_order, Loc l) {
        if (!callees) error(l, "calls of other compiled functions are not available here", "");
        std::vector<std::string> names;
        for (auto &[k, v] : kwargs) names.push_back(k);
        std::shared_ptr<void> handle = callees->for_keywords(ref->handle, names);
        // Bind as Python does: positional, then keywords, then the defaults.
        auto params = callees->parameters(handle, l);
        if (given.size() > params.size())
            error(l, ref->name + "() takes " + std::to_string(params.size()) + " arguments but " +
                         std::to_string(given.size()) + " were given", "pass one value per parameter");
        std::vector<Expr> args = given;
        size_t used = 0;
        for (size_t i = given.size(); i < params.size(); i++) {
            auto it = kwargs.find(params[i].first);
            if (it != kwargs.end()) { args.push_back(it->second); used++; continue; }
            if (!params[i].second)
                error(l, ref->name + "() missing required argument '" + params[i].first + "'", "pass a value for it");
            args.push_back(params[i].second);
        }
        if (used != kwargs.size()) {
            for (auto &[k, v] : kwargs) {
                bool known = false;
                for (size_t i = 0; i < params.size(); i++) known = known || (params[i].first == k && i >= given.size());
                if (!known) error(l, ref->name + "() got an unexpected or repeated keyword argument '" + k + "'", "");
            }
        }
        std::vector<Type> types;
        for (auto &a : args) {
            if (a->as<Ref>()) error(a->loc, "'" + to_string(a) + "' cannot be passed to a compiled function", "pass numbers, arrays or tuples");
            types.push_back(a->type);
        }
        auto callee = callees->resolve(handle, ref->name, types, l);
        std::vector<Expr> conv;
        for (size_t i = 0; i < args.size(); i++) conv.push_back(convert(args[i], callee->params[i].type, l, "passing an argument"));
        return in_written_order(Call::make(callee->symbol, std::move(conv), callee->return_type, l), given.size(),
                                params, keyword_order);
    }

    // Python evaluates keyword arguments in the order they are written, the call's
    // arguments are in parameter order: when the two differ, every argument is bound to a
    // name first, in the written order (positional ones before keywords).
    int argument_counter = 0;
    Expr in_written_order(const Expr &call, size_t positional, const std::vector<std::pair<std::string, Expr>> &params,
                          const std::vector<std::string> &keyword_order) {
        std::vector<size_t> order;
        for (size_t i = 0; i < positional; i++) order.push_back(i);
        for (auto &k : keyword_order)
            for (size_t i = positional; i < params.size(); i++)
                if (params[i].first == k) order.push_back(i);
        if (std::is_sorted(order.begin(), order.end())) return call;
        auto *c = call->as<Call>();
        std::vector<Expr> args = c->args;
        std::vector<std::pair<std::string, Expr>> bound;
        for (size_t i : order) {
            const Expr &a = args[i];
            if (a->as<Var>() || a->as<IntImm>() || a->as<FloatImm>() || a->as<BoolImm>() || a->as<ComplexImm>()) continue;
            std::string name = "$arg" + std::to_string(argument_counter++);
            bound.push_back({name, a});
            args[i] = Var::make(name, a->type, a->loc);
        }
        Expr e = Call::make(c->callee, std::move(args), c->type, c->loc);
        for (auto it = bound.rbegin(); it != bound.rend(); ++it) e = Let::make(it->first, it->second, e);
        return e;
    }

public:
    // Converts e to type t where Python/NumPy would do so implicitly.
    Expr convert(const Expr &e, const Type &t, Loc l, const std::string &ctx) {
        const Type &from = e->type;
        if (from.is_unknown() || t.is_unknown()) return e;
        if (from == t) {
            if (from.is_scalar() && from.weak() != t.weak()) {
                // Same machine type; retag the weakness without a conversion.
                if (auto *i = e->as<IntImm>()) return IntImm::make(i->value, t, i->loc);
                if (auto *f = e->as<FloatImm>()) return FloatImm::make(f->value, t, f->loc);
            }
            return e;
        }
        if (from.is_scalar() && t.is_scalar()) {
            if (from.is_complex() && !t.is_complex())
                error(l, "cannot convert a complex value to " + t.str() + (ctx.empty() ? "" : " when " + ctx),
                      "take .real or abs() first");
            if (auto *i = e->as<IntImm>(); i && t.is_float()) return FloatImm::make((double)i->value, t, i->loc);
            if (auto *i = e->as<IntImm>(); i && from.weak() && t.is_int() && t.bits() < 64) {
                // NEP 50: a Python int must fit the NumPy integer type it meets.
                int64_t lo = t.is_uint() ? 0 : -(int64_t(1) << (t.bits() - 1));
                int64_t hi = t.is_uint() ? (int64_t(1) << t.bits()) - 1 : (int64_t(1) << (t.bits() - 1)) - 1;
                if (i->value < lo || i->value > hi)
                    error(l, "Python integer " + std::to_string(i->value) + " out of bounds for " + t.str(),
                          "use a constant in range, or convert the other operand to a wider type");
                return IntImm::make(i->value, t, i->loc);
            }
            if (auto *i = e->as<IntImm>(); i && from.weak() && t.is_uint() && i->value < 0)
                error(l, "Python integer " + std::to_string(i->value) + " out of bounds for " + t.str(),
                      "use a non-negative constant");
            if (auto *i = e->as<IntImm>(); i && t.is_int() && t.bits() == 64) return IntImm::make(i->value, t, i->loc);
            if (auto *f = e->as<FloatImm>(); f && t.is_float()) return FloatImm::make(t.bits() == 32 ? (double)(float)f->value : f->value, t, f->loc);
            if (auto *f = e->as<FloatImm>(); f && t.is_complex()) return ComplexImm::make(f->value, 0.0, t, f->loc);
            if (auto *i = e->as<IntImm>(); i && t.is_complex()) return ComplexImm::make((double)i->value, 0.0, t, i->loc);
            if (auto *z = e->as<ComplexImm>(); z && t.is_complex()) return ComplexImm::make(z->re, z->im, t, z->loc);
            return Cast::make(t, e);
        }
        if (from.is_array() && t.is_array() && from.elem() == t.elem() && from.ndim() == t.ndim() &&
            (t.layout() == Layout::A || t.layout() == from.layout())) {
            if (from.readonly() && !t.readonly()) error(l, "a read-only array cannot be used as a writeable one", "");
            return Cast::make(t, e);
        }
        if (from.is_tuple() && t.is_tuple() && from.elems().size() == t.elems().size()) {
            std::vector<Expr> es;
            for (size_t i = 0; i < t.elems().size(); i++)
                es.push_back(convert(TupleGet::make(e, (int)i, l), t.elems()[i], l, ctx));
            return MakeTuple::make(std::move(es), l);
        }
        error(l, "cannot convert " + from.str() + " to " + t.str() + (ctx.empty() ? "" : " when " + ctx),
              "make the types agree");
    }

    Expr truthy(const Expr &e) {
        if (e->type.is_unknown()) return e;
        if (e->type.is_bool()) return e;
        if (e->type.is_scalar()) {
            Expr zero = convert(IntImm::make(0, Type::int_(64, true), e->loc), e->type, e->loc, "");
            return Compare::make(CmpOp::NE, e, zero, Type::boolean(e->type.weak()), e->loc);
        }
        if (e->type.is_tuple()) return BoolImm::make(!e->type.elems().empty(), e->loc);
        if (e->type.is_array())
            error(e->loc, "the truth value of an array is ambiguous", "use a.any() or a.all(), or test an element");
        error(e->loc, "'" + to_string(e) + "' has no truth value", "test a number");
    }

    Expr lower_builtin(const BuiltinCall &c);
    BuiltinHelpers helpers();
};

}  // namespace

// Builtins need the Inferencer's conversion helpers; they live in Builtins.cpp.
Expr lower_builtin_call(const BuiltinCall &c, const BuiltinHelpers &h);

namespace {
BuiltinHelpers Inferencer::helpers() {
    BuiltinHelpers h;
    h.convert = [this](const Expr &e, const Type &t, Loc l, const std::string &ctx) { return convert(e, t, l, ctx); };
    h.truthy = [this](const Expr &e) { return truthy(e); };
    return h;
}
Expr Inferencer::lower_builtin(const BuiltinCall &c) { return lower_builtin_call(c, helpers()); }
}  // namespace

std::shared_ptr<Function> infer_types(const Function &untyped, const std::vector<Type> &arg_types,
                                      const SemaOptions &options, CalleeResolver *callees) {
    return Inferencer(untyped, options, callees).run(arg_types);
}

}  // namespace hotloop
