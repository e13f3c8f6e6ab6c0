"""Search by id or name: any case, any part of a word, through a full-text index (SQLite FTS5 beside the
warehouse, 0600), within the viewer's scope; persons only for roles that may read them, protected people
masked and their names never indexed. The world is `explorer_world`.
"""

from __future__ import annotations

import sqlite3
import stat

import pytest
from fastapi.testclient import TestClient

from baliza.access.roles import Role
from baliza.warehouse import open_warehouse
from baliza.web.app import create_app
from baliza.web.search_index import SearchIndex
from explorer_world import build_explorer_world
from web_world import sign_in, user_name


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_explorer_world(tmp_path_factory.mktemp("search"))


@pytest.fixture(scope="module")
def app(world):
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


def hits(app, agency: str, query: str, role: Role = Role.ANALYST) -> set[tuple[str, str]]:
    client = TestClient(app)
    sign_in(client, user_name(agency, role))
    response = client.get("/api/search", params={"q": query})
    assert response.status_code == 200, response.text
    return {(h["kind"], h["id"]) for h in response.json()}


@pytest.mark.parametrize("query", ["callao", "CALLAO", "Callao", "  calLAO  ", "allao"])
def test_names_of_units_and_entry_points_in_any_case(app, query: str) -> None:
    assert {("unit", "U1"), ("entry_point", "EP1")} <= hits(app, "AG-CUS", query)


@pytest.mark.parametrize("query", ["s2", "S2"])
def test_short_ids_by_exact_match(app, query: str) -> None:
    assert ("seizure", "S2") in hits(app, "AG-CUS", query)


def test_persons_by_name_within_scope(app) -> None:
    assert ("person", "X1") in hits(app, "AG-CUS", "juan COURIER")
    assert ("person", "X2") in hits(app, "AG-CUS", "ana mule")
    # the police were shared seizure S1, whose arrest names X1; not X2
    assert ("person", "X1") in hits(app, "AG-POL", "Juan")
    assert hits(app, "AG-POL", "ana mule") == set()
    assert ("seizure", "S2") not in hits(app, "AG-POL", "S2")


def test_persons_hidden_from_roles_that_may_not_read_them(app) -> None:
    for role in (Role.ADMIN,):  # may read seizures and cases, not persons
        found = hits(app, "AG-CUS", "juan", role)
        assert not any(kind == "person" for kind, _ in found)
        assert ("seizure", "S1") in hits(app, "AG-CUS", "s1", role)


def test_protected_people_are_found_by_id_only_and_masked(app) -> None:
    client = TestClient(app)
    sign_in(client, user_name("AG-CUS", Role.ANALYST))
    found = client.get("/api/search", params={"q": "p1"}).json()
    person = [h for h in found if h["kind"] == "person"]
    assert person and person[0]["label"] == "[protected]" and "Witness" not in str(found)
    assert client.get("/api/search", params={"q": "witness protected"}).json() == []
    assert client.get("/api/search", params={"q": "farmer flores"}).json() == []


def test_substances_and_places_count_only_what_the_viewer_may_read(app) -> None:
    assert ("substance", "cocaine") in hits(app, "AG-CUS", "COCA")
    assert ("substance", "cocaine") in hits(app, "AG-POL", "cocaine")  # S1, shared with them
    assert ("substance", "cocaine") not in hits(app, "AG-PRO", "cocaine")  # no seizure of theirs
    assert ("place", "COL") in hits(app, "AG-CUS", "colombia")  # S5 came from Colombia
    assert ("place", "COL") not in hits(app, "AG-POL", "colombia")
    client = TestClient(app)
    sign_in(client, user_name("AG-CUS", Role.ANALYST))
    page = client.get("/chain", params={"q": "colombia"}).text
    assert 'href="/chain?country=COL"' in page and "Colombia (COL)" in page


def test_the_index_is_an_fts5_file_beside_the_warehouse_readable_by_its_owner_only(world, app) -> None:
    hits(app, "AG-CUS", "callao")
    path = world.db.with_name(world.db.name + ".search.sqlite")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    con = sqlite3.connect(path)
    schema = " ".join(r[0] for r in con.execute("select sql from sqlite_master where sql is not null"))
    body = " ".join(r[0] for r in con.execute("select body from docs"))
    con.close()
    assert "fts5" in schema and "trigram" in schema
    assert "witness" not in body and "farmer" not in body  # protected people: ids only
    assert "juan courier" in body


def test_the_index_is_rebuilt_when_the_warehouse_changes(tmp_path, world) -> None:
    db = tmp_path / "copy.duckdb"
    db.write_bytes(world.db.read_bytes())
    index = SearchIndex(db)
    with open_warehouse(db) as wh:
        index.ensure(wh, "1:1")
        assert not [m for m in index.match("S99") if m.kind == "seizure"]
        wh.duckdb.execute("insert into seizures (seizure_id, unit_id, seized_at, substance, substance_group, "
                          "quantity, quantity_unit, _agency_id, _load_id) values ('S99','U1','2025-05-05',"
                          "'khat','other',2,'kg','AG-CUS',2)")
        index.ensure(wh, "1:1")  # same state named: kept
        assert not [m for m in index.match("S99") if m.kind == "seizure"]
        index.ensure(wh, "2:8")  # a load finished
        assert [m.key for m in index.match("s99") if m.kind == "seizure"] == ["S99"]
        assert [m.key for m in index.match("KHAT") if m.kind == "substance"] == ["khat"]
