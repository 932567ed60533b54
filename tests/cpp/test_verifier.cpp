// The typed-IR verifier: accepts well-typed functions, names each broken invariant.
#include <gtest/gtest.h>

#include "hotloop/ir/Error.h"
#include "hotloop/ir/IR.h"
#include "hotloop/ir/Verifier.h"
#include "hotloop/passes/Pipeline.h"

using namespace hotloop;

namespace {

const Type i64 = Type::int64();
const Type f64 = Type::float64();
const Type arr1 = Type::array(Type::float64(), 1, Layout::C);

Expr x() { return Var::make("x", arr1); }
Expr n() { return Var::make("n", i64); }
Expr i() { return Var::make("i", i64); }
Expr s() { return Var::make("s", f64); }
Expr int_(int64_t v) { return IntImm::make(v, i64); }

// def f(x: float64[::1], n: int64) -> float64:
//     s = 0.0
//     for i in range(0, n, 1):
//         s = s + x[i]
//         x[i] = s
//     return s
// with the body's loop contents replaceable.
Function make_fn(std::vector<Stmt> loop_body = {}, std::vector<Stmt> after = {}) {
    if (loop_body.empty())
        loop_body = {Assign::make("s", Binary::make(BinOp::Add, s(), Load::make(x(), {i()}))),
                     Store::make(x(), {i()}, s())};
    std::vector<Stmt> stmts{Assign::make("s", FloatImm::make(0.0, f64)),
                            For::make("i", int_(0), n(), int_(1), Block::make(loop_body))};
    for (auto &a : after) stmts.push_back(a);
    stmts.push_back(Return::make(s()));
    Function fn;
    fn.name = "f";
    fn.symbol = "f_0";
    fn.params = {{"x", arr1}, {"n", i64}};
    fn.return_type = f64;
    fn.locals = {{"s", f64}, {"i", i64}};
    fn.body = Block::make(std::move(stmts));
    return fn;
}

// Expects verify() to throw an InternalError whose message mentions `part`.
void expect_invalid(const Function &fn, const std::string &part) {
    try {
        verify(fn);
        ADD_FAILURE() << "verify() accepted IR that breaks: " << part;
    } catch (const InternalError &e) {
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(Verifier, AcceptsWellTypedFunction) {
    EXPECT_NO_THROW(verify(make_fn()));
}

TEST(Verifier, AcceptsWeakConstantsOfTheRightType) {
    // A weak float64 literal has the same machine type as a strong float64 variable.
    Function fn = make_fn({Assign::make("s", Binary::make(BinOp::Mul, s(), FloatImm::make(2.0)))});
    EXPECT_NO_THROW(verify(fn));
}

TEST(Verifier, PipelineWithVerifyAcceptsWellTypedFunction) {
    Function fn = make_fn();
    EXPECT_NO_THROW(run_pipeline(fn, PipelineOptions{true}));
}

TEST(Verifier, BinaryOperandTypeMismatch) {
    Function fn = make_fn({Assign::make("s", Binary::make(BinOp::Add, s(), int_(1), f64))});
    expect_invalid(fn, "operand types");
}

TEST(Verifier, LoadWithWrongIndexCount) {
    Function fn = make_fn({Assign::make("s", Load::make(x(), {i(), i()}))});
    expect_invalid(fn, "index count");
}

TEST(Verifier, StoreIntoReadonlyArray) {
    Function fn = make_fn();
    Type ro = arr1.with_readonly(true);
    fn.params[0].type = ro;
    fn.body = Block::make({Store::make(Var::make("x", ro), {int_(0)}, FloatImm::make(1.0, f64)),
                           Return::make(FloatImm::make(1.0, f64))});
    expect_invalid(fn, "read-only");
}

TEST(Verifier, StoredValueOfWrongType) {
    Function fn = make_fn({Store::make(x(), {i()}, i())});
    expect_invalid(fn, "stored value type");
}

TEST(Verifier, BreakOutsideLoop) {
    Function fn = make_fn({}, {Break::make()});
    expect_invalid(fn, "break outside a loop");
    Function fn2 = make_fn({}, {Continue::make()});
    expect_invalid(fn2, "continue outside a loop");
    // Inside the loop both are fine.
    EXPECT_NO_THROW(verify(make_fn({Break::make()})));
    EXPECT_NO_THROW(verify(make_fn({Continue::make()})));
}

TEST(Verifier, VarTypeDiffersFromDeclaration) {
    Function fn = make_fn({Assign::make("s", Var::make("s", Type::float_(32)))});
    expect_invalid(fn, "declared float64");
}

TEST(Verifier, UndeclaredVariable) {
    Function fn = make_fn({Assign::make("s", Var::make("t", f64))});
    expect_invalid(fn, "undeclared variable");
    Function fn2 = make_fn({Assign::make("t", s())});
    expect_invalid(fn2, "assignment to undeclared variable");
}

TEST(Verifier, AssignOfWrongType) {
    Function fn = make_fn({Assign::make("s", i())});
    expect_invalid(fn, "assigning int64 to float64");
}

TEST(Verifier, UntypedNodesRejected) {
    Function with_ref = make_fn({Evaluate::make(Ref::make(RefKind::Module, "np", {}))});
    expect_invalid(with_ref, "untyped node Ref");

    Expr call = UCall::make(Ref::make(RefKind::Function, "print", {}), {s()}, {}, {});
    Function with_call = make_fn({Evaluate::make(call)});
    expect_invalid(with_call, "untyped node");

    Function untyped_var = make_fn({Assign::make("s", Var::make("s"))});
    EXPECT_THROW(verify(untyped_var), InternalError);
}

TEST(Verifier, ReturnTypeDiffersFromFunction) {
    Function fn = make_fn();
    fn.body = Block::make({Return::make(n())});
    expect_invalid(fn, "returns int64 but function returns float64");

    Function none_ret = make_fn();
    none_ret.body = Block::make({Return::make(nullptr)});
    expect_invalid(none_ret, "returns none");
}

TEST(Verifier, NonBoolConditionAndMixedCompare) {
    Function fn = make_fn({If::make(s(), Block::make({}), nullptr)});
    expect_invalid(fn, "non-bool condition");

    // Compare::make infers bool, but the operands differ.
    Function cmp = make_fn({If::make(Compare::make(CmpOp::LT, s(), i()), Block::make({}), nullptr)});
    expect_invalid(cmp, "compare of float64 and int64");
}

TEST(Verifier, RangeBoundsMustAgree) {
    Function fn = make_fn();
    fn.body = Block::make({For::make("i", int_(0), FloatImm::make(3.0, f64), int_(1), Block::make({})),
                           Return::make(s())});
    expect_invalid(fn, "range bounds");
}
