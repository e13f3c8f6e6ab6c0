"""The programme pages, their API and report, the oversight pages and the public CSV on the demo country
split by agency (the session's `split`): who may read them, that no enrolled person's name, document
number or phone appears in any of them, and that an attacker solving the published tables together (linear
programming over the finest cells, `disclosure_attack`) recovers no hidden count.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from typing import Any

import pytest
from fastapi.testclient import TestClient

from baliza.access.roles import Role
from baliza.access.state import open_state
from baliza.access.users import add_user, get_user
from baliza.warehouse import open_warehouse
from baliza.web.app import create_app
from disclosure_attack import Published, recovered
from web_world import PASSWORD, sign_in

READERS = {"pw_livelihood": ("demo_programme_officer", Role.PROGRAMME_OFFICER, "livelihood"),
           "pw_treatment": ("AG-PER-HEALTH", Role.PROGRAMME_OFFICER, "treatment"),
           "pw_oversight": ("demo_oversight", Role.OVERSIGHT, None),
           "pw_analyst": ("demo_analyst", Role.ANALYST, None),
           "pw_unit": ("demo_unit_officer", Role.UNIT_OFFICER, None),
           "pw_inspector": ("demo_prosecution_inspector", Role.PROSECUTION_INSPECTOR, None)}


@pytest.fixture(scope="module")
def served(split, tmp_path_factory, monkeypatch_module):
    """The split demo served with its own copy of the state store and one user per reader above (in the
    demo account's agency)."""
    db, state_url, _readers, country = split
    copy = tmp_path_factory.mktemp("programmes") / "state.sqlite"
    shutil.copy(state_url.removeprefix("sqlite:///"), copy)
    state = open_state(f"sqlite:///{copy}")
    for name, (like, role, programme) in READERS.items():
        agency = like if like.startswith("AG-") else get_user(state, like).agency_id
        add_user(state, name, PASSWORD, agency, role, programme)
    state.close()
    monkeypatch_module.setenv("BALIZA_PUBLIC_PAGE", "1")
    app = create_app(db, state_url=f"sqlite:///{copy}")
    yield app, db, country
    app.state.baliza.close()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def client_for(app: Any, user: str) -> TestClient:
    client = TestClient(app)
    sign_in(client, user)
    return client


@pytest.fixture(scope="module")
def answers(served) -> dict[str, str]:
    """Every page, API answer, report and download of these surfaces, as each reader gets it."""
    app, _db, _country = served
    livelihood, treatment = client_for(app, "pw_livelihood"), client_for(app, "pw_treatment")
    oversight, anyone = client_for(app, "pw_oversight"), TestClient(app)
    got = {
        "livelihood page": livelihood.get("/programmes/livelihood"),
        "livelihood api": livelihood.get("/api/programmes/livelihood"),
        "livelihood report": livelihood.get("/reports/programmes.html"),
        "treatment page": treatment.get("/programmes/treatment"),
        "treatment api": treatment.get("/api/programmes/treatment"),
        "treatment report": treatment.get("/reports/programmes.html"),
        "livelihood findings api": livelihood.get("/api/findings"),
        "oversight page": oversight.get("/oversight"), "oversight csv": oversight.get("/oversight.csv"),
        "oversight api": oversight.get("/api/published"),
        "public page": anyone.get("/public"), "public csv": anyone.get("/public.csv"),
    }
    for what, answer in got.items():
        assert answer.status_code == 200, (what, answer.text[:300])
    return {what: answer.text for what, answer in got.items()}


def enrolled_people(country: Any) -> list[str]:
    """The names, document numbers and phones of everyone enrolled or in treatment, in clear, from the
    generated files (the warehouse holds them encrypted)."""
    people: set[str] = set()
    for table in ("farmer_enrolments", "treatment_episodes"):
        for path in country.glob(f"*/{table}.csv"):
            with path.open(encoding="utf-8") as f:
                people |= {row["person_id"] for row in csv.DictReader(f)}
    found = []
    for path in country.glob("*/persons.csv"):
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["person_id"] in people:
                    found += [row[c] for c in ("full_name", "id_document", "phone") if row.get(c)]
    return found


def test_no_enrolled_person_appears_anywhere(served, answers) -> None:
    _app, _db, country = served
    secrets = enrolled_people(country)
    assert len(secrets) > 500  # the demo enrols hundreds of people
    for what, text in answers.items():
        leaked = [s for s in secrets if len(s) > 5 and s in text]
        assert not leaked, (what, leaked[:3])


def test_programme_pages_name_offices_and_providers_and_draw_their_charts(served, answers) -> None:
    _app, db, _country = served
    with open_warehouse(db, read_only=True) as wh:
        units = {r["unit_id"]: r["name"] for r in wh.table("units").to_pyarrow().to_pylist()}
    livelihood, treatment = answers["livelihood page"], answers["treatment page"]
    offices = [u for u in units if u.startswith("U-PO-")]
    assert offices and all(units[o] in livelihood and o not in livelihood for o in offices)
    assert livelihood.count("<svg") >= 2 and treatment.count("<svg") >= 3  # curves; funnels and retention
    assert "Alternative-livelihood programme" in answers["livelihood report"]


def test_the_api_counts_what_the_warehouse_holds(served, answers) -> None:
    """Independently of the analyses: the enrolments of the officer's agency, counted by SQL."""

    _app, db, _country = served
    found = json.loads(answers["livelihood api"])
    with open_warehouse(db, read_only=True) as wh:
        _agency, enrolled = wh.duckdb.execute(
            "select _agency_id, count(*) from farmer_enrolments group by 1 order by 2 desc limit 1").fetchone()
    assert found["totals"]["enrolled"] == enrolled


@pytest.mark.parametrize("user", ["pw_oversight", "pw_analyst", "pw_unit", "pw_inspector"])
def test_other_roles_cannot_read_programme_pages(served, user: str) -> None:
    app, _db, _country = served
    client = client_for(app, user)
    for path in ("/programmes", "/programmes/livelihood", "/programmes/treatment", "/api/programmes/livelihood",
                 "/reports/programmes.html"):
        assert client.get(path, follow_redirects=False).status_code == 403, (user, path)


def test_the_public_page_needs_no_sign_in_and_programme_officers_do_not_oversee(served) -> None:
    app, _db, _country = served
    assert TestClient(app).get("/public", follow_redirects=False).status_code == 200
    officer = client_for(app, "pw_livelihood")
    assert officer.get("/oversight").status_code == 403


# --- the attacker ---------------------------------------------------------------------------------------

def _figure(label: str, value: Any, atoms: list[tuple[Any, ...]]) -> Published:
    return Published(label, None if value in ("", None) else float(value), frozenset(atoms))


def test_the_public_csv_gives_no_hidden_count_away(answers) -> None:
    """Year minus places, totals minus cells, stages against each other: over the CSV as downloaded."""
    rows = list(csv.DictReader(io.StringIO(answers["public csv"])))
    assert any(r["value"] == "" for r in rows)  # there are hidden cells to attack
    stages = {"seizures": ("none", "case", "verdict"), "to_case": ("case", "verdict"), "to_verdict": ("verdict",),
              "enrolled": ("placed", "relapsed", "other"), "placed": ("placed",), "relapsed": ("relapsed",),
              "admitted": ("open", "ca", "cn", "na", "nn"), "discharged": ("ca", "cn", "na", "nn"),
              "completed": ("ca", "cn"), "abstinent": ("ca", "na")}
    for table in ("enforcement", "livelihood", "treatment"):
        mine = [r for r in rows if r["table"] == table]
        places = sorted({r["place"] for r in mine if r["place"] != "all"})
        kinds = sorted({s for r in mine for s in stages[r["figure"]]})
        atoms = [(p, y, k) for p in places for y in sorted({r["year"] for r in mine}) for k in kinds]
        figures = [_figure(f"{table}:{r['place']}:{r['year']}:{r['figure']}", r["value"],
                           [a for a in atoms if r["place"] in ("all", a[0]) and a[1] == r["year"]
                            and a[2] in stages[r["figure"]]]) for r in mine]
        assert recovered(figures, atoms) == {}, table


def test_the_livelihood_api_gives_no_hidden_count_away(answers) -> None:
    """Totals, years, statuses, offices and regions published together, solved at once."""

    found = json.loads(answers["livelihood api"])
    assert found["offices"] and found["years"]
    region_of = {o["name"]: o["region"] for o in found["offices"]}
    statuses = [s["status"] for s in found["statuses"]]
    years = [y["year"] for y in found["years"]]
    atoms = [(o, y, s) for o in region_of for y in years for s in statuses]
    groups = {"enrolled": set(statuses), "placed": {"placed", "completed"}, "relapsed": {"relapsed_to_cultivation"},
              "dropped_out": {"dropped_out"}}

    def select(office: str | None = None, region: str | None = None, year: str | None = None,
               status: set[str] | None = None) -> list[tuple[str, str, str]]:
        return [a for a in atoms if office in (None, a[0]) and region in (None, region_of[a[0]])
                and year in (None, a[1]) and (status is None or a[2] in status)]

    figures = []
    for column, group in groups.items():
        figures.append(_figure(f"total:{column}", found["totals"][column], select(status=group)))
        for o in found["offices"]:
            figures.append(_figure(f"office:{o['name']}:{column}", o[column], select(office=o["name"], status=group)))
        for r in found["regions"]:
            figures.append(_figure(f"region:{r['name']}:{column}", r[column], select(region=r["name"], status=group)))
        if column != "dropped_out":
            for y in found["years"]:
                figures.append(_figure(f"year:{y['year']}:{column}", y[column], select(year=y["year"], status=group)))
    for s in found["statuses"]:
        figures.append(_figure(f"status:{s['status']}", s["people"], select(status={s["status"]})))
    assert recovered(figures, atoms) == {}


def test_the_report_command_writes_the_same_published_figures(served, answers, tmp_path) -> None:
    """`baliza report programmes --lang es`: Spanish, the livelihood figures as the API publishes them for
    the whole warehouse, no enrolled person."""
    from typer.testing import CliRunner

    from baliza.cli.app import app as cli

    _app, db, country = served
    target = tmp_path / "programmes.html"
    done = CliRunner().invoke(cli, ["report", "programmes", "--lang", "es", "--db", str(db), "--out", str(target)])
    assert done.exit_code == 0, done.output
    document = target.read_text(encoding="utf-8")
    assert '<html lang="es">' in document and document.count("<svg") >= 4
    assert not [s for s in enrolled_people(country) if len(s) > 5 and s in document]


def test_threats_reported_reach_the_programme_officer_as_findings_and_no_one_else(served, answers) -> None:
    app, _db, _country = served
    threats = [f for f in json.loads(answers["livelihood findings api"]) if f["rule"] == "threat_reported"]
    assert threats, "the demo's growers report threats: their office must get them"
    assert {f["subject"]["table"] for f in threats} == {"farmer_enrolments"}
    analyst = client_for(app, "pw_analyst").get("/api/findings").json()
    assert not [f for f in analyst if f["rule"] == "threat_reported"]  # customs reads none of them


def test_the_report_command_as_a_user_is_cut_to_its_scope_refused_to_other_roles_and_audited(
        split, tmp_path, monkeypatch) -> None:
    """`baliza report programmes --user NAME`: the figures as that user may read them, an export recorded in
    the audit log; a role that does not read programme outcomes is refused before anything is written."""
    from typer.testing import CliRunner

    from baliza.access.audit import entries, verify
    from baliza.cli.app import app as cli

    db, state_url, _readers, _country = split
    copy = tmp_path / "state.sqlite"
    shutil.copy(state_url.removeprefix("sqlite:///"), copy)
    monkeypatch.setenv("BALIZA_STATE_URL", f"sqlite:///{copy}")
    refused = CliRunner().invoke(cli, ["report", "programmes", "--db", str(db), "--user", "demo_analyst",
                                       "--out", str(tmp_path / "no.html")])
    assert refused.exit_code != 0 and "programme outcomes" in refused.output
    assert not (tmp_path / "no.html").exists()
    target = tmp_path / "mine.html"
    done = CliRunner().invoke(cli, ["report", "programmes", "--db", str(db), "--user", "demo_programme_officer",
                                    "--programme", "livelihood", "--out", str(target)])
    assert done.exit_code == 0, done.output
    assert "demo_programme_officer" in done.stdout and target.exists()
    state = open_state(f"sqlite:///{copy}")
    try:
        newest = entries(state, limit=1)[-1]
        assert (newest.actor, newest.action, newest.subject) == ("demo_programme_officer", "export",
                                                                 "reports/programmes")
        assert verify(state) == []
    finally:
        state.close()
