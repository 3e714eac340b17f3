"""Finnish typographic conventions in running text."""

from __future__ import annotations

import pytest

from workbook.markup.typography import EN_DASH, NARROW_NBSP, NBSP, finnish_text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('Hän sanoi "hyvä" ja lähti.', "Hän sanoi ”hyvä” ja lähti."),
        ("“englantilaiset” lainausmerkit", "”englantilaiset” lainausmerkit"),
        ("kirjaston 'oma' asia", "kirjaston ’oma’ asia"),
        ("vuosina 2018-2019", f"vuosina 2018{EN_DASH}2019"),
        ("sivut 12-14", f"sivut 12{EN_DASH}14"),
        ("ISBN 978-952-7399-01-9", "ISBN 978-952-7399-01-9"),
        ("Odota...", "Odota…"),
        ("45 % vastaajista", f"45{NBSP}% vastaajista"),
        ("matka 12 km", f"matka 12{NBSP}km"),
        ("hinta 5 €", f"hinta 5{NBSP}€"),
        ("(ks. s. 12)", f"(ks. s.{NBSP}12)"),
        ("1 200 vastaajaa", f"1{NARROW_NBSP}200 vastaajaa"),
    ],
)
def test_conventions(source, expected):
    assert finnish_text(source) == expected


def test_spaced_hyphen_is_en_dash_glued_to_previous_word():
    assert finnish_text("asiakas - ja henkilöstö") == f"asiakas{NBSP}{EN_DASH} ja henkilöstö"
    assert finnish_text("asiakas – ja henkilöstö") == f"asiakas{NBSP}{EN_DASH} ja henkilöstö"


def test_unit_needs_word_end():
    # "2 kertaa" must not glue as if "k" were a unit
    assert NBSP not in finnish_text("2 kertaa ja 3 ministeriötä")
