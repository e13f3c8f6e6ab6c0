"""Trend tests over a run of periods: a binomial GLM slope for proportions, a Poisson GLM slope for counts."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm


@dataclass(frozen=True)
class Trend:
    """Slope per period on the link scale (logit or log), its p-value, and how many periods stood behind it."""

    slope: float | None
    p_value: float | None
    periods: int
    method: str

    def direction(self, alpha: float = 0.05) -> str:
        if self.p_value is None or self.slope is None or self.p_value >= alpha:
            return "no trend"
        return "rising" if self.slope > 0 else "falling"


MIN_PERIODS = 3


def proportion_trend(successes: list[int], trials: list[int]) -> Trend:
    """Logistic (binomial GLM) regression of successes/trials on the period index; periods without trials skipped."""
    rows = [(i, s, n) for i, (s, n) in enumerate(zip(successes, trials, strict=True)) if n > 0]
    method = "binomial GLM, logit slope per period"
    if len(rows) < MIN_PERIODS:
        return Trend(None, None, len(rows), method)
    index = np.array([r[0] for r in rows], dtype=float)
    s = np.array([r[1] for r in rows], dtype=float)
    n = np.array([r[2] for r in rows], dtype=float)
    if s.sum() == 0 or s.sum() == n.sum():
        return Trend(0.0, 1.0, len(rows), method)
    endog = np.column_stack([s, n - s])
    return _fit(endog, index, sm.families.Binomial(), method, len(rows))


def count_trend(counts: list[int], exposures: list[float] | None = None) -> Trend:
    """Poisson GLM (log link) of counts on the period index, with log exposure as offset when given."""
    method = "Poisson GLM, log slope per period"
    exposure = np.ones(len(counts)) if exposures is None else np.asarray(exposures, dtype=float)
    keep = exposure > 0
    y = np.asarray(counts, dtype=float)[keep]
    index = np.arange(len(counts), dtype=float)[keep]
    if len(y) < MIN_PERIODS:
        return Trend(None, None, len(y), method)
    if y.sum() == 0:
        return Trend(0.0, 1.0, len(y), method)
    return _fit(y, index, sm.families.Poisson(), method, len(y), offset=np.log(exposure[keep]))


def _fit(
    endog: np.ndarray, index: np.ndarray, family: sm.families.Family, method: str, periods: int,
    offset: np.ndarray | None = None,
) -> Trend:
    design = sm.add_constant(index, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = sm.GLM(endog, design, family=family, offset=offset).fit()
        except (ValueError, np.linalg.LinAlgError):
            return Trend(None, None, periods, method)
    slope, p_value = float(fit.params[1]), float(fit.pvalues[1])
    if not np.isfinite(p_value):
        return Trend(slope, None, periods, method)
    return Trend(slope, p_value, periods, method)
