"""The person page and API list the same person's records in other agencies, within the reader's scope.

The web world (tests/web_world.py: customs shares seizure S1, and with it its person X1, with the police)
gets three more records, written here: the police's and the prosecution's records of X1 (name written
surname first, upper case), and the police's record of customs' protected witness P1. People are then
resolved and kept in the warehouse, as `baliza people resolve` does.
"""

from __future__ import annotations

from typing import Any

import pytest

from baliza.access.roles import Role
from baliza.analyses.people import resolve_warehouse
from baliza.analyses.people.involvement import repeat_findings
from baliza.analyses.people.stored import cluster_of, store_resolution
from baliza.warehouse import open_warehouse
from baliza.web.app import create_app
from web_world import build_web_world, signed_in_client


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    world = build_web_world(tmp_path_factory.mktemp("people"))
    with open_warehouse(world.db) as wh:
        wh.duckdb.execute(
            "insert into persons (person_id, full_name, birth_date, nationality, protected, _agency_id, _load_id) "
            "values ('XP1', 'COURIER, JUAN', '1990-01-01', 'PER', false, 'AG-POL', 7),"
            " ('XR1', 'Juan Courier', '1990-01-01', 'PER', false, 'AG-PRO', 5),"
            " ('PP1', 'PROTECTED, Witness', '1984-02-03', 'PER', false, 'AG-POL', 7)")
        wh.duckdb.execute("update persons set birth_date = '1984-03-02' where person_id = 'P1'")
        wh.duckdb.execute("insert into arrests (arrest_id, person_id, unit_id, arrested_at, _agency_id, _load_id) "
                          "values ('A7', 'XP1', 'Q1', '2025-04-01', 'AG-POL', 7)")
        store_resolution(wh, resolve_warehouse(wh))
    return world


@pytest.fixture(scope="module")
def app(world: Any) -> Any:
    return create_app(world.db, state_url=world.state_url)


def test_records_are_resolved_and_kept(world: Any) -> None:
    with open_warehouse(world.db, read_only=True) as wh:
        members, links = cluster_of(wh, "XP1")
        protected, _ = cluster_of(wh, "PP1")
        findings = repeat_findings(wh)
    assert {m.person_id for m in members} == {"X1", "XP1", "XR1"}
    assert {m.agency_id for m in members} == {"AG-CUS", "AG-POL", "AG-PRO"}
    assert links and all("name" in k.agreed() and k.levels["birth"] == "same" for k in links)
    assert {m.person_id: m.protected for m in protected} == {"P1": True, "PP1": False}
    # X1 arrested by customs at S1 (A1) and a defendant in the prosecution's case C1 on S1: one event; XP1
    # arrested by the police (A7, no seizure): another, that neither record shows with the first
    [finding] = [f for f in findings if f.details["records"] == 3]
    assert finding.details["events"] == 2 and finding.details["most_in_one_record"] == 1
    assert finding.details["arrests"] == 2 and finding.details["agencies"] == 3
    assert {e.id for e in finding.evidence} >= {"X1", "XP1", "A1", "A7", "C1", "S1"}
    assert not [f for f in findings if "P1" in {e.id for e in f.evidence} or "PP1" in {e.id for e in f.evidence}]


def test_the_page_names_what_is_shared_and_only_the_holder_of_the_rest(app: Any) -> None:
    police = signed_in_client(app, "AG-POL", Role.ANALYST)
    answer = police.get("/api/persons/XP1").json()["elsewhere"]
    # X1 is customs' record, shared with the police through seizure S1; XR1 the prosecution's, not shared
    assert [(r["person_id"], r["agency_id"]) for r in answer["readable"]] == [("X1", "AG-CUS")]
    assert answer["readable"][0]["agreed"] and answer["readable"][0]["match_weight"] > 0
    assert answer["held_elsewhere"] == [{"agency_id": "AG-PRO", "agency_name": "Prosecution", "records": 1}]
    page = police.get("/chain/person/XP1").text
    assert "/chain/person/X1\"" in page and "Prosecution holds 1 record of this person" in page
    assert page.count("Prosecution holds 1 record of this person") == 1  # in the page's body, not its title too
    assert "<title>Person XP1 · Baliza</title>" in page
    assert "XR1" not in page and "XR1" not in str(answer)


def test_another_agency_learns_only_that_records_exist(app: Any) -> None:
    customs = signed_in_client(app, "AG-CUS", Role.ANALYST)
    answer = customs.get("/api/persons/X1").json()["elsewhere"]
    assert answer["readable"] == []  # nothing of the police's or the prosecution's is shared with customs
    assert {h["agency_id"]: h["records"] for h in answer["held_elsewhere"]} == {"AG-POL": 1, "AG-PRO": 1}
    assert "XP1" not in str(answer) and "XR1" not in str(answer)


def test_a_protected_record_is_never_disclosed_through_a_link(app: Any) -> None:
    police = signed_in_client(app, "AG-POL", Role.ANALYST)
    answer = police.get("/api/persons/PP1").json()["elsewhere"]
    assert answer["readable"] == [] and answer["held_elsewhere"] == []
    page = police.get("/chain/person/PP1").text
    assert "P1\"" not in page and "Customs holds" not in page


def test_the_finding_reaches_the_queue_redacted_to_the_readers_scope(app: Any) -> None:
    customs = signed_in_client(app, "AG-CUS", Role.ANALYST)
    [finding] = [f for f in customs.get("/api/findings").json() if f["rule"] == "person_across_agencies"]
    # the subject is customs' own record; the police's arrest and record are only named with their holder
    assert finding["subject"] == {"table": "persons", "id": "X1"}
    assert {"table": "arrests", "held_by": "AG-POL"} in finding["evidence"]
    assert "AG-POL" in finding["withheld"] and finding["details"] == {}
    assert "XP1" not in str(finding) and "A7" not in str(finding)
    page = customs.get("/findings").text
    assert "One person in separate seizures, arrests or cases, across agencies" in page
