// NumPy 2 type promotion (NEP 50): Python scalars are weak and take the dtype of the
// NumPy value they meet; two NumPy values promote as numpy.promote_types does.
#pragma once

#include "hotloop/ir/Type.h"

namespace hotloop {

// The common type of two scalars in arithmetic and comparison.
Type promote(const Type &a, const Type &b);
// numpy.promote_types for two strong scalars.
Type promote_strong(const Type &a, const Type &b);
// The single type of a variable assigned values of both types, or Unknown if none.
Type unify(const Type &a, const Type &b);
// The float type a math function computes in for an argument of type t
// (ints and bools -> float64, float32 stays, complex stays). Keeps weakness.
Type float_type_for(const Type &t);
// Whether a value of type `from` converts to `to` implicitly on a call with an
// explicit signature (any number to any number of the same or a higher kind).
bool can_convert_arg(const Type &from, const Type &to);

}  // namespace hotloop
