"""Hyphenation candidates that cannot fit are not laid out (WeasyPrint 70).

When a line of text does not end where Pango broke it, WeasyPrint
(``weasyprint.text.line_break.split_first_line``) tries the soft hyphens of
the rest of the text, from the last one back to the first, and lays out each
candidate line (the line so far, the text up to that soft hyphen, a hyphen)
with Pango until one fits. The pipeline hyphenates Finnish itself, with soft
hyphens (:mod:`workbook.markup.hyphenation`), so every word is full of them, and the
rest of the text is a line or more long: on the sample's e-version there are
about 5,500 such candidate layouts per render, 3,000 of them for lines that
already hold words.

Those 3,000 cannot fit. Pango broke the line before the next word (not at a
soft hyphen), so the line up to the next word's first break (a soft hyphen
or the end of the word) is wider than the measure. A candidate that reaches past that word
(it contains a space after a letter) begins with that too-wide text and has a
space to break at, so Pango breaks it and WeasyPrint rejects it, whatever
follows: it was laid out for nothing. :func:`apply` makes the loop skip
exactly those candidates, when the line already holds words; every other
candidate is tried as before, in the same order, and the first that fits
still wins. Candidates for a line that holds no word yet (its first word
is too long, or Pango broke the line at a soft hyphen) are all tried, as
before. The argument rests on Pango filling a line greedily; tried one by one,
none of the 23,000 candidates skipped in the sample and the stress book fits.

The change is one statement at the top of the loop, put into WeasyPrint's own
function (the source of WeasyPrint 70 is parsed, the statement inserted in its
syntax tree and the function compiled again, with its line numbers). The
registry (:mod:`workbook.patches`) applies it only when the function's source
is the one this was written for, byte for byte; otherwise WeasyPrint runs
unchanged. Every page's content
stream is the one stock WeasyPrint writes (``tests/patches/test_linefit.py``; both
editions of the sample, all 64 pages, and of the stress book, all 284).
Measured in paired clean builds of the sample: 8.6-8.75 s -> 8.0-8.1 s; the
stress book (20,000 of its 30,000 candidates skipped): 42.0 s -> 38.7 s.
"""

from __future__ import annotations

import ast
import types

from weasyprint.layout import inline, preferred
from weasyprint.text import line_break

from workbook.patches import recompile

# At the top of ``for first_word_part in dictionary_iterations:``. The line so far
# (``first_line_text``) holds words and the candidate reaches past the next word.
GUARD = "if first_line_text and ' ' in first_word_part.lstrip(' '):\n    continue\n"

_stock = line_break.split_first_line


def patched_tree(module_source: str, name: str = "split_first_line") -> tuple[ast.Module, str]:
    """The function *name* of *module_source*, with :data:`GUARD` first in its
    candidate loop, as a module to compile; and the function's own source text.

    Raises ValueError when there is not exactly one such function and loop.
    """
    tree = ast.parse(module_source)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    if len(functions) != 1:
        raise ValueError(f"{len(functions)} functions named {name}, expected 1")
    function = functions[0]
    first = function.decorator_list[0].lineno if function.decorator_list else function.lineno
    lines = module_source.splitlines(keepends=True)[first - 1 : function.end_lineno]
    loops = [
        node
        for node in ast.walk(function)
        if isinstance(node, ast.For)
        and isinstance(node.target, ast.Name)
        and node.target.id == "first_word_part"
        and isinstance(node.iter, ast.Name)
        and node.iter.id == "dictionary_iterations"
    ]
    if len(loops) != 1:
        raise ValueError(f"{len(loops)} candidate loops in {name}, expected 1")
    loop = loops[0]
    guard = ast.parse(GUARD).body[0]
    for node in ast.walk(guard):  # on the loop's own line: the others keep their numbers
        if isinstance(node, ast.stmt | ast.expr):
            node.lineno = node.end_lineno = loop.lineno
            node.col_offset = node.end_col_offset = loop.col_offset
    loop.body.insert(0, guard)
    return ast.Module(body=[function], type_ignores=[]), "".join(lines)


def patched(function: types.FunctionType) -> types.FunctionType:
    """A copy of WeasyPrint's *function* (``split_first_line``) with the guard.

    Raises ValueError when the function has not exactly one candidate loop,
    OSError when its module's source cannot be read.
    """
    filename, source = recompile.module_source(function)
    tree, _ = patched_tree(source, function.__name__)
    return recompile.compiled_copy(function, tree, filename)


def apply() -> None:
    """Skip the candidates that cannot fit (the registry checks the version and source)."""
    function = patched(_stock)
    # inline and preferred imported the function by name; svg.text imports it per call.
    line_break.split_first_line = inline.split_first_line = function
    preferred.split_first_line = function
