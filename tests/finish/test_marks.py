"""Crop marks in a slug (``[print] marks = true``): the MediaBox grows, the TrimBox and
BleedBox stay exact, the marks are registration colour outside the bleed, and the
preflight still sees blank pages as blank."""

from __future__ import annotations

import subprocess

import numpy as np
import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader

from conftest import covered
from workbook.finish.marks import GAP_MM, SLUG_MM
from workbook.pipeline.make import make

MM = 72 / 25.4


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    root = tmp_path_factory.mktemp("marks")
    config = covered(root, config="crop-marks")
    result = make(config, out_dir=root / "build", report=lambda _: None)
    return root / "build", result


@pytest.mark.parametrize("name", ["testikirja-press.pdf", "testikirja-cover.pdf"])
def test_media_box_grows_and_trim_and_bleed_stay(marked, name):
    out, _ = marked
    for page in PdfReader(out / name).pages:
        trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
        assert float(trim.left - bleed.left) / MM == pytest.approx(3, abs=0.01)
        assert float(bleed.top - trim.top) / MM == pytest.approx(3, abs=0.01)
        assert float(bleed.left - media.left) / MM == pytest.approx(SLUG_MM, abs=0.01)
        assert float(media.top - bleed.top) / MM == pytest.approx(SLUG_MM, abs=0.01)
    if name.endswith("press.pdf"):
        assert float(trim.width) / MM == pytest.approx(170, abs=0.01)


def test_the_marked_files_pass_the_preflight(marked):
    _, result = marked
    found = {(r.name, r.status) for r in result.preflight.all_results() if r.status != "pass"}
    assert found == {("output-profile", "warn")}  # blank pages still blank, boxes right


def test_marks_are_registration_colour_outside_the_bleed(marked, tmp_path):
    out, _ = marked
    with pikepdf.open(out / "testikirja-press.pdf") as pdf:
        page = pdf.pages[0]
        forms = [x for n, x in page.obj.Resources.XObject.items() if n.startswith("/WbCropMark")]
        assert len(forms) == 8
        bleed = [float(v) for v in page.obj.BleedBox]
        for form in forms:
            space = form.Resources.ColorSpace.Reg
            assert str(space[0]) == "/Separation" and str(space[1]) == "/All"
            x0, y0, x1, y1 = (float(v) for v in form.BBox)
            outside = x1 <= bleed[0] or x0 >= bleed[2] or y1 <= bleed[1] or y0 >= bleed[3]
            assert outside
    subprocess.run(
        ["pdftoppm", "-r", "100", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile",
         str(out / "testikirja-press.pdf"), str(tmp_path / "p")],
        check=True,
    )  # fmt: skip
    with Image.open(tmp_path / "p.png") as image:
        pixels = np.asarray(image.convert("L"))

    def px(mm: float) -> int:
        return round(mm * 100 / 25.4)

    trim_line = px(SLUG_MM + 3)  # the top trim, seen from the MediaBox's top edge
    in_slug = pixels[trim_line - 2 : trim_line + 3, px(1.5) : px(SLUG_MM - GAP_MM - 0.5)]
    assert (in_slug < 128).all(axis=1).any()  # the top-left horizontal mark, drawn through
    assert (pixels[px(SLUG_MM) : px(SLUG_MM + 3), :] > 250).all()  # nothing else in the bleed
