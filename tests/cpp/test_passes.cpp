// Passes over typed IR: strength_reduce_pow, inline_calls, and the pipeline that runs them.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "hotloop/ir/IR.h"
#include "hotloop/ir/IRPrinter.h"
#include "hotloop/ir/IRVisitor.h"
#include "hotloop/ir/Verifier.h"
#include "hotloop/passes/InlineCalls.h"
#include "hotloop/passes/Pipeline.h"
#include "hotloop/passes/StrengthReducePow.h"

using namespace hotloop;

namespace {

const Type i64 = Type::int64();
const Type f64 = Type::float64();

// Counts binary operators by kind.
struct CountOps : IRVisitor {
    std::map<BinOp, int> count;
    using IRVisitor::visit;
    void visit(const Binary *op) override {
        count[op->op]++;
        IRVisitor::visit(op);
    }
};

std::map<BinOp, int> count_ops(const Stmt &s) {
    CountOps c;
    c.visit(s);
    return c.count;
}

// return x ** <exponent>, with x of type `t`.
Stmt pow_stmt(const Expr &exponent, Type t = f64) {
    return Return::make(Binary::make(BinOp::Pow, Var::make("x", t), exponent, t));
}

// def f(x: t) -> t: return x ** n
Function pow_fn(int64_t n, Type t = f64) {
    Function fn;
    fn.name = "f";
    fn.symbol = "f_pow";
    fn.params = {{"x", t}};
    fn.return_type = t;
    fn.body = pow_stmt(IntImm::make(n, i64), t);
    return fn;
}

// Evaluates the float expressions strength_reduce_pow produces (Var, FloatImm, Mul, Let).
struct Eval {
    std::map<std::string, double> env;
    double operator()(const Expr &e) {
        if (auto *v = e->as<Var>()) return env.at(v->name);
        if (auto *f = e->as<FloatImm>()) return f->value;
        if (auto *l = e->as<Let>()) {
            env[l->name] = (*this)(l->value);
            return (*this)(l->body);
        }
        if (auto *b = e->as<Binary>()) {
            EXPECT_EQ(b->op, BinOp::Mul) << to_string(e);
            return (*this)(b->a) * (*this)(b->b);
        }
        ADD_FAILURE() << "unexpected node in " << to_string(e);
        return NAN;
    }
};

Expr returned(const Stmt &s) {
    auto *r = s->as<Return>();
    EXPECT_NE(r, nullptr);
    return r ? r->value : nullptr;
}

}  // namespace

TEST(StrengthReducePow, PowerOfTwoExponent) {
    Stmt out = strength_reduce_pow(pow_stmt(IntImm::make(8, i64)));
    auto ops = count_ops(out);
    EXPECT_EQ(ops[BinOp::Pow], 0) << to_string(out);
    EXPECT_EQ(ops[BinOp::Mul], 3) << to_string(out);  // x^2, x^4, x^8
    EXPECT_EQ(returned(out)->type, f64);
}

TEST(StrengthReducePow, OddExponent) {
    // x^7 = x * x^2 * x^4: two squarings and two multiplications.
    Stmt out = strength_reduce_pow(pow_stmt(IntImm::make(7, i64)));
    auto ops = count_ops(out);
    EXPECT_EQ(ops[BinOp::Pow], 0) << to_string(out);
    EXPECT_EQ(ops[BinOp::Mul], 4) << to_string(out);
}

TEST(StrengthReducePow, ComputesTheRightPower) {
    const double x = 1.37;
    for (int n = 0; n <= 16; n++) {
        Stmt out = strength_reduce_pow(pow_stmt(IntImm::make(n, i64)));
        EXPECT_EQ(count_ops(out)[BinOp::Pow], 0) << "n=" << n;
        Eval ev;
        ev.env["x"] = x;
        EXPECT_NEAR(ev(returned(out)), std::pow(x, n), 1e-12 * std::pow(x, n)) << "n=" << n << ": "
                                                                                 << to_string(out);
    }
}

// x ** 0 is 1, with x still computed (bound by a Let) so that its errors are raised.
static Expr let_body(const Expr &e) {
    auto *l = e->as<Let>();
    EXPECT_NE(l, nullptr) << to_string(e);
    if (!l) return e;
    EXPECT_NE(l->value->as<Var>(), nullptr) << to_string(e);
    return l->body;
}

TEST(StrengthReducePow, ZeroAndOne) {
    Expr zero = let_body(returned(strength_reduce_pow(pow_stmt(IntImm::make(0, i64)))));
    auto *c = zero->as<FloatImm>();
    ASSERT_NE(c, nullptr) << to_string(zero);
    EXPECT_EQ(c->value, 1.0);
    EXPECT_EQ(c->type, f64);

    Expr izero = let_body(returned(strength_reduce_pow(pow_stmt(IntImm::make(0, i64), i64))));
    auto *ic = izero->as<IntImm>();
    ASSERT_NE(ic, nullptr) << to_string(izero);
    EXPECT_EQ(ic->value, 1);
    EXPECT_EQ(ic->type, i64);

    Expr one = returned(strength_reduce_pow(pow_stmt(IntImm::make(1, i64))));
    ASSERT_NE(one->as<Var>(), nullptr) << to_string(one);
    EXPECT_EQ(one->as<Var>()->name, "x");
}

TEST(StrengthReducePow, IntegerBase) {
    Stmt out = strength_reduce_pow(pow_stmt(IntImm::make(3, i64), i64));
    auto ops = count_ops(out);
    EXPECT_EQ(ops[BinOp::Pow], 0);
    EXPECT_EQ(ops[BinOp::Mul], 2);
    EXPECT_EQ(returned(out)->type, i64);
}

TEST(StrengthReducePow, LeavesOtherPowersAlone) {
    // Non-constant exponent, negative exponent, large exponent, float exponent.
    Stmt var_exp = pow_stmt(Var::make("y", i64));
    EXPECT_EQ(strength_reduce_pow(var_exp), var_exp);
    Stmt neg = pow_stmt(IntImm::make(-2, i64));
    EXPECT_EQ(strength_reduce_pow(neg), neg);
    Stmt big = pow_stmt(IntImm::make(100, i64));
    EXPECT_EQ(strength_reduce_pow(big), big);
    Stmt fexp = pow_stmt(FloatImm::make(2.0, f64));
    EXPECT_EQ(strength_reduce_pow(fexp), fexp);
}

TEST(StrengthReducePow, ComplexBaseBecomesMultiplications) {
    // z**2 (the Mandelbrot step) is z*z: codegen has no complex pow.
    Type c128 = Type::complex(128);
    Stmt out = strength_reduce_pow(pow_stmt(IntImm::make(2, i64), c128));
    EXPECT_EQ(count_ops(out)[BinOp::Pow], 0);
    EXPECT_EQ(count_ops(out)[BinOp::Mul], 1);
}

TEST(StrengthReducePow, NestedAndRepeatedPowersStayDistinct) {
    // x**2 + x**3: each expansion gets its own temporaries.
    Expr x = Var::make("x", f64);
    Expr sum = Binary::make(BinOp::Add, Binary::make(BinOp::Pow, x, IntImm::make(2, i64), f64),
                            Binary::make(BinOp::Pow, x, IntImm::make(3, i64), f64));
    Stmt out = strength_reduce_pow(Return::make(sum));
    EXPECT_EQ(count_ops(out)[BinOp::Pow], 0);
    Eval ev;
    ev.env["x"] = 2.0;
    EXPECT_DOUBLE_EQ(ev(returned(out)->as<Binary>()->a) + ev(returned(out)->as<Binary>()->b), 12.0);
}

TEST(StrengthReducePow, OutputVerifies) {
    Function fn = pow_fn(8);
    fn.body = strength_reduce_pow(fn.body);
    EXPECT_NO_THROW(verify(fn)) << to_string(fn);
}

TEST(Pipeline, RunsStrengthReductionWithVerification) {
    Function fn = pow_fn(5);
    ASSERT_NO_THROW(run_pipeline(fn, PipelineOptions{true})) << to_string(fn);
    auto ops = count_ops(fn.body);
    EXPECT_EQ(ops[BinOp::Pow], 0) << to_string(fn);
    EXPECT_EQ(ops[BinOp::Mul], 3) << to_string(fn);  // x^2, x^4, x * x^4
}

TEST(Pipeline, VerifyCatchesBrokenInput) {
    Function fn = pow_fn(2);
    fn.return_type = Type::int_(32);
    EXPECT_THROW(run_pipeline(fn, PipelineOptions{true}), InternalError);
}

TEST(Pipeline, ReducesPowInsideLoopsAndKeepsUnchangedBodies) {
    // for i in range(0, n, 1): x[i] = x[i] ** 4
    Type arr = Type::array(f64, 1, Layout::C);
    Expr x = Var::make("x", arr), i = Var::make("i", i64);
    Expr pow4 = Binary::make(BinOp::Pow, Load::make(x, {i}), IntImm::make(4, i64), f64);
    Function fn;
    fn.name = "f";
    fn.params = {{"x", arr}, {"n", i64}};
    fn.return_type = Type::none();
    fn.locals = {{"i", i64}};
    fn.body = Block::make({For::make("i", IntImm::make(0, i64), Var::make("n", i64), IntImm::make(1, i64),
                                     Block::make({Store::make(x, {i}, pow4)})),
                           Return::make(nullptr)});
    run_pipeline(fn, PipelineOptions{true});
    EXPECT_EQ(count_ops(fn.body)[BinOp::Pow], 0) << to_string(fn);
    EXPECT_EQ(count_ops(fn.body)[BinOp::Mul], 2) << to_string(fn);

    // A second run has nothing left to do and keeps the very same tree.
    Stmt before = fn.body;
    run_pipeline(fn, PipelineOptions{true});
    EXPECT_EQ(fn.body, before);
}

namespace {

int count_calls(const Stmt &s) {
    struct Count : IRVisitor {
        int n = 0;
        using IRVisitor::visit;
        void visit(const Call *op) override { n++; IRVisitor::visit(op); }
    } c;
    c.visit(s);
    return c.n;
}

// def g(a, b): t = a * b; return t + a
std::shared_ptr<Function> straight_line_callee() {
    auto g = std::make_shared<Function>();
    g->name = "g";
    g->symbol = "g_0";
    g->params = {{"a", f64}, {"b", f64}};
    g->return_type = f64;
    g->locals = {{"t", f64}};
    Expr a = Var::make("a", f64), b = Var::make("b", f64);
    g->body = Block::make({Assign::make("t", Binary::make(BinOp::Mul, a, b, f64)),
                           Return::make(Binary::make(BinOp::Add, Var::make("t", f64), a, f64))});
    return g;
}

// def f(x, t): return g(x + 1.0, t)   (the caller's own `t` must not meet the callee's)
Function calling_fn() {
    Function fn;
    fn.name = "f";
    fn.symbol = "f_0";
    fn.params = {{"x", f64}, {"t", f64}};
    fn.return_type = f64;
    Expr arg = Binary::make(BinOp::Add, Var::make("x", f64), FloatImm::make(1.0, f64), f64);
    fn.body = Return::make(Call::make("g_0", {arg, Var::make("t", f64)}, f64));
    return fn;
}

}  // namespace

TEST(InlineCalls, StraightLineCalleeBecomesLets) {
    FunctionsBySymbol callees{{"g_0", straight_line_callee()}};
    Function fn = calling_fn();
    inline_calls(fn, callees);
    EXPECT_EQ(count_calls(fn.body), 0) << to_string(fn);
    ASSERT_NO_THROW(verify(fn)) << to_string(fn);
    auto *r = fn.body->as<Return>();
    ASSERT_TRUE(r);
    std::string text = to_string(r->value);
    EXPECT_NE(text.find("$i0.a"), std::string::npos) << text;  // the argument, bound once
    EXPECT_NE(text.find("$i0.t"), std::string::npos) << text;  // the callee's t, renamed
}

TEST(InlineCalls, OtherOptionsOrLoopsStayCalls) {
    auto g = straight_line_callee();
    g->options.error_model_numpy = true;
    Function fn = calling_fn();
    inline_calls(fn, {{"g_0", g}});
    EXPECT_EQ(count_calls(fn.body), 1) << to_string(fn);

    auto h = straight_line_callee();
    h->body = Block::make({For::make("i", IntImm::make(0, i64), IntImm::make(3, i64), IntImm::make(1, i64),
                                     Block::make({})),
                           Return::make(Var::make("a", f64))});
    h->locals.push_back({"i", i64});
    Function fn2 = calling_fn();
    inline_calls(fn2, {{"g_0", h}});
    EXPECT_EQ(count_calls(fn2.body), 1) << to_string(fn2);
}
