"""Indicators of seizing units: what follows a seizure (sharing, prosecution, conviction, the laboratory)."""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir

from baliza.analyses.definitions import CASE_WINDOW_DAYS, CONVICTIONS
from baliza.analyses.ksi.catalogue import get_spec
from baliza.analyses.ksi.horizons import horizons
from baliza.analyses.ksi.ratios import as_number, share
from baliza.analyses.model import Indicator
from baliza.analyses.periods import Granularity, period_of
from baliza.analyses.portable import as_int
from baliza.contract.vocabularies import MASS_TO_KG
from baliza.warehouse.protocol import Warehouse

SHARING_WINDOW_SECONDS = 48 * 3600
PROSECUTION_WINDOW_SECONDS = CASE_WINDOW_DAYS * 86400

# name -> (numerator column, denominator column); value = numerator / denominator, None when it is zero.
PROPORTIONS: dict[str, tuple[str, str]] = {
    "intelligence_led_share": ("intelligence_led", "intelligence_known"),
    "partner_sharing_48h": ("shared_48h", "seizures"),
    "prosecution_conversion": ("arrest_case_90d", "with_arrest"),
    "conviction_conversion": ("convicted_in_horizon", "case_in_horizon"),
    "joint_operation_share": ("in_operation", "seizures"),
}
# name -> total column; denominator 1, value = the total.
TOTALS: dict[str, str] = {
    "seizures": "seizures",
    "new_substance_detections": "new_substance",
    "quantity_seized_kg": "kg_seized",
}


def seizure_facts(warehouse: Warehouse) -> ir.Table:
    """One row per seizure with the yes/no facts the indicators count."""
    s = warehouse.table("seizures")
    arrests = warehouse.table("arrests")
    cases = warehouse.table("cases")
    dispositions = warehouse.table("dispositions")

    seized = s.seized_at.epoch_seconds()
    with_arrest = arrests.filter(arrests.seizure_id.notnull()).select("seizure_id").distinct()
    linked = cases.filter(cases.seizure_id.notnull())
    case_times = linked.join(s.select("seizure_id", "seized_at"), "seizure_id")
    case_90d = case_times.filter(
        case_times.opened_at.epoch_seconds() <= case_times.seized_at.epoch_seconds() + PROSECUTION_WINDOW_SECONDS
    ).select("seizure_id").distinct()
    convicted_cases = dispositions.filter(dispositions.outcome.isin(CONVICTIONS)).select("case_id").distinct()
    convicted = linked.filter(linked.case_id.isin(convicted_cases.case_id)).select("seizure_id").distinct()
    with_case = linked.select("seizure_id").distinct()
    # conviction conversion at a fixed horizon: a case opened, and a conviction disposed, within it of the seizure
    horizon = _horizon_seconds("conviction_conversion")
    case_in_horizon = case_times.filter(
        case_times.opened_at.epoch_seconds() <= case_times.seized_at.epoch_seconds() + horizon
    )
    verdicts = dispositions.filter(dispositions.outcome.isin(CONVICTIONS)).select("case_id", "disposed_at")
    convicted_timed = case_in_horizon.join(verdicts, "case_id")
    convicted_in_horizon = convicted_timed.filter(
        convicted_timed.disposed_at.epoch_seconds() <= convicted_timed.seized_at.epoch_seconds() + horizon
    ).select("seizure_id").distinct()

    shared = s.shared_with_partners_at
    lab_seconds = s.lab_confirmed_at.epoch_seconds() - seized
    has_arrest = s.seizure_id.isin(with_arrest.seizure_id)
    return s.mutate(
        intelligence_led=as_int(s.intelligence_led.fill_null(False)),
        intelligence_known=as_int(s.intelligence_led.notnull()),
        shared_48h=as_int(
            (shared.notnull() & (shared.epoch_seconds() <= seized + SHARING_WINDOW_SECONDS)).fill_null(False)
        ),
        with_arrest=as_int(has_arrest),
        arrest_case_90d=as_int(has_arrest & s.seizure_id.isin(case_90d.seizure_id)),
        with_case=as_int(s.seizure_id.isin(with_case.seizure_id)),
        convicted=as_int(s.seizure_id.isin(convicted.seizure_id)),
        case_in_horizon=as_int(s.seizure_id.isin(case_in_horizon.select("seizure_id").seizure_id)),
        convicted_in_horizon=as_int(s.seizure_id.isin(convicted_in_horizon.seizure_id)),
        in_operation=as_int(s.operation_id.notnull()),
        lab_days=lab_seconds.cast("float64") / 86400.0,
        kg_seized=s.quantity_unit.cases(*MASS_TO_KG.items(), else_=ibis.null("float64")) * s.quantity,
        new_substance=as_int(_first_of_substance(warehouse, s)),
    )


def _first_of_substance(warehouse: Warehouse, s: ir.Table) -> ir.BooleanValue:
    """True for the first seizure (by seized_at, then seizure_id) of a substance in the seizing unit's country."""
    units = warehouse.table("units").select("unit_id", "agency_id", "entry_point_id")
    agencies = warehouse.table("agencies").select("agency_id", agency_country="country")
    entry_points = warehouse.table("entry_points").select("entry_point_id", entry_point_country="country")
    placed = (
        s.select("seizure_id", "unit_id", "seized_at", "substance", "entry_point_id")
        .left_join(units.select("unit_id", "agency_id"), "unit_id")
        .drop("unit_id_right")
        .left_join(agencies, "agency_id")
        .drop("agency_id_right")
        .left_join(entry_points, "entry_point_id")
        .drop("entry_point_id_right")
    )
    placed = placed.mutate(
        country=placed.agency_country.coalesce(placed.entry_point_country),
        substance_key=placed.substance.strip().lower(),
    )
    rank = ibis.row_number().over(
        ibis.window(group_by=[placed.country, placed.substance_key], order_by=[placed.seized_at, placed.seizure_id])
    )
    firsts = placed.mutate(_rank=rank).filter(lambda t: t._rank == 0).select("seizure_id")
    return s.seizure_id.isin(firsts.seizure_id)


def _horizon_seconds(name: str) -> int:
    days = get_spec(name).horizon_days
    if days is None:
        raise ValueError(f"the catalogue declares no horizon_days for {name}")
    return days * 86400


def seizure_counts(warehouse: Warehouse, granularity: Granularity, unit_id: str | None = None) -> ir.Table:
    """Per seizing unit and period (by `seized_at`): the sums behind every seizure indicator.

    `<indicator>__num` and `<indicator>__den` are each proportion's parts; for an indicator with a horizon
    (`ksi.horizons`) they count only the seizures old enough to have reached the outcome.
    """
    facts = seizure_facts(warehouse)
    if unit_id is not None:
        facts = facts.filter(facts.unit_id == unit_id)
    t = facts.mutate(period=period_of(facts.seized_at, granularity), _one=ibis.literal(1, type="int64"))
    cutoffs = {name: h.cutoff for name, h in horizons(warehouse).items() if name in PROPORTIONS}
    parts: dict[str, ir.Value] = {}
    for name, (num, den) in PROPORTIONS.items():
        ripe = _ripe(t, cutoffs.get(name))
        parts[f"{name}__num"] = (_per_seizure(t, num) * ripe).sum()
        parts[f"{name}__den"] = (_per_seizure(t, den) * ripe).sum()
    return t.group_by(["unit_id", "period"]).aggregate(
        **parts,
        seizures=t.count(),
        intelligence_led=t.intelligence_led.sum(),
        intelligence_known=t.intelligence_known.sum(),
        shared_48h=t.shared_48h.sum(),
        with_arrest=t.with_arrest.sum(),
        arrest_case_90d=t.arrest_case_90d.sum(),
        with_case=t.with_case.sum(),
        convicted=t.convicted.sum(),
        in_operation=t.in_operation.sum(),
        lab_days_sum=t.lab_days.sum(),
        lab_confirmed=t.lab_days.count(),
        new_substance=t.new_substance.sum(),
        kg_seized=t.kg_seized.sum(),
    )


def seizure_indicators(warehouse: Warehouse, granularity: Granularity, unit_id: str | None = None) -> list[Indicator]:
    counts = seizure_counts(warehouse, granularity, unit_id).to_pandas()
    indicators: list[Indicator] = []
    for row in counts.to_dict("records"):
        unit, period = str(row["unit_id"]), str(row["period"])
        for name in PROPORTIONS:
            n, d = as_number(row[f"{name}__num"]), as_number(row[f"{name}__den"])
            indicators.append(Indicator("units", unit, name, period, share(n, d), n, d))
        lab_sum, lab_n = as_number(row["lab_days_sum"]), as_number(row["lab_confirmed"])
        mean_days = share(lab_sum, lab_n)
        indicators.append(Indicator("units", unit, "lab_confirmation_days", period, mean_days, lab_sum, lab_n))
        for name, column in TOTALS.items():
            total = as_number(row[column])
            indicators.append(Indicator("units", unit, name, period, total, total, 1.0))
    return indicators


def _ripe(t: ir.Table, cutoff: datetime | None) -> ir.IntegerValue:
    """1 for a seizure made before `cutoff` (old enough to have reached the outcome), else 0; all 1 without one."""
    if cutoff is None:
        return t._one
    return as_int(t.seized_at < ibis.literal(cutoff, type="timestamp"))


def _per_seizure(t: ir.Table, column: str) -> ir.IntegerValue:
    """A fact column of one seizure; `seizures` (the count) is 1 per seizure."""
    return t._one if column == "seizures" else t[column]
