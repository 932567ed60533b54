#include "hotloop/ir/Debug.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace hotloop {

bool debug_enabled(const char *stage) {
    const char *env = std::getenv("HOTLOOP_DEBUG");
    if (!env) return false;
    std::string s = std::string(",") + env + ",";
    return s.find(std::string(",") + stage + ",") != std::string::npos || s.find(",all,") != std::string::npos;
}

void debug_emit(const char *stage, const std::string &fn, const std::string &title, const std::string &text) {
    if (!debug_enabled(stage)) return;
    if (const char *dir = std::getenv("HOTLOOP_DUMP_DIR")) {
        std::ofstream out(std::string(dir) + "/" + fn + "." + stage + ".txt", std::ios::app);
        out << "==== " << title << "\n" << text << "\n";
        return;
    }
    std::fprintf(stderr, "==== [%s] %s: %s\n%s\n", stage, fn.c_str(), title.c_str(), text.c_str());
}

}  // namespace hotloop
