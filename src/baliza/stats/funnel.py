"""Observed against expected counts per unit, with over-dispersion (Spiegelhalter's funnel plots).

Each unit has O events among its items and E = sum of the items' expected probabilities (from a case-mix
model, or a pooled rate), with binomial variance V = sum p(1 - p). The indicator is the ratio O/E; its
sampling variance is V/E². Real units differ more than sampling alone allows, so an additive random-effects
term tau² (DerSimonian-Laird on winsorised z-scores) widens the limits: a unit is unusual only if it is
outside what differences between ordinary units already produce.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class FunnelFit:
    """Over-dispersion estimated across the units, and each unit's z and one-sided p (excess)."""

    tau2: float  # additive between-unit variance of O/E
    phi: float  # multiplicative over-dispersion factor (winsorised mean z²)
    z: np.ndarray  # over-dispersion-adjusted z of O/E above 1
    p_upper: np.ndarray  # one-sided p-value for an excess
    p_two_sided: np.ndarray


def winsorise(z: np.ndarray, share: float = 0.1) -> np.ndarray:
    """Pull the top and bottom `share` of z-scores in to their percentiles (outliers must not set tau²)."""
    if len(z) < 3:
        return z
    low, high = np.quantile(z, [share, 1 - share])
    return np.clip(z, low, high)


def fit_funnel(
    observed: np.ndarray, expected: np.ndarray, variance: np.ndarray, trials: np.ndarray | None = None
) -> FunnelFit:
    """Additive random-effects funnel over ratios O/E (target 1).

    With `trials`, each unit's sampling z comes from the exact binomial tail P(X >= O), X ~ Bin(n, E/n),
    instead of the normal approximation (which is far too confident when only a few events are expected);
    the random-effects term then deflates it by sqrt(s² / (s² + tau²)).
    """
    o = np.asarray(observed, float)
    e = np.asarray(expected, float)
    v = np.asarray(variance, float)
    ok = (e > 0) & (v > 0)
    ratio = np.where(ok, o / np.where(ok, e, 1), np.nan)
    se2 = np.where(ok, v / np.where(ok, e, 1) ** 2, np.nan)
    raw_z = (ratio - 1) / np.sqrt(se2)
    zs = raw_z[ok]
    n = len(zs)
    tau2, phi = 0.0, 1.0
    if n >= 3:
        zw = winsorise(zs)
        phi = float(np.mean(zw**2))
        w = 1 / se2[ok]
        denominator = w.sum() - (w**2).sum() / w.sum()
        if phi * n > n - 1 and denominator > 0:
            tau2 = float((n * phi - (n - 1)) / denominator)
    if trials is None:
        z = (ratio - 1) / np.sqrt(se2 + tau2)
    else:
        n_items = np.asarray(trials, float)
        rate = np.clip(np.where(ok, e / np.maximum(n_items, 1), 0.5), 1e-12, 1 - 1e-12)
        upper = stats.binom.sf(o - 1, n_items, rate)  # P(X >= O): 1 when nothing was observed
        exact_z = np.clip(stats.norm.isf(np.clip(upper, 1e-300, 1.0)), -8.0, None)
        exact_z = np.where(ok, exact_z, np.nan)
        z = exact_z * np.sqrt(se2 / (se2 + tau2))
    p_upper = stats.norm.sf(z)
    p_two = 2 * stats.norm.sf(np.abs(z))
    return FunnelFit(tau2=tau2, phi=phi, z=z, p_upper=p_upper, p_two_sided=p_two)


def funnel_limits(expected: np.ndarray, p0: float, tau2: float, z: float = 3.09) -> tuple[np.ndarray, np.ndarray]:
    """Control limits on O/E for units with `expected` events at baseline rate p0 (99.8 % by default).

    The binomial variance of O/E at E expected events is (1 - p0) / E; tau² is added to it.
    """
    e = np.asarray(expected, float)
    se = np.sqrt((1 - p0) / np.maximum(e, 1e-9) + tau2)
    return np.maximum(1 - z * se, 0), 1 + z * se
