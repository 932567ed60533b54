#include "hotloop/python/Dispatcher.h"

#include <algorithm>

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "hotloop/ir/IR.h"
#include "hotloop/python/Boxing.h"
#include "hotloop/runtime/Runtime.h"
#include "hotloop/sema/Promotion.h"

namespace nb = nanobind;

namespace hotloop {

namespace {

PyObject *exception_class(ExcKind k) {
    switch (k) {
    case ExcKind::ValueError: return PyExc_ValueError;
    case ExcKind::IndexError: return PyExc_IndexError;
    case ExcKind::ZeroDivisionError: return PyExc_ZeroDivisionError;
    case ExcKind::RuntimeError: return PyExc_RuntimeError;
    case ExcKind::OverflowError: return PyExc_OverflowError;
    case ExcKind::MemoryError: return PyExc_MemoryError;
    case ExcKind::TypeError: return PyExc_TypeError;
    case ExcKind::AssertionError: return PyExc_AssertionError;
    }
    return PyExc_RuntimeError;
}

std::string types_str(const std::vector<Type> &ts) {
    std::string s;
    for (size_t i = 0; i < ts.size(); i++) s += (i ? ", " : "") + ts[i].str();
    return s;
}

void layout_arguments(Specialization &s) {
    size_t off = 0;
    for (auto &t : s.args) {
        size_t a = std::max<size_t>(align_of(t), 8);
        off = (off + a - 1) / a * a;
        s.arg_offsets.push_back(off);
        off += size_of(t);
    }
    s.arg_bytes = off;
    s.return_size = s.return_type.is_none() ? 0 : size_of(s.return_type);
}

}  // namespace

void raise_pending_error() {
    auto &err = runtime::pending_error();
    PyErr_SetString(exception_class((ExcKind)err.kind), err.message.c_str());
    err.kind = -1;
}

Dispatcher::Dispatcher(nb::object func, nb::dict opts, nb::list sigs) : py_func(std::move(func)) {
    name = nb::cast<std::string>(py_func.attr("__name__"));
    for (auto [k, v] : opts) {
        std::string key = nb::cast<std::string>(k);
        if (key == "fastmath") options.fastmath = nb::cast<bool>(v);
        else if (key == "boundscheck") options.boundscheck = nb::cast<bool>(v);
        else if (key == "parallel") options.parallel = nb::cast<bool>(v);
        else if (key == "nogil") nogil = nb::cast<bool>(v);
        else if (key == "cache") options.cache = nb::cast<bool>(v);
        else if (key == "_quick_compile") options.quick_compile = nb::cast<bool>(v);
        else if (key == "_fast_codegen") options.fast_codegen = nb::cast<bool>(v);
        else if (key == "_zero_d_results") zero_d_results = nb::cast<bool>(v);
        else if (key == "error_model") options.error_model_numpy = nb::cast<std::string>(v) == "numpy";
        else if (key == "_stencil") {  // (mode, cval, neighborhood or None, standard_indexing, with_out,
                                        //  cval_given): checked in hotloop.stencil
            auto spec = nb::cast<nb::tuple>(v);
            auto st = std::make_shared<StencilOptions>();
            st->wrap = nb::cast<std::string>(spec[0]) == "wrap";
            st->cval = constant_expr(spec[1], "cval", Loc{});
            if (!spec[2].is_none())
                for (nb::handle pair : spec[2])
                    st->neighborhood.push_back({nb::cast<int64_t>(pair[0]), nb::cast<int64_t>(pair[1])});
            for (nb::handle n : spec[3]) st->standard_indexing.push_back(nb::cast<std::string>(n));
            st->with_out = nb::cast<bool>(spec[4]);
            st->cval_given = nb::cast<bool>(spec[5]);
            options.stencil = std::move(st);
        } else if (key == "locals") {
            for (auto [ln, lt] : nb::cast<nb::dict>(v)) {
                std::string tn = nb::cast<std::string>(lt);
                try {
                    options.locals[nb::cast<std::string>(ln)] = parse_type(tn);
                } catch (CompileError &e) {
                    throw nb::type_error(("locals: " + std::string(e.what())).c_str());
                }
            }
        }
    }
    nb::object code = py_func.attr("__code__");
    int argc = nb::cast<int>(code.attr("co_argcount"));
    nb::tuple varnames = nb::cast<nb::tuple>(code.attr("co_varnames"));
    for (int i = 0; i < argc; i++) param_names.push_back(nb::cast<std::string>(varnames[i]));
    defaults = py_func.attr("__defaults__");
    size_t ndefaults = defaults.is_none() ? 0 : nb::len(defaults);
    first_default = param_names.size() - ndefaults;
    if (options.has_out_parameter()) param_names.push_back("out");  // no default
    for (nb::handle s : sigs) {
        std::string text = nb::cast<std::string>(nb::str(s));
        try {
            explicit_signatures.push_back(parse_signature(text));
        } catch (CompileError &e) {
            raise_compile_error(e);
        }
    }
}

void Dispatcher::load_source() {
    if (function_def.is_valid()) return;
    nb::tuple info = nb::cast<nb::tuple>(nb::module_::import_("hotloop._source").attr("function_info")(py_func));
    function_def = info[0];
    filename = nb::cast<std::string>(info[1]);
    line_offset = nb::cast<int>(info[2]);
    col_offset = nb::cast<int>(info[3]);
    source_lines = nb::cast<std::vector<std::string>>(info[4]);
    globals = info[5];
    closure = info[6];
}

void Dispatcher::raise_compile_error(const CompileError &e) {
    load_source();
    int line = e.loc.known() ? e.loc.line : line_offset + 1;
    std::string src = line >= 1 && line <= (int)source_lines.size() ? source_lines[line - 1] : "";
    nb::object cls = nb::module_::import_("hotloop.errors").attr("CompileError");
    nb::object exc = cls(e.what(), filename, line, e.loc.known() ? e.loc.col : -1, e.loc.end_col, src, e.hint, name);
    PyErr_SetObject(cls.ptr(), exc.ptr());
    throw nb::python_error();
}

Specialization *Dispatcher::specialize(const std::vector<Type> &args, const Type &return_type) {
    for (auto &s : specializations) {
        if (s->args.size() != args.size()) continue;
        bool same = return_type.is_unknown() || s->return_type == return_type;
        for (size_t i = 0; same && i < args.size(); i++)
            same = s->args[i] == args[i] && (!args[i].is_scalar() || s->args[i].weak() == args[i].weak());
        if (same) return s.get();
    }
    auto spec = compile_specialization(*this, args, return_type);
    layout_arguments(*spec);
    specializations.push_back(std::move(spec));
    return specializations.back().get();
}

bool Dispatcher::bind(PyObject *const *args, size_t nargs, PyObject *kwargs, std::vector<PyObject *> &out) {
    size_t n = param_names.size();
    if (nargs > n) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zu positional arguments but %zu were given", name.c_str(), n, nargs);
        return false;
    }
    out.assign(args, args + nargs);
    out.resize(n, nullptr);
    Py_ssize_t used = 0;
    for (size_t i = nargs; i < n; i++) {
        PyObject *v = kwargs ? PyDict_GetItemString(kwargs, param_names[i].c_str()) : nullptr;
        if (v) used++;
        else if (i >= first_default && !defaults.is_none() && i - first_default < (size_t)PyTuple_GET_SIZE(defaults.ptr()))
            v = PyTuple_GET_ITEM(defaults.ptr(), i - first_default);
        else {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", name.c_str(), param_names[i].c_str());
            return false;
        }
        out[i] = v;
    }
    if (kwargs && used != PyDict_Size(kwargs)) {
        PyObject *k, *v;
        Py_ssize_t pos = 0;
        while (PyDict_Next(kwargs, &pos, &k, &v)) {
            std::string kn = PyUnicode_AsUTF8(k);
            size_t idx = std::find(param_names.begin(), param_names.end(), kn) - param_names.begin();
            if (idx == n) PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%s'", name.c_str(), kn.c_str());
            else PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", name.c_str(), kn.c_str());
            return false;
        }
    }
    return true;
}

Specialization *Dispatcher::lookup(PyObject *const *args, size_t nargs) {
    std::string key;  // short keys stay in the string's inline buffer: no allocation
    for (size_t i = 0; i < nargs; i++) {
        if (!append_key(args[i], key)) {
            std::string why;
            type_of_argument(args[i], &why);
            if (why.empty()) why = "unsupported value";
            PyErr_Format(PyExc_TypeError, "%s() argument '%s': %s", name.c_str(), param_names[i].c_str(), why.c_str());
            return nullptr;
        }
    }
    if (last && key == last_key) return last;
    auto it = by_key.find(key);
    Specialization *s = it != by_key.end() ? it->second : nullptr;
    if (!s) {
        std::vector<Type> types;
        for (size_t i = 0; i < nargs; i++) {
            std::string why;
            Type t = type_of_argument(args[i], &why);
            if (t.is_unknown()) {
                PyErr_Format(PyExc_TypeError, "%s() argument '%s': %s", name.c_str(), param_names[i].c_str(), why.c_str());
                return nullptr;
            }
            types.push_back(t);
        }
        if (explicit_signatures.empty()) {
            s = specialize(types);
        } else {
            for (auto &sig : explicit_signatures) {
                bool ok = sig.args.size() == types.size();
                for (size_t i = 0; ok && i < types.size(); i++) ok = can_convert_arg(types[i], sig.args[i]);
                if (ok) { s = specialize(sig.args, sig.return_type); break; }
            }
            if (!s) {
                std::string have;
                for (auto &sig : explicit_signatures) have += "\n    " + sig.str();
                PyErr_Format(PyExc_TypeError, "%s(): no matching definition for argument types (%s); compiled signatures:%s",
                             name.c_str(), types_str(types).c_str(), have.c_str());
                return nullptr;
            }
        }
        by_key.emplace(key, s);
    }
    last_key = key;
    last = s;
    return s;
}

PyObject *Dispatcher::call(PyObject *const *args_in, size_t nargs, PyObject *kwargs) {
    try {
        if (!untyped) {
            // The first call reads the source: unsupported parameters (*args) are reported
            // as a CompileError before binding could complain about the arguments.
            double seconds;
            untyped_ir(*this, &seconds);
        }
        // Fast path: exactly the positional parameters, no keywords, no defaults.
        std::vector<PyObject *> bound;
        PyObject *const *argp = args_in;
        size_t n = nargs;
        if (nargs != param_names.size() || (kwargs && PyDict_Size(kwargs))) {
            if (!bind(args_in, nargs, kwargs, bound)) return nullptr;
            argp = bound.data();
            n = bound.size();
        }
        Specialization *s = lookup(argp, n);
        if (!s) return nullptr;
        call_count++;

        alignas(64) char small_args[512], small_result[256];
        std::vector<char> big_args, big_result;
        char *storage = small_args, *result = small_result;
        if (s->arg_bytes > sizeof small_args) { big_args.resize(s->arg_bytes + 64); storage = big_args.data(); }
        if (s->return_size > sizeof small_result) { big_result.resize(s->return_size + 64); result = big_result.data(); }
        void *ptrs[32];
        std::vector<void *> big_ptrs;
        void **argv = ptrs;
        if (n > 32) { big_ptrs.resize(n); argv = big_ptrs.data(); }
        for (size_t i = 0; i < n; i++) {
            char *dst = storage + s->arg_offsets[i];
            if (!write_value(s->args[i], argp[i], dst)) return nullptr;
            argv[i] = dst;
        }

        size_t mark = runtime::begin_call();
        int32_t status;
        if (nogil) {
            Py_BEGIN_ALLOW_THREADS
            status = s->entry(argv, result);
            Py_END_ALLOW_THREADS
        } else {
            status = s->entry(argv, result);
        }
        PyObject *out = nullptr;
        if (status == 0) {
            out = zero_d_results && s->return_type.is_scalar() ? read_zero_d(s->return_type, result)
                                                                : read_value(s->return_type, result);
        } else {
            raise_pending_error();
        }
        runtime::end_call(mark);
        return out;
    } catch (nb::python_error &e) {
        e.restore();
        return nullptr;
    } catch (CompileError &e) {
        try { raise_compile_error(e); } catch (nb::python_error &pe) { pe.restore(); }
        return nullptr;
    } catch (std::exception &e) {
        PyErr_SetString(PyExc_RuntimeError, e.what());
        return nullptr;
    }
}

bool Dispatcher::prepare(PyObject *const *args, size_t nargs) {
    try {
        double seconds;
        if (!untyped) untyped_ir(*this, &seconds);
        return lookup(args, nargs) != nullptr;
    } catch (CompileError &e) {
        raise_compile_error(e);
    }
}

namespace {

PyObject *dispatcher_call(PyObject *self, PyObject *args, PyObject *kwargs) {
    Dispatcher *d = nb::inst_ptr<Dispatcher>(self);
    // stencil(a, out=b) runs the stencil's variant with an `out` parameter (made by
    // hotloop.stencil), which writes only the points the kernel computes.
    if (d->options.stencil && !d->options.has_out_parameter() && kwargs && PyDict_GetItemString(kwargs, "out")) {
        nb::object with_out = nb::getattr(nb::handle(self), "_stencil_with_out", nb::none());
        if (nb::isinstance<Dispatcher>(with_out)) return PyObject_Call(with_out.ptr(), args, kwargs);
    }
    return d->call(&PyTuple_GET_ITEM(args, 0), (size_t)PyTuple_GET_SIZE(args), kwargs);
}

PyType_Slot dispatcher_slots[] = {{Py_tp_call, (void *)dispatcher_call}, {0, nullptr}};

Specialization *select(Dispatcher &d, nb::object signature) {
    if (d.specializations.empty()) throw nb::value_error(("no compiled signatures for " + d.name + "() yet: call it first").c_str());
    if (signature.is_none()) return d.specializations.back().get();
    std::string want = nb::cast<std::string>(nb::str(signature));
    for (auto &s : d.specializations)
        if (s->signature() == want) return s.get();
    // Also accept an explicit signature string ("float64(float64[:])" or "(float64[:],)").
    try {
        Signature sig = parse_signature(want.find('(') == std::string::npos ? "(" + want + ")" : want);
        for (auto &s : d.specializations) {
            bool same = s->args.size() == sig.args.size();
            for (size_t i = 0; same && i < sig.args.size(); i++) same = s->args[i] == sig.args[i];
            if (same) return s.get();
        }
    } catch (CompileError &) {
    }
    throw nb::key_error(("no compiled signature " + want + " for " + d.name + "()").c_str());
}

template <typename F> nb::object inspect(Dispatcher &d, nb::object signature, F text) {
    if (signature.is_none() && d.specializations.size() > 1) {
        nb::dict out;
        for (auto &s : d.specializations) out[nb::str(s->signature().c_str())] = nb::str(text(*s).c_str());
        return out;
    }
    return nb::str(text(*select(d, signature)).c_str());
}

}  // namespace

void bind_dispatcher(nb::module_ &m) {
    nb::class_<Dispatcher>(m, "Dispatcher", nb::type_slots(dispatcher_slots), nb::dynamic_attr())
        .def(nb::init<nb::object, nb::dict, nb::list>(), nb::arg("py_func"), nb::arg("options"), nb::arg("signatures"))
        .def_prop_ro("py_func", [](Dispatcher &d) { return d.py_func; })
        .def_prop_ro("signatures", [](Dispatcher &d) {
            nb::list out;
            for (auto &s : d.specializations) out.append(nb::str(s->signature().c_str()));
            return out;
        })
        .def("compile", [](Dispatcher &d, const std::string &sig) {
            Signature s;
            try { s = parse_signature(sig); } catch (CompileError &e) { d.raise_compile_error(e); }
            return nb::str(d.specialize(s.args, s.return_type)->signature().c_str());
        }, nb::arg("signature"), "Compiles the function for an explicit signature string.")
        .def("_prepare", [](Dispatcher &d, nb::args args) {
            if (!d.prepare(&PyTuple_GET_ITEM(args.ptr(), 0), (size_t)PyTuple_GET_SIZE(args.ptr()))) throw nb::python_error();
        }, "Compiles the specialization these arguments select, without calling it.")
        .def("_compile_explicit", [](Dispatcher &d) {
            for (auto &sig : d.explicit_signatures) d.specialize(sig.args, sig.return_type);
        })
        .def("_entry_address", [](Dispatcher &d, nb::object sig) {
            return (uintptr_t)select(d, sig)->entry;
        }, nb::arg("signature"), "Address of a compiled specialization's native entry (for ufunc loops).")
        .def("_infer_return_type", [](Dispatcher &d, const std::string &sig) {
            Signature s;
            try { s = parse_signature(sig); } catch (CompileError &e) { d.raise_compile_error(e); }
            return infer_return_type(d, s.args).str();
        }, nb::arg("signature"), "The return type for an argument list \"(float64, int64)\", inferred without compiling.")
        .def("inspect_ir", [](Dispatcher &d, nb::object sig) {
            return inspect(d, sig, [](const Specialization &s) { return s.ir_text; });
        }, nb::arg("signature") = nb::none())
        .def("inspect_llvm", [](Dispatcher &d, nb::object sig) {
            return inspect(d, sig, [](const Specialization &s) { return s.llvm_text; });
        }, nb::arg("signature") = nb::none())
        .def("inspect_asm", [](Dispatcher &d, nb::object sig) {
            return inspect(d, sig, [](const Specialization &s) { return specialization_assembly(s); });
        }, nb::arg("signature") = nb::none())
        .def_prop_ro("stats", [](Dispatcher &d) {
            nb::dict out, per;
            double total = 0;
            for (auto &s : d.specializations) {
                nb::dict st;
                st["frontend"] = s->times.frontend;
                st["types"] = s->times.types;
                st["passes"] = s->times.passes;
                st["codegen"] = s->times.codegen;
                st["optimize"] = s->times.optimize;
                st["jit"] = s->times.jit;
                st["total"] = s->times.total();
                st["from_cache"] = s->from_cache;
                total += s->times.total();
                per[nb::str(s->signature().c_str())] = st;
            }
            out["calls"] = d.call_count;
            out["compilations"] = d.specializations.size();
            out["compile_time"] = total;
            out["stages"] = per;
            return out;
        });
}

}  // namespace hotloop
