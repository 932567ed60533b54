#include "hotloop/python/Boxing.h"

#include <cstring>
#include <sstream>

#include "hotloop/runtime/Runtime.h"
#include "hotloop/sema/SignatureParser.h"

namespace hotloop {

namespace {

Type type_of_dtype(PyArray_Descr *d) {
    if (!PyArray_ISNBO(d->byteorder)) return Type();
    switch (d->type_num) {
    case NPY_BOOL: return Type::boolean();
    case NPY_INT8: return Type::int_(8);
    case NPY_INT16: return Type::int_(16);
    case NPY_INT32: return Type::int_(32);
    case NPY_INT64: return Type::int_(64);
    case NPY_UINT8: return Type::uint(8);
    case NPY_UINT16: return Type::uint(16);
    case NPY_UINT32: return Type::uint(32);
    case NPY_UINT64: return Type::uint(64);
    case NPY_FLOAT32: return Type::float_(32);
    case NPY_FLOAT64: return Type::float_(64);
    case NPY_COMPLEX64: return Type::complex(64);
    case NPY_COMPLEX128: return Type::complex(128);
    default: break;
    }
    // long/longlong and int/intc are distinct type numbers with the same size.
    if (d->kind == 'i') return Type::int_((int)PyDataType_ELSIZE(d) * 8);
    if (d->kind == 'u') return Type::uint((int)PyDataType_ELSIZE(d) * 8);
    return Type();
}

int npy_type_num(const Type &t) {
    switch (t.scalar_kind()) {
    case ScalarKind::Bool: return NPY_BOOL;
    case ScalarKind::Int: return t.bits() == 8 ? NPY_INT8 : t.bits() == 16 ? NPY_INT16 : t.bits() == 32 ? NPY_INT32 : NPY_INT64;
    case ScalarKind::UInt: return t.bits() == 8 ? NPY_UINT8 : t.bits() == 16 ? NPY_UINT16 : t.bits() == 32 ? NPY_UINT32 : NPY_UINT64;
    case ScalarKind::Float: return t.bits() == 32 ? NPY_FLOAT32 : NPY_FLOAT64;
    case ScalarKind::Complex: return t.bits() == 64 ? NPY_COMPLEX64 : NPY_COMPLEX128;
    }
    return NPY_NOTYPE;
}

Layout layout_of(PyArrayObject *a) {
    if (PyArray_IS_C_CONTIGUOUS(a)) return Layout::C;
    if (PyArray_IS_F_CONTIGUOUS(a)) return Layout::F;
    return Layout::A;
}

struct BufferCapsule {
    static void destroy(PyObject *capsule) {
        runtime::release(static_cast<Buffer *>(PyCapsule_GetPointer(capsule, "hotloop.buffer")));
    }
};

}  // namespace

Type type_of_argument(PyObject *obj, std::string *why) {
    if (PyBool_Check(obj)) return Type::boolean(true);
    // NumPy scalars first: np.float64 is a subclass of float but is not weak.
    if (!PyArray_IsScalar(obj, Generic)) {
        if (PyLong_Check(obj)) return Type::int_(64, true);
        if (PyFloat_Check(obj)) return Type::float_(64, true);
    }
    if (PyArray_Check(obj)) {
        auto *a = reinterpret_cast<PyArrayObject *>(obj);
        Type e = type_of_dtype(PyArray_DESCR(a));
        if (e.is_unknown()) {
            *why = "arrays of dtype " + std::string(PyUnicode_AsUTF8(PyObject_Str((PyObject *)PyArray_DESCR(a)))) + " are not supported";
            return e;
        }
        if (PyArray_NDIM(a) == 0) { *why = "0-dimensional arrays are not supported; pass a scalar (a[()])"; return Type(); }
        if (!PyArray_ISALIGNED(a)) { *why = "unaligned arrays are not supported"; return Type(); }
        return Type::array(e, PyArray_NDIM(a), layout_of(a), !PyArray_ISWRITEABLE(a));
    }
    if (PyArray_IsScalar(obj, Generic)) {
        PyArray_Descr *d = PyArray_DescrFromScalar(obj);
        Type t = type_of_dtype(d);
        Py_DECREF(d);
        if (t.is_unknown()) *why = "this NumPy scalar type is not supported";
        return t;
    }
    if (PyComplex_Check(obj)) return Type::complex(128, true);
    if (PyTuple_Check(obj)) {
        std::vector<Type> es;
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(obj); i++) {
            Type t = type_of_argument(PyTuple_GET_ITEM(obj, i), why);
            if (t.is_unknown()) return t;
            es.push_back(t);
        }
        return Type::tuple(std::move(es));
    }
    *why = std::string("values of type '") + Py_TYPE(obj)->tp_name + "' are not supported; pass numbers, NumPy arrays or tuples of them";
    return Type();
}

bool append_key(PyObject *obj, std::string &key) {
    // Fast paths for the common cases; everything else goes through type_of_argument.
    if (PyFloat_CheckExact(obj)) { key += 'f'; return true; }
    if (PyLong_CheckExact(obj)) { key += 'i'; return true; }
    if (PyArray_CheckExact(obj)) {
        auto *a = reinterpret_cast<PyArrayObject *>(obj);
        int flags = PyArray_FLAGS(a);
        PyArray_Descr *d = PyArray_DESCR(a);
        if (!PyArray_ISNBO(d->byteorder)) return false;
        key += 'a';
        key += (char)d->type_num;
        key += (char)PyDataType_ELSIZE(d);
        key += (char)PyArray_NDIM(a);
        key += (char)(((flags & NPY_ARRAY_C_CONTIGUOUS) ? 1 : 0) | ((flags & NPY_ARRAY_F_CONTIGUOUS) ? 2 : 0) |
                      ((flags & NPY_ARRAY_WRITEABLE) ? 4 : 0) | ((flags & NPY_ARRAY_ALIGNED) ? 8 : 0));
        return true;
    }
    if (PyTuple_Check(obj)) {
        key += '(';
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(obj); i++)
            if (!append_key(PyTuple_GET_ITEM(obj, i), key)) return false;
        key += ')';
        return true;
    }
    std::string why;
    Type t = type_of_argument(obj, &why);
    if (t.is_unknown()) return false;
    key += '<' + t.str() + (t.is_scalar() && t.weak() ? "~" : "") + '>';
    return true;
}

size_t align_of(const Type &t) {
    switch (t.kind()) {
    case Type::Kind::Scalar: return t.is_complex() ? t.bits() / 16 : t.bytes();
    case Type::Kind::Array: return 8;
    case Type::Kind::Tuple: {
        size_t a = 1;
        for (auto &e : t.elems()) a = std::max(a, align_of(e));
        return a;
    }
    default: return 1;
    }
}

static size_t round_up(size_t x, size_t a) { return (x + a - 1) / a * a; }

size_t size_of(const Type &t) {
    switch (t.kind()) {
    case Type::Kind::Scalar: return t.is_complex() ? t.bits() / 8 : t.bytes();
    case Type::Kind::Array: return 8 * (array_header_words + 2 * t.ndim());
    case Type::Kind::Tuple: {
        size_t off = 0;
        for (auto &e : t.elems()) off = round_up(off, align_of(e)) + size_of(e);
        return round_up(off, align_of(t));
    }
    default: return 1;
    }
}

template <typename T> static void put(char *dst, T v) { std::memcpy(dst, &v, sizeof v); }
template <typename T> static T get(const char *src) { T v; std::memcpy(&v, src, sizeof v); return v; }

bool write_value(const Type &t, PyObject *obj, char *dst) {
    if (t.is_tuple()) {
        size_t off = 0;
        for (size_t i = 0; i < t.elems().size(); i++) {
            const Type &e = t.elems()[i];
            off = round_up(off, align_of(e));
            if (!write_value(e, PyTuple_GET_ITEM(obj, i), dst + off)) return false;
            off += size_of(e);
        }
        return true;
    }
    if (t.is_array()) {
        auto *a = reinterpret_cast<PyArrayObject *>(obj);
        put<void *>(dst, PyArray_DATA(a));
        // NumPy owns the memory: the owner slot holds the array itself, tagged in bit 0,
        // so a returned view of it (however derived) knows its base.
        put<uintptr_t>(dst + 8, reinterpret_cast<uintptr_t>(obj) | 1);
        int n = PyArray_NDIM(a);
        for (int k = 0; k < n; k++) {
            put<int64_t>(dst + 16 + 8 * k, PyArray_DIM(a, k));
            put<int64_t>(dst + 16 + 8 * (n + k), PyArray_STRIDE(a, k));
        }
        return true;
    }
    // Scalars: Python numbers and NumPy scalars, converted to the parameter's type.
    if (t.is_bool()) {
        int v = PyObject_IsTrue(obj);
        if (v < 0) return false;
        put<uint8_t>(dst, (uint8_t)v);
        return true;
    }
    if (t.is_float()) {
        double v = PyFloat_CheckExact(obj) ? PyFloat_AS_DOUBLE(obj) : PyFloat_AsDouble(obj);
        if (v == -1.0 && PyErr_Occurred()) return false;
        if (t.bits() == 32) put<float>(dst, (float)v); else put<double>(dst, v);
        return true;
    }
    if (t.is_complex()) {
        Py_complex c = PyComplex_AsCComplex(obj);
        if (c.real == -1.0 && PyErr_Occurred()) return false;
        if (t.bits() == 64) { put<float>(dst, (float)c.real); put<float>(dst + 4, (float)c.imag); }
        else { put<double>(dst, c.real); put<double>(dst + 8, c.imag); }
        return true;
    }
    if (t.is_int()) {
        PyObject *num = PyNumber_Index(obj);
        if (!num) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "expected an integer, got %s", Py_TYPE(obj)->tp_name);
            return false;
        }
        long long v;
        if (t.is_uint()) {
            unsigned long long u = PyLong_AsUnsignedLongLongMask(num);
            v = (long long)u;
        } else {
            int overflow = 0;
            v = PyLong_AsLongLongAndOverflow(num, &overflow);
            if (overflow) {
                Py_DECREF(num);
                PyErr_SetString(PyExc_OverflowError, "Python int too large to convert to int64");
                return false;
            }
        }
        Py_DECREF(num);
        switch (t.bits()) {
        case 8: put<int8_t>(dst, (int8_t)v); break;
        case 16: put<int16_t>(dst, (int16_t)v); break;
        case 32: put<int32_t>(dst, (int32_t)v); break;
        default: put<int64_t>(dst, (int64_t)v); break;
        }
        return true;
    }
    PyErr_Format(PyExc_TypeError, "cannot pass %s as %s", Py_TYPE(obj)->tp_name, t.str().c_str());
    return false;
}

PyObject *read_zero_d(const Type &t, const char *src) {
    PyObject *a = PyArray_SimpleNew(0, nullptr, npy_type_num(t));
    if (!a) return nullptr;
    char *data = (char *)PyArray_DATA((PyArrayObject *)a);
    if (t.is_bool()) *data = get<uint8_t>(src) & 1;  // only the low bit is the value
    else std::memcpy(data, src, size_of(t));
    return a;
}

PyObject *read_value(const Type &t, const char *src, bool borrow) {
    switch (t.kind()) {
    case Type::Kind::None: Py_RETURN_NONE;
    case Type::Kind::Scalar:
        switch (t.scalar_kind()) {
        case ScalarKind::Bool: return PyBool_FromLong(get<uint8_t>(src) & 1);
        case ScalarKind::Int:
            switch (t.bits()) {
            case 8: return PyLong_FromLong(get<int8_t>(src));
            case 16: return PyLong_FromLong(get<int16_t>(src));
            case 32: return PyLong_FromLong(get<int32_t>(src));
            default: return PyLong_FromLongLong(get<int64_t>(src));
            }
        case ScalarKind::UInt:
            switch (t.bits()) {
            case 8: return PyLong_FromUnsignedLong(get<uint8_t>(src));
            case 16: return PyLong_FromUnsignedLong(get<uint16_t>(src));
            case 32: return PyLong_FromUnsignedLong(get<uint32_t>(src));
            default: return PyLong_FromUnsignedLongLong(get<uint64_t>(src));
            }
        case ScalarKind::Float:
            return PyFloat_FromDouble(t.bits() == 32 ? (double)get<float>(src) : get<double>(src));
        case ScalarKind::Complex:
            if (t.bits() == 64) return PyComplex_FromDoubles(get<float>(src), get<float>(src + 4));
            return PyComplex_FromDoubles(get<double>(src), get<double>(src + 8));
        }
        break;
    case Type::Kind::Tuple: {
        PyObject *tup = PyTuple_New((Py_ssize_t)t.elems().size());
        if (!tup) return nullptr;
        size_t off = 0;
        for (size_t i = 0; i < t.elems().size(); i++) {
            const Type &e = t.elems()[i];
            off = round_up(off, align_of(e));
            PyObject *v = read_value(e, src + off);
            if (!v) { Py_DECREF(tup); return nullptr; }
            PyTuple_SET_ITEM(tup, i, v);
            off += size_of(e);
        }
        return tup;
    }
    case Type::Kind::Array: {
        int n = t.ndim();
        void *data = get<void *>(src);
        uintptr_t owner = get<uintptr_t>(src + 8);
        auto *buffer = (owner & 1) ? nullptr : reinterpret_cast<Buffer *>(owner);
        npy_intp dims[NPY_MAXDIMS], strides[NPY_MAXDIMS];
        for (int k = 0; k < n; k++) {
            dims[k] = get<int64_t>(src + 16 + 8 * k);
            strides[k] = get<int64_t>(src + 16 + 8 * (n + k));
        }
        PyObject *base = nullptr;
        int flags = t.readonly() ? 0 : NPY_ARRAY_WRITEABLE;
        if (buffer) {
            runtime::retain(buffer);
            base = PyCapsule_New(buffer, "hotloop.buffer", BufferCapsule::destroy);
            if (!base) { runtime::release(buffer); return nullptr; }
        } else if (owner) {
            // A view of an argument: that array is the base and keeps the memory alive.
            base = reinterpret_cast<PyObject *>(owner & ~uintptr_t(1));
            Py_INCREF(base);
            if (!PyArray_ISWRITEABLE(reinterpret_cast<PyArrayObject *>(base))) flags = 0;
        } else if (!borrow) {
            PyErr_SetString(PyExc_SystemError, "hotloop: returned array has no owner");
            return nullptr;
        }
        PyArray_Descr *descr = PyArray_DescrFromType(npy_type_num(t.elem()));
        PyObject *arr = PyArray_NewFromDescr(&PyArray_Type, descr, n, dims, strides, data, flags, nullptr);
        if (!arr) { Py_XDECREF(base); return nullptr; }
        if (base && PyArray_SetBaseObject(reinterpret_cast<PyArrayObject *>(arr), base) < 0) {
            Py_DECREF(arr);
            return nullptr;
        }
        return arr;
    }
    default: break;
    }
    PyErr_SetString(PyExc_SystemError, "hotloop: cannot convert the result");
    return nullptr;
}

void print_values(const char *types, void *const *values, const char *sep, const char *end) {
    PyGILState_STATE gil = PyGILState_Ensure();  // held already, unless the function is nogil
    PyObject *args = PyList_New(0);
    bool ok = args != nullptr;
    std::istringstream spellings(types);
    std::string spelling;
    for (size_t i = 0; ok && std::getline(spellings, spelling, '\x1f'); i++) {
        const char *at = static_cast<const char *>(values[i]);
        PyObject *v = nullptr;
        try {  // nothing may unwind into the generated code that called us
            if (spelling == "str") {
                v = PyUnicode_FromString(at);
            } else if (spelling.back() == '~') {  // a Python number
                v = read_value(parse_type(spelling.substr(0, spelling.size() - 1)), at);
            } else {  // a NumPy scalar prints as its 0-d array does; arrays as views
                Type t = parse_type(spelling);
                v = t.is_scalar() ? read_zero_d(t, at) : read_value(t, at, /*borrow=*/true);
            }
        } catch (std::exception &e) {
            PyErr_SetString(PyExc_SystemError, ("hotloop print: " + spelling + ": " + e.what()).c_str());
        }
        ok = v && PyList_Append(args, v) == 0;
        Py_XDECREF(v);
    }
    PyObject *tuple = ok ? PyList_AsTuple(args) : nullptr;
    PyObject *kwargs = tuple ? Py_BuildValue("{s:s,s:s}", "sep", sep, "end", end) : nullptr;
    PyObject *print = kwargs ? PyDict_GetItemString(PyEval_GetBuiltins(), "print") : nullptr;
    PyObject *done = print ? PyObject_Call(print, tuple, kwargs) : nullptr;
    if (!done) PyErr_WriteUnraisable(print);  // e.g. a closed sys.stdout: reported, not raised
    Py_XDECREF(done);
    Py_XDECREF(kwargs);
    Py_XDECREF(tuple);
    Py_XDECREF(args);
    PyGILState_Release(gil);
}

}  // namespace hotloop
