// The extension module hotloop._core.
#define HOTLOOP_IMPORT_ARRAY
#include "hotloop/python/NumPy.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "hotloop/ir/Error.h"
#include "hotloop/jit/JITEngine.h"
#include "hotloop/jit/ObjectCache.h"
#include "hotloop/python/Dispatcher.h"
#include "hotloop/sema/Builtins.h"

namespace nb = nanobind;
using namespace hotloop;

static bool import_numpy() {
    import_array1(false);
    return true;
}

NB_MODULE(_core, m) {
    if (!import_numpy()) throw nb::python_error();
    // Dispatchers held by module globals live until interpreter exit: not leaks.
    nb::set_leak_warnings(false);
    m.doc() = "hotloop's compiler and runtime (C++); use the hotloop package instead.";
    nb::exception<InternalError>(m, "InternalError", PyExc_RuntimeError);
    bind_dispatcher(m);
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
    m.def("cache_dir", [] { return ObjectCache::directory(); },
          "The folder of the on-disk cache ($HOTLOOP_CACHE_DIR, else $XDG_CACHE_HOME/hotloop, else ~/.cache/hotloop).");
    m.def("supported_functions", [] {
        nb::list out;
        for (auto &n : supported_builtin_names()) out.append(nb::str(n.c_str()));
        return out;
    }, "Every function name compiled code accepts.");
}
