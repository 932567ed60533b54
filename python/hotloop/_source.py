"""Reads a function's source for the C++ frontend."""

import ast
import inspect
import textwrap

from .errors import CompileError


def function_info(func):
    """(ast.FunctionDef, filename, line offset, column offset, file lines, globals, closure)
    of func. The offsets map positions in the parsed (dedented) source to the file's."""
    try:
        lines, first = inspect.getsourcelines(func)
        filename = inspect.getsourcefile(func) or func.__code__.co_filename
    except (OSError, TypeError) as e:
        raise CompileError(f"cannot read the source of {func.__name__}(): {e}",
                           func.__code__.co_filename, func.__code__.co_firstlineno,
                           hint="hotloop compiles functions defined in files (or notebooks), "
                                "not ones created with exec()") from None
    source = textwrap.dedent("".join(lines))
    col_offset = len(lines[0]) - len(source.splitlines(True)[0]) if lines else 0
    fdef = _function_def(func, source, filename, first)
    try:
        with open(filename, encoding="utf-8") as f:
            file_lines = f.read().splitlines()
    except OSError:
        file_lines = [""] * (first - 1) + source.splitlines()
    closure = {}
    if func.__closure__:
        for name, cell in zip(func.__code__.co_freevars, func.__closure__):
            try:
                closure[name] = cell.cell_contents
            except ValueError:  # an empty cell: a name defined later
                pass
    return fdef, filename, first - 1, col_offset, file_lines, func.__globals__, closure


def _function_def(func, source, filename, first):
    """The def of func in its source, or a lambda's body as a def returning it."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = None
    if tree is not None:
        if func.__name__ != "<lambda>":
            defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
            for node in defs:
                if node.name == func.__name__:
                    return node
            # A function object renamed after its def (types.FunctionType(code, ..., name)).
            for node in defs:
                if node.name == func.__code__.co_name:
                    return node
        lambdas = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)]
        if len(lambdas) == 1:
            lam = lambdas[0]
            ret = ast.Return(value=lam.body)
            ast.copy_location(ret, lam.body)
            fdef = ast.FunctionDef(name="<lambda>", args=lam.args, body=[ret], decorator_list=[],
                                   returns=None, type_params=[])
            return ast.copy_location(fdef, lam)
    raise CompileError(f"cannot find the definition of {func.__name__}() in its source",
                       filename, first, hint="define compiled functions with def (or one lambda per line)")
