// The extension module hotloop._core.
#define HOTLOOP_IMPORT_ARRAY
#include "hotloop/python/NumPy.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "hotloop/ir/Error.h"
#include "hotloop/jit/JITEngine.h"
#include "hotloop/jit/ObjectCache.h"
#include "hotloop/python/Boxing.h"
#include "hotloop/python/Dispatcher.h"
#include "hotloop/python/Ufunc.h"
#include "hotloop/runtime/Parallel.h"
#include "hotloop/runtime/Runtime.h"
#include "hotloop/sema/Builtins.h"

namespace nb = nanobind;
using namespace hotloop;

static bool import_numpy() {
    import_array1(false);
    import_umath1(false);
    return true;
}

NB_MODULE(_core, m) {
    if (!import_numpy()) throw nb::python_error();
    // Dispatchers held by module globals live until interpreter exit: not leaks.
    nb::set_leak_warnings(false);
    m.doc() = "hotloop's compiler and runtime (C++); use the hotloop package instead.";
    nb::exception<InternalError>(m, "InternalError", PyExc_RuntimeError);
    runtime::set_print_hook(&print_values);
    runtime::set_region_hooks({[]() -> void * { return PyGILState_Check() ? PyEval_SaveThread() : nullptr; },
                               [](void *state) { PyEval_RestoreThread(static_cast<PyThreadState *>(state)); }});
    bind_dispatcher(m);
    bind_ufunc(m);
    m.def("host_info", [] {
        const HostInfo &h = JITEngine::get().host();
        nb::dict d;
        d["cpu"] = h.cpu;
        d["triple"] = h.triple;
        d["features"] = h.features;
        d["vector_width_bits"] = h.vector_width_bits;
        d["llvm_version"] = h.llvm_version;
        d["hotloop_version"] = HOTLOOP_VERSION;
        return d;
    }, "The host CPU, its vector width and the LLVM version.");
    m.def("set_num_threads", [](int n) {
        int most = runtime::max_threads();
        if (n < 1 || n > most)
            throw nb::value_error(("the number of threads must be between 1 and " + std::to_string(most) +
                                   " ($HOTLOOP_NUM_THREADS, else the number of cores), got " + std::to_string(n)).c_str());
        int previous = runtime::get_num_threads();
        runtime::set_num_threads(n);
        return previous;
    }, nb::arg("n"), "Use n threads for parallel regions started by this thread; returns the previous number.");
    m.def("get_num_threads", &runtime::get_num_threads, "Threads used by parallel regions started by this thread.");
    m.def("max_threads", &runtime::max_threads, "The most threads: $HOTLOOP_NUM_THREADS, else the number of cores.");
    m.def("_set_min_chunk_work", &runtime::set_min_chunk_work, nb::arg("work"),
          "Testing aid: the least estimated work per chunk of a parallel loop (0: the default).");
    m.def("cache_dir", [] { return ObjectCache::directory(); },
          "The folder of the on-disk cache ($HOTLOOP_CACHE_DIR, else $XDG_CACHE_HOME/hotloop, else ~/.cache/hotloop).");
    m.def("supported_functions", [] {
        nb::list out;
        for (auto &n : supported_builtin_names()) out.append(nb::str(n.c_str()));
        return out;
    }, "Every function name compiled code accepts.");
}
