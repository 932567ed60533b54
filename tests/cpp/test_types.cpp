// Type: construction, equality, printed names, dtype names.
#include <gtest/gtest.h>

#include "hotloop/ir/Type.h"

using namespace hotloop;

TEST(Type, ScalarConstruction) {
    Type f = Type::float_(32);
    EXPECT_TRUE(f.is_scalar());
    EXPECT_TRUE(f.is_float());
    EXPECT_FALSE(f.is_int());
    EXPECT_EQ(f.bits(), 32);
    EXPECT_EQ(f.bytes(), 4);

    Type u = Type::uint(16);
    EXPECT_TRUE(u.is_int());
    EXPECT_TRUE(u.is_uint());
    EXPECT_FALSE(u.is_signed_int());
    EXPECT_TRUE(u.is_integral());

    Type b = Type::boolean();
    EXPECT_TRUE(b.is_bool());
    EXPECT_TRUE(b.is_integral());
    EXPECT_EQ(b.bytes(), 1);

    EXPECT_TRUE(Type::complex(128).is_complex());
    EXPECT_TRUE(Type().is_unknown());
    EXPECT_TRUE(Type::none().is_none());
}

TEST(Type, WeaknessIsNotPartOfEquality) {
    Type weak = Type::int_(64, true);
    Type strong = Type::int64();
    EXPECT_TRUE(weak.weak());
    EXPECT_FALSE(strong.weak());
    EXPECT_EQ(weak, strong);
    EXPECT_FALSE(weak.strong().weak());
    EXPECT_TRUE(strong.with_weak(true).weak());
    EXPECT_NE(Type::int_(32), Type::int64());
    EXPECT_NE(Type::int_(32), Type::uint(32));
    EXPECT_NE(Type::float_(64), Type::int64());
}

TEST(Type, ArrayConstructionAndEquality) {
    Type a = Type::array(Type::float_(32), 2, Layout::C);
    EXPECT_TRUE(a.is_array());
    EXPECT_EQ(a.ndim(), 2);
    EXPECT_EQ(a.layout(), Layout::C);
    EXPECT_FALSE(a.readonly());
    EXPECT_EQ(a.elem(), Type::float_(32));
    EXPECT_TRUE(a.elem().is_scalar());

    EXPECT_EQ(a, Type::array(Type::float_(32), 2, Layout::C));
    EXPECT_NE(a, Type::array(Type::float_(32), 2, Layout::A));
    EXPECT_NE(a, Type::array(Type::float_(32), 1, Layout::C));
    EXPECT_NE(a, Type::array(Type::float_(64), 2, Layout::C));
    EXPECT_NE(a, a.with_readonly(true));
    EXPECT_NE(a, Type::float_(32));
}

TEST(Type, ArrayElementIsStrong) {
    Type a = Type::array(Type::float_(64, true), 1);
    EXPECT_FALSE(a.elem().weak());
}

TEST(Type, OneDimensionalFLayoutIsC) {
    EXPECT_EQ(Type::array(Type::float64(), 1, Layout::F).layout(), Layout::C);
    EXPECT_EQ(Type::array(Type::float64(), 2, Layout::F).layout(), Layout::F);
}

TEST(Type, TupleEquality) {
    Type t = Type::tuple({Type::int64(), Type::float64()});
    EXPECT_TRUE(t.is_tuple());
    ASSERT_EQ(t.elems().size(), 2u);
    EXPECT_EQ(t, Type::tuple({Type::int64(), Type::float64()}));
    EXPECT_NE(t, Type::tuple({Type::float64(), Type::int64()}));
    EXPECT_NE(t, Type::tuple({Type::int64()}));
}

TEST(Type, StrSpellings) {
    EXPECT_EQ(Type::float64().str(), "float64");
    EXPECT_EQ(Type::int_(8).str(), "int8");
    EXPECT_EQ(Type::uint(32).str(), "uint32");
    EXPECT_EQ(Type::boolean().str(), "bool");
    EXPECT_EQ(Type::complex(64).str(), "complex64");
    EXPECT_EQ(Type::none().str(), "none");
    EXPECT_EQ(Type::array(Type::float_(32), 2, Layout::C).str(), "float32[:, ::1]");
    EXPECT_EQ(Type::array(Type::float_(32), 2, Layout::F).str(), "float32[::1, :]");
    EXPECT_EQ(Type::array(Type::float64(), 1, Layout::C).str(), "float64[::1]");
    EXPECT_EQ(Type::array(Type::int64(), 1, Layout::A).str(), "int64[:]");
    EXPECT_EQ(Type::array(Type::int64(), 3, Layout::A).str(), "int64[:, :, :]");
    EXPECT_EQ(Type::array(Type::float64(), 1, Layout::A, true).str(), "readonly float64[:]");
    EXPECT_EQ(Type::tuple({Type::int64(), Type::float64()}).str(), "(int64, float64)");
    EXPECT_EQ(Type::tuple({Type::int64()}).str(), "(int64,)");
}

TEST(Type, ScalarFromName) {
    EXPECT_EQ(scalar_from_name("float64"), Type::float64());
    EXPECT_EQ(scalar_from_name("int32"), Type::int_(32));
    EXPECT_EQ(scalar_from_name("uint8"), Type::uint(8));
    EXPECT_EQ(scalar_from_name("complex128"), Type::complex(128));
    EXPECT_EQ(scalar_from_name("bool"), Type::boolean());
    EXPECT_EQ(scalar_from_name("bool_"), Type::boolean());
    // Numba / C aliases.
    EXPECT_EQ(scalar_from_name("intp"), Type::int64());
    EXPECT_EQ(scalar_from_name("double"), Type::float64());
    EXPECT_EQ(scalar_from_name("single"), Type::float_(32));
    EXPECT_EQ(scalar_from_name("f4"), Type::float_(32));
    EXPECT_EQ(scalar_from_name("i8"), Type::int64());
    EXPECT_EQ(scalar_from_name("intc"), Type::int_(32));
    EXPECT_EQ(scalar_from_name("csingle"), Type::complex(64));
    EXPECT_FALSE(scalar_from_name("float64").weak());
    // Not dtype names.
    EXPECT_TRUE(scalar_from_name("floot64").is_unknown());
    EXPECT_TRUE(scalar_from_name("").is_unknown());
    EXPECT_TRUE(scalar_from_name("float16").is_unknown());
}

TEST(Type, ScalarNameRoundTrip) {
    for (const char *n : {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                          "uint64", "float32", "float64", "complex64", "complex128"}) {
        EXPECT_EQ(scalar_name(scalar_from_name(n)), n);
    }
}
