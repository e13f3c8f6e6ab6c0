"""Hit rates of inspecting units: all inspections, targeted, random, and the lift of targeting over chance."""

from __future__ import annotations

import ibis.expr.types as ir

from baliza.analyses.ksi.ratios import share
from baliza.analyses.model import Indicator
from baliza.analyses.periods import Granularity, period_of
from baliza.analyses.portable import as_int
from baliza.warehouse.protocol import Warehouse

TARGETED_SELECTIONS = ("risk_profile", "intelligence", "partner_alert")
RANDOM_SELECTIONS = ("random",)


def inspection_counts(warehouse: Warehouse, granularity: Granularity, unit_id: str | None = None) -> ir.Table:
    """Per inspecting unit and period (by `inspected_at`): inspections and hits, all, targeted and random."""
    inspections = warehouse.table("inspections")
    if unit_id is not None:
        inspections = inspections.filter(inspections.unit_id == unit_id)
    t = inspections.mutate(
        period=period_of(inspections.inspected_at, granularity),
        hit=as_int(inspections.outcome == "seizure"),
        targeted=as_int(inspections.selection.isin(TARGETED_SELECTIONS)),
        random=as_int(inspections.selection.isin(RANDOM_SELECTIONS)),
    )
    return t.group_by(["unit_id", "period"]).aggregate(
        inspections=t.count(),
        hits=t.hit.sum(),
        targeted=t.targeted.sum(),
        targeted_hits=(t.targeted * t.hit).sum(),
        random=t.random.sum(),
        random_hits=(t.random * t.hit).sum(),
    )


def inspection_indicators(
    warehouse: Warehouse, granularity: Granularity, unit_id: str | None = None
) -> list[Indicator]:
    counts = inspection_counts(warehouse, granularity, unit_id).to_pandas()
    indicators: list[Indicator] = []
    for row in counts.itertuples(index=False):
        unit, period = str(row.unit_id), str(row.period)
        rates = {}
        for name, hits, total in (
            ("hit_rate", row.hits, row.inspections),
            ("hit_rate_targeted", row.targeted_hits, row.targeted),
            ("hit_rate_random", row.random_hits, row.random),
        ):
            rates[name] = share(hits, total)
            indicators.append(_unit_indicator(unit, name, period, rates[name], hits, total))
        targeted_rate, random_rate = rates["hit_rate_targeted"], rates["hit_rate_random"]
        lift = targeted_rate / random_rate if targeted_rate is not None and random_rate else None
        indicators.append(
            Indicator(
                "units", unit, "targeting_lift", period, lift, targeted_rate, random_rate,
                note="numerator: targeted hit rate; denominator: random hit rate",
            )
        )
    return indicators


def _unit_indicator(unit: str, name: str, period: str, value: float | None, num: float, den: float) -> Indicator:
    return Indicator("units", unit, name, period, value, float(num), float(den))
