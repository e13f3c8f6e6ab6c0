"""One row per prosecution case with what the justice analyses compare cases on.

`case_facts(warehouse)` is an Ibis expression over the `case_status` view, the seizure, the charges and the
dispositions, so every analysis reads the same definitions and runs on any engine (DuckDB, PostgreSQL,
Spark) and on a principal's `ScopedWarehouse` (then on the rows in scope only). A caller that reads the
facts several times caches them on the engine for its run (`case_facts(wh).cache()`).

- `prosecutor_id` (the lead prosecutor), `judge_id` (the judge of the case's latest disposition that names
  one; of simultaneous ones, the greatest id, so that reruns agree);
- `resolved_at` as in `case_status` (every defendant disposed), `dismissed` / `acquitted` (no defendant
  convicted and at least one dismissed / acquitted), `convicted`, `statute_barred`;
- case mix: `substance_group` (the seizure's, else that of the most serious charge naming one: of equally
  serious charges, the group first by name), `quantity_band` (base unit and power of ten of the seized or
  lab quantity, else the charged quantity of `definitions.charged_per_case`: of a case charged in several
  base units, the unit first by name), `defendants_band` (1, 2, 3+), `offence` (the most serious charge).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from baliza.analyses.definitions import charged_per_case
from baliza.warehouse.protocol import Warehouse
from baliza.warehouse.views import base_quantity, base_unit, case_status

# Most serious first: a case is described by its most serious charge.
OFFENCE_SERIOUSNESS: tuple[str, ...] = (
    "organised_crime",
    "trafficking",
    "production",
    "money_laundering",
    "corruption",
    "possession_for_supply",
    "possession",
    "other",
)
LEAST_SERIOUS = len(OFFENCE_SERIOUSNESS) - 1  # an offence outside the list counts as "other"


def quantity_band(quantity: ir.NumericValue, unit: ir.StringValue) -> ir.StringValue:
    """`kg:1` for 10-100 kg, `kg:-2` for 10-100 g..., powers of ten clamped to [-3, 4]; `unknown` without a
    positive quantity.

    The power is found by comparing with the powers of ten, not by flooring a logarithm: engines compute
    logarithms differently (Ibis's log10 on Spark is LOG(10, x), 2.9999999999999996 for 1000), and a band
    must not depend on the engine."""
    power = ibis.cases(*((quantity >= 10.0**k, k) for k in range(4, -3, -1)), else_=-3)
    return ibis.ifelse(quantity.isnull() | (quantity <= 0), "unknown", unit.concat(":", power.cast("string")))


def offence_rank(offence: ir.StringValue, else_: int = LEAST_SERIOUS) -> ir.IntegerValue:
    """The place of `offence` in `OFFENCE_SERIOUSNESS` (0 = most serious)."""
    return offence.cases(*((o, i) for i, o in enumerate(OFFENCE_SERIOUSNESS)), else_=else_)


def _first_per_case(table: ir.Table, *order_by: ir.Value) -> ir.Table:
    """The first row of each case in `order_by` order (an order that leaves no ties)."""
    rank = ibis.row_number().over(ibis.window(group_by=table.case_id, order_by=list(order_by)))
    return table.mutate(_rank=rank).filter(lambda t: t._rank == 0).drop("_rank")


def _charged(warehouse: Warehouse) -> ir.Table:
    """One charged quantity per case: where charges came in several base units, the unit first by name."""
    per_unit = charged_per_case(warehouse.table("charges"))
    first = _first_per_case(per_unit, per_unit.base_unit)
    return first.select("case_id", charged_base=first.charged_base, charged_unit=first.base_unit)


def _charge_mix(warehouse: Warehouse) -> ir.Table:
    """Per case: the rank of its most serious charge, and the substance group of the most serious charge
    that names one."""
    charges = warehouse.table("charges")
    ranks = charges.group_by("case_id").aggregate(offence_rank=offence_rank(charges.offence).min())
    named = charges.filter(charges.substance_group.notnull())
    named = named.select("case_id", "substance_group", _rank=offence_rank(named.offence, else_=99))
    group = _first_per_case(named, named._rank, named.substance_group)
    group = group.select("case_id", charged_group=group.substance_group)
    return ranks.left_join(group, "case_id").drop("case_id_right")


def _judges(warehouse: Warehouse) -> ir.Table:
    """Per case: the judge of its latest disposition that names one (of simultaneous ones, the greatest id)."""
    d = warehouse.table("dispositions")
    d = d.filter(d.judge_id.notnull()).select("case_id", "judge_id", "disposed_at")
    latest = _first_per_case(d, d.disposed_at.desc(), d.judge_id.desc())
    return latest.select("case_id", "judge_id")


def _seizure_mix(warehouse: Warehouse) -> ir.Table:
    z = warehouse.table("seizures")
    return z.select(
        "seizure_id", "seized_at", "substance_group",
        seizing_unit_id=z.unit_id,
        seized_base=base_quantity(z.lab_quantity, z.quantity_unit).coalesce(
            base_quantity(z.quantity, z.quantity_unit)),
        base_unit=base_unit(z.quantity_unit),
    )


def case_facts(warehouse: Warehouse) -> ir.Table:
    """One row per case: its office, prosecutor, judge, dates, outcome and case mix (see the module)."""
    s = case_status(warehouse)
    charge_mix, charged, judges, seizures = (
        _charge_mix(warehouse), _charged(warehouse), _judges(warehouse), _seizure_mix(warehouse))
    joined = (
        s.left_join(charge_mix, "case_id").drop("case_id_right")
        .left_join(charged, "case_id").drop("case_id_right")
        .left_join(judges, "case_id").drop("case_id_right")
        .left_join(seizures, s.seizure_id == seizures.seizure_id).drop("seizure_id_right")
    )
    j = joined.select(
        "case_id", "office_id",
        prosecutor_id=joined.lead_prosecutor_id,
        judge_id=joined.judge_id,
        opened_at=joined.opened_at, resolved_at=joined.resolved_at, origin=joined.origin,
        seizure_id=joined.seizure_id, assignment=joined.assignment, limitation_date=joined.limitation_date,
        n_defendants=joined.n_defendants, n_convicted=joined.n_convicted, n_acquitted=joined.n_acquitted,
        n_dismissed=joined.n_dismissed, n_statute_barred=joined.n_statute_barred, outcome=joined.outcome,
        seizing_unit_id=joined.seizing_unit_id, seized_at=joined.seized_at,
        substance_group=ibis.coalesce(joined.substance_group, joined.charged_group, "unknown"),
        case_quantity=joined.seized_base.coalesce(joined.charged_base),
        quantity_unit=ibis.coalesce(joined.base_unit, joined.charged_unit, "unknown"),
        offence_rank=joined.offence_rank.coalesce(-1),
    )
    resolved = j.resolved_at.notnull()
    return j.mutate(
        resolved=resolved,
        dismissed=resolved & (j.n_convicted == 0) & (j.n_dismissed > 0),
        acquitted=resolved & (j.n_convicted == 0) & (j.n_acquitted > 0),
        convicted=resolved & (j.n_convicted > 0),
        statute_barred=j.n_statute_barred > 0,
        from_seizure=j.seizure_id.notnull() | (j.origin == "seizure"),
        quantity_band=quantity_band(j.case_quantity, j.quantity_unit),
        defendants_band=ibis.cases((j.n_defendants <= 1, "1"), (j.n_defendants == 2, "2"), else_="3+"),
        offence=j.offence_rank.cases(*((i, o) for i, o in enumerate(OFFENCE_SERIOUSNESS)), else_="none"),
    )


def data_end(warehouse: Warehouse) -> str | None:
    """The date the justice tables cover to (censoring date for open cases): one definition with the chain's
    deadlines (`baliza.analyses.as_of`)."""
    from baliza.analyses.as_of import STAGES, covered_to

    end = covered_to(warehouse, STAGES["disposition"])
    return None if end is None else end.isoformat()
