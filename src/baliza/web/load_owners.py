"""Which agency each loaded file belongs to, for loads that brought several agencies' datasets at once.

A load names its agency when it loaded one agency's datasets; a load of several (the demo's, or an
operator's bulk load) names none. Its rows still carry the agency of their file (`_agency_id`, from the
file's manifest), so a file's agency is read back from the rows it gave: what lets each agency's clerk see
its own quarantined rows of such a load, and nobody else's.
"""

from __future__ import annotations

import ibis

from baliza.contract import TABLES_BY_NAME
from baliza.warehouse.store import Warehouse


def shared_loads(wh: Warehouse) -> list[int]:
    """The loads that name no agency (several agencies' datasets at once)."""
    loads = wh.table("loads")
    return [int(v) for v in loads.filter(loads.agency_id.isnull()).load_id.to_pyarrow().to_pylist()]


def file_agencies(wh: Warehouse, load_ids: list[int]) -> dict[tuple[int, str], str]:
    """(load, source file) -> the agency whose rows came from it, over every contract table."""
    if not load_ids:
        return {}
    parts = []
    for name in TABLES_BY_NAME:
        t = wh.table(name)
        parts.append(t.filter(t._load_id.isin(load_ids)).select(
            load_id=t._load_id.cast("int64"), source_file=t._source_file, agency_id=t._agency_id).distinct())
    rows = ibis.union(*parts, distinct=True).to_pyarrow().to_pylist()
    return {(r["load_id"], r["source_file"]): r["agency_id"] for r in rows if r["agency_id"]}


def loads_with_files_of(wh: Warehouse, agency_id: str, owners: dict[tuple[int, str], str]) -> set[int]:
    """The shared loads holding at least one file of `agency_id`."""
    return {load for (load, _file), agency in owners.items() if agency == agency_id}
