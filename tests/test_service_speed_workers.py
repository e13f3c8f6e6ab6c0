"""Issue 12, item 4: `baliza serve --workers 2` answers on one port from two processes that share the state
store and the stored results: a session made on one is valid on the other, every read is audited on one
intact chain, and a load from another process is seen by both (the cached chain of S3 changes when a
case is loaded for it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from baliza.access.audit import entries, verify
from baliza.access.roles import Role
from baliza.access.state import open_state_beside
from baliza.access.tokens import add_token
from baliza.access.users import add_user
from baliza.cli.app import app as cli
from load_fixtures import write_dataset

pytestmark = pytest.mark.slow  # a real `baliza serve --workers 2`, and a load computed twice
AGENCY = "AG-1"
A_CASE_FOR_S3 = {"cases": "case_id,office_id,opened_at,origin,seizure_id\nC3,P1,2025-03-10T00:00:00Z,seizure,S3\n"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fresh(base: str, path: str, **headers: str) -> httpx.Response:
    """One request on a new connection: the kernel hands each connection to either worker."""
    return httpx.get(base + path, headers=headers, timeout=30)


def test_two_workers_share_sessions_audit_and_loads(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    runner = CliRunner()
    assert runner.invoke(cli, ["load", str(write_dataset(tmp_path / "first")), "--db", str(db), "--agency", AGENCY,
                               "--json"]).exit_code == 0
    state = open_state_beside(db)
    add_user(state, "ana", "a long password", AGENCY, Role.ANALYST)
    bearer = {"Authorization": f"Bearer {add_token(state, 'ana', 'test')[1]}"}
    state.close()
    port = free_port()
    env = {**os.environ, "BALIZA_DB": str(db)}
    log = (tmp_path / "serve.log").open("wb")  # a file, not a pipe
    server = subprocess.Popen([sys.executable, "-m", "baliza", "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if _fresh(base, "/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        assert len(workers) >= 2, "uvicorn did not start two worker processes"

        chains = [_fresh(base, "/api/seizures/S3/chain", **bearer) for _ in range(8)]
        assert {c.status_code for c in chains} == {200} and all("C3" not in c.text for c in chains)

        with httpx.Client(base_url=base) as browser:  # a session made by whichever worker answers
            login = browser.get("/login")
            csrf = login.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            signed = browser.post("/login", data={"username": "ana", "password": "a long password",
                                                  "csrf_token": csrf}, follow_redirects=False)
            assert signed.status_code == 303
            cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        assert all(_fresh(base, "/api/me", Cookie=cookie).json()["username"] == "ana" for _ in range(6))

        loaded = subprocess.run([sys.executable, "-m", "baliza", "load",
                                 str(write_dataset(tmp_path / "second", A_CASE_FOR_S3)), "--agency", AGENCY,
                                 "--json"], env=env, capture_output=True, text=True, timeout=120)
        assert loaded.returncode == 0, loaded.stderr
        started = time.perf_counter()
        while (tmp_path / "serve.log").read_text().count("serving the warehouse as of loads 2:") < 2:
            assert time.perf_counter() - started < 300, "the two workers did not both move to the load"
            chains.append(_fresh(base, "/api/seizures/S3/chain", **bearer))  # served meanwhile, from either
            time.sleep(0.5)
        after = [_fresh(base, "/api/seizures/S3/chain", **bearer) for _ in range(8)]
        assert all(a.status_code == 200 and "C3" in a.text for a in after)  # neither kept its cached chain
        chains += after
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    state = open_state_beside(db)
    try:
        reads = [e for e in entries(state) if e.action == "read_seizure" and e.actor == "ana"]
        assert len(reads) == sum(c.status_code == 200 for c in chains)  # every answered read, from both workers
        assert verify(state) == []
    finally:
        state.close()
