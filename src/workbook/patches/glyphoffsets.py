"""Glyph offsets rounded, not truncated, when text is drawn (WeasyPrint 70).

WeasyPrint draws a line of text glyph by glyph
(``weasyprint.draw.text.draw_first_line``). Where a glyph's advance in the
layout differs from its advance in the font (kerning, letter spacing, word
spacing), it writes the difference into the PDF's ``TJ`` array as
``int(kerning)``, in thousandths of an em: truncated toward zero. Untracked
text loses a fraction of a unit here and there, in both directions. Tracked
text (``letter-spacing``, which the total-fit breaker uses to set a paragraph a
hair tighter or looser, :mod:`workbook.render.linebreak`) loses the fraction
on every glyph in the same direction: a justified line of 80 letters tracked
-0.01 em is drawn 0.3-0.6 pt wider than the layout made it and runs past the
measure, and one tracked +0.01 em falls as far short, so a tracked paragraph's
right edge does not line up with its neighbours'.

:func:`apply` makes that one call ``round(kerning)``: each glyph then lands
within half a unit of where the layout put it, and the errors no longer add
up along the line. The change is the call's name in WeasyPrint's own function
(its source is parsed, the name replaced in its syntax tree and the function
compiled again, with its line numbers). The registry (:mod:`workbook.patches`)
applies it only when the module's source is the one this was written for, byte
for byte; otherwise WeasyPrint runs unchanged. ``tests/patches/test_glyphoffsets.py``
measures the benefit: tracked lines end within 0.1 pt of the measure (stock:
0.3 pt or more off), and every number in every content stream is within one
unit of stock's.
"""

from __future__ import annotations

import ast
import types

from weasyprint.draw import text as draw_text

from workbook.patches import recompile

_stock = draw_text.draw_first_line


def patched_tree(module_source: str, name: str = "draw_first_line") -> ast.Module:
    """The function *name* of *module_source* with its ``int(kerning)`` made
    ``round(kerning)``, as a module to compile.

    Raises ValueError when there is not exactly one such function and call.
    """
    tree = ast.parse(module_source)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    if len(functions) != 1:
        raise ValueError(f"{len(functions)} functions named {name}, expected 1")
    calls = [
        node
        for node in ast.walk(functions[0])
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "int"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == "kerning"
    ]
    if len(calls) != 1:
        raise ValueError(f"{len(calls)} int(kerning) calls in {name}, expected 1")
    calls[0].func.id = "round"  # type: ignore[attr-defined]
    return ast.Module(body=[functions[0]], type_ignores=[])


def patched(function: types.FunctionType) -> types.FunctionType:
    """A copy of WeasyPrint's *function* (``draw_first_line``) that rounds.

    Raises ValueError when the function has not exactly one ``int(kerning)``,
    OSError when its module's source cannot be read.
    """
    filename, source = recompile.module_source(function)
    tree = patched_tree(source, function.__name__)
    return recompile.compiled_copy(function, tree, filename)


def apply() -> None:
    """Round glyph offsets (the registry checks the version and source)."""
    # draw_text calls it by its module's global name; svg.text imports it per call.
    draw_text.draw_first_line = patched(_stock)
