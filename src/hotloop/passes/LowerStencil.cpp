#include "hotloop/passes/LowerStencil.h"

#include <algorithm>
#include <set>

#include "hotloop/ir/IRVisitor.h"

namespace hotloop {

namespace {

Expr int64(int64_t v, Loc l) { return IntImm::make(v, Type::int_(64, true), l); }
Expr var(const std::string &name, Loc l) { return Var::make(name, {}, l); }
Expr add(Expr a, Expr b, Loc l) { return Binary::make(BinOp::Add, std::move(a), std::move(b), {}, l); }
Expr sub(Expr a, Expr b, Loc l) { return Binary::make(BinOp::Sub, std::move(a), std::move(b), {}, l); }
Expr builtin(const std::string &fn, std::vector<Expr> args, Loc l) {
    return UCall::make(Ref::make(RefKind::Function, fn, l), std::move(args), {}, l);
}
std::string index_var(int d) { return "$i" + std::to_string(d); }
std::string extent_var(int d) { return "$n" + std::to_string(d); }
const char *const out_var = "$out";

// The kernel's body at one point: relative indices of the stencil arrays become absolute
// ($i0 + c, or ($i0 + c) % $n0 near the edges in wrap mode), `return v` stores v.
class Relocate : public IRMutator {
public:
    Relocate(const std::set<std::string> &relative, int ndim, bool wrapped, bool offsets_given)
        : relative(relative), ndim(ndim), wrapped(wrapped), offsets_given(offsets_given) {}

    std::vector<std::pair<int64_t, int64_t>> seen;  // per dimension: lowest, highest constant offset
    bool any_seen = false;

    Stmt body(const Stmt &s, const std::string &kernel) {
        seen.assign(ndim, {0, 0});
        Stmt out = mutate(s);
        // A kernel that can end without returning: Python would return None there.
        auto *b = s->as<Block>();
        const Stmt &last = b && !b->stmts.empty() ? b->stmts.back() : s;
        if (last->as<Return>()) return out;
        return Block::make({out, Raise::make(ExcKind::RuntimeError, "the stencil kernel '" + kernel +
                                                                        "' ended without returning a value", s->loc)},
                           s->loc);
    }

protected:
    using IRMutator::visit;

    Expr visit(const Subscript *op, const Expr &self) override {
        auto *v = op->value->as<Var>();
        if (!v || !relative.count(v->name)) return IRMutator::visit(op, self);
        if ((int)op->indices.size() != ndim)
            throw CompileError(op->loc,
                               "the stencil array '" + v->name + "' takes " + std::to_string(ndim) + " relative index" +
                                   (ndim == 1 ? "" : "es") + " (one per dimension), not " + std::to_string(op->indices.size()),
                               ndim == 1 ? "write " + v->name + "[-1] for the left neighbour"
                                         : "write " + v->name + "[-1, 0] for the neighbour one row up");
        std::vector<Expr> at;
        for (int d = 0; d < ndim; d++) {
            Expr rel = mutate(op->indices[d]);
            Loc l = rel->loc;
            if (auto *c = rel->as<IntImm>()) {
                seen[d] = {std::min(seen[d].first, c->value), std::max(seen[d].second, c->value)};
                any_seen = true;
            } else if (auto *u = rel->as<UCall>(); u && u->func->as<Ref>() && u->func->as<Ref>()->name == "slice") {
                throw CompileError(l, "slices of the stencil array '" + v->name + "' are not supported in a stencil kernel",
                                   "index single neighbours (" + v->name + "[-1] + " + v->name + "[1]), or list '" +
                                       v->name + "' in standard_indexing to index it as a whole array");
            } else if (!offsets_given) {
                throw CompileError(l, "the relative index of '" + v->name + "' is not a constant integer",
                                   "give the stencil's extent with neighborhood=((lo, hi), ...) to index with variables");
            }
            Expr i = add(var(index_var(d), l), rel, l);
            if (wrapped) i = Binary::make(BinOp::Mod, i, var(extent_var(d), l), {}, l);
            at.push_back(i);
        }
        return Subscript::make(op->value, std::move(at), op->loc);
    }

    Stmt visit(const Store *op, const Stmt &self) override {
        if (auto *v = op->array->as<Var>(); v && relative.count(v->name))
            throw CompileError(op->loc, "a stencil kernel cannot write to its input '" + v->name + "'",
                               "return the new value: the stencil stores it at the current point");
        return IRMutator::visit(op, self);
    }

    Stmt visit(const For *op, const Stmt &self) override { return in_loop([&] { return IRMutator::visit(op, self); }); }
    Stmt visit(const While *op, const Stmt &self) override { return in_loop([&] { return IRMutator::visit(op, self); }); }

    Stmt visit(const Return *op, const Stmt &) override {
        if (!op->value) throw CompileError(op->loc, "a stencil kernel must return the value at the current point", "");
        if (loop_depth) throw CompileError(op->loc, "return inside a loop of a stencil kernel is not supported",
                                           "assign the value to a variable, break, and return it after the loop");
        std::vector<Expr> here;
        for (int d = 0; d < ndim; d++) here.push_back(var(index_var(d), op->loc));
        // The value of this point, then on to the next point (the kernel's remaining statements are skipped).
        return Block::make({Store::make(var(out_var, op->loc), std::move(here), mutate(op->value), op->loc),
                            Continue::make(op->loc)},
                           op->loc);
    }

private:
    template <typename F> Stmt in_loop(F f) {
        loop_depth++;
        Stmt s = f();
        loop_depth--;
        return s;
    }
    const std::set<std::string> &relative;
    int ndim;
    bool wrapped, offsets_given;
    int loop_depth = 0;
};

// for $i0 in prange(...): for $i1 in range(...): ... body, dimension 0 outermost (C
// order). The outer loop is a prange: its points run in parallel with parallel=True.
Stmt loop_nest(const std::vector<std::pair<Expr, Expr>> &ranges, Stmt body, Loc l) {
    for (int d = (int)ranges.size() - 1; d >= 0; d--) {
        ParallelInfo par;
        par.parallel = d == 0;
        body = For::make(index_var(d), ranges[d].first, ranges[d].second, int64(1, l), body, l, par);
    }
    return body;
}

// Where errors about the kernel as a whole point: its first `return`.
Loc first_return(const Stmt &body) {
    struct Find : IRVisitor {
        Loc found;
        bool seen = false;
        using IRVisitor::visit;
        void visit(const Return *op) override {
            if (!seen) found = op->loc, seen = true;
        }
    } f;
    f.found = body ? body->loc : Loc{};
    f.visit(body);
    return f.found;
}

}  // namespace

std::shared_ptr<Function> stencil_driver(const Function &kernel, const std::vector<Type> &args, const Type &result,
                                         const StencilOptions &o) {
    Loc l = first_return(kernel.body);
    std::set<std::string> relative;
    std::string first;
    int ndim = -1;
    for (size_t i = 0; i < kernel.params.size(); i++) {
        const std::string &name = kernel.params[i].name;
        if (!args[i].is_array() ||
            std::find(o.standard_indexing.begin(), o.standard_indexing.end(), name) != o.standard_indexing.end())
            continue;
        if (ndim >= 0 && args[i].ndim() != ndim)
            throw CompileError(l, "the stencil arrays '" + first + "' and '" + name + "' have different dimensions (" +
                                      std::to_string(ndim) + " and " + std::to_string(args[i].ndim()) + ")",
                               "pass arrays of one shape, or list '" + name + "' in standard_indexing");
        if (first.empty()) first = name;
        ndim = args[i].ndim();
        relative.insert(name);
    }
    if (relative.empty())
        throw CompileError(l, "a stencil needs an array argument to apply the kernel to", "pass a NumPy array");
    if (ndim == 0) throw CompileError(l, "a stencil of a 0-d array has no neighbours", "pass an array with dimensions");
    bool given = !o.neighborhood.empty();
    if (given && (int)o.neighborhood.size() != ndim)
        throw CompileError(l, "neighborhood= gives " + std::to_string(o.neighborhood.size()) + " dimension(s) but the arrays have " +
                                  std::to_string(ndim), "give one (lowest, highest) pair per dimension");
    Relocate interior(relative, ndim, false, given);
    Stmt inner = interior.body(kernel.body, kernel.name);  // first: its errors name the offending index
    if (!result.is_scalar())
        throw CompileError(l, "a stencil kernel must return a number, not " + result.str(),
                           "return the value at the current point");
    auto extent = given ? o.neighborhood : interior.seen;
    std::vector<int64_t> lo(ndim), hi(ndim);  // the kernel fits at lo <= i < n - hi
    for (int d = 0; d < ndim; d++) {
        lo[d] = std::max<int64_t>(0, -extent[d].first);
        hi[d] = std::max<int64_t>(0, extent[d].second);
    }

    std::vector<Stmt> body;
    Expr shape_of_first = Attr::make(var(first, l), "shape", l);
    std::vector<Expr> dims;
    for (int d = 0; d < ndim; d++) {
        body.push_back(Assign::make(extent_var(d), Subscript::make(shape_of_first, {int64(d, l)}, l), l));
        dims.push_back(var(extent_var(d), l));
    }
    // The interior loops read every stencil array at the first one's indices.
    for (const std::string &name : relative) {
        if (name == first) continue;
        for (int d = 0; d < ndim; d++) {
            Expr n = Subscript::make(Attr::make(var(name, l), "shape", l), {int64(d, l)}, l);
            body.push_back(If::make(Compare::make(CmpOp::NE, n, var(extent_var(d), l), {}, l),
                                    Raise::make(ExcKind::ValueError, "the stencil arrays '" + first + "' and '" + name +
                                                                         "' have different shapes", l),
                                    nullptr, l));
        }
    }
    if (o.with_out) {
        const Type &out = args.back();
        if (!out.is_array() || out.ndim() != ndim)
            throw CompileError(l, "out= must be an array with the stencil arrays' " + std::to_string(ndim) +
                                      " dimension(s), not " + out.str(), "pass an array of the input's shape");
        for (int d = 0; d < ndim; d++) {
            Expr n = Subscript::make(Attr::make(var("out", l), "shape", l), {int64(d, l)}, l);
            body.push_back(If::make(Compare::make(CmpOp::NE, n, var(extent_var(d), l), {}, l),
                                    Raise::make(ExcKind::ValueError, "out= has another shape than the stencil array '" + first + "'", l),
                                    nullptr, l));
        }
        body.push_back(Assign::make(out_var, var("out", l), l));
    } else {
        Expr dtype = Ref::make(RefKind::DType, "np." + result.strong().str(), l, Type::dtype(result.strong()));
        Expr shape = MakeTuple::make(dims, l);
        // Every point is written below: the kernel's value or cval.
        body.push_back(Assign::make(out_var, UCall::make(Ref::make(RefKind::Function, "np.empty", l), {shape}, {{"dtype", dtype}}, l), l));
    }

    // Where the kernel fits: lo <= i < n - hi (empty when the array is too small).
    std::vector<std::pair<Expr, Expr>> fits;
    for (int d = 0; d < ndim; d++) fits.push_back({int64(lo[d], l), sub(var(extent_var(d), l), int64(hi[d], l), l)});
    body.push_back(loop_nest(fits, inner, l));

    // The rest: for each dimension d the points within lo of its start or hi of its end,
    // where the dimensions before d fit. In wrap mode the kernel runs there with indices
    // taken modulo the extent; in constant mode they get cval (out= keeps its values).
    Stmt edge;
    if (o.wrap) {
        Relocate edges(relative, ndim, true, given);
        edge = edges.body(kernel.body, kernel.name);
    } else if (!o.with_out) {
        std::vector<Expr> here;
        for (int d = 0; d < ndim; d++) here.push_back(var(index_var(d), l));
        edge = Store::make(var(out_var, l), std::move(here), o.cval, l);
    }
    for (int d = 0; edge && d < ndim; d++) {
        Expr n = var(extent_var(d), l);
        Expr head_end = builtin("min", {int64(lo[d], l), n}, l);
        Expr tail_start = builtin("max", {head_end, sub(n, int64(hi[d], l), l)}, l);
        for (auto part : {std::pair<Expr, Expr>{int64(0, l), head_end}, std::pair<Expr, Expr>{tail_start, n}}) {
            std::vector<std::pair<Expr, Expr>> ranges;
            for (int e = 0; e < ndim; e++)
                ranges.push_back(e < d ? fits[e] : e == d ? part : std::pair<Expr, Expr>{int64(0, l), var(extent_var(e), l)});
            body.push_back(loop_nest(ranges, edge, l));
        }
    }
    body.push_back(Return::make(var(out_var, l), l));

    auto f = std::make_shared<Function>();
    f->name = kernel.name;
    f->params = kernel.params;
    if (o.with_out) f->params.push_back(Param{"out", {}});
    f->filename = kernel.filename;
    f->body = Block::make(std::move(body), l);
    return f;
}

}  // namespace hotloop
