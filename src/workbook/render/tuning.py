"""Per-paragraph tuning: a justified paragraph set a hair tighter or looser.

WeasyPrint breaks lines greedily, so a paragraph's hyphens and loose lines
depend on its text, its column and its spacing alone. A typographer fixes such
a paragraph by tracking it; the make-up does the same: after the pages have
settled, it lays the book out once per :data:`TRIALS` with every paragraph
that has a hyphenated or loose line set in that trial's variant (one layout
tries all of them at once), scores each paragraph in each layout with
:func:`scores`, and keeps per paragraph the variant that scores best (the
plan's ``tuning``). A variant never makes a paragraph longer, so the pages
after it move at most up; the make-up's reviews then run again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

SPACE_EM = 0.293  # the body font's space, in em (Charis SIL)
WIDE = 1.5  # a justified line whose spaces are wider than this x normal is loose
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
TRIALS: tuple[tuple[str, str], ...] = (("t-", "w-"), ("t+", "w+"))  # one layout each
_LIGATURE_RE = re.compile("f[fil]")  # Charis SIL's ligatures: ff, fi, fl, ffi, ffl
FRAGMENT = 10  # a paragraph ending on a word fragment, or a third hyphen in a row
_START_RE = re.compile(r'<[a-zA-Z][a-zA-Z0-9]*\b[^>]*?\sdata-p="([^"]*)"[^>]*>')


class LineLike(Protocol):
    box: object
    paragraph: str
    text: str
    last: bool

    @property
    def hyphenated(self) -> bool: ...


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


def space_ratio(line: LineLike) -> float:
    """The widest word space of a justified line over the font's own space (1.0 when
    the line is not justified or has no space)."""
    from weasyprint.formatting_structure import boxes

    texts = [b for b in line.box.descendants() if isinstance(b, boxes.TextBox)]  # type: ignore[attr-defined]
    if not texts or line.box.style["text_align_all"] != "justify" or " " not in line.text:  # type: ignore[attr-defined]
        return 1.0
    widest = 1.0
    for box in texts:
        if " " not in box.text:
            continue
        style = box.style
        normal = SPACE_EM * style["font_size"]
        spacing = style["word_spacing"]
        letters = style["letter_spacing"]
        space = normal + (spacing if isinstance(spacing, int | float) else 0)
        space += 2 * (letters if isinstance(letters, int | float) else 0)
        space += getattr(box, "justification_spacing", 0) or 0
        widest = max(widest, space / normal)
    return widest


def scores(
    lines: Sequence[LineLike],
    paragraphs: set[str],
    needless: Callable[[LineLike], bool] = lambda _: False,
) -> dict[str, tuple[int, int]]:
    """Per paragraph of *paragraphs*: (badness, lines). Badness counts hyphenated lines,
    lines looser than :data:`WIDE` and :data:`FRAGMENT` for a fragment at its end or a
    third hyphen in a row. A hyphen the make-up will refuse as *needless* (the line
    holds without it) counts as a line that is neither."""
    found: dict[str, list[int]] = {}
    run = 0
    for line in lines:
        if line.paragraph not in paragraphs:
            continue
        score = found.setdefault(line.paragraph, [0, 0])
        score[1] += 1
        if line.last and run and " " not in line.text.strip():  # a fragment
            score[0] += FRAGMENT
        if line.hyphenated and needless(line):
            run = 0
            continue
        if line.hyphenated:
            run += 1
            score[0] += 1 + (FRAGMENT if run > 2 else 0)
        else:
            run = 0
        if not line.last and space_ratio(line) > WIDE:
            score[0] += 1
        if line.last:
            run = 0
    return {key: (value[0], value[1]) for key, value in found.items()}


def candidates(lines: Sequence[LineLike]) -> dict[str, bool]:
    """Justified paragraphs with a hyphenated or loose line, each with whether it may
    be tracked (it has no f-ligature)."""
    bad: set[str] = set()
    texts: dict[str, list[str]] = {}
    for line in lines:
        texts.setdefault(line.paragraph, []).append(line.text)
        justified = line.box.style["text_align_all"] == "justify"  # type: ignore[attr-defined]
        if justified and (line.hyphenated or (not line.last and space_ratio(line) > WIDE)):
            bad.add(line.paragraph)
    return {p: not _LIGATURE_RE.search(" ".join(texts[p])) for p in sorted(bad)}


def trial(paragraphs: Mapping[str, bool], names: tuple[str, str]) -> dict[str, str]:
    """The tuning of one trial layout: tracking *names[0]* where a paragraph may be
    tracked, word spacing *names[1]* elsewhere."""
    return {p: names[0] if tracked else names[1] for p, tracked in paragraphs.items()}


def choose(
    base: Mapping[str, tuple[int, int]],
    trials: Sequence[tuple[Mapping[str, str], Mapping[str, tuple[int, int]]]],
) -> dict[str, str]:
    """Per paragraph the variant that scores below *base* in no more lines, from
    *trials* (each a layout's tuning and its scores; the first wins a tie);
    paragraphs that no variant improves keep the default and are left out."""
    chosen: dict[str, str] = {}
    for paragraph, (badness, count) in sorted(base.items()):
        best = badness
        for tuning, scored in trials:
            score = scored.get(paragraph)
            if paragraph in tuning and score and score[1] <= count and score[0] < best:
                best, chosen[paragraph] = score[0], tuning[paragraph]
    return chosen
