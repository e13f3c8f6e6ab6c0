"""Kaplan-Meier survival curves: times to an event where some items are still waiting (censored).

An asset frozen in March and not yet confiscated at the end of the data has waited at least that long; leaving
it out would make confiscation look faster than it is, counting it as never confiscated would make it look
slower. The product-limit estimator uses exactly what is known. Greenwood's formula gives the variance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Survival:
    """The share still waiting after each event time, with the counts behind it."""

    times: tuple[float, ...]  # distinct event times, ascending
    surviving: tuple[float, ...]  # S(t) just after each time
    at_risk: tuple[int, ...]
    events_at: tuple[int, ...]
    events: int
    censored: int
    low: tuple[float, ...] = field(default=())  # 95 % pointwise interval (log-log), per time
    high: tuple[float, ...] = field(default=())

    def quantile(self, share_done: float) -> float | None:
        """The first time by which `share_done` of items have had the event (None if never reached)."""
        for t, s in zip(self.times, self.surviving, strict=True):
            if s <= 1.0 - share_done + 1e-12:
                return t
        return None

    @property
    def median(self) -> float | None:
        return self.quantile(0.5)

    def share_done_by(self, time: float) -> float:
        """1 - S(time): the share that had the event by `time`."""
        s = 1.0
        for t, value in zip(self.times, self.surviving, strict=True):
            if t > time:
                break
            s = value
        return 1.0 - s


def kaplan_meier(durations: np.ndarray, observed: np.ndarray) -> Survival:
    """Product-limit estimate from durations and whether each ended in the event (else censored there).

    Ties: events at a time are counted before censorings at the same time (the usual convention)."""
    durations = np.asarray(durations, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    keep = ~np.isnan(durations)
    durations, observed = durations[keep], observed[keep]
    if len(durations) == 0:
        return Survival((), (), (), (), 0, 0)
    times = np.unique(durations[observed])
    order = np.sort(durations)
    at_risk = len(order) - np.searchsorted(order, times, side="left")
    event_times = np.sort(durations[observed])
    events_at = np.searchsorted(event_times, times, side="right") - np.searchsorted(event_times, times, side="left")
    factors = 1.0 - events_at / at_risk
    surviving = np.cumprod(factors)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(events_at / (at_risk * (at_risk - events_at)))
        log_s = np.log(surviving)
        se = np.sqrt(greenwood) / np.abs(log_s)
        centre = np.log(-log_s)
        low = np.exp(-np.exp(centre + 1.96 * se))
        high = np.exp(-np.exp(centre - 1.96 * se))
    low = np.where(np.isfinite(low), low, surviving)
    high = np.where(np.isfinite(high), high, surviving)
    return Survival(
        tuple(float(t) for t in times), tuple(float(s) for s in surviving), tuple(int(a) for a in at_risk),
        tuple(int(e) for e in events_at), int(observed.sum()), int((~observed).sum()),
        tuple(float(x) for x in low), tuple(float(x) for x in high),
    )
