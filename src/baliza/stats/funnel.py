"""Observed against expected counts per unit, with over-dispersion (Spiegelhalter's funnel plots).

Each unit has O events among its items and E = sum of the items' expected probabilities (from a case-mix
model, or a pooled rate), with binomial variance V = sum p(1 - p). The indicator is the ratio O/E; its
sampling variance is V/E². Real units differ more than sampling alone allows, so an additive random-effects
term tau² widens the limits: a unit is unusual only if it is outside what differences between ordinary units
already produce.

tau² cannot be allowed to hide the outlier it is meant to judge. With five seizing units, one of which
leaks, a tau² estimated from all five is mostly the leak itself, and the leak then looks ordinary. So where
units are few (up to `LEAVE_ONE_OUT_UNITS`) each unit is judged against a tau² estimated **leaving it out**:
DerSimonian-Laird (statsmodels `combine_effects`) over the other units' O/E, their z-scores pulled in to the
10th-90th percentile (winsorised) so that a second outlier does not set it either. Where units are many, one
unit moves a winsorised estimate very little, and the all-unit estimate is used for every unit (as before;
one estimate instead of one per unit keeps a thousand prosecutors cheap).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

MIN_PEERS = 2  # fewer other units than this: no between-unit variance can be estimated (tau² = 0)
LEAVE_ONE_OUT_UNITS = 50  # up to this many units, each unit's tau² is estimated without it
WINSOR_SHARE = 0.1
LEAVE_ONE_OUT = (
    "tau² by DerSimonian-Laird over the other {peers} units, leaving the judged unit out (their z-scores "
    "winsorised at the 10th-90th percentile)"
)
ALL_UNITS = (
    "tau² by DerSimonian-Laird over all {units} units (z-scores winsorised at the 10th-90th percentile: with "
    "this many units one outlier cannot set it)"
)


@dataclass(frozen=True)
class FunnelFit:
    """Each unit's between-unit variance (estimated without it), z and one-sided p (excess)."""

    tau2: np.ndarray  # per unit: additive between-unit variance of O/E (without the unit where units are few)
    z: np.ndarray  # over-dispersion-adjusted z of O/E above 1
    p_upper: np.ndarray  # one-sided p-value for an excess
    p_two_sided: np.ndarray
    method: str  # how tau² was estimated, in words for the method text

    @property
    def typical_tau2(self) -> float:
        """The median of the units' tau² (for method texts and funnel plots); 0 when no unit was fitted."""
        finite = self.tau2[np.isfinite(self.tau2)]
        return float(np.median(finite)) if len(finite) else 0.0


def winsorise(z: np.ndarray, share: float = WINSOR_SHARE) -> np.ndarray:
    """Pull the top and bottom `share` of z-scores in to their percentiles."""
    if len(z) < 3:
        return z
    low, high = np.quantile(z, [share, 1 - share])
    return np.clip(z, low, high)


def dersimonian_laird(effects: np.ndarray, variances: np.ndarray) -> float:
    """Between-study variance tau² by DerSimonian-Laird (statsmodels), truncated at zero."""
    if len(effects) < 2:
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels warns on its random-effects sd when tau² < 0
        result = combine_effects(np.asarray(effects, float), np.asarray(variances, float), method_re="dl")
    return max(0.0, float(result.tau2))


def winsorised_tau2(effects: np.ndarray, variances: np.ndarray, target: float = 1.0) -> float:
    """DerSimonian-Laird tau² after pulling the z-scores about `target` in to their 10th-90th percentile."""
    y = np.asarray(effects, float)
    v = np.asarray(variances, float)
    if len(y) < MIN_PEERS:
        return 0.0
    se = np.sqrt(v)
    return dersimonian_laird(target + winsorise((y - target) / se) * se, v)


def leave_one_out_tau2(effects: np.ndarray, variances: np.ndarray, target: float = 1.0) -> np.ndarray:
    """tau² for each unit from the other units only (their z-scores about `target` winsorised first)."""
    y = np.asarray(effects, float)
    v = np.asarray(variances, float)
    return np.array([winsorised_tau2(np.delete(y, i), np.delete(v, i), target) for i in range(len(y))])


def unit_tau2(effects: np.ndarray, variances: np.ndarray, target: float = 1.0) -> tuple[np.ndarray, str]:
    """Each unit's tau² and the words for how it was estimated: left one out where units are few."""
    n = len(effects)
    if n <= LEAVE_ONE_OUT_UNITS:
        return leave_one_out_tau2(effects, variances, target), LEAVE_ONE_OUT.format(peers=max(n - 1, 0))
    return np.full(n, winsorised_tau2(effects, variances, target)), ALL_UNITS.format(units=n)


def fit_funnel(
    observed: np.ndarray, expected: np.ndarray, variance: np.ndarray, trials: np.ndarray | None = None
) -> FunnelFit:
    """Additive random-effects funnel over ratios O/E (target 1), tau² left-one-out where units are few.

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
    tau2 = np.full(len(o), np.nan)
    tau2[ok], method = unit_tau2(ratio[ok], se2[ok])
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
    return FunnelFit(tau2=tau2, z=z, p_upper=p_upper, p_two_sided=p_two, method=method)


def funnel_limits(expected: np.ndarray, p0: float, tau2: float, z: float = 3.09) -> tuple[np.ndarray, np.ndarray]:
    """Control limits on O/E for units with `expected` events at baseline rate p0 (99.8 % by default).

    The binomial variance of O/E at E expected events is (1 - p0) / E; tau² is added to it.
    """
    e = np.asarray(expected, float)
    se = np.sqrt((1 - p0) / np.maximum(e, 1e-9) + tau2)
    return np.maximum(1 - z * se, 0), 1 + z * se
