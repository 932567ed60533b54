// The runtime: C ABI functions that generated code calls, and the per-call state the
// dispatcher reads back (pending exception, buffers allocated during the call).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hotloop {

// A buffer allocated by compiled code (np.empty, ...). Arrays made in compiled code
// point into one; `refcount` counts the NumPy arrays that own it after the call.
struct Buffer {
    void *data;        // first field: generated code loads it directly
    int64_t refcount;
    int64_t nbytes;
};

// Memory layout of an array value in generated code and at the call boundary:
// { void *data; owner; int64_t shape[ndim]; int64_t strides[ndim]; } (strides in bytes).
// `owner` is the Buffer* of memory made in compiled code, or, with bit 0 set, the NumPy
// array an argument came from; views carry their source's owner.
constexpr int array_header_words = 2;

namespace runtime {

// Exception raised by compiled code, pending until the dispatcher turns it into Python's.
struct PendingError {
    int kind = -1;  // ExcKind, or -1 if none
    std::string message;
};
PendingError &pending_error();

// Buffers allocated during the current call on this thread. The dispatcher calls
// begin_call() before and end_call() after: buffers no returned array took are freed.
size_t begin_call();
void end_call(size_t mark);
// Parallel regions: a worker thread hands the buffers its chunks allocated (from its
// mark on) to the calling thread's call, which frees them at its end_call().
std::vector<Buffer *> take_call_buffers(size_t mark);
void adopt_call_buffers(const std::vector<Buffer *> &buffers);
void retain(Buffer *b);   // a NumPy array now owns a reference
void release(Buffer *b);  // ... and gave it up

// print(...) in compiled code calls the hook the Python layer installs: `types` spells
// each value's type ("str": values[i] is the text), separated by '\x1f'.
using PrintHook = void (*)(const char *types, void *const *values, const char *sep, const char *end);
void set_print_hook(PrintHook hook);

// Every runtime function generated code may call: name and address.
struct Symbol { const char *name; void *address; };
std::vector<Symbol> symbols();

}  // namespace runtime
}  // namespace hotloop
