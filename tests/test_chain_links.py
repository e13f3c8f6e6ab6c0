"""A seizure's chain: timeline and broken links, and the `baliza chain` command."""

import json
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from baliza.analyses.chain_links import seizure_chain
from baliza.cli.app import app
from baliza.warehouse import open_warehouse

AS_OF = datetime(2026, 1, 1)


def _warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with open_warehouse(path) as wh:
        sql = wh.duckdb.execute
        sql("insert into seizures (seizure_id, unit_id, seized_at, inspection_id, substance, substance_group,"
            " quantity, quantity_unit, lab_quantity, lab_confirmed_at) values"
            " ('S1','U1','2025-01-01 10:00','I1','cocaine hydrochloride','cocaine_type',10,'kg',9.5,'2025-01-20'),"
            " ('S2','U1','2025-02-01','', 'heroin','opiates',500,'g',480,'2025-02-10'),"
            " ('S3','U1','2025-11-20',null,'cannabis herb','cannabis_type',3,'kg',null,null)")
        sql("insert into inspections (inspection_id, consignment_id, unit_id, inspected_at, selection, outcome)"
            " values ('I1','K1','U1','2025-01-01 09:00','risk_profile','seizure')")
        sql("insert into arrests (arrest_id, person_id, unit_id, arrested_at, seizure_id) values"
            " ('A1','P1','U1','2025-01-01 11:00','S1'), ('A2','P2','U1','2025-02-01','S2')")
        sql("insert into cases (case_id, office_id, opened_at, origin, seizure_id, lead_prosecutor_id,"
            " limitation_date) values ('C1','O1','2025-01-15','seizure','S1','PR1','2030-01-01')")
        sql("insert into case_parties (case_id, person_id, role) values ('C1','P1','defendant')")
        sql("insert into charges (charge_id, case_id, person_id, filed_at, offence, quantity, quantity_unit)"
            " values ('H1','C1','P1','2025-01-16','trafficking',4000,'g')")
        sql("insert into case_events (event_id, case_id, \"at\", kind, staff_id) values"
            " ('E1','C1','2025-03-01','evidence_destroyed','PR1'), ('E2','C1','2025-04-01','dismissed','J1')")
        sql("insert into dispositions (case_id, person_id, disposed_at, outcome, judge_id) values"
            " ('C1','P1','2025-04-01','dismissed','J1')")
        sql("insert into assets (asset_id, kind, estimated_value_usd, case_id, frozen_at, released_at) values"
            " ('AS1','vehicle',25000,'C1','2025-01-20','2025-04-15')")
    return path


def test_every_broken_link_is_named_with_its_rows(tmp_path: Path) -> None:
    with open_warehouse(_warehouse(tmp_path), read_only=True) as wh:
        result = seizure_chain(wh, "S1", as_of=AS_OF)
    codes = {b.code: b for b in result.breaks}
    assert set(codes) == {"charged_below_seized", "evidence_destroyed", "dismissed", "asset_released"}
    assert "4 kg" in codes["charged_below_seized"].description
    assert "9.5 kg" in codes["charged_below_seized"].description  # compared with the laboratory quantity
    assert {r.id for r in codes["charged_below_seized"].evidence} == {"S1", "H1"}
    stages = [e.stage for e in result.events]
    assert stages[:3] == ["inspection", "seizure", "arrest"]  # in time order
    assert stages.count("asset") == 2  # frozen, then released


def test_seizure_with_arrest_and_no_case_breaks_after_90_days(tmp_path: Path) -> None:
    with open_warehouse(_warehouse(tmp_path), read_only=True) as wh:
        late = seizure_chain(wh, "S2", as_of=AS_OF)
        recent = seizure_chain(wh, "S3", as_of=AS_OF)
    assert [b.code for b in late.breaks] == ["no_case"]
    assert "1 person(s) were arrested" in late.breaks[0].description
    assert recent.breaks == []  # 42 days old: neither the case nor the laboratory is late yet


def test_chain_command_prints_timeline_and_json(tmp_path: Path) -> None:
    db = _warehouse(tmp_path)
    runner = CliRunner()
    shown = runner.invoke(app, ["chain", "S1", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert "charged_below_seized" in shown.output and "C1" in shown.output
    as_json = runner.invoke(app, ["chain", "S1", "--db", str(db), "--json"])
    payload = json.loads(as_json.stdout)  # progress goes to stderr
    assert payload["seizure"]["seizure_id"] == "S1"
    assert {b["code"] for b in payload["breaks"]} >= {"dismissed", "asset_released"}
    missing = runner.invoke(app, ["chain", "NOPE", "--db", str(db)])
    assert missing.exit_code == 1 and "no seizure" in missing.output


def test_deadlines_are_judged_against_the_data_end_not_today(tmp_path: Path) -> None:
    path = tmp_path / "recent.duckdb"
    with open_warehouse(path) as wh:
        wh.duckdb.execute(
            "insert into seizures (seizure_id, unit_id, seized_at, substance, substance_group, quantity, quantity_unit)"
            " values ('R1','U1','2025-12-30 08:00','cocaine','cocaine_type',2,'kg'),"
            " ('R2','U1','2025-12-31 23:00','cocaine','cocaine_type',1,'kg'),"
            " ('OLD','U1','2025-06-01','cocaine','cocaine_type',1,'kg')")
        wh.duckdb.execute("insert into arrests (arrest_id, person_id, unit_id, arrested_at, seizure_id) values"
                          " ('A1','P1','U1','2025-12-30','R1'), ('A2','P2','U1','2025-06-01','OLD')")
        wh.duckdb.execute("insert into cases (case_id, office_id, opened_at, origin) values"
                          " ('C0','O1','2025-12-20','referral')")
    with open_warehouse(path, read_only=True) as wh:
        recent = seizure_chain(wh, "R1")  # today is long after 2025: judged against today it would break
        old = seizure_chain(wh, "OLD")
    assert recent.breaks == [] and recent.status == "too_early"
    assert {p.stage for p in recent.pending} == {"lab", "case"}
    said = {p.stage: p.description for p in recent.pending}
    assert "data to 2025-12-31" in said["lab"]  # the seizures run to the 31st
    assert "data to 2025-12-20" in said["case"]  # the prosecution's data ends with its last case
    assert {b.code for b in old.breaks} == {"no_case", "no_lab_confirmation"}


def test_the_manifest_period_end_is_the_data_end(tmp_path: Path) -> None:
    path = tmp_path / "declared.duckdb"
    with open_warehouse(path) as wh:
        wh.duckdb.execute(
            "insert into seizures (seizure_id, unit_id, seized_at, substance, substance_group, quantity, quantity_unit,"
            " _load_id) values ('S','U1','2025-01-10','heroin','opiates',1,'kg',1)")
        wh.duckdb.execute("insert into loads (load_id, started_at, status, period_to) values"
                          " (1, now(), 'committed', '2025-03-31')")
    with open_warehouse(path, read_only=True) as wh:
        chain = seizure_chain(wh, "S")  # its own date is the only event; the manifest says the data runs on
    assert chain.as_of["lab"].isoformat() == "2025-03-31"
    assert [b.code for b in chain.breaks] == ["no_lab_confirmation"]


def test_charges_split_between_codefendants_are_added_up(tmp_path: Path) -> None:
    path = tmp_path / "split.duckdb"
    with open_warehouse(path) as wh:
        sql = wh.duckdb.execute
        sql("insert into seizures (seizure_id, unit_id, seized_at, substance, substance_group, quantity, quantity_unit,"
            " lab_quantity, lab_confirmed_at) values"
            " ('SPLIT','U1','2025-01-01','cocaine','cocaine_type',10,'kg',10,'2025-01-05'),"
            " ('COUNTS','U1','2025-01-01','cocaine','cocaine_type',10,'kg',10,'2025-01-05')")
        sql("insert into cases (case_id, office_id, opened_at, origin, seizure_id) values"
            " ('CS','O1','2025-01-10','seizure','SPLIT'), ('CC','O1','2025-01-10','seizure','COUNTS')")
        sql("insert into charges (charge_id, case_id, person_id, filed_at, offence, quantity, quantity_unit) values"
            " ('H1','CS','P1','2025-01-11','trafficking',5,'kg'), ('H2','CS','P2','2025-01-11','trafficking',5000,'g'),"
            " ('H3','CC','P3','2025-01-11','trafficking',5,'kg'), ('H4','CC','P3','2025-01-11','possession',5,'kg')")
    with open_warehouse(path, read_only=True) as wh:
        split = seizure_chain(wh, "SPLIT", as_of=AS_OF)
        counts = seizure_chain(wh, "COUNTS", as_of=AS_OF)
    assert "charged_below_seized" not in {b.code for b in split.breaks}  # 5 kg + 5 kg of 10 kg
    shrunk = [b for b in counts.breaks if b.code == "charged_below_seized"]
    assert len(shrunk) == 1 and "5 kg in all" in shrunk[0].description  # one person, two counts: 5 kg, not 10
