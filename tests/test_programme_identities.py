"""Protected identities: in clear only for the officers of the programme agency that holds them, every read
audited with who, which person, when and through which route (issue 16, confidential registries).

The web world (tests/web_world.py): AG-LIV runs the livelihood programme and holds farmer F1's enrolment;
here AG-LIV also shares its load of F1 with AG-POL (a dataset grant), whose livelihood programme officer,
analyst and admin must still see F1 masked, as must AG-LIV's own admin, oversight and treatment officer.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from baliza.access.audit import entries
from baliza.access.clock import now
from baliza.access.grants import add_grant
from baliza.access.principal import Principal
from baliza.access.protection import MASK, identity_reads, present_persons
from baliza.access.roles import Role
from baliza.access.scope import scope_for
from baliza.access.state import open_state
from baliza.access.tokens import add_token
from baliza.access.users import add_user
from baliza.warehouse import open_warehouse
from baliza.web.app import create_app
from web_world import PASSWORD, WebWorld, build_web_world, user_name

NAME = "Farmer Flores"
OFFICER = "liv_officer"
OTHERS = {  # who must never see F1 in clear: other programme agencies (through a grant), admins, oversight
    "ag_pol_programme_officer": user_name("AG-POL", Role.PROGRAMME_OFFICER),
    "ag_pol_analyst": user_name("AG-POL", Role.ANALYST),
    "ag_pol_admin": user_name("AG-POL", Role.ADMIN),
    "ag_cus_oversight": user_name("AG-CUS", Role.OVERSIGHT),
    "liv_admin": "liv_admin",
    "liv_oversight": "liv_oversight",
    "liv_treatment_officer": "liv_treatment_officer",
    "liv_analyst": "liv_analyst",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[WebWorld, dict[str, str]]:
    built = build_web_world(tmp_path_factory.mktemp("programme"))
    state = open_state(built.state_url)
    add_user(state, "liv_admin", PASSWORD, "AG-LIV", Role.ADMIN)
    add_user(state, "liv_oversight", PASSWORD, "AG-LIV", Role.OVERSIGHT)
    add_user(state, "liv_analyst", PASSWORD, "AG-LIV", Role.ANALYST)
    add_user(state, "liv_treatment_officer", PASSWORD, "AG-LIV", Role.PROGRAMME_OFFICER, "treatment")
    # AG-LIV shares the load that holds F1 and the enrolment with AG-POL: rows, never the identity
    add_grant(state, "AG-LIV", "AG-POL", "dataset", "3", "joint livelihood follow-up", now() + timedelta(days=5),
              "setup")
    tokens = {user: add_token(state, user, "test")[1] for user in [OFFICER, *OTHERS.values()]}
    state.close()
    return built, tokens


@pytest.fixture(scope="module")
def client(world: tuple[WebWorld, dict[str, str]]) -> TestClient:
    built, _ = world
    app = create_app(built.db, state_url=built.state_url)
    with TestClient(app) as served:
        yield served
    app.state.baliza.close()


def _get(client: TestClient, tokens: dict[str, str], user: str, path: str) -> object:
    return client.get(path, headers={"Authorization": f"Bearer {tokens[user]}"})


def _identity_reads(world: tuple[WebWorld, dict[str, str]]) -> list[object]:
    state = open_state(world[0].state_url)
    try:
        return [e for e in entries(state) if e.action == "read_identity"]
    finally:
        state.close()


def test_the_programme_officer_reads_the_identity_and_each_read_is_audited(world, client) -> None:
    before = len(_identity_reads(world))
    answer = _get(client, world[1], OFFICER, "/api/persons/F1")
    assert answer.status_code == 200 and answer.json()["person"]["full_name"] == NAME
    page = _get(client, world[1], OFFICER, "/chain/person/F1")
    assert page.status_code == 200 and NAME in page.text
    reads = _identity_reads(world)[before:]
    assert [(e.actor, e.agency_id, e.subject) for e in reads] == [(OFFICER, "AG-LIV", "persons/F1")] * 2
    routes = [json.loads(e.detail)["route"] for e in reads]
    assert routes == ["/api/persons/{person_id}", "/chain/person/{person_id}"]
    assert all(json.loads(e.detail)["via"] == "token" and e.at for e in reads)
    assert all(NAME not in e.detail for e in reads)  # the audit names the pseudonymous id, never the person


@pytest.mark.parametrize("who", sorted(OTHERS))
def test_nobody_else_sees_the_identity_even_with_the_rows_shared(world, client, who: str) -> None:
    user = OTHERS[who]
    before = len(_identity_reads(world))
    for path in ("/api/persons/F1", "/chain/person/F1", "/api/search?q=F1"):
        answer = _get(client, world[1], user, path)
        assert NAME.lower() not in answer.text.lower(), (user, path, answer.status_code)
        if path == "/api/persons/F1" and answer.status_code == 200 and answer.json()["person"]:
            assert answer.json()["person"]["full_name"] == MASK  # the row is shared, the identity is not
    assert len(_identity_reads(world)) == before


def test_an_identity_is_never_shown_outside_an_audited_read(world) -> None:
    built, _ = world
    state = open_state(built.state_url)
    officer = Principal(OFFICER, "AG-LIV", Role.PROGRAMME_OFFICER, "livelihood", via="cli")
    try:
        with open_warehouse(built.db, read_only=True) as wh:
            scope = scope_for(wh, state, officer)
            rows = scope.filter(wh, "persons").filter(lambda t: t.person_id == "F1").to_pyarrow().to_pylist()
            assert present_persons(wh, scope, rows)[0]["full_name"] == MASK  # no audit, no identity
            before = len([e for e in entries(state) if e.action == "read_identity"])
            with identity_reads(state, officer, "cli:test"):
                assert present_persons(wh, scope, rows)[0]["full_name"] == NAME
            after = [e for e in entries(state) if e.action == "read_identity"]
            assert len(after) == before + 1 and json.loads(after[-1].detail)["route"] == "cli:test"
            # an audited read opened for someone else does not let this officer through
            with identity_reads(state, Principal("x", "AG-LIV", Role.ADMIN), "cli:test"):
                assert present_persons(wh, scope, rows)[0]["full_name"] == MASK
    finally:
        state.close()


def test_the_world_is_what_the_attacks_assume(world) -> None:
    """F1's rows really are shared with AG-POL (so the masking above is the identity rule, not the scope)."""
    built, _ = world
    state = open_state(built.state_url)
    try:
        with open_warehouse(Path(built.db), read_only=True) as wh:
            police = scope_for(wh, state, Principal("p", "AG-POL", Role.PROGRAMME_OFFICER, "livelihood"))
            assert "F1" in set(police.filter(wh, "persons").person_id.to_pyarrow().to_pylist())
            assert "F1" in set(police.filter(wh, "farmer_enrolments").person_id.to_pyarrow().to_pylist())
    finally:
        state.close()
