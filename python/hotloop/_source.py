"""Reads a function's source for the C++ frontend."""

import ast
import inspect
import textwrap

from .errors import CompileError


def function_info(func):
    """(ast.FunctionDef, filename, line offset, file lines, globals, closure dict) of func."""
    try:
        lines, first = inspect.getsourcelines(func)
        filename = inspect.getsourcefile(func) or func.__code__.co_filename
    except (OSError, TypeError) as e:
        raise CompileError(f"cannot read the source of {func.__name__}(): {e}",
                           func.__code__.co_filename, func.__code__.co_firstlineno,
                           hint="hotloop compiles functions defined in files (or notebooks), "
                                "not ones created with exec()") from None
    source = textwrap.dedent("".join(lines))
    tree = ast.parse(source)
    fdef = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if fdef is None:
        raise CompileError(f"{func.__name__} is not a def function", filename, first,
                           hint="decorate a function defined with def")
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
    return fdef, filename, first - 1, file_lines, func.__globals__, closure
