"""From declarations to the numbers a gradient-boosted model reads: the feature frame and its matrix.

The features are computed by Ibis (see `features`) over the declarations known before (the training
history, outcomes included) and the ones to score (outcomes hidden), then the rules of the profile are
matched, and categories are coded with the training's own vocabulary (a category never seen is missing).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from baliza.targeting.declarations import FIELDS, arrow_declarations
from baliza.targeting.features import CATEGORICAL, feature_table, numeric_features
from baliza.targeting.rules import Profile

THREADS = int(os.environ.get("BALIZA_TARGET_THREADS", "2"))
MIN_CATEGORY = 5
"""Declarations a category needs in training to get its own code."""


def compute_features(scored: pd.DataFrame, history: pd.DataFrame | None, profile: Profile,
                     base_rate: float, *, outcomes_known: bool = False) -> pd.DataFrame:
    """Features of every declaration in `scored`, in its order, knowing the past in `history` (with outcomes).

    The outcomes of `scored` feed the history only with `outcomes_known` (the warehouse's consignments, whose
    inspections were recorded as they happened); an export's outcomes are what is being predicted.
    Either way a declaration never sees its own day.
    """
    parts = []
    if history is not None and len(history):
        scoring = set(scored["id"].tolist())
        past = history[[i not in scoring for i in history["id"].tolist()]]
        parts.append(_arrow(past, known=True, scored=False, first_row=-len(past)))
    parts.append(_arrow(scored, known=outcomes_known, scored=True))
    return _features(pa.concat_tables(parts, promote_options="default"), profile, base_rate,
                     only_scored=len(parts) > 1)


def training_features(declarations: pd.DataFrame, profile: Profile, base_rate: float) -> pd.DataFrame:
    """Features of declarations whose outcomes are all known, each seeing only the days before it."""
    return _features(_arrow(declarations, known=True, scored=True), profile, base_rate, only_scored=False)


def _arrow(frame: pd.DataFrame, *, known: bool, scored: bool, first_row: int = 0) -> pa.Table:
    missing = {name: None for name in FIELDS if name not in frame.columns}
    rows = np.arange(first_row, first_row + len(frame), dtype=float)
    return arrow_declarations(frame.assign(**missing, known=known, _scored=scored, _row=rows))


def _features(table: pa.Table, profile: Profile, base_rate: float, *, only_scored: bool) -> pd.DataFrame:
    present = {name for name in table.column_names if table[name].null_count < len(table)}
    con = ibis.duckdb.connect()
    try:
        con.con.execute(f"SET threads TO {THREADS}")
        con.con.register("declarations", table)
        declarations = con.table("declarations")
        features = feature_table(declarations, profile.hubs, base_rate, present=present)
        if only_scored:
            features = features.filter(features._scored)
        arrow = features.order_by("_row").drop("_row", "_scored").to_pyarrow()
    finally:
        con.disconnect()
    result = arrow.to_pandas(types_mapper=_strings_stay_arrow)
    return pd.concat([result, profile.matches(result)], axis=1)


def _strings_stay_arrow(kind: pa.DataType) -> pd.ArrowDtype | None:
    """Text columns stay Arrow-backed: a million declarations' codes are not turned into Python strings."""
    return pd.ArrowDtype(kind) if pa.types.is_string(kind) or pa.types.is_large_string(kind) else None


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
        values = pa.array(features[name].astype(pd.ArrowDtype(pa.string())))
        found = pc.index_in(values, value_set=pa.array(categories, type=pa.string()))
        codes = found.to_numpy(zero_copy_only=False).astype(float)
        columns.append(codes)
    return np.column_stack(columns) if columns else np.empty((len(features), 0))


def model_columns(features: pd.DataFrame, profile: Profile, extra_numeric: Sequence[str],
                  extra_categorical: Sequence[str]) -> tuple[list[str], list[str]]:
    """The numeric and the categorical features the model reads, those present in this data."""
    numeric = [*numeric_features(), *extra_numeric, *(r.column for r in profile.rules)]
    numeric = [n for n in numeric if n in features.columns and features[n].notna().any()]
    categorical = [c for c in (*CATEGORICAL, *extra_categorical) if features[c].notna().any()]
    return numeric, categorical
