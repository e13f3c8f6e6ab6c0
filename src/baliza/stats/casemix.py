"""Case-mix adjustment: what each unit's count would be if its cases had the average unit's treatment.

A logistic GLM of the outcome (dismissed, acquitted, unconverted...) on the case's characteristics
(substance group, quantity band, number of defendants, offence...) is fitted on cells of identical
characteristics (sufficient statistics: events and trials per cell), so a million cases cost a few hundred
rows. Each unit's expected count E is the sum of the fitted probabilities of its own cases; its variance
V = sum p(1 - p).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.special import expit

RARE_LEVEL_TRIALS = 30  # levels seen in fewer items are pooled as "(rare)" so the model stays estimable


@dataclass(frozen=True)
class CaseMixModel:
    """Fitted probabilities per cell and the fit's summary terms."""

    covariates: tuple[str, ...]
    coefficients: dict[str, float]
    pooled_rate: float
    fitted: pd.Series  # index aligned with the cells given to `fit_case_mix`
    method: str


def pool_rare_levels(cells: pd.DataFrame, covariates: Sequence[str], trials: str = "trials") -> pd.DataFrame:
    out = cells.copy()
    for column in covariates:
        out[column] = out[column].fillna("(unknown)").astype(str)
        totals = out.groupby(column)[trials].sum()
        rare = totals.index[totals < RARE_LEVEL_TRIALS]
        out.loc[out[column].isin(rare), column] = "(rare)"
    return out


def fit_case_mix(
    cells: pd.DataFrame, covariates: Sequence[str], events: str = "events", trials: str = "trials"
) -> CaseMixModel:
    """Binomial GLM (logit link) of events/trials on the covariates (categorical, main effects)."""
    data = pool_rare_levels(cells, covariates, trials)
    total_trials = float(data[trials].sum())
    pooled = float(data[events].sum()) / total_trials if total_trials else 0.0
    covariates = [c for c in covariates if data[c].nunique() > 1]
    if not covariates or pooled in (0.0, 1.0):
        fitted = pd.Series(pooled, index=cells.index)
        return CaseMixModel(tuple(covariates), {}, pooled, fitted, "pooled rate (no covariate varies)")
    # the likelihood depends on the data only through events and trials per covariate cell
    cell_totals = data.groupby(covariates, as_index=False)[[events, trials]].sum()
    cell_totals = cell_totals[cell_totals[trials] > 0].reset_index(drop=True)
    design = pd.get_dummies(cell_totals[covariates], drop_first=True, dtype=float)
    design = sm.add_constant(design, has_constant="add")
    endog = np.column_stack(
        [cell_totals[events].to_numpy(float), (cell_totals[trials] - cell_totals[events]).to_numpy(float)]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = sm.GLM(endog, design, family=sm.families.Binomial()).fit()
            params = result.params
            method = "logistic GLM (maximum likelihood)"
        except Exception:  # separation or singular design: a lightly penalised fit still predicts well
            result = sm.GLM(endog, design, family=sm.families.Binomial()).fit_regularized(alpha=1e-4, L1_wt=0.0)
            params = pd.Series(result.params, index=design.columns)
            method = "logistic GLM (ridge-penalised, alpha=1e-4)"
    cell_totals["_p"] = expit(design.to_numpy() @ params.to_numpy())  # the hand-written 1/(1+exp) overflows
    probabilities = data[covariates].merge(cell_totals[[*covariates, "_p"]], on=covariates, how="left")["_p"]
    fitted = pd.Series(probabilities.fillna(pooled).to_numpy(), index=cells.index)
    coefficients = {str(k): float(v) for k, v in params.items()}
    return CaseMixModel(tuple(covariates), coefficients, pooled, fitted, method)


def observed_expected(
    cells: pd.DataFrame, unit: str, model: CaseMixModel, events: str = "events", trials: str = "trials"
) -> pd.DataFrame:
    """Per unit: items n, observed O, expected E and binomial variance V under the model."""
    p = model.fitted
    frame = pd.DataFrame(
        {
            unit: cells[unit],
            "n": cells[trials],
            "observed": cells[events],
            "expected": cells[trials] * p,
            "variance": cells[trials] * p * (1 - p),
        }
    )
    return frame.groupby(unit, as_index=False)[["n", "observed", "expected", "variance"]].sum()
