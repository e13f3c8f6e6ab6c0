"""Threats reported by growers escalate as findings to their programme office, dated the day the enrolment
was loaded, without naming the person; and `baliza programmes` on a small warehouse (JSON, words, nothing
personal)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from baliza.access.finding_scope import visible_findings
from baliza.access.principal import Principal
from baliza.access.roles import Role
from baliza.access.scope import scope_for
from baliza.access.state import open_state
from baliza.analyses.integrity import red_flags
from baliza.analyses.programmes import threat_findings
from baliza.cli.app import app
from baliza.i18n.findings import summary
from baliza.i18n.naming import naming
from baliza.warehouse import open_warehouse

NAMES = ("Rosa Quispe Huaman", "Teodoro Mamani")  # the people behind the enrolments: never in any output


def _insert(wh, table: str, rows: list[dict[str, object]]) -> None:
    frame = pd.DataFrame(rows)
    wh.duckdb.register("incoming", frame)
    wh.duckdb.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
    wh.duckdb.unregister("incoming")


@pytest.fixture(scope="module")
def warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("programmes") / "w.duckdb"
    with open_warehouse(path) as wh:
        _insert(wh, "agencies", [{"agency_id": a, "name": n, "country": "PER", "kind": "ngo", "_agency_id": a}
                                 for a, n in (("AG-LIV", "Livelihoods"), ("AG-TX", "Treatment"), ("AG-POL", "Police"))])
        _insert(wh, "units", [
            {"unit_id": u, "agency_id": a, "name": n, "kind": k, "_agency_id": a}
            for u, a, n, k in (("PO-1", "AG-LIV", "VRAEM office", "programme_office"),
                               ("PO-2", "AG-LIV", "Putumayo office", "programme_office"),
                               *((f"TX-{i}", "AG-TX", f"Centre {i}", "treatment_provider") for i in range(4)))])
        _insert(wh, "loads", [{"load_id": 3, "started_at": "2026-11-30 08:00:00", "finished_at": "2026-11-30 08:05:00",
                               "agency_id": "AG-LIV", "status": "done"},
                              {"load_id": 4, "started_at": "2026-12-02 09:00:00", "finished_at": "2026-12-02 09:01:00",
                               "agency_id": "AG-TX", "status": "done"}])
        _insert(wh, "persons", [{"person_id": f"PER-{i}", "full_name": NAMES[i % 2], "nationality": "PER",
                                 "protected": True, "_agency_id": "AG-LIV", "_load_id": 3} for i in range(40)])
        enrolments = []
        for i in range(40):
            placed = i % 3 == 0
            enrolments.append({
                "enrolment_id": f"FE-{i:04d}", "person_id": f"PER-{i}", "programme_office_id": f"PO-{1 + i % 2}",
                "region": "VRAEM" if i % 2 == 0 else "Putumayo", "crop": "coca", "hectares": 1.5 + i % 4,
                "enrolled_at": f"2025-0{1 + i % 9}-10", "dependents": i % 4,
                "protection_level": ("none", "confidential", "anonymous")[i % 3],
                "threats_reported": 2 if i in (4, 17) else 0, "employed_at": "2025-11-01" if placed else None,
                "monthly_income_before_usd": 150.0 + i, "monthly_income_after_usd": 260.0 + i if placed else None,
                "status": "placed" if placed else "enrolled", "_agency_id": "AG-LIV", "_load_id": 3})
        _insert(wh, "farmer_enrolments", enrolments)
        _insert(wh, "treatment_episodes", [
            {"episode_id": f"TE-{i:04d}", "person_id": f"PER-{i % 40}", "provider_id": f"TX-{i % 4}",
             "admitted_at": f"2025-0{1 + i % 9}-01", "discharged_at": f"2025-1{i % 3}-15" if i % 5 else None,
             "setting": ("outpatient", "residential")[i % 2], "primary_substance_group": "cocaine_type",
             "referral": "self", "discharge_reason": ("completed", "left")[i % 2 if i % 7 else 0] if i % 5 else None,
             "physical_score_admission": 40.0 + i % 30, "physical_score_discharge": 50.0 + i % 30 if i % 5 else None,
             "mental_score_admission": 45.0, "mental_score_discharge": 52.0 if i % 5 else None,
             "abstinent_at_discharge": bool(i % 2) if i % 5 else None, "_agency_id": "AG-TX", "_load_id": 4}
            for i in range(160)])
    return path


def test_each_threatened_enrolment_is_a_finding_for_its_office_dated_the_day_it_was_loaded(warehouse_path) -> None:
    with open_warehouse(warehouse_path, read_only=True) as wh:
        found = threat_findings(wh.table("farmer_enrolments"), wh.table("loads"))
    assert sorted(f.subject.id for f in found) == ["FE-0004", "FE-0017"]
    for f in found:
        assert f.rule == "threat_reported" and f.subject.table == "farmer_enrolments"
        assert f.period == "2026-11-30"  # the load's day, not the enrolment's
        office = {"FE-0004": "PO-1", "FE-0017": "PO-2"}[f.subject.id]
        assert f.details["programme_office_id"] == office
        with naming({"PO-1": "VRAEM office", "PO-2": "Putumayo office"}):  # the surface names the office
            worded = summary(f)
        assert {"VRAEM office": "PO-1", "Putumayo office": "PO-2"}[
            next(n for n in ("VRAEM office", "Putumayo office") if n in worded)] == office
        text = json.dumps(f.to_dict())
        assert "PER-" not in text and not any(name in text for name in NAMES)
        assert "2 threats" in f.summary


def test_threats_run_with_the_red_flags_and_reach_only_the_programmes_agency(warehouse_path, tmp_path) -> None:
    state = open_state(f"sqlite:///{tmp_path / 'state.sqlite'}")
    try:
        with open_warehouse(warehouse_path, read_only=True) as wh:
            every = red_flags(wh)
            threats = [f for f in every if f.rule == "threat_reported"]
            assert len(threats) == 2
            assert threats[0].details["settings"]["min_threats"] == 1
            officer = Principal("o", "AG-LIV", Role.PROGRAMME_OFFICER, programme="livelihood")
            police = Principal("p", "AG-POL", Role.ANALYST)
            assert len(visible_findings(wh, scope_for(wh, state, officer), threats)) == 2
            assert visible_findings(wh, scope_for(wh, state, police), threats) == []
    finally:
        state.close()


def test_min_threats_below_one_is_refused(warehouse_path) -> None:
    with open_warehouse(warehouse_path, read_only=True) as wh, pytest.raises(ValueError, match="min_threats"):
        threat_findings(wh.table("farmer_enrolments"), min_threats=0)


@pytest.mark.parametrize("part", ["livelihood", "treatment", "providers"])
def test_cli_json_and_words_name_no_person(warehouse_path, part: str) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["programmes", part, "--db", str(warehouse_path), "--json", "--min-people", "10"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    words = runner.invoke(app, ["--lang", "es", "programmes", part, "--db", str(warehouse_path)],
                          env={"COLUMNS": "200"})
    assert words.exit_code == 0, words.output
    for text in (result.stdout, words.stdout):
        assert "PER-" not in text and not any(name in text for name in NAMES)
    if part == "livelihood":
        assert payload["totals"]["enrolled"] == 40 and payload["placement"]["events"] == 14
        assert "VRAEM" in words.stdout and "PO-1" not in words.stdout  # names, not codes
    elif part == "treatment":
        assert payload["totals"]["admitted"] == 160 and payload["completion"]["people"] == 128
        assert "Centre" in words.stdout and "TX-1" not in words.stdout  # names, not codes
    else:
        assert set(payload["measures"]) == {"completion", "abstinence", "physical_change", "mental_change"}
        assert all(u["n"] >= 1 for m in payload["measures"].values() for u in m["units"])
        assert "TE-" not in result.stdout


def test_cli_refuses_an_unknown_part(warehouse_path) -> None:
    result = CliRunner().invoke(app, ["programmes", "farmers", "--db", str(warehouse_path)])
    assert result.exit_code != 0
    assert "farmers" in result.output
