"""The targeting page: today's queue for the officer's own entry point, outcomes entered there feeding the
next training, the model card, and every opening audited."""

from __future__ import annotations

import json

import duckdb
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from baliza.access.audit import entries
from baliza.access.roles import Role
from baliza.access.state import open_state, state_url_for
from baliza.access.users import add_user
from baliza.cli.app import app as cli
from baliza.demo import generate_country
from baliza.targeting.inputs import entered_outcomes
from baliza.web.app import create_app
from web_world import PASSWORD, csrf_of, sign_in


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("targetweb")
    generate_country(folder / "country", seed=4, scale="small", truth_path=folder / "truth.json")
    db = folder / "w.duckdb"
    assert CliRunner().invoke(cli, ["load", str(folder / "country"), "--db", str(db)]).exit_code == 0
    result = CliRunner().invoke(cli, ["target", "train", "--db", str(db), "--model", str(folder / "targeting-model")])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(db), read_only=True) as con:
        point, agency = con.execute("""
            select c.entry_point_id, min(u.agency_id) from consignments c join units u
              on u.entry_point_id = c.entry_point_id
            where not exists (select 1 from inspections i where i.consignment_id = c.consignment_id)
            group by 1 order by count(*) desc limit 1""").fetchone()
        name = con.execute("select name from entry_points where entry_point_id = ?", [point]).fetchone()[0]
        other = con.execute("select agency_id from agencies where agency_id <> ? order by 1 limit 1",
                            [agency]).fetchone()[0]
    state = open_state(state_url_for(db), key_home=db)
    add_user(state, "port_officer", PASSWORD, agency, Role.UNIT_OFFICER)
    add_user(state, "stranger", PASSWORD, other, Role.UNIT_OFFICER)
    state.close()
    application = create_app(db)
    yield {"db": db, "app": application, "point": point, "name": name, "model": folder / "targeting-model"}
    application.state.baliza.close()


def _audit(world: dict) -> list[tuple[str, str, str]]:
    state = open_state(state_url_for(world["db"]), key_home=world["db"])
    try:
        return [(e.actor, e.action, e.subject) for e in entries(state, limit=30)]
    finally:
        state.close()


def test_the_officer_sees_todays_queue_with_reasons_and_the_model_card(world: dict) -> None:
    client = TestClient(world["app"])
    sign_in(client, "port_officer")
    index = client.get("/targeting")
    assert index.status_code == 200 and world["name"] in index.text
    page = client.get(f"/targeting/{world['point']}?capacity=5&explore=0.2&days=400")
    assert page.status_code == 200, page.text
    html = page.text
    assert world["name"] in html and "Model card" in html and "population stability index" in html
    assert html.count('name="consignment_id"') == 5
    assert "Chosen to explore" in html  # one of five
    assert ("port_officer", "target_queue_opened", f"entry_points/{world['point']}") in _audit(world)


def test_an_outcome_entered_on_the_page_feeds_the_next_training(world: dict) -> None:
    client = TestClient(world["app"])
    sign_in(client, "port_officer")
    html = client.get(f"/targeting/{world['point']}?capacity=3").text
    consignment = html.split('name="consignment_id" value="')[1].split('"')[0]
    answer = client.post(f"/targeting/{world['point']}/outcome", follow_redirects=False,
                         data={"csrf_token": csrf_of(html), "consignment_id": consignment, "outcome": "1"})
    assert answer.status_code == 303, answer.text
    assert entered_outcomes(world["model"]) == {consignment: 1}
    assert ("port_officer", "target_outcome_entered", f"consignments/{consignment}") in _audit(world)
    result = CliRunner().invoke(cli, ["target", "train", "--db", str(world["db"]), "--model", str(world["model"]),
                                      "--json"])
    assert result.exit_code == 0, result.output
    before = json.loads((world["model"] / "model.json").read_text())["card"]
    assert before["inspected"] >= 1
    refused = client.post(f"/targeting/{world['point']}/outcome", follow_redirects=False,
                          data={"csrf_token": csrf_of(html), "consignment_id": "CN-NOT-HERE", "outcome": "1"})
    assert refused.status_code == 404
    no_token = client.post(f"/targeting/{world['point']}/outcome", follow_redirects=False,
                           data={"consignment_id": consignment, "outcome": "0"})
    assert no_token.status_code == 403


def test_another_agency_may_not_open_the_queue_and_is_recorded(world: dict) -> None:
    client = TestClient(world["app"])
    sign_in(client, "stranger")
    assert client.get(f"/targeting/{world['point']}").status_code == 404
    assert ("stranger", "target_queue_refused", f"entry_points/{world['point']}") in _audit(world)
    signed_out = TestClient(world["app"]).get(f"/targeting/{world['point']}", follow_redirects=False)
    assert signed_out.status_code == 303
