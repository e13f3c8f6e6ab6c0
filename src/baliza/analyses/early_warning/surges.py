"""Significant rises in seizures of a substance: each month against a seasonal baseline, FDR-controlled.

For month t of a series, the baseline is the same calendar month and its two neighbours in up to three
earlier years (Farrington's reference window: it carries the season without fitting it), at least one year
of history being required. The expected count is their mean μ (floored at `MIN_EXPECTED` so a substance
never seized before is not infinitely surprising), over-dispersion φ = max(1, variance / mean) of the
references, and the one-sided p-value is the upper tail of a negative binomial with mean μ and variance φμ
(Poisson when φ = 1). Every (series, month) tested enters one Benjamini-Hochberg step; a month is an alarm when
q ≤ `fdr_level` and the rise is material (at least `min_count` seizures and `min_ratio` times μ). Consecutive
alarm months of one series are one surge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from baliza.analyses.early_warning.series import Tables, monthly_counts

MIN_EXPECTED = 0.5
YEARS_BACK = 3


@dataclass(frozen=True)
class Surge:
    substance: str
    place: str  # "country" or an entry point id
    first_month: str
    last_month: str
    observed: int
    expected: float
    q_value: float
    months: list[dict[str, object]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"substance": self.substance, "place": self.place, "first_month": self.first_month,
                "last_month": self.last_month, "observed": self.observed, "expected": round(self.expected, 2),
                "ratio": round(self.observed / max(self.expected, 1e-9), 2), "q_value": self.q_value,
                "months": self.months}


def _baseline(counts: np.ndarray, t: int) -> tuple[float, float] | None:
    refs = [counts[i] for k in range(1, YEARS_BACK + 1) for i in (t - 12 * k - 1, t - 12 * k, t - 12 * k + 1)
            if 0 <= i < t]
    if len(refs) < 3:
        return None
    mean = float(np.mean(refs))
    var = float(np.var(refs, ddof=1)) if len(refs) > 1 else mean
    phi = max(1.0, var / mean) if mean > 0 else 1.0
    return max(mean, MIN_EXPECTED), phi


def upper_tail(observed: int, mean: float, phi: float) -> float:
    """P(X >= observed) for a negative binomial of this mean and variance phi * mean (Poisson at phi = 1)."""
    if phi <= 1.0 + 1e-9:
        return float(stats.poisson.sf(observed - 1, mean))
    size = mean / (phi - 1.0)
    return float(stats.nbinom.sf(observed - 1, size, size / (size + mean)))


def find_surges(tables: Tables, place: str = "country", level: str = "substance", fdr_level: float = 0.01,
                min_count: int = 5, min_ratio: float = 2.0) -> list[Surge]:
    frame = monthly_counts(tables, place, level)
    if frame.empty:
        return []
    keys = [level] + (["entry_point_id"] if place == "entry_point" else [])
    tested: list[tuple[tuple[Any, ...], str, int, float, float]] = []  # key, month, observed, expected, p
    for key, part in frame.groupby(keys, sort=True):
        counts = part["seizures"].to_numpy()
        months = [str(m) for m in part["month"]]
        for t in range(len(counts)):
            base = _baseline(counts, t)
            if base is None:
                continue
            mean, phi = base
            tested.append((key if isinstance(key, tuple) else (key,), months[t], int(counts[t]), mean,
                           upper_tail(int(counts[t]), mean, phi)))
    if not tested:
        return []
    q = multipletests([p for *_, p in tested], method="fdr_bh")[1]
    alarms: dict[tuple[Any, ...], list[tuple[str, int, float, float]]] = {}
    for (key, month, observed, mean, _), q_value in zip(tested, q, strict=True):
        if q_value <= fdr_level and observed >= min_count and observed >= min_ratio * mean:
            alarms.setdefault(key, []).append((month, observed, mean, float(q_value)))
    surges: list[Surge] = []
    for key, found in alarms.items():
        run: list[tuple[str, int, float, float]] = []
        end: tuple[str, int, float, float] = ("", 0, 0.0, 1.0)
        for item in [*found, end]:
            if run and (not item[0] or pd.Period(item[0], "M") != pd.Period(run[-1][0], "M") + 1):
                surges.append(Surge(
                    str(key[0]), str(key[1]) if len(key) > 1 else "country", run[0][0], run[-1][0],
                    sum(r[1] for r in run), sum(r[2] for r in run), min(r[3] for r in run),
                    [{"month": m, "observed": o, "expected": round(e, 2), "q_value": qv} for m, o, e, qv in run]))
                run = []
            if item[0]:
                run.append(item)
    return sorted(surges, key=lambda s: (s.q_value, s.first_month))
