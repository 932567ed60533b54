#include "hotloop/frontend/Frontend.h"

#include <set>

#include <nanobind/stl/string.h>

#include "hotloop/sema/Builtins.h"

namespace nb = nanobind;

namespace hotloop {

namespace {

size_t length(nb::handle h) { return (size_t)PyObject_Length(h.ptr()); }

std::string kind_of(nb::handle n) { return nb::cast<std::string>(n.type().attr("__name__")); }

// What each unsupported ast node is called in messages, and what to do instead.
struct Unsupported { const char *kind, *what, *hint; };
const Unsupported unsupported_nodes[] = {
    {"ListComp", "a list comprehension", "allocate with np.empty(n) and fill it in a for loop"},
    {"SetComp", "a set comprehension", "use arrays and loops"},
    {"DictComp", "a dict comprehension", "use arrays and loops"},
    {"GeneratorExp", "a generator expression", "write the loop explicitly"},
    {"Lambda", "a lambda", "define a separate @hl.jit function and call it"},
    {"List", "a list", "use a tuple for a few values, or np.empty(n) for many"},
    {"Dict", "a dict", "use arrays indexed by integers"},
    {"Set", "a set", "use arrays"},
    {"JoinedStr", "an f-string", "compiled code has no strings; compute numbers and format them in Python"},
    {"Await", "await", "call compiled functions from async Python code instead"},
    {"Yield", "yield", "fill and return an array instead of yielding values"},
    {"YieldFrom", "yield from", "fill and return an array instead of yielding values"},
    {"NamedExpr", "an assignment expression (:=)", "assign on a separate line"},
    {"Starred", "star-unpacking (*args)", "pass the arguments one by one"},
    {"Try", "try/except", "check conditions with if and raise; handle exceptions in Python"},
    {"TryStar", "try/except*", "handle exceptions in Python"},
    {"With", "a with statement", "move the with block to the Python caller"},
    {"AsyncWith", "async with", "move it to the Python caller"},
    {"AsyncFor", "async for", "use for ... in range(...)"},
    {"AsyncFunctionDef", "an async function", "compile a plain function"},
    {"FunctionDef", "a nested function definition", "define it at module level with @hl.jit"},
    {"ClassDef", "a class definition", "define classes outside compiled code"},
    {"Global", "a global statement", "pass the value as an argument and return the new value"},
    {"Nonlocal", "a nonlocal statement", "pass the value as an argument and return the new value"},
    {"Import", "an import statement", "import at module level; compiled code sees module globals"},
    {"ImportFrom", "an import statement", "import at module level; compiled code sees module globals"},
    {"Delete", "del", "let the variable go out of use instead"},
    {"Match", "a match statement", "use if/elif/else"},
    {"TypeAlias", "a type alias", "define it outside compiled code"},
};

const char *builtin_names[] = {"range", "len", "abs", "min", "max", "int", "float", "bool",
                               "round", "complex", "print", "slice"};
const char *exception_names[] = {"ValueError", "IndexError", "ZeroDivisionError", "RuntimeError",
                                 "OverflowError", "MemoryError", "TypeError", "AssertionError"};

class Builder {
public:
    explicit Builder(const FrontendInput &in) : in(in) {}

    std::shared_ptr<Function> build() {
        nb::handle fdef = in.function_def;
        auto fn = std::make_shared<Function>();
        fn->name = nb::cast<std::string>(fdef.attr("name"));
        fn->filename = in.filename;
        nb::handle args = fdef.attr("args");
        Loc floc = loc(fdef);
        if (!args.attr("vararg").is_none() || !args.attr("kwarg").is_none())
            throw CompileError(floc, "*args and **kwargs parameters are not supported",
                               "give the function a fixed list of parameters");
        if (length(args.attr("kwonlyargs")) || length(args.attr("posonlyargs")))
            throw CompileError(floc, "keyword-only and positional-only parameters are not supported",
                               "use plain parameters");
        for (nb::handle a : args.attr("args")) {
            std::string name = nb::cast<std::string>(a.attr("arg"));
            fn->params.push_back({name, Type()});
            locals.insert(name);
        }
        collect_locals(fdef);
        fn->body = block(fdef.attr("body"), /*skip_docstring=*/true);
        return fn;
    }

private:
    const FrontendInput &in;
    std::set<std::string> locals;
    int tmp_counter = 0;

    Loc loc(nb::handle n) {
        Loc l;
        if (!nb::hasattr(n, "lineno")) return l;
        l.line = nb::cast<int>(n.attr("lineno")) + in.line_offset;
        l.col = nb::cast<int>(n.attr("col_offset")) + in.col_offset;
        nb::object end_line = n.attr("end_lineno"), end_col = n.attr("end_col_offset");
        if (!end_line.is_none() && nb::cast<int>(end_line) + in.line_offset == l.line)
            l.end_col = nb::cast<int>(end_col) + in.col_offset;
        return l;
    }

    [[noreturn]] void fail(nb::handle n, const std::string &what, const std::string &hint) {
        throw CompileError(loc(n), what, hint);
    }

    std::string tmp() { return "$t" + std::to_string(tmp_counter++); }

    // Every name assigned anywhere in the function is local (Python's rule).
    void collect_locals(nb::handle fdef) {
        nb::object walk = nb::module_::import_("ast").attr("walk");
        for (nb::handle node : walk(fdef)) {
            std::string k = kind_of(node);
            if (k == "Name" && kind_of(node.attr("ctx")) == "Store")
                locals.insert(nb::cast<std::string>(node.attr("id")));
        }
    }

    Stmt block(nb::handle list, bool skip_docstring = false) {
        std::vector<Stmt> out;
        bool first = true;
        for (nb::handle s : list) {
            if (skip_docstring && first && kind_of(s) == "Expr" &&
                kind_of(s.attr("value")) == "Constant" && nb::isinstance<nb::str>(s.attr("value").attr("value"))) {
                first = false;
                continue;
            }
            first = false;
            out.push_back(stmt(s));
        }
        return Block::make(std::move(out));
    }

    // ---- statements ---------------------------------------------------------------

    Stmt stmt(nb::handle n) {
        std::string k = kind_of(n);
        Loc l = loc(n);
        if (k == "Assign") {
            Expr value = expr(n.attr("value"));
            nb::handle targets = n.attr("targets");
            if (length(targets) == 1) return assign(targets[0], value, l);
            // a = b = value: evaluate once.
            std::string t = tmp();
            std::vector<Stmt> out{Assign::make(t, value, l)};
            for (nb::handle target : targets) out.push_back(assign(target, Var::make(t, {}, l), l));
            return Block::make(std::move(out), l);
        }
        if (k == "AnnAssign") {
            if (n.attr("value").is_none()) return Block::make({}, l);
            return assign(n.attr("target"), expr(n.attr("value")), l);
        }
        if (k == "AugAssign") return aug_assign(n, l);
        if (k == "If") {
            Stmt else_case = length(n.attr("orelse")) ? block(n.attr("orelse")) : nullptr;
            return If::make(expr(n.attr("test")), block(n.attr("body")), else_case, l);
        }
        if (k == "While") {
            if (length(n.attr("orelse")))
                fail(n, "while ... else is not supported", "set a flag before break and test it after the loop");
            return While::make(expr(n.attr("test")), block(n.attr("body")), l);
        }
        if (k == "For") return for_loop(n, l);
        if (k == "Break") return Break::make(l);
        if (k == "Continue") return Continue::make(l);
        if (k == "Pass") return Block::make({}, l);
        if (k == "Return") {
            nb::handle v = n.attr("value");
            return Return::make(v.is_none() ? nullptr : expr(v), l);
        }
        if (k == "Expr") {
            nb::handle v = n.attr("value");
            if (kind_of(v) == "Constant" && nb::isinstance<nb::str>(v.attr("value")))
                return Block::make({}, l);  // a string used as a comment
            if (kind_of(v) == "Call") {
                Expr fn = expr(v.attr("func"));
                if (auto *r = fn->as<Ref>(); r && r->kind == RefKind::Function && r->name == "print") return print(v, l);
            }
            return Evaluate::make(expr(v), l);
        }
        if (k == "Raise") return raise(n, l);
        if (k == "Assert") {
            std::string msg;
            nb::handle m = n.attr("msg");
            if (!m.is_none()) {
                if (kind_of(m) != "Constant" || !nb::isinstance<nb::str>(m.attr("value")))
                    fail(m, "an assert message must be a string literal", "write assert cond, \"message\"");
                msg = nb::cast<std::string>(m.attr("value"));
            }
            Expr cond = expr(n.attr("test"));
            return If::make(Unary::make(UnOp::Not, cond, {}, l), Raise::make(ExcKind::AssertionError, msg, l),
                            nullptr, l);
        }
        for (auto &u : unsupported_nodes)
            if (k == u.kind) fail(n, std::string(u.what) + " is not supported in compiled code", u.hint);
        fail(n, "the statement '" + k + "' is not supported in compiled code",
             "move it to the Python caller");
    }

    Stmt assign(nb::handle target, Expr value, Loc l) {
        std::string k = kind_of(target);
        if (k == "Name") return Assign::make(nb::cast<std::string>(target.attr("id")), value, l);
        if (k == "Tuple" || k == "List") {
            // a, b = value: evaluate value once into a temporary, then unpack by index.
            std::string t = tmp();
            std::vector<Stmt> out{Assign::make(t, value, l)};
            // Type inference checks that the value is a tuple of exactly this many items.
            Expr count = IntImm::make((int64_t)length(target.attr("elts")), Type::int_(64, true), l);
            out.push_back(Evaluate::make(
                UCall::make(Ref::make(RefKind::Function, "$unpack", l), {Var::make(t, {}, l), count}, {}, l), l));
            int i = 0;
            for (nb::handle elt : target.attr("elts")) {
                if (kind_of(elt) == "Starred")
                    fail(elt, "starred assignment (a, *b = ...) is not supported", "unpack each element by name");
                Expr item = Subscript::make(Var::make(t, {}, l), {IntImm::make(i++, Type::int_(64, true), l)}, l);
                out.push_back(assign(elt, item, l));
            }
            return Block::make(std::move(out), l);
        }
        if (k == "Subscript") {
            Expr array = expr(target.attr("value"));
            return Store::make(array, indices(target.attr("slice")), value, l);
        }
        if (k == "Attribute")
            fail(target, "assigning to an attribute ('." + nb::cast<std::string>(target.attr("attr")) +
                             "') is not supported", "assign to a local variable or an array element");
        fail(target, "cannot assign to this kind of target (" + k + ")", "assign to a name or an array element");
    }

    Stmt aug_assign(nb::handle n, Loc l) {
        BinOp op = binop(n.attr("op"));
        nb::handle target = n.attr("target");
        Expr value = expr(n.attr("value"));
        std::string k = kind_of(target);
        if (k == "Name") {
            std::string name = nb::cast<std::string>(target.attr("id"));
            return Assign::make(name, Binary::make(op, Var::make(name, {}, loc(target)), value, {}, l), l,
                                /*inplace=*/true);
        }
        if (k == "Subscript") {
            // a[i] += v: the array and the indices are evaluated once.
            std::vector<Stmt> out;
            auto once = [&](Expr e) -> Expr {
                if (e->as<Var>() || e->as<IntImm>() || e->as<Ref>()) return e;
                if (auto *c = e->as<UCall>(); c && c->func->as<Ref>() && c->func->as<Ref>()->name == "slice")
                    return e;  // a slice is syntax, not a value; its bounds are evaluated twice
                std::string t = tmp();
                out.push_back(Assign::make(t, e, l));
                return Var::make(t, {}, l);
            };
            Expr array = once(expr(target.attr("value")));
            std::vector<Expr> idx;
            for (auto &i : indices(target.attr("slice"))) idx.push_back(once(i));
            Expr old = Subscript::make(array, idx, loc(target));
            out.push_back(Store::make(array, idx, Binary::make(op, old, value, {}, l), l));
            return Block::make(std::move(out), l);
        }
        fail(target, "augmented assignment to this target is not supported",
             "assign to a name or an array element");
    }

    Stmt for_loop(nb::handle n, Loc l) {
        if (length(n.attr("orelse")))
            fail(n, "for ... else is not supported", "set a flag before break and test it after the loop");
        nb::handle target = n.attr("target");
        if (kind_of(target) != "Name")
            fail(target, "the loop variable must be a single name",
                 "loop over range(...) and unpack inside the loop body");
        std::string var = nb::cast<std::string>(target.attr("id"));
        nb::handle iter = n.attr("iter");
        Expr it = expr(iter);
        auto *call = it->as<UCall>();
        const Ref *ref = call ? call->func->as<Ref>() : nullptr;
        bool is_range = ref && ref->kind == RefKind::Function &&
                        (ref->name == "range" || ref->name == "hotloop.prange" || ref->name == "numba.prange" ||
                         ref->name == "prange");
        if (!is_range)
            fail(iter, "for loops must iterate over range(...) or prange(...)",
                 "write `for i in range(len(a)):` and index with a[i]");
        if (!call->kwargs.empty()) fail(iter, "range() takes no keyword arguments", "pass start, stop, step by position");
        auto &a = call->args;
        Loc il = loc(iter);
        Expr start, stop, step;
        switch (a.size()) {
        case 1: start = IntImm::make(0, Type::int_(64, true), il); stop = a[0]; step = IntImm::make(1, Type::int_(64, true), il); break;
        case 2: start = a[0]; stop = a[1]; step = IntImm::make(1, Type::int_(64, true), il); break;
        case 3: start = a[0]; stop = a[1]; step = a[2]; break;
        default: fail(iter, "range() takes 1 to 3 arguments", "write range(stop), range(start, stop) or range(start, stop, step)");
        }
        ParallelInfo par;
        par.parallel = ref->name != "range";  // prange: parallel when the function is parallel=True
        return For::make(var, start, stop, step, block(n.attr("body")), l, par);
    }

    static bool is_text(nb::handle n) { return kind_of(n) == "Constant" && nb::isinstance<nb::str>(n.attr("value")); }

    // print(a, "text", b, sep=" ", end="\n"): values, string literals, literal sep/end.
    Stmt print(nb::handle call, Loc l) {
        std::vector<Expr> values;
        std::vector<std::string> texts;
        for (nb::handle a : call.attr("args")) {
            if (kind_of(a) == "Starred") fail(a, "print(*args) is not supported", "pass the values one by one");
            bool text = is_text(a);
            values.push_back(text ? nullptr : expr(a));
            texts.push_back(text ? nb::cast<std::string>(a.attr("value")) : "");
        }
        std::string sep = " ", end = "\n";
        for (nb::handle k : call.attr("keywords")) {
            nb::handle name = k.attr("arg"), value = k.attr("value");
            std::string kw = name.is_none() ? "**" : nb::cast<std::string>(name);
            bool none = kind_of(value) == "Constant" && value.attr("value").is_none();
            if ((kw == "sep" || kw == "end") && (is_text(value) || none)) {
                if (!none) (kw == "sep" ? sep : end) = nb::cast<std::string>(value.attr("value"));
            } else if (kw == "sep" || kw == "end") {
                fail(value, "print(" + kw + "=...) must be a string literal in compiled code", "write " + kw + "=\", \" or leave it out");
            } else {
                fail(k, "print(" + kw + "=...) is not supported in compiled code",
                     "compiled print writes to sys.stdout; return the values and print them in Python for other files");
            }
        }
        return Print::make(std::move(values), std::move(texts), sep, end, l);
    }

    Stmt raise(nb::handle n, Loc l) {
        nb::handle exc = n.attr("exc");
        const char *hint = "raise a builtin exception with a string literal, e.g. raise ValueError(\"bad input\")";
        if (exc.is_none()) fail(n, "a bare raise is not supported", hint);
        nb::handle cls = exc;
        std::string msg;
        if (kind_of(exc) == "Call") {
            cls = exc.attr("func");
            nb::handle args = exc.attr("args");
            if (length(args) > 1 || length(exc.attr("keywords"))) fail(exc, "exception arguments other than one message are not supported", hint);
            if (length(args) == 1) {
                nb::handle m = args[0];
                if (kind_of(m) != "Constant" || !nb::isinstance<nb::str>(m.attr("value")))
                    fail(m, "the exception message must be a string literal", hint);
                msg = nb::cast<std::string>(m.attr("value"));
            }
        }
        if (kind_of(cls) == "Name") {
            std::string name = nb::cast<std::string>(cls.attr("id"));
            int i = 0;
            for (const char *e : exception_names) {
                if (name == e) return Raise::make(static_cast<ExcKind>(i), msg, l);
                i++;
            }
        }
        fail(exc, "only builtin exceptions (ValueError, IndexError, ZeroDivisionError, RuntimeError, ...) can be raised", hint);
    }

    // ---- expressions ---------------------------------------------------------------

    BinOp binop(nb::handle op) {
        static const std::pair<const char *, BinOp> table[] = {
            {"Add", BinOp::Add}, {"Sub", BinOp::Sub}, {"Mult", BinOp::Mul}, {"Div", BinOp::Div},
            {"FloorDiv", BinOp::FloorDiv}, {"Mod", BinOp::Mod}, {"Pow", BinOp::Pow},
            {"BitAnd", BinOp::BitAnd}, {"BitOr", BinOp::BitOr}, {"BitXor", BinOp::BitXor},
            {"LShift", BinOp::Shl}, {"RShift", BinOp::Shr}};
        std::string k = kind_of(op);
        for (auto &e : table) if (k == e.first) return e.second;
        throw CompileError({}, "the operator " + k + " is not supported", "");
    }

    std::vector<Expr> indices(nb::handle slice) {
        if (kind_of(slice) == "Tuple") {
            std::vector<Expr> out;
            for (nb::handle e : slice.attr("elts")) out.push_back(index(e));
            return out;
        }
        return {index(slice)};
    }

    // One index: an expression, or a slice lo:hi:step as a call of the builtin slice.
    Expr index(nb::handle n) {
        if (kind_of(n) != "Slice") return expr(n);
        Loc l = loc(n);
        auto part = [&](const char *name) -> Expr {
            nb::handle v = n.attr(name);
            return v.is_none() ? Ref::make(RefKind::Function, "None", l) : expr(v);
        };
        return UCall::make(Ref::make(RefKind::Function, "slice", l), {part("lower"), part("upper"), part("step")}, {}, l);
    }

    Expr expr(nb::handle n) {
        std::string k = kind_of(n);
        Loc l = loc(n);
        if (k == "Constant") return constant(n.attr("value"), n, l);
        if (k == "Name") {
            std::string name = nb::cast<std::string>(n.attr("id"));
            if (locals.count(name)) return Var::make(name, {}, l);
            return resolve_name(name, n, l);
        }
        if (k == "BinOp") {
            nb::handle op = n.attr("op");
            if (kind_of(op) == "MatMult") fail(n, "the matrix product operator @ is not supported", "use np.dot on 1-D vectors or write the loops");
            return Binary::make(binop(op), expr(n.attr("left")), expr(n.attr("right")), {}, l);
        }
        if (k == "UnaryOp") {
            std::string op = kind_of(n.attr("op"));
            UnOp u = op == "USub" ? UnOp::Neg : op == "UAdd" ? UnOp::Pos : op == "Not" ? UnOp::Not : UnOp::Invert;
            Expr a = expr(n.attr("operand"));
            // -1 and +1 are constants (tuple indices, range steps and stencil offsets need to see them).
            if (u == UnOp::Neg) {
                if (auto *i = a->as<IntImm>(); i && i->value != INT64_MIN) return IntImm::make(-i->value, i->type, l);
                if (auto *f = a->as<FloatImm>()) return FloatImm::make(-f->value, f->type, l);
            }
            if (u == UnOp::Pos && (a->as<IntImm>() || a->as<FloatImm>())) return a;
            return Unary::make(u, a, {}, l);
        }
        if (k == "BoolOp") {
            bool is_and = kind_of(n.attr("op")) == "And";
            nb::handle values = n.attr("values");
            Expr acc = expr(values[length(values) - 1]);
            for (int i = (int)length(values) - 2; i >= 0; i--)
                acc = Logical::make(is_and, expr(values[i]), acc, {}, l);
            return acc;
        }
        if (k == "Compare") return compare(n, l);
        if (k == "IfExp") return Select::make(expr(n.attr("test")), expr(n.attr("body")), expr(n.attr("orelse")), {}, l);
        if (k == "Call") return call(n, l);
        if (k == "Attribute") return attribute(n, l);
        if (k == "Subscript") return Subscript::make(expr(n.attr("value")), indices(n.attr("slice")), l);
        if (k == "Tuple") {
            std::vector<Expr> elems;
            for (nb::handle e : n.attr("elts")) elems.push_back(expr(e));
            return MakeTuple::make(std::move(elems), l);
        }
        for (auto &u : unsupported_nodes)
            if (k == u.kind) fail(n, std::string(u.what) + " is not supported in compiled code", u.hint);
        fail(n, "the expression '" + k + "' is not supported in compiled code", "compute it in Python and pass the result in");
    }

    Expr compare(nb::handle n, Loc l) {
        nb::handle ops = n.attr("ops"), comparators = n.attr("comparators");
        Expr left = expr(n.attr("left"));
        // a < b < c  ->  let t = b in (a < t and t < c)
        std::vector<std::pair<std::string, Expr>> lets;
        Expr acc;
        size_t count = length(ops);
        for (size_t i = 0; i < count; i++) {
            std::string k = kind_of(ops[i]);
            static const std::pair<const char *, CmpOp> table[] = {
                {"Eq", CmpOp::EQ}, {"NotEq", CmpOp::NE}, {"Lt", CmpOp::LT},
                {"LtE", CmpOp::LE}, {"Gt", CmpOp::GT}, {"GtE", CmpOp::GE}};
            const CmpOp *op = nullptr;
            for (auto &e : table) if (k == e.first) op = &e.second;
            if (!op) {
                std::string what = k == "Is" || k == "IsNot" ? "'is' comparisons" : "'in' tests";
                fail(n, what + " are not supported in compiled code",
                     k == "Is" || k == "IsNot" ? "compare values with == or !=" : "write a loop that compares each element");
            }
            Expr right = expr(comparators[i]);
            if (i + 1 < count && !right->as<Var>() && !right->as<IntImm>() && !right->as<FloatImm>()) {
                std::string t = tmp();
                lets.push_back({t, right});
                right = Var::make(t, {}, right->loc);
            }
            Expr c = Compare::make(*op, left, right, {}, l);
            acc = acc ? Logical::make(true, acc, c, {}, l) : c;
            left = right;
        }
        for (auto it = lets.rbegin(); it != lets.rend(); ++it) acc = Let::make(it->first, it->second, acc);
        return acc;
    }

    Expr call(nb::handle n, Loc l) {
        Expr func = expr(n.attr("func"));
        // np.array([1.0, 2.0]): a list literal given to np.array/np.asarray is read as a tuple.
        auto *fref = func->as<Ref>();
        bool array_ctor = fref && (fref->name == "np.array" || fref->name == "np.asarray");
        std::vector<Expr> args;
        for (nb::handle a : n.attr("args")) {
            if (kind_of(a) == "Starred") fail(a, "star-unpacking (*args) in a call is not supported", "pass the arguments one by one");
            if (array_ctor && kind_of(a) == "List") {
                std::vector<Expr> elems;
                for (nb::handle e : a.attr("elts")) elems.push_back(expr(e));
                args.push_back(MakeTuple::make(std::move(elems), loc(a)));
                continue;
            }
            args.push_back(expr(a));
        }
        std::vector<Keyword> kwargs;
        for (nb::handle kw : n.attr("keywords")) {
            if (kw.attr("arg").is_none()) fail(n, "**kwargs in a call is not supported", "pass keyword arguments by name");
            std::string name = nb::cast<std::string>(kw.attr("arg"));
            nb::handle v = kw.attr("value");
            // dtype="float32" names a dtype by string.
            if (name == "dtype" && kind_of(v) == "Constant" && nb::isinstance<nb::str>(v.attr("value"))) {
                std::string s = nb::cast<std::string>(v.attr("value"));
                Type t = scalar_from_name(s);
                if (t.is_unknown()) fail(v, "unknown dtype '" + s + "'", "use a NumPy dtype such as np.float64");
                kwargs.push_back({name, Ref::make(RefKind::DType, s, loc(v), Type::dtype(t))});
                continue;
            }
            kwargs.push_back({name, expr(v)});
        }
        return UCall::make(func, std::move(args), std::move(kwargs), l);
    }

    Expr attribute(nb::handle n, Loc l) {
        std::string attr = nb::cast<std::string>(n.attr("attr"));
        if (attr.size() > 4 && attr.rfind("__", 0) == 0)
            fail(n, "dunder attribute '" + attr + "' is not supported", "use the public API");
        Expr value = expr(n.attr("value"));
        if (auto *ref = value->as<Ref>(); ref && ref->kind == RefKind::Module) {
            nb::object module = nb::module_::import_(module_import_name(ref->name).c_str());
            if (!nb::hasattr(module, attr.c_str()))
                fail(n, "module '" + ref->name + "' has no attribute '" + attr + "'", unsupported_hint(ref->name + "." + attr));
            return resolve_value(module.attr(attr.c_str()), ref->name + "." + attr, n, l);
        }
        return Attr::make(value, attr, l);
    }

    static std::string module_import_name(const std::string &prefix) {
        if (prefix == "np") return "numpy";
        if (prefix.rfind("np.", 0) == 0) return "numpy" + prefix.substr(2);
        return prefix;
    }

    Expr constant(nb::handle v, nb::handle n, Loc l) {
        if (nb::isinstance<nb::bool_>(v)) return BoolImm::make(nb::cast<bool>(v), l);
        if (nb::isinstance<nb::int_>(v)) {
            int64_t x;
            if (!nb::try_cast<int64_t>(v, x))
                fail(n, "the integer constant " + nb::cast<std::string>(nb::str(v)) + " does not fit in int64",
                     "use a float, or a value within +/-2**63");
            return IntImm::make(x, Type::int_(64, true), l);
        }
        if (nb::isinstance<nb::float_>(v)) return FloatImm::make(nb::cast<double>(v), Type::float_(64, true), l);
        if (PyComplex_Check(v.ptr()))
            return ComplexImm::make(PyComplex_RealAsDouble(v.ptr()), PyComplex_ImagAsDouble(v.ptr()),
                                    Type::complex(128, true), l);
        if (v.is_none()) return Ref::make(RefKind::Function, "None", l);
        if (v.is(nb::handle(Py_Ellipsis))) return Ref::make(RefKind::Function, "Ellipsis", l);
        if (nb::isinstance<nb::str>(v))
            fail(n, "string values are not supported in compiled code", "compiled code computes with numbers and arrays; keep strings in Python");
        fail(n, "this constant is not supported in compiled code", "use a number");
    }

    Expr resolve_name(const std::string &name, nb::handle n, Loc l) {
        if (in.closure.is_valid() && PyDict_Contains(in.closure.ptr(), nb::str(name.c_str()).ptr()) == 1)
            return resolve_value(nb::borrow(PyDict_GetItemString(in.closure.ptr(), name.c_str())), name, n, l);
        if (PyDict_Contains(in.globals.ptr(), nb::str(name.c_str()).ptr()) == 1)
            return resolve_value(nb::borrow(PyDict_GetItemString(in.globals.ptr(), name.c_str())), name, n, l);
        for (const char *b : builtin_names)
            if (name == b) return Ref::make(RefKind::Function, name, l);
        if (name == "True" || name == "False") return BoolImm::make(name == "True", l);
        for (const char *e : exception_names)
            if (name == e) fail(n, "exception classes can only be raised: raise " + name + "(\"message\")", "raise it with a string literal message");
        fail(n, "unknown name '" + name + "'",
             "define it before use, or make it a module-level constant or @hl.jit function");
    }

    // A global or closure value, or a module attribute, frozen into the IR.
    Expr resolve_value(nb::handle obj, const std::string &name, nb::handle n, Loc l) {
        if (in.resolve_object) {
            if (Expr e = in.resolve_object(obj, name, l)) return e;
        }
        if (nb::isinstance<nb::bool_>(obj)) return BoolImm::make(nb::cast<bool>(obj), l);
        if (obj.is_none()) return constant(obj, n, l);  // np.newaxis, a global None
        if (nb::isinstance<nb::int_>(obj) || nb::isinstance<nb::float_>(obj) || PyComplex_Check(obj.ptr()))
            return constant(obj, n, l);
        if (PyModule_Check(obj.ptr())) {
            std::string mod = nb::cast<std::string>(obj.attr("__name__"));
            if (mod == "numpy" || mod.rfind("numpy.", 0) == 0) mod = "np" + mod.substr(5);
            return Ref::make(RefKind::Module, mod, l);
        }
        if (nb::isinstance<nb::tuple>(obj)) {
            std::vector<Expr> elems;
            for (nb::handle e : obj) elems.push_back(resolve_value(e, name, n, l));
            return MakeTuple::make(std::move(elems), l);
        }
        // NumPy dtype classes (np.float32) and scalars (np.float32(1.5)).
        nb::object np = nb::module_::import_("numpy");
        if (PyType_Check(obj.ptr()) && PyObject_IsSubclass(obj.ptr(), np.attr("generic").ptr()) == 1) {
            std::string dt = nb::cast<std::string>(np.attr("dtype")(obj).attr("name"));
            Type t = scalar_from_name(dt);
            if (t.is_unknown()) fail(n, "the dtype " + dt + " is not supported", "use bool, int8..int64, uint8..uint64, float32/64 or complex64/128");
            return Ref::make(RefKind::DType, name, l, Type::dtype(t));
        }
        if (nb::isinstance(obj, np.attr("generic"))) {
            std::string dt = nb::cast<std::string>(obj.attr("dtype").attr("name"));
            Type t = scalar_from_name(dt);
            if (t.is_unknown()) fail(n, "a global NumPy scalar of dtype " + dt + " is not supported", "use a Python number");
            if (t.is_bool()) return BoolImm::make(nb::cast<bool>(obj.attr("item")()), l, false);
            if (t.is_integral()) return IntImm::make(nb::cast<int64_t>(obj.attr("item")()), t, l);
            if (t.is_float()) return FloatImm::make(nb::cast<double>(obj.attr("item")()), t, l);
            nb::object c = obj.attr("item")();
            return ComplexImm::make(PyComplex_RealAsDouble(c.ptr()), PyComplex_ImagAsDouble(c.ptr()), t, l);
        }
        // Builtin types used as functions or dtypes: int, float, bool, complex.
        for (const char *b : {"int", "float", "bool", "complex", "range", "len", "abs", "min", "max", "round", "print"}) {
            nb::object builtin = nb::module_::import_("builtins").attr(b);
            if (obj.is(builtin)) return Ref::make(RefKind::Function, b, l);
        }
        // Functions of math / numpy / cmath, under their qualified name.
        if (nb::hasattr(obj, "__name__") && (PyCallable_Check(obj.ptr()))) {
            nb::object modname = nb::getattr(obj, "__module__", nb::none());
            std::string fname = nb::cast<std::string>(nb::str(obj.attr("__name__")));
            if (!modname.is_none()) {
                std::string mod = nb::cast<std::string>(nb::str(modname));
                if (mod == "numpy" || mod.rfind("numpy.", 0) == 0) mod = "np" + mod.substr(5);
                if (mod == "math" || mod == "cmath" || mod.rfind("np", 0) == 0)
                    return Ref::make(RefKind::Function, mod + "." + fname, l);
            }
            if (nb::hasattr(np, fname.c_str()) && np.attr(fname.c_str()).is(obj))
                return Ref::make(RefKind::Function, "np." + fname, l);
            if (nb::isinstance<nb::callable>(obj) && nb::hasattr(obj, "__code__"))
                fail(n, "'" + name + "' is a Python function that is not compiled",
                     "decorate " + fname + " with @hl.jit so compiled code can call it");
        }
        std::string tname = nb::cast<std::string>(obj.type().attr("__name__"));
        fail(n, "'" + name + "' refers to a " + tname + " object, which compiled code cannot use",
             "pass it as an argument if it is a number or an array, or compute it in Python");
    }
};

}  // namespace

std::shared_ptr<Function> build_function(const FrontendInput &in) { return Builder(in).build(); }

}  // namespace hotloop
