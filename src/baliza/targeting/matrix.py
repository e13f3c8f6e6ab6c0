"""From declarations to the numbers a gradient-boosted model reads: the feature frame and its matrix.

The features are computed by Ibis (see `features`) over the declarations known before (the training
history, outcomes included) and the ones to score (outcomes hidden), then the rules of the profile are
matched, and categories are coded with the training's own vocabulary (a category never seen is missing).
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import numpy as np
import pandas as pd

from baliza.targeting.declarations import FIELDS, arrow_declarations
from baliza.targeting.features import CATEGORICAL, feature_table, numeric_features
from baliza.targeting.rules import Profile

MIN_CATEGORY = 5
"""Declarations a category needs in training to get its own code."""


def compute_features(scored: pd.DataFrame, history: pd.DataFrame | None, profile: Profile,
                     base_rate: float) -> pd.DataFrame:
    """Features of every declaration in `scored`, in its order, knowing the past in `history` (with outcomes).

    The outcomes of `scored` itself never feed the history: they are what is being predicted.
    """
    scored = scored.assign(known=False)
    if history is not None and len(history):
        past = history[~history["id"].isin(scored["id"])].assign(known=True)
        columns = list(dict.fromkeys([*scored.columns, *past.columns]))
        both = pd.concat([past.reindex(columns=columns), scored.reindex(columns=columns)], ignore_index=True)
    else:
        both = scored
    return _features(both, profile, base_rate, keep=scored["id"])


def training_features(declarations: pd.DataFrame, profile: Profile, base_rate: float) -> pd.DataFrame:
    """Features of declarations whose outcomes are all known, each seeing only the days before it."""
    return _features(declarations.assign(known=True), profile, base_rate, keep=declarations["id"])


def _features(frame: pd.DataFrame, profile: Profile, base_rate: float, keep: pd.Series) -> pd.DataFrame:
    for name in FIELDS:
        if name not in frame.columns:
            frame = frame.assign(**{name: None})
    con = ibis.duckdb.connect()
    try:
        con.con.execute("SET threads TO 2")
        con.con.register("declarations", arrow_declarations(frame))
        table = con.table("declarations")
        features = feature_table(table, profile.hubs, base_rate)
        if len(keep) < len(frame):
            features = features.filter(~features.known)
        result = features.to_pyarrow().to_pandas()
    finally:
        con.disconnect()
    result = result.set_index("id").reindex(keep.to_numpy()).reset_index()
    return pd.concat([result, profile.matches(result)], axis=1)


def vocabulary(features: pd.DataFrame, categorical: Sequence[str]) -> dict[str, list[str]]:
    """The categories seen at least MIN_CATEGORY times in training, most frequent first."""
    vocab = {}
    for name in categorical:
        counts = features[name].dropna().astype(str).value_counts()
        vocab[name] = [str(v) for v in counts[counts >= MIN_CATEGORY].index]
    return vocab


def design(features: pd.DataFrame, vocab: dict[str, list[str]], numeric: Sequence[str]) -> np.ndarray:
    """The matrix: numeric features as they are, categories as their codes (missing when unseen)."""
    columns = []
    for name in numeric:
        values = features[name] if name in features.columns else pd.Series(np.nan, index=features.index)
        columns.append(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float))
    for name, categories in vocab.items():
        codes = pd.Categorical(features[name].astype("string"), categories=categories).codes.astype(float)
        codes[codes < 0] = np.nan
        columns.append(codes)
    return np.column_stack(columns) if columns else np.empty((len(features), 0))


def model_columns(features: pd.DataFrame, profile: Profile, extra_numeric: Sequence[str],
                  extra_categorical: Sequence[str]) -> tuple[list[str], list[str]]:
    """The numeric and the categorical features the model reads, those present in this data."""
    numeric = [*numeric_features(), *extra_numeric, *(r.column for r in profile.rules)]
    numeric = [n for n in numeric if n in features.columns and features[n].notna().any()]
    categorical = [c for c in (*CATEGORICAL, *extra_categorical) if features[c].notna().any()]
    return numeric, categorical
