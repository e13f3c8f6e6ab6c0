"""The derived views: case status and the seizure chain."""

from pathlib import Path

from baliza.warehouse import open_warehouse
from baliza.warehouse.views import case_status, chain


def _fixture(tmp_path: Path):
    wh = open_warehouse(tmp_path / "w.duckdb")
    sql = wh.duckdb.execute
    sql(
        "insert into seizures (seizure_id, unit_id, seized_at, substance, substance_group, quantity, quantity_unit,"
        " lab_quantity) values ('S1','U1','2025-01-01','cocaine','cocaine_type',10,'kg',9.5),"
        " ('S2','U1','2025-02-01','heroin','opiates',500,'g',null)"
    )
    sql(
        "insert into cases (case_id, office_id, opened_at, origin, seizure_id) values"
        " ('C1','P1','2025-01-10','seizure','S1'), ('C2','P1','2025-03-01','seizure','S2')"
    )
    sql(
        "insert into case_parties (case_id, person_id, role) values ('C1','X1','defendant'),"
        " ('C1','X2','defendant'), ('C1','W1','witness'), ('C2','X3','defendant'), ('C2','X4','defendant')"
    )
    sql(
        "insert into dispositions (case_id, person_id, disposed_at, outcome) values"
        " ('C1','X1','2025-06-01','dismissed'), ('C1','X2','2025-07-01','convicted'),"
        " ('C2','X3','2025-05-01','dismissed')"
    )
    sql(
        "insert into charges (charge_id, case_id, person_id, filed_at, offence, quantity, quantity_unit)"
        " values ('H1','C1','X1','2025-01-11','trafficking',4000,'g')"
    )
    return wh


def test_case_is_resolved_only_when_every_defendant_is_disposed(tmp_path: Path) -> None:
    with _fixture(tmp_path) as wh:
        status = case_status(wh).to_pandas().set_index("case_id")
    assert status.loc["C1", "status"] == "resolved"
    assert str(status.loc["C1", "resolved_at"]) == "2025-07-01 00:00:00"
    assert status.loc["C1", "outcome"] == "convicted"
    assert status.loc["C2", "status"] == "open"  # X4 has no disposition yet
    assert status.loc["C2", "n_defendants"] == 2


def test_chain_converts_charged_quantity_to_the_seizure_unit(tmp_path: Path) -> None:
    with _fixture(tmp_path) as wh:
        rows = chain(wh).to_pandas().set_index("seizure_id")
    assert rows.loc["S1", "charged_base"] == 4.0  # 4000 g charged against 10 kg seized
    assert rows.loc["S2", "seized_base"] == 0.5
    assert rows.loc["S1", "case_id"] == "C1" and rows.loc["S2", "n_cases"] == 1
