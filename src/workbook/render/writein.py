"""Write-in areas that give or take a ruled line, so an exercise box fills its page.

An exercise breaks only between its components (and a table between its rows).
When the next component does not fit under the last one on a page, the box
would leave its height empty at the page's foot. The page make-up
(:mod:`workbook.render.makeup`) then changes the number of ruled lines:

- the component that went on to the next page loses one or two lines, when
  that lets it (with the facilitator's note that keeps to it) fit on the page,
  never going under :data:`MIN_LINES`;
- otherwise the write-in areas above it on the page gain lines, one each from
  the bottom up, until the box is filled to within one line.

A change is keyed by the field name of the area's multiline field (for an
analysis table, the row's common prefix and ``-*``: every cell of the row changes), so
the press and the e-version change alike and the e-version's form field keeps
the height of the ruled lines it replaces.
"""

from __future__ import annotations

import re
from itertools import pairwise

from workbook.markup.exercises import LINE_SPACING_MM

MIN_LINES = 2  # a write-in area never has fewer ruled lines
MAX_GROWTH = 3  # lines one area may gain
PX_PER_MM = 96 / 25.4
LINE = LINE_SPACING_MM * PX_PER_MM  # one ruled line, in CSS px
_AREA_RE = re.compile(
    r'(<div class="wb-area [^"]*" style="height: )[\d.]+mm(">\s*<div class="wb-rules">)'
    r'((?:\s*<div class="wb-rule">\s*</div>)+)'
    r'(\s*</div>\s*<textarea class="wb-field wb-multiline" name=")([^"]+)"'
)


def apply_lines(html: str, lines: dict[str, int]) -> str:
    """*html* with each keyed write-in area's ruled lines changed by its delta."""
    if not lines:
        return html

    def change(match: re.Match[str]) -> str:
        name = match[5]
        delta = next((d for k, d in lines.items() if _matches(k, name)), 0)
        if not delta:
            return match[0]
        count = max(MIN_LINES, match[3].count('class="wb-rule"') + delta)
        height = f"{count * LINE_SPACING_MM:.2f}".rstrip("0").rstrip(".")
        rules = '<div class="wb-rule"></div>' * count
        return f'{match[1]}{height}mm{match[2]}{rules}{match[4]}{name}"'

    return _AREA_RE.sub(change, html)


def _matches(key: str, name: str) -> bool:
    """A key is a field's name, or a row's prefix ending in ``-*``."""
    return name == key or (key.endswith("-*") and name.startswith(key[:-1]))


def _classes(box) -> set[str]:
    element = box.element
    return set((element.get("class") or "").split()) if element is not None else set()


def _blocks(box) -> list:
    from weasyprint.formatting_structure import boxes

    return [c for c in getattr(box, "children", ()) if isinstance(c, boxes.BlockLevelBox)]


def _bottom(box) -> float:
    return box.position_y + box.margin_height() - box.margin_bottom


def _exercises(page_box) -> dict[object, object]:
    """The exercise boxes on a page, by their HTML element."""
    found: dict[object, object] = {}

    def walk(box, depth: int) -> None:
        for child in _blocks(box):
            if "exercise" in _classes(child):
                found[child.element] = child
            elif depth < 5:
                walk(child, depth + 1)

    walk(page_box, 0)
    return found


def _areas(box) -> list:
    """The write-in areas (``div.wb-area``) inside *box*, in order."""
    found = []

    def walk(item) -> None:
        for child in getattr(item, "children", ()):
            if "wb-area" in _classes(child):
                found.append(child)
            else:
                walk(child)

    walk(box)
    return found


def _name(area) -> str:
    field = area.element.find("textarea")
    return field.get("name", "") if field is not None else ""


def _rules(area) -> int:
    return sum(1 for e in area.element.iter("div") if "wb-rule" in e.get("class", "").split())


def _key(areas: list) -> str:
    """The key of a unit's areas: its field name, or the common prefix of a row's."""
    names = [_name(a) for a in areas]
    if len(names) == 1:
        return names[0]
    parts = [n.split("-") for n in names]
    common = []
    for pieces in zip(*parts, strict=False):
        if len(set(pieces)) > 1:
            break
        common.append(pieces[0])
    return "-".join(common) + "-*"


def _first_unit(exercise) -> tuple[float, list]:
    """The height that must move together at the top of a continued exercise box,
    and the write-in areas in its first unbreakable part."""
    children = _blocks(exercise)
    if not children:
        return 0.0, []
    first = children[0]
    classes = _classes(first)
    unit = first
    if classes & {"wb-analysis", "wb-scale", "wb-continuum"}:
        rows = _rows(first)
        if rows:
            unit = rows[0]
    height = unit.margin_height()
    if unit is first and len(children) > 1 and "facilitator" in _classes(children[1]):
        height += children[1].margin_height()
    return height, _areas(unit)


def _rows(box) -> list:
    """The body rows of a table, or the rows of a set of lines."""
    from weasyprint.formatting_structure import boxes

    found = []

    def walk(item) -> None:
        for child in getattr(item, "children", ()):
            if isinstance(child, boxes.TableRowGroupBox) and child.is_header:
                continue
            if isinstance(child, boxes.TableRowBox) or "wb-continuum-row" in _classes(child):
                found.append(child)
            else:
                walk(child)

    walk(box)
    return found


def _units(exercise) -> list[list]:
    """The write-in units of an exercise box on one page: each write-in's area, each
    analysis row's cells."""
    units = []
    for child in _blocks(exercise):
        classes = _classes(child)
        if "wb-write-in" in classes:
            units.append(_areas(child))
        elif "wb-analysis" in classes:
            units += [areas for row in _rows(child) if (areas := _areas(row))]
    return [u for u in units if u]


def review_exercises(document, lines: dict[str, int], max_gap_mm: float) -> dict[str, int]:
    """The ruled-line changes that fill exercise boxes left with a gap at a page's foot."""
    changes: dict[str, int] = {}
    limit = max_gap_mm * PX_PER_MM
    pages = [_exercises(page._page_box) for page in document.pages]
    for here, after in pairwise(pages):
        for element, box in here.items():
            following = after.get(element)
            children = _blocks(box)
            if following is None or not children:
                continue
            inner_bottom = box.content_box_y() + box.height
            gap = inner_bottom - _bottom(children[-1])
            if gap <= limit - 1.5 * PX_PER_MM:  # the preflight also counts the margin
                continue
            needed, areas = _first_unit(following)
            key = _key(areas) if areas else ""
            if key and key not in lines:
                spare = min(_rules(a) for a in areas) - MIN_LINES
                take = next((k for k in range(1, spare + 1) if needed - k * LINE < gap - 2), 0)
                if take:
                    changes[key] = -take
                    continue
            growth = int((gap - 2) // LINE)
            units = [u for u in reversed(_units(box)) if _key(u) not in lines]
            while growth > 0 and units:
                for unit in units:
                    if growth <= 0:
                        break
                    name = _key(unit)
                    if changes.get(name, 0) >= MAX_GROWTH:
                        continue
                    changes[name] = changes.get(name, 0) + 1
                    growth -= 1
                if all(changes.get(_key(u), 0) >= MAX_GROWTH for u in units):
                    break
    return changes
