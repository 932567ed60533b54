#include "hotloop/passes/InlineCalls.h"

#include <optional>
#include <set>

#include "hotloop/ir/IRVisitor.h"

namespace hotloop {

namespace {

// Calls in inlined code are inlined too, this deep (recursion cannot reach here: sema
// rejects it, but a bound keeps the pass finite whatever it is given).
constexpr int max_depth = 8;

// A callee body as its assignments in order and the value it returns.
struct StraightLine {
    std::vector<std::pair<std::string, Expr>> assigns;
    Expr result;
};

void flatten(const Stmt &s, std::vector<Stmt> &out) {
    if (auto *b = s->as<Block>()) {
        for (auto &c : b->stmts) flatten(c, out);
    } else {
        out.push_back(s);
    }
}

// Assignments to names, then one `return value`; nothing else (no loops, ifs, stores,
// raises, in-place updates, which would need statements in the caller).
std::optional<StraightLine> straight_line(const Function &callee) {
    std::vector<Stmt> stmts;
    flatten(callee.body, stmts);
    StraightLine sl;
    for (size_t i = 0; i < stmts.size(); i++) {
        bool last = i + 1 == stmts.size();
        if (auto *a = stmts[i]->as<Assign>(); a && !a->inplace && !last) {
            sl.assigns.push_back({a->name, a->value});
        } else if (auto *r = stmts[i]->as<Return>(); r && r->value && last) {
            sl.result = r->value;
            return sl;
        } else {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

bool is_random(MathOp op) {
    return op == MathOp::RandomSeed || op == MathOp::RandomUniform || op == MathOp::RandomNormal ||
           op == MathOp::RandomInt;
}

// Calls and random numbers: what must happen when, and exactly once.
bool has_effects(const Expr &e) {
    struct Scan : IRVisitor {
        bool found = false;
        using IRVisitor::visit;
        void visit(const Call *) override { found = true; }
        void visit(const MathCall *op) override { found |= is_random(op->op); IRVisitor::visit(op); }
        void visit(const AllocArray *op) override { found |= op->init == AllocInit::Generate; IRVisitor::visit(op); }
    } scan;
    scan.visit(e);
    return scan.found;
}

// Cheap and with one value wherever it is read: used in place of a binding.
bool is_trivial(const Expr &e) {
    return e->as<Var>() || e->as<IntImm>() || e->as<FloatImm>() || e->as<BoolImm>() || e->as<ComplexImm>();
}

int count_uses(const Expr &e, const std::string &name) {
    struct Count : IRVisitor {
        const std::string &name;
        int n = 0;
        explicit Count(const std::string &name) : name(name) {}
        using IRVisitor::visit;
        void visit(const Var *op) override { n += op->name == name; }
    } c(name);
    c.visit(e);
    return c.n;
}

// Prefixes every name a callee expression binds or reads, so that none clashes with the
// caller's (a callee only reads its own parameters, locals and element variables).
class Rename : public IRMutator {
    const std::string &prefix;

public:
    explicit Rename(const std::string &prefix) : prefix(prefix) {}
    using IRMutator::visit;
    Expr visit(const Var *op, const Expr &) override { return Var::make(prefix + op->name, op->type, op->loc); }
    Expr visit(const Let *op, const Expr &) override {
        return Let::make(prefix + op->name, mutate(op->value), mutate(op->body));
    }
    Expr visit(const ArrayMap *op, const Expr &) override {
        std::vector<std::pair<std::string, Expr>> inputs;
        for (auto &[ph, a] : op->inputs) inputs.push_back({prefix + ph, mutate(a)});
        return ArrayMap::make(op->type, std::move(inputs), mutate(op->body), op->loc);
    }
};

// Brings inlined array expressions where LowerArrayExprs fuses them: a let around an
// array expression moves out of the Reduce or ArrayMap that reads it (its value is
// computed first either way), and an ArrayMap that is an input of another becomes part
// of its element body.
class ExposeArrayExprs : public IRMutator {
    Function &f;
    int &counter;

    static Expr peel_lets(Expr e, std::vector<const Let *> &lets) {
        while (auto *l = e->as<Let>()) {
            if (!l->type.is_array()) break;
            lets.push_back(l);
            e = l->body;
        }
        return e;
    }
    static Expr wrap(const std::vector<const Let *> &lets, Expr e) {
        for (auto it = lets.rbegin(); it != lets.rend(); ++it) e = Let::make((*it)->name, (*it)->value, e);
        return e;
    }

public:
    ExposeArrayExprs(Function &f, int &counter) : f(f), counter(counter) {}
    using IRMutator::visit;

    Expr visit(const Reduce *op, const Expr &self) override {
        Expr e = IRMutator::visit(op, self);
        auto *r = e->as<Reduce>();
        std::vector<const Let *> lets;
        Expr value = peel_lets(r->value, lets);
        if (lets.empty()) return e;
        return wrap(lets, Reduce::make(r->op, value, r->axis, r->type, r->loc));
    }

    Expr visit(const ArrayMap *op, const Expr &self) override {
        Expr e = IRMutator::visit(op, self);
        auto *m = e->as<ArrayMap>();
        std::vector<const Let *> lets;
        std::vector<std::pair<std::string, Expr>> inputs;
        Expr body = m->body;
        bool changed = false, earlier_effects = false;
        for (auto &[ph, a] : m->inputs) {
            // An input's lets run before the map; they may not overtake an earlier input's call.
            Expr in = earlier_effects ? a : peel_lets(a, lets);
            earlier_effects |= has_effects(a);
            changed |= in != a;
            auto *inner = in->as<ArrayMap>();
            if (!inner) {
                inputs.push_back({ph, in});
                continue;
            }
            // The inner map's element is computed in the outer one's body: its inputs join
            // the outer inputs under fresh names (it may be read at several places).
            changed = true;
            std::map<std::string, Expr> renamed;
            for (auto &[iph, ia] : inner->inputs) {
                std::string n = "$ie" + std::to_string(counter++);
                Type et = ia->type.elem();
                f.locals.push_back({n, et});
                renamed[iph] = Var::make(n, et, ia->loc);
                inputs.push_back({n, ia});
            }
            body = Let::make(ph, substitute(inner->body, renamed), body);
        }
        if (!changed) return e;
        return wrap(lets, ArrayMap::make(m->type, std::move(inputs), body, m->loc));
    }
};

class Inliner : public IRMutator {
    Function &f;
    const FunctionsBySymbol &callees;
    int counter = 0;
    int depth = 0;

public:
    bool inlined = false;
    Inliner(Function &f, const FunctionsBySymbol &callees) : f(f), callees(callees) {}

    using IRMutator::visit;

    Expr visit(const Call *op, const Expr &self) override {
        Expr e = IRMutator::visit(op, self);
        auto *call = e->as<Call>();
        auto it = callees.find(call->callee);
        if (it == callees.end() || depth >= max_depth) return e;
        const Function &callee = *it->second;
        if (callee.options != f.options || callee.parallel != f.parallel) return e;
        auto body = straight_line(callee);
        if (!body) return e;
        inlined = true;
        return expand(callee, *body, call->args);
    }

private:
    // let params = args; let locals = values in the returned value.
    Expr expand(const Function &callee, const StraightLine &body, const std::vector<Expr> &args) {
        std::string prefix = "$i" + std::to_string(counter++) + ".";
        Rename rename(prefix);
        std::vector<std::pair<std::string, Expr>> lets;
        std::map<std::string, Expr> values;  // a callee name (renamed) -> what reads of it become
        std::map<std::string, int> versions;
        auto bind = [&](const std::string &name, const Expr &value) {
            int v = versions[name]++;
            std::string n = v ? name + "$" + std::to_string(v) : name;
            lets.push_back({n, value});
            values[name] = Var::make(n, value->type, value->loc);
        };
        // Arguments: each evaluated once, in order (a Var or constant is read in place).
        for (size_t i = 0; i < args.size(); i++) {
            std::string name = prefix + callee.params[i].name;
            if (is_trivial(args[i])) values[name] = args[i];
            else bind(name, args[i]);
        }
        for (auto &[name, type] : callee.locals) f.locals.push_back({prefix + name, type});

        // The callee's values with its names renamed and its own calls inlined.
        std::vector<Expr> assigned;
        depth++;
        for (auto &[name, value] : body.assigns) assigned.push_back(mutate(rename.mutate(value)));
        Expr result = mutate(rename.mutate(body.result));
        depth--;

        for (size_t i = 0; i < assigned.size(); i++) {
            std::string name = prefix + body.assigns[i].first;
            Expr value = substitute(assigned[i], values);
            // An array expression read once, with nothing after it that could write its
            // inputs or must come first, is computed where it is read: so it fuses.
            bool later_effects = has_effects(result);
            int uses = count_uses(result, name);
            for (size_t k = i + 1; k < assigned.size(); k++) {
                later_effects |= has_effects(assigned[k]);
                uses += count_uses(assigned[k], name);
            }
            if (is_trivial(value) || (value->as<ArrayMap>() && uses <= 1 && !later_effects && !has_effects(value)))
                values[name] = value;
            else
                bind(name, value);
        }
        Expr e = substitute(result, values);
        for (auto l = lets.rbegin(); l != lets.rend(); ++l) e = Let::make(l->first, l->second, e);
        return e;
    }
};

}  // namespace

void inline_calls(Function &f, const FunctionsBySymbol &callees) {
    if (callees.empty()) return;
    Inliner inliner(f, callees);
    Stmt body = inliner.mutate(f.body);
    if (!inliner.inlined) return;
    int counter = 0;
    f.body = ExposeArrayExprs(f, counter).mutate(body);
}

}  // namespace hotloop
