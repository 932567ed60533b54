// NumPy 2 promotion (NEP 50). Expected results were checked against NumPy 2.4:
//   np.promote_types(a, b) for two NumPy values, and (np.<dtype>(1) + <python scalar>).dtype
//   for a weak Python scalar meeting a NumPy value.
#include <gtest/gtest.h>

#include "hotloop/sema/Promotion.h"

using namespace hotloop;

namespace {
Type i(int bits) { return Type::int_(bits); }
Type u(int bits) { return Type::uint(bits); }
Type f(int bits) { return Type::float_(bits); }
Type c(int bits) { return Type::complex(bits); }
Type b() { return Type::boolean(); }
Type weak_int() { return Type::int_(64, true); }
Type weak_float() { return Type::float_(64, true); }
Type weak_complex() { return Type::complex(128, true); }
Type weak_bool() { return Type::boolean(true); }

// promote() must be symmetric; check both orders and return one.
Type promote_both(const Type &a, const Type &b) {
    Type ab = promote(a, b), ba = promote(b, a);
    EXPECT_EQ(ab, ba) << a.str() << " vs " << b.str();
    EXPECT_EQ(ab.weak(), ba.weak()) << a.str() << " vs " << b.str();
    return ab;
}
}  // namespace

TEST(Promotion, StrongIntegers) {
    EXPECT_EQ(promote_both(i(32), i(64)), i(64));
    EXPECT_EQ(promote_both(i(8), i(16)), i(16));
    EXPECT_EQ(promote_both(u(8), u(32)), u(32));
    EXPECT_EQ(promote_both(i(8), u(8)), i(16));        // np.promote_types('int8','uint8')
    EXPECT_EQ(promote_both(u(32), i(8)), i(64));
    EXPECT_EQ(promote_both(i(16), u(32)), i(64));
    EXPECT_EQ(promote_both(i(64), u(64)), f(64));      // no integer holds both
    EXPECT_EQ(promote_both(u(64), i(8)), f(64));
    EXPECT_FALSE(promote(i(32), i(64)).weak());
}

TEST(Promotion, StrongIntWithFloat) {
    EXPECT_EQ(promote_both(i(32), f(32)), f(64));
    EXPECT_EQ(promote_both(u(32), f(32)), f(64));
    EXPECT_EQ(promote_both(i(16), f(32)), f(32));
    EXPECT_EQ(promote_both(u(16), f(32)), f(32));
    EXPECT_EQ(promote_both(i(8), f(32)), f(32));
    EXPECT_EQ(promote_both(i(64), f(64)), f(64));
    EXPECT_EQ(promote_both(f(32), f(64)), f(64));
}

TEST(Promotion, StrongComplex) {
    EXPECT_EQ(promote_both(f(32), c(64)), c(64));
    EXPECT_EQ(promote_both(f(64), c(64)), c(128));
    EXPECT_EQ(promote_both(i(16), c(64)), c(64));
    EXPECT_EQ(promote_both(i(64), c(64)), c(128));
    EXPECT_EQ(promote_both(c(64), c(128)), c(128));
}

TEST(Promotion, StrongBool) {
    EXPECT_EQ(promote_both(b(), b()), b());
    EXPECT_EQ(promote_both(b(), i(8)), i(8));
    EXPECT_EQ(promote_both(b(), u(16)), u(16));
    EXPECT_EQ(promote_both(b(), f(32)), f(32));
    EXPECT_EQ(promote_both(b(), c(64)), c(64));
}

TEST(Promotion, PromoteStrongIgnoresWeakness) {
    EXPECT_EQ(promote_strong(weak_int(), i(8)), i(64));
    EXPECT_FALSE(promote_strong(weak_float(), f(32)).weak());
    EXPECT_EQ(promote_strong(weak_float(), f(32)), f(64));
}

TEST(Promotion, WeakScalarYieldsToSameOrHigherKind) {
    // np.int32(1) + 1 -> int32 ; np.uint8(1) + 1 -> uint8 ; np.float32(1) + 1.5 -> float32
    EXPECT_EQ(promote_both(weak_int(), i(32)), i(32));
    EXPECT_EQ(promote_both(weak_int(), u(8)), u(8));
    EXPECT_EQ(promote_both(weak_int(), f(32)), f(32));
    EXPECT_EQ(promote_both(weak_float(), f(32)), f(32));
    EXPECT_EQ(promote_both(weak_float(), c(64)), c(64));
    EXPECT_EQ(promote_both(weak_bool(), i(8)), i(8));
    EXPECT_FALSE(promote(weak_int(), i(32)).weak());
}

TEST(Promotion, WeakScalarOfHigherKind) {
    // np.int32(1) + 1.5 -> float64 ; np.float32(1) + 1j -> complex64
    EXPECT_EQ(promote_both(weak_float(), i(32)), f(64));
    EXPECT_EQ(promote_both(weak_float(), i(8)), f(64));
    EXPECT_EQ(promote_both(weak_complex(), f(32)), c(64));
    EXPECT_EQ(promote_both(weak_complex(), f(64)), c(128));
    EXPECT_EQ(promote_both(weak_complex(), i(16)), c(128));
    // np.bool_(True) + 1 -> int64 ; np.bool_(True) + 1.5 -> float64
    EXPECT_EQ(promote_both(weak_int(), b()), i(64));
    EXPECT_EQ(promote_both(weak_float(), b()), f(64));
    EXPECT_FALSE(promote(weak_float(), i(32)).weak());
}

TEST(Promotion, WeakWithWeakIsWeakOfHigherKind) {
    Type r = promote_both(weak_int(), weak_float());
    EXPECT_EQ(r, f(64));
    EXPECT_TRUE(r.weak());

    r = promote_both(weak_int(), weak_int());
    EXPECT_EQ(r, i(64));
    EXPECT_TRUE(r.weak());

    r = promote_both(weak_bool(), weak_int());
    EXPECT_EQ(r, i(64));
    EXPECT_TRUE(r.weak());

    r = promote_both(weak_float(), weak_complex());
    EXPECT_EQ(r, c(128));
    EXPECT_TRUE(r.weak());

    r = promote_both(weak_bool(), weak_bool());
    EXPECT_TRUE(r.is_bool());
    EXPECT_TRUE(r.weak());
}

TEST(Promotion, NonScalarsDoNotPromote) {
    Type arr = Type::array(f(64), 1);
    EXPECT_TRUE(promote(arr, f(64)).is_unknown());
    EXPECT_TRUE(promote(Type::none(), i(64)).is_unknown());
}

TEST(Unify, ScalarsPromote) {
    EXPECT_EQ(unify(Type(), i(32)), i(32));
    EXPECT_EQ(unify(i(32), Type()), i(32));
    EXPECT_EQ(unify(i(32), i(64)), i(64));
    Type w = unify(weak_int(), weak_float());
    EXPECT_EQ(w, f(64));
    EXPECT_TRUE(w.weak());
}

TEST(Unify, ArraysWithDifferentLayoutsBecomeA) {
    Type c2 = Type::array(f(64), 2, Layout::C);
    Type f2 = Type::array(f(64), 2, Layout::F);
    Type r = unify(c2, f2);
    ASSERT_TRUE(r.is_array());
    EXPECT_EQ(r.layout(), Layout::A);
    EXPECT_EQ(r.ndim(), 2);
    EXPECT_EQ(r.elem(), f(64));
    EXPECT_EQ(unify(c2, c2), c2);
    // Readonly wins.
    EXPECT_TRUE(unify(c2, c2.with_readonly(true)).readonly());
}

TEST(Unify, IncompatibleIsUnknown) {
    Type a1 = Type::array(f(64), 1);
    EXPECT_TRUE(unify(a1, f(64)).is_unknown());
    EXPECT_TRUE(unify(a1, Type::array(f(32), 1)).is_unknown());
    EXPECT_TRUE(unify(a1, Type::array(f(64), 2)).is_unknown());
    EXPECT_TRUE(unify(Type::tuple({i(64)}), Type::tuple({i(64), i(64)})).is_unknown());
    EXPECT_TRUE(unify(Type::tuple({i(64)}), i(64)).is_unknown());
}

TEST(Unify, TuplesElementwise) {
    Type r = unify(Type::tuple({i(32), f(32)}), Type::tuple({i(64), f(64)}));
    EXPECT_EQ(r, Type::tuple({i(64), f(64)}));
}

TEST(Promotion, FloatTypeFor) {
    EXPECT_EQ(float_type_for(i(32)), f(64));
    EXPECT_EQ(float_type_for(u(8)), f(64));
    EXPECT_EQ(float_type_for(b()), f(64));
    EXPECT_EQ(float_type_for(f(32)), f(32));
    EXPECT_EQ(float_type_for(c(64)), c(64));
    EXPECT_TRUE(float_type_for(weak_int()).weak());
    EXPECT_FALSE(float_type_for(i(32)).weak());
}

TEST(Promotion, CanConvertArg) {
    EXPECT_TRUE(can_convert_arg(i(32), i(32)));
    EXPECT_TRUE(can_convert_arg(i(32), i(64)));
    EXPECT_TRUE(can_convert_arg(i(64), f(32)));
    EXPECT_TRUE(can_convert_arg(f(64), c(128)));
    EXPECT_FALSE(can_convert_arg(f(64), i(64)));      // no implicit float -> int
    EXPECT_FALSE(can_convert_arg(c(128), f(64)));
    EXPECT_TRUE(can_convert_arg(weak_float(), i(64)));  // Python scalars convert freely

    Type c1 = Type::array(f(64), 1, Layout::C);
    Type a1 = Type::array(f(64), 1, Layout::A);
    EXPECT_TRUE(can_convert_arg(c1, a1));
    EXPECT_FALSE(can_convert_arg(a1, c1));
    EXPECT_FALSE(can_convert_arg(c1.with_readonly(true), c1));
    EXPECT_TRUE(can_convert_arg(c1, c1.with_readonly(true)));
    EXPECT_FALSE(can_convert_arg(c1, Type::array(f(32), 1, Layout::C)));
    EXPECT_FALSE(can_convert_arg(c1, f(64)));
}
