"""Whole-country figures from per-unit (or per-office) Indicators: numerators and denominators added up.

A national share is total hits over total inspections, not the mean of the units' shares: a unit with ten
inspections weighs what its ten inspections weigh. Only figures whose parts are counts can be pooled so.
"""

from __future__ import annotations

from collections.abc import Iterable

from baliza.analyses.model import Indicator

COUNTRY = ("countries", "all")


def pooled_share(figures: Iterable[Indicator | None], subject: tuple[str, str] = COUNTRY) -> Indicator | None:
    """One share for all subjects: sum of numerators over sum of denominators (None if there is nothing)."""
    present = _same_figure(figures)
    if not present:
        return None
    numerator = sum(float(f.numerator or 0.0) for f in present)
    denominator = sum(float(f.denominator or 0.0) for f in present)
    value = numerator / denominator if denominator else None
    return Indicator(subject[0], subject[1], present[0].indicator, present[0].period, value, numerator, denominator,
                     note=f"pooled over {len(present)} {present[0].subject_table}")


def pooled_total(figures: Iterable[Indicator | None], subject: tuple[str, str] = COUNTRY) -> Indicator | None:
    """One count or total for all subjects: the sum of their numerators (denominator 1, as for any count)."""
    present = _same_figure(figures)
    if not present:
        return None
    total = sum(float(f.numerator or 0.0) for f in present)
    return Indicator(subject[0], subject[1], present[0].indicator, present[0].period, total, total, 1.0,
                     note=f"summed over {len(present)} {present[0].subject_table}")


def latest_period(figures: Iterable[Indicator], name: str) -> str | None:
    """The latest period in which `name` has a value."""
    periods = [f.period for f in figures if f.indicator == name and f.value is not None]
    return max(periods) if periods else None


def _same_figure(figures: Iterable[Indicator | None]) -> list[Indicator]:
    present = [f for f in figures if f is not None]
    if len({(f.indicator, f.period) for f in present}) > 1:
        raise ValueError("pooling needs one indicator in one period: "
                         f"{sorted({(f.indicator, f.period) for f in present})}")
    return present
