"""Word spaces read from the content stream are the gaps a reader sees."""

from __future__ import annotations

import itertools
import json
import re
import subprocess

import pikepdf
import pytest

from workbook.pipeline.freshness import read_page_cache, write_page_cache
from workbook.preflight.textlines import read_pages

PAGE = """<html lang="fi"><style>
@page { size: 120mm 60mm; margin: 10mm }
p { font: 10pt/14pt serif; text-align: justify; width: 60mm; margin: 0 }
</style><p>Kirjasto on kaikkien yhteinen olohuone ja oppimisen paikka, jonne
tullaan lukemaan, kysymään ja tapaamaan muita ihmisiä.</p></html>"""


def _gaps_seen(pdf_path) -> list[list[float]]:
    """The gaps between the words of each line, from poppler's word boxes."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines: dict[float, list[tuple[float, float]]] = {}
    words = re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)"', out)
    for x0, x1, y1 in words:
        lines.setdefault(round(float(y1)), []).append((float(x0), float(x1)))
    return [
        [b[0] - a[1] for a, b in itertools.pairwise(ws)]
        for _, ws in sorted(lines.items())
        if len(ws) > 1
    ]


def test_justified_spaces_count_the_stretch_on_both_sides_of_the_space(tmp_path):
    weasyprint = pytest.importorskip("weasyprint")
    path = tmp_path / "sivu.pdf"
    weasyprint.HTML(string=PAGE).write_pdf(path)
    with pikepdf.open(path) as pdf:
        lines = [line for line in read_pages(pdf)[0].lines if line.spaces]
    seen = _gaps_seen(path)
    assert len(lines) == len(seen) >= 3
    natural = max(seen[-1])  # the last line is not justified
    for line, gaps in zip(lines, seen, strict=True):
        # The ratio to the font's space, as read, is the ratio of the gap seen.
        assert max(line.spaces) / max(lines[-1].spaces) == pytest.approx(
            max(gaps) / natural, abs=0.02
        )
    assert max(seen[0]) / natural > 1.2  # a justified line whose spaces did stretch


def test_pages_read_before_are_taken_from_the_cache_by_digest_and_others_read(tmp_path):
    weasyprint = pytest.importorskip("weasyprint")
    from workbook.preflight.pageimages import PageDigests

    path, cache = tmp_path / "sivut.pdf", tmp_path / "lines.marshal"
    html = PAGE.replace("</p>", '</p><p style="break-before: page">Toinen sivu.</p>')
    weasyprint.HTML(string=html).write_pdf(path)
    with pikepdf.open(path) as pdf:
        digest = PageDigests()
        keys = [digest(page) for page in pdf.pages]
        fresh = read_pages(pdf)
        assert read_pages(pdf, keys, cache) == fresh  # read, then kept
        # A kept page is not read again: what the cache says is what is returned.
        stored = read_page_cache(cache, 2)
        stored[keys[0]]["lines"][0][0][0][5] = "välimuistista"
        write_page_cache(cache, 2, stored)
        again = read_pages(pdf, keys, cache)
        assert again[0].lines[0].text == "välimuistista" and again[1] == fresh[1]
        # A page whose digest is new is read; a broken cache is a hint only.
        assert read_pages(pdf, ["uusi", keys[1]], cache) == fresh
        cache.write_text("{ rikki")
        assert read_pages(pdf, keys, cache) == fresh


def test_a_file_read_after_another_keeps_its_own_fonts(tmp_path):
    # Font objects are numbered per file. Two files whose fonts have the same
    # numbers, read one after the other in one process, are each read as alone.
    weasyprint = pytest.importorskip("weasyprint")
    paths = []
    for name, html in (("a", PAGE.replace("serif", "sans-serif")), ("b", PAGE)):
        paths.append(tmp_path / f"{name}.pdf")
        weasyprint.HTML(string=html).write_pdf(paths[-1])
    with pikepdf.open(paths[0]) as a, pikepdf.open(paths[1]) as b:
        fonts = [{f.objgen for f in p.pages[0].Resources.Font.values()} for p in (a, b)]
    assert fonts[0] & fonts[1]  # the case: a font of the same number in both files
    script = (  # each run in a process of its own: nothing read before
        "import json, sys, pikepdf\n"
        "from workbook.preflight.textlines import read_pages\n"
        "for path in sys.argv[1:]:\n"
        "    lines = read_pages(pikepdf.open(path))[0].lines\n"
        "print(json.dumps([[round(ln.x1, 2), ln.text] for ln in lines]))\n"
    )

    def last_read(*files) -> list:
        run = subprocess.run(
            ["python", "-c", script, *map(str, files)], capture_output=True, text=True, check=True
        )
        return json.loads(run.stdout)

    assert last_read(paths[0], paths[1]) == last_read(paths[1])
