// The two kinds of error: a user's CompileError (with a source location) and an
// internal error (a broken compiler invariant). Neither may crash the interpreter.
#pragma once

#include <stdexcept>
#include <string>

namespace hotloop {

// A position in the user's source: 1-based line in the file, 0-based columns.
struct Loc {
    int line = 0;
    int col = 0;
    int end_col = -1;
    bool known() const { return line > 0; }
};

class CompileError : public std::runtime_error {
public:
    CompileError(Loc loc, const std::string &what, std::string hint = "")
        : std::runtime_error(what), loc(loc), hint(std::move(hint)) {}
    Loc loc;
    std::string hint;
};

class InternalError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

[[noreturn]] void internal_error(const std::string &msg);
inline void internal_assert(bool cond, const std::string &msg) {
    if (!cond) internal_error(msg);
}

}  // namespace hotloop
