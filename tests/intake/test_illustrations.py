"""Illustration intake: the manifest, the delivered files, placement and resolution."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from conftest import PRINT_SIZES, WITH_IMAGES, chapter, illustrated, make_publication, write_art
from workbook.config.publication import load_config
from workbook.errors import WorkbookError
from workbook.intake import fonts, illustrations
from workbook.intake.illustrations import Box, Placed, load_manifest, place
from workbook.pipeline.build import load_book


def manifest_error(tmp_path: Path, case: str) -> str:
    config = illustrated(tmp_path, case)
    with pytest.raises(WorkbookError) as info:
        load_manifest(load_config(config))
    text = str(info.value)
    assert "\n" not in text
    return text


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing-alt", "illustrations.toml:1: illustration 'tiski' has no alt text"),
        ("missing-file", "illustrations.toml:3: file 'puuttuu.png' of illustration 'tiski'"),
        ("unknown-key", "illustrations.toml:4: unknown key 'leveys' in illustration 'tiski'"),
        ("bad-placement", "illustrations.toml:4: bad value for 'placement'"),
        ("caption-on-full-page", "illustrations.toml:5: a full-page illustration has no room"),
        ("decorative-with-caption", "illustrations.toml:4: illustration 'koriste' is decorative"),
        ("truncated-image", "illustrations.toml:2: unreadable or corrupt image"),
        ("decompression-bomb", "more pixels than the limit of 60,000,000"),
        ("not-an-image", "not an image file or an unknown format (not-an-image.png"),
        ("unsupported-format", "unsupported image format GIF"),
        ("svg-with-text", "line art contains text (svg-with-text.svg"),
        ("svg-named-colour", "SVG colour 'tomato' cannot be converted for print"),
        ("svg-external-image", "SVG refers to an outside file"),
        ("bad-id", "illustrations.toml:1: illustration id 'Tiski_1' is not allowed"),
        ("not-toml", "illustrations.toml:2: not valid TOML"),
    ],
)
def test_bad_manifest_is_one_line_error(tmp_path, case, expected):
    text = manifest_error(tmp_path, case)
    assert expected in text
    assert "hint:" in text


def test_low_resolution_error_gives_the_numbers(tmp_path):
    text = manifest_error(tmp_path, "low-resolution")
    # 400 px across the 131 mm column is 78 ppi; 300 ppi needs 1548 px.
    assert "illustrations.toml:1: illustration 'tiski' (low-resolution.png) is 78 ppi" in text
    assert "press needs 300 ppi: 1548 x 1161 px, the file has 400 x 300 px" in text


def test_missing_manifest(tmp_path):
    config = make_publication(tmp_path, {"01-luku.md": chapter("Luku", "x")}, WITH_IMAGES)
    with pytest.raises(WorkbookError, match="illustration manifest not found"):
        load_manifest(load_config(config))


def test_valid_manifest(tmp_path):
    manifest = load_manifest(load_config(illustrated(tmp_path)))
    assert list(manifest.items) == ["avaus", "koko-sivu", "tiski", "puolikas", "viiva", "koriste"]
    assert manifest["viiva"].vector and manifest["viiva"].aspect == 3.0
    assert manifest["puolikas"].format == "TIFF"
    assert manifest["tiski"].credit == ""  # the test publication has no illustrator
    assert manifest["puolikas"].credit == "Kuva: Testi Kuvittaja"


def test_placed_sizes_and_resolution(tmp_path):
    project = load_config(illustrated(tmp_path))
    manifest = load_manifest(project)
    fmt = project.config.format  # 170 x 240 mm, margins 20/24/22/17, bleed 3 mm
    tiski = place(manifest["tiski"], fmt, 3.0)
    assert (tiski.width, tiski.height) == (65.5, 49.12)  # half of the 131 mm column, 4:3
    assert tiski.ppi((800, 600)) == pytest.approx(800 / (65.5 / 25.4))
    press = place(manifest["koko-sivu"], fmt, 3.0)
    screen = place(manifest["koko-sivu"], fmt, 0.0)
    assert (press.width, press.height) == (176, 246)  # trim + bleed on every side
    assert (screen.width, screen.height) == (170, 240)
    assert press.ppi((2079, 2906)) == pytest.approx(300.0, abs=0.1)
    opener = place(manifest["avaus"], fmt, 3.0)
    assert (opener.width, opener.height) == (176, pytest.approx(100.8 + 3))


def test_cover_resolution_is_the_weaker_axis():
    placed = Placed(100.0, 50.0, Box(100.0, 50.0, "cover"))
    # 1181 px across 100 mm is 300 ppi, but 400 px over 50 mm is only 203 ppi.
    assert placed.ppi((1181, 400)) == pytest.approx(400 / (50 / 25.4))
    assert placed.pixels_for(300) == (1182, 591)


def test_unknown_illustration_names_chapter_line(tmp_path):
    body = "Teksti.\n\n![[tiskki]]\n"
    config = illustrated(tmp_path, chapters={"01-luku.md": chapter("Luku", body)})
    with pytest.raises(WorkbookError) as info:
        load_book(config)
    assert "01-luku.md:7: unknown illustration 'tiskki'" in str(info.value)
    assert "did you mean 'tiski'?" in str(info.value)


def test_illustration_placed_twice(tmp_path):
    chapters = {
        "01-a.md": chapter("A", "![[tiski]]"),
        "02-b.md": chapter("B", "Teksti.\n\n![[tiski]]"),
    }
    config = illustrated(tmp_path, chapters=chapters)
    with pytest.raises(WorkbookError, match=r"02-b.md:7: illustration 'tiski' is placed twice"):
        load_book(config)


def test_opener_must_come_first(tmp_path):
    config = illustrated(tmp_path, chapters={"01-a.md": chapter("A", "Teksti.\n\n![[avaus]]")})
    with pytest.raises(WorkbookError, match=r"01-a.md:7: opener illustration 'avaus' is not"):
        load_book(config)


def test_figure_markup(tmp_path):
    body = "![[avaus]]\n\nTeksti.\n\n![[tiski]]\n\n![[koriste]]\n"
    config = illustrated(tmp_path, chapters={"01-a.md": chapter("A", body)})
    book = load_book(config)
    html = book.chapters[0].html
    assert book.chapters[0].opener == "avaus"
    assert book.chapters[0].figures == ("avaus", "tiski", "koriste")
    assert (
        '<figure class="illustration placement-inline" data-float="kuva-tiski" data-id="tiski"'
        ' data-src="chapters/01-a.md:9" id="kuva-tiski">' in html
    )
    assert (
        '<img alt="Asiakas ja kirjastonhoitaja tiskillä." src="illustration:tiski" '
        'style="width: 65.5mm; height: 49.12mm">'
    ) in html
    assert "<figcaption>Koh" in html  # captions are not hyphenated
    # A decorative image is a background: no <img>, no alt, hidden from assistive tech.
    assert (
        '<div aria-hidden="true" class="illustration placement-inline decorative"'
        ' data-float="koriste-koriste" data-src="chapters/01-a.md:11">' in html
    )
    assert "background-image: url(illustration:koriste)" in html


def test_raster_line_art_needs_600_ppi(tmp_path):
    config = illustrated(tmp_path, "low-resolution")
    folder = tmp_path / "illustrations"
    # 1300 px over 65.5 mm is 504 ppi: plenty for a picture, too little for line art.
    Image.new("1", (1300, 650), 1).save(folder / "viiva.png")
    manifest = folder / "illustrations.toml"
    manifest.write_text(
        '[viiva]\nfile = "viiva.png"\nwidth = 0.5\nline_art = true\nalt = "Viiva."\n'
    )
    with pytest.raises(WorkbookError) as info:
        load_manifest(load_config(config))
    assert "is 504 ppi at its placed size" in str(info.value)
    assert "line art needs 600 ppi: 1548 x 774 px" in str(info.value)
    manifest.write_text(manifest.read_text().replace("line_art = true\n", ""))
    assert load_manifest(load_config(config))["viiva"].pixels == (1300, 650)


# Kept intake facts: what a build learnt of each file, by its content, so the
# next build decodes no unchanged illustration and reads no font's character
# map again. Work is counted, never timed.


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """Names of the raster files and fonts opened by the intake."""
    names: list[str] = []
    real_open, real_font = illustrations.Image.open, fonts.TTFont

    def image_open(path, *args, **kwargs):
        names.append(Path(path).name)
        return real_open(path, *args, **kwargs)

    def font(path, *args, **kwargs):
        names.append(Path(getattr(path, "name", path)).name)  # a path or an open file
        return real_font(path, *args, **kwargs)

    monkeypatch.setattr(illustrations.Image, "open", image_open)
    monkeypatch.setattr(fonts, "TTFont", font)
    fonts._read_face.cache_clear()  # as in a new build's process
    return names


def test_a_second_load_opens_no_unchanged_file(tmp_path, opened):
    config, kept = illustrated(tmp_path / "kirja"), tmp_path / "intake.json"
    first = load_book(config, kept_at=kept)
    assert set(PRINT_SIZES) <= set(opened)
    assert any(name.endswith((".ttf", ".otf")) for name in opened)

    opened.clear()
    fonts._read_face.cache_clear()
    again = load_book(config, kept_at=kept)
    assert opened == []
    assert again.manifest["tiski"].pixels == first.manifest["tiski"].pixels

    write_art(config.parent / "illustrations" / "tiski.png", (820, 600))  # redelivered
    load_book(config, kept_at=kept)
    assert opened == ["tiski.png"]


def test_a_kept_file_replaced_by_a_broken_one_is_still_caught(tmp_path, opened):
    config, kept = illustrated(tmp_path / "kirja"), tmp_path / "intake.json"
    load_book(config, kept_at=kept)
    tiski = config.parent / "illustrations" / "tiski.png"
    tiski.write_bytes(tiski.read_bytes()[:2000])  # cut off in transfer
    with pytest.raises(WorkbookError, match="unreadable or corrupt image"):
        load_book(config, kept_at=kept)


def test_a_kept_file_is_judged_by_the_current_limits(tmp_path, opened):
    config, kept = illustrated(tmp_path / "kirja"), tmp_path / "intake.json"
    load_book(config, kept_at=kept)
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "max_pixels = 1000000\n", encoding="utf-8")  # under [images]
    opened.clear()
    with pytest.raises(WorkbookError, match="more pixels than the limit of 1,000,000"):
        load_book(config, kept_at=kept)
    assert opened == []  # judged from the kept size


def test_damaged_kept_facts_are_ignored(tmp_path, opened):
    config, kept = illustrated(tmp_path / "kirja"), tmp_path / "intake.json"
    kept.write_text("{not json", encoding="utf-8")
    load_book(config, kept_at=kept)
    assert set(PRINT_SIZES) <= set(opened)
    opened.clear()
    fonts._read_face.cache_clear()
    load_book(config, kept_at=kept)  # written anew
    assert opened == []


def test_exif_orientation_decides_the_placed_size(tmp_path):
    """A camera's portrait photo is stored landscape with an orientation tag: its box
    is portrait, as the picture is once turned upright."""
    from PIL import Image

    from workbook.intake.illustrations import upright_size

    photo = tmp_path / "kuva.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (800, 600)).save(photo, exif=exif)
    with Image.open(photo) as image:
        assert image.size == (800, 600) and upright_size(image) == (600, 800)
    Image.new("RGB", (800, 600)).save(photo)
    with Image.open(photo) as image:
        assert upright_size(image) == (800, 600)
