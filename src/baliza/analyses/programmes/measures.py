"""The building blocks both programmes share: shares with intervals, survival curves and paired changes,
each an Ibis aggregate over the rows passed in (so it runs where the warehouse runs), finished in numpy.

Survival curves are fetched as (days, ended, people) counts, never as one row per person.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import ibis
import numpy as np
from scipy import stats

from baliza.analyses.programmes.model import Curve, PairedChange, Rate
from baliza.stats.intervals import wilson_interval
from baliza.stats.survival import kaplan_meier


def rate(events: int | None, people: int | None) -> Rate:
    """A share with its Wilson interval; a share of no one is None."""
    events, people = int(events or 0), int(people or 0)
    if people <= 0:
        return Rate(events, 0, None)
    interval = wilson_interval(events, people)
    low, high = interval if interval else (None, None)
    return Rate(events, people, events / people, low, high)


def data_end(table: ibis.Table, columns: tuple[str, ...]) -> date | None:
    """The last date any of `columns` holds: what is still open is open as of then (censored there)."""
    row = table.aggregate(**{c: table[c].max() for c in columns}).to_pyarrow().to_pylist()[0]
    found = [_as_date(v) for v in row.values() if v is not None]
    return max(found) if found else None


def _as_date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def days_between(start: ibis.Value, end: ibis.Value) -> ibis.Value:
    """Whole days from `start` to `end` (dates), as an integer expression."""
    return end.cast("date").delta(start.cast("date"), unit="day")


def curve(table: ibis.Table, event: str, start: str, ended_at: ibis.Value, ended: ibis.Value,
          as_of: date) -> Curve:
    """Kaplan-Meier time from `start` to the event: rows where `ended` is true had it at `ended_at`; the
    others are censored at `ended_at` where it is set (they left for another reason), else at `as_of`."""
    stop = ibis.coalesce(ended_at.cast("date"), ibis.literal(as_of, type="date"))
    days = days_between(table[start], stop)
    counts = (table.select(days=days, ended=ended.fill_null(False)).filter(ibis._.days.notnull() & (ibis._.days >= 0))
              .group_by(["days", "ended"]).aggregate(people=ibis._.count()))
    rows = counts.to_pyarrow().to_pylist()
    durations = np.repeat([float(r["days"]) for r in rows], [int(r["people"]) for r in rows])
    observed = np.repeat([bool(r["ended"]) for r in rows], [int(r["people"]) for r in rows])
    fit = kaplan_meier(durations, observed)
    return Curve(event, fit.times, fit.surviving, fit.low, fit.high, fit.at_risk, fit.events, fit.censored,
                 fit.median)


def paired_change(table: ibis.Table, measure: str, before: str, after: str) -> PairedChange:
    """Medians before and after and the mean change with a 95 % t-interval, among rows with both."""
    both = table.filter(table[before].notnull() & table[after].notnull())
    change = (both[after] - both[before]).cast("float64")
    row = both.aggregate(people=both.count(), median_before=both[before].cast("float64").median(),
                         median_after=both[after].cast("float64").median(), mean=change.mean(),
                         sd=change.std(how="sample")).to_pyarrow().to_pylist()[0]
    return change_from(measure, row)


def change_from(measure: str, row: dict[str, Any]) -> PairedChange:
    """A `PairedChange` from an aggregate row (people, median_before, median_after, mean, sd)."""
    n = int(row["people"] or 0)
    mean, sd = row["mean"], row["sd"]
    low = high = None
    if n >= 2 and mean is not None and sd is not None and math.isfinite(sd):
        half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
        low, high = float(mean) - half, float(mean) + half
    return PairedChange(measure, n, _float(row["median_before"]), _float(row["median_after"]),
                        _float(mean) if n else None, low, high)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
