// Crossing the boundary: the type of each Python argument (the dispatch key), writing
// arguments into the memory layout generated code reads, and turning results into
// Python objects (arrays made in compiled code become NumPy arrays without a copy).
#pragma once

#include <string>
#include <vector>

#include "hotloop/ir/Type.h"
#include "hotloop/python/NumPy.h"

namespace hotloop {

// The hotloop type of a Python argument, or Unknown with `why` set.
Type type_of_argument(PyObject *obj, std::string *why);
// Appends a compact encoding of obj's type to key; false if unsupported.
bool append_key(PyObject *obj, std::string &key);

// Size and alignment of a value of type t in memory (LLVM's x86-64 data layout).
size_t size_of(const Type &t);
size_t align_of(const Type &t);

// Writes obj (already checked to have a type convertible to t) at dst. Returns false
// with a Python exception set on failure (e.g. an int that does not fit).
bool write_value(const Type &t, PyObject *obj, char *dst);
// Builds the Python object for a value of type t at src. New reference or null.
// `borrow`: an array without an owner (a gufunc kernel's argument) may be wrapped without
// one, for a use that ends before the memory does (print).
PyObject *read_value(const Type &t, const char *src, bool borrow = false);
// The scalar of type t at src as a 0-d NumPy array of its dtype. New reference or null.
PyObject *read_zero_d(const Type &t, const char *src);

// print(...) in compiled code (runtime::PrintHook): the values as Python prints them,
// through Python's own print (NumPy scalars and arrays as NumPy shows them).
void print_values(const char *types, void *const *values, const char *sep, const char *end);

}  // namespace hotloop
