"""Whole words for search and speech: a word broken at a line end is read whole."""

from __future__ import annotations

import re
import subprocess
from io import BytesIO

import pikepdf
from weasyprint import HTML

from workbook.finish.content import Texts
from workbook.finish.tagged import tag_footnotes
from workbook.finish.words import compound_words, join_broken_words, mark_note_calls

SHY = "\u00ad"
WORDS = ["kehit" + SHY + "tä" + SHY + "mis" + SHY + "hank" + SHY + "kee" + SHY + "seen"] * 6


def tagged(body: str, width: str = "32mm") -> pikepdf.Pdf:
    html = (
        f'<html lang="fi"><head><title>t</title><style>@page {{ size: A6 }} '
        f"p {{ width: {width}; hyphens: manual }}</style></head><body>{body}</body></html>"
    )
    return pikepdf.open(BytesIO(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")))


def extracted(pdf: pikepdf.Pdf, tmp_path) -> str:
    path = tmp_path / "t.pdf"
    pdf.save(path)
    run = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return run.stdout.decode()


def test_a_hyphenated_word_is_found_whole(tmp_path):
    pdf = tagged("<p>" + " ".join(WORDS) + "</p>")
    before = extracted(pdf, tmp_path)
    assert re.search(r"\w\u2010\n", before)  # broken for search, as WeasyPrint writes it
    assert "kehittämishankkeeseen" not in before.replace("\n", " ").split()
    joined = join_broken_words(pdf)
    after = extracted(pdf, tmp_path)
    assert joined >= 3
    assert "\u2010" not in after
    assert after.split().count("kehittämishankkeeseen") == len(WORDS)


def test_a_break_after_a_hard_hyphen_is_joined_only_for_words_of_the_book(tmp_path):
    body = "<p>" + " ".join(["Keski-Suomen kirjastot", "asiakas- ja henkilöstökysely"] * 6)
    pdf = tagged(body + "</p>", width="20mm")  # a line break after every hyphen
    before = extracted(pdf, tmp_path).split()
    assert "Keski-Suomen" not in before  # poppler even drops the hyphen: "KeskiSuomen"
    join_broken_words(pdf, compounds=compound_words(["Keski-Suomen kirjastot"]))
    assert extracted(pdf, tmp_path).split().count("Keski-Suomen") == 6
    read_as = {
        str(operands[1].ActualText)
        for page in pdf.pages
        for operands, operator in pikepdf.parse_content_stream(page)
        if str(operator) == "BDC" and "/ActualText" in operands[1]
    }
    assert read_as == {"Keski-Suomen", ""}  # "asiakas- ja" is no word: left as it is


def test_footnote_calls_are_references_read_after_a_space(tmp_path):
    note = '<span style="float: footnote">Tieto.</span>'
    body = f'<p style="width: auto">Asiakasymmärrystä{note} koottiin.</p>'
    pdf = tagged(body)
    assert "Asiakasymmärrystä1" in extracted(pdf, tmp_path)
    assert tag_footnotes(pdf) == 1
    texts = Texts(pdf)
    assert mark_note_calls(pdf, texts) == 1
    texts.save()
    assert "Asiakasymmärrystä 1 koottiin" in " ".join(extracted(pdf, tmp_path).split())
    tags = {str(o.get("/S")) for o in pdf.objects if isinstance(o, pikepdf.Dictionary)}
    assert "/Reference" in tags and "/Note" in tags
