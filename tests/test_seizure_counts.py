"""Seizure counts for the overview: a seizure without its own entry point counts where it was inspected."""

from pathlib import Path

from baliza.analyses.seizure_counts import seizures_by_entry_point, seizures_by_month
from baliza.warehouse import open_warehouse


def test_counts_per_entry_point_and_month(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        sql = wh.duckdb.execute
        sql("insert into entry_points (entry_point_id, name, kind, country) values"
            " ('EP-A','Port A','seaport','PER'), ('EP-B','Airport B','airport','PER'),"
            " ('EP-C','Post C','postal_hub','PER')")
        sql("insert into consignments (consignment_id, entry_point_id, mode, declared_at) values"
            " ('K1','EP-B','air_cargo','2025-01-01')")
        sql("insert into inspections (inspection_id, consignment_id, unit_id, inspected_at, selection, outcome)"
            " values ('I1','K1','U1','2025-01-02','random','seizure')")
        sql("insert into seizures (seizure_id, unit_id, seized_at, entry_point_id, inspection_id, substance,"
            " substance_group, quantity, quantity_unit) values"
            " ('S1','U1','2025-01-02','EP-A',null,'cocaine','cocaine_type',1,'kg'),"
            " ('S2','U1','2025-01-20',null,'I1','cocaine','cocaine_type',1,'kg'),"
            " ('S3','U1','2025-02-03',null,null,'heroin','opiates',1,'kg')")
        seizures = wh.table("seizures")
        by_point = {r["entry_point_id"]: r["seizures"] for r in seizures_by_entry_point(wh, seizures)}
        by_month = [(str(r["month"]), r["substance_group"], r["seizures"]) for r in seizures_by_month(seizures)]
    assert by_point == {"EP-A": 1, "EP-B": 1, "EP-C": 0}  # S3 has no entry point at all: not placed
    assert by_month == [("2025-01-01", "cocaine_type", 2), ("2025-02-01", "opiates", 1)]
