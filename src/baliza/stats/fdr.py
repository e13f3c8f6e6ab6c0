"""Benjamini-Hochberg false discovery rate control across every unit tested."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """q-values (BH-adjusted p-values) in the order given; NaN p-values stay NaN and are not counted."""
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    m = int(tested.sum())
    if m == 0:
        return q
    values = p[tested]
    order = np.argsort(values)
    ranked = values[order] * m / np.arange(1, m + 1)
    # q_(i) = min over j >= i of p_(j) m / j, capped at 1
    monotone = np.minimum.accumulate(ranked[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(monotone, 1.0)
    q[tested] = adjusted
    return q
