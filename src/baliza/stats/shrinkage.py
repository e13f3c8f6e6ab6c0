"""Empirical-Bayes beta-binomial: shrink small units' rates toward the pooled rate.

A unit with 2 events in 3 items does not have a rate of 67 %: the prior fitted across all units pulls it
toward the common rate, the more so the fewer items it has.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class BetaPrior:
    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


def fit_beta_prior(events: np.ndarray, trials: np.ndarray) -> BetaPrior:
    """Method-of-moments beta prior over unit rates (Kleinman's weighted estimator).

    With no between-unit variation beyond binomial noise the prior is very tight (heavy shrinkage).
    """
    x = np.asarray(events, float)
    n = np.asarray(trials, float)
    keep = n > 0
    x, n = x[keep], n[keep]
    if len(n) == 0 or n.sum() == 0:
        return BetaPrior(1.0, 1.0)
    p = x.sum() / n.sum()
    p = min(max(p, 1e-6), 1 - 1e-6)
    rates = x / n
    w = n / n.sum()
    s2 = float(np.sum(w * (rates - p) ** 2))
    k = len(n)
    # between-unit variance of true rates, after removing the binomial part
    denominator = 1 - np.sum(w**2)
    if k < 2 or denominator <= 0:
        return BetaPrior(p * 1e4, (1 - p) * 1e4)
    between = (s2 - p * (1 - p) * np.sum(w * (1 - w) / n)) / denominator
    if between <= 0:
        return BetaPrior(p * 1e4, (1 - p) * 1e4)
    strength = p * (1 - p) / between - 1
    strength = max(strength, 1e-3)
    return BetaPrior(p * strength, (1 - p) * strength)


def posterior_mean(events: np.ndarray, trials: np.ndarray, prior: BetaPrior) -> np.ndarray:
    return (np.asarray(events, float) + prior.alpha) / (np.asarray(trials, float) + prior.alpha + prior.beta)


def beta_binomial_upper_p(events: np.ndarray, trials: np.ndarray, prior: BetaPrior) -> np.ndarray:
    """P(X >= x) when the unit is an ordinary one: X ~ BetaBinomial(n, alpha, beta)."""
    x = np.asarray(events, int)
    n = np.asarray(trials, int)
    return stats.betabinom.sf(x - 1, n, prior.alpha, prior.beta)
