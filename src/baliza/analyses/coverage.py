"""What the warehouse covers: the loads that built it, the rows in each table and the dates the chain spans.

The first thing a reader of any report needs: how much data stands behind the figures, and from when to when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import ibis.expr.types as ir

from baliza.contract import TABLES
from baliza.warehouse.store import Warehouse

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


def data_coverage(warehouse: Warehouse) -> Coverage:
    """Loads, row counts and date spans, in a handful of queries."""

    def sql(query: str) -> list[tuple]:
        return warehouse.duckdb.execute(query).fetchall()  # fetched to the end: the connection is shared

    (counts,) = sql("SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{t.name}")' for t in TABLES))
    rows = {t.name: int(n) for t, n in zip(TABLES, counts, strict=True)}
    ((loads, first, last),) = sql(
        "SELECT COUNT(*), MIN(finished_at), MAX(finished_at) FROM loads WHERE finished_at IS NOT NULL")
    agencies = tuple(a for (a,) in sql("SELECT DISTINCT agency_id FROM loads WHERE agency_id IS NOT NULL ORDER BY 1"))
    ((quarantined,),) = sql("SELECT COUNT(*) FROM quarantine")
    spans = []
    for table, column in SPANS:
        day = f'CAST("{column}" AS DATE)'
        ((low, high),) = sql(f'SELECT MIN({day}), MAX({day}) FROM "{table}"')
        spans.append(DateSpan(table, column, low, high))
    return Coverage(int(loads), agencies, first, last, rows, int(quarantined), tuple(spans))


DIRECTORY = ("agencies", "units", "entry_points")


class TableSource(Protocol):
    """Anything that hands out contract tables by name: the warehouse, or the warehouse as one reader sees it."""

    def table(self, name: str) -> ir.Table: ...


def visible_coverage(tables: TableSource, warehouse: Warehouse, agency_id: str) -> Coverage:
    """What the rows one agency may read cover: rows and date spans counted through `tables` (a scoped
    warehouse), and only that agency's own loads and quarantined rows."""
    rows = {t.name: int(tables.table(t.name).count().execute()) for t in TABLES}
    seen: set[str] = set()
    for t in TABLES:
        if rows[t.name] and t.name not in DIRECTORY:  # directory tables list every agency: not a source of rows
            seen |= set(tables.table(t.name).select("_agency_id").distinct().to_pyarrow()["_agency_id"].to_pylist())
    agencies = tuple(sorted(a for a in seen if a))
    loads = warehouse.table("loads")
    mine = loads.filter((loads.agency_id == agency_id) & loads.finished_at.notnull())
    summary = mine.aggregate(n=mine.count(), first=mine.finished_at.min(), last=mine.finished_at.max()).execute()
    quarantine = warehouse.table("quarantine")
    quarantined = quarantine.filter(quarantine.load_id.isin(mine.load_id)).count().execute()
    spans = []
    for table, column in SPANS:
        t = tables.table(table)
        day = t[column].cast("date")
        low, high = t.aggregate(low=day.min(), high=day.max()).execute().iloc[0]
        spans.append(DateSpan(table, column, _day(low), _day(high)))
    first, last = summary["first"].iloc[0], summary["last"].iloc[0]
    return Coverage(int(summary["n"].iloc[0]), agencies, _moment(first), _moment(last), rows, int(quarantined),
                    tuple(spans))


def _day(value: object) -> date | None:
    if value is None or value != value:  # NaT and NaN are not equal to themselves
        return None
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def _moment(value: object) -> datetime | None:
    if value is None or value != value:
        return None
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value  # type: ignore[return-value]
