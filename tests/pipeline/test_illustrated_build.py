"""Integration: a small illustrated publication, built and read back with pypdf and pikepdf.

Resolution and colour are measured from the PDFs with pypdf (a content-stream
walk written here, independent of workbook.preflight.pdfcontent), not from the model.
"""

from __future__ import annotations

import os
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from conftest import chapter, illustrated
from workbook.pipeline.build import BuildResult, build

BODY = """![[avaus]]

Ensimmäinen kappale kertoo, mistä luvussa on kyse.

![[tiski]]

Toinen kappale jatkaa kertomusta palvelutiskin äärellä.

![[koko-sivu]]

Kolmas kappale tulee koko sivun kuvan jälkeen.

![[puolikas]]

![[viiva]]

Luvun viimeinen kappale.

![[koriste]]
"""


def quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def publication(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("illustrated")
    return illustrated(root, chapters={"01-luku.md": chapter("Kuvitettu luku", BODY)})


@pytest.fixture(scope="module")
def built(publication) -> BuildResult:
    return build(publication, out_dir=publication.parent / "build", report=quiet)


def pdf_of(built: BuildResult, name: str) -> Path:
    return next(e.path for e in built.editions if e.variant.name == name)


def _mul(m, n):
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
        e * a2 + f * c2 + e2, e * b2 + f * d2 + f2,
    )  # fmt: skip


def painted(path: Path):
    """(page, operator, operands, ctm, resources) for every operation, pypdf only."""
    reader = PdfReader(path)
    for number, page in enumerate(reader.pages, start=1):
        resources = page["/Resources"]
        yield from _walk(reader, page.get_contents(), number, (1, 0, 0, 1, 0, 0), resources)


def _walk(reader, stream, number, base, resources):
    ctm, stack = base, []
    for operands, operator in ContentStream(stream, reader).operations:
        op = operator.decode()
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = _mul(tuple(float(v) for v in operands), ctm)
        yield number, op, operands, ctm, resources
        if op == "Do":
            xobject = resources["/XObject"][operands[0]].get_object()
            if xobject["/Subtype"] == "/Form":
                own = xobject.get("/Resources", resources)
                yield from _walk(reader, xobject, number, ctm, own)


def images(path: Path) -> list[tuple[int, str, float]]:
    """(page, colour space, effective ppi) of every image drawn."""
    found = []
    for number, op, operands, ctm, resources in painted(path):
        if op != "Do":
            continue
        xobject = resources["/XObject"][operands[0]].get_object()
        if xobject["/Subtype"] != "/Image":
            continue
        width_in = (ctm[0] ** 2 + ctm[1] ** 2) ** 0.5 / 72
        height_in = (ctm[2] ** 2 + ctm[3] ** 2) ** 0.5 / 72
        ppi = min(xobject["/Width"] / width_in, xobject["/Height"] / height_in)
        found.append((number, str(xobject["/ColorSpace"]), ppi))
    return found


def test_all_checks_pass(built):
    for edition in built.editions:
        # but the warning that the bundled stand-in profile is no print house's
        left = [(c.name, c.status) for c in edition.checks if c.status != "pass"]
        assert left in ([], [("output-profile", "warn")])
        assert edition.warnings == []


def test_press_is_pdf_x4_with_cmyk_output_intent(built):
    with pikepdf.open(pdf_of(built, "press")) as pdf:
        assert pdf.pdf_version == "1.6"
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert int(intent.DestOutputProfile.N) == 4
        assert str(intent.OutputConditionIdentifier) == "Artifex CMYK SWOP Profile"
        with pdf.open_metadata() as meta:
            assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
            assert meta["xmp:CreateDate"].startswith("2024-01-01")
        for page in pdf.pages:
            assert "/TrimBox" in page.obj and "/ArtBox" not in page.obj


def test_press_images_are_cmyk_at_300_ppi(built):
    found = images(pdf_of(built, "press"))
    assert len(found) == 4  # the SVGs are vector; the decorative one is a background
    for page, space, ppi in found:
        assert space == "/DeviceCMYK", page
        assert ppi >= 299.5, (page, ppi)


def test_press_paints_no_rgb(built):
    for page, op, operands, _, _ in painted(pdf_of(built, "press")):
        assert op not in ("rg", "RG"), page
        if op in ("cs", "CS"):
            assert operands[0] != "/DeviceRGB", page


def test_screen_images_are_srgb_at_most_200_ppi(built):
    found = images(pdf_of(built, "screen"))
    assert len(found) == 4
    for page, space, ppi in found:
        assert space == "/DeviceRGB", page
        assert 150 <= ppi <= 200, (page, ppi)
    press = pdf_of(built, "press").stat().st_size
    assert pdf_of(built, "screen").stat().st_size < press / 3


def structure(path: Path) -> list[pikepdf.Dictionary]:
    with pikepdf.open(path) as pdf:
        found, stack = [], [pdf.Root.StructTreeRoot]
        while stack:
            element = stack.pop()
            if isinstance(element, pikepdf.Array):
                stack.extend(element)
            elif isinstance(element, pikepdf.Dictionary) and "/K" in element:
                found.append(
                    (
                        str(element.get("/S")),
                        str(element.get("/Alt", "")),
                        [str(k.get("/S")) for k in _kids(element)],
                    )
                )
                stack.append(element.K)
        return found


def _kids(element):
    kids = element.K
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return [k for k in items if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def test_every_figure_has_alt_and_captions_are_tied(built):
    elements = structure(pdf_of(built, "screen"))
    figures = [e for e in elements if e[0] == "/Figure"]
    assert sorted(alt for _, alt, _ in figures) == sorted(
        [
            "Kirjaston ovi aamulla.",
            "Palvelutiski koko sivun kuvana.",
            "Asiakas ja kirjastonhoitaja tiskillä.",
            "Neuvontaa tietokoneella.",
            "Kaareva viiva ja ympyrä.",
        ]
    )
    captioned = [kids for s, _, kids in elements if kids == ["/Figure", "/Caption"]]
    assert len(captioned) == 3 and all(s != "/NonStruct" for s, _, k in elements if k in captioned)
    assert not [e for e in elements if e[0] == "/NonStruct" and "/Figure" in e[2]]


def test_decorative_image_is_an_artifact(built):
    """The ornament (an SVG background, drawn as a form) sits in /Artifact marked content."""
    in_artifact, depth = [], []
    for _, op, operands, _, resources in painted(pdf_of(built, "screen")):
        if op in ("BDC", "BMC"):
            depth.append(str(operands[0]))
        elif op == "EMC" and depth:
            depth.pop()
        elif op == "Do" and resources["/XObject"][operands[0]]["/Subtype"] == "/Form":
            in_artifact.append("/Artifact" in depth)
    assert in_artifact and all(in_artifact)
    # ...and leaves no empty group element behind in the structure tree.
    assert not [e for e in structure(pdf_of(built, "screen")) if e[0] == "/Div" and not e[2]]


def test_press_is_reproducible_across_build_folders(built, publication, tmp_path):
    again = build(publication, out_dir=tmp_path / "elsewhere", report=quiet)
    for first, second in zip(built.editions, again.editions, strict=True):
        assert first.path.read_bytes() == second.path.read_bytes(), first.variant.name


def test_rebuild_converts_only_what_changed(built, publication):
    out = publication.parent / "build"
    again = build(publication, out_dir=out, report=quiet)
    assert [e.images_converted for e in again.editions] == [0, 0]
    tiski = publication.parent / "illustrations" / "tiski.png"
    os.utime(tiski)  # touching is not a change: the key is the content
    assert [e.images_converted for e in build(publication, out_dir=out, report=quiet).editions] == [
        0,
        0,
    ]
    tiski.write_bytes(tiski.read_bytes() + b"\0")
    changed = build(publication, out_dir=out, report=quiet)
    assert [e.images_converted for e in changed.editions] == [1, 1]
    assert [i for e in changed.editions for i, p in e.images.items() if p.converted] == [
        "tiski",
        "tiski",
    ]
