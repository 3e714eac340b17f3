"""Values written in ``publication.toml`` as text: lengths, page sizes and ISBNs."""

from __future__ import annotations

import re

_MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
_LENGTH_RE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(mm|cm|in|pt)\s*$")
_SIZE_RE = re.compile(
    r"^\s*(\d+(?:[.,]\d+)?)\s*(?:mm)?\s*[x×]\s*(\d+(?:[.,]\d+)?)\s*(mm|cm|in)\s*$"
)
NAMED_SIZES_MM = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "B5": (176.0, 250.0)}


def parse_length(value: object) -> float:
    """Parse ``"3mm"``, ``"0.5 cm"``, ``"12pt"`` (or a bare number of mm) into mm."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and (match := _LENGTH_RE.match(value)):
        return float(match[1].replace(",", ".")) * _MM_PER_UNIT[match[2]]
    raise ValueError(f'{value!r} is not a length; write e.g. "3mm", "0.5cm" or "12pt"')


def parse_size(value: object) -> tuple[float, float]:
    """Parse ``"170 x 240 mm"`` or a named size (A4, A5, B5) into (width, height) mm."""
    if isinstance(value, str):
        if value.strip().upper() in NAMED_SIZES_MM:
            return NAMED_SIZES_MM[value.strip().upper()]
        if match := _SIZE_RE.match(value):
            factor = _MM_PER_UNIT[match[3]]
            return (
                float(match[1].replace(",", ".")) * factor,
                float(match[2].replace(",", ".")) * factor,
            )
    raise ValueError(
        f'{value!r} is not a page size; write "170 x 240 mm" or one of ' + ", ".join(NAMED_SIZES_MM)
    )


def isbn13_check_digit(first12: str) -> int:
    """The EAN-13 / ISBN-13 check digit of twelve digits (weights 1, 3, 1, 3, ...)."""
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def isbn13_problem(isbn: str) -> str | None:
    """What is wrong with *isbn* (hyphens and spaces allowed), or None for a valid ISBN-13."""
    digits = isbn.replace("-", "").replace(" ", "")
    if not re.fullmatch(r"97[89]\d{10}", digits):
        return f"{isbn!r} is not a 13-digit ISBN starting 978 or 979"
    expected = isbn13_check_digit(digits[:12])
    if expected != int(digits[12]):
        return f"{isbn!r} has check digit {digits[12]}; its first 12 digits give {expected}"
    return None


def isbn13_is_valid(isbn: str) -> bool:
    """Return whether *isbn* (hyphens allowed) is a 13-digit ISBN with a valid check digit."""
    return isbn13_problem(isbn) is None
