// HOTLOOP_DEBUG=ir,types,passes,llvm,asm,time prints each stage to stderr;
// HOTLOOP_DUMP_DIR=path writes the same text to files there instead.
#pragma once

#include <string>

namespace hotloop {

bool debug_enabled(const char *stage);
// Emits `text` for `stage` (of function `fn`) if that stage is enabled.
void debug_emit(const char *stage, const std::string &fn, const std::string &title, const std::string &text);

}  // namespace hotloop
