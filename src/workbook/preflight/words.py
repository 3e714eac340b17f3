"""The words of each page and their boxes, from poppler's ``pdftotext -bbox``, kept
by page content.

pdftotext reads the whole book in about half a second; after a one-chapter edit
most pages paint exactly what they painted before. Each page's words are kept in
``build/.state/<pdf>.words.marshal`` under the page's digest
(:func:`workbook.preflight.pageimages.page_digest`: content stream, drawn
objects, boxes, fonts by name and metrics) joined with a digest of the ToUnicode
maps of the fonts the page may use, since that map, not the content stream,
says which characters a glyph stands for (pages put into a book from another
render keep their own fonts, and the others keep their keys). Only pages with
a new key go through pdftotext again. When there is nothing to reuse,
pdftotext starts at once and reads every page while the caller walks the
content streams.

The cache is a hint (docs/errors.md): a file that cannot be read or does not
match is ignored and written anew.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import tempfile
import xml.etree.ElementTree as etree
from pathlib import Path
from typing import NamedTuple

import pikepdf

from workbook.errors import WorkbookError
from workbook.pipeline.freshness import read_page_cache, write_page_cache
from workbook.preflight.pageimages import page_ranges

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 from the top-left, y down
_XHTML = "{http://www.w3.org/1999/xhtml}"
_VERSION = 3  # 2: words stripped of the space an /ActualText may give them; 3: (text, rect) tuples


class Word(NamedTuple):
    """A word and its box (a tuple: a book has some 10,000, sent between processes)."""

    text: str
    rect: Rect


def text_maps(pdf: pikepdf.Pdf) -> list[str]:
    """For each page, a digest of the ToUnicode maps of the fonts it may use (those
    of its resources and of the form XObjects listed there): which characters its
    glyphs stand for. Pages that share a resource dictionary (WeasyPrint gives one
    to all pages of a render) share the digest, taken once."""
    fonts: dict[tuple[int, int], bytes] = {}
    by_resources: dict[tuple[int, int], str] = {}

    def font_map(font) -> bytes:
        key = font.objgen if font.is_indirect else None
        if key is not None and key in fonts:
            return fonts[key]
        found = hashlib.sha256(str(font.get("/BaseFont", "")).encode())
        to_unicode = font.get("/ToUnicode")
        if isinstance(to_unicode, pikepdf.Stream):
            found.update(to_unicode.read_raw_bytes())
        digest = found.digest()
        if key is not None:
            fonts[key] = digest
        return digest

    def digest_of(resources, depth: int = 0) -> str:
        key = resources.objgen if resources.is_indirect else None
        if key is not None and key in by_resources:
            return by_resources[key]
        maps = hashlib.sha256()
        for name in sorted((resources.get("/Font") or {}).keys()):
            font = resources.Font[name]
            if isinstance(font, pikepdf.Dictionary):
                maps.update(name.encode() + font_map(font))
        for name in sorted((resources.get("/XObject") or {}).keys()):
            inner = resources.XObject[name]
            if (
                isinstance(inner, pikepdf.Stream)
                and isinstance(inner.get("/Resources"), pikepdf.Dictionary)
                and depth < 4
            ):
                maps.update(name.encode() + digest_of(inner.Resources, depth + 1).encode())
        digest = maps.hexdigest()[:16]
        if key is not None:
            by_resources[key] = digest
        return digest

    found = []
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        found.append(digest_of(resources) if isinstance(resources, pikepdf.Dictionary) else "")
    return found


class WordReader:
    """pdftotext on one PDF: started early when no page can be reused."""

    def __init__(self, path: Path, cache: Path | None = None) -> None:
        self.path = path
        self.cache = cache
        self.known = read_page_cache(cache, _VERSION) if cache is not None else {}
        self.running = None if self.known else _Run(path, None)
        self.pages_read = 0  # how many pages went through pdftotext

    def cancel(self) -> None:
        """Stop a pdftotext that is still running."""
        if self.running is not None:
            self.running.kill()

    def words(self, digests: list[str], maps: list[str]) -> dict[int, list[Word]]:
        """The words of each page (1-based), given each page's digest
        (:func:`~workbook.preflight.pageimages.page_digest`) and its fonts' maps
        (:func:`text_maps`)."""
        keys = [f"{digest}-{page_maps}" for digest, page_maps in zip(digests, maps, strict=True)]
        missing = [n for n, key in enumerate(keys, start=1) if key not in self.known]
        found: dict[int, list[Word]] = {}
        if self.running is not None:  # every page, started in __init__
            found = _parse(self.running.output(), 1)
            self.pages_read = len(keys)
        elif missing:
            for first, last in page_ranges(missing):
                found.update(_parse(_Run(self.path, (first, last)).output(), first))
            self.pages_read = len(missing)
        words = {
            n: found[n] if n in found else list(map(Word._make, self.known[key]))
            for n, key in enumerate(keys, start=1)
        }
        if self.cache is not None and (missing or set(self.known) != set(keys)):
            stored = {  # a kept page as it was read, a page read now as (text, rect) tuples
                key: _stored(found[n]) if n in found else self.known[key]
                for n, key in enumerate(keys, start=1)
            }
            write_page_cache(self.cache, _VERSION, stored)
        return words


class _Run:
    """One pdftotext process, writing to temporary files, not pipes: nothing reads a
    pipe while the caller walks the content streams, and a full pipe (the XHTML
    of a book is megabytes) would stop pdftotext until the caller is done."""

    def __init__(self, path: Path, pages: tuple[int, int] | None) -> None:
        """Start pdftotext on *path* (*pages*: first and last, else all)."""
        self.path = path
        selection = ["-f", str(pages[0]), "-l", str(pages[1])] if pages else []
        self.out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.err = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                ["pdftotext", "-bbox", "-enc", "UTF-8", *selection, str(path), "-"],
                stdout=self.out,
                stderr=self.err,
            )
        except FileNotFoundError:
            self.close()
            raise WorkbookError(
                "pdftotext (poppler-utils) is not installed",
                hint="run ./setup.sh, which installs it",
            ) from None

    def kill(self) -> None:
        """Stop pdftotext and drop its output."""
        self.process.kill()
        self.process.wait()
        self.close()

    def close(self) -> None:
        self.out.close()
        self.err.close()

    def output(self) -> bytes:
        """Wait for pdftotext and return its XHTML."""
        try:
            try:
                self.process.wait(timeout=300)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise WorkbookError(
                    "pdftotext took more than 5 minutes", path=self.path, hint="build the PDF again"
                ) from None
            if self.process.returncode != 0:
                self.err.seek(0)
                stderr = self.err.read().decode(errors="replace").strip()
                raise WorkbookError(
                    f"pdftotext could not read the PDF: {stderr}",
                    path=self.path,
                    hint="the file may be damaged; build it again",
                )
            self.out.seek(0)
            return self.out.read()
        finally:
            self.close()


def _parse(xhtml: bytes, first: int) -> dict[int, list[Word]]:
    """Words by page number from pdftotext's XHTML whose first page is *first*."""
    text = re.sub(rb"<meta[^>]*>", b"", xhtml)  # metadata values may hold anything
    root = etree.fromstring(text)
    found: dict[int, list[Word]] = {}
    for number, page in enumerate(root.iter(f"{_XHTML}page"), start=first):
        # (A word read through /ActualText may carry the space it is read after.)
        found[number] = [
            Word(
                (word.text or "").strip(),
                (
                    float(word.get("xMin", 0)),
                    float(word.get("yMin", 0)),
                    float(word.get("xMax", 0)),
                    float(word.get("yMax", 0)),
                ),
            )
            for word in page.iter(f"{_XHTML}word")
            if (word.text or "").strip()
        ]
    return found


def _stored(words: list[Word]) -> list[tuple]:
    """A page's words as kept: (text, rect) tuples, which marshal gives back as they
    were, ready for ``Word._make``."""
    return [(w.text, tuple(w.rect)) for w in words]
