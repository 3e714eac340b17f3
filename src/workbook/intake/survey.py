"""Stage 2c: survey results as data: CSV files described by a manifest.

``data/kyselyt.toml`` (named by ``data.manifest`` in publication.toml) has one
table per data set::

    [asiakkaat-vaittamat]
    file = "asiakkaat-vaittamat.csv"
    kind = "likert"                      # likert | choice
    title = "Asiakkaiden arviot asiakaspalvelusta"
    scale = ["Täysin samaa mieltä", ..., "Täysin eri mieltä"]
    source = "Asiakaskysely 2018"

A Likert CSV has the columns ``tunnus`` (row key), ``kysymys`` (statement),
optionally ``ryhmä`` (group), one column per scale label with the number of
answers, and optionally ``n``. A choice CSV has ``tunnus``, ``vaihtoehto``,
optionally ``ryhmä``, and ``valinnat`` (how many chose it); the manifest gives
the respondents ``n``. Percentages are computed from counts and never typed;
a file that does give percentages (``45 %``) must give ``n`` and add up to 100.

UTF-8 (with or without BOM) is read as such; a Windows-1252 or
semicolon-separated Excel export is recognised. Counts are read the Finnish
way with Babel: ``1 412`` with a no-break space (as Excel writes it), a narrow
no-break space or a plain space between the digit groups. Every problem is an
error naming the file and line.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from pathlib import Path

from babel.numbers import NumberFormatError, parse_decimal
from pydantic import BaseModel, ConfigDict, Field

from workbook.config.files import read_bytes
from workbook.config.publication import Project, toml_key_line
from workbook.errors import Collector, WorkbookError
from workbook.intake.manifests import ID_RE, RawManifest, Registry, read_manifest, validate_entry

_PERCENT_RE = re.compile(r"^(\d+(?:[.,]\d+)?)\s*%$")
_GROUPS_RE = re.compile(r"(?<=\d)[ \u202f](?=\d{3}(?!\d))")  # a space between digit groups
DATA_LIMIT = 16 * 1024 * 1024  # bytes: a survey export is a table of counts
LOCALE = "fi_FI"
KEY_COLUMN = "tunnus"
GROUP_COLUMN = "ryhmä"
N_COLUMN = "n"
LABEL_COLUMNS = {"likert": "kysymys", "choice": "vaihtoehto"}
CHOICE_COUNT = "valinnat"
PERCENT_TOLERANCE = Fraction(3, 2)  # typed percentages may miss 100 by rounding


class Kind(StrEnum):
    """What a data set is, which decides its table and chart."""

    LIKERT = "likert"  # statements rated on a scale: 100 % stacked bars
    CHOICE = "choice"  # options chosen by respondents: horizontal bars


class Entry(BaseModel):
    """One data set as the manifest declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    file: str = Field(min_length=1)
    kind: Kind
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    year: int | None = Field(default=None, ge=1900, le=2100)
    note: str = ""
    scale: list[str] = []  # likert: the answer labels in order, most positive first
    agree: int | None = Field(default=None, ge=1)  # likert: leading steps meaning agreement
    agree_label: str = "samaa mieltä"
    disagree_label: str = "eri mieltä"
    # choice: respondents, one number or one per group
    n: int | dict[str, int] | None = None
    multiple: bool = True  # choice: may a respondent choose several options?
    label_header: str = ""  # table's first column header (default by kind)


@dataclass(frozen=True)
class Row:
    """One statement (Likert) or option (choice), maybe for one group."""

    key: str
    label: str
    group: str
    counts: tuple[Fraction, ...]  # per scale step (Likert) or one value (choice)
    n: int
    line: int

    def share(self, index: int = 0) -> Fraction:
        """Share of answers in scale step *index* (choice: of respondents)."""
        return self.counts[index] / self.n if self.n else Fraction(0)


@dataclass(frozen=True)
class Dataset:
    """A validated data set, ready for tables, charts and numbers in the text."""

    id: str
    entry: Entry
    path: Path
    manifest: Path
    line: int | None
    scale: tuple[str, ...]  # Likert steps; for choice the single count column
    rows: tuple[Row, ...]
    encoding: str = "utf-8"
    delimiter: str = ","
    groups: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> Kind:
        """Likert or choice."""
        return self.entry.kind

    @property
    def agree_steps(self) -> int:
        """How many leading scale steps mean agreement."""
        return self.entry.agree or len(self.scale) // 2

    @property
    def n(self) -> int:
        """Respondents: the largest n of any row (rows may have fewer answers)."""
        return max((row.n for row in self.rows), default=0)

    def respondents(self) -> dict[str, int]:
        """n per group (the empty group when there are no groups)."""
        found: dict[str, int] = {}
        for row in self.rows:
            found[row.group] = max(found.get(row.group, 0), row.n)
        return found

    def row_keys(self) -> list[str]:
        """Row keys in file order, each once."""
        return list(dict.fromkeys(row.key for row in self.rows))

    def row(self, key: str, group: str = "") -> Row | None:
        """The row with *key* (in *group*, or the first group)."""
        for row in self.rows:
            if row.key == key and (not group or row.group.lower() == group.lower()):
                return row
        return None

    def agree_share(self, row: Row) -> Fraction:
        """Share agreeing (the leading ``agree`` steps together)."""
        return sum((row.share(i) for i in range(self.agree_steps)), Fraction(0))

    def disagree_share(self, row: Row) -> Fraction:
        """Share disagreeing (the trailing ``agree`` steps together)."""
        steps = range(len(self.scale) - self.agree_steps, len(self.scale))
        return sum((row.share(i) for i in steps), Fraction(0))

    def value(self, key: str, answer: str = "") -> Fraction | int | None:
        """A number for the text: a row's share of *answer*, or ``n``.

        *answer* may be a scale label, the agree/disagree label, ``n``, or a
        group name (choice); empty means agreement (Likert) or the share (choice).
        """
        answer_l = answer.strip().lower()
        if key == N_COLUMN and not answer_l:
            return self.n
        if self.kind is Kind.CHOICE:
            row = self.row(key, answer if answer_l and answer_l != N_COLUMN else "")
            if row is None:
                return None
            return row.n if answer_l == N_COLUMN else row.share()
        row = self.row(key)
        if row is None:
            return None
        if answer_l in ("", self.entry.agree_label.lower()):
            return self.agree_share(row)
        if answer_l == self.entry.disagree_label.lower():
            return self.disagree_share(row)
        if answer_l == N_COLUMN:
            return row.n
        for index, label in enumerate(self.scale):
            if label.lower() == answer_l:
                return row.share(index)
        return None

    def answers(self) -> list[str]:
        """Names :meth:`value` accepts as *answer* (for hints)."""
        if self.kind is Kind.CHOICE:
            return [*self.groups, N_COLUMN]
        return [self.entry.agree_label, self.entry.disagree_label, *self.scale, N_COLUMN]


Surveys = Registry[Dataset]
"""All data sets of the publication, by id."""

NO_SURVEYS: Surveys = Registry(None, {})


def load_surveys(project: Project, errors: Collector | None = None) -> Surveys:
    """Read and validate the data manifest and every CSV file it names.

    With *errors*, a bad data set is kept there and left out, so the others are
    still checked.
    """
    path = project.data_manifest_path
    if path is None:
        return NO_SURVEYS
    manifest = read_manifest(
        path,
        "data manifest",
        "data.manifest",
        "each data set is a table: [id] followed by file = ..., kind = ...",
        project.allowed,
    )
    items = {}
    for ident, raw, line in manifest.entries("data set"):
        with errors.attempt() if errors is not None else contextlib.nullcontext():
            entry = _entry(ident, raw, manifest)
            file_line = manifest.line(ident, "file") or line
            items[ident] = _load_csv(ident, entry, path, line, project.allowed, file_line)
    return Surveys(path, items)


def _entry(ident: str, raw: dict, manifest: RawManifest) -> Entry:
    entry = validate_entry(
        Entry, manifest, ident, raw, "data set", hints={"kind": "kind is likert or choice"}
    )
    path, text = manifest.path, manifest.text
    line = toml_key_line(text, [ident])
    if entry.kind is Kind.CHOICE and entry.n is None:
        raise WorkbookError(
            f"choice data set '{ident}' has no respondent count n",
            path=path,
            line=line,
            hint="add n = 468 (or n = { Asiakkaat = 468, Henkilöstö = 152 } per group)",
        )
    if entry.kind is Kind.LIKERT and entry.n is not None:
        raise WorkbookError(
            f"n of Likert data set '{ident}' comes from its answers",
            path=path,
            line=toml_key_line(text, [ident, "n"]),
            hint="remove n; give an n column in the CSV if some answers are missing",
        )
    return entry


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text of a CSV file and its encoding: UTF-8 (BOM allowed) or Windows-1252."""
    if not data.strip():
        raise WorkbookError(
            "data file is empty", path=path, hint="export the results again (CSV, UTF-8)"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:200]:
        raise WorkbookError(
            "data file is UTF-16 (Excel 'Unicode text', in Finnish Excel 'Unicode-teksti')",
            path=path,
            hint="save it from Excel as 'CSV UTF-8 (comma delimited)', in Finnish Excel "
            "'CSV UTF-8 (luetteloerotin)'",
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise WorkbookError(
            "data file is neither UTF-8 nor Windows-1252 text",
            path=path,
            line=line,
            hint="save it as 'CSV UTF-8'",
        ) from None


def sniff_delimiter(header: str) -> str:
    """Comma, semicolon (Finnish Excel) or tab, by what the header line uses most."""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _load_csv(
    ident: str,
    entry: Entry,
    manifest: Path,
    line: int | None,
    roots: tuple[Path, ...] = (),
    file_line: int | None = None,
) -> Dataset:
    named = manifest.parent / entry.file
    path = named.resolve()
    try:
        raw = read_bytes(
            named,
            what=f"data file '{entry.file}' of data set '{ident}'",
            roots=roots,
            where=manifest,
            line=file_line or line,
            limit=DATA_LIMIT,
        )
    except FileNotFoundError:
        raise WorkbookError(
            f"data file '{entry.file}' of data set '{ident}' not found",
            path=manifest,
            line=line,
            hint="the file name is relative to the manifest",
        ) from None
    text, encoding = decode(raw, path)
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise WorkbookError("data file is empty", path=path, hint="export it again") from None
    label_column = LABEL_COLUMNS[entry.kind.value]
    lower = [h.lower() for h in header]
    for required in (KEY_COLUMN, label_column):
        if required not in lower:
            raise WorkbookError(
                f"column '{required}' is missing",
                path=path,
                line=1,
                hint=f"the first line names the columns: {KEY_COLUMN}, {label_column}, ...",
            )
    fixed = {KEY_COLUMN, label_column, GROUP_COLUMN, N_COLUMN}
    answer_columns = [i for i, h in enumerate(lower) if h not in fixed and h]
    if entry.kind is Kind.CHOICE:
        scale = _choice_columns(header, answer_columns, path)
    else:
        scale = _likert_columns(header, answer_columns, entry, path)
    rows = []
    column = {h: i for i, h in enumerate(lower)}
    respondents = entry.n
    for values in reader:
        number = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise WorkbookError(
                f"row has {len(values)} fields, the header has {len(header)}",
                path=path,
                line=number,
                hint=f"check for a stray '{delimiter}' or a missing value",
            )
        cell = {h: values[i].strip() for h, i in column.items()}
        key = cell[KEY_COLUMN]
        if not ID_RE.match(key):
            raise WorkbookError(
                f"row key '{key}' is not allowed",
                path=path,
                line=number,
                hint="tunnus is lowercase letters, digits and hyphens, e.g. automaatit",
            )
        group = cell.get(GROUP_COLUMN, "")
        cells = [values[i].strip() for i in answer_columns]
        row_n = _int_cell(cell[N_COLUMN], "n", path, number) if cell.get(N_COLUMN) else None
        if entry.kind is Kind.CHOICE:
            row_n = _choice_n(respondents, group, path, number, manifest)
        counts = _counts(cells, scale, row_n, path, number)
        total = sum(counts, Fraction(0))
        if entry.kind is Kind.LIKERT:
            if row_n is not None and total != row_n:
                raise WorkbookError(
                    f"answers add up to {total} but n is {row_n}",
                    path=path,
                    line=number,
                    hint="fix a count or n; n is the number who answered this statement",
                )
            row_n = int(total)
        elif counts[0] > row_n:  # type: ignore[operator]
            raise WorkbookError(
                f"{counts[0]} chose '{cell[label_column]}' but only {row_n} answered",
                path=path,
                line=number,
                hint="check the count and the data set's n",
            )
        rows.append(Row(key, cell[label_column], group, tuple(counts), int(row_n), number))
    if not rows:
        raise WorkbookError(
            "data file has a header but no rows",
            path=path,
            line=1,
            hint="export the results again; one row per statement or option",
        )
    groups = tuple(dict.fromkeys(r.group for r in rows if r.group))
    _check_unique(rows, path)
    if entry.kind is Kind.CHOICE and not entry.multiple:
        _check_single_choice(rows, groups, path)
    return Dataset(
        ident, entry, path, manifest, line, scale, tuple(rows), encoding, delimiter, groups
    )


def _likert_columns(
    header: list[str], answer_columns: list[int], entry: Entry, path: Path
) -> tuple[str, ...]:
    names = [header[i] for i in answer_columns]
    if not entry.scale:
        if len(names) < 2:
            raise WorkbookError(
                "a Likert data set needs at least two answer columns",
                path=path,
                line=1,
                hint="one column per scale step, e.g. Täysin samaa mieltä, ...",
            )
        return tuple(names)
    for name in names:
        if name not in entry.scale:
            close = difflib.get_close_matches(name, entry.scale, n=1)
            raise WorkbookError(
                f"unknown scale label '{name}'",
                path=path,
                line=1,
                hint=f"did you mean '{close[0]}'?" if close else "scale: " + ", ".join(entry.scale),
            )
    missing = [label for label in entry.scale if label not in names]
    if missing:
        raise WorkbookError(
            f"scale label '{missing[0]}' has no column",
            path=path,
            line=1,
            hint="every step of the manifest's scale needs a column (0 answers is fine)",
        )
    if names != list(entry.scale):
        raise WorkbookError(
            "answer columns are not in the order of the scale",
            path=path,
            line=1,
            hint="order: " + ", ".join(entry.scale),
        )
    return tuple(entry.scale)


def _choice_columns(header: list[str], answer_columns: list[int], path: Path) -> tuple[str, ...]:
    names = [header[i] for i in answer_columns]
    if [n.lower() for n in names] != [CHOICE_COUNT]:
        raise WorkbookError(
            f"a choice data set has one count column '{CHOICE_COUNT}'",
            path=path,
            line=1,
            hint=f"columns: {KEY_COLUMN}, vaihtoehto, [{GROUP_COLUMN},] {CHOICE_COUNT}",
        )
    return (CHOICE_COUNT,)


def _choice_n(
    respondents: int | dict[str, int] | None, group: str, path: Path, line: int, manifest: Path
) -> int:
    if isinstance(respondents, dict):
        if group not in respondents:
            raise WorkbookError(
                f"group '{group}' has no n in the manifest",
                path=path,
                line=line,
                hint=f"add it to n = {{ ... }} in {manifest.name}",
            )
        return respondents[group]
    return int(respondents or 0)


def parse_count(value: str) -> int | None:
    """A count written the Finnish way (``1 412``, ``1412``), or None when it is no
    whole number. Digit groups may be parted by a no-break, narrow no-break or
    plain space; Babel reads the result with the Finnish locale's rules."""
    text = _GROUPS_RE.sub("\u00a0", value.strip())
    try:
        number = parse_decimal(text, locale=LOCALE, strict=True)
    except (NumberFormatError, ValueError):
        return None
    if number != number.to_integral_value() or not text.lstrip("-").replace("\u00a0", "").isdigit():
        return None
    return int(number)


def _int_cell(value: str, what: str, path: Path, line: int) -> int:
    number = parse_count(value)
    if number is None:
        raise WorkbookError(
            f"{what} '{value}' is not a whole number",
            path=path,
            line=line,
            hint="counts are numbers of people: 0, 1, 2 ... (thousands may be parted by "
            "a space: 1 412)",
        )
    if number < 0:
        raise WorkbookError(
            f"negative {what} {number}",
            path=path,
            line=line,
            hint="counts are numbers of people; a blank or minus sign slipped in",
        )
    return number


def _counts(
    cells: list[str], scale: tuple[str, ...], n: int | None, path: Path, line: int
) -> list[Fraction]:
    percents = [_PERCENT_RE.match(c) for c in cells]
    if any(percents):
        if not all(percents):
            raise WorkbookError(
                "row mixes percentages and counts", path=path, line=line, hint="use counts"
            )
        if n is None:
            raise WorkbookError(
                "percentages without n",
                path=path,
                line=line,
                hint="give counts, or an n column so counts can be computed",
            )
        values = [Fraction(m[1].replace(",", ".")) for m in percents if m]
        total = sum(values, Fraction(0))
        if len(scale) > 1 and abs(total - 100) > PERCENT_TOLERANCE:
            raise WorkbookError(
                f"percentages add up to {float(total):g} %, not 100 %",
                path=path,
                line=line,
                hint="check the row; better still, give the counts",
            )
        return [v / 100 * n for v in values] if len(scale) == 1 else [v / total * n for v in values]
    return [
        Fraction(_int_cell(c, f"count for '{s}'", path, line))
        for c, s in zip(cells, scale, strict=True)
    ]


def _check_unique(rows: list[Row], path: Path) -> None:
    seen: set[tuple[str, str]] = set()
    for row in rows:
        if (row.key, row.group) in seen:
            raise WorkbookError(
                f"row key '{row.key}' appears twice"
                + (f" in group '{row.group}'" if row.group else ""),
                path=path,
                line=row.line,
                hint="each row needs its own tunnus",
            )
        seen.add((row.key, row.group))


def _check_single_choice(rows: list[Row], groups: tuple[str, ...], path: Path) -> None:
    for group in groups or ("",):
        members = [r for r in rows if r.group == group]
        total = sum((r.counts[0] for r in members), Fraction(0))
        if members and total != members[0].n:
            raise WorkbookError(
                f"choices add up to {total}, not n = {members[0].n}"
                + (f" in group '{group}'" if group else ""),
                path=path,
                line=members[-1].line,
                hint="each respondent chose one option (multiple = false): fix a count or n",
            )
