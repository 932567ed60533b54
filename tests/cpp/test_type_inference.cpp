// Type inference on untyped IR built by hand the way the frontend builds it:
// parameters and variables without types, Python literals as weak constants.
#include <gtest/gtest.h>

#include "hotloop/ir/Error.h"
#include "hotloop/ir/IR.h"
#include "hotloop/ir/IRPrinter.h"
#include "hotloop/ir/Verifier.h"
#include "hotloop/sema/TypeInference.h"

using namespace hotloop;

namespace {

const Type i64 = Type::int64();
const Type f32 = Type::float_(32);
const Type f64 = Type::float64();
const Type weak_int = Type::int_(64, true);

// Untyped pieces, as the frontend makes them.
Expr v(const std::string &name) { return Var::make(name); }
Expr lit(int64_t value) { return IntImm::make(value, Type::int_(64, true)); }
Expr lit(double value) { return FloatImm::make(value, Type::float_(64, true)); }
Expr bin(BinOp op, Expr a, Expr b) { return Binary::make(op, std::move(a), std::move(b)); }
// for <var> in range(stop): range(0, stop, 1)
Stmt range_for(const std::string &var, Expr stop, std::vector<Stmt> body) {
    return For::make(var, lit(int64_t(0)), std::move(stop), lit(int64_t(1)), Block::make(std::move(body)));
}

Function untyped(const std::string &name, std::vector<std::string> params, std::vector<Stmt> body) {
    Function fn;
    fn.name = name;
    for (auto &p : params) fn.params.push_back({p, Type()});
    fn.body = Block::make(std::move(body));
    return fn;
}

std::shared_ptr<Function> infer(const Function &fn, const std::vector<Type> &args, SemaOptions opts = {}) {
    auto typed = infer_types(fn, args, opts, nullptr);
    EXPECT_NE(typed, nullptr);
    if (typed) EXPECT_NO_THROW(verify(*typed)) << to_string(*typed);
    return typed;
}

Type local_type(const Function &fn, const std::string &name) {
    for (auto &[n, t] : fn.locals)
        if (n == name) return t;
    return Type();
}

}  // namespace

TEST(TypeInference, WeakIntParamYieldsToFloat32) {
    // def add(a, b): return a + b     add(1, np.float32(2))
    Function fn = untyped("add", {"a", "b"}, {Return::make(bin(BinOp::Add, v("a"), v("b")))});
    auto typed = infer(fn, {weak_int, f32});
    EXPECT_EQ(typed->return_type, f32) << to_string(*typed);
    EXPECT_EQ(typed->params[0].type, i64);
    EXPECT_EQ(typed->params[1].type, f32);
}

TEST(TypeInference, StrongIntWithFloat32IsFloat64) {
    Function fn = untyped("add", {"a", "b"}, {Return::make(bin(BinOp::Add, v("a"), v("b")))});
    EXPECT_EQ(infer(fn, {i64, f32})->return_type, f64);
    EXPECT_EQ(infer(fn, {Type::int_(16), f32})->return_type, f32);
}

TEST(TypeInference, TrueDivisionOfIntsIsFloat64) {
    Function fn = untyped("div", {"x", "y"}, {Return::make(bin(BinOp::Div, v("x"), v("y")))});
    EXPECT_EQ(infer(fn, {i64, i64})->return_type, f64);
    EXPECT_EQ(infer(fn, {Type::int_(32), Type::int_(32)})->return_type, f64);
    EXPECT_EQ(infer(fn, {f32, weak_int})->return_type, f32);
    // Floor division keeps integers.
    Function fdiv = untyped("fdiv", {"x", "y"}, {Return::make(bin(BinOp::FloorDiv, v("x"), v("y")))});
    EXPECT_EQ(infer(fdiv, {i64, i64})->return_type, i64);
}

TEST(TypeInference, VariableWidensToFloatInLoop) {
    // def f(n):
    //     s = 0
    //     for i in range(n):
    //         s += 1.5
    //     return s
    Function fn = untyped("f", {"n"},
                          {Assign::make("s", lit(int64_t(0))),
                           range_for("i", v("n"), {Assign::make("s", bin(BinOp::Add, v("s"), lit(1.5)))}),
                           Return::make(v("s"))});
    auto typed = infer(fn, {i64});
    EXPECT_EQ(typed->return_type, f64) << to_string(*typed);
    EXPECT_EQ(local_type(*typed, "s"), f64);
    EXPECT_EQ(local_type(*typed, "i"), i64);
    // The first assignment stores a float constant now.
    std::string text = to_string(*typed);
    EXPECT_NE(text.find("s: float64 = 0.0"), std::string::npos) << text;
}

TEST(TypeInference, AccumulatorTakesArrayElementType) {
    // def total(x):
    //     s = 0.0
    //     for i in range(x.shape[0]):
    //         s = s + x[i]
    //     return s
    // NEP 50: the Python float 0.0 yields to float32 elements.
    Expr len = Subscript::make(Attr::make(v("x"), "shape", {}), {lit(int64_t(0))}, {});
    Function fn = untyped(
        "total", {"x"},
        {Assign::make("s", lit(0.0)),
         range_for("i", len, {Assign::make("s", bin(BinOp::Add, v("s"), Subscript::make(v("x"), {v("i")}, {})))}),
         Return::make(v("s"))});
    auto typed = infer(fn, {Type::array(f32, 1, Layout::C)});
    EXPECT_EQ(typed->return_type, f32) << to_string(*typed);
    EXPECT_EQ(infer(fn, {Type::array(f64, 1, Layout::A)})->return_type, f64);
    EXPECT_EQ(infer(fn, {Type::array(Type::int_(32), 1, Layout::C)})->return_type, f64);
}

TEST(TypeInference, LocalsOptionForcesType) {
    // def f(n):
    //     s = 0
    //     for i in range(n): s = s + 1
    //     return s
    // with locals={"s": float32}
    Function fn = untyped("f", {"n"},
                          {Assign::make("s", lit(int64_t(0))),
                           range_for("i", v("n"), {Assign::make("s", bin(BinOp::Add, v("s"), lit(int64_t(1))))}),
                           Return::make(v("s"))});
    SemaOptions opts;
    opts.locals["s"] = f32;
    auto typed = infer(fn, {i64}, opts);
    EXPECT_EQ(local_type(*typed, "s"), f32);
    EXPECT_EQ(typed->return_type, f32) << to_string(*typed);
    // Without the annotation it stays an integer.
    EXPECT_EQ(infer(fn, {i64})->return_type, i64);
}

TEST(TypeInference, ExplicitReturnTypeConverts) {
    Function fn = untyped("add", {"a", "b"}, {Return::make(bin(BinOp::Add, v("a"), v("b")))});
    SemaOptions opts;
    opts.return_type = f32;
    auto typed = infer(fn, {i64, i64}, opts);
    EXPECT_EQ(typed->return_type, f32);
}

TEST(TypeInference, StoreIntoArrayReturnsNone) {
    // def scale(x, y):
    //     for i in range(x.shape[0]):
    //         y[i] = x[i] * 2
    Expr len = Subscript::make(Attr::make(v("x"), "shape", {}), {lit(int64_t(0))}, {});
    Function fn = untyped(
        "scale", {"x", "y"},
        {range_for("i", len, {Store::make(v("y"), {v("i")},
                                          bin(BinOp::Mul, Subscript::make(v("x"), {v("i")}, {}), lit(int64_t(2))))})});
    Type arr = Type::array(f64, 1, Layout::C);
    auto typed = infer(fn, {arr, Type::array(f32, 1, Layout::C)});
    EXPECT_TRUE(typed->return_type.is_none()) << to_string(*typed);
}

TEST(TypeInference, ArrayThenScalarIsCompileError) {
    // def f(x):
    //     a = x
    //     a = 1
    //     return a
    Function fn = untyped("f", {"x"},
                          {Assign::make("a", v("x")), Assign::make("a", lit(int64_t(1))), Return::make(v("a"))});
    EXPECT_THROW(infer_types(fn, {Type::array(f64, 1)}, SemaOptions{}, nullptr), CompileError);
    // With a scalar argument the same code is fine.
    EXPECT_EQ(infer(fn, {f32})->return_type, f32);
}

TEST(TypeInference, ReturnsOfDifferentKindsAreCompileErrors) {
    // def f(x, c):
    //     if c: return x
    //     return 1.0
    Function fn = untyped("f", {"x", "c"},
                          {If::make(v("c"), Block::make({Return::make(v("x"))}), nullptr), Return::make(lit(1.0))});
    EXPECT_THROW(infer_types(fn, {Type::array(f64, 1), Type::boolean()}, SemaOptions{}, nullptr), CompileError);
    // Scalars unify: float32 array element type vs weak float -> float32.
    EXPECT_EQ(infer(fn, {f32, Type::boolean()})->return_type, f32);

    // def g(c):
    //     if c: return 1
    //     (falls off: returns None)
    Function g = untyped("g", {"c"}, {If::make(v("c"), Block::make({Return::make(lit(int64_t(1)))}), nullptr),
                                      Return::make(nullptr)});
    EXPECT_THROW(infer_types(g, {Type::boolean()}, SemaOptions{}, nullptr), CompileError);
}

TEST(TypeInference, WrongArgumentCountIsCompileError) {
    Function fn = untyped("f", {"a", "b"}, {Return::make(v("a"))});
    EXPECT_THROW(infer_types(fn, {i64}, SemaOptions{}, nullptr), CompileError);
}

TEST(TypeInference, UseBeforeAssignmentIsCompileError) {
    Function fn = untyped("f", {"a"}, {Return::make(bin(BinOp::Add, v("a"), v("undefined")))});
    EXPECT_THROW(infer_types(fn, {i64}, SemaOptions{}, nullptr), CompileError);
}

TEST(TypeInference, ConditionsBecomeBool) {
    // def f(x):
    //     if x: return x - 1
    //     return x + 1
    Function fn = untyped("f", {"x"},
                          {If::make(v("x"), Block::make({Return::make(bin(BinOp::Sub, v("x"), lit(int64_t(1))))}),
                                    nullptr),
                           Return::make(bin(BinOp::Add, v("x"), lit(int64_t(1))))});
    auto typed = infer(fn, {Type::int_(32)});
    EXPECT_EQ(typed->return_type, Type::int_(32)) << to_string(*typed);
    EXPECT_NE(to_string(*typed).find("if (x != "), std::string::npos) << to_string(*typed);
}

TEST(TypeInference, CallWithoutResolverIsCompileError) {
    // A call of another compiled function needs a CalleeResolver.
    Expr callee = Ref::make(RefKind::Dispatcher, "other", {});
    Function fn = untyped("f", {"x"}, {Return::make(UCall::make(callee, {v("x")}, {}, {}))});
    EXPECT_THROW(infer_types(fn, {i64}, SemaOptions{}, nullptr), CompileError);
}

TEST(TypeInference, AssigningNoneIsCompileError) {
    // def f():
    //     a = None
    //     return 1
    Expr none = Ref::make(RefKind::Function, "None", {});  // what the frontend makes of None
    Function fn = untyped("f", {}, {Assign::make("a", none), Return::make(lit(int64_t(1)))});
    EXPECT_THROW(infer_types(fn, {}, SemaOptions{}, nullptr), CompileError);
}

TEST(TypeInference, OutOfRangePythonIntForNarrowTypeIsCompileError) {
    // def f(a): return a + 300      f(np.uint8(1))
    Function fn = untyped("f", {"a"}, {Return::make(bin(BinOp::Add, v("a"), lit(int64_t(300))))});
    EXPECT_THROW(infer_types(fn, {Type::uint(8)}, SemaOptions{}, nullptr), CompileError);
}
