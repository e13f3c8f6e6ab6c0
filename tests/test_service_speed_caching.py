"""Issue 12, item 4: finished answers are kept (`web.answers`), but never handed to another reader's view,
another language, or across a load or a decision; every read is still audited.

The attack: the police analyst asks first, so its findings list and its chain of S3 are cached; a customs
analyst then asks the same paths. With the reader's view missing from the cache key, customs would be
handed the police's bodies (S3's chain, the flag on S3, without customs' own flag on S2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from baliza.access.audit import entries, verify
from baliza.access.roles import Role
from baliza.access.state import open_state_beside
from baliza.access.tokens import add_token
from baliza.access.users import add_user
from baliza.analyses.model import Finding, Message, Reference
from baliza.cli.app import app as cli
from baliza.web import sources
from baliza.web.answers import answers_of
from baliza.web.app import create_app
from load_fixtures import write_dataset
from web_world import build_web_world, signed_in_client

WEIGHED = (Message("weighed %(kg)s kg on arrival", {"kg": 1234.5}),)  # the number is worded per language
FLAGS = [
    Finding("seizure_without_case", Reference("seizures", "S3"), 1.0, "", (Reference("seizures", "S3"),),
            "days since seizure", messages=WEIGHED),
    Finding("seizure_without_case", Reference("seizures", "S1"), 1.0, "S1 shared by customs",
            (Reference("seizures", "S1"),), "days since seizure"),
    Finding("seizure_without_case", Reference("seizures", "S2"), 1.0, "S2 of customs",
            (Reference("seizures", "S2"),), "days since seizure"),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    world = build_web_world(tmp_path_factory.mktemp("answers"))
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


@pytest.fixture(autouse=True)
def planted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "red_flags", lambda wh, results: FLAGS)  # one list: answers made of it are kept


def _subjects(response: Any) -> set[str]:
    assert response.status_code == 200, response.text
    return {f["subject"]["id"] for f in response.json()}


def test_a_cached_answer_never_reaches_another_agency(app: Any) -> None:
    police, customs = signed_in_client(app, "AG-POL"), signed_in_client(app, "AG-CUS")
    answers = answers_of(app.state.baliza)
    assert _subjects(police.get("/api/findings")) == {"S3", "S1"}
    hits = answers.hits
    assert _subjects(police.get("/api/findings")) == {"S3", "S1"}
    assert answers.hits > hits  # the police's second request was answered from the cache
    assert _subjects(customs.get("/api/findings")) == {"S1", "S2"}  # its own list, not the police's

    chain = police.get("/api/seizures/S3/chain")
    assert chain.status_code == 200 and police.get("/api/seizures/S3/chain").json() == chain.json()
    assert customs.get("/api/seizures/S3/chain").status_code == 404  # S3 is the police's, never shared
    assert customs.get("/chain/seizure/S3").status_code == 404


def test_a_kept_chain_page_is_its_readers_own(app: Any) -> None:
    """The chain page's HTML is kept too (`pages.seizure_page`): never for another agency, role or language."""
    police, customs = signed_in_client(app, "AG-POL"), signed_in_client(app, "AG-CUS")
    answers = answers_of(app.state.baliza)
    share = "/sharing?kind=seizure&amp;subject=S1"
    granted = police.get("/chain/seizure/S1")  # customs' S1, which customs granted to the police
    assert granted.status_code == 200 and share not in granted.text  # a grantee never shares another's seizure
    hits = answers.hits
    assert police.get("/chain/seizure/S1").text == granted.text
    assert answers.hits >= hits + 2  # the chain and its HTML were kept
    assert share in customs.get("/chain/seizure/S1").text  # the holder's analyst may share it
    officer = signed_in_client(app, "AG-CUS", Role.UNIT_OFFICER)  # the same view, a role that may not share
    held = officer.get("/chain/seizure/S1")
    assert held.status_code == 200 and share not in held.text
    spanish = police.get("/chain/seizure/S1", headers={"Accept-Language": "es"}).text
    assert "Cronología" in spanish and "Cronología" not in granted.text
    assert "Timeline" in granted.text and "Timeline" not in spanish


def test_each_language_gets_its_own_wording(app: Any) -> None:
    police = signed_in_client(app, "AG-POL")

    def weighed(lang: str) -> str:
        found = police.get("/api/findings", headers={"Accept-Language": lang}).json()
        return next(f["summary"] for f in found if f["subject"]["id"] == "S3")

    english, spanish = weighed("en"), weighed("es")
    assert "1,234.5" in english
    assert "1,234.5" not in spanish and "1234,5" in spanish.replace(".", "")
    assert weighed("en") == english  # and the English one is served again, not the Spanish


def test_a_decision_and_a_grant_change_the_cached_answer(app: Any) -> None:
    police = signed_in_client(app, "AG-POL")
    before = {f["subject"]["id"]: f for f in police.get("/api/findings").json()}
    assert before["S3"]["decision"] is None
    inspector = signed_in_client(app, "AG-POL", Role.PROSECUTION_INSPECTOR)  # decides for the agency
    decided = inspector.post(f"/api/findings/{before['S3']['finding_id']}/decision",
                             json={"decision": "confirmed", "note": "checked"},
                             headers={"X-CSRF-Token": inspector.headers["X-Test-Csrf"]})
    assert decided.status_code == 200, decided.text
    after = {f["subject"]["id"]: f for f in police.get("/api/findings").json()}
    assert after["S3"]["decision"]["decision"] == "confirmed"

    customs = signed_in_client(app, "AG-CUS")
    assert _subjects(police.get("/api/findings")) == {"S3", "S1"}
    shared = customs.post("/api/grants", json={"grantee_agency_id": "AG-POL", "kind": "seizure", "subject_id": "S2",
                                               "purpose": "joint operation", "days": 30},
                          headers={"X-CSRF-Token": customs.headers["X-Test-Csrf"]})
    assert shared.status_code in (200, 201), shared.text
    assert _subjects(police.get("/api/findings")) == {"S3", "S1", "S2"}  # the new grant is seen at once


def test_every_cached_read_is_audited_and_the_chain_verifies(app: Any) -> None:
    police = signed_in_client(app, "AG-POL")
    store = app.state.baliza.state
    before = entries(store, limit=1)[0].seq
    for _ in range(5):
        assert police.get("/api/findings").status_code == 200
        assert police.get("/api/seizures/S3/chain").status_code == 200
    new = [e for e in entries(store, limit=50) if e.seq > before]
    assert [e.action for e in new] == ["read_findings", "read_seizure"] * 5
    assert all("findings/" in e.detail for e in new if e.action == "read_findings")
    assert verify(store) == []


def test_a_load_changes_a_cached_chain(tmp_path: Path) -> None:
    db, runner = tmp_path / "w.duckdb", CliRunner()
    first = write_dataset(tmp_path / "first")
    assert runner.invoke(cli, ["load", str(first), "--db", str(db), "--agency", "AG-1"]).exit_code == 0
    state = open_state_beside(db)
    add_user(state, "ana", "a long password", "AG-1", Role.ANALYST)
    bearer = {"Authorization": f"Bearer {add_token(state, 'ana', 'test')[1]}"}
    state.close()
    app = create_app(db)
    try:
        with TestClient(app) as client:
            chain = [client.get("/api/seizures/S3/chain", headers=bearer) for _ in range(2)]
            assert chain[0].status_code == 200 and chain[0].json() == chain[1].json() and "C3" not in chain[0].text
            assert answers_of(app.state.baliza).hits >= 1
            second = write_dataset(tmp_path / "second", {"cases": "case_id,office_id,opened_at,origin,seizure_id\n"
                                                                  "C3,P1,2025-03-10T00:00:00Z,seizure,S3\n"})
            assert runner.invoke(cli, ["load", str(second), "--db", str(db), "--agency", "AG-1"]).exit_code == 0
            client.get("/health")  # the server notices the new file
            app.state.baliza.wait_for_refresh(60)
            assert "C3" in client.get("/api/seizures/S3/chain", headers=bearer).text
    finally:
        app.state.baliza.close()
