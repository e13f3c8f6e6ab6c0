"""Seizures counted for the overview: per month and substance group, and per entry point.

Both take the seizures a caller may count (a table already cut to an agency's scope), so the same counts
serve every role.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from baliza.analyses.entry_points import seizure_entry_points
from baliza.warehouse.protocol import Warehouse


def seizures_by_month(seizures: ir.Table) -> list[dict[str, Any]]:
    """Seizures per month and substance group."""
    month = seizures.seized_at.truncate("M").cast("date").name("month")
    counted = seizures.group_by([month, seizures.substance_group]).aggregate(seizures=seizures.count())
    return counted.order_by(["month", "substance_group"]).to_pyarrow().to_pylist()


def seizures_by_entry_point(warehouse: Warehouse, seizures: ir.Table) -> list[dict[str, Any]]:
    """Seizures per entry point (its own, else that of the consignment it was inspected in), with the
    entry point's name and coordinates; entry points without a seizure count 0."""
    where = seizure_entry_points(warehouse).select("seizure_id", "entry_point_id")
    located = seizures.select("seizure_id").join(where, "seizure_id")
    located = located.filter(located.entry_point_id.notnull())
    counted = located.group_by("entry_point_id").aggregate(seizures=located.count())
    points = warehouse.table("entry_points").select("entry_point_id", "name", "kind", "country", "latitude",
                                                    "longitude")
    joined = points.left_join(counted, "entry_point_id").drop("entry_point_id_right")
    joined = joined.mutate(seizures=joined.seizures.fill_null(0))
    return joined.order_by(ibis.desc("seizures")).to_pyarrow().to_pylist()
