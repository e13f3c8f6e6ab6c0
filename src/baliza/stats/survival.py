"""Kaplan-Meier: durations where some are still running (right-censored) are counted honestly."""

from __future__ import annotations

import numpy as np


def kaplan_meier(durations: np.ndarray, ended: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Event times and the survival curve S(t) just after each of them.

    `ended` is True where the duration ended with the event (case resolved), False where it is censored.
    """
    t = np.asarray(durations, float)
    d = np.asarray(ended, bool)
    if len(t) == 0:
        return np.array([]), np.array([])
    times = np.unique(t[d])
    order = np.sort(t)
    at_risk = len(t) - np.searchsorted(order, times, side="left")
    events = _event_counts(t[d], times)
    survival = np.cumprod(1 - events / at_risk)
    return times, survival


def _event_counts(event_times: np.ndarray, times: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(times, event_times)
    return np.bincount(idx, minlength=len(times))


def median_survival(durations: np.ndarray, ended: np.ndarray) -> float | None:
    """The first time the Kaplan-Meier curve reaches 0.5, or None if it never does (too much censoring)."""
    times, survival = kaplan_meier(durations, ended)
    below = np.nonzero(survival <= 0.5)[0]
    return float(times[below[0]]) if len(below) else None
