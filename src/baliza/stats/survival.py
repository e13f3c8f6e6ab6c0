"""Time-to-event curves: times to an event where some items are still waiting (censored).

An asset frozen in March and not yet confiscated at the end of the data has waited at least that long; leaving
it out would make confiscation look faster than it is, counting it as never confiscated would make it look
slower. The product-limit estimator (`kaplan_meier`) uses exactly what is known; Greenwood's formula gives
the variance.

An asset released before confiscation, or a grower who left the programme without a job, is different: it
will never have the event. Censoring it (as if it might still) overstates how many get there and how fast;
`cumulative_incidence` (Aalen-Johansen) counts such an end as a competing event: the curve then levels off at
the share that never gets there.
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
    competing: int = 0  # items that ended another way and can no longer have the event (not censored)

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


def cumulative_incidence(durations: np.ndarray, causes: np.ndarray) -> Survival:
    """Aalen-Johansen estimate of the share that has had the event by each time, with competing events.

    `causes` per item: 1 the event at its duration, 2 a competing end at its duration (it can no longer have
    the event), 0 censored there (still waiting when the data end). The result is a `Survival` whose
    `surviving` is 1 - F(t), F the cumulative incidence of the event: without competing ends it equals
    Kaplan-Meier. F(t) = sum over event times t_j <= t of S(t_j-) d1_j / n_j, S the all-cause Kaplan-Meier.
    Variance by the delta method on the Nelson-Aalen increments (Aalen's estimator):
    sum_j [F(t) - F(t_j)]^2 d_j / n_j^2 + S(t_j-)^2 d1_j / n_j^2 - 2 [F(t) - F(t_j)] S(t_j-) d1_j / n_j^2,
    the 95 % interval taken on the log(-log(1 - F)) scale as for Kaplan-Meier.
    Ties: ends at a time count before censorings at the same time."""
    durations = np.asarray(durations, dtype=float)
    causes = np.asarray(causes, dtype=int)
    keep = ~np.isnan(durations)
    durations, causes = durations[keep], causes[keep]
    if len(durations) == 0:
        return Survival((), (), (), (), 0, 0)
    ended = causes > 0
    all_times = np.unique(durations[ended])
    order = np.sort(durations)
    at_risk = len(order) - np.searchsorted(order, all_times, side="left")

    def count_at(values: np.ndarray) -> np.ndarray:
        values = np.sort(values)
        return np.searchsorted(values, all_times, side="right") - np.searchsorted(values, all_times, side="left")

    ends, events = count_at(durations[ended]), count_at(durations[causes == 1])
    before = np.concatenate(([1.0], np.cumprod(1.0 - ends / at_risk)[:-1]))  # S(t_j-)
    jumps = before * events / at_risk
    incidence = np.cumsum(jumps)
    shown = events > 0  # the curve moves only where the event happens
    # the sum above for every t_j at once: expand [F(t_j) - F(t_k)] and keep running sums over k <= j
    f, a, b = incidence, ends / at_risk**2, events / at_risk**2
    variance = (f**2 * np.cumsum(a) - 2 * f * np.cumsum(f * a) + np.cumsum(f**2 * a)
                + np.cumsum(before**2 * b) - 2 * f * np.cumsum(before * b) + 2 * np.cumsum(f * before * b))
    remaining = 1.0 - incidence
    with np.errstate(divide="ignore", invalid="ignore"):
        log_r = np.log(remaining)
        se = np.sqrt(np.maximum(variance, 0.0)) / (remaining * np.abs(log_r))
        centre = np.log(-log_r)
        low = np.exp(-np.exp(centre + 1.96 * se))
        high = np.exp(-np.exp(centre - 1.96 * se))
    low = np.where(np.isfinite(low), low, remaining)
    high = np.where(np.isfinite(high), high, remaining)
    return Survival(
        tuple(float(t) for t in all_times[shown]), tuple(float(r) for r in remaining[shown]),
        tuple(int(a) for a in at_risk[shown]), tuple(int(e) for e in events[shown]), int((causes == 1).sum()),
        int((causes == 0).sum()), tuple(float(x) for x in low[shown]), tuple(float(x) for x in high[shown]),
        int((causes == 2).sum()),
    )
