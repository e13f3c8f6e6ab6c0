"""The case file as a document: parties with their charges and outcome, a timeline, assets; names of
offices, prosecutors and agencies instead of codes; quantities and money as people write them; protected
people masked; a seizure held by another agency named by its holder only. The world is `explorer_world`.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from baliza.access.roles import Role
from baliza.web.app import create_app
from explorer_world import build_explorer_world
from web_world import sign_in, user_name


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    world = build_explorer_world(tmp_path_factory.mktemp("case"))
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


def page_of(app, agency: str, case_id: str, role: Role = Role.ANALYST) -> str:
    client = TestClient(app)
    sign_in(client, user_name(agency, role))
    response = client.get(f"/chain/case/{case_id}")
    assert response.status_code == 200, response.text
    article = re.search(r'<article class="case-file">(.*)</article>', response.text, re.S)
    assert article, "no case file document in the page"
    return re.sub(r"\s+", " ", article.group(1))


def test_a_case_reads_as_a_document_with_names(app) -> None:
    text = page_of(app, "AG-PRO", "C5")
    assert "<table" not in text  # sections and sentences, not a table dump
    assert "Opened on 2025-04-10 at Lima office, from a seizure, led by Prosecutor Rosa Diaz." in text
    assert "Held by Prosecution." in text
    assert "trafficking for 500 kg, filed 2025-04-12" in text
    assert "Outcome: dismissed on 2025-09-01." in text
    assert "<h2>Parties</h2>" in text and "<h2>What happened</h2>" in text and "<h2>Assets</h2>" in text
    assert "P9" not in text and "ST9" not in text  # codes give way to names


def test_a_seizure_held_by_another_agency_is_named_by_its_holder_only(app) -> None:
    text = page_of(app, "AG-PRO", "C5")
    assert "a seizure made on 2025-04-01, held by Customs: not shared with you" in text
    assert "941" not in text and "cocaine" not in text  # nothing of the seizure's content


def test_own_seizure_persons_and_protected_witness(app) -> None:
    text = page_of(app, "AG-CUS", "C9")
    assert "120 kg of cocaine seized on 2025-01-02 by Callao PCU at Callao" in text
    assert "Juan Courier (X1)</a>, defendant" in text
    assert "[protected]</a>, protected witness" in text and "Witness Protected" not in text


def test_sentences_money_and_the_timeline_in_order(app) -> None:
    text = page_of(app, "AG-POL", "C7")
    assert "Pedro Dealer (X3)" in text and "convicted on 2025-06-01, sentenced to 18 months" in text
    dates = re.findall(r"<time>(\d{4}-\d{2}-\d{2})</time>", text)
    assert dates == sorted(dates) and dates[0] == "2025-03-02"
    assets = page_of(app, "AG-PRO", "C1")
    assert "Vehicle worth USD 20,000" in assets


def test_roles_that_may_not_read_persons_see_ids_not_names(app) -> None:
    text = page_of(app, "AG-CUS", "C9", Role.ADMIN)
    assert "Juan Courier" not in text and "X1" in text


def test_the_api_keeps_the_rows_and_adds_the_document(app) -> None:
    client = TestClient(app)
    sign_in(client, user_name("AG-PRO", Role.ANALYST))
    body = client.get("/api/cases/C5").json()
    assert [c["charge_id"] for c in body["charges"]] == ["H5"]
    assert body["document"]["parties"][0]["outcome"].startswith("dismissed")
    assert client.get("/api/cases/C9").status_code == 404  # customs' own case: not shared with them
