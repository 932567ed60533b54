#include "hotloop/jit/ObjectCache.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <llvm/Support/xxhash.h>

namespace hotloop {

namespace {

constexpr const char *magic = "HLCACHE1";

std::string hex(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)v);
    return buf;
}

uint64_t hash(const std::string &s) {
    return llvm::xxh3_64bits(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(s.data()), s.size()));
}

std::string path_of(const std::string &key) { return ObjectCache::directory() + "/" + key + ".hlobj"; }

// [magic][key][symbol][llvm text][object][checksum of all before], each with its length.
void put(std::string &out, const std::string &field) {
    out += std::to_string(field.size());
    out += '\n';
    out += field;
}

bool get(const std::string &in, size_t &pos, std::string &field) {
    size_t nl = in.find('\n', pos);
    if (nl == std::string::npos) return false;
    char *end = nullptr;
    unsigned long long n = std::strtoull(in.c_str() + pos, &end, 10);
    if (end != in.c_str() + nl || nl + 1 + n > in.size()) return false;
    field = in.substr(nl + 1, n);
    pos = nl + 1 + n;
    return true;
}

}  // namespace

std::string ObjectCache::directory() {
    if (const char *d = std::getenv("HOTLOOP_CACHE_DIR"); d && *d) return d;
    if (const char *x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/hotloop";
    const char *home = std::getenv("HOME");
    return std::string(home && *home ? home : "/tmp") + "/.cache/hotloop";
}

// Identifies this build of hotloop (the library's path, size and modification time), so a
// rebuilt compiler never loads code an older build made under the same version number.
static std::string build_identity() {
    static const std::string id = [] {
        Dl_info info;
        if (!dladdr(reinterpret_cast<void *>(&build_identity), &info) || !info.dli_fname) return std::string("?");
        struct stat st;
        if (stat(info.dli_fname, &st) != 0) return std::string(info.dli_fname);
        return std::string(info.dli_fname) + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtime);
    }();
    return id;
}

std::string ObjectCache::key(const std::string &description) {
    return hex(hash(description + "\nbuild " + build_identity()));
}

std::optional<CachedObject> ObjectCache::load(const std::string &key, std::string *damaged) {
    std::ifstream f(path_of(key), std::ios::binary);
    if (!f) return std::nullopt;
    std::stringstream ss;
    ss << f.rdbuf();
    std::string data = ss.str();
    size_t pos = 0;
    std::string m, k, sum;
    CachedObject entry;
    bool ok = get(data, pos, m) && m == magic && get(data, pos, k) && k == key && get(data, pos, entry.entry_symbol) &&
              get(data, pos, entry.llvm_text) && get(data, pos, entry.object);
    size_t body_end = pos;
    ok = ok && get(data, pos, sum) && sum == hex(hash(data.substr(0, body_end))) && pos == data.size();
    if (!ok) {
        *damaged = path_of(key);
        std::error_code ec;
        std::filesystem::remove(path_of(key), ec);
        return std::nullopt;
    }
    return entry;
}

void ObjectCache::store(const std::string &key, const CachedObject &entry) {
    std::error_code ec;
    std::filesystem::create_directories(directory(), ec);
    std::string data;
    put(data, magic);
    put(data, key);
    put(data, entry.entry_symbol);
    put(data, entry.llvm_text);
    put(data, entry.object);
    put(data, hex(hash(data)));
    std::string tmp = path_of(key) + ".tmp" + std::to_string(::getpid());
    {
        std::ofstream f(tmp, std::ios::binary);
        if (!f) return;
        f.write(data.data(), (std::streamsize)data.size());
        if (!f) { std::filesystem::remove(tmp, ec); return; }
    }
    std::filesystem::rename(tmp, path_of(key), ec);  // atomic: readers see all or nothing
    if (ec) std::filesystem::remove(tmp, ec);
}

}  // namespace hotloop
