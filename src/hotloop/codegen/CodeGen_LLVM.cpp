#include "hotloop/codegen/CodeGen_LLVM.h"

#include <map>
#include <set>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "hotloop/ir/IRPrinter.h"
#include "hotloop/ir/IRVisitor.h"
#include "hotloop/jit/JITEngine.h"
#include "hotloop/runtime/Parallel.h"

namespace hotloop {

namespace {

struct MathInfo { const char *intrinsic; const char *libm; };
MathInfo math_info(MathOp op) {
    switch (op) {
#define HL_MATH(E, N, R, I, L) case MathOp::E: return {I, L};
#include "hotloop/ir/ops.def"
#undef HL_MATH
    }
    return {"", ""};
}

class CodeGen {
public:
    CodeGen(llvm::LLVMContext &ctx, llvm::Module &mod, const HostInfo &host)
        : ctx(ctx), mod(mod), b(ctx), host(host) {}

    std::string compile(const Program &p) {
        std::vector<const Function *> all;
        for (auto &c : p.callees) all.push_back(c.get());
        all.push_back(p.entry.get());
        for (auto *f : all) declare(*f);
        for (auto *f : all) define(*f);
        return entry_wrapper(*p.entry);
    }

private:
    llvm::LLVMContext &ctx;
    llvm::Module &mod;
    llvm::IRBuilder<> b;
    const HostInfo &host;
    std::map<std::string, llvm::Function *> functions;

    // Per function being defined.
    llvm::Function *cur = nullptr;
    const Function *cur_ir = nullptr;
    llvm::Value *ret_ptr = nullptr;
    llvm::BasicBlock *entry_block = nullptr;
    std::map<std::string, llvm::AllocaInst *> vars;
    std::vector<std::pair<std::string, llvm::Value *>> lets;
    struct Loop { llvm::BasicBlock *cont, *brk; };
    std::vector<Loop> loops;
    bool in_chunk_fn = false;  // inside an outlined parallel loop body: nested loops run serially
    int outlined = 0;

    // ---- types ------------------------------------------------------------------------

    llvm::Type *ltype(const Type &t) {
        switch (t.kind()) {
        case Type::Kind::Scalar:
            switch (t.scalar_kind()) {
            case ScalarKind::Bool: return b.getInt1Ty();
            case ScalarKind::Int:
            case ScalarKind::UInt: return b.getIntNTy(t.bits());
            case ScalarKind::Float: return t.bits() == 32 ? b.getFloatTy() : b.getDoubleTy();
            case ScalarKind::Complex: {
                llvm::Type *part = t.bits() == 64 ? b.getFloatTy() : b.getDoubleTy();
                return llvm::StructType::get(ctx, {part, part});
            }
            }
            break;
        case Type::Kind::Array: {
            auto *dims = llvm::ArrayType::get(b.getInt64Ty(), t.ndim());
            return llvm::StructType::get(ctx, {b.getPtrTy(), b.getPtrTy(), dims, dims});
        }
        case Type::Kind::Tuple: {
            std::vector<llvm::Type *> es;
            for (auto &e : t.elems()) es.push_back(ltype(e));
            return llvm::StructType::get(ctx, es);
        }
        case Type::Kind::None: return b.getInt8Ty();
        default: break;
        }
        internal_error("codegen: no LLVM type for " + t.str());
    }

    // ---- functions --------------------------------------------------------------------

    // The options of the function whose code is being generated.
    const FunctionOptions &opts() const { return cur_ir->options; }

    void use_options_of(const Function &f) {
        cur_ir = &f;
        llvm::FastMathFlags fmf;
        if (f.options.fastmath) fmf = llvm::FastMathFlags::getFast();
        b.setFastMathFlags(fmf);
    }

    void set_attributes(llvm::Function *f, const FunctionOptions &options) {
        f->addFnAttr("target-cpu", host.cpu);
        f->addFnAttr("target-features", host.features);
        // Use the widest vector registers the CPU has (LLVM prefers 256 bits on AVX-512).
        f->addFnAttr("prefer-vector-width", std::to_string(host.vector_width_bits));
        f->addFnAttr(llvm::Attribute::NoUnwind);
        if (options.fastmath) {
            for (const char *a : {"unsafe-fp-math", "no-nans-fp-math", "no-infs-fp-math",
                                  "no-signed-zeros-fp-math", "approx-func-fp-math"})
                f->addFnAttr(a, "true");
        }
    }

    void declare(const Function &f) {
        std::vector<llvm::Type *> params{b.getPtrTy()};
        for (auto &p : f.params) params.push_back(ltype(p.type));
        auto *ft = llvm::FunctionType::get(b.getInt32Ty(), params, false);
        auto *fn = llvm::Function::Create(ft, llvm::Function::InternalLinkage, f.symbol, mod);
        set_attributes(fn, f.options);
        fn->addParamAttr(0, llvm::Attribute::NoAlias);
        functions[f.symbol] = fn;
    }

    llvm::AllocaInst *entry_alloca(llvm::Type *t, const std::string &name) {
        llvm::IRBuilder<> eb(entry_block, entry_block->begin());
        return eb.CreateAlloca(t, nullptr, name);
    }

    void define(const Function &f) {
        cur = functions.at(f.symbol);
        use_options_of(f);
        vars.clear();
        lets.clear();
        loops.clear();
        entry_block = llvm::BasicBlock::Create(ctx, "entry", cur);
        b.SetInsertPoint(entry_block);
        ret_ptr = cur->getArg(0);
        unsigned i = 1;
        for (auto &p : f.params) {
            auto *a = entry_alloca(ltype(p.type), p.name);
            vars[p.name] = a;
            b.CreateStore(cur->getArg(i++), a);
        }
        for (auto &[name, t] : f.locals) vars[name] = entry_alloca(ltype(t), name);
        stmt(f.body);
        if (!b.GetInsertBlock()->getTerminator()) {
            if (f.return_type.is_none()) {
                b.CreateRet(b.getInt32(0));
            } else {
                emit_raise(ExcKind::RuntimeError, "function '" + f.name + "' ended without returning a value");
            }
        }
    }

    std::string entry_wrapper(const Function &f) {
        std::string name = f.symbol + "_entry";
        auto *ft = llvm::FunctionType::get(b.getInt32Ty(), {b.getPtrTy(), b.getPtrTy()}, false);
        auto *fn = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, name, mod);
        set_attributes(fn, f.options);
        use_options_of(f);
        b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
        std::vector<llvm::Value *> args{fn->getArg(1)};
        for (size_t i = 0; i < f.params.size(); i++) {
            auto *slot = b.CreateConstInBoundsGEP1_64(b.getPtrTy(), fn->getArg(0), i);
            auto *p = b.CreateLoad(b.getPtrTy(), slot);
            args.push_back(b.CreateLoad(ltype(f.params[i].type), p, f.params[i].name));
        }
        b.CreateRet(b.CreateCall(functions.at(f.symbol), args));
        return name;
    }

    // ---- control helpers --------------------------------------------------------------

    llvm::BasicBlock *block(const char *name) { return llvm::BasicBlock::Create(ctx, name, cur); }

    // After a terminator, later statements go into an unreachable block LLVM deletes.
    void continue_in_dead_block() { b.SetInsertPoint(block("dead")); }

    // Records the exception and returns the error status (a terminator).
    void emit_raise(ExcKind kind, const std::string &msg) {
        auto *str = b.CreateGlobalStringPtr(msg, "hl.msg");
        auto callee = mod.getOrInsertFunction("hl_raise", b.getVoidTy(), b.getInt32Ty(), b.getPtrTy());
        b.CreateCall(callee, {b.getInt32((int)kind), str});
        b.CreateRet(b.getInt32(1));
    }
    void raise(ExcKind kind, const std::string &msg) {
        emit_raise(kind, msg);
        continue_in_dead_block();
    }

    // print(...): hl_print(types, values, sep, end), the types a string of type spellings
    // ("str" for a literal's text, "~" after a Python number's) separated by '\x1f', each
    // value behind a pointer.
    void print(const Print *p) {
        std::string types;
        llvm::Type *ptr_t = b.getPtrTy();
        auto *values = entry_alloca(llvm::ArrayType::get(ptr_t, std::max<size_t>(1, p->values.size())), "print.values");
        for (size_t i = 0; i < p->values.size(); i++) {
            if (i) types += '\x1f';
            llvm::Value *at;
            if (const Expr &v = p->values[i]) {
                types += v->type.str() + (v->type.is_scalar() && v->type.weak() ? "~" : "");  // ~: a Python number
                at = entry_alloca(ltype(v->type), "print.value");
                b.CreateStore(expr(v), at);
            } else {
                types += "str";
                at = b.CreateGlobalStringPtr(p->texts[i], "hl.print.text");
            }
            b.CreateStore(at, b.CreateConstInBoundsGEP2_32(values->getAllocatedType(), values, 0, (unsigned)i));
        }
        auto callee = mod.getOrInsertFunction("hl_print", b.getVoidTy(), ptr_t, ptr_t, ptr_t, ptr_t);
        b.CreateCall(callee, {b.CreateGlobalStringPtr(types, "hl.print.types"), values,
                              b.CreateGlobalStringPtr(p->sep, "hl.print.sep"), b.CreateGlobalStringPtr(p->end, "hl.print.end")});
    }

    // A runtime call that returned null has left its exception pending: return it.
    void return_if_null(llvm::Value *ptr) {
        auto *fail = block("null"), *ok = block("ok");
        b.CreateCondBr(b.CreateIsNull(ptr), fail, ok, llvm::MDBuilder(ctx).createUnlikelyBranchWeights());
        b.SetInsertPoint(fail);
        b.CreateRet(b.getInt32(1));
        b.SetInsertPoint(ok);
    }

    // if (cond) raise kind(msg): the raise is marked cold.
    void raise_if(llvm::Value *cond, ExcKind kind, const std::string &msg) {
        auto *fail = block("raise"), *ok = block("ok");
        b.CreateCondBr(cond, fail, ok, llvm::MDBuilder(ctx).createUnlikelyBranchWeights());
        b.SetInsertPoint(fail);
        emit_raise(kind, msg);
        b.SetInsertPoint(ok);
    }

    // ---- statements -------------------------------------------------------------------

    void stmt(const Stmt &s) {
        if (!s) return;
        switch (s->node_type) {
        case NodeType::Block:
            for (auto &c : s->as<Block>()->stmts) stmt(c);
            break;
        case NodeType::Assign: {
            auto *a = s->as<Assign>();
            b.CreateStore(expr(a->value), vars.at(a->name));
            break;
        }
        case NodeType::Store: {
            auto *st = s->as<Store>();
            llvm::Value *arr = expr(st->array);
            std::vector<llvm::Value *> idx;
            for (auto &i : st->indices) idx.push_back(expr(i));
            llvm::Value *v = expr(st->value);
            b.CreateStore(v, element_ptr(arr, st->array->type, idx, st->indices, st->in_bounds));
            break;
        }
        case NodeType::If: {
            auto *i = s->as<If>();
            llvm::Value *c = expr(i->cond);
            auto *then_bb = block("then"), *else_bb = i->else_case ? block("else") : nullptr, *end = block("endif");
            b.CreateCondBr(c, then_bb, else_bb ? else_bb : end);
            b.SetInsertPoint(then_bb);
            stmt(i->then_case);
            if (!b.GetInsertBlock()->getTerminator()) b.CreateBr(end);
            if (else_bb) {
                b.SetInsertPoint(else_bb);
                stmt(i->else_case);
                if (!b.GetInsertBlock()->getTerminator()) b.CreateBr(end);
            }
            b.SetInsertPoint(end);
            break;
        }
        case NodeType::While: {
            auto *w = s->as<While>();
            auto *head = block("while.cond"), *body = block("while.body"), *end = block("while.end");
            b.CreateBr(head);
            b.SetInsertPoint(head);
            b.CreateCondBr(expr(w->cond), body, end);
            b.SetInsertPoint(body);
            loops.push_back({head, end});
            stmt(w->body);
            loops.pop_back();
            if (!b.GetInsertBlock()->getTerminator()) b.CreateBr(head);
            b.SetInsertPoint(end);
            break;
        }
        case NodeType::For: {
            auto *f = s->as<For>();
            if (f->par.parallel && f->par.planned && !in_chunk_fn) parallel_for_loop(f);
            else for_loop(f);
            break;
        }
        case NodeType::Break:
            b.CreateBr(loops.back().brk);
            continue_in_dead_block();
            break;
        case NodeType::Continue:
            b.CreateBr(loops.back().cont);
            continue_in_dead_block();
            break;
        case NodeType::Return: {
            auto *r = s->as<Return>();
            if (r->value) b.CreateStore(expr(r->value), ret_ptr);
            b.CreateRet(b.getInt32(0));
            continue_in_dead_block();
            break;
        }
        case NodeType::Raise: {
            auto *r = s->as<Raise>();
            raise(r->kind, r->message);
            break;
        }
        case NodeType::Evaluate: expr(s->as<Evaluate>()->value); break;
        case NodeType::Print: print(s->as<Print>()); break;
        default: internal_error("codegen: unexpected statement");
        }
    }

    // range() with a zero step raises ValueError; false when the step is the constant 0
    // (the raise is then unconditional and the loop need not be generated).
    bool check_range_step(llvm::Value *step) {
        auto *c = llvm::dyn_cast<llvm::ConstantInt>(step);
        if (c && c->isZero()) { raise(ExcKind::ValueError, "range() arg 3 must not be zero"); return false; }
        if (!c) raise_if(b.CreateICmpEQ(step, llvm::ConstantInt::get(step->getType(), 0)), ExcKind::ValueError,
                         "range() arg 3 must not be zero");
        return true;
    }

    // for var in range(start, stop, step), with the trip fixed on entry.
    // Trip count of range(start, stop, step) (int64 values, step != 0): ceil((stop - start)
    // / step) when positive, else 0. The span is unsigned, so ranges wider than int64
    // (-2**62 to 2**62) count right.
    llvm::Value *trip_count(llvm::Value *start, llvm::Value *stop, llvm::Value *step) {
        llvm::Value *neg = b.CreateICmpSLT(step, b.getInt64(0));
        llvm::Value *span = b.CreateSelect(neg, b.CreateSub(start, stop), b.CreateSub(stop, start));
        llvm::Value *abs_step = b.CreateSelect(neg, b.CreateNeg(step), step);
        llvm::Value *nonempty = b.CreateSelect(neg, b.CreateICmpSGT(start, stop), b.CreateICmpSLT(start, stop));
        return b.CreateSelect(nonempty,
                              b.CreateAdd(b.CreateUDiv(b.CreateSub(span, b.getInt64(1)), abs_step), b.getInt64(1)),
                              b.getInt64(0));
    }

    void for_loop(const For *f) {
        llvm::Value *start = expr(f->start), *stop = expr(f->stop), *step = expr(f->step);
        llvm::Type *it = start->getType();
        if (!check_range_step(step)) return;
        auto *cstep = llvm::dyn_cast<llvm::ConstantInt>(step);
        // A step of +-1 cannot step over stop; any other could overflow past it (range(0,
        // 2**63-1, 2**62)), so those loops count their iterations instead.
        if (!cstep || !(cstep->isOne() || cstep->isMinusOne())) return counted_for_loop(f, start, stop, step);
        auto *iv = entry_alloca(it, f->var + ".iv");
        b.CreateStore(start, iv);
        auto *head = block("for.cond"), *body = block("for.body"), *latch = block("for.inc"), *end = block("for.end");
        b.CreateBr(head);
        b.SetInsertPoint(head);
        llvm::Value *i = b.CreateLoad(it, iv);
        llvm::Value *cond;
        if (cstep) cond = cstep->isNegative() ? b.CreateICmpSGT(i, stop) : b.CreateICmpSLT(i, stop);
        else cond = b.CreateSelect(b.CreateICmpSGT(step, llvm::ConstantInt::get(it, 0)), b.CreateICmpSLT(i, stop),
                                   b.CreateICmpSGT(i, stop));
        b.CreateCondBr(cond, body, end);
        b.SetInsertPoint(body);
        b.CreateStore(cast_scalar(i, Type::int64(), var_type(f->var)), vars.at(f->var));
        loops.push_back({latch, end});
        stmt(f->body);
        loops.pop_back();
        if (!b.GetInsertBlock()->getTerminator()) b.CreateBr(latch);
        b.SetInsertPoint(latch);
        b.CreateStore(b.CreateNSWAdd(b.CreateLoad(it, iv), step), iv);
        b.CreateBr(head);
        b.SetInsertPoint(end);
    }

    void counted_for_loop(const For *f, llvm::Value *start, llvm::Value *stop, llvm::Value *step) {
        start = b.CreateSExt(start, b.getInt64Ty());
        step = b.CreateSExt(step, b.getInt64Ty());
        llvm::Value *n = trip_count(start, b.CreateSExt(stop, b.getInt64Ty()), step);
        auto *kv = entry_alloca(b.getInt64Ty(), f->var + ".k");
        auto *iv = entry_alloca(b.getInt64Ty(), f->var + ".iv");
        b.CreateStore(b.getInt64(0), kv);
        b.CreateStore(start, iv);
        auto *head = block("for.cond"), *body = block("for.body"), *latch = block("for.inc"), *end = block("for.end");
        b.CreateBr(head);
        b.SetInsertPoint(head);
        b.CreateCondBr(b.CreateICmpULT(b.CreateLoad(b.getInt64Ty(), kv), n), body, end);
        b.SetInsertPoint(body);
        b.CreateStore(cast_scalar(b.CreateLoad(b.getInt64Ty(), iv), Type::int64(), var_type(f->var)), vars.at(f->var));
        loops.push_back({latch, end});
        stmt(f->body);
        loops.pop_back();
        if (!b.GetInsertBlock()->getTerminator()) b.CreateBr(latch);
        b.SetInsertPoint(latch);
        b.CreateStore(b.CreateAdd(b.CreateLoad(b.getInt64Ty(), kv), b.getInt64(1)), kv);
        b.CreateStore(b.CreateAdd(b.CreateLoad(b.getInt64Ty(), iv), step), iv);  // may wrap after the last
        b.CreateBr(head);
        b.SetInsertPoint(end);
    }

    // ---- parallel loops ------------------------------------------------------------------
    //
    // The body becomes a chunk function (runtime/Parallel.h) that the runtime calls over
    // ranges of the trip count. It communicates through a context struct: the values of
    // every variable the body uses (copied in, so the caller's variables stay in
    // registers), then the reductions' per-chunk slots, start, step and the trip count.
    // Each chunk works on its own copies; reductions start from their identity and are
    // folded in chunk order afterwards; the chunk that runs the last iteration writes the
    // other variables back, so after the loop they hold what the serial loop leaves.

    std::vector<std::string> vars_used_by(const For *f) {
        struct Names : IRVisitor {
            std::set<std::string> names;
            using IRVisitor::visit;
            void visit(const Var *op) override { names.insert(op->name); }
            void visit(const Assign *op) override { names.insert(op->name); IRVisitor::visit(op); }
            void visit(const For *op) override { names.insert(op->var); IRVisitor::visit(op); }
        } n;
        n.visit(f->body);
        n.names.insert(f->var);
        std::vector<std::string> out;
        for (auto &name : n.names)
            if (vars.count(name)) out.push_back(name);
        return out;
    }

    void parallel_for_loop(const For *f) {
        llvm::Value *start = b.CreateSExt(expr(f->start), b.getInt64Ty());
        llvm::Value *stop = b.CreateSExt(expr(f->stop), b.getInt64Ty());
        llvm::Value *step = b.CreateSExt(expr(f->step), b.getInt64Ty());
        if (!check_range_step(step)) return;
        llvm::Value *n = trip_count(start, stop, step);

        std::vector<std::string> names = vars_used_by(f);
        std::vector<llvm::Type *> red_types;
        for (auto &r : f->par.reductions) red_types.push_back(vars.at(r.var)->getAllocatedType());
        auto *red_t = llvm::StructType::get(ctx, red_types);
        auto *slots_t = llvm::ArrayType::get(red_t, runtime::max_parallel_chunks);
        std::vector<llvm::Type *> fields;
        for (auto &name : names) fields.push_back(vars.at(name)->getAllocatedType());
        size_t k_slots = fields.size();
        fields.insert(fields.end(), {b.getPtrTy(), b.getInt64Ty(), b.getInt64Ty(), b.getInt64Ty()});
        auto *ctx_t = llvm::StructType::get(ctx, fields);

        llvm::AllocaInst *slots = entry_alloca(slots_t, "par.slots");
        llvm::AllocaInst *context = entry_alloca(ctx_t, "par.ctx");
        for (size_t j = 0; j < names.size(); j++) {
            llvm::AllocaInst *v = vars.at(names[j]);
            b.CreateStore(b.CreateLoad(v->getAllocatedType(), v), b.CreateStructGEP(ctx_t, context, j));
        }
        b.CreateStore(slots, b.CreateStructGEP(ctx_t, context, k_slots));
        b.CreateStore(start, b.CreateStructGEP(ctx_t, context, k_slots + 1));
        b.CreateStore(step, b.CreateStructGEP(ctx_t, context, k_slots + 2));
        b.CreateStore(n, b.CreateStructGEP(ctx_t, context, k_slots + 3));

        llvm::Function *chunk_fn = outline(f, names, ctx_t, red_t);

        auto chunks_fn = mod.getOrInsertFunction("hl_parallel_chunks", b.getInt64Ty(), b.getInt64Ty(), b.getInt64Ty());
        auto for_fn = mod.getOrInsertFunction("hl_parallel_for", b.getInt32Ty(), b.getPtrTy(), b.getPtrTy(),
                                              b.getInt64Ty(), b.getInt64Ty());
        llvm::Value *chunks = b.CreateCall(chunks_fn, {n, b.getInt64(f->par.cost)});
        llvm::Value *status = b.CreateCall(for_fn, {chunk_fn, context, n, chunks});
        auto *failed = block("par.failed"), *ok = block("par.ok");
        b.CreateCondBr(b.CreateICmpNE(status, b.getInt32(0)), failed, ok, llvm::MDBuilder(ctx).createUnlikelyBranchWeights());
        b.SetInsertPoint(failed);
        b.CreateRet(b.getInt32(1));  // the runtime left the chunk's exception pending
        b.SetInsertPoint(ok);

        // The last chunk's variables, then the reductions folded in chunk order.
        std::set<std::string> reduced;
        for (auto &r : f->par.reductions) reduced.insert(r.var);
        for (size_t j = 0; j < names.size(); j++) {
            if (reduced.count(names[j])) continue;
            llvm::AllocaInst *v = vars.at(names[j]);
            b.CreateStore(b.CreateLoad(v->getAllocatedType(), b.CreateStructGEP(ctx_t, context, j)), v);
        }
        if (f->par.reductions.empty()) return;
        auto *ci = entry_alloca(b.getInt64Ty(), "par.chunk");
        b.CreateStore(b.getInt64(0), ci);
        auto *head = block("par.fold"), *body = block("par.fold.body"), *end = block("par.fold.end");
        b.CreateBr(head);
        b.SetInsertPoint(head);
        llvm::Value *c = b.CreateLoad(b.getInt64Ty(), ci);
        b.CreateCondBr(b.CreateICmpSLT(c, chunks), body, end);
        b.SetInsertPoint(body);
        // A combine reads its own chunk result as $partial, and any other's as $partial:name
        // (argmin folds the pair of value and position).
        std::vector<llvm::Value *> partials;
        for (size_t r = 0; r < f->par.reductions.size(); r++) {
            llvm::Value *slot = b.CreateInBoundsGEP(slots_t, slots, {b.getInt64(0), c, b.getInt32((unsigned)r)});
            partials.push_back(b.CreateLoad(red_types[r], slot));
            lets.push_back({"$partial:" + f->par.reductions[r].var, partials.back()});
        }
        for (size_t r = 0; r < f->par.reductions.size(); r++) {
            lets.push_back({"$partial", partials[r]});
            stmt(f->par.reductions[r].combine);
            lets.pop_back();
        }
        lets.resize(lets.size() - partials.size());
        b.CreateStore(b.CreateAdd(c, b.getInt64(1)), ci);
        b.CreateBr(head);
        b.SetInsertPoint(end);
    }

    // int32 chunk(ctx, chunk, begin, end): iterations [begin, end) of the loop.
    llvm::Function *outline(const For *f, const std::vector<std::string> &names, llvm::StructType *ctx_t,
                            llvm::StructType *red_t) {
        // Save the enclosing function's state; the body is generated as if it were a function.
        llvm::IRBuilderBase::InsertPointGuard guard(b);
        auto saved_vars = vars;
        auto saved_lets = lets;
        auto saved_loops = loops;
        llvm::Function *saved_cur = cur;
        llvm::BasicBlock *saved_entry = entry_block;
        llvm::Value *saved_ret = ret_ptr;

        auto *ft = llvm::FunctionType::get(b.getInt32Ty(), {b.getPtrTy(), b.getInt64Ty(), b.getInt64Ty(), b.getInt64Ty()}, false);
        auto *fn = llvm::Function::Create(ft, llvm::Function::InternalLinkage,
                                          cur->getName() + ".par" + std::to_string(outlined++), mod);
        set_attributes(fn, opts());
        fn->addParamAttr(0, llvm::Attribute::NoAlias);
        cur = fn;
        in_chunk_fn = true;
        ret_ptr = nullptr;
        lets.clear();
        loops.clear();
        entry_block = llvm::BasicBlock::Create(ctx, "entry", fn);
        b.SetInsertPoint(entry_block);
        llvm::Value *context = fn->getArg(0), *chunk = fn->getArg(1), *begin = fn->getArg(2), *end_k = fn->getArg(3);
        // 0 <= begin <= end: lets LLVM prove indices non-negative (no wrap-around selects,
        // so loads stay contiguous and vectorize).
        auto range = llvm::Attribute::get(ctx, llvm::Attribute::Range,
                                          llvm::ConstantRange(llvm::APInt(64, 0), llvm::APInt::getSignedMaxValue(64)));
        for (unsigned a : {1u, 2u, 3u}) fn->addParamAttr(a, range);
        size_t k_slots = names.size();

        std::map<std::string, int> reduction_index;
        for (size_t r = 0; r < f->par.reductions.size(); r++) reduction_index[f->par.reductions[r].var] = (int)r;
        std::map<std::string, llvm::AllocaInst *> own;
        for (size_t j = 0; j < names.size(); j++) {
            llvm::Type *t = saved_vars.at(names[j])->getAllocatedType();
            own[names[j]] = entry_alloca(t, names[j]);
        }
        vars = own;
        for (size_t j = 0; j < names.size(); j++)
            b.CreateStore(b.CreateLoad(ctx_t->getElementType(j), b.CreateStructGEP(ctx_t, context, j)), own[names[j]]);
        // Reductions start from their identity (which may read the variables: an array's shape).
        std::vector<llvm::Value *> identities;
        for (auto &r : f->par.reductions) identities.push_back(r.identity ? expr(r.identity) : nullptr);
        for (size_t r = 0; r < identities.size(); r++)
            if (identities[r]) b.CreateStore(identities[r], own.at(f->par.reductions[r].var));
        // A constant start and step stay constants: unit-stride loops must look unit-stride
        // to the vectorizer.
        auto bound = [&](const Expr &e, unsigned field) -> llvm::Value * {
            if (auto *c = e->as<IntImm>()) return b.getInt64(c->value);
            return b.CreateLoad(b.getInt64Ty(), b.CreateStructGEP(ctx_t, context, field));
        };
        llvm::Value *start = bound(f->start, k_slots + 1), *step = bound(f->step, k_slots + 2);
        llvm::Value *n = b.CreateLoad(b.getInt64Ty(), b.CreateStructGEP(ctx_t, context, k_slots + 3));

        auto *kv = entry_alloca(b.getInt64Ty(), "par.k");
        b.CreateStore(begin, kv);
        auto *head = block("chunk.cond"), *body = block("chunk.body"), *latch = block("chunk.inc"), *done = block("chunk.end");
        b.CreateBr(head);
        b.SetInsertPoint(head);
        llvm::Value *k = b.CreateLoad(b.getInt64Ty(), kv);
        b.CreateCondBr(b.CreateICmpSLT(k, end_k), body, done);
        b.SetInsertPoint(body);
        llvm::Value *i = b.CreateNSWAdd(start, b.CreateNSWMul(k, step));
        b.CreateStore(cast_scalar(i, Type::int64(), var_type(f->var)), vars.at(f->var));
        loops.push_back({latch, done});
        stmt(f->body);
        loops.pop_back();
        if (!b.GetInsertBlock()->getTerminator()) b.CreateBr(latch);
        b.SetInsertPoint(latch);
        b.CreateStore(b.CreateNSWAdd(b.CreateLoad(b.getInt64Ty(), kv), b.getInt64(1)), kv);
        b.CreateBr(head);

        b.SetInsertPoint(done);
        llvm::Value *slots = b.CreateLoad(b.getPtrTy(), b.CreateStructGEP(ctx_t, context, k_slots));
        auto *slots_t = llvm::ArrayType::get(red_t, runtime::max_parallel_chunks);
        for (auto &[name, r] : reduction_index) {
            llvm::AllocaInst *v = own.at(name);
            b.CreateStore(b.CreateLoad(v->getAllocatedType(), v),
                          b.CreateInBoundsGEP(slots_t, slots, {b.getInt64(0), chunk, b.getInt32((unsigned)r)}));
        }
        auto *last = block("chunk.last"), *ret = block("chunk.ret");
        b.CreateCondBr(b.CreateICmpEQ(end_k, n), last, ret);
        b.SetInsertPoint(last);
        for (size_t j = 0; j < names.size(); j++) {
            if (reduction_index.count(names[j])) continue;
            llvm::AllocaInst *v = own.at(names[j]);
            b.CreateStore(b.CreateLoad(v->getAllocatedType(), v), b.CreateStructGEP(ctx_t, context, j));
        }
        b.CreateBr(ret);
        b.SetInsertPoint(ret);
        b.CreateRet(b.getInt32(0));

        vars = std::move(saved_vars);
        lets = std::move(saved_lets);
        loops = std::move(saved_loops);
        cur = saved_cur;
        entry_block = saved_entry;
        ret_ptr = saved_ret;
        in_chunk_fn = false;
        return fn;
    }

    Type var_type(const std::string &name) {
        for (auto &p : cur_ir->params) if (p.name == name) return p.type;
        for (auto &l : cur_ir->locals) if (l.first == name) return l.second;
        internal_error("codegen: unknown variable " + name);
    }

    // ---- arrays -----------------------------------------------------------------------

    llvm::Value *dim(llvm::Value *arr, int k) { return b.CreateExtractValue(arr, {2u, (unsigned)k}); }
    llvm::Value *stride(llvm::Value *arr, int k) { return b.CreateExtractValue(arr, {3u, (unsigned)k}); }

    static bool known_non_negative(const Expr &e) {
        if (auto *i = e->as<IntImm>()) return i->value >= 0;
        return false;
    }

    llvm::Value *element_ptr(llvm::Value *arr, const Type &t, std::vector<llvm::Value *> idx,
                             const std::vector<Expr> &idx_ir, bool in_bounds = false) {
        int n = t.ndim();
        std::vector<llvm::Value *> dims(n);
        for (int k = 0; k < n; k++) {
            dims[k] = dim(arr, k);
            if (in_bounds) continue;
            if (!known_non_negative(idx_ir[k])) {
                // Negative indices count from the end, as in Python.
                llvm::Value *neg = b.CreateICmpSLT(idx[k], b.getInt64(0));
                idx[k] = b.CreateSelect(neg, b.CreateAdd(idx[k], dims[k]), idx[k]);
            }
            if (opts().boundscheck)
                raise_if(b.CreateICmpUGE(idx[k], dims[k]), ExcKind::IndexError,
                         "index out of bounds for axis " + std::to_string(k));
        }
        llvm::Value *data = b.CreateExtractValue(arr, {0u});
        llvm::Type *et = ltype(t.elem());
        if (t.layout() == Layout::C || t.layout() == Layout::F) {
            // Contiguous: a linear element index, which LLVM sees as unit stride.
            llvm::Value *lin = nullptr;
            for (int j = 0; j < n; j++) {
                int k = t.layout() == Layout::C ? j : n - 1 - j;
                lin = lin ? b.CreateNSWAdd(b.CreateNSWMul(lin, dims[k]), idx[k]) : idx[k];
            }
            return b.CreateInBoundsGEP(et, data, {lin});
        }
        // Strided: the dispatcher accepts only aligned arrays, so a stride is a multiple of
        // the item size (except complex, aligned to its parts). Indexing in items lets
        // LLVM version the loop for a unit stride, and vectorize it.
        bool whole_items = !t.elem().is_complex();
        int64_t item = t.elem().bytes();
        llvm::Value *off = nullptr;
        for (int k = 0; k < n; k++) {
            llvm::Value *s = stride(arr, k);
            if (whole_items && item > 1) s = b.CreateExactSDiv(s, b.getInt64(item));
            llvm::Value *term = b.CreateNSWMul(idx[k], s);
            off = off ? b.CreateNSWAdd(off, term) : term;
        }
        return b.CreateInBoundsGEP(whole_items ? et : b.getInt8Ty(), data, {off});
    }

    // The byte strides of an array value; computed from the shape for C/F layouts.
    std::vector<llvm::Value *> strides_of(llvm::Value *arr, const Type &t) {
        int n = t.ndim();
        std::vector<llvm::Value *> s(n);
        if (t.layout() == Layout::A) {
            for (int k = 0; k < n; k++) s[k] = stride(arr, k);
            return s;
        }
        llvm::Value *acc = b.getInt64(t.elem().bytes());
        for (int j = 0; j < n; j++) {
            int k = t.layout() == Layout::C ? n - 1 - j : j;
            s[k] = acc;
            acc = b.CreateMul(acc, dim(arr, k));
        }
        return s;
    }

    // Python's slice.indices(n): clamps start/stop for the step's direction.
    llvm::Value *clamp_slice_bound(llvm::Value *v, llvm::Value *n, llvm::Value *neg) {
        llvm::Value *lower = b.CreateSelect(neg, b.getInt64(-1), b.getInt64(0));
        llvm::Value *upper = b.CreateSelect(neg, b.CreateSub(n, b.getInt64(1)), n);
        llvm::Value *wrapped = b.CreateAdd(v, n);
        llvm::Value *low_case = b.CreateSelect(b.CreateICmpSLT(wrapped, b.getInt64(0)), lower, wrapped);
        llvm::Value *high_case = b.CreateSelect(b.CreateICmpSGE(v, n), upper, v);
        return b.CreateSelect(b.CreateICmpSLT(v, b.getInt64(0)), low_case, high_case);
    }

    llvm::Value *view(const View *v) {
        const Type &st = v->array->type;
        llvm::Value *src = expr(v->array);
        std::vector<llvm::Value *> src_strides = strides_of(src, st);
        llvm::Value *offset = b.getInt64(0);
        std::vector<llvm::Value *> dims, strides;
        int k = 0;
        for (const SliceSpec &s : v->specs) {
            if (s.kind == SliceSpec::Kind::NewAxis) {
                dims.push_back(b.getInt64(1));
                strides.push_back(b.getInt64(0));
                continue;
            }
            llvm::Value *n = dim(src, k), *stride_k = src_strides[k];
            k++;
            if (s.kind == SliceSpec::Kind::Index) {
                llvm::Value *i = expr(s.index);
                i = b.CreateSelect(b.CreateICmpSLT(i, b.getInt64(0)), b.CreateAdd(i, n), i);
                // Selecting a sub-array is always bounds-checked, as in NumPy.
                raise_if(b.CreateICmpUGE(i, n), ExcKind::IndexError, "index out of bounds for axis " + std::to_string(k - 1));
                offset = b.CreateAdd(offset, b.CreateMul(i, stride_k));
                continue;
            }
            llvm::Value *step = s.step ? expr(s.step) : b.getInt64(1);
            if (s.step && !llvm::isa<llvm::ConstantInt>(step))
                raise_if(b.CreateICmpEQ(step, b.getInt64(0)), ExcKind::ValueError, "slice step cannot be zero");
            llvm::Value *neg = b.CreateICmpSLT(step, b.getInt64(0));
            llvm::Value *start = s.start ? clamp_slice_bound(expr(s.start), n, neg)
                                         : b.CreateSelect(neg, b.CreateSub(n, b.getInt64(1)), b.getInt64(0));
            llvm::Value *stop = s.stop ? clamp_slice_bound(expr(s.stop), n, neg)
                                       : b.CreateSelect(neg, b.getInt64(-1), n);
            // len = ceil((stop - start) / step) if positive else 0
            llvm::Value *span_pos = b.CreateSub(stop, start), *span_neg = b.CreateSub(start, stop);
            llvm::Value *abs_step = b.CreateSelect(neg, b.CreateNeg(step), step);
            llvm::Value *span = b.CreateSelect(neg, span_neg, span_pos);
            llvm::Value *safe_step = b.CreateSelect(b.CreateICmpEQ(abs_step, b.getInt64(0)), b.getInt64(1), abs_step);
            llvm::Value *len = b.CreateSelect(b.CreateICmpSGT(span, b.getInt64(0)),
                                              b.CreateAdd(b.CreateSDiv(b.CreateSub(span, b.getInt64(1)), safe_step), b.getInt64(1)),
                                              b.getInt64(0));
            // An empty slice does not move the data pointer (its start may lie past the end).
            llvm::Value *start_off = b.CreateSelect(b.CreateICmpSGT(len, b.getInt64(0)), b.CreateMul(start, stride_k), b.getInt64(0));
            offset = b.CreateAdd(offset, start_off);
            dims.push_back(len);
            strides.push_back(b.CreateMul(stride_k, step));
        }
        llvm::Value *data = b.CreateGEP(b.getInt8Ty(), b.CreateExtractValue(src, {0u}), {offset});
        llvm::Value *out = llvm::UndefValue::get(ltype(v->type));
        out = b.CreateInsertValue(out, data, {0u});
        out = b.CreateInsertValue(out, b.CreateExtractValue(src, {1u}), {1u});
        for (size_t j = 0; j < dims.size(); j++) {
            out = b.CreateInsertValue(out, dims[j], {2u, (unsigned)j});
            out = b.CreateInsertValue(out, strides[j], {3u, (unsigned)j});
        }
        return out;
    }

    // A C-contiguous array with a new shape (one dimension may be -1).
    llvm::Value *reshape(const Reshape *r) {
        llvm::Value *src = expr(r->array);
        const Type &st = r->array->type;
        llvm::Value *size = b.getInt64(1);
        for (int k = 0; k < st.ndim(); k++) size = b.CreateMul(size, dim(src, k));
        std::vector<llvm::Value *> dims;
        llvm::Value *known = b.getInt64(1), *unknown_at = b.getInt64(-1);
        for (size_t k = 0; k < r->shape.size(); k++) {
            llvm::Value *d = expr(r->shape[k]);
            llvm::Value *is_unknown = b.CreateICmpEQ(d, b.getInt64(-1));
            unknown_at = b.CreateSelect(is_unknown, b.getInt64((int64_t)k), unknown_at);
            known = b.CreateMul(known, b.CreateSelect(is_unknown, b.getInt64(1), d));
            dims.push_back(d);
        }
        llvm::Value *safe_known = b.CreateSelect(b.CreateICmpEQ(known, b.getInt64(0)), b.getInt64(1), known);
        llvm::Value *inferred = b.CreateSDiv(size, safe_known);
        for (size_t k = 0; k < dims.size(); k++)
            dims[k] = b.CreateSelect(b.CreateICmpEQ(unknown_at, b.getInt64((int64_t)k)), inferred, dims[k]);
        llvm::Value *total = b.getInt64(1);
        llvm::Value *negative = b.getFalse();
        for (auto *d : dims) {
            total = b.CreateMul(total, d);
            negative = b.CreateOr(negative, b.CreateICmpSLT(d, b.getInt64(0)));
        }
        raise_if(b.CreateOr(negative, b.CreateICmpNE(total, size)), ExcKind::ValueError,
                 "cannot reshape array into the requested shape");
        if (st.layout() != Layout::C) return reshape_strided(src, st, r->type, dims);
        llvm::Value *out = llvm::UndefValue::get(ltype(r->type));
        out = b.CreateInsertValue(out, b.CreateExtractValue(src, {0u}), {0u});
        out = b.CreateInsertValue(out, b.CreateExtractValue(src, {1u}), {1u});
        llvm::Value *s = b.getInt64(st.elem().bytes());
        for (int k = (int)dims.size() - 1; k >= 0; k--) {
            out = b.CreateInsertValue(out, dims[k], {2u, (unsigned)k});
            out = b.CreateInsertValue(out, s, {3u, (unsigned)k});
            s = b.CreateMul(s, dims[k]);
        }
        return out;
    }

    // The runtime finds NumPy's view strides, or copies (a new owner) when there are none.
    llvm::Value *reshape_strided(llvm::Value *src, const Type &st, const Type &rt, const std::vector<llvm::Value *> &dims) {
        int n = st.ndim(), m = rt.ndim();
        llvm::Type *i64 = b.getInt64Ty();
        auto *old_dims = entry_alloca(llvm::ArrayType::get(i64, n), "reshape.dims");
        auto *old_strides = entry_alloca(llvm::ArrayType::get(i64, n), "reshape.strides");
        auto *new_dims = entry_alloca(llvm::ArrayType::get(i64, m), "reshape.new_dims");
        auto *new_strides = entry_alloca(llvm::ArrayType::get(i64, m), "reshape.new_strides");
        auto *owner = entry_alloca(b.getPtrTy(), "reshape.owner");
        auto strides = strides_of(src, st);
        for (int k = 0; k < n; k++) {
            b.CreateStore(dim(src, k), b.CreateConstGEP2_64(old_dims->getAllocatedType(), old_dims, 0, k));
            b.CreateStore(strides[k], b.CreateConstGEP2_64(old_strides->getAllocatedType(), old_strides, 0, k));
        }
        for (int k = 0; k < m; k++)
            b.CreateStore(dims[k], b.CreateConstGEP2_64(new_dims->getAllocatedType(), new_dims, 0, k));
        b.CreateStore(b.CreateExtractValue(src, {1u}), owner);
        auto fn = mod.getOrInsertFunction("hl_reshape_strided", b.getPtrTy(), b.getPtrTy(), b.getPtrTy(), i64,
                                          b.getPtrTy(), b.getPtrTy(), i64, b.getPtrTy(), b.getPtrTy(), i64);
        llvm::Value *data = b.CreateCall(fn, {b.CreateExtractValue(src, {0u}), owner, b.getInt64(n), old_dims,
                                              old_strides, b.getInt64(m), new_dims, new_strides,
                                              b.getInt64(st.elem().bytes())});
        return_if_null(data);
        llvm::Value *out = llvm::UndefValue::get(ltype(rt));
        out = b.CreateInsertValue(out, data, {0u});
        out = b.CreateInsertValue(out, b.CreateLoad(b.getPtrTy(), owner), {1u});
        for (int k = 0; k < m; k++) {
            out = b.CreateInsertValue(out, dims[k], {2u, (unsigned)k});
            out = b.CreateInsertValue(out, b.CreateLoad(i64, b.CreateConstGEP2_64(new_strides->getAllocatedType(),
                                                                               new_strides, 0, k)), {3u, (unsigned)k});
        }
        return out;
    }

    // [lo, hi) byte range an array's elements occupy; empty arrays give lo == hi.
    std::pair<llvm::Value *, llvm::Value *> extent(llvm::Value *arr, const Type &t) {
        auto strides = strides_of(arr, t);
        llvm::Value *lo = b.getInt64(0), *hi = b.getInt64(t.elem().bytes()), *empty = b.getFalse();
        for (int k = 0; k < t.ndim(); k++) {
            llvm::Value *span = b.CreateMul(b.CreateSub(dim(arr, k), b.getInt64(1)), strides[k]);
            llvm::Value *neg = b.CreateICmpSLT(span, b.getInt64(0));
            lo = b.CreateAdd(lo, b.CreateSelect(neg, span, b.getInt64(0)));
            hi = b.CreateAdd(hi, b.CreateSelect(neg, b.getInt64(0), span));
            empty = b.CreateOr(empty, b.CreateICmpEQ(dim(arr, k), b.getInt64(0)));
        }
        llvm::Value *base = b.CreatePtrToInt(b.CreateExtractValue(arr, {0u}), b.getInt64Ty());
        lo = b.CreateAdd(base, lo);
        hi = b.CreateSelect(empty, lo, b.CreateAdd(base, hi));
        return {lo, hi};
    }

    llvm::Value *overlaps(const Overlaps *o) {
        llvm::Value *a = expr(o->a), *c = expr(o->b);
        auto [alo, ahi] = extent(a, o->a->type);
        auto [clo, chi] = extent(c, o->b->type);
        llvm::Value *apart = b.CreateOr(b.CreateICmpULE(ahi, clo), b.CreateICmpULE(chi, alo));
        // The very same view (same start, shape and strides) is safe for elementwise updates.
        llvm::Value *same = b.CreateICmpEQ(b.CreateExtractValue(a, {0u}), b.CreateExtractValue(c, {0u}));
        const Type &ta = o->a->type, &tc = o->b->type;
        if (ta.ndim() == tc.ndim() && o->same_view_ok) {
            auto sa = strides_of(a, ta), sc = strides_of(c, tc);
            for (int k = 0; k < ta.ndim(); k++) {
                same = b.CreateAnd(same, b.CreateICmpEQ(dim(a, k), dim(c, k)));
                same = b.CreateAnd(same, b.CreateICmpEQ(sa[k], sc[k]));
            }
        } else {
            same = b.getFalse();
        }
        return b.CreateAnd(b.CreateNot(apart), b.CreateNot(same));
    }

    llvm::Value *alloc_array(const AllocArray *a) {
        const Type &t = a->type;
        int n = t.ndim();
        std::vector<llvm::Value *> dims;
        llvm::Value *count = b.getInt64(1);
        for (auto &d : a->shape) {
            llvm::Value *v = expr(d);
            raise_if(b.CreateICmpSLT(v, b.getInt64(0)), ExcKind::ValueError, "negative dimensions are not allowed");
            dims.push_back(v);
            count = b.CreateMul(count, v);
        }
        int64_t item = t.elem().bytes();
        auto alloc = mod.getOrInsertFunction("hl_alloc", b.getPtrTy(), b.getInt64Ty(), b.getPtrTy());
        // The data is fresh memory (noalias, like malloc's): loops writing it need no
        // run-time alias checks against their inputs.
        llvm::cast<llvm::Function>(alloc.getCallee())->addRetAttr(llvm::Attribute::NoAlias);
        auto *owner = entry_alloca(b.getPtrTy(), "owner");
        llvm::Value *data = b.CreateCall(alloc, {b.CreateMul(count, b.getInt64(item)), owner});
        return_if_null(data);
        llvm::Value *buf = b.CreateLoad(b.getPtrTy(), owner);
        llvm::Value *arr = llvm::UndefValue::get(ltype(t));
        arr = b.CreateInsertValue(arr, data, {0u});
        arr = b.CreateInsertValue(arr, buf, {1u});
        llvm::Value *s = b.getInt64(item);
        for (int k = n - 1; k >= 0; k--) {
            arr = b.CreateInsertValue(arr, dims[k], {2u, (unsigned)k});
            arr = b.CreateInsertValue(arr, s, {3u, (unsigned)k});
            s = b.CreateMul(s, dims[k]);
        }
        llvm::Type *et = ltype(t.elem());
        if (a->init == AllocInit::Zeros) {
            b.CreateMemSet(data, b.getInt8(0), b.CreateMul(count, b.getInt64(item)), llvm::MaybeAlign(64));
            return arr;
        }
        if (a->init == AllocInit::Empty) return arr;
        // A fill loop: value(i) per element.
        bool per_element = a->init == AllocInit::Generate;
        llvm::Value *va = a->a && !per_element ? expr(a->a) : nullptr;
        internal_assert(a->init != AllocInit::Arange && a->init != AllocInit::Linspace,
                        "np.arange/linspace fills are loops from lower_array_exprs");
        auto *head = block("fill.cond"), *body = block("fill.body"), *end = block("fill.end");
        auto *pre = b.GetInsertBlock();
        b.CreateBr(head);
        b.SetInsertPoint(head);
        auto *i = b.CreatePHI(b.getInt64Ty(), 2);
        i->addIncoming(b.getInt64(0), pre);
        b.CreateCondBr(b.CreateICmpSLT(i, count), body, end);
        b.SetInsertPoint(body);
        llvm::Value *v = nullptr;
        switch (a->init) {
        case AllocInit::Ones: v = cast_scalar(b.getInt64(1), Type::int64(), t.elem()); break;
        case AllocInit::Fill: v = va; break;
        case AllocInit::Generate: v = expr(a->a); break;
        default: break;
        }
        b.CreateStore(v, b.CreateInBoundsGEP(et, data, {i}));
        i->addIncoming(b.CreateNSWAdd(i, b.getInt64(1)), b.GetInsertBlock());
        b.CreateBr(head);
        b.SetInsertPoint(end);
        return arr;
    }

    // ---- expressions ------------------------------------------------------------------

    llvm::Value *expr(const Expr &e) {
        switch (e->node_type) {
        case NodeType::IntImm: return llvm::ConstantInt::get(ltype(e->type), e->as<IntImm>()->value, true);
        case NodeType::FloatImm: return llvm::ConstantFP::get(ltype(e->type), e->as<FloatImm>()->value);
        case NodeType::BoolImm: return b.getInt1(e->as<BoolImm>()->value);
        case NodeType::ComplexImm: {
            auto *z = e->as<ComplexImm>();
            llvm::Type *part = e->type.bits() == 64 ? b.getFloatTy() : b.getDoubleTy();
            return make_complex(llvm::ConstantFP::get(part, z->re), llvm::ConstantFP::get(part, z->im), e->type);
        }
        case NodeType::Var: {
            auto *v = e->as<Var>();
            for (auto it = lets.rbegin(); it != lets.rend(); ++it)
                if (it->first == v->name) return it->second;
            auto *a = vars.at(v->name);
            return b.CreateLoad(a->getAllocatedType(), a, v->name);
        }
        case NodeType::Let: {
            auto *l = e->as<Let>();
            lets.push_back({l->name, expr(l->value)});
            llvm::Value *r = expr(l->body);
            lets.pop_back();
            return r;
        }
        case NodeType::Cast: {
            auto *c = e->as<Cast>();
            llvm::Value *v = expr(c->value);
            if (c->type.is_array()) {
                // Relaxing C/F to A: the A value must carry its real strides.
                const Type &from = c->value->type;
                if (from.layout() == c->type.layout() || c->type.layout() != Layout::A) return v;
                auto s = strides_of(v, from);
                for (int k = 0; k < from.ndim(); k++) v = b.CreateInsertValue(v, s[k], {3u, (unsigned)k});
                return v;
            }
            const Type &from = c->value->type;
            if (from.weak() && from.is_int() && c->type.is_int() && c->type.bits() < 64) {
                // NEP 50: a Python int must fit the NumPy integer type it meets.
                const Type &to = c->type;
                int64_t lo = to.is_uint() ? 0 : -(int64_t(1) << (to.bits() - 1));
                int64_t hi = to.is_uint() ? (int64_t(1) << to.bits()) - 1 : (int64_t(1) << (to.bits() - 1)) - 1;
                raise_if(b.CreateOr(b.CreateICmpSLT(v, b.getInt64(lo)), b.CreateICmpSGT(v, b.getInt64(hi))),
                         ExcKind::OverflowError, "Python integer out of bounds for " + to.str());
            }
            return cast_scalar(v, from, c->type);
        }
        case NodeType::Binary: return binary(e->as<Binary>());
        case NodeType::Unary: {
            auto *u = e->as<Unary>();
            llvm::Value *a = expr(u->a);
            switch (u->op) {
            case UnOp::Neg:
                if (e->type.is_complex()) return make_complex(b.CreateFNeg(re(a)), b.CreateFNeg(im(a)), e->type);
                return e->type.is_float() ? b.CreateFNeg(a) : b.CreateNeg(a);
            case UnOp::Pos: return a;
            case UnOp::Not: return b.CreateNot(a);
            case UnOp::Invert: return b.CreateNot(a);
            }
            break;
        }
        case NodeType::Compare: return compare(e->as<Compare>());
        case NodeType::Logical: {
            auto *l = e->as<Logical>();
            llvm::Value *a = expr(l->a);
            llvm::Value *ta = truth(a, l->a->type);
            auto *from = b.GetInsertBlock();
            auto *rhs = block("logic.rhs"), *end = block("logic.end");
            if (l->is_and) b.CreateCondBr(ta, rhs, end); else b.CreateCondBr(ta, end, rhs);
            b.SetInsertPoint(rhs);
            llvm::Value *bv = expr(l->b);
            auto *rhs_end = b.GetInsertBlock();
            b.CreateBr(end);
            b.SetInsertPoint(end);
            auto *phi = b.CreatePHI(a->getType(), 2);
            phi->addIncoming(a, from);
            phi->addIncoming(bv, rhs_end);
            return phi;
        }
        case NodeType::Select: {
            auto *s = e->as<Select>();
            llvm::Value *c = expr(s->cond);
            auto *tb = block("sel.t"), *fb = block("sel.f"), *end = block("sel.end");
            b.CreateCondBr(c, tb, fb);
            b.SetInsertPoint(tb);
            llvm::Value *tv = expr(s->t);
            auto *tend = b.GetInsertBlock();
            b.CreateBr(end);
            b.SetInsertPoint(fb);
            llvm::Value *fv = expr(s->f);
            auto *fend = b.GetInsertBlock();
            b.CreateBr(end);
            b.SetInsertPoint(end);
            auto *phi = b.CreatePHI(tv->getType(), 2);
            phi->addIncoming(tv, tend);
            phi->addIncoming(fv, fend);
            return phi;
        }
        case NodeType::MathCall: return math(e->as<MathCall>());
        case NodeType::Call: {
            auto *c = e->as<Call>();
            llvm::Function *f = functions.at(c->callee);
            auto *ret = entry_alloca(ltype(c->type), "ret");
            std::vector<llvm::Value *> args{ret};
            for (auto &a : c->args) args.push_back(expr(a));
            llvm::Value *status = b.CreateCall(f, args);
            auto *fail = block("call.fail"), *ok = block("call.ok");
            b.CreateCondBr(b.CreateICmpNE(status, b.getInt32(0)), fail, ok, llvm::MDBuilder(ctx).createUnlikelyBranchWeights());
            b.SetInsertPoint(fail);
            b.CreateRet(status);
            b.SetInsertPoint(ok);
            return b.CreateLoad(ltype(c->type), ret);
        }
        case NodeType::Load: {
            auto *l = e->as<Load>();
            llvm::Value *arr = expr(l->array);
            std::vector<llvm::Value *> idx;
            for (auto &i : l->indices) idx.push_back(expr(i));
            return b.CreateLoad(ltype(e->type), element_ptr(arr, l->array->type, idx, l->indices, l->in_bounds));
        }
        case NodeType::ArrayDim: {
            auto *d = e->as<ArrayDim>();
            return dim(expr(d->array), d->dim);
        }
        case NodeType::MakeTuple: {
            auto *t = e->as<MakeTuple>();
            llvm::Value *v = llvm::UndefValue::get(ltype(e->type));
            for (size_t i = 0; i < t->elems.size(); i++) v = b.CreateInsertValue(v, expr(t->elems[i]), {(unsigned)i});
            return v;
        }
        case NodeType::TupleGet: {
            auto *t = e->as<TupleGet>();
            return b.CreateExtractValue(expr(t->tuple), {(unsigned)t->index});
        }
        case NodeType::AllocArray: return alloc_array(e->as<AllocArray>());
        case NodeType::View: return view(e->as<View>());
        case NodeType::Reshape: return reshape(e->as<Reshape>());
        case NodeType::Overlaps: return overlaps(e->as<Overlaps>());
        case NodeType::Transpose: {
            auto *t = e->as<Transpose>();
            llvm::Value *src = expr(t->array);
            int n = t->type.ndim();
            auto strides = strides_of(src, t->array->type);
            llvm::Value *out = llvm::UndefValue::get(ltype(t->type));
            out = b.CreateInsertValue(out, b.CreateExtractValue(src, {0u}), {0u});
            out = b.CreateInsertValue(out, b.CreateExtractValue(src, {1u}), {1u});
            for (int k = 0; k < n; k++) {
                out = b.CreateInsertValue(out, dim(src, n - 1 - k), {2u, (unsigned)k});
                out = b.CreateInsertValue(out, strides[n - 1 - k], {3u, (unsigned)k});
            }
            return out;
        }
        default: break;
        }
        internal_error("codegen: unsupported expression " + to_string(e));
    }

    // ---- complex numbers: {re, im} structs --------------------------------------------

    llvm::Value *re(llvm::Value *z) { return b.CreateExtractValue(z, {0u}); }
    llvm::Value *im(llvm::Value *z) { return b.CreateExtractValue(z, {1u}); }
    llvm::Value *make_complex(llvm::Value *r, llvm::Value *i, const Type &t) {
        llvm::Value *z = llvm::UndefValue::get(ltype(t));
        z = b.CreateInsertValue(z, r, {0u});
        return b.CreateInsertValue(z, i, {1u});
    }

    llvm::Value *complex_binary(BinOp op, llvm::Value *x, llvm::Value *y, const Type &t, bool python_quotient) {
        llvm::Value *a = re(x), *bb = im(x), *c = re(y), *d = im(y);
        switch (op) {
        case BinOp::Add: return make_complex(b.CreateFAdd(a, c), b.CreateFAdd(bb, d), t);
        case BinOp::Sub: return make_complex(b.CreateFSub(a, c), b.CreateFSub(bb, d), t);
        case BinOp::Mul:
            return make_complex(b.CreateFSub(b.CreateFMul(a, c), b.CreateFMul(bb, d)),
                                b.CreateFAdd(b.CreateFMul(a, d), b.CreateFMul(bb, c)), t);
        case BinOp::Div: {
            llvm::Value *zero = llvm::ConstantFP::get(c->getType(), 0.0);
            if (python_errors())
                raise_if(b.CreateAnd(b.CreateFCmpOEQ(c, zero), b.CreateFCmpOEQ(d, zero)), ExcKind::ZeroDivisionError,
                         "complex division by zero");
            // Smith's algorithm: scale by the larger part of y. CPython's complex `/`
            // (_Py_c_quot: Binary::python_quotient) divides by the denominator; NumPy's loop
            // (array elements, np.divide, a NumPy operand, error_model="numpy") multiplies
            // by its reciprocal, and there a zero divisor gives a/|c|, b/|c| (inf or nan)
            // where Python's rules raise.
            bool numpy_rule = !python_errors() || !python_quotient;
            auto quotient = [&](llvm::Value *num, llvm::Value *den) {
                if (!numpy_rule) return b.CreateFDiv(num, den);
                return b.CreateFMul(num, b.CreateFDiv(llvm::ConstantFP::get(den->getType(), 1.0), den));
            };
            llvm::Value *abs_c = b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, c);
            llvm::Value *abs_d = b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, d);
            llvm::Value *c_big = b.CreateFCmpOGE(abs_c, abs_d);
            // |c| >= |d|: r = d/c, den = c + d*r, (a + b*r)/den, (b - a*r)/den
            llvm::Value *r1 = b.CreateFDiv(d, c), *den1 = b.CreateFAdd(c, b.CreateFMul(d, r1));
            llvm::Value *re1 = quotient(b.CreateFAdd(a, b.CreateFMul(bb, r1)), den1);
            llvm::Value *im1 = quotient(b.CreateFSub(bb, b.CreateFMul(a, r1)), den1);
            if (!python_errors()) {
                llvm::Value *by_zero = b.CreateFCmpOEQ(abs_c, zero);
                re1 = b.CreateSelect(by_zero, b.CreateFDiv(a, abs_c), re1);
                im1 = b.CreateSelect(by_zero, b.CreateFDiv(bb, abs_c), im1);
            }
            // otherwise: r = c/d, den = c*r + d, (a*r + b)/den, (b*r - a)/den
            llvm::Value *r2 = b.CreateFDiv(c, d), *den2 = b.CreateFAdd(b.CreateFMul(c, r2), d);
            llvm::Value *re2 = quotient(b.CreateFAdd(b.CreateFMul(a, r2), bb), den2);
            llvm::Value *im2 = quotient(b.CreateFSub(b.CreateFMul(bb, r2), a), den2);
            return make_complex(b.CreateSelect(c_big, re1, re2), b.CreateSelect(c_big, im1, im2), t);
        }
        default: break;
        }
        internal_error(std::string("codegen: complex operator ") + op_name(op));
    }

    llvm::Value *truth(llvm::Value *v, const Type &t) {
        if (t.is_complex()) {
            llvm::Value *zero = llvm::ConstantFP::get(re(v)->getType(), 0.0);
            return b.CreateOr(b.CreateFCmpUNE(re(v), zero), b.CreateFCmpUNE(im(v), zero));
        }
        if (t.is_bool()) return v;
        if (t.is_float()) return b.CreateFCmpUNE(v, llvm::ConstantFP::get(v->getType(), 0.0));
        return b.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
    }

    llvm::Value *cast_scalar(llvm::Value *v, const Type &from, const Type &to) {
        llvm::Type *lt = ltype(to);
        if (to.is_complex()) {
            Type part = Type::float_(to.bits() / 2);
            if (from.is_complex())
                return make_complex(cast_scalar(re(v), Type::float_(from.bits() / 2), part),
                                    cast_scalar(im(v), Type::float_(from.bits() / 2), part), to);
            llvm::Value *r = cast_scalar(v, from, part);
            return make_complex(r, llvm::ConstantFP::get(r->getType(), 0.0), to);
        }
        if (from.is_complex()) {
            if (to.is_bool()) return truth(v, from);
            internal_error("codegen: complex to real cast");
        }
        if (from.is_bool()) {
            if (to.is_bool()) return v;
            if (to.is_float()) return b.CreateUIToFP(v, lt);
            return b.CreateZExt(v, lt);
        }
        if (to.is_bool()) return truth(v, from);
        if (from.is_integral() && to.is_integral()) return from.is_uint() ? b.CreateZExtOrTrunc(v, lt) : b.CreateSExtOrTrunc(v, lt);
        if (from.is_integral() && to.is_float()) return from.is_uint() ? b.CreateUIToFP(v, lt) : b.CreateSIToFP(v, lt);
        if (from.is_float() && to.is_integral()) {
            // Truncation toward zero, saturating (NaN -> 0) instead of undefined.
            auto id = to.is_uint() ? llvm::Intrinsic::fptoui_sat : llvm::Intrinsic::fptosi_sat;
            return b.CreateIntrinsic(id, {lt, v->getType()}, {v});
        }
        if (from.is_float() && to.is_float()) return b.CreateFPCast(v, lt);
        internal_error("codegen: cannot cast " + from.str() + " to " + to.str());
    }

    llvm::Value *compare(const Compare *c) {
        llvm::Value *a = expr(c->a), *bv = expr(c->b);
        const Type &t = c->a->type;
        if (t.is_complex()) {
            llvm::Value *same = b.CreateAnd(b.CreateFCmpOEQ(re(a), re(bv)), b.CreateFCmpOEQ(im(a), im(bv)));
            return c->op == CmpOp::EQ ? same : b.CreateNot(same);
        }
        if (t.is_float()) {
            switch (c->op) {
            case CmpOp::EQ: return b.CreateFCmpOEQ(a, bv);
            case CmpOp::NE: return b.CreateFCmpUNE(a, bv);
            case CmpOp::LT: return b.CreateFCmpOLT(a, bv);
            case CmpOp::LE: return b.CreateFCmpOLE(a, bv);
            case CmpOp::GT: return b.CreateFCmpOGT(a, bv);
            case CmpOp::GE: return b.CreateFCmpOGE(a, bv);
            }
        }
        bool sign = t.is_signed_int();
        switch (c->op) {
        case CmpOp::EQ: return b.CreateICmpEQ(a, bv);
        case CmpOp::NE: return b.CreateICmpNE(a, bv);
        case CmpOp::LT: return sign ? b.CreateICmpSLT(a, bv) : b.CreateICmpULT(a, bv);
        case CmpOp::LE: return sign ? b.CreateICmpSLE(a, bv) : b.CreateICmpULE(a, bv);
        case CmpOp::GT: return sign ? b.CreateICmpSGT(a, bv) : b.CreateICmpUGT(a, bv);
        case CmpOp::GE: return sign ? b.CreateICmpSGE(a, bv) : b.CreateICmpUGE(a, bv);
        }
        return nullptr;
    }

    bool ieee_op = false;  // the Binary being generated follows NumPy's rules
    bool python_errors() const { return !opts().error_model_numpy && !ieee_op; }

    llvm::Value *binary(const Binary *op) {
        const Type &t = op->type;
        struct Restore { bool &flag; bool saved; ~Restore() { flag = saved; } } restore{ieee_op, ieee_op};
        llvm::Value *a = expr(op->a), *bv = expr(op->b);
        ieee_op = op->ieee;
        if (t.is_complex()) {
            if (op->op == BinOp::Pow) return complex_pow(a, bv, t);
            return complex_binary(op->op, a, bv, t, op->python_quotient);
        }
        if (t.is_float()) {
            llvm::Value *v = float_binary(op->op, a, bv, t, op->b);
            if (auto *inst = llvm::dyn_cast<llvm::Instruction>(v); inst && op->reassociable && llvm::isa<llvm::FPMathOperator>(inst))
                inst->setHasAllowReassoc(true);
            return v;
        }
        if (t.is_bool()) {
            switch (op->op) {
            case BinOp::BitAnd: return b.CreateAnd(a, bv);
            case BinOp::BitOr: return b.CreateOr(a, bv);
            case BinOp::BitXor: return b.CreateXor(a, bv);
            default: internal_error("codegen: bool arithmetic");
            }
        }
        return int_binary(op->op, a, bv, t);
    }

    llvm::Value *zero_check(llvm::Value *divisor, const char *msg) {
        llvm::Value *is_zero = divisor->getType()->isFloatingPointTy()
                                   ? b.CreateFCmpOEQ(divisor, llvm::ConstantFP::get(divisor->getType(), 0.0))
                                   : b.CreateICmpEQ(divisor, llvm::ConstantInt::get(divisor->getType(), 0));
        if (python_errors()) raise_if(is_zero, ExcKind::ZeroDivisionError, msg);
        return is_zero;
    }

    llvm::Value *int_binary(BinOp op, llvm::Value *a, llvm::Value *bv, const Type &t) {
        llvm::Type *lt = a->getType();
        auto C = [&](int64_t v) { return llvm::ConstantInt::get(lt, v, true); };
        bool sign = t.is_signed_int();
        switch (op) {
        case BinOp::Add: return b.CreateAdd(a, bv);
        case BinOp::Sub: return b.CreateSub(a, bv);
        case BinOp::Mul: return b.CreateMul(a, bv);
        case BinOp::BitAnd: return b.CreateAnd(a, bv);
        case BinOp::BitOr: return b.CreateOr(a, bv);
        case BinOp::BitXor: return b.CreateXor(a, bv);
        case BinOp::FloorDiv:
        case BinOp::Mod: {
            llvm::Value *is_zero = zero_check(bv, "integer division or modulo by zero");
            // NumPy's model: x // 0 == 0 and x % 0 == 0. Divide by 1 instead of 0, and by 1
            // instead of -1 (INT_MIN / -1 traps), then patch both cases up.
            llvm::Value *minus1 = sign ? b.CreateICmpEQ(bv, C(-1)) : b.getFalse();
            llvm::Value *safe = b.CreateSelect(b.CreateOr(is_zero, minus1), C(1), bv);
            if (!sign) {
                llvm::Value *r = op == BinOp::FloorDiv ? b.CreateUDiv(a, safe) : b.CreateURem(a, safe);
                return b.CreateSelect(is_zero, C(0), r);
            }
            llvm::Value *q = b.CreateSDiv(a, safe), *r = b.CreateSRem(a, safe);
            // Python rounds toward negative infinity: adjust when the signs differ.
            llvm::Value *adjust = b.CreateAnd(b.CreateICmpNE(r, C(0)), b.CreateICmpSLT(b.CreateXor(r, bv), C(0)));
            llvm::Value *res;
            if (op == BinOp::FloorDiv) {
                res = b.CreateSub(q, b.CreateZExt(adjust, lt));
                res = b.CreateSelect(minus1, b.CreateNeg(a), res);
            } else {
                res = b.CreateSelect(adjust, b.CreateAdd(r, bv), r);
                res = b.CreateSelect(minus1, C(0), res);
            }
            return b.CreateSelect(is_zero, C(0), res);
        }
        case BinOp::Shl:
        case BinOp::Shr: {
            llvm::Value *amt = b.CreateSExtOrTrunc(bv, lt);
            if (python_errors()) raise_if(b.CreateICmpSLT(amt, C(0)), ExcKind::ValueError, "negative shift count");
            llvm::Value *too_big = b.CreateICmpUGE(amt, C(t.bits()));
            llvm::Value *safe = b.CreateSelect(too_big, C(0), amt);
            if (op == BinOp::Shl) return b.CreateSelect(too_big, C(0), b.CreateShl(a, safe));
            if (!sign) return b.CreateSelect(too_big, C(0), b.CreateLShr(a, safe));
            return b.CreateSelect(too_big, b.CreateAShr(a, C(t.bits() - 1)), b.CreateAShr(a, safe));
        }
        case BinOp::Pow: return int_pow(a, bv, t);
        case BinOp::Div: break;
        }
        internal_error(std::string("codegen: integer operator ") + op_name(op));
    }

    // Integer power by squaring; a negative exponent is an error, as in NumPy.
    llvm::Value *int_pow(llvm::Value *base, llvm::Value *exp, const Type &t) {
        llvm::Type *lt = base->getType();
        exp = b.CreateSExtOrTrunc(exp, b.getInt64Ty());
        raise_if(b.CreateICmpSLT(exp, b.getInt64(0)), ExcKind::ValueError,
                 "Integers to negative integer powers are not allowed.");
        auto *pre = b.GetInsertBlock();
        auto *head = block("ipow.cond"), *body = block("ipow.body"), *end = block("ipow.end");
        b.CreateBr(head);
        b.SetInsertPoint(head);
        auto *r = b.CreatePHI(lt, 2), *x = b.CreatePHI(lt, 2), *n = b.CreatePHI(b.getInt64Ty(), 2);
        r->addIncoming(llvm::ConstantInt::get(lt, 1), pre);
        x->addIncoming(base, pre);
        n->addIncoming(exp, pre);
        b.CreateCondBr(b.CreateICmpNE(n, b.getInt64(0)), body, end);
        b.SetInsertPoint(body);
        llvm::Value *odd = b.CreateTrunc(n, b.getInt1Ty());
        r->addIncoming(b.CreateSelect(odd, b.CreateMul(r, x), r), body);
        x->addIncoming(b.CreateMul(x, x), body);
        n->addIncoming(b.CreateLShr(n, b.getInt64(1)), body);
        b.CreateBr(head);
        b.SetInsertPoint(end);
        return r;
    }

    llvm::Value *call_math(const char *intrinsic, const char *libm, std::vector<llvm::Value *> args) {
        llvm::Type *ft = args[0]->getType();
        bool f32 = ft->isFloatTy();
        if (intrinsic && *intrinsic) {
            std::string name = std::string(intrinsic) + (f32 ? ".f32" : ".f64");
            auto id = llvm::Function::lookupIntrinsicID(name);
            if (id == llvm::Intrinsic::not_intrinsic) internal_error("codegen: no intrinsic " + name);
            return b.CreateIntrinsic(id, {ft}, args);
        }
        std::string name = std::string(libm) + (f32 ? "f" : "");
        std::vector<llvm::Type *> ps(args.size(), ft);
        auto callee = mod.getOrInsertFunction(name, llvm::FunctionType::get(ft, ps, false));
        auto *fn = llvm::cast<llvm::Function>(callee.getCallee());
        // No errno, no side effects: lets LLVM vectorize the call with libmvec.
        fn->setDoesNotAccessMemory();
        fn->setDoesNotThrow();
        fn->setWillReturn();
        auto *call = b.CreateCall(callee, args);
        call->setDoesNotAccessMemory();
        return call;
    }

    // A complex function of the runtime (runtime/ComplexMath.cpp): hl_c<name> for
    // complex128, hl_c<name>f for complex64, void f(re, im, [re2, im2,] out[2]). The result
    // comes back through memory, which sidesteps the C ABI's rules for returning _Complex values.
    llvm::Value *complex_call(const char *name, const std::vector<llvm::Value *> &zs, const Type &t) {
        llvm::Type *part = re(zs[0])->getType();
        std::string symbol = std::string("hl_c") + name + (part->isFloatTy() ? "f" : "");
        std::vector<llvm::Type *> params(2 * zs.size(), part);
        params.push_back(b.getPtrTy());
        auto callee = mod.getOrInsertFunction(symbol, llvm::FunctionType::get(b.getVoidTy(), params, false));
        auto *fn = llvm::cast<llvm::Function>(callee.getCallee());
        fn->setOnlyAccessesArgMemory();
        fn->setOnlyWritesMemory();
        fn->setDoesNotThrow();
        fn->setWillReturn();
        fn->addParamAttr(params.size() - 1, llvm::Attribute::NoCapture);
        llvm::Type *pair = llvm::ArrayType::get(part, 2);
        llvm::AllocaInst *out = entry_alloca(pair, "cplx.out");
        std::vector<llvm::Value *> args;
        for (llvm::Value *z : zs) {
            args.push_back(re(z));
            args.push_back(im(z));
        }
        args.push_back(out);
        b.CreateCall(callee, args);
        llvm::Value *out_re = b.CreateLoad(part, b.CreateConstInBoundsGEP2_32(pair, out, 0, 0));
        llvm::Value *out_im = b.CreateLoad(part, b.CreateConstInBoundsGEP2_32(pair, out, 0, 1));
        return make_complex(out_re, out_im, t);
    }

    // z ** w (NumPy's npy_cpow). In Python's error model, as CPython: 0 to a negative or
    // complex power raises ZeroDivisionError (NumPy gives nan).
    llvm::Value *complex_pow(llvm::Value *z, llvm::Value *w, const Type &t) {
        if (python_errors()) {
            llvm::Type *part = re(z)->getType();
            auto *zero = llvm::ConstantFP::get(part, 0.0);
            llvm::Value *base_zero = b.CreateAnd(b.CreateFCmpOEQ(re(z), zero), b.CreateFCmpOEQ(im(z), zero));
            llvm::Value *bad_exp = b.CreateOr(b.CreateFCmpOLT(re(w), zero), b.CreateFCmpUNE(im(w), zero));
            raise_if(b.CreateAnd(base_zero, bad_exp), ExcKind::ZeroDivisionError,
                     "zero to a negative or complex power");
        }
        return complex_call("pow", {z, w}, t);
    }

    llvm::Value *math(const MathCall *m) {
        std::vector<llvm::Value *> args;
        for (auto &a : m->args) args.push_back(expr(a));
        llvm::Value *x = args.empty() ? nullptr : args[0];
        switch (m->op) {
        case MathOp::Real: return re(x);
        case MathOp::Imag: return im(x);
        case MathOp::Conj: return make_complex(re(x), b.CreateFNeg(im(x)), m->type);
        case MathOp::AbsComplex: return call_math("", "hypot", {re(x), im(x)});
        case MathOp::RandomSeed: {
            auto fn = mod.getOrInsertFunction("hl_random_seed", b.getInt32Ty(), b.getInt64Ty());
            llvm::Value *status = b.CreateCall(fn, {x});
            auto *fail = block("seed.fail"), *ok = block("seed.ok");
            b.CreateCondBr(b.CreateICmpNE(status, b.getInt32(0)), fail, ok);
            b.SetInsertPoint(fail);
            b.CreateRet(status);
            b.SetInsertPoint(ok);
            return b.getInt8(0);
        }
        case MathOp::RandomUniform:
        case MathOp::RandomNormal: {
            const char *name = m->op == MathOp::RandomUniform ? "hl_random_uniform" : "hl_random_normal";
            return b.CreateCall(mod.getOrInsertFunction(name, b.getDoubleTy()));
        }
        case MathOp::RandomInt: {
            raise_if(b.CreateICmpSGE(args[0], args[1]), ExcKind::ValueError, "high <= low");
            auto fn = mod.getOrInsertFunction("hl_random_randint", b.getInt64Ty(), b.getInt64Ty(), b.getInt64Ty());
            return b.CreateCall(fn, {args[0], args[1]});
        }
        case MathOp::MakeComplex:
            return make_complex(cast_scalar(args[0], m->args[0]->type, Type::float_(m->type.bits() / 2)),
                                cast_scalar(args[1], m->args[1]->type, Type::float_(m->type.bits() / 2)), m->type);
        default: break;
        }
        if (m->type.is_complex()) return complex_call(math_info(m->op).libm, {x}, m->type);
        llvm::Type *ft = x->getType();
        auto inf = llvm::ConstantFP::getInfinity(ft);
        switch (m->op) {
        case MathOp::IsNan: return b.CreateFCmpUNO(x, x);
        case MathOp::IsInf: return b.CreateFCmpOEQ(b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x), inf);
        case MathOp::IsFinite: return b.CreateFCmpOLT(b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x), inf);
        case MathOp::Signbit: {
            llvm::Type *it = b.getIntNTy(ft->getPrimitiveSizeInBits());
            return b.CreateICmpSLT(b.CreateBitCast(x, it), llvm::ConstantInt::get(it, 0));
        }
        default: break;
        }
        MathInfo info = math_info(m->op);
        llvm::Value *r = call_math(info.intrinsic, info.libm, args);
        if (m->type.is_integral()) r = cast_scalar(r, m->args[0]->type, m->type);
        return r;
    }

    llvm::Value *float_binary(BinOp op, llvm::Value *a, llvm::Value *bv, const Type &t, const Expr &b_ir) {
        llvm::Type *ft = a->getType();
        auto F = [&](double v) { return llvm::ConstantFP::get(ft, v); };
        switch (op) {
        case BinOp::Add: return b.CreateFAdd(a, bv);
        case BinOp::Sub: return b.CreateFSub(a, bv);
        case BinOp::Mul: return b.CreateFMul(a, bv);
        case BinOp::Div:
            zero_check(bv, "float division by zero");
            return b.CreateFDiv(a, bv);
        case BinOp::Mod:
        case BinOp::FloorDiv: {
            zero_check(bv, op == BinOp::Mod ? "float modulo" : "float floor division by zero");
            // CPython's float divmod: mod = fmod(a, b) with the divisor's sign.
            llvm::Value *mod = call_math("", "fmod", {a, bv});
            llvm::Value *mod_nz = b.CreateFCmpUNE(mod, F(0));
            llvm::Value *signs_differ = b.CreateXor(b.CreateFCmpOLT(bv, F(0)), b.CreateFCmpOLT(mod, F(0)));
            llvm::Value *fix = b.CreateAnd(mod_nz, signs_differ);
            if (op == BinOp::Mod) {
                llvm::Value *m2 = b.CreateSelect(fix, b.CreateFAdd(mod, bv), mod);
                // A zero result takes the divisor's sign.
                return b.CreateSelect(mod_nz, m2, call_math("llvm.copysign", "", {F(0), bv}));
            }
            llvm::Value *div = b.CreateFDiv(b.CreateFSub(a, mod), bv);
            div = b.CreateSelect(fix, b.CreateFSub(div, F(1)), div);
            llvm::Value *fl = call_math("llvm.floor", "", {div});
            fl = b.CreateSelect(b.CreateFCmpOGT(b.CreateFSub(div, fl), F(0.5)), b.CreateFAdd(fl, F(1)), fl);
            llvm::Value *zero_div = b.CreateFCmpOEQ(div, F(0));
            llvm::Value *r = b.CreateSelect(zero_div, call_math("llvm.copysign", "", {F(0), b.CreateFDiv(a, bv)}), fl);
            // NumPy: x // 0.0 is x / 0.0 (inf or nan).
            return b.CreateSelect(b.CreateFCmpOEQ(bv, F(0)), b.CreateFDiv(a, bv), r);
        }
        case BinOp::Pow: {
            if (!bv->getType()->isFloatingPointTy()) {
                // Integer exponent (not strength-reduced): pow(x, double(n)), as CPython does.
                if (python_errors() && !known_non_negative(b_ir))
                    raise_if(b.CreateAnd(b.CreateFCmpOEQ(a, F(0)), b.CreateICmpSLT(bv, llvm::ConstantInt::get(bv->getType(), 0))),
                             ExcKind::ZeroDivisionError, "0.0 cannot be raised to a negative power");
                bv = b.CreateSIToFP(bv, ft);
            } else if (python_errors()) {
                raise_if(b.CreateAnd(b.CreateFCmpOEQ(a, F(0)), b.CreateFCmpOLT(bv, F(0))),
                         ExcKind::ZeroDivisionError, "0.0 cannot be raised to a negative power");
            }
            return call_math("llvm.pow", "", {a, bv});
        }
        default: break;
        }
        internal_error(std::string("codegen: float operator ") + op_name(op));
    }
};

}  // namespace

LoweredModule codegen_llvm(const Program &program, const HostInfo &host) {
    LoweredModule out;
    out.context = std::make_unique<llvm::LLVMContext>();
    out.module = std::make_unique<llvm::Module>(program.entry->symbol, *out.context);
    out.module->setTargetTriple(host.triple);
    CodeGen cg(*out.context, *out.module, host);
    out.entry_symbol = cg.compile(program);
    std::string err;
    llvm::raw_string_ostream os(err);
    if (llvm::verifyModule(*out.module, &os)) internal_error("codegen produced invalid LLVM IR: " + err);
    return out;
}

}  // namespace hotloop
