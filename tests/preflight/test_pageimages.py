"""Report page images: kept by page content, so a rebuild draws only the pages that changed.

Work is counted (pages pdftoppm is asked to draw), never timed.
"""

from __future__ import annotations

import base64
import subprocess
from io import BytesIO

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageStat

from conftest import one_page_each, spy_on_commands
from workbook.preflight import pageimages

book = one_page_each


@pytest.fixture
def drawn(monkeypatch) -> list[list[str]]:
    """The page selections pdftoppm was run with (one list per run)."""
    return spy_on_commands(monkeypatch, pageimages, "pdftoppm", lambda command: command[3:-2])


def test_a_rebuild_draws_only_the_pages_that_changed(tmp_path, drawn):
    folder = tmp_path / "preflight"
    book(tmp_path / "a.pdf", ["Yksi", "Kaksi", "Kolme", "Neljä"])
    first = pageimages.thumbnails(tmp_path / "a.pdf", folder, "screen")
    assert first == ["screen-1.png", "screen-2.png", "screen-3.png", "screen-4.png"]
    assert drawn == [["-o"], ["-e"]]  # every page, odd and even ones side by side
    before = [(folder / name).read_bytes() for name in first]

    drawn.clear()
    book(tmp_path / "a.pdf", ["Yksi", "Kaksi", "Kolme", "Neljä"])  # the same book again
    assert pageimages.thumbnails(tmp_path / "a.pdf", folder, "screen") == first
    assert drawn == []

    book(tmp_path / "a.pdf", ["Yksi", "Kaksi muuttui", "Kolme", "Neljä"])
    assert pageimages.thumbnails(tmp_path / "a.pdf", folder, "screen") == first
    assert drawn == [["-f", "2", "-l", "2"]]
    after = [(folder / name).read_bytes() for name in first]
    assert [a == b for a, b in zip(before, after, strict=True)] == [True, False, True, True]
    with Image.open(folder / "screen-2.png") as image:
        assert image.size == pytest.approx((105 / 25.4 * 28, 148 / 25.4 * 28), abs=1)  # A6


def test_only_the_current_pages_are_kept(tmp_path):
    folder = tmp_path / "preflight"
    book(tmp_path / "a.pdf", ["Yksi", "Kaksi"])
    pageimages.thumbnails(tmp_path / "a.pdf", folder, "press")
    book(tmp_path / "a.pdf", ["Yksi", "Toinen"])
    pageimages.thumbnails(tmp_path / "a.pdf", folder, "press")
    assert len(list((folder / ".cache" / "press").glob("*.png"))) == 2
    assert sorted(p.name for p in folder.glob("*.png")) == ["press-1.png", "press-2.png"]


def test_the_digest_sees_text_images_and_boxes_but_not_font_subsets(tmp_path):
    book(tmp_path / "a.pdf", ["Sama sivu", "Toinen sivu"])
    book(tmp_path / "b.pdf", ["Sama sivu", "Toinen sivu, jossa on uusia kirjaimia: xyzåäö"])
    with pikepdf.open(tmp_path / "a.pdf") as a, pikepdf.open(tmp_path / "b.pdf") as b:
        digests_a = [pageimages.page_digest(page) for page in a.pages]
        digests_b = [pageimages.page_digest(page) for page in b.pages]
        # Page 1 is the same although the book's font subset gained glyphs.
        assert digests_a[0] == digests_b[0] and digests_a[1] != digests_b[1]
        page = a.pages[0]
        page.obj.CropBox = pikepdf.Array([0, 0, 100, 100])
        assert pageimages.page_digest(page) != digests_a[0]


def png(colour: str) -> str:
    out = BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_the_digest_sees_a_changed_picture(tmp_path):
    book(tmp_path / "a.pdf", [f'<img src="{png("red")}">', "Teksti"])
    book(tmp_path / "b.pdf", [f'<img src="{png("blue")}">', "Teksti"])
    with pikepdf.open(tmp_path / "a.pdf") as a, pikepdf.open(tmp_path / "b.pdf") as b:
        assert pageimages.page_digest(a.pages[0]) != pageimages.page_digest(b.pages[0])
        assert pageimages.page_digest(a.pages[1]) == pageimages.page_digest(b.pages[1])


def test_one_digester_per_file_gives_each_page_its_own_digest(tmp_path):
    book(tmp_path / "a.pdf", ["Yksi", f'<img src="{png("red")}">', "Kolme", "Yksi"])
    with pikepdf.open(tmp_path / "a.pdf") as pdf:
        digest = pageimages.PageDigests()
        shared = [digest(page) for page in pdf.pages]
        assert shared == [pageimages.page_digest(page) for page in pdf.pages]
        assert shared[0] == shared[3] and len(set(shared)) == 3


def test_an_object_in_a_cycle_is_digested_where_it_is_met(tmp_path):
    book(tmp_path / "a.pdf", ["Yksi", "Kaksi"])
    with pikepdf.open(tmp_path / "a.pdf") as pdf:
        first = pdf.make_indirect(pikepdf.Dictionary(Colour=pikepdf.Name.Red))
        second = pdf.make_indirect(pikepdf.Dictionary(Back=first))
        first.Next = second
        for page in pdf.pages:
            page.obj.Resources.Loop = first  # a key fed whole, as colour spaces are
        digest = pageimages.PageDigests()
        before = [digest(page) for page in pdf.pages]
        first.Colour = pikepdf.Name.Blue
        # Nothing in the cycle was kept: a new digester is not needed to see the change.
        after = [digest(page) for page in pdf.pages]
        assert before[0] != after[0] and before[1] != after[1]
        assert after == [pageimages.page_digest(page) for page in pdf.pages]


def test_drawn_names_are_read_from_the_content_stream():
    content = b"q 1 0 0 1 0 0 cm /Im1 Do Q\n/x#207\nDo BT /F1 9 Tf (ei /Kuva Do) Tj ET /Im2 gs"
    # "/Im2 gs" sets a graphics state: not drawn. The name inside the string is
    # taken too: one more object in the digest, never one less.
    assert pageimages.drawn_names(content) == {"/Im1", "/x 7", "/Kuva"}


def test_pages_are_drawn_beside_the_caller_and_placed_only_when_asked(tmp_path, drawn):
    folder = tmp_path / "preflight"
    book(tmp_path / "a.pdf", ["Yksi", "Kaksi"])
    with pikepdf.open(tmp_path / "a.pdf") as pdf:
        keys = [pageimages.page_digest(page) for page in pdf.pages]
    drawing = pageimages.PageDrawing(tmp_path / "a.pdf", folder, "press", keys)
    assert drawing.missing == [1, 2]
    drawing.finish()  # the pixmaps become images kept by digest, and nothing else
    assert sorted(p.stem for p in (folder / ".cache" / "press").iterdir()) == sorted(keys)
    assert list(folder.glob("*.png")) == []
    assert pageimages.place_thumbnails(folder, "press", keys) == ["press-1.png", "press-2.png"]
    assert len(drawn) == 2
    assert pageimages.PageDrawing(tmp_path / "a.pdf", folder, "press", keys).missing == []


def test_a_failed_drawing_is_raised_by_finish(tmp_path):
    folder = tmp_path / "preflight"
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\nnot a PDF")
    drawing = pageimages.PageDrawing(tmp_path / "broken.pdf", folder, "press", ["a" * 32])
    with pytest.raises(subprocess.CalledProcessError):
        drawing.finish()


def picture_page(path, mode: str, size=(600, 400)) -> None:
    """A one-page PDF showing one JPEG picture (*mode* CMYK or RGB) over the whole page."""
    picture = Image.new(mode, size, (20, 200, 40, 10) if mode == "CMYK" else (200, 40, 60))
    picture.paste((200, 10, 10, 0) if mode == "CMYK" else (10, 10, 200), (0, 0, 300, 200))
    data = BytesIO()
    picture.save(data, "JPEG", quality=95)
    pdf = pikepdf.new()
    image = pikepdf.Stream(pdf, data.getvalue())
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height, image.BitsPerComponent = size[0], size[1], 8
    image.ColorSpace = pikepdf.Name.DeviceCMYK if mode == "CMYK" else pikepdf.Name.DeviceRGB
    if mode == "CMYK":  # Pillow writes Adobe (inverted) CMYK, as WeasyPrint passes it on
        image.Decode = pikepdf.Array([1, 0] * 4)
    image.Filter = pikepdf.Name.DCTDecode
    page = pdf.add_blank_page(page_size=(300, 200))
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pdf.make_stream(b"q 300 0 0 200 0 0 cm /Im0 Do Q")
    pdf.save(path)


def test_the_preview_copy_reduces_large_cmyk_pictures_only(tmp_path):
    picture_page(tmp_path / "press.pdf", "CMYK")
    assert pageimages.preview_copy(tmp_path / "press.pdf", tmp_path / "preview.pdf")
    with pikepdf.open(tmp_path / "preview.pdf") as pdf:
        image = pdf.pages[0].Resources.XObject.Im0
        assert (int(image.Width), int(image.Height)) == (150, 100)
        assert image.ColorSpace == pikepdf.Name.DeviceCMYK
        assert list(image.Decode) == [1, 0] * 4
    drawn = []
    for name in ("press", "preview"):
        subprocess.run(
            ["pdftoppm", "-r", "28", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
            check=True,
        )
        drawn.append(Image.open(next(tmp_path.glob(f"{name}-*.ppm"))).convert("RGB"))
    difference = ImageChops.difference(*drawn)
    assert max(ImageStat.Stat(difference).mean) < 3  # the same page image, to the eye

    picture_page(tmp_path / "screen.pdf", "RGB")
    assert not pageimages.preview_copy(tmp_path / "screen.pdf", tmp_path / "unused.pdf")
    picture_page(tmp_path / "small.pdf", "CMYK", size=(300, 200))
    assert not pageimages.preview_copy(tmp_path / "small.pdf", tmp_path / "unused.pdf")
    assert not (tmp_path / "unused.pdf").exists()
