// Parses Numba-style signature strings: "float32[:](float32[:], float32, int32)",
// "void(float64[:, ::1])", "(int64, float64)" (return type inferred),
// "Tuple((int64, float64))(int64)", "UniTuple(float64, 2)(float64)".
#pragma once

#include <string>
#include <vector>

#include "hotloop/ir/Type.h"

namespace hotloop {

struct Signature {
    Type return_type;          // Unknown when the string gives none
    std::vector<Type> args;
    std::string str() const;
};

// Throws CompileError (without location) describing what is malformed.
Signature parse_signature(const std::string &text);
// One type: "float64", "int32[:, ::1]", "readonly float64[:]".
Type parse_type(const std::string &text);

}  // namespace hotloop
