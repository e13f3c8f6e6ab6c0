"""The authorization matrix: every route × every role × own / shared / other agency's row.

The expected answer is derived from the declared permission table and the grants, never from the
code under test: 403 when the role lacks the permission, 404 for a row outside the agency's scope,
200 otherwise.
"""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from baliza.access.roles import Permission as P
from baliza.access.roles import Role, allows
from baliza.analyses.model import Finding, Reference
from baliza.web import sources
from baliza.web.app import create_app
from baliza.web.security import Requirement
from web_world import build_web_world, sign_in, user_name

# The police (AG-POL) user's view: customs shared seizure S1 (with its chain: case C9, person X1).
ROWS = {
    "seizure": {"own": "S3", "shared": "S1", "other": "S2"},
    "case": {"own": "C7", "shared": "C9", "other": "C1"},
    "person": {"own": "X3", "shared": "X1", "other": "X2"},
}
ROW_ROUTES = [
    ("/api/seizures/{}/chain", "seizure", P.READ_SEIZURES),
    ("/api/cases/{}", "case", P.READ_CASES),
    ("/api/persons/{}", "person", P.READ_PERSONS),
    ("/chain/seizure/{}", "seizure", P.READ_SEIZURES),
    ("/chain/case/{}", "case", P.READ_CASES),
    ("/chain/person/{}", "person", P.READ_PERSONS),
]
LIST_ROUTES = [
    ("/api/overview", P.READ_AGGREGATES), ("/api/seizures", P.READ_SEIZURES), ("/api/search?q=S", P.READ_SEIZURES),
    ("/api/findings", P.READ_FINDINGS), ("/api/indicators", P.READ_INDICATORS),
    ("/api/quarantine", P.READ_QUARANTINE), ("/api/grants", P.READ_GRANTS), ("/api/export/seizures.csv", P.EXPORT),
    ("/", P.READ_AGGREGATES), ("/chain", P.READ_SEIZURES), ("/findings", P.READ_FINDINGS),
    ("/indicators", P.READ_INDICATORS), ("/quarantine", P.READ_QUARANTINE), ("/sharing", P.READ_GRANTS),
    ("/justice", P.READ_JUSTICE), ("/justice?granularity=year", P.READ_JUSTICE), ("/reports", P.READ_INDICATORS),
    ("/reports/growth.html", P.READ_INDICATORS),
    ("/reports/country.html", P.EXPORT),
]
FINDINGS = [
    Finding("quantity_shrinkage", Reference("seizures", "S3"), 0.9, "police's own", (), "test"),
    Finding("quantity_shrinkage", Reference("seizures", "S1"), 0.8, "shared by customs", (), "test"),
    Finding("quantity_shrinkage", Reference("seizures", "S2"), 0.7, "customs only", (), "test"),
    Finding("outcome_outlier", Reference("units", "P9"), 0.6, "a prosecution office", (), "test"),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_web_world(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def app(world):
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


@pytest.fixture(scope="module")
def clients(app):
    """One signed-in client per role of the police agency."""
    signed = {}
    for role in Role:
        client = TestClient(app)
        sign_in(client, user_name("AG-POL", role))
        signed[role] = client
    return signed


@pytest.fixture(autouse=True)
def planted_findings(monkeypatch):
    monkeypatch.setattr(sources, "red_flags", lambda wh, cache: FINDINGS)


def expected(role: Role, permission: P, where: str | None = None) -> int:
    if not allows(role, permission):
        return 403
    return 404 if where == "other" else 200


@pytest.mark.parametrize("role", list(Role))
def test_row_routes(clients, role: Role) -> None:
    client = clients[role]
    for template, kind, permission in ROW_ROUTES:
        for where, row_id in ROWS[kind].items():
            path = template.format(row_id)
            assert client.get(path).status_code == expected(role, permission, where), (role, path, where)


@pytest.mark.parametrize("role", list(Role))
def test_list_routes(clients, role: Role) -> None:
    for path, permission in LIST_ROUTES:
        assert clients[role].get(path, follow_redirects=False).status_code == expected(role, permission), (role, path)


def test_lists_hold_own_and_shared_rows_only(clients) -> None:
    analyst = clients[Role.ANALYST]
    assert {s["seizure_id"] for s in analyst.get("/api/seizures").json()} == {"S1", "S3"}
    assert {f["subject"]["id"] for f in analyst.get("/api/findings").json()} == {"S1", "S3"}
    assert "S2" not in analyst.get("/api/export/seizures.csv").text


@pytest.mark.parametrize("role", list(Role))
def test_sharing_and_deciding_routes(clients, role: Role) -> None:
    client = clients[role]
    csrf = {"X-CSRF-Token": sign_in(client, user_name("AG-POL", role))}
    body = {"grantee_agency_id": "AG-CUS", "kind": "seizure", "purpose": "check", "days": 5}
    own = client.post("/api/grants", json={**body, "subject_id": "S3"}, headers=csrf)
    assert own.status_code == (201 if allows(role, P.MANAGE_GRANTS) else 403)
    shared_to_us = client.post("/api/grants", json={**body, "subject_id": "S1"}, headers=csrf)
    assert shared_to_us.status_code == (404 if allows(role, P.MANAGE_GRANTS) else 403)  # not ours to pass on
    foreign = client.delete("/api/grants/{}".format(client.app.state.baliza and "nonexistent"), headers=csrf)
    assert foreign.status_code == (404 if allows(role, P.MANAGE_GRANTS) else 403)
    if own.status_code == 201:
        assert client.delete(f"/api/grants/{own.json()['grant_id']}", headers=csrf).status_code == 200
    ids = {f.subject.id: sources.finding_id(f) for f in FINDINGS}
    for subject, where in (("S3", "own"), ("S1", "shared"), ("S2", "other"), ("P9", "other")):
        answer = client.post(f"/api/findings/{ids[subject]}/decision", json={"decision": "needs_more_data"},
                             headers=csrf)
        assert answer.status_code == expected(role, P.DECIDE_FINDINGS, where), (role, subject)


@pytest.mark.parametrize("role", list(Role))
def test_dashboard_forms(clients, role: Role) -> None:
    client = clients[role]
    csrf = sign_in(client, user_name("AG-POL", role))
    form = {"grantee_agency_id": "AG-LIV", "kind": "seizure", "purpose": "form", "days": "2", "csrf_token": csrf}
    own = client.post("/sharing", data={**form, "subject_id": "S3"}, follow_redirects=False)
    assert own.status_code == (303 if allows(role, P.MANAGE_GRANTS) else 403)
    other = client.post("/sharing", data={**form, "subject_id": "S2"}, follow_redirects=False)
    assert other.status_code == (404 if allows(role, P.MANAGE_GRANTS) else 403)
    finding = sources.finding_id(FINDINGS[1])  # on S1, shared with the police
    decided = client.post(f"/findings/{finding}/decision", data={"decision": "dismissed", "csrf_token": csrf},
                          follow_redirects=False)
    assert decided.status_code == (303 if allows(role, P.DECIDE_FINDINGS) else 403)
    revoked = client.post("/sharing/nonexistent/revoke", data={"csrf_token": csrf}, follow_redirects=False)
    assert revoked.status_code == (404 if allows(role, P.MANAGE_GRANTS) else 403)


def test_revoking_a_grant_hides_the_chain_at_once(world, app, clients) -> None:
    customs = TestClient(app)
    csrf = sign_in(customs, user_name("AG-CUS", Role.ANALYST))
    police = clients[Role.ANALYST]
    assert police.get("/api/seizures/S1/chain").status_code == 200
    assert customs.delete(f"/api/grants/{world.grant_id}", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert police.get("/api/seizures/S1/chain").status_code == 404
    assert police.get("/api/persons/X1").status_code == 404
    body = {"grantee_agency_id": "AG-POL", "kind": "seizure", "subject_id": "S1", "purpose": "again", "days": 1}
    assert customs.post("/api/grants", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert police.get("/api/seizures/S1/chain").status_code == 200


def test_every_route_declares_a_permission(app) -> None:
    public = {("/login", "GET"), ("/login", "POST"),  # /docs and /openapi.json need sign-in by default
              ("/public", "GET"), ("/public.csv", "GET")}  # published aggregates, 404 unless BALIZA_PUBLIC_PAGE
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        declared = [d.call for d in route.dependant.dependencies if isinstance(d.call, Requirement)]
        for method in route.methods:
            if (route.path, method) in public:
                assert not declared
            else:
                assert declared, f"{method} {route.path} declares no permission"


def test_protected_people_are_masked_except_for_their_programme_officer(app) -> None:
    customs = TestClient(app)
    sign_in(customs, user_name("AG-CUS", Role.ANALYST))
    assert customs.get("/api/persons/P1").json()["person"]["full_name"] == "[protected]"
    assert customs.get("/api/persons/X2").json()["person"]["full_name"] == "Ana Mule"
    officer = TestClient(app)
    sign_in(officer, "liv_officer")
    assert officer.get("/api/persons/F1").json()["person"]["full_name"] == "Farmer Flores"
    assert "Farmer Flores" not in officer.get("/chain/person/F1").text.replace("Farmer Flores", "", 1)


def test_oversight_sees_suppressed_aggregates_only(clients) -> None:
    oversight = clients[Role.OVERSIGHT]
    overview = oversight.get("/api/overview").json()
    assert overview["small_cells_suppressed"]
    assert all(p["seizures"] in (None, 0) or p["seizures"] >= 5 for p in overview["by_entry_point"])
    assert oversight.get("/api/persons/X3").status_code == 403


def test_indicators_are_scoped_to_the_agency_and_suppressed_for_oversight(clients, monkeypatch) -> None:
    from baliza.analyses.model import Indicator

    planted = [Indicator("units", unit, "hit_rate", "2025", n / 10, n, denominator)
               for unit, n, denominator in (("U1", 2, 3), ("Q1", 4, 10), ("P9", 5, 12))]
    monkeypatch.setattr(sources, "unit_indicators", lambda wh, cache, granularity="year": planted)
    police = clients[Role.ANALYST].get("/api/indicators").json()
    assert [i["subject_id"] for i in police] == ["Q1"]
    oversight = {i["subject_id"]: i for i in clients[Role.OVERSIGHT].get("/api/indicators").json()}
    assert set(oversight) == {"U1", "Q1", "P9"}
    assert oversight["U1"]["value"] is None and oversight["U1"]["suppressed"]
    assert oversight["Q1"]["value"] == 0.4
