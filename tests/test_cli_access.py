"""`baliza user|grant|token|audit`: the commands an administrator runs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from baliza.cli.app import app

runner = CliRunner()


def run(*args: str, db: Path) -> tuple[int, str]:
    env = {"BALIZA_PASSWORD": "a long password", "BALIZA_STATE_URL": ""}
    result = runner.invoke(app, [*args, "--db", str(db)], env=env)
    return result.exit_code, result.stdout


def test_user_grant_token_and_audit_commands(tmp_path: Path) -> None:
    db = tmp_path / "country.duckdb"
    assert run("user", "add", "ana", "--agency", "AG-CUS", "--role", "analyst", db=db)[0] == 0
    assert run("user", "add", "ana", "--agency", "AG-CUS", "--role", "analyst", db=db)[0] == 1
    assert run("user", "add", "po", "--agency", "AG-LIV", "--role", "programme_officer", db=db)[0] == 1
    code, out = run("user", "list", "--json", db=db)
    assert code == 0 and json.loads(out) == [
        {"username": "ana", "agency_id": "AG-CUS", "role": "analyst", "programme": None, "disabled": False}
    ]
    code, out = run("grant", "add", "--from", "AG-CUS", "--to", "AG-POL", "--seizure", "S1", "--purpose", "op",
                    "--json", db=db)
    grant = json.loads(out)
    assert code == 0 and grant["active"] and grant["kind"] == "seizure"
    assert run("grant", "add", "--from", "AG-CUS", "--to", "AG-POL", "--seizure", "S1", "--case", "C1",
               "--purpose", "op", db=db)[0] == 1
    assert run("grant", "revoke", grant["grant_id"], db=db)[0] == 0
    assert json.loads(run("grant", "list", "--json", db=db)[1])[0]["active"] is False
    code, out = run("token", "add", "ana", "--json", db=db)
    token = json.loads(out)
    assert token["token"].startswith("bz_")
    assert run("token", "revoke", token["token_id"], db=db)[0] == 0
    assert run("user", "disable", "ana", db=db)[0] == 0
    code, out = run("audit", "verify", "--json", db=db)
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["entries"] == 6

    state = sqlite3.connect(tmp_path / "country.state.sqlite")
    state.execute("drop trigger audit_no_update")
    state.execute("update audit set detail = '{}' where seq = 2")
    state.commit()
    code, out = run("audit", "verify", "--json", db=db)
    assert code == 1 and [p["seq"] for p in json.loads(out)["problems"]] == [2]
