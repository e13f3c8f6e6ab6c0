"""Numbers, dates and codes as people write them on a page, as Jinja filters, in the reader's language.

A thin layer over `baliza.i18n.formatting` (Babel) and `baliza.i18n.labels`: `quantity_text(1149160,
"tablets")` is "1,149,160 tablets" in English and "1.149.160 comprimidos" in Spanish; a tiny mass keeps its
zeros ("0.0042 kg"), never "4.2e-03 kg". Money is "USD 25,000", counts "12,480", days "2025-03-01"
("01/03/2025"), vocabulary codes words ("statute_barred" is "statute-barred", "prescrito").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from baliza.i18n import formatting
from baliza.i18n.labels import label

COUNT_UNITS = formatting.COUNT_UNITS


def number(value: float | int | Decimal | None, decimals: int = 2) -> str:
    """Thousands separators and at most `decimals` decimals; a value below 0.01 keeps two significant digits."""
    return formatting.number(value, decimals)


def quantity_text(value: float | int | Decimal | None, unit: str | None) -> str:
    """A quantity with its unit: counted units whole, masses and volumes to two decimals."""
    return formatting.quantity(value, unit)


def money(value: float | int | Decimal | None, currency: str = "USD") -> str:
    """An amount of money without cents: 'USD 25,000'."""
    return formatting.money(value, currency)


def day(value: date | datetime | str | None) -> str:
    """A date in the reader's language (a time of day is left out)."""
    return formatting.day(value)


def words(code: str | None, vocabulary: str | None = None) -> str:
    """A vocabulary code as words in the reader's language: 'statute_barred' -> 'statute-barred'."""
    return label(code, vocabulary)


def months(value: float | int | Decimal | None) -> str:
    """A sentence length: '18 months', '1 month', '2.5 months'."""
    return formatting.months(value)


FILTERS: dict[str, Callable[..., Any]] = {
    "number": number, "quantity_text": quantity_text, "money": money, "day": day, "words": words,
    "months": months, "percent": formatting.percent, "count": formatting.count, "label": label,
}


def install(env: Any) -> None:
    """Make the filters available to a Jinja environment."""
    env.filters.update(FILTERS)
