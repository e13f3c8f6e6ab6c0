"""Loading while serving: `baliza load` into a warehouse `baliza serve` has open, all or nothing, one at a time.

The last test is the issue's "done when": a real `baliza serve` process, a second export loaded by another
process, the new rows visible through the API within seconds, while requests keep succeeding.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from baliza.access.roles import Role
from baliza.access.state import open_state_beside
from baliza.access.tokens import add_token
from baliza.access.users import add_user
from baliza.cli.app import app as cli
from baliza.warehouse.loadlock import current_holder, holding_load_lock
from baliza.warehouse.publishing import file_identity
from baliza.web.app import create_app
from load_fixtures import write_dataset
from web_world import baliza_command, environment_for, served_process

runner = CliRunner()
AGENCY = "AG-1"
SECOND = {
    "seizures": (
        "seizure_id,unit_id,seized_at,substance,substance_group,quantity,quantity_unit\n"
        "S4,U1,2025-04-02T10:00:00Z,cocaine hydrochloride,cocaine_type,55,kg\n"
        "S5,U1,2025-04-09T10:00:00Z,heroin,opiates,2,kg\n"
    ),
}


def _bad_export(folder: Path) -> Path:
    """New seizures, and a cases file that is not UTF-8: the whole load is refused."""
    write_dataset(folder, SECOND)
    (folder / "cases.csv").write_bytes("case_id,office_id\nC1,Oficina de Aduanas Ca\xf1ete\n".encode("latin-1"))
    return folder


def _load(db: Path, folder: Path, *extra: str) -> object:
    return runner.invoke(cli, ["load", str(folder), "--db", str(db), "--agency", AGENCY, "--json", *extra])


def _world(tmp_path: Path) -> tuple[Path, str]:
    """A warehouse with the first export loaded, and an analyst's API token."""
    db = tmp_path / "w.duckdb"
    assert _load(db, write_dataset(tmp_path / "first")).exit_code == 0
    state = open_state_beside(db)
    add_user(state, "ana", "a long password", AGENCY, Role.ANALYST)
    _, token = add_token(state, "ana", "test")
    state.close()
    return db, token


def _seizure_ids(client: TestClient | httpx.Client, token: str) -> set[str]:
    answer = client.get("/api/seizures", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return {row["seizure_id"] for row in answer.json()}


def test_a_load_while_serving_is_seen_whole_after_the_refresh(tmp_path: Path) -> None:
    db, token = _world(tmp_path)
    app = create_app(db)
    ctx = app.state.baliza
    with TestClient(app) as client:
        assert _seizure_ids(client, token) == {"S1", "S2", "S3"}
        before = file_identity(db)
        done = _load(db, write_dataset(tmp_path / "second", SECOND))
        assert done.exit_code == 0, done.output  # the served file's lock did not stop it
        assert file_identity(db) != before  # a new file was published; the served one was never written
        with ctx.pinned() as old:  # a request that started before the refresh keeps its snapshot
            ctx.wait_for_refresh(30)
            assert old.version != ctx._current.version
            with ctx.locked() as wh:
                assert wh.duckdb.execute("select count(*) from seizures").fetchone()[0] == 3
        ctx.wait_for_refresh(30)
        assert _seizure_ids(client, token) == {"S1", "S2", "S3", "S4", "S5"}
        ctx.wait_for_refresh(30)
        assert ctx.refresh.refreshes >= 1 and ctx.refresh.state == "serving"
    ctx.close()
    assert not [p.name for p in tmp_path.iterdir() if ".serving-" in p.name]  # the server's links are gone


def test_a_failed_load_while_serving_changes_nothing(tmp_path: Path) -> None:
    db, token = _world(tmp_path)
    app = create_app(db)
    with TestClient(app) as client:
        before = file_identity(db)
        failed = _load(db, _bad_export(tmp_path / "bad"))
        assert failed.exit_code == 1 and "not UTF-8" in " ".join(failed.output.split())
        assert "Traceback" not in failed.output
        assert file_identity(db) == before
        assert _seizure_ids(client, token) == {"S1", "S2", "S3"}
    app.state.baliza.close()
    assert not [p.name for p in tmp_path.iterdir() if ".loading-" in p.name]


def test_a_second_load_says_who_is_loading_and_since_when_or_waits(tmp_path: Path) -> None:
    db, _ = _world(tmp_path)
    second = write_dataset(tmp_path / "second", SECOND)
    with holding_load_lock(db, "marta"):
        holder = current_holder(db)
        assert holder is not None and holder.who == "marta" and holder.pid == os.getpid()
        refused = _load(db, second, "--no-wait")
        assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit)
        said = " ".join(refused.output.split())
        assert "a load by marta" in said and f"process {os.getpid()}" in said and "running since" in said
        assert "Traceback" not in refused.output and "IOException" not in refused.output
    assert current_holder(db) is None
    # waiting: the second load starts once the first has finished, and says whom it waited for
    release = threading.Event()

    def first_load() -> None:
        with holding_load_lock(db, "marta"):
            release.wait(10)

    thread = threading.Thread(target=first_load)
    thread.start()
    time.sleep(0.2)
    threading.Timer(1.0, release.set).start()
    started = time.perf_counter()
    waited = runner.invoke(cli, ["load", str(second), "--db", str(db), "--agency", AGENCY])
    thread.join()
    assert waited.exit_code == 0, waited.output
    assert time.perf_counter() - started >= 0.7
    assert "Waiting: a load by marta" in " ".join(waited.output.split())
    status = json.loads(runner.invoke(cli, ["status", "--db", str(db), "--json"]).stdout)
    assert status["tables"]["seizures"] == {"rows": 5}


KILLED_LOAD = """
import os, signal, sys
from pathlib import Path
from baliza.load import load_datasets
from baliza.warehouse.publishing import publishing

def progress(step, done, total):
    if step.startswith("seizures"):  # mid-way: rows of earlier tables are written into the copy
        os.kill(os.getpid(), signal.SIGKILL)

with publishing(Path(sys.argv[1]), "killed") as warehouse:
    load_datasets(warehouse, [Path(sys.argv[2])], agency="AG-1", progress=progress)
"""


def test_a_killed_load_leaves_no_rows_and_its_copy_is_cleaned_by_the_next_start(tmp_path: Path) -> None:
    db, token = _world(tmp_path)
    before = file_identity(db)
    killed = subprocess.run([sys.executable, "-c", KILLED_LOAD, str(db), str(write_dataset(tmp_path / "s", SECOND))],
                            capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert file_identity(db) == before
    strays = [p for p in tmp_path.iterdir() if ".loading-" in p.name]
    assert strays, "the killed load's working copy should be there for this test to mean something"
    app = create_app(db)  # the next start cleans it
    with TestClient(app) as client:
        assert _seizure_ids(client, token) == {"S1", "S2", "S3"}
    app.state.baliza.close()
    assert not [p for p in tmp_path.iterdir() if ".loading-" in p.name]


def test_done_when_baliza_serve_shows_a_load_from_another_process_while_requests_succeed(tmp_path: Path) -> None:
    db, token = _world(tmp_path)
    env = environment_for(db)
    statuses: list[int] = []
    stop = threading.Event()
    with served_process(env, tmp_path / "serve.log") as base, httpx.Client(base_url=base, timeout=30) as client:
        assert _seizure_ids(client, token) == {"S1", "S2", "S3"}

        def keep_asking() -> None:
            with httpx.Client(base_url=base, timeout=30) as own:
                while not stop.is_set():
                    statuses.append(own.get("/api/seizures", headers={"Authorization": f"Bearer {token}"}
                                            ).status_code)
                    stop.wait(0.02)  # a steady stream of requests that leaves the two processes some CPU

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            loaded = subprocess.run(baliza_command("load", str(write_dataset(tmp_path / "second", SECOND)),
                                                   "--agency", AGENCY, "--json"),
                                    env=env, capture_output=True, text=True, timeout=120)
            assert loaded.returncode == 0, loaded.stderr
            assert json.loads(loaded.stdout)["tables"]["seizures"]["inserted"] == 2
            during = len(statuses)
            finished = time.perf_counter()
            while _seizure_ids(client, token) != {"S1", "S2", "S3", "S4", "S5"}:
                assert time.perf_counter() - finished < 60, "the new rows did not appear within a minute"
                time.sleep(0.1)
            seen_after = time.perf_counter() - finished
        finally:
            stop.set()
            asker.join(30)
    assert during > 0, "no request was answered while the other process loaded"
    assert statuses and set(statuses) == {200}, statuses
    print(f"new rows visible {seen_after:.1f} s after the load finished; {len(statuses)} requests, all 200")
    assert not [p.name for p in tmp_path.iterdir() if ".serving-" in p.name or ".loading-" in p.name]
