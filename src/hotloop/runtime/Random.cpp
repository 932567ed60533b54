#include "hotloop/runtime/Random.h"

#include <cmath>
#include <cstdint>
#include <random>

#include "hotloop/ir/IR.h"

namespace hotloop::runtime {

namespace {

constexpr int N = 624, M = 397;

struct MT19937 {
    uint32_t key[N];
    int pos = N + 1;  // N + 1: not seeded yet
    bool has_gauss = false;
    double gauss = 0;

    void seed(uint32_t s) {  // NumPy's mt19937_seed
        for (int i = 0; i < N; i++) {
            key[i] = s;
            s = 1812433253u * (s ^ (s >> 30)) + (uint32_t)i + 1;
        }
        pos = N;
        has_gauss = false;
        gauss = 0;
    }
    void refill() {
        static const uint32_t mag01[2] = {0, 0x9908b0dfu};
        int k = 0;
        uint32_t y;
        for (; k < N - M; k++) {
            y = (key[k] & 0x80000000u) | (key[k + 1] & 0x7fffffffu);
            key[k] = key[k + M] ^ (y >> 1) ^ mag01[y & 1];
        }
        for (; k < N - 1; k++) {
            y = (key[k] & 0x80000000u) | (key[k + 1] & 0x7fffffffu);
            key[k] = key[k + (M - N)] ^ (y >> 1) ^ mag01[y & 1];
        }
        y = (key[N - 1] & 0x80000000u) | (key[0] & 0x7fffffffu);
        key[N - 1] = key[M - 1] ^ (y >> 1) ^ mag01[y & 1];
        pos = 0;
    }
    uint32_t next32() {
        if (pos > N) seed_from_os();
        if (pos == N) refill();
        uint32_t y = key[pos++];
        y ^= (y >> 11);
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= (y >> 18);
        return y;
    }
    void seed_from_os() {
        std::random_device rd;
        seed(rd());
    }
    double next_double() {  // 53 random bits in [0, 1)
        int32_t a = (int32_t)(next32() >> 5), b = (int32_t)(next32() >> 6);
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }
    double next_gauss() {  // NumPy's legacy_gauss: the polar method, one value cached
        if (has_gauss) {
            has_gauss = false;
            return gauss;
        }
        double x1, x2, r2;
        do {
            x1 = 2.0 * next_double() - 1.0;
            x2 = 2.0 * next_double() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = std::sqrt(-2.0 * std::log(r2) / r2);
        gauss = f * x1;
        has_gauss = true;
        return f * x2;
    }
    uint64_t next64() { return ((uint64_t)next32() << 32) | next32(); }
    // NumPy's masked rejection sampling for an integer in [0, rng].
    uint64_t bounded(uint64_t rng) {
        if (rng == 0) return 0;
        uint64_t mask = rng;
        for (int s = 1; s < 64; s <<= 1) mask |= mask >> s;
        if (rng <= 0xffffffffu) {
            if (rng == 0xffffffffu) return next32();
            uint32_t v;
            while ((v = next32() & (uint32_t)mask) > rng) {}
            return v;
        }
        if (rng == ~uint64_t(0)) return next64();
        uint64_t v;
        while ((v = next64() & mask) > rng) {}
        return v;
    }
};

thread_local MT19937 generator;

extern "C" {

static int32_t hl_random_seed(int64_t seed) {
    if (seed < 0 || seed > 0xffffffffLL) {
        pending_error() = {(int)ExcKind::ValueError, "Seed must be between 0 and 2**32 - 1"};
        return 1;
    }
    generator.seed((uint32_t)seed);
    return 0;
}
static double hl_random_uniform() { return generator.next_double(); }
static double hl_random_normal() { return generator.next_gauss(); }
// An integer in [lo, hi): the caller checked lo < hi.
static int64_t hl_random_randint(int64_t lo, int64_t hi) {
    return lo + (int64_t)generator.bounded((uint64_t)hi - (uint64_t)lo - 1);
}

}  // extern "C"

}  // namespace

std::vector<Symbol> random_symbols() {
    return {
        {"hl_random_seed", reinterpret_cast<void *>(&hl_random_seed)},
        {"hl_random_uniform", reinterpret_cast<void *>(&hl_random_uniform)},
        {"hl_random_normal", reinterpret_cast<void *>(&hl_random_normal)},
        {"hl_random_randint", reinterpret_cast<void *>(&hl_random_randint)},
    };
}

}  // namespace hotloop::runtime
