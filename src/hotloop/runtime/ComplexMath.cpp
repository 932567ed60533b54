#include "hotloop/runtime/ComplexMath.h"

#include <cmath>
#include <cstdint>
#include <limits>

namespace hotloop::runtime {

namespace {

// GCC/Clang's C99 complex types in C++: the __builtin_c* functions are the C library's
// (glibc's csqrt, cexp, ...), which NumPy's npymath calls too.
using cdouble = __complex__ double;
using cfloat = __complex__ float;

cdouble make(double re, double im) { cdouble z; __real__ z = re; __imag__ z = im; return z; }
cfloat make(float re, float im) { cfloat z; __real__ z = re; __imag__ z = im; return z; }
template <class T, class C> void put(T *out, C z) { out[0] = __real__ z; out[1] = __imag__ z; }

cdouble c_exp(cdouble z) { return __builtin_cexp(z); }
cfloat c_exp(cfloat z) { return __builtin_cexpf(z); }
cdouble c_log(cdouble z) { return __builtin_clog(z); }
cfloat c_log(cfloat z) { return __builtin_clogf(z); }
cdouble c_pow(cdouble a, cdouble b) { return __builtin_cpow(a, b); }
cfloat c_pow(cfloat a, cfloat b) { return __builtin_cpowf(a, b); }

// NumPy's own definitions (umath's nc_log1p, nc_expm1, nc_exp2, nc_log2, nc_log10 and
// the complex sign loop), in the precision of the part type as NumPy computes them.
template <class T> void log1p(T re, T im, T *out) {
    out[0] = std::log(std::hypot(re + 1, im));
    out[1] = std::atan2(im, re + 1);
}

template <class T> void expm1(T re, T im, T *out) {
    T a = std::sin(im / 2);
    out[0] = std::expm1(re) * std::cos(im) - 2 * a * a;
    out[1] = std::exp(re) * std::sin(im);
}

constexpr double log2e = 1.442695040888963407359924681001892137;
constexpr double log10e = 0.434294481903251827651128918916605082;
constexpr double loge2 = 0.693147180559945309417232121458176568;

template <class T> void exp2(T re, T im, T *out) { put(out, c_exp(make(re * T(loge2), im * T(loge2)))); }

template <class T> void log_scaled(T re, T im, T scale, T *out) {
    put(out, c_log(make(re, im)));
    out[0] *= scale;
    out[1] *= scale;
}

// NumPy 2: z / |z|; 0 for 0; an infinite part gives its direction, both infinite nan.
template <class T> void sign(T re, T im, T *out) {
    T abs = std::hypot(re, im);
    T nan = std::nan("");
    if (std::isnan(abs)) {
        out[0] = out[1] = nan;
    } else if (std::isinf(abs)) {
        bool re_inf = std::isinf(re), im_inf = std::isinf(im);
        out[0] = re_inf && im_inf ? nan : re_inf ? (re > 0 ? 1 : -1) : 0;
        out[1] = re_inf && im_inf ? nan : re_inf ? 0 : (im > 0 ? 1 : -1);
    } else if (abs == 0) {
        out[0] = out[1] = 0;
    } else {
        out[0] = re / abs;
        out[1] = im / abs;
    }
}

// NumPy's npy_cpow, the loop of np.power and ** on complex values: 1 for a zero exponent;
// for a zero base 0 if real(b) > 0, else nan; an integer exponent in (-100, 100) by
// repeated multiplication (and Smith's division for a negative one); the C library's cpow
// otherwise. Every step in the part type, in NumPy's order of operations.
template <class T> struct Parts { T re, im; };
template <class T> Parts<T> mul(Parts<T> a, Parts<T> b) { return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
template <class T> Parts<T> reciprocal(Parts<T> b) {
    T abs_re = std::fabs(b.re), abs_im = std::fabs(b.im);
    if (abs_re >= abs_im) {
        if (abs_re == 0 && abs_im == 0) return {1 / abs_re, 0 / abs_im};
        T rat = b.im / b.re, scl = T(1) / (b.re + b.im * rat);
        return {(1 + 0 * rat) * scl, (0 - 1 * rat) * scl};
    }
    T rat = b.re / b.im, scl = T(1) / (b.im + b.re * rat);
    return {(1 * rat + 0) * scl, (0 * rat - 1) * scl};
}

template <class T> void pow(T ar, T ai, T br, T bi, T *out) {
    Parts<T> a{ar, ai}, r;
    if (br == 0 && bi == 0) {
        r = {1, 0};
    } else if (ar == 0 && ai == 0) {
        T v = br > 0 ? T(0) : std::numeric_limits<T>::quiet_NaN();
        r = {v, v};
    } else if (int64_t n = bi == 0 && br > -100 && br < 100 ? int64_t(br) : 0; n && T(n) == br) {
        if (n == 1) {
            r = a;
        } else if (n == 2) {
            r = mul(a, a);
        } else if (n == 3) {
            r = mul(a, mul(a, a));
        } else {
            Parts<T> acc{1, 0}, p = a;
            if (n < 0) n = -n;
            for (int64_t mask = 1;; mask <<= 1) {
                if (n & mask) acc = mul(acc, p);
                if (n < (mask << 1)) break;
                p = mul(p, p);
            }
            r = br < 0 ? reciprocal(acc) : acc;
        }
    } else {
        put(out, c_pow(make(ar, ai), make(br, bi)));
        return;
    }
    out[0] = r.re;
    out[1] = r.im;
}

}  // namespace

extern "C" {

// void hl_c<name>(re, im, out[2]): parts in, parts out through memory, so that calls from
// generated code need no knowledge of how a platform's C ABI passes _Complex values.
#define HL_C99(name)                                                                                   \
    static void hl_c##name(double re, double im, double *out) { put(out, __builtin_c##name(make(re, im))); } \
    static void hl_c##name##f(float re, float im, float *out) { put(out, __builtin_c##name##f(make(re, im))); }
HL_C99(sqrt)
HL_C99(exp)
HL_C99(log)
HL_C99(sin)
HL_C99(cos)
HL_C99(tan)
HL_C99(asin)
HL_C99(acos)
HL_C99(atan)
HL_C99(sinh)
HL_C99(cosh)
HL_C99(tanh)
HL_C99(asinh)
HL_C99(acosh)
HL_C99(atanh)
#undef HL_C99

#define HL_NUMPY(name)                                                                         \
    static void hl_c##name(double re, double im, double *out) { name<double>(re, im, out); } \
    static void hl_c##name##f(float re, float im, float *out) { name<float>(re, im, out); }
HL_NUMPY(log1p)
HL_NUMPY(expm1)
HL_NUMPY(exp2)
HL_NUMPY(sign)
#undef HL_NUMPY
static void hl_clog2(double re, double im, double *out) { log_scaled<double>(re, im, log2e, out); }
static void hl_clog2f(float re, float im, float *out) { log_scaled<float>(re, im, float(log2e), out); }
static void hl_clog10(double re, double im, double *out) { log_scaled<double>(re, im, log10e, out); }
static void hl_clog10f(float re, float im, float *out) { log_scaled<float>(re, im, float(log10e), out); }


// Two complex arguments: void hl_cpow(a.re, a.im, b.re, b.im, out[2]).
static void hl_cpow(double ar, double ai, double br, double bi, double *out) { pow<double>(ar, ai, br, bi, out); }
static void hl_cpowf(float ar, float ai, float br, float bi, float *out) { pow<float>(ar, ai, br, bi, out); }

}  // extern "C"

std::vector<Symbol> complex_math_symbols() {
    std::vector<Symbol> out;
#define HL_SYMBOL(name)                                            \
    out.push_back({"hl_c" #name, reinterpret_cast<void *>(&hl_c##name)}); \
    out.push_back({"hl_c" #name "f", reinterpret_cast<void *>(&hl_c##name##f)});
    HL_SYMBOL(sqrt) HL_SYMBOL(exp) HL_SYMBOL(log) HL_SYMBOL(sin) HL_SYMBOL(cos) HL_SYMBOL(tan)
    HL_SYMBOL(asin) HL_SYMBOL(acos) HL_SYMBOL(atan) HL_SYMBOL(sinh) HL_SYMBOL(cosh) HL_SYMBOL(tanh)
    HL_SYMBOL(asinh) HL_SYMBOL(acosh) HL_SYMBOL(atanh) HL_SYMBOL(log1p) HL_SYMBOL(expm1)
    HL_SYMBOL(exp2) HL_SYMBOL(log2) HL_SYMBOL(log10) HL_SYMBOL(sign) HL_SYMBOL(pow)
#undef HL_SYMBOL
    return out;
}

}  // namespace hotloop::runtime
