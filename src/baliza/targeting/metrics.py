"""How well a ranking of declarations finds what is there, when only the top n % can be inspected.

For a share n of declarations inspected in score order: *precision* is the share of those inspections that
find something, *recall* the share of all finds that they catch, and *value* the share of the value at
stake (seized quantity, or the declared value of fraudulent declarations) that they catch. AUC is the
chance that a declaration with a find is ranked above one without. All are computed on outcomes the
ranking never saw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

SHARES: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10)


def auc(outcome: np.ndarray, score: np.ndarray) -> float | None:
    """Area under the ROC curve (Mann-Whitney), ties counted half; None without both classes."""
    y = np.asarray(outcome, dtype=float)
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return None
    ranks = rankdata(score)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def ranking_metrics(outcome: np.ndarray, score: np.ndarray, value: np.ndarray | None = None,
                    shares: Sequence[float] = SHARES) -> dict[str, float | None]:
    """precision@n, recall@n (and value@n when `value` is given) for each share, and AUC."""
    y = np.asarray(outcome, dtype=float)
    order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
    found = y[order]
    total = found.sum()
    result: dict[str, float | None] = {"auc": auc(y, score)}
    stake = None
    if value is not None:
        stake = np.nan_to_num(np.asarray(value, dtype=float)[order]) * found
    for share in shares:
        n = max(1, math.ceil(share * len(y)))
        key = f"{round(share * 100)}%"
        result[f"precision@{key}"] = float(found[:n].mean())
        result[f"recall@{key}"] = float(found[:n].sum() / total) if total else None
        if stake is not None:
            result[f"value@{key}"] = float(stake[:n].sum() / stake.sum()) if stake.sum() > 0 else None
    return result
