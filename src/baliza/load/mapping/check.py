"""What a load through a mapping would do, without loading: a rehearsal rolled back at the end.

The export is loaded as `baliza load --mapping` would load it (same reading, checks and references against
the warehouse), then the transaction is rolled back. Kept from it: the counts per table, the reasons rows
would be quarantined (grouped, with the number of rows and the first line), a few rows as they would be
stored, and the values the mapping's vocabularies and lookups still leave undecided.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from baliza.load.mapping.spec import Mapping
from baliza.load.report import LoadReport
from baliza.load.sql import quote_name

SAMPLE_ROWS = 5
REASONS_SHOWN = 30


@dataclass(frozen=True)
class ReasonCount:
    table: str
    column: str | None
    reason: str
    rows: int
    first_file: str
    first_line: int | None


@dataclass
class CheckReport:
    mapping: str
    load: LoadReport
    reasons: list[ReasonCount] = field(default_factory=list)
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    undecided: dict[str, list[str]] = field(default_factory=dict)
    """Vocabulary or lookup -> spellings listed without a value."""
    warehouse_checked: bool = True
    """False when no warehouse was there: references could not be checked against stored rows."""

    def to_dict(self) -> dict[str, Any]:
        return {"mapping": self.mapping, "tables": {n: asdict(t) for n, t in self.load.tables.items()},
                "warnings": self.load.warnings, "reasons": [asdict(r) for r in self.reasons],
                "samples": self.samples, "undecided": self.undecided, "warehouse_checked": self.warehouse_checked}


def check_mapping(db: Path | None, mapping: Mapping, paths: list[Path], agency: str | None) -> CheckReport:
    """Rehearse loading `paths` through `mapping` into the warehouse `db` (a temporary one when it is absent)."""
    from baliza.load import load_datasets
    from baliza.warehouse import open_warehouse
    from baliza.warehouse.store import resolve_db_path

    path = resolve_db_path(db)
    seen: dict[str, Any] = {}

    def rehearse(con: duckdb.DuckDBPyConnection, load_id: int) -> None:
        seen["reasons"] = con.execute(
            "SELECT table_name, column_name, reason, count(*), arg_min(source_file, line), min(line) FROM quarantine "
            f"WHERE load_id = {int(load_id)} GROUP BY ALL ORDER BY 4 DESC, 6 LIMIT {REASONS_SHOWN}").fetchall()
        seen["samples"] = {}
        for mapped in mapping.tables:
            name = mapped.table.name
            cursor = con.execute(f"SELECT * EXCLUDE (_agency_id, _load_id, _row_hash) FROM main.{quote_name(name)} "
                                 f"WHERE _load_id = {int(load_id)} LIMIT {SAMPLE_ROWS}")
            columns = [d[0] for d in cursor.description]
            seen["samples"][name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    if path.exists():
        with open_warehouse(path) as warehouse:
            load = load_datasets(warehouse, paths, agency=agency, mapping=mapping, rehearse=rehearse)
        checked = True
    else:
        with tempfile.TemporaryDirectory(prefix="baliza-check-") as folder, \
                open_warehouse(Path(folder) / "check.duckdb") as warehouse:
            load = load_datasets(warehouse, paths, agency=agency, mapping=mapping, rehearse=rehearse)
        checked = False
    undecided = {name: sorted(k for k, v in t.values.items() if v is None)
                 for name, t in mapping.translations.items() if any(v is None for v in t.values.values())}
    return CheckReport(mapping.label, load, [ReasonCount(*row) for row in seen.get("reasons", [])],
                       seen.get("samples", {}), undecided, checked)
