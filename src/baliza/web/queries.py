"""Reading rows for the API and pages, always through the principal's scope (no analytics here)."""

from __future__ import annotations

from typing import Any

import ibis

from baliza.access.protection import MASK, PERSONAL_COLUMNS, present_persons
from baliza.access.scope import Scope
from baliza.contract import PROTECTING_TABLES, get_table
from baliza.contract.links import CHAIN_LINKS, parts_of
from baliza.warehouse.store import Warehouse
from baliza.web.case_file import case_file
from baliza.web.search_hits import search

__all__ = ["case_file", "find_row", "list_seizures", "person_file", "quarantine", "search"]

Row = dict[str, Any]
CASE_PARTS: tuple[str, ...] = parts_of("cases")


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


def _named_in_scope(wh: Warehouse, scope: Scope, person_id: str) -> bool:
    """Whether a row the principal may read names the person (an arrest, a party, a charge...)."""
    for link in CHAIN_LINKS:
        if link.target == "persons":
            t = scope.filter(wh, link.table)
            if t.filter(t[link.column] == person_id).count().execute() > 0:
                return True
    return False


def person_file(wh: Warehouse, scope: Scope, person_id: str) -> Row | None:
    """A person as the principal may see them, with their arrests and the cases naming them.

    A person whose row another agency holds, but who is named in a row the principal reads (a defendant of
    the principal's case, arrested by another agency), is not "not found": the file says who holds the
    person (hit/no-hit) and shows the principal's own rows about them. None when neither is the case.
    """
    persons = scope.filter(wh, "persons")
    found = persons.filter(persons.person_id == person_id).to_pyarrow().to_pylist()
    held_by = None
    if not found:
        if not _named_in_scope(wh, scope, person_id):
            return None
        every = wh.table("persons")
        holders = every.filter(every.person_id == person_id).select("_agency_id").to_pyarrow().to_pylist()
        held_by = holders[0]["_agency_id"] if holders else None
    person = _contract_row(present_persons(wh, scope, found)[0]) if found else None
    arrests = scope.filter(wh, "arrests")
    parties = scope.filter(wh, "case_parties")
    return {
        "person_id": person_id,
        "person": person,
        "held_by": held_by,
        "arrests": _rows(arrests.filter(arrests.person_id == person_id).order_by("arrested_at")),
        "cases": _rows(parties.filter(parties.person_id == person_id).order_by("case_id")),
    }


def quarantine(wh: Warehouse, agency_id: str, owners: dict[tuple[int, str], str] | None = None,
               limit: int = 20_000) -> list[Row]:
    """Quarantined rows of the agency's loads, and of its files in loads of several agencies (`owners`:
    `load_owners.file_agencies`), newest load first, with the raw row as read; personal values masked."""
    loads = wh.table("loads")
    q = wh.table("quarantine")
    shared = sorted({load for (load, _f), agency in (owners or {}).items() if agency == agency_id})
    mine = loads.filter((loads.agency_id == agency_id) | loads.load_id.isin(shared or [-1]))
    rows = (
        q.join(mine.select("load_id", "dataset", "started_at", "agency_id"), "load_id")
        .select("load_id", "dataset", "started_at", "agency_id", "table_name", "source_file", "line",
                "column_name", "value", "reason", "raw")
        .order_by([ibis.desc("load_id"), "source_file", "line"])
        .limit(limit)
        .to_pyarrow()
        .to_pylist()
    )
    owned = []
    for row in rows:
        if row.pop("agency_id") is None and (owners or {}).get((row["load_id"], row["source_file"])) != agency_id:
            continue  # another agency's file in a shared load
        row["raw"] = _masked_raw(row["table_name"], row.get("raw"))
        if row["table_name"] in PROTECTING_TABLES or (
            row["table_name"] == "persons" and row["column_name"] in PERSONAL_COLUMNS
        ):
            row["value"] = MASK if row["value"] is not None else None
        owned.append(row)
    return owned


def _masked_raw(table: str, raw: Any) -> dict[str, Any]:
    """The row as read, with the cells that may hold a person's details masked."""
    import json

    cells = json.loads(raw) if isinstance(raw, str) else dict(raw or {})
    for column in cells:
        if table in PROTECTING_TABLES or (table == "persons" and column in PERSONAL_COLUMNS):
            cells[column] = MASK if cells[column] not in (None, "") else cells[column]
    return cells
