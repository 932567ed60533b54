// Numba-style signature strings.
#include <gtest/gtest.h>

#include "hotloop/ir/Error.h"
#include "hotloop/sema/SignatureParser.h"

using namespace hotloop;

TEST(SignatureParser, ArraysAndScalars) {
    Signature s = parse_signature("float32[:](float32[:], float32, float32, int32)");
    EXPECT_EQ(s.return_type, Type::array(Type::float_(32), 1, Layout::A));
    ASSERT_EQ(s.args.size(), 4u);
    EXPECT_EQ(s.args[0], Type::array(Type::float_(32), 1, Layout::A));
    EXPECT_EQ(s.args[1], Type::float_(32));
    EXPECT_EQ(s.args[2], Type::float_(32));
    EXPECT_EQ(s.args[3], Type::int_(32));
    EXPECT_FALSE(s.args[1].weak());
    EXPECT_EQ(s.str(), "float32[:](float32[:], float32, float32, int32)");
}

TEST(SignatureParser, VoidReturnAndCLayout) {
    Signature s = parse_signature("void(float64[:, ::1])");
    EXPECT_TRUE(s.return_type.is_none());
    ASSERT_EQ(s.args.size(), 1u);
    EXPECT_EQ(s.args[0], Type::array(Type::float64(), 2, Layout::C));
}

TEST(SignatureParser, ArgumentListOnly) {
    Signature s = parse_signature("(int64, float64)");
    EXPECT_TRUE(s.return_type.is_unknown());
    ASSERT_EQ(s.args.size(), 2u);
    EXPECT_EQ(s.args[0], Type::int64());
    EXPECT_EQ(s.args[1], Type::float64());
}

TEST(SignatureParser, TupleReturn) {
    Signature s = parse_signature("Tuple((int64, float64))(int64)");
    EXPECT_EQ(s.return_type, Type::tuple({Type::int64(), Type::float64()}));
    ASSERT_EQ(s.args.size(), 1u);
    EXPECT_EQ(s.args[0], Type::int64());

    Signature p = parse_signature("(int64, float64)(int64)");
    EXPECT_EQ(p.return_type, Type::tuple({Type::int64(), Type::float64()}));
}

TEST(SignatureParser, UniTupleReturn) {
    Signature s = parse_signature("UniTuple(float64, 2)(float64)");
    EXPECT_EQ(s.return_type, Type::tuple({Type::float64(), Type::float64()}));
    ASSERT_EQ(s.args.size(), 1u);
    EXPECT_EQ(s.args[0], Type::float64());
}

TEST(SignatureParser, FortranLayout) {
    Signature s = parse_signature("float64[::1, :](int64)");
    EXPECT_EQ(s.return_type, Type::array(Type::float64(), 2, Layout::F));
    EXPECT_EQ(s.return_type.layout(), Layout::F);
    EXPECT_EQ(s.args, std::vector<Type>{Type::int64()});
}

TEST(SignatureParser, PrefixesReadonlyAndNoArgs) {
    Signature s = parse_signature("nb.float64(np.int32, readonly float64[::1])");
    EXPECT_EQ(s.return_type, Type::float64());
    ASSERT_EQ(s.args.size(), 2u);
    EXPECT_EQ(s.args[0], Type::int_(32));
    EXPECT_EQ(s.args[1], Type::array(Type::float64(), 1, Layout::C, true));

    Signature e = parse_signature("int64()");
    EXPECT_EQ(e.return_type, Type::int64());
    EXPECT_TRUE(e.args.empty());
}

TEST(SignatureParser, ParseType) {
    EXPECT_EQ(parse_type("int32[:, ::1]"), Type::array(Type::int_(32), 2, Layout::C));
    EXPECT_EQ(parse_type(" float64 "), Type::float64());
    EXPECT_EQ(parse_type("readonly float64[:]"), Type::array(Type::float64(), 1, Layout::A, true));
    EXPECT_THROW(parse_type("float64 x"), CompileError);
}

TEST(SignatureParser, MalformedThrowsCompileError) {
    for (const char *bad : {
             "float64(float64[:]",        // unclosed argument list
             "floot64(int64)",            // unknown type name
             "float64[:,::2](int64)",     // bad stride
             "float64[:, ::1, :](int64)", // ::1 on a middle dimension
             "float64[::1, ::1](int64)",  // two contiguous dimensions
             "float64(int64) extra",      // trailing text
             "float64",                   // no argument list
             "",                          // nothing
             "readonly float64(int64)",   // readonly on a scalar
             "UniTuple(float64, x)(int64)",
             "(int64,",
         }) {
        EXPECT_THROW(parse_signature(bad), CompileError) << "signature: \"" << bad << "\"";
    }
}

TEST(SignatureParser, ErrorMessageNamesTheProblem) {
    try {
        parse_signature("floot64(int64)");
        FAIL() << "expected CompileError";
    } catch (const CompileError &e) {
        EXPECT_NE(std::string(e.what()).find("floot64"), std::string::npos) << e.what();
        EXPECT_FALSE(e.hint.empty());
    }
}

TEST(SignatureParser, UniTupleCountIsValidated) {
    EXPECT_THROW(parse_signature("UniTuple(float64, )(int64)"), CompileError);
    EXPECT_THROW(parse_signature("UniTuple(float64, 4294967297)(int64)"), CompileError);
    EXPECT_THROW(parse_signature("UniTuple(float64, 99999999999999999999)(int64)"), CompileError);
}
