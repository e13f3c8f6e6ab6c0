"""What the alternative-livelihood and treatment programmes achieve, as counts a programme officer reads
first: how many people enrolled, where they are now, and the outcomes the contract records (a job, income
before and after, relapse into cultivation; completion and abstinence at discharge).

Plain Ibis over the rows the caller passes (already cut to what its reader may see), so that the same
expression runs on DuckDB, PostgreSQL or Spark. No person is listed: only counts and medians.
"""

from __future__ import annotations

from typing import Any

import ibis

PLACED = ("placed", "completed")  # enrolment statuses that mean the grower has a legal income


def livelihood_outcomes(enrolments: ibis.Table) -> dict[str, Any]:
    """Enrolments by status and year, the share placed in a job, relapses, and median monthly income
    before and after (among people with both recorded)."""
    t = enrolments
    by_status = t.group_by("status").aggregate(people=t.count()).order_by(ibis.desc("people"))
    year = t.enrolled_at.year().name("year")
    by_year = t.group_by(year).aggregate(
        enrolled=t.count(),
        placed=t.status.isin(PLACED).sum(),
        relapsed=(t.status == "relapsed_to_cultivation").sum(),
    ).order_by("year")
    both = t.filter(t.monthly_income_before_usd.notnull() & t.monthly_income_after_usd.notnull())
    income = both.aggregate(people=both.count(), before=both.monthly_income_before_usd.median(),
                            after=both.monthly_income_after_usd.median())
    total = t.aggregate(enrolled=t.count(), placed=t.status.isin(PLACED).sum(),
                        relapsed=(t.status == "relapsed_to_cultivation").sum(),
                        hectares=t.hectares.sum())
    return {
        "totals": _one(total),
        "by_status": by_status.to_pyarrow().to_pylist(),
        "by_year": by_year.to_pyarrow().to_pylist(),
        "income": _one(income),
    }


def treatment_outcomes(episodes: ibis.Table) -> dict[str, Any]:
    """Treatment episodes: admitted, discharged, completed, abstinent at discharge, by year of admission."""
    t = episodes
    year = t.admitted_at.year().name("year")
    by_year = t.group_by(year).aggregate(
        admitted=t.count(),
        discharged=t.discharged_at.notnull().sum(),
        completed=(t.discharge_reason == "completed").sum(),
        abstinent=t.abstinent_at_discharge.fill_null(False).sum(),
    ).order_by("year")
    total = t.aggregate(admitted=t.count(), discharged=t.discharged_at.notnull().sum(),
                        completed=(t.discharge_reason == "completed").sum(),
                        abstinent=t.abstinent_at_discharge.fill_null(False).sum())
    return {"totals": _one(total), "by_year": by_year.to_pyarrow().to_pylist()}


def _one(expr: ibis.Table) -> dict[str, Any]:
    """The single row of an aggregate; sums over no rows are 0, medians over none stay None."""
    row = expr.to_pyarrow().to_pylist()[0]
    return {k: 0 if v is None and k not in ("before", "after") else v for k, v in row.items()}
