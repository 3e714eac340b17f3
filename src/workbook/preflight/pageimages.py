"""Page images for the preflight report, drawn by pdftoppm and kept by page content.

A rebuild after an edit changes a page or two: every page image is stored
under a digest of what the page paints (its content stream, the images and
forms it draws, its annotations, the names and metrics of its fonts, its
boxes), and only pages whose digest is new are drawn again. Font programs are
left out of the digest on purpose: WeasyPrint subsets each font for the whole
book, so they change whenever any page gains a glyph, while the glyphs a page
shows are in its content stream.

The images are drawn from a preview copy of the PDF whose large CMYK JPEG
pictures are decoded at a quarter of their size (:func:`preview_copy`): a press
picture at 300 ppi stays at 75 ppi, well over the page image's 28 dpi, and
poppler does not convert millions of CMYK pixels it would then throw away
(it halves pdftoppm's time on the press edition's pages). Everything
else in the copy, colours and output intent included, is the file's own.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from io import BytesIO
from pathlib import Path

import pikepdf
from PIL import Image

from workbook.pipeline.outputs import temp_folder

THUMB_DPI = 28
PREVIEW_MIN_PIXELS = 200_000  # smaller pictures are drawn as they are
PREVIEW_REDUCTION = 4  # JPEG's own scaled decoding: 1/2, 1/4 or 1/8
_CACHE = ".cache"  # inside the report folder, one subfolder per edition
_VERSION = b"page-images 2"
# Keys that point back up the object graph, or that say nothing about the look.
_SKIP = {"/Parent", "/P", "/StructParent", "/StructParents", "/ParentTree", "/Annots"}
_FONT_METRICS = ("/FontBBox", "/ItalicAngle", "/Ascent", "/Descent", "/CapHeight", "/StemV")


def thumbnails(
    pdf: Path, folder: Path, name: str, keys: list[str] | None = None, into: Path | None = None
) -> list[str]:
    """Page images (``press-01.png`` ...) for the report; their file names in page order.

    *keys* are the pages' digests when the caller has them (:func:`page_digest`).
    The images are kept in *folder*'s cache and placed in *into* (default *folder*).
    """
    if keys is None:
        with pikepdf.open(pdf) as document:
            keys = [page_digest(page) for page in document.pages]
    PageDrawing(pdf, folder, name, keys).finish()
    return place_thumbnails(into or folder, name, keys, cache_root=folder)


class PageDrawing:
    """The pages of *pdf* whose image is not kept yet, drawn by pdftoppm in the background.

    Drawing starts at once (a thread waits on the pdftoppm processes, so the
    caller's checks run beside them); :meth:`finish` waits and keeps each image
    under its page digest. Nothing is placed in the report folder: that is
    :func:`place_thumbnails`, once the PDF has passed.
    """

    def __init__(self, pdf: Path, folder: Path, name: str, keys: list[str]) -> None:
        self.keys = keys
        self.cache = folder / _CACHE / name
        self.cache.mkdir(parents=True, exist_ok=True)
        self.missing = [
            n for n, key in enumerate(keys, start=1) if not whole_png(self.cache / f"{key}.png")
        ]
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self.work: Path | None = None  # pixmaps drawing-NN.ppm and the preview, until finished
        if self.missing:
            self.work = Path(tempfile.mkdtemp(prefix="pages-", dir=temp_folder(self.cache)))
            self.prefix = self.work / "drawing"
            self._thread = threading.Thread(
                target=self._run, args=(pdf,), name=f"pdftoppm-{name}", daemon=True
            )
            self._thread.start()

    def _run(self, pdf: Path) -> None:
        assert self.work is not None
        preview = self.work / "preview.pdf"
        try:
            source = preview if preview_copy(pdf, preview) else pdf
            _draw(source, self.prefix, self.missing, len(self.keys))
        except BaseException as exc:  # raised again by finish(), in the caller's thread
            self._error = exc
        finally:
            preview.unlink(missing_ok=True)

    def finish(self) -> None:
        """Wait for pdftoppm and keep the new page images (PNG, by page digest)."""
        if self._thread is None:
            return
        self._thread.join()
        self._thread = None
        try:
            if self._error is not None:
                raise self._error
            width = len(str(len(self.keys)))  # pdftoppm pads page numbers to the count's digits
            for number in self.missing:
                pixmap = self.prefix.with_name(f"{self.prefix.name}-{number:0{width}d}.ppm")
                with Image.open(pixmap) as image:
                    image.save(self.cache / f"{self.keys[number - 1]}.png", compress_level=1)
        finally:
            if self.work is not None:
                shutil.rmtree(self.work, ignore_errors=True)


_PNG_START = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def whole_png(path: Path) -> bool:
    """Whether *path* is a kept page image written whole (a cache is a hint: a
    damaged one is drawn again)."""
    try:
        with open(path, "rb") as stream:
            start = stream.read(8)
            stream.seek(-12, 2)
            return start == _PNG_START and stream.read(12) == _PNG_END
    except OSError:
        return False


def preview_copy(pdf: Path, target: Path) -> bool:
    """Write *pdf* to *target* with its large CMYK JPEG pictures reduced for page images.

    Each DCT-encoded CMYK image of :data:`PREVIEW_MIN_PIXELS` or more is decoded at
    1/:data:`PREVIEW_REDUCTION` of its size (scaled JPEG decoding, no full-size
    pass) and stored again, with its colour space and decode array as they
    were. Returns False, writing nothing, when there is no such picture (an
    sRGB picture costs poppler little: the e-version is drawn from itself).
    """
    try:
        document = pikepdf.open(pdf)
    except pikepdf.PdfError:
        return False  # pdftoppm reads the file itself and reports what is wrong
    with document:
        reduced = 0
        for obj in document.objects:
            if (
                not isinstance(obj, pikepdf.Stream)
                or obj.get("/Subtype") != pikepdf.Name.Image
                or obj.get("/Filter") != pikepdf.Name.DCTDecode
                or not _is_cmyk(obj.get("/ColorSpace"))
                or int(obj.get("/Width", 0)) * int(obj.get("/Height", 0)) < PREVIEW_MIN_PIXELS
            ):
                continue
            width, height = int(obj.Width), int(obj.Height)
            with Image.open(BytesIO(obj.read_raw_bytes())) as image:
                image.draft(image.mode, (width // PREVIEW_REDUCTION, height // PREVIEW_REDUCTION))
                image.load()
                small = BytesIO()
                image.save(small, "JPEG", quality=90)
                obj.write(small.getvalue(), filter=pikepdf.Name.DCTDecode)
                obj.Width, obj.Height = image.size
            reduced += 1
        if not reduced:
            return False
        document.save(target)
    return True


def _is_cmyk(space: object) -> bool:
    """Whether an image colour space is DeviceCMYK or a 4-component ICC profile."""
    if space == pikepdf.Name.DeviceCMYK:
        return True
    return (
        isinstance(space, pikepdf.Array)
        and len(space) == 2
        and space[0] == pikepdf.Name.ICCBased
        and int(space[1].get("/N", 0)) == 4
    )


def place_thumbnails(
    folder: Path, name: str, keys: list[str], cache_root: Path | None = None
) -> list[str]:
    """Copy the kept page images of *keys* (in *cache_root*'s cache, default *folder*'s)
    into *folder* as ``<name>-NN.png``, drop the images of older builds; the file names
    in page order."""
    # "handout-01.png" is a page of "handout", "handout-notes-01.png" is not
    own = re.compile(rf"{re.escape(name)}-\d+\.png")
    for old in folder.glob(f"{name}-*.png"):
        if own.fullmatch(old.name):
            old.unlink()
    width = len(str(len(keys)))
    names = [f"{name}-{number:0{width}d}.png" for number in range(1, len(keys) + 1)]
    cache = (cache_root or folder) / _CACHE / name
    for key, file_name in zip(keys, names, strict=True):
        shutil.copyfile(cache / f"{key}.png", folder / file_name)
    for stale in cache.glob("*.png"):  # pages of older builds
        if stale.stem not in keys:
            stale.unlink()
    return names


def _draw(pdf: Path, prefix: Path, pages: list[int], count: int) -> None:
    """Draw *pages* (1-based) as pixmaps ``<prefix>-NN.ppm``, in two processes.

    The build's last edition draws while the other core is free. pdftoppm
    writes raw pixmaps; Pillow makes the PNGs with light compression
    (pdftoppm's own PNG output spends half its time in zlib's default level).
    """
    command = ["pdftoppm", "-r", str(THUMB_DPI)]
    if len(pages) == count:  # every page: odd and even ones side by side
        runs = [["-o"], ["-e"]] if count > 1 else [[]]
    else:
        runs = [["-f", str(first), "-l", str(last)] for first, last in page_ranges(pages)]
    for batch in _batches(runs, 2):
        processes = [
            subprocess.Popen(
                [*command, *selection, str(pdf), str(prefix)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for selection in batch
        ]
        errors = [process.communicate(timeout=600)[1] for process in processes]
        for process, stderr in zip(processes, errors, strict=True):
            if process.returncode != 0:
                raise subprocess.CalledProcessError(process.returncode, process.args, stderr=stderr)


def page_ranges(pages: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Runs of consecutive page numbers as (first, last)."""
    start = previous = None
    for page in pages:
        if previous is not None and page == previous + 1:
            previous = page
            continue
        if start is not None:
            yield start, previous  # type: ignore[misc]
        start = previous = page
    if start is not None:
        yield start, previous  # type: ignore[misc]


def _batches(items: list, size: int) -> Iterator[list]:
    for index in range(0, len(items), size):
        yield items[index : index + size]


def page_digest(page: pikepdf.Page) -> str:
    """A digest of everything that decides how *page* looks (see the module notes)."""
    return PageDigests()(page)


class PageDigests:
    """:func:`page_digest` for the pages of one file, each shared object digested once.

    WeasyPrint lists every font and graphics state of the book in every page's
    resources: digested page by page, the e-version's 31 fonts were read 64
    times. An indirect object's digest is kept by its object id for the file's
    other pages (the kept digest is of its content, never of its number, so a
    page digests the same in every build). An object met again while its own
    digest is being taken (a cycle) is marked, and the objects around that
    cycle are not kept, only digested afresh where they are met.
    """

    def __init__(self) -> None:
        self._kept: dict[tuple[int, int], bytes] = {}
        self._open: set[tuple[int, int]] = set()  # objects whose digest is being taken
        self._cycles = 0  # how many times an open object was met

    def __call__(self, page: pikepdf.Page) -> str:
        digest = hashlib.sha256(_VERSION)
        obj = page.obj
        for box in ("/MediaBox", "/CropBox"):
            digest.update(repr([float(v) for v in obj.get(box, [])]).encode())
        self._drawing(digest, obj, obj.get("/Resources"), 0)
        for annotation in obj.get("/Annots") or []:
            self._feed(digest, annotation)
        return digest.hexdigest()[:32]

    def _drawing(self, digest, drawing, resources, depth: int) -> None:
        """A page or form XObject: its content, and the resources it uses.

        Only the XObjects the content draws are fed (WeasyPrint lists every image of
        the book in every page's resources); fonts, colour spaces, graphics states
        and patterns are small and fed whole.
        """
        if depth > 8:
            return
        if isinstance(drawing, pikepdf.Stream):  # a form XObject: its own bytes and frame
            contents = drawing
            for key in ("/BBox", "/Matrix", "/Group"):
                self._feed(digest, drawing.get(key))
        else:  # a page
            contents = drawing.get("/Contents")
        parts = contents if isinstance(contents, pikepdf.Array) else [contents]
        used: set[str] = set()
        for part in parts:
            if isinstance(part, pikepdf.Stream):
                digest.update(part.read_raw_bytes())
                used.update(drawn_names(part.read_bytes()))
        if not isinstance(resources, pikepdf.Dictionary):
            return
        for key in sorted(resources.keys()):
            if key != "/XObject":
                digest.update(key.encode())
                self._feed(digest, resources[key])
        xobjects = resources.get("/XObject") or {}
        for name in sorted(used):
            xobject = xobjects.get(name)
            if not isinstance(xobject, pikepdf.Stream):
                continue
            digest.update(name.encode())
            if xobject.get("/Subtype") == "/Form":
                self._drawing(digest, xobject, xobject.get("/Resources"), depth + 1)
            else:
                self._feed(digest, xobject)  # an image: its bytes, its soft mask

    def _feed(self, digest, value: object, depth: int = 0) -> None:
        """Feed *value* to *digest*; an indirect object by the digest kept for it."""
        if not (isinstance(value, pikepdf.Object) and value.is_indirect):
            self._feed_value(digest, value, depth)
            return
        key = value.objgen
        kept = self._kept.get(key)
        if kept is None:
            if key in self._open:
                self._cycles += 1
                digest.update(b"<cycle>")
                return
            own = hashlib.sha256()
            cycles = self._cycles
            self._open.add(key)
            try:
                self._feed_value(own, value, 0)
            finally:
                self._open.discard(key)
            kept = own.digest()
            if self._cycles == cycles:  # no cycle through it: the same wherever it is met
                self._kept[key] = kept
        digest.update(b"<obj>" + kept)

    def _feed_value(self, digest, value: object, depth: int) -> None:
        """Streams by their raw bytes, fonts by name and metrics, the rest key by key."""
        if depth > 12:
            return
        if isinstance(value, pikepdf.Dictionary | pikepdf.Stream):
            if value.get("/Type") == "/Font":
                _feed_font(digest, value)
                return
            if isinstance(value, pikepdf.Stream) and value.get("/Subtype") == "/Form":
                # a form XObject met outside a content stream, e.g. a widget's look
                self._drawing(digest, value, value.get("/Resources"), depth)
                return
            if isinstance(value, pikepdf.Stream):
                digest.update(value.read_raw_bytes())
            for key in sorted(value.keys()):
                if key not in _SKIP:
                    digest.update(key.encode())
                    self._feed(digest, value[key], depth + 1)
        elif isinstance(value, pikepdf.Array):
            digest.update(b"[")
            for item in value:
                self._feed(digest, item, depth + 1)
            digest.update(b"]")
        else:
            digest.update(repr(value).encode())


_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def drawn_names(content: bytes) -> set[str]:
    """The XObject names a content stream paints with ``Do`` (e.g. ``/Im1``).

    A pattern, not a parse: ten times faster, and where it errs (the same
    characters inside a string or an inline image) it only names one more
    object, which makes the digest more careful, never less.
    """
    return {
        "/" + _ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), name).decode("latin-1")
        for name in _DO.findall(content)
    }


def _feed_font(digest, font: pikepdf.Dictionary) -> None:
    """A font by its name without the subset tag and its descriptor's metrics."""
    fonts = [font, *(font.get("/DescendantFonts") or [])]
    for each in fonts:
        digest.update(str(each.get("/BaseFont", "")).split("+", 1)[-1].encode())
        descriptor = each.get("/FontDescriptor")
        if isinstance(descriptor, pikepdf.Dictionary):
            for key in _FONT_METRICS:
                digest.update(repr(descriptor.get(key)).encode())
