#include "hotloop/sema/Promotion.h"

#include <algorithm>

namespace hotloop {

namespace {

// Rank of the kind category: bool < integer < float < complex.
int category(const Type &t) {
    switch (t.scalar_kind()) {
    case ScalarKind::Bool: return 0;
    case ScalarKind::Int:
    case ScalarKind::UInt: return 1;
    case ScalarKind::Float: return 2;
    case ScalarKind::Complex: return 3;
    }
    return 0;
}

// The smallest float that holds every value of integer type t exactly enough (NumPy's rule).
int float_bits_for_int(const Type &t) { return t.bits() <= 16 ? 32 : 64; }

Type promote_ints(const Type &a, const Type &b) {
    bool sa = a.is_signed_int(), sb = b.is_signed_int();
    if (sa == sb) return Type::scalar(a.scalar_kind(), std::max(a.bits(), b.bits()));
    const Type &s = sa ? a : b;  // signed
    const Type &u = sa ? b : a;  // unsigned
    if (s.bits() > u.bits()) return s;
    if (u.bits() < 64) return Type::int_(u.bits() * 2);
    return Type::float64();  // int64 with uint64
}

}  // namespace

Type promote_strong(const Type &a0, const Type &b0) {
    Type a = a0.strong(), b = b0.strong();
    if (a == b) return a;
    int ca = category(a), cb = category(b);
    if (ca < cb) std::swap(a, b), std::swap(ca, cb);  // a has the higher category
    switch (ca) {
    case 0: return Type::boolean();
    case 1: return cb == 0 ? a : promote_ints(a, b);
    case 2:
        if (cb == 2) return Type::float_(std::max(a.bits(), b.bits()));
        if (cb == 1) return Type::float_(std::max(a.bits(), float_bits_for_int(b)));
        return a;
    default: {
        int part = a.bits() / 2;
        if (cb == 3) part = std::max(part, b.bits() / 2);
        else if (cb == 2) part = std::max(part, b.bits());
        else if (cb == 1) part = std::max(part, float_bits_for_int(b));
        return Type::complex(part * 2);
    }
    }
}

Type promote(const Type &a, const Type &b) {
    if (!a.is_scalar() || !b.is_scalar()) return Type::unknown();
    if (a.weak() && b.weak()) {
        int c = std::max(category(a), category(b));
        switch (c) {
        case 0: return Type::boolean(true);
        case 1: return Type::int_(64, true);
        case 2: return Type::float_(64, true);
        default: return Type::complex(128, true);
        }
    }
    if (!a.weak() && !b.weak()) return promote_strong(a, b);
    const Type &w = a.weak() ? a : b;  // the Python scalar
    const Type &s = a.weak() ? b : a;  // the NumPy value
    int cw = category(w), cs = category(s);
    if (cw <= cs) return s;
    // The Python scalar is of a higher kind: its kind, at the NumPy value's precision
    // where that makes sense (float32 with a Python complex is complex64).
    if (cw == 1) return Type::int64();
    if (cw == 2) return Type::float64();
    return cs == 2 ? Type::complex(s.bits() * 2) : Type::complex(128);
}

Type unify(const Type &a, const Type &b) {
    if (a.is_unknown()) return b;
    if (b.is_unknown()) return a;
    if (a == b) return a;
    if (a.is_scalar() && b.is_scalar()) return promote(a, b);
    if (a.is_array() && b.is_array()) {
        if (a.elem() != b.elem() || a.ndim() != b.ndim()) return Type::unknown();
        Layout l = a.layout() == b.layout() ? a.layout() : Layout::A;
        return Type::array(a.elem(), a.ndim(), l, a.readonly() || b.readonly());
    }
    if (a.is_tuple() && b.is_tuple() && a.elems().size() == b.elems().size()) {
        std::vector<Type> es;
        for (size_t i = 0; i < a.elems().size(); i++) {
            Type u = unify(a.elems()[i], b.elems()[i]);
            if (u.is_unknown()) return u;
            es.push_back(u);
        }
        return Type::tuple(std::move(es));
    }
    return Type::unknown();
}

Type float_type_for(const Type &t) {
    if (t.is_float() || t.is_complex()) return t;
    return Type::float_(64, t.weak());
}

bool can_convert_arg(const Type &from, const Type &to) {
    if (from == to) return true;
    if (from.is_scalar() && to.is_scalar()) {
        // Numbers convert within and upward across kinds, as Numba does for explicit signatures.
        return category(from) <= category(to) || from.weak();
    }
    if (from.is_array() && to.is_array()) {
        if (from.elem() != to.elem() || from.ndim() != to.ndim()) return false;
        if (from.readonly() && !to.readonly()) return false;
        return to.layout() == Layout::A || to.layout() == from.layout();
    }
    if (from.is_tuple() && to.is_tuple() && from.elems().size() == to.elems().size()) {
        for (size_t i = 0; i < from.elems().size(); i++)
            if (!can_convert_arg(from.elems()[i], to.elems()[i])) return false;
        return true;
    }
    return false;
}

}  // namespace hotloop
