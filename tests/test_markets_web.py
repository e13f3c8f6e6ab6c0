"""The online-markets page and API: filters, and only the listings the caller's agency reported or was
granted."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from baliza.access.roles import Role
from baliza.warehouse import open_warehouse
from baliza.web.app import create_app
from markets_world import insert, listing_rows
from web_world import build_web_world, sign_in, user_name


@pytest.fixture
def app(tmp_path):
    world = build_web_world(tmp_path)
    rows = listing_rows([
        {"listing_id": "OL-POL-1", "title": "Perico puro 5g", "price": 150.0, "currency": "USD",
         "vendor_handle": "Nevado", "platform": "Nexo Market", "ships_to": "Peru only"},
        {"listing_id": "OL-POL-2", "title": "Maconha prensada 100g", "price": 90.0, "currency": "USD",
         "vendor_handle": "Verde", "platform": "Telegram", "ships_to": "Brasil"},
        {"listing_id": "OL-CUS-1", "title": "Tusi rosado 3g", "price": 60.0, "currency": "USD",
         "vendor_handle": "Rosa", "platform": "Instagram", "ships_to": "Peru"}])
    rows["_agency_id"] = ["AG-POL", "AG-POL", "AG-CUS"]
    rows["_load_id"] = 7
    with open_warehouse(world.db) as wh:
        insert(wh, "online_listings", pd.DataFrame(rows))
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


def _client(app, role: Role) -> TestClient:
    client = TestClient(app)
    sign_in(client, user_name("AG-POL", role))
    return client


def test_an_analyst_sees_their_agencys_listings_filtered_and_never_another_agencys(app) -> None:
    client = _client(app, Role.ANALYST)
    listed = client.get("/api/markets/listings").json()
    assert sorted(r["listing_id"] for r in listed) == ["OL-POL-1", "OL-POL-2"]
    assert {r["listing_id"]: r["substance_group"] for r in listed} == {"OL-POL-1": "cocaine_type",
                                                                       "OL-POL-2": "cannabis_type"}
    only = client.get("/api/markets/listings", params={"substance": "cannabis_type"}).json()
    assert [r["listing_id"] for r in only] == ["OL-POL-2"]
    page = client.get("/markets", params={"ships_to": "peru"})
    assert page.status_code == 200
    assert "Perico puro 5g" in page.text and "Maconha" not in page.text and "Tusi" not in page.text
    assert '<a href="/markets" class="here">Online markets</a>' in page.text  # in the navigation


def test_a_role_without_findings_is_refused(app) -> None:
    client = _client(app, Role.UNIT_OFFICER)
    assert client.get("/api/markets/listings").status_code == 403
    assert client.get("/markets", follow_redirects=False).status_code in (303, 403)
