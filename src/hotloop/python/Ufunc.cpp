#include "hotloop/python/Ufunc.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "hotloop/ir/Error.h"
#include "hotloop/python/Dispatcher.h"
#include "hotloop/python/NumPy.h"
#include "hotloop/runtime/Runtime.h"
#include "hotloop/sema/SignatureParser.h"

namespace nb = nanobind;

namespace hotloop {

namespace {

// A driver is a compiled function `drv(n, [par,] a0, ..., a{nargs-1})` (see ufunc.py):
// n is the outer count (int64), par (int64, parallel target only) chooses its prange loop
// over its range loop, and operand k is an array of ndim 1 + (core dims of k) whose first
// dimension is the outer one. Two drivers per loop: one compiled for C-contiguous operands
// and one for any strides.
using Entry = int32_t (*)(void **args, void *result);

// (The parallel target needs no size threshold here: the runtime splits a prange loop into
// chunks by its estimated work and runs a small one on the calling thread.)
// Elements per driver call when broadcast (stride-0) inputs are expanded into a buffer.
constexpr int64_t broadcast_chunk = 4096, broadcast_chunk_parallel = int64_t(1) << 16;

struct UfuncData;

struct Loop {
    Entry contiguous = nullptr;
    Entry strided = nullptr;
    std::vector<int> itemsize;  // per operand
    const UfuncData *ufunc = nullptr;
};

// Everything a ufunc made here points at (NumPy keeps the pointers, not copies); owned by
// a capsule in the ufunc's `obj` slot, so it lives exactly as long as the ufunc.
struct UfuncData {
    std::string name, doc;
    int nin = 0, nout = 0, nargs = 0;
    bool gufunc = false, parallel = false;
    std::vector<PyUFuncGenericFunction> functions;
    std::vector<void *> data;
    std::vector<char> types;
    std::vector<std::unique_ptr<Loop>> loops;
    std::vector<std::vector<int>> core_dims;  // per operand: indices into dimensions[1..]
    std::vector<int> core_offsets;            // per operand: its first core stride is steps[nargs + this]
    nb::object keepalive;                     // the drivers (Dispatchers) and the kernel
};

const char *capsule_name = "hotloop.ufunc_data";

void capsule_destructor(PyObject *capsule) {
    delete static_cast<UfuncData *>(PyCapsule_GetPointer(capsule, capsule_name));
}

// The argument block of one driver call: the pointers, n, par and the array structs
// {data, owner, shape[ndim], strides[ndim]} (see runtime/Runtime.h).
class DriverArgs {
public:
    DriverArgs(const UfuncData &u, const Loop &loop, char **args, npy_intp const *dims, npy_intp const *steps)
        : u(u), loop(loop) {
        size_t words = 2;  // n and par; then the array structs, then the pointer array
        for (int k = 0; k < u.nargs; k++) {
            offset.push_back(words);
            words += array_header_words + 2 * ndim(k);
        }
        size_t ptrs_at = words;
        words += 2 + u.nargs;
        block = words <= std::size(small) ? small : (big.resize(words), big.data());
        argv = reinterpret_cast<void **>(block + ptrs_at);
        size_t a = 0;
        argv[a++] = &block[0];
        if (u.parallel) argv[a++] = &block[1];
        for (int k = 0; k < u.nargs; k++) {
            int64_t *s = block + offset[k];
            argv[a++] = s;
            s[0] = reinterpret_cast<int64_t>(args[k]);
            s[1] = 0;  // no owner: NumPy's memory, and drivers return nothing
            int nd = ndim(k);
            s[2] = dims[0];
            s[2 + nd] = steps[k];
            for (int j = 0; j < nd - 1; j++) {
                s[3 + j] = dims[1 + u.core_dims[k][j]];
                s[3 + nd + j] = steps[u.nargs + u.core_offsets[k] + j];
            }
        }
        set_n(dims[0]);
    }

    int ndim(int k) const { return 1 + (u.gufunc ? (int)u.core_dims[k].size() : 0); }
    int64_t *shape(int k) { return block + offset[k] + array_header_words; }
    int64_t *strides(int k) { return shape(k) + ndim(k); }
    char *data(int k) { return reinterpret_cast<char *>(block[offset[k]]); }
    void set_data(int k, char *p) { block[offset[k]] = reinterpret_cast<int64_t>(p); }
    void set_n(int64_t n) {
        block[0] = n;
        for (int k = 0; k < u.nargs; k++) shape(k)[0] = n;
    }
    void set_par(bool p) { block[1] = p; }

    bool c_contiguous(int k) {
        int64_t expected = loop.itemsize[k];
        for (int d = ndim(k) - 1; d >= 0; d--) {
            if (shape(k)[d] == 0) return true;
            if (shape(k)[d] != 1 && strides(k)[d] != expected) return false;
            expected *= shape(k)[d];
        }
        return true;
    }

    // The bytes operand k touches; false if none.
    bool extent(int k, char *&lo, char *&hi) {
        lo = hi = data(k);
        for (int d = 0; d < ndim(k); d++) {
            if (shape(k)[d] == 0) return false;
            int64_t span = (shape(k)[d] - 1) * strides(k)[d];
            (span > 0 ? hi : lo) += span;
        }
        hi += loop.itemsize[k];
        return true;
    }

    // Whether the outer iterations may run in any order: no output is written twice (an
    // outer stride of 0, as in reductions) and no output overlaps another operand, except
    // an input that is the very same view (in place: iteration i reads what it writes).
    bool independent_iterations() {
        for (int o = u.nin; o < u.nargs; o++) {
            if (shape(o)[0] > 1 && strides(o)[0] == 0) return false;
            char *olo, *ohi;
            if (!extent(o, olo, ohi)) continue;
            for (int k = 0; k < u.nargs; k++) {
                char *lo, *hi;
                if (k == o || !extent(k, lo, hi) || hi <= olo || ohi <= lo) continue;
                bool same = k < u.nin && data(k) == data(o) &&
                            std::equal(strides(k), strides(k) + ndim(k), strides(o), strides(o) + ndim(o)) &&
                            ndim(k) == ndim(o);
                if (!same) return false;
            }
        }
        return true;
    }

    // Calls the driver. On an exception raised in compiled code, sets it as the Python
    // exception (unless an earlier chunk already did: the first one wins) and returns false.
    bool call(Entry e) {
        alignas(16) char result[32];
        size_t mark = runtime::begin_call();
        int32_t status = e(argv, result);
        runtime::end_call(mark);
        if (status == 0) return true;
        PyGILState_STATE gil = PyGILState_Ensure();  // NumPy may have released it
        if (!PyErr_Occurred()) raise_pending_error();
        else runtime::pending_error().kind = -1;
        PyGILState_Release(gil);
        return false;
    }

private:
    const UfuncData &u;
    const Loop &loop;
    std::vector<size_t> offset;
    int64_t small[256];
    std::vector<int64_t> big;
    int64_t *block;
    void **argv;
};

// Elementwise loops whose outputs are contiguous and whose inputs are contiguous or
// broadcast (stride 0, e.g. a scalar operand): broadcast values are expanded into a
// buffer so that the contiguous (vectorized) driver runs, chunk by chunk.
bool run_broadcast(const UfuncData &u, const Loop &loop, DriverArgs &a, char **args, npy_intp const *steps, int64_t n) {
    std::vector<int> expand;
    for (int k = 0; k < u.nargs; k++) {
        if (steps[k] == loop.itemsize[k]) continue;
        if (k >= u.nin || steps[k] != 0) return false;
        expand.push_back(k);
    }
    // A broadcast input must not be written by an output during the call.
    for (int k : expand)
        for (int o = u.nin; o < u.nargs; o++)
            if (args[k] + loop.itemsize[k] > args[o] && args[k] < args[o] + n * loop.itemsize[o]) return false;
    bool par_ok = u.parallel && a.independent_iterations();
    int64_t chunk = std::min(n, u.parallel ? broadcast_chunk_parallel : broadcast_chunk);
    thread_local std::vector<char> buffer;
    size_t bytes = 0;
    for (int k : expand) bytes += chunk * loop.itemsize[k] + 64;
    if (buffer.size() < bytes) buffer.resize(bytes);
    char *b = buffer.data();
    std::vector<char *> expanded;
    for (int k : expand) {
        b = reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(b) + 63) & ~uintptr_t(63));
        int size = loop.itemsize[k];
        for (int64_t i = 0; i < chunk; i++) std::memcpy(b + i * size, args[k], size);
        expanded.push_back(b);
        b += chunk * size;
    }
    for (size_t j = 0; j < expand.size(); j++) {
        a.set_data(expand[j], expanded[j]);
        a.strides(expand[j])[0] = loop.itemsize[expand[j]];
    }
    for (int64_t done = 0; done < n; done += chunk) {
        int64_t m = std::min(chunk, n - done);
        a.set_n(m);
        for (int k = 0; k < u.nargs; k++)
            if (steps[k] != 0 || k >= u.nin) a.set_data(k, args[k] + done * steps[k]);
        a.set_par(par_ok && m > 1);
        if (!a.call(loop.contiguous)) return true;
    }
    return true;
}

// The inner loop NumPy calls for every signature of every ufunc made here.
void ufunc_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) {
    const Loop &loop = *static_cast<const Loop *>(data);
    const UfuncData &u = *loop.ufunc;
    int64_t n = dims[0];
    if (n <= 0) return;
    DriverArgs a(u, loop, args, dims, steps);
    bool contiguous = loop.contiguous != nullptr;
    for (int k = 0; contiguous && k < u.nargs; k++) contiguous = a.c_contiguous(k);
    if (!contiguous && loop.contiguous && !u.gufunc && run_broadcast(u, loop, a, args, steps, n)) return;
    if (u.parallel) a.set_par(n > 1 && a.independent_iterations());
    a.call(contiguous ? loop.contiguous : loop.strided);
}

int itemsize_of(int typenum) {
    PyArray_Descr *d = PyArray_DescrFromType(typenum);
    if (!d) throw nb::python_error();
    int size = (int)PyDataType_ELSIZE(d);
    Py_DECREF(d);
    return size;
}

// make_ufunc(name, doc, nin, nout, identity, signature, loops, core_ndims, parallel, keepalive)
// loops: [(typenums of the nin + nout operands, contiguous driver address or 0,
//          strided driver address)]; core_ndims: per operand, the number of core
// dimensions the drivers were generated for (checked against NumPy's parse of signature).
nb::object make_ufunc(const std::string &name, const std::string &doc, int nin, int nout, int identity,
                      nb::object signature, nb::list loops, std::vector<int> core_ndims, bool parallel,
                      nb::object keepalive) {
    auto u = std::make_unique<UfuncData>();
    u->name = name;
    u->doc = doc;
    u->nin = nin;
    u->nout = nout;
    u->nargs = nin + nout;
    u->gufunc = !signature.is_none();
    u->parallel = parallel;
    u->keepalive = keepalive;
    if (nin < 0 || nout < 1 || u->nargs > NPY_MAXARGS) throw nb::value_error("make_ufunc: bad number of operands");
    if ((int)core_ndims.size() != u->nargs) throw nb::value_error("make_ufunc: core_ndims needs one entry per operand");
    for (nb::handle item : loops) {
        nb::tuple t = nb::cast<nb::tuple>(item);
        auto typenums = nb::cast<std::vector<int>>(t[0]);
        if ((int)typenums.size() != u->nargs) throw nb::value_error("make_ufunc: one type per operand");
        auto loop = std::make_unique<Loop>();
        loop->contiguous = reinterpret_cast<Entry>(nb::cast<uintptr_t>(t[1]));
        loop->strided = reinterpret_cast<Entry>(nb::cast<uintptr_t>(t[2]));
        if (!loop->strided) throw nb::value_error("make_ufunc: every loop needs a strided driver");
        loop->ufunc = u.get();
        for (int tn : typenums) {
            if (tn < 0 || tn > NPY_CLONGDOUBLE) throw nb::value_error("make_ufunc: not a numeric type number");
            loop->itemsize.push_back(itemsize_of(tn));
            u->types.push_back((char)tn);
        }
        u->functions.push_back(&ufunc_loop);
        u->data.push_back(loop.get());
        u->loops.push_back(std::move(loop));
    }
    std::string sig = u->gufunc ? nb::cast<std::string>(signature) : "";
    PyObject *f = PyUFunc_FromFuncAndDataAndSignatureAndIdentity(
        u->functions.data(), u->data.data(), u->types.data(), (int)u->loops.size(), nin, nout, identity,
        u->name.c_str(), u->doc.c_str(), 0, u->gufunc ? sig.c_str() : nullptr, nullptr);
    if (!f) throw nb::python_error();
    nb::object ufunc = nb::steal(f);
    auto *uf = reinterpret_cast<PyUFuncObject *>(f);
    u->core_dims.resize(u->nargs);
    u->core_offsets.assign(u->nargs, 0);
    for (int k = 0; k < u->nargs; k++) {
        int nd = u->gufunc && uf->core_enabled ? uf->core_num_dims[k] : 0;
        if (nd != core_ndims[k])
            throw InternalError("ufunc '" + name + "': operand " + std::to_string(k) + " has " + std::to_string(nd) +
                                " core dimensions in NumPy's parse of the signature, the driver expects " +
                                std::to_string(core_ndims[k]));
        if (nd) {
            u->core_offsets[k] = uf->core_offsets[k];
            for (int j = 0; j < nd; j++) u->core_dims[k].push_back(uf->core_dim_ixs[uf->core_offsets[k] + j]);
        }
    }
    PyObject *capsule = PyCapsule_New(u.get(), capsule_name, capsule_destructor);
    if (!capsule) throw nb::python_error();
    u.release();
    Py_XDECREF(uf->obj);
    uf->obj = capsule;  // NumPy releases it when the ufunc is deallocated
    return ufunc;
}

nb::tuple describe_type(const Type &t) {
    if (t.is_unknown()) return nb::make_tuple("unknown", "", 0);
    if (t.is_none()) return nb::make_tuple("none", "", 0);
    if (t.is_scalar()) return nb::make_tuple("scalar", scalar_name(t), 0);
    if (t.is_array()) return nb::make_tuple("array", scalar_name(t.elem()), t.ndim());
    return nb::make_tuple("other", t.str(), 0);
}

}  // namespace

void bind_ufunc(nb::module_ &m) {
    m.def("_make_ufunc", &make_ufunc, nb::arg("name"), nb::arg("doc"), nb::arg("nin"), nb::arg("nout"),
          nb::arg("identity"), nb::arg("signature").none(), nb::arg("loops"), nb::arg("core_ndims"),
          nb::arg("parallel"), nb::arg("keepalive"),
          "A numpy.ufunc whose loops call compiled drivers (used by hotloop.vectorize/guvectorize).");
    m.def("_parse_signature", [](const std::string &text) {
        Signature s;
        try {
            s = parse_signature(text);
        } catch (CompileError &e) {
            throw nb::value_error((std::string(e.what()) + (e.hint.empty() ? "" : "; " + e.hint)).c_str());
        }
        nb::list args;
        for (auto &a : s.args) args.append(describe_type(a));
        return nb::make_tuple(describe_type(s.return_type), args);
    }, nb::arg("signature"),
          "A signature string as ((kind, dtype, ndim) of the return type, [(kind, dtype, ndim) per argument]); "
          "kind is 'scalar', 'array', 'none', 'unknown' (not given) or 'other'.");
    nb::dict identities;
    identities[nb::int_(0)] = (int)PyUFunc_Zero;
    identities[nb::int_(1)] = (int)PyUFunc_One;
    identities[nb::none()] = (int)PyUFunc_None;
    identities[nb::str("reorderable")] = (int)PyUFunc_ReorderableNone;
    m.attr("_ufunc_identities") = identities;
}

}  // namespace hotloop
