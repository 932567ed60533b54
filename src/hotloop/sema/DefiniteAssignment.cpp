#include "hotloop/sema/DefiniteAssignment.h"

#include <set>

#include "hotloop/ir/IRVisitor.h"

namespace hotloop {

namespace {

// Tracks the variables that *may* be assigned at each point (union over paths).
class MaybeAssigned : public IRVisitor {
public:
    std::set<std::string> assigned;
    using IRVisitor::visit;

    void visit(const Var *op) override {
        if (!assigned.count(op->name))
            throw CompileError(op->loc, "local variable '" + op->name + "' is used before it is assigned",
                               "assign it a value before this line");
    }
    void visit(const Let *op) override {
        visit(op->value);
        bool had = assigned.count(op->name);
        assigned.insert(op->name);
        visit(op->body);
        if (!had) assigned.erase(op->name);
    }
    void visit(const Assign *op) override {
        visit(op->value);
        assigned.insert(op->name);
    }
    void visit(const If *op) override {
        visit(op->cond);
        auto before = assigned;
        visit(op->then_case);
        auto after_then = assigned;
        assigned = before;
        visit(op->else_case);
        assigned.insert(after_then.begin(), after_then.end());
    }
    // A loop body may see what a previous iteration assigned: walk it twice.
    void visit(const For *op) override {
        visit(op->start); visit(op->stop); visit(op->step);
        assigned.insert(op->var);
        loop_body(op->body);
    }
    void visit(const While *op) override {
        visit(op->cond);
        loop_body(op->body);
    }
    void loop_body(const Stmt &body) {
        quiet(body);
        visit(body);
    }
    // Collects assignments without checking reads.
    void quiet(const Stmt &s) {
        struct Collect : IRVisitor {
            std::set<std::string> &out;
            explicit Collect(std::set<std::string> &o) : out(o) {}
            using IRVisitor::visit;
            void visit(const Assign *op) override { out.insert(op->name); }
            void visit(const For *op) override { out.insert(op->var); IRVisitor::visit(op); }
        } c(assigned);
        c.visit(s);
    }
};

}  // namespace

void check_assigned_before_use(const Function &f) {
    MaybeAssigned m;
    for (auto &p : f.params) m.assigned.insert(p.name);
    m.visit(f.body);
}

}  // namespace hotloop
