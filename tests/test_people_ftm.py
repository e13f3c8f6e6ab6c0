"""`baliza export ftm`: FollowTheMoney entities that follow the FtM schema rules, cut to the reader's scope,
protected people withheld, and the same-person links of people resolution as links between records.

The world is the web world (tests/web_world.py) with the police's record of customs' courier X1 added here
and people resolved. Validation uses the `followthemoney` package's own model: every schema exists and
is not abstract, every property belongs to its schema, every value is already in the form FtM cleans it to
(countries as "pe", dates as ISO), and every reference names an exported entity of the expected schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from baliza.cli.app import app
from baliza.warehouse import open_warehouse
from web_world import build_web_world, user_name

ftm_model = pytest.importorskip("followthemoney").model


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    world = build_web_world(tmp_path_factory.mktemp("ftm"))
    with open_warehouse(world.db) as wh:
        wh.duckdb.execute(
            "insert into persons (person_id, full_name, birth_date, nationality, id_document, protected, _agency_id,"
            " _load_id) values ('XP1', 'COURIER, Juan', '1990-01-01', 'PER', null, false, 'AG-POL', 7)")
        wh.duckdb.execute("insert into organizations (organization_id, name, country, kind, _agency_id, _load_id)"
                          " values ('O1', 'Andes Freight SAC', 'PER', 'freight_forwarder', 'AG-CUS', 1)")
    resolved = CliRunner().invoke(app, ["people", "resolve", "--db", str(world.db), "--json"],
                                  env={"BALIZA_STATE_URL": world.state_url})
    assert resolved.exit_code == 0, resolved.output
    summary = json.loads(resolved.stdout)["summary"]
    assert summary["records_compared"] == 6 and summary["people_across_agencies"] == 1
    return world


def test_people_show_gives_the_links_and_their_evidence(world: Any) -> None:
    shown = CliRunner().invoke(app, ["people", "show", "XP1", "--db", str(world.db), "--json"])
    assert shown.exit_code == 0, shown.output
    answer = json.loads(shown.stdout)
    assert sorted(r["person_id"] for r in answer["records"]) == ["X1", "XP1"]
    [link] = answer["links"]
    assert link["levels"]["name"] == "same" and link["levels"]["birth"] == "same" and link["match_weight"] > 10


def _export(world: Any, tmp: Path, *options: str) -> list[dict[str, Any]]:
    out = tmp / "out.ftm.json"
    result = CliRunner().invoke(app, ["export", "ftm", "--db", str(world.db), "--out", str(out), "--json",
                                      *options], env={"BALIZA_STATE_URL": world.state_url})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["out"] == str(out)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _problems(entities: list[dict[str, Any]]) -> list[str]:
    """What breaks the FtM schema rules, as sentences."""
    problems = []
    by_id = {e["id"]: e for e in entities}
    assert len(by_id) == len(entities), "entity ids are not unique"
    for e in entities:
        schema = ftm_model.get(e["schema"])
        if schema is None or schema.abstract:
            problems.append(f"{e['id']}: schema {e['schema']} is not a concrete FtM schema")
            continue
        for name, values in e["properties"].items():
            prop = schema.get(name)
            if prop is None:
                problems.append(f"{e['id']}: {e['schema']} has no property {name}")
                continue
            for value in values:
                if prop.type.name == "entity":
                    target = by_id.get(value)
                    if target is None or not ftm_model.get(target["schema"]).is_a(prop.range):
                        problems.append(f"{e['id']}: {name} names {value}, not an exported {prop.range.name}")
                elif prop.type.clean(value) != value:
                    problems.append(f"{e['id']}: {name} value {value!r} is not clean ({prop.type.clean(value)!r})")
    return problems


@pytest.fixture(scope="module")
def operators(world: Any, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return _export(world, tmp_path_factory.mktemp("operator"))


def test_the_operators_export_follows_the_ftm_schema(operators: list[dict[str, Any]]) -> None:
    entities = operators
    assert not _problems(entities)
    schemata = {e["schema"] for e in entities}
    assert schemata == {"Person", "Organization", "CourtCase", "CourtCaseParty", "UnknownLink"}
    people = {e["properties"]["description"][0].split()[-1]: e for e in entities if e["schema"] == "Person"}
    assert people["X1"]["properties"]["nationality"] == ["pe"]
    assert people["X1"]["properties"]["name"] == ["Juan Courier"]
    [link] = [e for e in entities if e["schema"] == "UnknownLink"]
    assert {link["properties"]["subject"][0], link["properties"]["object"][0]} == {people["X1"]["id"],
                                                                                   people["XP1"]["id"]}
    assert "agreed on: name" in link["properties"]["description"][0]


def test_protected_people_are_withheld_with_their_parties(operators: list[dict[str, Any]]) -> None:
    entities = operators
    text = json.dumps(entities)
    # P1 is flagged protected (a witness of case C9), F1 enrolled in the livelihood programme
    for withheld in ("Witness Protected", "Farmer Flores", "1970-05-05"):
        assert withheld not in text
    parties = [e for e in entities if e["schema"] == "CourtCaseParty"]
    assert [p["properties"]["role"] for p in parties] == [["defendant"]]


def test_a_users_export_holds_only_what_the_user_may_read(world: Any, tmp_path: Path) -> None:
    entities = _export(world, tmp_path, "--user", user_name("AG-POL", "analyst"))
    assert not _problems(entities)
    people = sorted(e["properties"]["description"][0].split()[-1] for e in entities if e["schema"] == "Person")
    # the police's own X3 and XP1, and customs' X1 shared through seizure S1; never customs' X2
    assert people == ["X1", "X3", "XP1"]
    cases = sorted(e["properties"]["caseNumber"][0] for e in entities if e["schema"] == "CourtCase")
    assert "C1" not in cases and "O1" not in json.dumps(entities) and "Andes Freight" not in json.dumps(entities)
    assert [e["schema"] for e in entities].count("UnknownLink") == 1
