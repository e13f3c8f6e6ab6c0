"""Numbers, quantities, money, percentages and dates as people of the current language write them (Babel).

One module for pages, reports and the CLI: `number(1149160)` is "1,149,160" in English, "1.149.160" in
Spanish and Portuguese; `number(941.978)` is "941.98" / "941,98"; a tiny mass keeps its zeros ("0.0042"),
never "4.2e-03"; `percent(0.256)` is "26%"; `day(date(2025, 3, 1))` is "2025-03-01" in English and "01/03/2025" in
Spanish and Portuguese. Spanish uses CLDR's general Spanish (dot for thousands, comma for
decimals, as in Colombia and Spain); Portuguese is Brazil's.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from baliza.i18n import current, gettext, ngettext

Number = float | int | Decimal
COUNT_UNITS = frozenset({"tablets", "doses", "plants", "units"})
MISSING = "–"
"""What a table cell shows for a figure that has no value (a rate of nothing is not zero)."""
LOCALES: dict[str, str] = {"es": "es", "pt": "pt_BR", "en": "en"}
"""The CLDR locale that formats numbers and dates for each language."""


def locale() -> str:
    """The Babel locale of the current language."""
    return LOCALES.get(current(), "en")


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "#" * decimals if decimals > 0 else "")


def number(value: Number | None, decimals: int = 2) -> str:
    """Thousands separators and at most `decimals` decimals (no trailing zeros); a value too small for
    `decimals` keeps two significant digits. None is empty; NaN and infinities are 'unknown'."""
    if value is None:
        return ""
    v = float(value)
    if not math.isfinite(v):
        return gettext("unknown")
    if v != 0 and abs(v) < 10 ** -decimals:
        decimals = min(12, -math.floor(math.log10(abs(v))) + 1)
    return format_decimal(v, format=_pattern(decimals), locale=locale(), decimal_quantization=True)


def count(value: Number | None) -> str:
    """A whole number with thousands separators: '12,480'."""
    return "" if value is None else number(round(float(value)), 0)


def percent(value: Number | None, decimals: int = 0) -> str:
    """A share (0.256) as a percentage: '26%', '25.7%' / '25,7%' with one decimal."""
    if value is None:
        return ""
    v = float(value)
    if not math.isfinite(v):
        return gettext("unknown")
    return format_percent(v, format=_pattern(decimals) + "%", locale=locale(), decimal_quantization=True)


def fixed(value: Number | None, decimals: int = 2) -> str:
    """A score with always `decimals` decimals, so that a column of them lines up ('1.00', '0.38')."""
    if value is None or float(value) != float(value):
        return MISSING
    return format_decimal(float(value), format="#,##0." + "0" * decimals, locale=locale())


def unit_name(unit: str | None, value: Number | None = None) -> str:
    """A unit of quantity in the current language ('tablets', 'comprimidos'); masses and volumes keep
    their symbols."""
    from baliza.i18n.labels import quantity_unit

    return quantity_unit(unit, value)


def quantity(value: Number | None, unit: str | None) -> str:
    """A quantity with its unit: counted units whole ('1,149,160 tablets'), masses and volumes to two
    decimals ('941.98 kg')."""
    if value is None:
        return gettext("unknown quantity")
    shown = count(value) if unit in COUNT_UNITS else number(value)
    return f"{shown} {unit_name(unit, value)}".strip()


def money(value: Number | None, currency: str = "USD") -> str:
    """An amount without cents, with its ISO currency code first: 'USD 25,000'."""
    if value is None:
        return gettext("%(currency)s unknown", currency=currency)
    return f"{currency} {count(value)}"


def months(value: Number | None) -> str:
    """A sentence length: '18 months', '1 month', '2.5 months'."""
    if value is None:
        return ""
    shown = number(value, 1)
    whole = float(value) == 1
    return ngettext("%(shown)s month", "%(shown)s months", 1 if whole else 2, shown=shown)


DAY_PATTERNS: dict[str, str] = {"es": "dd/MM/yyyy", "pt": "dd/MM/yyyy"}
"""How a day is written in tables and sentences: 10/04/2025 in Spanish and Portuguese (day first, as in
Latin America); English keeps ISO 2025-04-10, the data's own spelling and unambiguous for a reader in
any English-speaking country."""


def day(value: date | datetime | str | None, style: Literal["numeric", "medium", "long", "iso"] = "numeric") -> str:
    """A date in the current language: '2025-04-10' / '10/04/2025' (numeric), 'Apr 10, 2025' /
    '10 abr 2025' (medium, for prose). A string is read as ISO; what cannot be read is shown as given."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    if style == "iso" or (style == "numeric" and current() not in DAY_PATTERNS):
        return value.isoformat()
    if style == "numeric":
        return format_date(value, format=DAY_PATTERNS[current()], locale=locale())
    return format_date(value, format=style, locale=locale())
