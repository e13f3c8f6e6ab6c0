"""Numbers as people write them, for the sentences analyses return (never scientific notation).

`quantity(1149160, "tablets")` is "1,149,160 tablets"; `quantity(941.978, "kg")` is "941.98 kg";
`quantity(0.0042, "kg")` is "0.0042 kg". Pages format again for the reader's language; these sentences
are the analysis's own words.
"""

from __future__ import annotations

COUNT_UNITS = frozenset({"tablets", "doses", "plants", "units"})


def number(value: float, *, decimals: int = 2) -> str:
    """A number with thousands separators and at most `decimals` decimals (more for tiny values)."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1:
        return f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    significant = f"{value:.2g}"
    if "e" in significant:  # below 1e-4: write the zeros out
        digits = max(decimals, -int(f"{value:e}".split("e")[1]) + 1)
        return f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return significant


def quantity(value: float | None, unit: str | None) -> str:
    """A quantity with its unit: counts whole, masses and volumes to two decimals."""
    if value is None:
        return "unknown quantity"
    if unit in COUNT_UNITS:
        return f"{round(value):,} {unit}"
    return f"{number(value)} {unit or ''}".strip()


def money_usd(value: float | None) -> str:
    """USD with thousands separators and no cents: 'USD 25,000'."""
    return "USD unknown" if value is None else f"USD {value:,.0f}"
