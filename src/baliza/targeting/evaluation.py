"""A time-ordered hold-out: train on the earlier period, rank the later one, and compare with the plain
gradient-boosting baseline and random selection in the same run.

The hold-out's outcomes are only used to score the rankings: its declarations are scored as new ones,
their own outcomes hidden from the history features.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from baliza.i18n import gettext as _
from baliza.targeting.baseline import PlainBaseline
from baliza.targeting.metrics import ranking_metrics
from baliza.targeting.model import train

HOLDOUT_SHARE = 0.2
RANDOM_SEED = 20


def split_by_time(declarations: pd.DataFrame, share: float = HOLDOUT_SHARE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The latest `share` of days held out (whole days, so no day is on both sides)."""
    days = declarations["declared_at"].dt.normalize()
    cut = days.quantile(1 - share)
    return declarations[days < cut], declarations[days >= cut]


def evaluate(train_rows: pd.DataFrame, holdout: pd.DataFrame | None = None, *, profile: str | Path = "default",
             extra_numeric: tuple[str, ...] = (), extra_categorical: tuple[str, ...] = (),
             mapping: str = "warehouse") -> dict[str, Any]:
    """Model, plain baseline and random selection on the same later period."""
    if holdout is None:
        train_rows, holdout = split_by_time(train_rows)
    if train_rows["declared_at"].max() > holdout["declared_at"].min():
        raise ValueError(_("The hold-out must come after the training period in time."))
    holdout = holdout[holdout["outcome"].notna()].reset_index(drop=True)
    if holdout.empty or holdout["outcome"].sum() == 0:
        raise ValueError(_("The hold-out has no inspection that found something: nothing to evaluate against."))
    model = train(train_rows, profile, mapping=mapping, extra_numeric=extra_numeric,
                  extra_categorical=extra_categorical)
    baseline = PlainBaseline(train_rows, extra_numeric, extra_categorical)
    outcome = holdout["outcome"].to_numpy(dtype=float)
    value = holdout["outcome_value"].to_numpy(dtype=float)
    hidden = holdout.drop(columns=["outcome", "outcome_value"])
    scores = {
        "model": model.score(hidden)["score"].to_numpy(),
        "baseline": baseline.predict(hidden),
        "random": np.random.default_rng(RANDOM_SEED).random(len(holdout)),
    }
    return {
        "train": _period(train_rows), "holdout": _period(holdout),
        "found_rate": float(outcome.mean()),
        "rankings": {name: ranking_metrics(outcome, score, value) for name, score in scores.items()},
        "model_card": model.card,
    }


def _period(frame: pd.DataFrame) -> dict[str, Any]:
    return {"from": frame["declared_at"].min().date().isoformat(), "to": frame["declared_at"].max().date().isoformat(),
            "declarations": len(frame), "found": int(frame["outcome"].fillna(0).sum())}
