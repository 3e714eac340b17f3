"""Survey data: the CSV schema, Finnish numbers, charts and the Markdown that places them."""

from __future__ import annotations

import itertools
import re
import shutil
import xml.etree.ElementTree as etree
from fractions import Fraction
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, chapter, make_publication
from workbook.config.palette import contrast_ratio, load_palette
from workbook.config.publication import load_config
from workbook.errors import WorkbookError
from workbook.html.charts import Colours, describe, render_chart
from workbook.intake.survey import load_surveys
from workbook.markup.numbers import NBSP, fi_decimal, fi_int, fi_percent
from workbook.pipeline.build import load_book

WITH_DATA = (FIXTURES / "config" / "valid.toml").read_text(encoding="utf-8") + (
    '\n[data]\nmanifest = "data/kyselyt.toml"\n'
)
LIKERT = """[{id}]
file = "{file}"
kind = "likert"
title = "Asiakkaiden arviot"
scale = ["Samaa mieltä", "Ei samaa eikä eri mieltä", "Eri mieltä"]
agree = 1
source = "Testikysely 2024"
"""
CHOICE = """[asiointi]
file = "valid-choice.csv"
kind = "choice"
title = "Miten asioit kirjastossa"
n = 512
source = "Testikysely 2024"
"""
PALETTE = load_palette(REPO / "styles" / "palette.toml")
SVG = "{http://www.w3.org/2000/svg}"


def data_publication(root: Path, manifest: str, chapters: dict[str, str] | None = None) -> Path:
    config = make_publication(root, chapters or {"01-a.md": chapter("A", "x")}, WITH_DATA)
    shutil.copytree(FIXTURES / "data", root / "data")
    (root / "data" / "kyselyt.toml").write_text(manifest, encoding="utf-8")
    return config


def load(tmp_path: Path, csv_case: str):
    manifest = LIKERT.format(id="arviot", file=f"{csv_case}.csv")
    return load_surveys(load_config(data_publication(tmp_path, manifest)))


def error(tmp_path: Path, csv_case: str) -> str:
    with pytest.raises(WorkbookError) as info:
        load(tmp_path, csv_case)
    text = str(info.value)
    assert "\n" not in text and "hint:" in text
    return text


# ---- Schema ----


def test_valid_likert(tmp_path):
    data = load(tmp_path, "valid-likert")["arviot"]
    assert data.scale == ("Samaa mieltä", "Ei samaa eikä eri mieltä", "Eri mieltä")
    assert [r.key for r in data.rows] == ["palvelu", "opasteet"]
    assert data.rows[0].n == 512 and data.rows[0].line == 2
    assert data.agree_share(data.rows[0]) == Fraction(300, 512)
    assert data.value("opasteet", "eri mieltä") == Fraction(151, 512)
    assert data.value("palvelu", "n") == 512


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("bad-scale-label", "bad-scale-label.csv:1: unknown scale label 'Samaa mieltää'"),
        ("negative-count", "negative-count.csv:2: negative count for 'Ei samaa eikä eri"),
        ("non-integer-count", "non-integer-count.csv:2: count for 'Ei samaa eikä eri mieltä'"),
        ("empty", "empty.csv: data file is empty"),
        ("missing-column", "missing-column.csv:1: column 'tunnus' is missing"),
        ("percentages-not-100", "percentages-not-100.csv:2: percentages add up to 93 %"),
        ("counts-disagree-with-n", "answers add up to 512 but n is 520"),
        ("wrong-field-count", "wrong-field-count.csv:2: row has 4 fields, the header has 5"),
        ("utf-16", "utf-16.csv: data file is UTF-16"),
    ],
)
def test_bad_csv_is_one_line_error_with_file_and_line(tmp_path, case, expected):
    assert expected in error(tmp_path, case)


def test_bad_scale_label_suggests_the_right_one(tmp_path):
    assert "did you mean 'Samaa mieltä'?" in error(tmp_path, "bad-scale-label")


@pytest.mark.parametrize("case", ["semicolon-export", "windows-1252"])
def test_excel_exports_are_recognised(tmp_path, case):
    data = load(tmp_path, case)["arviot"]
    assert data.delimiter == ";"
    assert data.encoding == ("windows-1252" if case == "windows-1252" else "utf-8")
    assert data.rows[1].label == "Löydän hyllyt opasteiden avulla"  # Finnish letters intact
    assert data.rows[0].counts == (300, 120, 92)


def test_typed_percentages_with_n_become_counts(tmp_path):
    data = load(tmp_path, "percentages")["arviot"]
    assert data.rows[0].n == 512
    assert fi_percent(data.rows[0].share(0), 1) == f"58,6{NBSP}%"


def test_choice_needs_respondents(tmp_path):
    manifest = CHOICE.replace("n = 512\n", "")
    with pytest.raises(WorkbookError, match="choice data set 'asiointi' has no respondent count"):
        load_surveys(load_config(data_publication(tmp_path, manifest)))


def test_single_choice_must_add_up(tmp_path):
    manifest = CHOICE + "multiple = false\n"
    with pytest.raises(WorkbookError, match="choices add up to 768, not n = 512"):
        load_surveys(load_config(data_publication(tmp_path, manifest)))


def test_unknown_manifest_key(tmp_path):
    manifest = LIKERT.format(id="arviot", file="valid-likert.csv") + "vuosi = 2024\n"
    with pytest.raises(WorkbookError) as info:
        load_surveys(load_config(data_publication(tmp_path, manifest)))
    assert "kyselyt.toml:8: unknown key 'vuosi' in data set 'arviot'" in str(info.value)


# ---- Finnish numbers ----


def test_finnish_number_format():
    assert fi_int(1234) == f"1{NBSP}234"
    assert fi_int(1234567) == f"1{NBSP}234{NBSP}567"
    assert fi_int(999) == "999"
    assert fi_decimal(3.25, 1) == "3,3"  # half up, not to even
    assert fi_percent(Fraction(45, 100)) == f"45{NBSP}%"


@pytest.mark.parametrize(
    ("share", "shown"),
    [
        (Fraction(1, 8), "13"),  # 12.5 rounds up
        (Fraction(145, 1000), "15"),  # exact fractions: 14.5 is not 14.4999...
        (Fraction(1, 3), "33"),
        (Fraction(0), "0"),
        (Fraction(1, 1000), f"<{NBSP}1"),  # not zero, so never "0 %"
        (Fraction(999, 1000), f">{NBSP}99"),  # not all, so never "100 %"
        (Fraction(1), "100"),
    ],
)
def test_rounding_rule(share, shown):
    assert fi_percent(share) == f"{shown}{NBSP}%"


# ---- Charts ----


def chart_tree(tmp_path, case="valid-likert", space="cmyk"):
    data = load(tmp_path, case)["arviot"]
    chart = render_chart(data, 360.0, Colours.from_palette(PALETTE, space))
    return data, chart, etree.fromstring(chart.svg)


def test_likert_bars_are_proportional_to_the_data(tmp_path):
    data, chart, root = chart_tree(tmp_path)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == len(data.rows) * len(data.scale)
    for index, row in enumerate(data.rows):
        widths = [float(b.get("width")) for b in bars[index * 3 : index * 3 + 3]]
        assert sum(widths) == pytest.approx(360.0, abs=0.05)  # 100 % of the width
        for step, width in enumerate(widths):
            assert width == pytest.approx(float(row.share(step)) * 360.0, abs=0.01)
    assert chart.width == 360.0 and float(root.get("height").removesuffix("pt")) == chart.height


def test_chart_text_is_text_in_the_book_font_and_palette(tmp_path):
    _, _, root = chart_tree(tmp_path)
    texts = list(root.iter(f"{SVG}text"))
    content = [t.text for t in texts]
    assert "Saan hyvää palvelua" in content and "Samaa mieltä" in content  # label, legend
    assert "59" in content  # 300 / 512 = 58.6 % on the bar
    assert {t.get("font-family") for t in texts} == {"Workbook Inter"}
    paints = {e.get("fill") for e in root.iter() if e.get("fill")}
    allowed = {c.css("cmyk") for c in PALETTE.colours}
    assert paints <= allowed and all(p.startswith("device-cmyk(") for p in paints)


def test_screen_chart_uses_srgb_and_readable_labels(tmp_path):
    _, _, root = chart_tree(tmp_path, space="srgb")
    fills = {e.get("fill") for e in root.iter() if e.get("fill")}
    assert fills <= {c.srgb for c in PALETTE.colours}
    bars = [e for e in root.iter(f"{SVG}rect") if e.get("class") == "bar"]
    labels = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    for label in labels:  # a value on a bar: text colour against that bar
        x = float(label.get("x"))
        y = float(label.get("y"))
        bar = next(
            b
            for b in bars
            if float(b.get("x")) <= x <= float(b.get("x")) + float(b.get("width"))
            and float(b.get("y")) <= y <= float(b.get("y")) + float(b.get("height"))
        )
        assert contrast_ratio(label.get("fill"), bar.get("fill")) >= 4.5


def test_chart_series_differ_in_lightness_for_greyscale():
    def grey(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    values = sorted(grey(PALETTE[f"chart-{i}"].srgb) for i in range(1, 6))
    assert min(b - a for a, b in itertools.pairwise(values)) >= 20


def test_choice_bars_on_a_full_scale(tmp_path):
    manifest = CHOICE
    data = load_surveys(load_config(data_publication(tmp_path, manifest)))["asiointi"]
    chart = render_chart(data, 360.0, Colours.from_palette(PALETTE, "srgb"))
    root = etree.fromstring(chart.svg)
    bars = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert bars[1] / bars[0] == pytest.approx(431 / 337, rel=1e-3)
    values = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.endswith("%")]
    assert values == [f"66{NBSP}%", f"84{NBSP}%"]


def test_alt_text_states_the_main_finding(tmp_path):
    data = load(tmp_path, "valid-likert")["arviot"]
    alt = describe(data)
    assert alt.startswith("Pinottu pylväskuvio: Asiakkaiden arviot (n = 512).")
    assert "eniten kohdassa ”Saan hyvää palvelua” (59 %)" in alt
    assert "vähiten kohdassa ”Löydän hyllyt opasteiden avulla” (41 %)" in alt


# ---- Markdown ----

BOTH = LIKERT.format(id="arviot", file="valid-likert.csv") + "\n" + CHOICE


def test_tables_charts_and_numbers_in_a_chapter(tmp_path):
    body = (
        "Palveluun oli tyytyväisiä [[=arviot:palvelu]] vastaajista.\n\n"
        "![[taulukko:arviot]]\n\n![[kuvio:arviot]]\n\n![[kuvio:asiointi]]\n\n"
        "![[kuvioluettelo]]\n\n![[kuvioiden-taulukot]]\n"
    )
    book = load_book(data_publication(tmp_path, BOTH, {"01-a.md": chapter("A", body)}))
    html = book.chapters[0].html
    assert f'<span class="data-value">59{NBSP}%</span>' in html
    assert f'<span class="label">Taulukko{NBSP}1.</span> Asiakkaiden arviot' in html
    assert f'<span class="label">Kuvio{NBSP}2.</span> Miten asioit' in html
    assert '<th scope="col" class="num">Samaa mieltä</th>' in html or (
        '<th class="num" scope="col">Samaa mieltä</th>' in html
    )
    assert '<th scope="row">Saan hyvää palvelua</th>' in html
    # The choice chart has no table of its own: the appendix gives it number 2.
    assert book.numbers.tables == {"arviot": 1, "asiointi": 2}
    assert 'id="taulukko-asiointi"' in html and "Luvut: taulukko" in html
    assert re.search(
        r'<img alt="Pinottu pylväskuvio: Asiakkaiden arviot[^"]*" src="chart:arviot"', html
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "![[kuvio:arviott]]",
            "01-a.md:5: unknown data set 'arviott' (hint: did you mean 'arviot'?)",
        ),
        ("[[=arviot:palvelux]]", "01-a.md:5: [[=arviot:palvelux]]: data set 'arviot' has no row"),
        ("[[=arviot:palvelu:kyllä]]", "'kyllä' is no answer of data set 'arviot'"),
        ("![[kaavio:arviot]]", "01-a.md:5: unknown block 'kaavio:'"),
        ("![[taulukko:arviot]]\n\n![[taulukko:arviot]]", "![[taulukko:arviot]] is placed twice"),
        ("![[kuvio:arviot]]", "the numbers of chart 'arviot' are in no table"),
    ],
)
def test_bad_data_references_name_the_chapter_line(tmp_path, body, expected):
    config = data_publication(tmp_path, BOTH, {"01-a.md": chapter("A", body)})
    with pytest.raises(WorkbookError) as info:
        load_book(config)
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("typed", "count"),
    [("1412", 1412), ("1\u00a0412", 1412), ("1\u202f412", 1412), ("1 412", 1412),
     ("1 412 000", 1412000), ("0", 0), ("1 41", None), ("1.412", None), ("1,412", None),
     ("12,0", None), ("kaksi", None)],
)  # fmt: skip
def test_counts_are_read_the_finnish_way(typed, count):
    from workbook.intake.survey import parse_count

    assert parse_count(typed) == count


def test_utf16_hint_names_the_finnish_excel_menu_entry(tmp_path):
    text = error(tmp_path, "utf-16")
    assert "'CSV UTF-8 (comma delimited)'" in text and "'CSV UTF-8 (luetteloerotin)'" in text


def test_table_captions_give_n_once_when_every_group_has_the_same():
    from types import SimpleNamespace

    from workbook.markup.datablocks import _n_text

    def dataset(counts: dict[str, int]):
        return SimpleNamespace(groups=tuple(counts), n=0, respondents=lambda: counts)

    assert (
        _n_text(dataset({"Myönteiset": 312, "Kehittämisehdotukset": 312})) == f"n{NBSP}={NBSP}312"
    )
    assert _n_text(dataset({"Asiakkaat": 512, "Henkilöstö": 152})) == (
        f"Asiakkaat n{NBSP}={NBSP}512, Henkilöstö n{NBSP}={NBSP}152"
    )
    single = SimpleNamespace(groups=(), n=1024, respondents=lambda: {"": 1024})
    assert _n_text(single) == f"n{NBSP}={NBSP}{fi_int(1024)}"
