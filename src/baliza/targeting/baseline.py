"""The plain gradient-boosting baseline every evaluation is set beside.

The same LightGBM, with the same settings and the same choice of trees, fitted on the declaration's own
columns only: each text column coded as a number by its frequency in training, mass and value as they are.
No history, no norms, no rules. If the targeting model does not beat this, its features are not earning
their keep.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baliza.targeting.declarations import TEXT_FIELDS
from baliza.targeting.model import fit_booster

RAW_NUMERIC = ("mass_kg", "value", "cash")


class PlainBaseline:
    """Gradient boosting on the raw columns."""

    def __init__(self, train: pd.DataFrame, extra_numeric: tuple[str, ...] = (),
                 extra_categorical: tuple[str, ...] = ()) -> None:
        train = train[train["outcome"].notna()].sort_values(["declared_at", "id"], kind="stable")
        texts = [c for c in (*TEXT_FIELDS, *extra_categorical) if c != "id" and train[c].notna().any()]
        self.numeric = [c for c in (*RAW_NUMERIC, *extra_numeric) if train[c].notna().any()]
        self.codes = {c: {v: i for i, v in enumerate(train[c].dropna().astype(str).value_counts().index)}
                      for c in texts}
        names = [*self.numeric, *self.codes]
        self.booster, _fit = fit_booster(self._matrix(train), train["outcome"].to_numpy(dtype=float), names, [])

    def _matrix(self, frame: pd.DataFrame) -> np.ndarray:
        columns = [pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float) for c in self.numeric]
        for name, codes in self.codes.items():
            columns.append(frame[name].astype(str).map(codes).to_numpy(dtype=float))
        return np.column_stack(columns)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.booster.predict(self._matrix(frame)))
