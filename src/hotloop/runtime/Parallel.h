// The parallel runtime: compiled code calls hl_parallel_for with an outlined loop body
// (codegen/CodeGen_LLVM.cpp), and oneTBB runs its chunks on a task arena of the calling
// thread's thread count.
//
// Chunks are decided by the iteration count and the estimated work alone, never by the
// thread count or timing, and reductions are combined in chunk order: a parallel loop
// gives the same result at any number of threads, run after run.
#pragma once

#include <cstdint>

#include "hotloop/runtime/Runtime.h"

namespace hotloop::runtime {

// The most chunks a loop is split into; codegen reserves this many reduction slots.
constexpr int64_t max_parallel_chunks = 64;

// The outlined body: runs iterations [begin, end) of the loop as chunk `chunk`.
// Returns non-zero with an exception pending on the calling thread.
using ChunkFn = int32_t (*)(void *ctx, int64_t chunk, int64_t begin, int64_t end);

// Threads for parallel regions started by the calling thread: set_num_threads(n) with
// 1 <= n <= max_threads(); by default max_threads() ($HOTLOOP_NUM_THREADS, else every core).
int max_threads();
int get_num_threads();
void set_num_threads(int n);

// Tests split even tiny loops into many chunks with a small value (0: the default).
void set_min_chunk_work(int64_t work);

// Around each region run on the pool, the Python layer lets go of the GIL if the calling
// thread holds it (release returns what reacquire needs, null when there was nothing to
// release): code in the region that prints (a callee, a stencil kernel) takes it on its
// worker thread, which would otherwise wait forever for the blocked caller.
struct RegionHooks {
    void *(*release)() = nullptr;
    void (*reacquire)(void *) = nullptr;
};
void set_region_hooks(RegionHooks hooks);

std::vector<Symbol> parallel_symbols();

}  // namespace hotloop::runtime
