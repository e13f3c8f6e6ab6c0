"""What the warehouse covers: the loads that built it, the rows in each table and the dates the chain spans.

The first thing a reader of any report needs: how much data stands behind the figures, and from when to when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir

from baliza.contract import TABLES
from baliza.warehouse.protocol import Warehouse

# The dates that place the chain in time, in the order the chain runs.
SPANS: tuple[tuple[str, str], ...] = (
    ("inspections", "inspected_at"),
    ("seizures", "seized_at"),
    ("cases", "opened_at"),
    ("dispositions", "disposed_at"),
    ("trainings", "starts_on"),
)


@dataclass(frozen=True)
class DateSpan:
    table: str
    column: str
    first: date | None
    last: date | None


@dataclass(frozen=True)
class Coverage:
    loads: int  # loads that finished
    agencies: tuple[str, ...]
    first_load: datetime | None
    last_load: datetime | None
    rows: dict[str, int]  # contract table -> rows
    quarantined: int  # rows set aside by the loads
    spans: tuple[DateSpan, ...]

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class TableSource(Protocol):
    """Anything that hands out contract tables by name: the warehouse, or the warehouse as one reader sees it."""

    def table(self, name: str) -> ir.Table: ...


DIRECTORY = ("agencies", "units", "entry_points")


def data_coverage(warehouse: Warehouse) -> Coverage:
    """Loads, row counts and date spans of the whole warehouse, in a handful of queries."""
    loads = warehouse.table("loads")
    done = loads.filter(loads.finished_at.notnull())
    summary = _one_row(done.aggregate(n=done.count(), first=done.finished_at.min(), last=done.finished_at.max()))
    # sorted here: ibis 12 compiles distinct-then-order_by for PostgreSQL and Spark as a DISTINCT of whole rows
    named = loads.filter(loads.agency_id.notnull()).select("agency_id").distinct()
    agencies = tuple(sorted(named.to_pyarrow()["agency_id"].to_pylist()))
    quarantined = warehouse.table("quarantine").count().to_pyarrow().as_py()
    return Coverage(int(summary["n"]), agencies, _moment(summary["first"]), _moment(summary["last"]),
                    _row_counts(warehouse), int(quarantined), _spans(warehouse))


def visible_coverage(tables: TableSource, warehouse: Warehouse, agency_id: str) -> Coverage:
    """What the rows one agency may read cover: rows and date spans counted through `tables` (a scoped
    warehouse), and only that agency's own loads and quarantined rows."""
    rows = _row_counts(tables)
    sources = [tables.table(t.name).select("_agency_id") for t in TABLES
               if rows[t.name] and t.name not in DIRECTORY]  # directory tables list every agency: not a source
    seen = ibis.union(*sources).distinct().to_pyarrow()["_agency_id"].to_pylist() if sources else []
    agencies = tuple(sorted(a for a in seen if a))
    loads = warehouse.table("loads")
    mine = loads.filter((loads.agency_id == agency_id) & loads.finished_at.notnull())
    summary = _one_row(mine.aggregate(n=mine.count(), first=mine.finished_at.min(), last=mine.finished_at.max()))
    quarantine = warehouse.table("quarantine")
    quarantined = quarantine.filter(quarantine.load_id.isin(mine.load_id)).count().to_pyarrow().as_py()
    return Coverage(int(summary["n"]), agencies, _moment(summary["first"]), _moment(summary["last"]), rows,
                    int(quarantined), _spans(tables))


def _one_row(table: ir.Table) -> dict[str, Any]:
    rows: list[dict[str, Any]] = table.to_pyarrow().to_pylist()
    return rows[0]


def _row_counts(tables: TableSource) -> dict[str, int]:
    """Rows in each contract table, in one query."""
    counts = ibis.union(*(tables.table(t.name).aggregate(name=ibis.literal(t.name), n=ibis._.count())
                          for t in TABLES))
    found = {r["name"]: int(r["n"]) for r in counts.to_pyarrow().to_pylist()}
    return {t.name: found.get(t.name, 0) for t in TABLES}


def _spans(tables: TableSource) -> tuple[DateSpan, ...]:
    """The first and last day of each date in `SPANS`, in one query."""
    parts = []
    for i, (table, column) in enumerate(SPANS):
        t = tables.table(table)
        day = t[column].cast("date")
        parts.append(t.aggregate(i=ibis.literal(i), low=day.min(), high=day.max()))
    found = {r["i"]: r for r in ibis.union(*parts).to_pyarrow().to_pylist()}
    return tuple(DateSpan(table, column, _day(found[i]["low"]), _day(found[i]["high"]))
                 for i, (table, column) in enumerate(SPANS))


def _day(value: object) -> date | None:
    if value is None or value != value:  # NaT and NaN are not equal to themselves
        return None
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def _moment(value: object) -> datetime | None:
    if value is None or value != value:
        return None
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value  # type: ignore[return-value]
