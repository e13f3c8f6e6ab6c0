"""Small arithmetic shared by the indicator families: a share that refuses zero denominators."""

from __future__ import annotations

import pandas as pd


def share(numerator: float, denominator: float | None) -> float | None:
    """numerator / denominator, or None for a zero or unknown denominator (a rate of nothing is not zero)."""
    if denominator is None or pd.isna(denominator) or denominator == 0:
        return None
    return float(numerator) / float(denominator)


def as_number(value: object) -> float:
    """A summed column as a float; an empty sum (null) is 0."""
    return 0.0 if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]
