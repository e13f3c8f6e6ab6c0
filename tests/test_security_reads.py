"""Issue 9, item 8: reads that left no trace. Each read of rows about people, cases or seizures leaves
one audit entry per request, naming the subjects read and the grants (with their purpose) that let rows
of other agencies through; a refused guess at an id is recorded too.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from baliza.access.audit import AuditEntry, entries, verify
from baliza.access.roles import Role
from baliza.access.state import open_state
from baliza.web.app import create_app
from web_world import build_web_world, sign_in, user_name

POLICE = user_name("AG-POL", Role.ANALYST)  # received seizure S1 from customs "for joint operation"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_web_world(tmp_path_factory.mktemp("webreads"))


@pytest.fixture(scope="module")
def app(world):
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


@pytest.fixture(scope="module")
def police(app) -> TestClient:
    client = TestClient(app)
    sign_in(client, POLICE)
    return client


def last_entry(world, actor: str = POLICE) -> AuditEntry:
    state = open_state(world.state_url)
    try:
        return [e for e in entries(state, limit=50) if e.actor == actor][-1]
    finally:
        state.close()


def test_a_person_read_records_the_grant_and_purpose_that_allowed_it(world, police) -> None:
    assert police.get("/api/persons/X1").status_code == 200
    entry = last_entry(world)
    detail = json.loads(entry.detail)
    assert (entry.action, entry.subject) == ("read_person", "persons/X1")
    assert detail["grants"] == [{"grant_id": world.grant_id, "owner": "AG-CUS", "purpose": "joint operation"}]
    assert detail["via"] == "session"


@pytest.mark.parametrize(("path", "action"), [
    ("/api/findings", "read_findings"), ("/findings", "read_findings"),
    ("/api/quarantine", "read_quarantine"), ("/quarantine", "read_quarantine"),
    ("/api/indicators", "read_indicators"), ("/api/export/seizures.csv", "export"),
])
def test_lists_leave_one_entry_per_request(world, police, path: str, action: str) -> None:
    state = open_state(world.state_url)
    before = len(entries(state))
    state.close()
    assert police.get(path).status_code == 200
    state = open_state(world.state_url)
    new = entries(state)[before:]
    state.close()
    assert [e.action for e in new] == [action]
    detail = json.loads(new[0].detail)
    assert detail["count"] == len(detail["subjects"])


def test_an_export_names_the_shared_seizure_and_its_grant(world, police) -> None:
    police.get("/api/export/seizures.csv")
    detail = json.loads(last_entry(world).detail)
    assert "seizures/S1" in detail["subjects"]
    assert [g["grant_id"] for g in detail["grants"]] == [world.grant_id]


@pytest.mark.parametrize(("path", "subject"), [
    ("/api/seizures/S2/chain", "seizures/S2"), ("/api/cases/C-GUESS", "cases/C-GUESS"),
    ("/api/persons/X2", "persons/X2"), ("/chain/seizure/S2", "seizures/S2"), ("/chain/person/NOPE", "persons/NOPE"),
])
def test_a_refused_guess_at_an_id_is_recorded_once(world, police, path: str, subject: str) -> None:
    state = open_state(world.state_url)
    before = len(entries(state))
    state.close()
    assert police.get(path).status_code == 404
    assert police.get(path).status_code == 404  # a second guess is a second entry
    state = open_state(world.state_url)
    new = [(e.action, e.subject) for e in entries(state)[before:]]
    state.close()
    assert new == [("read_refused", subject)] * 2


def test_the_chain_still_verifies_after_all_these_reads(world) -> None:
    state = open_state(world.state_url)
    assert verify(state) == []
    state.close()
