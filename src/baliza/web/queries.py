"""Reading rows for the API and pages, always through the principal's scope (no analytics here)."""

from __future__ import annotations

from typing import Any

import ibis

from baliza.access.protection import MASK, PERSONAL_COLUMNS, present_persons
from baliza.access.scope import Scope
from baliza.contract import PROTECTING_TABLES, get_table
from baliza.warehouse.store import Warehouse
from baliza.web.case_file import case_file
from baliza.web.search_hits import search

__all__ = ["case_file", "find_row", "list_seizures", "person_file", "quarantine", "search"]

Row = dict[str, Any]
CASE_PARTS: tuple[str, ...] = ("case_parties", "charges", "case_events", "dispositions", "assets")


def _contract_row(row: Row) -> Row:
    """A row without bookkeeping columns, except who reported it."""
    out = {k: v for k, v in row.items() if not k.startswith("_")}
    if "_agency_id" in row:
        out["reported_by"] = row["_agency_id"]
    return out


def _rows(t: ibis.Table, limit: int | None = None) -> list[Row]:
    if limit is not None:
        t = t.limit(limit)
    return [_contract_row(r) for r in t.to_pyarrow().to_pylist()]


def list_seizures(wh: Warehouse, scope: Scope, query: str = "", limit: int = 100, offset: int = 0) -> list[Row]:
    s = scope.filter(wh, "seizures")
    if query:
        s = s.filter(s.seizure_id.contains(query) | s.substance.contains(query))
    s = s.order_by([ibis.desc("seized_at"), "seizure_id"])
    return _rows(s.limit(limit, offset=offset))


def find_row(wh: Warehouse, scope: Scope, table: str, key: str) -> Row | None:
    t = scope.filter(wh, table)
    column = get_table(table).key[0]
    found = _rows(t.filter(t[column] == key), 1)
    return found[0] if found else None


def person_file(wh: Warehouse, scope: Scope, person_id: str) -> Row | None:
    """A person as the principal may see them, with their arrests and the cases naming them."""
    persons = scope.filter(wh, "persons")
    found = persons.filter(persons.person_id == person_id).to_pyarrow().to_pylist()
    if not found:
        return None
    person = _contract_row(present_persons(wh, scope, found)[0])
    arrests = scope.filter(wh, "arrests")
    parties = scope.filter(wh, "case_parties")
    return {
        "person": person,
        "arrests": _rows(arrests.filter(arrests.person_id == person_id).order_by("arrested_at")),
        "cases": _rows(parties.filter(parties.person_id == person_id).order_by("case_id")),
    }


def quarantine(wh: Warehouse, agency_id: str, limit: int = 500) -> list[Row]:
    """Quarantined rows of the agency's loads, newest load first; personal values are masked."""
    loads = wh.table("loads")
    q = wh.table("quarantine")
    mine = loads.filter(loads.agency_id == agency_id).select("load_id", "dataset", "started_at")
    rows = (
        q.join(mine, "load_id")
        .select("load_id", "dataset", "started_at", "table_name", "source_file", "line", "column_name", "value",
                "reason")
        .order_by([ibis.desc("load_id"), "source_file", "line"])
        .limit(limit)
        .to_pyarrow()
        .to_pylist()
    )
    for row in rows:
        if row["table_name"] in PROTECTING_TABLES or (
            row["table_name"] == "persons" and row["column_name"] in PERSONAL_COLUMNS
        ):
            row["value"] = MASK if row["value"] is not None else None
    return rows
