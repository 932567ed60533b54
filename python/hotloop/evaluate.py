"""numexpr-compatible string expressions: ``hl.evaluate("2*a + 3*b")``.

The string is parsed with Python's ``ast`` and checked against an allowlist (numbers,
names, numexpr's operators and functions, ``.real``/``.imag``); nothing is ever passed to
``eval``. An accepted expression becomes a small function that hotloop compiles like any
other (one fused loop, no temporaries), cached per expression and argument types.
"""

import ast
import linecache
import sys

import numpy as np

from .decorators import jit

# numexpr's functions -> the NumPy function the compiled code calls.
_FUNCTIONS = {
    "where": "np.where", "sqrt": "np.sqrt", "sin": "np.sin", "cos": "np.cos", "tan": "np.tan",
    "arcsin": "np.arcsin", "arccos": "np.arccos", "arctan": "np.arctan", "arctan2": "np.arctan2",
    "sinh": "np.sinh", "cosh": "np.cosh", "tanh": "np.tanh", "arcsinh": "np.arcsinh",
    "arccosh": "np.arccosh", "arctanh": "np.arctanh", "fmod": "np.fmod", "hypot": "np.hypot",
    "copysign": "np.copysign", "maximum": "np.maximum", "minimum": "np.minimum",
    "log": "np.log", "log1p": "np.log1p", "log10": "np.log10", "log2": "np.log2", "exp": "np.exp",
    "expm1": "np.expm1", "abs": "np.abs", "absolute": "np.absolute", "ceil": "np.ceil",
    "floor": "np.floor", "round": "np.rint", "rint": "np.rint", "trunc": "np.trunc",
    "sign": "np.sign", "isnan": "np.isnan", "isfinite": "np.isfinite", "isinf": "np.isinf",
    "signbit": "np.signbit", "nextafter": "np.nextafter", "real": "np.real", "imag": "np.imag",
    "conj": "np.conj", "complex": "complex",
}
_REDUCTIONS = {"sum": "np.sum", "prod": "np.prod", "min": "np.min", "max": "np.max"}
_ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Compare, ast.Name, ast.Load,
                  ast.Constant, ast.Call, ast.Attribute, ast.keyword,
                  ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.Pow, ast.FloorDiv,
                  ast.BitAnd, ast.BitOr, ast.BitXor, ast.LShift, ast.RShift, ast.Invert,
                  ast.USub, ast.UAdd, ast.Not,
                  ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)

_MAX_DEPTH = 256    # nesting depth of an accepted expression (the compiler recurses over it)
_compiled = {}      # (expression, names, with out) -> _Tiers
# An expression runs unoptimized machine code (a third of the compile time) until it has
# processed this many elements, then optimized code: by then the slower code has cost
# about what the second compile costs (a ski-rental rule; a big first call goes straight
# to optimized code).
TIER_UP_ELEMENTS = 1 << 20
_last = None        # what re_evaluate() repeats: (dispatcher, names, out, frame dicts)
_counter = [0]


class _Rewriter(ast.NodeTransformer):
    """Checks every node against the allowlist and maps numexpr names to NumPy's."""

    def __init__(self, text):
        self.text = text
        self.names = []

    def _reject(self, node, what):
        raise ValueError(f"evaluate(): {what} is not allowed in an expression: {self.text!r}")

    def generic_visit(self, node):
        if not isinstance(node, _ALLOWED_NODES):
            self._reject(node, type(node).__name__)
        return super().generic_visit(node)

    def visit_Name(self, node):
        if node.id.startswith("_"):
            self._reject(node, f"the name {node.id!r}")
        if node.id in ("True", "False", "None"):
            return node
        if node.id not in self.names:
            self.names.append(node.id)
        return ast.copy_location(ast.Name(id="_v_" + node.id, ctx=ast.Load()), node)

    def visit_Constant(self, node):
        if isinstance(node.value, bool) or isinstance(node.value, (int, float, complex)):
            return node
        self._reject(node, f"the constant {node.value!r}")

    def visit_Attribute(self, node):
        if node.attr not in ("real", "imag"):
            self._reject(node, f"the attribute .{node.attr}")
        node.value = self.visit(node.value)
        return node

    def visit_Call(self, node):
        if not isinstance(node.func, ast.Name):
            self._reject(node, "calling an expression")
        name = node.func.id
        if name in _REDUCTIONS:
            if self._inside_call:
                self._reject(node, f"{name}() inside another call (numexpr allows reductions only outermost)")
            target = _REDUCTIONS[name]
        elif name in _FUNCTIONS:
            target = _FUNCTIONS[name]
        else:
            self._reject(node, f"the function {name!r}")
        for kw in node.keywords:
            if name not in _REDUCTIONS or kw.arg != "axis" or not isinstance(kw.value, ast.Constant):
                self._reject(node, f"the keyword argument {kw.arg!r}")
        self._inside_call = True
        node.args = [self.visit(a) for a in node.args]
        self._inside_call = False
        if target == "complex":  # numexpr's complex() is a complex128 array, not a Python complex
            node.func = ast.Name(id="complex", ctx=ast.Load())
            return ast.copy_location(ast.Call(func=ast.Attribute(value=ast.Name(id="np", ctx=ast.Load()),
                                                                 attr="complex128", ctx=ast.Load()),
                                              args=[node], keywords=[]), node)
        module, attr = target.split(".")
        node.func = ast.copy_location(ast.Attribute(value=ast.Name(id=module, ctx=ast.Load()),
                                                    attr=attr, ctx=ast.Load()), node.func)
        return node

    _inside_call = False


def _depth(tree):
    """The nesting depth of an ast, measured without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _is_reduction(body):
    return isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and body.func.id in _REDUCTIONS


def _parse(ex):
    """(the rewritten expression's source, its names, its reduction axis or False)."""
    if not isinstance(ex, str):
        raise TypeError(f"evaluate(): the expression must be a string, got {type(ex).__name__}")
    if len(ex) > 10000:
        raise ValueError("evaluate(): expression too long")
    try:
        tree = ast.parse(ex.strip(), mode="eval")
    except SyntaxError as e:
        raise SyntaxError(f"evaluate(): invalid expression {ex!r}: {e.msg}") from None
    except (RecursionError, MemoryError):  # CPython's parser gives up on deep nesting
        raise ValueError(f"evaluate(): expression too deeply nested: {ex[:80]!r}...") from None
    if _depth(tree) > _MAX_DEPTH:
        raise ValueError(f"evaluate(): expression nested more than {_MAX_DEPTH} deep: {ex[:80]!r}...")
    # the checks and ast.unparse recurse a few frames per level: room for _MAX_DEPTH levels
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 8 * _MAX_DEPTH + 1000))
    try:
        reduction = _is_reduction(tree.body)
        rewriter = _Rewriter(ex)
        body = rewriter.visit(tree).body
        # an outermost reduction's axis (None: all; the allowlist made it a constant), else False
        axis = next((kw.value.value for kw in body.keywords), None) if reduction else False
        return ast.unparse(body), rewriter.names, axis
    finally:
        sys.setrecursionlimit(limit)


class _Tiers:
    """The compiled code of one expression: unoptimized, then optimized once it pays."""
    __slots__ = ("_make", "_fast", "_optimized", "_elements")

    def __init__(self, make):
        self._make = make
        self._fast = self._optimized = None
        self._elements = 0

    def pick(self, args):
        if self._optimized is not None:
            return self._optimized
        self._elements += max([a.size for a in args if isinstance(a, np.ndarray)], default=1)
        if self._elements >= TIER_UP_ELEMENTS:
            self._optimized = self._make(fast_codegen=False)
            return self._optimized
        if self._fast is None:
            self._fast = self._make(fast_codegen=True)
        return self._fast

    def __call__(self, *args):
        return self.pick(args)(*args)

    def _prepare(self, *args):
        return self.pick(args)._prepare(*args)


def _dispatcher(ex, names, with_out, out_ndim):
    key = (ex, tuple(names), with_out, out_ndim)
    tiers = _compiled.get(key)
    if tiers is None:
        tiers = _compiled[key] = _Tiers(lambda fast_codegen: _compile(ex, with_out, out_ndim, fast_codegen))
    return tiers


def _compile(ex, with_out, out_ndim, fast_codegen):
    code, parsed_names, _ = _parse(ex)
    params = (["_out"] if with_out else []) + ["_v_" + n for n in parsed_names]
    if with_out:
        target = "_out[...]" if out_ndim else "_out[0]"  # a 0-d out comes as a 1-element view
        body = f"    {target} = {code}\n    return _out\n"
    else:
        body = f"    return {code}\n"
    _counter[0] += 1
    filename = f"<hotloop-evaluate-{_counter[0]}>"
    source = f"def _hl_expr({', '.join(params)}):\n{body}"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"np": np}
    exec(compile(source, filename, "exec"), namespace)  # the generated def, not the user's string
    return jit(namespace["_hl_expr"], error_model="numpy", cache=True, parallel=True, _quick_compile=True,
               _fast_codegen=fast_codegen, _zero_d_results=True)


def _operands(names, local_dict, global_dict, frame_depth):
    if local_dict is None or global_dict is None:
        frame = sys._getframe(frame_depth)
        if local_dict is None:
            local_dict = frame.f_locals
        if global_dict is None:
            global_dict = frame.f_globals
    values = []
    for n in names:
        if n in local_dict:
            v = local_dict[n]
        elif n in global_dict:
            v = global_dict[n]
        else:
            raise KeyError(f"evaluate(): name {n!r} is not defined")
        if not isinstance(v, (np.ndarray, np.generic, int, float, bool)):
            v = np.asarray(v)
        if isinstance(v, np.ndarray) and v.ndim == 0:
            v = v[()]
        values.append(v)
    return values


def _names(ex):
    """(names, reduction axis or False) of an expression, parsed once."""
    cached = _names_cache.get(ex)
    if cached is None:
        cached = _names_cache[ex] = _parse(ex)[1:]
    return cached


_names_cache = {}


def _check_out_shape(out, values, axis):
    """out= must have the result's shape: no broadcasting into out (unlike numexpr)."""
    shapes = [v.shape for v in values if isinstance(v, np.ndarray)]
    if axis is False and out.shape in shapes:
        return  # the result has at least out's shape; the compiled code checks the rest
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        return  # the compiled code raises NumPy's error
    if axis is not False:
        if axis is None:
            shape = ()
        elif -len(shape) <= axis < len(shape):
            shape = shape[:axis % len(shape)] + shape[axis % len(shape) + 1:]
        else:
            return  # the compiled code raises the axis error
    if shape != out.shape:
        raise ValueError(f"evaluate(): out has shape {out.shape}, the result has shape {shape}")


def _prepare(ex, local_dict, global_dict, out, frame_depth):
    """The dispatcher and the arguments evaluating `ex` takes."""
    names, axis = _names(ex)
    values = _operands(names, local_dict, global_dict, frame_depth + 1)
    if out is None:
        return _dispatcher(ex, names, False, None), values
    if not isinstance(out, np.ndarray):
        raise TypeError("out must be a NumPy array")
    _check_out_shape(out, values, axis)
    # 0-d arrays are not arguments of compiled code: a 0-d out is passed as a 1-element view
    return _dispatcher(ex, names, True, out.ndim), [out if out.ndim else out.reshape(1)] + values


def evaluate(ex, local_dict=None, global_dict=None, out=None, order="K", casting="same_kind",
             _frame_depth=1):
    """Evaluate an array expression, as ``numexpr.evaluate`` does.

    Names are looked up in ``local_dict``/``global_dict`` or the caller's frame. With
    ``out``, the result is written there (its shape must be the result's) and ``out`` is
    returned. ``order`` and ``casting`` are accepted for compatibility ('K', 'same_kind')."""
    global _last
    if order not in ("K", "A", "C", "F"):
        raise ValueError("order must be one of 'K', 'A', 'C', 'F'")
    if casting not in ("no", "equiv", "safe", "same_kind", "unsafe"):
        raise ValueError("casting must be one of 'no', 'equiv', 'safe', 'same_kind', 'unsafe'")
    disp, args = _prepare(ex, local_dict, global_dict, out, _frame_depth + 1)
    _last = (disp, _names(ex)[0], out)
    result = disp(*args)
    return result if out is None else out  # numexpr returns the very array given as out


def re_evaluate(local_dict=None, global_dict=None, _frame_depth=1):
    """Evaluate the last expression again with the current values of its names."""
    if _last is None:
        raise RuntimeError("re_evaluate(): no expression was evaluated before")
    disp, names, out = _last
    values = _operands(names, local_dict, global_dict, _frame_depth + 1)
    if out is None:
        return disp(*values)
    disp(out if out.ndim else out.reshape(1), *values)
    return out


def validate(ex, local_dict=None, global_dict=None, out=None, order="K", casting="same_kind",
             _frame_depth=1):
    """Checks and compiles an expression without running it, as ``numexpr.validate``:
    returns None if evaluate() would run it, else the exception evaluate() would raise
    before running (a ValueError, SyntaxError, KeyError, TypeError or CompileError)."""
    try:
        disp, args = _prepare(ex, local_dict, global_dict, out, _frame_depth + 1)
        disp._prepare(*args)
        return None
    except Exception as e:  # noqa: BLE001 - numexpr's contract: return the exception
        return e
