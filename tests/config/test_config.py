"""Config schema: valid files load into typed objects; bad ones give one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from workbook.config.publication import Binding, check_press_config, load_config
from workbook.config.values import isbn13_is_valid, parse_length, parse_size
from workbook.errors import WorkbookError


def load(name: str):
    return load_config(FIXTURES / "config" / f"{name}.toml")


def error_of(name: str) -> str:
    with pytest.raises(WorkbookError) as info:
        load(name)
    text = str(info.value)
    assert "\n" not in text
    assert f"{name}.toml" in text
    return text


def test_valid_config_has_defaults():
    project = load("valid")
    config = project.config
    assert config.publication.title == "Testikirja"
    assert config.format.trim == (170.0, 240.0)
    assert config.format.bleed == 3.0
    assert config.format.binding is Binding.SADDLE_STITCH
    assert config.format.multiple == 4
    assert config.format.margins.inner == 22.0
    assert project.root == (FIXTURES / "config").resolve()


def test_perfect_bound_default_multiple_is_two(tmp_path: Path):
    text = (
        (FIXTURES / "config" / "valid.toml").read_text().replace("saddle-stitch", "perfect-bound")
    )
    (tmp_path / "publication.toml").write_text(text)
    assert load_config(tmp_path).config.format.multiple == 2


def test_unknown_key_names_key_line_and_allowed_keys():
    text = error_of("unknown-key")
    assert "unknown key 'publication.colour'" in text
    assert "unknown-key.toml:8:" in text
    assert "allowed keys here:" in text and "subtitle" in text


def test_missing_required_key():
    text = error_of("missing-title")
    assert "missing required key 'publication.title'" in text


def test_trim_that_is_not_a_size():
    text = error_of("trim-not-a-size")
    assert "bad value for 'format.trim'" in text
    assert "'large' is not a page size" in text
    assert "170 x 240 mm" in text


def test_bad_binding_lists_allowed_values():
    text = error_of("bad-binding")
    assert "format.binding" in text
    assert "saddle-stitch" in text and "perfect-bound" in text


def test_bad_isbn_check_digit():
    assert "has check digit 0; its first 12 digits give 9" in error_of("bad-isbn-check-digit")


def test_saddle_stitch_needs_multiple_of_four():
    assert "multiple of 4" in error_of("saddle-stitch-multiple-2")


def test_duplicate_key_is_toml_error_with_line():
    text = error_of("duplicate-key")
    assert "not valid TOML" in text
    assert "duplicate-key.toml:7" in text


def test_missing_config_file(tmp_path: Path):
    with pytest.raises(WorkbookError, match="config file not found"):
        load_config(tmp_path / "publication.toml")


@pytest.mark.parametrize(("text", "mm"), [("3mm", 3.0), ("0,5 cm", 5.0), ("72pt", 25.4), (4, 4.0)])
def test_parse_length(text, mm):
    assert parse_length(text) == pytest.approx(mm)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("170 x 240 mm", (170, 240)),
        ("170x240mm", (170, 240)),
        ("A5", (148, 210)),
        ("17 × 24 cm", (170, 240)),
    ],
)
def test_parse_size(text, size):
    assert parse_size(text) == pytest.approx(size)


@pytest.mark.parametrize("bad", ["big", "170 mm", "170 x 240", -3])
def test_parse_size_rejects(bad):
    with pytest.raises(ValueError):
        parse_size(bad)


def test_isbn_checksum():
    assert isbn13_is_valid("978-952-7399-01-9")
    assert not isbn13_is_valid("978-952-7399-01-8")
    assert not isbn13_is_valid("952-7399-01-9")


@pytest.mark.parametrize(
    ("case", "words"),
    [("printer-empty", "is empty"), ("printer-placeholder", "is a placeholder")],
)
def test_the_press_edition_needs_the_print_house_named(case, words):
    with pytest.raises(WorkbookError) as info:
        check_press_config(load(case))
    text = str(info.value)
    assert f"{case}.toml:8: press edition: 'publication.printer' {words}" in text
    assert "hint:" in text


def test_a_named_print_house_is_enough():
    check_press_config(load("valid"))


def test_print_and_cover_keys_have_defaults_and_limits():
    config = load("with-cover").config
    assert config.print.caliper == 120 and config.print.cover_allowance == 0.5
    assert config.print.marks is False and config.print.quantity is None
    assert config.cover is not None and config.cover.safe_distance == 5.0
    assert config.cover.spine_text_min == 6.0 and config.cover.barcode_scale == 1.0
    assert load("valid").config.cover is None  # no [cover]: no cover, no spec sheet


def test_epub_isbn_is_optional_and_checked():
    assert load("valid").config.isbn.epub == ""
    text = error_of("epub-isbn-same-as-print")
    assert "isbn" in text and "different ISBNs" in text


def test_accessibility_contact_is_a_web_form_or_a_mailbox():
    text = error_of("accessibility-contact-not-an-address")
    assert "accessibility.contact" in text and "https://" in text
    access = load("valid").config.accessibility
    assert access.contact == "" and access.authority_url.startswith("https://")


def test_an_accepted_warning_needs_its_reason():
    text = error_of("accept-without-reason")
    assert "preflight.accept" in text and "give the reason" in text
