"""Offices, regions and providers compared fairly: each against what its own case mix predicts.

A provider that takes the hardest cases (opiates, court referrals, low scores at admission) completes fewer
treatments than one that takes the easiest, and that is not its fault. So each person gets an expected
outcome from a model fitted on everyone (the logistic case-mix model of `baliza.stats.casemix` for yes/no
outcomes; weighted least squares on cell means for score changes), and each unit's observed total is set
against the sum of its people's expectations (indirect standardisation).

Then three things keep the comparison honest:
- **over-dispersion**: real units differ more than sampling alone allows; the between-unit variance tau²
  (DerSimonian-Laird, each unit judged without itself where units are few, `baliza.stats.funnel`) widens
  every unit's band, so a unit is outside only if ordinary differences between units cannot explain it;
- **shrinkage**: a provider with eight episodes has a noisy ratio; its empirical-Bayes estimate is pulled
  towards the typical unit by tau² / (tau² + its sampling variance), so small units are not ranked first or
  last by chance;
- **false discovery control**: every unit with at least the minimum number of people is tested (two-sided,
  exact binomial tail for yes/no outcomes), and Benjamini-Hochberg q-values are computed over them; a unit
  is outside only where q is at most the FDR level.

Input: cells (one row per unit and combination of covariates) fetched by an Ibis aggregate; never people.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from baliza.analyses.model import Message
from baliza.analyses.programmes.model import FunnelLimits, MeasureComparison, UnitComparison
from baliza.analyses.wording import fitted as fitted_words
from baliza.analyses.wording import label, labels, said
from baliza.i18n import N_
from baliza.stats.casemix import fit_case_mix, observed_expected, pool_rare_levels
from baliza.stats.funnel import funnel_limits, unit_tau2, winsorised_tau2
from baliza.stats.intervals import poisson_interval

Z95, Z998 = 1.959964, 3.090232
FUNNEL_POINTS = 40


@dataclass(frozen=True)
class CompareSettings:
    """What makes a unit "outside": at least `min_people` people, and q <= `fdr_level`."""

    min_people: int = 20
    fdr_level: float = 0.05

    def __post_init__(self) -> None:
        if self.min_people < 1:
            raise ValueError(f"min_people must be at least 1, not {self.min_people}")
        if not 0 < self.fdr_level < 1:
            raise ValueError(f"fdr_level must be between 0 and 1, not {self.fdr_level}")


DEFAULT = CompareSettings()


NOBODY = N_("no people to compare")


def _compared(measure: str, kind: str, overall: float | None, units: tuple[UnitComparison, ...],
              funnel: FunnelLimits | None, method: Message) -> MeasureComparison:
    """The comparison with its method as a message (worded by the surfaces) and in English (stored)."""
    return MeasureComparison(measure, kind, overall, units, funnel, method.english(), method)


def _covariates(names: Sequence[str]) -> dict[str, Any]:
    return labels(list(names)) if names else said(Message(N_("no covariate")))


def compare_rates(cells: pd.DataFrame, unit: str, covariates: Sequence[str], measure: str,
                  settings: CompareSettings = DEFAULT) -> MeasureComparison:
    """Observed against expected events per unit (`cells`: unit, covariates..., events, trials)."""
    cells = cells[cells[unit].notna() & (cells["trials"] > 0)].reset_index(drop=True)
    if cells.empty:
        return _compared(measure, "ratio", None, (), None, Message(NOBODY))
    model = fit_case_mix(cells, covariates)
    per = observed_expected(cells, unit, model)
    o, e, v, n = (per[c].to_numpy(float) for c in ("observed", "expected", "variance", "n"))
    ok = (e > 0) & (v > 0)
    ratio = np.where(ok, o / np.where(ok, e, 1), np.nan)
    se2 = np.where(ok, v / np.where(ok, e, 1) ** 2, np.nan)
    overall = float(o.sum() / n.sum())
    tested = ok & (n >= settings.min_people)
    tau2_each = np.full(len(o), np.nan)
    z = np.full(len(o), np.nan)
    tau2_words = "no unit had enough people to be tested"
    if tested.any():
        tau2_each[tested], tau2_words = unit_tau2(ratio[tested], se2[tested], target=1.0)
        sampling_z = _exact_signed_z(o[tested], n[tested], e[tested])
        z[tested] = sampling_z * np.sqrt(se2[tested] / (se2[tested] + tau2_each[tested]))
    tau2 = _typical(tau2_each[tested]) if tested.any() else _fallback_tau2(ratio[ok], se2[ok], 1.0)
    shrunk = np.where(ok, 1 + (ratio - 1) * tau2 / (tau2 + se2), np.nan) if tau2 > 0 else np.where(ok, 1.0, np.nan)
    units = []
    for i, (p, q) in enumerate(_p_and_q(z, tested)):
        low, high = poisson_interval(o[i])
        units.append(UnitComparison(
            str(per[unit].iloc[i]), measure, int(n[i]), float(o[i]), round(float(e[i]), 3), _num(ratio[i]),
            _num(low / e[i]) if ok[i] else None, _num(high / e[i]) if ok[i] else None, _num(shrunk[i]),
            _num(ratio[i] * overall), _num(z[i]), p, q, _outside(z[i], q, settings)))
    grid = _grid(e[ok]) if ok.any() else np.array([])
    funnel = None
    if len(grid):
        lo95, hi95 = funnel_limits(grid, overall, tau2, Z95)
        lo998, hi998 = funnel_limits(grid, overall, tau2, Z998)
        funnel = _funnel(grid, lo95, hi95, lo998, hi998, target=1.0, tau2=tau2)
    method = Message(N_(
        "Observed against expected %(measure)s per unit, expected from a logistic model on %(covariates)s "
        "(%(fit)s); %(tau2)s; empirical-Bayes shrinkage towards the typical unit; units with at least "
        "%(min)s people tested two-sided (exact binomial tail deflated for tau²), Benjamini-Hochberg at "
        "q <= %(fdr)s."), {"measure": label(measure), "covariates": _covariates(model.covariates),
                          "fit": fitted_words(model.method), "tau2": fitted_words(tau2_words),
                          "min": settings.min_people, "fdr": settings.fdr_level})
    return _compared(measure, "ratio", overall, tuple(units), funnel, method)


def compare_changes(cells: pd.DataFrame, unit: str, covariates: Sequence[str], measure: str,
                    settings: CompareSettings = DEFAULT) -> MeasureComparison:
    """Observed against expected mean change per unit (`cells`: unit, covariates..., n, total, squares:
    the count, sum and sum of squares of the change in each cell)."""
    cells = cells[cells[unit].notna() & (cells["n"] > 0)].reset_index(drop=True)
    if cells.empty or cells["n"].sum() < 3:
        return _compared(measure, "difference", None, (), None, Message(NOBODY))
    fitted, sigma2, words = _cell_means(cells, covariates)
    cells = cells.assign(_expected=cells["n"] * fitted)
    per = cells.groupby(unit, as_index=False)[["n", "total", "_expected"]].sum()
    n = per["n"].to_numpy(float)
    d = (per["total"].to_numpy(float) - per["_expected"].to_numpy(float)) / n
    se2 = sigma2 / n
    overall = float(cells["total"].sum() / cells["n"].sum())
    tested = n >= settings.min_people
    z = np.full(len(n), np.nan)
    tau2_words = "no unit had enough people to be tested"
    if tested.any():
        tau2_each, tau2_words = unit_tau2(d[tested], se2[tested], target=0.0)
        z[tested] = d[tested] / np.sqrt(se2[tested] + tau2_each)
    tau2 = _typical(tau2_each) if tested.any() else _fallback_tau2(d, se2, 0.0)
    shrunk = d * tau2 / (tau2 + se2) if tau2 > 0 else np.zeros_like(d)
    half = Z95 * np.sqrt(se2)
    units = [
        UnitComparison(str(per[unit].iloc[i]), measure, int(n[i]), round(float(per["total"].iloc[i] / n[i]), 3),
                       round(float(per["_expected"].iloc[i] / n[i]), 3), _num(d[i]), _num(d[i] - half[i]),
                       _num(d[i] + half[i]), _num(shrunk[i]), _num(overall + d[i]), _num(z[i]), p, q,
                       _outside(z[i], q, settings))
        for i, (p, q) in enumerate(_p_and_q(z, tested))
    ]
    grid = _grid(n)
    spread = np.sqrt(sigma2 / grid + tau2)
    funnel = _funnel(grid, -Z95 * spread, Z95 * spread, -Z998 * spread, Z998 * spread, target=0.0, tau2=tau2)
    method = Message(N_(
        "Observed against expected mean %(measure)s per unit, expected from %(fit)s on %(covariates)s; "
        "%(tau2)s; empirical-Bayes shrinkage towards the typical unit; units with at least %(min)s people "
        "tested two-sided, Benjamini-Hochberg at q <= %(fdr)s."),
        {"measure": label(measure), "fit": fitted_words(words), "covariates": _covariates(covariates),
         "tau2": fitted_words(tau2_words), "min": settings.min_people, "fdr": settings.fdr_level})
    return _compared(measure, "difference", overall, tuple(units), funnel, method)


def _typical(tau2: np.ndarray) -> float:
    finite = tau2[np.isfinite(tau2)]
    return float(np.median(finite)) if len(finite) else 0.0


def _fallback_tau2(effects: np.ndarray, variances: np.ndarray, target: float) -> float:
    return winsorised_tau2(effects, variances, target) if len(effects) >= 2 else 0.0


def _cell_means(cells: pd.DataFrame, covariates: Sequence[str]) -> tuple[np.ndarray, float, str]:
    """Weighted least squares of cell means on the covariates (main effects, weights = people): the same
    fit as least squares over the people, from sums only. Returns the fitted mean of each row of `cells`,
    the residual variance, and words for the method."""
    data = pool_rare_levels(cells, covariates, trials="n")
    used = [c for c in covariates if data[c].nunique() > 1]
    total_n = float(data["n"].sum())
    if used:
        pooled = data.groupby(used, as_index=False)[["n", "total"]].sum()  # the fit needs covariate cells only
        design = sm.add_constant(pd.get_dummies(pooled[used], drop_first=True, dtype=float), has_constant="add")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.WLS((pooled["total"] / pooled["n"]).to_numpy(float), design,
                         weights=pooled["n"].to_numpy(float)).fit()
        pooled["_fitted"] = np.asarray(fit.fittedvalues, float)
        fitted = data[used].merge(pooled[[*used, "_fitted"]], on=used, how="left")["_fitted"].to_numpy(float)
        parameters = design.shape[1]
        words = "least squares on the case mix (main effects)"
    else:
        fitted = np.full(len(data), float(data["total"].sum()) / total_n)
        parameters, words = 1, "the overall mean (no covariate varies)"
    residual = float((data["squares"] - 2 * fitted * data["total"] + data["n"] * fitted**2).sum())
    sigma2 = max(residual / max(total_n - parameters, 1.0), 1e-9)
    return fitted, sigma2, words


def _exact_signed_z(observed: np.ndarray, n: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Two-sided exact binomial evidence as a signed z: the smaller tail, positive for an excess."""
    rate = np.clip(expected / np.maximum(n, 1), 1e-12, 1 - 1e-12)
    upper = stats.binom.sf(observed - 1, n, rate)  # P(X >= O)
    lower = stats.binom.cdf(observed, n, rate)  # P(X <= O)
    tail = np.clip(np.minimum(upper, lower), 1e-300, 0.5)
    signed: np.ndarray = np.where(upper < lower, 1.0, -1.0) * stats.norm.isf(tail)
    return signed


def _p_and_q(z: np.ndarray, tested: np.ndarray) -> list[tuple[float | None, float | None]]:
    """Two-sided p and BH q for the tested units; (None, None) for the others."""
    p = 2 * stats.norm.sf(np.abs(z))
    q = np.full(len(z), np.nan)
    if tested.any():
        q[tested] = multipletests(p[tested], method="fdr_bh")[1]
    return [(float(p[i]), float(q[i])) if tested[i] else (None, None) for i in range(len(z))]


def _outside(z: float, q: float | None, settings: CompareSettings) -> str | None:
    if q is None or q > settings.fdr_level or not np.isfinite(z):
        return None
    return "above" if z > 0 else "below"


def _funnel(volume: np.ndarray, low95: np.ndarray, high95: np.ndarray, low998: np.ndarray, high998: np.ndarray,
            target: float, tau2: float) -> FunnelLimits:
    def rounded(values: np.ndarray) -> tuple[float, ...]:
        return tuple(round(float(x), 4) for x in values)

    return FunnelLimits(rounded(volume), rounded(low95), rounded(high95), rounded(low998), rounded(high998),
                        target, round(float(tau2), 6))


def _grid(volumes: np.ndarray) -> np.ndarray:
    low, high = float(np.min(volumes)), float(np.max(volumes))
    low = max(low * 0.8, 1.0)
    high = max(high * 1.2, low + 1)
    return np.geomspace(low, high, FUNNEL_POINTS)


def _num(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 4)

