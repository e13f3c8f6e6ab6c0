"""Issue 9, item 11: the small ones, each as the attack or the mistake it stops."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from baliza.access.passwords import MAX_PASSWORD, password_problem
from baliza.access.roles import Role
from baliza.access.state import open_state, sessions
from baliza.access.users import UserError, add_user
from baliza.web.app import create_app
from baliza.web.sessions import COOKIE_NAME
from web_world import PASSWORD, build_web_world, csrf_of, sign_in, user_name

ANALYST = user_name("AG-CUS", Role.ANALYST)
OFFICER = "liv_officer"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_web_world(tmp_path_factory.mktemp("websmall"))


@pytest.fixture(scope="module")
def app(world):
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


@pytest.fixture(scope="module")
def analyst(app) -> tuple[TestClient, str]:
    client = TestClient(app, raise_server_exceptions=False)
    return client, sign_in(client, ANALYST)


def test_the_sharing_form_has_the_apis_length_limits(analyst) -> None:
    client, csrf = analyst
    body = {"grantee_agency_id": "AG-PRO", "kind": "case", "subject_id": "C9", "purpose": "x" * 2001, "days": 3,
            "csrf_token": csrf}
    assert client.post("/sharing", data=body, follow_redirects=False).status_code == 422
    assert client.post("/sharing", data={**body, "purpose": "ok", "subject_id": "C" * 201},
                       follow_redirects=False).status_code == 422
    assert all(len(g["purpose"]) <= 2000 for g in client.get("/api/grants").json()["given"])
    page = client.get("/sharing").text
    assert 'name="subject_id" value="" required maxlength="200"' in page and 'maxlength="2000"' in page


@pytest.mark.parametrize(("path", "body"), [
    ("/api/grants", b'{"grantee_agency_id":"AG-PRO","kind":"case","subject_id":"C9","purpose":"\\ud800","days":3}'),
    ("/api/grants", b'{"grantee_agency_id":"AG-PRO","kind":"case","subject_id":"\\udfff","purpose":"p","days":3}'),
    ("/api/grants", b'{"grantee_agency_id":"\\ud83d","kind":"case","subject_id":"C9","purpose":"p","days":3}'),
])
def test_a_lone_surrogate_in_json_is_a_client_error_not_a_crash(analyst, path: str, body: bytes) -> None:
    client, csrf = analyst
    answer = client.post(path, content=body, headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"})
    assert answer.status_code in (400, 404, 422), answer.text


def test_a_refusal_names_the_field_without_echoing_the_input(analyst) -> None:
    client, csrf = analyst
    secret = "Witness María Q., lives at 12 Calle Falsa " * 100
    answer = client.post("/api/grants", headers={"X-CSRF-Token": csrf}, json={
        "grantee_agency_id": "AG-PRO", "kind": "case", "subject_id": "C9", "purpose": secret, "days": 3})
    assert answer.status_code == 422
    assert "Calle Falsa" not in answer.text and len(answer.text) < 2000
    assert answer.json()["detail"][0]["loc"] == ["body", "purpose"]


@pytest.mark.parametrize("path", ["/api/persons/X2", "/chain/person/X2", "/api/export/seizures.csv",
                                  "/reports/country.html", "/chain/seizure/S2", "/chain/case/C9",
                                  "/api/cases/C9", "/api/seizures/S2/chain", "/login"])
def test_pages_and_answers_with_personal_data_are_never_cached(analyst, path: str) -> None:
    client, _ = analyst
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"


def test_static_files_may_be_cached(analyst) -> None:
    client, _ = analyst
    assert client.get("/static/style.css").headers.get("cache-control") != "no-store"


def test_cookies_are_secure_and_hsts_is_sent_when_set(world, monkeypatch) -> None:
    monkeypatch.setenv("BALIZA_SECURE_COOKIES", "1")
    monkeypatch.setenv("BALIZA_HSTS_SECONDS", "31536000")
    application = create_app(world.db, state_url=world.state_url)
    try:
        client = TestClient(application, base_url="https://testserver")
        form = client.get("/login")
        assert "secure" in form.headers["set-cookie"].lower()
        assert form.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        answer = client.post("/login", data={"username": ANALYST, "password": PASSWORD,
                                             "csrf_token": csrf_of(form.text)}, follow_redirects=False)
        assert answer.status_code == 303 and "secure" in answer.headers["set-cookie"].lower()
    finally:
        application.state.baliza.close()


def test_no_hsts_and_no_secure_flag_by_default(app) -> None:
    form = TestClient(app).get("/login")
    assert "strict-transport-security" not in form.headers and "secure" not in form.headers["set-cookie"].lower()


def test_the_api_schema_and_manual_need_sign_in_unless_opened(world, app, analyst, monkeypatch) -> None:
    anonymous = TestClient(app)
    assert anonymous.get("/openapi.json").status_code == 401
    assert anonymous.get("/docs", follow_redirects=False).status_code == 303
    client, _ = analyst
    assert client.get("/openapi.json").json()["info"]["title"] == "Baliza"
    monkeypatch.setenv("BALIZA_PUBLIC_API_DOCS", "1")
    opened = create_app(world.db, state_url=world.state_url)
    try:
        assert TestClient(opened).get("/openapi.json").status_code == 200
    finally:
        opened.state.baliza.close()


def test_anonymous_visits_to_the_sign_in_form_store_nothing(world, app) -> None:
    def stored() -> int:
        state = open_state(world.state_url)
        with state.engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar_one()
        state.close()
        return int(count)

    before = stored()
    for _ in range(25):
        visitor = TestClient(app)
        assert visitor.get("/login").status_code == 200 and visitor.cookies.get(COOKIE_NAME)
    assert stored() == before
    # the form still works: its CSRF token rides in the signed cookie, and a forged one is refused
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    bad = client.post("/login", data={"username": ANALYST, "password": PASSWORD, "csrf_token": token + "x"})
    assert bad.status_code == 403
    other = TestClient(app)
    stolen = other.post("/login", data={"username": ANALYST, "password": PASSWORD, "csrf_token": token})
    assert stolen.status_code == 403  # a token without its cookie is worth nothing
    assert client.post("/login", data={"username": ANALYST, "password": PASSWORD, "csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert stored() == before + 1


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop", "1q2w3e4r5t", "Dragon2024!!", "Football#1234",
                                      "iloveyou12345"])
def test_common_passwords_are_refused(tmp_path: Path, password: str) -> None:
    state = open_state(f"sqlite:///{tmp_path / 's.sqlite'}")
    with pytest.raises(UserError, match="commonly used"):
        add_user(state, "ana", password, "AG-CUS", "analyst")
    state.close()


def test_long_uncommon_passwords_are_accepted_and_bounded() -> None:
    assert password_problem("correct horse battery staple") is None
    assert password_problem("x" * 10 + "kq" * 40) is None
    assert "at most" in (password_problem("y7" * MAX_PASSWORD) or "")
    assert "user name" in (password_problem("ana.lopez.2025", "ana.lopez") or "")


def test_an_over_large_body_is_refused_before_it_is_read(analyst) -> None:
    client, csrf = analyst
    answer = client.post("/api/grants", content=b"{" + b" " * 2_000_000 + b"}",
                         headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"})
    assert answer.status_code == 413


def test_the_protected_persons_officer_page_is_not_cached_either(app) -> None:
    officer = TestClient(app)
    sign_in(officer, OFFICER)
    answer = officer.get("/api/persons/F1")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
