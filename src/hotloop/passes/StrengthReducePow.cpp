#include "hotloop/passes/StrengthReducePow.h"

#include "hotloop/ir/IRVisitor.h"

namespace hotloop {

namespace {

constexpr int64_t max_exponent = 16;

class ReducePow : public IRMutator {
    int counter = 0;
    using IRMutator::visit;

    Expr visit(const Binary *op, const Expr &self) override {
        Expr e = IRMutator::visit(op, self);
        auto *b = e->as<Binary>();
        if (!b || b->op != BinOp::Pow) return e;
        auto *n = b->b->as<IntImm>();
        if (!n || n->value < 0 || n->value > max_exponent) return e;
        Type t = b->type;
        Loc l = b->loc;
        if (n->value == 0) {
            // x is still computed (and unused): its errors are raised, as NumPy does.
            Expr one = t.is_complex() ? ComplexImm::make(1.0, 0.0, t, l)
                       : t.is_float() ? FloatImm::make(1.0, t, l) : IntImm::make(1, t, l);
            return Let::make("$p" + std::to_string(counter++), b->a, one);
        }
        if (n->value == 1) return b->a;
        // Square-and-multiply over named powers so each is computed once.
        std::string base = "$p" + std::to_string(counter++);
        Expr x = Var::make(base, t, l);
        Expr result;
        std::vector<std::pair<std::string, Expr>> lets{{base, b->a}};
        Expr power = x;
        for (int64_t k = n->value; k; k >>= 1) {
            if (k & 1) result = result ? Binary::make(BinOp::Mul, result, power, t, l) : power;
            if (k > 1) {
                std::string sq = "$p" + std::to_string(counter++);
                lets.push_back({sq, Binary::make(BinOp::Mul, power, power, t, l)});
                power = Var::make(sq, t, l);
            }
        }
        for (auto it = lets.rbegin(); it != lets.rend(); ++it) result = Let::make(it->first, it->second, result);
        return result;
    }
};

}  // namespace

Stmt strength_reduce_pow(const Stmt &s) { return ReducePow().mutate(s); }

}  // namespace hotloop
