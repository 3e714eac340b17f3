"""Finnish typographic conventions applied to running text.

Editors type plain ASCII punctuation; the book gets what Finnish typesetting
uses: ”quotes” (the same mark on both sides), ’apostrophes’, en dashes with
spaces, real ellipses, and non-breaking spaces where a line must not break
(before %, between a number and its unit, in "s. 12", before a dash).
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
EN_DASH = "\u2013"

_UNITS = r"(?:%|‰|mm|cm|m|km|g|kg|t|l|ml|min|h|s|€|e|euroa|kpl|pv|krs)"
_RULES: list[tuple[re.Pattern[str], str]] = [
    # Quotes: Finnish uses ” on both sides and ’ for the apostrophe.
    (re.compile(r"[\"“„]"), "”"),
    (re.compile(r"['‘]"), "’"),
    # Dashes: a spaced hyphen or double hyphen is an en dash.
    (re.compile(r"(?<=\s)--?(?=\s)"), EN_DASH),
    (re.compile(r"(?<=\w)--(?=\w)"), EN_DASH),
    # Numeric ranges 2018-2019, 12-14 (not ISBNs or dates with more parts).
    (re.compile(r"(?<![\d-])(\d{1,4})-(\d{1,4})(?![\d-])"), rf"\1{EN_DASH}\2"),
    (re.compile(r"\.\.\."), "…"),
    # Never start a line with a dash: glue it to the word before.
    (re.compile(rf" {EN_DASH} "), f"{NBSP}{EN_DASH} "),
    # Number and unit, percent sign.
    (re.compile(rf"(\d) (?={_UNITS}(?![^\W\d_]))"), rf"\1{NBSP}"),
    # Page and section references: s. 12, ss. 12–14, n. 5, § 3, luku 3.
    (re.compile(r"\b(s|ss|n|nro|no|vrt|ks)\. (?=\d)"), rf"\1.{NBSP}"),
    (re.compile(r"(§) (?=\d)"), rf"\1{NBSP}"),
    # Thousands: 1 200 (space between digit groups) stays together.
    (re.compile(r"(?<=\d) (?=\d{3}(?!\d))"), NARROW_NBSP),
]


def finnish_text(text: str) -> str:
    """Apply Finnish typographic conventions to a run of plain text."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
