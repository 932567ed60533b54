#include "hotloop/passes/LowerStencil.h"

#include <algorithm>
#include <map>
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
Expr dim_of(const std::string &array, int d, Loc l) {
    return Subscript::make(Attr::make(var(array, l), "shape", l), {int64(d, l)}, l);
}
// The driver's own names ($ names are not Python identifiers; no other pass makes $stencil).
std::string index_var(int d) { return "$stencil_i" + std::to_string(d); }
std::string extent_var(int d) { return "$stencil_n" + std::to_string(d); }
std::string own_copy(const std::string &param) { return "$stencil_p_" + param; }
const char *const out_var = "$stencil_out";
const char *const out_param = "$stencil_outarg";  // kernel(a, out=b): b

// What the kernel does with names: the arrays it subscripts, the names it assigns; and
// whether it returns, first where (errors about the kernel as a whole point there).
struct Uses : IRVisitor {
    std::set<std::string> subscripted, assigned, renamed;  // renamed: `b = a` gives a another name
    bool returns = false;
    Loc first_return;
    using IRVisitor::visit;
    void visit(const Subscript *op) override {
        if (auto *v = op->value->as<Var>()) subscripted.insert(v->name);
        IRVisitor::visit(op);
    }
    void visit(const Assign *op) override {
        assigned.insert(op->name);
        if (auto *v = op->value->as<Var>()) renamed.insert(v->name);
        IRVisitor::visit(op);
    }
    void visit(const For *op) override {
        assigned.insert(op->var);
        IRVisitor::visit(op);
    }
    void visit(const Return *op) override {
        if (!returns) first_return = op->loc;
        returns = true;
        IRVisitor::visit(op);
    }
};

Uses uses_of(const Stmt &s) {
    Uses u;
    if (s) u.visit(s);
    return u;
}

std::vector<Stmt> statements(const Stmt &s) {
    if (!s) return {};
    if (auto *b = s->as<Block>()) return b->stmts;
    return {s};
}

// The kernel with every `return` last on its path: statements after an `if` that may
// return move into both of its branches (where a branch returns they are dead), so that
// the loop body needs no `continue`, which would hide from passes/PlanParallelLoops that
// both branches of an `if` assign a variable. A path that ends without returning raises.
Stmt with_returns_last(const std::vector<Stmt> &ss, size_t i, const std::string &kernel, Loc l) {
    std::vector<Stmt> out;
    for (; i < ss.size(); i++) {
        const Stmt &s = ss[i];
        if (s->as<Return>()) {
            out.push_back(s);
            return Block::make(std::move(out), l);
        }
        if (s->as<Block>() || (s->as<If>() && uses_of(s).returns)) {
            std::vector<Stmt> rest(ss.begin() + (ptrdiff_t)i + 1, ss.end());
            auto then_with = [&](const Stmt &branch) {
                std::vector<Stmt> path = statements(branch);
                path.insert(path.end(), rest.begin(), rest.end());
                return with_returns_last(path, 0, kernel, l);
            };
            if (auto *f = s->as<If>()) out.push_back(If::make(f->cond, then_with(f->then_case), then_with(f->else_case), s->loc));
            else out.push_back(then_with(s));
            return Block::make(std::move(out), l);
        }
        out.push_back(s);
    }
    out.push_back(Raise::make(ExcKind::RuntimeError, "the stencil kernel '" + kernel + "' ended without returning a value", l));
    return Block::make(std::move(out), l);
}

// The kernel's body at one point: relative indices of the stencil arrays become absolute
// ($stencil_i0 + c, or ($stencil_i0 + c) % $stencil_n0 near the edges in wrap mode),
// `return v` stores v, and parameters the kernel assigns become copies of their own.
class Relocate : public IRMutator {
public:
    Relocate(const std::set<std::string> &relative, const std::set<std::string> &copied, int ndim, bool wrapped,
             bool offsets_given)
        : relative(relative), copied(copied), ndim(ndim), wrapped(wrapped), offsets_given(offsets_given) {}

    std::vector<std::pair<int64_t, int64_t>> seen;  // per dimension: lowest, highest constant offset

    Stmt body(const Stmt &s) {
        seen.assign(ndim, {0, 0});
        std::vector<Stmt> out;
        for (const std::string &p : copied) out.push_back(Assign::make(own_copy(p), var(p, s->loc), s->loc));
        out.push_back(mutate(s));
        return Block::make(std::move(out), s->loc);
    }

protected:
    using IRMutator::visit;

    Expr visit(const Var *op, const Expr &self) override {
        return copied.count(op->name) ? Var::make(own_copy(op->name), op->type, op->loc) : self;
    }

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

    Stmt visit(const Assign *op, const Stmt &self) override {
        if (auto *v = op->value->as<Var>(); v && relative.count(v->name))
            throw CompileError(op->loc, "the stencil array '" + v->name + "' cannot be given another name in the kernel",
                               "index " + v->name + " itself: " + v->name + "[-1], " + v->name + "[0], ...");
        if (!copied.count(op->name)) return IRMutator::visit(op, self);
        return Assign::make(own_copy(op->name), mutate(op->value), op->loc, op->inplace);
    }

    Stmt visit(const Store *op, const Stmt &self) override {
        if (auto *v = op->array->as<Var>(); v && relative.count(v->name))
            throw CompileError(op->loc, "a stencil kernel cannot write to its input '" + v->name + "'",
                               "return the new value: the stencil stores it at the current point");
        return IRMutator::visit(op, self);
    }

    Stmt visit(const For *op, const Stmt &self) override {
        loop_depth++;
        Stmt s = IRMutator::visit(op, self);
        loop_depth--;
        if (!copied.count(op->var)) return s;
        auto *f = s->as<For>();
        return For::make(own_copy(op->var), f->start, f->stop, f->step, f->body, f->loc, f->par);
    }

    Stmt visit(const While *op, const Stmt &self) override {
        loop_depth++;
        Stmt s = IRMutator::visit(op, self);
        loop_depth--;
        return s;
    }

    Stmt visit(const Return *op, const Stmt &) override {
        if (!op->value) throw CompileError(op->loc, "a stencil kernel must return the value at the current point", "");
        if (loop_depth) throw CompileError(op->loc, "return inside a loop of a stencil kernel is not supported",
                                           "assign the value to a variable, break, and return it after the loop");
        std::vector<Expr> here;
        for (int d = 0; d < ndim; d++) here.push_back(var(index_var(d), op->loc));
        return Store::make(var(out_var, op->loc), std::move(here), mutate(op->value), op->loc);
    }

private:
    const std::set<std::string> &relative, &copied;
    int ndim;
    bool wrapped, offsets_given;
    int loop_depth = 0;
};

// for $stencil_i0 in prange(...): for $stencil_i1 in range(...): ... body, dimension 0
// outermost (C order). The outer loop is a prange: its points run in parallel when the
// stencil is parallel=True (or called from a parallel=True function).
Stmt loop_nest(const std::vector<std::pair<Expr, Expr>> &ranges, Stmt body, Loc l) {
    for (int d = (int)ranges.size() - 1; d >= 0; d--) {
        ParallelInfo par;
        par.parallel = d == 0;
        body = For::make(index_var(d), ranges[d].first, ranges[d].second, int64(1, l), body, l, par);
    }
    return body;
}

}  // namespace

std::shared_ptr<Function> stencil_driver(const Function &kernel, const std::vector<Type> &args,
                                         const std::function<Type()> &result_type, const StencilOptions &o) {
    Uses uses = uses_of(kernel.body);
    Loc l = uses.returns ? uses.first_return : kernel.body ? kernel.body->loc : Loc{};
    // Relatively indexed: the array parameters the kernel subscripts (or renames, an error
    // below), but for those in standard_indexing (as Numba). The first gives the shape.
    std::set<std::string> relative, copied;
    std::string first;
    int ndim = -1;
    for (size_t i = 0; i < kernel.params.size() && i < args.size(); i++) {
        const std::string &name = kernel.params[i].name;
        bool standard = std::find(o.standard_indexing.begin(), o.standard_indexing.end(), name) != o.standard_indexing.end();
        if (!args[i].is_array() || standard || (!uses.subscripted.count(name) && !uses.renamed.count(name))) {
            if (uses.assigned.count(name)) copied.insert(name);
            continue;
        }
        if (uses.assigned.count(name))
            throw CompileError(l, "the stencil kernel assigns to its input '" + name + "'",
                               "use another name for the new value");
        if (ndim >= 0 && args[i].ndim() != ndim)
            throw CompileError(l, "the stencil arrays '" + first + "' and '" + name + "' have different dimensions (" +
                                      std::to_string(ndim) + " and " + std::to_string(args[i].ndim()) + ")",
                               "pass arrays of one shape, or list '" + name + "' in standard_indexing");
        if (first.empty()) first = name;
        ndim = args[i].ndim();
        relative.insert(name);
    }
    if (relative.empty())
        throw CompileError(l, "a stencil kernel must index an array argument relative to the current point",
                           "pass a NumPy array and read its neighbours: a[-1] + a[1]");
    if (ndim == 0) throw CompileError(l, "a stencil of a 0-d array has no neighbours", "pass an array with dimensions");
    bool given = !o.neighborhood.empty();
    if (given && (int)o.neighborhood.size() != ndim)
        throw CompileError(l, "neighborhood= gives " + std::to_string(o.neighborhood.size()) + " dimension(s) but the arrays have " +
                                  std::to_string(ndim), "give one (lowest, highest) pair per dimension");

    Stmt kernel_body = with_returns_last(statements(kernel.body), 0, kernel.name, l);
    Relocate interior(relative, copied, ndim, false, given);
    Stmt inner = interior.body(kernel_body);  // before typing the result: its errors name the offending index
    auto extent = given ? o.neighborhood : interior.seen;
    for (int d = 0; given && d < ndim; d++)
        if (interior.seen[d].first < extent[d].first || interior.seen[d].second > extent[d].second)
            throw CompileError(l, "the kernel reads " + std::to_string(interior.seen[d].first < extent[d].first ? interior.seen[d].first
                                                                                                         : interior.seen[d].second) +
                                      " away from the current point in dimension " + std::to_string(d) +
                                      ", outside neighborhood=",
                               "widen the neighborhood to cover every relative index");
    Type result = result_type();
    if (!result.is_scalar())
        throw CompileError(l, "a stencil kernel must return a number, not " + result.str(),
                           "return the value at the current point");
    std::vector<int64_t> lo(ndim), hi(ndim);  // the kernel fits at lo <= i < n - hi
    for (int d = 0; d < ndim; d++) {
        lo[d] = std::max<int64_t>(0, -extent[d].first);
        hi[d] = std::max<int64_t>(0, extent[d].second);
    }

    std::vector<Stmt> body;
    std::vector<Expr> dims;
    for (int d = 0; d < ndim; d++) {
        body.push_back(Assign::make(extent_var(d), dim_of(first, d, l), l));
        dims.push_back(var(extent_var(d), l));
    }
    // The interior loops read every stencil array at the first one's indices.
    for (const std::string &name : relative) {
        if (name == first) continue;
        for (int d = 0; d < ndim; d++)
            body.push_back(If::make(Compare::make(CmpOp::NE, dim_of(name, d, l), var(extent_var(d), l), {}, l),
                                    Raise::make(ExcKind::ValueError, "the stencil arrays '" + first + "' and '" + name +
                                                                         "' have different shapes", l),
                                    nullptr, l));
    }
    if (o.with_out) {
        const Type &out = args.back();
        if (!out.is_array() || out.ndim() != ndim)
            throw CompileError(l, "out= must be an array with the stencil arrays' " + std::to_string(ndim) +
                                      " dimension(s), not " + out.str(), "pass an array of the input's shape");
        for (int d = 0; d < ndim; d++)
            body.push_back(If::make(Compare::make(CmpOp::NE, dim_of(out_param, d, l), var(extent_var(d), l), {}, l),
                                    Raise::make(ExcKind::ValueError, "out= has another shape than the stencil array '" + first + "'", l),
                                    nullptr, l));
        body.push_back(Assign::make(out_var, var(out_param, l), l));
    } else {
        // Every point is written below: the kernel's value or cval.
        Expr dtype = Ref::make(RefKind::DType, "np." + result.strong().str(), l, Type::dtype(result.strong()));
        body.push_back(Assign::make(out_var, UCall::make(Ref::make(RefKind::Function, "np.empty", l), {MakeTuple::make(dims, l)},
                                                         {{"dtype", dtype}}, l),
                                    l));
    }

    // Where the kernel fits: lo <= i < n - hi (empty when the array is too small).
    std::vector<std::pair<Expr, Expr>> fits;
    for (int d = 0; d < ndim; d++) fits.push_back({int64(lo[d], l), sub(var(extent_var(d), l), int64(hi[d], l), l)});
    body.push_back(loop_nest(fits, inner, l));

    // The rest: for each dimension d the points within lo of its start or hi of its end,
    // where the dimensions before d fit. In wrap mode the kernel runs there with indices
    // taken modulo the extent; in constant mode they get cval (with out=, only when cval
    // was given, as Numba fills out with it).
    Stmt edge;
    if (o.wrap) {
        Relocate edges(relative, copied, ndim, true, given);
        edge = edges.body(kernel_body);
    } else if (!o.with_out || o.cval_given) {
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
    if (o.with_out) f->params.push_back(Param{out_param, {}});
    f->filename = kernel.filename;
    f->body = Block::make(std::move(body), l);
    return f;
}

}  // namespace hotloop
