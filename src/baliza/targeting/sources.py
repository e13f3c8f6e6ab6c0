"""The warehouse's consignments, inspections and seizures as declarations (an Ibis expression).

A consignment's outcome is its last inspection's: 1 when it led to a seizure, 0 when nothing was found,
missing when it was never inspected. Its value at stake is the seized quantity. Outcomes an officer
entered on the targeting page (`target_outcomes`, kept in the model folder) fill the ones the warehouse
does not have yet, so that today's inspections feed the next training.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from baliza.analyses.portable import last_item

if TYPE_CHECKING:
    from baliza.warehouse.store import Warehouse


def consignment_declarations(warehouse: Warehouse, entry_point: str | None = None) -> ibis.Table:
    consignments = warehouse.table("consignments")
    if entry_point is not None:
        consignments = consignments.filter(consignments.entry_point_id == entry_point)
    inspections = warehouse.table("inspections")
    latest = ibis.window(group_by="consignment_id", order_by=ibis.desc("inspected_at"))
    last = (inspections.mutate(_rank=ibis.row_number().over(latest))
            .filter(lambda t: t._rank == 0)
            .select("consignment_id", "inspection_id", "outcome", "inspected_at"))
    seizures = warehouse.table("seizures")
    seized = (seizures.filter(seizures.inspection_id.notnull())
              .group_by("inspection_id").aggregate(seized_quantity=seizures.quantity.sum()))
    joined = (consignments.left_join(last, "consignment_id")
              .left_join(seized, "inspection_id"))
    found = ibis.cases((joined.outcome == "seizure", 1.0), (joined.outcome.notnull(), 0.0), else_=ibis.null("float64"))
    return joined.select(
        id=joined.consignment_id,
        declared_at=joined.declared_at,
        office=joined.entry_point_id,
        mode=joined["mode"],
        declarant=ibis.null("string"),
        consignee=joined.consignee_id,
        shipper=joined.shipper_id,
        carrier=joined.carrier,
        hs_code=joined.hs_code,
        description=joined.declared_description,
        origin_country=joined.origin_country,
        departure_country=last_item(joined.transit_countries),
        transit=joined.transit_countries.join("|"),
        destination_country=joined.destination_country,
        payment=joined.payment_method,
        cash=ibis.cases((joined.payment_method.isnull(), ibis.null("float64")),
                        (joined.payment_method == "cash", 1.0), else_=0.0),
        mass_kg=joined.gross_weight_kg.cast("float64"),
        value=joined.declared_value_usd.cast("float64"),
        outcome=found,
        outcome_value=ibis.cases((found == 1.0, joined.seized_quantity.cast("float64").fill_null(1.0)),
                                 else_=ibis.null("float64")),
        inspected=joined.inspection_id.notnull(),
    )


def entry_point_name(warehouse: Warehouse, entry_point: str) -> str | None:
    """The entry point's name, for people (None when the warehouse does not know it)."""
    points = warehouse.table("entry_points")
    names = points.filter(points.entry_point_id == entry_point).select("name").to_pyarrow().to_pylist()
    return names[0]["name"] if names else None
