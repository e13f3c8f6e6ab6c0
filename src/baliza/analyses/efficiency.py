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
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd

from baliza.analyses.casefacts import CASE_FACTS, build_case_facts, data_end
from baliza.analyses.definitions import CONVICTIONS as CONVICTION_OUTCOMES
from baliza.analyses.definitions import sql_list
from baliza.analyses.model import Indicator
from baliza.analyses.periods import PERIOD_DAYS, Granularity, period_bounds, period_sql, periods_between
from baliza.warehouse.store import Warehouse


class Subject(StrEnum):
    OFFICE = "office"
    PROSECUTOR = "prosecutor"
    JUDGE = "judge"


SUBJECT_COLUMN = {Subject.OFFICE: "office_id", Subject.PROSECUTOR: "prosecutor_id", Subject.JUDGE: "judge_id"}
SUBJECT_TABLE = {Subject.OFFICE: "units", Subject.PROSECUTOR: "staff", Subject.JUDGE: "staff"}
CONVICTIONS = sql_list(CONVICTION_OUTCOMES)


def efficiency(
    warehouse: Warehouse,
    granularity: Granularity = Granularity.YEAR,
    by: Subject = Subject.OFFICE,
    *,
    facts_ready: bool = False,
) -> list[Indicator]:
    """Every efficiency indicator for every subject and period, oldest period first."""
    if not facts_ready:
        build_case_facts(warehouse)
    end = data_end(warehouse)
    if end is None:
        return []
    tables = _aggregates(warehouse, granularity, by, end)
    return list(_indicators(tables, granularity, by, date.fromisoformat(end)))


def _aggregates(warehouse: Warehouse, granularity: Granularity, by: Subject, end: str) -> dict[str, pd.DataFrame]:
    g = SUBJECT_COLUMN[by]
    sql = warehouse.duckdb.execute
    opened = period_sql("opened_at", granularity)
    resolved_on = "GREATEST(resolved_at, opened_at)"
    out: dict[str, pd.DataFrame] = {}
    out["incoming"] = sql(
        f"""SELECT {g} AS subject, {opened} AS period, COUNT(*) AS n,
                   SUM(CAST(epoch(CAST(opened_at AS DATE)) / 86400 AS DOUBLE)) AS open_days,
                   COUNT(seized_at) AS n_seized,
                   MEDIAN(date_diff('day', CAST(seized_at AS DATE), CAST(opened_at AS DATE))) AS seizure_to_case
            FROM {CASE_FACTS} WHERE {g} IS NOT NULL GROUP BY ALL"""
    ).df()
    # resolved is dated by resolved_at as the definition says, even in the rare (erroneous) case of a
    # disposition before the opening; the pending caseload leaves on the later of the two (a case is pending
    # at the end of a period when opened by then and not resolved by then).
    out["resolved"] = sql(
        f"""SELECT {g} AS subject, {period_sql('resolved_at', granularity)} AS period, COUNT(*) AS n,
                   MEDIAN(date_diff('day', CAST(opened_at AS DATE), CAST({resolved_on} AS DATE))) AS median_days,
                   SUM(CAST(statute_barred AS INTEGER)) AS n_statute_barred
            FROM {CASE_FACTS} WHERE {g} IS NOT NULL AND resolved GROUP BY ALL"""
    ).df()
    out["closed"] = sql(
        f"""SELECT {g} AS subject, {period_sql(resolved_on, granularity)} AS period, COUNT(*) AS n,
                   SUM(CAST(epoch(CAST(opened_at AS DATE)) / 86400 AS DOUBLE)) AS open_days
            FROM {CASE_FACTS} WHERE {g} IS NOT NULL AND resolved GROUP BY ALL"""
    ).df()
    disposer = "d.judge_id" if by is Subject.JUDGE else f"f.{g}"
    out["dispositions"] = sql(
        f"""SELECT {disposer} AS subject, {period_sql('d.disposed_at', granularity)} AS period, COUNT(*) AS n,
                   SUM(CAST(d.outcome = 'dismissed' AS INTEGER)) AS n_dismissed,
                   SUM(CAST(d.outcome IN {CONVICTIONS} AS INTEGER)) AS n_convicted
            FROM dispositions d JOIN {CASE_FACTS} f USING (case_id)
            WHERE {disposer} IS NOT NULL GROUP BY ALL"""
    ).df()
    out["km"] = sql(_kaplan_meier_sql(g, opened, end)).df()
    if by is Subject.OFFICE:
        out["prosecutor_spans"] = sql(
            f"""SELECT office_id AS subject, prosecutor_id, CAST(MIN(opened_at) AS DATE) AS first_day,
                       CAST(MAX(COALESCE(resolved_at, DATE '{end}')) AS DATE) AS last_day
                FROM {CASE_FACTS} WHERE prosecutor_id IS NOT NULL GROUP BY ALL"""
        ).df()
    return out


def _kaplan_meier_sql(g: str, opened: str, end: str) -> str:
    """Kaplan-Meier median time to resolution per subject and opening period, computed in SQL."""
    return f"""
    WITH d AS (
        SELECT {g} AS subject, {opened} AS period,
               date_diff('day', CAST(opened_at AS DATE),
                         CAST(CASE WHEN resolved_at IS NULL THEN DATE '{end}'
                                       ELSE GREATEST(resolved_at, opened_at) END AS DATE)) AS days,
               resolved AS ended
        FROM {CASE_FACTS} WHERE {g} IS NOT NULL
    ),
    t AS (
        SELECT subject, period, days, SUM(CAST(ended AS INTEGER)) AS events, COUNT(*) AS total
        FROM d GROUP BY ALL
    ),
    r AS (
        SELECT *, SUM(total) OVER (PARTITION BY subject, period ORDER BY days DESC
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS at_risk
        FROM t
    ),
    s AS (
        SELECT *, SUM(CASE WHEN events >= at_risk THEN -1e9 ELSE ln(1 - events / at_risk) END)
                  OVER (PARTITION BY subject, period ORDER BY days
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS log_survival
        FROM r
    )
    SELECT subject, period, SUM(total) AS n, SUM(total) - SUM(events) AS censored,
           MIN(days) FILTER (WHERE events > 0 AND log_survival <= ln(0.5) + 1e-12) AS km_median
    FROM s GROUP BY ALL
    """


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
            n_in = _get(inc, label, "n")
            n_res = _get(res, label, "n")
            opened_total += n_in
            closed_total += _get(out_of, label, "n")
            open_days_in += _get(inc, label, "open_days")
            open_days_out += _get(out_of, label, "open_days")
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
                make("statute_barred_share", _get(res, label, "n_statute_barred"), n_res),
                make("pending_age_mean_days", age_days, pending),
            ]
            out.append(_median(make, "median_days_to_disposition", _get(res, label, "median_days", None), n_res,
                               "median over cases resolved in the period (finished cases only)"))
            out.append(_median(make, "median_days_seizure_to_case", _get(inc, label, "seizure_to_case", None),
                               _get(inc, label, "n_seized"), "median over seizure cases opened in the period"))
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


def _get(frame: pd.DataFrame | None, label: str, column: str, default: float | None = 0.0) -> float | None:
    if frame is None or label not in frame.index:
        return default
    value = frame.loc[label, column]
    return default if pd.isna(value) else float(value)


def _maker(subject_table: str, subject: str, label: str):
    def make(indicator: str, numerator: float | None, denominator: float | None, note: str = "") -> Indicator:
        num = float(numerator or 0.0)
        den = float(denominator or 0.0)
        return Indicator(subject_table, subject, indicator, label, _ratio(num, den), num, den, note=note)

    return make


def _median(make, name: str, value: float | None, n: float | None, note: str) -> Indicator:
    """A median goes out as value = numerator = the median, denominator = the cases it is taken over."""
    known = bool(n) and value is not None and not np.isnan(value)
    base = make(name, 0.0, n or 0.0, note=note)
    median = float(value) if known else None
    return Indicator(base.subject_table, base.subject_id, name, base.period, median, median or 0.0,
                     float(n or 0.0), note=note)
