#include "hotloop/passes/LowerArrayExprs.h"

#include <map>
#include <optional>
#include <set>

#include "hotloop/ir/IRVisitor.h"
#include "hotloop/passes/PlanParallelLoops.h"

namespace hotloop {

namespace {

Expr i64(int64_t v, Loc l = {}) { return IntImm::make(v, Type::int64(), l); }
Expr eq(Expr a, Expr b) { return Compare::make(CmpOp::EQ, std::move(a), std::move(b), Type::boolean()); }
Expr ne(Expr a, Expr b) { return Compare::make(CmpOp::NE, std::move(a), std::move(b), Type::boolean()); }
Expr lt(Expr a, Expr b) { return Compare::make(CmpOp::LT, std::move(a), std::move(b), Type::boolean()); }
Expr gt(Expr a, Expr b) { return Compare::make(CmpOp::GT, std::move(a), std::move(b), Type::boolean()); }
Expr and_(Expr a, Expr b) { return Logical::make(true, std::move(a), std::move(b), Type::boolean()); }
Expr or_(Expr a, Expr b) { return Logical::make(false, std::move(a), std::move(b), Type::boolean()); }
Expr not_(Expr a) { return Unary::make(UnOp::Not, std::move(a), Type::boolean()); }
Expr mul(Expr a, Expr b) { Type t = a->type; return Binary::make(BinOp::Mul, std::move(a), std::move(b), t); }
Expr add(Expr a, Expr b) { Type t = a->type; return Binary::make(BinOp::Add, std::move(a), std::move(b), t); }

// Fills made into loops here: np.arange/linspace always (their element formula lives only
// here), np.zeros/ones/full in a parallel=True function (a parallel loop rather than
// codegen's memset or serial fill; not the small constant-size index arrays that
// np.array((...)) makes).
bool is_lowered_fill(const AllocArray *a, bool parallel) {
    if (a->init == AllocInit::Arange || a->init == AllocInit::Linspace) return true;
    if (!parallel || a->shape.empty()) return false;
    if (auto *n = a->shape[0]->as<IntImm>(); n && a->shape.size() == 1 && n->value < 4096) return false;
    switch (a->init) {
    case AllocInit::Zeros: case AllocInit::Ones: case AllocInit::Fill: case AllocInit::Arange: case AllocInit::Linspace:
        return true;
    default: return false;
    }
}

bool contains_array_work(const Expr &e, bool parallel) {
    struct Find : IRVisitor {
        bool parallel, found = false;
        explicit Find(bool p) : parallel(p) {}
        using IRVisitor::visit;
        void visit(const ArrayMap *) override { found = true; }
        void visit(const Reduce *) override { found = true; }
        void visit(const AllocArray *op) override {
            found = found || is_lowered_fill(op, parallel);
            IRVisitor::visit(op);
        }
    } f(parallel);
    f.visit(e);
    return f.found;
}

// The elementwise value being computed: arrays (bound to variables) and a per-element body.
struct Elementwise {
    std::vector<std::pair<std::string, Expr>> inputs;  // element variable -> array Var
    Expr body;
    int ndim = 0;
    // Per input and dimension: 0 where the input broadcasts (size 1), else 1. Indexing with
    // i * step keeps one loop for every case, and LLVM versions the loop on step == 1.
    std::map<std::string, std::vector<Expr>> steps;
};

class Lowering {
public:
    explicit Lowering(Function &f) : f(f), reads(count_reads(f.body)) {}
    Function &f;
    int counter = 0;
    std::map<std::string, int> reads;  // how often the function reads each name (fusion)

    template <typename Node> static std::map<std::string, int> count_reads(const Node &n) {
        struct Count : IRVisitor {
            std::map<std::string, int> reads;
            using IRVisitor::visit;
            void visit(const Var *op) override { reads[op->name]++; }
        } c;
        c.visit(n);
        return c.reads;
    }

    // The outermost loop of an array expression runs on the thread pool in a parallel=True
    // function, if passes/PlanParallelLoops finds it safe.
    ParallelInfo parallel() const {
        ParallelInfo p;
        p.parallel = p.implicit = f.parallel;
        return p;
    }

    // A parallel loop's array reductions combine with array expressions too.
    ParallelInfo lowered(ParallelInfo par) {
        for (auto &r : par.reductions) r.combine = stmt(r.combine);
        return par;
    }

    std::string fresh(const char *prefix, const Type &t) {
        std::string n = std::string("$") + prefix + std::to_string(counter++);
        f.locals.push_back({n, t});
        return n;
    }
    Expr temp(std::vector<Stmt> &out, const char *prefix, const Expr &value) {
        std::string n = fresh(prefix, value->type);
        out.push_back(Assign::make(n, value, value->loc));
        return Var::make(n, value->type, value->loc);
    }

    // ---- statements ---------------------------------------------------------------

    Stmt stmt(const Stmt &s) {
        if (!s) return s;
        std::vector<Stmt> pre;
        Stmt r = lower_stmt(s, pre);
        if (pre.empty()) return r;
        pre.push_back(r);
        return Block::make(std::move(pre), s->loc);
    }

    Stmt lower_stmt(const Stmt &s, std::vector<Stmt> &pre) {
        switch (s->node_type) {
        case NodeType::Block: {
            std::vector<Stmt> in = split_returns(s->as<Block>()->stmts), out;
            for (size_t i = 0; i < in.size();) {
                size_t n = fusible_run(in, i);
                if (n >= 2) {
                    out.push_back(fuse({in.begin() + i, in.begin() + i + n}));
                    i += n;
                } else {
                    out.push_back(stmt(in[i++]));
                }
            }
            return Block::make(std::move(out), s->loc);
        }
        case NodeType::Assign: {
            auto *a = s->as<Assign>();
            if (auto *m = a->value->as<ArrayMap>()) {
                materialize(pre, a->name, m);
                return Block::make({}, s->loc);
            }
            return Assign::make(a->name, hoist(a->value, pre), s->loc, a->inplace);
        }
        case NodeType::Store: {
            auto *st = s->as<Store>();
            Expr target = hoist(st->array, pre);
            if (!st->indices.empty()) {
                std::vector<Expr> idx;
                for (auto &i : st->indices) idx.push_back(hoist(i, pre));
                return Store::make(target, idx, hoist(st->value, pre), s->loc);
            }
            if (!target->as<Var>()) target = temp(pre, "target", target);
            store_whole(pre, target, st->value, s->loc);
            return Block::make({}, s->loc);
        }
        case NodeType::If: {
            auto *i = s->as<If>();
            return If::make(hoist(i->cond, pre), stmt(i->then_case), stmt(i->else_case), s->loc);
        }
        case NodeType::For: {
            auto *fo = s->as<For>();
            return For::make(fo->var, hoist(fo->start, pre), hoist(fo->stop, pre), hoist(fo->step, pre),
                             stmt(fo->body), s->loc, lowered(fo->par));
        }
        case NodeType::While: {
            auto *w = s->as<While>();
            if (!contains_array_work(w->cond, f.parallel)) return While::make(w->cond, stmt(w->body), s->loc);
            // The condition needs statements each iteration: while True: pre; if not c: break
            std::vector<Stmt> head;
            Expr c = hoist(w->cond, head);
            head.push_back(If::make(not_(c), Break::make(s->loc), nullptr, s->loc));
            head.push_back(stmt(w->body));
            return While::make(BoolImm::make(true, s->loc, false), Block::make(std::move(head), s->loc), s->loc);
        }
        case NodeType::Return: {
            auto *r = s->as<Return>();
            return Return::make(r->value ? hoist(r->value, pre) : nullptr, s->loc);
        }
        case NodeType::Evaluate: return Evaluate::make(hoist(s->as<Evaluate>()->value, pre), s->loc);
        case NodeType::Print: {
            auto *p = s->as<Print>();
            std::vector<Expr> values;
            for (auto &v : p->values) values.push_back(v ? hoist(v, pre) : v);
            return Print::make(std::move(values), p->texts, p->sep, p->end, s->loc);
        }
        default: return s;
        }
    }

    // ---- fusion of adjacent whole-array statements ----------------------------------
    //
    // `y = x * 2; z = np.sin(y) + y` or `out *= 4; out += np.roll(g, 1, 0)`: when the
    // statements' shapes agree at run time and no array that one of them writes is read
    // at another element (overlaps() checks), one loop nest computes every statement's
    // element in order, passes each new value on in a register, and stores each written
    // array once. Otherwise the statements run one after another, as written.

    struct Member {
        std::string fresh;  // an assignment's new array
        Expr target;        // a store's target
        Expr value;
        int ndim;
    };

    // No memory reads or calls: evaluating it early (before the group) changes nothing.
    static bool pure(const Expr &e) {
        struct Scan : IRVisitor {
            bool ok = true;
            using IRVisitor::visit;
            void visit(const Load *) override { ok = false; }
            void visit(const Call *) override { ok = false; }
            void visit(const UCall *) override { ok = false; }
            void visit(const AllocArray *) override { ok = false; }
            void visit(const ArrayMap *) override { ok = false; }
            void visit(const Reduce *) override { ok = false; }
            void visit(const Roll *) override { ok = false; }
        } scan;
        scan.visit(e);
        return scan.ok;
    }
    static bool pure_map(const ArrayMap *m) {
        for (auto &[ph, a] : m->inputs) {
            auto *r = a->as<Roll>();
            if (r ? !pure(r->array) || !pure(r->shift) : !pure(a)) return false;
        }
        return pure(m->body);
    }

    static std::optional<Member> as_member(const Stmt &s) {
        if (auto *a = s->as<Assign>()) {
            auto *m = a->value->as<ArrayMap>();
            if (!m || a->inplace || m->type.ndim() == 0 || !pure_map(m)) return std::nullopt;
            return Member{a->name, nullptr, a->value, m->type.ndim()};
        }
        auto *st = s->as<Store>();
        if (!st || !st->indices.empty() || !st->array->type.is_array() || st->array->type.ndim() == 0 ||
            !pure(st->array))
            return std::nullopt;
        const Type &vt = st->value->type;
        if (vt.is_array() && vt.ndim() > st->array->type.ndim()) return std::nullopt;
        auto *m = st->value->as<ArrayMap>();
        if (m ? !pure_map(m) : !pure(st->value)) return std::nullopt;
        return Member{"", st->array, st->value, st->array->type.ndim()};
    }

    // The arrays a member reads or writes: the target and the value's inputs.
    static std::vector<Expr> accesses(const Member &m) {
        std::vector<Expr> out;
        if (m.target) out.push_back(m.target);
        if (auto *map = m.value->as<ArrayMap>())
            for (auto &[ph, a] : map->inputs) out.push_back(a);
        else if (m.value->type.is_array())
            out.push_back(m.value);
        return out;
    }

    static std::set<std::string> names_in(const Expr &e) {
        struct Names : IRVisitor {
            std::set<std::string> names;
            using IRVisitor::visit;
            void visit(const Var *op) override { names.insert(op->name); }
        } n;
        n.visit(e);
        return n.names;
    }

    // How many statements from `i` on can share one loop, as far as is known before run
    // time: whole-array statements of one rank, none assigning a name used before it in
    // the run, and none reading an array written before it other than whole and by name.
    static size_t fusible_run(const std::vector<Stmt> &in, size_t i) {
        std::set<std::string> used, written;
        size_t k = i;
        for (; k < in.size(); k++) {
            auto m = as_member(in[k]);
            if (!m || (k > i && m->ndim != as_member(in[i])->ndim)) break;
            if (!m->fresh.empty() && used.count(m->fresh)) break;
            bool ok = true;
            std::set<std::string> reads = names_in(m->value);
            if (m->target) reads.merge(names_in(m->target));
            for (const Expr &a : accesses(*m)) {
                if (a->as<Var>()) continue;  // by name: the element itself
                for (auto &n : names_in(a)) ok = ok && !written.count(n);
            }
            if (!ok) break;
            used.insert(reads.begin(), reads.end());
            if (!m->fresh.empty()) written.insert(m->fresh), used.insert(m->fresh);
            if (m->target) {
                Expr root = m->target;
                while (auto *v = root->as<View>()) root = v->array;
                if (auto *rv = root->as<Var>()) written.insert(rv->name);
            }
        }
        return k - i;
    }

    // `return <array expression>` becomes an assignment and a return, so it can join a group.
    std::vector<Stmt> split_returns(const std::vector<Stmt> &in) {
        std::vector<Stmt> out;
        for (auto &s : in) {
            auto *r = s->as<Return>();
            auto *m = r && r->value ? r->value->as<ArrayMap>() : nullptr;
            if (!m || m->type.ndim() == 0) {
                out.push_back(s);
                continue;
            }
            std::string n = fresh("ret", m->type);
            reads[n]++;  // by the return
            out.push_back(Assign::make(n, r->value, s->loc));
            out.push_back(Return::make(Var::make(n, m->type, s->loc), s->loc));
        }
        return out;
    }

    Stmt fuse(const std::vector<Stmt> &stmts) {
        Loc l = stmts[0]->loc;
        struct Prepared {
            Elementwise ew;
            Expr target;
            std::string name;
            bool is_new;
            std::set<std::string> reads_new;  // inputs that are arrays made earlier in the group
        };
        std::vector<Stmt> pre;
        std::vector<Prepared> ps;
        std::set<std::string> fresh_names;
        std::map<std::string, Expr> renamed;
        std::vector<Expr> dims;
        Expr ok;
        auto require = [&](Expr c) { ok = ok ? and_(ok, c) : c; };
        for (size_t k = 0; k < stmts.size(); k++) {
            Member m = *as_member(stmts[k]);
            Prepared p;
            p.ew = prepare(pre, m.value, fresh_names);
            p.is_new = !m.fresh.empty();
            for (auto &[ph, a] : p.ew.inputs)
                if (auto *v = a->as<Var>(); v && fresh_names.count(v->name)) p.reads_new.insert(ph);
            // A new array is made under another name and takes its own after the loop,
            // so its statement can read the old array of that name (x = x + dt * v).
            if (p.is_new) {
                p.name = m.fresh;
                p.target = Var::make(fresh("new", m.value->type), m.value->type, l);
                renamed[p.name] = p.target;
            } else if (auto *v = m.target->as<Var>()) {
                p.name = v->name;
                p.target = renamed.count(p.name) ? renamed.at(p.name) : m.target;
            } else {
                p.target = temp(pre, "target", m.target);
                p.name = p.target->as<Var>()->name;
            }
            // The group's shape is the first statement's; the others must have it too.
            std::vector<Expr> shape;
            if (!p.is_new) {
                for (int j = 0; j < m.ndim; j++) shape.push_back(ArrayDim::make(p.target, j, l));
            } else {
                for (int d = 0; d < m.ndim; d++) {
                    Expr out;
                    for (auto &[ph, a] : p.ew.inputs) {
                        int off = m.ndim - a->type.ndim();
                        if (d < off) continue;
                        Expr dim = p.reads_new.count(ph) ? dims[d] : ArrayDim::make(source(a), d - off, l);
                        out = temp(pre, "dim", out ? Select::make(eq(out, i64(1)), dim, out, Type::int64(), l) : dim);
                    }
                    shape.push_back(out ? out : i64(1, l));
                }
            }
            if (k == 0) {
                for (auto &e : shape) dims.push_back(temp(pre, "dim", e));
            } else if (!fresh_names.count(p.name)) {
                for (int j = 0; j < m.ndim; j++) require(eq(shape[j], dims[j]));
            }
            // Inputs that do not broadcast to the shape make the statement raise: the
            // statements then run one by one, so it raises after the ones before it ran.
            for (auto &[ph, a] : p.ew.inputs) {
                if (p.reads_new.count(ph)) continue;
                int off = m.ndim - a->type.ndim();
                for (int j = 0; j < a->type.ndim(); j++) {
                    Expr dim = ArrayDim::make(source(a), j, l);
                    require(or_(eq(dim, dims[j + off]), eq(dim, i64(1))));
                }
            }
            if (p.is_new) fresh_names.insert(p.name);
            ps.push_back(std::move(p));
        }
        // Written arrays (other than new ones) must not overlap each other, nor any input
        // other than themselves read by name.
        std::map<std::string, Expr> stored;
        for (auto &p : ps)
            if (!fresh_names.count(p.name)) stored.emplace(p.name, p.target);
        for (auto a = stored.begin(); a != stored.end(); ++a)
            for (auto b = std::next(a); b != stored.end(); ++b) require(not_(Overlaps::make(a->second, b->second, false)));
        for (auto &p : ps)
            for (auto &[ph, a] : p.ew.inputs) {
                auto *v = a->as<Var>();
                if (p.reads_new.count(ph) || (v && stored.count(v->name))) continue;
                for (auto &[n, t] : stored) require(not_(Overlaps::make(t, source(a), false)));
            }

        // A new array that nothing outside the group reads is never made: its elements
        // only pass from one statement to the next (as Numba drops such temporaries).
        std::set<std::string> dead;
        std::map<std::string, int> group_reads;
        for (auto &s : stmts)
            for (auto &[n, c] : count_reads(s)) group_reads[n] += c;
        for (auto &p : ps)
            if (p.is_new && group_reads[p.name] == reads[p.name]) dead.insert(p.name);
        std::vector<Stmt> fused;
        for (auto &p : ps)
            if (p.is_new && !dead.count(p.name))
                fused.push_back(Assign::make(p.target->as<Var>()->name,
                                             AllocArray::make(p.target->type, dims, AllocInit::Empty, l), l));
        auto element_loop = [&](bool unit) {
            return nest(dims, l, [&](const std::vector<Expr> &idx) {
                std::map<std::string, Expr> current;  // each written array's element so far
                std::vector<const Prepared *> order;
                std::vector<Stmt> body;
                for (auto &p : ps) {
                    Elementwise ew = p.ew;
                    if (unit)
                        for (auto &[ph, steps] : ew.steps)
                            for (auto &st : steps) st = i64(1, l);
                    Type et = p.target->type.elem();
                    std::string e = fresh("e", et);
                    body.push_back(Assign::make(e, to(element_at(ew, idx, l, current), et), l));
                    if (!current.count(p.name)) order.push_back(&p);
                    current[p.name] = Var::make(e, et, l);
                }
                for (auto *p : order)
                    if (!dead.count(p->name)) body.push_back(Store::make(p->target, idx, current.at(p->name), l, true));
                return Block::make(std::move(body), l);
            });
        };
        Expr unit;
        for (auto &p : ps) {
            Expr c = no_broadcast(p.ew, dims, l);
            unit = unit ? and_(unit, c) : c;
        }
        fused.push_back(If::make(unit, element_loop(true), element_loop(false), l));
        for (auto &p : ps)
            if (p.is_new && !dead.count(p.name)) fused.push_back(Assign::make(p.name, p.target, l));

        std::vector<Stmt> one_by_one;
        for (auto &s : stmts) one_by_one.push_back(stmt(s));
        pre.push_back(If::make(ok ? ok : BoolImm::make(true, l, false), Block::make(std::move(fused), l),
                               Block::make(std::move(one_by_one), l), l));
        return Block::make(std::move(pre), l);
    }

    // ---- expressions: move array work into statements before the current one ------

    Expr hoist(const Expr &e, std::vector<Stmt> &pre) {
        if (!e || !contains_array_work(e, f.parallel)) return e;
        struct Hoister : IRMutator {
            Lowering &L;
            std::vector<Stmt> &pre;
            Hoister(Lowering &L, std::vector<Stmt> &pre) : L(L), pre(pre) {}
            using IRMutator::visit;
            Expr visit(const ArrayMap *op, const Expr &self) override {
                std::string n = L.fresh("arr", op->type);
                L.materialize(pre, n, op);
                return Var::make(n, op->type, op->loc);
            }
            Expr visit(const Reduce *op, const Expr &self) override { return L.reduce(pre, op); }
            Expr visit(const AllocArray *op, const Expr &self) override {
                Expr e = IRMutator::visit(op, self);
                auto *a = e->as<AllocArray>();
                return is_lowered_fill(a, L.f.parallel) ? L.lowered_fill(pre, a) : e;
            }
            Expr visit(const Let *op, const Expr &self) override {
                if (!contains_array_work(op->body, L.f.parallel)) return IRMutator::visit(op, self);
                // The body's array work moves into statements: bind the name as a variable.
                Expr v = mutate(op->value);
                L.f.locals.push_back({op->name, v->type});
                pre.push_back(Assign::make(op->name, v, op->loc));
                return mutate(op->body);
            }
        } h(*this, pre);
        return h.mutate(e);
    }

    // Inputs bound to variables and the body with its own array work hoisted. Inputs that
    // are arrays named in `full` have the output's shape (no steps, no reads of their shape:
    // a fused group's new arrays do not exist yet).
    Elementwise prepare(std::vector<Stmt> &pre, const Expr &value, const std::set<std::string> &full = {}) {
        Elementwise ew;
        if (auto *m = value->as<ArrayMap>()) {
            for (auto &[ph, arr] : m->inputs) {
                if (auto *r = arr->as<Roll>()) {
                    // Keep the roll; bind its source and its shift (reduced mod n, Python's sign).
                    Expr src = hoist(r->array, pre);
                    if (!src->as<Var>()) src = temp(pre, "in", src);
                    Expr n = ArrayDim::make(src, r->axis, r->loc);
                    Expr safe_n = Select::make(eq(n, i64(0)), i64(1), n, Type::int64(), r->loc);
                    auto mod = std::make_shared<Binary>(*Binary::make(BinOp::Mod, hoist(r->shift, pre), safe_n, Type::int64(), r->loc)->as<Binary>());
                    mod->ieee = true;
                    Expr shift = temp(pre, "shift", mod);
                    ew.inputs.push_back({ph, Roll::make(src, shift, r->axis, r->loc)});
                    continue;
                }
                Expr a = hoist(arr, pre);
                if (!a->as<Var>()) a = temp(pre, "in", a);
                ew.inputs.push_back({ph, a});
            }
            ew.body = hoist_invariants(pre, hoist(m->body, pre), m->inputs);
            ew.ndim = m->type.ndim();
        } else if (value->type.is_array()) {
            Expr a = hoist(value, pre);
            if (!a->as<Var>()) a = temp(pre, "in", a);
            std::string ph = "$ph" + std::to_string(counter++);
            ew.inputs.push_back({ph, a});
            ew.body = Var::make(ph, value->type.elem(), value->loc);
            ew.ndim = value->type.ndim();
        } else {
            ew.body = hoist(value, pre);
        }
        for (auto &[ph, a] : ew.inputs) {
            Expr src = source(a);
            auto *v = a->as<Var>();
            if (v && full.count(v->name)) {
                ew.steps[ph].assign(a->type.ndim(), i64(1, value->loc));
                continue;
            }
            for (int j = 0; j < a->type.ndim(); j++)
                ew.steps[ph].push_back(temp(pre, "step", Select::make(eq(ArrayDim::make(src, j, value->loc), i64(1)), i64(0),
                                                                     i64(1), Type::int64(), value->loc)));
        }
        return ew;
    }

    // Parts of an element's value that read memory or call functions without depending
    // on the element (`acc[0]` in `acc += acc[0] + b`) are computed once, before the loop,
    // as NumPy computes the whole right side before it stores.
    Expr hoist_invariants(std::vector<Stmt> &pre, const Expr &body,
                          const std::vector<std::pair<std::string, Expr>> &inputs) {
        struct Hoister : IRMutator {
            Lowering &L;
            std::vector<Stmt> &pre;
            std::set<std::string> local;  // element variables and names bound inside
            Hoister(Lowering &L, std::vector<Stmt> &pre) : L(L), pre(pre) {}
            bool invariant_access(const Expr &e) {
                struct Scan : IRVisitor {
                    const std::set<std::string> &local;
                    bool local_use = false, access = false;
                    explicit Scan(const std::set<std::string> &l) : local(l) {}
                    using IRVisitor::visit;
                    void visit(const Var *op) override { local_use |= local.count(op->name) > 0; }
                    void visit(const Let *op) override { local_use = true; }
                    void visit(const Load *op) override { access = true; IRVisitor::visit(op); }
                    void visit(const Call *op) override { access = true; IRVisitor::visit(op); }
                } scan(local);
                scan.visit(e);
                return scan.access && !scan.local_use && e->type.is_scalar();
            }
            using IRMutator::mutate;
            Expr mutate(const Expr &e) override {
                if (e && invariant_access(e)) return L.temp(pre, "inv", e);
                return IRMutator::mutate(e);
            }
            using IRMutator::visit;
            Expr visit(const Let *op, const Expr &self) override {
                Expr value = mutate(op->value);
                local.insert(op->name);
                Expr body = mutate(op->body);
                return Let::make(op->name, value, body);
            }
        } h(*this, pre);
        for (auto &[ph, arr] : inputs) h.local.insert(ph);
        return h.mutate(body);
    }

    // The array an input reads (a roll reads its source).
    static Expr source(const Expr &a) {
        if (auto *r = a->as<Roll>()) return r->array;
        return a;
    }

    // Broadcast shape of the inputs (NumPy's rule), with a ValueError on a mismatch.
    std::vector<Expr> broadcast_shape(std::vector<Stmt> &pre, const Elementwise &ew, Loc l) {
        std::vector<Expr> dims(ew.ndim);
        for (int d = 0; d < ew.ndim; d++) {
            Expr out;
            for (auto &[ph, a] : ew.inputs) {
                int off = ew.ndim - a->type.ndim();
                if (d < off) continue;
                Expr dim = ArrayDim::make(source(a), d - off, l);
                // A variable per step: the expression would otherwise double with each input.
                out = temp(pre, "dim", out ? Select::make(eq(out, i64(1)), dim, out, Type::int64(), l) : dim);
            }
            dims[d] = out ? out : i64(1, l);
        }
        check_broadcast(pre, ew, dims, l, "operands could not be broadcast together");
        return dims;
    }

    void check_broadcast(std::vector<Stmt> &pre, const Elementwise &ew, const std::vector<Expr> &dims, Loc l,
                         const char *msg) {
        Expr bad;
        for (auto &[ph, a] : ew.inputs) {
            int off = (int)dims.size() - a->type.ndim();
            if (off < 0) {
                pre.push_back(Raise::make(ExcKind::ValueError, msg, l));
                return;
            }
            for (int j = 0; j < a->type.ndim(); j++) {
                Expr dim = ArrayDim::make(source(a), j, l);
                Expr c = and_(ne(dim, dims[j + off]), ne(dim, i64(1)));
                bad = bad ? or_(bad, c) : c;
            }
        }
        if (bad) pre.push_back(If::make(bad, Raise::make(ExcKind::ValueError, msg, l), nullptr, l));
    }

    // The body at loop indices `idx` (one per output dimension), with broadcasting. An
    // input array named in `known` is not loaded: its element's value is given.
    Expr element_at(const Elementwise &ew, const std::vector<Expr> &idx, Loc l,
                    const std::map<std::string, Expr> &known = {}) {
        std::map<std::string, Expr> m;
        for (auto &[ph, a] : ew.inputs) {
            auto *v = a->as<Var>();
            if (auto it = v ? known.find(v->name) : known.end(); it != known.end()) {
                m[ph] = it->second;
                continue;
            }
            int nd = a->type.ndim(), off = (int)idx.size() - nd;
            Expr src = source(a);
            auto *roll = a->as<Roll>();
            std::vector<Expr> ai;
            for (int j = 0; j < nd; j++) {
                const Expr &step = ew.steps.at(ph)[j];
                auto *unit = step->as<IntImm>();
                Expr i = unit && unit->value == 1 ? idx[j + off] : mul(idx[j + off], step);
                if (roll && roll->axis == j) {
                    // (i - shift) mod n, with 0 <= shift < n
                    Expr k = Binary::make(BinOp::Sub, i, roll->shift, Type::int64(), l);
                    i = Select::make(lt(k, i64(0)), add(k, ArrayDim::make(src, j, l)), k, Type::int64(), l);
                }
                ai.push_back(i);
            }
            m[ph] = Load::make(src, ai, l, true);
        }
        return substitute(ew.body, m);
    }

    // The body at flat index i, every input being C-contiguous with the output's shape.
    Expr element_flat(std::vector<Stmt> &pre, const Elementwise &ew, const Expr &i, const Expr &n, Loc l) {
        std::map<std::string, Expr> m;
        for (auto &[ph, a] : ew.inputs) {
            Expr flat = temp(pre, "flat", Reshape::make(a, {n}, l));
            m[ph] = Load::make(flat, {i}, l, true);
        }
        return substitute(ew.body, m);
    }

    // Can the inputs use one flat loop? Statically: all C-contiguous with the output's ndim.
    bool flat_candidate(const Elementwise &ew, int ndim) {
        for (auto &[ph, a] : ew.inputs)
            if (a->as<Roll>() || a->type.layout() != Layout::C || a->type.ndim() != ndim) return false;
        return true;
    }
    Expr same_shapes(const Elementwise &ew, const std::vector<Expr> &dims, Loc l) {
        Expr c;
        for (auto &[ph, a] : ew.inputs)
            for (int j = 0; j < a->type.ndim(); j++) {
                Expr e = eq(ArrayDim::make(a, j, l), dims[j]);
                c = c ? and_(c, e) : e;
            }
        return c ? c : BoolImm::make(true, l, false);
    }

    // True when every input has the full shape (its trailing dimensions equal dims).
    Expr no_broadcast(const Elementwise &ew, const std::vector<Expr> &dims, Loc l) {
        Expr c;
        for (auto &[ph, a] : ew.inputs) {
            int nd = a->type.ndim(), off = (int)dims.size() - nd;
            for (int j = 0; j < nd; j++) {
                if (auto *k = ew.steps.at(ph)[j]->as<IntImm>()) {
                    if (k->value == 0) return BoolImm::make(false, l, false);  // always broadcasts
                    continue;
                }
                Expr e = eq(ArrayDim::make(source(a), j, l), dims[j + off]);
                c = c ? and_(c, e) : e;
            }
        }
        return c ? c : BoolImm::make(true, l, false);
    }

    // Loops over `dims` calling `body(idx)` for the statements of one element.
    template <typename F> Stmt nest(const std::vector<Expr> &dims, Loc l, F body) {
        std::vector<std::string> vars;
        std::vector<Expr> idx;
        for (size_t d = 0; d < dims.size(); d++) {
            vars.push_back(fresh("i", Type::int64()));
            idx.push_back(Var::make(vars.back(), Type::int64(), l));
        }
        Stmt s = body(idx);
        for (int d = (int)dims.size() - 1; d >= 0; d--)
            s = For::make(vars[d], i64(0, l), dims[d], i64(1, l), s, l, d == 0 ? parallel() : ParallelInfo{});
        return s;
    }

    Expr product(const std::vector<Expr> &dims, Loc l) {
        Expr n;
        for (auto &d : dims) n = n ? mul(n, d) : d;
        return n ? n : i64(1, l);
    }

    // target[...] = elementwise value, target having shape `dims` (C-contiguous if `flat_ok`).
    Stmt fill(std::vector<Stmt> &pre, const Expr &target, const std::vector<Expr> &dims,
              const Elementwise &ew, Loc l) {
        const Type &tt = target->type;
        Stmt general = nest(dims, l, [&](const std::vector<Expr> &idx) {
            return Store::make(target, idx, element_at(ew, idx, l), l, true);
        });
        // One dimension: the loop above is already flat. More: a flat loop when shapes agree.
        bool nested = dims.size() <= 1 || tt.layout() != Layout::C;
        if (ew.inputs.empty() && nested) return general;
        if (!ew.inputs.empty() && (nested || !flat_candidate(ew, (int)dims.size()))) {
            // When no input broadcasts, indices need no steps: a strided input is then
            // indexed by the loop variable times its stride alone, which LLVM versions for
            // a unit stride and vectorizes.
            Elementwise unit = ew;
            for (auto &[ph, steps] : unit.steps)
                for (auto &st : steps) st = i64(1, l);
            Stmt same = nest(dims, l, [&](const std::vector<Expr> &idx) {
                return Store::make(target, idx, element_at(unit, idx, l), l, true);
            });
            return If::make(no_broadcast(ew, dims, l), same, general, l);
        }
        std::vector<Stmt> flat_pre;
        Expr n = temp(flat_pre, "n", product(dims, l));
        Expr flat_target = temp(flat_pre, "flat", Reshape::make(target, {n}, l));
        std::string iv = fresh("i", Type::int64());
        Expr i = Var::make(iv, Type::int64(), l);
        Expr value = element_flat(flat_pre, ew, i, n, l);
        flat_pre.push_back(For::make(iv, i64(0, l), n, i64(1, l), Store::make(flat_target, {i}, value, l, true), l, parallel()));
        if (ew.inputs.empty()) return Block::make(std::move(flat_pre), l);
        return If::make(same_shapes(ew, dims, l), Block::make(std::move(flat_pre), l), general, l);
    }

    // An empty array, then a loop (parallel in parallel=True functions) storing the fill.
    Expr lowered_fill(std::vector<Stmt> &pre, const AllocArray *a) {
        Loc l = a->loc;
        if (a->init == AllocInit::Arange || a->init == AllocInit::Linspace) return range_fill(pre, a);
        std::vector<Expr> dims;
        for (auto &d : a->shape) dims.push_back(temp(pre, "dim", d));
        Type elem = a->type.elem();
        Elementwise ew;
        ew.body = a->init == AllocInit::Fill ? temp(pre, "fill", a->a) : to(i64(a->init == AllocInit::Ones, l), elem);
        ew.ndim = (int)dims.size();
        std::string name = fresh("arr", a->type);
        pre.push_back(Assign::make(name, AllocArray::make(a->type, dims, AllocInit::Empty, l), l));
        Expr target = Var::make(name, a->type, l);
        pre.push_back(fill(pre, target, dims, ew, l));
        return target;
    }

    // np.arange / np.linspace: element i computed from i, as NumPy's fill computes it.
    Expr range_fill(std::vector<Stmt> &pre, const AllocArray *a) {
        Loc l = a->loc;
        Type elem = a->type.elem();
        Expr n = temp(pre, "dim", a->shape[0]);
        Expr start = temp(pre, "start", a->a), step;
        Expr second, delta, divisor;
        if (a->init == AllocInit::Arange) {
            second = temp(pre, "second", a->b);
            step = temp(pre, "step", Binary::make(BinOp::Sub, second, start, elem, l));  // NumPy's fill
        } else {
            // NumPy: step = (stop - start) / (num - 1); y[0] = start, y[-1] = stop.
            Type f64 = Type::float64();
            delta = temp(pre, "delta", Binary::make(BinOp::Sub, a->b, start, f64, l));
            divisor = temp(pre, "div", Cast::make(f64, Binary::make(BinOp::Sub, n, i64(1, l), Type::int64(), l)));
            auto div = std::make_shared<Binary>(*Binary::make(BinOp::Div, delta, divisor, f64, l)->as<Binary>());
            div->ieee = true;  // num == 1: unused
            step = temp(pre, "step", Expr(div));
        }
        std::string name = fresh("arr", a->type);
        pre.push_back(Assign::make(name, AllocArray::make(a->type, {n}, AllocInit::Empty, l), l));
        Expr target = Var::make(name, a->type, l);
        pre.push_back(nest({n}, l, [&](const std::vector<Expr> &idx) {
            const Expr &i = idx[0];
            Expr v;
            if (a->init == AllocInit::Arange) {
                v = add(start, Binary::make(BinOp::Mul, Cast::make(elem, i), step, elem, l));
                v = Select::make(eq(i, i64(1)), second, v, elem, l);  // the first two as given
                v = Select::make(eq(i, i64(0)), start, v, elem, l);
            } else {
                Type f64 = Type::float64();
                // NumPy: start + i*step, or start + i/div*delta when step underflows to 0
                auto ieee_div = std::make_shared<Binary>(*Binary::make(BinOp::Div, Cast::make(f64, i), divisor, f64, l)->as<Binary>());
                ieee_div->ieee = true;  // num == 1: unused
                Expr by_delta = Binary::make(BinOp::Mul, Expr(ieee_div), delta, f64, l);
                Expr by_step = Binary::make(BinOp::Mul, Cast::make(f64, i), step, f64, l);
                Expr step_zero = Compare::make(CmpOp::EQ, step, FloatImm::make(0.0, f64, l), Type::boolean(), l);
                Expr x = add(start, Select::make(step_zero, by_delta, by_step, f64, l));
                x = Select::make(eq(i, i64(0)), start, x, f64, l);
                Expr last = and_(eq(i, Binary::make(BinOp::Sub, n, i64(1), Type::int64(), l)), gt(n, i64(1)));
                v = to(Select::make(last, a->b, x, f64, l), elem);
            }
            return Store::make(target, idx, v, l, true);
        }));
        return target;
    }

    void materialize(std::vector<Stmt> &pre, const std::string &name, const ArrayMap *m) {
        Expr value = std::make_shared<ArrayMap>(*m);
        Elementwise ew = prepare(pre, value);
        std::vector<Expr> dims = broadcast_shape(pre, ew, m->loc);
        // x = x + dt * v reads the old x while it fills the new one.
        bool reads_itself = names_in(value).count(name) > 0;
        std::string into = reads_itself ? fresh("new", m->type) : name;
        pre.push_back(Assign::make(into, AllocArray::make(m->type, dims, AllocInit::Empty, m->loc), m->loc));
        Expr target = Var::make(into, m->type, m->loc);
        pre.push_back(fill(pre, target, dims, ew, m->loc));
        if (reads_itself) pre.push_back(Assign::make(name, target, m->loc));
    }

    // target (a variable) = value, broadcasting value to the target's shape.
    void store_whole(std::vector<Stmt> &pre, const Expr &target, const Expr &value, Loc l) {
        const Type &tt = target->type;
        std::vector<Expr> dims;
        for (int k = 0; k < tt.ndim(); k++) dims.push_back(temp(pre, "dim", ArrayDim::make(target, k, l)));
        Elementwise ew = prepare(pre, value);
        if (ew.ndim > tt.ndim()) {
            pre.push_back(Raise::make(ExcKind::ValueError, "could not broadcast the value into the target's shape", l));
            return;
        }
        check_broadcast(pre, ew, dims, l, "could not broadcast the value into the target's shape");
        if (ew.inputs.empty()) {
            pre.push_back(fill(pre, target, dims, ew, l));
            return;
        }
        // If an input shares memory with the target (other than being the same view),
        // compute the value into a temporary first, as NumPy does.
        Expr overlap;
        for (auto &[ph, a] : ew.inputs) {
            Expr o = Overlaps::make(target, source(a), /*same_view_ok=*/!a->as<Roll>());
            overlap = overlap ? or_(overlap, o) : o;
        }
        std::vector<Stmt> direct, copied;
        direct.push_back(fill(direct, target, dims, ew, l));
        Type tmp_t = Type::array(tt.elem(), tt.ndim(), Layout::C);
        std::string tmp = fresh("tmp", tmp_t);
        Expr tmp_v = Var::make(tmp, tmp_t, l);
        copied.push_back(Assign::make(tmp, AllocArray::make(tmp_t, dims, AllocInit::Empty, l), l));
        copied.push_back(fill(copied, tmp_v, dims, ew, l));
        Elementwise from_tmp = prepare(copied, tmp_v);
        copied.push_back(fill(copied, target, dims, from_tmp, l));
        pre.push_back(If::make(overlap, Block::make(std::move(copied), l), Block::make(std::move(direct), l), l));
    }

    // ---- reductions -----------------------------------------------------------------

    Expr identity(ReduceOp op, const Type &t, Loc l) {
        switch (op) {
        case ReduceOp::Sum:
        case ReduceOp::Mean: return t.is_float() ? FloatImm::make(0.0, t, l) : IntImm::make(0, t, l);
        case ReduceOp::Prod: return t.is_float() ? FloatImm::make(1.0, t, l) : IntImm::make(1, t, l);
        case ReduceOp::Any: return BoolImm::make(false, l, false);
        case ReduceOp::All: return BoolImm::make(true, l, false);
        default: return nullptr;
        }
    }

    Expr to(const Expr &e, const Type &t) { return e->type == t ? e : Cast::make(t, e); }
    Expr truthy(const Expr &e) {
        if (e->type.is_bool()) return e;
        return ne(e, to(i64(0), e->type));
    }
    Expr is_nan(const Expr &e) {
        if (!e->type.is_float()) return BoolImm::make(false, e->loc, false);
        return MathCall::make(MathOp::IsNan, {e}, Type::boolean(), e->loc);
    }

    // Float sums and products are reordered into vector partial sums (NumPy's pairwise sum
    // reorders them too; a strictly sequential float sum cannot be vectorized).
    static Expr reassociable(const Expr &e) {
        auto *bin = e->as<Binary>();
        if (!bin || !e->type.is_float()) return e;
        auto n = std::make_shared<Binary>(*bin);
        n->reassociable = true;
        return n;
    }

    // Statements that fold one element `v` at position `pos` into acc (and idx).
    Stmt accumulate(ReduceOp op, const std::string &acc, const std::string &idx, const Type &at,
                    const Expr &v0, const Expr &pos, Loc l) {
        Expr a = Var::make(acc, at, l);
        switch (op) {
        case ReduceOp::Sum:
        case ReduceOp::Mean: return Assign::make(acc, reassociable(add(a, to(v0, at))), l);
        case ReduceOp::Prod: return Assign::make(acc, reassociable(mul(a, to(v0, at))), l);
        case ReduceOp::Any: return Assign::make(acc, or_(a, truthy(v0)), l);
        case ReduceOp::All: return Assign::make(acc, and_(a, truthy(v0)), l);
        case ReduceOp::Min:
        case ReduceOp::Max: {
            // NumPy propagates NaN: once acc is NaN it stays; a NaN element replaces acc.
            Expr better = op == ReduceOp::Min ? lt(v0, a) : gt(v0, a);
            if (at.is_float()) better = or_(better, is_nan(v0));
            return If::make(better, Assign::make(acc, v0, l), nullptr, l);
        }
        case ReduceOp::ArgMin:
        case ReduceOp::ArgMax: {
            Expr better = op == ReduceOp::ArgMin ? lt(v0, a) : gt(v0, a);
            if (v0->type.is_float()) better = and_(not_(is_nan(a)), or_(better, is_nan(v0)));
            return If::make(better, Block::make({Assign::make(acc, v0, l), Assign::make(idx, pos, l)}, l), nullptr, l);
        }
        }
        return nullptr;
    }

    bool needs_first(ReduceOp op) {
        return op == ReduceOp::Min || op == ReduceOp::Max || op == ReduceOp::ArgMin || op == ReduceOp::ArgMax;
    }
    const char *empty_message(ReduceOp op) {
        return op == ReduceOp::ArgMin || op == ReduceOp::ArgMax ? "attempt to get argmin/argmax of an empty sequence"
                                                                : "zero-size array to reduction operation which has no identity";
    }

    Expr reduce(std::vector<Stmt> &pre, const Reduce *r) {
        Loc l = r->loc;
        Elementwise ew = prepare(pre, r->value);
        std::vector<Expr> dims = broadcast_shape(pre, ew, l);
        Type elem = ew.body->type.strong();
        // The accumulator: the result type (min/max/argmin/argmax keep the element type).
        Type res = r->type.is_array() ? r->type.elem() : r->type;
        Type at = needs_first(r->op) ? elem : res;
        // float32 sums accumulate in float64: NumPy's pairwise sum is about that accurate.
        if ((r->op == ReduceOp::Sum || r->op == ReduceOp::Mean) && res.is_float() && res.bits() == 32) at = Type::float64();
        if (r->axis < 0) {
            std::string acc = fresh("acc", at), idx = fresh("idx", Type::int64());
            Expr n = temp(pre, "n", product(dims, l));
            if (needs_first(r->op)) {
                pre.push_back(If::make(eq(n, i64(0)), Raise::make(ExcKind::ValueError, empty_message(r->op), l), nullptr, l));
                std::vector<Expr> zeros(dims.size(), i64(0, l));
                pre.push_back(Assign::make(acc, element_at(ew, zeros, l), l));
            } else {
                pre.push_back(Assign::make(acc, identity(r->op, at, l), l));
            }
            pre.push_back(Assign::make(idx, i64(0, l), l));
            Stmt loop = nest(dims, l, [&](const std::vector<Expr> &ix) {
                return accumulate(r->op, acc, idx, at, element_at(ew, ix, l), flat_position(ix, dims), l);
            });
            if (needs_first(r->op)) loop = with_chunked_min_max(loop, r->op, acc, idx, at);
            pre.push_back(loop);
            return finish(r->op, acc, idx, at, res, n, l);
        }
        // Along one axis: an output array with that axis removed.
        int ax = r->axis;
        std::vector<Expr> out_dims;
        for (size_t d = 0; d < dims.size(); d++) if ((int)d != ax) out_dims.push_back(dims[d]);
        std::string out = fresh("red", r->type);
        Expr outv = Var::make(out, r->type, l);
        pre.push_back(Assign::make(out, AllocArray::make(r->type, out_dims, AllocInit::Empty, l), l));
        if (needs_first(r->op))
            pre.push_back(If::make(eq(dims[ax], i64(0)), Raise::make(ExcKind::ValueError, empty_message(r->op), l), nullptr, l));
        pre.push_back(nest(out_dims, l, [&](const std::vector<Expr> &oix) {
            std::vector<Stmt> body;
            std::string acc = fresh("acc", at), idx = fresh("idx", Type::int64()), k = fresh("k", Type::int64());
            auto full = [&](const Expr &kv) {
                std::vector<Expr> ix;
                size_t o = 0;
                for (size_t d = 0; d < dims.size(); d++) ix.push_back((int)d == ax ? kv : oix[o++]);
                return ix;
            };
            body.push_back(Assign::make(acc, needs_first(r->op) ? element_at(ew, full(i64(0, l)), l) : identity(r->op, at, l), l));
            body.push_back(Assign::make(idx, i64(0, l), l));
            Expr kv = Var::make(k, Type::int64(), l);
            body.push_back(For::make(k, i64(0, l), dims[ax], i64(1, l),
                                     accumulate(r->op, acc, idx, at, element_at(ew, full(kv), l), kv, l), l));
            body.push_back(Store::make(outv, oix, finish(r->op, acc, idx, at, res, dims[ax], l), l, true));
            return Block::make(std::move(body), l);
        }));
        return outv;
    }

    // The C-order position of element `ix` of an array of shape `dims` (argmin/argmax).
    Expr flat_position(const std::vector<Expr> &ix, const std::vector<Expr> &dims) {
        Expr pos = ix.empty() ? i64(0) : ix[0];
        for (size_t d = 1; d < ix.size(); d++) pos = add(mul(pos, dims[d]), ix[d]);
        return pos;
    }

    // min/max/argmin/argmax fold the pair (best value, its position) with a test that the
    // race check cannot read as a reduction, so their parallel plan is made here: each
    // chunk starts from the first element, and the chunks' results are folded in order
    // with the same strict test, which keeps the first position of the best value (and
    // NumPy's NaN rules) whatever the split.
    Stmt with_chunked_min_max(const Stmt &loop, ReduceOp op, const std::string &acc, const std::string &idx,
                              const Type &at) {
        auto *fo = loop->as<For>();
        if (!fo || !fo->par.parallel) return loop;
        Loc l = fo->loc;
        Expr partial = Var::make("$partial", at, l);
        Stmt combine = accumulate(op, acc, idx, at, partial, Var::make("$partial:" + idx, Type::int64(), l), l);
        ParallelInfo par = fo->par;
        par.planned = true;
        par.reductions = {{acc, nullptr, combine}};
        if (op == ReduceOp::ArgMin || op == ReduceOp::ArgMax) par.reductions.push_back({idx, nullptr, Block::make({}, l)});
        par.cost = std::max<int64_t>(1, estimate_cost(fo->body));
        return For::make(fo->var, fo->start, fo->stop, fo->step, fo->body, l, par);
    }

    Expr finish(ReduceOp op, const std::string &acc, const std::string &idx, const Type &at, const Type &res,
                const Expr &n, Loc l) {
        Expr a = Var::make(acc, at, l);
        if (op == ReduceOp::ArgMin || op == ReduceOp::ArgMax) return Var::make(idx, Type::int64(), l);
        if (op == ReduceOp::Mean) {
            auto div = std::make_shared<Binary>(*Binary::make(BinOp::Div, a, Cast::make(at, n), at, l)->as<Binary>());
            div->ieee = true;  // NumPy: the mean of nothing is nan
            return to(Expr(div), res);
        }
        return to(a, res);
    }
};

}  // namespace

void lower_array_exprs(Function &f) {
    struct Needs : IRVisitor {
        bool found = false;
        using IRVisitor::visit;
        void visit(const ArrayMap *) override { found = true; }
        void visit(const Reduce *) override { found = true; }
        void visit(const Store *op) override { found = found || op->indices.empty(); IRVisitor::visit(op); }
        void visit(const AllocArray *op) override { found = found || is_lowered_fill(op, parallel); IRVisitor::visit(op); }
        bool parallel = false;
    } needs;
    needs.parallel = f.parallel;
    needs.visit(f.body);
    if (!needs.found) return;  // nothing to do: keep the very same tree
    Lowering L(f);
    f.body = L.stmt(f.body);
}

}  // namespace hotloop
