"""Access requests through the API and the pages, and withholding from the sharing page.

Customs (AG-CUS) reported seizure S1; the prosecution (AG-PRO) holds case C1 on it, which customs cannot read
until the prosecution approves its request.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from baliza.access.audit import entries
from baliza.access.roles import Role
from baliza.access.state import open_state
from baliza.access.withholding import withheld_tables
from baliza.web.app import create_app
from request_world import LEAD_PROSECUTOR, build_request_world
from web_world import sign_in, user_name

ASK = {"owner_agency_id": "AG-PRO", "kind": "seizure", "subject_id": "S1", "purpose": "joint investigation"}


@pytest.fixture
def world(tmp_path):
    return build_request_world(tmp_path)


@pytest.fixture
def app(world):
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


class Caller:
    """A signed-in test client that sends its CSRF token with every POST."""

    def __init__(self, app, agency: str, role: Role) -> None:
        self.client = TestClient(app)
        self.csrf = sign_in(self.client, user_name(agency, role))

    def get(self, path: str):
        return self.client.get(path)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})

    def form(self, path: str, data: dict):
        return self.client.post(path, data={**data, "csrf_token": self.csrf}, follow_redirects=False)


def audit_actions(world) -> list[tuple[str, str]]:
    state = open_state(world.state_url)
    try:
        return [(e.actor, e.action) for e in entries(state) if e.action.startswith(("access_request", "grant_add"))]
    finally:
        state.close()


def test_request_then_approval_shows_the_prosecutions_case_in_the_customs_chain(world, app) -> None:
    customs = Caller(app, "AG-CUS", Role.ANALYST)
    prosecution = Caller(app, "AG-PRO", Role.ANALYST)
    before = customs.get("/api/seizures/S1/chain").text
    assert "C1" not in before and LEAD_PROSECUTOR not in before

    made = customs.post("/api/access-requests", ASK)
    assert made.status_code == 201, made.text
    request_id = made.json()["request_id"]
    assert customs.get("/api/access-requests").json() == {"incoming": [], "outgoing": [made.json()]}
    incoming = prosecution.get("/api/access-requests").json()["incoming"]
    assert [(r["request_id"], r["requester_agency_id"], r["purpose"]) for r in incoming] == [
        (request_id, "AG-CUS", "joint investigation")]

    approved = prosecution.post(f"/api/access-requests/{request_id}/approve", {"days": 14})
    assert approved.status_code == 200, approved.text
    grant = approved.json()["grant"]
    assert approved.json()["status"] == "approved" and grant["owner_agency_id"] == "AG-PRO"
    assert (grant["grantee_agency_id"], grant["kind"], grant["subject_id"]) == ("AG-CUS", "seizure", "S1")
    after = customs.get("/api/seizures/S1/chain").text
    assert "C1" in after and LEAD_PROSECUTOR in after
    assert customs.get("/api/cases/C1").status_code == 200
    assert customs.get("/api/access-requests").json()["outgoing"][0]["grant_id"] == grant["grant_id"]
    assert prosecution.get("/api/access-requests").json()["incoming"] == []
    assert prosecution.post(f"/api/access-requests/{request_id}/approve", {"days": 14}).status_code == 409
    assert audit_actions(world) == [(user_name("AG-CUS", Role.ANALYST), "access_request"),
                                    (user_name("AG-PRO", Role.ANALYST), "grant_add"),
                                    (user_name("AG-PRO", Role.ANALYST), "access_request_approve")]


def test_refusal_carries_its_reason_to_the_requester_and_shares_nothing(world, app) -> None:
    customs = Caller(app, "AG-CUS", Role.ANALYST)
    prosecution = Caller(app, "AG-PRO", Role.ADMIN)
    request_id = customs.post("/api/access-requests", ASK).json()["request_id"]
    assert prosecution.post(f"/api/access-requests/{request_id}/refuse", {"reason": ""}).status_code == 422
    refused = prosecution.post(f"/api/access-requests/{request_id}/refuse", {"reason": "sealed until trial"})
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    outgoing = customs.get("/api/access-requests").json()["outgoing"]
    assert [(r["status"], r["reason"], r["decided_by"]) for r in outgoing] == [
        ("refused", "sealed until trial", user_name("AG-PRO", Role.ADMIN))]
    assert customs.get("/api/cases/C1").status_code == 404
    assert LEAD_PROSECUTOR not in customs.get("/api/seizures/S1/chain").text
    page = customs.get("/requests").text
    assert "sealed until trial" in page and "refused" in page


def test_who_may_answer(world, app) -> None:
    customs = Caller(app, "AG-CUS", Role.ANALYST)
    request_id = customs.post("/api/access-requests", ASK).json()["request_id"]
    inspector = Caller(app, "AG-PRO", Role.PROSECUTION_INSPECTOR)
    assert inspector.post(f"/api/access-requests/{request_id}/approve", {"days": 5}).status_code == 403
    assert inspector.get("/api/access-requests").json()["incoming"] == []  # does not answer, does not list them
    police = Caller(app, "AG-POL", Role.ANALYST)
    assert police.post(f"/api/access-requests/{request_id}/approve", {"days": 5}).status_code == 404
    assert police.post(f"/api/access-requests/{request_id}/refuse", {"reason": "no"}).status_code == 404
    assert customs.post(f"/api/access-requests/{request_id}/approve", {"days": 5}).status_code == 404
    assert customs.get("/api/cases/C1").status_code == 404


@pytest.mark.parametrize(("change", "status", "says"), [
    ({"owner_agency_id": "AG-CUS"}, 409, "its own rows"),
    ({"owner_agency_id": "AG-NOWHERE"}, 404, "no agency 'AG-NOWHERE'"),
    ({"owner_agency_id": "AG PRO"}, 422, "should match pattern"),
    ({"subject_id": "S3"}, 404, "no seizure 'S3'"),  # the police's, which customs does not see
    ({"purpose": "x" * 2001}, 422, "at most 2000 characters"),
    ({"purpose": ""}, 422, "at least 1 character"),
    ({"purpose": "   "}, 422, "should match pattern"),
    ({"kind": "dataset"}, 422, "'seizure' or 'case'"),
])
def test_bad_requests_are_refused_with_a_clear_message(world, app, change, status, says) -> None:
    customs = Caller(app, "AG-CUS", Role.ANALYST)
    answer = customs.post("/api/access-requests", {**ASK, **change})
    assert answer.status_code == status and says in json.dumps(answer.json()), answer.text
    assert customs.get("/api/access-requests").json()["outgoing"] == []


def test_duplicates_missing_csrf_and_requests_for_nothing_held(world, app) -> None:
    customs = Caller(app, "AG-CUS", Role.ANALYST)
    first = customs.post("/api/access-requests", ASK).json()["request_id"]
    again = customs.post("/api/access-requests", ASK)
    assert again.status_code == 409 and first in again.json()["detail"]
    no_token = customs.client.post("/api/access-requests", json={**ASK, "subject_id": "S2"})
    assert no_token.status_code == 403 and "CSRF" in no_token.json()["detail"]
    # the prosecution holds nothing on S2: approving would share nothing, so it is refused with a reason
    nothing = customs.post("/api/access-requests", {**ASK, "subject_id": "S2"}).json()["request_id"]
    prosecution = Caller(app, "AG-PRO", Role.ANALYST)
    held_nothing = prosecution.post(f"/api/access-requests/{nothing}/approve", {"days": 5})
    assert held_nothing.status_code == 409 and "holds no link" in held_nothing.json()["detail"]


def test_the_pages_ask_approve_and_show_the_answer(world, app) -> None:
    customs = Caller(app, "AG-CUS", Role.ANALYST)
    form = customs.get("/requests/new?owner=AG-PRO&kind=seizure&subject=S1").text
    assert 'name="owner_agency_id" value="AG-PRO"' in form and 'name="subject_id" value="S1"' in form
    refused = customs.form("/requests", {"owner_agency_id": "AG-PRO", "kind": "seizure", "subject_id": "S1",
                                         "purpose": "  "})
    assert refused.status_code == 422 and "needs a purpose" in refused.text
    sent = customs.form("/requests", {"owner_agency_id": "AG-PRO", "kind": "seizure", "subject_id": "S1",
                                      "purpose": "hearing next week"})
    assert sent.status_code == 303 and sent.headers["location"] == "/requests"
    assert "hearing next week" in customs.get("/requests").text

    prosecution = Caller(app, "AG-PRO", Role.ANALYST)
    page = prosecution.get("/requests").text
    request_id = prosecution.get("/api/access-requests").json()["incoming"][0]["request_id"]
    assert f'action="/requests/{request_id}/approve"' in page and f'action="/requests/{request_id}/refuse"' in page
    no_csrf = prosecution.client.post(f"/requests/{request_id}/approve", data={"days": "5"}, follow_redirects=False)
    assert no_csrf.status_code == 403
    approved = prosecution.form(f"/requests/{request_id}/approve", {"days": "5", "purpose": ""})
    assert approved.status_code == 303
    assert "approved" in customs.get("/requests").text
    assert LEAD_PROSECUTOR in customs.get("/api/seizures/S1/chain").text


def test_administrators_declare_withheld_tables_on_the_sharing_page(world, app) -> None:
    admin = Caller(app, "AG-PRO", Role.ADMIN)
    analyst = Caller(app, "AG-PRO", Role.ANALYST)
    assert 'action="/sharing/withholding"' in admin.get("/sharing").text
    assert 'action="/sharing/withholding"' not in analyst.get("/sharing").text
    assert analyst.form("/sharing/withholding", {"table": "case_parties", "action": "withhold"}).status_code == 403
    assert admin.form("/sharing/withholding", {"table": "witnesses", "action": "withhold"}).status_code == 422
    assert admin.form("/sharing/withholding", {"table": "case_parties", "action": "withhold"}).status_code == 303
    assert '<strong class="withheld">case_parties</strong>' in admin.get("/sharing").text
    state = open_state(world.state_url)
    try:
        assert withheld_tables(state) == {"AG-PRO": {"case_parties"}}
        assert admin.form("/sharing/withholding", {"table": "case_parties", "action": "disclose"}).status_code == 303
        assert withheld_tables(state) == {}
    finally:
        state.close()


def test_a_link_to_the_form_survives_signing_in(world, app) -> None:
    """The chain page links hidden links to `/requests/new?owner=&kind=&subject=`: a visitor whose session ended
    comes back to that form, filled in, after signing in."""
    visitor = TestClient(app)
    sent = visitor.get("/requests/new?owner=AG-PRO&kind=seizure&subject=S1", follow_redirects=False)
    assert sent.status_code == 303
    form = visitor.get(sent.headers["location"]).text
    assert 'name="next" value="/requests/new?owner=AG-PRO&amp;kind=seizure&amp;subject=S1"' in form


def test_a_case_asked_for_by_id_is_shared_once_approved(world, app) -> None:
    customs = Caller(app, "AG-CUS", Role.UNIT_OFFICER)  # reads cases, does not answer requests
    assert customs.get("/api/cases/C1").status_code == 404
    made = customs.post("/api/access-requests", {**ASK, "kind": "case", "subject_id": "C1"})
    assert made.status_code == 201, made.text
    assert customs.get("/api/access-requests").json()["incoming"] == []
    prosecution = Caller(app, "AG-PRO", Role.ADMIN)
    not_held = customs.post("/api/access-requests", {**ASK, "kind": "case", "subject_id": "C9"}).json()
    assert prosecution.post(f"/api/access-requests/{not_held['request_id']}/approve", {}).status_code == 409
    approved = prosecution.post(f"/api/access-requests/{made.json()['request_id']}/approve",
                                {"days": 3, "purpose": "trial preparation"})
    assert approved.status_code == 200 and approved.json()["grant"]["purpose"] == "trial preparation"
    case = customs.get("/api/cases/C1")
    assert case.status_code == 200 and LEAD_PROSECUTOR in case.text
