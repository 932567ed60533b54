// NumPy's C API (arrays and ufuncs), shared by the module's translation units (imported
// once in module.cpp).
#pragma once

#include <Python.h>

#define PY_ARRAY_UNIQUE_SYMBOL hotloop_ARRAY_API
#define PY_UFUNC_UNIQUE_SYMBOL hotloop_UFUNC_API
#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#ifndef HOTLOOP_IMPORT_ARRAY
#define NO_IMPORT_ARRAY
#define NO_IMPORT_UFUNC
#endif
#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>
