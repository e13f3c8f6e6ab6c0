"""Confidence intervals for the figures a unit reports: Wilson for proportions, exact Poisson for counts."""

from __future__ import annotations

import math

from scipy import stats


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def wilson_interval(successes: float, trials: float, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion `successes / trials`; None when there are no trials."""
    if trials <= 0:
        return None
    z = _z(confidence)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def poisson_interval(count: float, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for the mean of a Poisson count, from the chi-square quantiles."""
    alpha = 1.0 - confidence
    low = 0.0 if count <= 0 else float(stats.chi2.ppf(alpha / 2, 2 * count) / 2)
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * (count + 1)) / 2)
    return low, high


def rate_interval(count: float, exposure: float, confidence: float = 0.95) -> tuple[float, float] | None:
    """Exact Poisson interval for a rate `count / exposure` (e.g. seizures per staff member)."""
    if exposure <= 0:
        return None
    low, high = poisson_interval(count, confidence)
    return low / exposure, high / exposure
