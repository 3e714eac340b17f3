"""Survey data in chapters: numbered tables, charts, the list of both, numbers in text.

Markdown (each block on a line of its own):

- ``![[taulukko:id]]`` the data set as a numbered table ("Taulukko 3");
- ``![[kuvio:id]]`` the data set as a numbered chart ("Kuvio 2"), an image
  ``chart:<id>`` that each edition draws in its own colours;
- ``![[kuvioiden-taulukot]]`` tables of every charted data set that has no
  table of its own elsewhere (so a chart's numbers are always reachable);
- ``![[kuvioluettelo]]`` the list of figures and tables with their pages;
- inline ``[[=id:tunnus]]`` or ``[[=id:tunnus:vastaus]]`` a number from the
  data, e.g. "88 %", so text, tables and charts agree by construction.

Numbers are given in reading order by :func:`number_blocks` before any chapter
is converted, so a chart can name its table wherever that is. Every text that
comes from a data file or manifest is :func:`literal`: escaped, never markup.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

from workbook.html.charts import Colours, describe, render_chart
from workbook.intake.survey import Dataset, Kind, Surveys
from workbook.markup.numbers import (
    COLUMN_ROUNDING_NOTE,
    NARROW_ROUNDING_NOTE,
    NBSP,
    PLAIN_ROUNDING_NOTE,
    fi_int,
    fi_percent,
)

BLOCK_RE = re.compile(
    r"^!\[\[(kuvio|taulukko):([^\]\s]+)\]\]\s*$"
    r"|^!\[\[(kuvioiden-taulukot|kuvioluettelo)\]\]\s*$"
)
VALUE_RE = r"\[\[=([a-z0-9-]+):([a-z0-9-]+)(?::([^\]]+))?\]\]"
CHART_SCHEME = "chart:"
LIST = "kuvioluettelo"
KEEP_TOGETHER_ROWS = 12
APPENDIX = "kuvioiden-taulukot"
PT_PER_MM = 72 / 25.4


def literal(text: str) -> AtomicString:
    """Text from a data file or a manifest, printed as it is: never read as Markdown or
    HTML (the serializer escapes ``<`` and ``&``), so a respondent's ``<b>`` prints as
    typed in the table, as it does in the chart."""
    return AtomicString(text)


def chart_id(ident: str) -> str:
    """HTML id of a data set's chart."""
    return f"kuvio-{ident}"


def table_id(ident: str) -> str:
    """HTML id of a data set's table."""
    return f"taulukko-{ident}"


@dataclass(frozen=True)
class Numbering:
    """Numbers of charts and tables in reading order, and the appendix's data sets."""

    charts: dict[str, int] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    appendix: tuple[str, ...] = ()
    order: tuple[tuple[str, str], ...] = ()  # ("kuvio" | "taulukko", id) in book order


NO_NUMBERS = Numbering()


def number_blocks(bodies: Iterable[str], surveys: Surveys) -> Numbering:
    """Number every chart and table block of the chapters *bodies*, in order."""
    blocks = []
    for body in bodies:
        for line in body.splitlines():
            if match := BLOCK_RE.match(line.strip()):
                blocks.append((match[1] or match[3], match[2] or ""))
    placed_tables = {ident for kind, ident in blocks if kind == "taulukko"}
    appendix = tuple(
        dict.fromkeys(
            ident
            for kind, ident in blocks
            if kind == "kuvio" and ident not in placed_tables and ident in surveys
        )
    )
    charts: dict[str, int] = {}
    tables: dict[str, int] = {}
    order: list[tuple[str, str]] = []
    for kind, ident in blocks:
        if kind == "kuvio" and ident not in charts:
            charts[ident] = len(charts) + 1
            order.append(("kuvio", ident))
        elif kind == "taulukko" and ident not in tables:
            tables[ident] = len(tables) + 1
            order.append(("taulukko", ident))
        elif kind == "kuvioiden-taulukot":
            for ident_ in appendix:
                if ident_ not in tables:
                    tables[ident_] = len(tables) + 1
                    order.append(("taulukko", ident_))
    return Numbering(charts, tables, appendix, tuple(order))


def chart_size(dataset: Dataset, width_mm: float) -> tuple[float, float]:
    """Width and height (pt) of a data set's chart drawn *width_mm* wide."""
    chart = render_chart(dataset, width_mm * PT_PER_MM, Colours.neutral())
    return chart.width, chart.height


def _source_text(dataset: Dataset) -> str:
    entry = dataset.entry
    parts = [f"Lähde: {entry.source}."]
    if entry.note:
        parts.append(entry.note if entry.note.endswith(".") else entry.note + ".")
    return " ".join(parts)


def _n_text(dataset: Dataset) -> str:
    """The respondents: per group, or once when every group has the same number."""
    respondents = dataset.respondents()
    counts = {respondents[g] for g in dataset.groups}
    if dataset.groups and len(counts) > 1:
        return ", ".join(f"{g} n{NBSP}={NBSP}{fi_int(respondents[g])}" for g in dataset.groups)
    n = counts.pop() if counts else dataset.n
    return f"n{NBSP}={NBSP}{fi_int(n)}"


def build_chart(parent: etree.Element, dataset: Dataset, numbers: Numbering, width_mm: float):
    """Append the numbered chart figure of *dataset* to *parent*."""
    number = numbers.charts.get(dataset.id, 0)
    width, height = chart_size(dataset, width_mm)
    figure = etree.SubElement(
        parent,
        "figure",
        {
            "class": "chart",
            "id": chart_id(dataset.id),
            "data-id": dataset.id,
            "data-float": chart_id(dataset.id),  # may move to fill a page (render.makeup)
        },
    )
    etree.SubElement(
        figure,
        "img",
        {
            "src": CHART_SCHEME + dataset.id,
            "alt": describe(dataset),
            "style": f"width: {width:g}pt; height: {height:g}pt",
        },
    )
    caption = etree.SubElement(figure, "figcaption")
    label = etree.SubElement(caption, "span", {"class": "label"})
    label.text = literal(f"Kuvio{NBSP}{number}.")
    label.tail = literal(
        f" {dataset.entry.title} (%, {_n_text(dataset)}). {_source_text(dataset)} "
    )
    table = numbers.tables.get(dataset.id)
    if table is not None:
        # No page number here: a forward "s. N" inside a caption can change the
        # caption's line count on WeasyPrint's second pass and shift the pages
        # after it. The list of figures and tables gives every page.
        link = etree.SubElement(caption, "a", {"href": f"#{table_id(dataset.id)}"})
        link.text = literal(f"Luvut: taulukko{NBSP}{table}")
        link.tail = literal(".")
    return figure


def build_table(parent: etree.Element, dataset: Dataset, numbers: Numbering) -> etree.Element:
    """Append the numbered table of *dataset* (with its source note) to *parent*."""
    number = numbers.tables.get(dataset.id, 0)
    # A short table is kept on one page; a long one may break, its header repeated.
    rows = len(dataset.row_keys()) if dataset.kind is Kind.CHOICE else len(dataset.rows)
    keep = " keep" if rows <= KEEP_TOGETHER_ROWS else ""
    columns = 1 + (
        len(dataset.scale) + 1 if dataset.kind is Kind.LIKERT else len(dataset.groups) or 2
    )
    attrs = {"class": f"data-table columns-{min(columns, 8)}{keep}"}
    if keep:
        attrs["data-float"] = table_id(dataset.id)  # may move to fill a page (render.makeup)
    block = etree.SubElement(parent, "div", attrs)
    table = etree.SubElement(block, "table", {"id": table_id(dataset.id), "data-id": dataset.id})
    caption = etree.SubElement(table, "caption")
    label = etree.SubElement(caption, "span", {"class": "label"})
    label.text = literal(f"Taulukko{NBSP}{number}.")
    label.tail = literal(f" {dataset.entry.title} ({_n_text(dataset)})")
    thead = etree.SubElement(etree.SubElement(table, "thead"), "tr")
    tbody = etree.SubElement(table, "tbody")
    first = dataset.entry.label_header or ("Väittämä" if dataset.kind is Kind.LIKERT else "Vastaus")

    def head(text: str, numeric: bool = True) -> None:
        th = etree.SubElement(thead, "th", {"scope": "col"})
        if numeric:
            th.set("class", "num")
        th.text = literal(text)

    head(first, numeric=False)
    if dataset.kind is Kind.LIKERT:
        for label_text in dataset.scale:
            head(label_text)
        head("n")
        for row in dataset.rows:
            cells = [fi_percent(row.share(i)) for i in range(len(dataset.scale))]
            label_text = row.label + (f" ({row.group})" if row.group else "")
            _body_row(tbody, label_text, [*cells, fi_int(row.n)])
    elif dataset.groups:
        for group in dataset.groups:
            head(group)
        for key in dataset.row_keys():
            rows = [dataset.row(key, g) for g in dataset.groups]
            label_text = next(r.label for r in rows if r is not None)
            _body_row(tbody, label_text, [fi_percent(r.share()) if r else "–" for r in rows])
    else:
        head("Osuus vastaajista")
        head("Vastauksia")
        for row in dataset.rows:
            _body_row(tbody, row.label, [fi_percent(row.share()), fi_int(int(row.counts[0]))])
    note = etree.SubElement(block, "p", {"class": "data-note"})
    note.text = literal(f"{_source_text(dataset)} {rounding_note(dataset)}")
    return block


def rounding_note(dataset: Dataset) -> str:
    """What the rounding does to the sums this table shows: a row's (scales), the
    column's (one answer each), or none to speak of (several answers each)."""
    if dataset.kind is Kind.LIKERT:
        return NARROW_ROUNDING_NOTE
    if dataset.entry.multiple:
        return PLAIN_ROUNDING_NOTE
    return COLUMN_ROUNDING_NOTE


def _body_row(tbody: etree.Element, label: str, cells: list[str]) -> None:
    tr = etree.SubElement(tbody, "tr")
    th = etree.SubElement(tr, "th", {"scope": "row"})
    th.text = literal(label)
    for value in cells:
        td = etree.SubElement(tr, "td", {"class": "num"})
        td.text = literal(value)


def build_list(parent: etree.Element, surveys: Surveys, numbers: Numbering) -> etree.Element:
    """Append the lists of figures and of tables (with page numbers) to *parent*."""
    block = etree.SubElement(parent, "div", {"class": "figure-lists"})
    for kind, heading, ids, anchor in (
        ("kuvio", "Kuviot", numbers.charts, chart_id),
        ("taulukko", "Taulukot", numbers.tables, table_id),
    ):
        present = sorted((n, i) for i, n in ids.items() if i in surveys)
        if not present:
            continue
        title = etree.SubElement(block, "p", {"class": "figure-list-heading"})
        title.text = literal(heading)
        listing = etree.SubElement(block, "ol", {"class": "figure-list"})
        for number, ident in present:
            link = etree.SubElement(
                etree.SubElement(listing, "li"), "a", {"href": f"#{anchor(ident)}"}
            )
            label = etree.SubElement(link, "span", {"class": "label"})
            label.text = literal(f"{kind.capitalize()}{NBSP}{number}.")
            label.tail = literal(f" {surveys[ident].entry.title}")
    return block


@dataclass(frozen=True)
class ValueRef:
    """An inline number reference as written, for validation with its line."""

    text: str
    dataset: str
    key: str
    answer: str


class ValuePattern(InlineProcessor):
    """``[[=id:tunnus(:vastaus)]]`` -> the number from the data, Finnish style."""

    def __init__(self, pattern: str, md, surveys: Surveys, refs: list[ValueRef]) -> None:
        super().__init__(pattern, md)
        self.surveys = surveys
        self.refs = refs

    def handleMatch(self, m: re.Match[str], data: str):
        ref = ValueRef(m[0], m[1], m[2], m[3] or "")
        self.refs.append(ref)
        span = etree.Element("span", {"class": "data-value"})
        value = lookup(self.surveys, ref)
        span.text = literal(format_value(value) if value is not None else m[0])
        return span, m.start(0), m.end(0)


def lookup(surveys: Surveys, ref: ValueRef) -> Fraction | int | None:
    """The value a reference names, or None when it names nothing."""
    if ref.dataset not in surveys:
        return None
    return surveys[ref.dataset].value(ref.key, ref.answer)


def format_value(value: Fraction | int) -> str:
    """A share as "88 %", a count as "1 234"."""
    return fi_int(value) if isinstance(value, int) else fi_percent(value)
