#include "hotloop/ir/IRPrinter.h"

#include <cstdio>
#include <sstream>

namespace hotloop {

namespace {

std::string fmt_double(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
}

// A string literal as Python would write it in double quotes (IR text is a cache key).
std::string quoted(const std::string &text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') out += '\\', out += (char)c;
        else if (c == '\n') out += "\\n";
        else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else out += (char)c;
    }
    return out + "\"";
}

class Printer {
public:
    std::ostringstream os;

    void expr(const Expr &e) {
        if (!e) { os << "<null>"; return; }
        switch (e->node_type) {
        case NodeType::IntImm: os << e->as<IntImm>()->value; break;
        case NodeType::FloatImm: os << fmt_double(e->as<FloatImm>()->value); break;
        case NodeType::BoolImm: os << (e->as<BoolImm>()->value ? "True" : "False"); break;
        case NodeType::ComplexImm: {
            auto *c = e->as<ComplexImm>();
            os << "complex(" << fmt_double(c->re) << ", " << fmt_double(c->im) << ")";
            break;
        }
        case NodeType::Var: os << e->as<Var>()->name; break;
        case NodeType::Cast: os << e->type.str() << "("; expr(e->as<Cast>()->value); os << ")"; break;
        case NodeType::Binary: {
            auto *b = e->as<Binary>();
            os << "("; expr(b->a); os << " " << op_name(b->op) << " "; expr(b->b); os << ")";
            break;
        }
        case NodeType::Unary: {
            auto *u = e->as<Unary>();
            os << "(" << op_name(u->op); expr(u->a); os << ")";
            break;
        }
        case NodeType::Compare: {
            auto *c = e->as<Compare>();
            os << "("; expr(c->a); os << " " << op_name(c->op) << " "; expr(c->b); os << ")";
            break;
        }
        case NodeType::Logical: {
            auto *l = e->as<Logical>();
            os << "("; expr(l->a); os << (l->is_and ? " and " : " or "); expr(l->b); os << ")";
            break;
        }
        case NodeType::Select: {
            auto *s = e->as<Select>();
            os << "("; expr(s->t); os << " if "; expr(s->cond); os << " else "; expr(s->f); os << ")";
            break;
        }
        case NodeType::Let: {
            auto *l = e->as<Let>();
            os << "(let " << l->name << " = "; expr(l->value); os << " in "; expr(l->body); os << ")";
            break;
        }
        case NodeType::MathCall: {
            auto *m = e->as<MathCall>();
            os << "math." << op_name(m->op);
            list(m->args);
            break;
        }
        case NodeType::Call: {
            auto *c = e->as<Call>();
            os << c->callee;
            list(c->args);
            break;
        }
        case NodeType::Load: {
            auto *l = e->as<Load>();
            expr(l->array);
            os << "[";
            for (size_t i = 0; i < l->indices.size(); i++) { if (i) os << ", "; expr(l->indices[i]); }
            os << "]";
            break;
        }
        case NodeType::ArrayDim: {
            auto *d = e->as<ArrayDim>();
            expr(d->array);
            os << ".shape[" << d->dim << "]";
            break;
        }
        case NodeType::MakeTuple: {
            auto *t = e->as<MakeTuple>();
            os << "(";
            for (size_t i = 0; i < t->elems.size(); i++) { if (i) os << ", "; expr(t->elems[i]); }
            if (t->elems.size() == 1) os << ",";
            os << ")";
            break;
        }
        case NodeType::TupleGet: {
            auto *t = e->as<TupleGet>();
            expr(t->tuple);
            os << "[" << t->index << "]";
            break;
        }
        case NodeType::AllocArray: {
            auto *a = e->as<AllocArray>();
            static const char *names[] = {"empty", "zeros", "ones", "full", "arange", "linspace", "generate"};
            os << "np." << names[(int)a->init] << "((";
            for (auto &s : a->shape) { expr(s); os << ", "; }
            os << ")";
            for (const Expr *x : {&a->a, &a->b}) if (*x) { os << ", "; expr(*x); }
            os << ", " << scalar_name(a->type) << ")";
            break;
        }
        case NodeType::View: {
            auto *v = e->as<View>();
            expr(v->array);
            os << "[";
            for (size_t i = 0; i < v->specs.size(); i++) {
                if (i) os << ", ";
                const SliceSpec &s = v->specs[i];
                if (s.kind == SliceSpec::Kind::Index) expr(s.index);
                else if (s.kind == SliceSpec::Kind::NewAxis) os << "None";
                else {
                    if (s.start) expr(s.start);
                    os << ":";
                    if (s.stop) expr(s.stop);
                    if (s.step) { os << ":"; expr(s.step); }
                }
            }
            os << "]";
            break;
        }
        case NodeType::ArrayMap: {
            auto *m = e->as<ArrayMap>();
            os << "map(";
            for (auto &[name, a] : m->inputs) { os << name << " in "; expr(a); os << ", "; }
            os << "-> "; expr(m->body); os << ")";
            break;
        }
        case NodeType::Reduce: {
            auto *r = e->as<Reduce>();
            os << "np." << reduce_name(r->op) << "("; expr(r->value);
            if (r->axis >= 0) os << ", axis=" << r->axis;
            os << ")";
            break;
        }
        case NodeType::Reshape: {
            auto *r = e->as<Reshape>();
            expr(r->array);
            os << ".reshape";
            list(r->shape);
            break;
        }
        case NodeType::Roll: {
            auto *r = e->as<Roll>();
            os << "np.roll("; expr(r->array); os << ", "; expr(r->shift); os << ", " << r->axis << ")";
            break;
        }
        case NodeType::Transpose: expr(e->as<Transpose>()->array); os << ".T"; break;
        case NodeType::Overlaps: {
            auto *o = e->as<Overlaps>();
            os << "overlaps("; expr(o->a); os << ", "; expr(o->b); os << ")";
            break;
        }
        case NodeType::Ref: os << e->as<Ref>()->name; break;
        case NodeType::Attr: expr(e->as<Attr>()->value); os << "." << e->as<Attr>()->name; break;
        case NodeType::Subscript: {
            auto *s = e->as<Subscript>();
            expr(s->value);
            os << "[";
            for (size_t i = 0; i < s->indices.size(); i++) { if (i) os << ", "; expr(s->indices[i]); }
            os << "]";
            break;
        }
        case NodeType::UCall: {
            auto *c = e->as<UCall>();
            expr(c->func);
            os << "(";
            bool first = true;
            for (auto &a : c->args) { if (!first) os << ", "; first = false; expr(a); }
            for (auto &k : c->kwargs) { if (!first) os << ", "; first = false; os << k.name << "="; expr(k.value); }
            os << ")";
            break;
        }
        default: os << "<stmt?>";
        }
    }

    void list(const std::vector<Expr> &es) {
        os << "(";
        for (size_t i = 0; i < es.size(); i++) { if (i) os << ", "; expr(es[i]); }
        os << ")";
    }

    void pad(int n) { for (int i = 0; i < n; i++) os << "    "; }

    void stmt(const Stmt &s, int ind) {
        if (!s) return;
        switch (s->node_type) {
        case NodeType::Block: {
            auto *b = s->as<Block>();
            if (b->stmts.empty()) { pad(ind); os << "pass\n"; }
            for (auto &c : b->stmts) stmt(c, ind);
            break;
        }
        case NodeType::Assign: {
            auto *a = s->as<Assign>();
            pad(ind); os << a->name;
            if (!a->value->type.is_unknown()) os << ": " << a->value->type.str();
            os << (a->inplace ? " (in place) = " : " = "); expr(a->value); os << "\n";
            break;
        }
        case NodeType::Store: {
            auto *st = s->as<Store>();
            pad(ind); expr(st->array); os << "[";
            for (size_t i = 0; i < st->indices.size(); i++) { if (i) os << ", "; expr(st->indices[i]); }
            os << "] = "; expr(st->value); os << "\n";
            break;
        }
        case NodeType::If: {
            auto *i = s->as<If>();
            pad(ind); os << "if "; expr(i->cond); os << ":\n";
            stmt(i->then_case, ind + 1);
            if (i->else_case) { pad(ind); os << "else:\n"; stmt(i->else_case, ind + 1); }
            break;
        }
        case NodeType::For: {
            auto *f = s->as<For>();
            pad(ind); os << "for " << f->var << (f->par.parallel ? " in prange(" : " in range(");
            expr(f->start); os << ", "; expr(f->stop); os << ", "; expr(f->step); os << ")";
            if (f->par.parallel) {
                os << " cost=" << f->par.cost;
                for (auto &r : f->par.reductions) os << " reduce(" << r.var << ")";
            }
            os << ":\n";
            stmt(f->body, ind + 1);
            break;
        }
        case NodeType::While: {
            auto *w = s->as<While>();
            pad(ind); os << "while "; expr(w->cond); os << ":\n";
            stmt(w->body, ind + 1);
            break;
        }
        case NodeType::Break: pad(ind); os << "break\n"; break;
        case NodeType::Continue: pad(ind); os << "continue\n"; break;
        case NodeType::Return: {
            pad(ind); os << "return";
            if (auto &v = s->as<Return>()->value) { os << " "; expr(v); }
            os << "\n";
            break;
        }
        case NodeType::Raise: {
            auto *r = s->as<Raise>();
            pad(ind); os << "raise " << exc_name(r->kind) << "(" << quoted(r->message) << ")\n";
            break;
        }
        case NodeType::Evaluate: pad(ind); expr(s->as<Evaluate>()->value); os << "\n"; break;
        case NodeType::Print: {
            auto *p = s->as<Print>();
            pad(ind); os << "print(";
            for (size_t i = 0; i < p->values.size(); i++) {
                if (i) os << ", ";
                if (p->values[i]) expr(p->values[i]);
                else os << quoted(p->texts[i]);
            }
            os << (p->values.empty() ? "" : ", ") << "sep=" << quoted(p->sep) << ", end=" << quoted(p->end) << ")\n";
            break;
        }
        default: pad(ind); os << "<expr?>\n";
        }
    }
};

}  // namespace

std::string to_string(const Expr &e) { Printer p; p.expr(e); return p.os.str(); }
std::string to_string(const Stmt &s, int indent) { Printer p; p.stmt(s, indent); return p.os.str(); }

std::string to_string(const Function &f) {
    Printer p;
    p.os << "def " << (f.symbol.empty() ? f.name : f.symbol) << "(";
    for (size_t i = 0; i < f.params.size(); i++) {
        if (i) p.os << ", ";
        p.os << f.params[i].name;
        if (!f.params[i].type.is_unknown()) p.os << ": " << f.params[i].type.str();
    }
    p.os << ")";
    if (!f.return_type.is_unknown()) p.os << " -> " << f.return_type.str();
    p.os << ":";
    // Options that change the code (the on-disk cache key reads this text).
    if (f.options.fastmath) p.os << "  # fastmath";
    if (f.options.boundscheck) p.os << "  # boundscheck";
    if (f.options.error_model_numpy) p.os << "  # error_model=numpy";
    p.os << "\n";
    p.stmt(f.body, 1);
    return p.os.str();
}

std::ostream &operator<<(std::ostream &os, const Expr &e) { return os << to_string(e); }
std::ostream &operator<<(std::ostream &os, const Stmt &s) { return os << to_string(s); }

}  // namespace hotloop
