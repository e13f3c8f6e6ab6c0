"""Sign-in and sessions: missing auth, CSRF, session fixation, cookie flags, rate limiting, tokens, audit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from baliza.access.audit import entries, verify
from baliza.access.roles import Role
from baliza.access.state import open_state
from baliza.access.tokens import add_token, revoke_token
from baliza.web.app import create_app
from baliza.web.sessions import COOKIE_NAME
from web_world import PASSWORD, build_web_world, csrf_of, sign_in, user_name

ANALYST = user_name("AG-CUS", Role.ANALYST)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_web_world(tmp_path_factory.mktemp("websec"))


@pytest.fixture
def app(world):
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


def test_missing_auth_is_refused(app) -> None:
    client = TestClient(app)
    for path in ("/api/seizures", "/api/persons/X1", "/api/findings", "/api/me"):
        answer = client.get(path)
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    page = client.get("/findings", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert client.post("/api/grants", json={}).status_code == 401
    forged = TestClient(app, cookies={COOKIE_NAME: "not-signed"})
    assert forged.get("/api/me").status_code == 401


def test_wrong_password_and_disabled_account(app) -> None:
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"username": ANALYST, "password": "nope nope nope", "csrf_token": token})
    assert answer.status_code == 401 and "Wrong user name or password" in answer.text
    assert client.get("/api/me").status_code == 401


def test_session_cookie_is_signed_httponly_samesite_and_rotated_at_sign_in(app) -> None:
    client = TestClient(app)
    client.get("/login")
    before = client.cookies[COOKIE_NAME]
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"username": ANALYST, "password": PASSWORD, "csrf_token": token},
                         follow_redirects=False)
    set_cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie
    after = client.cookies[COOKIE_NAME]
    assert after != before
    # an attacker who planted the pre-sign-in cookie gets nothing from it
    planted = TestClient(app, cookies={COOKIE_NAME: before})
    assert planted.get("/api/me").status_code == 401
    assert client.get("/api/me").json()["username"] == ANALYST


def test_csrf_is_required_on_forms_and_session_writes(app) -> None:
    client = TestClient(app)
    assert client.post("/login", data={"username": ANALYST, "password": PASSWORD}).status_code == 403
    csrf = sign_in(client, ANALYST)
    body = {"grantee_agency_id": "AG-PRO", "kind": "seizure", "subject_id": "S2", "purpose": "op", "days": 3}
    assert client.post("/api/grants", json=body).status_code == 403
    assert client.post("/api/grants", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/sharing", data={**body, "csrf_token": "forged"}).status_code == 403
    assert client.post("/sharing", data={**body, "csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert client.post("/logout", data={}).status_code == 403
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/api/me").status_code == 401


def test_sign_in_is_rate_limited(app) -> None:
    client = TestClient(app)
    for _ in range(5):
        token = csrf_of(client.get("/login").text)
        client.post("/login", data={"username": "ag_pol_oversight", "password": "wrong password", "csrf_token": token})
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"username": "ag_pol_oversight", "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 429


def test_bearer_tokens_are_scoped_like_their_user_and_need_no_csrf(world, app) -> None:
    state = open_state(world.state_url)
    token_id, secret = add_token(state, user_name("AG-POL", Role.ANALYST), "robot")
    robot = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    assert {s["seizure_id"] for s in robot.get("/api/seizures").json()} == {"S1", "S3"}
    body = {"grantee_agency_id": "AG-CUS", "kind": "seizure", "subject_id": "S3", "purpose": "op", "days": 3}
    assert robot.post("/api/grants", json=body).status_code == 201
    revoke_token(state, token_id)
    assert robot.get("/api/seizures").status_code == 401
    state.close()


def test_reads_decisions_grants_exports_and_sign_ins_are_audited(world, app) -> None:
    client = TestClient(app)
    csrf = sign_in(client, ANALYST)
    client.get("/api/persons/X2")
    client.get("/api/cases/C9")
    client.get("/api/export/seizures.csv")
    grant = client.post("/api/grants", headers={"X-CSRF-Token": csrf}, json={
        "grantee_agency_id": "AG-PRO", "kind": "case", "subject_id": "C9", "purpose": "trial", "days": 3}).json()
    client.delete(f"/api/grants/{grant['grant_id']}", headers={"X-CSRF-Token": csrf})
    state = open_state(world.state_url)
    mine = [(e.action, e.subject) for e in entries(state) if e.actor == ANALYST]
    assert mine[-6:] == [("sign_in", f"users/{ANALYST}"), ("read_person", "persons/X2"), ("read_case", "cases/C9"),
                         ("export", "seizures"), ("grant_add", f"grants/{grant['grant_id']}"),
                         ("grant_revoke", f"grants/{grant['grant_id']}")]
    assert verify(state) == []
    assert all("Ana Mule" not in e.detail for e in entries(state))
    state.close()


def test_api_docs_are_served_from_the_package_not_a_cdn(app) -> None:
    client = TestClient(app)
    sign_in(client, ANALYST)  # the manual is for signed-in users (BALIZA_PUBLIC_API_DOCS opens it)
    docs = client.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "Baliza"
