"""Paragraph variants: a justified paragraph set a hair tighter or looser.

A typographer fixes a paragraph that will not set well by tracking it. The
total-fit breaker (:mod:`workbook.render.linebreak`) tries each paragraph in
these variants as well as in the stylesheet's setting, and keeps the one that
sets it best; :func:`apply_tuning` writes the choice into the HTML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# The default is the stylesheet's (``p, li, dd { word-spacing: -0.04em }``, no
# tracking). Tracking of 10/1000 em is what a typographer gives a paragraph
# without anyone seeing it; it would turn ligatures off (Pango sets tracked type
# letter by letter), so a paragraph with an f-ligature gets its word spaces
# moved by 0.02 em (7 % of a space) instead.
VARIANTS: dict[str, str] = {
    "t-": "letter-spacing: -0.01em",
    "t+": "letter-spacing: 0.01em",
    "w-": "word-spacing: -0.06em",
    "w+": "word-spacing: -0.02em",
}
# What each variant adds, in em: (to every letter and space, to every word space).
DELTAS: dict[str, tuple[float, float]] = {
    "": (0.0, 0.0),
    "t-": (-0.01, 0.0),
    "t+": (0.01, 0.0),
    "w-": (0.0, -0.02),
    "w+": (0.0, 0.02),
}
_START_RE = re.compile(r'<[a-zA-Z][a-zA-Z0-9]*\b[^>]*?\sdata-p="([^"]*)"[^>]*>')


def apply_tuning(html: str, tuning: Mapping[str, str]) -> str:
    """*html* with each tuned paragraph's variant as its style (merged with any style);
    one pass over the paragraphs' start tags, however many are tuned."""
    styles = {p: VARIANTS[name] for p, name in tuning.items() if name in VARIANTS}
    if not styles:
        return html
    seen: set[str] = set()

    def tune(found: re.Match[str]) -> str:
        tag, paragraph = found[0], found[1]
        css = styles.get(paragraph)
        if css is None or paragraph in seen:
            return tag
        seen.add(paragraph)
        style = re.search(r'\sstyle="([^"]*)"', tag)
        if style is not None:
            merged = f"{style[1].rstrip('; ')}; {css}".lstrip("; ")
            return tag[: style.start(1)] + merged + tag[style.end(1) :]
        name_end = re.match(r"<[a-zA-Z0-9]+", tag).end()  # type: ignore[union-attr]
        return f'{tag[:name_end]} style="{css}"{tag[name_end:]}'

    return _START_RE.sub(tune, html)
