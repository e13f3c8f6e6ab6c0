"""Numbers in CLI tables as people write them in the command's language: thousands separators, sensible
decimals, percentages; never scientific notation, never 108.79126157407408.

`count(1575)` is "1,575" in English and "1.575" in Spanish; `share(0.1383)` is "13.8%" / "13,8 %";
`number(487.26)` is "487.3"; a missing figure is "–" (a rate of nothing is not zero).
"""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

from baliza.i18n import current

MISSING = "–"
LOCALES = {"en": "en", "es": "es", "pt": "pt_BR"}  # Brazil's conventions for Portuguese


def _locale() -> str:
    return LOCALES.get(current(), "en")


def count(value: float | int | None) -> str:
    """A whole number with thousands separators."""
    if value is None:
        return MISSING
    return format_decimal(round(float(value)), format="#,##0", locale=_locale())


def number(value: float | int | None, decimals: int = 1) -> str:
    """Thousands separators and at most `decimals` decimals (a whole number shows none)."""
    if value is None or value != value:  # None or NaN
        return MISSING
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return format_decimal(float(value), format=pattern, locale=_locale())


def share(value: float | None, decimals: int = 1) -> str:
    """A proportion (0.1383) as a percentage ("13.8%")."""
    if value is None or value != value:
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(float(value), format=pattern, locale=_locale())


def fixed(value: float | None, decimals: int = 2) -> str:
    """A score with always `decimals` decimals, so a column of them lines up ("1.00", "0.38")."""
    if value is None or value != value:
        return MISSING
    return format_decimal(float(value), format="#,##0." + "0" * decimals, locale=_locale())
