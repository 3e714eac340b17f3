"""One WeasyPrint function compiled again from its own source, changed in its syntax tree.

The patches that change a statement or a call (not a whole function) read the
function's module source, change the function's syntax tree and compile it
again with its file name and line numbers, so tracebacks and coverage still
point into WeasyPrint. They share these two steps.
"""

from __future__ import annotations

import ast
import inspect
import types


def module_source(function: types.FunctionType) -> tuple[str, str]:
    """The file name and the source of the module that defines *function*.

    Raises OSError when the source cannot be read.
    """
    filename = inspect.getsourcefile(function)
    if filename is None:
        raise OSError(f"no source file for {function.__qualname__}")
    with open(filename, encoding="utf-8") as stream:
        return filename, stream.read()


def compiled_copy(
    function: types.FunctionType, tree: ast.Module, filename: str
) -> types.FunctionType:
    """*function* as defined in *tree* (a module holding its changed definition),
    compiled against *function*'s own globals, defaults and names."""
    code = next(
        const
        for const in compile(tree, filename, "exec").co_consts
        if isinstance(const, types.CodeType) and const.co_name == function.__name__
    )
    copy = types.FunctionType(code, function.__globals__, function.__name__, function.__defaults__)
    copy.__kwdefaults__ = function.__kwdefaults__
    copy.__doc__ = function.__doc__
    copy.__module__ = function.__module__
    copy.__qualname__ = function.__qualname__
    return copy
