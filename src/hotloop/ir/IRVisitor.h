// IRVisitor walks the tree; IRMutator rebuilds it, sharing unchanged subtrees.
// Override the visit/mutate method of a node kind; call the base to recurse.
#pragma once

#include <map>
#include <string>

#include "hotloop/ir/IR.h"

namespace hotloop {

class IRVisitor {
public:
    virtual ~IRVisitor() = default;
    void visit(const Expr &e);
    void visit(const Stmt &s);

protected:
#define HL_VISIT(T) virtual void visit(const T *);
    HL_VISIT(IntImm) HL_VISIT(FloatImm) HL_VISIT(BoolImm) HL_VISIT(ComplexImm) HL_VISIT(Var)
    HL_VISIT(Cast) HL_VISIT(Binary) HL_VISIT(Unary) HL_VISIT(Compare) HL_VISIT(Logical)
    HL_VISIT(Select) HL_VISIT(Let) HL_VISIT(MathCall) HL_VISIT(Call) HL_VISIT(Load)
    HL_VISIT(ArrayDim) HL_VISIT(MakeTuple) HL_VISIT(TupleGet) HL_VISIT(AllocArray) HL_VISIT(View)
    HL_VISIT(ArrayMap) HL_VISIT(Reduce) HL_VISIT(Reshape) HL_VISIT(Overlaps) HL_VISIT(Roll) HL_VISIT(Transpose)
    HL_VISIT(Ref) HL_VISIT(Attr) HL_VISIT(Subscript) HL_VISIT(UCall)
    HL_VISIT(Block) HL_VISIT(Assign) HL_VISIT(Store) HL_VISIT(If) HL_VISIT(For) HL_VISIT(While)
    HL_VISIT(Break) HL_VISIT(Continue) HL_VISIT(Return) HL_VISIT(Raise) HL_VISIT(Evaluate) HL_VISIT(Print)
#undef HL_VISIT
};

class IRMutator {
public:
    virtual ~IRMutator() = default;
    virtual Expr mutate(const Expr &e);
    virtual Stmt mutate(const Stmt &s);

protected:
    std::vector<Expr> mutate(const std::vector<Expr> &es, bool *changed);
#define HL_MUTATE(T) virtual Expr visit(const T *, const Expr &self);
    HL_MUTATE(IntImm) HL_MUTATE(FloatImm) HL_MUTATE(BoolImm) HL_MUTATE(ComplexImm)
    HL_MUTATE(Var) HL_MUTATE(Cast) HL_MUTATE(Binary) HL_MUTATE(Unary) HL_MUTATE(Compare)
    HL_MUTATE(Logical) HL_MUTATE(Select) HL_MUTATE(Let) HL_MUTATE(MathCall) HL_MUTATE(Call)
    HL_MUTATE(Load) HL_MUTATE(ArrayDim) HL_MUTATE(MakeTuple) HL_MUTATE(TupleGet)
    HL_MUTATE(AllocArray) HL_MUTATE(View) HL_MUTATE(ArrayMap) HL_MUTATE(Reduce)
    HL_MUTATE(Reshape) HL_MUTATE(Overlaps) HL_MUTATE(Roll) HL_MUTATE(Transpose) HL_MUTATE(Ref) HL_MUTATE(Attr) HL_MUTATE(Subscript) HL_MUTATE(UCall)
#undef HL_MUTATE
#define HL_MUTATE(T) virtual Stmt visit(const T *, const Stmt &self);
    HL_MUTATE(Block) HL_MUTATE(Assign) HL_MUTATE(Store) HL_MUTATE(If) HL_MUTATE(For)
    HL_MUTATE(While) HL_MUTATE(Break) HL_MUTATE(Continue) HL_MUTATE(Return) HL_MUTATE(Raise)
    HL_MUTATE(Evaluate) HL_MUTATE(Print)
#undef HL_MUTATE
};

// `e` with each variable named in `values` replaced by its expression.
Expr substitute(const Expr &e, const std::map<std::string, Expr> &values);

}  // namespace hotloop
