#include "hotloop/runtime/Runtime.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include <sys/mman.h>

#include "hotloop/ir/IR.h"
#include "hotloop/runtime/ComplexMath.h"
#include "hotloop/runtime/Parallel.h"
#include "hotloop/runtime/Random.h"

namespace hotloop::runtime {

namespace {
thread_local PendingError error_state;
thread_local std::vector<Buffer *> call_buffers;
constexpr size_t buffer_alignment = 64;  // a cache line: aligned vector loads
}  // namespace

PendingError &pending_error() { return error_state; }

size_t begin_call() { return call_buffers.size(); }

void end_call(size_t mark) {
    for (size_t i = mark; i < call_buffers.size(); i++) release(call_buffers[i]);
    call_buffers.resize(mark);
}

std::vector<Buffer *> take_call_buffers(size_t mark) {
    std::vector<Buffer *> out(call_buffers.begin() + (ptrdiff_t)mark, call_buffers.end());
    call_buffers.resize(mark);
    return out;
}

void adopt_call_buffers(const std::vector<Buffer *> &buffers) {
    call_buffers.insert(call_buffers.end(), buffers.begin(), buffers.end());
}

void retain(Buffer *b) { __atomic_add_fetch(&b->refcount, 1, __ATOMIC_RELAXED); }

void release(Buffer *b) {
    if (__atomic_sub_fetch(&b->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
        std::free(b);  // one block: the header, then the data (see hl_alloc)
    }
}

namespace {
PrintHook print_hook = nullptr;
}

void set_print_hook(PrintHook hook) { print_hook = hook; }

extern "C" {

// print(...) in compiled code: the Python layer's hook prints with Python's print (in
// plain C++, without one, the types are written instead: tests/cpp never prints).
static void hl_print(const char *types, void *const *values, const char *sep, const char *end) {
    if (print_hook) print_hook(types, values, sep, end);
    else std::fprintf(stderr, "hotloop print without a Python hook: %s\n", types);
}

// Records an exception; the generated function then returns a non-zero status.
static void hl_raise(int32_t kind, const char *message) {
    error_state.kind = kind;
    error_state.message = message ? message : "";
}

// A new buffer of nbytes, held by the current call until end_call(): returns its data
// (fresh memory, like malloc's) and stores the Buffer in *owner; null on failure (with
// MemoryError pending).
static void *hl_alloc(int64_t nbytes, Buffer **owner) {
    if (nbytes < 0) {
        hl_raise((int32_t)ExcKind::ValueError, "negative dimensions are not allowed");
        return nullptr;
    }
    size_t size = ((size_t)nbytes + buffer_alignment - 1) / buffer_alignment * buffer_alignment;
    // One block: the header, then the data, which starts
    // - for small buffers one cache line after the header;
    // - from 64 KiB on a page boundary. A loop that reads x[i] and stores y[i] stalls when
    //   y lies a few hundred bytes ahead of x modulo 4 KiB (the CPU takes a load of x for
    //   one of the pending stores to y: "4K aliasing"); up to 20% of a polynomial loop
    //   over 1M elements. NumPy's large arrays start 16 bytes into a page (glibc's mmap
    //   chunk header), so a page-aligned result lies 16 bytes behind them, where nothing
    //   stalls; left to where malloc puts it, the loop's speed varied run to run.
    // - past glibc's largest mmap threshold (32 MiB), where every allocation is mapped
    //   afresh, on a huge-page boundary, asking for huge pages (as NumPy does): far fewer
    //   page faults when a big result is first written. Smaller buffers come from the heap,
    //   where a buffer freed by the previous call is reused with its pages already mapped.
    constexpr size_t page = 4096, huge = size_t(2) << 20;
    bool big = size >= (size_t(32) << 20);
    size_t align = big ? huge : size >= (size_t(64) << 10) ? page : buffer_alignment;
    char *block = static_cast<char *>(std::aligned_alloc(buffer_alignment, size + align));
    if (!block) {
        hl_raise((int32_t)ExcKind::MemoryError, "unable to allocate array data");
        return nullptr;
    }
    uintptr_t first = reinterpret_cast<uintptr_t>(block) + buffer_alignment;
    char *data = block + ((first + align - 1) / align * align - reinterpret_cast<uintptr_t>(block));
    if (big) madvise(data, size, MADV_HUGEPAGE);
    auto *b = new (block) Buffer{data, 1, nbytes};  // the call's reference
    call_buffers.push_back(b);
    *owner = b;
    return data;
}

// NumPy's _attempt_nocopy_reshape (C order): strides that view `dims`/`strides` with
// the shape `new_dims`, or false when the old axes cannot be merged.
static bool nocopy_strides(int64_t ndim, const int64_t *dims, const int64_t *strides, int64_t new_ndim,
                           const int64_t *new_dims, int64_t *new_strides, int64_t item) {
    std::vector<int64_t> od, os;  // the old axes without those of length 1
    for (int64_t k = 0; k < ndim; k++)
        if (dims[k] != 1) od.push_back(dims[k]), os.push_back(strides[k]);
    int64_t oi = 0, oj = 1, ni = 0, nj = 1, old_n = (int64_t)od.size();
    while (ni < new_ndim && oi < old_n) {
        int64_t np_ = new_dims[ni], op = od[oi];
        while (np_ != op) {
            if (np_ < op) np_ *= new_dims[nj++];
            else op *= od[oj++];
        }
        for (int64_t k = oi; k < oj - 1; k++)
            if (os[k] != od[k + 1] * os[k + 1]) return false;
        new_strides[nj - 1] = os[oj - 1];
        for (int64_t k = nj - 1; k > ni; k--) new_strides[k - 1] = new_strides[k] * new_dims[k];
        ni = nj++;
        oi = oj++;
    }
    int64_t last = ni >= 1 ? new_strides[ni - 1] : item;
    for (int64_t k = ni; k < new_ndim; k++) new_strides[k] = last;  // trailing 1s
    return true;
}

// reshape() of a strided array, as NumPy does it: a view of the same memory when the
// axes merge, else a C-ordered copy in a new buffer (*owner replaced). The sizes agree
// (checked by the caller). Returns the data, or null with MemoryError pending.
static void *hl_reshape_strided(void *data, Buffer **owner, int64_t ndim, const int64_t *dims,
                                const int64_t *strides, int64_t new_ndim, const int64_t *new_dims,
                                int64_t *new_strides, int64_t item) {
    int64_t count = 1;
    for (int64_t k = 0; k < ndim; k++) count *= dims[k];
    if (count != 0 && nocopy_strides(ndim, dims, strides, new_ndim, new_dims, new_strides, item)) return data;
    int64_t s = item;
    for (int64_t k = new_ndim - 1; k >= 0; k--) new_strides[k] = s, s *= new_dims[k];
    if (count == 0) return data;  // no elements: any strides view it (NumPy calls it contiguous)
    char *out = static_cast<char *>(hl_alloc(count * item, owner));
    if (!out) return nullptr;
    // Element by element in C order: an odometer over the old shape.
    std::vector<int64_t> index(ndim, 0);
    const char *src = static_cast<const char *>(data);
    for (int64_t i = 0; i < count; i++) {
        std::memcpy(out + i * item, src, item);
        for (int64_t k = ndim - 1; k >= 0; k--) {
            src += strides[k];
            if (++index[k] < dims[k]) break;
            src -= strides[k] * dims[k];
            index[k] = 0;
        }
    }
    return out;
}

}  // extern "C"

std::vector<Symbol> symbols() {
    std::vector<Symbol> out = {
        {"hl_raise", reinterpret_cast<void *>(&hl_raise)},
        {"hl_print", reinterpret_cast<void *>(&hl_print)},
        {"hl_alloc", reinterpret_cast<void *>(&hl_alloc)},
        {"hl_reshape_strided", reinterpret_cast<void *>(&hl_reshape_strided)},
    };
    for (auto &s : random_symbols()) out.push_back(s);
    for (auto &s : parallel_symbols()) out.push_back(s);
    for (auto &s : complex_math_symbols()) out.push_back(s);
    return out;
}

}  // namespace hotloop::runtime
