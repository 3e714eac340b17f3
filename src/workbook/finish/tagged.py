"""The tagged e-version's PDF (PDF/UA-1): the structure tree made right.

Running heads and folios become artifacts (WeasyPrint tags them as spans under
an orphan structure element, upstream issue #1836), every link annotation gets
a description a screen reader can speak, an illustration with its caption
becomes ``Div[Figure, Caption]`` (WeasyPrint leaves ``<figure>`` as nested
NonStruct elements), footnotes become Note elements, and elements a page break
cut in two are joined again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Set

import pikepdf
from pikepdf import Array, Dictionary, Name, NumberTree, Operator

from workbook.finish.structtree import all_elements, read_structure
from workbook.finish.structtree import children as _children
from workbook.finish.structtree import is_element as _is_element
from workbook.model import Book


def tag_figures(pdf: pikepdf.Pdf) -> int:
    """Give each illustration the structure PDF/UA expects; return how many were fixed.

    WeasyPrint 70 tags ``<img alt>`` as a Figure but wraps it in NonStruct
    elements (for ``<figure>`` and its anonymous block) and puts the
    ``figcaption`` Caption beside them. The wrappers that hold nothing but the
    Figure are removed; the ``<figure>``'s wrapper holding the Figure and its
    Caption becomes a ``Div``, which ties the two together.
    """
    fixed = 0

    def fix(element: Dictionary) -> None:
        nonlocal fixed
        kids = _children(element)
        for index, kid in enumerate(kids):
            if not _is_element(kid):
                continue
            fix(kid)
            inner = _unwrap_figure(kid)
            if inner is not kid:
                inner.P = element
                kids[index] = inner
                element.K = Array(kids)
                fixed += 1
        tags = [kid.get("/S") for kid in kids if _is_element(kid)]
        if (
            element.get("/S") == Name.NonStruct
            and tags.count(Name.Figure) == 1
            and tags.count(Name.Caption) == len(tags) - 1 >= 1
        ):
            element.S = Name.Div
            fixed += 1

    for document in _documents(pdf):
        fix(document)
    return fixed


def prune_empty_groups(pdf: pikepdf.Pdf) -> int:
    """Remove Div and NonStruct elements that hold nothing; return how many.

    WeasyPrint makes them for boxes without content of their own (a decorative
    image drawn as a background, a line break); a screen reader would announce
    an empty group.
    """
    removed = 0

    def prune(element: Dictionary) -> bool:
        nonlocal removed
        kids = _children(element)
        kept = []
        for kid in kids:
            if _is_element(kid) and prune(kid):
                removed += 1
                continue
            kept.append(kid)
        if len(kept) != len(kids):
            element.K = Array(kept)
        return element.get("/S") in (Name.Div, Name.NonStruct) and not kept

    for document in _documents(pdf):
        prune(document)
    return removed


def _unwrap_figure(element: Dictionary) -> Dictionary:
    """The Figure inside a chain of NonStruct wrappers that hold only it, else *element*."""
    inner = element
    while inner.get("/S") == Name.NonStruct:
        kids = _children(inner)
        if len(kids) != 1 or not isinstance(kids[0], Dictionary):
            return element
        inner = kids[0]
    return inner if inner is not element and inner.get("/S") == Name.Figure else element


def reachable_elements(struct_root: Dictionary) -> set[tuple[int, int]]:
    """Object ids of the structure elements reachable from the root through ``/K``."""
    return set(read_structure(struct_root).reachable)


# A marked-content sequence opened with a property list that holds only its MCID,
# as WeasyPrint writes them ("/Span\n<</MCID 3>>\nBDC"). Text is written as hex
# strings, so the pattern cannot occur inside a string.


_MARKED_CONTENT_RE = re.compile(
    rb"(?<![^\s])/[^\s/<>\[\]()]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC(?![^\s])"
)


def _artifact(kind: str) -> bytes:
    return b"/Artifact\n<</Type /" + kind.encode() + b">>\nBDC"


def _artifact_marked_content(
    content: bytes, mcids: set[int], layout: frozenset[int] = frozenset()
) -> tuple[bytes, int]:
    """*content* with the sequences of *mcids* opened as pagination artifacts (those of
    *layout* as layout artifacts); how many.

    A regular expression on the decoded stream: parsing and writing back every
    operation of a book's pages with pikepdf cost most of a second.
    """
    hits = 0

    def artifact(match: re.Match[bytes]) -> bytes:
        nonlocal hits
        if int(match[1]) not in mcids:
            return match[0]
        hits += 1
        return _artifact("Layout" if int(match[1]) in layout else "Pagination")

    return _MARKED_CONTENT_RE.sub(artifact, content), hits


def _artifact_by_parsing(
    page: pikepdf.Page, mcids: set[int], layout: frozenset[int] = frozenset()
) -> tuple[bytes, int]:
    """The same as :func:`_artifact_marked_content`, for any form of property list."""
    instructions, hits = [], 0
    for operands, operator in pikepdf.parse_content_stream(page):
        if (
            operator == Operator("BDC")
            and len(operands) == 2
            and isinstance(operands[1], Dictionary)
            and int(operands[1].get("/MCID", -1)) in mcids
        ):
            mcid = int(operands[1].MCID)
            kind = Name.Layout if mcid in layout else Name.Pagination
            operands = [Name.Artifact, Dictionary(Type=kind)]
            hits += 1
        instructions.append((operands, operator))
    return pikepdf.unparse_content_stream(instructions), hits


def _page_content(page: pikepdf.Page) -> bytes:
    """The page's content stream, decoded (several streams joined as one)."""
    contents = page.obj.get("/Contents")
    if isinstance(contents, Array):
        return b"\n".join(part.read_bytes() for part in contents)
    return contents.read_bytes() if contents is not None else b""


def artifact_orphan_content(pdf: pikepdf.Pdf, layout: Set[tuple[int, int]] = frozenset()) -> int:
    """Turn marked content whose structure element hangs outside the tree into artifacts.

    These are the margin boxes (running heads, folios): pagination artifacts;
    the content of the elements in *layout* (object ids: the leaders that
    :func:`workbook.finish.links.flatten_links` took out) becomes layout
    artifacts. Returns how many marked-content sequences were changed.
    """
    struct_root = pdf.Root.get("/StructTreeRoot")
    if struct_root is None or "/ParentTree" not in struct_root:
        return 0
    reachable = reachable_elements(struct_root)
    parent_tree = NumberTree(struct_root.ParentTree)
    changed = 0
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        if key is None or int(key) not in parent_tree:
            continue
        parents = parent_tree[int(key)]
        orphans = {
            mcid
            for mcid, element in enumerate(parents)
            if isinstance(element, Dictionary) and element.objgen not in reachable
        }
        if not orphans:
            continue
        decoration = frozenset(
            mcid
            for mcid in orphans
            if isinstance(parents[mcid], Dictionary) and parents[mcid].objgen in layout
        )
        content, hits = _artifact_marked_content(_page_content(page), orphans, decoration)
        if hits != len(orphans):  # written in another form: parse the stream instead
            content, hits = _artifact_by_parsing(page, orphans, decoration)
        if hits:
            page.Contents = pdf.make_stream(content)
            changed += hits
        for mcid in orphans:
            parents[mcid] = None  # written as null: no structure element
    return changed


def _documents(pdf: pikepdf.Pdf) -> list[Dictionary]:
    """The top-level structure elements (WeasyPrint makes one ``Document``)."""
    struct_root = pdf.Root.get("/StructTreeRoot")
    return [] if struct_root is None else _children(struct_root)


def tag_footnotes(pdf: pikepdf.Pdf) -> int:
    """Tag footnote bodies as ``Note`` elements with an ID, as PDF/UA requires.

    WeasyPrint puts each page's footnote area as an untyped ``NonStruct`` child of
    the ``Document`` element, holding one ``Span`` per footnote. The book's
    template puts everything else in sections, so those NonStruct children are
    exactly the footnote areas.
    """
    documents = _documents(pdf)
    count = 0
    for document in documents:
        for area in _children(document):
            if not isinstance(area, Dictionary) or area.get("/S") != Name.NonStruct:
                continue
            for note in _children(area):
                if isinstance(note, Dictionary) and note.get("/S") == Name.Span:
                    count += 1
                    note.S = Name.Note
                    note.ID = pikepdf.String(f"alaviite-{count}")
    return count


def identified(pdf: pikepdf.Pdf) -> list[Dictionary]:
    """The structure elements with an ``/ID``, in reading order."""
    return [element for element in all_elements(pdf) if "/ID" in element]


def number_footnotes(elements: Iterable[Dictionary]) -> int:
    """Number the Note elements' IDs (``alaviite-1`` …) among *elements* (those of
    :func:`identified`) in reading order; return how many.

    :func:`tag_footnotes` numbers the notes of the pages it is given; this gives a
    book spliced from parts (:mod:`workbook.render.splice`) the numbers a whole
    book has.
    """
    count = 0
    for element in elements:
        if element.get("/S") == Name.Note:
            count += 1
            element.ID = pikepdf.String(f"alaviite-{count}")
    return count


Splits = Mapping[int, tuple[str, ...]]

# HTML elements cut by a page break -> the structure elements WeasyPrint makes of them.


_STRUCT_OF_HTML = {
    "section": ("Sect",),
    "p": ("P",),
    "ul": ("L",),
    "ol": ("L",),
    "dl": ("L",),
    "li": ("LI", "LBody"),
    "dt": ("LI", "LBody"),
    "dd": ("LI", "LBody"),
    "table": ("Table",),
    "blockquote": ("BlockQuote",),
    "div": ("Div",),
}


def struct_chain(html_tags: tuple[str, ...]) -> tuple[str, ...]:
    """Structure tags of a chain of split HTML elements, up to the first unknown one."""
    chain: list[str] = []
    for tag in html_tags:
        if tag not in _STRUCT_OF_HTML:
            break
        chain.extend(_STRUCT_OF_HTML[tag])
    return tuple(chain)


def merge_page_continuations(pdf: pikepdf.Pdf, splits: Splits) -> int:
    """Join the pieces WeasyPrint makes of an element at each page break.

    WeasyPrint builds the structure tree page by page: a chapter on five pages
    becomes five ``Sect`` elements with the page's footnote area between them,
    and a paragraph, list or table cut by a page break becomes two. *splits*
    says, from the layout, which elements each page break cut (page index of
    the page after the break -> HTML tags below ``body``, outermost first);
    those pieces are joined again, and each footnote area moves into the
    section it belongs to, after that page's text. Returns how many breaks
    were joined.
    """
    page_index = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    replaced: dict[tuple[int, int], Dictionary] = {}
    joined = 0
    for document in _documents(pdf):
        kept: list[Dictionary] = []
        current: Dictionary | None = None
        for kid in _children(document):
            tag = kid.get("/S") if isinstance(kid, Dictionary) else None
            if current is not None and tag == Name.NonStruct:
                _append(current, kid)
                continue
            if current is not None and tag == Name.Sect:
                chain = struct_chain(splits.get(page_index.get(kid.Pg.objgen, -1), ()))
                if chain[:1] == ("Sect",):
                    _merge_into(current, kid, chain[1:], replaced)
                    joined += 1
                    continue
            kept.append(kid)
            current = kid if tag == Name.Sect else None
        document.K = Array(kept)
    _repoint_parent_tree(pdf, replaced)
    return joined


def _as_array(element: Dictionary) -> Array:
    kids = element.get("/K")
    if not isinstance(kids, Array):
        element.K = Array([] if kids is None else [kids])
    return element.K


def _append(parent: Dictionary, kid: object) -> None:
    if isinstance(kid, Dictionary) and kid.is_indirect:
        kid.P = parent
    _as_array(parent).append(kid)


def _merge_into(
    first: Dictionary,
    second: Dictionary,
    chain: tuple[str, ...],
    replaced: dict[tuple[int, int], Dictionary],
) -> None:
    """Move *second*'s children into *first*, joining deeper split elements on *chain*."""
    kids = list(_as_array(second))
    if chain and kids:
        last, head = _last_content(first), kids[0]
        tag = Name("/" + chain[0])
        if (
            isinstance(last, Dictionary)
            and isinstance(head, Dictionary)
            and last.get("/S") == tag
            and head.get("/S") == tag
        ):
            if tag == Name.Table:
                join_tables(last, head)
            else:
                _merge_into(last, head, chain[1:], replaced)
            kids = kids[1:]
    for kid in kids:
        if isinstance(kid, int):  # a bare MCID belongs to the second piece's page
            kid = Dictionary(Type=Name.MCR, MCID=kid, Pg=second.Pg)
        _append(first, kid)
    replaced[second.objgen] = first


def _repoint_parent_tree(pdf: pikepdf.Pdf, replaced: dict[tuple[int, int], Dictionary]) -> None:
    """Point ParentTree entries of merged-away elements at the element they joined."""
    if not replaced:
        return
    tree = NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    for key in list(tree.keys()):
        entry = tree[key]
        if isinstance(entry, Array):
            for index, element in enumerate(entry):
                target = element
                while isinstance(target, Dictionary) and target.objgen in replaced:
                    target = replaced[target.objgen]
                if target is not element:
                    entry[index] = target


def _last_content(section: Dictionary) -> object:
    """Last child of *section* that is not a footnote area."""
    kids = [
        k
        for k in _children(section)
        if not (isinstance(k, Dictionary) and k.get("/S") == Name.NonStruct)
    ]
    return kids[-1] if kids else None


def _kids(element: Dictionary, tag: Name) -> list[Dictionary]:
    return [k for k in _children(element) if isinstance(k, Dictionary) and k.get("/S") == tag]


def join_tables(first: Dictionary, second: Dictionary) -> None:
    """Append the rows of a table's continuation (next page) to the table.

    The continuation's repeated header row is detached from the tree, so
    :func:`artifact_orphan_content` makes it an artifact (a screen reader reads
    the header once), and its cells' ``Headers`` are pointed at the first
    header's cell IDs.
    """
    first_heads = [
        th
        for head in _kids(first, Name.THead)
        for tr in _kids(head, Name.TR)
        for th in _kids(tr, Name.TH)
    ]
    second_heads = [
        th
        for head in _kids(second, Name.THead)
        for tr in _kids(head, Name.TR)
        for th in _kids(tr, Name.TH)
    ]
    rename = {
        str(b.ID): a.ID
        for a, b in zip(first_heads, second_heads, strict=False)
        if "/ID" in a and "/ID" in b
    }
    bodies = _kids(first, Name.TBody)
    target = bodies[-1] if bodies else first
    for body in _kids(second, Name.TBody):
        for row in _kids(body, Name.TR):
            row.P = target
            target.K.append(row)
            for cell in _kids(row, Name.TD) + _kids(row, Name.TH):
                attributes = cell.get("/A")
                if isinstance(attributes, Dictionary) and "/Headers" in attributes:
                    attributes.Headers = Array([rename.get(str(h), h) for h in attributes.Headers])


def destination_pages(pdf: pikepdf.Pdf) -> dict[str, int]:
    """Named destination -> 1-based page number."""
    index = {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}
    result: dict[str, int] = {}
    names = pdf.Root.get("/Names")
    if names is not None and "/Dests" in names:
        for name, dest in pikepdf.NameTree(names.Dests).items():
            target = dest.get("/D") if isinstance(dest, Dictionary) else dest
            if isinstance(target, Array) and len(target) and target[0].objgen in index:
                result[str(name)] = index[target[0].objgen]
    return result


def describe_links(pdf: pikepdf.Pdf, book: Book) -> int:
    """Give each internal link a spoken description: target title and page."""
    pages = destination_pages(pdf)
    described = 0
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != Name.Link:
                continue
            dest = annot.get("/Dest")
            if isinstance(dest, pikepdf.String | Name):
                name = str(dest).lstrip("/")
                target = book.targets.get(name)
                title = target.title if target else name
                page_number = pages.get(name)
                text = f"{title}, sivu {page_number}" if page_number else title
                annot.Contents = pikepdf.String(text)
                described += 1
            elif "/A" in annot and annot.A.get("/URI") is not None:
                annot.Contents = pikepdf.String(f"Verkko-osoite {annot.A.URI}")
                described += 1
    return described


def build_id_tree(pdf: pikepdf.Pdf, elements: Iterable[Dictionary] | None = None) -> int:
    """Write the StructTreeRoot's ``/IDTree``: every element ID (table header cells,
    footnotes) -> its element, as ISO 32000-1 14.7.2 requires; return how many.
    *elements*: the PDF's :func:`identified` elements, when already found.

    Runs last: only elements still in the tree are listed (a repeated table
    header that became an artifact is not).
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0
    found: dict[bytes, Dictionary] = {}
    for element in identified(pdf) if elements is None else elements:
        found.setdefault(bytes(element.ID), element)
    if "/IDTree" in root:
        del root["/IDTree"]
    if not found:
        return 0
    tree = pikepdf.NameTree.new(pdf)
    for ident in sorted(found):
        tree[ident.decode("latin-1")] = found[ident]
    root.IDTree = tree.obj
    return len(found)
