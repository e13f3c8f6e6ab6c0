"""The date the data covers to: what every deadline is judged against, never today.

A seizure made on 2025-12-30 in data that ends on 2025-12-31 is too recent to judge; judged against today
it would look like a seizure that never reached a laboratory or a case. Each stage of the chain is held by
the agencies that report its tables, and their data may end on different days (customs to December, the
prosecution to June). So the as-of date of a stage is:

1. the latest period end declared by the manifests of the loads that brought the stage's rows, else
2. the latest date of any event in the stage's tables.

`covered_to` gives it for any set of tables; `STAGES` names the tables behind each stage of the chain.
Red flags, the chain and the efficiency tables all read it, so a deadline means the same everywhere.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta

import ibis.common.exceptions as com
import ibis.expr.types as ir

from baliza.warehouse.protocol import Warehouse, whole_of

# the dated columns of each table of the chain
EVENT_DATES: dict[str, tuple[str, ...]] = {
    "inspections": ("inspected_at",),
    "seizures": ("seized_at", "lab_confirmed_at"),
    "arrests": ("arrested_at",),
    "cases": ("opened_at",),
    "charges": ("filed_at",),
    "case_events": ("at",),
    "dispositions": ("disposed_at",),
    "assets": ("identified_at", "frozen_at", "confiscated_at", "recovered_at", "returned_at", "released_at"),
}

# which tables hold each stage whose deadline is judged
STAGES: dict[str, tuple[str, ...]] = {
    "lab": ("seizures",),
    "case": ("cases", "charges", "case_events", "dispositions"),
    "disposition": ("cases", "case_events", "dispositions"),
}


def _as_date(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _declared_end(warehouse: Warehouse, table: ir.Table) -> date | None:
    """The latest manifest period end among the loads that brought `table`'s rows.

    The loads are read from the whole warehouse even when `warehouse` is one principal's view of it: the
    date the data covers to is a fact about the data, and bookkeeping tables carry no agency scope."""
    loads = whole_of(warehouse).table("loads")
    if "period_to" not in loads.columns:  # a warehouse made before loads recorded their period
        return None
    used = table.select("_load_id").distinct()
    ends = loads.filter(loads.load_id.isin(used._load_id)).period_to.max()
    return _as_date(ends.to_pyarrow().as_py())


def _latest_event(table: ir.Table, columns: tuple[str, ...]) -> date | None:
    latest = [table[c].cast("date").max() for c in columns if c in table.columns]
    if not latest:
        return None
    values = table.aggregate(**{f"m{i}": v for i, v in enumerate(latest)}).to_pyarrow().to_pylist()[0]
    found = [day for v in values.values() if (day := _as_date(v)) is not None]
    return max(found) if found else None


def covered_to(warehouse: Warehouse, tables: tuple[str, ...]) -> date | None:
    """The date the data of `tables` covers to: declared period ends first, else the latest event."""
    declared: list[date] = []
    events: list[date] = []
    for name in tables:
        t = warehouse.table(name)
        end = _declared_end(warehouse, t)
        if end is not None:
            declared.append(end)
        latest = _latest_event(t, EVENT_DATES.get(name, ()))
        if latest is not None:
            events.append(latest)
    if declared:
        return max(declared)
    return max(events) if events else None


def stage_as_of(warehouse: Warehouse) -> dict[str, date | None]:
    """Each judged stage's as-of date, computed once for a chain.

    A command asks for it from several analyses (flags, the chain, efficiency, the report): the answer is
    kept on the warehouse object it was computed for (a principal's view keeps its own) and computed again
    only when a load has been recorded since."""
    version = _loads_version(warehouse)
    kept = getattr(warehouse, "_baliza_stage_as_of", None)
    if version is not None and kept is not None and kept[0] == version:
        return dict(kept[1])
    found = {stage: covered_to(warehouse, tables) for stage, tables in STAGES.items()}
    if version is not None:
        with contextlib.suppress(AttributeError):  # a view that takes no attributes: computed every time
            warehouse._baliza_stage_as_of = version, found  # type: ignore[attr-defined]
    return dict(found)


def _loads_version(warehouse: Warehouse) -> tuple[object, ...] | None:
    """What changes whenever a load is recorded (None before the warehouse has a table of loads)."""
    try:
        loads = whole_of(warehouse).table("loads")
    except com.TableNotFound:  # no loads table yet: nothing to remember
        return None
    version = loads.aggregate(n=loads.count(), last_load=loads.load_id.max(), finished=loads.finished_at.max())
    row: dict[str, object] = version.to_pyarrow().to_pylist()[0]
    return tuple(row.values())


def end_of_day(day: date) -> datetime:
    """The end of `day` (midnight after it): an event dated that day is still inside the data."""
    return datetime(day.year, day.month, day.day) + timedelta(days=1)
