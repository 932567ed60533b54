#include "hotloop/sema/Builtins.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>

#include "hotloop/ir/IRPrinter.h"
#include "hotloop/sema/Promotion.h"

namespace hotloop {

namespace {

enum class MathRule { FloatFn, Predicate, ToInt, Complex, Random };

struct MathEntry { const char *name; MathOp op; };
const MathEntry math_names[] = {
#define HL_MATH_NAME(N, E) {N, MathOp::E},
#include "hotloop/ir/ops.def"
#undef HL_MATH_NAME
};

MathRule math_rule(MathOp op) {
    switch (op) {
#define HL_MATH(E, N, R, I, L) case MathOp::E: return MathRule::R;
#include "hotloop/ir/ops.def"
#undef HL_MATH
    }
    return MathRule::FloatFn;
}

const OperatorUfunc operator_ufuncs[] = {
    {"np.add", BinOp::Add}, {"np.subtract", BinOp::Sub}, {"np.multiply", BinOp::Mul},
    {"np.divide", BinOp::Div}, {"np.true_divide", BinOp::Div}, {"np.floor_divide", BinOp::FloorDiv},
    {"np.power", BinOp::Pow}, {"np.remainder", BinOp::Mod}, {"np.mod", BinOp::Mod},
    {"np.bitwise_and", BinOp::BitAnd}, {"np.bitwise_or", BinOp::BitOr}, {"np.bitwise_xor", BinOp::BitXor},
    {"np.left_shift", BinOp::Shl}, {"np.right_shift", BinOp::Shr},
    {"np.equal", CmpOp::EQ}, {"np.not_equal", CmpOp::NE}, {"np.less", CmpOp::LT},
    {"np.less_equal", CmpOp::LE}, {"np.greater", CmpOp::GT}, {"np.greater_equal", CmpOp::GE},
    {"np.negative", UnOp::Neg}, {"np.positive", UnOp::Pos}, {"np.invert", UnOp::Invert},
    {"np.bitwise_not", UnOp::Invert},
    {"np.logical_and", LogicalUfunc::And}, {"np.logical_or", LogicalUfunc::Or},
    {"np.logical_xor", LogicalUfunc::Xor}, {"np.logical_not", LogicalUfunc::Not},
};

const char *elementwise_names[] = {"abs", "np.abs", "np.absolute", "np.maximum", "np.minimum", "np.fmax",
                                   "np.fmin", "np.sign", "np.square", "np.where", "np.round", "np.around",
                                   "np.real", "np.imag", "np.conj", "np.conjugate", "complex",
                                   "np.float_power", "np.reciprocal", "np.deg2rad", "np.radians",
                                   "np.rad2deg", "np.degrees", "np.heaviside"};

const char *array_function_names[] = {"np.sum", "np.prod", "np.min", "np.max", "np.amin", "np.amax", "np.mean",
                                      "np.argmin", "np.argmax", "np.any", "np.all", "np.dot", "np.copy",
                                      "np.arange", "np.linspace", "np.full", "np.full_like", "np.reshape",
                                      "np.ravel", "np.array", "np.asarray", "np.random.seed", "np.random.rand",
                                      "np.random.randn", "np.random.random", "np.random.random_sample",
                                      "np.random.standard_normal", "np.random.normal", "np.random.uniform",
                                      "np.random.randint", "np.roll"};

const char *other_names[] = {"len", "abs", "min", "max", "int", "float", "bool", "round",
                             "np.abs", "np.absolute", "np.maximum", "np.minimum", "np.fmax", "np.fmin",
                             "np.empty", "np.zeros", "np.ones", "np.empty_like", "np.zeros_like",
                             "np.ones_like", "np.round", "np.around", "np.sign", "np.square",
                             "np.float_power", "np.reciprocal", "np.deg2rad", "np.radians", "np.rad2deg",
                             "np.degrees", "np.heaviside"};

size_t edit_distance(const std::string &a, const std::string &b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); j++) prev[j] = j;
    for (size_t i = 1; i <= a.size(); i++) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); j++)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::atomic<int> let_counter{0};
std::string fresh() { return "$b" + std::to_string(let_counter++); }

class Lowerer {
public:
    Lowerer(const BuiltinCall &c, const BuiltinHelpers &h) : c(c), h(h) {}
    const BuiltinCall &c;
    const BuiltinHelpers &h;

    [[noreturn]] void error(const std::string &what, const std::string &hint = "") {
        throw CompileError(c.loc, what, hint);
    }
    void arity(size_t lo, size_t hi) {
        size_t n = c.args.size();
        if (n < lo || n > hi) {
            std::string want = lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi);
            error(c.name + "() takes " + want + " argument" + (hi == 1 ? "" : "s") + ", got " + std::to_string(n),
                  "check the call's arguments");
        }
    }
    void no_kwargs(std::initializer_list<const char *> allowed = {}) {
        for (auto &[k, v] : c.kwargs) {
            bool ok = false;
            for (auto *a : allowed) ok = ok || k == a;
            if (!ok) unsupported_ufunc_kwarg(c.name, k, c.loc);
        }
    }
    const Expr &scalar_arg(size_t i) {
        const Expr &a = c.args[i];
        if (a->type.is_scalar()) return a;
        if (a->type.is_array())
            error(c.name + "() of a whole array is not supported yet", "apply it to each element in a loop");
        error(c.name + "() needs a number, got '" + to_string(a) + "'", "pass a number");
    }
    Expr conv(const Expr &e, const Type &t) { return h.convert(e, t, c.loc, "calling " + c.name + "()"); }

    Expr lower() {
        Expr r = lower_named();
        // NumPy functions return NumPy values: np.sqrt(2) and np.maximum(2, 3) are strong
        // float64/int64 (NEP 50), unlike math.sqrt(2) or a Python number.
        const std::string &n = c.name;
        if (r && n.rfind("np.", 0) == 0 && n.rfind("np.random.", 0) != 0 && r->type.is_scalar() && r->type.weak())
            r = r->as<IntImm>() || r->as<FloatImm>() ? conv(r, r->type.strong()) : Cast::make(r->type.strong(), r);
        return r;
    }

    Expr lower_named() {
        const std::string &n = c.name;
        if (!c.dtype.is_unknown()) return dtype_call();
        for (auto &m : math_names) if (n == m.name) return math(m.op);
        if (n == "len") return len();
        if (n == "$unpack") return unpack_check();
        if (n == "abs" || n == "np.abs" || n == "np.absolute") return abs();
        if (n == "min" || n == "max") return minmax(n == "max", /*propagate_nan=*/false);
        if (n == "np.maximum" || n == "np.minimum") { arity(2, 2); no_kwargs(); return minmax(n == "np.maximum", true); }
        if (n == "np.fmax" || n == "np.fmin") { arity(2, 2); no_kwargs(); return fminmax(n == "np.fmax"); }
        if (n == "int" || n == "float" || n == "bool") return py_type_call();
        if (n == "round" || n == "np.round" || n == "np.around") return round();
        if (n == "np.sign") return sign();
        if (n == "np.where") {
            arity(3, 3);
            no_kwargs();
            Type t = promote(scalar_arg(1)->type, scalar_arg(2)->type);
            return Select::make(h.truthy(scalar_arg(0)), conv(c.args[1], t), conv(c.args[2], t), t, c.loc);
        }
        if (n == "np.square") { arity(1, 1); no_kwargs(); Expr a = scalar_arg(0); return Binary::make(BinOp::Mul, a, a, a->type, c.loc); }
        if (n == "np.float_power") return float_power();
        if (n == "np.reciprocal") return reciprocal();
        if (n == "np.deg2rad" || n == "np.radians") return scale_angle(M_PI / 180.0, float(M_PI) / 180.0f);
        if (n == "np.rad2deg" || n == "np.degrees") return scale_angle(180.0 / M_PI, 180.0f / float(M_PI));
        if (n == "np.heaviside") return heaviside();
        if (n.rfind("np.random.", 0) == 0) return random(n.substr(10));
        if (n == "np.empty" || n == "np.zeros" || n == "np.ones") return alloc(false);
        if (n == "np.empty_like" || n == "np.zeros_like" || n == "np.ones_like") return alloc(true);
        if (n == "range" || n == "prange" || n == "hotloop.prange" || n == "numba.prange")
            error(n + "() can only be used as the iterable of a for loop", "write for i in range(...):");
        if (n == "slice") error("slicing is not supported yet", "index one element at a time with integers in a loop");
        if (n == "print") error("print() is a statement in compiled code: its value (None) cannot be used", "call print(...) on a line of its own");
        if (n == "None") error("None is not callable", "");
        if (n == "complex") return make_complex();
        if (n == "np.real" || n == "np.imag" || n == "np.conj" || n == "np.conjugate") {
            arity(1, 1);
            no_kwargs();
            return complex_part(n == "np.real" ? MathOp::Real : n == "np.imag" ? MathOp::Imag : MathOp::Conj, scalar_arg(0), h, c.loc);
        }
        unsupported();
    }

    [[noreturn]] void unsupported() {
        error("'" + c.name + "' is not supported in compiled code", unsupported_hint(c.name));
    }

    Expr math(MathOp op) {
        no_kwargs();
        int ar = math_arity(op);
        arity(ar, ar);
        bool is_cmath = c.name.rfind("cmath.", 0) == 0;
        Type t;
        for (int i = 0; i < ar; i++) {
            Expr a = scalar_arg(i);
            if (a->type.is_complex() || (is_cmath && math_rule(op) == MathRule::FloatFn)) return complex_math(op, a);
            t = i ? promote(t, a->type) : a->type;
        }
        Type ft = float_type_for(t);
        std::vector<Expr> args;
        for (int i = 0; i < ar; i++) args.push_back(conv(c.args[i], ft));
        Type rt = ft;
        switch (math_rule(op)) {
        case MathRule::FloatFn: break;
        case MathRule::Predicate: rt = Type::boolean(ft.weak()); break;
        case MathRule::ToInt: rt = Type::int_(64, true); break;
        case MathRule::Complex:
        case MathRule::Random: internal_error("special math op called by name");
        }
        // Predicates and floor/ceil of integers need no float round trip.
        if (t.is_integral() && math_rule(op) == MathRule::Predicate) {
            // NumPy bools (strong): ~np.isnan(3) is False, not Python's ~False == -1.
            if (op == MathOp::Signbit)
                return Compare::make(CmpOp::LT, c.args[0], conv(IntImm::make(0, Type::int_(64, true), c.loc), t),
                                     Type::boolean(), c.loc);
            // x == x rather than a constant: x is still computed, with its errors (c ** -1).
            std::string v = fresh();
            Expr x = Var::make(v, c.args[0]->type, c.loc);
            return Let::make(v, c.args[0], Compare::make(op == MathOp::IsFinite ? CmpOp::EQ : CmpOp::NE, x, x,
                                                         Type::boolean(), c.loc));
        }
        if (op == MathOp::Fmod && c.name == "np.fmod" && t.is_integral()) return int_fmod(t.is_bool() ? Type::int_(8) : t);
        if (t.is_integral() && math_rule(op) == MathRule::ToInt) return conv(c.args[0], Type::int_(64, true));
        // NumPy 2: np.floor/ceil/trunc of integers (and bools) are those integers.
        if (t.is_integral() && (op == MathOp::Floor || op == MathOp::Ceil || op == MathOp::Trunc))
            return c.args[0];
        return MathCall::make(op, std::move(args), rt, c.loc);
    }

    // A function of a complex number (or any cmath function): the runtime's complex version
    // (runtime/ComplexMath.cpp), in the argument's precision; cmath's result is a Python
    // complex, computed in double precision.
    Expr complex_math(MathOp op, const Expr &z) {
        if (math_arity(op) == 1 && math_rule(op) == MathRule::Predicate && op != MathOp::Signbit)
            return complex_predicate(op, z);
        if (op == MathOp::Rint) return per_part(z);
        bool is_math = c.name.rfind("math.", 0) == 0;
        if (is_math || !has_complex_version(op) || math_arity(op) != 1) {
            std::string fn = c.name.substr(c.name.find('.') + 1);
            error(c.name + "() of a complex number is not supported" + (is_math ? " (math works on real numbers)" : ""),
                  is_math && has_complex_version(op) ? "use cmath." + fn + "() or np." + fn + "()" : "");
        }
        Type t = c.name.rfind("cmath.", 0) == 0 ? Type::complex(128, true) : z->type;
        return MathCall::make(op, {conv(z, t)}, t, c.loc);
    }

    // A rounding function of a complex number rounds each part (NumPy's rule): the same
    // call on the real part and on the imaginary part.
    Expr per_part(const Expr &z) {
        std::string v = fresh();
        Expr x = Var::make(v, z->type, c.loc);
        BuiltinCall part = c;
        part.args[0] = complex_part(MathOp::Real, x, h, c.loc);
        Expr re = Lowerer(part, h).lower_named();
        part.args[0] = complex_part(MathOp::Imag, x, h, c.loc);
        Expr im = Lowerer(part, h).lower_named();
        return Let::make(v, z, MathCall::make(MathOp::MakeComplex, {re, im}, z->type, c.loc));
    }

    // isnan/isinf of a complex number: of either part; isfinite: of both (NumPy's rule).
    Expr complex_predicate(MathOp op, const Expr &z) {
        std::string v = fresh();
        Expr x = Var::make(v, z->type, c.loc);
        Expr re = MathCall::make(op, {complex_part(MathOp::Real, x, h, c.loc)}, Type::boolean(), c.loc);
        Expr im = MathCall::make(op, {complex_part(MathOp::Imag, x, h, c.loc)}, Type::boolean(), c.loc);
        BinOp join = op == MathOp::IsFinite ? BinOp::BitAnd : BinOp::BitOr;
        return Let::make(v, z, Binary::make(join, re, im, Type::boolean(), c.loc));
    }

    // np.fmod of integers stays an integer: C's truncated remainder, 0 for a zero divisor
    // (NumPy's rule), built from Python's floored % on a divisor that is never 0.
    Expr int_fmod(const Type &t) {
        std::string va = fresh(), vb = fresh(), vm = fresh();
        Expr a = Var::make(va, t, c.loc), b = Var::make(vb, t, c.loc), m = Var::make(vm, t, c.loc);
        Expr zero = conv(IntImm::make(0, Type::int_(64, true), c.loc), t);
        Expr one = conv(IntImm::make(1, Type::int_(64, true), c.loc), t);
        auto cmp = [&](CmpOp o, const Expr &x, const Expr &y) { return Compare::make(o, x, y, Type::boolean(), c.loc); };
        Expr safe_b = Select::make(cmp(CmpOp::EQ, b, zero), one, b, t, c.loc);
        // floored and truncated remainders differ (by b) when non-zero and the signs differ
        Expr differ = Binary::make(BinOp::BitAnd, cmp(CmpOp::NE, m, zero),
                                   cmp(CmpOp::NE, cmp(CmpOp::LT, a, zero), cmp(CmpOp::LT, b, zero)), Type::boolean(), c.loc);
        Expr body = Select::make(differ, Binary::make(BinOp::Sub, m, b, t, c.loc), m, t, c.loc);
        return Let::make(va, conv(c.args[0], t), Let::make(vb, conv(c.args[1], t),
                         Let::make(vm, Binary::make(BinOp::Mod, a, safe_b, t, c.loc), body)));
    }

    // a, b = value: value must be a tuple of exactly that many items.
    Expr unpack_check() {
        const Type &t = c.args[0]->type;
        int64_t want = c.args[1]->as<IntImm>()->value;
        if (!t.is_tuple())
            error("cannot unpack a " + t.str() + " value into " + std::to_string(want) + " names",
                  "only tuples can be unpacked; index arrays element by element");
        if ((int64_t)t.elems().size() != want)
            error("cannot unpack a tuple of " + std::to_string(t.elems().size()) + " values into " +
                      std::to_string(want) + " names", "use as many names as the tuple has values");
        return BoolImm::make(true, c.loc);
    }

    // np.random.*: NumPy's legacy generator (runtime/Random.cpp). A size gives an array
    // filled element by element in C order, as NumPy fills it.
    Expr random(const std::string &fn) {
        Type f = Type::float64(), i = Type::int64();
        auto arg = [&](const char *name, size_t pos) -> Expr {
            if (auto it = c.kwargs.find(name); it != c.kwargs.end()) return it->second;
            return c.args.size() > pos ? c.args[pos] : nullptr;
        };
        auto number = [&](const Expr &e, const Type &t, double dflt) -> Expr {
            if (!e || (e->as<Ref>() && e->as<Ref>()->name == "None"))
                return t.is_float() ? FloatImm::make(dflt, t, c.loc) : IntImm::make((int64_t)dflt, t, c.loc);
            if (!e->type.is_scalar() || e->type.is_complex())
                error("np.random." + fn + "() parameters must be numbers here", "");
            return conv(e, t);
        };
        auto sized = [&](Expr element, const Expr &size) -> Expr {
            if (!size || (size->as<Ref>() && size->as<Ref>()->name == "None")) return element;
            std::vector<Expr> shape;
            if (size->type.is_tuple()) {
                for (size_t k = 0; k < size->type.elems().size(); k++) shape.push_back(conv(TupleGet::make(size, (int)k, c.loc), i));
            } else if (size->type.is_integral()) {
                shape.push_back(conv(size, i));
            } else {
                error("size must be an integer or a tuple of integers", "");
            }
            return AllocArray::make(Type::array(element->type.strong(), (int)shape.size(), Layout::C), shape,
                                    AllocInit::Generate, c.loc, element);
        };
        auto dims_from_args = [&](Expr element) -> Expr {  // rand(d0, d1, ...)
            if (c.args.empty()) return element;
            std::vector<Expr> shape;
            for (auto &d : c.args) {
                if (!d->type.is_integral()) error("np.random." + fn + "() dimensions must be integers", "");
                shape.push_back(conv(d, i));
            }
            return AllocArray::make(Type::array(element->type.strong(), (int)shape.size(), Layout::C), shape,
                                    AllocInit::Generate, c.loc, element);
        };
        Type weak_f = Type::float_(64, true);
        Expr u = MathCall::make(MathOp::RandomUniform, {}, weak_f, c.loc);
        Expr g = MathCall::make(MathOp::RandomNormal, {}, weak_f, c.loc);
        if (fn == "seed") {
            arity(1, 1);
            no_kwargs();
            if (!c.args[0]->type.is_integral()) error("np.random.seed() takes an integer", "");
            return MathCall::make(MathOp::RandomSeed, {conv(c.args[0], i)}, Type::none(), c.loc);
        }
        if (fn == "rand" || fn == "randn") {
            no_kwargs();
            return dims_from_args(fn == "rand" ? u : g);
        }
        if (fn == "random" || fn == "random_sample" || fn == "sample" || fn == "ranf") {
            no_kwargs({"size"});
            arity(0, 1);
            return sized(u, arg("size", 0));
        }
        if (fn == "standard_normal") {
            no_kwargs({"size"});
            arity(0, 1);
            return sized(g, arg("size", 0));
        }
        if (fn == "normal" || fn == "uniform") {
            bool normal = fn == "normal";
            no_kwargs(normal ? std::initializer_list<const char *>{"loc", "scale", "size"}
                             : std::initializer_list<const char *>{"low", "high", "size"});
            arity(0, 3);
            Expr p0 = number(arg(normal ? "loc" : "low", 0), weak_f, 0.0);
            Expr p1 = number(arg(normal ? "scale" : "high", 1), weak_f, 1.0);
            Expr value = normal ? Binary::make(BinOp::Add, p0, Binary::make(BinOp::Mul, p1, g, weak_f, c.loc), weak_f, c.loc)
                                : Binary::make(BinOp::Add, p0,
                                               Binary::make(BinOp::Mul, Binary::make(BinOp::Sub, p1, p0, weak_f, c.loc), u,
                                                            weak_f, c.loc), weak_f, c.loc);
            return sized(value, arg("size", 2));
        }
        if (fn == "randint") {
            no_kwargs({"low", "high", "size"});
            arity(1, 3);
            Expr lo = arg("low", 0), hi = arg("high", 1);
            Type wi = Type::int_(64, true);
            Expr value = (!hi || (hi->as<Ref>() && hi->as<Ref>()->name == "None"))
                             ? MathCall::make(MathOp::RandomInt, {IntImm::make(0, i, c.loc), number(lo, i, 0)}, wi, c.loc)
                             : MathCall::make(MathOp::RandomInt, {number(lo, i, 0), number(hi, i, 0)}, wi, c.loc);
            return sized(value, arg("size", 2));
        }
        unsupported();
    }

    // complex(re, im)
    Expr make_complex() {
        no_kwargs();
        arity(0, 2);
        Type ct = Type::complex(128, true);
        if (c.args.empty()) return ComplexImm::make(0, 0, ct, c.loc);
        Expr re = scalar_arg(0);
        if (c.args.size() == 1) return conv(re, ct);
        Expr im = scalar_arg(1);
        if (re->type.is_complex() || im->type.is_complex()) error("complex() of complex parts", "use re + im * 1j");
        // Built from its parts (re + im*1j would turn an infinite im into a NaN real part).
        Type f = Type::float_(64, true);
        return MathCall::make(MathOp::MakeComplex, {conv(re, f), conv(im, f)}, ct, c.loc);
    }

    Expr len() {
        arity(1, 1);
        no_kwargs();
        const Expr &a = c.args[0];
        if (a->type.is_array()) return ArrayDim::make(a, 0, c.loc);
        if (a->type.is_tuple()) return IntImm::make((int64_t)a->type.elems().size(), Type::int_(64, true), c.loc);
        error("len() of a " + a->type.str() + " value", "len() takes an array or a tuple");
    }

    Expr abs() {
        arity(1, 1);
        no_kwargs();
        Expr a = scalar_arg(0);
        Type t = a->type;
        if (t.is_complex()) return complex_part(MathOp::AbsComplex, a, h, c.loc);
        if (t.is_float()) return MathCall::make(MathOp::Fabs, {a}, t, c.loc);
        if (t.is_bool()) return c.name == "abs" ? conv(a, Type::int_(64, t.weak())) : a;  // np.abs(bool) is bool
        if (t.is_uint()) return a;
        std::string v = fresh();
        Expr x = Var::make(v, t, c.loc);
        Expr zero = conv(IntImm::make(0, Type::int_(64, true), c.loc), t);
        return Let::make(v, a, Select::make(Compare::make(CmpOp::LT, x, zero, Type::boolean(), c.loc),
                                            Unary::make(UnOp::Neg, x, t, c.loc), x, t, c.loc));
    }

    // Python's min/max: the first of the smallest (largest); a NaN first argument sticks.
    // np.maximum/np.minimum (propagate_nan): a NaN in either argument gives NaN.
    Expr minmax(bool is_max, bool propagate_nan) {
        no_kwargs();
        if (c.args.size() == 1 && c.args[0]->type.is_tuple()) {
            BuiltinCall inner = c;
            inner.args.clear();
            for (size_t i = 0; i < c.args[0]->type.elems().size(); i++) inner.args.push_back(TupleGet::make(c.args[0], (int)i, c.loc));
            return Lowerer(inner, h).minmax(is_max, propagate_nan);
        }
        if (c.args.size() < 2) error(c.name + "() of one value needs a tuple or an array; whole-array reductions are not supported yet", "pass two or more numbers");
        Type t;
        for (size_t i = 0; i < c.args.size(); i++) {
            Expr a = scalar_arg(i);
            if (a->type.is_complex() && !propagate_nan) error(c.name + "() of complex numbers", "compare abs() values");
            t = i ? promote(t, a->type) : a->type;
        }
        if (t.is_complex()) return complex_minmax(is_max, /*nan_wins=*/true);
        Expr acc = conv(c.args[0], t);
        for (size_t i = 1; i < c.args.size(); i++) {
            std::string va = fresh(), vb = fresh();
            Expr a = Var::make(va, t, c.loc), b = Var::make(vb, t, c.loc);
            Expr better = Compare::make(is_max ? CmpOp::GT : CmpOp::LT, b, a, Type::boolean(), c.loc);
            Expr pick = Select::make(better, b, a, t, c.loc);
            if (propagate_nan) {
                // NumPy's maximum/minimum: a if a is strictly better, else b (so equal values,
                // such as -0.0 and 0.0, give the second).
                Expr a_better = Compare::make(is_max ? CmpOp::GT : CmpOp::LT, a, b, Type::boolean(), c.loc);
                pick = Select::make(a_better, a, b, t, c.loc);
            }
            if (propagate_nan && t.is_float()) {
                Expr a_nan = Compare::make(CmpOp::NE, a, a, Type::boolean(), c.loc);
                Expr b_nan = Compare::make(CmpOp::NE, b, b, Type::boolean(), c.loc);
                pick = Select::make(a_nan, a, Select::make(b_nan, b, pick, t, c.loc), t, c.loc);
            }
            acc = Let::make(va, acc, Let::make(vb, conv(c.args[i], t), pick));
        }
        return acc;
    }

    // np.maximum/minimum (nan_wins) and np.fmax/fmin of complex numbers, as NumPy orders
    // them: by real part, then imaginary part. maximum: a if a has a NaN part or a >= b,
    // else b; fmax: a if b has a NaN part or a >= b, else b.
    Expr complex_minmax(bool is_max, bool nan_wins) {
        Type t = promote(c.args[0]->type, c.args[1]->type);
        std::string va = fresh(), vb = fresh();
        Expr a = Var::make(va, t, c.loc), b = Var::make(vb, t, c.loc);
        Expr ar = complex_part(MathOp::Real, a, h, c.loc), ai = complex_part(MathOp::Imag, a, h, c.loc);
        Expr br = complex_part(MathOp::Real, b, h, c.loc), bi = complex_part(MathOp::Imag, b, h, c.loc);
        auto cmp = [&](CmpOp o, const Expr &x, const Expr &y) { return Compare::make(o, x, y, Type::boolean(), c.loc); };
        auto both = [&](const Expr &x, const Expr &y) { return Binary::make(BinOp::BitAnd, x, y, Type::boolean(), c.loc); };
        auto either = [&](const Expr &x, const Expr &y) { return Binary::make(BinOp::BitOr, x, y, Type::boolean(), c.loc); };
        // NumPy's CGE/CLE: (ar > br and neither imaginary part NaN) or (ar == br and ai >= bi)
        Expr no_nan_im = both(cmp(CmpOp::EQ, ai, ai), cmp(CmpOp::EQ, bi, bi));
        Expr a_first = either(both(cmp(is_max ? CmpOp::GT : CmpOp::LT, ar, br), no_nan_im),
                              both(cmp(CmpOp::EQ, ar, br), cmp(is_max ? CmpOp::GE : CmpOp::LE, ai, bi)));
        Expr xr = nan_wins ? ar : br, xi = nan_wins ? ai : bi;
        Expr x_nan = either(cmp(CmpOp::NE, xr, xr), cmp(CmpOp::NE, xi, xi));
        return Let::make(va, conv(c.args[0], t), Let::make(vb, conv(c.args[1], t),
                         Select::make(either(x_nan, a_first), a, b, t, c.loc)));
    }

    // np.fmax/np.fmin: NaN only if both are NaN.
    Expr fminmax(bool is_max) {
        Type t = promote(scalar_arg(0)->type, scalar_arg(1)->type);
        if (t.is_complex()) return complex_minmax(is_max, /*nan_wins=*/false);
        std::string va = fresh(), vb = fresh();
        Expr a = Var::make(va, t, c.loc), b = Var::make(vb, t, c.loc);
        Expr pick = Select::make(Compare::make(is_max ? CmpOp::GE : CmpOp::LE, a, b, Type::boolean(), c.loc), a, b, t, c.loc);
        if (t.is_float()) {
            Expr a_nan = Compare::make(CmpOp::NE, a, a, Type::boolean(), c.loc);
            Expr b_nan = Compare::make(CmpOp::NE, b, b, Type::boolean(), c.loc);
            pick = Select::make(a_nan, b, Select::make(b_nan, a, pick, t, c.loc), t, c.loc);
        }
        return Let::make(va, conv(c.args[0], t), Let::make(vb, conv(c.args[1], t), pick));
    }

    Expr py_type_call() {
        no_kwargs();
        arity(0, 1);
        const std::string &n = c.name;
        if (c.args.empty()) {
            if (n == "int") return IntImm::make(0, Type::int_(64, true), c.loc);
            if (n == "float") return FloatImm::make(0.0, Type::float_(64, true), c.loc);
            return BoolImm::make(false, c.loc);
        }
        Expr a = scalar_arg(0);
        if (a->type.is_complex() && n != "bool") error(n + "() of a complex number", "take .real or abs() first");
        if (n == "bool") return h.truthy(a);
        if (n == "float") return conv(a, Type::float_(64, true));
        return conv(a, Type::int_(64, true));  // truncates toward zero
    }

    Expr dtype_call() {
        no_kwargs();
        arity(0, 1);
        Type t = c.dtype.elem();
        if (c.args.empty()) return conv(IntImm::make(0, Type::int_(64, true), c.loc), t);
        Expr a = scalar_arg(0);
        if (t.is_bool()) return h.truthy(a);
        return conv(a, t);
    }

    Expr round() {
        no_kwargs();
        arity(1, 2);
        Expr a = scalar_arg(0);
        bool numpy = c.name != "round";
        if (a->type.is_complex()) {
            if (!numpy) error("round() of a complex number (Python's round() takes real numbers)", "use np.round() to round each part");
            return per_part(a);
        }
        if (c.args.size() == 1) {
            if (a->type.is_integral()) return numpy ? a : conv(a, Type::int_(64, true));
            Expr r = MathCall::make(MathOp::Rint, {a}, a->type, c.loc);
            return numpy ? r : conv(r, Type::int_(64, true));
        }
        if (!c.args[1]->type.is_integral()) error(c.name + "() needs an integer number of digits", "");
        if (a->type.is_integral()) return a;
        // round(x, n) as round-half-even of x * 10**n, like NumPy (Python rounds the
        // decimal string instead; the two differ only on ties that are not exact in binary).
        Type t = a->type;
        Expr nd = conv(c.args[1], Type::int64());
        std::string x = fresh(), s = fresh(), n = fresh();
        Expr xv = Var::make(x, t, c.loc), sv = Var::make(s, t, c.loc), nv = Var::make(n, Type::int64(), c.loc);
        Expr zero = IntImm::make(0, Type::int64(), c.loc);
        Expr abs_n = Select::make(Compare::make(CmpOp::LT, nv, zero, Type::boolean(), c.loc),
                                  Unary::make(UnOp::Neg, nv, Type::int64(), c.loc), nv, Type::int64(), c.loc);
        Expr scale = Binary::make(BinOp::Pow, FloatImm::make(10.0, t, c.loc), abs_n, t, c.loc);
        Expr up = Binary::make(BinOp::Div, MathCall::make(MathOp::Rint, {Binary::make(BinOp::Mul, xv, sv, t, c.loc)}, t, c.loc), sv, t, c.loc);
        Expr down = Binary::make(BinOp::Mul, MathCall::make(MathOp::Rint, {Binary::make(BinOp::Div, xv, sv, t, c.loc)}, t, c.loc), sv, t, c.loc);
        Expr body = Select::make(Compare::make(CmpOp::GE, nv, zero, Type::boolean(), c.loc), up, down, t, c.loc);
        return Let::make(x, a, Let::make(n, nd, Let::make(s, scale, body)));
    }

    // NumPy's arithmetic on its own values: no ZeroDivisionError (0.0 ** -1 is inf).
    static Expr ieee(Expr e) {
        auto n = std::make_shared<Binary>(*e->as<Binary>());
        n->ieee = true;
        return n;
    }

    // np.float_power: ** in float64 (complex128 for complex operands), whatever the inputs.
    Expr float_power() {
        no_kwargs();
        arity(2, 2);
        Type t = promote(scalar_arg(0)->type, scalar_arg(1)->type);
        Type ft = t.is_complex() ? Type::complex(128) : Type::float64();
        return ieee(Binary::make(BinOp::Pow, conv(c.args[0], ft), conv(c.args[1], ft), ft, c.loc));
    }

    // np.reciprocal: 1/x; of integers NumPy's loop truncates the double 1.0/x, so 1 and -1
    // are themselves and every other x is 0, except x == 0: inf converted to the integer,
    // which on x86-64 is the minimum of int32/int64 and 0 for narrower and unsigned types.
    Expr reciprocal() {
        no_kwargs();
        arity(1, 1);
        Expr a = scalar_arg(0);
        Type t = a->type.is_bool() ? Type::int_(8) : a->type;  // NumPy has no bool loop
        if (!t.is_integral()) return ieee(Binary::make(BinOp::Div, conv(IntImm::make(1, Type::int_(64, true), c.loc), t), a, t, c.loc));
        std::string v = fresh();
        Expr x = Var::make(v, t, c.loc);
        auto k = [&](int64_t n) { return conv(IntImm::make(n, Type::int_(64, true), c.loc), t); };
        auto eq = [&](const Expr &y) { return Compare::make(CmpOp::EQ, x, y, Type::boolean(), c.loc); };
        bool wide_signed = t.is_signed_int() && t.bits() >= 32;
        Expr at_zero = wide_signed ? conv(IntImm::make(t.bits() == 32 ? INT32_MIN : INT64_MIN, Type::int64(), c.loc), t) : k(0);
        Expr body = Select::make(eq(k(1)), k(1), k(0), t, c.loc);
        if (t.is_signed_int()) body = Select::make(eq(k(-1)), k(-1), body, t, c.loc);
        body = Select::make(eq(k(0)), at_zero, body, t, c.loc);
        return Let::make(v, conv(a, t), body);
    }

    // np.deg2rad/np.rad2deg: x times a constant rounded to x's float type (NumPy's formula).
    Expr scale_angle(double f64, float f32) {
        no_kwargs();
        arity(1, 1);
        Expr a = scalar_arg(0);
        if (a->type.is_complex()) error(c.name + "() of a complex number is not supported (as in NumPy)", "");
        Type ft = float_type_for(a->type).strong();
        Expr k = FloatImm::make(ft.bits() == 32 ? (double)f32 : f64, ft, c.loc);
        return Binary::make(BinOp::Mul, conv(a, ft), k, ft, c.loc);
    }

    // np.heaviside(x, h0): 0 below zero, h0 at zero, 1 above, NaN for NaN.
    Expr heaviside() {
        no_kwargs();
        arity(2, 2);
        Type t = promote(scalar_arg(0)->type, scalar_arg(1)->type);
        if (t.is_complex()) error("np.heaviside() of complex numbers is not supported (as in NumPy)", "");
        Type ft = float_type_for(t).strong();
        std::string vx = fresh();
        Expr x = Var::make(vx, ft, c.loc);
        auto k = [&](double v) { return FloatImm::make(v, ft, c.loc); };
        auto cmp = [&](CmpOp o, const Expr &y) { return Compare::make(o, x, y, Type::boolean(), c.loc); };
        Expr body = Select::make(cmp(CmpOp::LT, k(0)), k(0),
                                 Select::make(cmp(CmpOp::GT, k(0)), k(1),
                                              Select::make(cmp(CmpOp::EQ, k(0)), conv(c.args[1], ft), x, ft, c.loc), ft, c.loc),
                                 ft, c.loc);
        return Let::make(vx, conv(c.args[0], ft), body);
    }

    Expr sign() {
        no_kwargs();
        arity(1, 1);
        Expr a = scalar_arg(0);
        Type t = a->type;
        if (t.is_complex()) return MathCall::make(MathOp::SignComplex, {a}, t, c.loc);  // NumPy 2: z/|z|
        if (t.is_bool())  // NumPy has no bool loop
            error("np.sign() of a " + t.str() + " value is not supported", "convert it first, e.g. to int or float");
        std::string v = fresh();
        Expr x = Var::make(v, t, c.loc);
        Expr zero = conv(IntImm::make(0, Type::int_(64, true), c.loc), t);
        Expr one = conv(IntImm::make(1, Type::int_(64, true), c.loc), t);
        // 1, -1, +0 for either zero (NumPy's sign(-0.0) is 0.0), NaN for NaN.
        Expr zero_or_nan = Select::make(Compare::make(CmpOp::EQ, x, zero, Type::boolean(), c.loc), zero, x, t, c.loc);
        Expr body = Select::make(Compare::make(CmpOp::GT, x, zero, Type::boolean(), c.loc), one,
                                 Select::make(Compare::make(CmpOp::LT, x, zero, Type::boolean(), c.loc),
                                              Unary::make(UnOp::Neg, one, t, c.loc), zero_or_nan, t, c.loc),
                                 t, c.loc);
        return Let::make(v, a, body);
    }

    Type dtype_arg(size_t pos, const Type &dflt) {
        Expr d;
        if (c.args.size() > pos) d = c.args[pos];
        if (auto it = c.kwargs.find("dtype"); it != c.kwargs.end()) {
            if (d) error(c.name + "() got dtype twice", "");
            d = it->second;
        }
        if (!d) return dflt;
        if (Type t = dtype_from(d); !t.is_unknown()) return t;
        if (auto *r = d->as<Ref>(); r && r->name == "None") return dflt;
        error("the dtype of " + c.name + "() must be a NumPy dtype such as np.float64, known at compile time",
              "write dtype=np.float64 (or float, int, bool)");
    }

    Expr alloc(bool like) {
        no_kwargs({"dtype"});
        std::vector<Expr> shape;
        Type elem;
        if (like) {
            arity(1, 2);
            const Expr &a = c.args[0];
            if (!a->type.is_array()) error(c.name + "() needs an array argument, got " + a->type.str(), "");
            for (int i = 0; i < a->type.ndim(); i++) shape.push_back(ArrayDim::make(a, i, c.loc));
            elem = dtype_arg(1, a->type.elem());
        } else {
            arity(1, 2);
            const Expr &s = c.args[0];
            auto int_dim = [&](const Expr &d) {
                if (!d->type.is_integral())
                    error("the shape of " + c.name + "() must be integers, got " + d->type.str(), "convert with int(...)");
                return conv(d, Type::int64());
            };
            if (s->type.is_tuple()) {
                for (size_t i = 0; i < s->type.elems().size(); i++) shape.push_back(int_dim(TupleGet::make(s, (int)i, c.loc)));
            } else if (s->type.is_scalar()) {
                shape.push_back(int_dim(s));
            } else {
                error("the shape of " + c.name + "() must be an integer or a tuple of integers", "");
            }
            elem = dtype_arg(1, Type::float64());
        }
        AllocInit init = c.name.find("zeros") != std::string::npos ? AllocInit::Zeros
                         : c.name.find("ones") != std::string::npos ? AllocInit::Ones : AllocInit::Empty;
        if (shape.empty()) error("0-dimensional arrays are not supported yet", "use a scalar");
        Type array_type = Type::array(elem, (int)shape.size(), Layout::C);
        return AllocArray::make(array_type, std::move(shape), init, c.loc);
    }
};

}  // namespace

std::string unsupported_hint(const std::string &name) {
    // Compare within the same module (np.linalg.norm is not near np.random.normal).
    size_t dot = name.rfind('.');
    std::string module = dot == std::string::npos ? "" : name.substr(0, dot);
    std::string tail = name.substr(dot == std::string::npos ? 0 : dot + 1);
    std::string best;
    size_t best_d = 1000;
    for (auto &s : supported_builtin_names()) {
        size_t sdot = s.rfind('.');
        std::string smodule = sdot == std::string::npos ? "" : s.substr(0, sdot);
        if (smodule != module) continue;
        size_t d = edit_distance(tail, s.substr(sdot == std::string::npos ? 0 : sdot + 1));
        if (d < best_d) best_d = d, best = s;
    }
    if (best_d <= std::max<size_t>(1, tail.size() / 3)) return "the nearest supported function is " + best + "()";
    return "see docs/supported.md for the supported functions";
}

std::vector<std::string> supported_builtin_names() {
    std::vector<std::string> out;
    for (auto &m : math_names) out.push_back(m.name);
    for (auto *n : other_names) out.push_back(n);
    for (auto *n : array_function_names) out.push_back(n);
    for (auto &u : operator_ufuncs) out.push_back(u.name);
    return out;
}

Type dtype_from(const Expr &d) {
    if (auto *r = d->as<Ref>()) {
        if (r->kind == RefKind::DType) return r->type.elem();
        if (r->name == "float") return Type::float64();
        if (r->name == "int") return Type::int64();
        if (r->name == "bool") return Type::boolean();
        if (r->name == "complex") return Type::complex(128);
    }
    return Type();
}

bool has_complex_version(MathOp op) {
    switch (op) {
#define HL_COMPLEX_MATH(E) case MathOp::E:
#include "hotloop/ir/ops.def"
#undef HL_COMPLEX_MATH
        return true;
    default: return false;
    }
}

int OperatorUfunc::arity() const {
    return std::holds_alternative<UnOp>(op) || op == decltype(op)(LogicalUfunc::Not) ? 1 : 2;
}

const OperatorUfunc *operator_ufunc(const std::string &name) {
    for (auto &u : operator_ufuncs) if (name == u.name) return &u;
    return nullptr;
}

void unsupported_ufunc_kwarg(const std::string &fn, const std::string &kw, Loc l) {
    bool numpy = fn.rfind("np.", 0) == 0;
    std::string hint = kw == "out" && numpy ? "out= works when the call is a statement of its own (" + fn +
                                           "(..., out=c)) or the whole right side of an assignment; inside a larger "
                                           "expression assign the result: c[...] = " + fn + "(...)"
                       : kw == "dtype" && numpy ? "convert the operands or the result instead: .astype(np.float32) or np.float32(x)"
                       : kw == "where" && numpy ? "write out[...] = np.where(mask, " + fn + "(...), out)"
                                       : "pass the arguments by position";
    throw CompileError(l, fn + "() does not take the keyword argument '" + kw + "' in compiled code", hint);
}

bool is_elementwise_builtin(const std::string &name) {
    for (auto &m : math_names) if (name == m.name) return name.rfind("np.", 0) == 0;
    for (auto *n : elementwise_names) if (name == n) return true;
    return false;
}

Expr lower_builtin_call(const BuiltinCall &c, const BuiltinHelpers &h) { return Lowerer(c, h).lower(); }

Expr complex_part(MathOp op, const Expr &z, const BuiltinHelpers &h, Loc l) {
    const Type &t = z->type;
    if (!t.is_complex()) {
        // The parts of a real number: itself and zero; abs() and conj() as for reals.
        switch (op) {
        case MathOp::Real: case MathOp::Conj: return z;
        case MathOp::Imag: return h.convert(IntImm::make(0, Type::int_(64, true), l), t.is_integral() ? t : t, l, "");
        default: internal_error("complex_part of a real number");
        }
    }
    Type part = Type::float_(t.bits() / 2, t.weak());
    if (op == MathOp::Conj) return MathCall::make(op, {z}, t, l);
    return MathCall::make(op, {z}, part, l);
}

}  // namespace hotloop
