"""Issue 9, item 9: grants and users for agencies that do not exist, or for a near-variant of one.

A grant to "ag-pol" shares nothing with the police (ids are exact) but looks done; an account at
"AG-POL " sees nothing, or, once such an agency is loaded, the wrong rows. Both are refused, with the
right id named, in the library, the CLI, the API and the sharing page (which offers a picker).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from agency_world import build_world
from baliza.access.agencies import UnknownAgency, check_agency
from baliza.access.clock import now
from baliza.access.grants import GrantError, add_grant
from baliza.access.roles import Role
from baliza.access.state import open_state
from baliza.access.users import UserError, add_user
from baliza.cli.app import app as cli
from baliza.web.app import create_app
from web_world import build_web_world, csrf_of, sign_in, user_name

KNOWN = ["AG-CUS", "AG-LIV", "AG-POL", "AG-PRO"]


@pytest.mark.parametrize("typed", ["ag-pol", "AG-POL ", " AG-POL", "AG POL", "Ag_Pol", "AG-POL\t"])
def test_near_variants_are_refused_naming_the_right_id(typed: str) -> None:
    with pytest.raises(UnknownAgency, match="the agency id is 'AG-POL'"):
        check_agency(typed, KNOWN)
    assert check_agency("AG-POL", KNOWN) == "AG-POL"


def test_an_unknown_agency_is_refused_with_the_closest_ids() -> None:
    with pytest.raises(UnknownAgency, match="did you mean 'AG-POL'"):
        check_agency("AG-POLI", KNOWN)
    with pytest.raises(UnknownAgency, match="the agencies are AG-CUS, AG-LIV, AG-POL, AG-PRO"):
        check_agency("MINISTRY", KNOWN)


def test_grants_and_users_check_their_agencies(tmp_path: Path) -> None:
    state = open_state(f"sqlite:///{tmp_path / 's.sqlite'}")
    later = now() + timedelta(days=3)
    with pytest.raises(GrantError, match="receiving agency 'ag-pol': the agency id is 'AG-POL'"):
        add_grant(state, "AG-CUS", "ag-pol", "seizure", "S1", "op", later, "t", known_agencies=KNOWN)
    with pytest.raises(GrantError, match="sharing agency 'AG-CUZ'"):
        add_grant(state, "AG-CUZ", "AG-POL", "seizure", "S1", "op", later, "t", known_agencies=KNOWN)
    with pytest.raises(UserError, match="the agency id is 'AG-CUS'"):
        add_user(state, "ana", "correct horse battery", "AG CUS", "analyst", known_agencies=KNOWN)
    assert add_grant(state, "AG-CUS", "AG-POL", "seizure", "S1", "op", later, "t", known_agencies=KNOWN).active
    state.close()


def test_the_cli_checks_agencies_against_the_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "country.duckdb"
    build_world(db).close()
    runner = CliRunner()
    env = {"BALIZA_PASSWORD": "a long password", "BALIZA_STATE_URL": ""}
    refused = runner.invoke(cli, ["user", "add", "ana", "--agency", "ag-cus", "--role", "analyst", "--db", str(db)],
                            env=env)
    assert refused.exit_code == 1 and "the agency id is 'AG-CUS'" in refused.output
    refused = runner.invoke(cli, ["grant", "add", "--from", "AG-CUS", "--to", "AG-POLICE", "--seizure", "S1",
                                  "--purpose", "op", "--db", str(db)], env=env)
    assert refused.exit_code == 1 and "'AG-POLICE'" in refused.output
    made = runner.invoke(cli, ["grant", "add", "--from", "AG-CUS", "--to", "AG-POL", "--seizure", "S1",
                               "--purpose", "op", "--db", str(db)], env=env)
    assert made.exit_code == 0, made.output


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    world = build_web_world(tmp_path_factory.mktemp("webagencies"))
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


def test_the_api_and_the_page_refuse_an_agency_that_does_not_exist(app) -> None:
    client = TestClient(app)
    csrf = sign_in(client, user_name("AG-CUS", Role.ANALYST))
    body = {"grantee_agency_id": "ag-pol", "kind": "seizure", "subject_id": "S2", "purpose": "op", "days": 3}
    answer = client.post("/api/grants", json=body, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 409 and "'AG-POL'" in answer.json()["detail"]
    page = client.post("/sharing", data={**body, "grantee_agency_id": "AG-NOWHERE", "csrf_token": csrf},
                       follow_redirects=False)
    assert page.status_code == 409 and "AG-NOWHERE" in page.text
    given = client.get("/api/grants").json()["given"]
    assert [(g["grantee_agency_id"], g["subject_id"]) for g in given] == [("AG-POL", "S1")]  # the world's own


def test_the_sharing_page_offers_a_picker_of_the_other_agencies(app) -> None:
    client = TestClient(app)
    sign_in(client, user_name("AG-CUS", Role.ANALYST))
    page = client.get("/sharing").text
    assert '<select name="grantee_agency_id" required>' in page
    assert re.search(r'<option value="AG-POL">[^<]*Police[^<]*</option>', page)  # by name, the id as value
    assert 'value="AG-CUS"' not in page  # not one's own agency
    assert csrf_of(page)
