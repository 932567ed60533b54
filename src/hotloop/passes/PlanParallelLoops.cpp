#include "hotloop/passes/PlanParallelLoops.h"

#include <map>
#include <optional>
#include <set>

#include "hotloop/ir/IRVisitor.h"

namespace hotloop {

namespace {

// Work of a loop body whose trip count is not known at compile time, or of an array
// expression: a guess that errs towards running in parallel.
constexpr int64_t unknown_trips = 32;

class CostCounter : public IRVisitor {
public:
    int64_t cost = 0;
    using IRVisitor::visit;

protected:
    int64_t measure(const Stmt &s) {
        CostCounter inner;
        inner.visit(s);
        return inner.cost;
    }
    void visit(const For *op) override {
        auto *a = op->start->as<IntImm>(), *b = op->stop->as<IntImm>(), *c = op->step->as<IntImm>();
        int64_t trips = a && b && c && c->value > 0 ? std::max<int64_t>(0, (b->value - a->value) / c->value) : unknown_trips;
        cost += 2 + trips * measure(op->body);
    }
    void visit(const While *op) override { cost += unknown_trips * (measure(op->body) + 2); }
    void visit(const ArrayMap *op) override { cost += unknown_trips * 4; IRVisitor::visit(op); }
    void visit(const Reduce *op) override { cost += unknown_trips * 4; IRVisitor::visit(op); }
    void visit(const MathCall *op) override { cost += 8; IRVisitor::visit(op); }
    void visit(const Call *op) override { cost += 16; IRVisitor::visit(op); }
    void visit(const Binary *op) override { cost += 1; IRVisitor::visit(op); }
    void visit(const Load *op) override { cost += 1; IRVisitor::visit(op); }
    void visit(const Store *op) override { cost += 1; IRVisitor::visit(op); }
};

std::set<std::string> reads_of(const Expr &e) {
    struct Reads : IRVisitor {
        std::set<std::string> names;
        using IRVisitor::visit;
        void visit(const Var *op) override { names.insert(op->name); }
    } r;
    r.visit(e);
    return r.names;
}

std::set<std::string> assigned_in(const Stmt &s) {
    struct Assigned : IRVisitor {
        std::set<std::string> names;
        using IRVisitor::visit;
        void visit(const Assign *op) override { names.insert(op->name); IRVisitor::visit(op); }
        void visit(const For *op) override { names.insert(op->var); IRVisitor::visit(op); }
    } a;
    a.visit(s);
    return a.names;
}

Expr replace_expr(const Expr &in, const Expr &what, const Expr &with) {
    struct Replace : IRMutator {
        const Expr &what, &with;
        Replace(const Expr &a, const Expr &b) : what(a), with(b) {}
        Expr mutate(const Expr &e) override { return e == what ? with : IRMutator::mutate(e); }
    } r(what, with);
    return r.mutate(in);
}

bool is_var(const Expr &e, const std::string &name) {
    auto *v = e ? e->as<Var>() : nullptr;
    return v && v->name == name;
}

// A reduction statement `x = F(x, e)`: `e` is the part that does not read x.
struct ReductionUse {
    std::string family;  // updates of one variable must agree ("+" covers += and -=)
    Expr other;          // e
    Expr identity;       // null: start each chunk from the value before the loop
    Stmt combine;        // x = F(x, $partial)
};

Expr zero_or_one(const Type &t, int v, Loc l) {
    if (t.is_bool()) return BoolImm::make(v != 0, l, false);
    if (t.is_complex()) return ComplexImm::make(v, 0, t, l);
    if (t.is_float()) return FloatImm::make(v, t, l);
    return IntImm::make(v, t, l);
}

std::optional<ReductionUse> match_reduction(const Assign *a) {
    const std::string &x = a->name;
    const Type &t = a->value->type;
    if (!t.is_scalar()) return std::nullopt;
    Loc l = a->loc;
    Expr partial = Var::make("$partial", t, l);
    auto self_free = [&](const Expr &e) { return !reads_of(e).count(x); };
    if (auto *b = a->value->as<Binary>()) {
        bool left = is_var(b->a, x) && self_free(b->b);
        bool right = is_var(b->b, x) && self_free(b->a);
        if (!left && !right) return std::nullopt;
        Expr e = left ? b->b : b->a;
        switch (b->op) {
        case BinOp::Sub:
            if (!left) return std::nullopt;
            [[fallthrough]];
        case BinOp::Add:
            return ReductionUse{"+", e, zero_or_one(t, 0, l),
                                Assign::make(x, Binary::make(BinOp::Add, Var::make(x, t, l), partial, t, l), l)};
        case BinOp::Mul:
            return ReductionUse{"*", e, zero_or_one(t, 1, l),
                                Assign::make(x, Binary::make(BinOp::Mul, Var::make(x, t, l), partial, t, l), l)};
        case BinOp::BitOr:
        case BinOp::BitXor:
        case BinOp::BitAnd: {
            if (!t.is_bool() && !t.is_integral()) return std::nullopt;
            Expr id = b->op == BinOp::BitXor ? zero_or_one(t, 0, l) : nullptr;  // | and & are idempotent
            return ReductionUse{op_name(b->op), e, id,
                                Assign::make(x, Binary::make(b->op, Var::make(x, t, l), partial, t, l), l)};
        }
        default: return std::nullopt;
        }
    }
    if (auto *g = a->value->as<Logical>()) {
        bool left = is_var(g->a, x) && self_free(g->b);
        bool right = is_var(g->b, x) && self_free(g->a);
        if (!t.is_bool() || (!left && !right)) return std::nullopt;
        return ReductionUse{g->is_and ? "and" : "or", left ? g->b : g->a, nullptr,
                            Assign::make(x, Logical::make(g->is_and, Var::make(x, t, l), partial, t, l), l)};
    }
    // min(x, e) / max(e, x): Let a = .. in Let b = .. in Select(compare(a, b), ..).
    if (auto *la = a->value->as<Let>()) {
        auto *lb = la->body->as<Let>();
        if (!lb || !lb->body->as<Select>()) return std::nullopt;
        bool left = is_var(la->value, x) && self_free(lb->value);
        bool right = is_var(lb->value, x) && self_free(la->value);
        if ((!left && !right) || reads_of(lb->body).count(x)) return std::nullopt;
        Expr e = left ? lb->value : la->value;
        auto *cmp = lb->body->as<Select>()->cond->as<Compare>();
        std::string family = std::string("minmax") + (cmp ? op_name(cmp->op) : "?");
        return ReductionUse{family, e, nullptr, Assign::make(x, replace_expr(a->value, e, partial), l)};
    }
    return std::nullopt;
}

// An array reduction `acc += e` / `acc -= e` (a whole-array store of acc plus something):
// each chunk adds into its own zeroed array, and the chunks' arrays are added into acc.
std::optional<ReductionUse> match_array_reduction(const Store *st) {
    auto *acc = st->array->as<Var>();
    auto *m = st->value->as<ArrayMap>();
    if (!acc || !m || !st->indices.empty()) return std::nullopt;
    auto *b = m->body->as<Binary>();
    if (!b || (b->op != BinOp::Add && b->op != BinOp::Sub)) return std::nullopt;
    auto *ev = b->a->as<Var>();
    std::vector<Expr> others;
    bool found = false;
    for (auto &[name, input] : m->inputs) {
        if (ev && name == ev->name && is_var(input, acc->name)) found = true;
        else if (reads_of(input).count(acc->name)) return std::nullopt;
        else others.push_back(input);
    }
    if (!found || reads_of(b->b).count(ev->name) || reads_of(b->b).count(acc->name)) return std::nullopt;
    const Type &t = acc->type;
    if (t.layout() == Layout::F) return std::nullopt;
    Loc l = st->loc;
    std::vector<Expr> dims;
    for (int k = 0; k < t.ndim(); k++) dims.push_back(ArrayDim::make(st->array, k, l));
    Expr zeros = AllocArray::make(t.with_layout(Layout::C), dims, AllocInit::Zeros, l);
    if (t.layout() != Layout::C) zeros = Cast::make(t, zeros);
    Type et = t.elem();
    Expr sum = Binary::make(BinOp::Add, Var::make("$ea", et, l), Var::make("$eb", et, l), et, l);
    Stmt combine = Store::make(st->array, {},
                               ArrayMap::make(m->type, {{"$ea", st->array}, {"$eb", Var::make("$partial", t, l)}}, sum, l), l);
    Expr other = others.empty() ? nullptr : MakeTuple::make(others, l);
    return ReductionUse{"array+", other, zeros, combine};
}

[[noreturn]] void fail(Loc l, const std::string &what, const std::string &hint) { throw CompileError(l, what, hint); }

// Checks one prange loop's body and finds its reductions.
class LoopChecker {
public:
    LoopChecker(const std::string &var, const Stmt &body) : var(var), body(body), assigned(assigned_in(body)) {}

    std::vector<LoopReduction> check() {
        std::set<std::string> defined{var};
        walk(body, defined, 0);
        std::vector<LoopReduction> out;
        for (const std::string &x : assigned) {
            auto u = uses.find(x);
            if (u != uses.end()) {
                const auto &[first, list] = u->second;
                for (auto &r : list)
                    if (r.family != list[0].family)
                        fail(first, "variable '" + x + "' is combined in two different ways in this prange loop",
                             "use one operation per reduction variable");
                if (other_assign.count(x) || any_read.count(x))
                    fail(other_assign.count(x) ? other_assign.at(x) : any_read.at(x),
                         "reduction variable '" + x + "' is also read or assigned elsewhere in this prange loop; "
                         "its value there would depend on how the iterations are split among threads",
                         "only update it with one reduction (" + x + " += ..., " + x + " = min(" + x +
                         ", ...)) and use the total after the loop");
                out.push_back({x, list[0].identity, list[0].combine});
            } else if (carried.count(x)) {
                fail(carried.at(x), "variable '" + x + "' is read before it is assigned in an iteration of this "
                     "prange loop, so its value would come from another iteration that may run on another thread",
                     "assign it at the start of the iteration, make it a reduction (" + x + " += ...), "
                     "or use range(...)");
            }
        }
        for (auto &[x, u] : array_uses) {
            if (assigned.count(x) || any_read.count(x))
                fail(assigned.count(x) ? u.first : any_read.at(x),
                     "array '" + x + "' is accumulated with += in this prange loop and also used elsewhere in it; "
                     "its value there would depend on how the iterations are split among threads",
                     "only update it with " + x + " += ... inside the loop and use it after the loop");
            out.push_back({x, u.second[0].identity, u.second[0].combine});
        }
        return out;
    }

private:
    const std::string &var;
    const Stmt &body;
    std::set<std::string> assigned;  // in the body: private, reduction, or an error
    std::map<std::string, std::pair<Loc, std::vector<ReductionUse>>> uses;
    std::map<std::string, std::pair<Loc, std::vector<ReductionUse>>> array_uses;
    std::map<std::string, Loc> carried, other_assign, any_read;

    void read(const Expr &e, const std::set<std::string> &defined, Loc l) {
        if (!e) return;
        for (auto &n : reads_of(e)) {
            any_read.emplace(n, l);
            if (!assigned.count(n)) continue;  // read-only in the loop: shared
            if (!defined.count(n)) carried.emplace(n, l);
        }
    }

    void walk(const Stmt &s, std::set<std::string> &defined, int depth) {
        if (!s) return;
        switch (s->node_type) {
        case NodeType::Block:
            for (auto &c : s->as<Block>()->stmts) walk(c, defined, depth);
            break;
        case NodeType::Assign: {
            auto *a = s->as<Assign>();
            if (auto r = match_reduction(a); r && !defined.count(a->name)) {
                auto &u = uses[a->name];
                if (u.second.empty()) u.first = s->loc;
                read(r->other, defined, s->loc);
                u.second.push_back(*r);
                break;
            }
            read(a->value, defined, s->loc);
            other_assign.emplace(a->name, s->loc);
            defined.insert(a->name);
            break;
        }
        case NodeType::Store: {
            auto *st = s->as<Store>();
            auto *target = st->array->as<Var>();
            if (target && st->indices.empty() && !defined.count(target->name)) {
                // Every iteration writes the whole of an array shared by the iterations.
                auto r = match_array_reduction(st);
                if (!r)
                    fail(s->loc, "every iteration of this prange loop writes the whole array '" + target->name +
                         "', so iterations running at once would overwrite each other",
                         "write the iteration's own part (" + target->name + "[i, :] = ...), or accumulate with " +
                         target->name + " += ... (an array reduction)");
                auto &u = array_uses[target->name];
                if (u.second.empty()) u.first = s->loc;
                read(r->other, defined, s->loc);
                u.second.push_back(*r);
                break;
            }
            // A whole-array store into a view of a shared array that does not depend on the
            // iteration (acc[:] = ..., acc[:] += ...): every iteration writes the same memory.
            if (st->indices.empty() && !target) {
                const Expr *base = &st->array;
                bool per_iteration = false;
                while (auto *v = (*base)->as<View>()) {
                    for (auto &sp : v->specs)
                        for (const Expr *e : {&sp.index, &sp.start, &sp.stop, &sp.step})
                            if (*e)
                                for (auto &n : reads_of(*e)) per_iteration |= assigned.count(n) || n == var;
                    base = &v->array;
                }
                auto *root = (*base)->as<Var>();
                if (root && !per_iteration && !defined.count(root->name) && base != &st->array)
                    fail(s->loc, "every iteration of this prange loop writes the whole array '" + root->name + "' (or one same part of it), so iterations running at once would overwrite each other",
                         "index the target with the loop variable (" + root->name + "[i, :] = ...), or accumulate "
                         "into the whole array with " + root->name + " += ... (an array reduction)");
            }
            read(st->array, defined, s->loc);
            for (auto &i : st->indices) read(i, defined, s->loc);
            read(st->value, defined, s->loc);
            break;
        }
        case NodeType::If: {
            auto *i = s->as<If>();
            read(i->cond, defined, s->loc);
            std::set<std::string> t = defined, e = defined;
            walk(i->then_case, t, depth);
            walk(i->else_case, e, depth);
            for (auto &n : t)
                if (e.count(n)) defined.insert(n);
            break;
        }
        case NodeType::For: {
            auto *f = s->as<For>();
            read(f->start, defined, s->loc);
            read(f->stop, defined, s->loc);
            read(f->step, defined, s->loc);
            std::set<std::string> inner = defined;
            inner.insert(f->var);
            other_assign.emplace(f->var, s->loc);
            walk(f->body, inner, depth + 1);
            break;
        }
        case NodeType::While: {
            auto *w = s->as<While>();
            read(w->cond, defined, s->loc);
            std::set<std::string> inner = defined;
            walk(w->body, inner, depth + 1);
            break;
        }
        case NodeType::Break:
            if (depth == 0) fail(s->loc, "break out of a prange loop", "use range(...) for a loop that can stop early");
            break;
        case NodeType::Return:
            fail(s->loc, "return inside a prange loop",
                 "compute a flag or a reduction in the loop and return after it, or use range(...)");
        case NodeType::Evaluate: read(s->as<Evaluate>()->value, defined, s->loc); break;
        case NodeType::Print:
            // Python's print needs the GIL, which the thread that started the loop holds.
            fail(s->loc, "print inside a prange loop", "print after the loop, or use range(...) for this loop");
        default: break;
        }
    }
};

// Plans the outermost parallel loops and makes the ones nested in them (or in a
// function without parallel=True) serial.
class Planner : public IRMutator {
public:
    explicit Planner(bool enabled) : enabled(enabled) {}
    using IRMutator::visit;

    Stmt visit(const For *op, const Stmt &self) override {
        if (!op->par.parallel) return IRMutator::visit(op, self);
        bool outermost = enabled && depth == 0;
        depth++;
        Stmt body = mutate(op->body);
        depth--;
        if (outermost && op->par.planned && body == op->body) return self;
        ParallelInfo par;
        if (outermost && op->par.planned) {
            par = op->par;
        } else if (outermost) {
            par.parallel = par.planned = true;
            par.implicit = op->par.implicit;
            try {
                par.reductions = LoopChecker(op->var, body).check();
            } catch (CompileError &) {
                if (!op->par.implicit) throw;
                // An array expression with a dependence between elements (argmin): serial.
                return For::make(op->var, op->start, op->stop, op->step, body, op->loc);
            }
            par.cost = std::max<int64_t>(1, estimate_cost(body));
        }
        return For::make(op->var, op->start, op->stop, op->step, body, op->loc, par);
    }

private:
    bool enabled;
    int depth = 0;
};

}  // namespace

int64_t estimate_cost(const Stmt &s) {
    CostCounter c;
    c.visit(s);
    return c.cost;
}

void plan_parallel_loops(Function &f) { f.body = Planner(f.parallel).mutate(f.body); }

}  // namespace hotloop
