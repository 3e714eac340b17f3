"""Finnish hyphenation: real break points, compound boundaries first-class."""

from __future__ import annotations

import pytest

from workbook.markup.hyphenation import SOFT_HYPHEN, hyphenator_for


@pytest.fixture(scope="module")
def fi():
    return hyphenator_for("fi")


def breaks(hyphenator, word: str) -> str:
    return hyphenator.hyphenate_word(word).replace(SOFT_HYPHEN, "-")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # compounds break at their boundaries; a syllable break only far from them
        ("kirjastoauto", "kirjasto-auto"),
        ("asiakaspalvelu", "asiakas-palvelu"),
        ("kehittämisasia", "kehit-tämis-asia"),
        ("rakennusalan", "rakennus-alan"),
        ("asiakasymmärrystyöpajat", "asiakas-ymmärrys-työ-pajat"),
        # plain words: syllable rule, consonant before vowel starts a syllable
        ("kirjasto", "kir-jas-to"),
        ("aineisto", "ai-neis-to"),
        ("viihtyisämmiksi", "viih-tyi-säm-mik-si"),
    ],
)
def test_finnish_break_points(fi, word, expected):
    assert breaks(fi, word) == expected


def test_compound_boundary_not_split_wrongly(fi):
    # the syllable rule alone would give "ke-hit-tä-mi-sa-si-a"
    assert "mi-sa" not in breaks(fi, "kehittämisasia")
    assert "kehittämis" in breaks(fi, "kehittämisasia").replace("-", "", 3)


@pytest.mark.parametrize("word", ["asia", "kirja", "WCAG", "iPad", "e-kirja"])
def test_short_acronym_and_hyphenated_words_untouched(fi, word):
    assert fi.hyphenate_word(word) == word or SOFT_HYPHEN not in fi.hyphenate_word(word)[:2]


def test_no_break_leaves_fewer_than_minimum(fi):
    for word in ["asiakaspalvelu", "kirjastoauto", "kehittämisasia"]:
        parts = fi.hyphenate_word(word).split(SOFT_HYPHEN)
        assert len(parts[0]) >= 2 and len(parts[-1]) >= 2


def test_text_keeps_punctuation_and_numbers(fi):
    text = "Kirjastoauto, 2018 ja asiakaspalvelu!"
    out = fi.hyphenate_text(text)
    assert out.replace(SOFT_HYPHEN, "") == text
    assert out.count(SOFT_HYPHEN) >= 2


def test_house_style_keeps_three_letters_on_the_next_line():
    three = hyphenator_for("fi", 2, 3)
    assert breaks(three, "viihtyisämmiksi") == "viih-tyi-säm-miksi"
