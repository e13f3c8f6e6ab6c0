"""The attack of issue 9 (item 2): one agency's load must not take over another's rows.

Each agency loads its own folder with `baliza load DIR --agency ...`, as they do. A police export that
reuses a customs seizure id, or a units file that re-declares a customs unit, is quarantined with a
reason naming the owner; the stored row keeps its owner and content; rows that refer to it still
resolve, and so do references across agencies (the prosecution's cases to customs' seizures).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from baliza.cli.app import app
from baliza.warehouse import open_warehouse
from load_fixtures import write_dataset

runner = CliRunner()

AGENCIES = ("agency_id,name,country,kind\nAG-CUS,Customs,PER,customs\nAG-POL,Police,PER,police\n"
            "AG-PRO,Prosecution,PER,prosecution\n")
SEIZURES = "seizure_id,unit_id,seized_at,substance,substance_group,quantity,quantity_unit\n"
CUSTOMS = {
    "agencies": AGENCIES,
    "entry_points": "entry_point_id,name,kind,country\nE1,Callao,seaport,PER\n",
    "units": "unit_id,agency_id,name,kind,entry_point_id\nU1,AG-CUS,PCU Callao,port_control_unit,E1\n",
    "seizures": SEIZURES + "SZ-1,U1,2025-01-02T10:00:00Z,cocaine hydrochloride,cocaine_type,120.5,kg\n"
                           "SZ-2,U1,2025-02-03T08:30:00Z,heroin,opiates,3,kg\n",
}
POLICE = {
    "agencies": AGENCIES,  # the directory, re-sent as it is: not a clash
    "units": ("unit_id,agency_id,name,kind,entry_point_id\nQ1,AG-POL,Drug squad,investigation_unit,\n"
              "U1,AG-POL,Police post Callao,investigation_unit,\n"),  # U1 is customs' unit
    "seizures": SEIZURES + "SZ-1,Q1,2025-03-01T10:00:00Z,cannabis herb,cannabis_type,2,kg\n"  # customs' id
                           "SZ-9,Q1,2025-03-02T10:00:00Z,cannabis herb,cannabis_type,40,kg\n",
    "persons": "person_id,nationality\nX1,PER\n",
    "arrests": ("arrest_id,person_id,unit_id,arrested_at,seizure_id\n"
                "R1,X1,Q1,2025-01-02T11:00:00Z,SZ-1\n"),  # refers to the clashing id: customs' seizure
}
PROSECUTION = {
    "units": "unit_id,agency_id,name,kind,entry_point_id\nP1,AG-PRO,Lima office,prosecution_office,\n",
    "cases": "case_id,office_id,opened_at,origin,seizure_id\nC1,P1,2025-01-10T00:00:00Z,seizure,SZ-1\n",
}


def baliza_load(tmp_path: Path, name: str, tables: dict[str, str], *options: str,
                manifest: str | None = None) -> dict[str, Any]:
    folder = write_dataset(tmp_path / name, tables, manifest=manifest)
    result = runner.invoke(app, ["load", str(folder), "--db", str(tmp_path / "w.duckdb"), "--json", *options])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def query(tmp_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with open_warehouse(tmp_path / "w.duckdb", read_only=True) as wh:
        return wh.duckdb.execute(sql).fetchall()


def reasons(tmp_path: Path, table: str) -> list[str]:
    return [r[0] for r in query(tmp_path, f"SELECT reason FROM quarantine WHERE table_name = '{table}' ORDER BY line")]


def test_a_police_export_cannot_take_over_customs_rows(tmp_path: Path) -> None:
    baliza_load(tmp_path, "customs", CUSTOMS, "--agency", "AG-CUS")
    report = baliza_load(tmp_path, "police", POLICE, "--agency", "AG-POL")

    assert report["tables"]["seizures"] | {"normalised": 0} == {
        "rows": 2, "accepted": 1, "quarantined": 1, "normalised": 0, "inserted": 1, "replaced": 0, "unchanged": 0}
    assert reasons(tmp_path, "seizures") == [
        "seizure SZ-1 belongs to AG-CUS: a row can only be changed by the agency that reported it "
        "(an agency that took over its reporting declares successor_of: [AG-CUS] in its manifest)"]
    assert query(tmp_path, "SELECT seizure_id, _agency_id, substance, quantity FROM seizures ORDER BY 1") == [
        ("SZ-1", "AG-CUS", "cocaine hydrochloride", 120.5), ("SZ-2", "AG-CUS", "heroin", 3.0),
        ("SZ-9", "AG-POL", "cannabis herb", 40.0)]
    assert query(tmp_path, "SELECT count(*) FROM seizures__history") == [(0,)]

    # The units file re-declaring customs' unit: quarantined, the unit keeps its agency (and indicators).
    assert reasons(tmp_path, "units")[0].startswith("unit U1 belongs to AG-CUS: a row can only be changed")
    assert query(tmp_path, "SELECT agency_id, name, _agency_id FROM units WHERE unit_id = 'U1'") == [
        ("AG-CUS", "PCU Callao", "AG-CUS")]

    # The directory re-sent as it was is no clash; the arrest on the clashing id resolves to customs' seizure.
    assert report["tables"]["agencies"]["unchanged"] == 3 and report["tables"]["agencies"]["quarantined"] == 0
    assert report["tables"]["arrests"]["accepted"] == 1
    assert query(tmp_path, "SELECT s._agency_id, s.quantity FROM arrests a JOIN seizures s USING (seizure_id)") == [
        ("AG-CUS", 120.5)]


def test_the_prosecution_resolves_its_references_to_other_agencies_rows(tmp_path: Path) -> None:
    baliza_load(tmp_path, "customs", CUSTOMS, "--agency", "AG-CUS")
    report = baliza_load(tmp_path, "prosecution", PROSECUTION, "--agency", "AG-PRO")
    assert report["tables"]["cases"]["accepted"] == 1 and report["tables"]["units"]["inserted"] == 1
    assert query(tmp_path, "SELECT c._agency_id, s._agency_id, s.seizure_id FROM cases c "
                           "JOIN seizures s USING (seizure_id) JOIN units u ON u.unit_id = c.office_id") == [
        ("AG-PRO", "AG-CUS", "SZ-1")]
    assert query(tmp_path, "SELECT count(*) FROM quarantine") == [(0,)]


def test_a_different_directory_entry_from_another_agency_is_refused(tmp_path: Path) -> None:
    baliza_load(tmp_path, "customs", CUSTOMS, "--agency", "AG-CUS")
    renamed = AGENCIES.replace("Customs,", "Customs and Excise,")
    report = baliza_load(tmp_path, "police", {"agencies": renamed}, "--agency", "AG-POL")
    assert report["tables"]["agencies"]["quarantined"] == 1 and report["tables"]["agencies"]["unchanged"] == 2
    assert reasons(tmp_path, "agencies")[0].startswith("agency AG-CUS belongs to AG-CUS")
    report = baliza_load(tmp_path, "customs-again", {"agencies": renamed}, "--agency", "AG-CUS")
    assert report["tables"]["agencies"]["replaced"] == 1  # its owner may change it
    assert query(tmp_path, "SELECT name FROM agencies WHERE agency_id = 'AG-CUS'") == [("Customs and Excise",)]


def test_a_load_without_an_agency_cannot_change_an_owned_row(tmp_path: Path) -> None:
    baliza_load(tmp_path, "customs", CUSTOMS, "--agency", "AG-CUS")
    changed = {"seizures": CUSTOMS["seizures"].replace("120.5", "12.5")}
    report = baliza_load(tmp_path, "anonymous", changed)
    assert report["tables"]["seizures"]["quarantined"] == 1 and report["tables"]["seizures"]["unchanged"] == 1
    assert query(tmp_path, "SELECT quantity FROM seizures WHERE seizure_id = 'SZ-1'") == [(120.5,)]


def test_a_declared_successor_may_change_the_rows_and_owns_them(tmp_path: Path) -> None:
    baliza_load(tmp_path, "customs", CUSTOMS, "--agency", "AG-CUS")
    changed = {"seizures": CUSTOMS["seizures"].replace("120.5", "12.5")}
    report = baliza_load(tmp_path, "sunat", changed, manifest="reported_by: AG-SUNAT\nsuccessor_of: [AG-CUS]\n")
    assert report["tables"]["seizures"]["replaced"] == 1 and report["tables"]["seizures"]["quarantined"] == 0
    assert any("AG-SUNAT loads as the successor of AG-CUS" in w for w in report["warnings"])
    assert query(tmp_path, "SELECT seizure_id, _agency_id, quantity FROM seizures ORDER BY 1") == [
        ("SZ-1", "AG-SUNAT", 12.5), ("SZ-2", "AG-CUS", 3.0)]  # the unchanged row keeps its owner
    assert query(tmp_path, "SELECT _agency_id, quantity FROM seizures__history") == [("AG-CUS", 120.5)]


def test_the_owner_still_changes_its_own_rows(tmp_path: Path) -> None:
    baliza_load(tmp_path, "customs", CUSTOMS, "--agency", "AG-CUS")
    report = baliza_load(tmp_path, "customs-2", {"seizures": CUSTOMS["seizures"].replace("120.5", "121")},
                         "--agency", "AG-CUS")
    assert report["tables"]["seizures"] | {"normalised": 0} == {
        "rows": 2, "accepted": 2, "quarantined": 0, "normalised": 0, "inserted": 0, "replaced": 1, "unchanged": 1}


def test_a_person_reported_by_another_agency_keeps_its_owner(tmp_path: Path) -> None:
    """Persons are compared by their keyed hash (their cells are sealed): the same person re-sent by
    another agency is unchanged; a different version is refused."""
    person = "person_id,full_name,phone\nX1,Ana Quispe,+51 1\n"
    baliza_load(tmp_path, "police", {"persons": person}, "--agency", "AG-POL")
    same = baliza_load(tmp_path, "pro-1", {"persons": person}, "--agency", "AG-PRO")
    other = baliza_load(tmp_path, "pro-2", {"persons": person.replace("+51 1", "+51 2")}, "--agency", "AG-PRO")
    assert same["tables"]["persons"]["unchanged"] == 1 and other["tables"]["persons"]["quarantined"] == 1
    assert reasons(tmp_path, "persons")[0].startswith("person X1 belongs to AG-POL")
    assert query(tmp_path, "SELECT _agency_id FROM persons") == [("AG-POL",)]


def test_an_agency_corrects_its_own_directory_rows_another_agency_sent_first(tmp_path: Path) -> None:
    """Customs sent the whole directory first; the police may still correct its own agency row and its own
    unit (they become its rows), not customs' unit."""
    customs = {**CUSTOMS, "units": CUSTOMS["units"] + "Q1,AG-POL,Drug squad,investigation_unit,\n"}
    baliza_load(tmp_path, "customs", customs, "--agency", "AG-CUS")
    corrected = {
        "agencies": AGENCIES.replace("AG-POL,Police,", "AG-POL,Policía Nacional,"),
        "units": ("unit_id,agency_id,name,kind,entry_point_id\nQ1,AG-POL,Drug squad Lima,investigation_unit,\n"
                  "U1,AG-CUS,Renamed by the police,port_control_unit,E1\n"),
    }
    report = baliza_load(tmp_path, "police", corrected, "--agency", "AG-POL")

    assert report["tables"]["agencies"]["replaced"] == 1 and report["tables"]["agencies"]["quarantined"] == 0
    assert report["tables"]["units"]["replaced"] == 1 and report["tables"]["units"]["quarantined"] == 1
    assert reasons(tmp_path, "units") == [
        "unit U1 belongs to AG-CUS: a row can only be changed by the agency that reported it "
        "(an agency that took over its reporting declares successor_of: [AG-CUS] in its manifest)"]
    assert query(tmp_path, "SELECT agency_id, name, _agency_id FROM agencies ORDER BY 1") == [
        ("AG-CUS", "Customs", "AG-CUS"), ("AG-POL", "Policía Nacional", "AG-POL"),
        ("AG-PRO", "Prosecution", "AG-CUS")]
    assert query(tmp_path, "SELECT unit_id, name, _agency_id FROM units ORDER BY 1") == [
        ("Q1", "Drug squad Lima", "AG-POL"), ("U1", "PCU Callao", "AG-CUS")]
