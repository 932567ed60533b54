// The on-disk cache of compiled specializations (cache=True, evaluate()). An entry is
// keyed by a hash of everything that decides the machine code: the typed IR after the
// passes (which includes the callees and every frozen constant), the codegen options,
// the CPU and its features, and the LLVM and hotloop versions. Entries are written
// atomically (a temporary file renamed into place) and verified when read.
#pragma once

#include <optional>
#include <string>

namespace hotloop {

struct CachedObject {
    std::string entry_symbol;
    std::string llvm_text;  // for inspect_llvm / inspect_asm
    std::string object;     // the object file
};

class ObjectCache {
public:
    // The cache folder: $HOTLOOP_CACHE_DIR, else $XDG_CACHE_HOME/hotloop, else ~/.cache/hotloop.
    static std::string directory();
    // The key of a specialization (hex).
    static std::string key(const std::string &description);

    // The entry for `key`, if present and intact; a damaged entry is removed and reported
    // through `damaged`.
    static std::optional<CachedObject> load(const std::string &key, std::string *damaged);
    // Stores an entry; failures (read-only disk, ...) are silent: the cache is an optimization.
    static void store(const std::string &key, const CachedObject &entry);
};

}  // namespace hotloop
