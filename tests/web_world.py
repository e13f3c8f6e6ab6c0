"""A served world for the web tests: the agency world, one user per role in AG-POL and AG-CUS, a
livelihood programme officer, and a grant from customs to police for seizure S1.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient

from agency_world import build_world
from baliza.access.clock import now
from baliza.access.grants import add_grant
from baliza.access.roles import Role
from baliza.access.state import open_state, users
from baliza.access.users import add_user

PASSWORD = "a long password"


@dataclass
class WebWorld:
    db: Path
    state_url: str
    grant_id: str


_template: list[WebWorld] = []


# An unnamed prosecutor of the prosecution service (office P9) and an investigator of the police (unit Q1):
# the staff whom the justice figures planted by the justice and report tests name.
JUSTICE_STAFF = ("insert into staff (staff_id, unit_id, role, _agency_id) values"
                 " ('ST-PRO', 'P9', 'prosecutor', 'AG-PRO'), ('ST-POL', 'Q1', 'investigator', 'AG-POL')")


def build_web_world(tmp: Path, *statements: str) -> WebWorld:
    """The web world in `tmp`: a copy of the session's one, built once (building it costs seconds; a copy is
    a few milliseconds), so that each module still writes to a world of its own; then `statements` (SQL) run
    on its warehouse, the rows a module adds to the world."""
    if not _template:
        _template.append(_build(Path(tempfile.mkdtemp(prefix="baliza-web-world-"))))
    source = _template[0].db.parent
    tmp.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        shutil.copyfile(path, tmp / path.name)
    world = WebWorld(tmp / "country.duckdb", f"sqlite:///{tmp / 'state.sqlite'}", _template[0].grant_id)
    if statements:
        with duckdb.connect(str(world.db)) as con:
            for statement in statements:
                con.execute(statement)
    return world


def web_app(world: WebWorld) -> Iterator[Any]:
    """The web application on `world`, closed after the last test that uses it (a fixture's `yield from`)."""
    from baliza.web.app import create_app  # the web application: imported by the tests that serve it only

    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


def forget_template() -> None:
    """Remove the session's built world (called when the session ends)."""
    for world in _template:
        shutil.rmtree(world.db.parent, ignore_errors=True)
    _template.clear()


def _build(tmp: Path) -> WebWorld:
    db = tmp / "country.duckdb"
    with build_world(db) as wh:
        wh.duckdb.execute("insert into cases (case_id, office_id, opened_at, origin, seizure_id, _agency_id,"
                          " _load_id) values ('C7','Q1','2025-03-02','seizure','S3','AG-POL',7)")
    state_url = f"sqlite:///{tmp / 'state.sqlite'}"
    state = open_state(state_url)
    add_user(state, "liv_officer", PASSWORD, "AG-LIV", Role.PROGRAMME_OFFICER, "livelihood")
    with state.engine.begin() as conn:  # the same argon2 hash for every test user: hashing 13 times is slow
        digest = conn.execute(sa.select(users.c.password_hash)).scalar_one()
        conn.execute(users.insert(), [
            {"username": user_name(agency, role), "password_hash": digest, "agency_id": agency, "role": role.value,
             "programme": "livelihood" if role is Role.PROGRAMME_OFFICER else None, "disabled": False,
             "created_at": now()}
            for agency in ("AG-POL", "AG-CUS") for role in Role
        ])
    grant = add_grant(state, "AG-CUS", "AG-POL", "seizure", "S1", "joint operation", now() + timedelta(days=30),
                      "setup")
    state.close()
    return WebWorld(db, state_url, grant.grant_id)


def user_name(agency: str, role: Role | str) -> str:
    return f"{agency.lower().replace('-', '_')}_{Role(role).value}"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def signed_in_client(app: Any, agency: str, role: Role | str = Role.ANALYST) -> TestClient:
    """A test client signed in through the form as the world's user of `role` in `agency`; its session's
    CSRF token is in `client.headers["X-Test-Csrf"]` (sent with every request, read back by tests that post)."""
    client = TestClient(app)
    client.headers["X-Test-Csrf"] = sign_in(client, user_name(agency, role))
    return client


def client_for(app: Any, agency: str, role: Role | str = Role.ANALYST) -> TestClient:
    """A test client signed in as the world's user of `role` in `agency`, made once per user and app and kept
    on the app (signing in checks an argon2 hash, slow on purpose)."""
    clients = getattr(app.state, "signed_in_clients", None)
    if clients is None:
        clients = app.state.signed_in_clients = {}
    if (agency, Role(role)) not in clients:
        client = TestClient(app)
        sign_in(client, user_name(agency, role))
        clients[(agency, Role(role))] = client
    return clients[(agency, Role(role))]


def without_csrf(html: str) -> str:
    """A page without its CSRF token (which differs between sessions), for comparing or searching it."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client.get("/api/me").json()["csrf_token"]


# --- `baliza serve` in a process of its own ----------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def baliza_command(*args: str) -> list[str]:
    """The command line of `baliza ARGS` with this interpreter."""
    return [sys.executable, "-m", "baliza", *args]


def environment_for(db: Path) -> dict[str, str]:
    """This process's environment with `BALIZA_DB` set: what `baliza serve` and the commands run beside it get."""
    return {**os.environ, "BALIZA_DB": str(db)}


@contextmanager
def served_process(env: dict[str, str], log: Path, *, ready_within: float = 120) -> Iterator[str]:
    """`baliza serve` on a free loopback port in a process of its own (the warehouse of `env`'s BALIZA_DB);
    yields its base URL once it answers. Its output goes to the file `log`, never to a pipe (a full pipe would
    stall the server's logging). Stopped as a person would stop it (Ctrl-C), killed if that takes too long."""
    port = free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(baliza_command("serve", "--port", str(port)), env=env, stdout=output,
                                  stderr=output)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + ready_within
            while True:
                assert server.poll() is None, f"baliza serve ended: {log.read_text(errors='replace')[-2000:]}"
                try:
                    if httpx.get(f"{base}/login", timeout=30).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"baliza serve did not answer within {ready_within:.0f} s"
                time.sleep(0.1)
            yield base
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(30)
