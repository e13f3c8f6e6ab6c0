"""Issue 9, item 5: another local account reads the files beside the warehouse.

The attacks: read the warehouse, the state store (with its WAL), the key files, a report, an audit
anchor; take a session id out of a copy of the state store, or sign a session cookie with a key found
there. Files must be 0600 in a 0700 folder, session ids stored as hashes, the signing key elsewhere.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from itsdangerous import URLSafeSerializer
from typer.testing import CliRunner

from agency_world import build_world
from baliza.access.audit import record
from baliza.access.fieldcrypt import key_for
from baliza.access.files import key_from
from baliza.access.state import open_state, open_state_beside, sessions, settings
from baliza.cli.app import app as cli
from baliza.warehouse.store import open_warehouse
from baliza.web.app import create_app
from baliza.web.sessions import COOKIE_NAME
from web_world import build_web_world, sign_in

ANALYST = "ag_cus_analyst"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most accounts have (022): what a careless process creates is world-readable."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_warehouse_state_keys_and_their_folder_are_private(tmp_path: Path, usual_umask: None) -> None:
    folder = tmp_path / "data"
    db = folder / "country.duckdb"
    with build_world(db) as wh:
        wh.duckdb.execute("checkpoint")
    key_for(db)
    state = open_state_beside(db)
    record(state, "ana", "AG-CUS", "test")
    state.close()
    written = sorted(p for p in folder.iterdir())
    assert {p.name for p in written} >= {"country.duckdb", "country.duckdb.key", "country.state.sqlite",
                                         "country.state.sqlite.audit.key"}
    assert {p.name: oct(mode(p)) for p in written} == {p.name: oct(0o600) for p in written}
    assert mode(folder) == 0o700


def test_files_made_before_are_tightened_when_opened(tmp_path: Path, usual_umask: None) -> None:
    db = tmp_path / "old.duckdb"
    build_world(db).close()
    db.chmod(0o644)
    state_file = tmp_path / "old.state.sqlite"
    open_state_beside(db).close()
    state_file.chmod(0o644)
    open_warehouse(db).close()  # any writable open of the warehouse tightens it
    open_state_beside(db).close()
    assert mode(db) == 0o600 and mode(state_file) == 0o600


def test_reports_and_anchors_are_written_private(tmp_path: Path, usual_umask: None) -> None:
    db = tmp_path / "country.duckdb"
    build_world(db).close()
    runner = CliRunner()
    report = tmp_path / "out" / "country.html"
    result = runner.invoke(cli, ["report", "country", "--db", str(db), "--out", str(report)],
                           env={"BALIZA_STATE_URL": ""})
    assert result.exit_code == 0, result.output
    anchor = tmp_path / "anchor.json"
    result = runner.invoke(cli, ["audit", "anchor", "--db", str(db), "--out", str(anchor)],
                           env={"BALIZA_STATE_URL": ""})
    assert result.exit_code == 0, result.output
    assert mode(report) == 0o600 and mode(report.parent) == 0o700 and mode(anchor) == 0o600


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_web_world(tmp_path_factory.mktemp("websessions"))


def test_a_copy_of_the_state_store_holds_no_usable_session_id(world) -> None:
    app = create_app(world.db, state_url=world.state_url)
    try:
        client = TestClient(app)
        sign_in(client, ANALYST)
        session_id = app.state.baliza.cookies.load(client.cookies[COOKIE_NAME])
        state = open_state(world.state_url)
        with state.engine.connect() as conn:
            stored = [row.session_id for row in conn.execute(sa.select(sessions))]
        state.close()
        assert session_id not in stored
        assert hashlib.sha256(session_id.encode()).hexdigest() in stored
        # the attacker replays what the table holds as a cookie: signed with the real key, still nothing
        for value in stored:
            thief = TestClient(app, cookies={COOKIE_NAME: app.state.baliza.cookies.dump(value)})
            assert thief.get("/api/me").status_code == 401
        assert client.get("/api/me").json()["username"] == ANALYST
    finally:
        app.state.baliza.close()


def test_the_cookie_signing_key_is_not_in_the_state_store(world, tmp_path: Path) -> None:
    app = create_app(world.db, state_url=world.state_url)
    try:
        state = open_state(world.state_url)
        with state.engine.connect() as conn:
            kept = dict(conn.execute(sa.select(settings.c.name, settings.c.value)).all())
        state.close()
        assert "session_key" not in kept
        # what an attacker would do with a key found there: sign a session id of their choosing
        for value in kept.values():
            forged = URLSafeSerializer(value, salt="baliza-session").dumps("chosen-id")
            assert TestClient(app, cookies={COOKIE_NAME: forged}).get("/api/me").status_code == 401
        key_file = Path(world.state_url.removeprefix("sqlite:///") + ".session.key")
        assert key_file.exists() and mode(key_file) == 0o600
    finally:
        app.state.baliza.close()


def _make_key(barrier: threading.Barrier, path: Path, got: list[bytes], failed: list[str]) -> None:
    barrier.wait()
    try:
        got.append(key_from("BALIZA_TEST_RACE_KEY", path))
    except ValueError as error:
        failed.append(str(error))


def test_makers_of_a_key_at_once_all_get_the_same_whole_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key file appears whole or not at all: whoever finds it never reads it half written (two service
    workers making the audit key on their first requests)."""
    monkeypatch.delenv("BALIZA_TEST_RACE_KEY", raising=False)
    for attempt in range(150):
        path = tmp_path / f"race-{attempt}" / "state.sqlite.audit.key"
        barrier, got, failed = threading.Barrier(12), [], []
        makers = [threading.Thread(target=_make_key, args=(barrier, path, got, failed)) for _ in range(12)]
        for maker in makers:
            maker.start()
        for maker in makers:
            maker.join()
        assert not failed, failed[:1]
        assert len(set(got)) == 1 and len(got) == 12
