"""The press edition's PDF (PDF/X-4): what WeasyPrint 70 leaves to be done.

An exact BleedBox (WeasyPrint caps it at 10 pt), no link annotations, blank
pages up to the binding's page multiple, no ArtBox next to the TrimBox, the
output condition named as configured, and a document ID derived from the
content instead of WeasyPrint's random one.
"""

from __future__ import annotations

import hashlib
import re
import uuid

import pikepdf
from pikepdf import Array, Dictionary, Name

from workbook.config.publication import PageFormat
from workbook.html.colour import OutputProfile

PT_PER_MM = 72 / 25.4


def set_boxes(pdf: pikepdf.Pdf, fmt: PageFormat) -> None:
    """TrimBox = trim size, BleedBox = MediaBox = trim + bleed on every side."""
    set_trim_and_bleed(pdf, fmt.trim, fmt.bleed)


def set_trim_and_bleed(pdf: pikepdf.Pdf, trim: tuple[float, float], bleed_mm: float) -> None:
    """:func:`set_boxes` for a page of any *trim* (mm), e.g. a cover spread."""
    width, height = (v * PT_PER_MM for v in trim)
    bleed = bleed_mm * PT_PER_MM
    for page in pdf.pages:
        media = [float(v) for v in page.MediaBox]
        x0, y0 = media[0] + bleed, media[1] + bleed
        page.TrimBox = Array([x0, y0, x0 + width, y0 + height])
        page.BleedBox = Array([x0 - bleed, y0 - bleed, x0 + width + bleed, y0 + height + bleed])
        page.MediaBox = Array(page.BleedBox)
        if "/ArtBox" in page.obj:
            del page.obj["/ArtBox"]  # PDF/X: TrimBox or ArtBox, never both
        if "/CropBox" in page.obj:
            page.CropBox = Array(page.MediaBox)


def content_digest(pdf: pikepdf.Pdf) -> bytes:
    """SHA-256 of what the pages show (content streams and the images they use).

    WeasyPrint lists every image of the book in one resource dictionary that
    most pages share: each shared dictionary's images are digested once, each
    image's bytes once, and later uses name them by object number.
    """
    h = hashlib.sha256()
    hashed: set[tuple[int, int]] = set()
    shared: dict[tuple[int, int], bytes] = {}  # resource dictionary -> its images' digest
    for page in pdf.pages:
        h.update(page.obj.MediaBox.unparse())
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, Array) else [contents]
        for stream in filter(None, streams):
            h.update(stream.read_raw_bytes())
        resources = page.obj.get("/Resources")
        if not isinstance(resources, Dictionary):
            continue
        key = resources.objgen if resources.is_indirect else None
        if key is None or key not in shared:
            images = hashlib.sha256()
            for name, xobject in sorted(resources.get("/XObject", {}).items()):
                images.update(name.encode())
                if xobject.objgen in hashed and xobject.objgen != (0, 0):
                    images.update(repr(xobject.objgen).encode())
                    continue
                hashed.add(xobject.objgen)
                images.update(xobject.read_raw_bytes())
            if key is None:
                h.update(images.digest())
                continue
            shared[key] = images.digest()
        h.update(repr(key).encode() + shared[key])
    return h.digest()


def finish_pdfx(pdf: pikepdf.Pdf, profile: OutputProfile | None) -> None:
    """Reproducible PDF/X: a content-derived DocumentID, the configured output condition.

    WeasyPrint writes a random uuid4 as the XMP DocumentID of PDF/X files.
    """
    digest = content_digest(pdf)
    # qpdf keeps the first /ID string of its input; WeasyPrint's is random here.
    pdf.trailer.ID = Array([pikepdf.String(digest[:16]), pikepdf.String(digest[16:])])
    document_id = f"uuid:{uuid.UUID(bytes=digest[:16], version=4)}"
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["xmpMM:DocumentID"] = document_id
        meta["xmpMM:InstanceID"] = document_id
    if profile is None:
        return
    for intent in pdf.Root.get("/OutputIntents", []):
        intent.OutputConditionIdentifier = pikepdf.String(profile.condition)
        intent.Info = pikepdf.String(profile.description)
        if re.fullmatch(r"(FOGRA|CGATS|CRPC|GRACoL|SWOP|IFRA)\S*", profile.condition):
            intent.RegistryName = pikepdf.String("http://www.color.org")


def remove_links(pdf: pikepdf.Pdf) -> None:
    """Drop link annotations (print has no use for them)."""
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        kept = [a for a in annots if a.get("/Subtype") != Name.Link]
        if kept:
            page.obj.Annots = Array(kept)
        else:
            del page.obj["/Annots"]


def pad_pages(pdf: pikepdf.Pdf, multiple: int) -> int:
    """Append blank pages (same boxes as the last page) up to a multiple; return how many."""
    missing = -len(pdf.pages) % multiple
    last = pdf.pages[-1]
    for _ in range(missing):
        blank = Dictionary(
            Type=Name.Page,
            MediaBox=Array(last.MediaBox),
            Resources=Dictionary(),
            Contents=pdf.make_stream(b""),
        )
        for box in ("/TrimBox", "/BleedBox"):
            if box in last.obj:
                blank[box] = Array(last.obj[box])
        pdf.pages.append(pikepdf.Page(blank))
    return missing
