"""The shrinkage flag compares the charged quantity of `definitions.charged_per_case` with the laboratory:
per case, the sum over defendants of each defendant's largest charge (hand-built cases)."""

from __future__ import annotations

from pathlib import Path

from baliza.analyses.integrity import red_flags
from baliza.warehouse import open_warehouse


def test_split_charges_are_not_shrinkage_and_repeated_counts_are_counted_once(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        sql = wh.duckdb.execute
        sql("""insert into seizures (seizure_id, unit_id, seized_at, substance, substance_group, quantity,
                   quantity_unit, lab_quantity) values
               ('S1', 'U1', '2024-01-01', 'cocaine', 'cocaine_type', 10, 'kg', 10),
               ('S2', 'U1', '2024-01-01', 'cocaine', 'cocaine_type', 10, 'kg', 10),
               ('S3', 'U1', '2024-01-01', 'cocaine', 'cocaine_type', 10000, 'g', 10000)""")
        sql("""insert into cases (case_id, office_id, opened_at, origin, seizure_id) values
               ('C1', 'O1', '2024-02-01', 'seizure', 'S1'), ('C2', 'O1', '2024-02-01', 'seizure', 'S2'),
               ('C3', 'O1', '2024-02-01', 'seizure', 'S3')""")
        sql("""insert into case_parties (case_id, person_id, role) values ('C1', 'A', 'defendant'),
               ('C1', 'B', 'defendant'), ('C2', 'C', 'defendant'), ('C3', 'D', 'defendant')""")
        # C1: two couriers charged 5 kg each for a 10 kg seizure (split, not shrunk)
        # C2: one person charged on two counts of 6 kg for the same 10 kg (6 kg charged: shrunk below 8 kg)
        # C3: 9.5 kg charged in grams against 10 000 g seized (same base unit: not shrunk)
        sql("""insert into charges (charge_id, case_id, person_id, filed_at, offence, substance_group, quantity,
                   quantity_unit) values
               ('H1', 'C1', 'A', '2024-02-01', 'trafficking', 'cocaine_type', 5, 'kg'),
               ('H2', 'C1', 'B', '2024-02-01', 'trafficking', 'cocaine_type', 5, 'kg'),
               ('H3', 'C2', 'C', '2024-02-01', 'trafficking', 'cocaine_type', 6, 'kg'),
               ('H4', 'C2', 'C', '2024-02-01', 'possession_for_supply', 'cocaine_type', 6, 'kg'),
               ('H5', 'C3', 'D', '2024-02-01', 'trafficking', 'cocaine_type', 9500, 'g')""")
        shrunk = [f for f in red_flags(wh) if f.rule == "quantity_shrinkage"]
    assert [f.subject.id for f in shrunk] == ["C2"]
    assert shrunk[0].details["charged"] == 6.0 and shrunk[0].details["reference"] == 10.0
    assert "largest charge" in shrunk[0].method and "80%" in shrunk[0].method
