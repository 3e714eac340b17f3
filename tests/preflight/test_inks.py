"""Press ink rules read back from PDFs: small type, reversed type, black overprint,
the output profile, and ISBNs shared with a copied publication."""

from __future__ import annotations

import shutil
from io import BytesIO

import pikepdf
import pytest

from conftest import FIXTURES, make_publication
from workbook.config.palette import load_palette
from workbook.config.publication import load_config
from workbook.errors import WorkbookError
from workbook.html.colour import BUNDLED_PROFILE
from workbook.preflight.inks import (
    check_isbn_unique,
    check_output_profile,
    check_small_text,
    text_runs,
)


def rendered(name: str) -> bytes:
    from weasyprint import HTML

    return HTML(filename=FIXTURES / "html" / f"{name}.html").write_pdf()


@pytest.mark.parametrize(
    ("case", "status", "words"),
    [
        ("small-text-in-four-inks", "fail", "8.0 pt in 4 inks"),
        ("small-text-reversed-out-of-four-colours", "fail", "7.0 pt reversed out of 4 inks"),
        ("small-text-reversed-out-of-two-inks", "pass", "none reversed"),
    ],
)
def test_small_text_rule(case, status, words):
    result = check_small_text(text_runs(rendered(case)))
    assert result.status == status and words in result.measured, result.measured


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("text-colour-in-four-inks", "'accent' is a text colour but prints in 4 inks"),
        ("dark-fill-in-four-inks", "'chart-1' is dark enough to carry white text"),
    ],
)
def test_the_palette_rule_refuses_four_colour_type(case, words):
    with pytest.raises(WorkbookError) as caught:
        load_palette(FIXTURES / "palette" / f"{case}.toml")
    assert words in str(caught.value) and f"{case}.toml" in str(caught.value)


def test_the_books_palette_keeps_the_rule():
    palette = load_palette(FIXTURES.parents[1] / "styles" / "palette.toml")
    assert palette["accent"].inks == 2 and palette["ink"].inks == 1


def with_intent(profile: bytes) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pdf.make_stream(profile, N=4)
    pdf.Root.OutputIntents = pikepdf.Array(
        [pikepdf.Dictionary(S=pikepdf.Name.GTS_PDFX, DestOutputProfile=stream, Info="X")]
    )
    out = BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_the_bundled_stand_in_profile_is_a_warning():
    stand_in = check_output_profile(with_intent(BUNDLED_PROFILE.read_bytes()), BUNDLED_PROFILE)
    assert stand_in.status == "warn" and "colour.output_profile" in stand_in.rule
    other = check_output_profile(with_intent(b"the print house's profile"), BUNDLED_PROFILE)
    assert other.status == "pass"


def test_a_copied_publication_with_the_same_isbn_warns(tmp_path):
    tree = tmp_path / "repo"
    (tree / ".git").mkdir(parents=True)
    config = make_publication(tree / "kirja-2024", {"01-a.md": "x"})
    assert check_isbn_unique(load_config(config)).status == "pass"
    shutil.copytree(tree / "kirja-2024", tree / "kirja-2025")  # copied, ISBNs and all
    found = check_isbn_unique(load_config(config))
    assert found.status == "warn" and "978-952-7399-01-9 is also in kirja-2025/" in found.measured
    copy = tree / "kirja-2025" / "publication.toml"
    copy.write_text(
        copy.read_text().replace("01-9", "03-3").replace("02-6", "04-0"), encoding="utf-8"
    )
    assert check_isbn_unique(load_config(config)).status == "pass"


def test_outside_a_work_tree_nothing_is_compared(tmp_path):
    config = make_publication(tmp_path / "kirja", {"01-a.md": "x"})
    found = check_isbn_unique(load_config(config))
    assert found.status == "pass" and "not in a git work tree" in found.measured


def test_pages_read_before_take_their_runs_from_the_cache_by_digest(tmp_path):
    from workbook.pipeline.freshness import read_page_cache, write_page_cache
    from workbook.preflight.pageimages import PageDigests

    data = rendered("small-text-reversed-out-of-four-colours")
    with pikepdf.open(BytesIO(data)) as pdf:
        digest = PageDigests()
        keys = [digest(page) for page in pdf.pages]
    cache = tmp_path / "inks.marshal"
    fresh = text_runs(data)
    assert fresh and text_runs(data, keys, cache) == fresh  # read, then kept
    # A kept page is not read again: what the cache says is what is returned.
    stored = read_page_cache(cache, 1)
    stored[keys[0]][0][0] = 99.0
    write_page_cache(cache, 1, stored)
    assert text_runs(data, keys, cache)[0].size == 99.0
    # A page whose digest is new is read; a broken cache is a hint only.
    assert text_runs(data, ["uusi"], cache) == fresh
    cache.write_text("{ rikki")
    assert text_runs(data, keys, cache) == fresh
    assert check_small_text(text_runs(data, keys, cache)).status == "fail"
