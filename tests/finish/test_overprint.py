"""Black overprints: 100 K text and thin rules print over the tint below, other colours
knock out; judged on Ghostscript's separations, the way a RIP makes plates."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from conftest import FIXTURES
from workbook.finish.overprint import overprint_black
from workbook.preflight.inks import check_overprint, text_runs


def rendered(name: str) -> bytes:
    from weasyprint import HTML

    return HTML(filename=FIXTURES / "html" / f"{name}.html").write_pdf()


def overprinted(data: bytes) -> bytes:
    with pikepdf.open(BytesIO(data)) as pdf:
        assert overprint_black(pdf) > 0
        out = BytesIO()
        pdf.save(out)
    return out.getvalue()


def test_black_text_overprints_and_coloured_text_knocks_out():
    before = rendered("black-text-on-tint")
    assert check_overprint(text_runs(before)).status == "fail"
    after = text_runs(overprinted(before))
    assert check_overprint(after).status == "pass"
    coloured = [r for r in after if r.colour != (0.0, 0.0, 0.0, 1.0)]
    assert coloured and not any(r.overprint for r in coloured)


def cyan_under(pdf: Path, word: str, folder: Path) -> int:
    """How many pixels of the cyan plate are bare paper under *word*."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in boxes.splitlines() if f">{word}<" in line)
    values = [float(v.split('"')[1]) for v in line.split()[1:5]]
    subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=tiffsep", "-r72",
         f"-sOutputFile={folder / 'sep.tif'}", str(pdf)],
        check=True,
    )  # fmt: skip
    with Image.open(folder / "sep(Cyan).tif") as plate:
        crop = plate.convert("L").crop(tuple(round(v) for v in values))
        return int((np.asarray(crop) > 250).sum())  # 255: no cyan at all


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (setup.sh) not installed")
def test_the_cyan_plate_has_no_holes_under_black(tmp_path):
    before = tmp_path / "before.pdf"
    before.write_bytes(rendered("black-text-on-tint"))
    after = tmp_path / "after.pdf"
    after.write_bytes(overprinted(before.read_bytes()))
    assert cyan_under(before, "MUSTA", tmp_path) > 20  # knocked out: letters cut into the tint
    assert cyan_under(after, "MUSTA", tmp_path) == 0  # overprinted: the tint runs on
    assert cyan_under(after, "PUNA", tmp_path) > 20  # red is not black: it still knocks out


def test_overprint_is_set_with_overprint_mode_1_for_text_and_the_rule():
    """OPM 1: the zero C, M and Y of 100 K leave the inks below alone."""
    data = overprinted(rendered("black-text-on-tint"))
    with pikepdf.open(BytesIO(data)) as pdf:
        ops = [(str(o), [str(v) for v in a]) for a, o in pikepdf.parse_content_stream(pdf.pages[0])]
        on = [i for i, (op, args) in enumerate(ops) if op == "gs" and args == ["/WbOverprint10"]]
        painted = [next(op for op, _ in ops[i + 1 :] if op in ("f*", "TJ")) for i in on]
        assert painted == ["f*", "TJ"]  # the border (two rectangles in its clip), the word
        states = pdf.pages[0].obj.Resources.ExtGState
        on = [s for s in states.values() if s.get("/op") is True]
        assert on and all(int(s.OPM) == 1 for s in on)
