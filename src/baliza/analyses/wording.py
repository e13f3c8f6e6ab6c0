"""Numbers as people write them, for the sentences analyses return (never scientific notation).

`quantity(1149160, "tablets")` is "1,149,160 tablets"; `quantity(941.978, "kg")` is "941.98 kg";
`quantity(0.0042, "kg")` is "0.0042 kg". Written in the language of what is being produced
(`baliza.i18n.language`), with `baliza.i18n.formatting` (Babel): "1.149.160 comprimidos" in Spanish.
"""

from __future__ import annotations

from baliza.i18n import formatting

COUNT_UNITS = formatting.COUNT_UNITS


def number(value: float, *, decimals: int = 2) -> str:
    """A number with thousands separators and at most `decimals` decimals (more for tiny values)."""
    return formatting.number(value, decimals)


def quantity(value: float | None, unit: str | None) -> str:
    """A quantity with its unit: counts whole, masses and volumes to two decimals."""
    return formatting.quantity(value, unit)


def money_usd(value: float | None) -> str:
    """USD with thousands separators and no cents: 'USD 25,000'."""
    return formatting.money(value, "USD")
