"""Derived views over the chain tables, written in Ibis so that they run on any engine.

- `case_status`: one row per case: its defendants, when it was resolved and how.
- `chain`: one row per seizure with its inspection, arrests, case, charges, dispositions and assets.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from baliza.contract.vocabularies import MASS_TO_KG, VOLUME_TO_L
from baliza.warehouse.protocol import Warehouse

CONVICTIONS = ("convicted", "plea_convicted")


def base_quantity(quantity: ir.NumericValue, unit: ir.StringValue) -> ir.NumericValue:
    """A quantity in the base unit of its dimension: mass in kg, volume in l, counts as they are."""
    factors = {**MASS_TO_KG, **VOLUME_TO_L}
    factor = unit.cases(*((u, f) for u, f in factors.items()), else_=1.0)
    return quantity * factor


def base_unit(unit: ir.StringValue) -> ir.StringValue:
    """The base unit a quantity is compared in: kg for masses, l for volumes, else the unit itself."""
    return unit.cases(
        *((u, "kg") for u in MASS_TO_KG), *((u, "l") for u in VOLUME_TO_L), else_=unit
    )


def case_status(warehouse: Warehouse) -> ir.Table:
    """One row per case with its resolution.

    A case is resolved on the latest `disposed_at` of its dispositions, once every defendant in
    `case_parties` (role defendant) has a disposition. A case with no listed defendant is resolved
    once it has any disposition. Columns: case_id, office_id, opened_at, origin, seizure_id,
    lead_prosecutor_id, assignment, limitation_date, n_defendants, n_defendants_disposed,
    n_dispositions, resolved_at (null while open), status ('open' or 'resolved'), n_convicted,
    n_acquitted, n_dismissed, n_statute_barred, outcome ('convicted' when any defendant was convicted,
    else the single outcome shared by all, else 'mixed'; null while open).
    """
    cases = warehouse.table("cases")
    parties = warehouse.table("case_parties")
    dispositions = warehouse.table("dispositions")

    defendants = parties.filter(parties.role == "defendant").select("case_id", "person_id")
    disposed = defendants.join(
        dispositions.select("case_id", "person_id"), ["case_id", "person_id"], how="semi"
    )
    defendant_counts = defendants.group_by("case_id").aggregate(n_defendants=defendants.count())
    disposed_counts = disposed.group_by("case_id").aggregate(n_defendants_disposed=disposed.count())
    d = dispositions
    by_case = d.group_by("case_id").aggregate(
        n_dispositions=d.count(),
        last_disposed_at=d.disposed_at.max(),
        n_convicted=d.outcome.isin(CONVICTIONS).sum(),
        n_acquitted=(d.outcome == "acquitted").sum(),
        n_dismissed=(d.outcome == "dismissed").sum(),
        n_statute_barred=(d.outcome == "statute_barred").sum(),
        n_outcomes=d.outcome.nunique(),
        any_outcome=d.outcome.max(),
    )
    joined = (
        cases.select(
            "case_id", "office_id", "opened_at", "origin", "seizure_id", "lead_prosecutor_id", "assignment",
            "limitation_date",
        )
        .left_join(defendant_counts, "case_id")
        .drop("case_id_right")
        .left_join(disposed_counts, "case_id")
        .drop("case_id_right")
        .left_join(by_case, "case_id")
        .drop("case_id_right")
    )
    n_def = joined.n_defendants.fill_null(0)
    n_disp = joined.n_dispositions.fill_null(0)
    resolved = (n_disp > 0) & (joined.n_defendants_disposed.fill_null(0) >= n_def)
    outcome = ibis.cases(
        (~resolved, ibis.null(str)),
        (joined.n_convicted > 0, "convicted"),
        (joined.n_outcomes == 1, joined.any_outcome),
        else_="mixed",
    )
    return joined.mutate(
        n_defendants=n_def,
        n_defendants_disposed=joined.n_defendants_disposed.fill_null(0),
        n_dispositions=n_disp,
        resolved_at=ibis.ifelse(resolved, joined.last_disposed_at, ibis.null("timestamp")),
        status=ibis.ifelse(resolved, "resolved", "open"),
        n_convicted=joined.n_convicted.fill_null(0),
        n_acquitted=joined.n_acquitted.fill_null(0),
        n_dismissed=joined.n_dismissed.fill_null(0),
        n_statute_barred=joined.n_statute_barred.fill_null(0),
        outcome=outcome,
    ).drop("last_disposed_at", "n_outcomes", "any_outcome")


def chain(warehouse: Warehouse) -> ir.Table:
    """One row per seizure: its inspection, arrests, first case, charges, dispositions and assets.

    Quantities are compared in base units (kg, l, or the count unit): `seized_base`, `lab_base` and
    `charged_base` (the sum of the first case's charges in the seizure's base unit).
    """
    s = warehouse.table("seizures")
    inspections = warehouse.table("inspections")
    arrests = warehouse.table("arrests")
    charges = warehouse.table("charges")
    assets = warehouse.table("assets")
    status = case_status(warehouse)

    a = arrests.filter(arrests.seizure_id.notnull())
    arrest_counts = a.group_by("seizure_id").aggregate(n_arrests=a.count(), first_arrested_at=a.arrested_at.min())
    seizure_cases = status.filter(status.seizure_id.notnull())
    case_rank = ibis.row_number().over(
        ibis.window(group_by=seizure_cases.seizure_id, order_by=[seizure_cases.opened_at, seizure_cases.case_id])
    )
    case_counts = seizure_cases.group_by("seizure_id").aggregate(n_cases=seizure_cases.count())
    first_case = seizure_cases.mutate(_rank=case_rank).filter(lambda t: t._rank == 0).drop("_rank")
    first_case = first_case.select(
        "seizure_id", "case_id", "office_id", "lead_prosecutor_id", "status", "resolved_at", "outcome",
        "n_defendants", "n_convicted", "n_acquitted", "n_dismissed", "n_statute_barred",
        case_opened_at=first_case.opened_at,
    )
    charge_totals = charges.group_by("case_id").aggregate(
        n_charges=charges.count(),
        charged_base=base_quantity(charges.quantity, charges.quantity_unit).sum(),
        charged_base_unit=base_unit(charges.quantity_unit).max(),
    )
    a = assets.filter(assets.case_id.notnull())
    asset_totals = a.group_by("case_id").aggregate(
        n_assets=a.count(),
        assets_value_usd=a.estimated_value_usd.sum(),
        n_assets_frozen=a.frozen_at.notnull().sum(),
        n_assets_confiscated=a.confiscated_at.notnull().sum(),
        n_assets_recovered=a.recovered_at.notnull().sum(),
        n_assets_released=(a.released_at.notnull() & a.confiscated_at.isnull()).sum(),
    )
    base = s.select(
        "seizure_id", "unit_id", "seized_at", "entry_point_id", "inspection_id", "substance", "substance_group",
        "quantity", "quantity_unit", "lab_quantity", "lab_confirmed_at", "intelligence_led",
        seized_base=base_quantity(s.quantity, s.quantity_unit),
        lab_base=base_quantity(s.lab_quantity, s.quantity_unit),
        base_unit=base_unit(s.quantity_unit),
    )
    out = (
        base.left_join(inspections.select("inspection_id", "inspected_at", "selection"), "inspection_id")
        .drop("inspection_id_right")
        .left_join(arrest_counts, "seizure_id")
        .drop("seizure_id_right")
        .left_join(case_counts, "seizure_id")
        .drop("seizure_id_right")
        .left_join(first_case, "seizure_id")
        .drop("seizure_id_right")
        .left_join(charge_totals, "case_id")
        .drop("case_id_right")
        .left_join(asset_totals, "case_id")
        .drop("case_id_right")
    )
    return out.mutate(
        n_arrests=out.n_arrests.fill_null(0),
        n_cases=out.n_cases.fill_null(0),
        n_charges=out.n_charges.fill_null(0),
        n_assets=out.n_assets.fill_null(0),
    )


def base_quantity_value(quantity: float | None, unit: str | None) -> tuple[float, str] | None:
    """The same conversion as `base_quantity`, for one value: (quantity in base unit, base unit)."""
    if quantity is None or unit is None:
        return None
    if unit in MASS_TO_KG:
        return quantity * MASS_TO_KG[unit], "kg"
    if unit in VOLUME_TO_L:
        return quantity * VOLUME_TO_L[unit], "l"
    return quantity, unit
