// Types of hotloop values: scalars, arrays, tuples, none.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hotloop {

enum class ScalarKind : uint8_t { Bool, Int, UInt, Float, Complex };
enum class Layout : uint8_t { C, F, A };

// A value type. Small and copyable; tuple element types are shared.
// `weak` marks a Python scalar (int, float, bool, complex) whose dtype yields to
// NumPy scalars and array elements in promotion (NEP 50).
class Type {
public:
    enum class Kind : uint8_t { Unknown, None, Scalar, Array, Tuple, DType };

    Type() = default;
    static Type unknown() { return Type(); }
    static Type none() { Type t; t.kind_ = Kind::None; return t; }
    static Type scalar(ScalarKind k, int bits, bool weak = false);
    static Type boolean(bool weak = false) { return scalar(ScalarKind::Bool, 8, weak); }
    static Type int_(int bits, bool weak = false) { return scalar(ScalarKind::Int, bits, weak); }
    static Type uint(int bits) { return scalar(ScalarKind::UInt, bits); }
    static Type float_(int bits, bool weak = false) { return scalar(ScalarKind::Float, bits, weak); }
    static Type complex(int bits, bool weak = false) { return scalar(ScalarKind::Complex, bits, weak); }
    static Type int64() { return int_(64); }
    static Type float64() { return float_(64); }
    static Type array(const Type &elem, int ndim, Layout layout = Layout::A, bool readonly = false);
    static Type tuple(std::vector<Type> elems);
    // The type of a dtype object (np.float32, float, ...) used as an argument.
    static Type dtype(const Type &elem);

    Kind kind() const { return kind_; }
    bool is_unknown() const { return kind_ == Kind::Unknown; }
    bool is_none() const { return kind_ == Kind::None; }
    bool is_scalar() const { return kind_ == Kind::Scalar; }
    bool is_array() const { return kind_ == Kind::Array; }
    bool is_tuple() const { return kind_ == Kind::Tuple; }
    bool is_dtype() const { return kind_ == Kind::DType; }

    // Scalars (and the element of arrays / dtypes).
    ScalarKind scalar_kind() const { return sk_; }
    int bits() const { return bits_; }
    int bytes() const { return sk_ == ScalarKind::Bool ? 1 : bits_ / 8; }
    bool weak() const { return weak_; }
    bool is_bool() const { return is_scalar() && sk_ == ScalarKind::Bool; }
    bool is_int() const { return is_scalar() && (sk_ == ScalarKind::Int || sk_ == ScalarKind::UInt); }
    bool is_signed_int() const { return is_scalar() && sk_ == ScalarKind::Int; }
    bool is_uint() const { return is_scalar() && sk_ == ScalarKind::UInt; }
    bool is_float() const { return is_scalar() && sk_ == ScalarKind::Float; }
    bool is_complex() const { return is_scalar() && sk_ == ScalarKind::Complex; }
    bool is_numeric() const { return is_scalar(); }
    // bool/int/uint: values that index arrays and count loops.
    bool is_integral() const { return is_scalar() && sk_ <= ScalarKind::UInt; }
    Type with_weak(bool w) const { Type t = *this; t.weak_ = w; return t; }
    Type strong() const { return with_weak(false); }

    // Arrays.
    Type elem() const;  // element type of an array or dtype
    int ndim() const { return ndim_; }
    Layout layout() const { return layout_; }
    bool readonly() const { return readonly_; }
    Type with_layout(Layout l) const { Type t = *this; t.layout_ = l; return t; }
    Type with_readonly(bool r) const { Type t = *this; t.readonly_ = r; return t; }

    // Tuples.
    const std::vector<Type> &elems() const;

    bool operator==(const Type &o) const;
    bool operator!=(const Type &o) const { return !(*this == o); }

    // NumPy-style name: "float64", "float32[:, ::1]", "(int64, float64)", "none".
    std::string str() const;

private:
    Kind kind_ = Kind::Unknown;
    ScalarKind sk_ = ScalarKind::Int;
    uint8_t bits_ = 0;
    bool weak_ = false;
    uint8_t ndim_ = 0;
    Layout layout_ = Layout::A;
    bool readonly_ = false;
    std::shared_ptr<const std::vector<Type>> elems_;
};

// dtype name of a scalar type ("int32", "float64", "bool", "complex128").
std::string scalar_name(const Type &t);
// Parses "float64", "int32", "bool", "complex64", ... Unknown() if not a dtype name.
Type scalar_from_name(const std::string &name);

}  // namespace hotloop
