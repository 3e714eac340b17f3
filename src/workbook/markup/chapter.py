"""Stage 3: one chapter's Markdown to an HTML fragment, with what the book model needs.

Python-Markdown with the extensions a book needs (tables, footnotes, attribute
lists, definition lists, Markdown inside HTML blocks) plus the book's own:

- ``[[#id]]`` is a page reference, rendered as "s. 12" with the real page;
  ``[[kuvio:id]]`` and ``[[taulukko:id]]`` refer to a chart or table by number
  and page ("kuvio 3, s. 23");
- ``![[id]]`` on a line of its own places an illustration of the manifest,
  ``![[kuvio:id]]`` / ``![[taulukko:id]]`` survey data, and ``[[=id:tunnus]]``
  a number from the data;
- footnotes become inline ``<span class="footnote">`` so the PDF puts them at
  the foot of the page (CSS ``float: footnote``);
- ``[words]{lang=en}`` marks words in another language (so does ``{lang=en}``
  after ``*emphasis*``, a link or a paragraph, through ``attr_list``); they are
  not hyphenated as Finnish, and the e-version's tag tree gives them ``/Lang``;
- headings without an explicit ``{#id}`` get a stable ASCII id;
- bare web and e-mail addresses become links that break only after ``/`` and
  ``.``, never with a hyphen;
- running text gets Finnish typography and soft hyphens.

Every block carries its chapter line (``data-src``, :mod:`workbook.markup.lines`).
What the book cannot print is refused here, before rendering, naming the
line (:attr:`Markup.problems`): raw HTML outside the allowlist
(:mod:`workbook.markup.rawhtml`), a ``#`` heading or a skipped heading level,
links to other schemes than http, https and mailto, attributes written with
``{: ...}`` that the allowlist refuses, and lists or quotes nested deeper than
the limit.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from workbook.config.publication import PageFormat
from workbook.intake.illustrations import EMPTY_MANIFEST, type_area
from workbook.markup import datablocks, exercises, figures, rawhtml, worksheet
from workbook.markup.hyphenation import SOFT_HYPHEN, Hyphenator
from workbook.markup.lines import ATTRIBUTE, LineTracker, preceding_lines, track
from workbook.markup.typography import finnish_text
from workbook.markup.urls import URL_RE, UrlPattern, mark_address

PAGEREF_RE = r"\[\[#([A-Za-z][\w-]*)\]\]"
FIGREF_RE = r"\[\[(kuvio|taulukko):([a-z0-9-]+)\]\]"
# [words]{lang=en}: the words in brackets, in the language named (a BCP 47 tag).
LANG_SPAN_RE = r"\[([^\[\]\n]+)\]\{:?\s*lang=[\"']?([^\s\"'}]*)[\"']?\s*\}"
LANGUAGE_TAG_RE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
EXTENSIONS = ["tables", "footnotes", "attr_list", "def_list", "md_in_html", "sane_lists"]
_PLACEHOLDER_END_RE = re.compile(r"(\s|\x02qq\d+zz\x03)+$")
_NO_TEXT_TAGS = {"code", "pre", "kbd", "samp", "script", "style"}
# Hyphenation is for justified running text: never in headings, tables,
# captions, quotes (set ragged), labels or anything inside an exercise.
_NO_HYPHEN_TAGS = {
    *("h1", "h2", "h3", "h4", "h5", "h6", "a", "dt", "blockquote"),
    *("table", "caption", "th", "td", "figure", "figcaption", "label"),
    *_NO_TEXT_TAGS,
}
_NO_HYPHEN_CLASSES = {"exercise", "facilitator", "data-table", "data-note", "figure-lists"}


DEFAULT_NESTING = 8  # limits.nesting
_QUOTES_RE = re.compile(r"^(?:\s{0,3}>)+")
_ITEM_RE = re.compile(r"^(\s*)((?:(?:[-*+]|\d+[.)])\s+)+)")


@dataclass(frozen=True)
class Heading:
    """A heading found in a chapter."""

    level: int
    id: str
    text: str
    line: int | None = None  # in the chapter file


@dataclass(frozen=True)
class Foreign:
    """Words in another language than the book's, as marked with ``{lang=…}``."""

    lang: str
    text: str  # as printed (typography applied, no soft hyphens)
    tag: str  # the HTML element that carries the lang attribute


@dataclass(frozen=True)
class LinkRef:
    """An internal link or page reference to check against the book's ids."""

    target: str
    pageref: bool
    line: int | None = None  # in the chapter file


@dataclass(frozen=True)
class Problem:
    """Something in a chapter the book cannot print, found while converting it."""

    line: int | None  # in the chapter file
    message: str
    hint: str


@dataclass
class Markup:
    """What converting one chapter produced."""

    html: str
    headings: list[Heading] = field(default_factory=list)
    links: list[LinkRef] = field(default_factory=list)
    footnotes: int = 0
    text: str = ""
    figures: list[figures.FigureUse] = field(default_factory=list)
    values: list[datablocks.ValueRef] = field(default_factory=list)
    exercises: list[exercises.Exercise] = field(default_factory=list)
    fields: list[worksheet.FormField] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    foreign: list[Foreign] = field(default_factory=list)


def slugify(text: str) -> str:
    """ASCII id from heading text: ``Mitä asiakkaat kertoivat`` -> ``mita-asiakkaat-kertoivat``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "osio"


def plain_text(element: etree.Element) -> str:
    """Text content of an element without soft hyphens."""
    return "".join(element.itertext()).replace(SOFT_HYPHEN, "").strip()


class _PageRefPattern(InlineProcessor):
    def handleMatch(self, m: re.Match[str], data: str):
        link = etree.Element("a", {"class": "pageref", "href": f"#{m[1]}"})
        link.text = "s.\u00a0"
        return link, m.start(0), m.end(0)


class _FigureRefPattern(InlineProcessor):
    """``[[kuvio:id]]`` / ``[[taulukko:id]]`` -> "kuvio 3, s. 23": by number and page,
    never "below" or "above" (a figure may float to the next page)."""

    def __init__(self, pattern: str, md: markdown.Markdown, numbers) -> None:
        super().__init__(pattern, md)
        self.numbers = numbers

    def handleMatch(self, m: re.Match[str], data: str):
        kind, ident = m[1], m[2]
        table = kind == "taulukko"
        number = (self.numbers.tables if table else self.numbers.charts).get(ident)
        target = datablocks.table_id(ident) if table else datablocks.chart_id(ident)
        span = etree.Element("span", {"class": "figref"})
        span.text = f"{kind}\u00a0{number if number is not None else '?'}, "
        link = etree.SubElement(span, "a", {"class": "pageref", "href": f"#{target}"})
        link.text = "s.\u00a0"
        return span, m.start(0), m.end(0)


class _LangSpanPattern(InlineProcessor):
    def handleMatch(self, m: re.Match[str], data: str):
        span = etree.Element("span", {"lang": m[2]})
        span.text = m[1]
        return span, m.start(0), m.end(0)


class _BookTreeprocessor(Treeprocessor):
    """Runs last: inline footnotes, heading ids, typography, and the inventory."""

    def __init__(self, md: markdown.Markdown, ext: BookExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        result = self.ext.result
        lines = preceding_lines(root)  # before footnotes move: a note keeps its own line
        result.footnotes = self._inline_footnotes(root)
        self._heading_ids(root, result, lines)
        for link in root.iter("a"):
            href = link.get("href", "")
            line = lines.get(link)
            if href.startswith("#"):
                pageref = "pageref" in link.get("class", "")
                result.links.append(LinkRef(href[1:], pageref, line))
            elif (refused := rawhtml.link_refusal(href)) is not None:
                result.problems.append(Problem(line, *refused))
            mark_address(link)
        for element, name in self.ext.attributes:
            if (refused := rawhtml.attribute_refusal(element.tag, name)) is not None:
                result.problems.append(Problem(lines.get(element), *refused))
        self._typeset(root, hyphenate=True)
        result.text = plain_text(root)
        if not self.ext.source_name:  # converted on its own, not as a file of a book
            for element in root.iter():
                element.attrib.pop(ATTRIBUTE, None)
        result.foreign = [
            Foreign(element.get("lang", ""), plain_text(element), element.tag)
            for element in root.iter()
            if element.get("lang") is not None
        ]

    def _inline_footnotes(self, root: etree.Element) -> int:
        container = next(
            (el for el in root.iter("div") if "footnote" in el.get("class", "").split()), None
        )
        if container is None:
            return 0
        notes: dict[str, etree.Element] = {}
        for item in container.iter("li"):
            notes["#" + item.get("id", "")] = item
        parents = {child: parent for parent in root.iter() for child in parent}
        count = 0
        for sup in [el for el in root.iter("sup") if el.get("id", "").startswith("fnref")]:
            anchor = sup.find("a")
            note = notes.get(anchor.get("href", "") if anchor is not None else "")
            if note is None:
                continue
            span = etree.Element("span", {"class": "footnote"})
            inner = list(note)
            # A note is one or more <p>; keep their inline content, paragraphs joined by a space.
            for i, para in enumerate(inner):
                for backref in [
                    a for a in para.iter("a") if "footnote-backref" in a.get("class", "")
                ]:
                    _remove_keep_tail(para, backref)
                if i:
                    _append_text(span, " ")
                _append_text(span, para.text or "")
                for child in list(para):
                    span.append(child)
            _strip_trailing(span)
            span.tail = sup.tail
            parent = parents[sup]
            index = list(parent).index(sup)
            parent.remove(sup)
            parent.insert(index, span)
            count += 1
        parents[container].remove(container)
        return count

    def _heading_ids(
        self, root: etree.Element, result: Markup, lines: dict[etree.Element, int]
    ) -> None:
        previous = 1  # the chapter title
        for element in root.iter():
            if not re.fullmatch(r"h[1-6]", str(element.tag)):
                continue
            level, line = int(element.tag[1]), lines.get(element)
            text = plain_text(element)
            if level == 1:
                result.problems.append(
                    Problem(
                        line,
                        f"a '#' heading ('{text[:40]}'): the chapter's title is its front "
                        "matter's title",
                        "write sections as '## Heading' and subsections as '### Heading'",
                    )
                )
                continue
            if level > previous + 1:
                result.problems.append(
                    Problem(
                        line,
                        f"heading level {level} ('{'#' * level} {text[:40]}') follows level "
                        f"{previous}: a level is skipped",
                        f"write it as '{'#' * (previous + 1)} ...', one level below the "
                        "heading before it",
                    )
                )
            previous = level
            if not element.get("id"):
                element.set("id", f"{self.ext.id_prefix}-{slugify(text)}")
            result.headings.append(Heading(level, element.get("id"), text, line))

    def _typeset(self, element: etree.Element, hyphenate: bool) -> None:
        if element.tag in _NO_TEXT_TAGS or "url" in element.get("class", "").split():
            return
        lang = element.get("lang")
        # Words in another language are not broken by the Finnish rules.
        foreign = lang is not None and lang.split("-")[0].lower() != "fi"
        own = (
            hyphenate
            and element.tag not in _NO_HYPHEN_TAGS
            and not _NO_HYPHEN_CLASSES.intersection(element.get("class", "").split())
            and not foreign
        )
        if element.text:
            element.text = self._fix(element.text, own)
        for child in element:
            self._typeset(child, own)
            if child.tail:
                child.tail = self._fix(child.tail, own)

    def _fix(self, text: str, hyphenate: bool) -> str:
        text = finnish_text(text)
        if hyphenate and self.ext.hyphenator is not None:
            text = self.ext.hyphenator.hyphenate_text(text)
        return text


def _append_text(element: etree.Element, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _strip_trailing(element: etree.Element) -> None:
    """Drop the space (``&#160;``) the footnotes extension leaves before its back link."""

    def strip(text: str | None) -> str:
        return _PLACEHOLDER_END_RE.sub("", text or "").rstrip()

    if len(element):
        element[-1].tail = strip(element[-1].tail)
    else:
        element.text = strip(element.text)


def _remove_keep_tail(parent: etree.Element, child: etree.Element) -> None:
    children = list(parent)
    index = children.index(child)
    if child.tail:
        if index:
            children[index - 1].tail = (children[index - 1].tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


class _ExerciseTreeprocessor(Treeprocessor):
    """Fills the placeholders of :func:`workbook.markup.exercises.parse` with the components."""

    def __init__(self, md: markdown.Markdown, ext: BookExtension, slots: list) -> None:
        super().__init__(md)
        self.ext = ext
        self.slots = slots

    def run(self, root: etree.Element) -> None:
        level = 1
        height = type_area(self.ext.context.fmt)[1]
        fields = self.ext.result.fields
        notes = 0
        for index, element in enumerate(list(root)):
            if re.fullmatch(r"h[1-6]", element.tag):
                level = int(element.tag[1])
            slot = element.get("data-slot")
            if slot is None:
                continue
            block = self.slots[int(slot)]
            if isinstance(block, exercises.Exercise):
                self._exercise(element, block, min(level + 1, 6), height)
            else:  # a notes page between exercises
                notes += 1
                base = f"muistiinpanot-{self.ext.id_prefix}-{notes}"
                new = worksheet.build_component(etree.Element("div"), block, base, fields, height)
                _replace(root, index, new)

    def _exercise(
        self, element: etree.Element, exercise: exercises.Exercise, level: int, height: float
    ) -> None:
        del element.attrib["data-slot"]
        heading = etree.Element(f"h{level}", {"class": "exercise-title", "id": exercise.id})
        # Label and title each in a block of its own: text beside a block inside the
        # heading would get an anonymous block, which WeasyPrint tags as a second
        # heading inside the first.
        label = etree.SubElement(heading, "span", {"class": "exercise-label"})
        label.text = exercise.label + "\u00a0"
        name = etree.SubElement(heading, "span", {"class": "exercise-name"})
        name.text = exercise.title
        element.insert(0, heading)
        number = 0
        for index, child in enumerate(list(element)):
            slot = child.get("data-slot")
            if slot is None:
                continue
            block = self.slots[int(slot)]
            if isinstance(block, exercises.FacilitatorNote):
                del child.attrib["data-slot"]
                child.set("class", "facilitator")
                head = etree.Element("p", {"class": "facilitator-label"})
                head.text = "Ohjaajalle"
                child.insert(0, head)
                continue
            number += 1
            base = f"tehtava-{exercise.number}-{number}"
            new = worksheet.build_component(
                etree.Element("div"), block, base, self.ext.result.fields, height, exercise
            )
            _replace(element, index, new)


def _replace(parent: etree.Element, index: int, new: etree.Element) -> None:
    """Put *new* in place of *parent*'s child at *index* (keeping the text after it)."""
    old = parent[index]
    new.tail = old.tail
    parent.remove(old)
    parent.insert(index, new)


class BookExtension(Extension):
    """The book's own Markdown syntax and post-processing."""

    def __init__(
        self,
        id_prefix: str,
        hyphenator: Hyphenator | None,
        context: figures.BlockContext | None = None,
        slots: list | None = None,
    ) -> None:
        super().__init__()
        self.id_prefix = id_prefix
        self.hyphenator = hyphenator
        self.context = context or figures.BlockContext(EMPTY_MANIFEST, PageFormat())
        self.result = Markup(html="")
        self.slots = slots or []
        self.attributes: list[tuple[etree.Element, str]] = []  # set by {: ...}
        self.source_name = ""  # the chapter file, for data-src (none: no attributes)

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        figures.register(md, self.context, self.result.figures)
        md.inlinePatterns.register(UrlPattern(URL_RE, md), "bare-address", 105)
        md.inlinePatterns.register(
            datablocks.ValuePattern(
                datablocks.VALUE_RE, md, self.context.surveys, self.result.values
            ),
            "data-value",
            186,
        )
        md.inlinePatterns.register(_PageRefPattern(PAGEREF_RE, md), "pageref", 185)
        md.inlinePatterns.register(
            _FigureRefPattern(FIGREF_RE, md, self.context.numbers), "figref", 187
        )
        # Before links (160): "[words]" is not a reference link when "{lang=…}" follows.
        md.inlinePatterns.register(_LangSpanPattern(LANG_SPAN_RE, md), "lang-span", 175)
        md.treeprocessors.register(_ExerciseTreeprocessor(md, self, self.slots), "exercises", 5)
        md.treeprocessors.register(_BookTreeprocessor(md, self), "workbook", 1)


def convert(
    source: str,
    *,
    id_prefix: str,
    hyphenator: Hyphenator | None,
    context: figures.BlockContext | None = None,
    first_exercise: int = 1,
    source_name: str = "",
    first_line: int = 1,
    nesting: int = DEFAULT_NESTING,
) -> Markup:
    """Convert a chapter body to HTML and collect its headings, links, footnotes, figures
    and exercises (numbered from *first_exercise*).

    *source_name* (the file, relative to the publication folder) and *first_line*
    (the file line of the body's first line) make each block's ``data-src``;
    *nesting* limits lists and quotes. What the book cannot print is in
    :attr:`Markup.problems`. Raises :class:`workbook.markup.exercises.ExerciseSyntaxError`
    (line counted in *source*) on a bad ``:::`` block.
    """
    lines = source.split("\n")
    found = [
        Problem(first_line + r.line - 1, r.message, r.hint)
        for r in rawhtml.check_chapter(source, nesting)
    ]
    deep = nested_too_deep(lines, nesting)
    if deep is not None:
        line, depth = deep
        found.append(
            Problem(
                first_line + line - 1,
                f"lists and quotes are nested {depth} deep here, more than {nesting} "
                "(limits.nesting)",
                "flatten the lists or quotes; raise limits.nesting in publication.toml "
                "only if the book needs it",
            )
        )
        return Markup(html="", problems=found)  # converting it could exhaust the stack
    parsed = exercises.parse(source, first_number=first_exercise, id_prefix=id_prefix)
    book = BookExtension(id_prefix, hyphenator, context, parsed.slots)
    md = markdown.Markdown(
        extensions=[*EXTENSIONS, book],
        extension_configs={"footnotes": {"UNIQUE_IDS": True}},
        output_format="html",
    )
    book.source_name = source_name
    track(md, LineTracker(lines, first_line, source_name))
    _watch_attributes(md, book.attributes)
    try:
        html = md.convert(parsed.text)
    except RecursionError:
        book.result.problems.append(
            Problem(
                None,
                "the chapter is nested too deeply to read (lists, quotes or HTML)",
                "flatten the nesting; limits.nesting in publication.toml sets how deep it may go",
            )
        )
        html = ""
    book.result.html = html
    book.result.exercises = parsed.exercises
    book.result.problems[:0] = found
    return book.result


def nested_too_deep(lines: list[str], limit: int) -> tuple[int, int] | None:
    """The first line (1-based) where lists and quotes together nest deeper than
    *limit*, with that depth; None when none does. Fenced code does not count."""
    fenced = False
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced:
            continue
        quotes = _QUOTES_RE.match(line)
        depth = quotes[0].count(">") if quotes else 0
        rest = line[quotes.end() :] if quotes else line
        item = _ITEM_RE.match(rest.expandtabs(4))
        if item:
            depth += len(item[1]) // 4 + len(re.findall(r"[-*+]|\d+[.)]", item[2]))
        if depth > limit:
            return number, depth
    return None


def _watch_attributes(md: markdown.Markdown, seen: list[tuple[etree.Element, str]]) -> None:
    """Record every attribute ``{: ...}`` sets (attr_list), to judge it by the allowlist."""
    processor = md.treeprocessors["attr_list"]
    assign = processor.assign_attrs

    def watched(elem: etree.Element, attrs_string: str, **kwargs):
        before = set(elem.attrib)
        remainder = assign(elem, attrs_string, **kwargs)
        seen.extend((elem, name) for name in elem.attrib if name not in before)
        return remainder

    processor.assign_attrs = watched  # type: ignore[method-assign]
