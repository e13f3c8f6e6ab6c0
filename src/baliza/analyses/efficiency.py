"""Prosecution and court efficiency per office, prosecutor or judge and period (CEPEJ definitions).

- **incoming**: cases opened in the period; **resolved**: cases resolved in it (a case is resolved on the
  latest `disposed_at` of its dispositions once every defendant has one; dated so even if that precedes
  the opening, a data error); **pending_end**: cases opened on
  or before the period's last day and not resolved by then.
- `clearance_rate` = resolved / incoming; `disposition_time_days` = D × pending_end / resolved with
  D = 365 (year, leap years too), 91.25 (quarter), 365/12 (month); `case_turnover_ratio` =
  resolved / pending_end.
- `dismissal_rate`, `conviction_rate` (`definitions.CONVICTIONS`): over all the case dispositions
  dated in the period; `statute_barred_share`: resolved cases with a statute-barred defendant / resolved.
- `median_days_to_disposition`: median days from opening to resolution of the cases resolved in the period
  (only finished cases: biased short); `median_days_to_resolution_km`: Kaplan-Meier median for the cases
  opened in the period, the still-open ones censored at the data's last date (honest about open cases);
  `median_days_seizure_to_case`; `pending_age_mean_days`: mean age of the pending caseload at the period's
  end; `caseload_per_prosecutor` (offices): pending_end / prosecutors with an active case in the period.

Counts go out with numerator = count and denominator = 1. A zero denominator gives value None.

The counts, sums and medians (the Kaplan-Meier curve too) are Ibis expressions over `casefacts.case_facts`,
computed by the engine (DuckDB, PostgreSQL, Spark), on the whole warehouse or on a principal's scope; the
running totals over periods are then taken here, in Python.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from enum import StrEnum

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from baliza.analyses.casefacts import case_facts, data_end
from baliza.analyses.definitions import CONVICTIONS
from baliza.analyses.model import Indicator
from baliza.analyses.periods import PERIOD_DAYS, Granularity, period_bounds, period_of, periods_between
from baliza.warehouse.protocol import Warehouse


class Subject(StrEnum):
    OFFICE = "office"
    PROSECUTOR = "prosecutor"
    JUDGE = "judge"


SUBJECT_COLUMN = {Subject.OFFICE: "office_id", Subject.PROSECUTOR: "prosecutor_id", Subject.JUDGE: "judge_id"}
SUBJECT_TABLE = {Subject.OFFICE: "units", Subject.PROSECUTOR: "staff", Subject.JUDGE: "staff"}
HALF_SURVIVAL = math.log(0.5) + 1e-12  # the Kaplan-Meier median: the first time log S(t) <= ln(1/2)


def efficiency(
    warehouse: Warehouse,
    granularity: Granularity = Granularity.YEAR,
    by: Subject = Subject.OFFICE,
    *,
    facts: ir.Table | None = None,
) -> list[Indicator]:
    """Every efficiency indicator for every subject and period, oldest period first.

    `facts`: the case facts of `warehouse` if the caller has them (`casefacts.case_facts`, cached for other
    analyses too); else they are computed and cached on the engine for this call."""
    end = data_end(warehouse)
    if end is None:
        return []
    if facts is None:
        with case_facts(warehouse).cache() as cached:
            tables = _aggregates(warehouse, cached, granularity, by, end)
    else:
        tables = _aggregates(warehouse, facts, granularity, by, end)
    return list(_indicators(tables, granularity, by, date.fromisoformat(end)))


def _days(start: ir.TimestampValue, stop: ir.TimestampValue) -> ir.IntegerValue:
    """Whole days from `start`'s date to `stop`'s date."""
    return stop.date().delta(start.date(), unit="day")


def _epoch_days(moment: ir.TimestampValue) -> ir.FloatingValue:
    """Days from 1970-01-01 to `moment`'s date (summed, and the pending cases' ages come from the sums)."""
    return _days(ibis.timestamp("1970-01-01 00:00:00"), moment).cast("float64")


def _aggregates(
    warehouse: Warehouse, facts: ir.Table, granularity: Granularity, by: Subject, end: str
) -> dict[str, pd.DataFrame]:
    """The counts, sums and medians per subject and period the indicators are made of, one query each."""
    f = facts.filter(facts[SUBJECT_COLUMN[by]].notnull())
    f = f.mutate(subject=f[SUBJECT_COLUMN[by]])
    # resolved is dated by resolved_at as the definition says, even in the rare (erroneous) case of a
    # disposition before the opening; the pending caseload leaves on the later of the two (a case is pending
    # at the end of a period when opened by then and not resolved by then).
    resolved_on = ibis.greatest(f.resolved_at, f.opened_at)
    out: dict[str, pd.DataFrame] = {}
    out["incoming"] = f.group_by("subject", period=period_of(f.opened_at, granularity)).aggregate(
        n=f.count(),
        open_days=_epoch_days(f.opened_at).sum(),
        n_seized=f.seized_at.count(),
        seizure_to_case=_days(f.seized_at, f.opened_at).median(),
    ).to_pandas()
    done = f.filter(f.resolved)
    done_on = ibis.greatest(done.resolved_at, done.opened_at)
    out["resolved"] = done.group_by("subject", period=period_of(done.resolved_at, granularity)).aggregate(
        n=done.count(),
        median_days=_days(done.opened_at, done_on).median(),
        n_statute_barred=done.statute_barred.sum(),
    ).to_pandas()
    out["closed"] = done.group_by("subject", period=period_of(done_on, granularity)).aggregate(
        n=done.count(), open_days=_epoch_days(done.opened_at).sum()
    ).to_pandas()
    out["dispositions"] = _dispositions(warehouse, facts, granularity, by).to_pandas()
    end_moment = ibis.timestamp(f"{end} 00:00:00")
    days = _days(f.opened_at, ibis.ifelse(f.resolved_at.isnull(), end_moment, resolved_on))
    out["km"] = _kaplan_meier(f.select("subject", period=period_of(f.opened_at, granularity), days=days,
                                       ended=f.resolved)).to_pandas()
    if by is Subject.OFFICE:
        p = facts.filter(facts.prosecutor_id.notnull())
        out["prosecutor_spans"] = p.group_by(subject=p.office_id, prosecutor_id=p.prosecutor_id).aggregate(
            first_day=p.opened_at.min().date(),
            last_day=p.resolved_at.coalesce(end_moment).max().date(),
        ).to_pandas()
    return out


def _dispositions(warehouse: Warehouse, facts: ir.Table, granularity: Granularity, by: Subject) -> ir.Table:
    """Dispositions per subject and period of disposal: all, dismissed and convictions (the judge is the
    disposition's own, the office and prosecutor the case's)."""
    d = warehouse.table("dispositions")
    d = d.select("case_id", "disposed_at", "outcome", disposer=d.judge_id)
    f = facts.select("case_id", case_subject=facts[SUBJECT_COLUMN[by]])
    j = d.join(f, "case_id")
    j = j.mutate(subject=j.disposer if by is Subject.JUDGE else j.case_subject)
    j = j.filter(j.subject.notnull())
    return j.group_by("subject", period=period_of(j.disposed_at, granularity)).aggregate(
        n=j.count(),
        n_dismissed=(j.outcome == "dismissed").sum(),
        n_convicted=j.outcome.isin(CONVICTIONS).sum(),
    )


def _kaplan_meier(cases: ir.Table) -> ir.Table:
    """Kaplan-Meier median days to resolution per subject and opening period, computed by the engine.

    `cases`: subject, period, days (to resolution, else to the data's end) and ended (resolved, else
    censored). Columns: subject, period, n, censored, km_median (null while the curve stays above one half).
    """
    t = cases.group_by("subject", "period", "days").aggregate(
        events=cases.ended.sum(), total=cases.count())
    at_risk = t.total.sum().over(ibis.window(group_by=[t.subject, t.period], order_by=t.days.desc(), rows=(None, 0)))
    r = t.mutate(at_risk=at_risk)
    step = ibis.ifelse(r.events >= r.at_risk, -1e9, (1 - r.events / r.at_risk).ln())
    survival = step.sum().over(ibis.window(group_by=[r.subject, r.period], order_by=r.days, rows=(None, 0)))
    s = r.mutate(log_survival=survival)
    return s.group_by("subject", "period").aggregate(
        n=s.total.sum(),
        censored=s.total.sum() - s.events.sum(),
        km_median=s.days.min(where=(s.events > 0) & (s.log_survival <= HALF_SURVIVAL)),
    )


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else float(numerator) / float(denominator)


def _indicators(
    tables: dict[str, pd.DataFrame], granularity: Granularity, by: Subject, end: date
) -> list[Indicator]:
    incoming = tables["incoming"].set_index(["subject", "period"])
    resolved = tables["resolved"].set_index(["subject", "period"])
    closed = tables["closed"].set_index(["subject", "period"])
    dispositions = tables["dispositions"].set_index(["subject", "period"])
    km = tables["km"].set_index(["subject", "period"])
    days = PERIOD_DAYS[granularity]
    subject_table = SUBJECT_TABLE[by]
    sources = [tables[k][["subject", "period"]] for k in ("incoming", "resolved", "dispositions") if len(tables[k])]
    first_periods = pd.concat(sources) if sources else pd.DataFrame(columns=["subject", "period"])
    starts = first_periods.groupby("subject")["period"].min()
    spans = tables.get("prosecutor_spans")
    out: list[Indicator] = []
    for subject, first_label in starts.sort_index().items():
        labels = periods_between(period_bounds(first_label)[0], end, granularity)
        inc = incoming.loc[subject] if subject in incoming.index.get_level_values(0) else None
        res = resolved.loc[subject] if subject in resolved.index.get_level_values(0) else None
        out_of = closed.loc[subject] if subject in closed.index.get_level_values(0) else None
        opened_total, closed_total, open_days_in, open_days_out = 0.0, 0.0, 0.0, 0.0
        for label in labels:
            first_day, last_day = period_bounds(label)
            n_in = _count(inc, label, "n")
            n_res = _count(res, label, "n")
            opened_total += n_in
            closed_total += _count(out_of, label, "n")
            open_days_in += _count(inc, label, "open_days")
            open_days_out += _count(out_of, label, "open_days")
            pending = opened_total - closed_total
            # sum of the pending cases' ages at the period's end, from running sums of their opening days
            age_days = pending * _epoch_day(last_day) - (open_days_in - open_days_out)
            disp = dispositions.loc[(subject, label)] if (subject, label) in dispositions.index else None
            n_disp = float(disp["n"]) if disp is not None else 0.0
            make = _maker(subject_table, str(subject), label)
            out += [
                make("incoming", n_in, 1),
                make("resolved", n_res, 1),
                make("pending_end", pending, 1),
                make("clearance_rate", n_res, n_in),
                make("disposition_time_days", days * pending, n_res, note=f"D = {days:g} days"),
                make("case_turnover_ratio", n_res, pending),
                make("dismissal_rate", float(disp["n_dismissed"]) if disp is not None else 0.0, n_disp),
                make("conviction_rate", float(disp["n_convicted"]) if disp is not None else 0.0, n_disp),
                make("statute_barred_share", _count(res, label, "n_statute_barred"), n_res),
                make("pending_age_mean_days", age_days, pending),
            ]
            out.append(_median(make, "median_days_to_disposition", _get(res, label, "median_days"), n_res,
                               "median over cases resolved in the period (finished cases only)"))
            out.append(_median(make, "median_days_seizure_to_case", _get(inc, label, "seizure_to_case"),
                               _count(inc, label, "n_seized"), "median over seizure cases opened in the period"))
            if (subject, label) in km.index:
                row = km.loc[(subject, label)]
                value = None if pd.isna(row["km_median"]) else float(row["km_median"])
                note = (f"Kaplan-Meier over {int(row['n'])} cases opened in the period, {int(row['censored'])} "
                        f"still open (censored at {end.isoformat()})")
                out.append(_median(make, "median_days_to_resolution_km", value, float(row["n"]), note))
            if spans is not None:
                active = spans[(spans.subject == subject) & (pd.to_datetime(spans.first_day).dt.date <= last_day)
                               & (pd.to_datetime(spans.last_day).dt.date >= first_day)]
                out.append(make("caseload_per_prosecutor", pending, float(active.prosecutor_id.nunique()),
                                note="pending_end / prosecutors with an active case in the period"))
    return out


def _epoch_day(day: date) -> float:
    return float(day.toordinal() - date(1970, 1, 1).toordinal())


def _get(frame: pd.DataFrame | None, label: str, column: str) -> float | None:
    """One subject's value in one period; None where there is none."""
    if frame is None or label not in frame.index:
        return None
    value = frame.loc[label, column]
    return None if pd.isna(value) else float(value)


def _count(frame: pd.DataFrame | None, label: str, column: str) -> float:
    """One subject's count or sum in one period; 0 where there is none."""
    value = _get(frame, label, column)
    return 0.0 if value is None else value


Maker = Callable[..., Indicator]


def _maker(subject_table: str, subject: str, label: str) -> Maker:
    def make(indicator: str, numerator: float | None, denominator: float | None, note: str = "") -> Indicator:
        num = float(numerator or 0.0)
        den = float(denominator or 0.0)
        return Indicator(subject_table, subject, indicator, label, _ratio(num, den), num, den, note=note)

    return make


def _median(make: Maker, name: str, value: float | None, n: float | None, note: str) -> Indicator:
    """A median goes out as value = numerator = the median, denominator = the cases it is taken over."""
    base = make(name, 0.0, n or 0.0, note=note)
    median = float(value) if n and value is not None and not np.isnan(value) else None
    return Indicator(base.subject_table, base.subject_id, name, base.period, median, median or 0.0,
                     float(n or 0.0), note=note)
