"""An edition rebuilt from its last render and the parts an edit changed.

``invoke watch`` keeps its editions' layouts in memory (:mod:`workbook.render.assembly`);
a fresh ``invoke build`` has only files. So a build keeps the last render of each
book edition in ``build/cache/renders/``: the finished PDF, the HTML it was made
from, the page of every anchor, the blank pages, the page
sources and page starts, and a digest of every input but the chapters
(:func:`keep`).

When the next build's HTML differs from the kept one only inside some chapters
and the digest is the same (:func:`load`), those chapters are rendered alone,
numbered from their first page, with the page make-up of the last build and the
pages of targets elsewhere printed from the kept map; so are the parts that
print the page of a target that moved. Where
:func:`workbook.render.assembly.fit` finds that the result has a whole layout's
pages, each part takes the finishing steps of its own pages
(:func:`workbook.finish.postprocess.finish_part`) and its pages take the place
of theirs in the kept PDF, with its named destinations and bookmarks
(:func:`splice_pdf`) and, in the tagged edition, its structure tree,
ParentTree and form fields (:mod:`workbook.render.splicetags`); the steps that
read the whole edition (footnote numbers, link descriptions, the IDTree, the
PDF/X ids) are then taken again. Otherwise the edition is laid out whole. A
tagged part keeps its links to targets elsewhere: its document has empty
stand-ins for them on the page that is dropped, and the kept PDF's named
destinations resolve them. The checks then treat the PDF as any other.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pikepdf

from workbook.pipeline.freshness import write_json
from workbook.render import assembly, makeup
from workbook.render.chapters import changed_chapters, styles_first_page
from workbook.render.pdf import Rendered, a_part, write_atomic
from workbook.render.sources import Block, sources_from_json, sources_json
from workbook.render.splicetags import Tags, Unspliceable

_VERSION = 2


def eligible(variant) -> bool:
    """Whether an edition of *variant* is kept and rebuilt from its parts: a whole
    book (not the exercises alone)."""
    return variant.kind == "book"


@dataclass
class Kept:
    """The last render of an edition, as :func:`keep` wrote it."""

    html: str  # the edition's HTML, as given to the renderer
    data: bytes  # the finished PDF
    pages: int
    landed: dict[str, int]  # anchor -> page
    blanks: set[int] = field(default_factory=set)
    sources: dict[int, list[Block]] = field(default_factory=dict)
    starts: list[dict] = field(default_factory=list)
    splits: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _paths(out_dir: Path, pdf_name: str) -> tuple[Path, Path, Path]:
    base = out_dir / "cache" / "renders" / Path(pdf_name).stem
    return base.with_suffix(".json"), base.with_suffix(".pdf"), base.with_suffix(".html")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def keep(
    out_dir: Path,
    pdf_name: str,
    html: str,
    rendered: Rendered,
    inputs: str,
    data: bytes | None = None,
) -> None:
    """Keep *rendered* (of *html*; *inputs* the digest of every input but the chapters;
    *data* the finished PDF, else the rendered one) for the next build. A render
    with warnings is not kept: a warning cannot be told to the part it came from."""
    meta, pdf, source = _paths(out_dir, pdf_name)
    meta.unlink(missing_ok=True)  # the three files agree, or there is none
    if rendered.warnings:
        return
    text = html.encode("utf-8")
    data = rendered.data if data is None else data
    write_atomic(pdf, data)
    write_atomic(source, text)
    record = {
        "version": _VERSION,
        "inputs": inputs,
        "pdf": _digest(data),
        "html": _digest(text),
        "pages": rendered.pages,
        "landed": rendered.anchor_pages,
        "blanks": sorted(rendered.blanks),
        "sources": sources_json(rendered.sources),
        "starts": rendered.page_starts,
        "splits": {str(index): list(tags) for index, tags in rendered.splits.items()},
    }
    write_json(meta, record, ensure_ascii=False)


def load(out_dir: Path, pdf_name: str, inputs: str) -> Kept | None:
    """The kept render of the edition written to *pdf_name*, if the inputs but the
    chapters are those of *inputs* and its files are whole."""
    meta, pdf, source = _paths(out_dir, pdf_name)
    try:
        record = json.loads(meta.read_text(encoding="utf-8"))
        if record.get("version") != _VERSION or record.get("inputs") != inputs:
            return None
        data, text = pdf.read_bytes(), source.read_bytes()
        if _digest(data) != record["pdf"] or _digest(text) != record["html"]:
            return None
        return Kept(
            html=text.decode("utf-8"),
            data=data,
            pages=int(record["pages"]),
            landed={str(k): int(v) for k, v in record["landed"].items()},
            blanks={int(page) for page in record["blanks"]},
            sources=sources_from_json(record["sources"]),
            starts=list(record["starts"]),
            splits={int(k): tuple(v) for k, v in record["splits"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None  # a hint: without it the edition is laid out whole


# render_part(html of one part, its first page) -> the part rendered alone
RenderPart = Callable[[str, int], Rendered]
# finish_part(a part's name, the part rendered alone) -> its PDF, its own pages finished
FinishPart = Callable[[str, Rendered], bytes]
# finish_document(the spliced PDF) -> its bytes, the whole edition's steps taken
FinishDocument = Callable[[pikepdf.Pdf], bytes]


def rebuild(
    html: str,
    kept: Kept,
    render_part: RenderPart,
    *,
    tagged: bool = False,
    finish_part: FinishPart | None = None,
    finish_document: FinishDocument | None = None,
) -> Rendered | None:
    """*html* rendered from *kept* and its changed parts rendered alone, or None when
    it must be laid out whole (see the module's docstring). *tagged*: the edition
    has a structure tree and links. *finish_part* and *finish_document* finish
    the parts and the spliced edition (without them, the parts' PDFs are spliced
    as rendered and the result is not finished)."""
    chapters = changed_chapters(kept.html, html)
    if not chapters or not a_part(html, chapters) or styles_first_page(html):
        return None
    text = makeup.number_paragraphs(html)

    def alone(part: str, first: int) -> tuple[object, int, dict[str, int], set[int]]:
        rendered = render_part(part, first)
        return rendered, rendered.pages, dict(rendered.anchor_pages), rendered.blanks

    # A tagged edition keeps its links (a part's stand-ins for targets elsewhere
    # give WeasyPrint somewhere to point them); an untagged one loses them anyway.
    fitted = assembly.fit(
        text, kept.landed, sorted(chapters), kept.pages, kept.blanks.__contains__, alone,
        keep_links=tagged, stand_ins=tagged,
    )  # fmt: skip
    if fitted is None:
        return None
    final = {part.name: part for part in fitted[0]}  # a part laid out again: its last
    spliced = []
    for part in final.values():
        made: Rendered = part.made  # type: ignore[assignment]
        data = finish_part(part.name, made) if finish_part else made.data
        spliced.append((part.first, part.count, data))
    try:
        data = splice_pdf(kept.data, spliced, finish=finish_document)
    except (Unspliceable, pikepdf.PdfError):
        return None  # a bookmark across a part's edge, or a kept PDF pikepdf cannot read
    merged = _merged(kept, data, list(final.values()), len(fitted[0]))
    merged.finished = finish_document is not None
    return merged


def _merged(kept: Kept, data: bytes, parts: list[assembly.Part], layouts: int) -> Rendered:
    """What the spliced *data* is, from *kept* and the *parts* in it."""
    replaced = {page for part in parts for page in range(part.first, part.first + part.count)}
    anchors = {name: page for name, page in kept.landed.items() if page not in replaced}
    sources = {page: blocks for page, blocks in kept.sources.items() if page not in replaced}
    splits = {index: tags for index, tags in kept.splits.items() if index + 1 not in replaced}
    starts = [dict(start) for start in kept.starts]
    blanks = kept.blanks - replaced
    warnings: list[str] = []
    plans = []
    for part in parts:
        made: Rendered = part.made  # type: ignore[assignment]
        shift = part.first - 1
        anchors.update(part.found)
        sources.update({n + shift: b for n, b in made.sources.items() if n <= part.count})
        splits.update({i + shift: t for i, t in made.splits.items() if i < part.count})
        for number, start in enumerate(made.page_starts[: part.count], start=part.first):
            if number <= len(starts):
                starts[number - 1] = {**start, "page": number}
        blanks |= {page for page in made.blanks if page < part.first + part.count}
        warnings += made.warnings
        plans.append(made.plan)
    return Rendered(
        data=data,
        pages=kept.pages,
        warnings=list(dict.fromkeys(warnings)),
        splits=dict(sorted(splits.items())),
        anchor_pages=anchors,
        layouts=0,
        chapter_layouts=layouts,
        plan=union(plans),
        sources=dict(sorted(sources.items())),
        page_starts=starts,
        blanks=blanks,
    )


def union(plans: Sequence[makeup.Plan]) -> makeup.Plan:
    """One page make-up of several parts' (each the last build's, with its part's
    changes): the changes of all of them."""
    merged = plans[0].copy() if plans else makeup.Plan()
    for plan in plans[1:]:
        merged.unbreak |= plan.unbreak
        merged.floats.update(plan.floats)
        merged.pushed |= plan.pushed
        merged.lines.update(plan.lines)
        merged.breaks.update(plan.breaks)
    return merged


@dataclass
class _Mark:
    """A bookmark: its title's bytes, its destination (page index, x, y), whether it
    is closed, and its children."""

    title: bytes
    page: int
    x: float
    y: float
    closed: bool
    children: list[_Mark]

    def pages(self) -> Iterable[int]:
        yield self.page
        for child in self.children:
            yield from child.pages()

    def shifted(self, by: int) -> _Mark:
        kids = [child.shifted(by) for child in self.children]
        return _Mark(self.title, self.page + by, self.x, self.y, self.closed, kids)


def _destination(value, index: dict) -> tuple[int, float, float] | None:
    try:
        return index[value[0].objgen], float(value[2]), float(value[3])
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None


def _dests(pdf: pikepdf.Pdf, index: dict) -> dict[bytes, tuple[int, float, float]]:
    """The named destinations of a PDF as WeasyPrint writes them (one flat name array)."""
    names = pdf.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
    found = {}
    for name, value in zip(names[::2], names[1::2], strict=True):
        if (where := _destination(value, index)) is not None:
            found[bytes(name)] = where  # the bytes as written: links name them so
    return found


def _marks(item, index: dict) -> list[_Mark]:
    marks = []
    while item is not None:
        where = _destination(item.get("/Dest"), index)
        if where is None:
            raise Unspliceable("a bookmark without a page")
        children = _marks(item.get("/First"), index)
        marks.append(_Mark(bytes(item.Title), *where, int(item.get("/Count", 0)) < 0, children))
        item = item.get("/Next")
    return marks


def _outline(pdf: pikepdf.Pdf, index: dict) -> list[_Mark]:
    root = pdf.Root.get("/Outlines")
    return _marks(root.get("/First"), index) if root is not None else []


def _within(marks: list[_Mark], low: int, high: int) -> list[_Mark]:
    """The top-level *marks* on pages *low* to *high* (indices, end excluded), which
    must have all their children there too; the others likewise outside."""
    inside = []
    for mark in marks:
        pages = [low <= page < high for page in mark.pages()]
        if any(pages) != all(pages):
            raise Unspliceable("a bookmark's children cross a part's edge")
        if pages[0]:
            inside.append(mark)
    return inside


def splice_pdf(
    base: bytes, parts: Sequence[tuple[int, int, bytes]], finish: FinishDocument | None = None
) -> bytes:
    """*base* (a PDF written by WeasyPrint, finished or not) with its pages *first* to
    *first* + *count* - 1 replaced by the first *count* pages of each part's PDF,
    and its named destinations and bookmarks with them; *finish* writes the
    result (else it is saved as it is)."""
    opened: list[pikepdf.Pdf] = []
    with pikepdf.open(BytesIO(base)) as pdf:
        try:
            index = {page.objgen: n for n, page in enumerate(pdf.pages)}
            dests, marks = _dests(pdf, index), _outline(pdf, index)
            tags = Tags(pdf) if "/StructTreeRoot" in pdf.Root else None
            for first, count, data in parts:
                part = pikepdf.open(BytesIO(data))
                opened.append(part)
                own = {page.objgen: n for n, page in enumerate(part.pages)}
                low, high = first - 1, first - 1 + count
                old = _within(marks, low, high)
                new = [m.shifted(low) for m in _within(_outline(part, own), 0, count)]
                for number in range(count):
                    pdf.pages[low + number] = part.pages[number]
                if tags is not None:
                    tags.add(part, count, prefix=f"p{first}-")
                dests = {k: v for k, v in dests.items() if not low <= v[0] < high}
                found = _dests(part, own).items()
                dests |= {k: (low + n, x, y) for k, (n, x, y) in found if n < count}
                gone = {id(m) for m in old}
                at = next((i for i, m in enumerate(marks) if id(m) in gone), None)
                if at is None:
                    at = sum(1 for m in marks if m.page < low)
                marks = [m for m in marks if id(m) not in gone]
                marks[at:at] = new
            _write_dests(pdf, dests)
            _write_outline(pdf, marks)
            if tags is not None:
                tags.write()
            if finish is not None:
                return finish(pdf)
            out = BytesIO()
            pdf.save(out)
        finally:
            for part in opened:
                part.close()
    return out.getvalue()


def _target(pdf: pikepdf.Pdf, page: int, x: float, y: float) -> pikepdf.Array:
    return pikepdf.Array([pdf.pages[page].obj, pikepdf.Name.XYZ, x, y, 0])


def _write_dests(pdf: pikepdf.Pdf, dests: dict[bytes, tuple[int, float, float]]) -> None:
    if not dests:
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            del pdf.Root.Names["/Dests"]
        return
    names = pikepdf.Array()
    for name in sorted(dests):
        names.append(pikepdf.String(name))
        names.append(_target(pdf, *dests[name]))
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pikepdf.Dictionary()
    pdf.Root.Names.Dests = pikepdf.Dictionary(Names=names)


def _write_outline(pdf: pikepdf.Pdf, marks: list[_Mark]) -> None:
    """The bookmarks *marks*, written as WeasyPrint writes them."""
    if not marks:
        if "/Outlines" in pdf.Root:
            del pdf.Root["/Outlines"]
        return
    root = pdf.make_indirect(pikepdf.Dictionary())
    items, count = _items(pdf, marks, root)
    root.Count, root.First, root.Last = count, items[0], items[-1]
    pdf.Root.Outlines = root


def _items(pdf: pikepdf.Pdf, marks: list[_Mark], parent) -> tuple[list, int]:
    count = len(marks)
    items: list = []
    for mark in marks:
        item = pdf.make_indirect(
            pikepdf.Dictionary(
                Title=pikepdf.String(mark.title),
                Dest=_target(pdf, mark.page, mark.x, mark.y),
                Parent=parent,
            )
        )
        children, inner = _items(pdf, mark.children, item)
        item.Count = -inner if mark.closed else inner
        if not mark.closed:
            count += inner
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        if children:
            item.First, item.Last = children[0], children[-1]
        items.append(item)
    return items, count
