"""The loader's checks: every row accepted, normalised (recorded) or quarantined with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from baliza.warehouse import Warehouse, open_warehouse
from load_fixtures import VALID, assert_accounted, count, load, quarantine_reasons, with_changes, write_dataset


@pytest.fixture
def wh(tmp_path: Path):
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        yield warehouse


def test_a_valid_dataset_loads_whole(wh: Warehouse, tmp_path: Path) -> None:
    report = load(wh, write_dataset(tmp_path / "d", manifest="reported_by: AG-1\n"))
    assert report.quarantined == 0
    assert report.tables["seizures"].accepted == 3 and count(wh, "seizures") == 3
    assert wh.duckdb.execute("SELECT DISTINCT _agency_id FROM seizures").fetchall() == [("AG-1",)]
    assert wh.duckdb.execute("SELECT _source_line FROM seizures ORDER BY seizure_id").fetchall() == [(2,), (3,), (4,)]


def test_agency_option_wins_over_the_manifest(wh: Warehouse, tmp_path: Path) -> None:
    load(wh, write_dataset(tmp_path / "d", manifest="reported_by: AG-1\n"), agency="AG-2")
    assert wh.duckdb.execute("SELECT DISTINCT _agency_id FROM cases").fetchall() == [("AG-2",)]


def test_unknown_enum_and_bad_values_are_quarantined_with_a_reason(wh: Warehouse, tmp_path: Path) -> None:
    seizures = VALID["seizures"] + (
        "S4,U1,2025-03-05T00:00:00Z,x,cocaine_typo,1,kg\n"
        "S5,U1,2031-02-30,x,opiates,1,kg\n"
        "S6,U1,2025-03-05T00:00:00Z,x,opiates,-2,kg\n"
        "S7,U1,2099-01-01T00:00:00Z,x,opiates,2,kg\n"
        "S8,U1,2025-03-05T00:00:00Z,,opiates,2,kg\n"
    )
    report = load(wh, write_dataset(tmp_path / "d", with_changes(seizures=seizures)))
    assert_accounted(report)
    reasons = {line: (column, reason) for line, column, reason in quarantine_reasons(wh, "seizures")}
    assert reasons[5][0] == "substance_group" and "'cocaine_typo' is not one of" in reasons[5][1]
    assert reasons[6] == ("seized_at", "seized_at '2031-02-30' is not a date and time (expected ISO 8601 such as "
                          "2025-03-01T14:30:00Z)")
    assert "negative" in reasons[7][1]
    assert "in the future" in reasons[8][1]
    assert reasons[9] == ("substance", "substance is required but empty")
    assert report.tables["seizures"].accepted == 3


def test_dangling_references_cascade_down_the_chain(wh: Warehouse, tmp_path: Path) -> None:
    seizures = VALID["seizures"].replace("S1,U1,", "S1,U9,")
    report = load(wh, write_dataset(tmp_path / "d", with_changes(seizures=seizures)))
    assert_accounted(report)
    assert quarantine_reasons(wh, "seizures") == [(2, "unit_id", "unit_id 'U9' is not in units")]
    (line, column, reason), = quarantine_reasons(wh, "arrests")
    assert (line, column) == (2, "seizure_id")
    assert reason.startswith("seizure_id 'S1' is not in seizures (the seizures row at ")
    assert reason.endswith("seizures.csv line 2 was quarantined)")
    assert [c for _, c, _ in quarantine_reasons(wh, "cases")] == ["seizure_id"]
    assert [c for _, c, _ in quarantine_reasons(wh, "charges")] == ["case_id"]  # charge -> case C1 -> seizure S1
    assert count(wh, "charges") == 1


def test_references_resolve_against_what_the_warehouse_holds(wh: Warehouse, tmp_path: Path) -> None:
    load(wh, write_dataset(tmp_path / "first"))
    later = {"seizures": "seizure_id,unit_id,seized_at,substance,substance_group,quantity,quantity_unit\n"
                         "S9,U1,2025-04-01T00:00:00Z,cocaine,cocaine_type,1,kg\n"}
    report = load(wh, write_dataset(tmp_path / "second", later))
    assert report.tables["seizures"].accepted == 1


def test_duplicate_keys_within_a_file_keep_the_first(wh: Warehouse, tmp_path: Path) -> None:
    seizures = VALID["seizures"] + "S1,U1,2025-01-05T10:00:00Z,other,cocaine_type,1,kg\n"
    report = load(wh, write_dataset(tmp_path / "d", with_changes(seizures=seizures)))
    assert_accounted(report)
    assert quarantine_reasons(wh, "seizures") == [
        (5, "seizure_id", "duplicate seizure_id 'S1' (first at line 2; only the first is loaded)")
    ]
    assert wh.duckdb.execute("SELECT quantity FROM seizures WHERE seizure_id = 'S1'").fetchone() == (120.5,)


def test_normalisations_are_applied_and_recorded(wh: Warehouse, tmp_path: Path) -> None:
    seizures = (
        "seizure_id,unit_id,seized_at,substance,substance_group,quantity,quantity_unit,origin_country,"
        "intelligence_led,concealment\n"
        "S1,U1,2025-01-02T10:00:00Z, cocaine ,Cocaine_Type,120.5,Kilograms,Colombia,YES,=HYPERLINK(\"http://x\")\n"
        "S2,U1,2025-02-03T08:30:00Z,heroin,opiates,3,kg,co,0,-cmd|' /C calc'!A0\n"
        "S3,U1,2025-03-04T12:00:00Z,cannabis,cannabis_type,8,kg,PER,no,+51 999 555\n"
    )
    report = load(wh, write_dataset(tmp_path / "d", with_changes(seizures=seizures)))
    assert report.tables["seizures"].quarantined == 0 and report.tables["seizures"].normalised == 3
    rows = wh.duckdb.execute(
        "SELECT substance, substance_group, quantity_unit, origin_country, intelligence_led, concealment "
        "FROM seizures ORDER BY seizure_id"
    ).fetchall()
    assert rows[0] == ("cocaine", "cocaine_type", "kg", "COL", True, "'=HYPERLINK(\"http://x\")")
    assert rows[1][3:] == ("COL", False, "'-cmd|' /C calc'!A0")
    assert rows[2][5] == "+51 999 555"  # a phone-like value is not a formula
    rules = wh.duckdb.execute(
        "SELECT line, column_name, original, normalised, rule FROM normalisations WHERE table_name = 'seizures' "
        "ORDER BY line, column_name"
    ).fetchall()
    assert (2, "quantity_unit", "Kilograms", "kg", "unit") in rules
    assert (2, "origin_country", "Colombia", "COL", "country") in rules
    assert (2, "substance", " cocaine ", "cocaine", "whitespace") in rules
    assert (2, "concealment", '=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")', "formula_neutralised") in rules
    assert (3, "origin_country", "co", "COL", "country") in rules


def test_mixed_decimal_marks_quarantine_only_the_odd_cells(wh: Warehouse, tmp_path: Path) -> None:
    seizures = VALID["seizures"].replace("120.5", '"120,5"').replace(",3,kg", ",3.5,kg")  # a comma, a dot
    report = load(wh, write_dataset(tmp_path / "d", with_changes(seizures=seizures)))
    (line, column, reason), = quarantine_reasons(wh, "seizures")
    assert (line, column) == (2, "quantity") and "decimal_mark" in reason
    assert report.tables["seizures"].accepted == 2


def test_a_column_with_comma_decimals_throughout_is_read(wh: Warehouse, tmp_path: Path) -> None:
    seizures = VALID["seizures"].replace("120.5", '"120,5"').replace(",3,kg", ',"3,5",kg')
    report = load(wh, write_dataset(tmp_path / "d", with_changes(seizures=seizures)))
    assert report.tables["seizures"].quarantined == 0
    assert wh.duckdb.execute("SELECT quantity FROM seizures ORDER BY seizure_id").fetchall() == [
        (120.5,), (3.5,), (800.0,)
    ]


def test_manifest_day_first_dates_comma_decimals_and_timezone(wh: Warehouse, tmp_path: Path) -> None:
    seizures = (
        "seizure_id,unit_id,seized_at,substance,substance_group,quantity,quantity_unit,lab_confirmed_at\n"
        "S1,U1,02/01/2025 10:00,cocaine,cocaine_type,\"1.120,5\",kg,2025-01-03T10:00:00+01:00\n"
        "S2,U1,2025-02-03 08:30:00,heroin,opiates,\"3,25\",kg,\n"
        "S3,U1,31/02/2025,heroin,opiates,1,kg,\n"
    )
    manifest = "contract_version: 0\ndate_format: DD/MM/YYYY\ndecimal_mark: \",\"\ntimezone: America/Lima\n"
    tables = {k: VALID[k] for k in ("agencies", "entry_points", "units")} | {"seizures": seizures}
    report = load(wh, write_dataset(tmp_path / "d", tables, manifest))
    rows = wh.duckdb.execute(
        "SELECT seizure_id, CAST(seized_at AS VARCHAR), quantity, CAST(lab_confirmed_at AS VARCHAR) "
        "FROM seizures ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("S1", "2025-01-02 15:00:00", 1120.5, "2025-01-03 09:00:00"),  # Lima is UTC-5; the offset wins
        ("S2", "2025-02-03 13:30:00", 3.25, None),
    ]
    assert "expected DD/MM/YYYY" in quarantine_reasons(wh, "seizures")[0][2]
    assert report.tables["seizures"].normalised == 2
    rules = {r for (r,) in wh.duckdb.execute("SELECT DISTINCT rule FROM normalisations").fetchall()}
    assert {"date_format", "decimal_comma"} <= rules


def test_missing_required_column_quarantines_every_row(wh: Warehouse, tmp_path: Path) -> None:
    seizures = "seizure_id,unit_id,seized_at,substance,substance_group,quantity\nS1,U1,2025-01-02,c,opiates,1\n"
    report = load(wh, write_dataset(tmp_path / "d", with_changes(seizures=seizures)))
    assert quarantine_reasons(wh, "seizures") == [
        (2, "quantity_unit", "column quantity_unit is missing from the file (it is required)")
    ]
    assert report.tables["seizures"].accepted == 0


def test_unknown_columns_are_reported_not_loaded(wh: Warehouse, tmp_path: Path) -> None:
    seizures = VALID["seizures"].replace("quantity_unit\n", "quantity_unit,officer_notes\n", 1)
    seizures = seizures.replace(",kg\n", ",kg,secret\n")
    report = load(wh, write_dataset(tmp_path / "d", with_changes(seizures=seizures)))
    assert report.tables["seizures"].accepted == 3
    assert any("officer_notes" in w for w in report.warnings)


def test_composite_keys_are_checked_for_duplicates(wh: Warehouse, tmp_path: Path) -> None:
    parties = "case_id,person_id,role\nC1,X1,defendant\nC1,X2,defendant\nC1,X1,suspect\nC2,X2,Defendant\n"
    report = load(wh, write_dataset(tmp_path / "d", with_changes(case_parties=parties)))
    assert_accounted(report)
    assert quarantine_reasons(wh, "case_parties") == [
        (4, "case_id", "duplicate case_id, person_id 'C1, X1' (first at line 2; only the first is loaded)")
    ]
    assert report.tables["case_parties"].normalised == 1  # 'Defendant'


def test_crypto_transfers_with_a_five_column_key(wh: Warehouse, tmp_path: Path) -> None:
    transfers = (
        "chain,tx_hash,block_time,from_address,to_address,asset,amount,amount_usd\n"
        "btc,t1,2025-01-01T00:00:00Z,a,b,BTC,0.5,30000\n"
        "btc,t1,2025-01-01T00:00:00Z,a,c,BTC,0.25,15000\n"
        "btc,t1,2025-01-01T00:00:00Z,a,b,BTC,0.5,30000\n"
    )
    report = load(wh, write_dataset(tmp_path / "d", {"crypto_transfers": transfers}))
    assert (report.tables["crypto_transfers"].accepted, report.tables["crypto_transfers"].quarantined) == (2, 1)
