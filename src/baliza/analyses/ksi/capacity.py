"""Capacity received: training hours per staff member and mentoring after a unit became operational."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from baliza.analyses.ksi.ratios import as_number, share
from baliza.analyses.model import Indicator
from baliza.analyses.periods import Granularity, period_of
from baliza.analyses.portable import as_int
from baliza.warehouse.protocol import Warehouse


def staff_numbers(warehouse: Warehouse) -> ir.Table:
    """Per unit: `staff_count` as declared in units, else the number of its rows in `staff`."""
    units = warehouse.table("units")
    staff = warehouse.table("staff")
    listed = staff.group_by("unit_id").aggregate(listed_staff=staff.count())
    joined = units.select("unit_id", "staff_count", "operational_since").left_join(listed, "unit_id")
    joined = joined.drop("unit_id_right")
    return joined.mutate(staff=joined.staff_count.coalesce(joined.listed_staff))


def capacity_counts(warehouse: Warehouse, granularity: Granularity, unit_id: str | None = None) -> ir.Table:
    """Per trained unit and period (by `starts_on`): training hours, mentoring after operational_since, staff."""
    trainings = warehouse.table("trainings")
    if unit_id is not None:
        trainings = trainings.filter(trainings.unit_id == unit_id)
    joined = trainings.left_join(staff_numbers(warehouse), "unit_id").drop("unit_id_right")
    mentoring_after = (
        (joined.kind == "mentoring") & (joined.starts_on >= joined.operational_since)
    ).fill_null(False)
    t = joined.mutate(
        period=period_of(joined.starts_on, granularity),
        training_hours=ibis.ifelse(joined.kind == "training", joined.hours.fill_null(0.0), 0.0),
        mentoring_after=as_int(mentoring_after),
        mentoring_hours_after=ibis.ifelse(mentoring_after, joined.hours.fill_null(0.0), 0.0),
    )
    return t.group_by(["unit_id", "period"]).aggregate(
        training_hours=t.training_hours.sum(),
        mentoring_after=t.mentoring_after.sum(),
        mentoring_hours_after=t.mentoring_hours_after.sum(),
        staff=t.staff.max(),
    )


def capacity_indicators(warehouse: Warehouse, granularity: Granularity, unit_id: str | None = None) -> list[Indicator]:
    counts = capacity_counts(warehouse, granularity, unit_id).to_pandas()
    indicators: list[Indicator] = []
    for row in counts.to_dict("records"):
        unit, period = str(row["unit_id"]), str(row["period"])
        hours, staff = as_number(row["training_hours"]), as_number(row["staff"])
        per_staff = share(hours, staff)
        indicators.append(Indicator("units", unit, "training_hours_per_staff", period, per_staff, hours, staff))
        for name, column in (
            ("mentoring_after_operational", "mentoring_after"),
            ("mentoring_hours_after_operational", "mentoring_hours_after"),
        ):
            total = as_number(row[column])
            indicators.append(Indicator("units", unit, name, period, total, total, 1.0))
    return indicators
