"""Workbook exercises: the ``:::`` block syntax of a chapter, parsed and validated.

An exercise is a fenced block; components go inside it, each a block of its own::

    ::: tehtävä Valitkaa kehittämiskohteet {#tehtava-kohteet}
    Instructions in Markdown.

    ::: tarkistuslista sarake="Ääniä"
    Asiakas ja asiakastieto
    - asiakkaiden tarpeiden tunnistaminen
    :::

    ::: ohjaajalle
    A note for whoever leads the session (Markdown).
    :::
    :::

A line ``:::`` closes the innermost open block. Block names may be written with
or without Finnish letters (``tehtävä`` or ``tehtava``). This module turns the
blocks into typed objects and, for Python-Markdown, into ``<div markdown="1">``
placeholders that :mod:`workbook.markup.worksheet` fills with the components' HTML.
Every syntax error names the line (counted from the chapter body's first line;
the book model adds the file and its front matter).
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from workbook.errors import WorkbookError

LINE_SPACING_MM = 8.5  # ruled lines: room for handwriting
BOX_MM = 4.5  # check boxes and the circles of scales and lines
MAX_LINES = 40
_OPEN_RE = re.compile(r"^:::\s*(\S+)(.*)$")
_CLOSE_RE = re.compile(r"^:::\s*$")
_ID_RE = re.compile(r"\s*\{#([A-Za-z][\w-]*)\}\s*$")
_RANGE_RE = re.compile(r"^(-?\d+)\s*[-–]\s*(-?\d+)$")
_ITEM_RE = re.compile(r"^\s*[-*]\s+(.*\S)\s*$")
_FENCE_RE = re.compile(r"^(```|~~~)")


class ExerciseSyntaxError(WorkbookError):
    """A ``:::`` block that cannot be read; *line* counts from the chapter body."""


@dataclass(frozen=True)
class WriteIn:
    """Ruled lines (or a height) for a written answer; *prompt* asks the question."""

    lines: int
    prompt: str = ""
    kind: Literal["rivit"] = "rivit"


@dataclass(frozen=True)
class ChecklistGroup:
    """Items under one (possibly empty) group title."""

    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Checklist:
    """Items with boxes to tick; *count* adds a small column to write a number in."""

    groups: tuple[ChecklistGroup, ...]
    count: str = ""
    kind: Literal["tarkistuslista"] = "tarkistuslista"

    @property
    def items(self) -> list[str]:
        """All items, in order."""
        return [item for group in self.groups for item in group.items]


@dataclass(frozen=True)
class RatingScale:
    """Statements rated on a labelled scale, one row per statement."""

    labels: tuple[str, ...]
    statements: tuple[str, ...]
    low: str = ""  # what the first step means ("heikko"), for numeric scales
    high: str = ""
    heading: str = "Väittämä"
    kind: Literal["asteikko"] = "asteikko"

    @property
    def description(self) -> str:
        """The scale in words, for accessible names: ``asteikko 1–5 (1 = heikko, 5 = hyvä)``."""
        first, last = self.labels[0], self.labels[-1]
        ends = []
        if self.low:
            ends.append(f"{first} = {self.low}")
        if self.high:
            ends.append(f"{last} = {self.high}")
        if all(label.isdigit() for label in self.labels):
            text = f"asteikko {first}–{last}"
        else:
            text = "asteikko " + ", ".join(self.labels)
        return text + (f" ({', '.join(ends)})" if ends else "")


@dataclass(frozen=True)
class LinePlacement:
    """Continua from one end to the other, on which the reader marks a place."""

    rows: tuple[tuple[str, str], ...]
    points: int = 7
    marks: tuple[str, ...] = ("Nyt",)
    kind: Literal["jana"] = "jana"


@dataclass(frozen=True)
class Analysis:
    """A table of rows (e.g. process steps) with a + and a - column to write in."""

    rows: tuple[str, ...]
    columns: tuple[str, str] = ("Vahvuudet (+)", "Heikkoudet (–)")
    lines: int = 3
    heading: str = "Vaihe"
    kind: Literal["analyysi"] = "analyysi"


@dataclass(frozen=True)
class NotesPage:
    """A page of ruled or dotted lines for notes."""

    title: str = "Muistiinpanoja"
    style: Literal["viivat", "pisteet"] = "viivat"
    kind: Literal["muistiinpanot"] = "muistiinpanot"


@dataclass(frozen=True)
class FacilitatorNote:
    """A note for whoever leads the exercise (its Markdown stays in the chapter)."""

    kind: Literal["ohjaajalle"] = "ohjaajalle"


Component = WriteIn | Checklist | RatingScale | LinePlacement | Analysis | NotesPage
Block = Component | FacilitatorNote


@dataclass(frozen=True)
class Exercise:
    """One ``::: tehtävä`` block: its number in the book, id, title and components."""

    number: int
    id: str
    title: str
    blocks: tuple[Block, ...] = ()

    @property
    def label(self) -> str:
        """``Tehtävä 4``."""
        return f"Tehtävä {self.number}"


@dataclass
class Parsed:
    """A chapter body with its ``:::`` blocks replaced by placeholders."""

    text: str
    exercises: list[Exercise] = field(default_factory=list)
    slots: list[Block | Exercise] = field(default_factory=list)  # data-slot index -> block


def fold(name: str) -> str:
    """Block name without diacritics, lower case: ``Tehtävä`` -> ``tehtava``."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


EXERCISE = "tehtava"
NOTE = "ohjaajalle"
ALL_NAMES = "tehtävä, rivit, tarkistuslista, asteikko, jana, analyysi, muistiinpanot, ohjaajalle"


@dataclass
class _Open:
    name: str
    line: int  # 1-based, in the body
    args: str
    body: list[str] = field(default_factory=list)


@dataclass
class _OpenExercise:
    title: str
    id: str
    line: int
    blocks: list[Block] = field(default_factory=list)
    out: list[str] = field(default_factory=list)


def parse(body: str, *, first_number: int = 1, id_prefix: str = "tehtava") -> Parsed:
    """Find the ``:::`` blocks of *body*; raise :class:`ExerciseSyntaxError` on bad input.

    Exercises are numbered from *first_number*; one without ``{#id}`` gets
    ``<id_prefix>-tehtava-<number>``.
    """
    parsed = Parsed(text="")
    out: list[str] = []
    exercise: _OpenExercise | None = None
    leaf: _Open | None = None
    in_code = False
    for number, line in enumerate(body.split("\n"), start=1):
        if leaf is None and _FENCE_RE.match(line.strip()):
            in_code = not in_code
        if in_code:
            (exercise.out if exercise else out).append(line)
            continue
        stripped = line.strip()
        if _CLOSE_RE.match(stripped):
            if leaf is not None:
                block = _component(leaf)
                if exercise is not None:
                    exercise.blocks.append(block)
                    exercise.out.extend(_slot(parsed, block, leaf))
                else:
                    out.extend(_slot(parsed, block, leaf))
                leaf = None
            elif exercise is not None:
                done = Exercise(
                    number=first_number + len(parsed.exercises),
                    id=exercise.id,
                    title=exercise.title,
                    blocks=tuple(exercise.blocks),
                )
                parsed.exercises.append(done)
                parsed.slots.append(done)
                index = len(parsed.slots) - 1
                out.extend(_html_block("exercise", index, exercise.out))
                exercise = None
            else:
                raise ExerciseSyntaxError(
                    "':::' closes no block",
                    line=number,
                    hint="every ':::' ends a block opened by '::: name' above it",
                )
            continue
        opened = _OPEN_RE.match(stripped)
        if opened and leaf is None:
            name, args = fold(opened[1]), opened[2].strip()
            if name == EXERCISE:
                if exercise is not None:
                    raise ExerciseSyntaxError(
                        "an exercise cannot start inside another exercise",
                        line=number,
                        hint=f"close the exercise opened on line {exercise.line} with ':::' first",
                    )
                title, ident = _title_and_id(args, number)
                ident = ident or f"{id_prefix}-tehtava-{first_number + len(parsed.exercises)}"
                exercise = _OpenExercise(title, ident, number)
                continue
            if name not in _PARSERS:
                raise ExerciseSyntaxError(
                    f"unknown block '::: {opened[1]}'",
                    line=number,
                    hint=f"blocks are {ALL_NAMES}",
                )
            if exercise is None and name != "muistiinpanot":
                raise ExerciseSyntaxError(
                    f"'::: {opened[1]}' outside an exercise",
                    line=number,
                    hint="put it inside '::: tehtävä Title' ... ':::'",
                )
            if exercise is not None and name == "muistiinpanot":
                raise ExerciseSyntaxError(
                    "a notes page cannot be inside an exercise",
                    line=number,
                    hint="close the exercise with ':::' and put '::: muistiinpanot' after it",
                )
            leaf = _Open(name, number, args)
            continue
        if opened and leaf is not None:
            raise ExerciseSyntaxError(
                f"'::: {opened[1]}' inside '::: {leaf.name}'",
                line=number,
                hint=f"close '::: {leaf.name}' (line {leaf.line}) with ':::' first",
            )
        if leaf is not None:
            leaf.body.append(line)
        elif exercise is not None:
            exercise.out.append(line)
        else:
            out.append(line)
    if leaf is not None:
        raise ExerciseSyntaxError(
            f"'::: {leaf.name}' is not closed",
            line=leaf.line,
            hint="end the block with a line ':::'",
        )
    if exercise is not None:
        raise ExerciseSyntaxError(
            "exercise is not closed",
            line=exercise.line,
            hint="end the exercise with a line ':::' after its last component",
        )
    parsed.text = "\n".join(out)
    return parsed


def _slot(parsed: Parsed, block: Block, leaf: _Open) -> list[str]:
    parsed.slots.append(block)
    index = len(parsed.slots) - 1
    if isinstance(block, FacilitatorNote):
        return _html_block(block.kind, index, leaf.body)
    return ["", f'<div class="wb-slot" data-slot="{index}" markdown="1"></div>', ""]


def _html_block(cls: str, slot: int, body: list[str]) -> list[str]:
    """A ``<div markdown="1">`` around *body*, for Python-Markdown's md_in_html."""
    return ["", f'<div class="{cls}" data-slot="{slot}" markdown="1">', "", *body, "", "</div>", ""]


def _title_and_id(args: str, line: int) -> tuple[str, str]:
    ident = ""
    if match := _ID_RE.search(args):
        ident = match[1]
        args = args[: match.start()]
    title = args.strip()
    if not title:
        raise ExerciseSyntaxError(
            "exercise has no title",
            line=line,
            hint="write '::: tehtävä Title of the exercise {#optional-id}'",
        )
    return title, ident


def _arguments(leaf: _Open, allowed: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
    """Positional words and ``key=value`` pairs of a block's first line."""
    try:
        words = shlex.split(leaf.args, posix=True)
    except ValueError as exc:
        raise ExerciseSyntaxError(
            f"'::: {leaf.name}': {exc}",
            line=leaf.line,
            hint='close the quotes: key="value with spaces"',
        ) from None
    positional, named = [], {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep:
            positional.append(word)
            continue
        key = fold(key)
        if key not in allowed:
            options = ", ".join(f"{k}=" for k in allowed) or "none"
            raise ExerciseSyntaxError(
                f"'::: {leaf.name}' has no parameter '{key}'",
                line=leaf.line,
                hint=f"parameters of {leaf.name}: {options}",
            )
        named[key] = value
    return positional, named


def _int(leaf: _Open, text: str, what: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ExerciseSyntaxError(
            f"'::: {leaf.name}': {what} must be a whole number from {low} to {high}, not '{text}'",
            line=leaf.line,
            hint=f"e.g. '::: {leaf.name} {min(max(low, 3), high)}'"
            if what == "line count"
            else f"e.g. {what}={min(max(low, 3), high)}",
        )
    return value


def _items(leaf: _Open) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """``- item`` lines and other non-empty lines, each with its line number."""
    items, others = [], []
    for offset, line in enumerate(leaf.body, start=1):
        if not line.strip():
            continue
        match = _ITEM_RE.match(line)
        if match:
            items.append((leaf.line + offset, match[1]))
        else:
            others.append((leaf.line + offset, line.strip()))
    return items, others


def _need_items(leaf: _Open, items: list, what: str, example: str) -> None:
    if not items:
        raise ExerciseSyntaxError(
            f"'::: {leaf.name}' has no {what}",
            line=leaf.line,
            hint=f"write one per line inside the block, e.g. '{example}'",
        )


def _no_others(leaf: _Open, others: list[tuple[int, str]], example: str) -> None:
    if others:
        line, text = others[0]
        raise ExerciseSyntaxError(
            f"'::: {leaf.name}': '{text[:40]}' is not a '- ' line",
            line=line,
            hint=f"start each line with '- ', e.g. '{example}'",
        )


def _split_labels(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


def _note(leaf: _Open) -> Block:
    _arguments(leaf, ())
    if not any(line.strip() for line in leaf.body):
        raise ExerciseSyntaxError(
            "'::: ohjaajalle' is empty", line=leaf.line, hint="write the note inside the block"
        )
    return FacilitatorNote()


def _write_in(leaf: _Open) -> Block:
    positional, named = _arguments(leaf, ("korkeus",))
    if "korkeus" in named:
        text = named["korkeus"].removesuffix("mm").strip()
        height = _int(leaf, text, "korkeus (mm)", 9, MAX_LINES * 9)
        lines = max(1, round(height / LINE_SPACING_MM))
    elif positional:
        lines = _int(leaf, positional[0], "line count", 1, MAX_LINES)
    else:
        raise ExerciseSyntaxError(
            "'::: rivit' needs a line count",
            line=leaf.line,
            hint="e.g. '::: rivit 4' or '::: rivit korkeus=40mm'",
        )
    prompt = " ".join(line.strip() for line in leaf.body if line.strip())
    return WriteIn(lines=lines, prompt=prompt)


def _checklist(leaf: _Open) -> Block:
    _, named = _arguments(leaf, ("sarake",))
    groups: list[ChecklistGroup] = []
    title, current = "", []
    for offset, line in enumerate(leaf.body, start=1):
        if not line.strip():
            continue
        match = _ITEM_RE.match(line)
        if match:
            current.append(match[1])
            continue
        if current or title:
            if not current:
                raise ExerciseSyntaxError(
                    f"checklist group '{title}' has no items",
                    line=leaf.line + offset - 1,
                    hint="put '- item' lines under each group title",
                )
            groups.append(ChecklistGroup(title, tuple(current)))
        title, current = line.strip(), []
    if current:
        groups.append(ChecklistGroup(title, tuple(current)))
    elif title:
        raise ExerciseSyntaxError(
            f"checklist group '{title}' has no items",
            line=leaf.line,
            hint="put '- item' lines under each group title",
        )
    _need_items(leaf, groups, "items", "- asiakkaiden tarpeiden tunnistaminen")
    return Checklist(groups=tuple(groups), count=named.get("sarake", ""))


def _scale(leaf: _Open) -> Block:
    positional, named = _arguments(leaf, ("alku", "loppu", "otsikko"))
    labels: tuple[str, ...] = ()
    if positional:
        spec = " ".join(positional)
        if match := _RANGE_RE.match(spec):
            low, high = int(match[1]), int(match[2])
            if not 0 <= low < high <= low + 10:
                raise ExerciseSyntaxError(
                    f"'::: asteikko {spec}': a scale runs upwards over 2 to 11 steps",
                    line=leaf.line,
                    hint="e.g. '::: asteikko 1-5'",
                )
            labels = tuple(str(n) for n in range(low, high + 1))
        else:
            labels = _split_labels(spec)
    if len(labels) < 2:
        raise ExerciseSyntaxError(
            "'::: asteikko' needs a scale: at least two labels",
            line=leaf.line,
            hint="e.g. '::: asteikko 1-5 alku=heikko loppu=erinomainen' "
            "or '::: asteikko \"Ei koskaan | Joskus | Usein\"'",
        )
    items, others = _items(leaf)
    _no_others(leaf, others, "- Asiakastyytyväisyys")
    _need_items(leaf, items, "statements", "- Asiakastyytyväisyys")
    return RatingScale(
        labels=labels,
        statements=tuple(text for _, text in items),
        low=named.get("alku", ""),
        high=named.get("loppu", ""),
        heading=named.get("otsikko", "Väittämä"),
    )


def _line(leaf: _Open) -> Block:
    _, named = _arguments(leaf, ("kohdat", "merkit"))
    points = _int(leaf, named.get("kohdat", "7"), "kohdat", 3, 11)
    marks = _split_labels(named.get("merkit", "Nyt"))
    if not 1 <= len(marks) <= 2:
        raise ExerciseSyntaxError(
            f"'::: jana': merkit names one or two marks, not {len(marks)}",
            line=leaf.line,
            hint='e.g. merkit="Nyt | Tavoite"',
        )
    rows = []
    for offset, line in enumerate(leaf.body, start=1):
        if not line.strip():
            continue
        text = _ITEM_RE.match(line)[1] if _ITEM_RE.match(line) else line.strip()
        ends = _split_labels(text)
        if len(ends) != 2:
            raise ExerciseSyntaxError(
                "a line of '::: jana' needs its two ends, 'start | end'",
                line=leaf.line + offset,
                hint="e.g. 'Tieto kulkee sattumanvaraisesti. | Tieto kulkee ajoissa kaikille.'",
            )
        rows.append((ends[0], ends[1]))
    _need_items(leaf, rows, "lines", "alkupää | loppupää")
    return LinePlacement(rows=tuple(rows), points=points, marks=marks)


def _analysis(leaf: _Open) -> Block:
    _, named = _arguments(leaf, ("sarakkeet", "rivit", "otsikko"))
    columns = _split_labels(named.get("sarakkeet", "Vahvuudet (+) | Heikkoudet (–)"))
    if len(columns) != 2:
        raise ExerciseSyntaxError(
            f"'::: analyysi' has two columns, not {len(columns)}",
            line=leaf.line,
            hint='e.g. sarakkeet="Tukee (+) | Haittaa (–)"',
        )
    lines = _int(leaf, named.get("rivit", "3"), "rivit", 1, 12)
    items, others = _items(leaf)
    _no_others(leaf, others, "- Aineiston valinta")
    _need_items(leaf, items, "rows", "- Aineiston valinta")
    return Analysis(
        rows=tuple(text for _, text in items),
        columns=(columns[0], columns[1]),
        lines=lines,
        heading=named.get("otsikko", "Vaihe"),
    )


def _notes(leaf: _Open) -> Block:
    _, named = _arguments(leaf, ("tyyli",))
    style = named.get("tyyli", "viivat")
    if style not in ("viivat", "pisteet"):
        raise ExerciseSyntaxError(
            f"'::: muistiinpanot': tyyli is viivat or pisteet, not '{style}'",
            line=leaf.line,
            hint="e.g. '::: muistiinpanot tyyli=pisteet'",
        )
    title = " ".join(line.strip() for line in leaf.body if line.strip()) or "Muistiinpanoja"
    return NotesPage(title=title, style=style)  # type: ignore[arg-type]


_PARSERS = {
    NOTE: _note,
    "rivit": _write_in,
    "tarkistuslista": _checklist,
    "asteikko": _scale,
    "jana": _line,
    "analyysi": _analysis,
    "muistiinpanot": _notes,
}


def _component(leaf: _Open) -> Block:
    """The typed component of a closed block (raises on bad parameters)."""
    return _PARSERS[leaf.name](leaf)
