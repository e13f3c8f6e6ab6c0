"""The targeting model: a gradient-boosted classifier (LightGBM) over the features and the profile's rules.

`train` learns from declarations whose outcome is known (inspected ones) which carry drugs or fraud. The
last part of the training period, in time order, chooses the number of trees (early stopping), then the
model is fitted again on the whole period. The model folder keeps the trees, the category codes, the rule
profile used, the declarations it learnt from (the history later declarations are scored against) and its
card: the period, the figures on the held-back part, and the score distribution drift is measured against.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from baliza.access.files import private_folder
from baliza.i18n import gettext as _
from baliza.targeting.matrix import compute_features, design, model_columns, training_features, vocabulary
from baliza.targeting.metrics import ranking_metrics
from baliza.targeting.rules import Profile, load_profile

PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 40,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "num_threads": 1, "verbose": -1, "seed": 7, "deterministic": True, "force_col_wise": True,
}
"""Training runs on one thread: on a shared machine OpenMP threads waiting for each other cost more than
they bring on a few tens of thousands of declarations."""
SCORING_THREADS = int(os.environ.get("BALIZA_TARGET_THREADS", "2"))
MAX_TREES = 1000
EARLY_STOP = 50
STOPPING_SHARE = 0.15
"""The latest share of the training period held back to choose the number of trees."""
MIN_POSITIVES = 5


@dataclass
class TargetingModel:
    booster: lgb.Booster
    numeric: list[str]
    vocab: dict[str, list[str]]
    base_rate: float
    profile: Profile
    profile_text: str
    history: pd.DataFrame = field(repr=False)
    card: dict[str, Any] = field(default_factory=dict)

    @property
    def feature_names(self) -> list[str]:
        return [*self.numeric, *self.vocab]

    def features(self, declarations: pd.DataFrame, history: pd.DataFrame | None = None, *,
                 outcomes_known: bool = False) -> pd.DataFrame:
        """Features of `declarations` knowing the past in `history` (default: what the model learnt from);
        their own earlier outcomes count with `outcomes_known` (see `matrix.compute_features`)."""
        past = self.history if history is None else history
        return compute_features(declarations, past, self.profile, self.base_rate, outcomes_known=outcomes_known)

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        matrix = design(features, self.vocab, self.numeric)
        return np.asarray(self.booster.predict(matrix, num_threads=SCORING_THREADS))

    def contributions(self, features: pd.DataFrame) -> np.ndarray:
        """Each feature's push on each declaration's log-odds (SHAP values), the bias in the last column."""
        matrix = design(features, self.vocab, self.numeric)
        return np.asarray(self.booster.predict(matrix, pred_contrib=True, num_threads=SCORING_THREADS))

    def score(self, declarations: pd.DataFrame, *, outcomes_known: bool = False) -> pd.DataFrame:
        """`id` and `score` (the probability that an inspection finds something) for every declaration."""
        scores = self.predict(self.features(declarations, outcomes_known=outcomes_known))
        return pd.DataFrame({"id": declarations["id"].to_numpy(), "score": scores})


def fit_booster(matrix: np.ndarray, outcome: np.ndarray, names: list[str], categorical: list[str],
                params: dict[str, Any] | None = None) -> tuple[lgb.Booster, dict[str, Any]]:
    """Trees chosen on the latest part of the rows (in time order), then refitted on them all."""
    params = {**PARAMS, **(params or {})}
    cut = int(len(outcome) * (1 - STOPPING_SHARE))
    if outcome.sum() < MIN_POSITIVES or len(set(outcome[:cut])) < 2 or len(set(outcome[cut:])) < 2:
        raise ValueError(_("Too few inspections found something to learn from (%(count)s).",
                           count=int(outcome.sum())))
    kwargs: dict[str, Any] = {"feature_name": names, "categorical_feature": categorical, "free_raw_data": False}
    train = lgb.Dataset(matrix[:cut], outcome[:cut], **kwargs)
    held = lgb.Dataset(matrix[cut:], outcome[cut:], reference=train, **kwargs)
    first = lgb.train(params, train, MAX_TREES, valid_sets=[held],
                      callbacks=[lgb.early_stopping(EARLY_STOP, verbose=False)])
    trees = max(first.best_iteration, 10)
    held_back = ranking_metrics(outcome[cut:], np.asarray(first.predict(matrix[cut:], num_iteration=trees)))
    booster = lgb.train(params, lgb.Dataset(matrix, outcome, **kwargs), trees)
    return booster, {"trees": trees, "held_back": held_back}


def train(declarations: pd.DataFrame, profile_path: str | Path = "default", *, mapping: str = "warehouse",
          extra_numeric: tuple[str, ...] = (), extra_categorical: tuple[str, ...] = ()) -> TargetingModel:
    """Learn from the declarations with a known outcome; all of them (inspected or not) make the history."""
    from baliza.targeting.features import numeric_features

    profile_file = _profile_file(profile_path)
    profile = load_profile(profile_file, features=set(numeric_features()))
    declarations = declarations.sort_values(["declared_at", "id"], kind="stable").reset_index(drop=True)
    known = declarations["outcome"].notna().to_numpy()
    if not known.any():
        raise ValueError(_("No declaration has an outcome: the model needs past inspections to learn from."))
    base_rate = float(declarations.loc[known, "outcome"].mean())
    features = training_features(declarations, profile, base_rate)[known].reset_index(drop=True)
    numeric, categorical = model_columns(features, profile, extra_numeric, extra_categorical)
    vocab = vocabulary(features, categorical)
    outcome = features["outcome"].to_numpy(dtype=float)
    booster, fit = fit_booster(design(features, vocab, numeric), outcome, [*numeric, *vocab], list(vocab))
    scores = booster.predict(design(features, vocab, numeric))
    dates = declarations["declared_at"]
    card = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mapping": mapping,
        "period": {"from": dates.min().date().isoformat(), "to": dates.max().date().isoformat()},
        "declarations": len(declarations), "inspected": int(known.sum()), "found": int(outcome.sum()),
        "base_rate": base_rate, "trees": fit["trees"], "held_back": fit["held_back"],
        "profile": {"name": profile.name, "version": profile.version, "digest": profile.digest},
        "score_deciles": np.quantile(scores, np.linspace(0, 1, 11)).tolist(),
    }
    return TargetingModel(booster, numeric, vocab, base_rate, profile, profile_file.read_text(encoding="utf-8"),
                          declarations, card)


def _profile_file(profile_path: str | Path) -> Path:
    from baliza.targeting.rules import PROFILES

    path = Path(profile_path)
    return path if path.suffix else PROFILES / f"{profile_path}.yaml"


def save(model: TargetingModel, folder: str | Path) -> Path:
    """Write the model folder (private: the history holds the parties' identifiers)."""
    folder = Path(folder)
    private_folder(folder)
    model.booster.save_model(str(folder / "model.txt"))
    (folder / "profile.yaml").write_text(model.profile_text, encoding="utf-8")
    model.history.to_parquet(folder / "history.parquet", index=False)
    meta = {"numeric": model.numeric, "vocab": model.vocab, "base_rate": model.base_rate, "card": model.card}
    (folder / "model.json").write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")
    return folder


def load(folder: str | Path) -> TargetingModel:
    folder = Path(folder)
    if not (folder / "model.txt").is_file() or not (folder / "model.json").is_file():
        raise FileNotFoundError(_("No targeting model in %(folder)s: train one with baliza target train.",
                                  folder=str(folder)))
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    booster = lgb.Booster(model_file=str(folder / "model.txt"))
    profile = load_profile(folder / "profile.yaml")
    history = pd.read_parquet(folder / "history.parquet")
    return TargetingModel(booster, meta["numeric"], meta["vocab"], float(meta["base_rate"]), profile,
                          (folder / "profile.yaml").read_text(encoding="utf-8"), history, meta["card"])
