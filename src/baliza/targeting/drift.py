"""Drift since training: has the stream of declarations moved away from what the model learnt on?

The population stability index (PSI) compares the share of recent declarations in each tenth of the
training scores with the tenth it should hold: sum over bins of (recent - expected) * ln(recent / expected).
Below 0.1 is usually read as stable, 0.1 to 0.25 as a shift worth watching, above 0.25 as a model to
retrain. It says the inputs moved, not that the model got worse: that needs outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

STABLE, WATCH = 0.1, 0.25
FLOOR = 1e-4


def population_stability(training_deciles: Sequence[float], recent_scores: np.ndarray) -> float | None:
    """PSI of `recent_scores` against the training score distribution given by its deciles."""
    if len(recent_scores) == 0 or len(training_deciles) != 11:
        return None
    inner = np.asarray(training_deciles[1:-1], dtype=float)
    counts = np.bincount(np.searchsorted(inner, recent_scores, side="right"), minlength=10)[:10]
    recent = np.maximum(counts / counts.sum(), FLOOR)
    expected = np.full(10, 0.1)
    return float(np.sum((recent - expected) * np.log(recent / expected)))


def drift_summary(card: dict[str, Any], recent_scores: np.ndarray, since: str) -> dict[str, Any]:
    psi = population_stability(card.get("score_deciles", []), recent_scores)
    level = None if psi is None else "stable" if psi < STABLE else "watch" if psi < WATCH else "retrain"
    return {"psi": psi, "level": level, "declarations": len(recent_scores), "since": since,
            "mean_score": float(np.mean(recent_scores)) if len(recent_scores) else None}
