#include "hotloop/ir/Verifier.h"

#include <map>

#include "hotloop/ir/IRPrinter.h"
#include "hotloop/ir/IRVisitor.h"

namespace hotloop {

namespace {

class Verifier : public IRVisitor {
public:
    explicit Verifier(const Function &f) : fn(f) {
        for (auto &p : f.params) vars[p.name] = p.type;
        for (auto &l : f.locals) vars[l.first] = l.second;
    }
    const Function &fn;
    std::map<std::string, Type> vars;
    int loop_depth = 0;

    [[noreturn]] void fail(const std::string &what, const std::string &where) {
        internal_error("IR verifier: " + what + " in `" + where + "` of function " + fn.name);
    }
    void check(bool ok, const std::string &what, const Expr &e) {
        if (!ok) fail(what, to_string(e));
    }

    using IRVisitor::visit;

    void visit(const Ref *op) override { fail("untyped node Ref left", op->name); }
    void visit(const Attr *op) override { fail("untyped node Attr left", op->name); }
    void visit(const Subscript *) override { fail("untyped node Subscript left", ""); }
    void visit(const UCall *) override { fail("untyped node UCall left", ""); }

    void visit(const Var *op) override {
        auto it = vars.find(op->name);
        if (it == vars.end()) fail("undeclared variable", op->name);
        if (it->second.strong() != op->type.strong())
            fail("variable used as " + op->type.str() + " but declared " + it->second.str(), op->name);
    }
    void visit(const Binary *op) override {
        IRVisitor::visit(op);
        bool rhs_free = op->op == BinOp::Pow || op->op == BinOp::Shl || op->op == BinOp::Shr;
        if (op->a->type.strong() != op->type.strong() ||
            (!rhs_free && op->b->type.strong() != op->type.strong()))
            fail("operand types " + op->a->type.str() + ", " + op->b->type.str() +
                     " differ from result " + op->type.str(), op_name(op->op));
    }
    void visit(const Compare *op) override {
        IRVisitor::visit(op);
        if (op->a->type.strong() != op->b->type.strong() || !op->type.is_bool())
            fail("compare of " + op->a->type.str() + " and " + op->b->type.str(), op_name(op->op));
    }
    void visit(const Load *op) override {
        IRVisitor::visit(op);
        if ((int)op->indices.size() != op->array->type.ndim())
            fail("index count differs from ndim", to_string(op->array));
        for (auto &i : op->indices)
            if (!i->type.is_integral()) fail("non-integer index", to_string(i));
    }
    void visit(const Let *op) override {
        visit(op->value);
        auto saved = vars.find(op->name) != vars.end() ? vars[op->name] : Type();
        vars[op->name] = op->value->type;
        visit(op->body);
        if (saved.is_unknown()) vars.erase(op->name); else vars[op->name] = saved;
    }
    void visit(const Assign *op) override {
        IRVisitor::visit(op);
        auto it = vars.find(op->name);
        if (it == vars.end()) fail("assignment to undeclared variable", op->name);
        if (it->second.strong() != op->value->type.strong())
            fail("assigning " + op->value->type.str() + " to " + it->second.str(), op->name);
    }
    void visit(const Store *op) override {
        IRVisitor::visit(op);
        const Type &t = op->array->type;
        if (!t.is_array()) fail("store to non-array", to_string(op->array));
        if (t.readonly()) fail("store to read-only array", to_string(op->array));
        if ((int)op->indices.size() != t.ndim()) fail("index count differs from ndim", to_string(op->array));
        if (op->value->type.strong() != t.elem()) fail("stored value type differs from element", to_string(op->value));
    }
    void visit(const If *op) override {
        IRVisitor::visit(op);
        if (!op->cond->type.is_bool()) fail("non-bool condition", to_string(op->cond));
    }
    void visit(const While *op) override {
        visit(op->cond);
        if (!op->cond->type.is_bool()) fail("non-bool condition", to_string(op->cond));
        loop_depth++;
        visit(op->body);
        loop_depth--;
    }
    void visit(const For *op) override {
        visit(op->start); visit(op->stop); visit(op->step);
        if (!op->start->type.is_integral() || op->start->type.strong() != op->stop->type.strong() ||
            op->stop->type.strong() != op->step->type.strong())
            fail("range bounds of differing or non-integer types", op->var);
        loop_depth++;
        visit(op->body);
        loop_depth--;
    }
    void visit(const Break *) override { if (!loop_depth) fail("break outside a loop", "break"); }
    void visit(const Continue *) override { if (!loop_depth) fail("continue outside a loop", "continue"); }
    void visit(const Return *op) override {
        IRVisitor::visit(op);
        Type t = op->value ? op->value->type : Type::none();
        if (t.strong() != fn.return_type.strong()) fail("returns " + t.str() + " but function returns " + fn.return_type.str(), "return");
    }
};

}  // namespace

void verify(const Function &f) {
    Verifier v(f);
    // Every expression must be typed.
    struct AllTyped : IRVisitor {
        using IRVisitor::visit;
        void check(const ExprNode *e) {
            if (e->type.is_unknown()) internal_error("IR verifier: untyped expression");
        }
        void visit(const Var *op) override { check(op); }
        void visit(const Binary *op) override { check(op); IRVisitor::visit(op); }
        void visit(const Unary *op) override { check(op); IRVisitor::visit(op); }
        void visit(const Load *op) override { check(op); IRVisitor::visit(op); }
        void visit(const Cast *op) override { check(op); IRVisitor::visit(op); }
    } typed;
    typed.visit(f.body);
    v.visit(f.body);
}

}  // namespace hotloop
