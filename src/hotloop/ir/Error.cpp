#include "hotloop/ir/Error.h"

namespace hotloop {

void internal_error(const std::string &msg) {
    throw InternalError("hotloop internal error: " + msg +
                        " (this is a bug in hotloop, not in your code; please report it)");
}

}  // namespace hotloop
