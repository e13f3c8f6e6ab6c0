"""`baliza keys rotate`: every sealed cell under a new key, lookups recomputed, while a server keeps serving.

One small warehouse per test (a few persons, one of them in treatment, one bad row in quarantine), loaded
and served with the helpers of `test_service_loading`.
"""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from baliza.access.audit import entries
from baliza.access.fieldcrypt import TOKEN, KeyRing, Sealer, key_path, next_key_path, opens, retired_key_path
from baliza.access.state import open_state_beside
from baliza.cli.app import app as cli
from baliza.warehouse.publishing import file_identity
from baliza.web.app import create_app
from load_fixtures import VALID, write_dataset
from test_service_loading import _load, _world
from web_world import baliza_command, environment_for, served_process

runner = CliRunner()
PERSONS = (
    "person_id,full_name,birth_date,nationality,id_document,phone,address\n"
    "X1,Juan Perez,1980-02-03,PER,DNI-1,+51 999 111 222,Lima\n"
    "X2,Maria Lopez,1990-04-05,COL,CC-2,+57 300 222 333,Bogota\n"
    "X3,Rosa Quispe,1975-06-07,PER,DNI-3,,Cusco\n"
    "X4,Pedro Bad,1975-13-45,PER,DNI-4,,Puno\n"
)
EPISODES = (
    "episode_id,person_id,provider_id,admitted_at,setting,primary_substance_group\n"
    "T1,X3,U1,2025-01-05,outpatient,cocaine_type\n"
)


@pytest.fixture(autouse=True)
def _key_from_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BALIZA_KEY", raising=False)


def _warehouse(tmp_path: Path) -> tuple[Path, str]:
    db, token = _world(tmp_path)
    more = write_dataset(tmp_path / "people", {"persons": PERSONS, "treatment_episodes": EPISODES})
    assert _load(db, more).exit_code == 0
    return db, token


def _tokens(db: Path) -> dict[tuple[str, str], list[str]]:
    """Every token in every text column of the warehouse, by table and column (and `("cells", "")`: how many
    cells hold one, as many "x")."""
    found: dict[tuple[str, str], list[str]] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal "
                              "AND data_type IN ('VARCHAR', 'JSON')").fetchall()
        for table, column in columns:
            for (text,) in con.execute(f'SELECT CAST("{column}" AS VARCHAR) FROM "{table}"').fetchall():
                for token in TOKEN.findall(text or ""):
                    found.setdefault((table, column), []).append(token)
                if TOKEN.search(text or ""):
                    found.setdefault(("cells", ""), []).append("x")
    return found


def _lookups(db: Path) -> dict[str, tuple[str, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0]: r[1:] for r in con.execute("SELECT * FROM person_lookups").fetchall()}


def _key(db: Path) -> bytes:
    return base64.b64decode(key_path(db).read_text())


def _person(client: TestClient | httpx.Client, token: str, person_id: str) -> dict[str, object]:
    answer = client.get(f"/api/persons/{person_id}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()["person"]


def test_rotation_reseals_every_cell_and_keeps_identities_and_lookups(tmp_path: Path) -> None:
    db, token = _warehouse(tmp_path)
    app = create_app(db)
    with TestClient(app) as client:
        before_people = {p: _person(client, token, p) for p in ("X1", "X2")}
    app.state.baliza.close()
    assert before_people["X1"]["full_name"] == "Juan Perez"
    old_key, old_tokens, old_lookups = _key(db), _tokens(db), _lookups(db)
    old_cells = old_tokens.pop(("cells", ""))
    assert {"persons", "quarantine"} <= {table for table, _ in old_tokens}  # the bad row's cells are sealed too
    old_clear = {place: [KeyRing([old_key]).open(t) for t in tokens] for place, tokens in old_tokens.items()}

    rotated = runner.invoke(cli, ["keys", "rotate", "--db", str(db), "--json"])
    assert rotated.exit_code == 0, rotated.output
    summary = json.loads(rotated.stdout)
    new_key = _key(db)
    assert new_key != old_key
    new_tokens = _tokens(db)
    cells = new_tokens.pop(("cells", ""))
    assert summary["sealed_cells"] == len(cells) == len(old_cells)
    assert sum(len(t) for t in new_tokens.values()) == sum(len(t) for t in old_tokens.values())
    # every token changed, opens with the new key only, and holds the same value
    assert not {t for ts in old_tokens.values() for t in ts} & {t for ts in new_tokens.values() for t in ts}
    assert all(opens(new_key, t) and not opens(old_key, t) for ts in new_tokens.values() for t in ts)
    assert {place: [KeyRing([new_key]).open(t) for t in tokens] for place, tokens in new_tokens.items()} == old_clear
    # the old tokens are not in the published file's free blocks either, and the old key is gone
    raw = db.read_bytes()
    assert not any(t.encode() in raw for ts in old_tokens.values() for t in ts[:50])
    assert not retired_key_path(db).exists() and not next_key_path(db).exists()
    assert not [p.name for p in tmp_path.iterdir() if ".loading-" in p.name]
    # blind indexes: the same people, new digests, that match a lookup made with the new key
    new_lookups = _lookups(db)
    assert set(new_lookups) == set(old_lookups) and summary["lookups"] == len(new_lookups)
    assert "X3" not in new_lookups  # in treatment: never linked
    assert new_lookups["X1"] != old_lookups["X1"]
    assert new_lookups["X1"][0] == Sealer(new_key).blind_index("full_name:juan perez")
    assert new_lookups["X1"][2] == Sealer(new_key).blind_index("id_document:DNI-1")

    app = create_app(db)
    with TestClient(app) as client:
        assert {p: _person(client, token, p) for p in ("X1", "X2")} == before_people
    app.state.baliza.close()
    # the row hashes were recomputed: the same persons loaded again change nothing
    again = _load(db, write_dataset(tmp_path / "again", {"persons": PERSONS}))
    assert json.loads(again.stdout)["tables"]["persons"]["unchanged"] == 3
    store = open_state_beside(db)
    audited = [e for e in entries(store) if e.action == "key_rotate"]
    store.close()
    assert len(audited) == 1 and summary["new_key_id"] in audited[0].detail
    assert summary["old_key_id"] in audited[0].detail and "Juan" not in audited[0].detail
    status = json.loads(runner.invoke(cli, ["keys", "status", "--db", str(db), "--json"]).stdout)
    assert status["key_id"] == summary["new_key_id"] and status["opens_warehouse"] is True
    assert status["rotations"] == 1 and status["last_rotation"] == audited[0].at


KILLED_ROTATION = """
import os, signal, sys
from pathlib import Path
import baliza.warehouse.rotation as rotation

where = sys.argv[2]
if where == "resealing":
    def killed(warehouse):
        os.kill(os.getpid(), signal.SIGKILL)
    rotation.rebuild_file = killed
else:
    publishing = rotation.publishing
    def publishing_then_killed(*args, before_publish, **kwargs):
        def swap_then_die():
            before_publish()
            os.kill(os.getpid(), signal.SIGKILL)
        return publishing(*args, before_publish=swap_then_die, **kwargs)
    rotation.publishing = publishing_then_killed
rotation.rotate_field_key(Path(sys.argv[1]), "killed")
"""


@pytest.mark.parametrize("where", ["resealing", "publishing"])
def test_a_killed_rotation_changes_nothing(tmp_path: Path, where: str) -> None:
    db, token = _warehouse(tmp_path)
    old_key, old_tokens, served = _key(db), _tokens(db), file_identity(db)
    old_tokens.pop(("cells", ""))
    killed = subprocess.run([sys.executable, "-c", KILLED_ROTATION, str(db), where], capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert file_identity(db) == served  # the warehouse was never written
    left = retired_key_path(db) if where == "publishing" else next_key_path(db)
    assert left.exists(), "the rotation should have been killed with its key files half moved"
    app = create_app(db)  # readers open the old file's tokens whatever the key files say
    with TestClient(app) as client:
        assert _person(client, token, "X1")["full_name"] == "Juan Perez"
    app.state.baliza.close()
    # the next writer puts the key files right: the old key, alone
    assert _load(db, write_dataset(tmp_path / "again", {"persons": PERSONS})).exit_code == 0
    assert _key(db) == old_key and not retired_key_path(db).exists() and not next_key_path(db).exists()
    now = _tokens(db)
    now.pop(("cells", ""))
    assert all(opens(old_key, t) for ts in now.values() for t in ts)
    assert sorted(KeyRing([old_key]).open(t) for t in now[("persons", "full_name")]) == \
        sorted(KeyRing([old_key]).open(t) for t in old_tokens[("persons", "full_name")])


def test_a_rotation_refuses_a_key_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BALIZA_KEY", base64.b64encode(b"k" * 32).decode())
    db = tmp_path / "w.duckdb"
    assert _load(db, write_dataset(tmp_path / "d", {**VALID, "persons": PERSONS})).exit_code == 0
    refused = runner.invoke(cli, ["keys", "rotate", "--db", str(db)])
    assert refused.exit_code == 1 and "BALIZA_KEY" in refused.output and "Traceback" not in refused.output


def test_a_served_warehouse_answers_all_through_a_rotation(tmp_path: Path) -> None:
    db, token = _warehouse(tmp_path)
    env = environment_for(db)  # BALIZA_KEY is unset (`_key_from_files`): the key is the file the rotation changes
    answers: list[tuple[int, object]] = []
    stop = threading.Event()
    with served_process(env, tmp_path / "serve.log") as base, httpx.Client(base_url=base, timeout=30) as client:
        before = _person(client, token, "X1")
        old_key = _key(db)

        def keep_asking() -> None:
            with httpx.Client(base_url=base, timeout=30) as own:
                while not stop.is_set():
                    answer = own.get("/api/persons/X1", headers={"Authorization": f"Bearer {token}"})
                    answers.append((answer.status_code, answer.json().get("person")))
                    stop.wait(0.02)  # a steady stream of requests that leaves the two processes some CPU

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            rotated = subprocess.run(baliza_command("keys", "rotate", "--json"), env=env, capture_output=True,
                                     text=True, timeout=120)
            assert rotated.returncode == 0, rotated.stderr
            during = len(answers)
            finished = time.perf_counter()
            while not _serving_new_file(tmp_path, db, client, token):
                assert time.perf_counter() - finished < 60
                time.sleep(0.1)
            after = _person(client, token, "X1")
        finally:
            stop.set()
            asker.join(30)
    assert _key(db) != old_key
    assert during > 0, "no request was answered while the other process rotated the key"
    assert answers and {status for status, _ in answers} == {200}
    assert all(person == before for _, person in answers) and after == before
    assert "Juan" not in (tmp_path / "serve.log").read_text(errors="replace")
    print(f"{len(answers)} requests during the rotation, all 200 with the same identity")


def _serving_new_file(folder: Path, db: Path, client: httpx.Client, token: str) -> bool:
    """Ask once (a request makes the server look for a new file): is one of its links the published file?"""
    _person(client, token, "X1")
    return any(file_identity(p) == file_identity(db) for p in folder.iterdir() if ".serving-" in p.name)
