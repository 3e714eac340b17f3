"""The tagged side of a splice (:mod:`workbook.render.splice`): the structure tree,
the ParentTree and the form fields of pages put into another PDF.

The ``Document`` element's kids each belong to the page of their ``/Pg``: as
WeasyPrint 70 writes the tree, each page's top elements in page order; once
finished, one ``Sect`` per part of the book, its pieces joined, with the ``/Pg``
of its first page. The ParentTree maps each page's ``/StructParents`` (its index)
to the elements of its marked contents and then each annotation's
``/StructParent`` to its element, and the ``/AcroForm`` lists every field. So a
spliced file keeps, per page, what its source file had for that page; the
Document's kids, the ParentTree and the field list are then written again in the
order of the pages. Table header ids, which WeasyPrint makes from object
numbers, are prefixed in a part's elements so that they stay unique, and the
fonts a part's text fields name join the form's resources.
"""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name

from workbook.finish.structtree import children, is_element

ObjGen = tuple[int, int]


class Unspliceable(Exception):
    """The pages cannot be swapped alone (a bookmark across a part's edge, a
    structure WeasyPrint did not write)."""


def _numbers(tree) -> dict[int, object]:
    nums = tree.get("/Nums", []) if tree is not None else []
    if tree is not None and "/Kids" in tree:
        raise Unspliceable("a ParentTree with kids")
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def _document(pdf: pikepdf.Pdf):
    root = pdf.Root.get("/StructTreeRoot")
    kids = root.get("/K") if root is not None else None
    if not isinstance(kids, Array) or len(kids) != 1 or kids[0].get("/S") != Name.Document:
        raise Unspliceable("not a structure tree WeasyPrint wrote")
    if any(not isinstance(top.get("/Pg"), Dictionary) for top in children(kids[0])):
        raise Unspliceable("a top element without its page")
    return root, kids[0]


def _elements(top: Dictionary) -> Iterator[Dictionary]:
    """*top* and the structure elements below it."""
    stack = [top]
    while stack:
        element = stack.pop()
        yield element
        stack.extend(kid for kid in children(element) if is_element(kid))


def _widgets(field: Dictionary) -> list[Dictionary]:
    """A field's widget annotations: its kids, or the field itself."""
    return list(field.Kids) if "/Kids" in field else [field]


class Tags:
    """What each page of a PDF being spliced carries in its structure and form."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        root, self.document = _document(pdf)
        nums = _numbers(root.get("/ParentTree"))
        self.tops: list[Dictionary] = list(self.document.K)
        self.page_nums: dict[ObjGen, object] = {}
        self.annot_nums: dict[ObjGen, object] = {}
        for page in pdf.pages:
            self._read(page.obj, nums, lambda value: value)
        form = pdf.Root.get("/AcroForm")
        self.fields: list[Dictionary] = list(form.get("/Fields", [])) if form is not None else []

    def _read(self, page, nums: dict[int, object], copy) -> None:
        """Note what the ParentTree *nums* holds for *page* and its annotations;
        *copy* brings an object of the page's file into this one."""
        if "/StructParents" in page:
            self.page_nums[copy(page).objgen] = copy(nums.get(int(page.StructParents), Array()))
        for annotation in page.get("/Annots", []):
            if "/StructParent" in annotation and int(annotation.StructParent) in nums:
                value = copy(nums[int(annotation.StructParent)])
                self.annot_nums[copy(annotation).objgen] = value

    def add(self, part: pikepdf.Pdf, count: int, prefix: str) -> None:
        """Take what the first *count* pages of *part* carry (its pages already put
        into this file); *prefix* goes before its elements' ids."""
        _, document = _document(part)
        nums = _numbers(part.Root.StructTreeRoot.get("/ParentTree"))
        pages = [page.obj for page in part.pages[:count]]
        mine = {page.objgen for page in pages}
        copy = self._bring
        for page in pages:
            self._read(page, nums, copy)
        for top in document.K:
            if top.Pg.objgen in mine:
                copied = copy(top)
                copied.P = self.document
                _prefix_ids(copied, prefix)
                self.tops.append(copied)
        form = part.Root.get("/AcroForm")
        if form is None:
            return
        widgets = {a.objgen for page in pages for a in page.get("/Annots", [])}
        for field in form.get("/Fields", []):
            if any(widget.objgen in widgets for widget in _widgets(field)):
                self.fields.append(copy(field))
        self._join_resources(form.get("/DR"))

    def _join_resources(self, resources) -> None:
        """The fonts and graphic states a part's fields name (``/DA``), in this form's
        resources. A name both have is the same face (WeasyPrint names a font by
        a digest of its description), so this file's entry stays."""
        if resources is None:
            return
        form = self.pdf.Root.get("/AcroForm")
        if form is None:
            form = self.pdf.Root.AcroForm = Dictionary(Fields=Array())
        if "/DR" not in form:
            form.DR = Dictionary()
        for kind in ("/Font", "/ExtGState"):
            theirs = resources.get(kind)
            if theirs is None:
                continue
            if kind not in form.DR:
                form.DR[kind] = Dictionary()
            ours = form.DR[kind]
            for name, value in theirs.items():
                if name not in ours:
                    ours[name] = self._bring(value)

    def _bring(self, value):
        """*value* of a part's file in this one: its indirect objects copied (once: a
        page already put here is that page)."""
        if not isinstance(value, pikepdf.Object) or not value.is_indirect:
            if isinstance(value, Array):
                return Array([self._bring(item) for item in value])
            if isinstance(value, Dictionary):
                return Dictionary({key: self._bring(item) for key, item in value.items()})
            return value
        return self.pdf.copy_foreign(value)

    def write(self) -> None:
        """The Document's kids, the ParentTree and the fields, in the order of the
        pages the file now has."""
        pages = [page.obj for page in self.pdf.pages]
        by_page: dict[ObjGen, list[Dictionary]] = {}
        for top in self.tops:
            by_page.setdefault(top.Pg.objgen, []).append(top)
        self.document.K = Array([t for page in pages for t in by_page.get(page.objgen, [])])
        nums: list = []
        for index, page in enumerate(pages):
            page.StructParents = index
            nums += [index, self.page_nums.get(page.objgen, Array())]
        key = len(pages)
        order: dict[ObjGen, int] = {}
        for index, page in enumerate(pages):
            for annotation in page.get("/Annots", []):
                order[annotation.objgen] = index
                if annotation.objgen in self.annot_nums:
                    annotation.StructParent = key
                    nums += [key, self.annot_nums[annotation.objgen]]
                    key += 1
        root = self.pdf.Root.StructTreeRoot
        root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=Array(nums)))
        if "/ParentTreeNextKey" in root:
            root.ParentTreeNextKey = key
        form = self.pdf.Root.get("/AcroForm")
        if form is None:
            return
        placed = []
        for field in self.fields:
            at = [order[w.objgen] for w in _widgets(field) if w.objgen in order]
            if at:
                placed.append((min(at), field))
        placed.sort(key=lambda item: item[0])  # stable: each file's own order within a page
        form.Fields = Array([field for _, field in placed])


def _prefix_ids(top: Dictionary, prefix: str) -> None:
    """*prefix* before the ids of the elements under *top* and the table headers
    their cells name."""
    for element in _elements(top):
        if "/ID" in element:
            element.ID = pikepdf.String(prefix + str(element.ID))
        attributes = element.get("/A")
        if isinstance(attributes, Dictionary) and "/Headers" in attributes:
            attributes.Headers = Array(
                [pikepdf.String(prefix + str(header)) for header in attributes.Headers]
            )
