"""The resolution kept in the warehouse, beside the rows it resolves (which it never changes).

Two tables, replaced whole by each `baliza people resolve`:

- `resolved_people`: one row per person record that belongs to a resolved person of two records or more
  (cluster id, person id, the agency that holds the record, whether it is protected, its strongest match
  weight), with when it was resolved and the latest load it saw;
- `resolved_people_links`: the links the clusters rest on, each with its match weight and probability and
  the level at which each field agreed.

Neither holds a name, a date, a number or a digest of one: ids, agencies, weights and level codes only.
A load after the resolution leaves them as they were; `resolution_state` says which load they saw.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import ibis
import pyarrow as pa

from baliza.analyses.people.model import COMPARED
from baliza.analyses.people.resolution import LinkEvidence, Resolution, ResolvedRecord
from baliza.warehouse.store import Warehouse

PEOPLE = "resolved_people"
LINKS = "resolved_people_links"

PEOPLE_SCHEMA = pa.schema([("cluster_id", pa.string()), ("person_id", pa.string()), ("agency_id", pa.string()),
                           ("protected", pa.bool_()), ("weight", pa.float64()),
                           ("resolved_at", pa.timestamp("us", tz="UTC")), ("load_id", pa.int64())])
LINKS_SCHEMA = pa.schema([("cluster_id", pa.string()), ("person_a", pa.string()), ("person_b", pa.string()),
                          ("match_weight", pa.float64()), ("match_probability", pa.float64()),
                          *((c, pa.string()) for c in COMPARED)])


def _latest_load(wh: Warehouse) -> int | None:
    loads = wh.table("loads")
    value = loads.load_id.max().execute()
    return None if value is None or value != value else int(value)


def store_resolution(wh: Warehouse, resolution: Resolution) -> None:
    """Replace the stored resolution of `wh` (a writable warehouse) with `resolution`."""
    at = datetime.now(UTC)
    load = _latest_load(wh)
    people = pa.table({
        "cluster_id": [r.cluster_id for r in resolution.records],
        "person_id": [r.person_id for r in resolution.records],
        "agency_id": [r.agency_id for r in resolution.records],
        "protected": [r.protected for r in resolution.records],
        "weight": [r.weight for r in resolution.records],
        "resolved_at": [at] * len(resolution.records),
        "load_id": [load] * len(resolution.records),
    }, schema=PEOPLE_SCHEMA)
    links = pa.table({
        "cluster_id": [k.cluster_id for k in resolution.links], "person_a": [k.person_a for k in resolution.links],
        "person_b": [k.person_b for k in resolution.links],
        "match_weight": [k.match_weight for k in resolution.links],
        "match_probability": [k.match_probability for k in resolution.links],
        **{c: [k.levels[c] for k in resolution.links] for c in COMPARED},
    }, schema=LINKS_SCHEMA)
    for name, table in ((PEOPLE, people), (LINKS, links)):
        wh.con.create_table(name, table, overwrite=True)


def is_resolved(wh: Any) -> bool:
    """Whether people were resolved in this warehouse (`baliza people resolve` ran on it)."""
    warehouse = getattr(wh, "warehouse", wh)  # a ScopedWarehouse reads the whole warehouse's tables here
    try:
        warehouse.table(PEOPLE)
    except Exception:  # the engine's "no such table" (each engine names it its own way)
        return False
    return True


def resolved_table(wh: Any) -> ibis.Table:
    return getattr(wh, "warehouse", wh).table(PEOPLE)


def links_table(wh: Any) -> ibis.Table:
    return getattr(wh, "warehouse", wh).table(LINKS)


def cluster_of(wh: Any, person_id: str) -> tuple[list[ResolvedRecord], list[LinkEvidence]]:
    """The records resolved as the same person as `person_id` (itself included) and their links; nothing
    when the record was resolved with no other, or people were not resolved."""
    if not is_resolved(wh):
        return [], []
    people = resolved_table(wh)
    mine = people.filter(people.person_id == person_id).select("cluster_id")
    same = people.filter(people.cluster_id.isin(mine.cluster_id))  # isin: PostgreSQL has no LEFT SEMI JOIN
    rows = same.order_by(["agency_id", "person_id"]).to_pyarrow().to_pylist()
    if not rows:
        return [], []
    links = links_table(wh)
    found = links.filter(links.cluster_id == rows[0]["cluster_id"]).to_pyarrow().to_pylist()
    return ([ResolvedRecord(r["cluster_id"], r["person_id"], r["agency_id"], bool(r["protected"]), r["weight"])
             for r in rows],
            [LinkEvidence(k["cluster_id"], k["person_a"], k["person_b"], k["match_weight"], k["match_probability"],
                          {c: k[c] for c in COMPARED}) for k in found])


def resolution_state(wh: Any) -> dict[str, Any] | None:
    """When the stored resolution was made and the latest load it saw (None when there is none)."""
    if not is_resolved(wh):
        return None
    people = resolved_table(wh)
    row = people.aggregate(resolved_at=people.resolved_at.max(), load_id=people.load_id.max(),
                           records=people.count()).to_pyarrow().to_pylist()[0]
    return {"resolved_at": row["resolved_at"], "load_id": row["load_id"], "records": row["records"],
            "latest_load": _latest_load(getattr(wh, "warehouse", wh))}
