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
from baliza.stats.survival import cumulative_incidence, kaplan_meier


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
          as_of: date, competing: ibis.Value | None = None) -> Curve:
    """Time from `start` to the event: rows where `ended` is true had it at `ended_at`; rows where
    `competing` is true ended another way at `ended_at` and can no longer have it (a competing event:
    Aalen-Johansen, `stats.survival.cumulative_incidence`); the others are censored at `ended_at` where it is
    set, else at `as_of` (still waiting). Without `competing` this is Kaplan-Meier."""
    return curves_by(table, None, event, start, ended_at, ended, as_of, competing).get(None, _fit(event, []))


def curves_by(table: ibis.Table, column: str | None, event: str, start: str, ended_at: ibis.Value,
              ended: ibis.Value, as_of: date, competing: ibis.Value | None = None) -> dict[Any, Curve]:
    """`curve` for each value of `column` (one query for all groups); None: one curve, keyed None."""
    stop = ibis.coalesce(ended_at.cast("date"), ibis.literal(as_of, type="date"))
    key = table[column] if column else ibis.literal("")
    other = competing.fill_null(False) if competing is not None else ibis.literal(False)
    cause = ibis.cases((ended.fill_null(False), 1), (other & ended_at.notnull(), 2), else_=0)
    counts = (table.select(key=key, days=days_between(table[start], stop), cause=cause)
              .filter(ibis._.days.notnull() & (ibis._.days >= 0))
              .group_by(["key", "days", "cause"]).aggregate(people=ibis._.count()))
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in counts.to_pyarrow().to_pylist():
        groups.setdefault(row["key"] if column else None, []).append(row)
    return {k: _fit(event, rows) for k, rows in groups.items()}


def _fit(event: str, rows: list[dict[str, Any]]) -> Curve:
    weights = [int(r["people"]) for r in rows]
    durations = np.repeat([float(r["days"]) for r in rows], weights)
    causes = np.repeat([int(r["cause"]) for r in rows], weights).astype(int)
    # no competing end: Kaplan-Meier with Greenwood's variance (Aalen-Johansen would give the same curve)
    fit = cumulative_incidence(durations, causes) if (causes == 2).any() else kaplan_meier(durations, causes == 1)
    return Curve(event, fit.times, fit.surviving, fit.low, fit.high, fit.at_risk, fit.events, fit.censored,
                 fit.median, fit.competing)


def paired_change(table: ibis.Table, measure: str, before: str, after: str) -> PairedChange:
    """Medians before and after and the mean change with a 95 % t-interval, among rows with both."""
    return paired_changes_by(table, None, measure, before, after).get(None, change_from(measure, NOBODY))


def paired_changes_by(table: ibis.Table, column: str | None, measure: str, before: str,
                      after: str) -> dict[Any, PairedChange]:
    """`paired_change` for each value of `column` (one query for all groups); None: one, keyed None."""
    both = table.filter(table[before].notnull() & table[after].notnull())
    change = (both[after] - both[before]).cast("float64")
    key = both[column] if column else ibis.literal("")
    rows = both.group_by(key=key).aggregate(
        people=both.count(), median_before=both[before].cast("float64").median(),
        median_after=both[after].cast("float64").median(), mean=change.mean(), sd=change.std(how="sample"))
    return {(r["key"] if column else None): change_from(measure, r) for r in rows.to_pyarrow().to_pylist()}


NOBODY: dict[str, Any] = {"people": 0, "median_before": None, "median_after": None, "mean": None, "sd": None}


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
