#include "hotloop/python/Compiler.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <utility>
#include <set>

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IRReader/IRReader.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/raw_ostream.h>

#include "hotloop/codegen/CodeGen_LLVM.h"
#include "hotloop/codegen/Optimizer.h"
#include "hotloop/frontend/Frontend.h"
#include "hotloop/ir/Debug.h"
#include "hotloop/ir/IRPrinter.h"
#include "hotloop/ir/Verifier.h"
#include "hotloop/jit/JITEngine.h"
#include "hotloop/jit/ObjectCache.h"
#include "hotloop/passes/Pipeline.h"
#include "hotloop/python/Dispatcher.h"
#include "hotloop/sema/DefiniteAssignment.h"
#include "hotloop/sema/Promotion.h"
#include "hotloop/sema/TypeInference.h"

namespace nb = nanobind;

namespace hotloop {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::atomic<int> symbol_counter{0};
std::string new_symbol(const std::string &name) { return name + "." + std::to_string(symbol_counter++); }

bool verify_enabled() {
#ifndef NDEBUG
    return true;
#else
    const char *v = std::getenv("HOTLOOP_VERIFY");
    return v && *v && *v != '0';
#endif
}

FunctionOptions function_options(const CompileOptions &o) {
    FunctionOptions f;
    f.fastmath = o.fastmath;
    f.boundscheck = o.boundscheck;
    f.error_model_numpy = o.error_model_numpy;
    return f;
}

}  // namespace

Expr constant_expr(nb::handle v, const std::string &what, Loc loc) {
    if (v.is_none()) return Ref::make(RefKind::Function, "None", loc);
    if (nb::isinstance<nb::bool_>(v)) return BoolImm::make(nb::cast<bool>(v), loc);
    if (nb::isinstance<nb::int_>(v)) return IntImm::make(nb::cast<int64_t>(v), Type::int_(64, true), loc);
    if (nb::isinstance<nb::float_>(v)) return FloatImm::make(nb::cast<double>(v), Type::float_(64, true), loc);
    if (PyComplex_Check(v.ptr()))
        return ComplexImm::make(PyComplex_RealAsDouble(v.ptr()), PyComplex_ImagAsDouble(v.ptr()), Type::complex(128, true), loc);
    if (nb::isinstance<nb::tuple>(v)) {
        std::vector<Expr> es;
        for (nb::handle e : v) es.push_back(constant_expr(e, what, loc));
        return MakeTuple::make(std::move(es), loc);
    }
    throw CompileError(loc, what + " is a " + nb::cast<std::string>(v.type().attr("__name__")) +
                                ", which compiled code cannot use", "pass the argument explicitly");
}

namespace {

// Type inference options of one specialization of d.
SemaOptions sema_options(const Dispatcher &d) {
    SemaOptions so;
    so.locals = d.options.locals;
    so.symbol = new_symbol(d.name);
    return so;
}

// A reference to a Python object that IR can carry (a Ref's handle).
std::shared_ptr<void> object_handle(nb::handle obj) {
    return std::shared_ptr<void>(new nb::object(nb::borrow(obj)), [](void *p) {
        nb::gil_scoped_acquire gil;
        delete static_cast<nb::object *>(p);
    });
}

// What is compiled for these argument types: the function itself, or for a @stencil the
// loop nest that applies the kernel (its result dtype is the kernel's return type).
std::shared_ptr<Function> function_ir(Dispatcher &d, const std::vector<Type> &args, CalleeResolver *resolver) {
    double fe = 0;
    auto untyped = untyped_ir(d, &fe);
    if (!d.options.stencil) return untyped;
    try {
        SemaOptions so = sema_options(d);
        std::vector<Type> kernel_args(args.begin(), args.end() - (d.options.has_out_parameter() && !args.empty() ? 1 : 0));
        auto kernel_result = [&] { return infer_types(*untyped, kernel_args, so, resolver)->return_type; };
        auto driver = stencil_driver(*untyped, args, kernel_result, *d.options.stencil);
        debug_emit("ir", d.name, "stencil loop nest (untyped)", to_string(*driver));
        return driver;
    } catch (CompileError &e) {
        d.raise_compile_error(e);
    }
}

// Types and compiles the callees of one compilation into its Program.
class Resolver : public CalleeResolver {
public:
    std::vector<std::shared_ptr<Function>> callees;
    std::vector<std::string> in_progress;
    std::map<std::string, std::shared_ptr<Function>> done;  // key: dispatcher + arg types
    bool parallel = false;  // the function being compiled is parallel=True: so are its stencils, as in Numba
    FunctionsBySymbol typed_callees;  // each callee before its passes, for passes/InlineCalls

    std::shared_ptr<void> for_keywords(const std::shared_ptr<void> &handle, const std::vector<std::string> &keywords) override {
        nb::handle obj = *static_cast<nb::object *>(handle.get());
        Dispatcher &d = *nb::inst_ptr<Dispatcher>(obj);
        if (!d.options.stencil || d.options.has_out_parameter() ||
            std::find(keywords.begin(), keywords.end(), "out") == keywords.end())
            return handle;
        nb::object with_out = nb::getattr(obj, "_stencil_with_out", nb::none());
        if (!nb::isinstance<Dispatcher>(with_out)) return handle;
        return object_handle(with_out);
    }

    std::vector<std::pair<std::string, Expr>> parameters(const std::shared_ptr<void> &handle, Loc loc) override {
        nb::handle obj = *static_cast<nb::object *>(handle.get());
        Dispatcher &d = *nb::inst_ptr<Dispatcher>(obj);
        double fe = 0;
        auto untyped = untyped_ir(d, &fe);
        std::vector<std::pair<std::string, Expr>> out;
        for (auto &p : untyped->params) out.push_back({p.name, nullptr});
        size_t kernel_params = out.size();
        if (d.options.has_out_parameter()) out.push_back({"out", nullptr});
        nb::object defaults = d.py_func.attr("__defaults__");
        if (!defaults.is_none()) {
            size_t n = nb::len(defaults), first = kernel_params - n;
            for (size_t i = 0; i < n; i++) out[first + i].second = constant_expr(nb::borrow(defaults[i]), "a default value of " + d.name + "()", loc);
        }
        return out;
    }

    std::shared_ptr<Function> resolve(const std::shared_ptr<void> &handle, const std::string &name,
                                      const std::vector<Type> &args, Loc loc) override {
        nb::handle obj = *static_cast<nb::object *>(handle.get());
        Dispatcher &d = *nb::inst_ptr<Dispatcher>(obj);
        std::vector<Type> types = args;
        // A callee with explicit signatures compiles for the first one the arguments fit.
        if (!d.explicit_signatures.empty()) {
            bool found = false;
            for (auto &sig : d.explicit_signatures) {
                if (sig.args.size() != args.size()) continue;
                bool ok = true;
                for (size_t i = 0; i < args.size(); i++) ok = ok && can_convert_arg(args[i], sig.args[i]);
                if (ok) { types = sig.args; found = true; break; }
            }
            if (!found) throw CompileError(loc, "no signature of " + d.name + "() accepts these argument types", "");
        }
        std::string key = std::to_string((uintptr_t)&d);
        for (auto &t : types) key += "," + t.str() + (t.is_scalar() && t.weak() ? "~" : "");
        if (auto it = done.find(key); it != done.end()) return it->second;
        for (auto &k : in_progress)
            if (k == key)
                throw CompileError(loc, "recursive calls (" + name + "() calling itself) are not supported",
                                   "rewrite the recursion as a loop");
        double fe = 0;
        size_t nparams = untyped_ir(d, &fe)->params.size() + (d.options.has_out_parameter() ? 1 : 0);
        if (nparams != types.size())
            throw CompileError(loc, name + "() takes " + std::to_string(nparams) + " argument" + (nparams == 1 ? "" : "s") +
                                        " but " + std::to_string(types.size()) + " were given", "pass one value per parameter");
        in_progress.push_back(key);
        // The callee's own calls see its parallel flag (a stencil inherits its caller's).
        bool callee_parallel = d.options.parallel || (d.options.stencil && parallel);
        bool caller_parallel = std::exchange(parallel, callee_parallel);
        auto untyped = function_ir(d, types, this);
        SemaOptions so = sema_options(d);
        std::shared_ptr<Function> typed;
        try {
            typed = infer_types(*untyped, types, so, this);
        } catch (CompileError &e) {
            in_progress.pop_back();
            // Report the error at the callee's line, in the callee's file.
            d.raise_compile_error(e);
        }
        parallel = caller_parallel;
        typed->parallel = callee_parallel;
        typed->options = function_options(d.options);
        typed_callees[typed->symbol] = std::make_shared<const Function>(*typed);
        try {
            run_pipeline(*typed, {verify_enabled(), &typed_callees});
        } catch (CompileError &e) {
            in_progress.pop_back();
            d.raise_compile_error(e);
        }
        in_progress.pop_back();
        callees.push_back(typed);
        done[key] = typed;
        return typed;
    }
};

// Extra names the frontend cannot know: dispatchers, prange, hotloop types.
Expr resolve_object(nb::handle obj, const std::string &name, Loc loc) {
    if (nb::isinstance<Dispatcher>(obj))
        return Ref::make(RefKind::Dispatcher, nb::inst_ptr<Dispatcher>(obj)->name, loc, Type(), object_handle(obj));
    if (nb::hasattr(obj, "__name__") && nb::hasattr(obj, "__module__")) {
        std::string n = nb::cast<std::string>(nb::str(obj.attr("__name__")));
        std::string m = nb::cast<std::string>(nb::str(obj.attr("__module__")));
        if (n == "prange" && (m.rfind("numba", 0) == 0 || m.rfind("hotloop", 0) == 0))
            return Ref::make(RefKind::Function, "prange", loc);
    }
    if (nb::hasattr(obj, "_hotloop_type")) {
        Type t = scalar_from_name(nb::cast<std::string>(obj.attr("_hotloop_type")));
        if (!t.is_unknown()) return Ref::make(RefKind::DType, name, loc, Type::dtype(t));
    }
    return nullptr;
}

// Symbols are name.N with a per-process counter: the cache key must not depend on N.
std::string without_symbol_numbers(const std::string &ir) {
    std::string out;
    out.reserve(ir.size());
    bool in_text = false;  // a string literal (raise messages, print texts): copied as it is
    for (size_t i = 0; i < ir.size(); i++) {
        char c = ir[i];
        if (in_text || c == '"') {
            if (c == '\\' && i + 1 < ir.size()) out += ir[i++];
            else if (c == '"') in_text = !in_text;
            out += ir[i];
            continue;
        }
        bool after_identifier = i > 0 && (std::isalnum((unsigned char)ir[i - 1]) || ir[i - 1] == '_');
        if (c == '.' && after_identifier && i + 1 < ir.size() && std::isdigit((unsigned char)ir[i + 1])) {
            // An identifier followed by .digits: only if the identifier starts with a letter or _.
            size_t b = i;
            while (b > 0 && (std::isalnum((unsigned char)ir[b - 1]) || ir[b - 1] == '_')) b--;
            if (!std::isdigit((unsigned char)ir[b])) {
                out += ".#";
                while (i + 1 < ir.size() && std::isdigit((unsigned char)ir[i + 1])) i++;
                continue;
            }
        }
        out += c;
    }
    return out;
}

}  // namespace

std::string Specialization::signature() const {
    std::string s = "(";
    for (size_t i = 0; i < args.size(); i++) {
        if (i) s += ", ";
        s += args[i].str();
    }
    if (args.size() == 1) s += ",";
    return s + ")";
}

std::shared_ptr<Function> untyped_ir(Dispatcher &d, double *seconds) {
    if (d.untyped) return d.untyped;
    auto t0 = Clock::now();
    d.load_source();
    FrontendInput in;
    in.function_def = d.function_def;
    in.globals = d.globals;
    in.closure = d.closure;
    in.filename = d.filename;
    in.line_offset = d.line_offset;
    in.col_offset = d.col_offset;
    in.resolve_object = resolve_object;
    try {
        d.untyped = build_function(in);
        check_assigned_before_use(*d.untyped);
    } catch (CompileError &e) {
        d.raise_compile_error(e);
    }
    d.frontend_seconds = since(t0);
    *seconds = d.frontend_seconds;
    debug_emit("ir", d.name, "untyped IR", to_string(*d.untyped));
    return d.untyped;
}

Type infer_return_type(Dispatcher &d, const std::vector<Type> &args) {
    Resolver resolver;
    auto untyped = function_ir(d, args, &resolver);
    SemaOptions so = sema_options(d);
    try {
        return infer_types(*untyped, args, so, &resolver)->return_type;
    } catch (CompileError &e) {
        d.raise_compile_error(e);
    }
}

std::unique_ptr<Specialization> compile_specialization(Dispatcher &d, const std::vector<Type> &args,
                                                       const Type &return_type) {
    auto spec = std::make_unique<Specialization>();
    spec->args = args;
    StageTimes &t = spec->times;
    double fe = 0;
    untyped_ir(d, &fe);
    if (d.specializations.empty()) t.frontend = d.frontend_seconds;  // paid once per function

    auto t0 = Clock::now();
    Resolver resolver;
    resolver.parallel = d.options.parallel;
    auto untyped = function_ir(d, args, &resolver);  // a stencil's kernel is typed here too

    SemaOptions so = sema_options(d);
    so.return_type = return_type;
    std::shared_ptr<Function> typed;
    try {
        typed = infer_types(*untyped, args, so, &resolver);
    } catch (CompileError &e) {
        d.raise_compile_error(e);
    }
    t.types = since(t0);
    debug_emit("types", typed->symbol, "typed IR", to_string(*typed));

    t0 = Clock::now();
    bool verify_ir = verify_enabled();
    typed->parallel = d.options.parallel;
    typed->options = function_options(d.options);
    try {
        run_pipeline(*typed, {verify_ir, &resolver.typed_callees});
    } catch (CompileError &e) {
        d.raise_compile_error(e);  // a prange loop that races
    }
    t.passes = since(t0);
    spec->return_type = typed->return_type;
    spec->symbol = typed->symbol;
    spec->fast_codegen = d.options.fast_codegen;
    for (auto &c : resolver.callees) spec->ir_text += to_string(*c) + "\n";
    spec->ir_text += to_string(*typed);
    debug_emit("ir", typed->symbol, "IR after passes", spec->ir_text);

    JITEngine &jit = JITEngine::get();
    // The on-disk cache: the typed IR (callees and frozen constants included), the
    // options and the machine decide the code.
    std::string cache_key;
    if (d.options.cache) {
        const HostInfo &h = jit.host();
        std::string return_spelling = typed->return_type.str();
        // Python numbers and NumPy scalars print alike in IR but compile apart (complex
        // division rounds differently, print shows them differently): mark the weak ones.
        for (auto &a : args) return_spelling += a.is_scalar() && a.weak() ? " ~" : " .";
        if (typed->return_type.is_scalar() && typed->return_type.weak()) return_spelling += " ~";
        // Each function's options are in its IR text.
        cache_key = ObjectCache::key(without_symbol_numbers(spec->ir_text) + "\n" + return_spelling + "\n" + h.triple + " " + h.cpu + " " +
                                     h.features + " llvm " + h.llvm_version + " hotloop " HOTLOOP_VERSION +
                                     (d.options.quick_compile ? " quick" : "") + (d.options.fast_codegen ? " fast" : ""));
        std::string damaged;
        if (auto hit = ObjectCache::load(cache_key, &damaged)) {
            t0 = Clock::now();
            spec->llvm_text = hit->llvm_text;
            spec->entry = reinterpret_cast<int32_t (*)(void **, void *)>(jit.add_object(hit->object, hit->entry_symbol));
            spec->from_cache = true;
            t.jit = since(t0);
            return spec;
        }
        if (!damaged.empty())
            PyErr_WarnEx(PyExc_RuntimeWarning, ("hotloop: a damaged cache entry was removed and recompiled: " + damaged).c_str(), 1);
    }

    t0 = Clock::now();
    Program program{typed, resolver.callees};
    LoweredModule lm = codegen_llvm(program, jit.host());
    t.codegen = since(t0);
    if (debug_enabled("llvm")) {
        std::string s;
        llvm::raw_string_ostream os(s);
        lm.module->print(os, nullptr);
        debug_emit("llvm", typed->symbol, "LLVM IR before optimization", s);
    }

    t0 = Clock::now();
    optimize_module(*lm.module, jit.target_machine(), d.options.quick_compile);
    {
        llvm::raw_string_ostream os(spec->llvm_text);
        lm.module->print(os, nullptr);
    }
    t.optimize = since(t0);
    debug_emit("llvm", typed->symbol, "LLVM IR after O3", spec->llvm_text);

    t0 = Clock::now();
    std::string object = jit.emit_object(*lm.module, spec->fast_codegen);
    uint64_t addr = jit.add_object(object, lm.entry_symbol);
    spec->entry = reinterpret_cast<int32_t (*)(void **, void *)>(addr);
    t.jit = since(t0);
    if (d.options.cache) ObjectCache::store(cache_key, {lm.entry_symbol, spec->llvm_text, object});
    if (debug_enabled("asm")) debug_emit("asm", typed->symbol, "assembly", specialization_assembly(*spec));
    if (debug_enabled("time")) {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "frontend %.2f ms, types %.2f ms, passes %.2f ms, codegen %.2f ms, optimize %.2f ms, jit %.2f ms",
                      t.frontend * 1e3, t.types * 1e3, t.passes * 1e3, t.codegen * 1e3, t.optimize * 1e3, t.jit * 1e3);
        debug_emit("time", typed->symbol, "compile time", buf);
    }
    return spec;
}

std::string specialization_assembly(const Specialization &s) {
    llvm::LLVMContext ctx;
    llvm::SMDiagnostic err;
    auto m = llvm::parseIR(llvm::MemoryBufferRef(s.llvm_text, s.symbol), err, ctx);
    if (!m) internal_error("cannot re-read the LLVM IR of " + s.symbol);
    return JITEngine::get().assembly(*m, s.fast_codegen);
}

}  // namespace hotloop
