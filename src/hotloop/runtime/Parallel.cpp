#include "hotloop/runtime/Parallel.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

namespace hotloop::runtime {

namespace {

// Below this much estimated work (about one unit per simple operation) a chunk is not
// worth waking a thread for: the fork-join of a region costs a few microseconds.
constexpr int64_t default_min_chunk_work = 16384;
std::atomic<int64_t> min_chunk_work{default_min_chunk_work};

thread_local int thread_count = 0;  // 0: max_threads()
thread_local bool in_region = false;
RegionHooks region_hooks;

int read_max_threads() {
    if (const char *env = std::getenv("HOTLOOP_NUM_THREADS")) {
        int n = std::atoi(env);
        if (n >= 1) return n;
    }
    return std::max(1, tbb::info::default_concurrency());
}

// One arena per thread count, made on first use and kept: creating one is costly.
tbb::task_arena &arena(int threads) {
    static std::mutex mutex;
    static std::vector<std::unique_ptr<tbb::task_arena>> arenas(max_threads() + 1);
    std::lock_guard<std::mutex> lock(mutex);
    // TBB caps its workers at the core count; $HOTLOOP_NUM_THREADS may ask for more.
    static std::unique_ptr<tbb::global_control> allow_more;
    if (!allow_more && max_threads() > tbb::info::default_concurrency())
        allow_more = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, max_threads());
    auto &a = arenas[threads];
    if (!a) {
        a = std::make_unique<tbb::task_arena>(threads);
        a->initialize();
    }
    return *a;
}

// Chunk c of n iterations in `chunks` chunks starts here (128-bit: c * n may not fit).
int64_t chunk_begin(int64_t c, int64_t n, int64_t chunks) { return (int64_t)((__int128)c * n / chunks); }

int32_t run_chunk(ChunkFn fn, void *ctx, int64_t c, int64_t n, int64_t chunks) {
    return fn(ctx, c, chunk_begin(c, n, chunks), chunk_begin(c + 1, n, chunks));
}

int32_t run_serially(ChunkFn fn, void *ctx, int64_t n, int64_t chunks) {
    for (int64_t c = 0; c < chunks; c++)
        if (run_chunk(fn, ctx, c, n, chunks)) return 1;
    return 0;
}

// What the chunks of one region share: the first failure (by chunk index, so which
// error is reported does not depend on timing) and the buffers workers allocated.
struct Region {
    std::mutex mutex;
    std::atomic<int64_t> failed_chunk{INT64_MAX};
    PendingError error;
    std::vector<Buffer *> buffers;
};

}  // namespace

int max_threads() {
    static const int n = read_max_threads();
    return n;
}

int get_num_threads() { return thread_count ? thread_count : max_threads(); }

void set_num_threads(int n) { thread_count = n; }

void set_min_chunk_work(int64_t work) { min_chunk_work = work > 0 ? work : default_min_chunk_work; }

void set_region_hooks(RegionHooks hooks) { region_hooks = hooks; }

extern "C" {

// How many chunks a loop of n iterations of `cost` each is split into.
static int64_t hl_parallel_chunks(int64_t n, int64_t cost) {
    if (n <= 1) return n < 1 ? 0 : 1;
    int64_t work = n > INT64_MAX / std::max<int64_t>(cost, 1) ? INT64_MAX : n * std::max<int64_t>(cost, 1);
    return std::clamp<int64_t>(work / min_chunk_work.load(std::memory_order_relaxed), 1, std::min(n, max_parallel_chunks));
}

// Runs fn over [0, n) in `chunks` chunks: on the pool, or on this thread when there is
// one chunk, one thread, or when called from inside another region (nested loops).
static int32_t hl_parallel_for(ChunkFn fn, void *ctx, int64_t n, int64_t chunks) {
    int threads = get_num_threads();
    if (chunks <= 1 || threads <= 1 || in_region) return run_serially(fn, ctx, n, chunks);
    Region region;
    std::thread::id caller = std::this_thread::get_id();
    auto body = [&](const tbb::blocked_range<int64_t> &r) {
        bool outer = in_region;
        in_region = true;
        size_t mark = begin_call();
        // After a failure, chunks past it are skipped but earlier ones still run: the
        // reported error is the first the serial loop would raise, whatever the timing.
        for (int64_t c = r.begin(); c < r.end() && c < region.failed_chunk.load(std::memory_order_relaxed); c++) {
            if (!run_chunk(fn, ctx, c, n, chunks)) continue;
            std::lock_guard<std::mutex> lock(region.mutex);
            if (c < region.failed_chunk) {
                region.failed_chunk = c;
                region.error = pending_error();
            }
            pending_error() = PendingError{};
        }
        if (std::this_thread::get_id() != caller) {
            std::vector<Buffer *> mine = take_call_buffers(mark);
            std::lock_guard<std::mutex> lock(region.mutex);
            region.buffers.insert(region.buffers.end(), mine.begin(), mine.end());
        }
        in_region = outer;
    };
    void *released = region_hooks.release ? region_hooks.release() : nullptr;
    arena(std::min(threads, max_threads())).execute([&] {
        tbb::parallel_for(tbb::blocked_range<int64_t>(0, chunks, 1), body, tbb::simple_partitioner());
    });
    if (released) region_hooks.reacquire(released);
    adopt_call_buffers(region.buffers);
    if (region.failed_chunk == INT64_MAX) return 0;
    pending_error() = region.error;
    return 1;
}

}  // extern "C"

std::vector<Symbol> parallel_symbols() {
    return {
        {"hl_parallel_chunks", reinterpret_cast<void *>(&hl_parallel_chunks)},
        {"hl_parallel_for", reinterpret_cast<void *>(&hl_parallel_for)},
    };
}

}  // namespace hotloop::runtime
