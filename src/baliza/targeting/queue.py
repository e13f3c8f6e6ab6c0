"""Today's queue at one entry point: the N declarations to inspect, each with its reasons.

Most of the queue is the highest scores (exploitation). A configurable share is *exploration*: chosen at
random among the rest, or by uncertainty (the scores nearest one half, where the model knows least). Pure
exploitation only ever inspects what looked like past finds, so when traffickers move to a new route the
model never sees them there and its precision collapses; exploration keeps learning (see `simulation`).

Each item says why: the features that pushed its score up most (their SHAP contributions from LightGBM)
and the profile's rules it matched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from baliza.i18n import gettext as _
from baliza.targeting.explain import feature_label
from baliza.targeting.model import TargetingModel

STRATEGIES = ("random", "uncertainty")
REASONS_SHOWN = 3


@dataclass(frozen=True)
class Reason:
    feature: str
    label: str
    value: float | str | None
    push: float  # contribution to the log-odds

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "label": self.label, "value": self.value, "push": round(self.push, 4)}


@dataclass(frozen=True)
class QueueItem:
    id: str
    score: float
    chosen_by: str  # "score" or "exploration"
    reasons: tuple[Reason, ...] = ()
    rules: tuple[str, ...] = ()
    declared_at: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "score": round(self.score, 6), "chosen_by": self.chosen_by,
                "declared_at": self.declared_at, "reasons": [r.to_dict() for r in self.reasons],
                "rules": list(self.rules), **self.details}


def choose(scores: np.ndarray, capacity: int, explore: float = 0.0, strategy: str = "random",
           seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Row positions to inspect, and for each whether it was chosen to explore.

    `capacity - round(capacity * explore)` go to the highest scores; the rest are drawn from the others.
    """
    if capacity < 0:
        raise ValueError(_("The capacity must be zero or more."))
    if not 0.0 <= explore <= 1.0:
        raise ValueError(_("The exploration share must lie between 0 and 1."))
    if strategy not in STRATEGIES:
        raise ValueError(_("Unknown exploration strategy %(name)s: use random or uncertainty.", name=strategy))
    n = len(scores)
    capacity = min(capacity, n)
    explored = min(math.floor(capacity * explore + 0.5), capacity)
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    exploit = order[: capacity - explored]
    rest = order[capacity - explored:]
    if explored and strategy == "random":
        extra = np.random.default_rng(seed).choice(rest, explored, replace=False)
    elif explored:
        uncertainty = -np.abs(np.asarray(scores, dtype=float)[rest] - 0.5)
        extra = rest[np.argsort(-uncertainty, kind="stable")[:explored]]
    else:
        extra = np.array([], dtype=int)
    chosen = np.concatenate([exploit, extra]).astype(int)
    return chosen, np.concatenate([np.zeros(len(exploit), bool), np.ones(len(extra), bool)])


def build_queue(model: TargetingModel, candidates: pd.DataFrame, capacity: int, *, explore: float = 0.0,
                strategy: str = "random", seed: int | None = None,
                history: pd.DataFrame | None = None) -> list[QueueItem]:
    """Score the candidates (knowing `history`, else the training's), choose, and explain each choice."""
    if candidates.empty:
        return []
    features = model.features(candidates, history=history)
    scores = model.predict(features)
    chosen, exploring = choose(scores, capacity, explore, strategy, seed)
    picked = features.iloc[chosen].reset_index(drop=True)
    pushes = model.contributions(picked)[:, :-1] if len(picked) else np.empty((0, 0))
    names = model.feature_names
    rules = {r.column: r.title for r in model.profile.rules}
    items = []
    for row, explored in enumerate(exploring):
        record = picked.iloc[row]
        top = [i for i in np.argsort(-pushes[row]) if pushes[row, i] > 0][:REASONS_SHOWN]
        reasons = tuple(Reason(names[i], feature_label(names[i]), _plain(record.get(names[i])), float(pushes[row, i]))
                        for i in top)
        matched = tuple(_(title) for column, title in rules.items() if record.get(column) == 1.0)
        items.append(QueueItem(str(record["id"]), float(scores[chosen[row]]),
                               "exploration" if explored else "score", reasons, matched,
                               str(pd.Timestamp(record["declared_at"]).isoformat()),
                               {name: _plain(record.get(name)) for name in ("office", "hs_code", "origin_country")}))
    return items


def _plain(value: Any) -> float | str | None:
    """A cell as JSON has it: missing (None, NaN, pd.NA) as None, numbers as floats, the rest as text."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return round(float(value), 4)
    return str(value)
