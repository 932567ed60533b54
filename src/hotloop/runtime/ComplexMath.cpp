#include "hotloop/runtime/ComplexMath.h"

#include <cmath>

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

}  // extern "C"

std::vector<Symbol> complex_math_symbols() {
    std::vector<Symbol> out;
#define HL_SYMBOL(name)                                            \
    out.push_back({"hl_c" #name, reinterpret_cast<void *>(&hl_c##name)}); \
    out.push_back({"hl_c" #name "f", reinterpret_cast<void *>(&hl_c##name##f)});
    HL_SYMBOL(sqrt) HL_SYMBOL(exp) HL_SYMBOL(log) HL_SYMBOL(sin) HL_SYMBOL(cos) HL_SYMBOL(tan)
    HL_SYMBOL(asin) HL_SYMBOL(acos) HL_SYMBOL(atan) HL_SYMBOL(sinh) HL_SYMBOL(cosh) HL_SYMBOL(tanh)
    HL_SYMBOL(asinh) HL_SYMBOL(acosh) HL_SYMBOL(atanh) HL_SYMBOL(log1p) HL_SYMBOL(expm1)
    HL_SYMBOL(exp2) HL_SYMBOL(log2) HL_SYMBOL(log10) HL_SYMBOL(sign)
#undef HL_SYMBOL
    return out;
}

}  // namespace hotloop::runtime
