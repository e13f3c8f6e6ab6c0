"""What the warehouse covers: the loads that built it, the rows in each table and the dates the chain spans.

The first thing a reader of any report needs: how much data stands behind the figures, and from when to when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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
