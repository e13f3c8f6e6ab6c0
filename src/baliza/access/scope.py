"""Agency scope: which warehouse rows a principal may see.

Every row carries `_agency_id`, the agency that reported it. A principal sees its own agency's rows,
the directory tables (agencies, units, entry points) and the rows that live grants share with its
agency. A grant only ever covers rows its owner agency reported:
- `seizure`: the seizure and its chain: its inspection and consignment, its arrests, the cases opened
  on it with their parties, charges, events, dispositions and assets, and the persons named in them;
- `case`: the case with its parties, charges, events, dispositions, assets and persons;
- `dataset`: every row of one load.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir

from baliza.access.grants import Grant, active_grants_to
from baliza.access.principal import Principal
from baliza.access.state import StateStore
from baliza.contract import get_table
from baliza.contract.links import CHAIN_LINKS, ChainLink, parts_of
from baliza.warehouse.protocol import Engine, Warehouse

DIRECTORY_TABLES: frozenset[str] = frozenset({"agencies", "units", "entry_points"})
CASE_CHILDREN: tuple[str, ...] = parts_of("cases")


@dataclass
class SharedIds:
    """Ids shared by one owner agency: per table, the column its rows are matched on and the values.

    A table with a one-column key is matched on its key (`cases` on `case_id`); a table whose rows hang
    off another and have a composite key is matched on the link column (`case_parties` on `case_id`).
    """

    keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    loads: set[int] = field(default_factory=set)

    def key_for(self, table: str) -> tuple[str, set[str]] | None:
        """The column and ids through which `table` rows are shared, if any."""
        if table in self.keys and self.keys[table] and len(get_table(table).key) == 1:
            return get_table(table).key[0], self.keys[table]
        for link in CHAIN_LINKS:
            if link.follows == "table" and link.table == table and self.keys.get(link.target):
                return link.column, self.keys[link.target]
        return None


def _values(table: ir.Table, column: str, condition: ir.BooleanValue) -> set[str]:
    return {v for v in table.filter(condition).select(column).distinct().to_pyarrow()[column].to_pylist() if v}


def _expand(wh: Warehouse, owner: str, owned: list[Grant]) -> SharedIds:
    """Follow each grant's chain along the contract's chain links.

    A seizure grant reaches the seizure, its inspection and consignment, its arrests, the cases opened on
    it with their parts, and the persons they name; a case grant reaches the case, its parts and persons
    (not back to the seizure). The chain is followed through every agency's rows (the prosecution's case
    on a customs seizure, the FIU's assets on that case), but `Scope.filter` only ever shows the rows the
    owner reported: a grant shares the owner's part of a chain, never another agency's.
    """
    ids = SharedIds()
    for g in owned:
        if g.kind == "seizure":
            ids.keys["seizures"].add(g.subject_id)
        elif g.kind == "case":
            ids.keys["cases"].add(g.subject_id)
        elif g.kind == "dataset" and g.subject_id.isdigit():
            ids.loads.add(int(g.subject_id))
    asked: dict[ChainLink, int] = {}  # how many source ids each link was last followed from
    while True:
        grown = False
        for link in CHAIN_LINKS:
            source = ids.key_for(link.table) if link.follows == "target" else (link.column, ids.keys.get(link.target))
            size = len(source[1] or ()) if source else 0
            if size == 0 or asked.get(link) == size:
                continue
            asked[link] = size
            reached, found = _reach(wh, ids, link)
            if found - ids.keys[reached]:
                ids.keys[reached] |= found
                grown = True
        if not grown:
            return ids


def _reach(wh: Warehouse, ids: SharedIds, link: ChainLink) -> tuple[str, set[str]]:
    """The table one `link` leads to from what `ids` holds, and the ids of the rows reached there.

    Rows with a composite key (a case's parties) are matched through their link column, so nothing is
    collected for them: `SharedIds.key_for` finds them from the row they hang off.
    """
    if link.follows == "table":
        key = get_table(link.table).key
        if len(key) != 1 or not ids.keys.get(link.target):
            return link.table, set()
        t = wh.table(link.table)
        return link.table, _values(t, key[0], t[link.column].isin(sorted(ids.keys[link.target])))
    by = ids.key_for(link.table)
    if by is None:
        return link.target, set()
    t = wh.table(link.table)
    return link.target, _values(t, link.column, t[by[0]].isin(sorted(by[1])))


@dataclass
class Scope:
    """What one principal may see in the warehouse, computed from the live grants."""

    principal: Principal
    shared: dict[str, SharedIds]  # owner agency -> ids it shares with the principal's agency
    grants: list[Grant]

    def filter(self, wh: Warehouse, table_name: str, *, owned_only: bool = False) -> ir.Table:
        """`table_name` restricted to the rows this principal may see.

        Directory tables are open to everyone, unless `owned_only` (own and shared rows only: used for
        findings about a unit, which only its agency and those it shares with may read).
        """
        t = wh.table(table_name)
        if table_name in DIRECTORY_TABLES and not owned_only:
            return t
        visible = t._agency_id == self.principal.agency_id
        for owner, ids in self.shared.items():
            mine = t._agency_id == owner
            if ids.loads:
                visible |= mine & t._load_id.isin(sorted(ids.loads))
            key = ids.key_for(table_name)
            if key is not None and key[1]:
                visible |= mine & t[key[0]].isin(sorted(key[1]))
        return t.filter(visible)

    def reads(self, table_name: str, row: dict[str, Any]) -> bool:
        """Whether this principal may read one warehouse row (with its `_agency_id` and `_load_id`): the
        same rule as `filter`, for rows already in hand."""
        if table_name in DIRECTORY_TABLES:
            return True
        agency = row.get("_agency_id")
        if agency == self.principal.agency_id:
            return True
        ids = self.shared.get(agency or "")
        if ids is None:
            return False
        if row.get("_load_id") in ids.loads:
            return True
        key = ids.key_for(table_name)
        return key is not None and row.get(key[0]) in key[1]

    def cache_key(self) -> str:
        """What a result cut for this scope depends on: the agency and its set of live grants (a new or
        revoked grant is a new key, so it is seen at once). The one key every per-reader cache uses."""
        return f"{self.principal.agency_id}:{','.join(sorted(g.grant_id for g in self.grants))}"

    def held_elsewhere(self, wh: Warehouse, table_name: str) -> dict[str, int]:
        """Rows of `table_name` this principal may not read, counted per agency holding them (never which
        rows): what a page names instead of pretending they do not exist."""
        every, seen = wh.table(table_name), self.filter(wh, table_name)
        held = every.group_by("_agency_id").aggregate(n=every.count()).to_pyarrow().to_pylist()
        visible = {r["_agency_id"]: r["n"] for r in
                   seen.group_by("_agency_id").aggregate(n=seen.count()).to_pyarrow().to_pylist()}
        hidden = {r["_agency_id"]: int(r["n"]) - int(visible.get(r["_agency_id"], 0)) for r in held}
        return {agency: n for agency, n in hidden.items() if n > 0 and agency != self.principal.agency_id}

    def sees(self, wh: Warehouse, table_name: str, column: str, value: str, *, owned_only: bool = False) -> bool:
        t = self.filter(wh, table_name, owned_only=owned_only)
        return bool(t.filter(t[column] == value).count().execute() > 0)


def scope_for(wh: Warehouse, state: StateStore, principal: Principal,
              cache: dict[str, Any] | None = None) -> Scope:
    """The principal's scope from the live grants to its agency.

    With `cache` (kept per warehouse state by the caller), each owner's expansion of a given set of
    grants is computed once: a new or revoked grant changes the set, so it is seen at once.
    """
    received = active_grants_to(state, principal.agency_id)
    by_owner: dict[str, list[Grant]] = defaultdict(list)
    for g in received:
        by_owner[g.owner_agency_id].append(g)
    shared = {}
    for owner, owned in by_owner.items():
        if cache is None:
            shared[owner] = _expand(wh, owner, owned)
            continue
        key = "scope:" + owner + ":" + ",".join(sorted(f"{g.kind}/{g.subject_id}" for g in owned))
        if key not in cache:
            cache[key] = _expand(wh, owner, owned)
        shared[owner] = cache[key]
    return Scope(principal, shared, received)




@dataclass
class ScopedWarehouse:
    """The warehouse as one principal sees it: `table(name)` holds only the rows in scope.

    Analyses that read through `table()` (e.g. a seizure's chain) can run on it unchanged, so a chain
    shows, and judges broken links on, only what the principal may see.
    """

    warehouse: Warehouse
    scope: Scope

    @property
    def engine(self) -> Engine:
        return self.warehouse.engine

    @property
    def con(self) -> Any:
        return self.warehouse.con

    @property
    def path(self) -> object:
        return getattr(self.warehouse, "path", None)

    def table(self, name: str) -> ir.Table:
        return self.scope.filter(self.warehouse, name)
