"""SVG text set as one line per text element, not letter by letter (WeasyPrint 70).

WeasyPrint 70 draws SVG text (``weasyprint.svg.text.text``) one letter at a
time, whether or not the element places its letters one by one: each letter
is laid out by Pango on its own, placed where the previous one ended, and
drawn as a text object of its own. For the sample's charts (their labels,
values and legends are SVG text, 1,300 letters per edition) that cost 0.17 s
of a render of 4 s, and it sets the labels without kerning: "Ty", "Vä" and
"77 %" keep the gaps the letters have alone.

:func:`text` sets an element whose letters are not placed one by one as one
line: laid out once (kerned, with the font's ligatures), drawn as one text
object at the position of its first letter, with the same baseline, the same
colours and the same bounding box for ``text-anchor`` (its width is the
kerned line's). Everything else goes to WeasyPrint's own function, as
before: elements with several ``x``, ``y``, ``dx`` or ``dy`` values, any
``rotate``, ``letter-spacing`` or ``textLength``, right-to-left text, and
empty ones.

Installed only for WeasyPrint 70, whose function this mirrors.
"""

from __future__ import annotations

import importlib
from math import inf

from weasyprint import svg as svg_package
from weasyprint.matrix import Matrix
from weasyprint.svg.bounding_box import extend_bounding_box
from weasyprint.svg.utils import normalize, size

_module = importlib.import_module("weasyprint.svg.text")  # the name is shadowed by the function
_stock = _module.text
# Attributes that place, turn or space letters one by one: left to the stock function.
LETTERWISE = ("dx", "dy", "rotate", "letter-spacing", "textLength")


def letterwise(node) -> bool:
    """Whether *node* places, turns or spaces its letters one by one."""
    attrib = node.attrib
    if any(name in attrib for name in LETTERWISE):
        return True
    return any(
        name in attrib and len(normalize(attrib[name]).strip().split(" ")) > 1
        for name in ("x", "y")
    )


def text(svg, node, font_size):
    """Draw an SVG text element; see the module notes."""
    if not node.text or node.get("direction") == "rtl" or letterwise(node):
        return _stock(svg, node, font_size)
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.text.line_break import split_first_line

    # The style as the stock function makes it.
    style = _module.Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [
        font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")
    ]
    style["font_style"] = node.get("font-style", "normal")
    style["font_weight"] = node.get("font-weight", 400)
    style["font_size"] = font_size
    if node.get("direction") == "ltr":
        style["direction"] = "ltr"
    if style["font_weight"] == "normal":
        style["font_weight"] = 400
    elif style["font_weight"] == "bold":
        style["font_weight"] = 700
    else:
        try:
            style["font_weight"] = int(style["font_weight"])
        except ValueError:
            style["font_weight"] = 400

    layout, _, _, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)
    x = y = None
    if "x" in node.attrib:
        x = size(normalize(node.attrib["x"]).strip(), font_size, svg.inner_width)
    if "y" in node.attrib:
        y = size(normalize(node.attrib["y"]).strip(), font_size, svg.inner_height)

    # Vertical alignment, as the stock function does it.
    ascent, descent = font_size * 0.8, font_size * 0.2
    y_align = 0
    display_anchor = node.get("display-anchor")
    alignment_baseline = node.get("dominant-baseline", node.get("alignment-baseline"))
    if display_anchor == "middle":
        y_align = -height / 2
    elif display_anchor == "top":
        pass
    elif display_anchor == "bottom":
        y_align = -height
    elif alignment_baseline in ("central", "middle"):
        y_align = (ascent + descent) / 2 - descent
    elif alignment_baseline in (
        "text-before-edge", "before_edge", "top", "hanging", "text-top"
    ):  # fmt: skip
        y_align = ascent
    elif alignment_baseline in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        y_align = -descent

    # The first letter's place (a zero keeps the shift, as in the stock function).
    if x:
        svg.cursor_d_position[0] = 0
    if y:
        svg.cursor_d_position[1] = 0
    x = svg.cursor_position[0] if x is None else x
    y = svg.cursor_position[1] if y is None else y
    svg.cursor_position = x + width, y
    x_position = x + svg.cursor_d_position[0]
    y_position = y + svg.cursor_d_position[1] + y_align
    points = (
        (x_position, y_position - baseline),
        (x_position + width, y_position - baseline + height),
    )
    node.text_bounding_box = extend_bounding_box(node.text_bounding_box, points)

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    text_box = _module.TextBox(layout, style)
    text_box.baseline = baseline
    matrix = Matrix(a=1, d=-1, e=x_position, f=y_position)
    emojis = draw_first_line(svg.stream, text_box, "none", "none", matrix)
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)


def apply() -> None:
    """Use :func:`text` for SVG text (the registry guards it)."""
    for tag, function in list(svg_package.TAGS.items()):
        if function is _stock:
            svg_package.TAGS[tag] = text
    svg_package.text = text  # draw_node compares TAGS entries with this name
