#include "hotloop/passes/CompareMagnitude.h"

#include <cmath>
#include <optional>

#include "hotloop/ir/IRVisitor.h"

namespace hotloop {

namespace {

// The value of a real constant (through a conversion of a constant).
std::optional<double> constant_value(const Expr &e) {
    if (auto *f = e->as<FloatImm>()) return f->value;
    if (auto *i = e->as<IntImm>()) return (double)i->value;
    if (auto *c = e->as<Cast>(); c && c->type.is_float()) return constant_value(c->value);
    return std::nullopt;
}

const MathCall *as_magnitude(const Expr &e) {
    auto *m = e->as<MathCall>();
    return m && m->op == MathOp::AbsComplex ? m : nullptr;
}

// abs(z) op c, with c written on the right.
CmpOp mirrored(CmpOp op) {
    switch (op) {
    case CmpOp::LT: return CmpOp::GT;
    case CmpOp::LE: return CmpOp::GE;
    case CmpOp::GT: return CmpOp::LT;
    case CmpOp::GE: return CmpOp::LE;
    default: return op;
    }
}

class CompareSquares : public IRMutator {
    int counter = 0;
    using IRMutator::visit;

    // Array element bodies keep their vectorizable form.
    Expr visit(const ArrayMap *, const Expr &self) override { return self; }

    Expr visit(const Compare *op, const Expr &self) override {
        Expr e = IRMutator::visit(op, self);
        auto *cmp = e->as<Compare>();
        if (cmp->op == CmpOp::EQ || cmp->op == CmpOp::NE) return e;
        const MathCall *mag = as_magnitude(cmp->a);
        Expr bound = cmp->b;
        CmpOp cop = cmp->op;
        if (!mag) {
            mag = as_magnitude(cmp->b);
            bound = cmp->a;
            cop = mirrored(cop);
        }
        if (!mag) return e;
        std::optional<double> c = constant_value(bound);
        if (!c) return e;
        Type part = mag->type;
        bool single = part.bits() == 32;
        // Unit roundoff, and the range of c where c*c is finite and far from subnormal.
        double u = std::ldexp(1.0, single ? -24 : -53);
        double lowest = std::ldexp(1.0, single ? -60 : -480), highest = std::ldexp(1.0, single ? 60 : 500);
        if (!(*c == 0 || (*c >= lowest && *c <= highest))) return e;
        // q < lo means |z| < c even after q's three roundings and hypot's own (about 1
        // ulp each), q > hi that |z| > c: 16 units of margin for at most 6.
        double c2 = *c * *c;
        double lo = c2 * (1 - 16 * u), hi = c2 * (1 + 16 * u);
        if (single) lo = (double)(float)lo, hi = (double)(float)hi;

        Loc l = cmp->loc;
        Type cplx = mag->args[0]->type;
        std::string zn = "$mag" + std::to_string(counter) + ".z", qn = "$mag" + std::to_string(counter) + ".q";
        counter++;
        Expr z = Var::make(zn, cplx, l), q = Var::make(qn, part, l);
        Expr re = MathCall::make(MathOp::Real, {z}, part, l), im = MathCall::make(MathOp::Imag, {z}, part, l);
        Expr sum_of_squares = Binary::make(BinOp::Add, Binary::make(BinOp::Mul, re, re, part, l),
                                           Binary::make(BinOp::Mul, im, im, part, l), part, l);
        bool below_is_true = cop == CmpOp::LT || cop == CmpOp::LE;
        Expr exact = Compare::make(cop, MathCall::make(MathOp::AbsComplex, {z}, part, l), bound, Type::boolean(), l);
        Expr decided = Select::make(
            Compare::make(CmpOp::LT, q, FloatImm::make(lo, part, l), Type::boolean(), l), BoolImm::make(below_is_true, l, false),
            Select::make(Compare::make(CmpOp::GT, q, FloatImm::make(hi, part, l), Type::boolean(), l),
                         BoolImm::make(!below_is_true, l, false), exact, Type::boolean(), l),
            Type::boolean(), l);
        return Let::make(zn, mag->args[0], Let::make(qn, sum_of_squares, decided));
    }
};

}  // namespace

Stmt compare_magnitude(const Stmt &s) { return CompareSquares().mutate(s); }

}  // namespace hotloop
