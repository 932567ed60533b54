#include "hotloop/ir/Type.h"

#include "hotloop/ir/Error.h"

namespace hotloop {

Type Type::scalar(ScalarKind k, int bits, bool weak) {
    Type t;
    t.kind_ = Kind::Scalar;
    t.sk_ = k;
    t.bits_ = static_cast<uint8_t>(k == ScalarKind::Bool ? 8 : bits);
    t.weak_ = weak;
    return t;
}

Type Type::array(const Type &elem, int ndim, Layout layout, bool readonly) {
    internal_assert(elem.is_scalar(), "array element must be a scalar, got " + elem.str());
    Type t = elem.strong();
    t.kind_ = Kind::Array;
    t.ndim_ = static_cast<uint8_t>(ndim);
    // A 0-d or 1-d array that is C-contiguous is also F-contiguous; keep one spelling.
    t.layout_ = (ndim <= 1 && layout == Layout::F) ? Layout::C : layout;
    t.readonly_ = readonly;
    return t;
}

Type Type::tuple(std::vector<Type> elems) {
    Type t;
    t.kind_ = Kind::Tuple;
    t.elems_ = std::make_shared<const std::vector<Type>>(std::move(elems));
    return t;
}

Type Type::dtype(const Type &elem) {
    Type t = elem.strong();
    t.kind_ = Kind::DType;
    return t;
}

Type Type::elem() const {
    internal_assert(is_array() || is_dtype(), "elem() of a non-array type " + str());
    return scalar(sk_, bits_);
}

const std::vector<Type> &Type::elems() const {
    internal_assert(is_tuple(), "elems() of a non-tuple type " + str());
    return *elems_;
}

bool Type::operator==(const Type &o) const {
    if (kind_ != o.kind_) return false;
    switch (kind_) {
    case Kind::Unknown:
    case Kind::None: return true;
    case Kind::Scalar: return sk_ == o.sk_ && bits_ == o.bits_;  // weakness is not identity
    case Kind::DType: return sk_ == o.sk_ && bits_ == o.bits_;
    case Kind::Array:
        return sk_ == o.sk_ && bits_ == o.bits_ && ndim_ == o.ndim_ && layout_ == o.layout_ &&
               readonly_ == o.readonly_;
    case Kind::Tuple: return *elems_ == *o.elems_;
    }
    return false;
}

std::string scalar_name(const Type &t) {
    switch (t.scalar_kind()) {
    case ScalarKind::Bool: return "bool";
    case ScalarKind::Int: return "int" + std::to_string(t.bits());
    case ScalarKind::UInt: return "uint" + std::to_string(t.bits());
    case ScalarKind::Float: return "float" + std::to_string(t.bits());
    case ScalarKind::Complex: return "complex" + std::to_string(t.bits());
    }
    return "?";
}

Type scalar_from_name(const std::string &n) {
    if (n == "bool" || n == "bool_" || n == "boolean") return Type::boolean();
    static const struct { const char *name; ScalarKind k; int bits; } table[] = {
        {"int8", ScalarKind::Int, 8},        {"int16", ScalarKind::Int, 16},
        {"int32", ScalarKind::Int, 32},      {"int64", ScalarKind::Int, 64},
        {"uint8", ScalarKind::UInt, 8},      {"uint16", ScalarKind::UInt, 16},
        {"uint32", ScalarKind::UInt, 32},    {"uint64", ScalarKind::UInt, 64},
        {"float32", ScalarKind::Float, 32},  {"float64", ScalarKind::Float, 64},
        {"complex64", ScalarKind::Complex, 64}, {"complex128", ScalarKind::Complex, 128},
        // Numba's and C's aliases.
        {"intp", ScalarKind::Int, 64},       {"uintp", ScalarKind::UInt, 64},
        {"int_", ScalarKind::Int, 64},       {"double", ScalarKind::Float, 64},
        {"single", ScalarKind::Float, 32},   {"float_", ScalarKind::Float, 64},
        {"f4", ScalarKind::Float, 32},       {"f8", ScalarKind::Float, 64},
        {"i4", ScalarKind::Int, 32},         {"i8", ScalarKind::Int, 64},
        {"byte", ScalarKind::Int, 8},        {"short", ScalarKind::Int, 16},
        {"intc", ScalarKind::Int, 32},       {"longlong", ScalarKind::Int, 64},
        {"cfloat", ScalarKind::Complex, 128}, {"cdouble", ScalarKind::Complex, 128},
        {"csingle", ScalarKind::Complex, 64},
    };
    for (const auto &e : table)
        if (n == e.name) return Type::scalar(e.k, e.bits);
    return Type::unknown();
}

std::string Type::str() const {
    switch (kind_) {
    case Kind::Unknown: return "?";
    case Kind::None: return "none";
    case Kind::Scalar: return scalar_name(*this);
    case Kind::DType: return "dtype(" + scalar_name(*this) + ")";
    case Kind::Array: {
        std::string s = scalar_name(*this) + "[";
        for (int i = 0; i < ndim_; i++) {
            if (i) s += ", ";
            bool contiguous_dim = (layout_ == Layout::C && i == ndim_ - 1) ||
                                  (layout_ == Layout::F && i == 0);
            s += contiguous_dim ? "::1" : ":";
        }
        s += "]";
        if (readonly_) s = "readonly " + s;
        return s;
    }
    case Kind::Tuple: {
        std::string s = "(";
        for (size_t i = 0; i < elems_->size(); i++) {
            if (i) s += ", ";
            s += (*elems_)[i].str();
        }
        if (elems_->size() == 1) s += ",";
        return s + ")";
    }
    }
    return "?";
}

}  // namespace hotloop
