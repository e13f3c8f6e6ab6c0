"""`baliza backup` and `baliza restore`: backup, wipe, restore gives the same status and the same audit head."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from baliza.access.audit import head, record, verify
from baliza.access.roles import Role
from baliza.access.state import open_state_beside
from baliza.access.tokens import add_token
from baliza.access.users import add_user
from baliza.cli.app import app as cli
from baliza.web.app import create_app
from load_fixtures import write_dataset

runner = CliRunner()
PASSPHRASE = "correct horse battery staple"
AGENCY = "AG-1"


def _invoke(*args: str, passphrase: str = PASSPHRASE) -> object:
    return runner.invoke(cli, list(args), env={"BALIZA_BACKUP_PASSPHRASE": passphrase})


def _status(db: Path) -> dict:
    return json.loads(runner.invoke(cli, ["status", "--db", str(db), "--json"]).stdout)


def _audit_head(db: Path) -> tuple[int, str]:
    state = open_state_beside(db)
    try:
        return head(state)
    finally:
        state.close()


def test_backup_while_serving_wipe_restore_gives_the_same_status_and_audit_head(tmp_path: Path) -> None:
    home = tmp_path / "srv"
    db = home / "w.duckdb"
    assert runner.invoke(cli, ["load", str(write_dataset(tmp_path / "d")), "--db", str(db),
                               "--agency", AGENCY]).exit_code == 0
    state = open_state_beside(db)
    add_user(state, "ana", "a long password", AGENCY, Role.ANALYST)
    _, token = add_token(state, "ana")
    record(state, "ana", AGENCY, "export", "reports/country.html", {"format": "html"})
    state.close()
    app = create_app(db)
    with TestClient(app) as client:  # backed up while served, with requests writing to the audit log
        assert client.get("/api/seizures/S1/chain", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        out = tmp_path / "backup.baliza"
        made = _invoke("backup", str(out), "--db", str(db), "--json")
        assert made.exit_code == 0, made.output
    app.state.baliza.close()
    status, audit = _status(db), _audit_head(db)
    assert audit[0] >= 2 and json.loads(made.stdout)["audit_head"] == list(audit)
    raw = out.read_bytes()
    for clear in (b"Juan Perez", b"seizure_id", b"AG-1", b"DUCK", b"SQLite format"):
        assert clear not in raw  # encrypted: neither the data nor the files' formats show
    assert out.stat().st_mode & 0o077 == 0

    shutil.rmtree(home)  # the wipe
    wrong = _invoke("restore", str(out), "--db", str(db), passphrase="not the passphrase")
    assert wrong.exit_code == 1 and "wrong passphrase" in wrong.output and not db.exists()
    restored = _invoke("restore", str(out), "--db", str(db))
    assert restored.exit_code == 0, restored.output
    assert _status(db) == status
    assert _audit_head(db) == audit
    state = open_state_beside(db)
    assert verify(state) == []  # the audit key came back with the log: the chain still verifies
    state.close()
    chain = runner.invoke(cli, ["chain", "S1", "--db", str(db), "--json"])
    assert chain.exit_code == 0 and "X1" in chain.stdout  # the field key came back: sealed names still open

    again = _invoke("restore", str(out), "--db", str(db))
    assert again.exit_code == 1 and "--force" in " ".join(again.output.split())


def test_a_damaged_or_cut_backup_restores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "a" / "w.duckdb"
    assert runner.invoke(cli, ["load", str(write_dataset(tmp_path / "d")), "--db", str(db)]).exit_code == 0
    out = tmp_path / "b.baliza"
    assert _invoke("backup", str(out), "--db", str(db)).exit_code == 0
    data = out.read_bytes()
    target = tmp_path / "restored" / "w.duckdb"
    for broken in (data[: len(data) // 2], data[:200] + bytes([data[200] ^ 1]) + data[201:], b"not a backup" * 10):
        out.write_bytes(broken)
        result = _invoke("restore", str(out), "--db", str(target))
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert not target.exists()


@pytest.mark.parametrize("short", ["short"])
def test_a_short_passphrase_is_refused(tmp_path: Path, short: str) -> None:
    db = tmp_path / "w.duckdb"
    assert runner.invoke(cli, ["load", str(write_dataset(tmp_path / "d")), "--db", str(db)]).exit_code == 0
    result = _invoke("backup", str(tmp_path / "b"), "--db", str(db), passphrase=short)
    assert result.exit_code == 1 and "at least 12 characters" in result.output
