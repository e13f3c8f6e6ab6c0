"""Numbers, dates and codes as people write them on a page, as Jinja filters (never scientific notation).

`quantity_text(1149160, "tablets")` is "1,149,160 tablets"; `quantity_text(941.978, "kg")` is
"941.98 kg"; a tiny mass keeps its zeros ("0.0042 kg"), never "4.2e-03 kg". Money is "USD 25,000",
counts "12,480", days "2025-03-01", vocabulary codes "statute barred".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

COUNT_UNITS = frozenset({"tablets", "doses", "plants", "units"})


def number(value: float | int | Decimal | None, decimals: int = 2) -> str:
    """Thousands separators and at most `decimals` decimals; a value below 0.01 keeps two significant digits."""
    if value is None:
        return ""
    v = float(value)
    if v != v or v in (float("inf"), float("-inf")):  # NaN and infinities: say so, do not print 'nan'
        return "unknown"
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}"
    if abs(v) >= 10 ** -decimals:
        return f"{v:,.{decimals}f}".rstrip("0").rstrip(".")
    digits = decimals
    while abs(v) < 10 ** -digits and digits < 12:
        digits += 1
    return f"{v:,.{digits + 1}f}".rstrip("0").rstrip(".")


def quantity_text(value: float | int | Decimal | None, unit: str | None) -> str:
    """A quantity with its unit: counted units whole, masses and volumes to two decimals."""
    if value is None:
        return "unknown quantity"
    if unit in COUNT_UNITS:
        return f"{round(float(value)):,} {unit}"
    return f"{number(value)} {unit or ''}".strip()


def money(value: float | int | Decimal | None, currency: str = "USD") -> str:
    """An amount of money without cents: 'USD 25,000'."""
    if value is None:
        return f"{currency} unknown"
    return f"{currency} {round(float(value)):,}"


def day(value: date | datetime | str | None) -> str:
    """A date as YYYY-MM-DD (a time of day is left out)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def words(code: str | None) -> str:
    """A vocabulary code as words: 'statute_barred' -> 'statute barred'."""
    return "" if code is None else str(code).replace("_", " ")


def months(value: float | int | Decimal | None) -> str:
    """A sentence length: '18 months', '1 month', '2.5 months'."""
    if value is None:
        return ""
    text = number(value, 1)
    return f"{text} month" if text == "1" else f"{text} months"


FILTERS: dict[str, Callable[..., Any]] = {
    "number": number, "quantity_text": quantity_text, "money": money, "day": day, "words": words,
    "months": months,
}


def install(env: Any) -> None:
    """Make the filters available to a Jinja environment."""
    env.filters.update(FILTERS)
