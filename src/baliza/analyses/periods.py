"""Reporting periods: labels (`2025`, `2025-Q1`, `2025-03`), bounds and the CEPEJ day counts.

A label is written in two places, both here so that they cannot drift apart: in Python (`period_label`)
and as an Ibis expression for the engine (`period_of`, on any engine).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

import ibis.expr.types as ir


class Granularity(StrEnum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"


# Days in a period for the CEPEJ disposition time: 365 for a year (leap years too), 91.25, 365/12.
PERIOD_DAYS: dict[Granularity, float] = {
    Granularity.YEAR: 365.0,
    Granularity.QUARTER: 91.25,
    Granularity.MONTH: 365.0 / 12.0,
}


def period_label(day: date, granularity: Granularity) -> str:
    if granularity is Granularity.YEAR:
        return f"{day.year}"
    if granularity is Granularity.QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def period_of(moment: ir.TimestampValue | ir.DateValue, granularity: Granularity) -> ir.StringValue:
    """The label of the period holding `moment`, as an Ibis expression (rows are put in periods by the engine)."""
    year = moment.year().cast("string")
    if granularity is Granularity.YEAR:
        return year
    if granularity is Granularity.QUARTER:
        return year.concat("-Q", moment.quarter().cast("string"))
    return year.concat("-", moment.month().cast("string").lpad(2, "0"))


def period_bounds(label: str) -> tuple[date, date]:
    """First and last day of the period a label names."""
    if "-Q" in label:
        year, quarter = label.split("-Q")
        first = date(int(year), 3 * (int(quarter) - 1) + 1, 1)
        return first, _add_months(first, 3) - timedelta(days=1)
    if "-" in label:
        year, month = label.split("-")
        first = date(int(year), int(month), 1)
        return first, _add_months(first, 1) - timedelta(days=1)
    first = date(int(label), 1, 1)
    return first, date(int(label), 12, 31)


def periods_between(start: date, end: date, granularity: Granularity) -> list[str]:
    """Labels of every period from the one holding `start` to the one holding `end`."""
    labels: list[str] = []
    day = period_bounds(period_label(start, granularity))[0]
    while day <= end:
        label = period_label(day, granularity)
        labels.append(label)
        day = period_bounds(label)[1] + timedelta(days=1)
    return labels


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)
