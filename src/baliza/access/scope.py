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
from baliza.warehouse.store import Warehouse

DIRECTORY_TABLES: frozenset[str] = frozenset({"agencies", "units", "entry_points"})
CASE_CHILDREN: tuple[str, ...] = ("case_parties", "charges", "case_events", "dispositions", "assets")


@dataclass
class SharedIds:
    """Ids shared by one owner agency, per kind of key."""

    seizures: set[str] = field(default_factory=set)
    cases: set[str] = field(default_factory=set)
    inspections: set[str] = field(default_factory=set)
    consignments: set[str] = field(default_factory=set)
    persons: set[str] = field(default_factory=set)
    loads: set[int] = field(default_factory=set)

    def key_for(self, table: str) -> tuple[str, set[str]] | None:
        """The column and ids through which `table` rows are shared, if any."""
        if table in ("seizures", "arrests"):
            return "seizure_id", self.seizures
        if table == "cases" or table in CASE_CHILDREN:
            return "case_id", self.cases
        if table == "inspections":
            return "inspection_id", self.inspections
        if table == "consignments":
            return "consignment_id", self.consignments
        if table == "persons":
            return "person_id", self.persons
        return None


def _values(table: ir.Table, column: str, condition: ir.BooleanValue) -> set[str]:
    return {v for v in table.filter(condition).select(column).distinct().to_pyarrow()[column].to_pylist() if v}


def _expand(wh: Warehouse, owner: str, owned: list[Grant]) -> SharedIds:
    """Follow each grant's chain through the owner's own rows."""
    ids = SharedIds()
    for g in owned:
        if g.kind == "seizure":
            ids.seizures.add(g.subject_id)
        elif g.kind == "case":
            ids.cases.add(g.subject_id)
        elif g.kind == "dataset" and g.subject_id.isdigit():
            ids.loads.add(int(g.subject_id))
    mine = lambda t: t._agency_id == owner  # noqa: E731
    if ids.seizures:
        s = wh.table("seizures")
        ids.inspections |= _values(s, "inspection_id", mine(s) & s.seizure_id.isin(ids.seizures))
        c = wh.table("cases")
        ids.cases |= _values(c, "case_id", mine(c) & c.seizure_id.isin(ids.seizures))
        a = wh.table("arrests")
        ids.persons |= _values(a, "person_id", mine(a) & a.seizure_id.isin(ids.seizures))
    if ids.inspections:
        i = wh.table("inspections")
        ids.consignments |= _values(i, "consignment_id", mine(i) & i.inspection_id.isin(ids.inspections))
    if ids.cases:
        for name in ("case_parties", "charges", "dispositions"):
            t = wh.table(name)
            ids.persons |= _values(t, "person_id", mine(t) & t.case_id.isin(ids.cases))
        assets = wh.table("assets")
        ids.persons |= _values(assets, "owner_person_id", mine(assets) & assets.case_id.isin(ids.cases))
    return ids


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
    def path(self) -> object:
        return self.warehouse.path

    def table(self, name: str) -> ir.Table:
        return self.scope.filter(self.warehouse, name)
