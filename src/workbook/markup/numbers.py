"""Numbers the Finnish way: decimal comma, no-break space in thousands and before %.

Rounding rule for shares: each percentage is the exact share rounded half up to
a whole number (or to the given decimals), shown on its own; a row of rounded
percentages may add up to 99 or 101, and a note under every table says so.
Nothing is nudged to force a total of 100. A share that is not zero never
shows as "0 %" (it is "< 1 %"), and one that is not all never shows as
"100 %" (it is "> 99 %").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

Number = int | float | Fraction | Decimal

NBSP = "\u00a0"
NARROW_ROUNDING_NOTE = (
    "Prosenttiluvut on pyöristetty kokonaisluvuiksi, joten rivin summa voi poiketa 100:sta."
)
# A table whose rows hold one share each: the shares add up down the column.
COLUMN_ROUNDING_NOTE = (
    "Prosenttiluvut on pyöristetty kokonaisluvuiksi, joten osuuksien summa voi poiketa 100:sta."
)
# Several answers per respondent: the shares add up to more than 100 by design.
PLAIN_ROUNDING_NOTE = "Prosenttiluvut on pyöristetty kokonaisluvuiksi."


def fi_int(value: int) -> str:
    """``1234`` -> ``1 234`` (no-break space between thousands)."""
    sign = "-" if value < 0 else ""
    digits = str(abs(int(value)))
    groups = []
    while digits:
        groups.append(digits[-3:])
        digits = digits[:-3]
    return sign + NBSP.join(reversed(groups))


def to_decimal(value: Number) -> Decimal:
    """Exact decimal of an int or a Fraction (shares are kept as fractions of counts)."""
    if isinstance(value, Fraction):
        with localcontext() as context:
            context.prec = 40
            return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_half_up(value: Number, decimals: int = 0) -> Decimal:
    """Round like a person does (0.5 goes up), not like Python's banker's rounding."""
    quantum = Decimal(1).scaleb(-decimals)
    return to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def fi_decimal(value: Number, decimals: int = 1) -> str:
    """``3.25`` -> ``3,3`` (decimal comma, rounded half up)."""
    rounded = round_half_up(value, decimals)
    whole, _, fraction = f"{rounded:f}".partition(".")
    text = fi_int(int(whole)) if whole.lstrip("-") else "0"
    if whole.startswith("-") and not text.startswith("-"):
        text = "-" + text
    return f"{text},{fraction}" if fraction else text


def percent_value(share: Number, decimals: int = 0) -> Decimal:
    """A share (0-1) as the rounded percentage that is shown."""
    return round_half_up(to_decimal(share) * 100, decimals)


def fi_percent(share: Number, decimals: int = 0) -> str:
    """A share (0-1) as Finnish percent text: ``0.4512`` -> ``45 %``."""
    shown = percent_value(share, decimals)
    smallest = Decimal(1).scaleb(-decimals)
    if share > 0 and shown == 0:
        return f"<{NBSP}{fi_decimal(smallest, decimals)}{NBSP}%"
    if share < 1 and shown == 100:
        return f">{NBSP}{fi_decimal(100 - smallest, decimals)}{NBSP}%"
    return f"{fi_decimal(shown, decimals)}{NBSP}%"
