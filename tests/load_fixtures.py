"""Small valid datasets for the loader's tests, written as CSV text."""

from __future__ import annotations

from pathlib import Path

from baliza.load import LoadReport, load_datasets
from baliza.warehouse import Warehouse

VALID: dict[str, str] = {
    "agencies": "agency_id,name,country,kind\nA1,Customs,PER,customs\nA2,Prosecutors,PER,prosecution\n",
    "entry_points": "entry_point_id,name,kind,country\nE1,Callao,seaport,PER\n",
    "units": (
        "unit_id,agency_id,name,kind,entry_point_id\nU1,A1,PCU Callao,port_control_unit,E1\n"
        "P1,A2,Lima office,prosecution_office,\n"
    ),
    "persons": "person_id,full_name,nationality\nX1,Juan Perez,PER\nX2,Maria Lopez,COL\n",
    "seizures": (
        "seizure_id,unit_id,seized_at,substance,substance_group,quantity,quantity_unit\n"
        "S1,U1,2025-01-02T10:00:00Z,cocaine hydrochloride,cocaine_type,120.5,kg\n"
        "S2,U1,2025-02-03T08:30:00Z,heroin,opiates,3,kg\n"
        "S3,U1,2025-03-04T12:00:00Z,cannabis herb,cannabis_type,800,kg\n"
    ),
    "arrests": (
        "arrest_id,person_id,unit_id,arrested_at,seizure_id\n"
        "R1,X1,U1,2025-01-02T11:00:00Z,S1\nR2,X2,U1,2025-02-03T09:00:00Z,S2\n"
    ),
    "cases": (
        "case_id,office_id,opened_at,origin,seizure_id\n"
        "C1,P1,2025-01-10T00:00:00Z,seizure,S1\nC2,P1,2025-02-10T00:00:00Z,seizure,S2\n"
    ),
    "charges": (
        "charge_id,case_id,person_id,filed_at,offence,quantity,quantity_unit\n"
        "H1,C1,X1,2025-01-20T00:00:00Z,trafficking,120,kg\nH2,C2,X2,2025-02-20T00:00:00Z,trafficking,3,kg\n"
    ),
}


def write_dataset(folder: Path, tables: dict[str, str] | None = None, manifest: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (VALID if tables is None else tables).items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    if manifest is not None:
        (folder / "manifest.yaml").write_text(manifest, encoding="utf-8")
    return folder


def with_changes(**tables: str) -> dict[str, str]:
    return {**VALID, **tables}


def load(warehouse: Warehouse, *folders: Path, agency: str | None = None) -> LoadReport:
    return load_datasets(warehouse, list(folders), agency=agency)


def quarantine_reasons(warehouse: Warehouse, table: str) -> list[tuple[int, str | None, str]]:
    return warehouse.duckdb.execute(
        "SELECT line, column_name, reason FROM quarantine WHERE table_name = ? ORDER BY load_id, line", [table]
    ).fetchall()


def count(warehouse: Warehouse, table: str) -> int:
    return warehouse.duckdb.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def assert_accounted(report: LoadReport) -> None:
    for name, t in report.tables.items():
        assert t.accepted + t.quarantined == t.rows, name
