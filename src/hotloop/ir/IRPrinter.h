// Python-like text of IR, with types: what HOTLOOP_DEBUG=ir and inspect_ir() show.
#pragma once

#include <ostream>
#include <string>

#include "hotloop/ir/IR.h"

namespace hotloop {

std::string to_string(const Expr &e);
std::string to_string(const Stmt &s, int indent = 0);
std::string to_string(const Function &f);
std::ostream &operator<<(std::ostream &os, const Expr &e);
std::ostream &operator<<(std::ostream &os, const Stmt &s);

}  // namespace hotloop
