"""Percentile rank of a unit among its peers, with an interval that widens when its sample is small.

The point rank compares observed rates. The interval comes from simulation: every unit's rate is drawn from its
Jeffreys posterior Beta(x + 1/2, n - x + 1/2), the unit is ranked in each draw, and the 2.5th and 97.5th
percentiles of its ranks are reported. A unit with 8 inspections gets a wide interval; one with 8,000 a narrow one.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from baliza.analyses.ksi.catalogue import Direction, Kind, get_spec
from baliza.analyses.model import Indicator

DRAWS = 2000


def peer_percentiles(
    indicators: Iterable[Indicator], groups: pd.DataFrame, name: str, period: str, seed: int = 20250101
) -> list[Indicator]:
    """`<name>_peer_percentile` for every unit with a non-zero denominator, among the units of its peer group.

    0 is the worst of the group and 100 the best (for a lower-is-better indicator the order is turned round).
    numerator = units ranked below, denominator = other units in the group.
    """
    spec = get_spec(name)
    if spec.kind is not Kind.PROPORTION:
        raise ValueError(f"{name} is not a proportion; percentile intervals are drawn for proportions only")
    rows = pd.DataFrame(
        [
            {"unit_id": i.subject_id, "x": i.numerator, "n": i.denominator}
            for i in indicators
            if i.indicator == name and i.period == period and i.denominator and i.denominator > 0
        ],
        columns=["unit_id", "x", "n"],
    )
    rows = rows.merge(groups[["unit_id", "peer_group"]], on="unit_id", how="left")
    rows["peer_group"] = rows["peer_group"].fillna("unknown/unknown")
    sign = -1.0 if spec.direction is Direction.LOWER_IS_BETTER else 1.0
    rng = np.random.default_rng(seed)
    out: list[Indicator] = []
    for group, members in rows.groupby("peer_group", sort=True):
        members = members.sort_values("unit_id")
        if len(members) < 2:
            continue
        x, n = members["x"].to_numpy(float), members["n"].to_numpy(float)
        observed = sign * x / n
        draws = sign * rng.beta(x + 0.5, n - x + 0.5, size=(DRAWS, len(members)))
        simulated = _percentiles(draws)
        point = _percentiles(observed[None, :])[0]
        for k, unit in enumerate(members["unit_id"]):
            low, high = np.percentile(simulated[:, k], [2.5, 97.5])
            others = len(members) - 1
            out.append(
                Indicator(
                    "units", str(unit), f"{name}_peer_percentile", period, float(point[k]),
                    float(point[k]) * others / 100.0, float(others), float(low), float(high),
                    note=f"peer group {group}; 100 = best of {len(members)} units",
                )
            )
    return out


def _percentiles(values: np.ndarray) -> np.ndarray:
    """Per row of `values` (draws x units): share of the other units below each unit, ties counted half, x 100."""
    below = (values[:, None, :] < values[:, :, None]).sum(axis=2)
    ties = (values[:, None, :] == values[:, :, None]).sum(axis=2) - 1
    others = values.shape[1] - 1
    return 100.0 * (below + 0.5 * ties) / others
