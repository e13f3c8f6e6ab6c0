"""Confidence intervals for the figures a unit reports: Wilson for proportions, exact Poisson for counts."""

from __future__ import annotations

from scipy import stats
from statsmodels.stats.proportion import proportion_confint


def wilson_interval(successes: float, trials: float, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion `successes / trials` (statsmodels); None when there are no trials."""
    if trials <= 0:
        return None
    low, high = proportion_confint(successes, trials, alpha=1.0 - confidence, method="wilson")
    return max(0.0, float(low)), min(1.0, float(high))


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
