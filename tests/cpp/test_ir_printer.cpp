// The Python-like text of IR (HOTLOOP_DEBUG=ir, inspect_ir()).
#include <gtest/gtest.h>

#include "hotloop/ir/IR.h"
#include "hotloop/ir/IRPrinter.h"

using namespace hotloop;

namespace {
bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}
#define EXPECT_CONTAINS(text, part) \
    EXPECT_TRUE(contains(text, part)) << "missing: \"" << (part) << "\"\nin:\n" << (text)

const Type i64 = Type::int64();
const Type f64 = Type::float64();
}  // namespace

TEST(IRPrinter, Expressions) {
    Expr x = Var::make("x", i64);
    EXPECT_EQ(to_string(Binary::make(BinOp::Add, x, IntImm::make(1, i64))), "(x + 1)");
    EXPECT_EQ(to_string(Binary::make(BinOp::Pow, x, IntImm::make(2, i64))), "(x ** 2)");
    EXPECT_EQ(to_string(Binary::make(BinOp::FloorDiv, x, IntImm::make(3, i64))), "(x // 3)");
    EXPECT_EQ(to_string(Unary::make(UnOp::Neg, x)), "(-x)");
    EXPECT_EQ(to_string(Compare::make(CmpOp::LE, x, IntImm::make(0, i64))), "(x <= 0)");
    EXPECT_EQ(to_string(Cast::make(Type::float_(32), x)), "float32(x)");
    EXPECT_EQ(to_string(Select::make(BoolImm::make(true), x, IntImm::make(0, i64))), "(x if True else 0)");
    EXPECT_EQ(to_string(MakeTuple::make({x})), "(x,)");
    EXPECT_EQ(to_string(MakeTuple::make({x, IntImm::make(2, i64)})), "(x, 2)");
}

TEST(IRPrinter, FloatConstantsKeepAPoint) {
    EXPECT_EQ(to_string(FloatImm::make(1.0)), "1.0");
    EXPECT_EQ(to_string(FloatImm::make(2.5)), "2.5");
    EXPECT_EQ(to_string(FloatImm::make(-3.0)), "-3.0");
    EXPECT_EQ(to_string(ComplexImm::make(0.0, 1.0)), "complex(0.0, 1.0)");
}

TEST(IRPrinter, ArrayAccessAndLet) {
    Expr a = Var::make("a", Type::array(f64, 2, Layout::C));
    Expr i = Var::make("i", i64), j = Var::make("j", i64);
    EXPECT_EQ(to_string(Load::make(a, {i, j})), "a[i, j]");
    EXPECT_EQ(to_string(ArrayDim::make(a, 1)), "a.shape[1]");
    Expr t = Var::make("t", f64);
    EXPECT_EQ(to_string(Let::make("t", Load::make(a, {i, j}), Binary::make(BinOp::Mul, t, t))),
              "(let t = a[i, j] in (t * t))");
    EXPECT_EQ(to_string(MathCall::make(MathOp::Sqrt, {t}, f64)), "math.Sqrt(t)");
}

TEST(IRPrinter, ReturnStatement) {
    Expr x = Var::make("x", i64);
    EXPECT_EQ(to_string(Return::make(Binary::make(BinOp::Add, x, IntImm::make(1, i64)))), "return (x + 1)\n");
    EXPECT_EQ(to_string(Return::make(nullptr)), "return\n");
    EXPECT_EQ(to_string(Return::make(x), 2), "        return x\n");
}

TEST(IRPrinter, Function) {
    Type arr = Type::array(f64, 1, Layout::C);
    Expr x = Var::make("x", arr), n = Var::make("n", i64), i = Var::make("i", i64), s = Var::make("s", f64);
    Stmt body = Block::make({
        Assign::make("s", FloatImm::make(0.0, f64)),
        For::make("i", IntImm::make(0, i64), n, IntImm::make(1, i64),
                  If::make(Compare::make(CmpOp::GT, Load::make(x, {i}), FloatImm::make(0.0, f64)),
                           Assign::make("s", Binary::make(BinOp::Add, s, Load::make(x, {i}))),
                           Block::make({Continue::make()}))),
        Store::make(x, {IntImm::make(0, i64)}, s),
        Return::make(s),
    });
    Function fn;
    fn.name = "f";
    fn.params = {{"x", arr}, {"n", i64}};
    fn.return_type = f64;
    fn.body = body;
    fn.locals = {{"s", f64}, {"i", i64}};

    std::string text = to_string(fn);
    EXPECT_CONTAINS(text, "def f(x: float64[::1], n: int64) -> float64:\n");
    EXPECT_CONTAINS(text, "\n    s: float64 = 0.0\n");
    EXPECT_CONTAINS(text, "\n    for i in range(0, n, 1):\n");
    EXPECT_CONTAINS(text, "\n        if (x[i] > 0.0):\n");
    EXPECT_CONTAINS(text, "\n            s: float64 = (s + x[i])\n");
    EXPECT_CONTAINS(text, "\n        else:\n            continue\n");
    EXPECT_CONTAINS(text, "\n    x[0] = s\n");
    EXPECT_CONTAINS(text, "\n    return s\n");

    fn.symbol = "f_float64_1d";
    EXPECT_CONTAINS(to_string(fn), "def f_float64_1d(");
}

TEST(IRPrinter, UntypedNodesAndOtherStatements) {
    // What the frontend produces: names without types print without annotations.
    Expr np_sqrt = Ref::make(RefKind::Function, "np.sqrt", {});
    Expr call = UCall::make(np_sqrt, {Var::make("x")}, {{"out", Var::make("y")}}, {});
    EXPECT_EQ(to_string(call), "np.sqrt(x, out=y)");
    EXPECT_EQ(to_string(Assign::make("z", Var::make("x"))), "z = x\n");
    EXPECT_EQ(to_string(Subscript::make(Var::make("a"), {IntImm::make(0)}, {})), "a[0]");
    EXPECT_EQ(to_string(Attr::make(Var::make("a"), "shape", {})), "a.shape");

    EXPECT_EQ(to_string(Block::make({})), "pass\n");
    EXPECT_EQ(to_string(Raise::make(ExcKind::ValueError, "bad")), "raise ValueError(\"bad\")\n");
    EXPECT_EQ(to_string(While::make(BoolImm::make(true), Block::make({Break::make()}))),
              "while True:\n    break\n");
}
